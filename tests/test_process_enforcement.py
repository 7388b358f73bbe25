"""行政处罚案件办理（一案一审、集体决策） walked through the engine API with real users and roles.

Tests named ``..._artNN`` check one legal clause each: the date the engine computes, on its boundary day.
"""
from __future__ import annotations

import datetime as dt

import pytest

from engine import Forbidden, InvalidData
from workflows.demo import CHEMICAL
from tests.process_support import (advance, day, process_world, reached_by_each_scenario, scenario_world,
                                   user_tasks)


START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
PROCESS = "enforcement_case"
REACHED: dict[tuple, set[str]] = {}   # (database kind, scenario) → user tasks it reached
COMMITTEE = ["feng_jz", "zheng_fj", "jiang_wy", "shen_wy", "han_wy"]


def world(database_url):
    yield from process_world(database_url, PROCESS, None, START)


@pytest.fixture
def w(database_url):
    yield from scenario_world(database_url, PROCESS, REACHED, START)


def main_tasks(w, c) -> list[str]:
    return [n for n in w.desk.names(c) if n not in ("办案期限审查",)]


def filed(w, party=CHEMICAL, **intake) -> int:
    c = w.desk.start(PROCESS, by="zhang_san", org="dongcheng", party=party, title="甲化工重大危险源监控案").id
    w.desk.do(c, "初步核查", **intake)
    w.desk.do(c, "立案审批")
    assert main_tasks(w, c) == ["调查取证"]
    return c


def reviewed(w, party=CHEMICAL, **proposal) -> int:
    c = filed(w, party=party)
    w.desk.do(c, "调查取证")
    w.desk.do(c, "案件处理呈批", **proposal)
    w.desk.do(c, "法制审核")
    return c


def notified(w, party=CHEMICAL, **proposal) -> int:
    c = reviewed(w, party=party, **proposal)
    w.desk.do(c, "送达行政处罚告知书")
    assert main_tasks(w, c) == ["陈述申辩或申请听证"]
    return c


def vote(w, c, *choices):
    for choice in choices:
        task = w.desk.task(c, "集体讨论表决", which=0)
        w.engine.complete(task.id, task.assignee, {"vote_choice": choice, "vote_opinion": None})


def decided(w, c):
    """From 负责人审批 to payment of the fine."""
    w.desk.do(c, "负责人审批")
    w.desk.do(c, "送达行政处罚决定书")
    assert main_tasks(w, c) == ["缴纳罚款"]


def test_case_filed_reviewed_decided_paid_and_closed(w):
    e, desk = w.engine, w.desk
    c = desk.start(PROCESS, by="zhang_san", org="dongcheng", party=CHEMICAL).id
    intake = desk.task(c, "初步核查")
    assert intake.role_code == "inspector"
    assert intake.due_at == dt.datetime.fromisoformat("2026-05-19T00:00:00+08:00")   # 5 working days
    desk.do(c, "初步核查")
    assert desk.task(c, "立案审批").role_code == "director"      # 行政机关负责人
    desk.do(c, "立案审批")
    data = e.case(c).data
    assert data["case_due"] == day(w, 90) and data["statement_days"] == 5
    assert any(t.element_id == "case_limit_warning" for t in e.case(c).timers)
    desk.do(c, "调查取证")
    desk.do(c, "案件处理呈批")
    data = e.case(c).data
    assert (data["hearing_eligible"], data["collective_required"]) == (False, False)
    review = desk.task(c, "法制审核")
    assert review.role_code == "legal_reviewer"
    desk.do(c, "法制审核")
    desk.do(c, "送达行政处罚告知书")
    statement = desk.task(c, "陈述申辩或申请听证")
    assert statement.role_code == "enterprise" and statement.party == CHEMICAL
    assert statement.due_at == dt.datetime.fromisoformat("2026-05-19T00:00:00+08:00")
    with pytest.raises(Forbidden):
        e.complete(statement.id, "yi_qy", {"party_response": "放弃"})
    desk.do(c, "陈述申辩或申请听证", user="jia_qy")
    assert desk.task(c, "负责人审批").role_code == "director"
    decided(w, c)
    pay = desk.task(c, "缴纳罚款")
    assert pay.due_at == dt.datetime.fromisoformat(f"{day(w, 16)}T00:00:00+08:00")
    desk.do(c, "缴纳罚款", user="jia_qy")
    close = desk.task(c, "结案审批")
    assert close.role_code == "supervisor"
    desk.do(c, "结案审批")
    view = e.case(c)
    assert view.status == "completed" and view.tasks == [] and view.timers == []
    assert view.escalation_level == 0


