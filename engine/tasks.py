"""Tasks (任务): the user's queue (待办), claim and release, complete, reassign (转办) and hand over (交接),
delegate (委托) and hand back, follow-up and priority; one task, the tasks a user has done (已办), may-they-work-it.

Use-case functions over an ``Engine`` (engine/engine.py is the facade that names them). Completing
a task is one pass of the step pipeline (engine/step.py); the other changes touch only the task's
row and its audit event, each in one transaction with the task row locked.
"""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from SpiffWorkflow.util.task import TaskState

from . import assignment, audit, incidents, model_forms, projection, queries, step
from .cases import retried
from .clock import SHANGHAI, today_in_china
from .directory import Principal
from .errors import Conflict, Forbidden, InvalidData, NotFound
from .schema import NO_DUE_DATE, OPEN, Case, HumanTask, User
from .scripting import StepRequests
from .step import ProcessFailure, run_model_code

QUEUE_SORTS = {
    "due": (HumanTask.due_sort, HumanTask.created_at),
    "follow_up": (HumanTask.follow_up_at.asc().nulls_last(), HumanTask.due_sort, HumanTask.created_at),
    "priority": (HumanTask.priority.desc(), HumanTask.due_sort, HumanTask.created_at),
    "created": (HumanTask.created_at,),
}


def queue(engine, username: str | Principal, limit: int = 50, offset: int = 0, process_key: str | None = None,
          overdue_only: bool = False, org: str | None = None, sort: str = "due",
          follow_up_due: bool = False, after: tuple | None = None) -> list[HumanTask]:
    """Tasks this user may work now: claimed by or assigned to them, plus unclaimed ones their roles,
    org unit, enterprise or a candidate list allow, minus those a separation-of-duty rule excludes.
    ``username`` may be the principal a web request already holds.

    Sorted by due date (none last) unless ``sort`` says follow_up, priority or created. Each way a
    task can be eligible is one index range scan already in order, stopped after the page; their
    ids are united and the page read in one statement (``queries.first_page``), after one that
    reads the user's directory counter, exclusions and candidacies (``queries.Scope.of``; the
    principal and the org subtree come from the directory's cache at that counter). So a queue is
    two statements, and its cost does not grow with the number of open tasks in the database.
    ``after`` (``queries.page_key`` of the last task shown) pages on by keyset, however deep.
    """
    if sort not in QUEUE_SORTS:
        raise InvalidData({"sort": f"不支持的排序: {sort}"})
    if after is not None and sort not in ("due", "created"):
        raise InvalidData({"after": "只有按期限或创建时间排序时可以接着上一页往下翻"})
    now = engine.clock.now()
    with engine.db.read(snapshot=False) as s:
        scope = queries.Scope.of(s, username, engine.directory, candidates=True)
        common = [HumanTask.state == OPEN, scope.not_excluded()]
        if process_key:
            common.append(HumanTask.process_key == process_key)
        if org:
            common.append(HumanTask.org_code == org)
        if overdue_only:
            common.append(HumanTask.due_sort < now)
        if follow_up_due:
            common.append(HumanTask.follow_up_at <= now)
        branches = []
        for clause, orgs in _eligible_branches(scope):
            if org and orgs is not None:
                orgs = [o for o in orgs if o == org]
            branches.append((sa.and_(*common, clause), orgs))
        return queries.first_page(s, branches, QUEUE_SORTS[sort], limit, offset, after)


