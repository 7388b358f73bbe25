"""Projections of a case's workflow into queryable tables: human tasks (待办) and timers.

After every step the engine lists the user tasks that are READY and the timer events that are
WAITING, compares them with the case's open rows, and writes only the difference.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.util.task import TaskState

from . import sqlexec, task_priority
from .assignment import CandidatesNotFound, assign_on_open, dropped_note, refresh_exclusions, resolve_candidates
from .compensation import ITEM as COMPENSATED_ITEM
from .el_text import computed_name
from .policy import on_branch
from .schema import NO_DUE_DATE, OPEN, Case, HumanTask, OrgUnit, TaskCandidate, Timer, User
from .service_tasks import DubanServiceTask, service_kind
from .spec_facts import per_spec
from .state import all_workflows
from .timeexpr import Duration, TimerExpressionError, parse_datetime, plan_timer
from .timers import due_of


def task_properties(task_spec) -> dict:
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {}


def is_human_work(task) -> bool:
    """A task a person works: a user task, a manual or plain task (手工任务), or a service task
    with no handler known that waits for someone to do the work."""
    spec = task.task_spec
    if task.state == TaskState.READY:
        return bool(getattr(spec, "manual", False)) or isinstance(spec, UserTask)
    if task.state == TaskState.STARTED and isinstance(spec, DubanServiceTask):
        return service_kind(spec) != "external"
    return False


# Only a READY or a STARTED task can be human work: tested first on the task's state bits, so the
# predicted and finished tasks (most of a case's live tasks) cost no call of ``is_human_work``.
_MAYBE_HUMAN = TaskState.READY | TaskState.STARTED


def ready_user_tasks(top) -> list:
    found = []
    for workflow in all_workflows(top):
        for task in workflow.tasks.values():
            if task._state & _MAYBE_HUMAN and is_human_work(task):
                found.append(task)
    return found


def role_of(spec, props: dict, role_for_lane, evaluate=None, task=None) -> str | None:
    """The lane's role; else the first known role of ``candidateGroups`` (computed from the case's
    data when the model wrote it as an expression, Flowable's ``${candidateGroupsVar}``: a list or
    names separated by commas); else the process's ``defaultRole``. None: the task goes to the case
    starter."""
    role = role_for_lane(spec.lane)
    if role is None:
        groups = props.get("candidateGroups") or ""
        if props.get("candidateGroupsExpression") and evaluate is not None:
            value = evaluate(task, props["candidateGroupsExpression"])
            groups = ",".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value or "")
        for group in groups.replace("，", ",").split(","):
            role = role_for_lane(group.strip()) if group.strip() else None
            if role is not None:
                break
    if role is None and props.get("defaultRole"):
        role = role_for_lane(props["defaultRole"])
    return role


def _moment(value, now: datetime) -> datetime:
    """A task's 期限 from its ``dueDate``: a date, aware as given or Beijing time; or, as Camunda
    and Flowable read it, a duration (``P10D``) from when the task opens (engine/timeexpr.py)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, (timedelta, Duration)) or str(value).strip().strip("'\"").upper().startswith("P"):
        return plan_timer("duration", str(value) if isinstance(value, str) else value, now).due
    return parse_datetime(value.isoformat() if isinstance(value, datetime) else str(value))


def due_date(spec, value, now: datetime, what: str = "期限", name: str | None = None) -> datetime:
    """``_moment``; what is no date is the model's fault, said in Chinese naming the task (``name``:
    as it opens, where its drawn name holds ``${...}``)."""
    try:
        return _moment(value, now)
    except TimerExpressionError:
        raise TimerExpressionError(f"任务「{name or spec.bpmn_name or spec.bpmn_id}」({spec.bpmn_id}) 的{what}「{value}」"
                                   f"不是日期（如 2026-12-31）或时长（如 P10D）") from None


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


@functools.lru_cache(maxsize=2048)
def _timer_row(content: str) -> tuple[int | None, int]:
    """(state, cycle occurrences fired) of a timer task as its row says; rows are immutable text,
    so each is decoded once, not on every step of its case."""
    dct = json.loads(content)
    value = (dct.get("internal_data") or {}).get("event_value")
    return dct.get("state"), (value.get("fired", 0) if isinstance(value, dict) else 0)


