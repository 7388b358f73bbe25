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
- ``overdue_tasks``    the overdue tasks themselves, most overdue first;
- ``listing_board``    挂牌督办: open listed 重大 hazards counted by org unit and 挂牌层级 (逾期, 7日内到期, 在办);
- ``listing_cases``    the cases behind one of its counts;
- ``workable_in_case`` the open tasks of one case the user may work now (下一步: what a completion
                       leaves for the same person).
"""
from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from . import sqlexec
from .directory import Principal
from .errors import Forbidden
from .policy import TERRITORY_LAW, reach_below
from .schema import OPEN, Case, Counter, HumanTask, OrgUnit, ProcessModel, TaskCandidate, TaskExclusion


QUEUE_ORDER = (HumanTask.due_sort, HumanTask.created_at, HumanTask.id)  # by due date (none last), oldest first


class Scope:
    """What ``p`` may read, as SQL conditions (see the module docstring).

    Made by ``Scope.of`` for a queue or a list of tasks, it has read in one statement the
    ``directory`` counter, the user's 回避 exclusions and (``candidates=True``) the tasks the model
    names them a candidate for; the principal (when given a username) and the org subtree then come
    from the directory's per-process cache at that counter, so a queue is that statement and its page.
    """

    def __init__(self, s, p: Principal, policy=None, *, directory=None):
        self.s, self.p, self.policy, self.directory = s, p, policy, directory
        self._below: list[str] | None = None
        self._excluded: list[str] | None = None
        self.version: int | None = None
        self.candidates: list[str] = []

    @classmethod
    def of(cls, s, who: str | Principal, directory, *, candidates: bool = False, policy=None) -> "Scope":
        """The scope of ``who``: a username, or the principal a web request already holds."""
        username = who if isinstance(who, str) else who.username
        version, excluded, candidate_ids = _user_context(s, username, candidates)
        p = directory.cached_principal(username, s, version) if isinstance(who, str) else who
        scope = cls(s, p, policy, directory=directory)
        scope.version, scope._excluded, scope.candidates = version, excluded, candidate_ids
        return scope

    def orgs(self, below: bool = True) -> list[str]:
        if not below:
            return [self.p.org_code]
        if self._below is None:
            if self.version is not None and self.directory is not None:
                self._below = self.directory.cached_org_codes_below(self.s, self.p.org_path, self.version)
            else:
                self._below = list(self.s.execute(sa.select(OrgUnit.code).where(
                    OrgUnit.path.startswith(self.p.org_path))).scalars())
        return self._below

    def cases(self):
        """Cases the user may see: an external user's assigned cases; an enterprise user's own, but
        none of a process kept from its party (``Policy.kept_from_party``: ``partyReads`` 否, a 12350
        举报 about the enterprise); an official's org unit and below."""
        if self.policy is not None and self.policy.is_external(self.p):
            return Case.id.in_(self.policy.assigned_case_ids(self.p))
        if self.p.party:
            own = Case.party == self.p.party
            shown = self.policy.kept_from_party(self.s).shown() if self.policy is not None else None
            return own if shown is None else sa.and_(own, shown)
        return Case.org_code.in_(self.orgs())

    def task_pool(self, role: str):
        """Unclaimed open tasks of ``role`` the user may claim."""
        cond = sa.and_(HumanTask.state == OPEN, HumanTask.role_code == role, HumanTask.assignee.is_(None))
        if self.p.party:
            return sa.and_(cond, HumanTask.party == self.p.party)
        orgs = self.pool_orgs(role)
        return sa.and_(cond, HumanTask.org_code == orgs[0] if len(orgs) == 1 else HumanTask.org_code.in_(orgs),
                       self.pool_below(role))

    def pool_below(self, role: str):
        """What a task of a unit below the user's must be for the user's ``role`` pool to hold it:
        ``policy.reach_below``, the condition ``Policy.check_task`` evaluates on a claim (one rule)."""
        return reach_below(self.p, role)

    def pool_orgs(self, role: str) -> list[str] | None:
        """The org units whose unclaimed ``role`` tasks the user may claim (None: an enterprise user,
        who claims their own enterprise's)."""
        return None if self.p.party else self.orgs(role in self.p.supervising_roles)

    def excluded(self) -> list[str]:
        """Task ids a separation-of-duty rule (回避) hides from the user, as literal ids."""
        if self._excluded is None:
            self._excluded = list(self.s.execute(sa.select(TaskExclusion.task_id).where(
                TaskExclusion.username == self.p.username)).scalars())
        return self._excluded

    def not_excluded(self):
        ids = self.excluded()
        return HumanTask.id.not_in(ids) if ids else sa.true()


