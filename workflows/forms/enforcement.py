"""Forms of 行政处罚案件办理（一案一审、集体决策） (bpmn/enforcement_case.bpmn)."""
from __future__ import annotations

from marshmallow import ValidationError, post_load, validates_schema

from .. import functions
from . import fields as f
from .deadlines import HEARING, URGING, hearing_notice_refusal
from .fields import FormSchema, approval_form, require_when

SOURCES = ["监督检查发现", "投诉举报", "移送", "事故调查批复", "重大事故隐患逾期未整改"]
PARTY_TYPES = ["单位", "个人"]
OUTCOMES = ["处罚", "不予处罚", "移送司法"]
PENALTY_TYPES = ["警告", "通报批评", "罚款", "没收违法所得", "暂扣许可证件", "降低资质等级", "吊销许可证件",
                 "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业"]
SERVICE_METHODS = ["直接送达", "留置送达", "邮寄送达", "电子送达", "公告送达"]
SUSPENSION_KINDS = ["听证", "检测检验鉴定", "公告送达", "其他依法不计入的期间"]


class Intake(FormSchema):
    """初步核查"""
    source = f.choice("案件来源", SOURCES)
    party_name = f.party_name("当事人")
    party_type = f.choice("当事人类型", PARTY_TYPES)
    credit_code = f.credit_code("统一社会信用代码或身份证号")
    violation_facts = f.text("涉嫌违法事实", long=True)
    legal_basis = f.text("涉嫌违反的法律条款", required=False)
    intake_proposal = f.choice("核查意见", ["建议立案", "建议不予立案", "申请延长核查期限"])
    intake_opinion = f.text("理由", required=False, long=True)

    @validates_schema
    def _reason(self, data, **_):
        require_when(data, data.get("intake_proposal") in ("建议不予立案", "申请延长核查期限"), "intake_opinion",
                     message="须写明理由")


class PrecheckOverdue(FormSchema):
    """初查超期督办"""
    order_opinion = f.text("督办意见", long=True)
    precheck_due = f.deadline("限期完成核查日期", URGING)


PrecheckExtension = approval_form("precheck_extension", "审批意见", choices=("同意", "不同意"),
                                  title="审批延长核查期限")


class Filing(FormSchema):
    """立案审批"""
    filing_decision = f.choice("审批意见", ["立案", "不予立案"])
    case_cause = f.text("案由", required=False)
    officers = f.people("承办人员（不少于两名执法人员）", roles=("inspector",), required=False, min_items=2)
    filing_opinion = f.text("审批说明", required=False, long=True)

    @validates_schema
    def _filing(self, data, **_):
        if data.get("filing_decision") == "立案":
            require_when(data, True, "case_cause")
            if len(data.get("officers") or []) < 2:
                raise ValidationError({"officers": ["立案须指定不少于两名执法人员承办"]})
        require_when(data, data.get("filing_decision") == "不予立案", "filing_opinion", message="须写明不予立案理由")


class FilingOverdue(FormSchema):
    """立案超期情况说明"""
    filing_late_reason = f.text("未在期限内立案的原因", long=True)


class Suspension(FormSchema):
    kind = f.choice("事由", SUSPENSION_KINDS)
    started_on = f.date("开始日期")
    ended_on = f.date("结束日期")
    note = f.text("说明", required=False)

    @validates_schema
    def _order(self, data, **_):
        if data.get("started_on") and data.get("ended_on") and data["ended_on"] < data["started_on"]:
            raise ValidationError({"ended_on": ["结束日期不能早于开始日期"]})


class CaseLimitReview(FormSchema):
    """办案期限审查

    Suspensions are recorded as periods with dates (not a typed number of days); the case limit
    adds the days they take, counted as 《民法典》第二百零一条 counts a period, each day once
    (``workflows.decisions.excluded_days``, the rule the accident investigation's 技术鉴定 uses too).
    """
    case_extension_request = f.choice("延长办案期限", ["无需延长", "申请延长至120日", "报请上级延长至180日"])
    suspensions = f.table("不计入办案期限的期间（听证、鉴定等，全部列明）", Suspension, required=False)
    suspension_note = f.text("说明", required=False, long=True)