_DONE = (TaskState.COMPLETED, TaskState.READY)


@per_spec
def _is_timer(spec) -> bool:
    """A timer event's task spec (a spec's event definition is fixed when the model is parsed;
    specs live as long as their model, so each is asked once, not once per task per step)."""
    ed = getattr(spec, "event_definition", None)
    if isinstance(ed, MultipleEventDefinition):  # an event-based gateway (事件网关) with a timer after it
        return any(isinstance(d, TimerEventDefinition) for d in ed.event_definitions)
    return isinstance(ed, TimerEventDefinition)


@per_spec
def _timer_specs(spec) -> frozenset:
    """The timer events among a process (or sub-process) spec's task specs — those its tasks run
    (asked once a spec: a model's specs are fixed once parsed). Empty for most models: a workflow
    of a spec without one has no timer task to look for, and its cases step without walking
    their tasks here. By the ids of those task specs: a fact may not hold its spec (engine/spec_facts.py),
    and a task spec lives as long as the process spec that holds it, whose fact this is."""
    return frozenset(id(task_spec) for task_spec in spec.task_specs.values() if _is_timer(task_spec))


def _has_timers(spec) -> bool:
    return bool(_timer_specs(spec))


_DONE_BITS = TaskState.COMPLETED | TaskState.READY


def fired_timers(top, previous_rows: dict[str, tuple], cut: dict | None = None) -> list[FiredTimer]:
    """Timer events that fired since the rows in ``previous_rows`` were written — by a sweep, or
    inside any other step (a deadline already past when its task opened fires at once). ``cut``:
    the tasks a long loop's rounds took out of the tree while the step ran (engine/workflow.py
    ``_trim``), by id: a timer that fired among them is one too (each fired timer audited once).

    A timer task that is neither done (COMPLETED, READY) nor a cycle (its ``event_value`` a dict of
    occurrences) has fired nothing, whatever its row says: it is passed over before its id is
    written out and its row looked up — most timer tasks of a step, which are waiting or predicted
    (bpmn/accident_investigation.bpmn, hazard_supervision.bpmn: a dozen a step)."""
    fired = []
    for workflow in all_workflows(top):
        timer_specs = _timer_specs(workflow.spec)
        if not timer_specs:
            continue
        for task in workflow.tasks.values():
            if id(task.task_spec) in timer_specs:
                _fired(task, previous_rows, fired)
    for task in (cut or {}).values():
        if id(task.task_spec) in _timer_specs(task.workflow.spec):
            _fired(task, previous_rows, fired)
    return fired


def _fired(task, previous_rows: dict[str, tuple], fired: list) -> None:
    """``task`` (a timer event's) appended to ``fired`` if it fired since its row was written."""
    spec = task.task_spec
    value = task.internal_data.get("event_value")
    cycle = isinstance(value, dict)
    if not cycle and not task._state & _DONE_BITS:
        return  # not fired: occurrences would be 0
    old = previous_rows.get(str(task.id))
    old_state, before = _timer_row(old[2]) if old else (None, 0)
    if cycle:  # a cycle: count occurrences since last time
        occurrences = value.get("fired", 0) - before
    else:
        # A timer task only completes by firing (otherwise it is cancelled); SpiffWorkflow clears
        # its event_fired flag when it runs, so the state change is what tells.
        occurrences = int(old_state not in _DONE)
    if occurrences <= 0:
        return
    kind, attached = _timer_kind(task)
    props = task_properties(spec)
    escalates = (kind == "deadline" and attached is not None
                 and str(props.get("escalate", "true")).lower() not in ("false", "0", "no"))
    fired.append(FiredTimer(str(task.id), spec.bpmn_id or spec.name, spec.bpmn_name or "", kind, attached,
                            escalates, occurrences))


