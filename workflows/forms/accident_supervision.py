"""Forms of 事故查处挂牌督办 (bpmn/accident_supervision.bpmn)."""
from __future__ import annotations

import datetime as dt

from . import fields as f
from .deadlines import URGING
from .fields import FormSchema


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
    progress_attachments = f.attachments("进展材料")


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
    interviewers = f.names("约谈人")
    principals = f.names("被约谈人（企业主要负责人）")
    interview_minutes = f.text("约谈纪要", long=True)
    commitments = f.text("整改承诺", long=True)


class Delist(FormSchema):
    """审核摘牌"""
    delist_opinion = f.text("摘牌意见", long=True)
    delisted_on = f.date("摘牌日期")


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
                                                "progress_attachments": []},
    "accident_supervision.urge": lambda t: {"urge_opinion": "请于三日内补报调查进展",
                                            "next_report_due": (t + dt.timedelta(days=3)).isoformat()},
    "accident_supervision.warning": lambda t: {"warning_no": "示安委办〔2026〕8号", "warning_issued_on": t.isoformat(),
                                               "lessons": "动火作业未落实审批和监护", "warning_requirements":
                                               "各地立即开展动火作业专项检查"},
    "accident_supervision.interview": lambda t: {"interview_on": t.isoformat(), "interviewers": ["郑副局长"],
                                                 "principals": ["甲法人"], "interview_minutes": "通报事故情况，指出主体责任落实问题",
                                                 "commitments": "一个月内完成全员安全培训"},
    "accident_supervision.delist": lambda t: {"delist_opinion": "调查报告已批复，责任追究落实", "delisted_on": t.isoformat()},
}