def test_case_not_filed_ends_without_a_case_clock(w):
    c = w.desk.start(PROCESS, by="zhang_san", org="dongcheng", party=CHEMICAL).id
    w.desk.do(c, "初步核查", intake_proposal="建议不予立案", intake_opinion="不属于本部门管辖")
    w.desk.do(c, "立案审批", filing_decision="不予立案", officers=None, case_cause=None, filing_opinion="移送有管辖权机关")
    view = w.engine.case(c)
    assert view.status == "completed" and "case_due" not in view.data


def test_preliminary_check_extended_once_and_escalated_when_late(w):
    c = w.desk.start(PROCESS, by="zhang_san", org="dongcheng", party=CHEMICAL).id
    w.desk.do(c, "初步核查", intake_proposal="申请延长核查期限", intake_opinion="需调取监控")
    assert w.desk.task(c, "审批延长核查期限").role_code == "supervisor"
    w.desk.do(c, "审批延长核查期限")
    assert w.engine.case(c).data["precheck_due"] == "2026-05-25"      # 5 more working days
    w.desk.do(c, "初步核查", intake_proposal="申请延长核查期限", intake_opinion="还需时间")
    w.desk.do(c, "审批延长核查期限")
    assert w.engine.case(c).data["precheck_due"] == "2026-05-25"      # only once
    advance(w, days=15)
    assert w.desk.names(c) == ["初查超期督办"]
    assert w.desk.task(c, "初查超期督办").role_code == "supervisor"
    assert w.engine.case(c).escalation_level == 1
    w.desk.do(c, "初查超期督办")
    assert w.desk.names(c) == ["初步核查"]


def test_legal_review_returns_the_proposal(w):
    c = filed(w)
    w.desk.do(c, "调查取证")
    w.desk.do(c, "案件处理呈批")
    w.desk.do(c, "法制审核", legal_review_decision="退回", legal_review_opinion="裁量基准适用错误",
              legal_review_points=["裁量基准运用不适当"])
    assert main_tasks(w, c) == ["案件处理呈批"]
    assert w.engine.case(c).data["legal_review_opinion"] == "裁量基准适用错误"


def test_hearing_requested_scheduled_held_and_collective_decision_passed(w):
    e, desk = w.engine, w.desk
    c = notified(w, fine_amount="150000")
    assert e.case(c).data["hearing_eligible"] is True
    desk.do(c, "陈述申辩或申请听证", user="jia_qy", party_response="申请听证")
    schedule = desk.task(c, "指定主持人并通知听证")
    assert schedule.role_code == "supervisor"
    late = f"{day(w, 20)}T09:00:00+08:00"
    with pytest.raises(InvalidData) as refused:  # the picker offers 听证主持人 only; an investigator is refused
        desk.do(c, "指定主持人并通知听证", hearing_host="zhang_san", hearing_at=late)
    assert "听证主持人" in refused.value.errors["hearing_host"] and "张三" in refused.value.errors["hearing_host"]
    e.directory.set_roles("zhang_san", ["inspector", "hearing_officer"])  # one who holds both roles
    desk.do(c, "指定主持人并通知听证", hearing_host="zhang_san", hearing_at=late)
    e.directory.set_roles("zhang_san", ["inspector"])
    problems = e.case(c).data["hearing_problems"]
    assert len(problems) == 2 and "回避" in problems[0] and "15日内" in problems[1]
    assert main_tasks(w, c) == ["指定主持人并通知听证"]
    desk.do(c, "指定主持人并通知听证")
    assert main_tasks(w, c) == []                       # waiting for the hearing day
    advance(w, days=12)
    hold = desk.task(c, "举行听证并制作听证报告")
    assert hold.role_code == "hearing_officer"
    desk.do(c, "举行听证并制作听证报告")
    assert desk.task(c, "组织集体讨论").role_code == "supervisor"
    desk.do(c, "组织集体讨论")
    ballots = [t for t in e.case(c).tasks if t.name == "集体讨论表决"]
    assert sorted(t.assignee for t in ballots) == sorted(COMMITTEE[:4])
    assert {t.role_code for t in ballots} == {"committee"}
    vote(w, c, "同意", "同意", "不同意", "同意")
    result = e.case(c).data["vote_result"]
    assert result["quorum_met"] and result["passed"] and (result["agree"], result["disagree"]) == (3, 1)
    desk.do(c, "形成集体讨论记录")
    assert main_tasks(w, c) == ["送达行政处罚决定书"]
    assert len(e.case(c).data["votes"]) == 4