def waiting_timers(top) -> list[PendingTimer]:
    found = []
    for task in list(top.event_manager.tasks.values()):
        spec = task.task_spec
        if not _is_timer(spec):
            continue
        if not task.has_state(TaskState.WAITING):
            continue
        due = due_of(task)
        if due is None:
            continue
        kind, attached = _timer_kind(task)
        found.append(PendingTimer(task, due, kind, attached))
    return found


_TASK = HumanTask.__table__
_TIMER = Timer.__table__
_CANDIDATE = TaskCandidate.__table__
_OPEN_TASKS = sqlexec.Sql(sa.select(_TASK.c.id, _TASK.c.due_at, _TASK.c.rules).where(
    _TASK.c.case_id == sa.bindparam("case_id"), _TASK.c.state == OPEN))
_COMPLETE_TASK = sqlexec.Sql(sa.update(_TASK).where(_TASK.c.id == sa.bindparam("b_id"))
                             .values(state="completed", completed_at=sa.bindparam("at"), completed_by=sa.bindparam("by")))
_SET_DUE = sqlexec.Sql(sa.update(_TASK).where(_TASK.c.id == sa.bindparam("b_id"))
                       .values(due_at=sa.bindparam("due"), due_sort=sa.bindparam("due")))
_TIMERS_OF_CASE = sqlexec.Sql(sa.select(_TIMER.c.id, _TIMER.c.due_at).where(_TIMER.c.case_id == sa.bindparam("case_id")))
_MOVE_TIMER = sqlexec.Sql(sa.update(_TIMER).where(_TIMER.c.id == sa.bindparam("b_id"))
                          .values(due_at=sa.bindparam("due"), lease_owner=None, lease_until=None))
_INSERT_TIMERS = sqlexec.Sql(sa.insert(_TIMER), keys=("id", "case_id", "element_id", "name", "kind", "attached_to",
                                                      "due_at", "lease_owner", "lease_until"))
_INSERT_CANDIDATES = sqlexec.Sql(sa.insert(_CANDIDATE), keys=("task_id", "username"))
# The columns of a human-task row as ``project_human_tasks`` builds it (``_NewTask``).
_HUMAN_TASK_COLUMNS = ("id", "case_id", "spec_id", "name", "item_label", "lane", "role_code", "org_code", "party",
                       "assignee", "state", "form_key", "priority", "due_at", "due_sort", "created_at", "process_key",
                       "case_no", "case_title", "reminders", "rules", "follow_up_at")
_INSERT_TASKS = sqlexec.Sql(sa.insert(_TASK), keys=_HUMAN_TASK_COLUMNS)
# One row a statement, deferred with the step's next round trip (an expanding ``IN`` would go
# through SQLAlchemy and wait for a round trip of its own).
_CANCEL_TASKS = sqlexec.Sql(sa.update(_TASK).where(_TASK.c.id == sa.bindparam("b_id"))
                            .values(state="cancelled", completed_at=sa.bindparam("at")))
_DELETE_TIMERS = sqlexec.Sql(sa.delete(_TIMER).where(_TIMER.c.id == sa.bindparam("b_id")))


_USER = User.__table__
_ORG = OrgUnit.__table__
_USER_ORG = _ORG.alias("user_org")


def _user_and_paths(*org_params: str) -> sqlexec.Sql:
    """The user's 当事企业 and unit path, and the path of the unit each of ``org_params`` binds, in
    one row (none: the user is no active user of the directory)."""
    return sqlexec.Sql(
        sa.select(_USER.c.party, _USER_ORG.c.path,
                  *(sa.select(_ORG.c.path).where(_ORG.c.code == sa.bindparam(name)).scalar_subquery()
                    for name in org_params))
        .select_from(_USER.outerjoin(_USER_ORG, _USER_ORG.c.code == _USER.c.org_code))
        .where(_USER.c.username == sa.bindparam("username"), _USER.c.active.is_(True)))


_USER_EXISTS = _user_and_paths("case_org")
_USER_EXISTS_ALSO = _user_and_paths("case_org", "also_org")  # with a task's second unit (``assigneeUnit``)


