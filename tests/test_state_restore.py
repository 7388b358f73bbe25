"""Cold loads (engine/state.py ``restore_rows``): a workflow restored from its rows is the one that
was saved, task for task, whichever way its tasks are built.

The timer sweep restores every case of a batch it did not run before; ``_task_from_row`` builds
each task straight from its row instead of through SpiffWorkflow's serializer registry. Here it is
compared with the registry's own restore on every task of models with parallel branches, loops,
joins, sub-processes, a multi-instance vote and boundary timers, after every step; and a case
restored cold and fired is compared with the same case fired warm from the engine's cache.
"""
from __future__ import annotations

import json
import re
import sqlite3
from collections import namedtuple
from datetime import timedelta

import pytest
import sqlalchemy as sa
from SpiffWorkflow.util.deep_merge import DeepMerge

from engine import Engine, ManualClock, state as wfstate
from engine.schema import Case, HumanTask, TaskRow, Timer, WorkflowRow
from engine.task_class import DubanTask
from tests.support import START, deploy, make_engine
from tests.test_differential import answer


def _picture(workflow) -> dict:
    """Everything a restored workflow is made of: each task as it serializes, with its data (types
    too), its class and its thread; which tasks share a nested value; each workflow's own fields;
    the waiting catch events."""
    tasks = {}
    for w in wfstate.all_workflows(workflow):
        for t in wfstate._walk(w):
            tasks[str(t.id)] = (wfstate.to_json(wfstate._registry.convert(t)), repr(t.data), repr(t.internal_data),
                                type(t).__name__, t.thread_id, t.task_spec is w.spec.task_specs[t.task_spec.name],
                                tuple(vars(t)), t.workflow is w, t.parent is w.tasks.get(t._parent))
    owners: dict[int, list[str]] = {}  # which tasks share a list or dict of their data, at any depth
    for w in wfstate.all_workflows(workflow):  # (SpiffWorkflow's merges copy only the outer one)
        for t in wfstate._walk(w):
            stack = [(f"{t.id}.{name}", value) for name, value in t.data.items()]
            while stack:
                path, value = stack.pop()
                if isinstance(value, (list, dict)):
                    owners.setdefault(id(value), []).append(path)
                    items = value.items() if isinstance(value, dict) else enumerate(value)
                    stack.extend((f"{path}.{k}", v) for k, v in items)
    return {"tasks": tasks, "shared": sorted(sorted(o) for o in owners.values() if len(o) > 1),
            "workflows": {wfstate._wf_key(w): (json.dumps(wfstate._workflow_meta(w), sort_keys=True, default=repr),
                                               len(w.tasks), str(w.task_tree.id)) for w in wfstate.all_workflows(workflow)},
            "waiting": sorted(str(t.id) for t in workflow.event_manager.tasks.values()),
            "subprocesses": sorted(str(k) for k in workflow.subprocesses)}


def _restored_both_ways(e, case_id, monkeypatch):
    """The case restored with its tasks built from their rows and by SpiffWorkflow's registry, with
    what ``save`` is handed: the marks (taken as each task is built, or by ``marks_of`` after) and
    the id texts (each task's ``str(id)``, where they are known)."""
    pictures = []
    # Task.__init__ gives each task its class's thread id pool (SpiffWorkflow counts it up as it
    # branches, process-wide): a task built without it must get it too.
    monkeypatch.setattr(DubanTask, "thread_id_pool", DubanTask.thread_id_pool + 7)
    for direct in (True, False):
        monkeypatch.setattr(wfstate, "_DIRECT_TASKS", direct)
        with e.db.read() as s:
            spec, subs = e.models.specs(s, s.get(Case, case_id).bundle_hash)
            loaded = wfstate.restore(s, case_id, spec, subs, e.script_engine)
        picture = _picture(loaded.workflow)
        picture["marks"] = loaded.marks
        assert loaded.marks == wfstate.marks_of(loaded.workflow)
        live = {t: str(t.id) for w in wfstate.all_workflows(loaded.workflow) for t in w.tasks.values()}
        assert all(live[task] == name for task, name in loaded.names.items())
        if direct:
            assert loaded.names.keys() == live.keys()
        pictures.append(picture)
    return pictures


