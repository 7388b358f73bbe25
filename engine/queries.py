"""Read queries for the pages and the API, under one access policy that returns SQL conditions.

``Scope`` is the read side of engine/policy.py written once: which org units a user sees (their
own, and below for supervisory roles), which cases (``cases``: the org units below, or their own
enterprise's), which unclaimed tasks of a role (``task_pool``), and the tasks a separation-of-duty
rule hides from them (``excluded``: read first as literal ids, so each query stays an index range
scan — a subquery there made SQLite scan the whole task pool). ``Engine.cases`` and
``Engine.queue`` use it, and so do these page queries; each is one indexed query, none writes.

- ``group_queue``      组待办 of one role: unclaimed tasks the user could claim, by due date;
- ``approvals``        审批: open tasks of the user's supervisory roles, theirs or claimable, by due date;
- ``overdue_board``    逾期督办: overdue open tasks counted by org unit and process;
- ``overdue_tasks``    the overdue tasks themselves, most overdue first.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from .directory import Principal
from .schema import Case, HumanTask, OrgUnit, TaskExclusion


class Scope:
    """What ``p`` may read, as SQL conditions (see the module docstring)."""

    def __init__(self, s, p: Principal, policy=None):
        self.s, self.p, self.policy = s, p, policy
        self._below: list[str] | None = None

    def orgs(self, below: bool = True) -> list[str]:
        if not below:
            return [self.p.org_code]
        if self._below is None:
            self._below = list(self.s.execute(sa.select(OrgUnit.code).where(
                OrgUnit.path.startswith(self.p.org_path))).scalars())
        return self._below

    def cases(self):
        """Cases the user may see: an external user's assigned cases; an enterprise user's own; an
        official's org unit and below."""
        if self.policy is not None and self.policy.is_external(self.p):
            return Case.id.in_(self.policy.assigned_case_ids(self.p))
        if self.p.party:
            return Case.party == self.p.party
        return Case.org_code.in_(self.orgs())

    def task_pool(self, role: str):
        """Unclaimed open tasks of ``role`` the user may claim."""
        cond = sa.and_(HumanTask.state == "open", HumanTask.role_code == role, HumanTask.assignee.is_(None))
        if self.p.party:
            return sa.and_(cond, HumanTask.party == self.p.party)
        orgs = self.pool_orgs(role)
        return sa.and_(cond, HumanTask.org_code == orgs[0] if len(orgs) == 1 else HumanTask.org_code.in_(orgs))

    def pool_orgs(self, role: str) -> list[str] | None:
        """The org units whose unclaimed ``role`` tasks the user may claim (None: an enterprise user,
        who claims their own enterprise's)."""
        return None if self.p.party else self.orgs(role in self.p.supervising_roles)

    def excluded(self) -> list[str]:
        """Task ids a separation-of-duty rule (回避) hides from the user, as literal ids."""
        return list(self.s.execute(sa.select(TaskExclusion.task_id).where(
            TaskExclusion.username == self.p.username)).scalars())

    def not_excluded(self):
        ids = self.excluded()
        return HumanTask.id.not_in(ids) if ids else sa.true()


def first_tasks(s, cond, orgs: list[str], order, want: int) -> list[HumanTask]:
    """The first ``want`` tasks matching ``cond`` in ``order`` among the tasks of ``orgs``.

    On PostgreSQL an ``org_code IN (…)`` with ``ORDER BY … LIMIT`` reads and sorts every matching
    task (a bitmap scan: 166,000 rows and a second for a city supervisor at a province's size), so
    there each org unit is its own index range scan (a LATERAL join over the list, planned once)
    stopping after ``want`` entries, and only the ``want`` winners are read whole. SQLite already
    walks an IN list in index order.
    """
    if not orgs:
        return []
    if len(orgs) == 1 or s.bind.dialect.name != "postgresql":
        where = HumanTask.org_code == orgs[0] if len(orgs) == 1 else HumanTask.org_code.in_(orgs)
        return list(s.execute(sa.select(HumanTask).where(cond, where).order_by(*order).limit(want)).scalars())
    from sqlalchemy.dialects.postgresql import array
    unit = sa.func.unnest(array(orgs)).table_valued("code").render_derived(name="unit")
    keys = [_column(o) for o in order]
    if not any(k.key == "id" for k in keys):
        order, keys = (*order, HumanTask.id), [*keys, HumanTask.id]
    per_unit = (sa.select(*{k.key: k for k in keys}.values()).where(cond, HumanTask.org_code == unit.c.code)
                .order_by(*order).limit(want).lateral("per_unit"))
    top = (sa.select(per_unit.c.id).select_from(unit).join(per_unit, sa.true())
           .order_by(*[_on(per_unit.c, o) for o in order]).limit(want).subquery("top"))
    return list(s.execute(sa.select(HumanTask).join(top, HumanTask.id == top.c.id).order_by(*order)).scalars())


