"""External tasks (外部任务): service tasks another system works, in the fetch-and-lock style.

A service task with ``camunda:type="external" camunda:topic="sms"`` (or Camunda 8's
``zeebe:taskDefinition type="sms"``, or our ``externalTopic`` property) waits in the
``external_task`` table. A worker of the other system (the SMS gateway, the provincial data
exchange):

1. ``fetch_and_lock(topic, worker, lease)`` — takes up to ``limit`` free tasks of the topic, each
   with the case data, locked to it for ``lease`` seconds (another worker gets them once the lease
   runs out: a crashed worker loses nothing);
2. ``complete_external(task_id, worker, data)`` — the case data gets ``data`` and the case runs on,
   in one step like a person's completion;
3. or ``fail_external(task_id, worker, message, retries=None, retry_in=0)`` — the task is offered
   again after ``retry_in`` seconds while attempts remain (3 unless the worker says); then it is
   an incident 外部任务失败 with the worker's message, and a supervisor's retry offers it again;
   ``variables`` sent with it go into the case data (Camunda 7's ``POST /external-task/{id}/failure``
   sets them on the process instance), so the next fetch of the task has them;
4. or ``bpmn_error_external(task_id, worker, code, message, variables)`` — the worker reports a
   business error (Camunda 7's ``POST /external-task/{id}/bpmnError``): the variables go into the case
   data and the BPMN error of that code is thrown at the task, caught by its error boundary event or
   the nearest event sub-process (engine/scoped_events.py); caught by none, the task is an incident
   naming it and the code, as Zeebe says of an error nobody catches (Camunda 7 would end the path
   silently: engine/thrown_errors.py), and a supervisor's retry offers it to workers again.

Who may fetch and complete: holders of the task's ``workerRoles`` property, else administrators —
each only the tasks of cases it may see (``Policy.check_case_view``: a worker account of the city
sees the districts' cases, a district's sees its own), since a fetched task carries its case's
whole data. ``workerRoles`` say which roles may work a topic, not whose cases.
"""
from __future__ import annotations

import uuid
from copy import deepcopy
from datetime import timedelta

import sqlalchemy as sa
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from . import scoped_events, sqlexec, step, thrown_errors
from .directory import version_column
from .errors import Conflict, Forbidden, NotFound
from .incidents import register_retry
from .schema import Case, ExternalTask, Incident
from .spec_facts import per_spec
from .dialects import ERROR_GATEWAY
from .service_tasks import DubanServiceTask, service_kind
from .state import all_workflows

DEFAULT_RETRIES = 3
_EXT = ExternalTask.__table__
_CASE = Case.__table__
# an external task with what the read policy asks of its case (``_sees_case``), in the same read
_WITH_CASE = (_CASE.c.org_code.label("case_org"), _CASE.c.party.label("case_party"),
              _CASE.c.process_key.label("case_process"), _CASE.c.model_id.label("case_model"))
_EXT_OF_CASE = sqlexec.Sql(sa.select(_EXT.c.id).where(_EXT.c.case_id == sa.bindparam("case_id")))


def _props(spec) -> dict:
    return (getattr(spec, "extensions", None) or {}).get("properties") or {}


def waiting_external(workflow) -> list:
    return [t for wf in all_workflows(workflow) for t in wf.tasks.values()
            if t.state == TaskState.STARTED and isinstance(t.task_spec, DubanServiceTask)
            and service_kind(t.task_spec) == "external"]


def may_wait_external(workflow) -> bool:
    """Whether any element of the case's processes is a service task another system works
    (``service_kind`` external). If none is, ``project_external`` looks through none of its tasks."""
    return _has_external(workflow.spec) or any(_has_external(spec) for spec in workflow.subprocess_specs.values())


@per_spec
def _has_external(process_spec) -> bool:
    """A process spec with an external service task (fixed when its model is parsed: asked once)."""
    return any(isinstance(spec, DubanServiceTask) and service_kind(spec) == "external"
               for spec in process_spec.task_specs.values())


