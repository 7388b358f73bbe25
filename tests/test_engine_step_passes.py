"""A case's workflow runs its engine tasks (``DubanWorkflow.do_engine_steps``, engine/workflow.py) as
SpiffWorkflow's ``do_engine_steps`` runs them — the same tasks in the same order, the same states and
data after — without each pass's own bookkeeping while the case has no sub-process (a chain of engine
tasks, as at most cases' end, took a pass each). Compared at every call, over every step of models
with script chains, parallel branches, loops, event and called sub-processes (entered mid-chain),
timers and the end of each case, restored cases too: before each call the workflow is copied
(its specs shared) and SpiffWorkflow's own passes run on the copy."""
from __future__ import annotations

import copy
import json

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task

from engine.workflow import DubanWorkflow
from tests.support import BPMN


def _copy(workflow):
    """A copy of the case's workflow, its tasks and data its own; specs and script engine shared."""
    shared = [workflow.spec, *workflow.subprocess_specs.values(), workflow.script_engine]
    for spec in [workflow.spec, *workflow.subprocess_specs.values()]:
        shared.extend(spec.task_specs.values())
    return copy.deepcopy(workflow, {id(x): x for x in shared})


def _tasks(workflow) -> list:
    """Each task's workflow, element, state and data (a task made in the call has a new id either way)."""
    return sorted((wf.spec.name, task.task_spec.name, task.state, json.dumps(task.data, sort_keys=True, default=str))
                  for wf in [workflow, *workflow.subprocesses.values()] for task in wf.tasks.values())


@pytest.fixture
def compared(monkeypatch):
    """Every ``do_engine_steps`` call of the case's workflow, run also as SpiffWorkflow runs it on a
    copy: (sub-processes at the call, the tasks SpiffWorkflow ran, the tasks ours ran, the same tasks after)."""
    ran: list = []
    real_run = Task.run

    def recorded(self):
        ran.append((self.workflow.spec.name, self.task_spec.name))
        return real_run(self)

    monkeypatch.setattr(Task, "run", recorded)
    ours = DubanWorkflow.do_engine_steps
    calls: list = []

    def both(self, *args, **kwargs):
        twin = _copy(self)
        ran.clear()
        BpmnWorkflow.do_engine_steps(twin)
        theirs, their_tasks = list(ran), _tasks(twin)
        ran.clear()
        result = ours(self, *args, **kwargs)
        calls.append((bool(self.subprocesses), theirs, list(ran), their_tasks == _tasks(self)))
        return result

    monkeypatch.setattr(DubanWorkflow, "do_engine_steps", both)
    return calls


def _alike(compared: list, without_subprocesses: bool = True) -> None:
    assert compared and any(theirs for _, theirs, _, _ in compared)
    if without_subprocesses:  # (a model with an event sub-process has one at every call)
        assert any(not subs and theirs for subs, theirs, _, _ in compared), "no pass ran without a sub-process"
    assert [(theirs, mine) for _, theirs, mine, _ in compared if theirs != mine] == []
    assert [n for n, (_, _, _, same) in enumerate(compared) if not same] == []


@pytest.mark.parametrize("files,key,rounds", [
    (["bench_five_tasks"], "five_tasks", 1),
    (["parallel_scripts.bpmn"], "parallel_scripts", 1),
    (["child.bpmn", "loop_parallel.bpmn"], "loop_parallel", 4),
    (["loop_inclusive.bpmn"], "loop_inclusive", 4),
    (["interop/camunda7_hazard_gateways.bpmn"], "camunda7_hazard_gateways", 2),
    (["nested_event_subprocess.bpmn"], "nested_event_subprocess", 2),
    (["interop/camunda7_implicit_end.bpmn"], "camunda7_implicit_end", 2),
    (["interop/camunda7_call_child.bpmn", "interop/camunda7_call_parent.bpmn"], "camunda7_call_parent", 1),
])
def test_engine_steps_run_what_spiffworkflows_passes_run_in_their_order(sqlite_url, compared, files, key, rounds):
    from tests.test_differential import engine_walk

    if files == ["bench_five_tasks"]:
        files = [str(BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn")]
    seen, done, _ = engine_walk(sqlite_url, files, key, rounds, restart_every=3)
    assert done and seen
    _alike(compared, without_subprocesses=key != "nested_event_subprocess")


@pytest.mark.parametrize("name", ["camunda7_mapped_child", "flowable_review", "zeebe_is_defined",
                                  "camunda7_multi_instance", "camunda7_loop_counter", "camunda7_io_shadowing",
                                  "signal_throw", "errors_escalation"])
def test_models_drawn_elsewhere_run_their_engine_tasks_as_spiffworkflow_does(tmp_path, compared, name):
    """The public models as bench/throughput.py walks them (the data each one's conditions, scripts
    and forms read): one completion a case and its end (a script chain), loops, multi-instance,
    thrown signals, errors and escalations."""
    from tests.test_bench_throughput import _throughput

    bench = _throughput()
    walk = bench.ModelBench(BPMN / "interop" / f"{name}.bpmn")
    engine = walk.engine(f"sqlite:///{tmp_path / 'e.sqlite'}")
    try:
        for _ in range(2):
            case_id = walk.start(engine)
            for _ in range(30):
                view = engine.case(case_id)
                if view.status != "running" or not view.tasks:
                    break
                task = view.tasks[0]
                engine.complete(task.id, bench.user_for(engine, task, walk.starter[0]), walk.data_for(engine, task))
            assert engine.case(case_id).status == "completed"
    finally:
        engine.dispose()
    _alike(compared)


def test_the_completion_ending_a_case_makes_none_of_spiffworkflows_passes(sqlite_url, monkeypatch):
    """The last completion of bench/models/five_tasks.bpmn runs its end event, end join and end (three
    engine tasks, a pass each and one that finds none): none of them through SpiffWorkflow's
    ``_do_engine_steps``; a call activity's case still enters its sub-process through them."""
    from tests.support import make_engine, open_task_id
    from tests.test_bench_throughput import _throughput

    passes = []
    # a pass is DubanWorkflow's own since 1b6a1fe (it drops a cancelled multi-instance's orphans), no
    # longer BpmnWorkflow's: the pass counted is the one the case's workflow makes
    real = DubanWorkflow._do_engine_steps
    monkeypatch.setattr(DubanWorkflow, "_do_engine_steps", lambda self, *a, **k: passes.append(self) or real(self, *a, **k))
    engine = make_engine(sqlite_url)
    try:
        engine.deploy(BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn", by="boss")
        case = engine.start("five_tasks", by="zhang", org="east")
        for _ in range(4):
            engine.complete(open_task_id(engine, case.id), "zhang", {"意见": "同意"})
        passes.clear()
        engine.complete(open_task_id(engine, case.id), "zhang", {"意见": "同意"})
        assert engine.case(case.id).status == "completed"
        assert passes == []
        engine.deploy(BPMN / "interop" / "camunda7_call_child.bpmn", by="boss")
        engine.deploy(BPMN / "interop" / "camunda7_call_parent.bpmn", by="boss")
        parent = engine.start("camunda7_call_parent", by="zhang", org="east", data={})
        first = engine.case(parent.id).tasks[0]
        passes.clear()
        engine.complete(first.id, _throughput().user_for(engine, first, "zhang"), {})
        assert [t.name for t in engine.case(parent.id).tasks] != [first.name] and passes  # the child entered
    finally:
        engine.dispose()
