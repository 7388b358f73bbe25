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
import weakref
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

import sqlalchemy as sa

from engine import case_facts
from engine.clock import SHANGHAI, today_in_china
from engine.schema import Case, HazardQuarterTally, OrgUnit
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
    today = today_in_china(engine.clock)
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


EPOCH = dt.date(1970, 1, 1)
_ORGS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # engine -> (directory counter, org units)


def _org_units(engine, s, version: int | None) -> dict[str, OrgUnit]:
    """Every org unit by code, kept per engine at the directory counter a request read (None: afresh)."""
    known = _ORGS.get(engine)
    if version is not None and known is not None and known[0] == version:
        return known[1]
    orgs = {o.code: o for o in s.scalars(sa.select(OrgUnit))}
    if version is not None:  # read after the counter: as new as ``version`` or newer
        _ORGS[engine] = (version, orgs)
    return orgs


def _sums(c, last: int) -> list:
    """found, found_major, rectified, rectified_major, open, overdue, fen spent — per group, in SQL,
    exactly as ``entry`` and the loop below count one case (engine/case_facts.py holds the facts)."""
    major = c.hazard_grade == "重大"
    rectified = sa.and_(c.hazard_outcome >= 0, c.hazard_outcome <= last)
    still_open = sa.or_(c.hazard_outcome == case_facts.NOT_RECTIFIED, c.hazard_outcome > last)
    overdue = sa.and_(still_open, c.hazard_due_day >= 0, c.hazard_due_day < last)

    def count(condition):
        return sa.func.count().filter(condition)
    return [sa.func.count(), count(major), count(rectified), count(sa.and_(rectified, major)), count(still_open),
            count(overdue), sa.func.coalesce(sa.func.sum(c.hazard_cost_fen).filter(rectified), 0)]


_FIELDS = ("found", "found_major", "rectified", "rectified_major", "open", "overdue")


def _add(row: dict, sums) -> None:
    for name, value in zip(_FIELDS, sums):
        row[name] += int(value)
    row["rectify_cost"] += Decimal(int(sums[6])) / 100


def _count(row: dict, e: dict, last: dt.date) -> None:
    """One hazard list entry found in the quarter, counted as of the quarter's last day."""
    rectified = e["rectified_on"] is not None and dt.date.fromisoformat(e["rectified_on"]) <= last
    row["found"] += 1
    row["found_major"] += e["grade"] == "重大"
    if rectified:
        row["rectified"] += 1
        row["rectified_major"] += e["grade"] == "重大"
        row["rectify_cost"] += _yuan(e["rectify_cost"])
    elif e["status"] != CLOSED_DOWN:          # still open on the quarter's last day
        row["open"] += 1
        row["overdue"] += bool(e["deadline"]) and dt.date.fromisoformat(e["deadline"]) < last