def project_external(session, case, workflow) -> None:
    """After-step hook: the case's ``external_task`` rows as its waiting external tasks say."""
    want = ({str(t.id): t for t in waiting_external(workflow)}
            if case.status == "running" and may_wait_external(workflow) else {})
    # The ids as last written ride on the workflow object the engine caches per case version (as in
    # messages.project_waits; only this hook inserts or deletes the rows): an unchanged projection
    # costs no statement, a changed one compares with them instead of reading the rows; a workflow
    # restored from rows holds the ids stored (read with its rows in one statement,
    # engine/case_rows.py); any other reads them. The writes go with the step's next round trip.
    last = getattr(workflow, "_duban_external", None)
    if last is not None and last == set(want):
        return
    workflow._duban_external = set(want)
    conn = session.connection()
    have = last if last is not None else {r.id for r in sqlexec.all_rows(conn, _EXT_OF_CASE, {"case_id": case.id})}
    sqlexec.defer(conn, _DELETE_EXT, [{"b_id": tid} for tid in have if tid not in want], many=True)
    rows = []
    for tid, task in want.items():
        if tid in have:
            continue
        spec = task.task_spec
        props = _props(spec)
        roles = [r.strip() for r in (props.get("workerRoles") or "").replace("，", ",").split(",") if r.strip()]
        rows.append(dict(
            id=tid, case_id=case.id, topic=props["externalTopic"], element_id=spec.bpmn_id or spec.name,
            name=spec.bpmn_name or "", worker=None, lock_until=None, retries=_drawn_retries(props), error_message=None,
            incident_id=None, worker_roles=roles or None, created_at=case.updated_at))
    sqlexec.defer(conn, _INSERT_EXT, rows, many=True)


def _drawn_retries(props: dict) -> int | None:
    """The attempts the model draws for the task (Zeebe's ``retries``, engine/dialects._job_retries);
    None: DEFAULT_RETRIES."""
    drawn = props.get("externalRetries")
    return int(drawn) if drawn else None


# engine/step.py ``hooks_for``: a step of a case whose model has no external task skips the hook.
project_external.applies_to = may_wait_external  # type: ignore[attr-defined]


_DELETE_EXT = sqlexec.Sql(sa.delete(_EXT).where(_EXT.c.id == sa.bindparam("b_id")))
_INSERT_EXT = sqlexec.Sql(sa.insert(_EXT), keys=("id", "case_id", "topic", "element_id", "name", "worker",
                                                      "lock_until", "retries", "error_message", "incident_id",
                                                      "worker_roles", "created_at"))


def _may_work(engine, session, principal, roles, directory_version: int | None = None) -> bool:
    """``directory_version``: the directory counter read in this transaction (roles from the
    directory's cache); None: read afresh."""
    return "admin" in principal.roles or engine.directory.holds_a_lane(session, principal, roles, directory_version)


class _CaseRef:
    """What the read policy asks of a case (``Policy.check_case_view``), from an external task row
    read with its case's unit and party."""
    __slots__ = ("id", "org_code", "party", "process_key", "model_id")

    def __init__(self, row):
        self.id, self.org_code, self.party = row.case_id, row.case_org, row.case_party
        self.process_key, self.model_id = row.case_process, row.case_model


def _sees_case(engine, session, principal, row, directory_version: int | None = None) -> bool:
    """May ``principal`` see the case of external task ``row``? Before, a holder of the worker role
    in 西城区 fetched 东城区's tasks with their case data, and completed them."""
    try:
        engine.policy.check_case_view(session, principal, _CaseRef(row), directory_version)
    except Forbidden:
        return False
    return True