def _user_context(s, username: str, candidates: bool) -> tuple[int, list[str], list[str]]:
    """In one statement: the ``directory`` counter (0 before the first directory change), the task
    ids a 回避 rule hides from ``username`` and, if asked, those naming them a candidate."""
    version, found = 0, ([], [], [])
    for k, v, task_id in s.execute(_CONTEXT[candidates], {"username": username}):
        if k == 0:
            version = v or 0
        else:
            found[k].append(task_id)
    return version, found[1], found[2]


def _context_statement(candidates: bool):
    from .step import DIRECTORY_COUNTER
    username = sa.bindparam("username", type_=sa.String)
    version = sa.select(Counter.value).where(Counter.name == DIRECTORY_COUNTER).scalar_subquery()
    parts = [sa.select(sa.literal_column("0"), version, sa.cast(sa.null(), sa.String)),
             sa.select(sa.literal_column("1"), sa.cast(sa.null(), sa.Integer), TaskExclusion.task_id)
             .where(TaskExclusion.username == username)]
    if candidates:
        parts.append(sa.select(sa.literal_column("2"), sa.cast(sa.null(), sa.Integer), TaskCandidate.task_id)
                     .where(TaskCandidate.username == username))
    return _union_all(*parts)


_union: Any = sa.union  # typed as Any: mypy 2.4 crashes expanding sa.union's variadic generics
_union_all: Any = sa.union_all
_CONTEXT = {False: _context_statement(False), True: _context_statement(True)}  # built once: a queue is hot




def first_page(s, branches, order, limit: int, offset: int = 0, after: tuple | None = None) -> list[HumanTask]:
    """One page (``limit`` from ``offset``) of the tasks of several ``branches`` in ``order``, in
    one statement: each branch — a condition, and the org units it spans (None: no list) — is an
    index range scan stopped after ``offset + limit`` entries (``eligible_ids``); their ids are
    united, and only the page's rows are read whole.

    ``after``: the ``page_key`` of the last task of the page before (keyset paging) — every scan
    starts just after it, so the hundredth page reads what the first does; ``offset`` is then unused.
    Only for an ascending ``order`` (the due-date order of every queue)."""
    if not any(k.key == "id" for k in map(_column, order)):
        order = (*order, HumanTask.id)
    if after is not None:
        branches = [(sa.and_(cond, _after(order, after)), orgs) for cond, orgs in branches]
        offset = 0
    want = offset + limit
    parts: list[Any] = [ids for cond, orgs in branches
                        if (ids := eligible_ids(s, cond, orgs, order, want)) is not None]
    if not parts:
        return []
    if len(branches) == 1 and not _per_unit(s, branches[0][1]):
        page = sa.select(HumanTask).where(branches[0][0], _in_orgs(branches[0][1]))  # one range scan
    else:
        members: list[Any] = [sa.select(p.subquery().c.id) for p in parts]
        united = parts[0] if len(parts) == 1 else _union(*members)
        page = sa.select(HumanTask).where(HumanTask.id.in_(united))
    return list(s.execute(page.order_by(*order).limit(limit).offset(offset or None)).scalars())


def page_key(task: HumanTask, order=None) -> tuple:
    """Where ``task`` stands in ``order`` (the queue's due-date order unless given): the ``after`` of
    the page that follows it."""
    keys = [_column(o).key for o in (order or QUEUE_ORDER)]
    if "id" not in keys:
        keys.append("id")
    return tuple(getattr(task, k) for k in keys)


def _after(order, after: tuple):
    """Tasks after the key ``after`` in ``order`` (ascending columns ending with id), as one row-value
    comparison: an index range condition on both databases."""
    columns = [_column(o) for o in order]
    if any(isinstance(o, UnaryExpression) and o.modifier is not operators.asc_op for o in order):
        raise ValueError("keyset paging needs an ascending order")
    if len(after) != len(columns):
        raise ValueError(f"a page key has {len(columns)} values")
    return sa.tuple_(*columns) > sa.tuple_(*[sa.bindparam(None, v, type_=c.type) for c, v in zip(columns, after)])


