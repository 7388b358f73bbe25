"""Forms of 执法案卷评查 (bpmn/case_file_review.bpmn): the scoring sheet (评查评分表) and the steps around it."""
from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, validates_schema

from . import fields as f
from .fields import FormSchema, approval_form


def _items():
    from workflows.case_review import ITEMS
    return ITEMS


class ScoreItem(FormSchema):
    item = f.choice("评查项目", [name for name, _ in _items()])
    score = f.integer("得分", minimum=0, maximum=25)
    deduction_reason = f.text("扣分理由", required=False)


class Submit(FormSchema):
    """提交被评查案卷"""
    file_index = f.text("卷宗目录", long=True)
    volumes = f.integer("卷数", minimum=1)
    file_attachments = f.attachments("案卷扫描件")


class Score(FormSchema):
    """案卷评查打分"""
    score_items = f.table("评查评分表", ScoreItem)
    review_problems = f.text("存在的问题", required=False, long=True)
    reviewers = f.people("评查人员", roles=("inspector", "legal_reviewer", "supervisor"))

    @validates_schema
    def _each_item_once_within_its_points(self, data, **_):
        full = dict(_items())
        rows = data.get("score_items") or []
        seen = [r["item"] for r in rows]
        if sorted(seen) != sorted(full):
            raise ValidationError({"score_items": ["评分表须对每个评查项目各打分一次：" + "、".join(full)]})
        for n, row in enumerate(rows):
            if row["score"] > full[row["item"]]:
                raise ValidationError({f"score_items.{n}.score": [f"{row['item']}满分{full[row['item']]}分"]})
        missing = {f"score_items.{n}.deduction_reason": [f"「{row['item']}」扣分的须写明扣分理由（反馈承办人）"]
                   for n, row in enumerate(rows) if row["score"] < full[row["item"]]
                   and not (row.get("deduction_reason") or "").strip()}
        if missing:
            raise ValidationError(missing)


Confirm = approval_form("review_confirm", "审定意见", choices=("同意", "退回重评"), title="审定评查结果")


class Notice(FormSchema):
    """印发评查结果通报"""
    notice_no = f.text("通报文号")
    notice_issued_on = f.date("印发日期")


class Feedback(FormSchema):
    """签收评查结果

    The 承办人 reads his file's score, item by item with the reasons for each deduction and the problems
    found, and signs for it; he may add a statement (说明), which the organiser reads at 整改复核 and which
    stays in the case (《行政处罚法》第七十五条 行政处罚监督制度; 武进 2017, seed 000, 规范执法文书和卷宗制作).
    """
    feedback_read = f.boolean("已阅知评查得分、扣分理由和存在的问题")
    handler_statement = f.text("承办人说明", required=False, long=True, help="对评查结果有不同意见的，写明理由")

    @validates_schema
    def _signed(self, data, **_):
        if data.get("feedback_read") is False:
            raise ValidationError({"feedback_read": ["须阅知评查结果后签收"]})


class Rectify(FormSchema):
    """案卷问题整改"""
    correction_measures = f.text("整改情况", long=True)
    corrected_on = f.date("整改完成日期")


class Recheck(FormSchema):
    """整改复核"""
    recheck_passed = f.boolean("整改到位")
    recheck_opinion = f.text("复核意见", long=True)


FORMS = {
    "case_review.submit": Submit,
    "case_review.score": Score,
    "case_review.confirm": Confirm,
    "case_review.notice": Notice,
    "case_review.feedback": Feedback,
    "case_review.rectify": Rectify,
    "case_review.recheck": Recheck,
}


def full_marks() -> list[dict]:
    return [{"item": name, "score": points, "deduction_reason": None} for name, points in _items()]


SAMPLES = {
    "case_review.submit": lambda t: {"file_index": "立案审批表、询问笔录、现场检查记录、告知书、决定书、送达回证、缴款凭证",
                                     "volumes": 1, "file_attachments": []},
    "case_review.score": lambda t: {"score_items": full_marks()[:-1] + [
        {"item": "归档", "score": 6, "deduction_reason": "卷内目录未编页码"}], "review_problems": None,
        "reviewers": ["li_si"]},
    "case_review.confirm": lambda t: {"review_confirm_decision": "同意", "review_confirm_opinion": None},
    "case_review.notice": lambda t: {"notice_no": "东应急评〔2026〕2号", "notice_issued_on": t.isoformat()},
    "case_review.feedback": lambda t: {"feedback_read": True, "handler_statement": None},
    "case_review.rectify": lambda t: {"correction_measures": "已补正送达回证并重新装订", "corrected_on": t.isoformat()},
    "case_review.recheck": lambda t: {"recheck_passed": True, "recheck_opinion": "已整改到位"},
}
