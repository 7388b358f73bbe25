"""What a step costs in Python when it writes the workflow's state (engine/state.py), and that the
rows it leaves are still exactly the workflow it holds.

``state.save`` keeps a task's row without converting it again when the task's mark did not move
(predicted tasks without data, and finished history whose data is as it was); a case loaded cold
from its rows starts with the marks those rows say. Each test walks real models on a real database,
with form data as an official fills it (nested tables of rows, Chinese text, amounts).
"""
from __future__ import annotations

import json

import msgspec
import pytest
import sqlalchemy as sa

from engine import ManualClock, state as wfstate
from engine.schema import Case, HumanTask, TaskRow, WorkflowRow
from tests.support import BPMN, START, deploy, make_engine, open_task_id

FIVE_TASKS = BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn"


def _form(step: int) -> dict:
    """A filled form: text, an amount typed with separators, and a table of rows (nested data)."""
    return {"意见": f"第{step}步：同意，请按期整改", "罚款金额": "5,000,000",
            "检查记录": [{"项目": "消防通道", "结果": "堵塞", "序号": step}, {"项目": "应急照明", "结果": "正常"}],
            "附件": {"名称": "现场检查笔录.docx", "页数": step + 1}}


def _live_rows(engine, case_id) -> dict[str, str]:
    with engine.db.engine.connect() as conn:
        return dict(conn.execute(sa.select(TaskRow.id, TaskRow.content).where(
            TaskRow.case_id == case_id, TaskRow.live.is_(True))).all())


def rows_are_fresh(engine, case_id, live: dict) -> bool:
    """The case's live task rows are exactly ``live`` (id -> task) serialized afresh."""
    return _live_rows(engine, case_id) == {tid: wfstate.reference_text(t) for tid, t in live.items()}


def restored_as_live(engine, case_id, live: dict):
    """Asserts the case's rows are ``live`` serialized afresh and restore to the same tasks, each with
    its state and data; the workflow restored from them."""
    assert rows_are_fresh(engine, case_id, live)
    with engine.db.read() as s:
        spec, subs = engine.models.specs(s, s.get(Case, case_id).bundle_hash)
        fresh = wfstate.restore(s, case_id, spec, subs, engine.script_engine).workflow
    assert {str(t.id): (t.state, t.data) for t in wfstate._walk(fresh)} == {
        tid: (t.state, t.data) for tid, t in live.items()}
    return fresh


@pytest.fixture
def saves(monkeypatch):
    """The WriteStats of every ``state.save`` the engine makes (the real save, watched)."""
    seen: list[wfstate.WriteStats] = []
    real = wfstate.save

    def watched(*args, **kwargs):
        stats = real(*args, **kwargs)
        seen.append(stats)
        return stats

    monkeypatch.setattr(wfstate, "save", watched)
    return seen


