"""The 事故警示通报 issued after a 较大 or worse accident under supervision (seeds 001, 004)."""
from __future__ import annotations

from .format import cn_date, cn_datetime
from .templates import Document

WARNING = """{issuer}
关于{accident_title}的警示通报
{warning_no}

    {occurred_at}，{enterprise_name}发生{accident_grade}生产安全事故，造成{deaths}人死亡。该事故已由{issuer}挂牌督办（{supervision_notice_no}）。现将有关情况通报如下：
一、事故教训
    {lessons}
二、工作要求
    {warning_requirements}

{issuer}
{issued_on}
"""


def _context(d: dict) -> dict:
    return {"accident_title": d.get("accident_title"), "warning_no": d.get("warning_no"),
            "occurred_at": cn_datetime(d.get("occurred_at")), "enterprise_name": d.get("enterprise_name"),
            "accident_grade": d.get("accident_grade"), "deaths": d.get("deaths"),
            "supervision_notice_no": d.get("supervision_notice_no"), "lessons": d.get("lessons"),
            "warning_requirements": d.get("warning_requirements"), "issued_on": cn_date(d.get("warning_issued_on"))}


DOCUMENTS = [Document("accident_supervision.warning", "事故警示通报", "accident_supervision", WARNING, _context,
                      ("warning_issued_on",))]
