"""Forms of 事故查处挂牌督办 (bpmn/accident_supervision.bpmn)."""
from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, validates_schema

from . import fields as f
from .deadlines import URGING
from .fields import FormSchema, require_when
from .people import reach_above

DELIST_DECISIONS = ["同意摘牌", "暂不摘牌"]

DELIST_CONDITIONS = {   # field → what must hold before the listing is lifted, and the article that asks it
    "responsibility_done": ("事故责任单位和责任人已按批复处理",
                            "《生产安全事故报告和调查处理条例》第三十二条第二款：有关机关应当按照人民政府的批复，"
                            "对事故发生单位和有关人员进行行政处罚，对负有事故责任的国家工作人员进行处分"),
    "measures_done": ("事故防范和整改措施已落实",
                      "《生产安全事故报告和调查处理条例》第三十三条：事故发生单位应当落实防范和整改措施，"
                      "安全生产监督管理部门和负有安全生产监督管理职责的有关部门应当对落实情况进行监督检查"),
    "result_published": ("事故处理情况已向社会公布",
                         "《生产安全事故报告和调查处理条例》第三十四条：事故处理的情况由负责事故调查的人民政府"
                         "或者其授权的有关部门、机构向社会公布"),
}


class List(FormSchema):
    """决定挂牌督办"""
    supervision_level = f.choice("督办层级", ["市级挂牌督办", "省级挂牌督办"])
    report_every_days = f.integer("进展报送周期（日）", minimum=1, maximum=60)
    supervision_requirements = f.text("督办要求", long=True)
    supervision_notice_no = f.text("督办通知文号")


class Progress(FormSchema):
    """报送调查进展"""
    progress = f.text("调查进展", long=True)
    investigation_approved = f.boolean("调查报告已批复", required=False)
    approved_on = f.date("批复日期", required=False)
    approval_no = f.text("批复文号", required=False, max_len=100)
    progress_attachments = f.attachments("进展材料")

    @validates_schema
    def _approval_named(self, data, **_):
        require_when(data, bool(data.get("investigation_approved")), "approved_on", "approval_no",
                     message="调查报告已批复的，须填写批复日期和批复文号")


class Urge(FormSchema):
    """督促报送调查进展"""
    urge_opinion = f.text("督促意见", long=True)
    next_report_due = f.deadline("限期补报日期", URGING)


class Warning(FormSchema):
    """发布事故警示通报"""
    warning_no = f.text("通报文号")
    warning_issued_on = f.date("发布日期")
    lessons = f.text("事故教训", long=True)
    warning_requirements = f.text("工作要求", long=True)


class Interview(FormSchema):
    """诫勉约谈企业主要负责人"""
    interview_on = f.date("约谈日期")
    interviewers = reach_above(
        f.names("约谈人"), 1,
        "常州2012（种子001）“分级挂牌督办”“警示通报、诫勉约谈”：事故查处由调查单位的直接上级挂牌督办"
        "（本流程「决定挂牌督办」由上级局办理），约谈由本单位或挂牌督办的直接上级单位的领导进行；"
        "再往上的单位（如省厅对区里的事故）不在可选之列，确需参加的可手工填写姓名")
    principals = f.names("被约谈人（企业主要负责人）")
    interview_minutes = f.text("约谈纪要", long=True)
    commitments = f.text("整改承诺", long=True)


class Delist(FormSchema):
    """审核摘牌

    The listing is lifted only when what the 批复 ordered has been done (《生产安全事故报告和调查处理条例》
    第三十二条第二款 责任追究, 第三十三条 防范和整改措施, 第三十四条 向社会公布) and the lifting is published as the
    listing was (《重大事故查处挂牌督办办法》安委〔2010〕6号 第三条第（二）项, 第四条 督办解除方式、程序).
    Otherwise 暂不摘牌: the investigating unit reports again by the date set here.
    """
    delist_decision = f.choice("审核结论", DELIST_DECISIONS)
    responsibility_done = f.boolean(DELIST_CONDITIONS["responsibility_done"][0], required=False)
    measures_done = f.boolean(DELIST_CONDITIONS["measures_done"][0], required=False)
    result_published = f.boolean(DELIST_CONDITIONS["result_published"][0], required=False)
    delist_opinion = f.text("摘牌意见", long=True)
    delisted_on = f.date("摘牌日期", required=False)
    delist_published_on = f.date("摘牌公告日期", required=False)
    delist_channel = f.text("摘牌公告渠道", required=False, max_len=200,
                            help="与挂牌督办信息同一渠道公布，如政府网站、主流媒体")
    next_report_due = f.deadline("限期报送落实情况日期", URGING, required=False)

    @validates_schema
    def _conditions_met(self, data, **_):
        if data.get("delist_decision") == "同意摘牌":
            missing = {name: [f"「{label}」未落实的不能摘牌（{basis}）"]
                       for name, (label, basis) in DELIST_CONDITIONS.items() if not data.get(name)}
            if missing:
                raise ValidationError(missing)
            require_when(data, True, "delisted_on", "delist_published_on", "delist_channel",
                         message="同意摘牌的，须填写摘牌日期和摘牌公告的日期、渠道（安委〔2010〕6号第三条）")
            if data.get("delisted_on") and data.get("delist_published_on") \
                    and data["delist_published_on"] < data["delisted_on"]:
                raise ValidationError({"delist_published_on": ["摘牌公告日期不能早于摘牌日期"]})
        else:
            require_when(data, data.get("delist_decision") == "暂不摘牌", "next_report_due",
                         message="暂不摘牌的，须确定限期报送落实情况的日期")


FORMS = {
    "accident_supervision.list": List,
    "accident_supervision.progress": Progress,
    "accident_supervision.urge": Urge,
    "accident_supervision.warning": Warning,
    "accident_supervision.interview": Interview,
    "accident_supervision.delist": Delist,
}

SAMPLES = {
    "accident_supervision.list": lambda t: {"supervision_level": "市级挂牌督办", "report_every_days": 15,
                                            "supervision_requirements": "查明原因，依法追责，每15日报送调查进展",
                                            "supervision_notice_no": "示应急督〔2026〕3号"},
    "accident_supervision.progress": lambda t: {"progress": "已完成现场勘查和询问笔录，技术鉴定进行中",
                                                "investigation_approved": False, "approved_on": None,
                                                "approval_no": None, "progress_attachments": []},
    "accident_supervision.urge": lambda t: {"urge_opinion": "请于三日内补报调查进展",
                                            "next_report_due": (t + dt.timedelta(days=3)).isoformat()},
    "accident_supervision.warning": lambda t: {"warning_no": "示安委办〔2026〕8号", "warning_issued_on": t.isoformat(),
                                               "lessons": "动火作业未落实审批和监护", "warning_requirements":
                                               "各地立即开展动火作业专项检查"},
    "accident_supervision.interview": lambda t: {"interview_on": t.isoformat(), "interviewers": ["郑副局长"],
                                                 "principals": ["甲法人"], "interview_minutes": "通报事故情况，指出主体责任落实问题",
                                                 "commitments": "一个月内完成全员安全培训"},
    "accident_supervision.delist": lambda t: {
        "delist_decision": "同意摘牌", "responsibility_done": True, "measures_done": True, "result_published": True,
        "delist_opinion": "调查报告已批复，责任追究和整改措施落实", "delisted_on": t.isoformat(),
        "delist_published_on": t.isoformat(), "delist_channel": "市政府网站", "next_report_due": None},
}
