"""Forms of 12350举报核查 (bpmn/tipoff_12350.bpmn). The whistleblower's identity (``whistleblower_*``) is
read only by the 举报受理员 role: see ``workflows.forms.context.RESTRICTED``."""
from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, validates_schema

from . import fields as f
from .fields import FormSchema, approval_form, require_when

CHANNELS = ["12350电话", "网络平台", "信件", "电子邮件", "走访", "其他"]
CATEGORIES = ["重大事故隐患", "一般事故隐患", "安全生产违法行为", "瞒报谎报事故", "其他"]
HANDLINGS = ["本单位核查", "移交属地单位核查", "移送其他部门", "不予受理"]
RESULTS = ["属实", "基本属实", "不属实"]
FOLLOW_UPS = ["挂牌督办", "立案查处", "责令限期整改", "无需处理"]
GRADES = ["一般", "较大", "重大", "特别重大"]


class Intake(FormSchema):
    """受理登记举报"""
    channel = f.choice("举报渠道", CHANNELS)
    anonymous = f.boolean("匿名举报", required=False)
    whistleblower_name = f.person_name("举报人姓名", required=False, help="仅举报受理员可见")
    whistleblower_phone = f.phone("举报人联系电话", required=False, help="仅举报受理员可见")
    whistleblower_id_number = f.id_number("举报人身份证号", required=False, help="仅举报受理员可见；领取奖励时核对")
    tipoff_content = f.text("举报内容", long=True)
    enterprise_name = f.unit_name("被举报单位")
    credit_code = f.credit_code("统一社会信用代码")
    tipoff_address = f.text("隐患或违法行为地点")
    intake_attachments = f.attachments("举报材料")

    @validates_schema
    def _real_name_needs_contact(self, data, **_):
        require_when(data, not data.get("anonymous"), "whistleblower_name", "whistleblower_phone",
                     message="实名举报须填写举报人姓名和联系电话")


class Classify(FormSchema):
    """分类交办"""
    tipoff_category = f.choice("举报类别", CATEGORIES)
    handling = f.choice("处置方式", HANDLINGS)
    handling_org = f.org_unit("移交单位", required=False, help="按被举报单位属地确定有管辖权的单位")
    transfer_department = f.text("移送部门", required=False)
    classify_opinion = f.text("交办意见", long=True)

    @validates_schema
    def _where_to(self, data, **_):
        require_when(data, data.get("handling") == "移交属地单位核查", "handling_org", message="移交须选择有管辖权的单位")
        require_when(data, data.get("handling") == "移送其他部门", "transfer_department", message="移送须写明部门")


class Verify(FormSchema):
    """核查举报事项"""
    verified_on = f.date("核查日期")
    verifiers = f.people("核查人员", roles=("inspector",), min_items=2)
    verified_result = f.choice("核查结论", RESULTS)
    finding_type = f.choice("查实问题类别", CATEGORIES)
    verify_findings = f.text("核查情况", long=True)
    follow_up = f.choice("后续处置", FOLLOW_UPS)
    verify_attachments = f.attachments("核查记录")

    @validates_schema
    def _nothing_to_follow_when_false(self, data, **_):
        if data.get("verified_result") == "不属实" and data.get("follow_up") not in (None, "无需处理"):
            raise ValidationError({"follow_up": ["举报不属实的，后续处置应为“无需处理”"]})


class Extension(FormSchema):
    """核查超期督办

    The lawful extension is the upper level's to grant (经上一级部门批准, 安监总财〔2018〕19号): with its
    approval's number and date the 60 days are extended; without, the days set only a 督办 date and
    the case is marked past its legal limit (bpmn/tipoff_12350.bpmn, 延长核查期限).
    """
    extension_days = f.integer("延长天数", minimum=1, maximum=30, help="经上一级部门批准，延长不超过30日")
    upper_approval_no = f.text("上一级部门批准文号", required=False, max_len=100,
                               help="经上一级部门批准延长核查期限的，填写批准文号；未经批准的只定督办日期，不延长法定核查期限")
    upper_approval_on = f.date("上一级部门批准日期", required=False)
    extension_reason = f.text("延期理由（告知举报人）", long=True)

    @validates_schema
    def _approval_named_whole(self, data, **_):
        require_when(data, bool(data.get("upper_approval_no")), "upper_approval_on",
                     message="填写了上一级部门批准文号的，须同时填写批准日期")
        require_when(data, bool(data.get("upper_approval_on")), "upper_approval_no",
                     message="填写了上一级部门批准日期的，须同时填写批准文号")