# Data as an official types it: Chinese names, full-width digits, amounts with separators, nested
# lists and dicts (shared between a task and its parent by SpiffWorkflow's merges), a date.
TYPED = {"企业名称": "示范市甲化工有限公司", "罚款金额": "5,000,000", "从业人数": "１２０", "整改期限": "2026-12-31",
         "检查项": [{"名称": "消防通道", "结果": "不合格", "照片": []}, {"名称": "危化品储存", "结果": "合格"}],
         "联系人": {"姓名": "王小明", "电话": "１３８００１３８０００"}, "空": None, "比例": 0.35}


@pytest.mark.parametrize("files,key,data", [
    (["child.bpmn", "loop_parallel.bpmn"], "loop_parallel", {}),
    (["loop_inclusive.bpmn"], "loop_inclusive", {}),
    (["score.dmn", "child.bpmn", "coverage.bpmn"], "coverage", {}),
    (["deadline.bpmn"], "deadline", {"registered_at": "2026-11-23T09:00:00+08:00"}),
    (["timers_misc.bpmn"], "cycle_reminders", {}),
    (["child.bpmn", "loop_parallel.bpmn"], "loop_parallel", TYPED),
    (["nested_event_subprocess.bpmn"], "nested_event_subprocess", TYPED),
    (["interop/camunda7_event_subprocess.bpmn"], "camunda7_event_subprocess", TYPED),
    (["interop/camunda7_multi_instance.bpmn"], "camunda7_multi_instance", dict(TYPED, inspectors=["zhang", "li"])),
    (["interop/camunda7_event_gateway.bpmn"], "camunda7_event_gateway", {}),
    (["interop/camunda7_boundary_timers.bpmn"], "camunda7_boundary_timers", TYPED),
    (["interop/camunda7_call_child.bpmn", "interop/camunda7_call_parent.bpmn"], "camunda7_call_parent", TYPED),
    (["interop/camunda_send_receive.bpmn"], "camunda_send_receive", {}),
    (["typed_script_data.bpmn"], "typed_script_data", TYPED),
])
def test_tasks_built_from_their_rows_are_the_registrys_after_every_step(sqlite_url, monkeypatch, files, key, data):
    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.directory.add_user("zhang", org="east", roles=["inspector", "enterprise"], name="张三")
        deploy(e, *files)
        case = e.start(key, by="zhang", org="east", data=data)
        compared = 0
        for step_no in range(40):
            direct, registry = _restored_both_ways(e, case.id, monkeypatch)
            assert direct == registry, step_no
            compared += len(direct["tasks"])
            ready = sorted(e.case(case.id).tasks, key=lambda t: t.spec_id)
            if not ready:
                e.clock.advance(days=8)  # a timer's turn
                if e.run_due_timers() == 0:
                    break
                continue
            task = ready[0]
            answers = dict(answer(step_no, task.spec_id, 2), **({"vote_item": "同意"} if task.spec_id == "vote" else {}))
            e.complete(task.id, task.assignee or ("eastboss" if task.role_code == "supervisor" else "zhang"), answers)
        assert compared > 10
    finally:
        e.dispose()


