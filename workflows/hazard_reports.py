"""隐患排查治理情况统计分析表 (the enterprise's quarterly and annual hazard statistics report) under
原国家安全监管总局令第16号《安全生产事故隐患排查治理暂行规定》第十四条: 生产经营单位应当每季度、每年对本单位
事故隐患排查治理情况进行统计分析，并分别于下一季度15日前和下一年1月31日前向安全监管监察部门和有关部门报送
书面统计分析表；统计分析表应当由生产经营单位主要负责人签字.

- periods (``period``): a quarter (due on the 15th of the next quarter's first month,
  ``hazard_ledger.report_due``) or a year (due on 31 January of the next year). 「15日前」「1月31日前」
  are read as *by the end of that day*: a report submitted on 15 April is on time, on 16 April late
  (the reading of the officials' quarterly statistics, which say 「报送期限：2026年4月15日前」 of the
  same day); the fixed calendar day is not moved off a weekend or holiday (a date the rule names, not a
  period counted in days).
- the round (``hazard_report_round``): a standing case per unit that opens, on the first day of each
  quarter, a report case (``hazard_statistics_report``) per 生产经营单位 of the unit and the units below
  it for the quarter just ended — and on 1 January for the year too — through ``start_case`` as the
  双随机 plan opens its inspections (``open_hazard_reports`` here, ``inspection_plans.open_inspections``
  there). An enterprise that already has a report case for the period is skipped, so two rounds over
  the same territory (a city's and a district's) open one report each.
- the figures (``report_figures``): found, 重大, rectified, still open, overdue and the money spent, for
  the enterprise over the period as of its last day, counted by the hazard ledger's own counter
  (``hazard_ledger._count`` over ``hazard_ledger.hazard_list``), the same way the officials'
  quarterly statistics count a case.
- the 逾期未报 list (``overdue_reports``, ``unit_summary``): report cases past their due day without a
  submission, per unit, for the section head's page (webui/hazard_reports.py).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from engine.clock import SHANGHAI, today_in_china
from engine.schema import Case
from workflows import hazard_ledger

REPORT, ROUND = "hazard_statistics_report", "hazard_report_round"
QUARTER_NAMES = ("一", "二", "三", "四")
FIGURES = ("found_total", "found_major", "rectified_total", "rectified_major", "open_total", "overdue_total")


# --- periods ----------------------------------------------------------------------------------------

def period(year: int, quarter: int | None = None) -> dict:
    """A report period: ``quarter`` 1–4, or None for the year. Dates are ISO days."""
    if quarter is None:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        due = dt.date(year + 1, 1, 31)  # 16号令第十四条: 下一年1月31日前
        key, label, kind = str(year), f"{year}年度", "年度"
    else:
        first, last = hazard_ledger.quarter_bounds(year, quarter)
        due = hazard_ledger.report_due(year, quarter)  # 16号令第十四条: 下一季度15日前
        key, label, kind = f"{year}Q{quarter}", f"{year}年第{QUARTER_NAMES[quarter - 1]}季度", "季度"
    return {"report_period": key, "report_period_label": label, "report_kind": kind, "report_year": year,
            "report_quarter": quarter, "period_from": first.isoformat(), "period_to": last.isoformat(),
            "statistics_due": due.isoformat()}


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def periods_ended_before(day: dt.date) -> list[dict]:
    """The periods that ended the day before the quarter of ``day`` began: the last quarter, and on
    the first quarter the last year too."""
    year, quarter = quarter_of(day)
    last_year, last_quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    out = [period(last_year, last_quarter)]
    if quarter == 1:
        out.append(period(year - 1))
    return out


def periods_to_open(day: dt.date) -> list[dict]:
    """What a round opens on ``day``: the periods that ended before this quarter whose due day has not
    passed (a round started on 7 December opens nothing for the third quarter, due 15 October)."""
    return [p for p in periods_ended_before(day) if dt.date.fromisoformat(p["statistics_due"]) >= day]


def next_quarter_start(day: dt.date) -> dt.date:
    year, quarter = quarter_of(day)
    return dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)


def _today(engine) -> dt.date:
    return today_in_china(engine.clock)


# --- the figures from the hazard ledger --------------------------------------------------------------

def report_figures(engine, credit_code: str, period_from: str, period_to: str) -> dict:
    """The enterprise's figures for the period, counted by the hazard ledger as of its last day."""
    first, last = dt.date.fromisoformat(period_from), dt.date.fromisoformat(period_to)
    row = hazard_ledger._blank()
    for e in hazard_ledger.hazard_list(engine, credit_code)["items"]:
        if first <= dt.date.fromisoformat(e["found_on"]) <= last:
            hazard_ledger._count(row, e, last)
    row = hazard_ledger._finish(row)
    return {"found_total": row["found"], "found_major": row["found_major"], "rectified_total": row["rectified"],
            "rectified_major": row["rectified_major"], "open_total": row["open"], "overdue_total": row["overdue"],
            "rectify_cost": row["rectify_cost"]}


