"""Read-only queries the pages need and the engine does not offer (yet).

Each is one indexed query over the engine's tables, read through ``engine.db.read()``; none writes.
They are candidates to move into the engine; until then they follow its rules: scope comes from the
directory (``Principal``) and the authorization policy's notion of org units below a user's own.

- ``group_queue``      组待办 of one role: unclaimed tasks the user could claim, by due date;
- ``approvals``        审批: open tasks of the user's supervisory roles, theirs or claimable, by due date;
- ``overdue_board``    逾期督办: overdue open tasks counted by org unit and process;
- ``overdue_tasks``    the overdue tasks themselves, most overdue first.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from engine.directory import Principal
from engine.schema import HumanTask, OrgUnit, TaskExclusion


def _orgs_in_scope(s, p: Principal, below: bool) -> list[str]:
    if not below:
        return [p.org_code]
    return list(s.execute(sa.select(OrgUnit.code).where(OrgUnit.path.startswith(p.org_path))).scalars())


def group_queue(engine, p: Principal, role: str, *, limit: int = 50, offset: int = 0,
                process_key: str | None = None) -> list[HumanTask]:
    """Unclaimed open tasks of ``role`` the user may claim: their org unit (and those below for a
    supervisory role), or their own enterprise for an enterprise user; minus 回避 exclusions."""
    if role not in p.roles:
        return []
    excluded = sa.select(TaskExclusion.task_id).where(TaskExclusion.username == p.username)
    with engine.db.read() as s:
        q = sa.select(HumanTask).where(HumanTask.state == "open", HumanTask.role_code == role,
                                       HumanTask.assignee.is_(None), HumanTask.id.not_in(excluded))
        if p.party:
            q = q.where(HumanTask.party == p.party)
        else:
            orgs = _orgs_in_scope(s, p, role in p.supervising_roles)
            q = q.where(HumanTask.org_code == orgs[0]) if len(orgs) == 1 else q.where(HumanTask.org_code.in_(orgs))
        if process_key:
            q = q.where(HumanTask.process_key == process_key)
        q = q.order_by(HumanTask.due_sort, HumanTask.created_at, HumanTask.id).limit(limit).offset(offset)
        return list(s.execute(q).scalars())


def approvals(engine, p: Principal, *, limit: int = 50, offset: int = 0) -> list[HumanTask]:
    """Tasks of the user's supervisory roles (科室负责人、分管领导… approve, review, decide) that wait
    for them: claimed by them, or unclaimed in their org unit or below. Two index range scans, merged."""
    roles = sorted(p.supervising_roles)
    if not roles or p.party:
        return []
    excluded = sa.select(TaskExclusion.task_id).where(TaskExclusion.username == p.username)
    want = offset + limit
    with engine.db.read() as s:
        orgs = _orgs_in_scope(s, p, True)
        base = sa.select(HumanTask).where(HumanTask.state == "open", HumanTask.role_code.in_(roles),
                                          HumanTask.id.not_in(excluded))
        order = (HumanTask.due_sort, HumanTask.created_at, HumanTask.id)
        mine = s.execute(base.where(HumanTask.assignee == p.username).order_by(*order).limit(want)).scalars()
        pool = s.execute(base.where(HumanTask.assignee.is_(None), HumanTask.org_code.in_(orgs))
                         .order_by(*order).limit(want)).scalars()
        rows = {t.id: t for t in [*mine, *pool]}
    return sorted(rows.values(), key=lambda t: (t.due_sort, t.created_at, t.id))[offset:want]


@dataclass(frozen=True)
class OverdueCell:
    org_code: str
    process_key: str
    count: int
    oldest_due: datetime


def overdue_board(engine, p: Principal, now: datetime) -> list[OverdueCell]:
    """Open tasks past their deadline in the user's org unit and below, by org unit and process."""
    with engine.db.read() as s:
        orgs = _orgs_in_scope(s, p, True)
        q = (sa.select(HumanTask.org_code, HumanTask.process_key, sa.func.count(), sa.func.min(HumanTask.due_at))
             .where(HumanTask.state == "open", HumanTask.due_at < now, HumanTask.org_code.in_(orgs))
             .group_by(HumanTask.org_code, HumanTask.process_key))
        return sorted((OverdueCell(o, k, n, due) for o, k, n, due in s.execute(q)),
                      key=lambda c: (-c.count, c.org_code, c.process_key))


def overdue_tasks(engine, p: Principal, now: datetime, *, org: str | None = None, process_key: str | None = None,
                  limit: int = 50, offset: int = 0) -> list[HumanTask]:
    with engine.db.read() as s:
        orgs = _orgs_in_scope(s, p, True)
        if org is not None:
            orgs = [o for o in orgs if o == org]
        q = sa.select(HumanTask).where(HumanTask.state == "open", HumanTask.due_at < now,
                                       HumanTask.org_code.in_(orgs))
        if process_key:
            q = q.where(HumanTask.process_key == process_key)
        return list(s.execute(q.order_by(HumanTask.due_at, HumanTask.id).limit(limit).offset(offset)).scalars())


def case_heads(engine, ids) -> dict[int, tuple[str, str, int]]:
    """案号, title and model id of some cases, for lists that only need to name them."""
    from engine.schema import Case
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    with engine.db.read() as s:
        return {r.id: (r.case_no, r.title, r.model_id) for r in s.execute(
            sa.select(Case.id, Case.case_no, Case.title, Case.model_id).where(Case.id.in_(ids)))}


def case_form_keys(engine, case_id: int, history: list[dict]) -> list[str]:
    """The form keys of a case's user tasks, open and done, in the order the audit log opened them."""
    order = {e["task_id"]: e["seq"] for e in history if e["action"] == "task_opened" and e.get("task_id")}
    with engine.db.read() as s:
        rows = s.execute(sa.select(HumanTask.id, HumanTask.form_key).where(HumanTask.case_id == case_id)).all()
    return [key for _id, key in sorted(rows, key=lambda r: order.get(r.id, 1 << 30)) if key]


def task_form_keys(engine, case_id: int) -> dict[str, str | None]:
    """Each user task of a case (open and done) with its form key, by task id."""
    with engine.db.read() as s:
        rows = s.execute(sa.select(HumanTask.id, HumanTask.form_key).where(HumanTask.case_id == case_id)).all()
    return {r.id: r.form_key for r in rows}


def cases_by_number(engine, numbers) -> dict[str, tuple[int, str]]:
    """Case id and title by 案号, for links to derived cases (派生案件)."""
    from engine.schema import Case
    numbers = [n for n in numbers if n]
    if not numbers:
        return {}
    with engine.db.read() as s:
        return {r.case_no: (r.id, r.title) for r in s.execute(
            sa.select(Case.id, Case.case_no, Case.title).where(Case.case_no.in_(numbers)))}
