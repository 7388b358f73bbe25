"""One definition of 逾期督办 for every page: a case is overdue when it is running and either the
engine raised its escalation level (督办级别 ≥ 一级: a missed legal deadline already led to an
escalation task, which may itself have no deadline yet) or one of its open tasks is past its deadline.

The overdue board counts these cases, the case list filters and marks them, and the queues mark the
tasks of such cases — all through ``condition`` here, so the board never says 共 0 项 while the list
shows cases at 一级督办.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from engine import workdays
from engine.audit import case_chain
from engine.clock import SHANGHAI

from engine.directory import Principal
from engine.queries import BOARD_CAP, Scope
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


# Most escalated first: ix_case_instance_escalation, read backwards, walks running cases by level, so
# a page stops after its rows (sorting only within a level), each case checked by one probe of
# ix_human_task_case_due.
ORDER = (Case.escalation_level.desc(), Case.started_at, Case.id)
COUNT_CAP = BOARD_CAP  # the same "1000+" as the board's cells (engine/queries.py): counting every overdue case of a province scans them all


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


def cases(engine, p: Principal, now: datetime, *, limit: int = 50, offset: int = 0,
          below: list[str] | None = None) -> list[Case]:
    """Overdue cases of the user's org unit and below, most escalated first."""
    with engine.db.read() as s:
        q = (sa.select(Case).where(condition(now), _scope(s, p, engine, below).cases())
             .order_by(*ORDER).limit(limit).offset(offset))
        return list(s.execute(q).scalars())


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
    """How long a case has been overdue (已逾期N天): from its earliest deadline missed — an open task past
    it, a task closed after it, or the first escalation (a deadline timer firing: 督办级别 raised) — counted in calendar days as the
    task list's 逾期N天, and in 工作日 (engine/workdays: 法定节假日 and 调休 left out), since a deadline set
    in working days (行政处罚法 Art 85, 行政许可法 Art 82…) is read in them."""
    since: datetime
    days: int
    workdays: int | None  # None: the span is past what the calendar counts (a mistyped year)

    @property
    def text(self) -> str:
        if self.days <= 0:
            return "今日逾期"
        shown = f"已逾期{self.days}天"
        return shown + (f"（{self.workdays}个工作日）" if self.workdays is not None else "")


def lateness(engine, case_ids, now: datetime) -> dict[int, Lateness]:
    """The earliest missed deadline of each of ``case_ids``: its tasks by ix_human_task_case_due, its
    first 升级督办 (audit ``escalated``) by the case's chain (two statements for the page's cases)."""
    ids = [i for i in case_ids if i is not None]
    if not ids:
        return {}
    missed = sa.and_(HumanTask.due_at < now, sa.or_(HumanTask.state == OPEN, HumanTask.completed_at.is_(None),
                                                    HumanTask.completed_at > HumanTask.due_at))
    with engine.db.read() as s:
        found = list(s.execute(sa.select(HumanTask.case_id, sa.func.min(HumanTask.due_at))
                               .where(HumanTask.case_id.in_(ids), missed).group_by(HumanTask.case_id)).all())
        chains = {case_chain(i): i for i in ids}
        found += [(chains[chain], at) for chain, at in s.execute(
            sa.select(AuditEvent.chain, sa.func.min(AuditEvent.at))
            .where(AuditEvent.chain.in_(list(chains)), AuditEvent.action == "escalated").group_by(AuditEvent.chain))]
    earliest: dict[int, datetime] = {}
    for case_id, at in found:
        if at is None:
            continue
        if at.tzinfo is None:  # SQLite hands back naive UTC
            at = at.replace(tzinfo=timezone.utc)
        earliest[case_id] = min(at, earliest.get(case_id, at))
    out = {}
    for case_id, since in earliest.items():
        day = since - timedelta(microseconds=1)  # the day the deadline falls on (a 24:00 deadline is that day's)
        days = (now.astimezone(SHANGHAI).date() - day.astimezone(SHANGHAI).date()).days
        try:  # 工作日 after that day, through today
            counted = workdays.workdays_between(day, now)
        except ValueError:
            counted = None
        out[case_id] = Lateness(since, days, counted)
    return out


def most_overdue_first(cases: list, late: dict[int, Lateness]) -> list:
    """``cases`` (already most escalated first) with, within each 督办级别, the most overdue first; a case
    escalated with no deadline on record keeps its place after them."""
    far = datetime.max.replace(tzinfo=None)
    return sorted(cases, key=lambda c: (-(c.escalation_level or 0),
                                        late[c.id].since.replace(tzinfo=None) if c.id in late else far))