def _eligible_branches(scope: queries.Scope) -> list[tuple]:
    """The ways a task can be in the queue of ``scope``'s user, each an indexable condition, with the
    org units it spans when more than one (a supervisory role's: read per org unit,
    ``queries.eligible_ids``)."""
    p = scope.p
    branches = [(HumanTask.assignee == p.username, None)]
    if scope.candidates:
        branches.append((sa.and_(HumanTask.id.in_(scope.candidates), HumanTask.assignee.is_(None)), None))
    if p.party:
        if p.roles:
            branches.append((sa.and_(HumanTask.party == p.party, HumanTask.role_code.in_(p.roles),
                                     HumanTask.assignee.is_(None)), None))
        return branches
    for role in sorted(p.roles):
        if role in p.supervising_roles:
            branches.append((sa.and_(HumanTask.role_code == role, HumanTask.assignee.is_(None), scope.pool_below(role)),
                             scope.orgs()))
        else:
            branches.append((sa.and_(HumanTask.role_code == role, HumanTask.org_code == p.org_code,
                                     HumanTask.assignee.is_(None)), None))
    return branches


# ------------------------------------------------------------------------------------------
# reassignment, delegation, follow-up and priority (转办、委托、跟进、优先级)
def reassign(engine, task_id: str, to_user: str, by: str, reason: str = "") -> HumanTask:
    """A supervisor hands an open task to another user who holds its role (转办)."""
    with engine.db.write() as s:
        row = _lock_task(engine, s, task_id)
        _reassign_locked(engine, s, row, to_user, engine.directory.principal(by, s), reason)
        return row


def reassign_all(engine, from_user: str, to_user: str, by: str, reason: str = "") -> int:
    """Move every open task claimed by or assigned to ``from_user`` (absent) to ``to_user``, at once."""
    with engine.db.write() as s:
        supervisor = engine.directory.principal(by, s)
        q = sa.select(HumanTask).where(HumanTask.assignee == from_user, HumanTask.state == OPEN)
        if not engine.db.is_sqlite:
            _lock_cases_first(engine, s, HumanTask.assignee == from_user, HumanTask.state == OPEN)
            q = q.with_for_update()
        rows = list(s.execute(q.order_by(HumanTask.created_at)).scalars())
        for row in rows:
            _reassign_locked(engine, s, row, to_user, supervisor, reason or f"{from_user} 不在岗")
        return len(rows)


def hand_over(engine, from_user: str, to_user: str | None, by: str, reason: str = "") -> dict[str, list[str]]:
    """交接: every open task claimed by or assigned to ``from_user`` (leaving: 停用、调离) goes to
    ``to_user`` where they may work it, else back to its role's group queue (退回组待办); with
    ``to_user`` None all go back. One transaction; returns task ids as ``{"to": [...], "queue":
    [...]}``. Each task is audited on its case (``reassigned`` / ``released``)."""
    with engine.db.write() as s:
        supervisor = engine.directory.principal(by, s)
        target = engine.directory.principal(to_user, s) if to_user else None
        q = sa.select(HumanTask).where(HumanTask.assignee == from_user, HumanTask.state == OPEN)
        if not engine.db.is_sqlite:
            _lock_cases_first(engine, s, HumanTask.assignee == from_user, HumanTask.state == OPEN)
            q = q.with_for_update()
        moved: dict[str, list[str]] = {"to": [], "queue": []}
        for row in s.execute(q.order_by(HumanTask.created_at)).scalars():
            case = s.get(Case, row.case_id)
            engine.policy.check_supervise(s, supervisor, case)
            if row.role_code is None:  # named, not queued: no group queue takes it back
                keeper = _keeper(s, case, from_user, target, supervisor)
                row.assignee, row.owner, row.delegation = keeper, None, None
                audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=supervisor.username,
                             action="reassigned", at=engine.clock.now(), task_id=row.id,
                             detail={"task": row.name, "from": from_user, "to": keeper,
                                     "reason": reason or f"{from_user} 交接"})
                moved["to"].append(row.id)
                continue
            if target is not None:
                try:
                    engine.policy.check_task(s, target, _Unassigned(row))
                except Forbidden:
                    pass
                else:
                    _reassign_locked(engine, s, row, target.username, supervisor, reason or f"{from_user} 交接")
                    moved["to"].append(row.id)
                    continue
            row.assignee, row.owner, row.delegation = None, None, None
            audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=supervisor.username,
                         action="released", at=engine.clock.now(), task_id=row.id,
                         detail={"task": row.name, "user": from_user, "reason": reason or "交接：退回组待办"})
            moved["queue"].append(row.id)
        _hand_over_delegated(engine, s, from_user, target, supervisor, reason, moved)
        return moved