@pytest.mark.parametrize("cold", [False, True], ids=["cached", "loaded_from_rows"])
def test_a_completion_converts_only_the_tasks_it_changed_not_the_finished_history(database_url, saves, cold):
    """Five user tasks in a row, each completed with a full form: the finished tasks above the
    frontier keep their rows unconverted — from the cache, and (``cold``) loaded from rows."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试", "企业": "某某化工有限公司"})
        for step in range(4):
            if cold:
                e._evict(case.id)
            saves.clear()
            e.complete(open_task_id(e, case.id), "zhang", _form(step))
            (stats,) = saves
            live = len(_live_rows(e, case.id))
            # the task completed, the task opened, and at most one predicted task or pruned-chain link
            assert stats.serialized <= 3, (step, stats)
            if step >= 2:
                assert live - stats.serialized >= 4, (step, live, stats)
        assert e.case(case.id).data["检查记录"][0]["序号"] == 3
    finally:
        e.dispose()


def test_the_save_that_ends_a_case_builds_no_mark_for_the_tasks_it_finished(database_url):
    """The completion that ends a case is its workflow's last save (a step takes a running case only):
    the tasks it finished — the last user task, the end event, the end join, the end — get no mark,
    which only a next save would compare with; the tasks finished before keep theirs. Every live row is
    still the task serialized afresh, and the rows restore to the same tasks and data."""
    from SpiffWorkflow.util.task import TaskState

    e = make_engine(database_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试", "企业": "某某化工有限公司"})
        for step in range(4):
            e.complete(open_task_id(e, case.id), "zhang", _form(step))
        loaded = e.workflow_cache._entries[case.id][1]
        finished_before = {str(t.id) for t in loaded.workflow.tasks.values() if t.state & TaskState.FINISHED_MASK}
        e.complete(open_task_id(e, case.id), "zhang", _form(4))
        assert e.case(case.id).status == "completed"
        loaded = e.workflow_cache._entries[case.id][1]
        live = {str(t.id): t for t in wfstate._walk(loaded.workflow)}
        finished_now = set(live) - finished_before
        assert {live[tid].task_spec.name for tid in finished_now} >= {"End", "five_tasks.EndJoin"}
        assert len(finished_now) >= 4
        assert not finished_now & set(loaded.marks), [live[tid].task_spec.name for tid in finished_now & set(loaded.marks)]
        assert any(len(loaded.marks.get(tid, ())) == 8 for tid in finished_before & set(live))
        fresh = restored_as_live(e, case.id, live)
        # The top workflow's row is left as the last running step wrote it (state._ENDED_TOP_ROW): what
        # the end put in the workflow is the case row's and the end task's (tests/test_ended_case_rows.py).
        end = next(t for t in wfstate._walk(fresh) if t.task_spec.name == "End")
        assert end.data == loaded.workflow.data == e.case(case.id).data and loaded.workflow.data["检查记录"]
    finally:
        e.dispose()


def test_an_ended_cases_workflow_row_with_tables_of_rows_is_written_without_the_registrys_walk(
        sqlite_url, monkeypatch):
    """A workflow's row holding its data (a case's data objects; an ended case's, which the last save no
    longer writes: state._ENDED_TOP_ROW, but ``_workflow_text`` still takes it). Data of JSON's own kinds — a form's
    table of rows, an attachment's fields, nested — is written as it is (the registry would give it back
    unchanged), byte for byte what the registry's walk writes; a day inside a row (a registered type)
    still goes through the registry."""
    import datetime

    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"})
        for step in range(5):
            e.complete(open_task_id(e, case.id), "zhang", _form(step))
        loaded = e.workflow_cache._entries[case.id][1]
        workflow = loaded.workflow
        assert workflow.completed and isinstance(workflow.data["检查记录"], list)
        workflow.data["整改"] = {"批次": [[1, 2.5, None, True], {"说明": "第二批\n“复查”"}], "空": {}}

        def by_registry(w) -> str:
            meta = wfstate._workflow_meta(w)
            meta["last_task"] = None
            return wfstate.to_json(meta)

        expected = by_registry(workflow)
        walks = []
        real = wfstate._workflow_meta
        monkeypatch.setattr(wfstate, "_workflow_meta", lambda w: walks.append(w) or real(w))
        assert wfstate._workflow_text(workflow, loaded.names) == expected
        assert walks == []
        workflow.data["整改"]["批次"].append({"期限": datetime.date(2026, 12, 31)})
        monkeypatch.setattr(wfstate, "_workflow_meta", real)
        expected = by_registry(workflow)
        monkeypatch.setattr(wfstate, "_workflow_meta", lambda w: walks.append(w) or real(w))
        assert wfstate._workflow_text(workflow, loaded.names) == expected
        assert walks == [workflow] and '"typename":"date"' in expected
    finally:
        e.dispose()


def test_a_tasks_data_equal_to_its_parents_is_written_as_no_delta_without_comparing_key_by_key(sqlite_url):
    """The end event, the end join and the end of a case that ends carry their parent's data as it is:
    each row's delta is empty, written without the key-by-key comparison — and exactly the row the
    registry writes, also when a value is a float NaN (unequal to itself: an update) or an amount."""
    import sys

    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"})
        for step in range(5):
            e.complete(open_task_id(e, case.id), "zhang", _form(step))
        loaded = e.workflow_cache._entries[case.id][1]
        ends = [t for t in wfstate._walk(loaded.workflow) if t.task_spec.name in ("End", "five_tasks.EndJoin")]
        assert len(ends) == 2 and all(t.data == t.parent.data and len(t.data) > 5 for t in ends)
        compared = []

        def watch(frame, event, _arg):
            if event == "call" and frame.f_code.co_name == "<dictcomp>" and frame.f_back.f_code.co_name == "_task_text":
                compared.append(frame.f_back.f_locals.get("tid"))

        for task in ends:
            sys.setprofile(watch)
            try:
                text = wfstate._task_text(task, str(task.id))
            finally:
                sys.setprofile(None)
            assert text == wfstate.reference_text(task)
            assert ',"delta":{"updates":{},"deletions":[]}' in text
        assert compared == []
        task = ends[0]
        nan = float("nan")
        task.parent.data["比率"], task.data["比率"] = nan, nan  # the same NaN object: still an update
        task.parent.data["金额"], task.data["金额"] = 1.5, 1.5
        text = wfstate._task_text(task, str(task.id))
        assert text == wfstate.reference_text(task) and '"updates":{"比率":NaN}' in text
    finally:
        e.dispose()


def test_an_unchanged_tasks_mark_is_the_one_kept_and_any_change_moves_it(sqlite_url):
    """``state._mark`` hands back the mark it was given when the task is as it was (not a new tuple
    built to compare: a predicted task's and a finished task's, the usual at every save), and sees a
    change of each field: ids equal to the kept ones but other objects (as a restore makes) still
    say "unchanged", by value; another child, state or parent moves the mark."""
    import uuid

    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"})
        for _ in range(3):
            e.complete(open_task_id(e, case.id), "zhang", {"意见": "同意"})
        loaded = next(iter(e.workflow_cache._entries.values()))[1]
        kinds = set()
        for task in wfstate._walk(loaded.workflow):
            old = loaded.marks.get(loaded.names[task])
            if old is None:
                continue  # the READY task: serialized at every save, no mark
            parent = task.parent
            kinds.add(len(old))
            assert wfstate._mark(task, parent, old) is old, task.task_spec.name
            children = task._children
            task._children = [uuid.UUID(str(child)) for child in children]  # equal ids, other objects
            again = wfstate._mark(task, parent, old)
            assert again == old, task.task_spec.name
            if children:
                task._children = [uuid.uuid4()] + children[1:]
                assert wfstate._mark(task, parent, old) != old, task.task_spec.name
            task._children = children
            real_parent = task._parent
            if real_parent is not None:
                task._parent = uuid.uuid4()
                assert wfstate._mark(task, parent, old) != old, task.task_spec.name
                task._parent = uuid.UUID(str(real_parent))
                assert wfstate._mark(task, parent, old) == old, task.task_spec.name
                task._parent = real_parent
            state = task._state
            task._state = 1 if state != 1 else 2  # FUTURE <-> MAYBE: data-less either way
            if len(old) == 6:
                assert wfstate._mark(task, parent, old) != old, task.task_spec.name
            task._state = state
            assert wfstate._mark(task, parent, old) is old, task.task_spec.name
        assert kinds == {6, 8}  # predicted tasks and finished ones were both asked
    finally:
        e.dispose()


def _walk(e, case, steps: int, evict_every: int, check):
    from tests.test_differential import answer
    for step_no in range(steps):
        ready = sorted(e.case(case.id).tasks, key=lambda t: t.spec_id)
        if not ready:
            return
        task = ready[0]
        if evict_every and step_no % evict_every == 1:
            e._evict(case.id)
        data = dict(answer(step_no, task.spec_id, 3), **_form(step_no))
        if task.spec_id == "vote":
            data["vote_item"] = "同意"
        e.complete(task.id, "eastboss" if task.role_code in ("supervisor",) else "zhang", data)
        check(step_no)


@pytest.mark.parametrize("files,key", [
    (["child.bpmn", "loop_parallel.bpmn"], "loop_parallel"),
    (["loop_inclusive.bpmn"], "loop_inclusive"),
    (["score.dmn", "child.bpmn", "coverage.bpmn"], "coverage"),
])
def test_rows_left_by_cached_and_cold_steps_are_the_workflow_serialized_afresh(sqlite_url, files, key):
    """Parallel branches, an embedded and a called sub-process, loops, joins, a multi-instance vote
    and a boundary timer, with nested form data; every other step's case is loaded from its rows.
    After each step every live row is exactly what serializing the engine's in-memory task gives,
    and a fresh restore from the rows gives the same tasks with the same data."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.directory.add_user("zhang", org="east", roles=["inspector", "enterprise"], name="张三")
        deploy(e, *files)
        case = e.start(key, by="zhang", org="east")
        compared = [0]
        top_rows: list[str] = []

        def check(step_no):
            entry = e.workflow_cache._entries.get(case.id)
            if entry is None:  # the case ended
                return
            loaded = entry[1]
            workflow = loaded.workflow
            stored = _live_rows(e, case.id)
            live = {str(t.id): t for w in wfstate.all_workflows(workflow) for t in wfstate._walk(w)}
            assert set(stored) == set(live)
            # what ``save`` carries to the next one (kept up to date in place): the live tasks' only
            assert loaded.task_rows.keys() == stored.keys()
            assert {t: str(t.id) for t in live.values()} == loaded.names
            assert set(loaded.marks) <= set(live) and set(loaded.kids) <= set(live.values())
            for tid, t in live.items():
                assert stored[tid] == wfstate.reference_text(t), (step_no, t.task_spec.name)
                compared[0] += 1
            # The workflow rows too (kept unbuilt while their mark does not move): as built afresh.
            with e.db.engine.connect() as conn:
                workflow_rows = dict(conn.execute(sa.select(WorkflowRow.wf_key, WorkflowRow.content).where(
                    WorkflowRow.case_id == case.id, WorkflowRow.live.is_(True))).all())
            built = {wfstate._wf_key(w): wfstate._workflow_meta(w) for w in wfstate.all_workflows(workflow)}
            last_task = built[wfstate.TOP]["last_task"]
            built[wfstate.TOP]["last_task"] = None  # the top workflow's is on the case row
            expected = {key: wfstate.to_json(meta) for key, meta in built.items()}
            if workflow.completed:  # an ended case's top row is its last running step's (state._ENDED_TOP_ROW)
                expected[wfstate.TOP] = top_rows[-1]
            assert workflow_rows == expected, step_no
            top_rows.append(workflow_rows[wfstate.TOP])
            with e.db.read() as s:
                stored_case = s.get(Case, case.id)
                assert stored_case.last_task == last_task, step_no
                spec, subs = e.models.specs(s, stored_case.bundle_hash)
                fresh = wfstate.restore(s, case.id, spec, subs, e.script_engine).workflow
            again = {str(t.id): t for w in wfstate.all_workflows(fresh) for t in wfstate._walk(w)}
            assert set(again) == set(live)
            assert [wfstate.last_task_text(w) for w in wfstate.all_workflows(fresh)] == [
                wfstate.last_task_text(w) for w in wfstate.all_workflows(workflow)], step_no
            for tid, t in again.items():
                assert t.data == live[tid].data and t.state == live[tid].state, (step_no, t.task_spec.name)

        _walk(e, case, 40, 2, check)
        assert e.case(case.id).status == "completed" and compared[0] > 30
    finally:
        e.dispose()


