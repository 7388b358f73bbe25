"""Forms of 安全生产严重失信主体名单管理 (bpmn/dishonesty_list.bpmn).

The rule is 应急管理部令第11号《安全生产严重失信主体名单管理办法》. The forms carry what a listing
must be able to show later: the ground (列入情形) it rests on, that the party was told the facts and
its right to object before the decision, what the decision said, when and where it was published,
and, for an early removal, which conditions of credit repair (信用修复) the enterprise claims.

Whether an application for early removal comes too early (before 12 months on the list) depends on
the case's publication date, which a form does not see: the model's gateway after the application
decides that (see ``check_repair_time`` in the model).
"""
from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, validates_schema

from . import fields as f
from .fields import FormSchema, approval_form, require_when

#: 列入情形 after a production-safety accident (the rule's accident grounds, in its order).
ACCIDENT_GROUNDS = [
    "发生特别重大、重大生产安全事故",
    "12个月内累计发生2起以上较大生产安全事故",
    "发生事故且情节特别严重、影响特别恶劣，依照《安全生产法》第一百一十四条被处以2倍以上5倍以下罚款",
    "瞒报、谎报生产安全事故",
    "发生事故后不立即组织抢救，或在事故调查处理期间擅离职守、逃匿",
]
#: 列入情形 without an accident, after an administrative penalty.
PENALTY_GROUNDS = [
    "未依法取得安全生产相关许可，或许可被暂扣、吊销期间从事相关生产经营活动",
    "承担安全评价、认证、检测、检验职责的机构租借资质、挂靠、出具虚假报告或证书",
    "受到行政处罚后有执行能力拒不执行或逃避执行",
    "其他违反安全生产法律法规受到行政处罚，且性质恶劣、情节严重",
]
GROUNDS = ACCIDENT_GROUNDS + PENALTY_GROUNDS
SERVICE_METHODS = ["直接送达", "留置送达", "邮寄送达", "电子送达", "公告送达"]
CHANNELS = ["国家企业信用信息公示系统", "全国信用信息共享平台（信用中国）", "本部门政府网站", "其他"]


def _must_be_true(data: dict, message: str, *names: str) -> None:
    errors = {n: [message] for n in names if data.get(n) is not True}
    if errors:
        raise ValidationError(errors)


class Propose(FormSchema):
    """拟列入呈批"""
    enterprise_name = f.unit_name("生产经营单位名称")
    credit_code = f.credit_code("统一社会信用代码")
    ground = f.choice("列入情形", GROUNDS)
    facts = f.text("失信事实", long=True)
    basis = f.text("列入依据", help="如：《安全生产严重失信主体名单管理办法》（应急管理部令第11号）相关条款")
    source_case_no = f.text("关联案件编号", required=False, help="事故调查或行政处罚案件的案号")
    proposal_opinion = f.text("呈批意见", long=True)
    attachments = f.attachments("证据材料")


ProposalReview = approval_form("proposal_review", "审核意见", choices=("同意", "不同意"),
                               title="审核拟列入")


class Notice(FormSchema):
    """送达拟列入告知书

    The party must be told the ground, the facts and its right to object before any decision
    (作出列入决定前告知); the officer confirms the notice said so.
    """
    notice_no = f.text("告知书文号")
    notice_served_on = f.date("送达日期")
    notice_method = f.choice("送达方式", SERVICE_METHODS)
    rights_stated = f.boolean("告知书已载明拟列入的事由、依据和陈述申辩（异议）权利")

    @validates_schema
    def _rights(self, data, **_):
        _must_be_true(data, "告知书须载明拟列入的事由、依据和当事人依法享有的陈述申辩权利", "rights_stated")


class Objection(FormSchema):
    """陈述申辩（提出异议）"""
    objection_choice = f.choice("当事人意见", ["提出异议", "无异议"])
    objection_text = f.shown_when(f.text("陈述申辩理由", required=False, long=True), "objection_choice", "提出异议")
    attachments = f.attachments("证据材料")

    @validates_schema
    def _reason(self, data, **_):
        require_when(data, data.get("objection_choice") == "提出异议", "objection_text",
                     message="提出异议须写明事实和理由")


class ObjectionReview(FormSchema):
    """复核异议"""
    objection_result = f.choice("复核结论", ["异议成立", "异议不成立"])
    objection_review_opinion = f.text("复核意见", long=True)


class Decision(FormSchema):
    """作出列入决定"""
    listing_decision = f.choice("决定", ["列入", "不予列入"])
    listing_opinion = f.text("说明", required=False, long=True)

    @validates_schema
    def _reason(self, data, **_):
        require_when(data, data.get("listing_decision") == "不予列入", "listing_opinion",
                     message="不予列入须写明理由")


class IssueDecision(FormSchema):
    """制作并送达列入决定书

    The written decision (列入决定书) must name the enterprise and its credit code, the ground and
    basis, the term, and how to seek redress; the officer confirms it does.
    """
    decision_no = f.text("列入决定书文号")
    decided_on = f.date("决定日期")
    decision_served_on = f.date("送达日期")
    decision_method = f.choice("送达方式", SERVICE_METHODS)
    decision_complete = f.boolean("决定书已载明单位名称、统一社会信用代码、列入事由和依据、管理期限、救济途径和期限")

    @validates_schema
    def _contents_and_order(self, data, **_):
        _must_be_true(data, "列入决定书内容不全，不能送达", "decision_complete")
        decided, served = data.get("decided_on"), data.get("decision_served_on")
        if decided and served and served < decided:
            raise ValidationError({"decision_served_on": ["送达日期不能早于决定日期"]})


