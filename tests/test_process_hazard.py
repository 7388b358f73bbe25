"""重大事故隐患挂牌督办 walked through the engine API with real users and roles (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import Forbidden
from workflows.demo import CHEMICAL, MACHINERY
from tests.process_support import (advance, day, process_world, reached_by_each_scenario, scenario_world,
                                   user_tasks)


START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
PROCESS = "hazard_supervision"
REACHED: dict[tuple, set[str]] = {}   # (database kind, scenario) → user tasks it reached
TO_RECTIFICATION = ["登记隐患", "提出挂牌督办建议", "审核挂牌建议", "批准挂牌督办", "下达挂牌督办通知书并公开",
                    "提交整改方案（双报告）", "审查整改方案"]


def world(database_url):
    yield from process_world(database_url, PROCESS, None, START)


@pytest.fixture
def w(database_url):
    yield from scenario_world(database_url, PROCESS, REACHED, START)


def listed_case(w, party=CHEMICAL, **propose) -> int:
    c = w.desk.start(PROCESS, by="zhang_san", org="dongcheng", party=party, title="甲化工二号罐区重大隐患").id
    for step in TO_RECTIFICATION:
        w.desk.do(c, step, **(propose if step == "提出挂牌督办建议" else {}))
    assert w.desk.names(c) == ["实施整改"]
    return c


def test_major_hazard_is_listed_rectified_assessed_and_delisted(w):
    e, desk = w.engine, w.desk
    c = desk.start(PROCESS, by="zhang_san", org="dongcheng", party=CHEMICAL).id
    register = desk.task(c, "登记隐患")
    assert register.role_code == "inspector" and register.form_key == "hazard.register"
    desk.do(c, "登记隐患")
    data = e.case(c).data
    assert data["hazard_grade"] == "重大" and "化工" in data["grade_basis"]
    desk.do(c, "提出挂牌督办建议")
    assert e.case(c).data["listing_level"] == "县（区）级挂牌督办"
    assert desk.task(c, "审核挂牌建议").role_code == "supervisor"
    desk.do(c, "审核挂牌建议")
    assert desk.task(c, "批准挂牌督办").role_code == "leader"
    desk.do(c, "批准挂牌督办")
    assert e.case(c).data["plan_due"] == day(w, 15)
    desk.do(c, "下达挂牌督办通知书并公开")
    plan = desk.task(c, "提交整改方案（双报告）")
    assert plan.role_code == "enterprise" and plan.party == CHEMICAL
    assert [t.id for t in e.queue("jia_qy")] == [plan.id]
    assert e.queue("yi_qy") == []                     # another enterprise sees nothing
    with pytest.raises(Forbidden):
        e.complete(plan.id, "yi_qy", {})
    desk.do(c, "提交整改方案（双报告）", user="jia_qy")
    desk.do(c, "审查整改方案")
    rectify = desk.task(c, "实施整改")
    assert rectify.due_at == dt.datetime.fromisoformat(f"{day(w, 91)}T00:00:00+08:00")
    desk.do(c, "实施整改")                              # 整改完成, 委托第三方评估
    assert desk.task(c, "第三方评估整改效果").role_code == "assessor"
    desk.do(c, "第三方评估整改效果")
    desk.do(c, "提交销号申请")
    review = desk.task(c, "现场复查")
    assert review.due_at == dt.datetime.fromisoformat(f"{day(w, 11)}T00:00:00+08:00")
    desk.do(c, "现场复查")
    resume = desk.task(c, "审查同意恢复生产经营")        # listed with 停产: production resumes only now
    assert resume.role_code == "director"
    desk.do(c, "审查同意恢复生产经营")
    desk.do(c, "审批销号")
    desk.do(c, "公告摘牌")
    view = e.case(c)
    assert view.status == "completed" and view.escalation_level == 0 and view.tasks == []
    assert view.data["delisted_at"]


def test_general_hazard_is_fixed_at_once_and_confirmed(w):
    c = w.desk.start(PROCESS, by="zhang_san", org="dongcheng", party=MACHINERY).id
    w.desk.do(c, "登记隐患", sector="工贸", major_criterion=None, requires_shutdown=False, long_rectification=False,
              description="配电箱防护门破损", fix_deadline=day(w, 3))
    assert w.engine.case(c).data["hazard_grade"] == "一般"
    fix = w.desk.task(c, "立即整改一般隐患")
    assert fix.role_code == "enterprise" and fix.party == MACHINERY
    w.desk.do(c, "立即整改一般隐患", user="yi_qy")
    w.desk.do(c, "复核整改结果", fix_passed=False, fix_opinion="防护门未加锁", fix_deadline=day(w, 2))
    assert w.desk.names(c) == ["立即整改一般隐患"]          # returned for another fix
    w.desk.do(c, "立即整改一般隐患", user="yi_qy")
    w.desk.do(c, "复核整改结果")
    view = w.engine.case(c)
    assert view.status == "completed" and "listed_at" not in view.data


def test_overdue_general_hazard_is_upgraded_to_a_listing(w):
    c = w.desk.start(PROCESS, by="zhang_san", org="dongcheng", party=MACHINERY).id
    w.desk.do(c, "登记隐患", sector="工贸", major_criterion=None, requires_shutdown=False, long_rectification=False,
              fix_deadline=day(w, 3))
    assert advance(w, days=3) == 0
    advance(w, days=1)
    view = w.engine.case(c)
    assert view.escalation_level == 1 and w.desk.names(c) == ["一般隐患逾期督促"]
    assert w.desk.task(c, "一般隐患逾期督促").role_code == "supervisor"
    w.desk.do(c, "一般隐患逾期督促", fix_overdue_decision="继续限期整改", fix_deadline=day(w, 2))
    assert w.desk.names(c) == ["立即整改一般隐患"]
    advance(w, days=3)
    assert w.engine.case(c).escalation_level == 2
    w.desk.do(c, "一般隐患逾期督促", fix_overdue_decision="升级挂牌督办", fix_deadline=None)
    assert w.desk.names(c) == ["提出挂牌督办建议"]
    assert w.engine.case(c).data["hazard_grade"] == "重大"


def test_listing_and_plan_go_back_for_revision(w):
    c = w.desk.start(PROCESS, by="zhang_san", org="dongcheng", party=CHEMICAL).id
    w.desk.do(c, "登记隐患")
    w.desk.do(c, "提出挂牌督办建议")
    w.desk.do(c, "审核挂牌建议", listing_review_decision="退回", listing_review_opinion="督办期限过长")
    w.desk.do(c, "提出挂牌督办建议", rectify_deadline=day(w, 60))
    w.desk.do(c, "审核挂牌建议")
    w.desk.do(c, "批准挂牌督办", listing_approval_decision="退回", listing_approval_opinion="责任单位不明确")
    w.desk.do(c, "提出挂牌督办建议", rectify_deadline=day(w, 60))
    w.desk.do(c, "审核挂牌建议")
    w.desk.do(c, "批准挂牌督办", listing_deadline=day(w, 75))
    assert w.engine.case(c).data["rectify_deadline"] == day(w, 75)
    w.desk.do(c, "下达挂牌督办通知书并公开")
    w.desk.do(c, "提交整改方案（双报告）")
    w.desk.do(c, "审查整改方案", plan_review_decision="退回", plan_review_opinion="缺少应急预案")
    assert w.desk.names(c) == ["提交整改方案（双报告）"]
    w.desk.do(c, "提交整改方案（双报告）")
    w.desk.do(c, "审查整改方案")
    assert w.desk.names(c) == ["实施整改"]


def test_late_plan_is_recorded_without_escalating(w):
    c = w.desk.start(PROCESS, by="zhang_san", org="dongcheng", party=CHEMICAL).id
    for step in TO_RECTIFICATION[:5]:
        w.desk.do(c, step)
    advance(w, days=16)
    view = w.engine.case(c)
    assert view.escalation_level == 0 and w.desk.names(c) == ["提交整改方案（双报告）"]
    assert any(ev["action"] == "reminded" for ev in view.history)


def test_extension_granted_moves_the_deadline(w):
    c = listed_case(w)
    w.desk.do(c, "实施整改", rectify_action="申请延期", assessment_mode=None, extension_reason="设备供货延迟",
              requested_deadline=day(w, 120))
    decide = w.desk.task(c, "审批延期申请")
    assert decide.role_code == "supervisor"
    w.desk.do(c, "审批延期申请", approved_deadline=day(w, 110))
    rectify = w.desk.task(c, "实施整改")
    assert w.engine.case(c).data["rectify_deadline"] == day(w, 110)
    assert rectify.due_at == dt.datetime.fromisoformat(f"{day(w, 111)}T00:00:00+08:00")
    advance(w, days=95)
    assert w.engine.case(c).escalation_level == 0     # the old deadline passed: nothing happens


def test_extension_refused_keeps_the_deadline(w):
    c = listed_case(w)
    w.desk.do(c, "实施整改", rectify_action="申请延期", assessment_mode=None, extension_reason="资金不足",
              requested_deadline=day(w, 150))
    w.desk.do(c, "审批延期申请", extension_decision="不批准", approved_deadline=None, extension_opinion="理由不充分")
    assert w.desk.names(c) == ["实施整改"]
    assert w.engine.case(c).data["rectify_deadline"] == day(w, 90)


def test_extension_applied_too_late_is_refused_with_the_reason(w):
    c = listed_case(w)
    advance(w, days=85)                                # fewer than 10 working days remain
    w.desk.do(c, "实施整改", rectify_action="申请延期", assessment_mode=None, extension_reason="来不及",
              requested_deadline=day(w, 30))
    data = w.engine.case(c).data
    assert data["extension_decision"] == "不批准" and "10个工作日前" in data["extension_opinion"]
    assert w.desk.names(c) == ["实施整改"]


def test_extension_not_decided_in_five_working_days_goes_to_the_leader(w):
    c = listed_case(w)
    w.desk.do(c, "实施整改", rectify_action="申请延期", assessment_mode=None, extension_reason="设备供货延迟",
              requested_deadline=day(w, 120))
    advance(w, days=7)                                 # 05-18 is the 5th working day: still in time
    assert w.desk.names(c) == ["审批延期申请"]
    advance(w, days=1)
    assert w.desk.names(c) == ["延期申请超期审批"]
    assert w.desk.task(c, "延期申请超期审批").role_code == "leader"
    assert w.engine.case(c).escalation_level == 1
    w.desk.do(c, "延期申请超期审批", approved_deadline=day(w, 110))
    assert w.engine.case(c).data["rectify_deadline"] == day(w, 110)


def reminders(w, c) -> list[str]:
    return [ev["detail"]["timer"] for ev in w.engine.case(c).history
            if ev["action"] == "reminded" and ev["detail"]["timer"].startswith("remind_")]


def test_reminders_ten_and_three_working_days_before_and_monthly_progress_reports(w):
    c = listed_case(w)                                 # deadline 2026-08-09 (a Sunday)
    rectify = w.desk.task(c, "实施整改")
    advance(w, days=30)
    assert w.desk.names(c) == ["实施整改", "报送整改进展"]
    assert w.desk.task(c, "报送整改进展").role_code == "enterprise"
    w.desk.do(c, "报送整改进展", user="jia_qy")
    advance(w, days=45)                                # 07-25
    assert reminders(w, c) == []
    advance(w, days=2)                                 # 07-27 09:00: 10 working days before 08-09
    assert reminders(w, c) == ["remind_10"]
    advance(w, days=8)                                 # 08-04
    assert reminders(w, c) == ["remind_10"]
    advance(w, days=1)                                 # 08-05 09:00: 3 working days before
    assert reminders(w, c) == ["remind_10", "remind_3"]
    assert w.engine.task(rectify.id).reminders >= 2
    assert w.engine.case(c).escalation_level == 0
    assert w.desk.names(c).count("报送整改进展") == 1    # day 60 asked for the next report


def test_overdue_rectification_escalates_up_each_rung_of_the_ladder(w):
    e, desk = w.engine, w.desk
    c = listed_case(w)
    ladder = [("约谈企业主要负责人", "leader"), ("公开曝光", "director"), ("责令停产停业整顿并处罚款", "director"),
              ("按日连续处罚", "director"), ("决定停止供电", "director")]
    for level, (task_name, role) in enumerate(ladder, 1):
        deadline = e.case(c).data["rectify_deadline"]
        days_left = (dt.date.fromisoformat(deadline) - desk.today()).days
        advance(w, days=days_left + 1)
        view = e.case(c)
        assert view.escalation_level == level, task_name
        assert view.data["overdue_count"] == level
        rung = desk.task(c, task_name)
        assert rung.role_code == role
        desk.do(c, task_name)
        if task_name == "决定停止供电":
            assert "通知供电企业停止供电" not in desk.names(c)   # 24 hours' notice first
            advance(w, hours=24)
            desk.do(c, "通知供电企业停止供电")
        assert "实施整改" in desk.names(c)
    children = [x for x in e.cases(process_key="enforcement_case")]
    assert len(children) == 2 and all(x.parent_case_id == c for x in children)
    assert e.case(children[0].id).data["source"] == "重大事故隐患逾期未整改"
    assert len(e.case(c).data["penalty_cases_opened"]) == 2
    advance(w, days=32)
    assert e.case(c).escalation_level == 6
    assert e.case(c).data["overdue_rung"] == "propose_closure"
    propose = desk.task(c, "研究提请关闭")                 # the bureau proposes...
    assert propose.role_code == "director"
    desk.do(c, "研究提请关闭")
    close = desk.task(c, "作出关闭决定")                   # ...the government decides
    assert close.role_code == "government"
    desk.do(c, "作出关闭决定")
    view = e.case(c)
    assert view.status == "completed" and view.tasks == []


def penalty_decided_on(w, when: dt.date, party=CHEMICAL) -> int:
    """An enforcement case against ``party`` walked to its 行政处罚决定 on ``when`` (09:00 in Shanghai)."""
    w.clock.set(dt.datetime.combine(when, dt.time(1, 0), tzinfo=dt.timezone.utc))
    p = w.desk.start("enforcement_case", by="zhang_san", org="dongcheng", party=party, title="甲化工违法行为").id
    for step in ("初步核查", "立案审批", "调查取证", "案件处理呈批", "法制审核", "送达行政处罚告知书"):
        w.desk.do(p, step)
    w.desk.do(p, "陈述申辩或申请听证", user="jia_qy")
    w.desk.do(p, "负责人审批")
    assert w.engine.case(p).data["penalty_decided_on"] == when.isoformat()
    return p


@pytest.mark.parametrize("third_after, warranted", [(180, True), (181, False)])
def test_three_penalties_decided_within_180_days_lead_to_a_closure_proposal_art113(w, third_after, warranted):
    """安全生产法第一百一十三条: 3 penalties *decided* within 180 days (民法典第二百零一条: the first decision's
    day not counted, so day 180 after it is the last day); cases referred but not decided do not count."""
    c = listed_case(w, rectify_deadline=day(w, 200))           # 督办期限 2026-11-27
    first = dt.date(2026, 5, 12)
    for offset in (0, 90, third_after):
        penalty_decided_on(w, first + dt.timedelta(days=offset))
    w.clock.set(dt.datetime(2026, 11, 1, 1, 0, tzinfo=dt.timezone.utc))
    referred = w.desk.start("enforcement_case", by="zhang_san", org="dongcheng", party=CHEMICAL).id
    w.desk.do(referred, "初步核查")                               # referred, not decided: not a penalty
    w.desk.start("enforcement_case", by="zhang_san", org="dongcheng", party=MACHINERY)   # another enterprise
    w.clock.set(dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.timezone.utc))
    w.engine.run_due_timers()                                  # the deadline lapsed: first overdue
    data = w.engine.case(c).data
    assert data["overdue_count"] == 1
    assert data["penalty_decision_dates"] == ["2026-05-12", "2026-08-10", (first + dt.timedelta(days=third_after)).isoformat()]
    assert data["closure_due"] is warranted
    if warranted:
        assert data["overdue_rung"] == "propose_closure" and "研究提请关闭" in w.desk.names(c)
        assert "2026-11-08" in data["penalty_decisions"]
    else:
        assert data["overdue_rung"] == "interview" and "约谈企业主要负责人" in w.desk.names(c)


def test_bureau_may_decline_to_propose_a_closure_with_a_new_deadline_art113(w):
    c = listed_case(w)
    for _ in range(6):
        deadline = w.engine.case(c).data["rectify_deadline"]
        advance(w, days=(dt.date.fromisoformat(deadline) - w.desk.today()).days + 1)
        rung = next(n for n in w.desk.names(c) if n not in ("实施整改", "报送整改进展"))
        if rung == "研究提请关闭":
            w.desk.do(c, rung, closure_proposal_decision="暂不提请", closure_basis=None,
                      closure_proposal_opinion="企业已投入整改，暂不提请", new_deadline=day(w, 15))
            break
        w.desk.do(c, rung)
        if rung == "决定停止供电":
            advance(w, hours=24)
            w.desk.do(c, "通知供电企业停止供电")
    assert "实施整改" in w.desk.names(c) and "作出关闭决定" not in w.desk.names(c)
    assert w.engine.case(c).data["rectify_deadline"] == day(w, 15)


def test_power_cut_lifted_and_production_resumed_after_verified_rectification_art70(w):
    e, desk = w.engine, w.desk
    c = listed_case(w)
    for _ in range(5):
        deadline = e.case(c).data["rectify_deadline"]
        advance(w, days=(dt.date.fromisoformat(deadline) - desk.today()).days + 1)
        rung = next(n for n in desk.names(c) if n not in ("实施整改", "报送整改进展"))
        desk.do(c, rung)
        if rung == "决定停止供电":
            advance(w, hours=24)
            desk.do(c, "通知供电企业停止供电")
    assert e.case(c).data["power_cut_done"] is True
    desk.do(c, "实施整改", assessment_mode="自行评估")
    desk.do(c, "提交销号申请", self_assessment="自评合格")
    desk.do(c, "现场复查")
    desk.do(c, "审查同意恢复生产经营")
    restore = desk.task(c, "通知供电企业恢复供电")
    assert restore.role_code == "inspector"
    desk.do(c, "通知供电企业恢复供电")
    assert desk.names(c) == ["审批销号"]


def test_government_may_keep_the_enterprise_open_with_a_new_deadline(w):
    c = listed_case(w)
    for _ in range(6):
        deadline = w.engine.case(c).data["rectify_deadline"]
        advance(w, days=(dt.date.fromisoformat(deadline) - w.desk.today()).days + 1)
        names = w.desk.names(c)
        rung = next(n for n in names if n != "实施整改" and n != "报送整改进展")
        w.desk.do(c, rung)
        if rung == "决定停止供电":
            advance(w, hours=24)
            w.desk.do(c, "通知供电企业停止供电")
        if rung == "研究提请关闭":
            w.desk.do(c, "作出关闭决定")
            break
    assert w.engine.case(c).status == "completed"
    c2 = listed_case(w)
    for _ in range(6):
        deadline = w.engine.case(c2).data["rectify_deadline"]
        advance(w, days=(dt.date.fromisoformat(deadline) - w.desk.today()).days + 1)
        rung = next(n for n in w.desk.names(c2) if n not in ("实施整改", "报送整改进展"))
        if rung == "研究提请关闭":
            w.desk.do(c2, rung)
            w.desk.do(c2, "作出关闭决定", closure_decision="暂不关闭", new_deadline=day(w, 20))
            break
        w.desk.do(c2, rung)
        if rung == "决定停止供电":
            advance(w, hours=24)
            w.desk.do(c2, "通知供电企业停止供电")
    assert "实施整改" in w.desk.names(c2)
    assert w.engine.case(c2).data["rectify_deadline"] == day(w, 20)


def test_city_listing_is_approved_extended_and_delisted_at_the_city(w):
    """市级挂牌督办: the approval, the extension and the 销号 belong to the city's org unit, not to the
    county office that proposed it (the org tree's levels route the task)."""
    e, desk = w.engine, w.desk
    c = desk.start(PROCESS, by="zhang_san", org="dongcheng", party=CHEMICAL).id
    desk.do(c, "登记隐患")
    desk.do(c, "提出挂牌督办建议", supervision_level="设区的市", stop_production=False)
    assert e.case(c).data["listing_level"] == "市级挂牌督办"
    desk.do(c, "审核挂牌建议")                                  # the proposing county reviews it
    approve = desk.task(c, "批准挂牌督办")
    assert (approve.org_code, approve.role_code) == ("shifan", "leader")
    with pytest.raises(Forbidden):
        e.complete(approve.id, "zheng_fj", {"listing_approval_decision": "同意"})   # the county's leader
    desk.do(c, "批准挂牌督办", user="shi_fj")
    for step in ("下达挂牌督办通知书并公开", "提交整改方案（双报告）", "审查整改方案"):
        desk.do(c, step)
    desk.do(c, "实施整改", rectify_action="申请延期", extension_reason="设备到货延迟", requested_deadline=day(w, 120))
    decide = desk.task(c, "审批延期申请")
    assert (decide.org_code, decide.role_code) == ("shifan", "supervisor")
    with pytest.raises(Forbidden):
        e.complete(decide.id, "qian_ke", {"extension_decision": "批准", "approved_deadline": day(w, 120)})
    desk.do(c, "审批延期申请", user="shi_ke")
    desk.do(c, "实施整改", assessment_mode="自行评估")
    desk.do(c, "提交销号申请", self_assessment="自评合格")
    desk.do(c, "现场复查")
    close = desk.task(c, "审批销号")
    assert (close.org_code, close.role_code) == ("shifan", "supervisor")
    desk.do(c, "审批销号", user="shi_ke")


def test_province_listing_is_approved_at_the_province(w):
    c = w.desk.start(PROCESS, by="zhang_san", org="dongcheng", party=CHEMICAL).id
    w.desk.do(c, "登记隐患")
    w.desk.do(c, "提出挂牌督办建议", supervision_level="省")
    w.desk.do(c, "审核挂牌建议")
    approve = w.desk.task(c, "批准挂牌督办")
    assert (approve.org_code, approve.role_code) == ("shengfan", "leader")


def test_failed_onsite_review_sends_the_enterprise_back_with_a_new_order(w):
    c = listed_case(w, stop_production=False)
    w.desk.do(c, "实施整改", assessment_mode="自行评估")
    assert w.desk.names(c) == ["提交销号申请"]          # self-assessment: no third party
    w.desk.do(c, "提交销号申请", self_assessment="自评合格")
    w.desk.do(c, "现场复查", review_passed=False, review_findings="联锁未投用", new_order="投用联锁并验收",
              new_deadline=day(w, 20))
    assert w.desk.names(c) == ["实施整改"]
    assert w.engine.case(c).data["rectify_deadline"] == day(w, 20)
    w.desk.do(c, "实施整改", assessment_mode="自行评估")
    w.desk.do(c, "提交销号申请", self_assessment="自评合格")
    w.desk.do(c, "现场复查")
    w.desk.do(c, "审批销号", close_approval_decision="退回", close_approval_opinion="复查记录不全")
    assert w.desk.names(c) == ["现场复查"]


def test_onsite_review_not_done_in_ten_days_escalates_to_the_supervisor(w):
    c = listed_case(w, stop_production=False)
    w.desk.do(c, "实施整改", assessment_mode="自行评估")
    w.desk.do(c, "提交销号申请", self_assessment="自评合格")
    advance(w, days=11)
    assert w.desk.names(c) == ["复查超期督办"]
    assert w.desk.task(c, "复查超期督办").role_code == "supervisor"
    assert w.engine.case(c).escalation_level == 1
    w.desk.do(c, "复查超期督办")
    assert w.desk.names(c) == ["审批销号"]


def test_every_user_task_of_the_model_is_reached_by_a_test(request, database_url):
    """Stands on its own: any scenario above not yet run on this kind of database is run first, each on a
    fresh database (alone, after a subset, in any order; tests/process_support.py)."""
    assert user_tasks(PROCESS) - reached_by_each_scenario(request, REACHED, world, PROCESS) == set()