def test_hearing_request_below_the_threshold_gets_a_reasoned_notice_and_the_statement_is_heard_art45_62_64(w):
    c = notified(w, fine_amount="50000")
    w.desk.do(c, "陈述申辩或申请听证", user="jia_qy", party_response="申请听证", statement_text="罚款过高，请求减轻")
    refusal = w.desk.task(c, "书面告知不予听证理由")
    assert refusal.role_code == "inspector"
    w.desk.do(c, "书面告知不予听证理由")
    assert "听证标准" in w.engine.case(c).data["hearing_refusal_reason"]
    assert main_tasks(w, c) == ["复核陈述申辩意见"]          # the statement is still heard
    w.desk.do(c, "复核陈述申辩意见")
    assert main_tasks(w, c) == ["负责人审批"]


def test_hearing_request_below_the_threshold_without_statement_goes_on_after_the_notice_art64(w):
    c = notified(w, fine_amount="50000")
    w.desk.do(c, "陈述申辩或申请听证", user="jia_qy", party_response="申请听证")
    w.desk.do(c, "书面告知不予听证理由")
    assert main_tasks(w, c) == ["负责人审批"]


def test_vote_without_quorum_is_reconvened_and_a_rejected_proposal_goes_back(w):
    e, desk = w.engine, w.desk
    c = notified(w, complex_case=True)
    assert e.case(c).data["collective_required"] is True and e.case(c).data["hearing_eligible"] is False
    desk.do(c, "陈述申辩或申请听证", user="jia_qy")
    desk.do(c, "组织集体讨论", attendees=COMMITTEE[:3])
    vote(w, c, "同意", "同意", "同意")
    assert e.case(c).data["vote_result"]["outcome"] == "不足法定人数"
    assert main_tasks(w, c) == ["组织集体讨论"]
    desk.do(c, "组织集体讨论")
    assert e.case(c).data["votes"] == []
    vote(w, c, "同意", "不同意", "弃权", "不同意")
    assert e.case(c).data["vote_result"]["outcome"] == "未通过"
    assert main_tasks(w, c) == ["案件处理呈批"]


def test_committee_member_cannot_cast_another_members_vote(w):
    c = notified(w, complex_case=True)
    w.desk.do(c, "陈述申辩或申请听证", user="jia_qy")
    w.desk.do(c, "组织集体讨论")
    ballot = w.desk.task(c, "集体讨论表决", which=0)
    other = next(m for m in COMMITTEE if m != ballot.assignee)
    with pytest.raises(Exception):
        w.engine.complete(ballot.id, other, {"vote_choice": "同意"})


def test_statement_reviewed_and_penalty_reconsidered(w):
    c = notified(w)
    w.desk.do(c, "陈述申辩或申请听证", user="jia_qy", party_response="陈述申辩", statement_text="已整改，请求从轻")
    assert w.desk.task(c, "复核陈述申辩意见").role_code == "inspector"
    w.desk.do(c, "复核陈述申辩意见", statement_adopted="采纳", penalty_changed=True)
    assert main_tasks(w, c) == ["案件处理呈批"]
    w.desk.do(c, "案件处理呈批", fine_amount="30000")
    w.desk.do(c, "法制审核")
    w.desk.do(c, "送达行政处罚告知书")
    w.desk.do(c, "陈述申辩或申请听证", user="jia_qy", party_response="陈述申辩", statement_text="仍有异议")
    w.desk.do(c, "复核陈述申辩意见")
    assert main_tasks(w, c) == ["负责人审批"]


def test_silent_party_waives_the_statement_when_the_period_ends(w):
    c = notified(w)
    advance(w, days=8)                                  # 5 working days after 05-11 is 05-18
    assert main_tasks(w, c) == ["负责人审批"]
    assert w.engine.case(c).data["party_response"] == "放弃"


