"""隐患排查治理情况统计分析表 walked through the engine API (SQLite and PostgreSQL), one world per module.

Rule: 原国家安全监管总局令第16号《安全生产事故隐患排查治理暂行规定》第十四条 — 生产经营单位应当每季度、每年对
本单位事故隐患排查治理情况进行统计分析，并分别于下一季度15日前和下一年1月31日前报送书面统计分析表；统计分析表
应当由生产经营单位主要负责人签字. 「15日前」 read as by the end of the 15th (workflows/hazard_reports.py).

The scenarios run in the order written on one world whose clock only moves forward: a round opened on
30 March 2026 for the city opens the first quarter's reports on 1 April; they are submitted on the 15th
and the 16th; one is sent back; then the year's reports of 2026 are opened on 1 January 2027.
"""
from __future__ import annotations

import datetime as dt

import pytest

from engine import InvalidData
from engine.clock import SHANGHAI
from workflows import hazard_reports as hr
from workflows.demo import BUILDING, CHEMICAL, MACHINERY, register_enterprises
from workflows.hazard_ledger import quarterly_statistics
from tests.process_support import process_world, reached_by_every_scenario

START = dt.datetime(2026, 3, 30, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
REPORT, FILL, RECEIVE = hr.REPORT, "填报统计分析表", "签收统计分析表"
OWN = {CHEMICAL: "jia_qy", MACHINERY: "yi_qy", BUILDING: "bing_qy"}


def world(database_url):
    for w in process_world(database_url, REPORT, None, START):
        register_enterprises(w.engine)
        yield w


@pytest.fixture(scope="module")
def w(module_database_url):
    yield from world(module_database_url)


def at(w, year, month, day, hour=9, minute=0):
    """Move the clock forward to that moment in Shanghai and fire what came due."""
    w.clock.set(dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI))
    w.engine.run_due_timers()


def reports(w, key: str) -> dict[str, int]:
    """credit code -> case id of the report cases of period ``key``."""
    out = {}
    for c in w.engine.cases(process_key=REPORT, limit=1000):
        case = w.engine.case(c.id)
        if case.data.get("report_period") == key:
            out[case.party] = case.id
    return out


def submit(w, case_id: int, party: str, **changes):
    case = w.engine.case(case_id)
    figures = {k: case.data[k] for k in hr.FIGURES}
    return w.desk.do(case_id, FILL, user=OWN[party], **{**figures, **changes})


def test_a_round_opens_each_enterprises_quarter_report_on_the_quarters_first_day_16_order_art14(w):
    """A round set up on 30 March opens nothing for the fourth quarter of 2025 (due 15 January, past);
    on 1 April it opens one first-quarter report per 生产经营单位 of the city (not the 安全评价检测检验机构),
    each in the enterprise's own unit, due 15 April; a district's round over the same enterprises opens
    no second report."""
    round_case = hr.open_reports_now(w.engine, "shifan", by="shi_ke")
    assert w.engine.case(round_case.id).data["opened_count"] == 0 and reports(w, "2025Q4") == {}
    at(w, 2026, 4, 1, 0, 5)
    opened = reports(w, "2026Q1")
    assert set(opened) == {CHEMICAL, MACHINERY, BUILDING}
    case = w.engine.case(opened[BUILDING])
    assert case.org_code == "xicheng" and case.data["statistics_due"] == "2026-04-15"
    assert case.data["report_period_label"] == "2026年第一季度" and case.data["principal_name"] == "吴志刚"
    task = w.desk.task(case.id, FILL)
    assert task.role_code == "enterprise" and task.party == BUILDING
    assert task.due_at.astimezone(SHANGHAI) == dt.datetime(2026, 4, 16, tzinfo=SHANGHAI)  # the 15th, all of it
    hr.open_reports_now(w.engine, "dongcheng", by="qian_ke")
    assert reports(w, "2026Q1") == opened
    assert w.engine.case(round_case.id).status == "running"  # it waits for 1 July


def test_a_quarter_with_no_hazards_reports_zeros_16_order_art14(w):
    """With nothing in the hazard ledger the report comes filled with zeros, and zeros are a report."""
    case = w.engine.case(reports(w, "2026Q1")[BUILDING])
    assert {k: case.data[k] for k in hr.FIGURES} == dict.fromkeys(hr.FIGURES, 0)
    assert case.data["rectify_cost"] == "0.00" and case.data["ledger_found_total"] == 0
    at(w, 2026, 4, 10)
    submit(w, case.id, BUILDING, principal_name="吴志刚", filled_by="郑丽")
    case = w.engine.case(case.id)
    assert case.data["first_submitted_on"] == "2026-04-10" and case.data["report_late"] is False
    assert case.data["report_differs"] is False
    assert [t.name for t in case.tasks] == [RECEIVE]


