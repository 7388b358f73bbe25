"""The living hazard list (隐患清单) of an enterprise and the quarterly hazard statistics (隐患排查治理
季度统计) under 原国家安全监管总局令第16号《安全生产事故隐患排查治理暂行规定》第十四条 (生产经营单位每季度
对隐患排查治理情况进行统计分析，于下一季度15日前报送).

Both read the cases of the two hazard processes — the bureau's 挂牌督办 (``hazard_supervision``: its
一般 and 重大 paths) and the enterprise's 隐患自查自报 (``hazard_self_report``) — and return plain,
JSON-safe data; pages lay it out. A self-report handed to 挂牌督办 is counted once, as the listing case
it opened (that case carries the report's ``found_on``).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

import sqlalchemy as sa

from engine.clock import SHANGHAI
from engine.schema import Case, OrgUnit
from workflows.functions import as_moment

LISTING, SELF_REPORT = "hazard_supervision", "hazard_self_report"
PROCESSES = (LISTING, SELF_REPORT)
OPEN, OVERDUE, RECTIFIED, CLOSED_DOWN = "整改中", "逾期未整改", "已整改", "关闭取缔"
STATUSES = (OVERDUE, OPEN, RECTIFIED, CLOSED_DOWN)
DISTRICT_LEVELS = ("区", "县", "县级市")


def _day(value: Any) -> dt.date | None:
    try:
        return as_moment(value).astimezone(SHANGHAI).date() if value else None
    except (TypeError, ValueError):
        return None


def _yuan(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar quarter."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("季度应为1至4")
    first = dt.date(year, 3 * quarter - 2, 1)
    nxt = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def report_due(year: int, quarter: int) -> dt.date:
    """16号令第十四条: the quarter's statistics are due by the 15th of the first month of the next quarter."""
    _, last = quarter_bounds(year, quarter)
    return (last + dt.timedelta(days=1)).replace(day=15)


def entry(case: Case, today: dt.date) -> dict | None:
    """One line of the hazard list, or None for a self-report that became a listing case (counted there)."""
    d = case.data or {}
    if case.status == "cancelled" or (case.process_key == SELF_REPORT and d.get("listing_started_at")):
        return None
    if case.process_key == SELF_REPORT and not d.get("description"):
        return None                                   # opened, not yet reported
    deadline = _day(d.get("rectify_deadline") or d.get("fix_deadline"))
    rectified_on = None
    if case.status == "completed":
        if case.process_key == LISTING and d.get("hazard_grade") == "重大" and not d.get("delisted_at"):
            status = CLOSED_DOWN
        else:
            status = RECTIFIED
            rectified_on = _day(d.get("delisted_at") or d.get("rectified_at") or case.ended_at)
    elif case.process_key == SELF_REPORT and d.get("rectified_at") and d.get("spot_check_passed") is not False:
        status = RECTIFIED                            # closed on the enterprise's report; the bureau may check
        rectified_on = _day(d["rectified_at"])
    elif deadline is not None and deadline < today:
        status = OVERDUE
    else:
        status = OPEN
    return {"id": case.id, "case_no": case.case_no, "process_key": case.process_key, "title": case.title,
            "party": case.party, "org_code": case.org_code,
            "enterprise_name": d.get("enterprise_name") or case.party or "",
            "source": "企业自查上报" if case.process_key == SELF_REPORT else (d.get("source") or "监督检查发现"),
            "grade": d.get("hazard_grade") or "待定", "description": d.get("description"),
            "location": d.get("location"),
            "found_on": (_day(d.get("found_on")) or _day(case.started_at)).isoformat(),
            "deadline": deadline.isoformat() if deadline else None, "status": status,
            "rectified_on": rectified_on.isoformat() if rectified_on else None,
            "rectify_cost": str(_yuan(d.get("rectify_cost"))), "escalation_level": case.escalation_level}


def _cases(session, where: Iterable) -> list[Case]:
    return list(session.scalars(sa.select(Case).where(Case.process_key.in_(PROCESSES), *where)
                                .order_by(Case.started_at.desc(), Case.id.desc())))