def _hand_over_delegated(engine, s: Session, from_user: str, target, supervisor: Principal, reason: str,
                         moved: dict[str, list[str]]) -> None:
    """Tasks ``from_user`` delegated (委托) and a delegate still works: the delegate goes on, and the
    task comes back (办理完毕退回) to ``target`` where they may work it, else to its group queue — not
    to the one who left, whom it named as its owner: it came back to an account nobody uses."""
    owned = (HumanTask.owner == from_user, HumanTask.delegation == "pending", HumanTask.state == OPEN)
    q = sa.select(HumanTask).where(*owned)
    if not engine.db.is_sqlite:
        _lock_cases_first(engine, s, *owned)
        q = q.with_for_update()
    for row in s.execute(q.order_by(HumanTask.created_at)).scalars():
        case = s.get(Case, row.case_id)
        engine.policy.check_supervise(s, supervisor, case)
        owner = None
        if row.role_code is None:  # no group queue to come back to
            owner = _keeper(s, case, from_user, target, supervisor)
        elif target is not None:
            try:
                engine.policy.check_task(s, target, _Unassigned(row))
                owner = target.username
            except Forbidden:
                pass
        row.owner = owner
        audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=supervisor.username,
                     action="reassigned", at=engine.clock.now(), task_id=row.id,
                     detail={"task": row.name, "from": from_user, "to": owner, "delegated_to": row.assignee,
                             "reason": reason or f"{from_user} 交接：委托办理完毕后" + ("交回接手人" if owner else "退回组待办")})
        moved["to" if owner else "queue"].append(row.id)


def _keeper(s: Session, case: Case, from_user: str, target: Principal | None, supervisor: Principal) -> str:
    """Who takes over a task of no role (its 办理人 named by the model or the case data, no lane):
    no group queue takes it back, and released it was in nobody's queue — nobody could open or
    work it, not even a supervisor, and the case stalled. The successor, else the case's starter
    (where the engine puts such a task when it opens: engine/projection.py), else the supervisor
    handing over — the first other than the one leaving whom a task of the case may name
    (``projection.may_be_named``: active, of the case's enterprise or the case's branch of the org tree)."""
    for username in (target.username if target is not None else None, case.started_by, supervisor.username):
        if username and username != from_user and projection.may_be_named(s.connection(), username, case):
            return username
    return supervisor.username


def _reassign_locked(engine, s: Session, row: HumanTask, to_user: str, supervisor: Principal, reason: str):
    engine.policy.check_supervise(s, supervisor, s.get(Case, row.case_id))
    engine.policy.check_task(s, engine.directory.principal(to_user, s), _Unassigned(row))
    before = row.assignee
    row.assignee, row.owner, row.delegation = to_user, None, None
    audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=supervisor.username,
                 action="reassigned", at=engine.clock.now(), task_id=row.id,
                 detail={"task": row.name, "from": before, "to": to_user, "reason": reason})


def delegate(engine, task_id: str, by: str, to_user: str, reason: str = "") -> HumanTask:
    """委托: the assignee asks ``to_user`` to work the task; it comes back to them to confirm."""
    with engine.db.write() as s:
        row = _lock_task(engine, s, task_id)
        if row.assignee != by:
            raise Forbidden("只能委托自己名下的任务")
        engine.policy.check_task(s, engine.directory.principal(to_user, s), _Unassigned(row))
        row.owner, row.assignee, row.delegation = by, to_user, "pending"
        audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=by, action="delegated",
                     at=engine.clock.now(), task_id=row.id, detail={"task": row.name, "to": to_user, "reason": reason})
        return row