class Publish(FormSchema):
    """公开严重失信主体信息"""
    published_on = f.date("公开日期")
    publish_channels = f.multichoice("公开渠道", CHANNELS)
    publish_note = f.text("说明", required=False, long=True)


class RepairApplication(FormSchema):
    """申请信用修复（提前移出）

    Early removal is for an enterprise that has put things right: it states that it has carried
    out the penalty, removed the harm, committed no new serious dishonesty, and gives a written
    credit commitment. The 12-month minimum is checked by the process against the publication date.
    """
    penalty_fulfilled = f.boolean("已履行行政处罚决定规定的义务")
    harm_removed = f.boolean("已主动消除危害后果和不良影响")
    no_new_dishonesty = f.boolean("列入期间未再发生严重失信行为")
    commitment_made = f.boolean("已作出信用承诺")
    repair_statement = f.text("信用修复情况说明", long=True)
    attachments = f.attachments("证明材料", required=True)

    @validates_schema
    def _conditions(self, data, **_):
        _must_be_true(data, "不符合此项条件的，不能申请提前移出", "penalty_fulfilled", "harm_removed",
                      "no_new_dishonesty", "commitment_made")


class RepairVerification(FormSchema):
    """核查信用修复申请"""
    repair_verified = f.choice("核查结论", ["符合提前移出条件", "不符合提前移出条件"])
    verify_opinion = f.text("核查意见", long=True)
    verified_on = f.date("核查日期")


RepairDecision = approval_form("repair", "审批意见", choices=("同意", "不同意"), title="审批提前移出")


class RevokeProposal(FormSchema):
    """撤销提前移出呈批

    An early removal obtained by 隐瞒真实情况、弄虚作假 is revoked and the listing restored (应急管理部令
    第11号, as 山西省应急管理厅《安全生产严重失信主体名单管理制度》2024 copies it): the officer states what
    was concealed or falsified, when it was found, and the evidence.
    """
    fraud_facts = f.text("隐瞒真实情况、弄虚作假的情形", long=True)
    fraud_found_on = f.lived_day("发现日期", "应急管理部令第11号")
    attachments = f.attachments("证据材料", required=True)


RevokeDecision = approval_form("revoke", "审批意见", choices=("同意", "不同意"), title="撤销提前移出决定")


FORMS = {
    "dishonesty.propose": Propose,
    "dishonesty.proposal_review": ProposalReview,
    "dishonesty.notice": Notice,
    "dishonesty.objection": Objection,
    "dishonesty.objection_review": ObjectionReview,
    "dishonesty.decision": Decision,
    "dishonesty.issue_decision": IssueDecision,
    "dishonesty.publish": Publish,
    "dishonesty.repair_application": RepairApplication,
    "dishonesty.repair_verification": RepairVerification,
    "dishonesty.repair_decision": RepairDecision,
    "dishonesty.revoke_proposal": RevokeProposal,
    "dishonesty.revoke_decision": RevokeDecision,
}


def example(key: str, today: dt.date) -> dict:
    """A valid submission of form ``key`` dated around ``today`` (for the demo and the tests)."""
    day = today.isoformat()
    return {
        "dishonesty.propose": {
            "enterprise_name": "示范市甲化工有限公司", "credit_code": None, "ground": GROUNDS[0],
            "facts": "该单位发生重大生产安全事故，经调查认定负有责任",
            "basis": "《安全生产严重失信主体名单管理办法》（应急管理部令第11号）",
            "source_case_no": None, "proposal_opinion": "符合列入情形，建议列入严重失信主体名单",
            "attachments": ["失信名单审批表.pdf"]},
        "dishonesty.proposal_review": {"proposal_review_decision": "同意", "proposal_review_opinion": None},
        "dishonesty.notice": {"notice_no": "东应急失告〔2026〕1号", "notice_served_on": day,
                              "notice_method": "直接送达", "rights_stated": True},
        "dishonesty.objection": {"objection_choice": "提出异议",
                                 "objection_text": "事故发生后已全力救援，请求不予列入", "attachments": []},
        "dishonesty.objection_review": {"objection_result": "异议不成立",
                                        "objection_review_opinion": "所提理由不影响列入情形的认定"},
        "dishonesty.decision": {"listing_decision": "列入", "listing_opinion": None},
        "dishonesty.issue_decision": {"decision_no": "东应急失决〔2026〕1号", "decided_on": day,
                                      "decision_served_on": day, "decision_method": "直接送达",
                                      "decision_complete": True},
        "dishonesty.publish": {"published_on": day, "publish_channels": ["国家企业信用信息公示系统", "本部门政府网站"],
                               "publish_note": None},
        "dishonesty.repair_application": {
            "penalty_fulfilled": True, "harm_removed": True, "no_new_dishonesty": True, "commitment_made": True,
            "repair_statement": "罚款已缴清，事故整改措施全部落实，已公开作出信用承诺",
            "attachments": ["信用修复材料.pdf"]},
        "dishonesty.repair_verification": {"repair_verified": "符合提前移出条件",
                                           "verify_opinion": "经核查，整改到位，罚款已缴纳", "verified_on": day},
        "dishonesty.repair_decision": {"repair_decision": "同意", "repair_opinion": None},
        "dishonesty.revoke_proposal": {
            "fraud_facts": "申请材料中的罚款缴纳凭证系伪造，罚款至今未缴纳", "fraud_found_on": day,
            "attachments": ["核查笔录.pdf"]},
        "dishonesty.revoke_decision": {"revoke_decision": "同意", "revoke_opinion": None},
    }[key]
