"""The engine's service layer: the one place each use case runs (start, queue, claim, complete...).

Every call that changes a case is one database transaction, in this order: lock the case (bump its
version; a concurrent change makes this fail with Conflict), authorize, validate the form, load the
workflow (from the in-process cache when its version matches), run the task and the engine steps
after it, prune and write the changed state, refresh the human-task and timer projections, append
audit events, commit. Any failure rolls all of it back; a failing script leaves an incident instead.
"""
from __future__ import annotations

import logging
import threading
import traceback
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from . import audit, incidents, model_forms, projection, queries, state as wfstate, step, timer_sweep
from .step import ProcessFailure, run_model_code
from .clock import SystemClock
from .database import Database
from .directory import Directory, Principal
from .errors import (Conflict, EngineError, Forbidden, IncidentRaised, InvalidData, NotFound)
from .models import ModelStore
from .policy import Policy
from .schema import NO_DUE_DATE, Case, Counter, HumanTask, Incident, OrgUnit, TaskCandidate, TaskExclusion, TaskRow, Timer
from .case_log import script_print
from .scripting import DubanScriptEngine, StepRequests
from .stall import check as stall_check
from .messages import project_waits
from .external_tasks import project_external

log = logging.getLogger("duban.engine")



@dataclass
class CaseView:
    id: int
    case_no: str
    process_key: str
    model_id: int
    model_version: int
    status: str
    title: str
    org_code: str
    party: str | None
    escalation_level: int
    data: dict
    started_by: str
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    tasks: list[HumanTask] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)
    parent_case_id: int | None = None

    @property
    def active_tasks(self):
        return self.tasks