def test_figures_are_read_as_typed_and_refused_when_they_contradict_each_other_16_order_art14(w):
    """Full-width digits and thousands separators are read; a 重大 count over the total, an 已整改 count
    over the total and a report the 主要负责人 has not signed are refused naming the field; nothing kept."""
    case_id = reports(w, "2026Q1")[CHEMICAL]
    task = w.desk.task(case_id, FILL)
    base = {**{k: 0 for k in hr.FIGURES}, "analysis": "本期无隐患", "principal_name": "钱大成",
            "principal_signed": True, "signed_table": ["签字表.pdf"], "filled_by": "孙建平",
            "filled_phone": "13900000001"}
    with pytest.raises(InvalidData) as refused:
        w.engine.complete(task.id, "jia_qy", {**base, "found_total": "１", "found_major": "2"})
    assert "「其中重大事故隐患」不能多于「本期排查发现隐患」" in refused.value.errors["found_major"]
    with pytest.raises(InvalidData) as refused:
        w.engine.complete(task.id, "jia_qy", {**base, "found_total": "3", "rectified_total": "2", "open_total": "2"})
    assert "之和不能多于" in refused.value.errors["open_total"]
    with pytest.raises(InvalidData) as refused:
        w.engine.complete(task.id, "jia_qy", {**base, "principal_signed": False})
    assert "主要负责人签字" in refused.value.errors["principal_signed"]
    assert w.desk.task(case_id, FILL).id == task.id
    at(w, 2026, 4, 15, 23, 30)   # the last half hour of the 15th
    w.engine.complete(task.id, "jia_qy", {**base, "found_total": "1,234", "found_major": "１２",
                                          "rectified_total": "1,200", "open_total": "34", "overdue_total": "3项",
                                          "difference_note": "台账漏登外包作业隐患"})
    data = w.engine.case(case_id).data
    assert (data["found_total"], data["found_major"], data["rectified_total"], data["overdue_total"]) == (1234, 12, 1200, 3)
    assert data["submitted_on"] == "2026-04-15" and data["report_late"] is False   # the 15th is on time
    assert data["report_differs"] is True and not data.get("report_overdue")


def test_submitted_on_the_16th_of_april_is_late_and_was_on_the_overdue_list_16_order_art14(w):
    """On 16 April the unreported first-quarter report is 逾期未报 on the list of its unit's section head
    (东城区's sees 乙机械, not 西城区's enterprises); submitted that day it is 逾期报送 and leaves the list."""
    at(w, 2026, 4, 16, 0, 5)
    case_id = reports(w, "2026Q1")[MACHINERY]
    assert w.engine.case(case_id).data["report_overdue"] is True
    with w.engine.db.read() as s:
        east = w.engine.directory.org_codes_below(s, w.engine.directory.org_path(s, "dongcheng"))
    listed = hr.overdue_reports(w.engine, east, "2026Q1")
    assert [(r["party"], r["days_overdue"], r["statistics_due"]) for r in listed] == [(MACHINERY, 1, "2026-04-15")]
    assert hr.overdue_reports(w.engine, ["xicheng"], "2026Q1") == []
    at(w, 2026, 4, 16, 10)
    submit(w, case_id, MACHINERY, principal_name="赵立新")
    data = w.engine.case(case_id).data
    assert data["first_submitted_on"] == "2026-04-16" and data["report_late"] is True
    assert hr.overdue_reports(w.engine, east, "2026Q1") == []
    rows = {r["org_code"]: r for r in hr.unit_summary(w.engine, None, "2026Q1")}
    assert (rows["dongcheng"]["on_time"], rows["dongcheng"]["late"], rows["dongcheng"]["overdue"]) == (1, 1, 0)


