"""A case restored from its rows (a cold step: another process stepped it last, the process restarted,
more cases are worked than the workflow cache holds) is saved as a case kept in the cache is: by its
plan (engine/state.py ``_dirty_plan``, ``_COLD_PLAN``), visiting only the tasks the step may have
changed — yet writing every task that changed (写入遗漏: a changed task whose row is kept is a case
restored wrong the next time). Real SQLite and PostgreSQL, real models, every step cold."""
from __future__ import annotations

import pytest

from engine import ManualClock, state as wfstate
from tests.interop_support import user_for
from engine.schema import Case
from tests.support import START, make_engine
from tests.test_state_dirty_save import CAMUNDA_THREE_TASKS, FIVE_TASKS, plans  # noqa: F401  (a fixture)
from tests.test_state_writes import restored_as_live


def _cached(e, case_id):
    return e.workflow_cache._entries[case_id][1]


@pytest.mark.parametrize("model,process", [(FIVE_TASKS, "five_tasks"),
                                           (CAMUNDA_THREE_TASKS, "camunda7_gateway_flow_order")])
def test_a_step_on_a_case_restored_from_its_rows_saves_by_plan_and_writes_every_changed_row(
        database_url, plans, model, process):  # noqa: F811
    """Each completion restores the case from its rows (the cache emptied before it): its save plans
    (no walk of every task) where a warm one does, and after it the case's live rows are exactly its tasks serialized
    afresh, and restore to the same tasks with their states and data."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        e.deploy(model, by="boss")
        case = e.start(process, by="zhang", org="east", data={"amount": 1200, "备注": "复查"})
        steps = 0
        for step_no in range(8):
            view = e.case(case.id)
            if view.status != "running":
                break
            e.workflow_cache._entries.clear()  # cold: restored from the rows
            plans.clear()
            task = view.tasks[0]
            e.complete(task.id, user_for(e, task), {"意见": f"第{step_no}步", "days": 10})
            steps += 1
            loaded = _cached(e, case.id)
            # planned, not walked (the Camunda model's gateway makes tasks in a step: walked warm too)
            assert model != FIVE_TASKS or plans and all(plan is not None for plan in plans), step_no
            restored_as_live(e, case.id, {str(t.id): t for t in wfstate._walk(loaded.workflow)})
        assert e.case(case.id).status == "completed" and steps >= 2
    finally:
        e.dispose()


def test_a_case_restored_from_its_rows_is_left_as_the_save_that_wrote_them_left_it(database_url):
    """What the restore hands the save: every live task quiet (predicted or finished, a mark of plain
    values) or loud, never both nor neither, the quiet ones with the mark the row was written with, and
    the tree taken as kept — as the warm case's last save left them."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east", data={"备注": "复查"})
        for step_no in range(2):
            task = e.case(case.id).tasks[0]
            e.complete(task.id, "zhang", {"意见": f"第{step_no}步", "罚款金额": 5000})
        warm = _cached(e, case.id)
        warm_quiet = {warm.names[t]: m for t, m in warm.quiet.items()}
        warm_loud = {warm.names[t] for t in warm.loud}
        e.workflow_cache._entries.clear()
        with e.db.read() as s:
            spec, subs = e.models.specs(s, s.get(Case, case.id).bundle_hash)
            cold = wfstate.restore(s, case.id, spec, subs, e.script_engine)
        tasks = set(cold.workflow.tasks.values())
        assert set(cold.quiet) | cold.loud == tasks and not set(cold.quiet) & cold.loud
        assert {cold.names[t]: m for t, m in cold.quiet.items()} == warm_quiet
        assert {cold.names[t] for t in cold.loud} == warm_loud
        assert cold.workflow._duban_tree_kept
    finally:
        e.dispose()