class Reply(FormSchema):
    """答复举报人"""
    reply_channel = f.choice("答复方式", ["电话", "短信", "书面", "网络平台", "无法联系（匿名）"])
    replied_on = f.date("答复日期")
    reply_content = f.text("答复内容", long=True)


class Reward(FormSchema):
    """核定举报奖励"""
    fine_amount = f.money("行政处罚罚款金额（元）", required=False, help="重大事故隐患、违法行为按罚款金额的15%计奖")
    concealed_accident_grade = f.choice("瞒报谎报事故等级", GRADES, required=False)
    concealed_deaths = f.integer("查实瞒报谎报死亡人数", required=False)
    penalty_decision_no = f.text("行政处罚决定书文号", required=False)
    reward_basis = f.text("核定说明", long=True)

    @validates_schema
    def _fine_or_deaths(self, data, **_):
        require_when(data, not data.get("concealed_deaths"), "fine_amount",
                     message="请填写罚款金额（瞒报谎报事故填写事故等级和死亡人数）")
        require_when(data, bool(data.get("concealed_deaths")), "concealed_accident_grade",
                     message="请选择瞒报谎报事故的等级")


RewardApproval = approval_form("reward_approval", "审批意见", title="审批举报奖励")


class Payment(FormSchema):
    """发放举报奖励"""
    paid_on = f.date("发放日期")
    paid_amount = f.money("发放金额（元）")
    payee_identity_checked = f.boolean("已核对领奖人身份")
    payment_receipts = f.attachments("领奖签收单", required=True)


FORMS = {
    "tipoff.intake": Intake,
    "tipoff.classify": Classify,
    "tipoff.verify": Verify,
    "tipoff.extension": Extension,
    "tipoff.reply": Reply,
    "tipoff.reward": Reward,
    "tipoff.reward_approval": RewardApproval,
    "tipoff.payment": Payment,
}


def _d(today: dt.date, days: int) -> str:
    return (today + dt.timedelta(days=days)).isoformat()


SAMPLES = {  # example submissions (see samples.py): a real-name call about an unsafe hot-work permit
    "tipoff.intake": lambda t: {
        "channel": "12350电话", "anonymous": False, "whistleblower_name": "刘某", "whistleblower_phone": "13900000000",
        "whistleblower_id_number": "110101199001011237",
        "tipoff_content": "甲化工储罐区检修时未办理动火作业票即动火", "enterprise_name": "示范市甲化工有限公司",
        "credit_code": None, "tipoff_address": "示范市东城区化工园区一路8号储罐区", "intake_attachments": []},
    "tipoff.classify": lambda t: {"tipoff_category": "安全生产违法行为", "handling": "本单位核查", "handling_org": None,
                                  "transfer_department": None, "classify_opinion": "请执法大队五日内核查"},
    "tipoff.verify": lambda t: {
        "verified_on": t.isoformat(), "verifiers": ["zhang_san", "li_si"], "verified_result": "属实",
        "finding_type": "安全生产违法行为", "verify_findings": "储罐区检修动火未办理动火作业审批",
        "follow_up": "立案查处", "verify_attachments": []},
    "tipoff.extension": lambda t: {"extension_days": 30, "upper_approval_no": "示应急函〔2026〕8号",
                                   "upper_approval_on": t.isoformat(), "extension_reason": "涉及多家承包单位，需调取监控和作业票"},
    "tipoff.reply": lambda t: {"reply_channel": "电话", "replied_on": t.isoformat(),
                               "reply_content": "您反映的问题经核查属实，已立案查处"},
    "tipoff.reward": lambda t: {"fine_amount": "50000", "concealed_accident_grade": None, "concealed_deaths": None,
                                "penalty_decision_no": "东应急罚〔2026〕12号", "reward_basis": "按罚款金额15%核定"},
    "tipoff.reward_approval": lambda t: {"reward_approval_decision": "同意", "reward_approval_opinion": None},
    "tipoff.payment": lambda t: {"paid_on": t.isoformat(), "paid_amount": "7500", "payee_identity_checked": True,
                                 "payment_receipts": ["罚款缴纳凭证.pdf"]},
}
