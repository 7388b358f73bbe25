"""One definition of 逾期督办 for every page: a case is overdue when it is running and either the
engine raised its escalation level (督办级别 ≥ 一级: a missed legal deadline already led to an
escalation task, which may itself have no deadline yet) or one of its open tasks is past its deadline.

The overdue board counts these cases, the case list filters and marks them (both the longest overdue
first: ``most_overdue``), and the queues mark the tasks of such cases — all through ``condition``
here, so the board never says 共 0 项 while the list shows cases at 一级督办.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import session

from engine import workdays
from engine.audit import case_chain
from engine.clock import SHANGHAI

from engine.directory import Principal
from engine import queries
from engine.queries import Scope, in_values
from engine.schema import OPEN, AuditEvent, Case, HumanTask


def condition(now: datetime):
    """SQL condition on ``Case``: running, and escalated or with an open task past its deadline."""
    # OFFSET 0 keeps PostgreSQL from turning the EXISTS into a hash of every overdue task of the
    # province (200,000 rows, half a second) built before the first case: each case is one probe.
    late_task = (sa.select(HumanTask.id).where(HumanTask.case_id == Case.id, HumanTask.state == OPEN,
                                               HumanTask.due_at < now).offset(0).exists())
    return sa.and_(Case.status == "running", sa.or_(Case.escalation_level > 0, late_task))


def is_overdue(case, now: datetime) -> bool:
    """The same rule for one case already loaded (a ``CaseView``)."""
    return case.status == "running" and (bool(case.escalation_level) or any(
        t.state == "open" and t.due_at is not None and t.due_at < now for t in case.tasks))


COUNT_CAP = 1000  # the board's 共 N 件 says "1000+" beyond: counting every overdue case of a province scans them all


# Each read below is one statement or two (the user's org units, then the cases) needing no common
# snapshot: on PostgreSQL they run outside a transaction (engine/database.py ``read``), which saves the
# BEGIN and ROLLBACK round trips and keeps psycopg's prepared statements.

def _scope(s, p: Principal, engine, below: list[str] | None) -> Scope:
    """The user's read scope; ``below``: their org unit and those below it, when the page has them
    (from the directory's cache), so they are not read again."""
    scope = Scope(s, p, engine.policy)
    if below is not None:
        scope._below = list(below)
    return scope


def units_below(engine, p: Principal) -> list[str]:
    """The user's org unit and those below it, from the directory's cache at the counter read with
    the session row (any directory change, by any process, moves it): no read while nothing changed.
    For a page's reads (``below`` of the functions here)."""
    version = getattr(session, "directory_version", None)
    with engine.db.read() as s:  # opens no connection when the cache has the subtree
        if version is None:
            return engine.directory.org_codes_below(s, p.org_path)
        return engine.directory.cached_org_codes_below(s, p.org_path, version)


def count(engine, p: Principal, now: datetime, cap: int = COUNT_CAP,
          below: list[str] | None = None) -> tuple[int, bool]:
    """How many overdue cases the user's org units have, up to ``cap``; and whether that is exact."""
    with engine.db.read() as s:
        first = (sa.select(Case.id).where(condition(now), _scope(s, p, engine, below).cases())
                 .limit(cap + 1).subquery())
        found = s.execute(sa.select(sa.func.count()).select_from(first)).scalar_one()
        return min(found, cap), found <= cap


def overdue_ids(engine, case_ids, now: datetime) -> set[int]:
    """Which of ``case_ids`` are overdue (to mark rows of a list)."""
    ids = [i for i in case_ids if i is not None]
    if not ids:
        return set()
    with engine.db.read() as s:
        return set(s.execute(sa.select(Case.id).where(Case.id.in_(ids), condition(now))).scalars())


@dataclass(frozen=True)
class Lateness:
    """How long a case has been overdue (已逾期N天): from its earliest missed deadline — an open task past
    it, or the deadline a 升级督办 punished (a deadline timer firing: 督办级别 raised, audit ``escalated``) — counted in
    calendar days as the task list's 逾期N天, and in 工作日 (engine/workdays: 法定节假日 and 调休 left out),
    since a deadline set in working days (行政处罚法 Art 85, 行政许可法 Art 82…) is read in them. A task
    closed after its deadline was handled, late: it no longer counts (the board reads what is late now)."""
    since: datetime
    days: int
    workdays: int | None  # None: the span is past what the calendar counts (a mistyped year)

    @property
    def text(self) -> str:
        if self.days <= 0:
            return "今日逾期"
        shown = f"已逾期{self.days}天"
        return shown + (f"（{self.workdays}个工作日）" if self.workdays is not None else "")


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at  # SQLite hands back naive UTC


def _missed_since(s, ids: list[int], now: datetime) -> dict[int, datetime]:
    """The earliest missed deadline of each of ``ids`` (absent: none on record): its open tasks past
    their deadline by ix_human_task_case_due, its 升级督办 by the case's audit chain (the deadline each
    escalation's task missed)."""
    found = list(s.execute(sa.select(HumanTask.case_id, sa.func.min(HumanTask.due_at))
                           .where(in_values(s, HumanTask.case_id, ids, sa.Integer), HumanTask.state == OPEN,
                                  HumanTask.due_at < now)
                           .group_by(HumanTask.case_id)).all())
    chains = {case_chain(i): i for i in ids}
    # An escalation missed the deadline of the task its timer watched (the audit's task): that deadline,
    # not when the sweep fired it (a sweep a day late, a demo's clock moved by weeks); else when it fired.
    missed_at = sa.func.coalesce(HumanTask.due_at, AuditEvent.at)
    found += [(chains[chain], at) for chain, at in s.execute(
        sa.select(AuditEvent.chain, sa.func.min(missed_at))
        .outerjoin(HumanTask, HumanTask.id == AuditEvent.task_id)
        .where(in_values(s, AuditEvent.chain, chains), AuditEvent.action == "escalated").group_by(AuditEvent.chain))]
    earliest: dict[int, datetime] = {}
    for case_id, at in found:
        if at is not None:
            earliest[case_id] = min(_utc(at), earliest.get(case_id, _utc(at)))
    return earliest


def _latenesses(sinces: dict, now: datetime) -> dict:
    """``Lateness`` of each earliest missed deadline in ``sinces`` (by any key). The 工作日 are counted
    once over the span from the earliest of them to today, piece by piece between their days, not day
    by day from each (a page of 50 cases some 80 days late walked 4,000 days: ~8 ms a request)."""
    today = now.astimezone(SHANGHAI).date()
    # The day a deadline falls on (a 24:00 deadline is that day's).
    day_of = {k: (at - timedelta(microseconds=1)).astimezone(SHANGHAI).date() for k, at in sinces.items()}
    counted: dict = {}
    later, running = today, 0
    for day in sorted(set(day_of.values()), reverse=True):
        if day >= today or (today - day).days > workdays.MAX_SPAN_DAYS:
            try:  # today's (0), or past what the calendar counts (a mistyped year): as asked
                counted[day] = workdays.workdays_between(day, today)
            except ValueError:
                counted[day] = None
            continue
        running += workdays.workdays_between(day, later)  # 工作日 after ``day`` through ``later``
        later, counted[day] = day, running
    return {k: Lateness(sinces[k], (today - day).days, counted[day]) for k, day in day_of.items()}


def lateness(engine, case_ids, now: datetime) -> dict[int, Lateness]:
    """How long each of ``case_ids`` has been overdue (two statements for the page's cases)."""
    ids = [i for i in case_ids if i is not None]
    if not ids:
        return {}
    with engine.db.read() as s:
        return _latenesses(_missed_since(s, ids, now), now)


# Escalated running cases weighed for the board's first rows: the highest 督办级别 first, then the oldest
# started (ix_case_instance_escalation). Their missed deadlines are read case by case (two statements of
# one index probe a case): at a province's size (bench/pages.py --postgres --tasks 1000000) 1,000 of them
# cost ~30 ms a request and put the board past its 100 ms at the 95th percentile; 200 cost ~6 ms. A
# district's escalated cases are tens; past 200 in one scope the board weighs the 200 most escalated,
# oldest first, beside every case with an open task past its deadline (read in deadline order).
ESCALATED_READ = 200


def most_overdue(engine, p: Principal, now: datetime, *, limit: int = 20,
                 below: list[str] | None = None) -> tuple[list[Case], dict[int, Lateness]]:
    """The ``limit`` overdue cases of the user's org units that have been overdue longest, with how long:
    the board's one rule for which cases it shows and in what order — the earliest missed deadline first
    (an open task past it, or the one a 升级督办 punished), then the higher 督办级别, then the earlier case; a case
    escalated with no deadline on record last.

    Why days before level: what a late case costs grows with the days — the danger left untreated, the
    按日连续处罚 an enterprise that will not correct accrues (安全生产法 第一百一十二条), the 加处罚款 of a fine
    unpaid (行政处罚法 第七十二条, 3% a day) — while the level counts the rungs already taken. Sorted by level
    first, a case 40 days late at 一级 stood behind twenty cases 2 days late at 二级.

    Read without sorting every overdue case of a province: the open tasks past their deadline in deadline
    order (ix_human_task_due), until ``limit`` cases are found — a case not among them missed no deadline
    earlier than theirs, unless it escalated earlier — and the escalated running cases (ix_case_instance_escalation,
    up to ``ESCALATED_READ``, the most escalated and oldest first); their missed deadlines are then read by case and the candidates ranked."""
    with engine.db.read() as s:
        in_scope = _scope(s, p, engine, below).cases()
        # Asked of each task as it comes in deadline order (one probe of the case by its key; OFFSET 0
        # keeps PostgreSQL from joining every case of the scope first, as a join did on SQLite: 25 ms).
        ours = (sa.select(Case.id).where(Case.id == HumanTask.case_id, Case.status == "running", in_scope)
                .offset(0).exists())
        candidates: list[int] = []
        batch = max(4 * limit, 50)
        while True:  # open tasks past their deadline, oldest deadline first, until ``limit`` cases
            rows = s.execute(sa.select(HumanTask.case_id)
                             .where(HumanTask.state == OPEN, HumanTask.due_at < now, ours)
                             .order_by(HumanTask.due_at, HumanTask.case_id).limit(batch)).scalars().all()
            candidates = list(dict.fromkeys(rows))
            if len(candidates) >= limit or len(rows) < batch:
                break
            batch *= 4
        candidates = candidates[:limit]
        level = dict(s.execute(sa.select(Case.id, Case.escalation_level)
                               .where(Case.status == "running", Case.escalation_level > 0, in_scope)
                               .order_by(Case.escalation_level.desc(), Case.started_at, Case.id)
                               .limit(ESCALATED_READ)).all())
        ids = list(dict.fromkeys([*candidates, *level]))
        if not ids:
            return [], {}
        since = _missed_since(s, ids, now)
        far = datetime.max.replace(tzinfo=timezone.utc)
        first = sorted(ids, key=lambda i: (since.get(i, far), -level.get(i, 0), i))[:limit]
        rows = {c.id: c for c in s.execute(sa.select(Case).where(Case.id.in_(first))).scalars()}
    return [rows[i] for i in first], _latenesses({i: since[i] for i in first if i in since}, now)


# --- 挂牌督办 by unit and 挂牌层级 (engine/queries.py ``listing_board``) -----------------------------------

# The 挂牌层级 bpmn/listing_level.dmn writes, highest first; any other text a model wrote after them.
LISTING_LEVELS = ("省级挂牌督办", "市级挂牌督办", "县（区）级挂牌督办")
UNSET_LEVEL_NAME = "未定层级"
WINDOW_NAMES = {"overdue": "已逾期", "soon": f"{queries.SOON_DAYS}日内到期", "open": "在办"}


@dataclass(frozen=True)
class ListingTable:
    levels: list[str]                     # the columns, highest 挂牌层级 first
    units: list[str]                      # the rows: org units, the most 逾期 first
    cells: dict[tuple[str, str], queries.ListingCount]
    by_unit: dict[str, tuple[int, int, int]]   # a row's totals: (在办, 逾期, 7日内到期)
    by_level: dict[str, tuple[int, int, int]]  # a column's totals
    total: tuple[int, int, int]


def _sum(counts) -> tuple[int, int, int]:
    counts = list(counts)
    return (sum(c.open for c in counts), sum(c.overdue for c in counts), sum(c.soon for c in counts))


def listing_table(engine, p: Principal, today, below: list[str] | None = None) -> ListingTable:
    """The board's 挂牌督办 table: one statement, laid out by unit (rows) and 挂牌层级 (columns)."""
    counts = queries.listing_board(engine, p, today, below=below)
    known = {lv: i for i, lv in enumerate(LISTING_LEVELS)}
    levels = sorted({c.level for c in counts}, key=lambda lv: (lv == queries.UNSET_LEVEL, known.get(lv, len(known)), lv))
    by_unit = {o: _sum(c for c in counts if c.org_code == o) for o in {c.org_code for c in counts}}
    units = sorted(by_unit, key=lambda o: (-by_unit[o][1], -by_unit[o][2], -by_unit[o][0], o))
    return ListingTable(levels, units, {(c.org_code, c.level): c for c in counts}, by_unit,
                        {lv: _sum(c for c in counts if c.level == lv) for lv in levels}, _sum(counts))


def level_name(level: str | None) -> str:
    return UNSET_LEVEL_NAME if not level else level
