"""Decisions (决策) of the supervision processes.

Rules that are tables live in ``bpmn/*.dmn`` so designers can read and change them; ``decide`` runs
those same files, so the web UI, tests and the processes cannot disagree. Rules that are arithmetic
or checks over a whole report live here as functions:

- ``four_nots_check``      四不放过 gate of the accident report;
- ``tally_votes``           集体讨论 quorum (到会人数) and majority (过半数);
- ``late_payment_penalty``  加处罚款 3% per day, capped at the fine (《行政强制法》第四十五条);
- ``closure_warranted``     提请关闭 after 3 penalties in 180 days or 4 in a year (《安全生产法》第一百一十三条);
- ``statement_period_days`` 陈述申辩 period: 5 working days from 2026-02-01 (应急管理部令第18号), 3 before;
- ``case_due``              办案期限 to the penalty decision, by the rules in force at 立案, minus suspensions;
- ``court_application_window`` 申请法院强制执行 (《行政强制法》第五十三条、第五十四条);
- ``party_period_end``      the last day of a party's period in calendar days (《民法典》第二百零一条、第二百零三条).

Constants that change by date or province live in ``workflows.rules`` with their sources.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterable

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"

ACCIDENT_GRADES = ["一般", "较大", "重大", "特别重大"]
HAZARD_GRADES = ["一般", "重大"]
LOCAL_LEVELS = {"县级": 1, "设区的市": 2, "省级": 3, "国务院": 4}


# --- decision tables -------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _engine(decision_id: str):
    from SpiffWorkflow.spiff.parser import SpiffBpmnParser

    parser = SpiffBpmnParser()
    parser.add_dmn_files([str(BPMN_DIR / f"{decision_id}.dmn")])
    return parser.get_engine(decision_id, None)


@lru_cache(maxsize=1)
def _script_engine():
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

    from .documents.format import yuan   # a table's output may name an amount (判定理由)

    return PythonScriptEngine(environment=TaskDataEnvironment({"yuan": yuan}))


def decide(decision_id: str, **data: Any) -> dict:
    """Run the DMN table ``bpmn/<decision_id>.dmn`` over ``data`` and return its outputs."""
    task = SimpleNamespace(data=dict(data), workflow=SimpleNamespace(script_engine=_script_engine()))
    return dict(_engine(decision_id).result(task))


def accident_grade(deaths: int = 0, serious_injuries: int = 0, direct_loss: Any = 0) -> str:
    """事故等级: 一般 / 较大 / 重大 / 特别重大."""
    return decide("accident_grade", deaths=deaths, serious_injuries=serious_injuries,
                  direct_loss=str(direct_loss))["accident_grade"]


def accident_jurisdiction(grade: str) -> dict:
    """Who investigates (负责调查的人民政府), where it is reported to, and the 批复 period."""
    return decide("accident_jurisdiction", accident_grade=grade)


def hazard_grade(sector: str = "", major_criterion: str = "", requires_shutdown: bool = False,
                 long_rectification: bool = False, external_factors: bool = False) -> dict:
    """隐患等级 and its basis (判定依据)."""
    return decide("hazard_grade", sector=sector, major_criterion=major_criterion,
                  requires_shutdown=requires_shutdown, long_rectification=long_rectification,
                  external_factors=external_factors)


def hearing_and_collective(proposed_outcome: str = "处罚", party_type: str = "单位", fine_amount: Any = 0,
                           severe_measure: bool = False, large_confiscation: bool = False,
                           complex_case: bool = False, hearing_fine_threshold: Any = None, on: Any = None) -> dict:
    """Whether the party may request a hearing (听证) and whether a collective decision is needed.

    ``hearing_fine_threshold``: the 较大数额罚款 applied (《行政处罚法》第六十三条第一款第（一）项: the
    province's figure, the local rule ``hearing_fine_rule(party_type)``); by default the rule's value
    in force on ``on`` (today). The process's 听证与集体讨论判定 reads it with ``local_rule`` first."""
    if hearing_fine_threshold is None:
        from . import rules
        hearing_fine_threshold = rules.in_force(hearing_fine_rule(party_type), on or dt.date.today())
    return decide("hearing_and_collective", proposed_outcome=proposed_outcome, party_type=party_type,
                  fine_amount=str(fine_amount), severe_measure=severe_measure,
                  large_confiscation=large_confiscation, complex_case=complex_case,
                  hearing_fine_threshold=hearing_fine_threshold)


def hearing_fine_rule(party_type: str) -> str:
    """The local rule holding the 较大数额罚款 for the party (个人 or 单位)."""
    return "hearing.large_fine_individual" if party_type == "个人" else "hearing.large_fine_unit"


def overdue_rung(overdue_count: int, closure_due: bool = False, suspension_ordered: bool = False,
                 order: Any = None) -> dict:
    """The rung of the overdue-rectification ladder (逾期升级措施) for the n-th overdue; ``order`` is the
    local rule's order of the first five measures (default: the rule's first version)."""
    from . import rules
    order = order or rules.rule("hazard.ladder_order").versions[0].value
    return decide("overdue_rung", overdue_count=overdue_count, closure_due=closure_due,
                  suspension_ordered=suspension_ordered, ladder=ladder_step(order, overdue_count))


LADDER_MEASURES = {"约谈警示": "interview", "公开曝光": "expose", "责令停产停业整顿并处罚款": "suspend",
                   "按日连续处罚": "daily_fine", "停止供电": "power_cut"}


def parse_ladder(text: Any) -> list[str]:
    """The local order of the overdue measures (逾期升级措施顺序) as an official types it, checked:
    known measures, each once, 停止供电 and 按日连续处罚 only after 责令停产停业整顿并处罚款
    (《安全生产法》第七十条: power is cut to enforce a 停产停业 decision; 第一百一十二条: the daily fine
    follows a fine the enterprise did not comply with). Chinese errors name the measure."""
    items = text if isinstance(text, (list, tuple)) else [
        x.strip() for x in str(text or "").replace("，", "、").replace(",", "、").replace("→", "、").split("、")]
    items = [x for x in items if x]
    if not items:
        raise ValueError("升级措施顺序不能为空，如：约谈警示、公开曝光、责令停产停业整顿并处罚款、按日连续处罚、停止供电")
    for x in items:
        if x not in LADDER_MEASURES:
            raise ValueError(f"未知的升级措施：{x}（可选：{'、'.join(LADDER_MEASURES)}）")
    if len(set(items)) != len(items):
        raise ValueError("升级措施不能重复")
    for later, law in (("停止供电", "第七十条"), ("按日连续处罚", "第一百一十二条")):
        if later in items and ("责令停产停业整顿并处罚款" not in items
                               or items.index(later) < items.index("责令停产停业整顿并处罚款")):
            raise ValueError(f"{later}须在责令停产停业整顿并处罚款之后（《安全生产法》{law}）")
    return items


def ladder_step(order: Any, overdue_count: int) -> dict:
    """The measure the local order (rule ``hazard.ladder_order``) gives the ``overdue_count``-th
    overdue, 1 to 5 (past the end of a shorter order its last measure repeats): ``{"rung", "name"}``."""
    items = parse_ladder(order)
    name = items[min(max(int(overdue_count or 1), 1), len(items)) - 1]
    return {"rung": LADDER_MEASURES[name], "name": name}


def level_rank(local_level: str | None) -> int:
    """Rank of an administrative level (县级 1 … 国务院 4); unknown counts as 县级."""
    return LOCAL_LEVELS.get(local_level or "县级", 1)


# --- 四不放过 gate ---------------------------------------------------------------------------

FOUR_NOTS = {
    "cause": "事故原因未查清不放过",
    "responsibility": "事故责任者未受到处理不放过",
    "measures": "整改措施未落实不放过",
    "education": "有关人员未受到教育不放过",
}


def four_nots_check(report: dict) -> list[str]:
    """The reasons, in Chinese, why the report may not go forward; empty when all four hold.

    1. cause identified: direct cause, plus technical or management causes;
    2. every responsible person and unit has a proposed handling (处理建议);
    3. rectification measures exist, each with an owner (责任单位) and a deadline (完成时限);
    4. education of those concerned is done (警示教育已开展) with a record;
    and every member of the investigation team has signed (调查组成员签名).
    """
    missing: list[str] = []
    if not _filled(report.get("direct_cause")) or not (
            _filled(report.get("technical_causes")) or _filled(report.get("management_causes"))):
        missing.append(f"{FOUR_NOTS['cause']}：须写明直接原因及技术原因或管理原因")
    persons = report.get("responsible_persons") or []
    units = report.get("responsible_units") or []
    if not persons and not units:
        missing.append(f"{FOUR_NOTS['responsibility']}：未认定任何责任人员或责任单位")
    unhandled = [p.get("name") or "（未填姓名）" for p in list(persons) + list(units)
                 if not _filled(p.get("proposed_handling"))]
    if unhandled:
        missing.append(f"{FOUR_NOTS['responsibility']}：{'、'.join(unhandled)} 未提出处理建议")
    measures = report.get("measures") or []
    if not measures:
        missing.append(f"{FOUR_NOTS['measures']}：未提出整改和防范措施")
    incomplete = [m.get("measure") or f"第{i}项" for i, m in enumerate(measures, 1)
                  if not _filled(m.get("owner")) or not _filled(m.get("due_date"))]
    if incomplete:
        missing.append(f"{FOUR_NOTS['measures']}：{'、'.join(incomplete)} 缺少责任单位或完成时限")
    if not report.get("education_done") or not _filled(report.get("education_record")):
        missing.append(f"{FOUR_NOTS['education']}：警示教育尚未开展或无记录")
    team = list(report.get("team_members") or [])
    signed = set(report.get("signed_by") or [])
    unsigned = [m for m in team if m not in signed]
    if not signed or unsigned:
        who = "、".join(unsigned) if unsigned else "全体成员"
        missing.append(f"调查组成员未签名：{who}")
    return missing


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple, dict)):
        return len(value) > 0
    return True