def first_tasks(s, cond, orgs: list[str], order, want: int) -> list[HumanTask]:
    """The first ``want`` tasks matching ``cond`` in ``order`` among the tasks of ``orgs``."""
    return first_page(s, [(cond, orgs)], order, want)


def eligible_ids(s, cond, orgs: list[str] | None, order, want: int):
    """The ids of the first ``want`` tasks matching ``cond`` in ``order`` (ending with ``id``)
    among the tasks of ``orgs`` (None: wherever they are), as a SELECT; None when ``orgs`` is empty.

    On PostgreSQL an ``org_code IN (…)`` with ``ORDER BY … LIMIT`` reads and sorts every matching
    task (a bitmap scan: 166,000 rows and a second for a city supervisor at a province's size), so
    there each org unit is its own index range scan (a LATERAL join over the list, planned once)
    stopping after ``want`` entries. SQLite already walks an IN list in index order. The list is
    one array parameter, not a parameter per org unit: psycopg caches its conversion of a statement
    to PostgreSQL's ``$n`` form only up to 50 parameters, and a province's city has more units.
    """
    if orgs is not None and not orgs:
        return None
    if not _per_unit(s, orgs):
        return sa.select(HumanTask.id).where(cond, _in_orgs(orgs)).order_by(*order).limit(want)
    from sqlalchemy.dialects.postgresql import ARRAY
    codes = sa.bindparam(None, list(orgs), type_=ARRAY(sa.String))
    unit = sa.func.unnest(codes).table_valued("code").render_derived(name="unit")
    keys = {k.key: k for k in map(_column, order)}
    per_unit = (sa.select(*keys.values()).where(cond, HumanTask.org_code == unit.c.code)
                .order_by(*order).limit(want).lateral("per_unit"))
    return (sa.select(per_unit.c.id).select_from(unit).join(per_unit, sa.true())
            .order_by(*[_on(per_unit.c, o) for o in order]).limit(want))


def _per_unit(s, orgs: list[str] | None) -> bool:
    """Whether the tasks of ``orgs`` are read one org unit at a time (PostgreSQL, more than one)."""
    return orgs is not None and len(orgs) > 1 and s.bind.dialect.name == "postgresql"


def _in_orgs(orgs: list[str] | None):
    if orgs is None:
        return sa.true()
    return HumanTask.org_code == orgs[0] if len(orgs) == 1 else HumanTask.org_code.in_(orgs)


def _column(order):
    while isinstance(order, UnaryExpression):
        order = order.element
    return order


_MODIFIERS = {operators.desc_op: sa.desc, operators.asc_op: sa.asc, operators.nulls_last_op: sa.nulls_last,
              operators.nullslast_op: sa.nulls_last, operators.nulls_first_op: sa.nulls_first}


def _on(columns, order):
    """An ORDER BY item of ``HumanTask`` (a column, ``.desc()``, ``.nulls_last()``…) on a subquery's columns."""
    if not isinstance(order, UnaryExpression):
        return columns[order.key]
    return _MODIFIERS[order.modifier](_on(columns, order.element))


def _orgs_in_scope(s, p: Principal, below: bool) -> list[str]:
    return Scope(s, p).orgs(below)


def group_queue(engine, p: Principal, role: str, *, limit: int = 50, offset: int = 0,
                process_key: str | None = None, after: tuple | None = None) -> list[HumanTask]:
    """Unclaimed open tasks of ``role`` the user may claim: their org unit (and those below for a
    supervisory role), or their own enterprise for an enterprise user; minus 回避 exclusions. Two
    statements: the user's context (``Scope.of``) and the page."""
    if role not in p.roles:
        return []
    with engine.db.read() as s:
        scope = Scope.of(s, p, engine.directory)
        cond = [HumanTask.state == OPEN, HumanTask.role_code == role, HumanTask.assignee.is_(None),
                scope.not_excluded(), scope.pool_below(role)]
        if process_key:
            cond.append(HumanTask.process_key == process_key)
        if p.party:
            cond.append(HumanTask.party == p.party)
        return first_page(s, [(sa.and_(*cond), scope.pool_orgs(role))], QUEUE_ORDER, limit, offset, after)