def test_lapsed_statement_period_does_not_raise_the_escalation_level(w):
    c = notified(w)
    advance(w, days=8)
    assert w.engine.case(c).escalation_level == 0


def unpaid_and_urged(w):
    """A fine decided and served on 2026-05-11, unpaid; the 催告 served on 2026-05-27."""
    c = notified(w)
    w.desk.do(c, "陈述申辩或申请听证", user="jia_qy")
    decided(w, c)
    advance(w, days=16)
    w.desk.do(c, "催告当事人履行")
    return c


def test_unpaid_fine_late_penalty_capped_and_court_application(w):
    e, desk = w.engine, w.desk
    c = notified(w)
    desk.do(c, "陈述申辩或申请听证", user="jia_qy")
    decided(w, c)
    advance(w, days=16)
    assert main_tasks(w, c) == ["催告当事人履行"]
    assert e.case(c).data["late_penalty"] == "1500.00"   # one day late: 3% of 50000
    assert e.case(c).escalation_level == 1
    advance(w, days=25)
    desk.do(c, "催告当事人履行")
    pay = desk.task(c, "缴纳罚款及加处罚款")
    assert pay.role_code == "enterprise"
    advance(w, days=200)
    assert e.case(c).data["late_penalty"] == "50000.00"   # capped at the fine
    court = desk.task(c, "申请人民法院强制执行")
    assert court.role_code == "director"
    desk.do(c, "申请人民法院强制执行")
    desk.do(c, "结案审批")
    assert e.case(c).status == "completed"


def test_court_application_3_months_after_review_and_suit_periods_art53(w):
    """Served 2026-05-11: 复议 ends 07-10, 诉讼 (6 months) ends 11-11; the court may be applied to from
    11-12 and must be by 2027-02-11 — not three months after the 催告."""
    e, desk = w.engine, w.desk
    c = unpaid_and_urged(w)
    data = e.case(c).data
    assert (data["court_window"]["review_period_end"], data["court_window"]["suit_period_end"]) == (
        "2026-07-10", "2026-11-11")
    assert (data["court_opens_on"], data["court_due"]) == ("2026-11-12", "2027-02-11")
    w.clock.set(dt.datetime(2026, 11, 11, 15, 59, tzinfo=dt.timezone.utc))      # 11-11 23:59 in China
    e.run_due_timers()
    assert main_tasks(w, c) == ["缴纳罚款及加处罚款"]     # the suit period has not ended: no application yet
    w.clock.set(dt.datetime(2026, 11, 11, 16, 0, tzinfo=dt.timezone.utc))       # 11-12 00:00
    e.run_due_timers()
    court = desk.task(c, "申请人民法院强制执行")
    assert court.due_at == dt.datetime.fromisoformat("2027-02-12T00:00:00+08:00")


def test_urge_period_is_10_working_days_art69(w):
    """催告 served Wed 2026-05-27: 10 working days end Wed 06-10 (10 calendar days would end Sat
    06-06); the party may still pay on 06-10 and the 催告 lapses when 06-10 ends."""
    e, desk = w.engine, w.desk
    c = unpaid_and_urged(w)
    assert e.case(c).data["urged_on"] == "2026-05-27"
    assert e.case(c).data["urge_due"] == "2026-06-10"
    pay = desk.task(c, "缴纳罚款及加处罚款")
    assert pay.due_at == dt.datetime.fromisoformat("2026-06-11T00:00:00+08:00")
    w.clock.set(dt.datetime(2026, 6, 10, 15, 59, tzinfo=dt.timezone.utc))
    e.run_due_timers()
    lapsed = lambda: [ev for ev in e.case(c).history if ev["action"] == "reminded"             # noqa: E731
                      and ev["detail"]["timer"] == "urge_expired"]
    assert lapsed() == []
    w.clock.set(dt.datetime(2026, 6, 10, 16, 0, tzinfo=dt.timezone.utc))
    e.run_due_timers()
    assert len(lapsed()) == 1
    assert main_tasks(w, c) == ["缴纳罚款及加处罚款"]     # paying stays possible until the court is applied to


