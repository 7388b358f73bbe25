"""SpiffWorkflow's own run inside a completion, paid less where the answer is the same
(SpiffWorkflow 运行开销): a parallel join's check and a pass of ``do_engine_steps`` look through the
case's task dict instead of walking its whole task tree, predicted tasks too, and decide and run what
SpiffWorkflow decides and runs.

- A parallel gateway joining its branches (engine/gateways.py ``_joined``) asked SpiffWorkflow's walk
  for its tasks at every update (``get_tasks(spec_name=...)``); the dict gives the same tasks, and
  where their order matters (a join task below the task updated: a loop's first turn, as in
  camunda7_joint_recheck) it is found from the dict too.
- A pass of ``DubanWorkflow.do_engine_steps`` (engine/workflow.py ``_ready_to_run``) with a person's
  task open on a parallel branch found two READY tasks and walked the tree for their order, then
  skipped the person's task; now its one READY engine task is taken from the dict where the walk
  reaches it.

Models drawn by bpmn.io, Camunda Modeler and Flowable, walked as bench/throughput.py walks them (the
data their forms and conditions read) to each case's end, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from tests.support import BPMN

# Public models with parallel joins (camunda7_joint_recheck loops back to its fork): every update of a join is
# answered from the task dict.
PARALLEL_JOINS = ["bpmnio_simple", "bpmnio_implicit_split", "camunda7_hazard_gateways", "camunda7_joint_recheck",
                  "flowable_joint_opinion", "camunda7_reserved_ids", "camunda7_flows_without_ids"]
# Public models where a person's task is open on one branch while the other runs engine tasks.
PEOPLE_BESIDE_ENGINE_TASKS = ["bpmnio_simple", "bpmnio_implicit_split", "camunda7_hazard_gateways"]


def _walk_cases(url: str, name: str, cases: int = 2) -> list[str]:
    """Start ``cases`` cases of the public model and complete each one's tasks to its end."""
    from tests.test_bench_throughput import _throughput

    bench = _throughput()
    walk = bench.ModelBench(BPMN / "interop" / f"{name}.bpmn")
    engine = walk.engine(url)
    try:
        statuses = []
        for _ in range(cases):
            case_id = walk.start(engine)
            for _ in range(40):
                view = engine.case(case_id)
                if view.status != "running" or not view.tasks:
                    break
                task = view.tasks[0]
                engine.complete(task.id, bench.user_for(engine, task, walk.starter[0]), walk.data_for(engine, task))
            statuses.append(engine.case(case_id).status)
        return statuses
    finally:
        engine.dispose()


@pytest.mark.parametrize("name", PARALLEL_JOINS)
def test_a_parallel_join_decides_as_spiffworkflow_decides_without_walking_the_task_tree(database_url, monkeypatch,
                                                                                       name):
    """At every update of every parallel join to each case's end (a branch still open: no; all in:
    yes), engine/gateways.py ``ParallelGateway`` answers as SpiffWorkflow's own check answers, and
    never asks the walk for the join's tasks."""
    from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway as SpiffParallel

    from engine import gateways
    from engine.workflow import DubanSubWorkflow, DubanWorkflow

    ours, theirs = gateways.ParallelGateway._check_threshold_unstructured, SpiffParallel._check_threshold_unstructured
    asked: list = []
    got: list = []

    def both(self, my_task):
        asked.clear()
        mine = ours(self, my_task)
        walked = bool(asked)
        got.append((mine, theirs(self, my_task), walked))
        return mine

    for cls in (DubanWorkflow, DubanSubWorkflow):
        def counted(self, first_task=None, _real=cls.get_tasks, **kwargs):
            if "spec_name" in kwargs:
                asked.append(kwargs)
            return _real(self, first_task, **kwargs)
        monkeypatch.setattr(cls, "get_tasks", counted)
    monkeypatch.setattr(gateways.ParallelGateway, "_check_threshold_unstructured", both)
    assert _walk_cases(database_url, name) == ["completed", "completed"]
    assert got, "the model's parallel joins were updated"
    assert [(mine, spiffs) for mine, spiffs, _ in got if mine != spiffs] == []
    assert False in {mine for mine, _, _ in got} and True in {mine for mine, _, _ in got}
    assert [n for n, (_, _, walked) in enumerate(got) if walked] == []


@pytest.mark.parametrize("name", PEOPLE_BESIDE_ENGINE_TASKS)
def test_a_pass_with_a_persons_task_open_beside_runs_what_spiffworkflow_runs_without_a_walk(tmp_path, monkeypatch,
                                                                                           compared, name):
    """Each ``do_engine_steps`` runs the tasks SpiffWorkflow's own passes run, in their order, with the
    same states and data after (run on a copy, tests/test_engine_step_passes.py), and no pass walks the
    task tree for its READY tasks while a person's task is READY beside the one engine task."""
    import sys

    from engine import workflow as duban_workflow

    walks: list = []
    real_walk = duban_workflow._walk

    def ours(frame) -> bool:
        """Inside our ``DubanWorkflow.do_engine_steps`` (not SpiffWorkflow's passes run on the copy)."""
        while frame is not None:
            code = frame.f_code
            if code.co_qualname == "DubanWorkflow.do_engine_steps" and code.co_filename == duban_workflow.__file__:
                return True
            frame = frame.f_back
        return False

    def counted(workflow, first, **kwargs):
        if "state" in kwargs and ours(sys._getframe(1)):
            walks.append(kwargs)
        return real_walk(workflow, first, **kwargs)

    monkeypatch.setattr(duban_workflow, "_walk", counted)
    assert _walk_cases(f"sqlite:///{tmp_path / 'e.sqlite'}", name) == ["completed", "completed"]
    _alike(compared)
    assert walks == []


from tests.test_engine_step_passes import _alike, compared  # noqa: E402,F401 - the fixture and its check
