"""Quarterly 通报排名 of the units below an org (区 under a city, 镇 under a district) and the 约谈 ladder.

Source: 九江市柴桑区人民政府《关于进一步加强安全生产工作的实施意见》(seed 003, items 十一 and 二十六; earlier
named here 无锡市锡山区 2019 by mistake): the 安委会 sets the 考核细则 (item 十一) and each quarter ranks the
专委会 and the 乡镇 (通报排名); the first two are praised (通报表扬); the last two
(排名后两位) are criticised, and
- ranked in the last two the first time: 通报批评, and the unit speaks at the meeting (表态发言);
- twice running: the 常务副区长 and 分管副区长 hold a 约谈 with the unit's principal leader, organised by
  the 安委办;
- three times running: the 区政府主要领导 holds the 约谈, and the 区纪委 and 区委组织部 hold 约谈 with the
  unit's leader in charge and the staff concerned.
武进 2017 (seed 000) asks for the same 季度点评, 常州 2012 (seed 001) for 重大隐患整改率100%.

Indicators per unit, from case data of the quarter (a unit with no cases for an indicator scores it in
full — nothing was late; an indicator no unit has data for is left out and the others are rescaled; a
unit with nothing to count at all (无可考核事项) keeps that full score by the rule but is marked so and is
not among the 通报表扬, which go to the first two units that had something to count):

| indicator | weight | from |
| --- | --- | --- |
| 按期整改率 on-time rectification | 30 | 重大 hazards 销号 in the quarter by their 督办期限 (extensions included) |
| 检查完成率 inspection completion | 30 | graded enterprises inspected within their risk level's interval, as of today (分级分类监管); the current quarter only |
| 案件质量 case quality | 20 | enforcement decisions (``decided_at``) in the quarter made within 90 days of 立案 (行政处罚法 Art 60), and the 执法案卷评查 scores (out of 100) notified in the quarter, each reviewed file counting as one decision (seed 000 武进 2017: 案卷评查) |
| 事故 accidents | 20 | minus 5 per 一般, 10 per 较大, 20 per 重大 or 特别重大 accident opened in the quarter (floor 0) |

The ranking is computed from case data on demand (never stored), so a corrected case corrects it; the
约谈 actually held are recorded steps (:class:`InterviewRecord`), one per unit, quarter and rung.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from engine.schema import Case
from workflows.case_review import PROCESS as CASE_REVIEW

from .dashboard import ACCIDENT, ENFORCEMENT, _field, _local_date, _on_time, case_filter
from .period import SHANGHAI, Period
from .records import InspectionTally, InterviewRecord
from .scope import Scope

WEIGHTS = {"on_time": 30, "inspection": 30, "quality": 20, "accidents": 20}
INDICATOR_NAMES = {"on_time": "按期整改率", "inspection": "检查完成率", "quality": "案件质量", "accidents": "事故"}
ACCIDENT_PENALTY = {"一般": 5, "较大": 10, "重大": 20, "特别重大": 20}
DECISION_DAYS = 90  # 行政处罚法 Art 60: decide within 90 days of 立案
LAST = 2            # 排名后两位
PRAISED = 2         # 排名前二位 通报表扬 (seed 003 item 二十六)
RUNGS = {
    1: "通报批评，牵头单位在季度安全生产工作会上作表态发言",
    2: "由常务副区长和分管副区长对牵头单位主要领导进行约谈（安委办组织）",
    3: "由区政府主要领导进行约谈，区纪委、区委组织部对分管领导和具体业务人员进行约谈",
}


@dataclass
class Row:
    org: str
    name: str
    values: dict = field(default_factory=dict)   # indicator -> (numerator, denominator) or count
    scores: dict = field(default_factory=dict)
    score: float = 0.0
    rank: int = 0
    last: bool = False
    streak: int = 0     # quarters running in the last two, this one included
    rung: str | None = None
    praised: bool = False  # 通报表扬: among the first two of the units that had something to count

    @property
    def nothing_counted(self) -> bool:
        """无可考核事项: no hazard, inspection, decision or accident of this unit counted this quarter, so its
        score is the rule's full marks for nothing, not a result earned."""
        return all(not (v[1] if isinstance(v, tuple) else v) for v in self.values.values())