def test_fine_paid_after_the_reminder(w):
    c = notified(w)
    w.desk.do(c, "陈述申辩或申请听证", user="jia_qy")
    decided(w, c)
    advance(w, days=16)
    w.desk.do(c, "催告当事人履行")
    w.desk.do(c, "缴纳罚款及加处罚款", user="jia_qy", paid_amount="51500")
    assert main_tasks(w, c) == ["结案审批"]


def test_court_application_reminder_before_three_months(w):
    c = unpaid_and_urged(w)
    w.clock.set(dt.datetime(2026, 11, 12, 1, 0, tzinfo=dt.timezone.utc))
    w.engine.run_due_timers()
    w.clock.set(dt.datetime(2027, 2, 10, 1, 0, tzinfo=dt.timezone.utc))
    w.engine.run_due_timers()
    reminded = [ev["detail"]["timer"] for ev in w.engine.case(c).history if ev["action"] == "reminded"]
    assert "court_reminder" in reminded


def test_suspected_crime_transferred_within_24_hours_or_escalated(w):
    e, desk = w.engine, w.desk
    c = reviewed(w, proposed_outcome="移送司法", penalty_types=None, fine_amount=None)
    decide = desk.task(c, "审批移送司法")
    assert decide.role_code == "director"
    assert decide.due_at == dt.datetime.fromisoformat(f"{day(w, 4)}T00:00:00+08:00")
    desk.do(c, "审批移送司法")
    transfer = desk.task(c, "移送司法机关")
    assert transfer.due_at == START + dt.timedelta(hours=24)
    advance(w, hours=25)
    assert main_tasks(w, c) == ["移送超时督办"]
    assert e.case(c).escalation_level == 1
    desk.do(c, "移送超时督办")
    desk.do(c, "结案审批")
    assert e.case(c).status == "completed"


def test_transfer_not_approved_goes_back_and_late_decision_is_reminded(w):
    c = reviewed(w, proposed_outcome="移送司法", penalty_types=None, fine_amount=None)
    advance(w, days=4)
    reminded = [ev["detail"]["timer"] for ev in w.engine.case(c).history if ev["action"] == "reminded"]
    assert "transfer_decision_late" in reminded
    w.desk.do(c, "审批移送司法", transfer_decision="不批准", transfer_opinion="证据不足")
    assert main_tasks(w, c) == ["案件处理呈批"]
    w.desk.do(c, "案件处理呈批", proposed_outcome="移送司法", penalty_types=None, fine_amount=None)
    w.desk.do(c, "法制审核")
    w.desk.do(c, "审批移送司法")
    w.desk.do(c, "移送司法机关")
    assert main_tasks(w, c) == ["结案审批"]


def test_no_penalty_decision(w):
    c = reviewed(w, proposed_outcome="不予处罚", penalty_types=None, fine_amount=None, discretion_level="不予处罚")
    w.desk.do(c, "负责人审批")
    assert w.desk.task(c, "送达不予行政处罚决定书").role_code == "inspector"
    w.desk.do(c, "送达不予行政处罚决定书")
    w.desk.do(c, "结案审批")
    assert w.engine.case(c).status == "completed"


def test_head_returns_the_proposal(w):
    c = notified(w)
    w.desk.do(c, "陈述申辩或申请听证", user="jia_qy")
    w.desk.do(c, "负责人审批", head_decision="退回", head_opinion="罚款数额偏高")
    assert main_tasks(w, c) == ["案件处理呈批"]


def test_evidence_preservation_needs_the_heads_approval_art56(w):
    c = filed(w)
    w.desk.do(c, "调查取证", preservation=True, preservation_items="无证储存的液化气钢瓶5只")
    approve = w.desk.task(c, "审批先行登记保存")
    assert approve.role_code == "director"
    w.desk.do(c, "审批先行登记保存", preservation_approval_decision="不批准",
              preservation_approval_opinion="证据无灭失可能，可依法调取")
    assert main_tasks(w, c) == ["案件处理呈批"]
    assert "preservation_due" not in w.engine.case(c).data


def test_evidence_preservation_decided_within_seven_working_days_or_escalated(w):
    c = filed(w)
    w.desk.do(c, "调查取证", preservation=True, preservation_items="无证储存的液化气钢瓶5只")
    w.desk.do(c, "审批先行登记保存")
    decide = w.desk.task(c, "先行登记保存处理决定")
    assert decide.due_at == dt.datetime.fromisoformat("2026-05-21T00:00:00+08:00")  # 7 working days from 05-11
    advance(w, days=10)
    assert main_tasks(w, c) == ["保存物品处理超期督办"]
    assert w.engine.case(c).escalation_level == 1
    w.desk.do(c, "保存物品处理超期督办")
    assert main_tasks(w, c) == ["案件处理呈批"]


