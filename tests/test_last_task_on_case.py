"""The top workflow's last task on the case row (engine/state.py ``last_task_text``, revision 0019).

SpiffWorkflow's ``last_task`` moves at every completion; kept in the top workflow's wf_workflow row,
it made every step rewrite that row. It is on ``case_instance.last_task`` now, which every step
writes anyway. Here, on SQLite and PostgreSQL: a completion leaves the workflow row as it was and
the case row names the workflow's last task; every cold restore (a step's, a timer batch's) reads it
back; a row written before revision 0019 (its last task in its content, the column NULL) is read as
it was written; and the revision carries the last task over to the column and back.
"""
from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa
from alembic import command

from engine import Engine, ManualClock, migrate, step, timer_sweep
from engine import state as wfstate
from engine.schema import Case, WorkflowRow
from tests.support import BPMN, START, deploy, make_engine, open_task_id

FIVE_TASKS = BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn"


def _top_row(e, case_id: int) -> str:
    with e.db.engine.connect() as conn:
        return conn.execute(sa.select(WorkflowRow.content).where(
            WorkflowRow.case_id == case_id, WorkflowRow.wf_key == wfstate.TOP)).scalar_one()


def _column(e, case_id: int) -> str | None:
    with e.db.engine.connect() as conn:
        return conn.execute(sa.select(Case.last_task).where(Case.id == case_id)).scalar_one()


def _restored_last_task(e, case_id: int) -> str | None:
    """The case's workflow restored from its rows, as a cold step restores it: its last task's id."""
    with e.db.read() as s:
        spec, subs = e.models.specs(s, s.get(Case, case_id).bundle_hash)
        workflow = wfstate.restore(s, case_id, spec, subs, e.script_engine).workflow
    return wfstate.last_task_text(workflow)


def _cached_last_task(e, case_id: int) -> str | None:
    return wfstate.last_task_text(e.workflow_cache._entries[case_id][1].workflow)


def test_a_completion_leaves_the_workflow_row_and_the_case_row_names_the_last_task(database_url):
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east", data={"备注": "第１次检查，罚款5,000,000元"})
        e.complete(open_task_id(e, case.id), "zhang", {"意见": "同意"})
        row = _top_row(e, case.id)
        assert json.loads(row)["last_task"] is None
        for n in range(3):
            before = _column(e, case.id)
            e.complete(open_task_id(e, case.id), "zhang", {"意见": f"同意（第{n + 2}步）"})
            assert _top_row(e, case.id) == row  # not rewritten
            last = _cached_last_task(e, case.id)
            assert last is not None and last != before
            assert _column(e, case.id) == last
            assert _restored_last_task(e, case.id) == last
            e._evict(case.id)  # the next step restores the case from its rows, its last task too
    finally:
        e.dispose()


def test_a_row_written_before_revision_0019_is_read_with_its_own_last_task(database_url):
    """Its last task in the top row's content and the column NULL: the restore takes the row's, and
    the case's next step moves it to the column."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east")
        e.complete(open_task_id(e, case.id), "zhang", {"意见": "同意"})
        last = _column(e, case.id)
        assert last is not None
        meta = json.loads(_top_row(e, case.id))
        meta["last_task"] = last
        with e.db.engine.begin() as conn:  # as a step before revision 0019 left it
            conn.execute(sa.update(WorkflowRow).where(WorkflowRow.case_id == case.id, WorkflowRow.wf_key == "top")
                         .values(content=json.dumps(meta, ensure_ascii=False)))
            conn.execute(sa.update(Case).where(Case.id == case.id).values(last_task=None))
        e._evict(case.id)
        assert _restored_last_task(e, case.id) == last
        e.complete(open_task_id(e, case.id), "zhang", {"意见": "同意"})
        assert json.loads(_top_row(e, case.id))["last_task"] is None
        assert _column(e, case.id) == _cached_last_task(e, case.id) not in (None, last)
    finally:
        e.dispose()


def test_a_timer_batch_restores_each_case_with_its_last_task(database_url):
    """engine/timer_sweep.py restores the cases it fires from their rows (a fresh worker's cache is
    empty) in a batch of its own: each with the last task its case row names."""
    e = make_engine(database_url, clock=ManualClock(START))
    deploy(e, "timers_misc.bpmn")
    cases = [e.start("wait_then_work", by="zhang", org="east").id for _ in range(3)]
    e.dispose()
    worker = Engine(database_url, clock=ManualClock(START + timedelta(days=2, seconds=1)))
    try:
        expected = {case_id: _column(worker, case_id) for case_id in cases}
        assert None not in expected.values()
        with step.transaction(worker) as tx:
            loaded = timer_sweep._load_cases(worker, tx, timer_sweep._lock_cases(tx, cases))
            assert {c: wfstate.last_task_text(st.workflow) for c, st in loaded.items()} == expected
    finally:
        worker.dispose()


def test_revision_0019_carries_the_last_task_to_the_case_row_and_back(database_url):
    e = make_engine(database_url, clock=ManualClock(START))
    e.deploy(FIVE_TASKS, by="boss")
    case_ids = [e.start("five_tasks", by="zhang", org="east").id for _ in range(2)]
    e.complete(open_task_id(e, case_ids[0]), "zhang", {"意见": "同意"})
    last = {case_id: _column(e, case_id) for case_id in case_ids}
    assert None not in last.values()
    e.dispose()
    sa_engine = e.db.engine
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), "0018_hot_update_room")
    with sa_engine.connect() as conn:
        assert "last_task" not in {c["name"] for c in sa.inspect(conn).get_columns("case_instance")}
        rows = dict(conn.execute(sa.text("SELECT case_id, content FROM wf_workflow WHERE wf_key = 'top'")).all())
    assert {case_id: json.loads(rows[case_id])["last_task"] for case_id in case_ids} == last
    assert migrate.upgrade(sa_engine)
    with sa_engine.connect() as conn:
        assert dict(conn.execute(sa.text("SELECT id, last_task FROM case_instance")).all()) == last
    sa_engine.dispose()