def rank(engine, scope: Scope, quarter: Period, now: datetime, history: int = 2) -> list[Row]:
    """The units below ``scope.root`` ranked for ``quarter``; the last two carry their 约谈 rung,
    counted over this and the ``history`` quarters before it.

    One session for every quarter, and each indicator read once for all of them (the span from the
    oldest quarter's start to this one's end, kept on the session) and sorted into quarters here:
    three statements for the three quarters rather than one per indicator and quarter."""
    quarters = [quarter]
    for _ in range(history):
        quarters.append(quarters[-1].previous())
    with engine.db.read() as s:  # one statement per indicator, no common snapshot needed
        s.info[SPAN] = _Span(quarters[-1].start, quarter.end)
        rows = _rank_one(s, scope, quarter, now)
        streaks = {r.org: 1 for r in rows if r.last}
        for i, previous in enumerate(quarters[1:]):
            before = {r.org for r in _rank_one(s, scope, previous, now) if r.last}
            for org in list(streaks):
                if org in before and streaks[org] == i + 1:
                    streaks[org] += 1
    for r in rows:
        if r.last:
            r.streak = streaks[r.org]
            r.rung = RUNGS[min(r.streak, 3)]
    return rows


SPAN = "ranking_span"


@dataclass(frozen=True)
class _Span:
    """The stretch of time the indicators of a ranking are read for (``start`` … ``end``, UTC)."""
    start: datetime
    end: datetime


def _once(s, key: tuple, read):
    """``read()`` once per session and ``key`` (the indicators' rows for the ranking's whole span)."""
    if key not in s.info:
        s.info[key] = read()
    return s.info[key]


def _span(s, quarter: Period):
    return s.info.get(SPAN) or _Span(quarter.start, quarter.end)


def _rank_one(s, scope: Scope, quarter: Period, now: datetime) -> list[Row]:
    units = list(scope.units) or [scope.root]
    rows = {u: Row(u, scope.name(u)) for u in units}
    present = set()
    for name, fn in (("on_time", _on_time_counts), ("inspection", _inspection_counts),
                     ("quality", _quality_counts), ("accidents", _accident_points)):
        values, has_data = fn(s, scope, quarter, now)
        if has_data:
            present.add(name)
        for u in units:
            rows[u].values[name] = values.get(u)
    total_weight = sum(WEIGHTS[n] for n in present) or 1
    for r in rows.values():
        for name in WEIGHTS:
            if name not in present:
                continue
            v = r.values.get(name)
            if name == "accidents":
                part = max(0.0, 1 - (v or 0) / WEIGHTS["accidents"])
            else:
                part = 1.0 if not v or not v[1] else v[0] / v[1]
            r.scores[name] = round(part * WEIGHTS[name], 1)
        r.score = round(sum(r.scores.values()) * 100 / total_weight, 1)
    ordered = sorted(rows.values(), key=lambda r: (-r.score, r.org))
    previous = None
    for i, r in enumerate(ordered, 1):
        r.rank = previous.rank if previous and previous.score == r.score else i
        previous = r
    if len(ordered) > LAST and present:
        cut = ordered[-LAST].score
        for r in ordered:
            r.last = r.score <= cut and r.rank > 1
    counted = [r for r in ordered if not r.nothing_counted and not r.last]
    if counted:
        second = counted[min(PRAISED, len(counted)) - 1].score
        for r in counted:
            r.praised = r.score >= second
    return ordered


def _on_time_counts(s, scope, quarter, now):
    span = _span(s, quarter)
    found = _once(s, ("ranking_on_time", scope.root, span), lambda: s.execute(
        sa.select(Case.org_code, _field("delisted_at"), _field("rectify_deadline"), Case.ended_at)
        .where(*case_filter("rectified", scope, span, now, {}))).all())
    rows = [r for r in found if quarter.start <= r[3] < quarter.end]
    out = defaultdict(lambda: [0, 0])
    for org, done, due, _ended in rows:
        unit = scope.rollup.get(org, scope.root)
        out[unit][1] += 1
        out[unit][0] += _on_time(done, due)
    return {u: tuple(v) for u, v in out.items()}, bool(rows)


def _quality_counts(s, scope, quarter, now):
    decided = _field("decided_at")
    span = _span(s, quarter)
    rows = _once(s, ("ranking_decisions", scope.root, span), lambda: s.execute(
        sa.select(Case.org_code, Case.started_at, decided).where(
            Case.process_key == ENFORCEMENT, Case.org_code.in_(scope.codes), decided.is_not(None),
            decided >= span.start.isoformat()[:10])).all())
    out = defaultdict(lambda: [0, 0])
    found = False
    for org, started, at in rows:
        day = _local_date(at)
        if day is None or not (quarter.first_day <= day < quarter.end_day):
            continue
        found = True
        unit = scope.rollup.get(org, scope.root)
        out[unit][1] += 1
        out[unit][0] += (day - _local_date(started.isoformat())).days <= DECISION_DAYS
    reviews = _once(s, ("ranking_reviews", scope.root), lambda: s.execute(
        sa.select(_field("reviewed_org"), _field("review_total"), _field("notice_issued_on")).where(
            Case.process_key == CASE_REVIEW, _field("reviewed_org").in_(scope.codes),
            _field("review_total").is_not(None))).all())
    for org, total, notified in reviews:
        day = _local_date(notified)
        if day is None or not (quarter.first_day <= day < quarter.end_day):
            continue
        found = True
        unit = scope.rollup.get(org, scope.root)
        out[unit][1] += 1
        out[unit][0] += min(max(float(total), 0.0), 100.0) / 100
    return {u: tuple(v) for u, v in out.items()}, found