class CaseExtension(FormSchema):
    """审批延长办案期限

    The bureau's 负责人 extends the limit to 120 days; 180 days are the upper level's to approve
    (应急管理部令第18号; 《行政处罚法》第六十条 法律、法规、规章另有规定的，从其规定). 「上级批准」 records
    that decision, so it names the upper authority's approval: its document number and date.
    """
    case_extension_decision = f.choice("审批意见", ["负责人批准", "上级批准", "不予延长"])
    upper_approval_no = f.text("上级机关批准文号", required=False, max_len=100,
                               help="选择「上级批准」时填写上一级应急管理部门的批准文书文号")
    upper_approval_on = f.date("上级机关批准日期", required=False)
    case_extension_opinion = f.text("说明", required=False, long=True)

    @validates_schema
    def _upper_level_decides(self, data, **_):
        require_when(data, data.get("case_extension_decision") == "上级批准", "upper_approval_no",
                     "upper_approval_on",
                     message="延长至180日须经上一级应急管理部门批准，请填写上级机关的批准文号和日期（应急管理部令第18号）")


class OverdueExplanation(FormSchema):
    """办案超期情况说明"""
    overdue_reason = f.text("超期原因", long=True)
    remedy = f.text("整改措施", long=True)


class Investigate(FormSchema):
    """调查取证"""
    facts_found = f.text("查明的违法事实", long=True)
    investigators = f.people("调查人员（不少于两名执法人员）", roles=("inspector",), min_items=2)
    evidence = f.attachments("证据材料", required=True)
    transcripts = f.attachments("询问（讯问）笔录、现场检查笔录")
    preservation = f.boolean("采取先行登记保存", required=False)
    preservation_items = f.text("先行登记保存物品", required=False, long=True)

    @validates_schema
    def _items(self, data, **_):
        require_when(data, bool(data.get("preservation")), "preservation_items", message="须列明先行登记保存物品")


PreservationApproval = approval_form("preservation_approval", "负责人审批意见", choices=("批准", "不批准"),
                                     title="审批先行登记保存")


class Preservation(FormSchema):
    """先行登记保存处理决定"""
    preservation_handling = f.choice("处理决定", ["解除先行登记保存", "予以没收", "移送有关部门", "检测检验鉴定"])
    preservation_decided_on = f.date("决定日期")
    preservation_note = f.text("说明", required=False, long=True)


class Proposal(FormSchema):
    """案件处理呈批

    Also sets ``severe_measure`` (责令停产停业、关闭、吊销…) from the penalty types, for the hearing table.
    """
    proposed_outcome = f.choice("拟处理意见", OUTCOMES)
    violation = f.text("违法事实", long=True)
    legal_basis = f.text("违反的法律条款")
    penalty_basis = f.text("处罚依据", required=False)
    discretion_standard = f.text("适用的裁量基准条款", required=False)
    discretion_level = f.choice("裁量档次", ["不予处罚", "减轻", "从轻", "一般", "从重"], required=False)
    penalty_types = f.multichoice("拟处罚种类", PENALTY_TYPES, required=False)
    fine_amount = f.money("拟罚款金额（元）", required=False)
    confiscation_amount = f.money("拟没收违法所得（元）", required=False)
    large_confiscation = f.boolean("没收较大数额违法所得", required=False)
    complex_case = f.boolean("情节复杂或重大违法行为", required=False)
    proposal_reason = f.text("理由", long=True)

    @validates_schema
    def _penalty_details(self, data, **_):
        if data.get("proposed_outcome") != "处罚":
            return
        require_when(data, True, "penalty_basis", "discretion_standard", "discretion_level", "penalty_types",
                     message="拟给予处罚须写明处罚依据、裁量基准和处罚种类")
        if "罚款" in (data.get("penalty_types") or []) and not data.get("fine_amount"):
            raise ValidationError({"fine_amount": ["处罚种类含罚款，须填写罚款金额"]})

    @post_load
    def _severity(self, data, **_):
        data["severe_measure"] = functions.has_severe_measure(data.get("penalty_types"))
        return data