@pytest.fixture
def restores(monkeypatch):
    """Case ids the engine restored from rows (``restore`` and the sweep's batch load both end in
    ``restore_rows``; the real one runs)."""
    seen: list = []
    real = wfstate.restore_rows

    def watched(*args, **kwargs):
        loaded = real(*args, **kwargs)
        seen.append(loaded)
        return loaded

    monkeypatch.setattr(wfstate, "restore_rows", watched)
    return seen


def test_a_completion_never_restores_a_case_whose_cached_workflow_is_current(database_url, restores):
    """Start and every completion of a case in one process: no deserializing at all. Another
    process's step moves the case's version: the next completion here restores once, then the
    cache serves again."""
    a = make_engine(database_url, clock=ManualClock(START))
    b = make_engine(database_url, clock=ManualClock(START))
    try:
        a.deploy(FIVE_TASKS, by="boss")
        case = a.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"})
        for step in range(2):
            a.complete(open_task_id(a, case.id), "zhang", _form(step))
        assert restores == []
        b.complete(open_task_id(b, case.id), "zhang", _form(2))
        assert len(restores) == 1  # b had never seen the case
        a.complete(open_task_id(a, case.id), "zhang", _form(3))
        assert len(restores) == 2  # a's cached workflow is a version behind: read again
        a.complete(open_task_id(a, case.id), "zhang", _form(4))
        assert len(restores) == 2 and a.case(case.id).status == "completed"
    finally:
        a.dispose()
        b.dispose()


