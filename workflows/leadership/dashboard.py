"""The leadership dashboard's indicators (领导驾驶舱指标) for an org subtree and a period.

Each indicator is a chart: categories (the units below the root, months, stages…), one or more series,
and for every point the filter of its click-through list (:func:`case_filter`), built by the same
function that counted it, so the list always shows exactly the cases behind the figure.

| indicator | from | as of |
| --- | --- | --- |
| open hazards by grade and unit (在办隐患) | running ``hazard_supervision`` cases, ``hazard_grade`` (a generated column), counted in ``case_hazard_tally`` | now |
| listings overdue (挂牌督办逾期) | running 重大 hazards listed (``listed_at``) with ``rectify_deadline`` before today (``listing_deadline``) | now |
| rectification on time (重大隐患按期整改率) | 重大 hazards 销号 (``delisted_at``) in the period, on or before ``rectify_deadline`` (extensions included) | period |
| accidents by grade and month (事故) | ``accident_investigation`` cases opened (接报) in the period, ``accident_grade`` | period |
| penalty cases by stage, average days per stage (执法案件) | open tasks of ``enforcement_case``; tasks completed in the period | now / period |
| escalations (督办升级) | running cases with ``escalation_level`` > 0 | now |
| plan completion (检查计划完成率) | ``random_inspection`` cases (one per enterprise drawn by an ``inspection_plan``) opened in the period: done / all | period |

常州 2012 (seed 001) sets the target "力求重大隐患整改率100%"; the on-time rate is that figure.
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa

from engine.schema import COMPLETED, OPEN, Case, CaseHazardTally, HumanTask

from .period import SHANGHAI, Period
from .scope import Scope

HAZARD, ACCIDENT, ENFORCEMENT = "hazard_supervision", "accident_investigation", "enforcement_case"
PLAN_PROCESSES = ("random_inspection",)  # the inspections an inspection_plan (双随机抽查计划) spawns
HAZARD_GRADES = ["重大", "一般", "未分级"]
ACCIDENT_GRADES = ["特别重大", "重大", "较大", "一般"]
ESCALATION_LEVELS = {1: "一级督办", 2: "二级督办", 3: "三级及以上"}

# What each chart counts, in a sentence a leader reads under its title (the chart's "meaning"): what a bar
# is, as of when, and what a high bar asks of them. Shown on the page and in /leadership/data.json.
MEANINGS = {
    "hazards_open": "尚未销号的隐患件数，按隐患等级和辖区分列，截至当前；重大隐患须挂牌督办，直至整改销号。",
    "listings_overdue": "已挂牌督办的重大事故隐患中，超过督办整改期限（含批准的延期）仍未销号的件数，截至今日；"
                        "有逾期的应督促整改或升级督办。",
    "rectified": "本期销号的重大事故隐患：在督办整改期限当日或之前销号的为按期整改，之后的为逾期整改；"
                 "标题旁为按期整改率。",
    "accidents": "本期接报的生产安全事故起数，按事故等级（《生产安全事故报告和调查处理条例》第三条）和月份分列。",
    "penalty_open": "柱：行政处罚案件当前停留在各办案环节的件数（刻度标“件”）；线：本期办完该环节的平均用时"
                    "（刻度标“天”）。柱长的环节即案件积压之处。",
    "escalations": "办理期限届满仍未办结、已升级督办的在办案件：每错过一次期限升一级，交由更高一级岗位督办；"
                   "级别越高，拖延越久。",
    "plans": "本期双随机抽查计划抽中的企业检查案件，已完成与未完成的件数；标题旁为完成率。",
}
# The unit each KPI counts in (a rate carries its own %).
KPI_UNITS = {"hazards_open": "件", "listings_overdue": "件", "accidents": "起", "penalty_open": "件",
             "escalations": "件"}


def _field(name: str):
    return Case.data[name].as_string()


def _local_date(value) -> date | None:
    if not value:
        return None
    try:
        text = str(value)
        if len(text) <= 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (moment.astimezone(SHANGHAI) if moment.tzinfo else moment).date()
    except ValueError:
        return None


def today_in_china(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()


# --- the filters behind each figure -------------------------------------------------------------

def case_filter(metric: str, scope: Scope, period: Period, now: datetime, params: dict) -> list:
    """SQL conditions on ``case_instance`` for one figure's cases. ``params``: org (a unit below the
    root, "unit" in the URL), grade, level, stage. Metrics computed in Python (on time, accidents by month) narrow further
    in :func:`case_ids`."""
    org = params.get("unit")
    codes = [c for c, unit in scope.rollup.items() if unit == org] if org else scope.codes
    # The whole directory: no org filter, so SQLite scans by process rather than probing 50 org codes.
    where = [] if scope.covers_all and not org else [Case.org_code.in_(codes)]
    grade = params.get("grade")
    if metric == "hazards_open":
        where += [*_hazard_cases(), Case.status == "running"]
        if grade == "未分级":
            where.append(sa.or_(Case.hazard_grade.is_(None), Case.hazard_grade.not_in(HAZARD_GRADES[:2])))
        elif grade:
            where.append(Case.hazard_grade == grade)
    elif metric == "listings_overdue":
        where += [*_hazard_cases(), Case.status == "running", _listing_overdue(now)]
    elif metric == "rectified":
        where += [*_hazard_cases(), Case.status == "completed", Case.ended_at >= period.start,
                  Case.ended_at < period.end, Case.hazard_grade == "重大", _field("delisted_at").is_not(None)]
    elif metric == "accidents":
        where += [Case.process_key == ACCIDENT, Case.started_at >= period.start, Case.started_at < period.end]
        if grade:
            where.append(_field("accident_grade") == grade)
    elif metric == "penalty_open":
        where += [Case.process_key == ENFORCEMENT, Case.status == "running"]
        if params.get("stage"):
            where.append(Case.id.in_(sa.select(HumanTask.case_id).where(
                HumanTask.state == OPEN, HumanTask.process_key == ENFORCEMENT, HumanTask.name == params["stage"])))
    elif metric == "escalations":
        where += [Case.status == "running", Case.escalation_level > 0]
        level = params.get("level")
        if level and str(level).isdigit():
            where.append(Case.escalation_level >= 3 if int(level) >= 3 else Case.escalation_level == int(level))
    elif metric == "plans":
        where += [Case.process_key.in_(PLAN_PROCESSES), Case.started_at >= period.start, Case.started_at < period.end]
    else:
        raise ValueError(f"未知的统计项：{metric}")
    return where


def _hazard_cases() -> list:
    """``hazard_supervision`` cases, read from ix_case_instance_hazards: every hazard case has its
    ``hazard_found_day`` (engine/case_facts.py), and on SQLite the index holds only those (revision 0020)."""
    return [Case.process_key == HAZARD, Case.hazard_found_day.is_not(None)]


def _listing_overdue(now: datetime):
    """A 重大 hazard listed (``listed_at``) whose 整改期限 (``rectify_deadline``) is before today: read
    from the generated columns ``hazard_grade`` and ``listing_deadline`` (engine/schema.py)."""
    return sa.and_(Case.hazard_grade == "重大", Case.listing_deadline < today_in_china(now).isoformat())


def case_ids(session, metric: str, scope: Scope, period: Period, now: datetime, params: dict) -> sa.Select:
    """The ids of the cases behind one figure, as a select (for the click-through list)."""
    where = case_filter(metric, scope, period, now, params)
    if metric == "rectified" and params.get("ontime") in ("1", "0"):
        rows = session.execute(sa.select(Case.id, _field("delisted_at"), _field("rectify_deadline")).where(*where)).all()
        want = params["ontime"] == "1"
        ids = [i for i, done, due in rows if _on_time(done, due) == want]
        return sa.select(Case.id).where(Case.id.in_(ids))
    if metric == "accidents" and params.get("month"):
        # the month's range in SQL (Beijing's month, as the chart counts it): the ids of every accident
        # of the period were read and bound one by one in an IN list (SQLite takes 32,766 at most)
        month = _month(params["month"])
        if month is None:
            return sa.select(Case.id).where(sa.false())
        return sa.select(Case.id).where(*where, Case.started_at >= month.start, Case.started_at < month.end)
    return sa.select(Case.id).where(*where)


def _month(text: str) -> Period | None:
    """``2026-11`` (the chart's month code) as that month, else None."""
    found = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        return None
    return Period("month", int(found.group(1)), int(found.group(2)))


def _on_time(delisted, deadline) -> bool:
    done, due = _local_date(delisted), _local_date(deadline)
    return done is not None and due is not None and done <= due


# --- the figures ----------------------------------------------------------------------------------

def _by_unit(scope: Scope, rows) -> dict[str, dict]:
    out: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for org, key, n in rows:
        out[scope.rollup.get(org, scope.root)][key] += n
    return out


def _units(scope: Scope, counts: dict) -> list[str]:
    units = list(scope.units)
    if scope.root in counts:
        units.append(scope.root)
    return units or [scope.root]


def _hazard_groups(s, scope: Scope, period: Period, now: datetime) -> list[tuple]:
    """Running hazards by (org, grade): how many, and how many of them are overdue listings. Summed
    from ``case_hazard_tally`` — the counts the database keeps by org unit, grade and listing deadline
    in the transaction of every write of a case (revision 0010) — so a view adds up a few hundred rows
    instead of reading one index entry per running hazard (100,000 at a province's size). One read
    serves both the open-hazards and the overdue-listings charts (kept on the session for the second).
    The cases behind each figure are still listed from ``case_instance`` (:func:`case_filter`)."""
    key = ("leadership_hazards", scope.root, today_in_china(now))
    if key not in s.info:
        t = CaseHazardTally
        late = sa.and_(t.hazard_grade == "重大", t.listed == 1, t.listing_deadline < today_in_china(now).isoformat())
        rows = s.execute(sa.select(t.org_code, t.hazard_grade, sa.func.sum(t.n), sa.func.sum(sa.case((late, t.n), else_=0)))
                         .where(*([] if scope.covers_all else [t.org_code.in_(scope.codes)]))
                         .group_by(t.org_code, t.hazard_grade)).all()
        s.info[key] = [(org, grade or None, int(n), int(overdue)) for org, grade, n, overdue in rows if n]
    return s.info[key]


def hazards_open(s, scope: Scope, period: Period, now: datetime) -> dict:
    rows = _hazard_groups(s, scope, period, now)
    counts = _by_unit(scope, [(o, g if g in HAZARD_GRADES else "未分级", n) for o, g, n, _late in rows])
    units = _units(scope, counts)
    return {"key": "hazards_open", "title": "在办隐患（按等级、辖区）", "type": "bar", "stack": True,
            "categories": [scope.name(u) for u in units], "category_codes": units, "category_param": "unit",
            "series": [{"name": g, "code": g, "data": [counts[u][g] for u in units]} for g in HAZARD_GRADES],
            "series_param": "grade", "total": sum(sum(c.values()) for c in counts.values()),
            "major": sum(c["重大"] for c in counts.values())}


def listings_overdue(s, scope, period, now) -> dict:
    rows = _hazard_groups(s, scope, period, now)
    counts = _by_unit(scope, [(o, "逾期", late) for o, _g, _n, late in rows if late])
    units = _units(scope, counts)
    return {"key": "listings_overdue", "title": "挂牌督办逾期未整改", "type": "bar",
            "categories": [scope.name(u) for u in units], "category_codes": units, "category_param": "unit",
            "series": [{"name": "逾期挂牌", "code": "", "data": [counts[u]["逾期"] for u in units]}],
            "total": sum(c["逾期"] for c in counts.values())}


def rectified_on_time(s, scope, period, now) -> dict:
    rows = s.execute(sa.select(Case.org_code, _field("delisted_at"), _field("rectify_deadline"))
                     .where(*case_filter("rectified", scope, period, now, {}))).all()
    counts = _by_unit(scope, [(o, "1" if _on_time(done, due) else "0", 1) for o, done, due in rows])
    units = _units(scope, counts)
    on_time = sum(c["1"] for c in counts.values())
    total = on_time + sum(c["0"] for c in counts.values())
    return {"key": "rectified", "title": "重大隐患按期整改（本期销号）", "type": "bar", "stack": True,
            "categories": [scope.name(u) for u in units], "category_codes": units, "category_param": "unit",
            "series": [{"name": "按期整改", "code": "1", "data": [counts[u]["1"] for u in units]},
                       {"name": "逾期整改", "code": "0", "data": [counts[u]["0"] for u in units]}],
            "series_param": "ontime", "total": total, "on_time": on_time,
            "rate": round(100 * on_time / total, 1) if total else None}


def accidents(s, scope, period, now) -> dict:
    rows = s.execute(sa.select(_field("accident_grade"), Case.started_at)
                     .where(*case_filter("accidents", scope, period, now, {}))).all()
    months = period.months()
    counts = defaultdict(lambda: defaultdict(int))
    for grade, at in rows:
        counts[grade if grade in ACCIDENT_GRADES else "一般"][at.astimezone(SHANGHAI).strftime("%Y-%m")] += 1
    return {"key": "accidents", "title": "生产安全事故（按等级、月份）", "type": "bar", "stack": True,
            "categories": [f"{int(m[5:])}月" for m in months], "category_codes": months, "category_param": "month",
            "series": [{"name": g, "code": g, "data": [counts[g][m] for m in months]} for g in ACCIDENT_GRADES],
            "series_param": "grade", "total": len(rows)}


def _avg_days(s, created, completed):
    if s.bind.dialect.name == "sqlite":
        return sa.func.avg(sa.func.julianday(completed) - sa.func.julianday(created))
    return sa.func.avg(sa.func.extract("epoch", completed - created)) / 86400


def penalty_stages(s, scope, period, now) -> dict:
    # Driven from the (few) enforcement cases through ix_human_task_case_due, never a scan of all open tasks.
    cases = sa.select(Case.id).where(Case.process_key == ENFORCEMENT, Case.org_code.in_(scope.codes))
    open_rows = s.execute(sa.select(HumanTask.name, sa.func.count(sa.distinct(HumanTask.case_id)))
                          .where(HumanTask.case_id.in_(cases.where(Case.status == "running")),
                                 HumanTask.state == OPEN)
                          .group_by(HumanTask.name)).all()
    done_rows = s.execute(sa.select(HumanTask.name, _avg_days(s, HumanTask.created_at, HumanTask.completed_at),
                                    sa.func.count())
                          .where(HumanTask.case_id.in_(cases), HumanTask.state == COMPLETED,
                                 HumanTask.completed_at >= period.start, HumanTask.completed_at < period.end)
                          .group_by(HumanTask.name)).all()
    stages = sorted({n for n, _ in open_rows} | {n for n, *_ in done_rows})
    open_count = dict(open_rows)
    avg = {n: round(float(d or 0), 1) for n, d, _c in done_rows}
    return {"key": "penalty_open", "title": "执法案件（各环节在办数、平均办理天数）", "type": "bar",
            "categories": stages, "category_codes": stages, "category_param": "stage",
            "series": [{"name": "在办案件", "code": "", "data": [open_count.get(n, 0) for n in stages]},
                       {"name": "平均办理天数", "code": "", "data": [avg.get(n, 0) for n in stages],
                        "axis": 1, "line": True, "nodrill": True}],
            "total": s.execute(sa.select(sa.func.count()).select_from(Case).where(
                *case_filter("penalty_open", scope, period, now, {}))).scalar()}


def escalations(s, scope, period, now) -> dict:
    level = sa.case((Case.escalation_level >= 3, 3), else_=Case.escalation_level)
    rows = s.execute(sa.select(Case.org_code, level, sa.func.count())
                     .where(*case_filter("escalations", scope, period, now, {}))
                     .group_by(Case.org_code, level)).all()
    counts = _by_unit(scope, rows)
    units = _units(scope, counts)
    return {"key": "escalations", "title": "督办升级案件（按级别、辖区）", "type": "bar", "stack": True,
            "categories": [scope.name(u) for u in units], "category_codes": units, "category_param": "unit",
            "series": [{"name": name, "code": str(lv), "data": [counts[u][lv] for u in units]}
                       for lv, name in ESCALATION_LEVELS.items()],
            "series_param": "level", "total": sum(sum(c.values()) for c in counts.values())}


def plan_completion(s, scope, period, now) -> dict:
    rows = s.execute(sa.select(Case.org_code, Case.status, sa.func.count())
                     .where(*case_filter("plans", scope, period, now, {})).group_by(Case.org_code, Case.status)).all()
    counts = _by_unit(scope, rows)
    units = _units(scope, counts)
    total = sum(sum(c.values()) for c in counts.values())
    done = sum(c["completed"] for c in counts.values())
    return {"key": "plans", "title": "双随机抽查完成情况", "type": "bar", "stack": True,
            "categories": [scope.name(u) for u in units], "category_codes": units, "category_param": "unit",
            "series": [{"name": "已完成", "code": "", "data": [counts[u]["completed"] for u in units]},
                       {"name": "未完成", "code": "", "data": [counts[u]["running"] for u in units]}],
            "total": total, "rate": round(100 * done / total, 1) if total else None,
            "empty_note": None if total else "本期没有双随机抽查检查案件"}


INDICATORS = [hazards_open, listings_overdue, rectified_on_time, accidents, penalty_stages, escalations,
              plan_completion]


def dashboard(engine, scope: Scope, period: Period, now: datetime) -> dict:
    # Each figure is its own statement, as of when it runs: on PostgreSQL outside a transaction, which
    # saves the BEGIN/ROLLBACK round trips and keeps psycopg's prepared statements (no planning).
    with engine.db.read() as s:
        charts = [f(s, scope, period, now) for f in INDICATORS]
    by_key = {c["key"]: c for c in charts}
    for chart in charts:
        chart["meaning"] = MEANINGS[chart["key"]]
    board = {"period": period.code, "period_label": period.label, "org": scope.root, "org_name": scope.root_name,
            "kpis": [
                {"label": "在办重大隐患", "value": by_key["hazards_open"]["major"], "metric": "hazards_open",
                 "params": {"grade": "重大"}},
                {"label": "挂牌逾期", "value": by_key["listings_overdue"]["total"], "metric": "listings_overdue",
                 "params": {}, "bad": by_key["listings_overdue"]["total"] > 0},
                {"label": "按期整改率", "value": _pct(by_key["rectified"]["rate"]), "metric": "rectified", "params": {}},
                {"label": "本期事故", "value": by_key["accidents"]["total"], "metric": "accidents", "params": {}},
                {"label": "在办执法案件", "value": by_key["penalty_open"]["total"], "metric": "penalty_open", "params": {}},
                {"label": "督办升级", "value": by_key["escalations"]["total"], "metric": "escalations", "params": {},
                 "bad": by_key["escalations"]["total"] > 0},
                {"label": "双随机抽查完成率", "value": _pct(by_key["plans"]["rate"]), "metric": "plans", "params": {}},
            ],
            "charts": charts}
    for kpi in board["kpis"]:
        kpi["unit"] = "" if kpi["value"] == "—" else KPI_UNITS.get(kpi["metric"], "")
    return board


def _pct(rate) -> str:
    return "—" if rate is None else f"{rate:g}%"


METRIC_TITLES = {"hazards_open": "在办隐患", "listings_overdue": "挂牌督办逾期未整改", "rectified": "本期销号的重大隐患",
                 "accidents": "生产安全事故", "penalty_open": "在办执法案件", "escalations": "督办升级案件",
                 "plans": "双随机抽查检查"}