def _accident_points(s, scope, quarter, now):
    span = _span(s, quarter)
    found = _once(s, ("ranking_accidents", scope.root, span), lambda: s.execute(
        sa.select(Case.org_code, _field("accident_grade"), Case.started_at).where(
            Case.process_key == ACCIDENT, Case.org_code.in_(scope.codes), Case.started_at >= span.start,
            Case.started_at < span.end)).all())
    rows = [(org, grade) for org, grade, started in found if quarter.start <= started < quarter.end]
    out = defaultdict(int)
    for org, grade in rows:
        out[scope.rollup.get(org, scope.root)] += ACCIDENT_PENALTY.get(grade, 5)
    deployed = _once(s, ("ranking_accident_cases",), lambda: s.execute(
        sa.select(sa.func.count()).select_from(Case).where(Case.process_key == ACCIDENT)).scalar())
    return dict(out), bool(deployed) or bool(rows)


def _inspection_counts(s, scope, quarter, now):
    """Graded enterprises inspected within their level's interval, as of today, for the current quarter.

    The registry keeps only each enterprise's last inspection date, so a past quarter's figure cannot be
    known (a later inspection overwrote it): for past quarters the indicator is no data."""
    today = now.astimezone(SHANGHAI).date()
    if not (quarter.first_day <= today < quarter.end_day):
        return {}, False
    from workflows.enterprises.supervision import intervals
    t = InspectionTally
    on_schedule = sa.or_(*[sa.and_(t.risk_level == level.value, t.inspected == 1,
                                   t.last_inspected_on > today - relativedelta(months=months))
                           for level, months in intervals().items()])
    # Summed from the tally the database keeps as the registry changes (revision 0012): a few hundred
    # rows rather than one index entry per graded enterprise (100,000 at a province's size). Units
    # outside the scope are dropped here rather than by an IN list.
    q = (sa.select(t.org_unit, sa.func.sum(t.n), sa.func.sum(sa.case((on_schedule, t.n), else_=0)))
         .group_by(t.risk_level, t.org_unit))
    try:
        rows = [r for r in s.execute(q).all() if r[0] in scope.rollup]
    except sa.exc.OperationalError:  # registry tables not created in this database
        return {}, False
    out = defaultdict(lambda: [0, 0])
    for org, total, done in rows:
        unit = scope.rollup.get(org, scope.root)
        out[unit][0] += int(done or 0)
        out[unit][1] += int(total)
    return {u: tuple(v) for u, v in out.items()}, bool(rows)


NOTHING_COUNTED = "无可考核事项"
"""A unit with nothing to count in any indicator this quarter (its score the rule's, not earned)."""

NOTHING_TO_SCORE = "无（计满分）"
"""An indicator a unit had nothing to count for this quarter: scored in full (a bare — read as a zero)."""


def shown(row: Row, name: str) -> str:
    v = row.values.get(name)
    if name == "accidents":
        return f"扣{v}分" if v else "无"
    if not v or not v[1]:
        return NOTHING_TO_SCORE
    return f"{100 * v[0] / v[1]:.1f}%（{v[0]}/{v[1]}）"


# --- recorded 约谈 ---------------------------------------------------------------------------------

def interviews(engine, quarter: Period) -> dict[str, InterviewRecord]:
    with engine.db.read() as s:
        return {r.org_code: r for r in s.execute(sa.select(InterviewRecord).where(
            InterviewRecord.quarter == quarter.code)).scalars()}


def record_interview(engine, quarter: Period, row: Row, held_on: date, note: str, by: str) -> InterviewRecord:
    """Record that the rung for ``row`` was carried out (once per unit and quarter; again replaces)."""
    if not row.last:
        raise ValueError("该单位本季度不在排名后两位，无需约谈")
    with engine.db.write() as s:
        rec = s.execute(sa.select(InterviewRecord).where(InterviewRecord.quarter == quarter.code,
                                                         InterviewRecord.org_code == row.org)).scalar()
        if rec is None:
            rec = InterviewRecord(quarter=quarter.code, org_code=row.org)
            s.add(rec)
        rec.streak, rec.rung, rec.held_on, rec.note = row.streak, row.rung, held_on, note
        rec.recorded_by, rec.recorded_at = by, engine.clock.now()
    return rec
