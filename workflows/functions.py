"""Domain functions for BPMN scripts, conditions and timer expressions (脚本函数).

The engine injects ``FUNCTIONS`` into every script environment, next to its own ``now()``,
``workdays_after``, ``days_after`` and ``start_case``. Everything here takes and returns JSON-safe
values: dates as ``YYYY-MM-DD``, moments as ISO 8601 strings with an offset, money as strings of
yuan. Deadlines given as a day end when that day ends in China: ``deadline_at('2026-06-30')`` is
``2026-07-01T00:00:00+08:00``.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from engine import workdays
from engine.evaluator import host_safe

from . import case_review, decisions, inspection_plans, tipoffs
from .documents.format import cn_date, yuan
from .random_inspection import draw_from_data

from engine.clock import SHANGHAI  # one zone for the whole project
NEVER = "2999-12-31T00:00:00+08:00"     # a reminder that is no longer ahead is parked here
REMINDER_HOUR = 9
SEVERE_PENALTIES = {"责令停产停业", "责令关闭", "吊销许可证件", "暂扣许可证件", "降低资质等级", "限制从业",
                    "限制开展生产经营活动"}


# --- time ------------------------------------------------------------------------------------

def as_moment(value: Any) -> dt.datetime:
    """An aware datetime from an ISO string, date or datetime (dates are midnight in China)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), SHANGHAI)
    text = str(value).strip().replace("Z", "+00:00")
    if len(text) <= 10:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), SHANGHAI)
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def as_day(value: Any) -> dt.date:
    """The calendar day in China of a date, datetime or ISO string."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    return as_moment(value).astimezone(SHANGHAI).date()


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def day_start(day: Any) -> str:
    """00:00 in China on ``day``."""
    return _iso(dt.datetime.combine(as_day(day), dt.time(), SHANGHAI))


def deadline_at(day: Any) -> str:
    """The moment a deadline given as a day runs out: the end of that day in China."""
    return _iso(dt.datetime.combine(as_day(day) + dt.timedelta(days=1), dt.time(), SHANGHAI))


def reminder_at(deadline: Any, workdays_ahead: int, now: Any) -> str:
    """09:00 on the working day ``workdays_ahead`` working days before ``deadline``.

    When that moment has already passed (the task was entered late, e.g. after a refused
    extension) the reminder is parked at ``NEVER`` instead of firing at once a second time.
    """
    day = workdays.workdays_before(as_day(deadline), workdays_ahead)
    moment = dt.datetime.combine(day, dt.time(REMINDER_HOUR), SHANGHAI)
    return _iso(moment) if moment > as_moment(now) else NEVER


def every_days(days: Any) -> str:
    """An ISO 8601 repeating cycle every ``days`` days (``R/P30D``), for a cycle timer set by a rule."""
    return f"R/P{int(days)}D"


def hours_after(start: Any, hours: float) -> str:
    return _iso(as_moment(start) + dt.timedelta(hours=hours))


def day_after(start: Any, days: int) -> str:
    """The day ``days`` calendar days after ``start`` (YYYY-MM-DD)."""
    return (as_day(start) + dt.timedelta(days=days)).isoformat()


def workday_after(start: Any, n: int) -> str:
    """The ``n``-th working day after ``start`` (YYYY-MM-DD). A span reaching a year whose 放假调休 notice
    is not entered yet is noted, so the deadline is counted again when it is (workflows/calendar.py)."""
    first = as_day(start)
    day = workdays.workdays_after(first, n)
    from .calendar import note_provisional
    note_provisional(first, n, day)
    return day.isoformat()


def months_after(start: Any, months: int) -> str:
    """The same day ``months`` months later (clamped to the month's end), as YYYY-MM-DD."""
    d = as_day(start)
    total = d.month - 1 + months
    year, month = d.year + total // 12, total % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            continue
    raise ValueError(start)


def days_between(a: Any, b: Any) -> int:
    """Calendar days from ``a`` to ``b`` (China days)."""
    return (as_day(b) - as_day(a)).days


def is_past(moment: Any, now: Any) -> bool:
    return as_moment(moment) <= as_moment(now)


def iso_day(value: Any) -> str:
    return as_day(value).isoformat()


# --- hazards -----------------------------------------------------------------------------

def extension_in_time(deadline: Any, applied_at: Any) -> bool:
    """An extension must be applied for at least 10 working days before the deadline."""
    return as_day(applied_at) <= workdays.workdays_before(as_day(deadline), 10)


LISTING_ORG_LEVELS = {2: "市", 3: "省"}


def listing_org_level(listing_rank: Any) -> str:
    """The org level that decides a listing, its extensions and its 销号: the listing's own level
    (市级挂牌 by the 市, 省级 by the 省); a 县（区）级 listing stays with the case's unit ("")."""
    try:
        return LISTING_ORG_LEVELS.get(int(listing_rank or 1), "")
    except (TypeError, ValueError):
        return ""


def hazard_enforcement_seed(enterprise_name: str, credit_code: Any, description: str,
                            measure: str) -> dict:
    """Start data of the enforcement case opened by an overdue listed hazard."""
    return {
        "source": "重大事故隐患逾期未整改",
        "party_name": enterprise_name,
        "party_type": "单位",
        "credit_code": credit_code,
        "violation_facts": f"重大事故隐患逾期未整改（{measure}）：{description}",
    }


def self_report_listing_seed(enterprise_name: str, credit_code: Any, sector: str, location: str,
                             description: str, found_on: Any, major_criterion: Any = None,
                             requires_shutdown: Any = False, long_rectification: Any = False,
                             external_factors: Any = False, attachments: Any = None,
                             overdue: Any = False) -> dict:
    """Start data of the 挂牌督办 case opened from an enterprise's self-report (隐患自查自报): the
    inspector's 登记隐患 form opens with the report. A 一般 hazard handed over because it is overdue
    counts as one that needs time to remove (16号令第三条), so the grading table lists it as 重大."""
    return {
        "source": "企业自查上报", "enterprise_name": enterprise_name, "credit_code": credit_code,
        "sector": sector, "location": location, "description": description, "found_on": iso_day(found_on),
        "major_criterion": major_criterion, "requires_shutdown": bool(requires_shutdown),
        "long_rectification": bool(long_rectification) or bool(overdue),
        "external_factors": bool(external_factors), "fix_deadline": None,
        "attachments": list(attachments or []),
        "hazard_grade": "重大",   # as graded on the report; 登记隐患 grades it again by the same table
    }


# --- accidents ---------------------------------------------------------------------------

def supplement_days(category: Any) -> int:
    """补报 window: 7 days for road traffic and fire accidents, 30 days otherwise."""
    return 7 if category in ("道路交通", "火灾") else 30


def supplement_in_window(occurred_at: Any, category: Any, now: Any) -> bool:
    return as_day(now) <= as_day(occurred_at) + dt.timedelta(days=supplement_days(category))


def upward_report_due(reported_at: Any, now: Any) -> str:
    """逐级上报's deadline: 2 hours from when the bureau received the report (《生产安全事故报告和调查
    处理条例》第十一条：每级上报的时间不得超过2小时), i.e. the 事故单位报告时间 typed at 接报 — not the
    moment the 接报 was entered, which may be hours later. A report time typed later than now (a slip)
    does not give more time: the deadline counts from the earlier of the two."""
    received = as_moment(reported_at) if reported_at else as_moment(now)
    return _iso(min(received, as_moment(now)) + dt.timedelta(hours=2))


def reported_late(occurred_at: Any, reported_at: Any, head_informed_at: Any = None) -> bool:
    """迟报: the unit reported more than one hour after its head was told of the accident
    (《生产安全事故报告和调查处理条例》第九条：单位负责人接到报告后，应当于1小时内…报告). When the
    time its head was told is not known, the hour counts from the accident itself (the people on
    the spot report at once, 第九条第一款)."""
    start = head_informed_at or occurred_at
    return as_moment(reported_at) - as_moment(start) > dt.timedelta(hours=1)


def four_nots_reasons(direct_cause=None, technical_causes=None, management_causes=None,
                      responsible_persons=None, responsible_units=None, measures=None,
                      education_done=None, education_record=None, team_members=None,
                      signed_by=None) -> list[str]:
    """What keeps the accident report from going forward (四不放过); empty when nothing."""
    return decisions.four_nots_check(dict(
        direct_cause=direct_cause, technical_causes=technical_causes,
        management_causes=management_causes, responsible_persons=responsible_persons,
        responsible_units=responsible_units, measures=measures, education_done=education_done,
        education_record=education_record, team_members=team_members, signed_by=signed_by))


def penalty_case_seeds(responsible_units: Any, responsible_persons: Any, enterprise_name: str,
                       accident_title: Any, approved_at: Any) -> list[dict]:
    """One enforcement case per unit or person whose proposed handling is an administrative
    penalty (行政处罚), each to be filed (立案) within 5 working days of the 批复."""
    filing_due = workday_after(approved_at, 5)
    seeds = []
    for kind, rows in (("单位", responsible_units or []), ("个人", responsible_persons or [])):
        for row in rows:
            if not row.get("administrative_penalty"):
                continue
            seeds.append({
                "source": "事故调查批复",
                "party_name": row.get("name"),
                "party_type": kind,
                "credit_code": row.get("credit_code"),
                "violation_facts": f"{accident_title or enterprise_name}：{row.get('responsibility') or ''}",
                "filing_due": filing_due,
            })
    return seeds


def approval_date_problems_of(approved_on: Any, submitted_at: Any) -> list[str]:
    """Why a 批复日期 cannot stand, in Chinese (empty: it stands): a 批复 is made on the report, so
    not before the day the government received it (《生产安全事故报告和调查处理条例》第三十二条 counts the
    批复's 15 days from that day). A day after today is refused on the form already."""
    if not approved_on or not submitted_at:
        return []
    approved, received = as_day(approved_on), as_day(submitted_at)
    if approved >= received:
        return []
    from .forms.deadlines import chinese_day
    return [f"「批复日期」（{chinese_day(approved)}）早于收到事故调查报告之日（{chinese_day(received)}），"
            "请按批复文件核对（条例第三十二条：批复期限自收到调查报告之日起计）"]


def assessment_seed(accident_title: Any, enterprise_name: Any, accident_grade: Any, approved_at: Any,
                    measures: Any, responsible_persons: Any, responsible_units: Any,
                    jurisdiction: Any) -> dict:
    """Start data of the one-year assessment of an accident, started when its investigation report
    is 批复'd: 《安全生产法》第八十六条 counts the year from the 批复, not from 结案."""
    return {
        "accident_title": accident_title,
        "enterprise_name": enterprise_name,
        "accident_grade": accident_grade,
        "approved_at": approved_at,
        "measures": list(measures or []),
        "responsible_persons": list(responsible_persons or []),
        "responsible_units": list(responsible_units or []),
        "organised_by": jurisdiction,
    }


# --- enforcement -------------------------------------------------------------------------

def has_severe_measure(penalty_types: Any) -> bool:
    return bool(set(penalty_types or []) & SEVERE_PENALTIES)


def tally(votes: Any, member_count: int, quorum: Any = None) -> dict:
    """Count a collective decision; ``quorum`` as a fraction string ("2/3", a local rule)."""
    from fractions import Fraction

    from . import rules
    # the quorum as 系统管理 › 规则 takes it (「2/3」): Fraction("1e999999999") computes for hours in the host
    q = Fraction(rules.check_value(rules.RULES["enforcement.quorum"], quorum)) if quorum else decisions.QUORUM
    return decisions.tally_votes(votes or [], int(member_count), q).as_data()


def late_penalty_for(fine_amount: Any, payment_due: Any, as_of: Any) -> str:
    """加处罚款 owed on ``as_of`` for a fine due on ``payment_due`` (capped at the fine)."""
    days_late = (as_day(as_of) - as_day(payment_due)).days
    return str(decisions.late_payment_penalty(fine_amount or 0, days_late))


def case_due_on(filed_at: Any, extension: Any = None, suspensions: Any = None) -> str:
    """办案期限's last day (YYYY-MM-DD): 立案 + the limit in force at 立案 + suspensions (听证、鉴定…)."""
    return decisions.case_due(filed_at, extension, suspensions).isoformat()


def hearing_schedule_problems(host: Any, officers: Any, hearing_at: Any, notice_served_on: Any,
                              hearing_latest: Any) -> list[str]:
    """Why a hearing schedule breaks the rules: host took part in the investigation, hearing later
    than 15 days after the request, or notice less than 7 working days ahead."""
    problems = []
    if host and host in (officers or []):
        problems.append("听证主持人参与了本案调查，应当回避")
    if as_day(hearing_at) > as_day(hearing_latest):
        problems.append(f"听证应在当事人申请后15日内举行（最迟{as_day(hearing_latest).isoformat()}）")
    latest_notice = workdays.workdays_before(as_day(hearing_at), 7)
    if as_day(notice_served_on) > latest_notice:
        problems.append(f"应在听证7个工作日前通知当事人（最迟{latest_notice.isoformat()}送达）")
    return problems


# --- post-case assessment ------------------------------------------------------------------

def accountability_items_from(measure_checks: Any, accountability_checks: Any) -> list[dict]:
    """Measures not (fully) implemented and handlings not carried out become 问责 items."""
    items = []
    for m in measure_checks or []:
        if m.get("status") != "已落实":
            items.append({"kind": "整改措施未落实", "subject": m.get("owner") or "",
                          "detail": f"{m.get('measure')}（{m.get('status')}）"})
    for a in accountability_checks or []:
        if a.get("carried_out") != "已落实":
            items.append({"kind": "责任追究未落实", "subject": a.get("name") or "",
                          "detail": a.get("proposed_handling") or ""})
    return items


def local_rule(key: str, on: Any) -> Any:
    """The value of a rule of ``workflows.rules`` in force on ``on`` (the day the clock started)."""
    from . import rules
    return rules.in_force(key, on)


def open_leader_hazards(findings, visited_on, topic) -> int:
    """领导带队督查发现的事故隐患转入隐患排查治理 (seed 004): ``workflows.leader_inspection.open_leader_hazards``."""
    from .leader_inspection import open_leader_hazards as open_them
    return open_them(findings, visited_on, topic)


def open_leader_reminders(reminders) -> int:
    """带队督查进度提醒 per unit (seed 004): ``workflows.leader_inspection.open_leader_reminders``."""
    from .leader_inspection import open_leader_reminders as open_them
    return open_them(reminders)


def open_joint_hazards(findings, inspected_on, topic) -> int:
    """联合检查执法发现的事故隐患转入隐患排查治理 (seed 004): ``workflows.joint_mechanisms.open_joint_hazards``."""
    from .joint_mechanisms import open_joint_hazards as open_them
    return open_them(findings, inspected_on, topic)


def open_joint_reminders(reminders) -> int:
    """联席会议和联合检查执法进度提醒 per unit (seed 004): ``workflows.joint_mechanisms.open_joint_reminders``."""
    from .joint_mechanisms import open_joint_reminders as open_them
    return open_them(reminders)


def open_hazard_reports(targets) -> int:
    """每家企业每期一件统计分析表 (16号令第十四条): ``workflows.hazard_reports.open_hazard_reports`` (imported
    here when called: it reads the hazard ledger, which imports this module)."""
    from .hazard_reports import open_hazard_reports as open_them
    return open_them(targets)


FUNCTIONS = {
    "local_rule": local_rule,
    "every_days": every_days,
    "deadline_at": deadline_at,
    "day_start": day_start,
    "reminder_at": reminder_at,
    "hours_after": hours_after,
    "day_after": day_after,
    "party_period_end": decisions.party_period_end,
    "workday_after": workday_after,
    "months_after": months_after,
    "days_between": days_between,
    "excluded_days": decisions.excluded_days,
    "is_past": is_past,
    "iso_day": iso_day,
    "cn_date": cn_date,          # 2026年11月23日, as a published notice writes a day (the 双随机 公示)
    "extension_in_time": extension_in_time,
    "hazard_enforcement_seed": hazard_enforcement_seed,
    "listing_org_level": listing_org_level,
    "self_report_listing_seed": self_report_listing_seed,
    "tipoff_handover_seed": tipoffs.handover_seed,
    "tipoff_hazard_seed": tipoffs.hazard_seed,
    "tipoff_penalty_seed": tipoffs.penalty_seed,
    "tipoff_reward_eligible": tipoffs.reward_eligible,
    "tipoff_reward": tipoffs.reward,
    "inspection_draw": draw_from_data,
    "review_total_of": case_review.review_total_of,
    "review_grade_of": case_review.review_grade_of,
    "quota_map": inspection_plans.quota_map,
    "draw_conflicts": inspection_plans.draw_conflicts,
    "inspection_seed": inspection_plans.inspection_seed,
    "open_inspections": inspection_plans.open_inspections,
    "open_hazard_reports": open_hazard_reports,  # 16号令第十四条 统计分析表, one case per enterprise
    "open_leader_hazards": open_leader_hazards,  # 领导带队督查 (seed 004): its 事故隐患 into the hazard process
    "open_leader_reminders": open_leader_reminders,  # 带队督查进度提醒, one case per unit behind
    "open_joint_hazards": open_joint_hazards,  # 联合检查执法 (seed 004): its 事故隐患 into the hazard process
    "open_joint_reminders": open_joint_reminders,  # 联席会议和联合检查执法进度提醒, one case per unit behind
    "inspection_hazard_seed": inspection_plans.inspection_hazard_seed,
    "inspection_penalty_seed": inspection_plans.inspection_penalty_seed,
    "closure_warranted": decisions.closure_warranted,
    "ladder_step": decisions.ladder_step,
    "supplement_days": supplement_days,
    "supplement_in_window": supplement_in_window,
    "reported_late": reported_late,
    "upward_report_due": upward_report_due,
    "four_nots_reasons": four_nots_reasons,
    "penalty_case_seeds": penalty_case_seeds,
    "assessment_seed": assessment_seed,
    "approval_date_problems_of": approval_date_problems_of,
    "level_rank": decisions.level_rank,
    "has_severe_measure": has_severe_measure,
    "tally": tally,
    "late_penalty_for": late_penalty_for,
    "statement_period_days": decisions.statement_period_days,
    "case_time_limit_days": decisions.case_time_limit_days,
    "hearing_request_days": decisions.hearing_request_days,
    "case_due_on": case_due_on,
    "court_application_window": decisions.court_application_window,
    "hearing_schedule_problems": hearing_schedule_problems,
    "accountability_items_from": accountability_items_from,
    "yuan": yuan,                # 100,000元, as a sentence writes an amount (判定理由)
}

# Helpers model code run in the host may call (engine/evaluator.py ``host_safe``): pure — date
# arithmetic, data builders, table look-ups — with no database write and no request to the engine.
# ``local_rule`` and the penalty-rule helpers (statement_period_days, case_time_limit_days,
# hearing_request_days, case_due_on) read the rules in force (workflows/rules.py): configuration
# read through the store's cache, never written by a step, and a version takes effect from a future
# day, so within one step the answer is the same; the host and the worker call them in the host
# alike. ``workday_after`` (and penalty_case_seeds through it) notes a provisional span into a set
# (workflows/calendar.py): a second call notes nothing new. Not here: ``inspection_draw`` and
# anything else that draws, writes or asks the engine for something (``start_case``,
# ``open_inspections``).
HOST_SAFE = frozenset(FUNCTIONS) - {"inspection_draw", "open_inspections", "open_hazard_reports", "open_leader_hazards",
                                    "open_leader_reminders", "open_joint_hazards", "open_joint_reminders"}
for _name in HOST_SAFE:
    host_safe(FUNCTIONS[_name])