# What the 法制审核 of a penalty decision examines (《行政处罚法》第五十八条; its contents as 国办发〔2018〕118号
# lists them): a return names the points that failed, picked from these, and says why in 审核意见.
LEGAL_REVIEW_POINTS = ["执法主体不合法或执法人员不具备执法资格", "案件事实不清、证据不合法或不充分",
                       "适用法律、法规、规章不准确", "裁量基准运用不适当", "执法程序不合法", "超越法定权限",
                       "执法文书不完备、不规范", "涉嫌犯罪，应移送司法机关"]


class LegalReview(FormSchema):
    """法制审核"""
    legal_review_decision = f.choice("法制审核意见", ["通过", "退回"])
    legal_review_points = f.multichoice("存在的问题", LEGAL_REVIEW_POINTS, required=False,
                                        help="退回时勾选，并在审核意见中写明如何改正（《行政处罚法》第五十八条）")
    legal_review_opinion = f.text("审核意见", required=False, long=True)

    @validates_schema
    def _when_returned(self, data, **_):
        returned = data.get("legal_review_decision") == "退回"
        require_when(data, returned, "legal_review_points", message="退回须勾选存在的问题")
        require_when(data, returned, "legal_review_opinion", message="不同意或退回时须写明理由")


class Notify(FormSchema):
    """送达行政处罚告知书"""
    notification_no = f.text("告知书文号")
    notification_served_on = f.date("送达日期")
    notification_method = f.choice("送达方式", SERVICE_METHODS)


class Statement(FormSchema):
    """陈述申辩或申请听证"""
    party_response = f.choice("当事人意见", ["陈述申辩", "申请听证", "放弃"])
    statement_text = f.text("陈述申辩内容", required=False, long=True,
                            help="申请听证的，也可一并陈述申辩；不符合听证条件的，陈述申辩仍予复核")
    f.shown_when(statement_text, "party_response", "陈述申辩", "申请听证", asked=False)  # asked: 陈述申辩 only
    attachments = f.attachments("证据材料")

    @validates_schema
    def _text(self, data, **_):
        require_when(data, data.get("party_response") == "陈述申辩", "statement_text")


class StatementReview(FormSchema):
    """复核陈述申辩意见"""
    statement_adopted = f.choice("复核结论", ["采纳", "部分采纳", "不采纳"])
    statement_review_opinion = f.text("复核意见", long=True)
    penalty_changed = f.boolean("需要改变处理意见")


class HearingRefusal(FormSchema):
    """书面告知不予听证理由"""
    hearing_refusal_reason = f.text("不予听证的理由", long=True,
                                    help="如：拟罚款数额未达到本省规定的听证标准（本省未规定的：单位10万元、个人2万元）")
    hearing_refusal_served_on = f.date("告知书送达日期")


class HearingSchedule(FormSchema):
    """指定主持人并通知听证"""
    hearing_host = f.person("听证主持人", roles=("hearing_officer",), help="由非本案调查人员担任")
    hearing_at = f.moment("听证时间", basis=HEARING)
    hearing_place = f.text("听证地点")
    hearing_notice_served_on = f.date("听证通知书送达日期")

    @validates_schema
    def _notice_ahead(self, data, **_):
        """《行政处罚法》第六十四条第（二）项、第八十五条: notice served 7 工作日 before the hearing."""
        reason = hearing_notice_refusal(data.get("hearing_at"), data.get("hearing_notice_served_on"))
        if reason:
            raise ValidationError({"hearing_at": [reason]})


class HearingReport(FormSchema):
    """举行听证并制作听证报告"""
    hearing_held_on = f.date("听证日期")
    hearing_attendees = f.names("参加人员")
    party_opinions = f.text("当事人陈述、申辩和质证意见", long=True)
    hearing_report = f.text("听证报告", long=True)
    host_opinion = f.text("主持人意见", long=True)


HEADS = ("director", "leader")  # 本机关负责人, as the model's require_roles check says


