"""The one-page enterprise file (一企一档): everything the supervisors know about one enterprise.

An officer about to inspect, a leader about to sign a listing, a clerk answering a phone call: each
needs the same page — the record, every case of every process, what is still open, the accidents
and penalties, the risk grade and how it moved, the dishonesty listing, when the next inspection
falls due — and one word summing it up (the standing) with the reasons behind it, so the word can
be checked and argued with rather than trusted.

:func:`enterprise_file` reads it all in one read transaction and returns plain, JSON-safe data
(dates and times as ISO strings, money as strings of yuan); the web page only lays it out.
:func:`for_reader` is that file as one reader may see it: the cases they may not open (another
district's, a higher unit's) neither listed nor named, only counted (「另有 N 件其他单位办理的案件」);
the standing still weighs every case, its reasons from those cases said without title or 案号.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from engine.clock import SHANGHAI, today_in_china
from engine.policy import NONE_KEPT, KeptFromParty
from engine.schema import Case, ProcessModel
from workflows.documents.format import cn_date
from workflows.functions import SEVERE_PENALTIES, as_moment

from . import supervision
from .dishonesty import ACCIDENT, ENFORCEMENT, PROCESS as LISTING, is_listed
from .registry import EnterpriseNotFound, EnterpriseRegistry
from .terms import RiskLevel

HAZARD = "hazard_supervision"
#: Standings from best to worst; an enterprise gets the worst one any reason calls for.
STANDINGS = ("良好", "关注", "重点监管", "失信")
GOOD, WATCH, CLOSE, DISHONEST = STANDINGS
SERIOUS_ACCIDENTS = ("较大", "重大", "特别重大")
RECENT_MONTHS = 12
LISTING_UNDER_WAY = ("拟列入", "已决定")
RECORD_FIELDS = ("credit_code", "name", "address", "org_unit", "sector", "size", "legal_rep", "legal_rep_phone",
                 "safety_manager", "safety_manager_phone", "risk_level", "last_inspected_on", "dishonest",
                 "dishonest_from", "dishonest_until", "kind")


def _json(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _day(value: Any) -> dt.date | None:
    try:
        return as_moment(value).astimezone(SHANGHAI).date() if value else None
    except (TypeError, ValueError):
        return None


def _yuan(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _case_row(case: Case, names: dict[int, str]) -> dict:
    return {"id": case.id, "case_no": case.case_no, "process_key": case.process_key,
            "process_name": names.get(case.model_id) or case.process_key, "title": case.title,
            "status": case.status, "escalation_level": case.escalation_level,
            "started_at": _json(case.started_at), "ended_at": _json(case.ended_at)}


def _hazard(case: Case, today: dt.date) -> dict:
    d = case.data or {}
    deadline = _day(d.get("rectify_deadline") or d.get("fix_deadline"))
    return {"id": case.id, "case_no": case.case_no, "title": case.title, "grade": d.get("hazard_grade"),
            "description": d.get("description"), "location": d.get("location"),
            "rectify_deadline": _json(deadline), "listed_at": d.get("listed_at"),
            "listing_level": d.get("listing_level"), "escalation_level": case.escalation_level,
            "overdue": case.escalation_level > 0 or (deadline is not None and deadline < today)}


def _accident(case: Case) -> dict:
    d = case.data or {}
    return {"id": case.id, "case_no": case.case_no, "title": d.get("accident_title") or case.title,
            "grade": d.get("accident_grade"), "occurred_on": _json(_day(d.get("occurred_at"))),
            "deaths": d.get("deaths"), "serious_injuries": d.get("serious_injuries"),
            "direct_loss": d.get("direct_loss"), "approved_on": _json(_day(d.get("approved_at"))),
            "status": case.status}


def _penalty(case: Case) -> dict:
    d = case.data or {}
    decided = bool(d.get("decided_at"))
    return {"id": case.id, "case_no": case.case_no, "title": case.title, "status": case.status,
            "outcome": d.get("proposed_outcome") if decided or case.status == "completed" else None,
            "violation": d.get("violation") or d.get("violation_facts"),
            "penalty_types": list(d.get("penalty_types") or []) if decided else [],
            "fine_amount": d.get("fine_amount") if decided else None,
            "late_penalty": d.get("late_penalty"), "paid_amount": d.get("paid_amount"),
            "decision_no": d.get("decision_no"), "decided_on": _json(_day(d.get("decided_at"))),
            "paid_on": d.get("paid_on")}


def _listing(case: Case) -> dict:
    d = case.data or {}
    return {"id": case.id, "case_no": case.case_no, "status": case.status, "listing_status": d.get("listing_status"),
            "ground": d.get("ground"), "listed_from": d.get("listed_from"),
            "listing_ends_on": d.get("listing_ends_on"), "removed_on": d.get("removed_on"),
            "removal_reason": d.get("removal_reason")}


def standing(file: dict, today: dt.date) -> dict:
    """The enterprise's standing and every reason for it, worst first.

    失信: on the serious-dishonesty list. 重点监管: graded 红, an open 重大 or overdue hazard, a
    较大-or-worse accident or a severe penalty (停产停业、吊销…) in the last 12 months, or a listing
    procedure under way. 关注: graded 橙, any open hazard, any accident or penalty in the last 12
    months, or an inspection overdue. 良好 otherwise.
    """
    since = today - relativedelta(months=RECENT_MONTHS)
    reasons: list[tuple[str, str]] = []
    listing = file["dishonesty"]
    if listing["listed"]:
        reasons.append((DISHONEST, f"列入严重失信主体名单（{cn_date(listing['from'])}起，"
                                      f"{cn_date(listing['until']) if listing['until'] else '未定'}移出）"))
    risk = file["risk"]["level"]
    if risk == RiskLevel.RED.value:
        reasons.append((CLOSE, "安全风险等级为红色（重大风险）"))
    elif risk == RiskLevel.ORANGE.value:
        reasons.append((WATCH, "安全风险等级为橙色（较大风险）"))
    for h in file["open_hazards"]:
        if h["overdue"]:
            reasons.append((CLOSE, f"事故隐患整改逾期：{h['title']}（{h['case_no']}）"))
        elif h["grade"] == "重大":
            reasons.append((CLOSE, f"重大事故隐患挂牌督办中：{h['title']}（{h['case_no']}）"))
        else:
            reasons.append((WATCH, f"事故隐患未销号：{h['title']}（{h['case_no']}）"))
    for a in file["accidents"]:
        occurred = _day(a["occurred_on"])
        if a["status"] == "cancelled" or occurred is None or occurred < since:
            continue
        level = CLOSE if a["grade"] in SERIOUS_ACCIDENTS else WATCH
        reasons.append((level, f"{RECENT_MONTHS}个月内发生{a['grade'] or ''}事故：{a['title']}（{cn_date(a['occurred_on'])}）"))
    for p in file["penalties"]:
        decided = _day(p["decided_on"])
        if p["outcome"] != "处罚" or decided is None or decided < since:
            continue
        severe = sorted(set(p["penalty_types"]) & SEVERE_PENALTIES)
        if severe:
            reasons.append((CLOSE, f"{RECENT_MONTHS}个月内受到{'、'.join(severe)}处罚（{p['case_no']}）"))
        else:
            reasons.append((WATCH, f"{RECENT_MONTHS}个月内受到行政处罚（{p['case_no']}）"))
    for c in listing["cases"]:
        if c["status"] == "running" and c["listing_status"] in LISTING_UNDER_WAY:
            reasons.append((CLOSE, f"严重失信主体名单列入程序进行中（{c['case_no']}）"))
    due = _day(file["next_inspection_due"])
    if due is not None and due < today:
        reasons.append((WATCH, f"逾期未检查（应于{file['next_inspection_due']}前检查）"))
    reasons.sort(key=lambda r: -STANDINGS.index(r[0]))
    level = reasons[0][0] if reasons else GOOD
    return {"level": level, "reasons": [{"level": lv, "reason": text} for lv, text in reasons] or
            [{"level": GOOD, "reason": "无未销号隐患、近期事故、处罚或失信记录"}]}


def _fines(penalties: list[dict]) -> str:
    return str(sum((_yuan(p["fine_amount"]) or Decimal(0) for p in penalties if p["outcome"] == "处罚"),
                   Decimal("0.00")))


def case_ids(file: dict) -> set[int]:
    """Every case the file names, in any of its lists."""
    return {c["id"] for key in ("cases", "open_hazards", "accidents", "penalties") for c in file[key]} | {
        c["id"] for c in file["dishonesty"]["cases"]}


def for_reader(file: dict, visible: set[int], today: dt.date) -> dict:
    """``file`` with only the cases in ``visible`` (those the reader may open) listed, counted and
    totalled; ``hidden_cases`` counts the others. The standing's level is the whole file's; a reason
    drawn from a case not visible is said once, as a count, without its title or 案号."""
    hidden = case_ids(file) - visible
    if not hidden:
        return {**file, "hidden_cases": 0}
    shown = {**file}
    for key in ("cases", "open_hazards", "accidents", "penalties"):
        shown[key] = [c for c in file[key] if c["id"] in visible]
    shown["dishonesty"] = {**file["dishonesty"], "cases": [c for c in file["dishonesty"]["cases"] if c["id"] in visible]}
    shown["case_counts"] = dict(Counter(c["process_key"] for c in shown["cases"]))
    shown["fines_total"] = _fines(shown["penalties"])
    shown["hidden_cases"] = len(hidden)
    whole, own = file["standing"], standing(shown, today)
    reasons = [r for r in own["reasons"] if r["level"] != GOOD or whole["level"] == GOOD]
    withheld = [r for r in whole["reasons"] if r not in own["reasons"]]
    if withheld:
        worst = max((r["level"] for r in withheld), key=STANDINGS.index)
        reasons.append({"level": worst, "reason": f"其他单位办理的案件中另有 {len(withheld)} 项情况（详情由承办单位掌握）"})
        reasons.sort(key=lambda r: -STANDINGS.index(r["level"]))
    shown["standing"] = {"level": whole["level"], "reasons": reasons}
    return shown


def enterprise_file(engine, registry: EnterpriseRegistry, credit_code: str, *, case_limit: int = 500,
                    unnamed: KeptFromParty = NONE_KEPT) -> dict:
    """The one-page file of the enterprise with ``credit_code`` (一企一档).

    Cases are those whose party is the enterprise, newest first, at most ``case_limit`` of them;
    none of those ``unnamed`` says — for the enterprise's own reader, those kept from it
    (engine/policy.py ``kept_from_party``: a 12350 举报 about it is neither listed nor counted).
    Raises :class:`EnterpriseNotFound` (Chinese message) for a code the registry does not know.
    """
    today = today_in_china(engine.clock)
    with engine.db.read() as s:
        ent = registry.get(credit_code, session=s)
        if ent is None:
            raise EnterpriseNotFound(f"未找到统一社会信用代码为{credit_code}的企业")
        code = ent.credit_code
        own, shown = Case.party == code, unnamed.shown()
        cases = list(s.scalars(sa.select(Case).where(own if shown is None else sa.and_(own, shown))
                               .order_by(Case.started_at.desc(), Case.id.desc()).limit(case_limit)))
        model_ids = {c.model_id for c in cases}
        names = dict(s.execute(sa.select(ProcessModel.id, ProcessModel.name)
                               .where(ProcessModel.id.in_(model_ids))).all()) if model_ids else {}
        history = registry.risk_history(code, session=s)
        listed = is_listed(s, code, on=today)  # as the pages flag it: the listing period counts
        record = {k: _json(getattr(ent, k)) for k in RECORD_FIELDS}
    of = {key: [c for c in cases if c.process_key == key] for key in (HAZARD, ACCIDENT, ENFORCEMENT, LISTING)}
    penalties = [_penalty(c) for c in of[ENFORCEMENT]]
    next_due = supervision.next_inspection_due(ent.risk_level, ent.last_inspected_on, today=today,
                                               interval_months=registry.inspection_intervals)
    file = {
        "as_of": today.isoformat(),
        "enterprise": record,
        "cases": [_case_row(c, names) for c in cases],
        "case_counts": dict(Counter(c.process_key for c in cases)),
        "open_hazards": [_hazard(c, today) for c in of[HAZARD] if c.status == "running"],
        "accidents": [_accident(c) for c in of[ACCIDENT]],
        "penalties": penalties,
        "fines_total": _fines(penalties),
        "risk": {"level": record["risk_level"],
                 "history": [{"from": _json(h.old_level), "to": _json(h.new_level), "by": h.changed_by,
                              "at": _json(h.changed_at), "reason": h.reason} for h in history]},
        "dishonesty": {"listed": listed, "from": record["dishonest_from"], "until": record["dishonest_until"],
                       "cases": [_listing(c) for c in of[LISTING]]},
        "next_inspection_due": _json(next_due),
    }
    file["standing"] = standing(file, today)
    return file