def may_be_named(conn, username: str, case: Case, also_unit: str | None = None) -> bool:
    """Whether ``username`` may be named by a task of ``case``: an active user of the directory —
    one 停用 (left, handed over) is named by no task opened after: it went to nobody's queue — who,
    acting for an enterprise, acts for the case's (its 当事企业), and otherwise, an official, is on
    the case's branch of the org tree (``policy.on_branch``, the rule and its law: the case's unit,
    a unit above it or a unit below it, the one ``policy.check_start`` holds a starter to).

    An assignee or candidate computed from case data (``${applicant}``, set by a start form, a
    12350 message or an import) naming another enterprise's account or another district's official
    would hand them the case to read and work (``policy._works_on``); the name is dropped as an
    unknown one is. Asked on the step's connection in Core, one row (with ``also_unit``'s path too): through
    ``tx.session.get(User, …)`` it made the step's ORM session for it, ~0.3 ms a task opened with
    an assignee or candidates (bpmn/inspection_plan.bpmn; issue 15).

    ``also_unit``: a second unit whose branch an official may belong to, for a task whose model
    says so (``assigneeUnit``: 交叉检查 — the reviewed file's 承办人, of the reviewed unit, hands in
    his file and corrects it in the reviewing unit's case: bpmn/case_file_review.bpmn)."""
    also = also_unit if also_unit and also_unit != case.org_code else None
    row = (sqlexec.first(conn, _USER_EXISTS, {"username": username, "case_org": case.org_code}) if also is None
           else sqlexec.first(conn, _USER_EXISTS_ALSO, {"username": username, "case_org": case.org_code,
                                                        "also_org": also}))
    if row is None:
        return False
    if row[0] is not None:
        return row[0] == case.party
    return on_branch(row[1], row[2]) or (also is not None and on_branch(row[1], row[3]))


def _also_unit(task, props: dict, evaluate) -> str | None:
    """The unit a model lets this task's assignee also come from (``assigneeUnit``, an expression
    giving an org code; see ``may_be_named``), else None."""
    if not props.get("assigneeUnit"):
        return None
    value = evaluate(task, props["assigneeUnit"])
    return value if isinstance(value, str) and value else None


class _NewTask:
    """A human-task row being built: attributes over the row's dict itself (assignment rules set
    them), which is what the INSERT then takes, not a copy of it."""

    def __init__(self, values: dict):
        self.__dict__ = values


# Names an org tree may give a level (省/市/区县/乡镇); a model's ``orgLevel`` may use any of them.
LEVEL_NAMES = {
    "省": {"省", "省级", "自治区", "直辖市"},
    "市": {"市", "市级", "设区的市", "地级市", "州", "盟"},
    "区县": {"区县", "县级", "区", "县", "县级市", "旗"},
    "乡镇": {"乡镇", "乡", "镇", "街道"},
}


def _level_key(name: str | None) -> str | None:
    for key, names in LEVEL_NAMES.items():
        if name and (name == key or name in names):
            return key
    return None


def org_at_level(conn, org_code: str, level: str | None) -> str:
    """The org unit at ``level`` on the branch of ``org_code`` (itself or its nearest ancestor).

    A task whose decision belongs to a higher level (a 市级 listing's approval) declares
    ``orgLevel``; the org tree's levels route it. Without a level, or when the tree has no unit at
    that level above the case, the case's own unit keeps it, so a misconfigured tree never hides a task.
    """
    want = _level_key(level)
    if want is None:
        return org_code
    path = conn.execute(sa.select(OrgUnit.path).where(OrgUnit.code == org_code)).scalar_one_or_none()
    if not path:
        return org_code
    codes = [c for c in path.strip("/").split("/") if c]
    levels = dict(conn.execute(sa.select(OrgUnit.code, OrgUnit.level).where(OrgUnit.code.in_(codes))).all())
    for code in reversed(codes):
        if _level_key(levels.get(code)) == want:
            return code
    return org_code


