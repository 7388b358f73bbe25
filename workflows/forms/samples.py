"""Example data for every form (示例数据): valid submissions the demo and the scenario tests use.

``sample(key, today)`` returns a fresh dict; dates are set relative to ``today`` (the engine clock's
day in China) so deadlines lie in the future whenever the example is used.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable


def _d(today: dt.date, days: int) -> str:
    return (today + dt.timedelta(days=days)).isoformat()


def _hearing_days(notice_served: dt.date) -> int:
    """Days from the notice to the sample hearing: 12, or to the 7th 工作日 after the notice where a
    holiday makes 12 days fewer (《行政处罚法》第六十四条第（二）项、第八十五条; forms/deadlines.py)."""
    from engine import workdays
    return max(12, (workdays.workdays_after(notice_served, 7) - notice_served).days)


def _t(today: dt.date, days: int, hour: int = 9) -> str:
    return f"{_d(today, days)}T{hour:02d}:00:00+08:00"


TEAM = ["孙七（应急管理局）", "周八（应急管理局）", "吴九（公安分局）", "郑十（区总工会）"]

SAMPLES: dict[str, Callable[[dt.date], dict]] = {
    # --- 重大事故隐患挂牌督办 ---
    "hazard.register": lambda t: {
        "source": "监督检查发现", "enterprise_name": "示范市甲化工有限公司", "credit_code": None,
        "sector": "危化", "location": "二号罐区",
        "description": "液化烃储罐未按国家标准设置紧急切断装置", "found_on": t.isoformat(),
        "major_criterion": "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》第五项",
        "requires_shutdown": True, "long_rectification": True, "external_factors": False,
        "fix_deadline": None, "attachments": ["现场照片.jpg", "现场检查记录.pdf"]},
    "hazard.fix_now": lambda t: {
        "measures_taken": "已更换破损的配电箱防护门并张贴警示标志", "completed_on": t.isoformat(),
        "attachments": ["整改前照片.jpg", "整改后照片.jpg"]},
    "hazard.confirm_fix": lambda t: {"fix_passed": True, "fix_opinion": "现场复核，已整改到位", "fix_deadline": None},
    "hazard.fix_overdue": lambda t: {"fix_overdue_decision": "继续限期整改", "fix_deadline": _d(t, 3),
                                     "fix_overdue_opinion": "责令三日内整改完毕"},
    "hazard.propose": lambda t: {
        "rectify_deadline": _d(t, 90), "responsible_unit": "示范市甲化工有限公司", "responsible_person": "钱大成",
        "requirements": "按标准设置紧急切断装置并联锁，整改期间二号罐区停止使用", "supervision_level": "区县",
        "cross_region": False, "stop_production": True, "proposal_opinion": "属重大事故隐患，建议区级挂牌督办"},
    "hazard.review_listing": lambda t: {"listing_review_decision": "同意", "listing_review_opinion": None},
    "hazard.approve_listing": lambda t: {"listing_approval_decision": "同意", "listing_approval_opinion": None,
                                         "listing_deadline": None},
    "hazard.issue_notice": lambda t: {"notice_no": "东应急督〔2026〕1号", "served_on": t.isoformat(),
                                      "publish_channel": "区政府门户网站", "published_on": t.isoformat()},
    "hazard.plan": lambda t: {
        "plan_goals": "消除二号罐区液化烃储罐无紧急切断装置的重大事故隐患",
        "plan_methods": "委托有资质单位设计、安装紧急切断阀并与液位、压力联锁",
        "plan_funds": "投入资金120万元，设备已订货", "plan_staff": "总经理任组长，安全总监具体负责",
        "plan_timeline": "设计15日、安装45日、调试验收15日", "plan_safety": "整改期间罐区停用，制定专项应急预案并演练",
        "reported_to_regulator_on": t.isoformat(), "reported_to_workers_on": t.isoformat(),
        "attachments": ["隐患治理方案.pdf"]},
    "hazard.review_plan": lambda t: {"plan_review_decision": "同意", "plan_review_opinion": None},
    "hazard.rectify": lambda t: {"rectify_action": "整改完成", "rectify_summary": "紧急切断装置已安装调试完毕",
                                 "assessment_mode": "委托第三方评估", "extension_reason": None,
                                 "requested_deadline": None, "attachments": ["整改完成资料.pdf"]},
    "hazard.progress": lambda t: {"progress": "设备已到货，正在安装", "percent_done": 50, "attachments": []},
    "hazard.extension_decision": lambda t: {"extension_decision": "批准", "approved_deadline": _d(t, 120),
                                            "extension_opinion": None},
    "hazard.assessment": lambda t: {
        "assessor_org": "示范安泰安全评价有限公司", "qualification_no": "APJ-(示)-001",
        "assessment_conclusion": "隐患已消除", "assessment_report": "紧急切断装置符合GB 50160要求，联锁有效",
        "attachments": ["整改效果评估报告.pdf"]},
    "hazard.close_application": lambda t: {"close_statement": "重大事故隐患已整改完毕，申请销号",
                                           "self_assessment": None, "attachments": ["整改效果评估报告.pdf"]},
    "hazard.onsite_review": lambda t: {"review_passed": True, "reviewed_on": t.isoformat(),
                                       "reviewers": ["zhang_san", "li_si"], "review_findings": "现场核查，整改到位",
                                       "new_order": None, "new_deadline": None},
    "hazard.approve_close": lambda t: {"close_approval_decision": "同意", "close_approval_opinion": None},
    "hazard.publish_delist": lambda t: {"delist_published_on": t.isoformat(), "delist_channel": "区政府门户网站"},
    "hazard.interview": lambda t: {"interviewed_on": t.isoformat(), "interviewee": "钱大成（总经理）",
                                   "interview_minutes": "指出逾期未整改问题，企业承诺三十日内完成",
                                   "new_deadline": _d(t, 30)},
    "hazard.expose": lambda t: {"exposed_on": t.isoformat(), "exposure_channel": "示范日报、区融媒体中心",
                                "exposure_content": "重大事故隐患逾期未整改", "new_deadline": _d(t, 30)},
    "hazard.penalty": lambda t: {"penalty_summary": "责令停产停业整顿，并处罚款", "fine_amount": "100000",
                                 "stop_production": True, "new_deadline": _d(t, 30)},
    "hazard.power_cut": lambda t: {"power_cut_decided_on": t.isoformat(), "power_supplier": "国网示范供电公司",
                                   "notice_served_at": _t(t, 0, 10), "new_deadline": _d(t, 30)},
    "hazard.execute_power_cut": lambda t: {"power_cut_on": _d(t, 1), "power_cut_notes": "供电企业已停止供电"},
    "hazard.closure_proposal": lambda t: {
        "closure_proposal_decision": "提请人民政府予以关闭", "closure_basis": "经停产停业整顿，仍不具备安全生产条件",
        "closure_proposal_opinion": "经局务会研究，提请区人民政府予以关闭", "new_deadline": None},
    "hazard.resume_production": lambda t: {"resume_approved_on": t.isoformat(),
                                           "resume_opinion": "经复查，重大事故隐患已消除，同意恢复生产经营"},
    "hazard.restore_power": lambda t: {"power_restored_notice_on": t.isoformat(), "power_supplier": "国网示范供电公司"},
    "hazard.close_decision": lambda t: {"closure_decision": "予以关闭", "closure_opinion": "依法予以关闭",
                                        "new_deadline": None},
    # --- 事故调查处理 ---
    "accident.receive": lambda t: {
        "accident_title": "示范市甲化工有限公司“5·12”爆炸事故", "occurred_at": _t(t, 0, 8),
        "reported_at": _t(t, 0, 8).replace("08:00:00", "08:40:00"), "enterprise_name": "示范市甲化工有限公司",
        "credit_code": None, "location": "二号车间", "category": "工矿商贸", "accident_type": "容器爆炸",
        "deaths": 1, "serious_injuries": 2, "minor_injuries": 3, "direct_loss": "3200000",
        "summary": "反应釜超压爆炸，造成1人死亡、2人重伤", "local_level": "县级"},
    "accident.report_up": lambda t: {"reported_to": "示范市应急管理局", "reported_up_at": _t(t, 0, 10),
                                     "report_content": "事故快报", "take_over": False},
    "accident.hand_over": lambda t: {"receiving_authority": "示范市人民政府", "handed_over_on": t.isoformat(),
                                     "handover_note": "事故等级超出本级调查权限，移交市政府", "attachments": []},
    "accident.team": lambda t: {"team_leader": TEAM[0], "team_members": list(TEAM),
                                "member_units": ["人民政府", "应急管理部门", "公安机关", "工会"],
                                "experts": ["化工安全专家 冯工"], "formed_on": t.isoformat()},
    "accident.investigate": lambda t: {"investigate_action": "提交调查报告", "progress_note": "调查取证完毕"},
    "accident.report": lambda t: {
        "report_summary": "反应釜进料超量导致超压，安全阀失效，釜体爆裂",
        "direct_cause": "进料超量且安全阀失效导致反应釜超压爆炸", "technical_causes": "安全阀长期未校验",
        "management_causes": "未落实操作规程，安全培训流于形式", "accident_nature": "生产安全责任事故",
        "responsible_persons": [
            {"name": "王某", "position": "操作工", "unit": "示范市甲化工有限公司", "responsibility": "违章超量进料",
             "proposed_handling": "移送司法机关", "administrative_penalty": False},
            {"name": "钱大成", "position": "总经理", "unit": "示范市甲化工有限公司",
             "responsibility": "未履行主要负责人安全生产管理职责", "proposed_handling": "行政处罚",
             "administrative_penalty": True}],
        "responsible_units": [
            {"name": "示范市甲化工有限公司", "credit_code": None, "responsibility": "未落实安全生产主体责任",
             "proposed_handling": "行政处罚", "administrative_penalty": True}],
        "measures": [
            {"measure": "全面校验安全阀并建立台账", "owner": "示范市甲化工有限公司", "due_date": _d(t, 30)},
            {"measure": "开展全员安全培训", "owner": "示范市甲化工有限公司", "due_date": _d(t, 45)}],
        "education_done": True, "education_record": "召开全区化工企业警示教育大会",
        "signed_by": list(TEAM), "attachments": ["事故调查报告.pdf"]},
    "accident.approval": lambda t: {"approval_decision": "批复", "approval_doc_no": "东政复〔2026〕8号",
                                    "approved_on": t.isoformat(),
                                    "approval_text": "同意调查报告对事故原因、性质和责任的认定及处理建议",
                                    "approval_extension_days": None, "approval_opinion": None},
    "accident.approval_supervise": lambda t: {"urged_on": t.isoformat(), "supervise_opinion": "请于五日内批复",
                                              "approval_due": _d(t, 5)},
    "accident.overdue_order": lambda t: {"order_opinion": "限十日内提交调查报告", "report_due": _d(t, 10)},
    "accident.extension_decision": lambda t: {"extension_decision": "批准", "extension_days": 30,
                                              "extension_opinion": None},
    "accident.sanctions": lambda t: {"disciplinary_handled": True, "judicial_handled": True,
                                     "sanctions_summary": "处分建议已移交，王某已移送公安机关", "attachments": []},
    "accident.measure_done": lambda t: {"completed_on": t.isoformat(), "evidence": ["整改措施落实材料.pdf"],
                                        "measure_note": "现场核查已落实"},
    "accident.publish": lambda t: {"report_published_on": t.isoformat(), "report_channel": "区政府门户网站",
                                   "includes_technical_section": True},
    "accident.close": lambda t: {"close_summary": "批复事项已落实，同意结案", "archive_no": None},
    # --- 执法案件 ---
    "enforcement.intake": lambda t: {
        "source": "监督检查发现", "party_name": "示范市甲化工有限公司", "party_type": "单位", "credit_code": None,
        "violation_facts": "未对重大危险源采取安全监控措施", "legal_basis": "《安全生产法》第四十条",
        "intake_proposal": "建议立案", "intake_opinion": None},
    "enforcement.overdue_order": lambda t: {"order_opinion": "限期完成核查", "precheck_due": _d(t, 3)},
    "enforcement.precheck_extension": lambda t: {"precheck_extension_decision": "同意",
                                                 "precheck_extension_opinion": None},
    "enforcement.filing": lambda t: {"filing_decision": "立案", "case_cause": "未对重大危险源采取安全监控措施",
                                     "officers": ["zhang_san", "li_si"], "filing_opinion": None},
    "enforcement.filing_overdue": lambda t: {"filing_late_reason": "线索涉及多个部门，核查材料未及时移交"},
    "enforcement.case_limit_review": lambda t: {"case_extension_request": "无需延长", "suspensions": [],
                                                "suspension_note": None},
    "enforcement.case_extension": lambda t: {"case_extension_decision": "负责人批准", "case_extension_opinion": None},
    "enforcement.overdue_explanation": lambda t: {"overdue_reason": "等待司法鉴定结论", "remedy": "加强办案期限管理"},
    "enforcement.investigate": lambda t: {
        "facts_found": "重大危险源未安装视频监控和可燃气体报警", "investigators": ["zhang_san", "li_si"],
        "evidence": ["现场检查笔录.pdf"], "transcripts": ["询问笔录.pdf"], "preservation": False,
        "preservation_items": None},
    "enforcement.preservation_approval": lambda t: {"preservation_approval_decision": "批准",
                                                    "preservation_approval_opinion": None},
    "enforcement.preservation": lambda t: {"preservation_handling": "解除先行登记保存",
                                           "preservation_decided_on": t.isoformat(), "preservation_note": None},
    "enforcement.proposal": lambda t: {
        "proposed_outcome": "处罚", "violation": "未对重大危险源采取安全监控措施",
        "legal_basis": "《安全生产法》第四十条第一款", "penalty_basis": "《安全生产法》第一百零一条",
        "discretion_standard": "示范省安全生产行政处罚自由裁量基准第45项", "discretion_level": "一般",
        "penalty_types": ["罚款"], "fine_amount": "50000", "confiscation_amount": None,
        "large_confiscation": False, "complex_case": False, "proposal_reason": "初次违法，情节一般"},
    "enforcement.legal_review": lambda t: {"legal_review_decision": "通过", "legal_review_opinion": "事实清楚，适用法律正确"},
    "enforcement.notify": lambda t: {"notification_no": "东应急告〔2026〕12号", "notification_served_on": t.isoformat(),
                                     "notification_method": "直接送达"},
    "enforcement.statement": lambda t: {"party_response": "放弃", "statement_text": None, "attachments": []},
    "enforcement.statement_review": lambda t: {"statement_adopted": "不采纳", "statement_review_opinion": "理由不成立",
                                               "penalty_changed": False},
    "enforcement.hearing_refusal": lambda t: {
        "hearing_refusal_reason": "拟对单位处5万元罚款，未达到10万元的听证标准，不予组织听证；陈述申辩意见将予复核",
        "hearing_refusal_served_on": t.isoformat()},
    "enforcement.hearing_schedule": lambda t: {"hearing_host": "chu_tz", "hearing_at": _t(t, _hearing_days(t)),
                                               "hearing_place": "区应急管理局听证室",
                                               "hearing_notice_served_on": t.isoformat()},
    "enforcement.hearing_report": lambda t: {"hearing_held_on": t.isoformat(), "hearing_attendees": ["褚听证", "当事人代理人"],
                                             "party_opinions": "对罚款数额有异议", "hearing_report": "事实清楚，证据确凿",
                                             "host_opinion": "建议维持原处理意见"},
    "enforcement.convene": lambda t: {"meeting_at": _t(t, 0, 15), "meeting_host": "feng_jz",
                                      "committee_members": ["feng_jz", "zheng_fj", "jiang_wy", "shen_wy", "han_wy"],
                                      "attendees": ["feng_jz", "zheng_fj", "jiang_wy", "shen_wy"],
                                      "meeting_topic": "示范市甲化工有限公司行政处罚案集体讨论"},
    "enforcement.vote": lambda t: {"vote_choice": "同意", "vote_opinion": None},
    "enforcement.minutes": lambda t: {"minutes": "经集体讨论，同意给予罚款处罚", "minutes_recorder": "钱科长"},
    "enforcement.head_approval": lambda t: {"head_decision": "同意", "head_opinion": None},
    "enforcement.transfer_decision": lambda t: {"transfer_decision": "批准", "transfer_opinion": None},
    "enforcement.transfer": lambda t: {"judicial_organ": "示范市公安局东城分局", "transferred_at": _t(t, 0, 16),
                                       "transfer_materials": ["移送材料清单.pdf"]},
    "enforcement.serve_decision": lambda t: {"decision_no": "东应急罚〔2026〕12号", "decision_served_on": t.isoformat(),
                                             "decision_method": "直接送达"},
    "enforcement.payment": lambda t: {"paid_on": t.isoformat(), "paid_amount": "50000", "receipts": ["罚款缴纳凭证.pdf"]},
    "enforcement.urge": lambda t: {"urge_notice_no": "东应急催〔2026〕3号", "urged_on": t.isoformat()},
    "enforcement.court_application": lambda t: {"court_name": "示范市东城区人民法院", "court_applied_on": t.isoformat(),
                                                "court_accepted_on": t.isoformat()},
    "enforcement.no_penalty": lambda t: {"no_penalty_reason": "违法行为轻微并及时改正，没有造成危害后果",
                                         "no_penalty_served_on": t.isoformat()},
    "enforcement.close": lambda t: {"close_summary": "处罚决定已执行完毕，予以结案", "archive_no": None},
    # --- 结案后一年内评估 ---
    "assessment.team": lambda t: {"evaluation_leader": "孙七", "evaluators": ["孙七", "周八"],
                                  "evaluation_units": ["应急管理部门", "纪检监察机关（邀请）", "专家"],
                                  "experts": ["冯工"]},
    "assessment.check_measures": lambda t: {
        "measure_checks": [{"measure": "全面校验安全阀并建立台账", "owner": "示范市甲化工有限公司", "status": "已落实",
                            "evidence": "台账齐全"}],
        "measures_summary": "整改措施已落实"},
    "assessment.check_accountability": lambda t: {
        "accountability_checks": [{"name": "钱大成", "proposed_handling": "行政处罚", "carried_out": "已落实",
                                   "notes": None}],
        "accountability_summary": "责任追究已落实"},
    "assessment.report": lambda t: {"assessment_conclusion": "整改和防范措施总体落实到位", "findings": "个别培训记录不完整",
                                    "recommendations": "持续开展警示教育", "attachments": []},
    "assessment.review": lambda t: {"assessment_review_decision": "同意", "assessment_review_opinion": None},
    "assessment.accountability": lambda t: {
        "referred_to": "纪检监察机关", "referral_no": "东政评移〔2026〕1号", "referred_on": t.isoformat(),
        "referral_content": "区应急管理局对整改措施落实督促不力", "receipt_on": t.isoformat(),
        "receipt": ["罚款缴纳凭证.pdf"]},
    "assessment.publish": lambda t: {"assessment_published_on": t.isoformat(), "assessment_channel": "区政府门户网站"},
    "assessment.overdue": lambda t: {"urged_on": t.isoformat(), "overdue_opinion": "限期完成评估", "new_due": _d(t, 30)},
}

from . import hazard_report as _hazard_report, joint as _joint, leader_inspection as _leader_inspection  # noqa: E402
from . import accident_supervision as _accident_supervision, case_review as _case_review, inspection as _inspection, self_report as _self_report, tipoff as _tipoff  # noqa: E402,E501

# samples kept beside their forms
for _module in (_self_report, _tipoff, _inspection, _case_review,
                _accident_supervision, _hazard_report, _leader_inspection, _joint):
    SAMPLES.update(_module.SAMPLES)
# 严重失信主体名单: its examples are written beside its forms as one function (forms/dishonesty.example)
from .dishonesty import FORMS as _DISHONESTY_FORMS, example as _dishonesty_example  # noqa: E402

for _key in _DISHONESTY_FORMS:
    SAMPLES[_key] = lambda t, _key=_key: _dishonesty_example(_key, t)


def sample(key: str, today: dt.date | None = None, now: dt.datetime | None = None) -> dict:
    """The example of form ``key`` on ``today``; ``now`` (the engine's clock) moves a report time
    whose period in hours already ran out that day (``_received_just_now``)."""
    data = SAMPLES[key](today or dt.date.today())
    if key == "accident.receive" and now is not None:
        _received_just_now(data, now)
    return data


def _received_just_now(data: dict, now: dt.datetime) -> None:
    """The example accident reached the bureau at 08:40; 逐级上报 is due 2 hours after that
    (《生产安全事故报告和调查处理条例》第十一条). Entered later the same day, the example says the
    report came in now (the accident 40 minutes before), so its deadline lies ahead as every
    example's does, and the demo's and tests' walks do not depend on the time of day."""
    reported = dt.datetime.fromisoformat(data["reported_at"])
    local = now.astimezone(reported.tzinfo).replace(second=0, microsecond=0)
    if local.date() == reported.date() and local >= reported + dt.timedelta(hours=2):
        data["reported_at"] = local.isoformat()
        data["occurred_at"] = (local - dt.timedelta(minutes=40)).isoformat()


#: Start data of the processes another case starts (发起数据 a parent case gives, as its seed function
#: would: workflows/accident_supervision.list_accident, case_review.start_review, functions.assessment_seed,
#: inspection_plans.inspection_seed), by process key: what bench/throughput.py --model starts them with.
#: The people named are the demo directory's (workflows/demo.py): the superior bureau's director lists
#: an accident, li_si handled the reviewed penalty case, zhang_san and li_si are the drawn inspectors.
START_SAMPLES: dict[str, Callable[[dt.date], dict]] = {
    "accident_supervision": lambda t: {
        "superior": "shi_jz", "accident_case_no": "东应急事〔2026〕1号",
        "accident_title": "示范市甲化工有限公司“5·12”爆炸事故", "accident_grade": "较大", "occurred_at": _t(t, 0, 8),
        "enterprise_name": "示范市甲化工有限公司", "deaths": 3, "report_due": _d(t, 60)},
    "case_file_review": lambda t: {
        "review_mode": "个案抽查", "reviewed_case_id": None, "reviewed_case_no": "东应急罚〔2026〕12号",
        "reviewed_title": "甲化工未对重大危险源采取监控措施案", "reviewed_org": "dongcheng", "case_handler": "li_si",
        "party_name": "示范市甲化工有限公司", "fine_amount": "50000"},
    "post_case_assessment": lambda t: {
        "accident_title": "示范市甲化工有限公司“5·12”爆炸事故", "enterprise_name": "示范市甲化工有限公司",
        "accident_grade": "一般", "approved_at": _t(t, 0, 10), "organised_by": "县级人民政府",
        "measures": [{"measure": "全面校验安全阀并建立台账", "owner": "示范市甲化工有限公司", "due_date": _d(t, 30)}],
        "responsible_persons": [{"name": "钱大成", "proposed_handling": "行政处罚"}], "responsible_units": []},
    "random_inspection": lambda t: {
        "plan_no": "东应急抽〔2026〕1号", "plan_name": "2026年第二季度双随机抽查", "credit_code": _chemical(),
        "name": "示范市甲化工有限公司", "sector": "危化", "risk_level": "高", "inspectors": ["zhang_san", "li_si"],
        "inspect_due": _d(t, 30)},
}


#: The answer that leaves a task a case may repeat (报送调查进展 every 15 days until the report is
#: approved), by form key: bench/throughput.py --model gives it with the form's example so that a
#: case walks through to its end rather than round the loop for ever.
LOOP_ENDS: dict[str, Callable[[dt.date], dict]] = {
    "accident_supervision.progress": lambda t: {"investigation_approved": True, "approved_on": t.isoformat(),
                                                "approval_no": "示政函〔2026〕5号"},
}


def _chemical() -> str:
    from workflows.demo import CHEMICAL  # the demo's 甲化工 (imported late: demo reads these samples)
    return CHEMICAL


def start_sample(process_key: str, today: dt.date | None = None) -> dict:
    """Example start data of a process another case starts (``START_SAMPLES``); {} for the others."""
    make = START_SAMPLES.get(process_key)
    return make(today or dt.date.today()) if make else {}
