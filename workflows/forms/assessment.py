"""Forms of 事故整改和防范措施落实情况评估 (bpmn/post_case_assessment.bpmn)."""
from __future__ import annotations

from marshmallow import ValidationError, validates_schema

from . import fields as f
from .deadlines import URGING
from .fields import FormSchema, approval_form

UNITS = ["应急管理部门", "负有安全监管职责的有关部门", "纪检监察机关（邀请）", "公安机关", "工会", "专家"]
REFERRAL_BODIES = ["纪检监察机关", "任免机关", "负有安全生产监督管理职责的部门"]


class Team(FormSchema):
    """组建评估组"""
    evaluation_leader = f.person_name("评估组组长")
    evaluators = f.names("评估组成员", min_items=2)
    evaluation_units = f.multichoice("参加单位", UNITS)
    experts = f.names("聘请专家", required=False)


class MeasureCheck(FormSchema):
    measure = f.text("整改和防范措施")
    owner = f.text("责任单位", required=False)
    status = f.choice("落实情况", ["已落实", "部分落实", "未落实"])
    evidence = f.text("核查依据", required=False, long=True)


class AccountabilityCheck(FormSchema):
    name = f.text("责任人员或单位")
    proposed_handling = f.text("报告建议的处理", required=False)
    carried_out = f.choice("追责落实情况", ["已落实", "未落实"])
    notes = f.text("说明", required=False)


class CheckMeasures(FormSchema):
    """核查整改和防范措施落实情况"""
    measure_checks = f.table("逐项核查结果", MeasureCheck, required=False)
    measures_summary = f.text("核查小结", long=True)


class CheckAccountability(FormSchema):
    """核查责任追究落实情况"""
    accountability_checks = f.table("逐人核查结果", AccountabilityCheck, required=False)
    accountability_summary = f.text("核查小结", long=True)


class Report(FormSchema):
    """起草评估报告"""
    assessment_conclusion = f.text("总体评估结论", long=True)
    findings = f.text("存在的问题", long=True)
    recommendations = f.text("意见建议", long=True)
    attachments = f.attachments("评估报告全文")


Review = approval_form("assessment_review", "审定意见", title="审定评估报告")


class Accountability(FormSchema):
    """移送问责线索

    The government that organised the assessment does not sanction officials itself: it refers the
    case to 纪检监察机关 or the 任免机关 (an enterprise's failings to the supervising department) and
    records the referral and the receiving body's receipt (回执).
    """
    referred_to = f.choice("移送机关", REFERRAL_BODIES,
                           help="公职人员问责移送纪检监察机关或任免机关；生产经营单位移送负有监管职责的部门")
    referral_no = f.text("移送函文号")
    referred_on = f.date("移送日期")
    referral_content = f.text("移送的问题线索", long=True)
    receipt_on = f.date("接收回执日期")
    receipt = f.attachments("接收回执", required=True)

    @validates_schema
    def _receipt_after_referral(self, data, **_):
        if data.get("referred_on") and data.get("receipt_on") and data["receipt_on"] < data["referred_on"]:
            raise ValidationError({"receipt_on": ["回执日期不能早于移送日期"]})


class Publish(FormSchema):
    """公开评估报告"""
    assessment_published_on = f.date("公开日期")
    assessment_channel = f.text("公开渠道")


class Overdue(FormSchema):
    """评估逾期督办"""
    urged_on = f.date("督办日期")
    overdue_opinion = f.text("督办意见", long=True)
    new_due = f.deadline("限期完成评估日期", URGING)


FORMS = {
    "assessment.team": Team,
    "assessment.check_measures": CheckMeasures,
    "assessment.check_accountability": CheckAccountability,
    "assessment.report": Report,
    "assessment.review": Review,
    "assessment.accountability": Accountability,
    "assessment.publish": Publish,
    "assessment.overdue": Overdue,
}