class Convene(FormSchema):
    """组织集体讨论"""
    meeting_at = f.moment("会议时间")
    meeting_host = f.person("主持人", roles=HEADS, help="本机关负责人主持")
    committee_members = f.people("集体讨论组成人员（本机关负责人）", roles=HEADS, min_items=3,
                                 help="每位组成人员将收到表决待办（《行政处罚法》第五十七条）")
    attendees = f.people("到会人员", roles=HEADS, help="到会的组成人员；每人一项表决待办")
    meeting_topic = f.text("讨论事项", long=True)

    @validates_schema
    def _attendees_are_members(self, data, **_):
        outsiders = [a for a in data.get("attendees") or [] if a not in (data.get("committee_members") or [])]
        if outsiders:
            raise ValidationError({"attendees": ["到会人员须从已选的集体讨论组成人员中选择"]})


class Vote(FormSchema):
    """集体讨论表决"""
    vote_choice = f.choice("表决意见", ["同意", "不同意", "弃权"])
    vote_opinion = f.text("发表意见", required=False, long=True)


class Minutes(FormSchema):
    """形成集体讨论记录"""
    minutes = f.text("集体讨论记录", long=True)
    minutes_recorder = f.person_name("记录人")


HeadApproval = approval_form("head", "负责人审批意见", title="负责人审批")


class TransferDecision(FormSchema):
    """审批移送司法"""
    transfer_decision = f.choice("审批意见", ["批准", "不批准"])
    transfer_opinion = f.text("理由", required=False, long=True)


class Transfer(FormSchema):
    """移送司法机关"""
    judicial_organ = f.text("接收的司法机关")
    transferred_at = f.moment("移送时间")
    transfer_materials = f.attachments("移送材料", required=True)


class ServeDecision(FormSchema):
    """送达行政处罚决定书"""
    decision_no = f.text("决定书文号")
    decision_served_on = f.date("送达日期")
    decision_method = f.choice("送达方式", SERVICE_METHODS)


class Payment(FormSchema):
    """缴纳罚款"""
    paid_on = f.date("缴款日期")
    paid_amount = f.money("缴款金额（元）")
    receipts = f.attachments("缴款凭证", required=True)


class Urge(FormSchema):
    """催告当事人履行"""
    urge_notice_no = f.text("催告书文号")
    urged_on = f.date("催告书送达日期")


class CourtApplication(FormSchema):
    """申请人民法院强制执行"""
    court_name = f.text("人民法院")
    court_applied_on = f.date("申请日期")
    court_accepted_on = f.date("受理日期")


class NoPenalty(FormSchema):
    """送达不予行政处罚决定书"""
    no_penalty_reason = f.text("不予处罚理由", long=True)
    no_penalty_served_on = f.date("送达日期")


class Close(FormSchema):
    """结案审批"""
    close_summary = f.text("结案报告", long=True)
    archive_no = f.text("归档号", required=False)


FORMS = {
    "enforcement.intake": Intake,
    "enforcement.overdue_order": PrecheckOverdue,
    "enforcement.precheck_extension": PrecheckExtension,
    "enforcement.filing": Filing,
    "enforcement.filing_overdue": FilingOverdue,
    "enforcement.case_limit_review": CaseLimitReview,
    "enforcement.case_extension": CaseExtension,
    "enforcement.overdue_explanation": OverdueExplanation,
    "enforcement.investigate": Investigate,
    "enforcement.preservation_approval": PreservationApproval,
    "enforcement.preservation": Preservation,
    "enforcement.proposal": Proposal,
    "enforcement.legal_review": LegalReview,
    "enforcement.notify": Notify,
    "enforcement.statement": Statement,
    "enforcement.statement_review": StatementReview,
    "enforcement.hearing_refusal": HearingRefusal,
    "enforcement.hearing_schedule": HearingSchedule,
    "enforcement.hearing_report": HearingReport,
    "enforcement.convene": Convene,
    "enforcement.vote": Vote,
    "enforcement.minutes": Minutes,
    "enforcement.head_approval": HeadApproval,
    "enforcement.transfer_decision": TransferDecision,
    "enforcement.transfer": Transfer,
    "enforcement.serve_decision": ServeDecision,
    "enforcement.payment": Payment,
    "enforcement.urge": Urge,
    "enforcement.court_application": CourtApplication,
    "enforcement.no_penalty": NoPenalty,
    "enforcement.close": Close,
}
