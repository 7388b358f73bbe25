"""What a completion writes, page by page (issue 15): ``ix_human_task_case_due`` holds (case_id, due_at)
since revision 0027, no ``state``, so completing a task — its state from 'open' to 'completed' —
moves no entry of it; with ``state`` in it every completion moved the task's entry in the case's range,
and a completion that opens no task (the one that ends the case, one that leaves the case waiting on a
timer or a message) wrote a page of it for that alone: one WAL frame on SQLite of ~14 an ending
completion, and what the checkpoint copies back.

On models as their tools draw them (tests/bpmn/interop): Camunda Modeler 5's 现场检查清单
(camunda7_list_map_parameters.bpmn: one task whose completion ends the case) and Flowable's 复查 loop
(flowable_review.bpmn: 复查 not passed opens 再次整改). The index is
still what 逾期督办 probes a case with (tests/test_query_plans.py pins the plan): an open task past its
deadline is found, a completed one past it is not, on SQLite and PostgreSQL; and a database at
revision 0026 is upgraded keeping every row, and downgraded to the old index again.
"""
from __future__ import annotations

import sqlite3
import struct
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from engine import ManualClock, migrate
from engine.schema import Case, HumanTask
from tests.interop_support import CORPUS
from tests.support import START, make_engine
from webui import overdue

REVIEW = CORPUS / "flowable_review.bpmn"
CHECKLIST = CORPUS / "camunda7_list_map_parameters.bpmn"
CHECKLIST_DATA = {"extraItem": "应急照明", "unitName": "华东化工有限公司"}
INDEX = "ix_human_task_case_due"
BEFORE = "0026_enterprise_kind"


def _btrees_written(path: Path) -> set[str]:
    """The b-trees (tables and indexes) of the pages in the WAL file (bench/wal_pages.py's count)."""
    raw = Path(f"{path}-wal").read_bytes()
    page_size = struct.unpack(">I", raw[8:12])[0]
    pages, off = set(), 32
    while off + 24 + page_size <= len(raw):
        pages.add(struct.unpack(">I", raw[off:off + 4])[0])
        off += 24 + page_size
    with sqlite3.connect(path) as inspect:
        names = dict(inspect.execute("SELECT pageno, name FROM dbstat"))
    return {names.get(p, "") for p in pages}


def _sqlite_engine(path: Path):
    e = make_engine(f"sqlite:///{path}", clock=ManualClock(START))
    if e.checkpointer is not None:  # the WAL is read after each completion: nobody copies it back meanwhile
        e.checkpointer.stop()
        e.checkpointer = None
    return e


def _written_by(e, path: Path, task_id: str, data: dict) -> set[str]:
    with e.db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    e.complete(task_id, "zhang", data)
    return _btrees_written(path)


def test_the_completion_that_ends_a_case_writes_no_page_of_the_case_due_index(tmp_path):
    """现场检查清单 completed: the task's row and the queue indexes it leaves are written, the case's
    index is not (a completion that opens a task writes that page for the new task's entry anyway)."""
    path = tmp_path / "checklist.sqlite"
    e = _sqlite_engine(path)
    key = e.deploy(CHECKLIST, by="boss").key
    ended = e.start(key, by="zhang", org="east", data=dict(CHECKLIST_DATA)).id
    e.start(key, by="zhang", org="east", data=dict(CHECKLIST_DATA))  # a neighbour's entries beside its own
    written = _written_by(e, path, e.case(ended).tasks[0].id, {})
    assert e.case(ended).status == "completed"
    assert {"human_task", "ix_human_task_done", "case_instance"} <= written, written
    assert INDEX not in written, written
    e.dispose()


def _overdue_cases(e) -> list[int]:
    now = e.clock.now()
    with e.db.engine.connect() as conn:
        return conn.execute(sa.select(Case.id).where(overdue.condition(now)).order_by(Case.id)).scalars().all()


def test_the_overdue_probe_finds_an_open_task_past_its_deadline_and_not_a_completed_one(database_url):
    """逾期督办's per-case question, read through the index without ``state``: the state of the rows it
    finds decides. 复查 past its deadline (due_at set on its row as a dueDate would) is overdue; once
    completed (再次整改 opens, no deadline) the case is not, though the completed row's deadline passed."""
    e = make_engine(database_url, clock=ManualClock(START))
    key = e.deploy(REVIEW, by="boss").key
    late = e.start(key, by="zhang", org="east").id
    on_time = e.start(key, by="zhang", org="east").id
    past, ahead = START - timedelta(days=2), START + timedelta(days=5)
    with e.db.engine.begin() as conn:
        for case_id, due in ((late, past), (on_time, ahead)):
            conn.execute(sa.update(HumanTask).where(HumanTask.case_id == case_id)
                         .values(due_at=due, due_sort=due))
    assert _overdue_cases(e) == [late]
    e.complete(e.case(late).tasks[0].id, "zhang", {"passed": False})
    assert [t.spec_id for t in e.case(late).tasks] == ["again"]
    assert _overdue_cases(e) == []
    e.dispose()


def _index_columns(sa_engine) -> list[str] | None:
    with sa_engine.connect() as conn:
        for index in sa.inspect(conn).get_indexes("human_task"):
            if index["name"] == INDEX:
                return list(index["column_names"])
    return None


def _task_rows(sa_engine) -> list:
    with sa_engine.connect() as conn:
        return conn.execute(sa.select(HumanTask.id, HumanTask.case_id, HumanTask.state, HumanTask.due_at,
                                      HumanTask.completed_by).order_by(HumanTask.id)).all()


def test_revision_0027_keeps_every_task_row_and_its_downgrade_makes_the_old_index_again(database_url):
    e = make_engine(database_url, clock=ManualClock(START))
    sa_engine = e.db.engine
    assert _index_columns(sa_engine) == ["case_id", "due_at"]
    key = e.deploy(REVIEW, by="boss").key
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), BEFORE)
    assert _index_columns(sa_engine) == ["case_id", "state", "due_at"]
    # tasks opened and completed on the database at revision 0026
    case_id = e.start(key, by="zhang", org="east").id
    e.complete(e.case(case_id).tasks[0].id, "zhang", {"passed": False})
    before = _task_rows(sa_engine)
    assert sorted(r.state for r in before) == ["completed", "open"]
    e.dispose()

    assert migrate.upgrade(sa_engine)
    assert _index_columns(sa_engine) == ["case_id", "due_at"]
    assert _task_rows(sa_engine) == before
    with sa_engine.connect() as conn:
        assert migrate.current(conn) == migrate.heads()
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), BEFORE)
    assert _index_columns(sa_engine) == ["case_id", "state", "due_at"]
    assert _task_rows(sa_engine) == before
    sa_engine.dispose()
