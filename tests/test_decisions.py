"""The decision tables (bpmn/*.dmn) at every boundary, and the rules that are arithmetic."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from workflows import decisions as d
from workflows import functions as fn


# --- 事故等级: 以上 includes the number, 以下 excludes it ----------------------------------------

@pytest.mark.parametrize("deaths, grade", [
    (0, "一般"), (2, "一般"), (3, "较大"), (9, "较大"), (10, "重大"), (29, "重大"), (30, "特别重大"), (120, "特别重大"),
])
def test_accident_grade_by_deaths(deaths, grade):
    assert d.accident_grade(deaths=deaths) == grade


@pytest.mark.parametrize("injuries, grade", [
    (9, "一般"), (10, "较大"), (49, "较大"), (50, "重大"), (99, "重大"), (100, "特别重大"),
])
def test_accident_grade_by_serious_injuries(injuries, grade):
    assert d.accident_grade(serious_injuries=injuries) == grade


@pytest.mark.parametrize("loss, grade", [
    ("9999999.99", "一般"), ("10000000", "较大"), ("10000000.00", "较大"), ("49999999.99", "较大"),
    ("50000000", "重大"), ("99999999.99", "重大"), ("100000000", "特别重大"),
])
def test_accident_grade_by_direct_loss(loss, grade):
    assert d.accident_grade(direct_loss=loss) == grade


def test_the_most_severe_criterion_decides():
    assert d.accident_grade(deaths=1, serious_injuries=12, direct_loss="100") == "较大"
    assert d.accident_grade(deaths=3, serious_injuries=0, direct_loss="60000000") == "重大"
    assert d.accident_grade(deaths=0, serious_injuries=0, direct_loss=0) == "一般"


def test_accident_grade_rank_is_output_too():
    out = d.decide("accident_grade", deaths=30, serious_injuries=0, direct_loss="0")
    assert out == {"accident_grade": "特别重大", "accident_grade_rank": 4}


@pytest.mark.parametrize("grade, government, rank, report_to, days", [
    ("一般", "县级人民政府", 1, "设区的市级应急管理部门", 15),
    ("较大", "设区的市级人民政府", 2, "省级应急管理部门", 15),
    ("重大", "省级人民政府", 3, "国务院应急管理部门", 15),
    ("特别重大", "国务院", 4, "国务院应急管理部门", 30),
])
def test_jurisdiction_follows_grade(grade, government, rank, report_to, days):
    out = d.accident_jurisdiction(grade)
    assert out == {"jurisdiction": government, "jurisdiction_rank": rank, "report_to": report_to,
                   "approval_days": days}


def test_a_grade_above_the_district_is_handed_up():
    county = d.level_rank("县级")
    assert d.accident_jurisdiction("一般")["jurisdiction_rank"] <= county
    assert d.accident_jurisdiction("较大")["jurisdiction_rank"] > county
    assert d.accident_jurisdiction("较大")["jurisdiction_rank"] <= d.level_rank("设区的市")
    assert d.level_rank(None) == 1


# --- 隐患分级 ----------------------------------------------------------------------------------

def test_hazard_without_any_major_criterion_is_general():
    out = d.hazard_grade(sector="工贸")
    assert out["hazard_grade"] == "一般"


@pytest.mark.parametrize("sector, standard", list(d_std := __import__(
    "bpmn.tools.dmn_tables", fromlist=["HAZARD_SECTOR_STANDARDS"]).HAZARD_SECTOR_STANDARDS.items()))
def test_sector_criterion_makes_a_major_hazard_with_its_standard(sector, standard):
    out = d.hazard_grade(sector=sector, major_criterion="第四条第（一）项")
    assert out == {"hazard_grade": "重大", "grade_basis": standard}


def test_other_sector_criterion_and_order_16_criteria():
    assert d.hazard_grade(sector="其他", major_criterion="x")["grade_basis"] == "行业重大事故隐患判定标准"
    for flag in ("requires_shutdown", "long_rectification", "external_factors"):
        out = d.hazard_grade(sector="工贸", **{flag: True})
        assert out["hazard_grade"] == "重大" and "第16号" in out["grade_basis"]


@pytest.mark.parametrize("level, cross, listing, rank", [
    ("区县", False, "县（区）级挂牌督办", 1), ("区县", True, "市级挂牌督办", 2),
    ("设区的市", False, "市级挂牌督办", 2), ("设区的市", True, "省级挂牌督办", 3),
    ("省", False, "省级挂牌督办", 3), ("省", True, "省级挂牌督办", 3),
])
def test_listing_level_follows_jurisdiction(level, cross, listing, rank):
    assert d.decide("listing_level", supervision_level=level, cross_region=cross) == {
        "listing_level": listing, "listing_rank": rank}


# --- 听证与集体讨论 -----------------------------------------------------------------------------

@pytest.mark.parametrize("party, fine, hearing", [
    ("个人", "19999.99", False), ("个人", "20000", True), ("个人", "20000.00", True),
    ("单位", "99999.99", False), ("单位", "100000", True), ("单位", "20000", False),
])
def test_hearing_threshold_is_inclusive(party, fine, hearing):
    out = d.hearing_and_collective(party_type=party, fine_amount=fine)
    assert out["hearing_eligible"] is hearing
    assert out["collective_required"] is hearing


def test_severe_measures_and_large_confiscation_give_a_hearing():
    assert d.hearing_and_collective(severe_measure=True)["hearing_eligible"] is True
    assert d.hearing_and_collective(large_confiscation=True)["hearing_eligible"] is True


def test_complex_cases_need_collective_decision_without_hearing():
    out = d.hearing_and_collective(fine_amount="5000", complex_case=True)
    assert (out["hearing_eligible"], out["collective_required"]) == (False, True)


def test_no_penalty_or_transfer_never_gives_a_hearing():
    for outcome in ("不予处罚", "移送司法"):
        out = d.hearing_and_collective(proposed_outcome=outcome, fine_amount="500000", severe_measure=True)
        assert out["hearing_eligible"] is False and out["collective_required"] is False
        assert d.hearing_and_collective(proposed_outcome=outcome, complex_case=True)["collective_required"]


# --- 逾期升级 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("count, suspended, rung", [
    (1, False, "interview"), (2, False, "expose"), (3, False, "suspend"), (4, True, "daily_fine"),
    (5, True, "power_cut"), (6, True, "propose_closure"), (9, True, "propose_closure"),
    (6, False, "suspend"), (5, False, "power_cut"),
])
def test_overdue_ladder_never_closes_by_itself_art113(count, suspended, rung):
    """No rung closes an enterprise: past the 停产停业整顿 the bureau only considers a proposal (提请关闭)."""
    assert d.overdue_rung(count, suspension_ordered=suspended)["overdue_rung"] == rung


def test_three_penalties_in_180_days_lead_to_considering_a_closure_proposal_art113():
    out = d.overdue_rung(1, closure_due=True)
    assert out["overdue_rung"] == "propose_closure" and "180日内3次" in out["overdue_rung_name"]


def test_closure_warranted_after_three_penalties_in_180_days_or_four_in_a_year_art113():
    """Decision days, any span; 民法典第二百零一条: day 180 after the first is the last day of 180 days,
    第二百零二条: a year ends on the corresponding day of the next year."""
    today = dt.date(2026, 12, 31)
    assert not d.closure_warranted(["2026-07-01", "2026-09-01"], today)
    assert d.closure_warranted(["2026-01-10", "2026-03-01", "2026-07-09"], today)       # day 180
    assert not d.closure_warranted(["2026-01-10", "2026-03-01", "2026-07-10"], today)   # day 181
    assert d.closure_warranted(["2025-03-01", "2025-06-01", "2025-12-01", "2026-03-01"], today)   # 4 in a year
    assert not d.closure_warranted(["2025-03-01", "2025-06-01", "2025-12-01", "2026-03-02"], today)
    assert not d.closure_warranted(["2026-01-10", "2026-03-01", "2027-01-05"], today)   # not decided yet
    assert not d.closure_warranted(["2026-01-10", "2026-03-01", "2026-07-01"], today, since="2026-02-01")
    assert d.closure_warranted(["2024-02-29", "2024-06-01", "2024-10-01", "2025-02-28"], today)   # 02-29 + 1 year


# --- 四不放过 --------------------------------------------------------------------------------

COMPLETE_REPORT = {
    "direct_cause": "违章动火引燃可燃物",
    "technical_causes": "未设置可燃气体报警",
    "management_causes": "动火审批流于形式",
    "responsible_persons": [{"name": "王某", "proposed_handling": "移送司法机关"}],
    "responsible_units": [{"name": "甲公司", "proposed_handling": "行政处罚"}],
    "measures": [{"measure": "加装报警装置", "owner": "甲公司", "due_date": "2026-12-31"}],
    "education_done": True,
    "education_record": "2026-06-01 全员警示教育",
    "team_members": ["张组长", "李成员"],
    "signed_by": ["张组长", "李成员"],
}


def test_four_nots_hold_for_a_complete_report():
    assert d.four_nots_check(COMPLETE_REPORT) == []


@pytest.mark.parametrize("change, expected", [
    ({"direct_cause": ""}, "事故原因未查清不放过"),
    ({"technical_causes": None, "management_causes": " "}, "事故原因未查清不放过"),
    ({"responsible_persons": [], "responsible_units": []}, "未认定任何责任人员或责任单位"),
    ({"responsible_persons": [{"name": "王某"}]}, "王某 未提出处理建议"),
    ({"measures": []}, "未提出整改和防范措施"),
    ({"measures": [{"measure": "加装报警装置", "owner": "甲公司"}]}, "加装报警装置 缺少责任单位或完成时限"),
    ({"education_done": False}, "有关人员未受到教育不放过"),
    ({"education_record": ""}, "警示教育尚未开展或无记录"),
    ({"signed_by": ["张组长"]}, "调查组成员未签名：李成员"),
])
def test_four_nots_name_what_is_missing(change, expected):
    reasons = d.four_nots_check({**COMPLETE_REPORT, **change})
    assert len(reasons) == 1 and expected in reasons[0], reasons


def test_four_nots_report_every_gap_at_once():
    assert len(d.four_nots_check({})) == 5


# --- 集体讨论表决 -----------------------------------------------------------------------------

def ballots(*choices):
    return [{"member": f"m{i}", "choice": c} for i, c in enumerate(choices)]


def test_vote_needs_two_thirds_present_and_more_than_half_agreeing():
    t = d.tally_votes(ballots("同意", "同意", "不同意", "弃权"), member_count=5)
    assert t.quorum_met and not t.passed and t.outcome == "未通过"   # 2 of 4 is not more than half
    t = d.tally_votes(ballots("同意", "同意", "同意", "弃权"), member_count=5)
    assert t.quorum_met and t.passed and t.outcome == "通过"
    t = d.tally_votes(ballots("同意", "同意", "同意"), member_count=5)
    assert not t.quorum_met and not t.passed and t.outcome == "不足法定人数"   # 3/5 < 2/3
    t = d.tally_votes(ballots("同意", "同意", "同意", "同意"), member_count=6)
    assert t.quorum_met and t.passed   # 4/6 == 2/3


def test_each_member_counts_once():
    votes = [{"member": "a", "choice": "同意"}, {"member": "a", "choice": "同意"}, {"member": "b", "choice": "不同意"}]
    t = d.tally_votes(votes, member_count=3)
    assert (t.voted, t.agree, t.disagree, t.quorum_met) == (2, 1, 1, True) and not t.passed


# --- money and periods ----------------------------------------------------------------------

def test_late_payment_penalty_is_three_percent_a_day_capped_at_the_fine():
    assert d.late_payment_penalty("10000", 0) == Decimal("0.00")
    assert d.late_payment_penalty("10000", 1) == Decimal("300.00")
    assert d.late_payment_penalty("10000", 10) == Decimal("3000.00")
    assert d.late_payment_penalty("10000", 34) == Decimal("10000.00")   # 102% -> capped
    assert d.late_payment_penalty("10000", 400) == Decimal("10000.00")
    assert fn.late_penalty_for("10000", "2026-06-01", "2026-06-11") == "3000.00"


def test_statement_period_follows_the_rules_in_force_when_the_case_opened():
    assert d.statement_period_days("2026-01-31") == 3
    assert d.statement_period_days("2026-02-01") == 5
    assert d.statement_period_days("2026-02-01T08:00:00+08:00") == 5


def test_case_time_limit():
    assert [d.case_time_limit_days(x) for x in (None, "负责人批准", "上级批准")] == [90, 120, 180]


# --- script functions ------------------------------------------------------------------------

def test_deadline_of_a_day_ends_at_midnight_in_china():
    assert fn.deadline_at("2026-06-30") == "2026-07-01T00:00:00+08:00"
    assert fn.deadline_at("2026-06-30T23:00:00+00:00") == "2026-07-02T00:00:00+08:00"


def test_reminders_count_working_days_and_skip_holidays():
    # 10 working days before 2026-10-16 (a Friday after National Day) is 2026-09-28 (调休 Sat 10-10 counts)
    assert fn.reminder_at("2026-10-16", 10, "2026-09-01T00:00:00+08:00") == "2026-09-28T09:00:00+08:00"
    assert fn.reminder_at("2026-10-16", 10, "2026-09-29T00:00:00+08:00") == fn.NEVER


def test_extension_must_be_applied_ten_working_days_ahead():
    # 10 working days before 2026-06-30 is 06-15: the Dragon Boat Festival (06-19) does not count
    assert fn.extension_in_time("2026-06-30", "2026-06-15T17:00:00+08:00")
    assert not fn.extension_in_time("2026-06-30", "2026-06-16T09:00:00+08:00")


def test_supplementary_report_window():
    assert fn.supplement_days("道路交通") == 7 and fn.supplement_days("火灾") == 7 and fn.supplement_days("工矿商贸") == 30
    assert fn.supplement_in_window("2026-05-01T10:00:00+08:00", "工矿商贸", "2026-05-31T10:00:00+08:00")
    assert not fn.supplement_in_window("2026-05-01T10:00:00+08:00", "道路交通", "2026-05-09T10:00:00+08:00")


def test_late_accident_report_is_flagged():
    assert not fn.reported_late("2026-05-01T10:00:00+08:00", "2026-05-01T11:00:00+08:00")
    assert fn.reported_late("2026-05-01T10:00:00+08:00", "2026-05-01T11:01:00+08:00")


def test_hearing_schedule_rules():
    ok = fn.hearing_schedule_problems("赵主持", ["张三", "李四"], "2026-06-15T09:00:00+08:00", "2026-06-03",
                                      "2026-06-16")
    assert ok == []
    bad = fn.hearing_schedule_problems("张三", ["张三", "李四"], "2026-06-20T09:00:00+08:00", "2026-06-15",
                                       "2026-06-16")
    assert len(bad) == 3 and "回避" in bad[0] and "15日内" in bad[1] and "7个工作日前" in bad[2]


def test_months_after_clamps_to_month_end():
    assert fn.months_after("2026-04-30", 10) == "2027-02-28"
    assert fn.months_after("2026-06-15T10:00:00+08:00", 12) == "2027-06-15"


def test_penalty_cases_only_for_those_proposed_an_administrative_penalty():
    seeds = fn.penalty_case_seeds(
        [{"name": "甲公司", "credit_code": "91X", "administrative_penalty": True, "responsibility": "主体责任"}],
        [{"name": "王某", "administrative_penalty": False}, {"name": "李某", "administrative_penalty": True}],
        "甲公司", "甲公司“5·12”事故", "2026-09-30T10:00:00+08:00")
    assert [(s["party_name"], s["party_type"]) for s in seeds] == [("甲公司", "单位"), ("李某", "个人")]
    # 立案 within 5 working days of the 批复: National Day is skipped, the 调休 Saturday 10-10 counts
    assert all(s["filing_due"] == "2026-10-13" for s in seeds)


def test_accountability_items_from_unfinished_measures_and_handlings():
    items = fn.accountability_items_from(
        [{"measure": "加装报警", "owner": "甲公司", "status": "已落实"},
         {"measure": "培训", "owner": "乙公司", "status": "部分落实"}],
        [{"name": "王某", "proposed_handling": "撤职", "carried_out": "未落实"}])
    assert [i["subject"] for i in items] == ["乙公司", "王某"]