# --- 集体讨论 votes ---------------------------------------------------------------------------

VOTE_CHOICES = ["同意", "不同意", "弃权"]
QUORUM = Fraction(2, 3)   # 到会成员不少于全体成员的三分之二 (provincial rules differ: configuration)


@dataclass
class Tally:
    members: int
    voted: int
    agree: int
    disagree: int
    abstain: int
    quorum_met: bool
    passed: bool

    @property
    def outcome(self) -> str:
        if not self.quorum_met:
            return "不足法定人数"
        return "通过" if self.passed else "未通过"

    def as_data(self) -> dict:
        return {"members": self.members, "voted": self.voted, "agree": self.agree,
                "disagree": self.disagree, "abstain": self.abstain,
                "quorum_met": self.quorum_met, "passed": self.passed, "outcome": self.outcome}


def tally_votes(votes: Iterable[dict], member_count: int, quorum: Fraction = QUORUM) -> Tally:
    """Count a collective decision: quorum = at least ``quorum`` of all members voted;
    passed = more than half of those voting agree (过半数同意). One vote per member counts."""
    by_member: dict[str, str] = {}
    for v in votes or []:
        by_member[str(v.get("member"))] = v.get("choice")
    choices = list(by_member.values())
    agree, disagree = choices.count("同意"), choices.count("不同意")
    abstain = len(choices) - agree - disagree
    voted = len(choices)
    quorum_met = member_count > 0 and Fraction(voted, member_count) >= quorum
    passed = quorum_met and agree * 2 > voted
    return Tally(member_count, voted, agree, disagree, abstain, quorum_met, passed)


