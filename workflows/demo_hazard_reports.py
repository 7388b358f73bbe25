"""The demo's 隐患排查治理情况统计分析表 (原国家安全监管总局令第16号第十四条): a city-wide 报送安排 set up on the first
day after the last quarter whose due day has passed, its three reports opened that day, then — as the
days walk forward to today — 丙建材 reports on time and 西城区's 王五 signs for it, 甲化工 reports on time and
waits for 东城区's 执法人员 to sign, and 乙机械 does not report: on the day after the due day it is 逾期未报 on 钱科长's list.

Run after the main timeline (``workflows.demo.Timeline``) has ended: a second walk of the clock from that
day to today, which fires nothing of the other cases (their timers due in those days fired in the first).
"""
from __future__ import annotations

import datetime as dt

from workflows import hazard_reports
from workflows.demo import BUILDING, CHEMICAL, MACHINERY, Desk, Timeline

FILL, RECEIVE = "填报统计分析表", "签收统计分析表"


def last_past_quarter(today: dt.date) -> dict:
    """The latest quarter whose report was due before ``today``."""
    year, quarter = hazard_reports.quarter_of(today)
    while True:
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        p = hazard_reports.period(year, quarter)
        if dt.date.fromisoformat(p["statistics_due"]) < today:
            return p


def load_hazard_reports(engine, desk: Desk) -> dict[str, int]:
    today = desk.today()
    p = last_past_quarter(today)
    opened_on = dt.date.fromisoformat(p["period_to"]) + dt.timedelta(days=1)
    due = dt.date.fromisoformat(p["statistics_due"])
    time = Timeline(engine, (today - opened_on).days)
    round_case = hazard_reports.open_reports_now(engine, "shifan", by="shi_ke")
    reports = {c.party: c.id for c in engine.cases(process_key=hazard_reports.REPORT, limit=100)
               if engine.case(c.id).data.get("report_period") == p["report_period"]}
    time.at((today - (due - dt.timedelta(days=3))).days)
    for party, principal, filler, phone in ((CHEMICAL, "钱大成", "孙建平", "13900000001"),
                                           (BUILDING, "吴志刚", "郑丽", "13900000003")):
        data = engine.case(reports[party]).data
        desk.do(reports[party], FILL, **{k: data[k] for k in hazard_reports.FIGURES}, principal_name=principal,
                filled_by=filler, filled_phone=phone)
    desk.do(reports[BUILDING], RECEIVE, user="wang_wu")
    time.end()
    return {"hazard_report_round": round_case.id, "hazard_report_signed": reports[BUILDING],
            "hazard_report_to_receive": reports[CHEMICAL], "hazard_report_overdue": reports[MACHINERY]}