def test_evidence_preservation_decided_in_time(w):
    c = filed(w)
    w.desk.do(c, "调查取证", preservation=True, preservation_items="钢瓶5只")
    w.desk.do(c, "审批先行登记保存")
    w.desk.do(c, "先行登记保存处理决定")
    assert main_tasks(w, c) == ["案件处理呈批"]


def test_decision_not_served_within_seven_working_days_escalates(w):
    c = notified(w)
    w.desk.do(c, "陈述申辩或申请听证", user="jia_qy")
    w.desk.do(c, "负责人审批")
    advance(w, days=10)
    assert main_tasks(w, c) == ["决定书送达超期督办"]
    assert w.desk.task(c, "决定书送达超期督办").role_code == "supervisor"
    w.desk.do(c, "决定书送达超期督办")
    assert main_tasks(w, c) == ["缴纳罚款"]


def test_case_not_closed_within_ten_working_days_escalates_to_the_director(w):
    c = notified(w)
    w.desk.do(c, "陈述申辩或申请听证", user="jia_qy")
    decided(w, c)
    w.desk.do(c, "缴纳罚款", user="jia_qy")
    advance(w, days=15)
    assert main_tasks(w, c) == ["结案超期督办"]
    w.desk.do(c, "结案超期督办")
    assert w.engine.case(c).status == "completed"


def test_case_time_limit_extended_by_the_head_then_overdue_is_explained(w):
    e, desk = w.engine, w.desk
    c = filed(w)
    advance(w, days=80)
    review = desk.task(c, "办案期限审查")
    assert review.role_code == "inspector"
    desk.do(c, "办案期限审查", case_extension_request="申请延长至120日")
    assert desk.task(c, "审批延长办案期限").role_code == "director"
    desk.do(c, "审批延长办案期限")
    assert e.case(c).data["case_due"] == "2026-09-08"        # 120 days from 立案 on 05-11
    advance(w, days=41)
    desk.do(c, "办案期限审查", case_extension_request="无需延长", suspensions=[])
    assert desk.task(c, "办案超期情况说明").role_code == "inspector"
    desk.do(c, "办案超期情况说明")
    assert main_tasks(w, c) == ["调查取证"]
    assert e.case(c).escalation_level == 0


def test_hearing_and_appraisal_periods_given_as_dates_extend_the_case_limit_art60(w):
    c = filed(w)
    advance(w, days=80)
    w.desk.do(c, "办案期限审查", suspension_note="听证、鉴定", suspensions=[
        {"kind": "听证", "started_on": "2026-06-01", "ended_on": "2026-06-12", "note": None},
        {"kind": "检测检验鉴定", "started_on": "2026-06-10", "ended_on": "2026-06-17", "note": None}])
    assert w.engine.case(c).data["case_due"] == "2026-08-25"      # 05-11 + 90 + 16 days (06-02..06-17, 民法典第二百零一条)
    advance(w, days=31)
    assert "办案期限审查" in w.desk.names(c)


def test_case_time_limit_stops_at_the_penalty_decision_art60(w):
    """Decided within 90 days of 立案 (05-11 → 08-09): the case stays on time while it waits for
    the court, and the clock's review task never opens."""
    e, desk = w.engine, w.desk
    c = unpaid_and_urged(w)
    assert e.case(c).data["decided_at"].startswith("2026-05-11")
    w.clock.set(dt.datetime(2026, 8, 10, 1, 0, tzinfo=dt.timezone.utc))
    e.run_due_timers()
    data = e.case(c).data
    assert "case_overdue" not in data and "办案期限审查" not in desk.names(c)
    assert not any(t.element_id in ("case_limit_warning", "case_limit_reached") for t in e.case(c).timers)
    assert e.case(c).escalation_level == 1                          # only the unpaid fine escalated