def project_human_tasks(tx, case: Case, loaded, now: datetime, role_for_lane, evaluate,
                        completed: tuple[str, str] | None, pending: list[PendingTimer]) -> tuple[list[dict], list[str]]:
    """Bring the case's open human-task rows in line with the workflow, in SQL Core.

    Returns (rows opened, ids cancelled). ``completed`` is (task id, user) of the task this step
    completed; ``pending`` the waiting timers (deadline boundary timers give tasks their due date).
    The open rows as last written are remembered on ``loaded``: when the ready user tasks are the
    same and no due date moved, nothing is read or written.
    """
    conn = tx.conn
    open_rows = loaded.open_tasks
    if open_rows is None:
        open_rows = {r.id: (r.due_at, bool(r.rules))
                     for r in sqlexec.all_rows(conn, _OPEN_TASKS, {"case_id": case.id})}
    names = loaded.names  # ids as text, as ``state.save`` just named them
    ready = {names.get(t) or str(t.id): t for t in ready_user_tasks(loaded.workflow)}
    timers_by_task: dict[str, datetime] = {}
    for pt in pending:
        if pt.attached_to and pt.kind == "deadline":
            timers_by_task[pt.attached_to] = min(pt.due_at, timers_by_task.get(pt.attached_to, pt.due_at))
    opened: list[dict] = []
    cancelled: list[str] = []
    kept: dict[str, tuple] = {}
    due_fixes = []
    for tid, (due_at, ruled) in open_rows.items():
        if tid in ready:
            due = timers_by_task.get(tid)
            if due is not None and due_at is None:
                due_fixes.append({"b_id": tid, "due": due})
                due_at = due
            kept[tid] = (due_at, ruled)
            continue
        if completed and tid == completed[0]:
            sqlexec.defer(conn, _COMPLETE_TASK, {"b_id": tid, "at": now, "by": completed[1]})
        else:
            cancelled.append(tid)
    if cancelled:
        sqlexec.defer(conn, _CANCEL_TASKS, [{"b_id": tid, "at": now} for tid in cancelled], many=True)
    if due_fixes:
        sqlexec.defer(conn, _SET_DUE, due_fixes, many=True)
    candidates: list[dict] = []
    for tid, task in ready.items():
        if tid in open_rows:
            continue
        spec = task.task_spec
        props = task_properties(spec)
        role = role_of(spec, props, role_for_lane, evaluate, task)
        name = spec.bpmn_name or spec.name
        if props.get("nameExpression"):  # 检查${unitName}: computed as it opens (engine/dialects._computed_name)
            name = computed_name(task, props["nameExpression"], name, evaluate)
        if task.internal_data and COMPENSATED_ITEM in task.internal_data:  # 撤回检查通知（甲化工公司）: engine/compensation.py
            name = f"{name}（{task.internal_data[COMPENSATED_ITEM]}）"[:256]
        due = timers_by_task.get(tid)
        if props.get("dueDate"):
            value = evaluate(task, props["dueDate"])
            if value:
                due = due_date(spec, value, now, name=name)
        org_code = case.org_code
        if props.get("orgLevel"):
            org_code = org_at_level(conn, case.org_code, evaluate(task, props["orgLevel"]))
        values = {
            "id": tid, "case_id": case.id, "spec_id": spec.bpmn_id or spec.name, "name": name,
            "item_label": None, "lane": spec.lane, "role_code": role, "org_code": org_code,
            "party": case.party, "assignee": None, "state": "open", "form_key": props.get("formSchema"),
            "priority": task_priority.initial(task, props, evaluate), "due_at": due,
            "due_sort": due if due is not None else NO_DUE_DATE, "created_at": now, "process_key": case.process_key,
            "case_no": case.case_no, "case_title": case.title, "reminders": 0, "rules": None, "follow_up_at": None}
        row = _NewTask(values)
        if props.get("itemLabel"):
            label = evaluate(task, props["itemLabel"])
            row.item_label = str(label)[:256] if label not in (None, "") else None
        if props.get("followUpDate"):
            value = evaluate(task, props["followUpDate"])
            if value:
                row.follow_up_at = due_date(spec, value, now, "跟进日期", name=name)
        found = assign_on_open(row, task, props, evaluate, role_for_lane)
        a_unknown: list[str] = []
        a_ambiguous: list[str] = []
        if row.assignee is not None:  # an account, or a 姓名 (engine/assignment.py); nobody: dropped, said below
            also = _also_unit(task, props, evaluate)
            got, a_unknown, a_ambiguous = resolve_candidates(conn, [row.assignee],
                                                             lambda name: may_be_named(conn, name, case, also))
            row.assignee = got[0] if got else None
        users, unknown, ambiguous = resolve_candidates(conn, [c.username for c in found],
                                                       lambda name: may_be_named(conn, name, case))
        candidates.extend({"task_id": tid, "username": u} for u in users)
        # a candidate naming a role (jBPM's bare potentialOwner 「inspector」, which its identity
        # callback reads as a group): that role's queue, as candidateGroups would; no person not found
        roles_named = [r for r in map(role_for_lane, unknown) if r is not None] if unknown else []
        if roles_named:
            unknown = [n for n in unknown if role_for_lane(n) is None]
            if role is None and row.assignee is None and not users:
                role = values["role_code"] = roles_named[0]
        to_starter = False
        if role is None and row.assignee is None and not users:
            if unknown or ambiguous:  # candidates named, none found: said (engine/assignment.py), not the starter's
                raise CandidatesNotFound(spec, unknown, ambiguous, a_unknown, a_ambiguous)
            # no role to queue it for: the one who opened the case. An assignee nobody the case may
            # name (a Camunda example's 「demo」, a 停用 official, another district's or enterprise's
            # account: security reviews 6 and 7) goes there too, as it did, now said in the history
            row.assignee = case.started_by
            to_starter = bool(a_unknown or a_ambiguous)
        note = dropped_note(a_unknown, a_ambiguous, unknown, ambiguous, to_starter)
        if note is not None:  # the names nobody is, said by the task_opened event (not a column: not inserted)
            values["note"] = note
        opened.append(values)
        kept[tid] = (due, bool(row.rules))
    if opened:
        sqlexec.defer(conn, _INSERT_TASKS, opened, many=True)
    if candidates:
        sqlexec.defer(conn, _INSERT_CANDIDATES, candidates, many=True)
    # restored from rows (``loaded.cold``) or read here: exclusions recomputed, as on every cold load
    changed = bool(opened or cancelled or completed or loaded.open_tasks is None or loaded.cold)
    loaded.cold = False
    if changed and any(ruled for _, ruled in kept.values()):
        tx.flush()  # what a hook or use case changed through the ORM session, if it made one, first
        refresh_exclusions(conn, case.id)
    loaded.open_tasks = kept
    return opened, cancelled