def _rows_of(url: str) -> dict:
    """Per case what a sweep left: live task rows in order with ids and clock readings left out
    (new tasks get fresh ids, state changes the wall clock), workflow rows, open tasks, timers."""
    db = sa.create_engine(url)
    found: dict = {}
    with db.connect() as conn:
        for case in conn.execute(sa.select(Case.id, Case.status, Case.data, Case.version)):
            tasks = []
            for row in conn.execute(sa.select(TaskRow.wf_key, TaskRow.spec_name, TaskRow.state, TaskRow.content)
                                    .where(TaskRow.case_id == case.id, TaskRow.live.is_(True)).order_by(TaskRow.seq)):
                content = json.loads(row.content)
                for volatile in ("id", "parent", "children", "last_state_change"):
                    content.pop(volatile)
                tasks.append((row.wf_key if row.wf_key == wfstate.TOP else "sub", row.spec_name, row.state, content))
            workflows = []
            for row in conn.execute(sa.select(WorkflowRow.wf_key, WorkflowRow.content).where(
                    WorkflowRow.case_id == case.id, WorkflowRow.live.is_(True))):
                meta = json.loads(row.content)
                workflows.append({k: v for k, v in meta.items() if k not in ("last_task", "root", "parent_task_id")})
            human = sorted(conn.execute(sa.select(HumanTask.name, HumanTask.state, HumanTask.due_at, HumanTask.role_code)
                                        .where(HumanTask.case_id == case.id)).all())
            timers = sorted(conn.execute(sa.select(Timer.due_at).where(Timer.case_id == case.id)).scalars())
            found[case.id] = (case.status, case.data, case.version, tasks, workflows, human, timers)
    db.dispose()
    return found


def test_a_case_restored_cold_and_fired_is_the_case_fired_warm(tmp_path):
    """The same cases fired by the engine that started them (workflows in its cache) and by a fresh
    worker on a copy of the database (every case restored from its rows, tasks built directly)
    leave the same rows behind."""
    warm_url, cold_url = f"sqlite:///{tmp_path / 'warm.sqlite'}", f"sqlite:///{tmp_path / 'cold.sqlite'}"
    warm = make_engine(warm_url, clock=ManualClock(START))
    deploy(warm, "timers_misc.bpmn", "deadline.bpmn", "score.dmn", "child.bpmn", "coverage.bpmn")
    warm.directory.add_user("zhang", org="east", roles=["inspector", "enterprise"], name="张三")
    cases = [warm.start("wait_then_work", by="zhang", org="east") for _ in range(3)]
    cases += [warm.start("deadline", by="zhang", org="east", party="P-1",
                         data={"registered_at": "2026-11-23T09:00:00+08:00"}) for _ in range(2)]
    cases += [warm.start("cycle_reminders", by="zhang", org="east"), warm.start("coverage", by="zhang", org="east")]
    assert all(warm.workflow_cache._entries.get(c.id) is not None for c in cases)
    with sqlite3.connect(tmp_path / "warm.sqlite") as source, sqlite3.connect(tmp_path / "cold.sqlite") as copy:
        source.backup(copy)  # with what is still in the write-ahead log
    cold = Engine(cold_url, clock=ManualClock(START))
    try:
        assert _rows_of(warm_url) == _rows_of(cold_url)
        for days in (2, 8, 16):
            for engine in (warm, cold):
                engine.clock.set(START + timedelta(days=days, seconds=1))
            fired_warm, fired_cold = warm.run_due_timers(worker="w"), cold.run_due_timers(worker="w")
            assert fired_warm == fired_cold > 0, days
            cold.workflow_cache._entries.clear()  # the next round is cold again
            assert _rows_of(warm_url) == _rows_of(cold_url), days
        assert any(row[0] == "running" for row in _rows_of(cold_url).values())
    finally:
        warm.dispose()
        cold.dispose()


def _merged_as_spiffworkflow(above: dict, delta: dict) -> dict:
    """TaskConverter.from_dict's data for a task under a parent holding ``above``."""
    data = DeepMerge.merge({}, above)
    data.update(delta.get("updates", {}))
    for key in delta.get("deletions", {}):
        if key in data:
            del data[key]
    return data


