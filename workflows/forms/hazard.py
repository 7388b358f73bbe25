"""Forms of 重大事故隐患挂牌督办 (bpmn/hazard_supervision.bpmn)."""
from __future__ import annotations

from marshmallow import validates_schema

from ..enterprises.terms import Sector
from . import fields as f
from .deadlines import EXTENSION, RECTIFY
from .fields import FormSchema, approval_form, require_when

SOURCES = ["监督检查发现", "企业自查上报", "举报核查"]
SECTORS = [s.value for s in Sector]   # the enterprise registry's 行业类别, so a hazard and its enterprise agree
SUPERVISION_LEVELS = ["区县", "设区的市", "省"]


class Register(FormSchema):
    """登记隐患"""
    source = f.choice("隐患来源", SOURCES)
    enterprise_name = f.unit_name("生产经营单位名称")
    credit_code = f.credit_code("统一社会信用代码")
    sector = f.choice("行业领域", SECTORS)
    location = f.text("隐患部位")
    description = f.text("隐患描述", long=True)
    found_on = f.date("发现日期")
    major_criterion = f.text("符合的重大隐患判定标准条款", required=False,
                             help="如《工贸企业重大事故隐患判定标准》第四条第（一）项；不符合则留空")
    requires_shutdown = f.boolean("需全部或局部停产停业治理", required=False)
    long_rectification = f.boolean("危害和整改难度较大，需一定时间整改", required=False)
    external_factors = f.boolean("因外部因素影响，单位自身难以排除", required=False)
    fix_deadline = f.deadline("一般隐患整改期限", RECTIFY, required=False, help="一般隐患应立即整改；重大隐患留空")
    attachments = f.attachments("现场照片及检查记录")

    @validates_schema
    def _general_needs_deadline(self, data, **_):
        looks_general = not (data.get("major_criterion") or data.get("requires_shutdown")
                             or data.get("long_rectification") or data.get("external_factors"))
        require_when(data, looks_general, "fix_deadline", message="一般隐患须确定整改期限")


class FixNow(FormSchema):
    """立即整改一般隐患"""
    measures_taken = f.text("已采取的整改措施", long=True)
    completed_on = f.date("整改完成日期")
    attachments = f.attachments("整改前后照片", required=True)


class ConfirmFix(FormSchema):
    """复核整改结果"""
    fix_passed = f.boolean("整改到位")
    fix_opinion = f.text("复核意见", long=True)
    fix_deadline = f.deadline("重新确定的整改期限", RECTIFY, required=False)

    @validates_schema
    def _deadline_when_failed(self, data, **_):
        require_when(data, data.get("fix_passed") is False, "fix_deadline", message="未整改到位须重新确定整改期限")


class FixOverdue(FormSchema):
    """一般隐患逾期督促"""
    fix_overdue_decision = f.choice("处理方式", ["继续限期整改", "升级挂牌督办"])
    fix_deadline = f.deadline("新的整改期限", RECTIFY, required=False)
    fix_overdue_opinion = f.text("督促意见", required=False, long=True)

    @validates_schema
    def _deadline_when_continued(self, data, **_):
        require_when(data, data.get("fix_overdue_decision") == "继续限期整改", "fix_deadline",
                     message="继续限期整改须确定新的整改期限")


class Propose(FormSchema):
    """提出挂牌督办建议"""
    rectify_deadline = f.deadline("督办期限（整改完成时限）", RECTIFY)
    responsible_unit = f.unit_name("责任单位")
    responsible_person = f.person_name("单位主要负责人")
    requirements = f.text("整改要求", long=True)
    supervision_level = f.choice("企业监管层级", SUPERVISION_LEVELS)
    cross_region = f.boolean("隐患涉及跨行政区域", required=False)
    stop_production = f.boolean("责令局部或全部停产停业", required=False)
    proposal_opinion = f.text("挂牌建议理由", long=True)


ReviewListing = approval_form("listing_review", "审核意见", title="审核挂牌建议")


class ApproveListing(approval_form("listing_approval", "批准意见")):
    """批准挂牌督办"""
    listing_deadline = f.deadline("核定的督办期限", RECTIFY, required=False, help="不改变建议期限则留空")


class IssueNotice(FormSchema):
    """下达挂牌督办通知书并公开"""
    notice_no = f.text("通知书文号")
    served_on = f.date("送达日期")
    publish_channel = f.text("公开渠道", help="如门户网站、政务新媒体")
    published_on = f.date("公开日期")


