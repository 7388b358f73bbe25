"""Forms of 双随机抽查计划 (bpmn/inspection_plan.bpmn) and 双随机现场检查 (bpmn/random_inspection.bpmn)."""
from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, validates_schema

from . import fields as f
from .deadlines import RECTIFY, URGING
from .fields import FormSchema, approval_form, require_when
from .people import reach_above

SECTORS = ["危化", "工贸", "非煤矿山", "烟花爆竹", "建筑施工", "其他"]
RESULTS = ["未发现问题", "发现一般隐患责令整改", "发现重大事故隐患", "发现违法行为"]


class Quota(FormSchema):
    sector = f.choice("行业类别", SECTORS)
    count = f.integer("抽取企业数", minimum=1, maximum=500)


class Avoidance(FormSchema):
    inspector = f.person("执法人员", roles=("inspector",))
    credit_code = f.enterprise("企业")
    reason = f.text("利害关系说明")


class Plan(FormSchema):
    """编制双随机抽查计划"""
    plan_name = f.text("计划名称")
    plan_kind = f.choice("计划类别", ["年度执法计划", "季度执法计划", "专项抽查"])
    period_start = f.date("计划开始日期")
    period_end = f.date("计划截止日期")
    quotas = f.table("各行业抽取数量", Quota)
    team_size = f.integer("每组执法人员数", minimum=2, maximum=5, help="不少于2人")
    avoidances = f.table("回避声明", Avoidance, required=False)
    plan_notes = f.text("检查重点", long=True)

    @validates_schema
    def _period_in_order(self, data, **_):
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            raise ValidationError({"period_end": ["截止日期不能早于开始日期"]})


WITNESS_ROLES = ("legal_reviewer", "supervisor", "leader", "director")


class Approve(approval_form("plan_approval", "审批意见", title="审批抽查计划")):   # type: ignore[misc]
    """审批抽查计划

    The draw runs the moment the plan is approved, so the approval names who witnesses it (抽取监督人员):
    recorded beside the seed, the candidates and the result, for whoever audits the draw later
    (国办发〔2015〕58号 抽查过程全程记录、责任可追溯; 国发〔2019〕5号 随机抽取检查对象、随机选派执法检查人员).
    """
    draw_witnesses = reach_above(
        f.people("抽取监督人员", roles=WITNESS_ROLES, required=False,
                 help="批准后系统立即随机抽取，抽取过程由监督人员见证并记录在案"),
        0, "国办发〔2015〕58号：随机抽查由实施抽查的部门自行组织、抽查过程全程记录；抽取在本单位进行，"
           "见证人是本单位（或其下级单位）的人员，上级单位不参与本单位的抽取")

    @validates_schema
    def _witnessed(self, data, **_):
        require_when(data, data.get("plan_approval_decision") == "同意", "draw_witnesses",
                     message="批准抽查计划须指定至少1名抽取监督人员（抽取过程全程记录）")


class Summary(FormSchema):
    """总结并公开计划执行情况"""
    completed_count = f.integer("已完成检查数")
    summary = f.text("执行情况总结", long=True)
    published_on = f.date("公开日期")
    publish_channel = f.text("公开渠道")


class Inspect(FormSchema):
    """现场检查"""
    inspected_on = f.date("检查日期")
    inspectors_present = f.people("检查人员", roles=("inspector",), min_items=2)
    inspection_findings = f.text("检查情况", long=True)
    inspection_result = f.choice("检查结果", RESULTS)
    fix_deadline = f.deadline("一般隐患整改期限", RECTIFY, required=False)
    inspection_record = f.attachments("现场检查记录")

    @validates_schema
    def _deadline_for_general(self, data, **_):
        require_when(data, data.get("inspection_result") == "发现一般隐患责令整改", "fix_deadline",
                     message="责令整改须确定整改期限")


class Overdue(FormSchema):
    """抽查逾期督办"""
    overdue_opinion = f.text("督办意见", long=True)
    new_inspect_due = f.deadline("限期完成检查日期", URGING)


class Publish(FormSchema):
    """公示抽查结果

    What is published is composed by the model from the inspection (``publication_text``: 抽查计划、检查对象及
    统一社会信用代码、检查日期、检查人员、检查结果及处理); the officer records when, where and at which address it
    went out. 国发〔2019〕5号: 抽查检查结果自产生之日起20个工作日内公示; a later day is kept and marked late.
    """
    result_published_on = f.date("公示日期")
    result_channel = f.choice("公示渠道", ["国家企业信用信息公示系统", "部门门户网站", "其他"])
    result_link = f.text("公示网址或查询路径", max_len=500, help="便于核对公示内容，如公示系统中的查询路径或门户网站网址")
    publish_late_reason = f.text("逾期公示原因", required=False, long=True,
                                 help="超过检查之日起20个工作日公示的，写明原因")


FORMS = {
    "inspection_plan.plan": Plan,
    "inspection_plan.approve": Approve,
    "inspection_plan.summary": Summary,
    "random_inspection.inspect": Inspect,
    "random_inspection.overdue": Overdue,
    "random_inspection.publish": Publish,
}


def _d(today: dt.date, days: int) -> str:
    return (today + dt.timedelta(days=days)).isoformat()


SAMPLES = {
    "inspection_plan.plan": lambda t: {
        "plan_name": "东城区第二季度双随机抽查计划", "plan_kind": "季度执法计划", "period_start": t.isoformat(),
        "period_end": _d(t, 60), "quotas": [{"sector": "危化", "count": 1}, {"sector": "工贸", "count": 1}],
        "team_size": 2, "avoidances": [], "plan_notes": "重点检查动火作业和有限空间作业"},
    "inspection_plan.approve": lambda t: {"plan_approval_decision": "同意", "plan_approval_opinion": None,
                                          "draw_witnesses": ["chen_fz"]},
    "inspection_plan.summary": lambda t: {"completed_count": 2, "summary": "计划检查2家，完成2家，完成率100%",
                                          "published_on": t.isoformat(), "publish_channel": "区政府门户网站"},
    "random_inspection.inspect": lambda t: {
        "inspected_on": t.isoformat(), "inspectors_present": ["zhang_san", "li_si"],
        "inspection_findings": "检查动火作业票、有限空间台账，未发现问题", "inspection_result": "未发现问题",
        "fix_deadline": None, "inspection_record": []},
    "random_inspection.overdue": lambda t: {"overdue_opinion": "限期完成抽查", "new_inspect_due": _d(t, 10)},
    "random_inspection.publish": lambda t: {"result_published_on": t.isoformat(),
                                            "result_channel": "国家企业信用信息公示系统",
                                            "result_link": "国家企业信用信息公示系统－抽查检查信息－示范市东城区应急管理局",
                                            "publish_late_reason": None},
}