# --- money and deadlines --------------------------------------------------------------------

CENT = Decimal("0.01")
LATE_RATE = Decimal("0.03")


def late_payment_penalty(fine: Any, days_late: int) -> Decimal:
    """加处罚款: 3% of the fine per day late, never more than the fine itself."""
    fine = Decimal(str(fine))
    if days_late <= 0:
        return Decimal("0.00")
    return min(fine, fine * LATE_RATE * days_late).quantize(CENT, rounding=ROUND_HALF_UP)


def closure_warranted(penalty_dates: Iterable[Any], as_of: Any, since: Any = None) -> bool:
    """《安全生产法》第一百一十三条第（一）项: 3 penalties decided within 180 days, or 4 within one year.

    ``penalty_dates`` are the days penalties were *decided* (行政处罚决定, workflows/penalty_record.py),
    not the days cases were referred. Any 180-day or one-year span counts, not only the one ending
    ``as_of``; decisions after ``as_of`` are not yet made, and with ``since`` (the day the 重大事故隐患
    was found) only decisions while the hazard existed count. Periods follow 《民法典》第二百零一条
    (the first decision's day is not counted: the 180 days run from the next day, so a third decision
    on day 180 after the first is within them, on day 181 not) and 第二百零二条 (a year ends on the
    corresponding day of the next year).
    """
    today = _as_date(as_of)
    first = _as_date(since) if since else None
    dates = sorted(d for d in (_as_date(x) for x in penalty_dates or [])
                   if d <= today and (first is None or d >= first))
    for i, start in enumerate(dates):
        if len([d for d in dates[i:] if d <= start + dt.timedelta(days=180)]) >= 3:
            return True
        if len([d for d in dates[i:] if d <= _one_year_after(start)]) >= 4:
            return True
    return False