def figures_handler(engine):
    """Service ``hazard_report_figures``: the ledger's figures into the case, as the form's fields
    (the enterprise sees them filled in) and as ``ledger_*`` (what the inspector compares with)."""
    def handler(data: dict, **_params) -> dict:
        code = (data.get("credit_code") or "").strip()
        if not code:
            raise ValueError("汇总隐患台账：案件没有企业的统一社会信用代码")
        figures = report_figures(engine, code, data["period_from"], data["period_to"])
        return {**figures, **{f"ledger_{k}": v for k, v in figures.items()}}
    return handler


def report_differs(data: dict) -> bool:
    """Whether the figures the enterprise submitted differ from the ledger's."""
    return any(str(data.get(k)) != str(data.get(f"ledger_{k}")) for k in (*FIGURES, "rectify_cost")
               if f"ledger_{k}" in data)


# --- the round: whom to open reports for -------------------------------------------------------------

def targets_handler(engine):
    """Service ``hazard_report_targets``: the 生产经营单位 of the round's unit and below, one row per
    enterprise and period to open now, and when the round looks again (the next quarter's first day)."""
    def handler(data: dict, **_params) -> dict:
        today = _today(engine)
        org = data.get("round_org")
        if not org:
            raise ValueError("确定报送企业：报送安排没有所属单位")
        periods = [p for p in periods_to_open(today) if p["report_period"] not in set(data.get("opened_periods") or [])]
        rows = _enterprises(engine, org, data.get("case_no") or "") if periods else []
        done = _reported(engine, [r["credit_code"] for r in rows], [p["report_period"] for p in periods])
        targets = [{**r, **p} for p in periods for r in rows if (r["credit_code"], p["report_period"]) not in done]
        nxt = next_quarter_start(today)
        return {"report_targets": targets,
                "opened_periods": [*(data.get("opened_periods") or []), *(p["report_period"] for p in periods)],
                "next_round_at": dt.datetime.combine(nxt, dt.time(), SHANGHAI).isoformat()}
    return handler


def _enterprises(engine, org: str, round_no: str) -> list[dict]:
    """The 生产经营单位 of ``org`` and below that no earlier running round covers: where a city's and a
    district's rounds overlap, the one set up first opens the reports — the two wake in the same timer
    sweep, whose transaction neither's new cases are seen from, so each decides from the rounds alone."""
    from engine.schema import OrgUnit
    from workflows.enterprises.models import Enterprise as E
    from workflows.enterprises.terms import UnitKind
    with engine.db.read() as s:
        orgs = engine.directory.org_codes_below(s, engine.directory.org_path(s, org))
        rows = s.execute(sa.select(E.credit_code, E.name, E.legal_rep, E.org_unit)
                         .where(E.org_unit.in_(orgs), E.kind == UnitKind.ENTERPRISE)   # 生产经营单位 only
                         .order_by(E.credit_code)).all()
        earlier = set(s.scalars(sa.select(Case.org_code).where(Case.process_key == ROUND, Case.status == "running",
                                                               Case.case_no < round_no))) if round_no else set()
        paths = dict(s.execute(sa.select(OrgUnit.code, OrgUnit.path).where(OrgUnit.code.in_(orgs))).all()) if earlier else {}
    covered = {code for code, path in paths.items() if earlier & set(path.strip("/").split("/"))}
    return [{"credit_code": r.credit_code, "enterprise_name": r.name, "principal_name": r.legal_rep or "",
             "enterprise_org": r.org_unit} for r in rows if r.org_unit not in covered]


def _reported(engine, codes: list[str], keys: list[str]) -> set[tuple[str, str]]:
    """(credit code, period) of the report cases already opened, cancelled ones aside."""
    if not codes or not keys:
        return set()
    out = set()
    with engine.db.read() as s:
        for party, data in s.execute(sa.select(Case.party, Case.data).where(
                Case.process_key == REPORT, Case.party.in_(codes), Case.status != "cancelled")):
            key = (data or {}).get("report_period")
            if key in keys:
                out.add((party, key))
    return out


def report_seed(target: dict) -> dict:
    keep = ("credit_code", "enterprise_name", "principal_name", "report_period", "report_period_label",
            "report_kind", "report_year", "report_quarter", "period_from", "period_to", "statistics_due")
    return {**{k: target.get(k) for k in keep}, "first_submitted_on": None, "returned_for_correction": False}