def approvals(engine, p: Principal, *, limit: int = 50, offset: int = 0,
              after: tuple | None = None) -> list[HumanTask]:
    """Tasks of the user's supervisory roles (科室负责人、分管领导… approve, review, decide) that wait
    for them: claimed by them, or unclaimed in their org unit or below. Two index range scans,
    united in one statement after the user's context (``Scope.of``)."""
    roles = sorted(p.supervising_roles)
    if not roles or p.party:
        return []
    with engine.db.read() as s:
        scope = Scope.of(s, p, engine.directory)
        base = (HumanTask.state == OPEN, HumanTask.role_code.in_(roles), scope.not_excluded())
        return first_page(s, [(sa.and_(*base, HumanTask.assignee == p.username), None),
                              (sa.and_(*base, HumanTask.assignee.is_(None), scope.pool_below(roles[0])), scope.orgs())],
                          QUEUE_ORDER, limit, offset, after)


BOARD_CAP = 100  # a cell of the 逾期督办 board counts this many overdue tasks at most, then says 100+


def in_values(s, column, values, item_type: Any = sa.String):
    """``column IN values`` as one parameter on PostgreSQL (``= ANY(array)``), an IN list elsewhere.

    An IN list of a city's 53 org units, or of the 200 cases the board weighs, is a parameter each:
    SQLAlchemy renders them into the statement on every request and psycopg converts it to
    PostgreSQL's ``$n`` form afresh (it caches that only up to 50 parameters), ~1 ms of CPU a statement
    at a province's size. One array parameter keeps the text fixed, so both caches hold it; the server
    plans ``= ANY`` as it plans an IN list (an index range per value)."""
    values = list(values)
    if s.bind.dialect.name != "postgresql":
        return column.in_(values)
    from sqlalchemy.dialects.postgresql import ARRAY
    return column == sa.any_(sa.bindparam(None, values, type_=ARRAY(item_type)))


@dataclass(frozen=True)
class OverdueCell:
    org_code: str
    process_key: str
    count: int
    oldest_due: datetime
    exact: bool = True  # False: more than ``count`` (the cap) — the board shows "100+"


def overdue_board(engine, p: Principal, now: datetime, *, org: str | None = None,
                  cap: int | None = BOARD_CAP, below: list[str] | None = None) -> list[OverdueCell]:
    """Open tasks past their deadline (``due_at`` before ``now``) in the user's org unit and below
    (only ``org`` if given, when it is among them), by org unit and process, most first.

    Each cell is one range of ``ix_human_task_overdue`` (process_key, org_code, due_at; open tasks): its
    oldest deadline is the range's first entry and its count stops after ``cap`` tasks (``exact``
    False; None: no cap), so a city's board reads at most ``cap`` entries a cell rather than every
    overdue task of the province (200,000 at 1,000,000 open tasks). The cap is 100: a unit with more
    than 100 tasks past their deadline is one to call whatever the exact figure, and that figure is
    one click away (the unit picked is counted without a cap). At 1,000 a city's board read 50,000
    entries a view to print 1000+ in every cell (bench/pages.py --postgres --tasks 1000000: ~25 ms
    of the server's CPU, the page's 95th percentile past 100 ms). The cells are the org units in
    scope by the deployed processes (a task's ``process_key`` is its case's, a deployed model's).
    ``below``: the user's org unit and those below it, when the caller has them (a page, from the
    directory's cache); else read here."""
    with engine.db.read() as s:
        orgs = list(below) if below is not None else _orgs_in_scope(s, p, True)
        if org is not None:
            orgs = [o for o in orgs if o == org]
        if not orgs:
            return []
        statement = _board_statement(cap, lateral=s.bind.dialect.name == "postgresql")
        rows = s.execute(statement, {"orgs": orgs, "now": now}).all()
    cells = [OverdueCell(o, k, min(n, cap) if cap is not None else n, due, cap is None or n <= cap)
             for o, k, n, due in rows if n]
    return sorted(cells, key=lambda c: (-c.count, c.org_code, c.process_key))


