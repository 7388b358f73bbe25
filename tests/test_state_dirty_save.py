"""A warm step's save visits only the tasks the step may have changed (engine/state.py ``_dirty_plan``),
yet writes every task that changed (写入遗漏: a changed task whose row is kept is a case restored wrong).

A task made (engine/task_class.py ``_add_child``) or taken out (engine/workflow.py ``_remove_task``)
since the last save makes the next one walk every task; otherwise a *quiet* task (predicted, FUTURE
or finished, with a mark of plain values) is visited only when its state, last state change, parent,
number of children, triggered flag, data or internal data no longer match its mark. Each test here
changes a warm case's workflow as no step of ours does it — in place, without the hooks — and
checks that the real save on a real database then leaves every live row exactly what serializing
the task gives (``state.reference_text``), the rows of the tasks gone no longer live, and that the
save did plan (the shortcut was taken, not the full walk).
"""
from __future__ import annotations

import pytest
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine import ManualClock, state as wfstate
from tests.interop_support import user_for
from tests.support import BPMN, START, make_engine, open_task_id
from tests.test_state_writes import _live_rows, restored_as_live, rows_are_fresh

FIVE_TASKS = BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn"
CAMUNDA_THREE_TASKS = BPMN / "interop" / "camunda7_gateway_flow_order.bpmn"


@pytest.fixture
def plans(monkeypatch):
    """What each ``_dirty_plan`` answered (None: the save walked every task); the real one runs."""
    seen: list = []
    real = wfstate._dirty_plan

    def watched(*args):
        plan = real(*args)
        seen.append(plan)
        return plan

    monkeypatch.setattr(wfstate, "_dirty_plan", watched)
    return seen


def _warm_case(url: str, plans: list, table: bool = False):
    """Five-task case (bench/models/five_tasks.bpmn) after two completions with a form of plain
    values as an official fills it (``table``: with a table of rows too): its cached state (its last
    save planned the next) and engine."""
    e = make_engine(url, clock=ManualClock(START))
    e.deploy(FIVE_TASKS, by="boss")
    case = e.start("five_tasks", by="zhang", org="east", data={"备注": "首次检查"})
    for step_no in range(2):
        form = {"意见": f"第{step_no + 1}步：同意", "罚款金额": 5000}
        if table:
            form["检查记录"] = [{"项目": "消防通道", "结果": "堵塞"}, {"项目": "应急照明", "结果": "正常"}]
        e.complete(open_task_id(e, case.id), "zhang", form)
    loaded = e.workflow_cache._entries[case.id][1]
    assert loaded.workflow._duban_tree_kept  # the last save planned the next
    plans.clear()
    return e, case, loaded


def _save_and_compare(e, case, loaded) -> None:
    with e.db.engine.begin() as conn:
        wfstate.save(conn, case.id, loaded, {})
    stored = _live_rows(e, case.id)
    live = {str(t.id): t for t in wfstate._walk(loaded.workflow)}
    assert set(stored) == set(live)
    for tid, task in live.items():
        assert stored[tid] == wfstate.reference_text(task), task.task_spec.name
    assert loaded.task_rows.keys() == stored.keys()


def _quiet(loaded, kind: int, marked: int) -> list:
    return [t for t, mark in loaded.quiet.items() if t._state & kind and len(mark) == marked]


def test_a_finished_tasks_data_changed_without_a_state_change_is_written(database_url, plans):
    """A finished task's form value changed in place (no state set, no hook): its row written again,
    and its finished child's, whose row holds its delta against that data (neither noted)."""
    e, case, loaded = _warm_case(database_url, plans)
    try:
        finished = [t for t in _quiet(loaded, TaskState.COMPLETED, 8) if "意见" in t.data]
        assert len(finished) >= 2 and finished[1].parent is finished[0]
        finished[0].data["罚款金额"] = 8000  # its child carried 5000 on: now a value of its own
        _save_and_compare(e, case, loaded)
        assert len(plans) == 1 and plans[0] is not None
    finally:
        e.dispose()