def open_hazard_reports(targets) -> int:
    """每家企业每期一件统计分析表报送案件: the round's script opens a ``hazard_statistics_report`` case per
    target (``start_case``: once the step is done, in its transaction), against the enterprise, in the
    enterprise's own unit (its 执法人员 sign for it); how many. It asks the engine for something, so it
    is not host-safe (workflows/functions.py ``HOST_SAFE``)."""
    from engine.scripting import start_case
    for t in targets or []:
        start_case(REPORT, report_seed(t), party=t["credit_code"], org=t.get("enterprise_org"),
                   title=f"{t['enterprise_name']}{t['report_period_label']}隐患排查治理情况统计分析表")
    return len(targets or [])


def open_reports_now(engine, org: str, by: str, title: str = "") -> Case:
    """Start a round for ``org`` (the 发起案件 page does the same through ``start_data``)."""
    return engine.start(ROUND, by=by, org=org, title=title or "隐患排查治理情况统计分析表报送安排",
                        data={"round_org": org})


# --- the 逾期未报 list --------------------------------------------------------------------------------

def _report_cases(engine, org_codes: list[str] | None, key: str | None) -> list[Case]:
    c = Case.__table__.c
    where = [Case.process_key == REPORT, Case.status != "cancelled"]
    if org_codes is not None:
        where.append(c.org_code.in_(org_codes))
    with engine.db.read() as s:
        cases = list(s.scalars(sa.select(Case).where(*where).order_by(Case.org_code, Case.id)))
    return [x for x in cases if key is None or (x.data or {}).get("report_period") == key]


def state_of(case: Case, today: dt.date) -> str:
    """已签收 / 退回补正 / 待签收 / 逾期未报 / 待报送 of a report case on ``today``. A report sent back for
    correction was reported: it is 退回补正, not 逾期未报, whatever the day."""
    d = case.data or {}
    if case.status == "completed":
        return "已签收"
    if d.get("returned_for_correction"):
        return "退回补正"
    if d.get("submitted_on"):
        return "待签收"
    if d.get("statistics_due") and dt.date.fromisoformat(d["statistics_due"]) < today:
        return "逾期未报"
    return "待报送"


def overdue_reports(engine, org_codes: list[str] | None, key: str | None = None) -> list[dict]:
    """Report cases past their due day with nothing submitted, longest overdue first."""
    today = _today(engine)
    out = []
    for case in _report_cases(engine, org_codes, key):
        if state_of(case, today) != "逾期未报":
            continue
        d = case.data or {}
        due = dt.date.fromisoformat(d["statistics_due"])
        out.append({"case_id": case.id, "case_no": case.case_no, "org_code": case.org_code,
                    "enterprise_name": d.get("enterprise_name") or case.party or "", "party": case.party,
                    "period_label": d.get("report_period_label") or "", "statistics_due": d["statistics_due"],
                    "days_overdue": (today - due).days})
    out.sort(key=lambda r: (-r["days_overdue"], r["org_code"], r["enterprise_name"]))
    return out


def unit_summary(engine, org_codes: list[str] | None, key: str | None = None) -> list[dict]:
    """Per unit: reports due, submitted on time, submitted late, signed for, 逾期未报."""
    today = _today(engine)
    rows: dict[str, dict] = defaultdict(lambda: {"due": 0, "on_time": 0, "late": 0, "signed": 0, "overdue": 0})
    for case in _report_cases(engine, org_codes, key):
        d, row = case.data or {}, rows[case.org_code]
        row["due"] += 1
        state = state_of(case, today)
        if d.get("first_submitted_on"):
            row["late" if d.get("report_late") else "on_time"] += 1
        row["signed"] += state == "已签收"
        row["overdue"] += state == "逾期未报"
    return [{"org_code": org, **r} for org, r in sorted(rows.items())]


def period_keys(engine, org_codes: list[str] | None) -> list[tuple[str, str]]:
    """(key, label) of the periods with report cases, newest first."""
    seen = {}
    for case in _report_cases(engine, org_codes, None):
        d = case.data or {}
        if d.get("report_period"):
            seen[d["report_period"]] = d.get("report_period_label") or d["report_period"]
    # a year after its fourth quarter (both due in January), newest first
    return sorted(seen.items(), key=lambda kv: (kv[0][:4], kv[0][5:] or "5"), reverse=True)


def install(engine) -> None:
    engine.register_service("hazard_report_figures", figures_handler(engine))
    engine.register_service("hazard_report_targets", targets_handler(engine))