def fetch_and_lock(engine, topic: str, worker: str, lease: int = 300, by: str = "admin", limit: int = 10) -> list[dict]:
    """Lock up to ``limit`` free tasks of ``topic`` to ``worker`` for ``lease`` seconds."""
    now = engine.clock.now()
    with step.transaction(engine) as tx:
        principal = engine.directory.principal(by, tx.session)
        q = (sa.select(_EXT, *_WITH_CASE).join(_CASE, _CASE.c.id == _EXT.c.case_id)
             .where(_EXT.c.topic == topic, _EXT.c.incident_id.is_(None),
                    sa.or_(_EXT.c.lock_until.is_(None), _EXT.c.lock_until < now))
             .order_by(_EXT.c.created_at, _EXT.c.id).limit(max(1, min(limit, 100)) * 4))
        if not tx.is_sqlite:
            q = q.with_for_update(of=_EXT, skip_locked=True)
        rows = [r for r in tx.conn.execute(q) if _may_work(engine, tx.session, principal, r.worker_roles)
                and _sees_case(engine, tx.session, principal, r)][:limit]
        if not rows:
            return []
        until = now + timedelta(seconds=lease)
        tx.conn.execute(sa.update(_EXT).where(_EXT.c.id.in_([r.id for r in rows]))
                        .values(worker=worker, lock_until=until))
        data = {cid: d or {} for cid, d in tx.conn.execute(
            sa.select(step.CASE.c.id, step.CASE.c.data).where(step.CASE.c.id.in_({r.case_id for r in rows})))}
        return [{"id": r.id, "case_id": r.case_id, "topic": r.topic, "element_id": r.element_id, "name": r.name,
                 "lock_until": until, "retries": r.retries, "variables": data.get(r.case_id, {})} for r in rows]


_TASK_WITH_DIRECTORY = sa.select(_EXT, *_WITH_CASE, version_column()).join(
    _CASE, _CASE.c.id == _EXT.c.case_id).where(_EXT.c.id == sa.bindparam("id"))


def _locked_row(tx, task_id: str, worker: str, now, force: bool = False):
    """The external task's row (with the directory counter), if ``worker`` holds its lock."""
    row = tx.conn.execute(_TASK_WITH_DIRECTORY, {"id": task_id}).first()
    if row is None:
        raise NotFound(f"外部任务不存在或已完成: {task_id}")
    if not force and row.worker != worker or row.lock_until is None or row.lock_until < now:
        raise Conflict(f"外部任务 {task_id} 未被 {worker} 锁定（或锁定已过期），请重新获取")
    return row


def complete_external(engine, task_id: str, worker: str, data: dict | None = None, by: str = "admin",
                      force: bool = False) -> int:
    """The worker's result goes into the case data and the case runs on; returns the case id.
    ``force``: a supervisor's retry of a completion that raised an incident (the lock may be gone).
    One transaction."""
    now = engine.clock.now()

    def run() -> int:
        with step.transaction(engine) as tx:
            row = _locked_row(tx, task_id, worker, now, force)
            version = row.directory_version or 0
            principal = engine.directory.cached_principal(by, tx.session, version)
            if not (_may_work(engine, tx.session, principal, row.worker_roles, version)
                    and _sees_case(engine, tx.session, principal, row, version)):
                raise Forbidden(f"用户 {by} 无权办理外部任务「{row.name or row.element_id}」")
            with step.locked_step(engine, tx, row.case_id, by) as st:
                task = st.loaded.workflow.get_task_from_id(uuid.UUID(task_id))
                if task is None or task.state != TaskState.STARTED:
                    raise Conflict("外部任务状态已变化")
                with step.StepRequests() as requests:
                    task.set_data(**dict(data or {}))
                    _give_to_error_scope(task, data or {})
                    step.run_model_code(task.complete)
                    st.audit("external_completed", task_id=task_id,
                             detail={"task": row.name, "element": row.element_id, "topic": row.topic, "worker": worker,
                                     "data": step.jsonable(data or {})})
                    st.write(requests=requests)
            case_id = row.case_id
        step.commit_cache(engine, tx)
        return case_id

    return run()


def _give_to_error_scope(task, data: dict) -> None:
    """A completion's variables given also to the sub-process that wraps a task with error definitions
    (engine/dialects._external_task_errors) and to its boundary events' split: Camunda 7 sets them on
    the execution before it evaluates the definitions (``ExternalTaskEntity.complete``), so the path
    of a boundary event that catches the thrown error reads them. Before, that path started from the
    data as it was when the task opened: the worker's pushStatus and receipt number were lost."""
    if not data or not _props(task.task_spec).get(ERROR_GATEWAY):
        return
    top = task.workflow.top_workflow
    host = top.get_task_from_id(task.workflow.parent_task_id) if task.workflow is not top else None
    if host is None:
        return
    host.set_data(**deepcopy(data))
    if isinstance(host.parent.task_spec, BoundaryEventSplit):
        host.parent.set_data(**deepcopy(data))


