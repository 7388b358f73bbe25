"""Projections of a case's workflow into queryable tables: human tasks (待办) and timers.

After every step the engine lists the user tasks that are READY and the timer events that are
WAITING, compares them with the case's open rows, and writes only the difference.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.util.task import TaskState

from .assignment import assign_on_open, refresh_exclusions
from .schema import Case, HumanTask, Timer
from .state import all_workflows
from .timers import due_of


def task_properties(task_spec) -> dict:
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {}


def ready_user_tasks(top) -> list:
    found = []
    for workflow in all_workflows(top):
        for task in workflow.tasks.values():
            if task.state == TaskState.READY and isinstance(task.task_spec, UserTask):
                found.append(task)
    return found


@dataclass
class PendingTimer:
    task: object
    due_at: datetime
    kind: str
    attached_to: str | None


def _timer_kind(task) -> tuple[str, str | None]:
    """deadline (interrupting boundary), reminder (non-interrupting boundary), start, or catch; and
    for boundary timers the id of the task they are attached to."""
    spec = task.task_spec
    if isinstance(spec, BoundaryEvent):
        attached = None
        parent = task.parent
        if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit):
            for sibling in parent.children:
                if sibling is not None and sibling is not task and not isinstance(sibling.task_spec, BoundaryEvent):
                    attached = str(sibling.id)
        return ("deadline" if spec.cancel_activity else "reminder"), attached
    if isinstance(spec, StartEvent):
        return "start", None
    return "catch", None


@dataclass
class FiredTimer:
    task_id: str
    element_id: str
    name: str
    kind: str
    attached_to: str | None
    escalates: bool
    occurrences: int


def fired_timers(top, previous_rows: dict[str, tuple]) -> list[FiredTimer]:
    """Timer events that fired since the rows in ``previous_rows`` were written — by a sweep, or
    inside any other step (a deadline already past when its task opened fires at once)."""
    import json
    fired = []
    for workflow in all_workflows(top):
        for task in workflow.tasks.values():
            spec = task.task_spec
            if not isinstance(getattr(spec, "event_definition", None), TimerEventDefinition):
                continue
            old = previous_rows.get(str(task.id))
            old_dct = json.loads(old[2]) if old else {}
            value = task._get_internal_data("event_value")
            if isinstance(value, dict):  # a cycle: count occurrences since last time
                before = ((old_dct.get("internal_data") or {}).get("event_value") or {}).get("fired", 0)
                occurrences = value.get("fired", 0) - before
            else:
                was_done = old_dct.get("state") in (TaskState.COMPLETED, TaskState.READY)
                # A timer task only completes by firing (otherwise it is cancelled); SpiffWorkflow clears
                # its event_fired flag when it runs, so the state change is what tells.
                occurrences = int(task.state in (TaskState.COMPLETED, TaskState.READY) and not was_done)
            if occurrences <= 0:
                continue
            kind, attached = _timer_kind(task)
            props = task_properties(spec)
            escalates = (kind == "deadline" and attached is not None
                         and str(props.get("escalate", "true")).lower() not in ("false", "0", "no"))
            fired.append(FiredTimer(str(task.id), spec.bpmn_id or spec.name, spec.bpmn_name or "", kind, attached,
                                    escalates, occurrences))
    return fired


def waiting_timers(top) -> list[PendingTimer]:
    found = []
    for task in list(top.event_manager.tasks.values()):
        spec = task.task_spec
        if not isinstance(getattr(spec, "event_definition", None), TimerEventDefinition):
            continue
        if not task.has_state(TaskState.WAITING):
            continue
        due = due_of(task)
        if due is None:
            continue
        kind, attached = _timer_kind(task)
        found.append(PendingTimer(task, due, kind, attached))
    return found


def refresh_human_tasks(s: Session, case: Case, top, now: datetime, role_for_lane, evaluate,
                        completed: tuple[str, str] | None, pending: list[PendingTimer]) -> tuple[list[HumanTask], list[str]]:
    """Bring the case's open human-task rows in line with the workflow.

    Returns (rows opened, ids cancelled). ``completed`` is (task id, user) of the task this step
    completed; ``pending`` the waiting timers (deadline boundary timers give tasks their due date).
    """
    open_rows = {r.id: r for r in s.execute(
        sa.select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.state == "open")).scalars()}
    ready = {str(t.id): t for t in ready_user_tasks(top)}
    timers_by_task = {}
    for pt in pending:
        if pt.attached_to and pt.kind == "deadline":
            timers_by_task[pt.attached_to] = min(pt.due_at, timers_by_task.get(pt.attached_to, pt.due_at))
    opened, cancelled = [], []
    for tid, row in open_rows.items():
        if tid in ready:
            due = timers_by_task.get(tid)
            if due is not None and row.due_at is None:
                row.due_at = due
            continue
        if completed and tid == completed[0]:
            row.state, row.completed_at, row.completed_by = "completed", now, completed[1]
        else:
            row.state, row.completed_at = "cancelled", now
            cancelled.append(tid)
    for tid, task in ready.items():
        if tid in open_rows:
            continue
        spec = task.task_spec
        props = task_properties(spec)
        role = role_for_lane(spec.lane)
        due = timers_by_task.get(tid)
        if props.get("dueDate"):
            value = evaluate(task, props["dueDate"])
            if value:
                due = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        row = HumanTask(
            id=tid, case_id=case.id, spec_id=spec.bpmn_id or spec.name, name=spec.bpmn_name or spec.name,
            lane=spec.lane, role_code=role, org_code=case.org_code, party=case.party, assignee=None,
            state="open", form_key=props.get("formSchema"), priority=int(props.get("priority", 0) or 0),
            due_at=due, created_at=now, process_key=case.process_key, case_no=case.case_no,
            case_title=case.title)
        if props.get("itemLabel"):
            label = evaluate(task, props["itemLabel"])
            row.item_label = str(label)[:256] if label not in (None, "") else None
        candidates = assign_on_open(row, task, props, evaluate, role_for_lane)
        s.add(row)
        if candidates:
            s.flush()  # the candidate rows refer to the task row
            s.add_all(candidates)
        opened.append(row)
    if any(r.rules for r in open_rows.values() if r.state == "open") or any(r.rules for r in opened):
        refresh_exclusions(s, case.id)
    return opened, cancelled


def refresh_timers(s: Session, case: Case, pending: list[PendingTimer]) -> list[PendingTimer]:
    want = {str(p.task.id): p for p in pending}
    rows = {r.id: r for r in s.execute(sa.select(Timer).where(Timer.case_id == case.id)).scalars()}
    for tid, row in rows.items():
        if tid not in want:
            s.delete(row)
        elif row.due_at != want[tid].due_at:
            row.due_at, row.lease_owner, row.lease_until = want[tid].due_at, None, None
    for tid, p in want.items():
        if tid not in rows:
            spec = p.task.task_spec
            s.add(Timer(id=tid, case_id=case.id, element_id=spec.bpmn_id or spec.name,
                        name=spec.bpmn_name or "", kind=p.kind, attached_to=p.attached_to, due_at=p.due_at))
    return pending