def test_case_filed_before_2026_02_01_keeps_the_old_30_day_limit_and_3_day_statement(database_url):
    from tests.process_support import process_world
    gen = process_world(database_url, PROCESS, None, dt.datetime(2026, 1, 26, 1, 0, tzinfo=dt.timezone.utc))
    w = next(gen)
    try:
        c = filed(w)                                                # 立案 Mon 2026-01-26
        data = w.engine.case(c).data
        assert data["case_due"] == "2026-02-25" and data["statement_days"] == 3
        assert data["hearing_days"] == 5                          # 行政处罚法 §64 over the old 3 days
        w.desk.do(c, "调查取证")
        w.desk.do(c, "案件处理呈批")
        w.desk.do(c, "法制审核")
        w.desk.do(c, "送达行政处罚告知书")                          # served 2026-01-26
        data = w.engine.case(c).data
        assert (data["statement_due"], data["hearing_request_due"]) == ("2026-01-29", "2026-02-02")
        w.clock.set(dt.datetime(2026, 2, 2, 15, 59, tzinfo=dt.timezone.utc))
        w.engine.run_due_timers()
        assert main_tasks(w, c) == ["陈述申辩或申请听证"]          # a hearing may still be requested on 02-02
        w.clock.set(dt.datetime(2026, 2, 2, 16, 0, tzinfo=dt.timezone.utc))
        w.engine.run_due_timers()
        assert w.engine.case(c).data["party_response"] == "放弃"
    finally:
        gen.close()


@pytest.mark.parametrize("served_after, late", [(0, False), (1, True)])
def test_statement_after_the_old_3_day_period_is_still_heard_and_marked_late_art45(database_url, served_after, late):
    """A case filed before 2026-02-01 gives 3 working days for 陈述申辩 (old 办法) but 5 to request a hearing
    (行政处罚法第六十四条), so the party's task stays open to 02-02. A statement on 01-29 (the 3rd working day)
    is in time; one on 01-30 is after the period but before any decision: it is heard and reviewed
    (第四十五条: the bureau must hear the party; 第六十二条) and recorded as late."""
    from tests.process_support import process_world
    gen = process_world(database_url, PROCESS, None, dt.datetime(2026, 1, 26, 1, 0, tzinfo=dt.timezone.utc))
    w = next(gen)
    try:
        c = notified(w)                                             # served Mon 2026-01-26
        assert w.engine.case(c).data["statement_due"] == "2026-01-29"
        w.clock.set(dt.datetime(2026, 1, 29 + served_after, 8, 0, tzinfo=dt.timezone.utc))   # 16:00 in Shanghai
        w.engine.run_due_timers()
        w.desk.do(c, "陈述申辩或申请听证", user="jia_qy", party_response="陈述申辩", statement_text="违法事实已改正")
        assert main_tasks(w, c) == ["复核陈述申辩意见"]
        assert w.engine.case(c).data["statement_late"] is late
    finally:
        gen.close()


def test_filing_decided_by_the_head_within_5_working_days_or_explained(w):
    """立案 within 5 working days of the 线索 (Mon 05-11 → Mon 05-18); late → the officer explains."""
    c = w.desk.start(PROCESS, by="zhang_san", org="dongcheng", party=CHEMICAL).id
    w.desk.do(c, "初步核查")
    filing = w.desk.task(c, "立案审批")
    assert filing.role_code == "director"
    assert filing.due_at == dt.datetime.fromisoformat("2026-05-19T00:00:00+08:00")
    w.clock.set(dt.datetime(2026, 5, 18, 15, 59, tzinfo=dt.timezone.utc))
    w.engine.run_due_timers()
    assert main_tasks(w, c) == ["立案审批"]
    w.clock.set(dt.datetime(2026, 5, 18, 16, 0, tzinfo=dt.timezone.utc))
    w.engine.run_due_timers()
    assert main_tasks(w, c) == ["立案超期情况说明"]
    assert w.engine.case(c).escalation_level == 1
    w.desk.do(c, "立案超期情况说明")
    assert main_tasks(w, c) == ["立案审批"]
    w.desk.do(c, "立案审批")
    assert main_tasks(w, c) == ["调查取证"]


