"""A case's workflows answer SpiffWorkflow's task queries by a stack walk (engine/workflow.py
``_walk``) that gives what ``BpmnTaskIterator`` gives, in its order, without building the iterator:
the queries of parallel and inclusive joins (``get_tasks(spec_name=...)``,
``get_tasks(end_at_spec=...)``), two or more READY tasks at once, an end event's look for
unfinished tasks (任务树遍历)."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("files,key,rounds", [
    (["child.bpmn", "loop_parallel.bpmn"], "loop_parallel", 4),
    (["loop_inclusive.bpmn"], "loop_inclusive", 4),
    (["interop/camunda7_hazard_gateways.bpmn"], "camunda7_hazard_gateways", 2),
    (["nested_event_subprocess.bpmn"], "nested_event_subprocess", 2),
    (["interop/camunda7_implicit_end.bpmn"], "camunda7_implicit_end", 2),
])
def test_task_queries_are_answered_as_spiffworkflows_iterator_answers_them_without_it(sqlite_url, monkeypatch,
                                                                                     files, key, rounds):
    """Every ``get_tasks`` call of every step to the case's end, on the top workflow and on each
    sub-process, restored ones too, gives the iterator's tasks in its order; the joins' queries
    (by spec name, up to a spec) build no iterator (they walked the whole tree through it at every
    update of a join)."""
    from SpiffWorkflow.bpmn.util import task as bpmn_task
    from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator

    from engine.workflow import DubanSubWorkflow, DubanWorkflow
    from tests.test_differential import engine_walk

    built = []
    real_init = BpmnTaskIterator.__init__

    def counted_init(self, *args, **kwargs):
        built.append(kwargs)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(bpmn_task.BpmnTaskIterator, "__init__", counted_init)
    got = []
    for cls in (DubanWorkflow, DubanSubWorkflow):
        fast = cls.get_tasks

        def both(self, first_task=None, _fast=fast, **kwargs):
            built.clear()
            mine = _fast(self, first_task, **kwargs)
            iterated = bool(built)
            walked = list(BpmnTaskIterator(first_task or self.task_tree, **kwargs))
            got.append((sorted(kwargs), [t.id for t in mine], [t.id for t in walked], iterated))
            return mine

        monkeypatch.setattr(cls, "get_tasks", both)
    seen, done, _ = engine_walk(sqlite_url, files, key, rounds, restart_every=3)
    assert done and seen
    assert [(keys, mine, walked) for keys, mine, walked, _ in got if mine != walked] == []
    assert [keys for keys, _, _, iterated in got if iterated] == []
    joins = [keys for keys, _, _, _ in got if "spec_name" in keys or "end_at_spec" in keys]
    if key != "camunda7_implicit_end":
        assert joins, "the model's joins asked for their tasks"


@pytest.mark.parametrize("files,key,rounds", [
    (["child.bpmn", "loop_parallel.bpmn"], "loop_parallel", 4),
    (["loop_inclusive.bpmn"], "loop_inclusive", 4),
    (["interop/camunda7_hazard_gateways.bpmn"], "camunda7_hazard_gateways", 2),
    (["nested_event_subprocess.bpmn"], "nested_event_subprocess", 2),
    (["interop/camunda7_implicit_end.bpmn"], "camunda7_implicit_end", 2),
    (["interop/bpmnio_implicit_split.bpmn"], "bpmnio_implicit_split", 2),
])
def test_the_end_join_decides_as_spiffworkflows_walk_decides_without_it(sqlite_url, monkeypatch, files, key, rounds):
    """The join a process ends through (engine/gateways.py ``_EndJoin``: parsed, and restored from a
    stored spec after a restart) answers "may it fire?" as SpiffWorkflow's walk of the tree answers,
    at every update to the case's end (parallel branches still open: no; sub-processes; the last
    branch done: yes), without building the walk's iterator."""
    from SpiffWorkflow.bpmn.specs import control
    from SpiffWorkflow.util import task as spiff_task

    from engine import gateways
    from tests.test_differential import engine_walk

    built = []
    real_init = spiff_task.TaskIterator.__init__

    def counted_init(self, *args, **kwargs):
        built.append(kwargs)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(spiff_task.TaskIterator, "__init__", counted_init)
    ours, theirs = gateways._EndJoin._check_threshold_unstructured, control._EndJoin._check_threshold_unstructured
    got, spiffs = [], []

    def both(self, my_task):
        built.clear()
        mine = ours(self, my_task)
        iterated = bool(built)
        got.append((mine, theirs(self, my_task), iterated))
        return mine

    # SpiffWorkflow's own end join asked (a spec not ours, or ours falling back to it): recorded
    monkeypatch.setattr(control._EndJoin, "_check_threshold_unstructured",
                        lambda self, my_task: spiffs.append(type(self)) or theirs(self, my_task))
    monkeypatch.setattr(gateways._EndJoin, "_check_threshold_unstructured", both)
    seen, done, _ = engine_walk(sqlite_url, files, key, rounds, restart_every=3)
    assert done and seen
    assert got and spiffs == []
    assert [(mine, walked) for mine, walked, _ in got if mine != walked] == []
    assert not any(iterated for _, _, iterated in got)
    assert True in {mine for mine, _, _ in got}
    print(key, "end join asked", len(got), "may fire", sum(mine for mine, _, _ in got))


@pytest.mark.parametrize("files,key,rounds", [
    (["child.bpmn", "loop_parallel.bpmn"], "loop_parallel", 4),
    (["interop/camunda7_hazard_gateways.bpmn"], "camunda7_hazard_gateways", 2),
    (["interop/bpmnio_implicit_split.bpmn"], "bpmnio_implicit_split", 2),
    (["interop/camunda7_reserved_ids.bpmn"], "camunda7_reserved_ids", 2),
])
def test_a_parallel_join_decides_as_spiffworkflows_check_decides(sqlite_url, monkeypatch, files, key, rounds):
    """A parallel gateway (engine/gateways.py ``ParallelGateway``: parsed, and restored from a stored
    spec after a restart) joining its branches answers "may it fire?" as SpiffWorkflow's check
    answers, at every update to the case's end (branches still open: no; a loop's later turns)."""
    from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway as SpiffParallel

    from engine import gateways
    from tests.test_differential import engine_walk

    ours, theirs = gateways.ParallelGateway._check_threshold_unstructured, SpiffParallel._check_threshold_unstructured
    got, spiffs = [], []

    def both(self, my_task):
        mine = ours(self, my_task)
        got.append((mine, theirs(self, my_task)))
        return mine

    monkeypatch.setattr(SpiffParallel, "_check_threshold_unstructured",
                        lambda self, my_task: spiffs.append(type(self)) or theirs(self, my_task))
    monkeypatch.setattr(gateways.ParallelGateway, "_check_threshold_unstructured", both)
    seen, done, _ = engine_walk(sqlite_url, files, key, rounds, restart_every=3)
    assert done and seen
    assert got and spiffs == []
    assert [(mine, walked) for mine, walked in got if mine != walked] == []
    print(key, "parallel join asked", len(got), "may fire", sum(mine for mine, _ in got))