def hazard_list(engine, credit_code: str) -> dict:
    """The enterprise's living 隐患清单: every hazard with its status, overdue first, and the counts."""
    today = engine.clock.now().astimezone(SHANGHAI).date()
    with engine.db.read() as s:
        rows = [e for e in (entry(c, today) for c in _cases(s, [Case.party == credit_code])) if e]
    rows.sort(key=lambda e: (STATUSES.index(e["status"]), e["found_on"]), reverse=False)
    counts = {status: sum(1 for e in rows if e["status"] == status) for status in STATUSES}
    return {"as_of": today.isoformat(), "items": rows, "counts": counts}


def _district_of(orgs: dict[str, OrgUnit], code: str) -> OrgUnit | None:
    org = orgs.get(code)
    while org is not None and org.level not in DISTRICT_LEVELS and org.parent_code:
        org = orgs.get(org.parent_code)
    return org


def _blank() -> dict:
    return {"found": 0, "found_major": 0, "rectified": 0, "rectified_major": 0, "open": 0, "overdue": 0,
            "rectify_cost": Decimal(0)}


def _finish(row: dict) -> dict:
    row["rate"] = f"{row['rectified'] * 100 / row['found']:.1f}%" if row["found"] else "—"
    row["major_rate"] = f"{row['rectified_major'] * 100 / row['found_major']:.1f}%" if row["found_major"] else "—"
    row["rectify_cost"] = str(row["rectify_cost"].quantize(Decimal("0.01")))
    return row


def quarterly_statistics(engine, year: int, quarter: int, org_codes: list[str] | None = None) -> dict:
    """16号令第十四条 quarterly statistics: hazards found in the quarter (一般/重大), of which rectified
    by its last day, still open and overdue then, and the money spent — per enterprise and per
    district (区/县), plus the total. ``org_codes`` limits the cases to those org units (a user's scope)."""
    first, last = quarter_bounds(year, quarter)
    with engine.db.read() as s:
        where = [Case.org_code.in_(org_codes)] if org_codes is not None else []
        cases = _cases(s, where)
        orgs = {o.code: o for o in s.scalars(sa.select(OrgUnit))}
        rows = [e for e in (entry(c, last) for c in cases) if e]
    by_enterprise: dict[str, dict] = defaultdict(_blank)
    by_district: dict[str, dict] = defaultdict(_blank)
    total = _blank()
    names: dict[str, str] = {}
    district_names: dict[str, str] = {}
    for e in rows:
        found = dt.date.fromisoformat(e["found_on"])
        if not first <= found <= last:
            continue
        district = _district_of(orgs, e["org_code"])
        dcode = district.code if district else e["org_code"]
        district_names[dcode] = district.name if district else e["org_code"]
        key = e["party"] or e["enterprise_name"]
        names[key] = e["enterprise_name"]
        rectified = e["rectified_on"] is not None and dt.date.fromisoformat(e["rectified_on"]) <= last
        for row in (by_enterprise[key], by_district[dcode], total):
            row["found"] += 1
            row["found_major"] += e["grade"] == "重大"
            if rectified:
                row["rectified"] += 1
                row["rectified_major"] += e["grade"] == "重大"
                row["rectify_cost"] += _yuan(e["rectify_cost"])
            elif e["status"] != CLOSED_DOWN:          # still open on the quarter's last day
                row["open"] += 1
                row["overdue"] += bool(e["deadline"]) and dt.date.fromisoformat(e["deadline"]) < last
    return {
        "year": year, "quarter": quarter, "from": first.isoformat(), "to": last.isoformat(),
        "report_due": report_due(year, quarter).isoformat(),
        "enterprises": [_finish({"party": k, "name": names[k], **v}) for k, v in sorted(by_enterprise.items())],
        "districts": [_finish({"org_code": k, "name": district_names[k], **v}) for k, v in sorted(by_district.items())],
        "total": _finish(total),
    }