def quarterly_statistics(engine, year: int, quarter: int, org_codes: list[str] | None = None, *,
                         after: str | None = None, limit: int | None = None,
                         directory_version: int | None = None) -> dict:
    """16号令第十四条 quarterly statistics: hazards found in the quarter (一般/重大), of which rectified
    by its last day, still open and overdue then, and the money spent — per enterprise and per
    district (区/县), plus the total. ``org_codes`` limits the cases to those org units (a user's scope).

    Counted by the database from each case's hazard facts (engine/case_facts.py, kept by a trigger),
    a grouped scan of an index; the few cases whose data the database could not read
    (``hazard_found_day = -1``) are counted from their JSON by ``entry``, as every case once was.
    Enterprises come in code point order of their key (credit code, else name), ``limit`` of them
    after the key ``after`` (all when ``limit`` is None); ``next_after`` is where the next page starts."""
    first, last = quarter_bounds(year, quarter)
    lo, hi = (first - EPOCH).days, (last - EPOCH).days
    c = Case.__table__.c
    scope = [c.org_code.in_(org_codes)] if org_codes is not None else []
    counted = [c.hazard_found_day.between(lo, hi), c.hazard_outcome != case_facts.EXCLUDED, *scope]
    with engine.db.read() as s:
        # The districts and the total from the quarter's tally rows (per org unit, and whether the
        # enterprise is '': no party, no name — in a province the largest group, first in key
        # order), so the page of enterprises starts after it and reads only its own keys' entries.
        t = HazardQuarterTally.__table__.c
        per_org = s.execute(sa.select(t.org_code, t.blank, *(t[name] for name in case_facts.TALLY_SUMS)).where(
            t.quarter_first == lo, t.found != 0, *([t.org_code.in_(org_codes)] if org_codes is not None else []))
        ).all()
        keyed = (sa.select(c.hazard_key, *_sums(c, hi)).where(*counted, c.hazard_key > (after or ""))
                 .group_by(c.hazard_key).order_by(c.hazard_key))
        per_key = [tuple(r) for r in s.execute(keyed if limit is None else keyed.limit(limit + 1))]
        if after is None:
            blanks = [sums for _org, is_blank, *sums in per_org if is_blank]
            if blanks:
                per_key.insert(0, ("", *(sum(column) for column in zip(*blanks))))
        odd_cases = list(s.scalars(sa.select(Case).where(c.hazard_found_day == case_facts.ODD, *scope)
                                   .order_by(c.started_at.desc(), c.id.desc())))
        odd = [(case, e) for case, e in ((case, entry(case, last)) for case in odd_cases)
               if e and first <= dt.date.fromisoformat(e["found_on"]) <= last]
        more = limit is not None and len(per_key) > limit
        keys = [k for k, *_ in per_key]
        for _case, e in odd:
            key = e["party"] or e["enterprise_name"]
            if (after is None or key > after) and key not in keys:
                keys.append(key)
        keys.sort()
        if limit is not None:
            more = more or len(keys) > limit
            keys = keys[:limit]
        named = _first_cases(s, c, [k for k in keys if k], counted)
        orgs = _org_units(engine, s, directory_version)
    by_enterprise: dict[str, dict] = {k: _blank() for k in keys}
    names: dict[str, tuple] = {k: (named[k][0], named[k][1]) if k in named else (None, "") for k in keys}
    for key, *sums in per_key:
        if key in by_enterprise:
            _add(by_enterprise[key], sums)
    by_district: dict[str, dict] = defaultdict(_blank)
    district_names: dict[str, str] = {}
    total = _blank()

    def district(code: str) -> str:
        found = _district_of(orgs, code)
        dcode = found.code if found else code
        district_names[dcode] = found.name if found else code
        return dcode
    for org_code, _blank_key, *sums in per_org:
        _add(by_district[district(org_code)], sums)
        _add(total, sums)
    for case, e in odd:
        key = e["party"] or e["enterprise_name"]
        _count(by_district[district(e["org_code"])], e, last)
        _count(total, e, last)
        if key in by_enterprise:
            _count(by_enterprise[key], e, last)
            order = (case.started_at, case.id)
            if names[key][0] is None or order < names[key][0]:
                names[key] = (order, e["enterprise_name"])
    return {
        "year": year, "quarter": quarter, "from": first.isoformat(), "to": last.isoformat(),
        "report_due": report_due(year, quarter).isoformat(),
        "enterprises": [_finish({"party": k, "name": names[k][1], **by_enterprise[k]}) for k in keys],
        "districts": [_finish({"org_code": k, "name": district_names[k], **v}) for k, v in sorted(by_district.items())],
        "total": _finish(total),
        "more": more, "next_after": keys[-1] if more and keys else None,
    }


def _first_cases(s, c, keys: list[str], counted: list) -> dict[str, tuple]:
    """Per key, ((started_at, id), enterprise name) of its earliest case counted in the quarter: the
    name the enterprise is shown under (the old loop kept the last one it met, newest first)."""
    if not keys:
        return {}
    name = sa.type_coerce(c.data, sa.JSON)["enterprise_name"].as_string()
    rank = sa.func.row_number().over(partition_by=c.hazard_key, order_by=(c.started_at, c.id)).label("rank")
    ranked = sa.select(c.hazard_key, c.party, name.label("name"), c.started_at, c.id, rank).where(
        c.hazard_key.in_(keys), *counted).subquery()
    out = {}
    for key, party, ename, started_at, case_id, _rank in s.execute(sa.select(ranked).where(ranked.c.rank == 1)):
        started = started_at if started_at.tzinfo else started_at.replace(tzinfo=dt.timezone.utc)
        out[key] = ((started, case_id), ename or party or "")
    return out
