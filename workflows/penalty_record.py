"""行政处罚决定记录: the penalty decisions an enterprise received, read from its enforcement cases.

《安全生产法》第一百一十三条 counts penalties *decided* (受到行政处罚), not cases referred: a 重大事故隐患
whose enterprise received 3 penalties within 180 days or 4 within a year is a ground for the bureau to
propose closure (提请关闭) to the 人民政府. The enforcement case (``enforcement_case``) records its
decision when it is made (script 作出处罚决定: ``penalty_decided_on``, the decision's day, with
``decision_no`` once the 决定书 is served); those cases are the enterprise's record (一企一档 shows
them as 行政处罚). The hazard model reads the record through the service task 查询行政处罚决定记录
(handler ``penalty_decisions``) each time the rectification deadline lapses, before the ladder's table
decides the rung, so every decision made by then counts whichever case it came from.

Only decisions of 处罚 count: 不予处罚 and 移送司法 are no penalty, and a case still being handled has
no decision yet.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from engine.schema import Case

ENFORCEMENT = "enforcement_case"


def decision_day(data: dict) -> dt.date | None:
    """The day a penalty was decided in this enforcement case's data, or None (no penalty decided)."""
    from .functions import as_day
    day = data.get("penalty_decided_on")
    if not day and data.get("proposed_outcome") == "处罚":   # a case started before penalty_decided_on existed
        day = data.get("decided_at")
    if not day:
        return None
    try:
        return as_day(day)
    except (TypeError, ValueError):
        return None


def decisions(sa_engine, credit_code: str) -> list[dict]:
    """Every penalty decided against the enterprise ``credit_code``: ``{"day", "case_no", "decision_no"}``,
    oldest first."""
    code = (credit_code or "").strip()
    if not code:
        return []
    with sa_engine.connect() as conn:
        rows = conn.execute(sa.select(Case.case_no, Case.data)
                            .where(Case.party == code, Case.process_key == ENFORCEMENT,
                                   Case.status != "cancelled")).all()
    found = []
    for case_no, data in rows:
        day = decision_day(data or {})
        if day is not None:
            found.append({"day": day.isoformat(), "case_no": case_no,
                          "decision_no": (data or {}).get("decision_no") or ""})
    return sorted(found, key=lambda d: (d["day"], d["case_no"] or ""))


def summary(found: list[dict]) -> str:
    """The record as the director reads it on 研究提请关闭: one line per decision."""
    if not found:
        return "无行政处罚决定记录"
    return "；".join(f"{d['day']} {d['decision_no'] or d['case_no']}" for d in found)


def handler(sa_engine):
    """The service task 查询行政处罚决定记录 (``penalty_decisions``): the enterprise's decided penalties."""
    def penalty_decisions(data: dict, credit_code: Any = None, **_params) -> dict:
        code = str(credit_code or data.get("party") or data.get("credit_code") or "").strip()
        found = decisions(sa_engine, code)
        return {"penalty_decision_dates": [d["day"] for d in found], "penalty_decisions": summary(found)}
    return penalty_decisions