def _draws_error_definitions(engine, tx, row) -> bool:
    """Does the external task of ``row`` carry error definitions (its spec's ``externalErrorGateway``)?
    Read from the case's spec bundle (kept in memory): a failure of any other task loads no case."""
    bundle = tx.conn.execute(sa.select(_CASE.c.bundle_hash).where(_CASE.c.id == row.case_id)).scalar()
    if bundle is None:
        return False
    spec, subprocess_specs = engine.models.specs(tx.session, bundle)
    for process in (spec, *subprocess_specs.values()):
        task_spec = process.task_specs.get(row.element_id)
        if task_spec is not None and _props(task_spec).get(ERROR_GATEWAY):
            return True
    return False


def _error_on_failure(task, context: dict):
    """The error end event of the first definition whose expression holds over the case data and
    ``externalTask`` (the failure's errorMessage, errorDetails, workerId, topicName, retries), in the
    order drawn; None if none does. As Camunda 7's ``ExternalTaskEntity.failed`` (evaluated with
    ``continueOnException``): an expression that cannot be evaluated is passed over, and only a
    true yes throws."""
    gateway = task.workflow.spec.task_specs.get(_props(task.task_spec).get(ERROR_GATEWAY) or "")
    for condition, target in getattr(gateway, "cond_task_specs", None) or ():
        thrown = task.workflow.spec.task_specs.get(target)
        if condition is None or getattr(thrown, "event_definition", None) is None:
            continue
        try:
            value = task.workflow.script_engine.evaluate(task, condition.args[0], external_context=context)
        except Exception:  # noqa: BLE001 — Camunda logs it and evaluates the next definition
            continue
        if value is True:
            return thrown
    return None


def fail_external(engine, task_id: str, worker: str, message: str, retries: int | None = None,
                  retry_in: int = 0, by: str = "admin", details: str | None = None,
                  variables: dict | None = None) -> dict:
    """Offer the task again after ``retry_in`` seconds while attempts remain, else an incident. A task
    with error definitions (Camunda 7's ``camunda:errorEventDefinition``) has them evaluated first, as
    Camunda does on a failure: the first that holds throws its error (caught by a boundary event or
    event sub-process) and the failure counts no attempt; ``thrown`` in the answer names it.
    ``variables``: set in the case data before the definitions are evaluated, as Camunda 7 sets a
    failure's variables on the process instance (kept whether or not an error is thrown)."""
    now = engine.clock.now()
    message = (message or "外部系统未说明原因")[:2000]
    answer = None
    with step.transaction(engine) as tx:
        row = _locked_row(tx, task_id, worker, now)
        principal = engine.directory.principal(by, tx.session)
        if not (_may_work(engine, tx.session, principal, row.worker_roles)
                and _sees_case(engine, tx.session, principal, row)):
            raise Forbidden(f"用户 {by} 无权办理外部任务「{row.name or row.element_id}」")
        errors_drawn = _draws_error_definitions(engine, tx, row)
        if errors_drawn or variables:
            left_now = row.retries if row.retries is not None else DEFAULT_RETRIES
            context = {"externalTask": {"errorMessage": message, "errorDetails": details, "workerId": worker,
                                        "topicName": row.topic, "retries": left_now}}
            with step.locked_step(engine, tx, row.case_id, by) as st:
                task = _started(st, task_id)
                if variables:
                    task.set_data(**deepcopy(variables))
                    _give_to_error_scope(task, variables)
                thrown = _error_on_failure(task, context) if errors_drawn else None
                if thrown is not None:
                    with step.StepRequests() as requests:
                        step.run_model_code(thrown.event_definition.throw, task)
                        st.audit("external_failed", task_id=task_id,
                                 detail={"task": row.name, "element": row.element_id, "topic": row.topic,
                                         "worker": worker, "message": message, "thrown": thrown.bpmn_name or thrown.bpmn_id,
                                         **({"data": step.jsonable(variables)} if variables else {})})
                        st.write(requests=requests)
                elif variables:  # the variables kept; the failure is counted below
                    st.write(advance_first=False)
            if thrown is not None:
                answer = {"retries": row.retries if row.retries is not None else DEFAULT_RETRIES, "incident_id": None,
                          "thrown": thrown.bpmn_name or thrown.bpmn_id}
        if answer is None:
            answer = _count_failure(tx, row, task_id, worker, message, retries, retry_in, by, now, variables)
    step.commit_cache(engine, tx)
    return answer