def test_a_completion_writes_the_task_done_and_the_task_opened_not_the_predicted_task_under_it(database_url, saves):
    """A predicted task (no data of its own) is written with an empty delta, not as its parent's
    data keys deleted: the task that opens gets the case data, and the task predicted under it keeps
    its row. Each steady completion of five tasks in a row updates two rows."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"})
        predicted_rows = []
        for step in range(3):
            saves.clear()
            e.complete(open_task_id(e, case.id), "zhang", _form(step))
            (stats,) = saves
            assert (stats.updated, stats.inserted, stats.serialized) == (2, 0, 2), (step, stats)
            predicted_rows.append(sorted(c for c in _live_rows(e, case.id).values() if '"state":4,' in c))
        # the rows of the tasks still predicted after the last step were not written again
        assert set(predicted_rows[-1]) <= set(predicted_rows[0])
        assert all(c.endswith(wfstate._DATALESS_TAIL + ',"typename":"Task"}') for c in predicted_rows[-1])
    finally:
        e.dispose()


def test_a_predicted_tasks_row_is_as_large_as_when_its_task_opens(sqlite_url):
    """A case's rows are written together at its start and fill their pages; a row that grew when
    its task opened made SQLite rebalance the page with its siblings (four or five pages more a
    commit). A predicted task's row is padded to the size it has once its task opens with its
    parent's data (the same JSON)."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"})
        sizes: dict[str, list[tuple[int, int]]] = {}
        for step in range(4):
            with e.db.engine.connect() as conn:
                for tid, state, content in conn.execute(sa.select(TaskRow.id, TaskRow.state, TaskRow.content).where(
                        TaskRow.case_id == case.id, TaskRow.live.is_(True))):
                    sizes.setdefault(tid, []).append((state, len(content.encode())))
                    assert json.loads(content) == msgspec.json.decode(content)
            e.complete(open_task_id(e, case.id), "zhang", {"意见": "同意"})
        opened = [seen for seen in sizes.values() if any(state == 4 for state, _ in seen)
                  and any(state == 16 for state, _ in seen)]
        assert len(opened) == 3
        for seen in opened:  # (the clock's reading, in each row, is written in 17 digits or fewer)
            (predicted,) = {size for state, size in seen if state == 4}
            (ready,) = {size for state, size in seen if state == 16}
            assert abs(ready - predicted) <= 3, seen
    finally:
        e.dispose()