class Plan(FormSchema):
    """提交整改方案（双报告）"""
    plan_goals = f.text("治理的目标和任务", long=True)
    plan_methods = f.text("采取的方法和措施", long=True)
    plan_funds = f.text("经费和物资的落实", long=True)
    plan_staff = f.text("负责治理的机构和人员", long=True)
    plan_timeline = f.text("治理的时限和要求", long=True)
    plan_safety = f.text("安全措施和应急预案", long=True)
    reported_to_regulator_on = f.date("向负有安全监管职责的部门报告日期")
    reported_to_workers_on = f.date("向职工大会或职工代表大会报告日期")
    attachments = f.attachments("整改方案文本", required=True)


ReviewPlan = approval_form("plan_review", "审查意见", title="审查整改方案")


class Rectify(FormSchema):
    """实施整改"""
    rectify_action = f.choice("办理事项", ["整改完成", "申请延期"])
    rectify_summary = f.text("整改情况说明", long=True)
    assessment_mode = f.shown_when(f.choice("整改效果评估方式", ["自行评估", "委托第三方评估"], required=False),
                                   "rectify_action", "整改完成")
    extension_reason = f.shown_when(f.text("延期理由", required=False, long=True), "rectify_action", "申请延期")
    requested_deadline = f.shown_when(f.deadline("申请延长至", EXTENSION, required=False), "rectify_action", "申请延期")
    attachments = f.attachments("整改资料")

    @validates_schema
    def _action_details(self, data, **_):
        require_when(data, data.get("rectify_action") == "整改完成", "assessment_mode",
                     message="整改完成须选择评估方式")
        require_when(data, data.get("rectify_action") == "申请延期", "extension_reason", "requested_deadline",
                     message="申请延期须写明理由和申请延长至的日期")


class Progress(FormSchema):
    """报送整改进展"""
    progress = f.text("整改进展", long=True)
    percent_done = f.integer("完成比例（%）", minimum=0, maximum=100)
    attachments = f.attachments("进展材料")


class ExtensionDecision(FormSchema):
    """审批延期申请"""
    extension_decision = f.choice("审批意见", ["批准", "不批准"])
    approved_deadline = f.deadline("批准延长至", EXTENSION, required=False)
    extension_opinion = f.text("理由", required=False, long=True)

    @validates_schema
    def _details(self, data, **_):
        require_when(data, data.get("extension_decision") == "批准", "approved_deadline",
                     message="批准延期须确定延长后的督办期限")
        require_when(data, data.get("extension_decision") == "不批准", "extension_opinion",
                     message="不批准须写明理由")


class Assessment(FormSchema):
    """第三方评估整改效果"""
    assessor_org = f.assessment_body("评估机构名称", help="输入机构名称中的字，从已登记的安全评价检测检验机构中选择")
    qualification_no = f.text("资质证书编号")
    assessment_conclusion = f.choice("评估结论", ["隐患已消除", "隐患未消除"])
    assessment_report = f.text("评估报告摘要", long=True)
    attachments = f.attachments("评估报告", required=True)


class CloseApplication(FormSchema):
    """提交销号申请"""
    close_statement = f.text("销号申请说明", long=True)
    self_assessment = f.text("自评估意见", required=False, long=True)
    attachments = f.attachments("评估报告及整改资料", required=True)


class OnsiteReview(FormSchema):
    """现场复查"""
    review_passed = f.boolean("复查合格")
    reviewed_on = f.date("复查日期")
    reviewers = f.people("复查人员", roles=("inspector",), min_items=2)
    review_findings = f.text("复查情况", long=True)
    new_order = f.text("新的整改指令", required=False, long=True)
    new_deadline = f.deadline("新的督办期限", RECTIFY, required=False)

    @validates_schema
    def _order_when_failed(self, data, **_):
        require_when(data, data.get("review_passed") is False, "new_order", "new_deadline",
                     message="复查不合格须下达新的整改指令和期限")


ApproveClose = approval_form("close_approval", "销号审批意见", title="审批销号")


class PublishDelist(FormSchema):
    """公告摘牌"""
    delist_published_on = f.date("公告日期")
    delist_channel = f.text("公告渠道")


class Interview(FormSchema):
    """约谈企业主要负责人"""
    interviewed_on = f.date("约谈日期")
    interviewee = f.person_name("被约谈人（企业主要负责人）")
    interview_minutes = f.text("约谈记录", long=True)
    new_deadline = f.deadline("新的督办期限", RECTIFY)


