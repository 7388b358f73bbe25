"""Who decides names its law: the deciding and ordering steps of the models carry their article.

tests/test_deadline_documentation.py holds every task with a due date to naming its law; the steps
below have no due date of their own but decide or order something the law gives a named person or body
(a 负责人, the 人民政府, a 听证主持人 who did not investigate), and showed no 办理依据 before.
"""
from __future__ import annotations

import pytest

from tests.test_law_work_safety_art113 import _documentation


@pytest.mark.parametrize("model, task, law", [
    ("enforcement_case", "investigate", "第五十五条：执法人员不得少于两人"),
    ("enforcement_case", "legal_review", "《行政处罚法》第五十八条"),
    ("enforcement_case", "notify", "《行政处罚法》第四十四条"),
    ("enforcement_case", "schedule_hearing", "《行政处罚法》第六十四条：听证由行政机关指定的非本案调查人员主持"),
    ("enforcement_case", "hold_hearing", "第六十五条"),
    ("enforcement_case", "head_approval", "《行政处罚法》第五十七条：调查终结，行政机关负责人"),
    ("enforcement_case", "urge_payment", "《行政强制法》第三十五条"),
    ("enforcement_case", "no_penalty", "《行政处罚法》第五十七条第一款第（二）项"),
    ("accident_investigation", "hand_over", "第二十条：上级人民政府认为必要时"),
    ("accident_investigation", "form_team", "第二十四条：事故调查组组长由负责事故调查的人民政府指定"),
    ("accident_investigation", "decide_extension", "第二十九条：特殊情况下，经负责事故调查的人民政府批准"),
    ("hazard_supervision", "suspend", "《安全生产法》第一百零二条"),
    ("hazard_supervision", "daily_fine", "《安全生产法》第一百一十二条"),
    ("hazard_supervision", "power_cut", "经本部门主要负责人（局长）批准"),
    ("hazard_supervision", "execute_power_cut", "《安全生产法》第七十条：通知应当采用书面形式"),
])
def test_deciding_step_names_its_article_admin_penalty_law_accident_regulation_work_safety_law(model, task, law):
    assert law in _documentation(model, task)


def test_legal_review_of_every_case_is_named_a_local_rule_beyond_admin_penalty_law_art58():
    """第五十八条 requires 法制审核 for some cases; reviewing every one (一案一审) is the bureau's own rule."""
    doc = _documentation("enforcement_case", "legal_review")
    assert "一案一审，本地规则" in doc and "seed 000" in doc