class Engine:
    """Public API of the BPMN runtime. See README for a tour."""

    def __init__(self, database_url: str, clock=None, forms=None, functions: dict[str, Callable] | None = None,
                 cache_size: int = 512):
        self.db = Database(database_url)
        self.clock = clock or SystemClock()
        self.forms = forms
        self.script_engine = DubanScriptEngine(self.clock, {"print": script_print, **(functions or {})})
        # Service task handlers by name (engine/service_tasks.py), registered by the workflows layer.
        self.service_handlers: dict[str, Callable] = {}
        self.script_engine.service_handlers = self.service_handlers
        self.directory = Directory(self)
        self.policy = Policy(self.directory)
        self.models = ModelStore(self)
        self._cache: OrderedDict[int, tuple[int, wfstate.LoadedState]] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        # After every step: a running case must wait on something, else incident 流程停滞 (engine/stall.py).
        # and its message/signal waits are projected to ``event_wait`` (engine/messages.py).
        # and its external tasks to ``external_task`` (engine/external_tasks.py).
        self.after_step_hooks: list[Callable[[Session, Case, BpmnWorkflow], None]] = [
            stall_check, project_waits, project_external]

    # ------------------------------------------------------------------------------------------
    # set-up
    def create_all(self) -> list[str]:
        return self.db.create_all()

    def register_service(self, name: str, handler: Callable) -> None:
        """A Python handler service tasks name (``serviceTaskOperator id`` or ``camunda:class``):
        ``handler(data, **params)`` returns a dict merged into the case data, or a value."""
        self.service_handlers[name] = handler

    def deploy(self, source, by: str = "system", filename: str | None = None):
        return self.models.deploy(source, by=by, filename=filename)

    def dry_run(self, content: bytes | str, filename: str, data_by_task: dict | None = None,
                start_data: dict | None = None, by: str = "designer") -> dict:
        """Walk a draft model on a throw-away database (see engine/dryrun.py); audited as ``by``'s."""
        from .dryrun import dry_run
        return dry_run(self, content, filename, data_by_task, start_data, by=by)

    # ------------------------------------------------------------------------------------------
    # cases
    def start(self, process_key: str, by: str, org: str | None = None, data: dict | None = None,
              title: str = "", party: str | None = None) -> Case:
        """Start a case (立案/登记) of the latest version of ``process_key``."""
        try:
            with step.transaction(self) as tx:
                s = tx.session
                principal = self.directory.principal(by, s)
                org = org or principal.org_code
                party = party if party is not None else principal.party
                if s.get(OrgUnit, org) is None:
                    raise InvalidData({"org": f"组织机构不存在: {org}"})
                self.policy.check_start(s, principal, org, party, process_key)
                case = step.start_in(self, tx, process_key, principal, org, data or {}, title, party)
            step.commit_cache(self, tx)
            return case
        except ProcessFailure as failure:  # a script/rule failed while the case was being set up
            raise self._record_incident(None, "start", None, None, by, {
                "process_key": process_key, "org": org, "data": data, "title": title, "party": party},
                failure.cause) from failure.cause

    # ------------------------------------------------------------------------------------------
    # messages and signals (engine/messages.py)
    def correlate_message(self, name: str, by: str, case_id: int | None = None, correlation: dict | None = None,
                          data: dict | None = None) -> dict:
        """Deliver message ``name`` to the one waiting case (by case id and/or correlation values),
        or start a case at a message start event. NotFound if none waits; Conflict if several do."""
        from . import messages
        try:
            return messages.correlate_message(self, name, by, case_id, correlation, data)
        except ProcessFailure as failure:
            raise self._record_incident(case_id, "message", None, None, by, {
                "name": name, "case_id": case_id, "correlation": step.jsonable(correlation),
                "data": step.jsonable(data)}, failure.cause) from failure.cause

    def broadcast_signal(self, name: str, by: str, data: dict | None = None, org: str | None = None) -> dict:
        """Signal ``name`` to every waiting case (in ``org`` and below) and start cases at signal
        start events; returns the case ids delivered to and started."""
        from . import messages
        try:
            return messages.broadcast_signal(self, name, by, data, org)
        except ProcessFailure as failure:
            raise self._record_incident(None, "signal", None, None, by, {
                "name": name, "org": org, "data": step.jsonable(data)}, failure.cause) from failure.cause

    # ------------------------------------------------------------------------------------------
    # external tasks (engine/external_tasks.py)
    def fetch_and_lock(self, topic: str, worker: str, lease: int = 300, by: str = "admin",
                       limit: int = 10) -> list[dict]:
        """Lock up to ``limit`` free external tasks of ``topic`` to ``worker`` for ``lease`` seconds."""
        from . import external_tasks
        return external_tasks.fetch_and_lock(self, topic, worker, lease, by, limit)

    def complete_external(self, task_id: str, worker: str, data: dict | None = None, by: str = "admin") -> int:
        """The worker's result: the case runs on (model failures become an incident)."""
        from . import external_tasks
        try:
            return external_tasks.complete_external(self, str(task_id), worker, data, by)
        except ProcessFailure as failure:
            raise self._record_incident(None, "external_complete", str(task_id), None, by, {
                "worker": worker, "data": step.jsonable(data)}, failure.cause) from failure.cause

    def fail_external(self, task_id: str, worker: str, message: str, retries: int | None = None,
                      retry_in: int = 0, by: str = "admin") -> dict:
        """The worker could not do it: offered again while attempts remain, then an incident."""
        from . import external_tasks
        return external_tasks.fail_external(self, str(task_id), worker, message, retries, retry_in, by)

    def _next_case_no(self, s: Session, process_key: str, now: datetime) -> str:
        year = now.astimezone(_SHANGHAI).year
        prefix = "".join(w[0] for w in process_key.split("_") if w).upper()[:4] or "C"
        name = f"case_no:{prefix}:{year}"
        row = s.execute(sa.select(Counter).where(Counter.name == name).with_for_update()).scalar_one_or_none()
        if row is None:
            try:
                with s.begin_nested():
                    row = Counter(name=name, value=0)
                    s.add(row)
            except sa.exc.IntegrityError:
                row = s.execute(sa.select(Counter).where(Counter.name == name).with_for_update()).scalar_one()
        row.value += 1
        return f"{prefix}-{year}-{row.value:05d}"

    def case(self, case_id: int, username: str | None = None) -> CaseView:
        """A case with its open tasks, data, timers, incidents and history (the audit events)."""
        with self.db.read() as s:
            case = s.get(Case, case_id)
            if case is None:
                raise NotFound(f"案件不存在: {case_id}")
            if username is not None:
                self.policy.check_case_view(s, self.directory.principal(username, s), case)
            model = self.models.get(case.model_id)
            tasks = list(s.execute(sa.select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.state == "open")
                                   .order_by(HumanTask.created_at)).scalars())
            incidents = list(s.execute(sa.select(Incident).where(Incident.case_id == case_id)
                                       .order_by(Incident.id)).scalars())
            timers = list(s.execute(sa.select(Timer).where(Timer.case_id == case_id).order_by(Timer.due_at)).scalars())
            return CaseView(id=case.id, case_no=case.case_no, process_key=case.process_key,
                            model_id=case.model_id, model_version=model.version, status=case.status, title=case.title,
                            org_code=case.org_code, party=case.party, escalation_level=case.escalation_level,
                            data=dict(case.data or {}), started_by=case.started_by, started_at=case.started_at,
                            updated_at=case.updated_at, ended_at=case.ended_at, tasks=tasks,
                            history=audit.history(s, case_id), incidents=incidents, timers=timers,
                            parent_case_id=case.parent_case_id)

    def case_elements(self, case_id: int) -> dict[str, list[str]]:
        """The model elements a case has been through (for the diagram): completed, active, cancelled."""
        with self.db.read() as s:
            rows = s.execute(sa.select(TaskRow.spec_name, TaskRow.state).where(TaskRow.case_id == case_id)).all()
        result = {"completed": set(), "active": set(), "cancelled": set()}
        for name, state in rows:
            if state == TaskState.COMPLETED:
                result["completed"].add(name)
            elif state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED, TaskState.ERROR):
                result["active"].add(name)
            elif state == TaskState.CANCELLED:
                result["cancelled"].add(name)
        return {k: sorted(v) for k, v in result.items()}

    def cases(self, username: str | None = None, *, status: str | None = None, process_key: str | None = None,
              case_no: str | None = None, party: str | None = None, org: str | None = None,
              limit: int = 50, offset: int = 0) -> list[Case]:
        with self.db.read() as s:
            q = sa.select(Case)
            if username is not None:
                q = q.where(queries.Scope(s, self.directory.principal(username, s), self.policy).cases())
            if status:
                q = q.where(Case.status == status)
            if process_key:
                q = q.where(Case.process_key == process_key)
            if case_no:
                q = q.where(Case.case_no.contains(case_no))
            if party:
                q = q.where(Case.party == party)
            if org:
                q = q.where(Case.org_code == org)
            return list(s.execute(q.order_by(Case.id.desc()).limit(limit).offset(offset)).scalars())

    def cancel(self, case_id: int, by: str, reason: str = "") -> None:
        """Withdraw a case (撤销): every open task and timer is cancelled."""
        with step.transaction(self) as tx:
            with step.locked_step(self, tx, case_id, by) as st:
                st.loaded.workflow.cancel()
                st.case.status = "cancelled"
                st.audit("cancelled", detail={"reason": reason})
                st.write(advance_first=False)
        step.commit_cache(self, tx)

    # ------------------------------------------------------------------------------------------
    # tasks
    QUEUE_SORTS = {
        "due": (HumanTask.due_sort, HumanTask.created_at),
        "follow_up": (HumanTask.follow_up_at, HumanTask.due_sort, HumanTask.created_at),
        "priority": (HumanTask.priority.desc(), HumanTask.due_sort, HumanTask.created_at),
        "created": (HumanTask.created_at,),
    }

    def queue(self, username: str, limit: int = 50, offset: int = 0, process_key: str | None = None,
              overdue_only: bool = False, org: str | None = None, sort: str = "due",
              follow_up_due: bool = False) -> list[HumanTask]:
        """Tasks this user may work now: claimed by or assigned to them, plus unclaimed ones their roles,
        org unit, enterprise or a candidate list allow, minus those a separation-of-duty rule excludes.

        Sorted by due date (none last) unless ``sort`` says follow_up, priority or created. Each way a
        task can be eligible is one index range scan already in order; the pages are merged here, so
        the cost does not grow with the number of open tasks in the database.
        """
        if sort not in self.QUEUE_SORTS:
            raise InvalidData({"sort": f"不支持的排序: {sort}"})
        want = offset + limit
        now = self.clock.now()
        order = self.QUEUE_SORTS[sort]
        with self.db.read() as s:
            p = self.directory.principal(username, s)
            # Exclusions and candidacies are few per user: read them first and pass literal ids, so
            # each branch stays a plain index range scan (a subquery made SQLite scan the pool).
            excluded = queries.Scope(s, p).excluded()
            rows: dict[str, HumanTask] = {}
            for clause in self._eligible_branches(s, p):
                q = sa.select(HumanTask).where(HumanTask.state == "open", clause)
                if excluded:
                    q = q.where(HumanTask.id.not_in(excluded))
                if process_key:
                    q = q.where(HumanTask.process_key == process_key)
                if org:
                    q = q.where(HumanTask.org_code == org)
                if overdue_only:
                    q = q.where(HumanTask.due_sort < now)
                if follow_up_due:
                    q = q.where(HumanTask.follow_up_at <= now)
                for row in s.execute(q.order_by(*order).limit(want)).scalars():
                    rows[row.id] = row
            return sorted(rows.values(), key=_queue_key(sort))[offset:want]

    def _eligible_branches(self, s: Session, p: Principal) -> list:
        """The ways a task can be in ``p``'s queue, each an indexable condition."""
        branches = [HumanTask.assignee == p.username]
        candidate_ids = list(s.execute(sa.select(TaskCandidate.task_id).where(TaskCandidate.username == p.username)).scalars())
        if candidate_ids:
            branches.append(sa.and_(HumanTask.id.in_(candidate_ids), HumanTask.assignee.is_(None)))
        if p.party:
            if p.roles:
                branches.append(sa.and_(HumanTask.party == p.party, HumanTask.role_code.in_(p.roles),
                                        HumanTask.assignee.is_(None)))
            return branches
        for role in sorted(p.roles):
            if role in p.supervising_roles:
                orgs = self.directory.org_codes_below(s, p.org_path)
                branches.append(sa.and_(HumanTask.role_code == role, HumanTask.org_code.in_(orgs),
                                        HumanTask.assignee.is_(None)))
            else:
                branches.append(sa.and_(HumanTask.role_code == role, HumanTask.org_code == p.org_code,
                                        HumanTask.assignee.is_(None)))
        return branches

    # ------------------------------------------------------------------------------------------
    # reassignment, delegation, follow-up and priority (转办、委托、跟进、优先级)
    def reassign(self, task_id: str, to_user: str, by: str, reason: str = "") -> HumanTask:
        """A supervisor hands an open task to another user who holds its role (转办)."""
        with self.db.write() as s:
            row = self._lock_task(s, task_id)
            self._reassign_locked(s, row, to_user, self.directory.principal(by, s), reason)
            return row

    def reassign_all(self, from_user: str, to_user: str, by: str, reason: str = "") -> int:
        """Move every open task claimed by or assigned to ``from_user`` (absent) to ``to_user``, at once."""
        with self.db.write() as s:
            supervisor = self.directory.principal(by, s)
            q = sa.select(HumanTask).where(HumanTask.assignee == from_user, HumanTask.state == "open")
            if not self.db.is_sqlite:
                q = q.with_for_update()
            rows = list(s.execute(q.order_by(HumanTask.created_at)).scalars())
            for row in rows:
                self._reassign_locked(s, row, to_user, supervisor, reason or f"{from_user} 不在岗")
            return len(rows)

    def _reassign_locked(self, s: Session, row: HumanTask, to_user: str, supervisor: Principal, reason: str):
        self.policy.check_supervise(s, supervisor, s.get(Case, row.case_id))
        self.policy.check_task(s, self.directory.principal(to_user, s), _unassigned(row))
        before = row.assignee
        row.assignee, row.owner, row.delegation = to_user, None, None
        audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=supervisor.username,
                     action="reassigned", at=self.clock.now(), task_id=row.id,
                     detail={"task": row.name, "from": before, "to": to_user, "reason": reason})

    def delegate(self, task_id: str, by: str, to_user: str, reason: str = "") -> HumanTask:
        """委托: the assignee asks ``to_user`` to work the task; it comes back to them to confirm."""
        with self.db.write() as s:
            row = self._lock_task(s, task_id)
            if row.assignee != by:
                raise Forbidden("只能委托自己名下的任务")
            self.policy.check_task(s, self.directory.principal(to_user, s), _unassigned(row))
            row.owner, row.assignee, row.delegation = by, to_user, "pending"
            audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=by, action="delegated",
                         at=self.clock.now(), task_id=row.id, detail={"task": row.name, "to": to_user, "reason": reason})
            return row

    def resolve(self, task_id: str, by: str, data: dict | None = None) -> HumanTask:
        """The delegate hands the task back with their work saved as a draft for the owner (办理完毕退回)."""
        with self.db.write() as s:
            row = self._lock_task(s, task_id)
            if row.delegation != "pending" or row.assignee != by:
                raise Forbidden("该任务不是委托给您的")
            cleaned = self._validate_form(row.form_key, dict(data or {}))
            row.draft, row.assignee, row.delegation = _jsonable(cleaned), row.owner, "resolved"
            audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=by, action="resolved",
                         at=self.clock.now(), task_id=row.id, detail={"task": row.name, "to": row.owner,
                                                                      "data": _jsonable(cleaned)})
            return row

    def set_follow_up(self, task_id: str, by: str, when: datetime | None) -> HumanTask:
        with self.db.write() as s:
            row = self._lock_task(s, task_id)
            self.policy.check_task(s, self.directory.principal(by, s), row)
            row.follow_up_at = when
            audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=by,
                         action="follow_up_set", at=self.clock.now(), task_id=row.id,
                         detail={"follow_up_at": when.isoformat() if when else None})
            return row

    def set_priority(self, task_id: str, by: str, priority: int) -> HumanTask:
        with self.db.write() as s:
            row = self._lock_task(s, task_id)
            p = self.directory.principal(by, s)
            try:
                self.policy.check_supervise(s, p, s.get(Case, row.case_id))
            except Forbidden:
                self.policy.check_task(s, p, row)
            row.priority = int(priority)
            audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=by,
                         action="priority_set", at=self.clock.now(), task_id=row.id, detail={"priority": row.priority})
            return row

    def release_ineligible_claims(self, s: Session, username: str) -> list[str]:
        """After a role or org change: claims the user may no longer hold go back to the group queue."""
        p = self.directory.principal(username, s)
        released = []
        for row in s.execute(sa.select(HumanTask).where(HumanTask.assignee == username, HumanTask.state == "open")).scalars():
            try:
                self.policy.check_task(s, p, _unassigned(row))
            except Forbidden:
                row.assignee = None
                released.append(row.id)
                audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor="engine",
                             action="released", at=self.clock.now(), task_id=row.id,
                             detail={"task": row.name, "user": username, "reason": "岗位或组织机构变更"})
        return released

    def task(self, task_id: str) -> HumanTask:
        with self.db.read() as s:
            row = s.get(HumanTask, str(task_id))
            if row is None:
                raise NotFound(f"任务不存在: {task_id}")
            return row

    def done_by(self, username: str, limit: int = 50, offset: int = 0) -> list[HumanTask]:
        """已办: tasks this user completed, newest first."""
        with self.db.read() as s:
            return list(s.execute(sa.select(HumanTask).where(HumanTask.completed_by == username)
                                  .order_by(HumanTask.completed_at.desc()).limit(limit).offset(offset)).scalars())

    def may_work(self, task_id: str, username: str) -> bool:
        with self.db.read() as s:
            row = s.get(HumanTask, str(task_id))
            if row is None:
                return False
            try:
                self.policy.check_task(s, self.directory.principal(username, s), row)
                return True
            except Forbidden:
                return False

    def claim(self, task_id: str, username: str) -> HumanTask:
        """认领: the task leaves the group queue and waits for this user alone."""
        with self.db.write() as s:
            row = self._lock_task(s, task_id)
            p = self.directory.principal(username, s)
            self.policy.check_task(s, p, row)
            if row.assignee == username:
                return row
            if row.assignee is not None:
                raise Conflict(f"任务已被 {row.assignee} 认领")
            row.assignee = username
            audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=username,
                         action="claimed", at=self.clock.now(), task_id=row.id, detail={"task": row.name})
            return row

    def release(self, task_id: str, username: str) -> HumanTask:
        """退回组待办: give a claimed task back to the group queue."""
        with self.db.write() as s:
            row = self._lock_task(s, task_id)
            if row.assignee != username:
                raise Forbidden("只能释放自己认领的任务")
            row.assignee = None
            audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=username,
                         action="released", at=self.clock.now(), task_id=row.id, detail={"task": row.name})
            return row

    def complete(self, task_id: str, username: str, data: dict | None = None) -> Case:
        """Complete a user task with the submitted form data, and run the process on to its next wait.

        The step pipeline (engine/step.py) with its guards in order: the task exists; the case lock
        (version check); the task row read again under the lock is still open (task-state check);
        authorization; the claim; the form; the workflow task is still READY (READY check)."""
        task_id = str(task_id)
        data = dict(data or {})
        row = None
        try:
            with step.transaction(self) as tx:
                row = step.select_task(tx, task_id, username)
                if row is None:
                    raise NotFound(f"任务不存在: {task_id}")
                with step.locked_step(self, tx, row.case_id, username) as st:
                    if not tx.is_sqlite:  # read before we held the case lock; SQLite's BEGIN IMMEDIATE came first
                        row = step.select_task(tx, task_id, username, lock=True)
                    case = self._complete_locked(tx, st, row, username, data)
            step.commit_cache(self, tx)
            return case
        except ProcessFailure as failure:
            raise self._record_incident(row.case_id, "complete", task_id, row.spec_id, username,
                                        {"data": step.jsonable(data)}, failure.cause) from failure.cause

    def _complete_locked(self, tx, st, row, username, data) -> Case:
        if row.state != "open":
            raise Conflict(f"任务已{ {'completed': '完成', 'cancelled': '取消'}.get(row.state, row.state) }，不能重复提交")
        p = self.directory.cached_principal(username, tx.session, tx.directory_version)
        self.policy.check_task(tx.session, p, row, known=(row.exclusion, bool(row.candidate)),
                               directory_version=tx.directory_version)
        if row.assignee is not None and row.assignee != username:
            raise Conflict(f"任务已被 {row.assignee} 认领")
        cleaned = self._validate_form(row.form_key, data)
        task = st.loaded.workflow.get_task_from_id(uuid.UUID(row.id))
        if task is None or not projection.is_human_work(task):
            raise Conflict("任务状态已变化，请刷新")
        if not row.form_key:  # a form drawn in the model (Camunda formData, Flowable formProperty)
            cleaned = model_forms.check(projection.task_properties(task.task_spec), cleaned)
        task.set_data(**cleaned)
        with StepRequests() as requests:
            # A waiting service task (STARTED) is done by the person; a user or manual task runs.
            run_model_code(task.complete if task.state == TaskState.STARTED else task.run)
            st.audit("completed", task_id=row.id, detail={"task": row.name, "element": row.spec_id,
                                                           "data": step.jsonable(cleaned)})
            st.write(completed=(row.id, username), requests=requests)
        return st.case

    def _validate_form(self, form_key: str | None, data: dict) -> dict:
        if not form_key or self.forms is None:
            return data
        try:
            return self.forms.validate(form_key, data)
        except InvalidData:
            raise
        except Exception as exc:
            errors = getattr(exc, "errors", None)
            if isinstance(errors, dict):
                raise InvalidData({k: (v if isinstance(v, str) else "; ".join(map(str, v)) if isinstance(v, list)
                                       else str(v)) for k, v in errors.items()}) from None
            raise

    # ------------------------------------------------------------------------------------------
    # incidents
    def incidents(self, open_only: bool = True, case_id: int | None = None) -> list[Incident]:
        return incidents.listing(self, open_only, case_id)

    def retry_incident(self, incident_id: int, by: str, data: dict | None = None):
        """Run the failed command again (engine/incidents.py); resolves the incident on success."""
        return incidents.retry(self, incident_id, by, data)

    def can_retry(self, incident: Incident, username: str) -> bool:
        return incidents.can_retry(self, incident, username)

    def _check_incident(self, s: Session, p: Principal, inc: Incident) -> None:
        incidents.check(self, s, p, inc)

    def _record_incident(self, case_id, action, task_id, element_id, actor, payload, exc) -> IncidentRaised:
        return incidents.record(self, case_id, action, task_id, element_id, actor, payload, exc)

    # ------------------------------------------------------------------------------------------
    # timers
    def run_due_timers(self, worker: str | None = None, limit: int = 100, lease_seconds: int = 60) -> int:
        """Fire every timer due on the engine clock; returns how many fired. Safe to run from many
        workers (engine/timer_sweep.py)."""
        return timer_sweep.run_due_timers(self, worker, limit, lease_seconds)

    def _claim_due_timers(self, worker: str, limit: int, lease_seconds: int) -> list[tuple[int, str]]:
        return timer_sweep.claim_due(self, worker, limit, lease_seconds)

    def _fire_case_timers(self, case_id: int, worker: str, force: bool = False) -> int:
        return timer_sweep.fire_case(self, case_id, worker, force)

    # ------------------------------------------------------------------------------------------
    # authorization (one policy: lane role, org scope, enterprise, assignee)
    def can_view(self, case_id: int, username: str) -> bool:
        with self.db.read() as s:
            case = s.get(Case, case_id)
            if case is None:
                return False
            try:
                self.policy.check_case_view(s, self.directory.principal(username, s), case)
                return True
            except Forbidden:
                return False

    def _lock_task(self, s: Session, task_id: str) -> HumanTask:
        q = sa.select(HumanTask).where(HumanTask.id == str(task_id))
        if not self.db.is_sqlite:
            q = q.with_for_update()
        row = s.execute(q).scalar_one_or_none()
        if row is None:
            raise NotFound(f"任务不存在: {task_id}")
        if row.state != "open":
            raise Conflict("任务已办结")
        return row

    # ------------------------------------------------------------------------------------------
    # cache of restored workflows, keyed by case id and version counter
    def _cache_take(self, case_id: int, version: int):
        with self._cache_lock:
            entry = self._cache.pop(case_id, None)
        if entry is not None and entry[0] == version:
            return entry[1]
        return None

    def _cache_put(self, case: Case, loaded: wfstate.LoadedState) -> None:
        with self._cache_lock:
            self._cache[case.id] = (case.version, loaded)
            self._cache.move_to_end(case.id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def _evict(self, case_id: int) -> None:
        with self._cache_lock:
            self._cache.pop(case_id, None)

    # ------------------------------------------------------------------------------------------
    def verify_audit(self):
        with self.db.read() as s:
            return audit.verify(s)

    def dispose(self) -> None:
        self.db.dispose()


def _queue_key(sort: str):
    far = NO_DUE_DATE
    if sort == "follow_up":
        return lambda r: (r.follow_up_at or far, r.due_sort, r.created_at, r.id)
    if sort == "priority":
        return lambda r: (-(r.priority or 0), r.due_sort, r.created_at, r.id)
    if sort == "created":
        return lambda r: (r.created_at, r.id)
    return lambda r: (r.due_sort, r.created_at, r.id)


class _Unassigned:
    """A view of a task row without its assignee, to ask "could this user work it?"."""

    def __init__(self, row: HumanTask):
        self._row = row

    def __getattr__(self, name):
        return None if name == "assignee" else getattr(self._row, name)


def _unassigned(row: HumanTask):
    return _Unassigned(row)


def _jsonable(value):
    return step.jsonable(value)


def _error_message(exc: BaseException) -> str:
    return incidents.error_message(exc)


from .clock import SHANGHAI as _SHANGHAI  # noqa: E402