class Expose(FormSchema):
    """公开曝光"""
    exposed_on = f.date("曝光日期")
    exposure_channel = f.text("曝光媒体")
    exposure_content = f.text("曝光内容", long=True)
    new_deadline = f.deadline("新的督办期限", RECTIFY)


class Penalty(FormSchema):
    """责令停产停业整顿并处罚款 / 按日连续处罚"""
    penalty_summary = f.text("处罚措施", long=True)
    fine_amount = f.money("拟罚款金额（元）")
    stop_production = f.boolean("责令停产停业整顿", required=False)
    new_deadline = f.deadline("新的督办期限", RECTIFY)


class PowerCut(FormSchema):
    """决定停止供电"""
    power_cut_decided_on = f.date("决定日期")
    power_supplier = f.unit_name("供电企业")
    notice_served_at = f.moment("提前通知生产经营单位时间", help="应提前24小时通知")
    new_deadline = f.deadline("新的督办期限", RECTIFY)


class ExecutePowerCut(FormSchema):
    """通知供电企业停止供电"""
    power_cut_on = f.date("停止供电日期")
    power_cut_notes = f.text("执行情况", long=True)


class ClosureProposal(FormSchema):
    """研究提请关闭

    The bureau proposes (提请); the 人民政府 decides (作出关闭决定), 《安全生产法》第一百一十三条.
    """
    closure_proposal_decision = f.choice("研究意见", ["提请人民政府予以关闭", "暂不提请"])
    closure_basis = f.choice("提请依据（第一百一十三条）", [
        "存在重大事故隐患，180日内3次或者1年内4次受到行政处罚", "经停产停业整顿，仍不具备安全生产条件",
        "拒不执行停产停业整顿决定"], required=False)
    closure_proposal_opinion = f.text("研究意见说明", long=True)
    new_deadline = f.deadline("新的督办期限", RECTIFY, required=False)

    @validates_schema
    def _details(self, data, **_):
        require_when(data, data.get("closure_proposal_decision") == "提请人民政府予以关闭", "closure_basis",
                     message="提请关闭须写明第一百一十三条的依据")
        require_when(data, data.get("closure_proposal_decision") == "暂不提请", "new_deadline",
                     message="暂不提请须确定新的督办期限")


class ResumeProduction(FormSchema):
    """审查同意恢复生产经营"""
    resume_approved_on = f.date("同意恢复生产经营日期")
    resume_opinion = f.text("审查意见", long=True)


class RestorePower(FormSchema):
    """通知供电企业恢复供电"""
    power_restored_notice_on = f.date("通知恢复供电日期")
    power_supplier = f.unit_name("供电企业")


class CloseDecision(FormSchema):
    """作出关闭决定"""
    closure_decision = f.choice("人民政府决定", ["予以关闭", "暂不关闭"])
    closure_opinion = f.text("决定意见", long=True)
    new_deadline = f.deadline("新的督办期限", RECTIFY, required=False)

    @validates_schema
    def _deadline_when_kept(self, data, **_):
        require_when(data, data.get("closure_decision") == "暂不关闭", "new_deadline",
                     message="暂不关闭须确定新的督办期限")


FORMS = {
    "hazard.register": Register,
    "hazard.fix_now": FixNow,
    "hazard.confirm_fix": ConfirmFix,
    "hazard.fix_overdue": FixOverdue,
    "hazard.propose": Propose,
    "hazard.review_listing": ReviewListing,
    "hazard.approve_listing": ApproveListing,
    "hazard.issue_notice": IssueNotice,
    "hazard.plan": Plan,
    "hazard.review_plan": ReviewPlan,
    "hazard.rectify": Rectify,
    "hazard.progress": Progress,
    "hazard.extension_decision": ExtensionDecision,
    "hazard.assessment": Assessment,
    "hazard.close_application": CloseApplication,
    "hazard.onsite_review": OnsiteReview,
    "hazard.approve_close": ApproveClose,
    "hazard.publish_delist": PublishDelist,
    "hazard.interview": Interview,
    "hazard.expose": Expose,
    "hazard.penalty": Penalty,
    "hazard.power_cut": PowerCut,
    "hazard.execute_power_cut": ExecutePowerCut,
    "hazard.closure_proposal": ClosureProposal,
    "hazard.resume_production": ResumeProduction,
    "hazard.restore_power": RestorePower,
    "hazard.close_decision": CloseDecision,
}