def resolve(engine, task_id: str, by: str, data: dict | None = None) -> HumanTask:
    """The delegate hands the task back with their work saved as a draft for the owner (办理完毕退回)."""
    with engine.db.write() as s:
        row = _lock_task(engine, s, task_id)
        if row.delegation != "pending" or row.assignee != by:
            raise Forbidden("该任务不是委托给您的")
        cleaned = _validate_form(engine, row.form_key, dict(data or {}))
        row.draft, row.assignee, row.delegation = step.jsonable(cleaned), row.owner, "resolved"
        audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=by, action="resolved",
                     at=engine.clock.now(), task_id=row.id, detail={"task": row.name, "to": row.owner,
                                                                  "data": step.jsonable(cleaned)})
        return row


def set_follow_up(engine, task_id: str, by: str, when: datetime | None) -> HumanTask:
    with engine.db.write() as s:
        row = _lock_task(engine, s, task_id)
        engine.policy.check_task(s, engine.directory.principal(by, s), row)
        row.follow_up_at = when
        audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=by,
                     action="follow_up_set", at=engine.clock.now(), task_id=row.id,
                     detail={"follow_up_at": when.isoformat() if when else None})
        return row


def set_priority(engine, task_id: str, by: str, priority: int) -> HumanTask:
    with engine.db.write() as s:
        row = _lock_task(engine, s, task_id)
        p = engine.directory.principal(by, s)
        try:
            engine.policy.check_supervise(s, p, s.get(Case, row.case_id))
        except Forbidden:
            engine.policy.check_task(s, p, row)
        row.priority = int(priority)
        audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=by,
                     action="priority_set", at=engine.clock.now(), task_id=row.id, detail={"priority": row.priority})
        return row


def release_ineligible_claims(engine, s: Session, username: str) -> list[str]:
    """After a role or org change: claims the user may no longer hold go back to the group queue."""
    p = engine.directory.principal(username, s)
    released = []
    _lock_cases_first(engine, s, HumanTask.assignee == username, HumanTask.state == OPEN)
    for row in s.execute(sa.select(HumanTask).where(HumanTask.assignee == username, HumanTask.state == OPEN)).scalars():
        try:
            engine.policy.check_task(s, p, _Unassigned(row))
        except Forbidden:
            row.assignee = None
            released.append(row.id)
            audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor="engine",
                         action="released", at=engine.clock.now(), task_id=row.id,
                         detail={"task": row.name, "user": username, "reason": "岗位或组织机构变更"})
    return released


def task(engine, task_id: str) -> HumanTask:
    with engine.db.read() as s:
        row = s.get(HumanTask, str(task_id))
        if row is None:
            raise NotFound(f"任务不存在: {task_id}")
        return row


def done_by(engine, username: str, limit: int = 50, offset: int = 0) -> list[HumanTask]:
    """已办: tasks this user completed, newest first."""
    with engine.db.read() as s:
        return list(s.execute(sa.select(HumanTask).where(HumanTask.completed_by == username)
                              .order_by(HumanTask.completed_at.desc()).limit(limit).offset(offset)).scalars())


def may_work(engine, task_id: str, username: str) -> bool:
    with engine.db.read() as s:
        row = s.get(HumanTask, str(task_id))
        if row is None:
            return False
        try:
            engine.policy.check_task(s, engine.directory.principal(username, s), row)
            return True
        except Forbidden:
            return False


def claimed_by(s: Session, assignee: str) -> str:
    """「任务已被张三认领」: the holder by the name people know them by, not the account (read only on
    this refusal; an account without a name is 其他人员)."""
    name = s.execute(sa.select(User.name).where(User.username == assignee)).scalar()
    return f"任务已被{name or '其他人员'}认领"


def claim(engine, task_id: str, username: str) -> HumanTask:
    """认领: the task leaves the group queue and waits for this user alone."""
    with engine.db.write() as s:
        row = _lock_task(engine, s, task_id)
        p = engine.directory.principal(username, s)
        engine.policy.check_task(s, p, row)
        if row.assignee == username:
            return row
        if row.assignee is not None:
            raise Conflict(claimed_by(s, row.assignee))
        row.assignee = username
        audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=username,
                     action="claimed", at=engine.clock.now(), task_id=row.id, detail={"task": row.name})
        return row


