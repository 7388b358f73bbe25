"""Driving a model drawn elsewhere to its end, the way a user of Duban would: start a case, work
every open task as whoever may work it, until the case ends, waits on something nobody here sends,
or raises an incident. Shared by tests/test_interop.py and bench/interop.py."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.errors import EngineError, IncidentRaised

ROLE_USERS = {"inspector": "zhang", "supervisor": "eastboss", "enterprise": "acme"}


@dataclass
class Outcome:
    status: str  # completed | waiting | incident | error
    tasks: list = field(default_factory=list)  # the HumanTask rows worked, in order
    message: str = ""
    case_id: int | None = None


def drive(engine, key: str, starter: str = "zhang", org: str = "east", data: dict | None = None,
          data_by_task: dict | None = None, max_steps: int = 40) -> Outcome:
    data_by_task = data_by_task or {}
    try:
        case = engine.start(key, by=starter, org=org, data=dict(data or {}))
    except IncidentRaised as exc:
        return Outcome("incident", message=str(exc))
    except EngineError as exc:
        return Outcome("error", message=str(exc))
    worked = []
    for _ in range(max_steps):
        view = engine.case(case.id)
        if view.status != "running":
            return Outcome(view.status, worked, case_id=case.id)
        if not view.tasks:
            return Outcome("waiting", worked, case_id=case.id)
        task = view.tasks[0]
        user = task.assignee or ROLE_USERS.get(task.role_code, starter)
        worked.append(task)
        try:
            engine.complete(task.id, user, dict(data_by_task.get(task.spec_id, {})))
        except IncidentRaised as exc:
            return Outcome("incident", worked, str(exc), case.id)
        except EngineError as exc:
            return Outcome("error", worked, str(exc), case.id)
    return Outcome("too_many_steps", worked, case_id=case.id)


def raw_walk(path, key: str, data_by_task: dict | None = None, max_steps: int = 40):
    """The same walk on raw SpiffWorkflow 3.2, in memory: (completed?, element ids worked, sorted).
    None if no SpiffWorkflow parser builds the file."""
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser import SpiffBpmnParser
    from SpiffWorkflow.util.task import TaskState

    data_by_task = data_by_task or {}
    for parser_class in (SpiffBpmnParser, BpmnParser):
        try:
            parser = parser_class()
            parser.add_bpmn_file(str(path))
            workflow = BpmnWorkflow(parser.get_spec(key), parser.get_subprocess_specs(key))
            break
        except Exception:
            continue
    else:
        return None
    worked = []
    for _ in range(max_steps):
        workflow.do_engine_steps()
        if workflow.is_completed():
            return True, sorted(worked)
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            return False, sorted(worked)
        task = ready[0]
        worked.append(task.task_spec.bpmn_id)
        task.set_data(**data_by_task.get(task.task_spec.bpmn_id, {}))
        task.run()
    return False, sorted(worked)