def test_a_finished_tasks_table_of_rows_changed_in_place_is_written(database_url, plans):
    """A finished task's table of rows changed in place, as SpiffWorkflow's DeepMerge merges into a
    nested value a task shares with its parent: such a task is visited at every save (its mark holds
    the table's text), so its row is written again."""
    e, case, loaded = _warm_case(database_url, plans, table=True)
    try:
        finished = [t for t in wfstate._walk(loaded.workflow)
                    if t._state & TaskState.COMPLETED and isinstance(t.data.get("检查记录"), list)]
        assert finished and all(t in loaded.loud for t in finished)
        finished[0].data["检查记录"][0]["结果"] = "已整改"
        _save_and_compare(e, case, loaded)
        assert len(plans) == 1 and plans[0] is not None
    finally:
        e.dispose()


def test_a_task_moved_under_another_parent_is_written_with_both_parents(database_url, plans):
    """A predicted task hung under another quiet task (its parent link and both parents' children
    changed in place, as pruning relinks the chain it keeps, no task made or taken out): the three
    rows written again."""
    e, case, loaded = _warm_case(database_url, plans)
    try:
        future = _quiet(loaded, TaskState.FUTURE, 6)
        leaf = next(t for t in future if not t._children)
        old_parent = loaded.workflow.tasks[leaf._parent]
        new_parent = next(t for t in future if t is not leaf and t is not old_parent)
        old_parent._children.remove(leaf.id)
        new_parent._children.append(leaf.id)
        leaf._parent = new_parent.id
        _save_and_compare(e, case, loaded)
        assert len(plans) == 1 and plans[0] is not None
    finally:
        e.dispose()


def test_a_predicted_tasks_data_and_state_set_in_place_are_written(database_url, plans):
    """A FUTURE task given data as SpiffWorkflow's ad-hoc sub-process gives its open tasks the
    workflow's (``DeepMerge.merge(active_task.data, ...)``, no state change), another's state written
    straight to ``_state`` (no ``_set_state``), a third marked triggered, a fourth's and a finished
    task's internal data set: all rows written again."""
    e, case, loaded = _warm_case(database_url, plans)
    try:
        future = _quiet(loaded, TaskState.FUTURE, 6)
        assert len(future) >= 4
        future[0].data["整改期限"] = "2026-12-31"
        future[1]._state = TaskState.LIKELY
        future[2].triggered = True
        future[3].internal_data["event_fired"] = True  # as a catching event's, before it is updated
        _quiet(loaded, TaskState.COMPLETED, 8)[-1].internal_data["复核"] = "已复核"
        _save_and_compare(e, case, loaded)
        assert len(plans) == 1 and plans[0] is not None
    finally:
        e.dispose()


def test_a_predicted_tasks_state_set_and_set_back_is_written(database_url, plans):
    """A FUTURE task made LIKELY and FUTURE again within a step (as ``_sync_children`` may): the same
    state, a later ``last_state_change``, so a row that differs."""
    e, case, loaded = _warm_case(database_url, plans)
    try:
        future = _quiet(loaded, TaskState.FUTURE, 6)[0]
        before = future.last_state_change
        future._set_state(TaskState.LIKELY)
        future._set_state(TaskState.FUTURE)
        assert future.last_state_change != before
        _save_and_compare(e, case, loaded)
        assert len(plans) == 1 and plans[0] is not None
    finally:
        e.dispose()


def test_a_child_added_under_an_unchanged_parent_is_written_with_its_parent(database_url, plans):
    """A child added under a quiet FUTURE task by ``_add_child`` (no plan: the save walks every task,
    a new row's seq being its place in the walk); its row and its parent's written."""
    e, case, loaded = _warm_case(database_url, plans)
    try:
        future = _quiet(loaded, TaskState.FUTURE, 6)
        future[0]._add_child(loaded.workflow.spec.task_specs["end"], TaskState.MAYBE)
        _save_and_compare(e, case, loaded)
        assert plans == []
    finally:
        e.dispose()


def test_a_task_made_unnoted_is_written_by_a_walk_after_the_plan(database_url, plans):
    """A task made straight by ``Task(...)`` under a quiet FUTURE task (not by ``_add_child``: its
    parent learns of it by ``_child_added_notify``): the plan's visit misses it, the count of rows
    against the workflow's tasks does not, and the save walks them all; its row and its parent's."""
    e, case, loaded = _warm_case(database_url, plans)
    try:
        future = _quiet(loaded, TaskState.FUTURE, 6)
        Task(loaded.workflow, loaded.workflow.spec.task_specs["end"], parent=future[0], state=TaskState.MAYBE)
        _save_and_compare(e, case, loaded)
        assert len(plans) == 1 and plans[0] is not None
    finally:
        e.dispose()


