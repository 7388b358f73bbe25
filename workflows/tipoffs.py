"""12350 举报 (tip-offs): the reward rule and the start data of the cases a verified tip-off opens.

Reward (《安全生产领域举报奖励办法》, 安监总财〔2018〕19号, 原国家安全监管总局、财政部): only a real-name
whistleblower (实名举报人) whose tip-off was verified (属实/基本属实) is rewarded —
- 重大事故隐患 and 违法生产经营建设 (安全生产违法行为): 15% of the fine imposed (行政处罚金额), at least
  3,000 yuan, at most 300,000 yuan;
- 瞒报、谎报事故: per concealed death found, 30,000 / 40,000 / 50,000 / 60,000 yuan for a 一般 / 较大 /
  重大 / 特别重大 accident, at most 300,000 yuan.
一般事故隐患 are outside the national scheme (local rules may add small rewards: configuration, not code).
Figures checked against published copies of the rules (2018-01), e.g. the 应急管理部门 notices that quote them.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

SHARE_OF_FINE = Decimal("0.15")
FLOOR = Decimal("3000")
CEILING = Decimal("300000")
PER_CONCEALED_DEATH = {"一般": Decimal("30000"), "较大": Decimal("40000"), "重大": Decimal("50000"),
                       "特别重大": Decimal("60000")}
FINE_BASED = ("重大事故隐患", "安全生产违法行为")
CONCEALED = "瞒报谎报事故"
VERIFIED = ("属实", "基本属实")


def _yuan(value: Any) -> Decimal:
    text = str(value if value is not None else "").strip().replace(",", "").replace("，", "")
    try:
        return Decimal(text) if text else Decimal(0)
    except InvalidOperation:
        raise ValueError(f"金额无效：{value}") from None


def reward_eligible(anonymous: Any, verified_result: Any, finding_type: Any) -> bool:
    """Real name, verified, and a kind of tip-off the scheme rewards."""
    return (not anonymous) and verified_result in VERIFIED and (finding_type in FINE_BASED or finding_type == CONCEALED)


def reward(finding_type: Any, fine_amount: Any = None, accident_grade: Any = None, concealed_deaths: Any = 0) -> str:
    """The reward in yuan (string with two decimals) for a verified real-name tip-off."""
    if finding_type == CONCEALED:
        per = PER_CONCEALED_DEATH.get(accident_grade or "")
        if per is None:
            raise ValueError("瞒报谎报事故的奖励须确定事故等级")
        amount = per * int(concealed_deaths or 0)
    elif finding_type in FINE_BASED:
        amount = max(FLOOR, (_yuan(fine_amount) * SHARE_OF_FINE).quantize(Decimal("0.01"), ROUND_HALF_UP))
    else:
        return "0.00"
    return str(min(amount, CEILING).quantize(Decimal("0.01")))


def handover_seed(case_no, org_code, received_at, verify_due, channel, anonymous, whistleblower_name,
                  whistleblower_phone, whistleblower_id_number, tipoff_content, enterprise_name, credit_code,
                  tipoff_address, tipoff_category) -> dict:
    """Start data of the tip-off case a unit hands to the competent unit (按属地移交): it opens at 核查,
    keeping the 60-day limit counted from the first 受理."""
    return {"handed_over_from": case_no, "handed_over_by_org": org_code, "received_at": received_at,
            "verify_due": verify_due, "verify_extended": False, "channel": channel, "anonymous": bool(anonymous),
            "whistleblower_name": whistleblower_name, "whistleblower_phone": whistleblower_phone,
            "whistleblower_id_number": whistleblower_id_number, "tipoff_content": tipoff_content,
            "enterprise_name": enterprise_name, "credit_code": credit_code, "tipoff_address": tipoff_address,
            "tipoff_category": tipoff_category}


def hazard_seed(enterprise_name, credit_code, tipoff_address, verify_findings, received_at) -> dict:
    """Start data of the 挂牌督办 case opened from a verified tip-off (登记隐患 opens with it)."""
    from workflows.functions import iso_day
    return {"source": "举报核查", "enterprise_name": enterprise_name, "credit_code": credit_code,
            "location": tipoff_address, "description": verify_findings, "found_on": iso_day(received_at),
            "hazard_grade": "重大"}


def penalty_seed(enterprise_name, credit_code, verify_findings, case_no) -> dict:
    """Start data of the enforcement case opened from a verified tip-off (线索来源: 举报). The 举报件's
    案号 is not written into it: the enterprise reported reads its penalty case, and the 举报 is kept
    from it (《国家安全监管总局关于保护生产安全事故和事故隐患举报人的意见》第五条（一）（二）); officials
    reach the 举报 by the case's link to it (``parent_case_id``). ``case_no`` is taken for the callers
    of models deployed before."""
    return {"source": "投诉举报", "party_name": enterprise_name, "party_type": "单位", "credit_code": credit_code,
            "violation_facts": verify_findings}
