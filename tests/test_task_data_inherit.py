"""A task that becomes READY takes its parent's data (数据继承) as SpiffWorkflow's ``DeepMerge`` gives
it, by engine/task_class.py's ``DubanTask._inherit_data``: for a task with no data of its own (the
usual) the parent's keys in the parent's order, each dict, list or set value a shallow copy and every
other value the parent's own object, in the task's own dict; a task with data of its own is merged
by DeepMerge as before."""
from __future__ import annotations

import copy

import pytest
from SpiffWorkflow.util.deep_merge import DeepMerge

from engine import Engine
from engine.task_class import DubanTask
from tests.support import deploy, make_engine
from tests.test_differential import answer


def walk(url: str, files: list[str], key: str, rounds: int, start: dict) -> bool:
    """tests/test_differential.py's ``engine_walk`` with start data: the case worked to its end, the
    engine restarted (every case restored from its rows) every third step; whether it completed."""
    engine = make_engine(url)
    try:
        deploy(engine, *files)
        case = engine.start(key, by="zhang", org="east", data=dict(start))
        for step in range(200):
            if step and step % 3 == 0:
                clock = engine.clock
                engine.dispose()
                engine = Engine(url, clock=clock)
            ready = sorted(engine.case(case.id).tasks, key=lambda t: t.spec_id)
            if not ready:
                break
            task = ready[0]
            engine.complete(task.id, "eastboss" if task.role_code == "supervisor" else "zhang",
                            answer(step, task.spec_id, rounds))
        return engine.case(case.id).status == "completed"
    finally:
        engine.dispose()


@pytest.mark.parametrize("files,key,rounds,start", [
    (["child.bpmn", "loop_parallel.bpmn"], "loop_parallel", 3, {}),  # parallel joins, a loop, lists in the data
    (["loop_inclusive.bpmn"], "loop_inclusive", 3, {}),
    (["nested_event_subprocess.bpmn"], "nested_event_subprocess", 2, {}),  # sub-processes
    (["interop/camunda7_list_map_parameters.bpmn"], "camunda7_list_map_parameters", 1,  # camunda:list, camunda:map
     {"extraItem": "特种设备", "unitName": "示范化工", "检查记录": {"项目": ["消防"], "结论": {"合格": True}}}),
])
def test_a_task_inherits_its_parents_data_as_deepmerge_gives_it(database_url, monkeypatch, files, key, rounds, start):
    """At every inheritance of every step to the case's end (warm, and after restarts from rows), a
    task with empty data ends with what ``DeepMerge.merge({}, parent.data)`` gives: the same keys in
    the same order, equal values of the same types, a copy exactly where DeepMerge copies (a list or
    dict value the task changes in place must not change its parent's), in the task's own dict."""
    fast = DubanTask._inherit_data
    checked, copied, wrong = [], [], []

    def compared(self):
        before, parent = self.data, self.parent
        if before or parent is None:
            return fast(self)
        reference = DeepMerge.merge({}, parent.data)  # reads the parent's data, changes nothing of it
        fast(self)
        got = self.data
        checked.append(self.task_spec.name)
        if got is not before:
            wrong.append((self.task_spec.name, "a new dict"))
        if list(got) != list(reference):
            wrong.append((self.task_spec.name, "keys", list(got), list(reference)))
        for name, value in reference.items():
            mine = got.get(name)
            if type(mine) is not type(value) or mine != value:
                wrong.append((self.task_spec.name, name, mine, value))
            if (mine is parent.data[name]) != (value is parent.data[name]):
                wrong.append((self.task_spec.name, name, "shared" if mine is parent.data[name] else "copied"))
            if isinstance(value, (dict, list, set)):
                copied.append(name)

    monkeypatch.setattr(DubanTask, "_inherit_data", compared)
    assert walk(database_url, files, key, rounds, start)
    assert wrong == []
    assert len(checked) >= 5 and copied  # the shortcut ran, on data holding lists or dicts


def test_a_task_with_data_of_its_own_is_merged_by_deepmerge(sqlite_url):
    """The shortcut is for an empty task only: data the task holds already is merged into, nested dicts
    key by key and lists item by item, as DeepMerge merges (a join taking a later branch's data)."""
    engine = make_engine(sqlite_url)
    try:
        deploy(engine, "child.bpmn", "loop_parallel.bpmn")
        case = engine.start("loop_parallel", by="zhang", org="east")
        workflow = engine.workflow_cache._entries[case.id][1].workflow
        task = next(t for t in workflow.tasks.values() if t.parent is not None and type(t) is DubanTask)
        parent = task.parent
        parent.data.update({"a": 1, "nested": {"x": 1, "y": [1]}, "items": [1, 2]})
        task.data = {"own": True, "nested": {"x": 0, "z": 3}, "items": [2, 3]}
        kept = task.data
        expected = DeepMerge.merge(copy.deepcopy(task.data), copy.deepcopy(parent.data))
        task._inherit_data()
        assert task.data is kept
        assert task.data == expected and list(task.data) == list(expected)
        assert task.data["nested"] == {"x": 1, "z": 3, "y": [1]} and task.data["a"] == 1
    finally:
        engine.dispose()