def project_timers(conn, case: Case, loaded, pending: list[PendingTimer]) -> None:
    """The case's timer rows as the waiting timers say (fired and cancelled ones deleted)."""
    have = loaded.timers
    if not pending and have is not None and not have:
        return  # no timer waits, none was written: most steps of most models
    want = {str(p.task.id): p for p in pending}
    if have is None:
        have = {r.id: r.due_at for r in sqlexec.all_rows(conn, _TIMERS_OF_CASE, {"case_id": case.id})}
    gone = [tid for tid in have if tid not in want]
    moved = [{"b_id": tid, "due": p.due_at} for tid, p in want.items() if tid in have and have[tid] != p.due_at]
    new = []
    for tid, p in want.items():
        if tid not in have:
            spec = p.task.task_spec
            new.append({"id": tid, "case_id": case.id, "element_id": spec.bpmn_id or spec.name,
                        "name": spec.bpmn_name or "", "kind": p.kind, "attached_to": p.attached_to,
                        "due_at": p.due_at, "lease_owner": None, "lease_until": None})
    sqlexec.defer(conn, _DELETE_TIMERS, [{"b_id": tid} for tid in gone], many=True)  # fired: fires once
    sqlexec.defer(conn, _MOVE_TIMER, moved, many=True)
    sqlexec.defer(conn, _INSERT_TIMERS, new, many=True)
    loaded.timers = {tid: p.due_at for tid, p in want.items()}
