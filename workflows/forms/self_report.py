"""Forms of 隐患自查自报 (bpmn/hazard_self_report.bpmn): the enterprise's report, its rectification and
closure report, and the bureau's 备案审查, 现场抽查 and 逾期督促."""
from __future__ import annotations

from marshmallow import validates_schema

from . import fields as f
from .deadlines import RECTIFY
from .fields import FormSchema, require_when
from .hazard import SECTORS


class Report(FormSchema):
    """自查上报隐患"""
    enterprise_name = f.unit_name("生产经营单位名称")
    credit_code = f.credit_code("统一社会信用代码")
    sector = f.choice("行业领域", SECTORS)
    location = f.text("隐患部位")
    description = f.text("隐患描述", long=True)
    found_on = f.date("发现日期")
    found_by = f.text("排查人员")
    major_criterion = f.text("符合的重大隐患判定标准条款", required=False,
                             help="如《工贸企业重大事故隐患判定标准》第四条第（一）项；不符合则留空")
    requires_shutdown = f.boolean("需全部或局部停产停业治理", required=False)
    long_rectification = f.boolean("危害和整改难度较大，需一定时间整改", required=False)
    external_factors = f.boolean("因外部因素影响，本单位难以排除", required=False)
    planned_measures = f.text("拟采取的整改措施", long=True)
    responsible_person = f.person_name("整改责任人")
    fix_deadline = f.deadline("整改期限", RECTIFY, required=False, help="一般隐患须填写；重大隐患由监管部门挂牌督办时确定")
    attachments = f.attachments("隐患照片及排查记录")

    @validates_schema
    def _general_needs_deadline(self, data, **_):
        looks_general = not (data.get("major_criterion") or data.get("requires_shutdown")
                             or data.get("long_rectification") or data.get("external_factors"))
        require_when(data, looks_general, "fix_deadline", message="一般隐患须确定整改期限")


class Rectify(FormSchema):
    """整改并报告销号"""
    measures_taken = f.text("已采取的整改措施", long=True)
    completed_on = f.date("整改完成日期")
    rectify_cost = f.money("整改资金（元）", required=False)
    attachments = f.attachments("整改前后照片", required=True)


class ClosureReview(FormSchema):
    """销号备案审查"""
    closure_review_decision = f.choice("审查意见", ["确认销号", "现场抽查"])
    closure_review_opinion = f.text("说明", required=False, long=True)


class SpotCheck(FormSchema):
    """现场抽查整改情况"""
    spot_check_on = f.date("抽查日期")
    spot_check_passed = f.boolean("整改到位")
    spot_check_findings = f.text("抽查情况", long=True)
    fix_deadline = f.deadline("重新确定的整改期限", RECTIFY, required=False)

    @validates_schema
    def _deadline_when_failed(self, data, **_):
        require_when(data, data.get("spot_check_passed") is False, "fix_deadline",
                     message="整改不到位须重新确定整改期限")


class Overdue(FormSchema):
    """督促整改逾期隐患"""
    overdue_decision = f.choice("处理方式", ["继续限期整改", "转挂牌督办"])
    fix_deadline = f.deadline("新的整改期限", RECTIFY, required=False)
    overdue_opinion = f.text("督促意见", long=True)

    @validates_schema
    def _deadline_when_continued(self, data, **_):
        require_when(data, data.get("overdue_decision") == "继续限期整改", "fix_deadline",
                     message="继续限期整改须确定新的整改期限")


FORMS = {
    "self_report.report": Report,
    "self_report.rectify": Rectify,
    "self_report.closure_review": ClosureReview,
    "self_report.spot_check": SpotCheck,
    "self_report.overdue": Overdue,
}


def _d(today, days: int) -> str:
    import datetime as dt
    return (today + dt.timedelta(days=days)).isoformat()


SAMPLES = {  # example submissions (see samples.py): a 一般 hazard in the demo's machinery works
    "self_report.report": lambda t: {
        "enterprise_name": "示范市乙机械制造有限公司", "credit_code": None, "sector": "工贸",
        "location": "二号冲压车间", "description": "冲床光电保护装置失灵", "found_on": t.isoformat(),
        "found_by": "乙安全", "major_criterion": None, "requires_shutdown": False, "long_rectification": False,
        "external_factors": False, "planned_measures": "停用该冲床，更换光电保护装置", "responsible_person": "乙设备",
        "fix_deadline": _d(t, 7), "attachments": ["隐患自查记录.pdf"]},
    "self_report.rectify": lambda t: {
        "measures_taken": "已更换光电保护装置并试车合格", "completed_on": t.isoformat(), "rectify_cost": "3200",
        "attachments": ["整改前照片.jpg", "整改后照片.jpg"]},
    "self_report.closure_review": lambda t: {"closure_review_decision": "确认销号", "closure_review_opinion": None},
    "self_report.spot_check": lambda t: {"spot_check_on": t.isoformat(), "spot_check_passed": True,
                                         "spot_check_findings": "现场抽查，光电保护装置有效", "fix_deadline": None},
    "self_report.overdue": lambda t: {"overdue_decision": "继续限期整改", "fix_deadline": _d(t, 5),
                                      "overdue_opinion": "责令五日内整改完毕并报告"},
}