def _one_year_after(day: dt.date) -> dt.date:
    """The corresponding day a year later (民法典第二百零二条: without one, the last day of that month — 29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


RULE_2026 = dt.date(2026, 2, 1)   # 应急管理部令第18号 in force


def statement_period_days(opened_on: Any) -> int:
    """Working days the party has for 陈述申辩 under the rules in force when the case was filed
    (3 before 2026-02-01 under the old 办法, 5 from then under 应急管理部令第18号)."""
    from . import rules
    return rules.in_force("penalty.statement_workdays", _as_date(opened_on))


def hearing_request_days(opened_on: Any) -> int:
    """Working days to request a hearing: 5 after the notice (《行政处罚法》第六十四条第（一）项,
    第八十五条), for cases filed before 2026-02-01 too (the old 办法's 3 days yield to the law)."""
    from . import rules
    return rules.in_force("penalty.hearing_request_workdays", _as_date(opened_on))


CASE_EXTENSIONS = {None: "base", "": "base", "不予延长": "base", "负责人批准": "head", "上级批准": "upper"}


def case_time_limit_days(extension: str | None = None, filed_on: Any = RULE_2026) -> int:
    """办案期限 from 立案 to the penalty decision, under the rules in force on the day of 立案:
    from 2026-02-01 90 days, 120 with the 负责人's approval, 180 with the upper level's
    (《行政处罚法》第六十条, 应急管理部令第18号); before, 30 / 90 / 180 (原总局令第15号/第77号)."""
    from . import rules
    limits = rules.in_force("penalty.case_limit_days", _as_date(filed_on))
    return limits[CASE_EXTENSIONS.get(extension, "base")]


def excluded_days(periods: Iterable[dict] | None) -> int:
    """Calendar days a deadline is pushed back by periods the law leaves out of it (不计入期限的时间):
    技术鉴定 in an accident investigation (《生产安全事故报告和调查处理条例》第二十七条), 听证、检测检验鉴定、
    公告 in a penalty case (应急管理部令第18号, with 《行政处罚法》第六十条). The one rule for both.

    Each period is ``{"started_on": day, "ended_on": day}``, and it is counted as every period in days
    is (《民法典》第二百零一条: 开始的当日不计入, 自下一日开始计算): an appraisal from 06-01 to 06-10 excludes
    9 days (06-02 … 06-10), one begun and ended the same day excludes none. Overlapping periods exclude
    each day once (a hearing 06-01–06-12 and an appraisal 06-10–06-17: 16 days, 06-02 … 06-17). Neither
    text says how a period given as two dates is counted; the civil-code count is the one Duban uses for
    every period, and the shorter of the two readings, so the bureau's own limit never runs longer than
    the law's general rule gives it (docs/processes.md, 不计入期限的期间).
    """
    spans = sorted((_as_date(p["started_on"]), _as_date(p["ended_on"]))
                   for p in periods or [] if p and p.get("started_on") and p.get("ended_on"))
    total, counted_to = 0, None
    for start, end in spans:
        first = start + dt.timedelta(days=1)             # the day it began is not counted
        if counted_to is not None and first <= counted_to:
            first = counted_to + dt.timedelta(days=1)
        if end >= first:
            total += (end - first).days + 1
            counted_to = end
    return total


def case_due(filed_on: Any, extension: str | None = None, suspensions: Iterable[dict] | None = None) -> dt.date:
    """The last day for the penalty decision: 立案 + the limit in force + the days 听证、鉴定 and the other
    periods not counted in it take (``excluded_days``)."""
    filed = _as_date(filed_on)
    return filed + dt.timedelta(days=case_time_limit_days(extension, filed) + excluded_days(suspensions))


REVIEW_DAYS = 60      # 《行政复议法》第二十条：知道之日起60日内申请行政复议
SUIT_MONTHS = 6       # 《行政诉讼法》第四十六条：知道之日起6个月内提起诉讼
COURT_MONTHS = 3      # 《行政强制法》第五十三条：期限届满之日起3个月内申请人民法院强制执行
URGE_WORKDAYS = 10    # 《行政强制法》第五十四条、第六十九条：催告书送达10日后（工作日）


def party_period_end(start: Any, days: int) -> str:
    """The last day (YYYY-MM-DD) of a period of ``days`` calendar days the law gives the party (当事人).

    《民法典》第二百零一条: the day of ``start`` (收到决定书之日…) is not counted, so the period ends
    ``days`` days later; 第二百零三条第一款 (and 《民事诉讼法》第八十五条, which 《行政复议法》第八十八条
    and 《行政诉讼法》第一百零一条 apply): a period whose last day is a 法定休假日 ends on the first
    day after the holiday — the next 工作日 on the Chinese calendar with 调休 (a 调休 Saturday is a
    working day and ends the period). 《行政处罚法》 itself says nothing for calendar-day periods; the
    party's reading is chosen (docs/processes.md): a fine due on 国庆 is due when the bureau reopens,
    and 加处罚款 does not run over the holiday.
    """
    last = _as_date(start) + dt.timedelta(days=int(days))
    return _first_working_day_from(last).isoformat()


def _first_working_day_from(day: dt.date) -> dt.date:
    from engine import workdays
    return day if workdays.is_workday(day) else workdays.workdays_after(day, 1)


def add_months(day: Any, months: int) -> dt.date:
    """The same day ``months`` later; a day the month lacks is its last day (期间届满 rules)."""
    d = _as_date(day)
    total = d.month - 1 + months
    year, month = d.year + total // 12, total % 12 + 1
    for candidate in range(d.day, 0, -1):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)