def _as_spiffworkflow_writes(engine, case_id) -> int:
    """Every live task row of the case rewritten as SpiffWorkflow's TaskConverter writes it (a
    data-less task's delta naming its parent's keys: rows written before ``_DATALESS``)."""
    entry = engine.workflow_cache._entries[case_id]
    workflow = entry[1].workflow
    rewritten = 0
    with engine.db.engine.begin() as conn:
        for w in wfstate.all_workflows(workflow):
            for t in wfstate._walk(w):
                old = wfstate.to_json(wfstate._registry.convert(t))
                if old != wfstate.reference_text(t):
                    rewritten += 1
                conn.execute(sa.update(TaskRow).where(TaskRow.id == str(t.id)).values(content=old))
    engine._evict(case_id)
    return rewritten


def test_rows_of_the_older_form_are_read_and_written_again_in_the_new_one(database_url, saves, monkeypatch):
    """Rows written before data-less tasks got an empty delta restore to what SpiffWorkflow's own
    restore makes of them; the data-less tasks among them get no mark, so the next step writes them
    anew — kept as they were, a predicted task's old row (its parent then without data: no keys
    deleted) would read back with the data its parent gets in that step."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"})
        e.complete(open_task_id(e, case.id), "zhang", _form(0))
        assert _as_spiffworkflow_writes(e, case.id) >= 4
        restored = []
        with e.db.read() as s:
            spec, subs = e.models.specs(s, s.get(Case, case.id).bundle_hash)
            for direct in (True, False):  # built from the rows, and by SpiffWorkflow's registry
                with monkeypatch.context() as patched:
                    patched.setattr(wfstate, "_DIRECT_TASKS", direct)
                    loaded = wfstate.restore(s, case.id, spec, subs, e.script_engine)
                restored.append({str(t.id): (t.state, t.data) for t in loaded.workflow.tasks.values()})
                predicted = [t for t in loaded.workflow.tasks.values() if t.state == 4]
                assert predicted and all(t.data == {} for t in predicted)
                assert not any(str(t.id) in loaded.marks for t in predicted), direct
        assert restored[0] == restored[1]
        saves.clear()
        e.complete(open_task_id(e, case.id), "zhang", _form(1))
        warm = {str(t.id): (t.state, t.data) for t in e.workflow_cache._entries[case.id][1].workflow.tasks.values()}
        assert saves[0].updated >= 4
        rows = _live_rows(e, case.id)
        e._evict(case.id)
        with e.db.read() as s:
            cold = wfstate.restore(s, case.id, spec, subs, e.script_engine).workflow
        assert {str(t.id): (t.state, t.data) for t in cold.tasks.values()} == warm
        assert all(rows[str(t.id)] == wfstate.reference_text(t) for t in cold.tasks.values())
    finally:
        e.dispose()


def test_a_row_is_written_alike_whatever_its_fields_hold(sqlite_url):
    """``_task_text`` writes a row's fixed fields with msgspec's encoder where that writes them as
    the row encoder does, and as before otherwise: floats whose repr has an exponent, NaN and
    infinities, an int or a bool for a float, a flag that is not a bool, spec names with escapes,
    other scripts and a lone surrogate. Each row is SpiffWorkflow's conversion byte for byte."""
    import copy
    from types import SimpleNamespace

    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"})
        e.complete(open_task_id(e, case.id), "zhang", _form(0))
        workflow = e.workflow_cache._entries[case.id][1].workflow
        tasks = list(wfstate._walk(workflow))
        checked = 0
        for changed in (1796401564.0594811, 1e16, 9999999999999998.0, 1e-4, 1e-5, 0.0, -0.0, -3.5,
                        float("nan"), float("inf"), 10**20, 7, True):
            for name in ("t1", 'quote " and \\ back', "行\u2028分\x00\x1f\x7f", "lone \ud800 surrogate"):
                for triggered in (False, True, 1, None):
                    for task in tasks:
                        twin = copy.copy(task)
                        twin.last_state_change, twin.triggered = changed, triggered
                        twin.task_spec = SimpleNamespace(name=name)
                        expected = wfstate.reference_text(twin)
                        assert wfstate._task_json(twin, str(task.id)) == expected, (changed, name, triggered)
                        checked += 1
        assert checked > 1000
    finally:
        e.dispose()


