"""The 行政处罚案件 a tip-off's reward rests on, shown on 核定举报奖励 and 审批举报奖励.

A verified 违法行为 or 重大事故隐患 is rewarded with 15% of the fine the penalty decision imposed
(《安全生产领域举报奖励办法》, 安监总财〔2018〕19号; ``workflows.tipoffs.reward``), so who fixes the reward
must see the case that fine was decided in: its 案号, 当事企业, the fine decided, its 行政处罚决定书 and
whether the fine was paid. A 立案查处 follow-up opens that case from the tip-off (``parent_case_id``);
when none was opened so, the page says plainly that none is linked and what to do.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.queries import child_cases
from workflows.tipoffs import CONCEALED

PENALTY_PROCESS = "enforcement_case"
DECISION_DOCUMENT = "enforcement.decision"  # 行政处罚决定书 (workflows/documents/templates.py)


@dataclass(frozen=True)
class PenaltyCase:
    id: int
    case_no: str
    title: str
    status: str
    party: str | None
    party_name: str | None
    decided: bool
    fine_amount: object        # the fine decided (None before the decision)
    decision_no: str | None
    decided_at: str | None
    paid_amount: object
    paid_on: str | None


@dataclass(frozen=True)
class LinkedPenalties:
    cases: list[PenaltyCase]
    hidden: int                # linked cases the viewer may not open (another unit's): counted, never named


def applies(case) -> bool:
    """A reward counted from a fine: not a 瞒报谎报事故's, which is counted per concealed death."""
    return (case.data or {}).get("finding_type") != CONCEALED


def linked(engine, case, username: str) -> LinkedPenalties:
    """The penalty cases opened from ``case``, those ``username`` may open with what was decided."""
    found = [c for c in child_cases(engine, case.id) if c.process_key == PENALTY_PROCESS]
    shown = [c for c in found if engine.can_view(c.id, username)]
    return LinkedPenalties([_penalty(engine.case(c.id)) for c in shown], len(found) - len(shown))


def _penalty(case) -> PenaltyCase:
    d = case.data or {}
    decided = bool(d.get("decided_at"))
    return PenaltyCase(case.id, case.case_no, case.title, case.status, case.party, d.get("party_name"), decided,
                       d.get("fine_amount") if decided else None, d.get("decision_no"), d.get("decided_at"),
                       d.get("paid_amount"), d.get("paid_on"))