def _started(st, task_id: str):
    """The external task ``task_id`` of the locked case, still waiting on its worker."""
    task = st.loaded.workflow.get_task_from_id(uuid.UUID(task_id))
    if task is None or task.state != TaskState.STARTED:
        raise Conflict("外部任务状态已变化")
    return task


class _NotCaught(Exception):
    """A reported BPMN error nothing catches: the step is given up (the workflow, which the search
    for catchers may have changed, leaves the cache) and the task becomes an incident."""


def _own_boundary_catchers(task, event) -> list:
    """The error boundary events attached to ``task`` itself that catch ``event``, those naming its
    code before a catch-all (a task wrapped for its error definitions has its boundary events on the
    wrapping sub-process: engine/scoped_events.catchers finds them there)."""
    split = task.parent
    if split is None or not isinstance(split.task_spec, BoundaryEventSplit):
        return []
    found = [t for t in split.children if t is not task and isinstance(t.task_spec, BoundaryEvent)
             and t.state == TaskState.WAITING and t.task_spec.catches(t, event)]
    named = [t for t in found if getattr(t.task_spec.event_definition, "code", None) is not None]
    return named or found


def _throw_reported_error(task, code: str, message: str | None, variables: dict | None) -> int:
    """Throw the BPMN error ``code`` (payload: ``message``, which a catching event's
    ``camunda:errorMessageVariable`` receives) at ``task``: its own boundary events first, then the
    enclosing scopes as an error end event inside them would be caught. The number of catchers.
    ``variables`` go to the catchers too: their paths start from the data they were made with."""
    definition = thrown_errors.ErrorEventDefinition(code, code=code)
    event = BpmnEvent(definition, payload=message)
    caught = _own_boundary_catchers(task, event) or scoped_events.catchers(task, event)
    for catcher in caught:
        if variables:
            catcher.set_data(**deepcopy(variables))
        catcher.task_spec.catch(catcher, event)
        catcher.task_spec._update(catcher)
    return len(caught)