@pytest.mark.parametrize("delta", [
    {"updates": {}, "deletions": []},
    {"updates": {"意见": "同意", "罚款金额": "5,000,000"}, "deletions": []},
    {"updates": {}, "deletions": ["检查项", "联系人", "企业名称", "罚款金额", "从业人数", "整改期限", "空", "比例"]},
    {"updates": {"检查项": []}, "deletions": ["联系人", "不存在的"]},
    {"updates": {"联系人": "李四", "新": 1}, "deletions": ["联系人"]},  # both: the deletion wins, as in SpiffWorkflow
    {"updates": {"从业人数": "１２１"}, "deletions": ["从业人数", "空"]},
])
def test_a_childs_data_is_its_parents_merged_with_the_delta_as_spiffworkflow_merges_it(delta):
    """``_inherited`` skips copying what the delta deletes; the result is DeepMerge's, key order,
    copies and shared nested values included."""
    above = json.loads(json.dumps(TYPED, ensure_ascii=False))
    mine, theirs = wfstate._inherited(above, json.loads(json.dumps(delta))), _merged_as_spiffworkflow(above, delta)
    assert list(mine.items()) == list(theirs.items())
    for key, value in mine.items():
        if isinstance(value, (list, dict)):
            assert (value is above.get(key)) == (theirs[key] is above.get(key))
            for inner, theirs_inner in zip(value.values() if isinstance(value, dict) else value,
                                           theirs[key].values() if isinstance(theirs[key], dict) else theirs[key]):
                assert inner is theirs_inner
    assert wfstate._inherited({}, delta) == _merged_as_spiffworkflow({}, delta)


Row = namedtuple("Row", "id wf_key seq content")


def test_rows_whose_ids_are_not_written_as_str_writes_them_are_restored_by_the_registry(sqlite_url):
    """The direct way keys the marks and id texts it hands ``save`` by the rows' text: rows with an
    id in another form (upper case, as another tool may write it) go SpiffWorkflow's way, whole."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        deploy(e, "child.bpmn", "loop_parallel.bpmn")
        case = e.start("loop_parallel", by="zhang", org="east", data=TYPED)
        with e.db.read() as s:
            spec, subs = e.models.specs(s, s.get(Case, case.id).bundle_hash)
            conn = s.connection()
            wf_rows = dict(conn.execute(sa.select(WorkflowRow.wf_key, WorkflowRow.content).where(
                WorkflowRow.case_id == case.id, WorkflowRow.live.is_(True))).all())
            rows = conn.execute(sa.select(TaskRow.id, TaskRow.wf_key, TaskRow.seq, TaskRow.content).where(
                TaskRow.case_id == case.id, TaskRow.live.is_(True)).order_by(TaskRow.seq)).all()
        as_written = wfstate.restore_rows(wf_rows, rows, spec, subs, e.script_engine)
        uuid_text = re.compile(r"([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})")
        assert len(as_written.names) == len(as_written.workflow.tasks)
        for odd in (lambda m: m.group(0).upper(),  # upper case
                    lambda m: f"{m[1]}-{m[2]}-{m[3]}-{m[4][:2]}-{m[4][2:]}{m[5]}"):  # a dash moved
            shout = {key: uuid_text.sub(odd, text) for key, text in wf_rows.items()}
            shouted = [Row(row.id, row.wf_key, row.seq, uuid_text.sub(odd, row.content)) for row in rows]
            assert shouted != rows
            loaded = wfstate.restore_rows(shout, shouted, spec, subs, e.script_engine)
            assert _picture(loaded.workflow) == _picture(as_written.workflow)
            assert loaded.marks == wfstate.marks_of(loaded.workflow) == as_written.marks
            assert loaded.names == {}
    finally:
        e.dispose()


@pytest.mark.parametrize("text", [
    '{"比值":NaN,"上限":Infinity,"下限":-Infinity}',  # the row encoder writes such floats so
    '[1e400,123456789012345678901234567890,-9223372036854775809,-0.0,0.1,1796289128.408544,5e-324]',
    '{"企业名称":"示范市甲化工有限公司","从业人数":"１２０","罚款金额":"5,000,000","a":1,"a":2}',
    '{"半个字":"\\ud800","esc":"\\u4e2d\\n\\t\\"\\/","nested":[[{"x":[]}],{}],"t":true,"f":false,"n":null}',
])
def test_the_rows_json_is_read_as_the_standard_library_reads_it(text):
    """``_decoded`` reads rows with msgspec where it can: what it gives is ``json.loads``' reading,
    types and all, and a row it refuses is read by ``json.loads`` (with the rows beside it)."""
    texts = [text, '{"id":"a6a2ade6-bd32-4715-adc3-58e770f7a9ae","state":64}']
    assert repr(wfstate._decoded(texts)) == repr([json.loads(t) for t in texts])
