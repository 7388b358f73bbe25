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