def release(engine, task_id: str, username: str) -> HumanTask:
    """退回组待办: give a claimed task back to the group queue."""
    with engine.db.write() as s:
        row = _lock_task(engine, s, task_id)
        if row.assignee != username:
            raise Forbidden("只能释放自己认领的任务")
        row.assignee = None
        audit.append(s, chain=audit.case_chain(row.case_id), case_id=row.case_id, actor=username,
                     action="released", at=engine.clock.now(), task_id=row.id, detail={"task": row.name})
        return row


def complete(engine, task_id: str, username: str, data: dict | None = None) -> step.CaseRow:
    """Complete a user task with the submitted form data, and run the process on to its next wait.

    The step pipeline (engine/step.py) with its guards in order: the task exists; the case lock
    (``step.take_task``: SQLite's writer lock, PostgreSQL's case row lock before the task row is
    read); the task row read under the lock is still open (task-state check); authorization; the
    claim; the form; the workflow task is still READY (READY check)."""
    task_id = str(task_id)
    data = dict(data or {})
    with incidents.recorded(engine, "complete", username, {"data": step.jsonable(data)}, task_id=task_id) as attempt:
        def run() -> step.CaseRow:
            with step.transaction(engine) as tx:
                row, known = step.take_task(tx, task_id, username)
                if row is None:
                    raise NotFound(f"任务不存在: {task_id}")
                attempt.case_id, attempt.element_id = row.case_id, row.spec_id
                with step.locked_step(engine, tx, row.case_id, username, known=known) as st:
                    case = _complete_locked(engine, tx, st, row, username, dict(data))  # a retry gets it whole
            step.commit_cache(engine, tx)
            return case

        # a deadlock's victim (a script's start_case takes a 案号 counter, then its anchor head) runs again
        return retried(run, f"提交任务（{task_id}）")


def _complete_locked(engine, tx, st, row, username, data) -> step.CaseRow:
    if row.state != "open":
        raise Conflict(f"任务已{ {'completed': '完成', 'cancelled': '取消'}.get(row.state, row.state) }，不能重复提交")
    p = engine.directory.cached_principal(username, tx.orm, tx.directory_version)
    engine.policy.check_task(tx.orm, p, row, known=(row.exclusion, bool(row.candidate)),
                             directory_version=tx.directory_version)
    if row.assignee is not None and row.assignee != username:
        raise Conflict(claimed_by(tx.orm, row.assignee))
    cleaned = _validate_form(engine, row.form_key, data, tx.directory_version,
                             reach=(st.case.org_code, row.org_code, tx.orm, p.party))
    task = _live_task(st.loaded, row.id)
    if task is None or not projection.is_human_work(task):
        raise Conflict("任务状态已变化，请刷新")
    if not row.form_key:  # a form drawn in the model (Camunda formData, Flowable formProperty)
        cleaned = model_forms.check(projection.task_properties(task.task_spec), cleaned, task.data)
    cleaned = step.without_system_keys(cleaned)  # 案号, 办理单位, 企业: the case row's, not the submitter's
    step.refuse_function_names(engine, cleaned, None if row.form_key else lambda: model_forms.field_ids(
        projection.task_properties(task.task_spec)))  # now, today, date…: unless the drawn form declares it
    task.set_data(**cleaned)
    assignment.record_completer(task, projection.task_properties(task.task_spec), username)  # completerVariable
    with StepRequests() as requests:
        # A waiting service task (STARTED) is done by the person; a user or manual task runs.
        try:
            run_model_code(task.complete if task.state == TaskState.STARTED else task.run)
            st.audit("completed", task_id=row.id, detail={"task": row.name, "element": row.spec_id,
                                                           "data": step.jsonable(cleaned)})
            st.write(completed=(row.id, username), requests=requests)
        except ProcessFailure as failure:
            # a drawn form's field left blank that the step goes on to read (a gateway's 是/否):
            # refused naming the field, as a required one is, not an incident (the step rolls back)
            refusal = None if row.form_key else model_forms.blank_refusal(
                projection.task_properties(task.task_spec), cleaned, failure.cause)
            if refusal is not None:
                raise refusal from None
            raise
    return st.case


