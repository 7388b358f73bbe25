"""Forms of 事故调查处理（四不放过） (bpmn/accident_investigation.bpmn).

The report form accepts an incomplete report on purpose: the 四不放过 gate after it names what is
missing (``workflows.decisions.four_nots_check``), so the team sees every gap at once.
"""
from __future__ import annotations

from marshmallow import ValidationError, validates_schema

from . import fields as f
from .deadlines import ACCIDENT_APPROVAL, ACCIDENT_APPROVED, ACCIDENT_REPORT, MEASURE
from .fields import FormSchema, approval_form, require_when

CATEGORIES = ["工矿商贸", "道路交通", "火灾", "其他"]
ACCIDENT_TYPES = ["物体打击", "车辆伤害", "机械伤害", "起重伤害", "触电", "淹溺", "灼烫", "火灾", "高处坠落",
                  "坍塌", "冒顶片帮", "透水", "放炮", "火药爆炸", "瓦斯爆炸", "锅炉爆炸", "容器爆炸",
                  "其他爆炸", "中毒和窒息", "其他伤害"]
LOCAL_LEVELS = ["县级", "设区的市", "省级", "国务院"]
TEAM_UNITS = ["人民政府", "应急管理部门", "负有安全监管职责的有关部门", "监察机关", "公安机关", "工会",
              "人民检察院（邀请）", "专家"]
HANDLINGS = ["行政处罚", "党纪政务处分", "移送司法机关", "诫勉谈话", "通报批评", "免予追究"]


class Receive(FormSchema):
    """事故信息接报"""
    accident_title = f.text("事故名称", help="如：某公司“5·12”爆炸事故")
    occurred_at = f.moment("事故发生时间")
    head_informed_at = f.moment("单位负责人接到报告时间", required=False,
                                help="《生产安全事故报告和调查处理条例》第九条的1小时自此起算；不清楚的留空，按事故发生时间计")
    reported_at = f.moment("事故单位报告时间")
    enterprise_name = f.unit_name("事故发生单位")
    credit_code = f.credit_code("统一社会信用代码")
    location = f.text("事故发生地点")
    category = f.choice("事故类别", CATEGORIES)
    accident_type = f.choice("事故类型（GB 6441）", ACCIDENT_TYPES)
    deaths = f.integer("死亡人数（含失踪）")
    serious_injuries = f.integer("重伤人数（含急性工业中毒）")
    minor_injuries = f.integer("轻伤人数", required=False)
    direct_loss = f.money("直接经济损失（元）", help="初步估算，可在补报时更正")
    summary = f.text("事故简要经过", long=True)
    local_level = f.choice("本级人民政府层级", LOCAL_LEVELS)

    @validates_schema
    def _order_of_times(self, data, **_):
        if data.get("occurred_at") and data.get("reported_at") and data["reported_at"] < data["occurred_at"]:
            raise ValidationError({"reported_at": ["报告时间不能早于事故发生时间"]})
        informed = data.get("head_informed_at")
        if informed and data.get("occurred_at") and informed < data["occurred_at"]:
            raise ValidationError({"head_informed_at": ["单位负责人接到报告的时间不能早于事故发生时间"]})
        if informed and data.get("reported_at") and informed > data["reported_at"]:
            raise ValidationError({"head_informed_at": ["单位负责人接到报告的时间不能晚于事故单位报告时间"]})


class ReportUp(FormSchema):
    """逐级上报事故信息"""
    reported_to = f.text("报告对象", help="按事故等级逐级上报")
    reported_up_at = f.moment("上报时间")
    report_content = f.text("报告内容", long=True)
    take_over = f.boolean("上级决定提级调查", required=False)


class HandOver(FormSchema):
    """移交上级人民政府调查"""
    receiving_authority = f.text("接收机关")
    handed_over_on = f.date("移交日期")
    handover_note = f.text("移交说明", long=True)
    attachments = f.attachments("移交材料")


class Team(FormSchema):
    """成立事故调查组"""
    team_leader = f.person_name("调查组组长")
    team_members = f.names("调查组成员", min_items=2)
    member_units = f.multichoice("参加单位", TEAM_UNITS, min_items=2)
    experts = f.names("聘请专家", required=False)
    formed_on = f.date("成立日期")


class Investigate(FormSchema):
    """调查取证"""
    investigate_action = f.choice("办理事项", ["提交调查报告", "申请延期", "技术鉴定", "移送涉嫌犯罪", "补报伤亡变化"])
    progress_note = f.text("调查进展", long=True)
    extension_days = f.integer("申请延长天数", required=False, minimum=1, maximum=60)
    extension_reason = f.text("延期理由", required=False, long=True)
    appraisal_started_on = f.date("技术鉴定开始日期", required=False)
    appraisal_ended_on = f.date("技术鉴定结束日期", required=False)
    transfer_suspects = f.names("涉嫌犯罪人员", required=False)
    transfer_organ = f.text("移送司法机关", required=False)
    new_deaths = f.integer("变化后的死亡人数", required=False)
    new_serious_injuries = f.integer("变化后的重伤人数", required=False)
    new_direct_loss = f.money("变化后的直接经济损失（元）", required=False)
    attachments = f.attachments("调查材料")

    @validates_schema
    def _action_details(self, data, **_):
        action = data.get("investigate_action")
        require_when(data, action == "申请延期", "extension_days", "extension_reason")
        require_when(data, action == "技术鉴定", "appraisal_started_on", "appraisal_ended_on")
        require_when(data, action == "移送涉嫌犯罪", "transfer_suspects", "transfer_organ")
        require_when(data, action == "补报伤亡变化", "new_deaths", "new_serious_injuries")
        start, end = data.get("appraisal_started_on"), data.get("appraisal_ended_on")
        if start and end and end < start:
            raise ValidationError({"appraisal_ended_on": ["结束日期不能早于开始日期"]})


