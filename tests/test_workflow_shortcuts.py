"""engine.workflow.DubanWorkflow (工作流的任务查找捷径) against SpiffWorkflow's own ``BpmnWorkflow``, over
every model of tests/bpmn/ and tests/bpmn/interop/ (models drawn in Camunda Modeler, bpmn.io,
Flowable, Signavio, Zeebe, spiff-arena; boundary events, event sub-processes, multi-instance, call
activities, loops, event-based gateways, timers).

Two checks, on one run of each model:
- in the engine (SQLite file, the case saved and read back between steps, timers fired by moving the
  clock): every ``get_tasks`` / ``update_waiting_tasks`` call of a DubanWorkflow is answered by
  SpiffWorkflow's tree walk as well, and the answers must be the same tasks in the same order;
- in memory, side by side: the same spec run on a DubanWorkflow and on a plain BpmnWorkflow, the
  same task completed on both with the same data; at every step the READY and WAITING task lists of
  every (sub-)workflow, and at the end the final state, must be the same.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskIterator, TaskState

from engine import state as wfstate
from engine import step as engine_step
from engine.errors import EngineError, IncidentRaised
from engine.workflow import DubanWorkflow
from tests.interop_support import ACME, drawn_form_data, fire_waiting_timers, user_for
from tests.support import make_engine

BPMN = Path(__file__).resolve().parent / "bpmn"
FOLDERS = [BPMN, BPMN / "interop"]
MAX_STEPS = 40


def typed(step: int) -> dict:
    """What a tester types over a task's drawn form: loops end after a few rounds, inclusive gateways
    take one or two branches, a multi-instance task gets its list, a recheck passes (a conditional
    event waiting beside the task fires: only update_waiting_tasks wakes it)."""
    return {"finished": step >= 6, "approved": step >= 6, "fire": step % 3 == 0, "power": step % 2 == 0,
            "signers": ["a", "b"] if step % 2 else ["a"], "rectified": True, "score": 85}


class Compared:
    """Every call of DubanWorkflow.get_tasks / update_waiting_tasks answered by the walk as well."""

    def __init__(self, monkeypatch):
        self.calls = self.dict_answers = self.updates = self.skipped = 0
        self.differences: list = []
        fast_get, fast_update = DubanWorkflow.get_tasks, DubanWorkflow.update_waiting_tasks

        def get_both(wf, first_task=None, **kwargs):
            mine = fast_get(wf, first_task, **kwargs)
            walked = BpmnWorkflow.get_tasks(wf, first_task, **kwargs)
            self.calls += 1
            self.dict_answers += first_task is None and list(kwargs) == ["state"] and not wf.subprocesses
            if [t.id for t in mine] != [t.id for t in walked]:
                self.differences.append((self.model, kwargs, [t.task_spec.name for t in mine],
                                         [t.task_spec.name for t in walked]))
            return mine

        def update_both(wf):
            waiting = [t.task_spec.name for t in TaskIterator(wf.task_tree, state=TaskState.WAITING)]
            self.updates += 1
            if not any(t._state & TaskState.WAITING for t in wf.tasks.values()):  # the walk is skipped
                self.skipped += 1
                if waiting:
                    self.differences.append((self.model, "WAITING tasks left un-updated", waiting))
            fast_update(wf)

        self.model = ""
        monkeypatch.setattr(DubanWorkflow, "get_tasks", get_both)
        monkeypatch.setattr(DubanWorkflow, "update_waiting_tasks", update_both)


def drive(engine, key: str, forms: dict) -> tuple[int, str]:
    """A case worked to its end in the engine, timers fired by moving the clock; every other step the
    case's workflow is read back from its rows (a DubanWorkflow restored): (steps, outcome)."""
    try:
        case = engine.start(key, by="zhang", org="east", data={}, party=ACME)
    except EngineError as exc:
        return 0, type(exc).__name__
    for step in range(MAX_STEPS):
        if step % 2:
            engine._evict(case.id)
        view = engine.case(case.id)
        if view.status != "running":
            return step, view.status
        if view.tasks:
            task = view.tasks[0]
            try:
                engine.complete(task.id, user_for(engine, task), {**forms.get(task.spec_id, {}), **typed(step)})
            except (IncidentRaised, EngineError) as exc:
                return step, type(exc).__name__
        elif not (view.timers and fire_waiting_timers(engine, view.timers)):
            return step, "waiting"
    return MAX_STEPS, "too_many_steps"