@functools.lru_cache(maxsize=8)
def _board_statement(cap: int | None, lateral: bool = False):
    """The board's cells: org units (``orgs``) by deployed processes, each with its count of tasks due
    before ``now`` (up to ``cap`` + 1) and its oldest deadline. On PostgreSQL each cell is one LATERAL
    range scan giving both, and empty cells are dropped there; the org units are one array parameter
    (``in_values`` says why), unnested. SQLite has no LATERAL, so there the count and the oldest
    deadline are two scalar subqueries and the caller drops empty cells. Built once per cap."""
    if lateral:
        from sqlalchemy.dialects.postgresql import ARRAY
        unit: Any = (sa.func.unnest(sa.bindparam("orgs", type_=ARRAY(sa.String)))
                     .table_valued("code").render_derived(name="unit"))
    else:
        unit = (sa.select(OrgUnit.code).where(OrgUnit.code.in_(sa.bindparam("orgs", expanding=True)))
                .subquery("unit"))
    process = (sa.select(ProcessModel.key).where(ProcessModel.kind == "bpmn").distinct().subquery("process"))
    late = (HumanTask.state == OPEN, HumanTask.org_code == unit.c.code, HumanTask.process_key == process.c.key,
            HumanTask.due_at < sa.bindparam("now", type_=HumanTask.due_at.type))
    # The first cap + 1 entries of the cell's range, in deadline order: enough to know it holds more than cap.
    first = sa.select(HumanTask.due_at).where(*late).order_by(HumanTask.due_at)
    first = (first if cap is None else first.limit(cap + 1)).correlate(unit, process).subquery("first")
    count = sa.select(sa.func.count().label("n"), sa.func.min(first.c.due_at).label("oldest")).select_from(first)
    if lateral:
        cell = count.lateral("cell")
        return (sa.select(unit.c.code, process.c.key, cell.c.n, cell.c.oldest)
                .select_from(unit.join(process, sa.true()).join(cell, sa.true())).where(cell.c.n > 0))
    oldest = sa.select(sa.func.min(HumanTask.due_at)).where(*late)
    return (sa.select(unit.c.code, process.c.key, sa.select(sa.func.count()).select_from(first).scalar_subquery(),
                      oldest.scalar_subquery())
            .select_from(unit.join(process, sa.true())))  # an EXISTS here would become a semi-join that
    # reads every overdue task again: empty cells are dropped by the caller


def overdue_tasks(engine, p: Principal, now: datetime, *, org: str | None = None, process_key: str | None = None,
                  limit: int = 50, offset: int = 0, below: list[str] | None = None) -> list[HumanTask]:
    with engine.db.read() as s:
        orgs = list(below) if below is not None else _orgs_in_scope(s, p, True)
        if org is not None:
            orgs = [o for o in orgs if o == org]
        in_orgs = HumanTask.org_code == orgs[0] if len(orgs) == 1 else in_values(s, HumanTask.org_code, orgs)
        q = sa.select(HumanTask).where(HumanTask.state == OPEN, HumanTask.due_at < now, in_orgs)
        if process_key:
            q = q.where(HumanTask.process_key == process_key)
        return list(s.execute(q.order_by(HumanTask.due_at, HumanTask.id).limit(limit).offset(offset)).scalars())


# --- 挂牌督办 by unit and 挂牌层级 ---------------------------------------------------------------------
# A 重大事故隐患 under 挂牌督办 (安全生产法 第四十一条第二款; 原国家安全监管总局令第16号 第十四条、第十五条) has the
# 挂牌层级 bpmn/listing_level.dmn gave it (``listing_level`` in the case's data: 省级/市级/县（区）级挂牌督办) and
# the 整改期限 its 督办通知 set (``rectify_deadline``, extensions included; the generated column
# ``listing_deadline``, present only once ``listed_at`` is). A leader counts them per unit: 逾期 (the 整改期限
# before today, China's date: the dashboard's 挂牌督办逾期 rule, workflows/leadership/dashboard.py), 7日内到期
# (today through the seventh day after it, calendar days) and 在办 (all open listings).

LISTING_WINDOWS = ("overdue", "soon", "open")
SOON_DAYS = 7
UNSET_LEVEL = ""  # a listing whose case data holds no 挂牌层级 (a model drawn elsewhere): counted apart


def _listing_level():
    """The 挂牌层级 from its own column (engine/case_facts.py keeps it from the data; revision 0035), in
    ``ix_case_instance_hazards``: the board reads that index alone, never the listed cases' JSON."""
    return sa.func.coalesce(Case.listing_level, UNSET_LEVEL)