def _live_task(loaded, task_id: str):
    """The workflow's task with id ``task_id`` (text). ``state.save`` named every live task at the
    end of the step before (``LoadedState.names``); a look through those names spares parsing the
    id and SpiffWorkflow's lookup through each workflow. A task not among them (a case restored
    from its rows has no names yet) is looked up as before."""
    for task, name in loaded.names.items():
        if name == task_id:
            return task
    return loaded.workflow.get_task_from_id(uuid.UUID(task_id))


def _validate_form(engine, form_key: str | None, data: dict, directory_version: int | None = None,
                   reach: tuple | None = None) -> dict:
    """The form's cleaned data. ``directory_version``: the directory counter the step read under its
    case lock, handed to forms that check people against the directory (workflows/forms/people.py
    ``validate_at``) so that each role's holders come from the directory's cache at that counter.
    ``reach``: (the case's org unit, the task's org unit, the step's session, the submitter's
    enterprise or None), so that the people a form names are held to the case's org units and an
    enterprise user's forms to its own enterprise (a completion by page, API or retry alike)."""
    if not form_key or engine.forms is None:
        return data
    clock = engine.clock

    def today():  # no deadline before it (the engine's clock), read only by a form with a deadline field
        return today_in_china(clock)
    try:
        validate_at = getattr(engine.forms, "validate_at", None) if directory_version is not None else None
        if validate_at is not None:
            if reach is not None:
                case_org, task_org, session, party = reach
                return validate_at(form_key, data, directory_version, case_org=case_org, task_org=task_org,
                                   session=session, party=party, today=today)
            return validate_at(form_key, data, directory_version, today=today)
        return engine.forms.validate(form_key, data, today=today)
    except InvalidData:
        raise
    except Exception as exc:
        errors = getattr(exc, "errors", None)
        if isinstance(errors, dict):
            raise InvalidData({k: (v if isinstance(v, str) else "; ".join(map(str, v)) if isinstance(v, list)
                                   else str(v)) for k, v in errors.items()}) from None
        raise


def _lock_cases_first(engine, s: Session, *criteria) -> None:
    """PostgreSQL: lock the case rows of the tasks ``criteria`` select (in case order) before a
    use case locks or changes those task rows — the order a step takes them (``step.take_task``:
    the case, then the task). The task's audit event moves its case chain's head on the case row
    (revision 0021), so a claim holding a task row while it waits for the case row would deadlock
    with a completion holding the case row while it waits for the task. SQLite: nothing (its
    ``BEGIN IMMEDIATE`` already serializes writers)."""
    if engine.db.is_sqlite:
        return
    s.execute(sa.select(Case.id).join(HumanTask, HumanTask.case_id == Case.id).where(*criteria)
              .order_by(Case.id).with_for_update(of=Case, key_share=True))


def _lock_task(engine, s: Session, task_id: str) -> HumanTask:
    q = sa.select(HumanTask).where(HumanTask.id == str(task_id))
    if not engine.db.is_sqlite:
        _lock_cases_first(engine, s, HumanTask.id == str(task_id))
        q = q.with_for_update()
    row = s.execute(q).scalar_one_or_none()
    if row is None:
        raise NotFound(f"任务不存在: {task_id}")
    if row.state != "open":
        raise Conflict("任务已办结")
    return row


class _Unassigned:
    """A view of a task row without its assignee, to ask "could this user work it?"."""

    def __init__(self, row: HumanTask):
        self._row = row

    def __getattr__(self, name):
        return None if name == "assignee" else getattr(self._row, name)