def court_application_window(decision_served_on: Any, urge_due: Any = None) -> dict:
    """When the bureau may, and must, apply to the court for enforcement of a penalty decision.

    《行政强制法》第五十三条: the party neither sought 行政复议 nor sued within the statutory periods
    and did not pay; the bureau may apply within 3 months counted from the end of those periods —
    行政复议 60 days (《行政复议法》第二十条), 行政诉讼 6 months (《行政诉讼法》第四十六条), both from
    service of the decision; the later end (the 6 months) governs. 第五十四条/第六十九条: and only
    once 10 working days have passed since the 催告 was served.

    The party's periods end as ``party_period_end`` says (a last day on a 法定休假日 moves to the next
    working day: 《民事诉讼法》第八十五条 via 《行政复议法》第八十八条、《行政诉讼法》第一百零一条), so the
    court is not applied to while the party may still sue; the bureau's own 3 months are counted from
    the unmoved end — the stricter reading for the bureau (docs/processes.md).
    """
    served = _as_date(decision_served_on)
    review_end = _first_working_day_from(served + dt.timedelta(days=REVIEW_DAYS))
    suit_end = _first_working_day_from(add_months(served, SUIT_MONTHS))
    periods_end = max(review_end, suit_end)
    opens = periods_end + dt.timedelta(days=1)
    if urge_due:
        opens = max(opens, _as_date(urge_due) + dt.timedelta(days=1))
    return {"review_period_end": review_end.isoformat(), "suit_period_end": suit_end.isoformat(),
            "court_opens_on": opens.isoformat(),
            "court_due": add_months(max(served + dt.timedelta(days=REVIEW_DAYS), add_months(served, SUIT_MONTHS)),
                                    COURT_MONTHS).isoformat()}


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            from zoneinfo import ZoneInfo
            value = value.astimezone(ZoneInfo("Asia/Shanghai"))
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if len(text) > 10:
        return _as_date(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    return dt.date.fromisoformat(text)
