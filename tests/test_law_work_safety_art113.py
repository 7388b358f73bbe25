"""《安全生产法》第一百一十三条: which item of the article each 提请关闭 basis is, at its boundary days.

The article lists four cases in which the department proposes (提请) and the 人民政府 closes:
（一）存在重大事故隐患，一百八十日内三次或者一年内四次受到本法规定的行政处罚的；
（二）经停产停业整顿，仍不具备…安全生产条件的；
（三）不具备…安全生产条件，导致发生重大、特别重大生产安全事故的；
（四）拒不执行…作出的停产停业整顿决定的。
The count of penalties is item (一), not item (四); the ladder of a listed hazard reaches 研究提请关闭 once
停产停业整顿 was ordered, where items (二) and (四) are the bases the director may name.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from workflows import decisions
from workflows.forms import registry

ROOT = Path(__file__).resolve().parent.parent
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _documentation(model: str, element_id: str) -> str:
    tree = ET.parse(ROOT / "bpmn" / f"{model}.bpmn")
    for el in tree.iter():
        if el.get("id") == element_id:
            doc = el.find(f"{BPMN}documentation")
            return doc.text if doc is not None else ""
    raise AssertionError(f"{element_id} not in {model}")


def test_penalty_count_for_closure_is_item_1_of_work_safety_law_art113():
    """The 180日内3次/1年内4次 count is 第一百一十三条第（一）项 in the model, the code and the table of deadlines."""
    doc = _documentation("hazard_supervision", "count_overdue")
    assert "第一百一十三条第（一）项" in doc and "第（四）项" not in doc
    assert "第一百一十三条第（一）项" in decisions.closure_warranted.__doc__
    table_row = next(line for line in (ROOT / "docs" / "processes.md").read_text(encoding="utf-8").splitlines()
                     if line.startswith("| 提请关闭 |"))
    assert "第一百一十三条第（一）项 (存在重大事故隐患, 180日内3次" in table_row
    assert "第（四）项 (拒不执行停产停业整顿决定)" in table_row


def test_closure_proposal_names_items_1_2_and_4_of_work_safety_law_art113():
    doc = _documentation("hazard_supervision", "propose_closure")
    for item in ("（第（一）项）", "（第（二）项）", "（第（四）项）"):
        assert item in doc


@pytest.mark.parametrize("basis", ["存在重大事故隐患，180日内3次或者1年内4次受到行政处罚",
                                   "经停产停业整顿，仍不具备安全生产条件", "拒不执行停产停业整顿决定"])
def test_director_may_propose_closure_on_items_1_2_and_4_work_safety_law_art113(basis):
    """A 局长 whose enterprise ignores the 停产停业整顿 order proposes closure on item (四)."""
    data = registry.validate("hazard.closure_proposal", {
        "closure_proposal_decision": "提请人民政府予以关闭", "closure_basis": basis,
        "closure_proposal_opinion": "经局务会研究，提请区人民政府予以关闭"})
    assert data["closure_basis"] == basis


@pytest.mark.parametrize("third, warranted", [("2026-07-09", True), ("2026-07-10", False)])
def test_three_penalties_within_180_days_item_1_boundary_work_safety_law_art113(third, warranted):
    """Item (一): the first decision's day is not counted (民法典第二百零一条): 2026-01-10 + 180 days = 07-09."""
    assert decisions.closure_warranted(["2026-01-10", "2026-03-01", third], "2026-12-01") is warranted


@pytest.mark.parametrize("fourth, warranted", [("2026-03-01", True), ("2026-03-02", False)])
def test_four_penalties_within_one_year_item_1_boundary_work_safety_law_art113(fourth, warranted):
    """Item (一): a year ends on the corresponding day (民法典第二百零二条)."""
    dates = ["2025-03-01", "2025-06-01", "2025-12-01", fourth]
    assert decisions.closure_warranted(dates, "2026-12-01") is warranted