def _advance(workflow) -> str | None:
    try:
        engine_step.advance(workflow)
    except Exception as exc:  # the model's own code failing: both must fail alike
        return type(exc).__name__
    return None


def _seen(workflow, cls) -> tuple:
    """READY and WAITING tasks of every (sub-)workflow, as the workflow's own get_tasks lists them."""
    found = []
    for wf in wfstate.all_workflows(workflow):
        ask = cls if wf is workflow else type(wf)
        found.append((tuple(t.task_spec.name for t in ask.get_tasks(wf, state=TaskState.READY)),
                      tuple(t.task_spec.name for t in ask.get_tasks(wf, state=TaskState.WAITING))))
    return tuple(found), workflow.completed


def side_by_side(engine, spec, subprocess_specs, forms: dict, differences: list, name: str) -> int:
    """The spec run on a DubanWorkflow and on a plain BpmnWorkflow in lockstep; steps compared."""
    pair = [DubanWorkflow(spec, subprocess_specs, script_engine=engine.script_engine),
            BpmnWorkflow(spec, subprocess_specs, script_engine=engine.script_engine)]
    for wf in pair:
        wf._duban_waits, wf._duban_external = {}, set()
        wf.task_tree.data.update({"case_no": "示范-1", "org_code": "east", "party": ACME, "initiator": "zhang"})
    errors = [_advance(wf) for wf in pair]
    for step in range(MAX_STEPS):
        seen = [_seen(wf, cls) for wf, cls in zip(pair, (DubanWorkflow, BpmnWorkflow))]
        if seen[0] != seen[1] or errors[0] != errors[1]:
            differences.append((name, step, seen, errors))
            return step + 1
        ready = [sorted((t for w in wfstate.all_workflows(wf) for t in w.tasks.values()
                         if t.state == TaskState.READY and t.task_spec.manual),
                        key=lambda t: t.task_spec.name) for wf in pair]
        if errors[0] or pair[0].completed or not ready[0]:
            return step + 1
        for i, (wf, tasks) in enumerate(zip(pair, ready)):
            task = tasks[0]
            task.data.update({**forms.get(task.task_spec.bpmn_id, {}), **typed(step)})
            try:
                task.run()
                errors[i] = _advance(wf)
            except Exception as exc:
                errors[i] = type(exc).__name__
    return MAX_STEPS


def test_every_model_runs_on_duban_workflow_as_on_spiffworkflows_own(tmp_path, monkeypatch):
    compared = Compared(monkeypatch)
    lockstep_differences: list = []
    outcomes, lockstep_steps = {}, 0
    for n, folder in enumerate(FOLDERS):
        files = sorted(folder.glob("*.bpmn"))
        forms = drawn_form_data(files, dt.date(2026, 11, 23))
        engine = make_engine(f"sqlite:///{tmp_path / f'{n}.sqlite'}")
        try:
            for path in [*sorted(folder.glob("*.dmn")), *files, *files]:  # called processes first
                try:
                    engine.deploy(path, by="boss")
                except EngineError:
                    pass
            for path in files:
                try:
                    model = engine.deploy(path, by="boss")
                except EngineError:
                    continue  # refused on purpose: tests/test_interop_corpus.py
                if model.kind != "bpmn":
                    continue
                compared.model = f"{folder.name}/{path.name}"
                outcomes[compared.model] = drive(engine, model.key, forms)
                with engine.db.write() as s:
                    _, bundle = engine.models.bundle_for_start(s, model.key)
                    spec, subprocess_specs = engine.models.specs(s, bundle)
                lockstep_steps += side_by_side(engine, spec, subprocess_specs, forms, lockstep_differences,
                                               compared.model)
        finally:
            engine.dispose()
    assert compared.differences == []
    assert lockstep_differences == []
    completed = [m for m, (_, status) in outcomes.items() if status == "completed"]
    timed = [m for m in completed if "timer" in m or "deadline" in m]
    assert "interop/camunda7_conditional_wait.bpmn" in completed  # its event woken by update_waiting_tasks
    print(f"models {len(outcomes)} completed {len(completed)} engine steps {sum(s for s, _ in outcomes.values())} "
          f"calls {compared.calls} (dict eligible {compared.dict_answers}) updates {compared.updates} "
          f"lockstep steps {lockstep_steps}")
    assert len(outcomes) >= 80 and len(completed) >= 40 and timed
    assert compared.dict_answers > 1000 and lockstep_steps > 150
