"""The 执法案卷评查结果通报 (results notice of a case-file review)."""
from __future__ import annotations

import datetime as dt

from .format import cn_date, numbered
from .templates import Document

REVIEW_NOTICE = """{issuer}
关于执法案卷评查结果的通报
{notice_no}

    根据执法案卷评查工作安排，以{review_mode}方式对{reviewed_org}办理的{reviewed_case_no}号案卷（{reviewed_title}）进行了评查，现将结果通报如下：
一、评查得分：{review_total}分，等次：{review_grade}。
二、逐项得分：
{items}
三、存在的问题：
    {problems}
四、整改要求：{requirement}

{issuer}
{issued_on}
"""


def _correction_days(d: dict) -> int:
    """The correction period the model sets when the handler signs (case_review.correction_days, a local rule
    counted from the signing, bpmn/case_file_review.bpmn ``set_due``), as in force on the notice's day."""
    from workflows import rules
    try:
        return int(rules.in_force("case_review.correction_days", d.get("notice_issued_on") or dt.date.today()))
    except (LookupError, TypeError, ValueError):
        return 30


def _context(d: dict) -> dict:
    total = d.get("review_total")
    return {
        "notice_no": d.get("notice_no"), "review_mode": d.get("review_mode"), "reviewed_org": d.get("reviewed_org_name") or d.get("reviewed_org"),
        "reviewed_case_no": d.get("reviewed_case_no"), "reviewed_title": d.get("reviewed_title"),
        "review_total": total, "review_grade": d.get("review_grade"),
        "items": numbered([f"{r.get('item')}：{r.get('score')}分" + (f"（{r['deduction_reason']}）"
                                                                     if r.get("deduction_reason") else "")
                           for r in d.get("score_items") or []]),
        "problems": d.get("review_problems") or "无",
        "requirement": (f"请承办人自签收本通报之日起{_correction_days(d)}日内整改并报送整改情况。"
                        if d.get("needs_correction") else "无需整改。"),
        "issued_on": cn_date(d.get("notice_issued_on")),
    }


DOCUMENTS = [Document("case_review.notice", "执法案卷评查结果通报", "case_file_review", REVIEW_NOTICE, _context,
                      ("review_total",))]