def _column(order):
    return order.element if isinstance(order, UnaryExpression) else order


def _on(columns, order):
    """An ORDER BY item of ``HumanTask`` (a column, or a column ``.desc()``) on a subquery's columns."""
    column = columns[_column(order).key]
    if isinstance(order, UnaryExpression) and order.modifier is operators.desc_op:
        return column.desc()
    return column.asc() if isinstance(order, UnaryExpression) else column


def _orgs_in_scope(s, p: Principal, below: bool) -> list[str]:
    return Scope(s, p).orgs(below)


def group_queue(engine, p: Principal, role: str, *, limit: int = 50, offset: int = 0,
                process_key: str | None = None) -> list[HumanTask]:
    """Unclaimed open tasks of ``role`` the user may claim: their org unit (and those below for a
    supervisory role), or their own enterprise for an enterprise user; minus 回避 exclusions."""
    if role not in p.roles:
        return []
    with engine.db.read() as s:
        scope = Scope(s, p)
        cond = [scope.not_excluded()]
        if process_key:
            cond.append(HumanTask.process_key == process_key)
        order = (HumanTask.due_sort, HumanTask.created_at, HumanTask.id)
        orgs = scope.pool_orgs(role)
        if orgs is None or len(orgs) == 1:
            q = sa.select(HumanTask).where(scope.task_pool(role), *cond).order_by(*order)
            return list(s.execute(q.limit(limit).offset(offset)).scalars())
        pool = sa.and_(HumanTask.state == "open", HumanTask.role_code == role, HumanTask.assignee.is_(None), *cond)
        return first_tasks(s, pool, orgs, order, offset + limit)[offset:]


def approvals(engine, p: Principal, *, limit: int = 50, offset: int = 0) -> list[HumanTask]:
    """Tasks of the user's supervisory roles (科室负责人、分管领导… approve, review, decide) that wait
    for them: claimed by them, or unclaimed in their org unit or below. Two index range scans, merged."""
    roles = sorted(p.supervising_roles)
    if not roles or p.party:
        return []
    want = offset + limit
    with engine.db.read() as s:
        scope = Scope(s, p)
        orgs = scope.orgs()
        base = sa.select(HumanTask).where(HumanTask.state == "open", HumanTask.role_code.in_(roles),
                                          scope.not_excluded())
        order = (HumanTask.due_sort, HumanTask.created_at, HumanTask.id)
        mine = s.execute(base.where(HumanTask.assignee == p.username).order_by(*order).limit(want)).scalars()
        pool = first_tasks(s, sa.and_(HumanTask.state == "open", HumanTask.role_code.in_(roles),
                                      HumanTask.assignee.is_(None), scope.not_excluded()), orgs, order, want)
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
    numbers = [n for n in numbers if n]
    if not numbers:
        return {}
    with engine.db.read() as s:
        return {r.case_no: (r.id, r.title) for r in s.execute(
            sa.select(Case.id, Case.case_no, Case.title).where(Case.case_no.in_(numbers)))}


def child_cases(engine, case_id: int) -> list:
    """The cases started from or about ``case_id`` (派生案件, a 挂牌督办 of it): id, 案号, title, process
    and status, oldest first."""
    with engine.db.read() as s:
        return list(s.execute(sa.select(Case.id, Case.case_no, Case.title, Case.process_key, Case.status)
                              .where(Case.parent_case_id == case_id).order_by(Case.id)).all())
