"""What a case's start (立案) and its end (办结) cost the database and the process, counted, not
timed: a warm start makes no ORM session and writes the case row once with what it has (SQLite:
an INSERT of the statement rendered once, then an UPDATE naming only what the start's step
changed); the case a start made reads, steps and verifies as before. A case's end leaves its top
workflow's row as the last running step wrote it (nothing restores an ended case; its data is in the
case row); the finished case reads, verifies and restores. The
workflow of a case its step ended goes first in line to leave the engine's cache (no step follows):
the cache's room goes to running cases, whose next steps then restore nothing.

On SQLite and PostgreSQL, real files and a real server; models from tests/bpmn."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa

from engine import state as wfstate
from engine.schema import Case, WorkflowRow
from tests.support import deploy, make_engine, open_task_id, statements_sent
from tests.support import sessions_made


@pytest.fixture
def engine(database_url):
    e = make_engine(database_url)
    deploy(e, "approval.bpmn")
    yield e
    e.dispose()


def _start(engine):
    return engine.start("approval", by="zhang", org="east", data={"hazard": "消防通道堵塞"})


def test_a_warm_start_makes_no_orm_session(engine, monkeypatch):
    """The principal, the org unit, the policy, the model and its specs come from caches at the
    counters the start reads: nothing asks the ORM, so no session is made for it."""
    _start(engine)  # caches filled, the case-number counter row made
    made = sessions_made(monkeypatch)
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


def _walk_to_end(engine, case_id: int) -> None:
    engine.complete(open_task_id(engine, case_id), "zhang", {"location": "仓库（二号）"})
    engine.complete(open_task_id(engine, case_id), "eastboss", {"approved": True})
    assert engine.case(case_id).status == "completed"


def _top_row(engine, case_id: int) -> str:
    with engine.db.engine.connect() as conn:
        return conn.execute(sa.select(WorkflowRow.content).where(
            WorkflowRow.case_id == case_id, WorkflowRow.wf_key == wfstate.TOP)).scalar_one()


def _built_row(engine, case_id: int) -> str:
    """The top workflow's row as SpiffWorkflow's registry builds it (``_workflow_meta``), its last
    task null (the case row keeps it)."""
    meta = wfstate._workflow_meta(engine.workflow_cache._entries[case_id][1].workflow)
    meta["last_task"] = None
    return wfstate.to_json(meta)


@pytest.mark.parametrize("data", [{"hazard": "消防通道堵塞", "人数": 3, "罚款": 2.5, "复查": None},
                                  {"hazard": "消防通道堵塞", "隐患清单": [{"隐患": "堆放杂物"}]},
                                  {"hazard": "消防通道堵塞", "发现日期": date(2026, 11, 2)}],
                         ids=["flat", "nested", "dated"])
def test_the_end_leaves_the_workflow_row_as_the_last_running_step_wrote_it(engine, monkeypatch, data):
    """A case's end leaves its data in the top workflow (SpiffWorkflow copies it there), but nothing
    restores an ended case, so the last step leaves that row as the last running step wrote it — what
    the registry builds, byte for byte — and builds nothing for it (state._ENDED_TOP_ROW, 6cf6d74);
    the finished case reads, verifies and restores from its rows, its data from the case row."""
    built: list = []
    meta = wfstate._workflow_meta

    def counting(workflow):
        built.append(workflow)
        return meta(workflow)

    case = engine.start("approval", by="zhang", org="east", data=data)
    engine.complete(open_task_id(engine, case.id), "zhang", {"location": "仓库（二号）"})
    running_row = _top_row(engine, case.id)
    assert running_row == _built_row(engine, case.id)
    monkeypatch.setattr(wfstate, "_workflow_meta", counting)
    engine.complete(open_task_id(engine, case.id), "eastboss", {"approved": True})
    monkeypatch.undo()
    assert engine.case(case.id).status == "completed"
    assert built == []  # the end builds no row for the top workflow, whatever its data holds
    assert _top_row(engine, case.id) == running_row
    view = engine.case(case.id)
    assert view.data["approved"] is True and view.data["hazard"] == "消防通道堵塞"
    assert view.ended_at is not None and view.tasks == []
    assert [h["action"] for h in view.history][-1] == "case_completed"
    assert engine.verify_audit() is None
    with engine.db.read() as s:  # the finished case restores from its rows with the data it ended with
        spec, subs = engine.models.specs(s, s.get(Case, case.id).bundle_hash)
        restored = wfstate.restore(s, case.id, spec, subs, engine.script_engine).workflow
    ended = restored.get_tasks(spec_name="End")
    assert ended and ended[0].data == engine.workflow_cache._entries[case.id][1].workflow.data


def test_the_end_puts_its_workflow_first_out_of_the_cache(database_url, monkeypatch):
    """No step follows a case's end: its workflow goes first in line to leave the least-recently-used
    cache, not last, where it pushed a running case out once the cache was full (a harness that
    starts every case before completing them: each end pushed out a running case, whose next step
    then restored it from its rows). Counted: with a cache of two, a case ended between two others
    falls out for the third, the first stays cached and its next step restores nothing; the ended
    case reads, verifies and restores from its rows as it ended."""
    e = make_engine(database_url, cache_size=2)
    try:
        deploy(e, "approval.bpmn")
        first = _start(e)
        ended = _start(e)
        _walk_to_end(e, ended.id)
        assert list(e.workflow_cache._entries) == [ended.id, first.id]  # the ended case first out
        third = _start(e)
        assert list(e.workflow_cache._entries) == [first.id, third.id]
        restored: list = []
        restore = wfstate.restore
        monkeypatch.setattr(wfstate, "restore", lambda *a, **k: restored.append(a[1]) or restore(*a, **k))
        e.complete(open_task_id(e, first.id), "zhang", {"location": "仓库（二号）"})
        assert restored == []  # the running case's step found its workflow in the cache
        monkeypatch.undo()
        view = e.case(ended.id)
        assert (view.status, view.tasks, view.data["approved"]) == ("completed", [], True)
        assert [h["action"] for h in view.history][-1] == "case_completed"
        assert e.verify_audit() is None
        with e.db.read() as s:
            spec, subs = e.models.specs(s, s.get(Case, ended.id).bundle_hash)
            assert wfstate.restore(s, ended.id, spec, subs, e.script_engine).workflow.is_completed()
    finally:
        e.dispose()