def test_collective_discussion_only_by_the_bureaus_heads_art57(w):
    from engine import InvalidData
    c = notified(w, complex_case=True)
    w.desk.do(c, "陈述申辩或申请听证", user="jia_qy")
    with pytest.raises(InvalidData) as refused:
        w.desk.do(c, "组织集体讨论", committee_members=["feng_jz", "zheng_fj", "zhang_san", "chen_fz"],
                  attendees=["feng_jz", "zheng_fj", "zhang_san"])
    assert "本机关负责人" in str(refused.value) and "张三" in str(refused.value) and "陈法制" in str(refused.value)
    assert main_tasks(w, c) == ["组织集体讨论"]                    # nothing lost
    w.desk.do(c, "组织集体讨论")
    assert len([t for t in w.engine.case(c).tasks if t.name == "集体讨论表决"]) == 4


def test_transfer_to_judicial_organs_goes_through_the_collective_discussion_where_required_art57(w):
    c = reviewed(w, proposed_outcome="移送司法", penalty_types=None, fine_amount=None, complex_case=True)
    assert main_tasks(w, c) == ["组织集体讨论"]
    w.desk.do(c, "组织集体讨论")
    vote(w, c, "同意", "同意", "同意", "同意")
    w.desk.do(c, "形成集体讨论记录")
    assert main_tasks(w, c) == ["审批移送司法"]


def test_hearing_within_15_days_of_the_request_and_noticed_7_working_days_ahead_art64(w):
    """行政处罚法第六十四条（二）and 第八十五条: the party is told 7 working days before the hearing; the
    hearing within 15 days of the request (05-11 → 05-26). A hearing on 05-27, or a notice served after
    05-15 (the 7th working day before 05-26), is sent back to be rescheduled; the notice is refused on
    the form itself since tests/test_hearing_notice_s22.py."""
    c = notified(w, fine_amount="150000")
    w.desk.do(c, "陈述申辩或申请听证", user="jia_qy", party_response="申请听证")
    w.desk.do(c, "指定主持人并通知听证", hearing_at="2026-05-27T09:00:00+08:00", hearing_notice_served_on="2026-05-15")
    problems = w.engine.case(c).data["hearing_problems"]
    assert len(problems) == 1 and "15日内" in problems[0] and "2026-05-26" in problems[0]
    with pytest.raises(InvalidData) as refused:
        w.desk.do(c, "指定主持人并通知听证", hearing_at="2026-05-26T09:00:00+08:00",
                  hearing_notice_served_on="2026-05-18")
    assert "（不早于2026年5月27日）" in refused.value.errors["hearing_at"]
    assert main_tasks(w, c) == ["指定主持人并通知听证"]
    w.desk.do(c, "指定主持人并通知听证", hearing_at="2026-05-26T09:00:00+08:00", hearing_notice_served_on="2026-05-15")
    assert w.engine.case(c).data["hearing_problems"] == [] and main_tasks(w, c) == []
    w.clock.set(dt.datetime.fromisoformat("2026-05-26T08:59:00+08:00"))
    w.engine.run_due_timers()
    assert main_tasks(w, c) == []
    w.clock.set(dt.datetime.fromisoformat("2026-05-26T09:00:00+08:00"))
    w.engine.run_due_timers()
    assert main_tasks(w, c) == ["举行听证并制作听证报告"]


def test_transfer_decided_in_3_days_and_made_within_24_hours_art5_decree310(w):
    """行政执法机关移送涉嫌犯罪案件的规定（国务院令第310号）第五条: the head decides within 3 days of the
    report (05-11 → 05-14, the reminder at 05-15 00:00); once approved, the transfer within 24 hours."""
    c = reviewed(w, proposed_outcome="移送司法", penalty_types=None, fine_amount=None)
    assert w.engine.case(c).data["transfer_decision_due"] == "2026-05-14"
    w.desk.do(c, "审批移送司法")
    transfer = w.desk.task(c, "移送司法机关")
    assert transfer.due_at == START + dt.timedelta(hours=24)
    advance(w, hours=23, minutes=59)
    assert main_tasks(w, c) == ["移送司法机关"] and w.engine.case(c).escalation_level == 0
    advance(w, minutes=1)
    assert main_tasks(w, c) == ["移送超时督办"] and w.engine.case(c).escalation_level == 1


def test_every_user_task_of_the_model_is_reached_by_a_test(request, database_url):
    """Stands on its own: any scenario above not yet run on this kind of database is run first, each on a
    fresh database (alone, after a subset, in any order; tests/process_support.py)."""
    assert user_tasks(PROCESS) - reached_by_each_scenario(request, REACHED, world, PROCESS) == set()