@pytest.mark.parametrize("value", [
    [[{"项目": "消防通道", "结果": "堵塞", "序号": 1}, {"金额": 5000000.0, "已整改": False, "附件": None}], []],
    [[["张三", ["李四", {"王五": []}]]], [{"event_value": "2026-12-03T09:30:00+08:00"}]],
    [[{"非数": float("nan"), "大": 1e16, "负零": -0.0, "整": 2 ** 70}], []],
    [[{1: "数字键", None: "空键", True: "真键", 1.5: "小数键"}], []],
    [[{"日期": __import__("datetime").date(2026, 12, 3), "金额": __import__("decimal").Decimal("1.50")}], []],
    [[("元组", 1), {"坏": "\ud800", "\u2028换行": "\x00"}], []],
    [[], []],
], ids=["table", "lists", "floats", "keys", "repr", "odd_text", "empty"])
def test_a_marks_text_of_nested_values_is_what_the_json_module_writes(value):
    """``state._nested_text`` (what a finished task's mark keeps of its lists and dicts, to see them
    changed in place) calls the json module's C encoder made once: the text ``JSONEncoder.encode``
    writes with the same options, whatever the values hold."""
    reference = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":"), default=repr)
    assert wfstate._nested_text(value) == reference.encode(value)


def test_a_finished_tasks_nested_data_changed_in_place_moves_its_mark(sqlite_url):
    """A finished task's table of rows changed in place (as SpiffWorkflow's DeepMerge merges into a
    nested value a task shares with its parent) gives another mark, so ``save`` writes its row again;
    the same table as it was, the very mark kept."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"})
        for step_no in range(2):
            e.complete(open_task_id(e, case.id), "zhang", _form(step_no))
        loaded = e.workflow_cache._entries[case.id][1]
        finished = [t for t in wfstate._walk(loaded.workflow)
                    if len(loaded.marks.get(loaded.names[t]) or ()) == 8 and isinstance(t.data.get("检查记录"), list)]
        assert finished
        for task in finished:
            old = loaded.marks[loaded.names[task]]
            assert old[7] and wfstate._mark(task, task.parent, old) == old
            task.data["检查记录"][0]["结果"] = "已整改"
            assert wfstate._mark(task, task.parent, old) != old, task.task_spec.name
            task.data["检查记录"][0]["结果"] = "堵塞"
            task.data["检查记录"][0]["序号"] = 1.0 * task.data["检查记录"][0]["序号"]  # equal, but 1.0 is written otherwise
            assert wfstate._mark(task, task.parent, old) != old, task.task_spec.name
    finally:
        e.dispose()