def test_a_task_taken_out_is_no_longer_live_and_its_parent_is_written(database_url, plans):
    """A predicted leaf taken out of the tree (``Workflow._remove_task``, as a gateway drops the
    branches it did not take): its row deleted, its parent's written without it."""
    e, case, loaded = _warm_case(database_url, plans)
    try:
        leaf = next(t for t in _quiet(loaded, TaskState.PREDICTED_MASK | TaskState.FUTURE, 6) if not t._children)
        gone = str(leaf.id)
        loaded.workflow._remove_task(leaf.id)
        _save_and_compare(e, case, loaded)
        assert gone not in loaded.task_rows and not plans  # no plan: the tree walked
        e.complete(open_task_id(e, case.id), "zhang", {"意见": "第3步：同意"})
        assert plans and plans[-1] is not None  # planned again after that save
    finally:
        e.dispose()


@pytest.mark.parametrize("model,process", [(FIVE_TASKS, "five_tasks"),
                                           (CAMUNDA_THREE_TASKS, "camunda7_gateway_flow_order")])
def test_steps_that_plan_leave_the_rows_a_full_walk_leaves(sqlite_url, plans, model, process):
    """Every completion of a Camunda Modeler model and of ours, each case's rows after each step
    exactly the tasks serialized afresh (the plan's shortcut taken at least once)."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.deploy(model, by="boss")
        case = e.start(process, by="zhang", org="east", data={"amount": 1200, "备注": "复查"})
        for step_no in range(8):
            view = e.case(case.id)
            if view.status != "running":
                break
            live = {str(t.id): t for t in wfstate._walk(e.workflow_cache._entries[case.id][1].workflow)}
            assert rows_are_fresh(e, case.id, live), step_no
            task = view.tasks[0]
            e.complete(task.id, user_for(e, task), {"意见": f"第{step_no}步", "days": 10})
        assert e.case(case.id).status == "completed"
        # and after the save that ended it (planned too)
        live = {str(t.id): t for t in wfstate._walk(e.workflow_cache._entries[case.id][1].workflow)}
        assert rows_are_fresh(e, case.id, live)
        assert model != FIVE_TASKS or any(plan is not None for plan in plans)
    finally:
        e.dispose()


def test_the_save_that_ends_a_case_plans_and_writes_every_task_the_end_moved(database_url, plans, monkeypatch):
    """The last completion of a five-task case: its save plans as a warm step's does (the end event,
    the end join and the end were predicted, quiet, and moved: visited with the task completed), so it
    looks at those four and not at the six finished before (Start, start, t1-t4); every live row is still
    the task serialized afresh, and the case restores from its rows with each task's state and data."""
    e, case, loaded = _warm_case(database_url, plans)
    try:
        e.complete(open_task_id(e, case.id), "zhang", {"意见": "第3步：同意"})
        e.complete(open_task_id(e, case.id), "zhang", {"意见": "第4步：同意"})
        plans.clear()
        visited: list = []
        real = wfstate._mark
        monkeypatch.setattr(wfstate, "_mark", lambda task, *args: visited.append(task) or real(task, *args))
        e.complete(open_task_id(e, case.id), "zhang", {"意见": "第5步：办结", "罚款金额": 8000})
        monkeypatch.setattr(wfstate, "_mark", real)
        assert e.case(case.id).status == "completed"
        assert plans and plans[-1] is not None  # the ending save planned
        workflow = loaded.workflow
        assert workflow.completed and len(workflow.tasks) == 10  # Start, start, t1-t5, end, EndJoin, End
        assert sorted(t.task_spec.name for t in visited) == ["End", "end", "five_tasks.EndJoin", "t5"]
        restored_as_live(e, case.id, {str(t.id): t for t in wfstate._walk(workflow)})
        assert e.case(case.id).data["意见"] == "第5步：办结"
    finally:
        e.dispose()