def test_the_inspector_sends_a_report_back_with_a_reason_then_signs_for_it_16_order_art14(w):
    """签收 is the 执法人员 of the enterprise's unit: 退回补正 needs its reason; a report sent back is
    退回补正, not 逾期未报, after the due day; resubmitted it keeps its first submission day."""
    case_id = reports(w, "2026Q1")[BUILDING]
    task = w.desk.task(case_id, RECEIVE)
    assert task.role_code == "inspector" and task.org_code == "xicheng"
    with pytest.raises(InvalidData) as refused:
        w.engine.complete(task.id, "wang_wu", {"receive_decision": "退回补正"})
    assert refused.value.errors["return_reason"] == "退回补正须写明原因和要求"
    w.engine.complete(task.id, "wang_wu", {"receive_decision": "退回补正", "return_reason": "未上传主要负责人签字页"})
    at(w, 2026, 4, 20)
    case = w.engine.case(case_id)
    assert [t.name for t in case.tasks] == [FILL] and hr.state_of(case, dt.date(2026, 4, 20)) == "退回补正"
    assert hr.overdue_reports(w.engine, None, "2026Q1") == []
    submit(w, case_id, BUILDING, signed_table=["签字页.pdf"])
    w.desk.do(case_id, RECEIVE, user="wang_wu")
    case = w.engine.case(case_id)
    assert case.status == "completed" and case.data["received_on"] == "2026-04-20"
    assert case.data["first_submitted_on"] == "2026-04-10" and case.data["report_late"] is False


def test_the_years_report_is_due_31_january_and_1_february_is_late_16_order_art14(w):
    """On 1 January 2027 the round opens the fourth quarter (due 15 January) and the year 2026 (due
    31 January, whose 一月三十一日 is on time and 1 February late); the fourth quarter's figures are the
    ledger's, as the officials' quarterly statistics count them."""
    at(w, 2026, 11, 2)
    hazard = w.desk.start("hazard_self_report", by="yi_qy", org="dongcheng", party=MACHINERY, title="行车限位失效").id
    w.desk.do(hazard, "自查上报隐患", user="yi_qy", enterprise_name="示范市乙机械制造有限公司", found_on="2026-11-02",
              fix_deadline="2026-11-10", major_criterion=None, requires_shutdown=False, long_rectification=False,
              external_factors=False)
    at(w, 2027, 1, 1, 0, 5)
    year, q4 = reports(w, "2026"), reports(w, "2026Q4")
    assert set(year) == set(q4) == {CHEMICAL, MACHINERY, BUILDING}
    assert w.engine.case(year[CHEMICAL]).data["statistics_due"] == "2027-01-31"
    row = next(r for r in quarterly_statistics(w.engine, 2026, 4)["enterprises"] if r["party"] == MACHINERY)
    data = w.engine.case(q4[MACHINERY]).data
    assert (data["found_total"], data["open_total"], data["overdue_total"]) == (row["found"], row["open"], row["overdue"]) == (1, 1, 1)
    assert data["rectify_cost"] == row["rectify_cost"]
    at(w, 2027, 1, 31, 22)
    submit(w, year[CHEMICAL], CHEMICAL)
    at(w, 2027, 2, 1, 8)
    assert w.engine.case(year[MACHINERY]).data["report_overdue"] is True
    submit(w, year[MACHINERY], MACHINERY)
    assert w.engine.case(year[CHEMICAL]).data["report_late"] is False
    assert w.engine.case(year[MACHINERY]).data["report_late"] is True
    listed = hr.overdue_reports(w.engine, None, "2026")
    assert [r["party"] for r in listed] == [BUILDING], [(r, w.engine.case(r["case_id"]).data) for r in listed]


def test_periods_and_their_due_days_16_order_art14():
    """The due days the rule names, and what a round opens on a day."""
    assert hr.period(2026, 1)["statistics_due"] == "2026-04-15"
    assert hr.period(2026, 4)["statistics_due"] == "2027-01-15"
    assert hr.period(2026)["statistics_due"] == "2027-01-31"
    assert [p["report_period"] for p in hr.periods_to_open(dt.date(2027, 1, 1))] == ["2026Q4", "2026"]
    assert [p["report_period"] for p in hr.periods_to_open(dt.date(2027, 1, 20))] == ["2026"]
    assert [p["report_period"] for p in hr.periods_to_open(dt.date(2026, 12, 7))] == []
    assert hr.next_quarter_start(dt.date(2026, 12, 7)) == dt.date(2027, 1, 1)


def test_every_user_task_of_the_report_is_reached_by_a_scenario(request, w):
    reached = reached_by_every_scenario(request, w, world, REPORT)
    assert reached >= {"fill", "receive"}