def _listed(today: date):
    """Running 重大 hazards under 挂牌督办, read through ``ix_case_instance_hazards`` (process, status,
    unit, grade, level, deadline). It holds the hazard cases only (``hazard_found_day`` set, engine/case_facts.py):
    without that condition SQLite cannot use it and computes ``hazard_grade`` and ``listing_deadline``
    (generated, VIRTUAL there) from every case's JSON."""
    return (Case.process_key == "hazard_supervision", Case.hazard_found_day.is_not(None), Case.status == "running",
            Case.hazard_grade == "重大", Case.listing_deadline.is_not(None))


def _window(today: date, window: str):
    """The 整改期限 condition of a count: ``overdue`` before today; ``soon`` today through today + 7
    (a deadline with a time of day on the seventh day included); ``open`` any."""
    if window == "overdue":
        return Case.listing_deadline < today.isoformat()
    if window == "soon":
        return sa.and_(Case.listing_deadline >= today.isoformat(),
                       Case.listing_deadline < (today + timedelta(days=SOON_DAYS + 1)).isoformat())
    return sa.true()


def _listing_scope(s, p: Principal, policy, below: list[str] | None):
    """The user's cases (the read policy's ``Scope.cases``); an official's org units as one array
    parameter on PostgreSQL (``in_values``)."""
    scope = Scope(s, p, policy)
    if below is not None:
        scope._below = list(below)
    if p.party or (policy is not None and policy.is_external(p)):
        return scope.cases()
    return in_values(s, Case.org_code, scope.orgs())


@dataclass(frozen=True)
class ListingCount:
    org_code: str
    level: str  # the 挂牌层级 as the DMN wrote it; UNSET_LEVEL: none recorded
    open: int
    overdue: int
    soon: int


def listing_board(engine, p: Principal, today: date, *, below: list[str] | None = None) -> list[ListingCount]:
    """Open 挂牌督办 hazards of the user's cases by org unit and 挂牌层级: how many, how many past their
    整改期限, how many due within ``SOON_DAYS`` days. One statement (GROUP BY unit and level)."""
    overdue = _window(today, "overdue")
    soon = _window(today, "soon")
    level = _listing_level().label("level")
    with engine.db.read() as s:
        rows = s.execute(sa.select(Case.org_code, level, sa.func.count(),
                                   sa.func.sum(sa.case((overdue, 1), else_=0)),
                                   sa.func.sum(sa.case((soon, 1), else_=0)))
                         .where(*_listed(today), _listing_scope(s, p, engine.policy, below))
                         .group_by(Case.org_code, level)).all()
    return [ListingCount(o, lv, int(n), int(late or 0), int(near or 0)) for o, lv, n, late, near in rows]


def listing_cases(engine, p: Principal, today: date, *, org: str | None, level: str | None, window: str,
                  limit: int = 50, offset: int = 0, below: list[str] | None = None) -> list[Case]:
    """The cases behind one count of ``listing_board`` (``org``/``level`` None: any), the earliest
    整改期限 first."""
    with engine.db.read() as s:
        q = sa.select(Case).where(*_listed(today), _window(today, window),
                                  _listing_scope(s, p, engine.policy, below))
        if org is not None:
            q = q.where(Case.org_code == org)
        if level is not None:
            q = q.where(_listing_level() == level)
        return list(s.execute(q.order_by(Case.listing_deadline, Case.id).limit(limit).offset(offset)).scalars())


def _workable_select():
    task, excl, cand = HumanTask.__table__, TaskExclusion.__table__, TaskCandidate.__table__
    return (sa.select(*task.c,
                      sa.select(excl.c.reason).where(excl.c.task_id == task.c.id, excl.c.username == sa.bindparam("user"))
                      .scalar_subquery().label("exclusion"),
                      sa.exists().where(cand.c.task_id == task.c.id, cand.c.username == sa.bindparam("user"))
                      .label("candidate"))
            .where(task.c.case_id == sa.bindparam("case_id"), task.c.state == OPEN)
            .order_by(task.c.created_at, task.c.id))


_OPEN_IN_CASE = sqlexec.Sql(_workable_select())