def bpmn_error_external(engine, task_id: str, worker: str, code: str, message: str | None = None,
                        variables: dict | None = None, by: str = "admin", force: bool = False) -> dict:
    """The worker reports a business error (业务错误) with ``code`` (Camunda 7's ``POST
    /external-task/{id}/bpmnError``: errorCode, errorMessage, variables): the variables go into the
    case data, then the error is thrown at the task and its catcher's path runs (``caught``: how many
    events caught it). Caught by none: the task is an incident naming it and the code, no attempt is
    counted and the case stays where it was; a supervisor's retry offers the task to workers again.
    ``force``: a supervisor's retry of a report whose catcher's path raised an incident."""
    now = engine.clock.now()
    message = (message or "")[:2000] or None
    with step.transaction(engine) as tx:
        row = _locked_row(tx, task_id, worker, now, force)
        principal = engine.directory.principal(by, tx.session)
        if not (_may_work(engine, tx.session, principal, row.worker_roles)
                and _sees_case(engine, tx.session, principal, row)):
            raise Forbidden(f"用户 {by} 无权办理外部任务「{row.name or row.element_id}」")
        detail = {"task": row.name, "element": row.element_id, "topic": row.topic, "worker": worker,
                  "code": code, "message": message, **({"data": step.jsonable(variables)} if variables else {})}
        try:
            with step.locked_step(engine, tx, row.case_id, by) as st:
                task = _started(st, task_id)
                with step.StepRequests() as requests:
                    if variables:
                        task.set_data(**deepcopy(variables))
                        _give_to_error_scope(task, variables)
                    caught = step.run_model_code(_throw_reported_error, task, code, message, variables)
                    if not caught:
                        raise _NotCaught
                    st.audit("external_bpmn_error", task_id=task_id, detail=detail)
                    st.write(requests=requests)
        except _NotCaught:
            what = row.name or row.element_id
            inc = Incident(case_id=row.case_id, action="external", task_id=task_id, element_id=row.element_id,
                           actor=by, payload={"topic": row.topic, "code": code}, created_at=now,
                           message=f"外部任务「{what}」报告业务错误（错误代码「{code}」"
                                   f"{'：' + message if message else ''}），但该任务没有捕获此错误的边界事件，"
                                   "所在流程也没有捕获它的事件子流程；案件停在这一步。请流程设计员为该错误代码画上"
                                   "错误边界事件，或与外部系统核对错误代码后重试（重试即再次提供给外部系统办理）")
            tx.session.add(inc)
            tx.session.flush()
            tx.conn.execute(sa.update(_EXT).where(_EXT.c.id == task_id).values(
                worker=None, lock_until=None, error_message=inc.message[:2000], incident_id=inc.id))
            tx.audit.case(row.case_id, actor=by, action="external_bpmn_error", at=now, task_id=task_id,
                          detail={**detail, "incident": inc.id})
            return {"caught": 0, "incident_id": inc.id}
    step.commit_cache(engine, tx)
    return {"caught": caught, "incident_id": None}


def _count_failure(tx, row, task_id: str, worker: str, message: str, retries: int | None, retry_in: int, by: str,
                   now, variables: dict | None = None) -> dict:
    """A failure that threw no error: one attempt fewer, offered again later or an incident."""
    left = (retries if retries is not None else (row.retries if row.retries is not None else DEFAULT_RETRIES)) - 1
    values = {"worker": None, "retries": max(left, 0), "error_message": message,
              "lock_until": now + timedelta(seconds=max(retry_in, 0)) if retry_in else None}
    detail = {"task": row.name, "element": row.element_id, "topic": row.topic, "worker": worker,
              "message": message, "retries_left": max(left, 0)}
    if variables:
        detail["data"] = step.jsonable(variables)
    incident_id = None
    if left <= 0:
        inc = Incident(case_id=row.case_id, action="external", task_id=task_id, element_id=row.element_id,
                       actor=by, payload={"topic": row.topic}, created_at=now,
                       message=f"外部任务失败：{row.name or row.element_id}（{row.topic}）：{message}")
        tx.session.add(inc)
        tx.session.flush()
        incident_id = values["incident_id"] = inc.id
        detail["incident"] = inc.id
    tx.conn.execute(sa.update(_EXT).where(_EXT.c.id == task_id).values(**values))
    tx.audit.case(row.case_id, actor=by, action="external_failed", at=now, task_id=task_id, detail=detail)
    return {"retries": max(left, 0), "incident_id": incident_id}


def retry_after_incident(engine, task_id: str) -> None:
    """A supervisor's retry: the task is offered to workers again with one attempt."""
    with step.transaction(engine) as tx:
        tx.conn.execute(sa.update(_EXT).where(_EXT.c.id == task_id).values(
            incident_id=None, retries=1, worker=None, lock_until=None))


# A supervisor's retry of an incident (engine/incidents.py): retries ran out, or a completion failed.
register_retry("external", lambda engine, command, by: retry_after_incident(engine, command.task_id))
register_retry("external_bpmn_error", lambda engine, command, by: bpmn_error_external(
    engine, command.task_id, command.payload.get("worker"), command.payload.get("code"), command.payload.get("message"),
    command.payload.get("data"), by=command.actor, force=True))
register_retry("external_complete", lambda engine, command, by: complete_external(
    engine, command.task_id, command.payload.get("worker"), command.payload.get("data"), by=command.actor,
    force=True))
