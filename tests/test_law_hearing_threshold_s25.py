"""听证告知's 较大数额罚款 at its boundary, as officials type the fine (fourth legal audit, 2026-12-07).

《行政处罚法》第六十三条 gives a hearing for 较大数额罚款; the figures are the department's rule:
应急管理部令第18号 (in force 2026-02-01) as DESIGN §3.3 gives them — 个人 2万元, 单位 10万元, 以上含本数 —
over bpmn/hearing_and_collective.dmn (docs/processes.md says what of the rule could and could not be
confirmed, and the older 原总局令第15号/第77号第三十三条 figures). The fine goes through the proposal form
(案件处理呈批, what the officer types) and then the decision table the model runs. Guards: these pass
before and after the audit, which changed no figure.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workflows import decisions
from workflows.forms import registry
from workflows.forms.samples import sample

TODAY = dt.date(2026, 12, 7)


def typed_fine(typed: str) -> str:
    return registry.validate("enforcement.proposal", {**sample("enforcement.proposal", TODAY), "fine_amount": typed})[
        "fine_amount"]


@pytest.mark.parametrize("typed, hearing", [
    ("10万元", True), ("100,000", True), ("１０００００", True), ("100000", True), ("￥100,000.00", True),
    ("99,999.99", False), ("9.999999万元", False), ("９９９９９.９９", False),
    ("100,000.01", True), ("10.000001万", True),
])
def test_a_unit_fine_from_100000_yuan_gives_a_hearing_admin_penalty_law_art63_order18(typed, hearing):
    out = decisions.hearing_and_collective(party_type="单位", fine_amount=typed_fine(typed), proposed_outcome="处罚")
    assert out["hearing_eligible"] is hearing
    assert out["collective_required"] is hearing          # 行政处罚法第五十七条第二款: the same cases are discussed


@pytest.mark.parametrize("typed, hearing", [
    ("2万", True), ("20,000", True), ("２００００", True), ("19,999.99", False), ("20,000.01", True),
])
def test_a_personal_fine_from_20000_yuan_gives_a_hearing_admin_penalty_law_art63_order18(typed, hearing):
    out = decisions.hearing_and_collective(party_type="个人", fine_amount=typed_fine(typed), proposed_outcome="处罚")
    assert out["hearing_eligible"] is hearing


def test_the_table_names_its_articles():
    text = (Path(__file__).resolve().parent.parent / "bpmn" / "hearing_and_collective.dmn").read_text(encoding="utf-8")
    assert "第六十三条" in text and "应急管理部令第18号" in text