def workable_in_case(engine, p: Principal, case_id: int, directory_version: int | None = None) -> list:
    """The open tasks of ``case_id`` that ``p`` may claim or complete now, oldest first, as rows with
    ``human_task``'s columns: the case's open tasks (an index range scan of its few), each with the
    user's 回避 reason and candidacy read in the same statement, passed through the policy's task
    check — the one a claim or a completion makes (role, org scope, enterprise, assignee, candidates,
    回避). What a client or a page offers after a completion (下一步), so that the person who just
    finished a step goes on to the next one of the same case without reading the case again. One
    statement (through engine/sqlexec.py: the ORM's select and a second statement for the user's
    exclusions cost ~1 ms a completion through the API, more than the step). The statement runs on
    its own in autocommit (``sqlexec.read_alone``: no read session around it, −2,800 bytecodes of a
    completion through the API on SQLite); a read session is opened only if the policy asks for
    one (a supervisor's check of a unit below theirs, its org path read afresh)."""
    rows = sqlexec.read_alone(engine.db.engine, _OPEN_IN_CASE, {"case_id": case_id, "user": p.username})
    out = []
    with contextlib.ExitStack() as opened:
        s = _ReadWhenAsked(engine, opened)
        for row in rows:
            try:
                engine.policy.check_task(s, p, row, (row.exclusion, bool(row.candidate)), directory_version)
            except Forbidden:
                continue
            out.append(row)
    return out


class _ReadWhenAsked:
    """A read session (``Database.read``) opened on its first use, in ``opened``, else never."""
    __slots__ = ("_engine", "_opened", "_session")

    def __init__(self, engine, opened: contextlib.ExitStack):
        self._engine, self._opened, self._session = engine, opened, None

    def __getattr__(self, name: str):
        if self._session is None:
            self._session = self._opened.enter_context(self._engine.db.read(snapshot=False))
        return getattr(self._session, name)


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


@dataclass(frozen=True)
class Transfers:
    """What a case's 办理记录 says of the units its derived cases (派生案件) went to and the one it came from."""
    sent: dict[str, str]   # 案号 of a derived case opened in another unit -> 「移送至西城区应急管理局（…）」
    came: str | None       # 「由东城区应急管理局移送（…）」, when its parent case is another unit's


def transfers(engine, case) -> Transfers:
    """The 移送 of a case's derived cases (``case_spawned`` in its history) and of the case itself (its
    parent's unit): a case opened in a unit outside the opening unit's own subtree — the enterprise's
    competent unit (``step.check_spawn_org``: 东城区's 联合检查执法 finding a hazard at 西城区's enterprise, a town's
    at the district's) — is 移送, naming 《中华人民共和国行政处罚法》第二十二条 (由违法行为发生地的行政机关管辖); one
    opened in a unit below it (the city's 12350 举报 分类交办 to a district) is 交办. The same unit: nothing.
    One read of the units and cases named."""
    numbers = [n for e in case.history if e["action"] == "case_spawned" and (n := (e.get("detail") or {}).get("case_no"))]
    if not numbers and not case.parent_case_id:
        return Transfers({}, None)
    with engine.db.read() as s:
        children = dict(s.execute(sa.select(Case.case_no, Case.org_code).where(Case.case_no.in_(numbers))).all()) \
            if numbers else {}
        parent = s.execute(sa.select(Case.org_code).where(Case.id == case.parent_case_id)).scalar() \
            if case.parent_case_id else None
        codes = {case.org_code, *children.values(), *([parent] if parent else [])}
        units = {code: (name, path) for code, name, path in s.execute(
            sa.select(OrgUnit.code, OrgUnit.name, OrgUnit.path).where(OrgUnit.code.in_(codes))).all()}

    def kind(source: str, target: str) -> str | None:
        if source == target or source not in units or target not in units:
            return None
        return "交办" if units[target][1].startswith(units[source][1]) else "移送"

    sent = {}
    for number, org in children.items():
        how = kind(case.org_code, org)
        if how is not None:
            sent[number] = f"{how}至{units[org][0]}" + (f"（{TERRITORY_LAW}）" if how == "移送" else "")
    came = None
    if parent is not None and (how := kind(parent, case.org_code)) is not None:
        came = f"由{units[parent][0]}{how}" + (f"（{TERRITORY_LAW}）" if how == "移送" else "")
    return Transfers(sent, came)
