"""What a case's start (立案) and its end (办结) cost the database and the process, counted, not
timed: a warm start makes no ORM session and writes the case row once with what it has (SQLite:
an INSERT of the statement rendered once, then an UPDATE naming only what the start's step
changed); the case a start made reads, steps and verifies as before.

On SQLite and PostgreSQL, real files and a real server; models from tests/bpmn."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.schema import Case
from tests.support import deploy, make_engine, open_task_id, statements_sent


@pytest.fixture
def engine(database_url):
    e = make_engine(database_url)
    deploy(e, "approval.bpmn")
    yield e
    e.dispose()


def _start(engine):
    return engine.start("approval", by="zhang", org="east", data={"hazard": "消防通道堵塞"})


def _sessions_made(monkeypatch) -> list:
    """Every ORM ``Session`` made from now on (SQLAlchemy's class, counted on the way through)."""
    made: list = []
    init = Session.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Session, "__init__", counting)
    return made


def test_a_warm_start_makes_no_orm_session(engine, monkeypatch):
    """The principal, the org unit, the policy, the model and its specs come from caches at the
    counters the start reads: nothing asks the ORM, so no session is made for it."""
    _start(engine)  # caches filled, the case-number counter row made
    made = _sessions_made(monkeypatch)
    case = _start(engine)
    assert made == []
    # the case the start made is whole: its page reads, its task opens, its chain verifies
    view = engine.case(case.id)
    assert (view.status, view.data["hazard"], view.case_no) == ("running", "消防通道堵塞", case.case_no)
    assert len(view.tasks) == 1
    assert engine.verify_audit() is None


def _case_writes(sent: list[str]) -> tuple[list[str], list[str]]:
    inserts = [s for s in sent if re.match(r"\s*INSERT INTO case_instance\b", s)]
    updates = [s for s in sent if re.match(r"\s*UPDATE case_instance\b", s)]
    return inserts, updates


def _named_columns(update: str) -> set[str]:
    assignments = update.split(" SET ", 1)[1].split(" WHERE ", 1)[0]
    return {part.split("=", 1)[0].strip() for part in assignments.split(",")}


def test_a_start_writes_the_case_row_once_with_what_it_has(engine):
    """PostgreSQL: one INSERT, with the row as the start's step left it. SQLite (the task rows name
    the case, so it is inserted first): the INSERT, then one UPDATE naming only what the step
    changed — not the status, title, party or escalation level it was inserted with (SQLite
    rewrites the index entries of every column an UPDATE names)."""
    _start(engine)
    made = []
    sent = statements_sent(engine, lambda: made.append(_start(engine)))
    inserts, updates = _case_writes(sent)
    assert len(inserts) == 1
    if engine.db.is_sqlite:
        assert len(updates) == 1
        assert _named_columns(updates[0]).isdisjoint({"status", "title", "party", "escalation_level", "ended_at",
                                                      "process_key", "org_code", "case_no", "started_at"})
    else:
        assert updates == []
    case = made[0]
    with engine.db.engine.connect() as conn:
        row = conn.execute(sa.select(Case).where(Case.id == case.id)).one()
    assert (row.status, row.title, row.org_code, row.version, row.ended_at) == ("running", case.title, "east", 0, None)
    assert row.data["hazard"] == "消防通道堵塞" and row.data["case_no"] == case.case_no
    assert row.audit_seq >= 2 and row.last_task is not None
    # and the case steps on from there
    engine.complete(open_task_id(engine, case.id), "zhang", {"location": "仓库（二号）"})
    assert engine.verify_audit() is None
