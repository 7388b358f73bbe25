"""《行政处罚法》第六十条 with 应急管理部令第18号: who extends the 办案期限, at its boundary days.

The decision is due 90 days after 立案; the bureau's 负责人 may extend it to 120 days, and only the
upper level (上一级应急管理部门) to 180. 审批延长办案期限 is the 局长's task: 「上级批准」 there records the
upper level's decision, so it names that decision (批准文号、日期) or is refused — the 局长 alone gave
a case 180 days before.
"""
from __future__ import annotations

import pytest

from workflows import decisions
from workflows.forms import registry
from workflows.functions import deadline_at
from workflows.forms.registry import FormError

KEY = "enforcement.case_extension"


def test_upper_level_extension_to_180_days_needs_the_upper_approval_admin_penalty_law_art60():
    with pytest.raises(FormError) as refused:
        registry.validate(KEY, {"case_extension_decision": "上级批准", "case_extension_opinion": "案情复杂"})
    errors = refused.value.errors
    assert set(errors) == {"upper_approval_no", "upper_approval_on"}
    assert "上一级应急管理部门批准" in str(errors["upper_approval_no"])
    data = registry.validate(KEY, {"case_extension_decision": "上级批准", "upper_approval_no": "示应急函〔2026〕15号",
                                   "upper_approval_on": "2026年5月20日"})
    assert (data["upper_approval_no"], data["upper_approval_on"]) == ("示应急函〔2026〕15号", "2026-05-20")


@pytest.mark.parametrize("decision", ["负责人批准", "不予延长"])
def test_the_bureaus_own_decisions_need_no_upper_approval_admin_penalty_law_art60(decision):
    assert registry.validate(KEY, {"case_extension_decision": decision})["case_extension_decision"] == decision


@pytest.mark.parametrize("extension, last_day, first_late_day", [
    (None, "2026-05-31", "2026-06-01"),          # 90 days from 立案 (its day not counted)
    ("负责人批准", "2026-06-30", "2026-07-01"),   # 120 days
    ("上级批准", "2026-08-29", "2026-08-30"),     # 180 days
])
def test_case_limit_boundary_days_admin_penalty_law_art60(extension, last_day, first_late_day):
    """Filed 2026-03-02: the decision is on time on the last day and late the day after."""
    due = decisions.case_due("2026-03-02", extension)
    assert due.isoformat() == last_day
    assert deadline_at(due) == f"{first_late_day}T00:00:00+08:00"    # the limit runs out as the last day ends