class ResponsiblePerson(FormSchema):
    name = f.person_name("姓名")
    position = f.text("职务", required=False)
    unit = f.text("单位", required=False)
    responsibility = f.text("责任认定", required=False, long=True)
    proposed_handling = f.choice("处理建议", HANDLINGS, required=False)
    administrative_penalty = f.boolean("给予行政处罚", required=False)


class ResponsibleUnit(FormSchema):
    name = f.text("单位名称")
    credit_code = f.credit_code("统一社会信用代码")
    responsibility = f.text("责任认定", required=False, long=True)
    proposed_handling = f.choice("处理建议", HANDLINGS, required=False)
    administrative_penalty = f.boolean("给予行政处罚", required=False)


class Measure(FormSchema):
    measure = f.text("整改和防范措施")
    owner = f.text("责任单位", required=False)
    due_date = f.deadline("完成时限", MEASURE, required=False)


class Report(FormSchema):
    """起草事故调查报告"""
    report_summary = f.text("事故经过和救援情况", long=True)
    direct_cause = f.text("直接原因", required=False, long=True)
    technical_causes = f.text("技术原因", required=False, long=True)
    management_causes = f.text("管理原因", required=False, long=True)
    accident_nature = f.choice("事故性质", ["生产安全责任事故", "非责任事故"])
    responsible_persons = f.table("责任人员及处理建议", ResponsiblePerson, required=False)
    responsible_units = f.table("责任单位及处理建议", ResponsibleUnit, required=False)
    measures = f.table("整改和防范措施", Measure, required=False)
    education_done = f.boolean("已对有关人员开展警示教育", required=False)
    education_record = f.text("警示教育记录", required=False, long=True)
    signed_by = f.names("已签名的调查组成员", required=False)
    attachments = f.attachments("调查报告全文及技术报告")


class Approval(FormSchema):
    """批复事故调查报告"""
    approval_decision = f.choice("批复意见", ["批复", "退回补充", "延长批复期限"])
    approval_doc_no = f.text("批复文号", required=False)
    approved_on = f.lived_day("批复日期", ACCIDENT_APPROVED, required=False,
                              help="批复文件上的日期；一年内评估、处罚立案、公开报告的期限自此日起算")
    approval_text = f.text("批复内容", required=False, long=True)
    approval_extension_days = f.integer("延长天数", required=False, minimum=1, maximum=30)
    approval_opinion = f.text("说明", required=False, long=True)

    @validates_schema
    def _details(self, data, **_):
        decision = data.get("approval_decision")
        require_when(data, decision == "批复", "approval_doc_no", "approved_on", "approval_text")
        require_when(data, decision == "退回补充", "approval_opinion", message="退回须写明补充要求")
        require_when(data, decision == "延长批复期限", "approval_extension_days", "approval_opinion")


class ApprovalSupervise(FormSchema):
    """批复超期督办"""
    urged_on = f.date("督办日期")
    supervise_opinion = f.text("督办意见", long=True)
    approval_due = f.deadline("限期批复日期", ACCIDENT_APPROVAL)


class OverdueOrder(FormSchema):
    """调查超期督办"""
    order_opinion = f.text("督办意见", long=True)
    report_due = f.deadline("限期提交报告日期", ACCIDENT_REPORT)


class ExtensionDecision(FormSchema):
    """审批调查期限延长"""
    extension_decision = f.choice("审批意见", ["批准", "不批准"])
    extension_days = f.integer("批准延长天数", required=False, minimum=1, maximum=60)
    extension_opinion = f.text("理由", required=False, long=True)

    @validates_schema
    def _days_when_granted(self, data, **_):
        require_when(data, data.get("extension_decision") == "批准", "extension_days",
                     message="批准延长须确定天数（最长60日）")
        require_when(data, data.get("extension_decision") == "不批准", "extension_opinion",
                     message="不批准须写明理由")


class Sanctions(FormSchema):
    """落实处分和移送司法"""
    disciplinary_handled = f.boolean("处分建议已移交任免机关或纪检监察机关")
    judicial_handled = f.boolean("涉嫌犯罪人员已移送司法机关或无需移送")
    sanctions_summary = f.text("落实情况", long=True)
    attachments = f.attachments("落实材料")


class MeasureDone(FormSchema):
    """跟踪整改措施落实"""
    completed_on = f.date("完成日期")
    evidence = f.attachments("落实证明材料", required=True)
    measure_note = f.text("核查情况", required=False, long=True)


class Publish(FormSchema):
    """公开事故调查报告"""
    report_published_on = f.date("公开日期")
    report_channel = f.text("公开渠道")
    includes_technical_section = f.boolean("全文公开（含技术和管理问题专篇）")

    @validates_schema
    def _full_text(self, data, **_):
        if data.get("includes_technical_section") is False:
            raise ValidationError({"includes_technical_section": ["应全文公开事故调查报告，包括技术和管理问题专篇"]})


class Close(FormSchema):
    """结案审批"""
    close_summary = f.text("结案意见", long=True)
    archive_no = f.text("归档号", required=False)


FORMS = {
    "accident.receive": Receive,
    "accident.report_up": ReportUp,
    "accident.hand_over": HandOver,
    "accident.team": Team,
    "accident.investigate": Investigate,
    "accident.report": Report,
    "accident.approval": Approval,
    "accident.approval_supervise": ApprovalSupervise,
    "accident.overdue_order": OverdueOrder,
    "accident.extension_decision": ExtensionDecision,
    "accident.sanctions": Sanctions,
    "accident.measure_done": MeasureDone,
    "accident.publish": Publish,
    "accident.close": Close,
}
