"""The overdue ladder of a listed hazard: which rung is national law, which a local rule.

责令停产停业整顿并处罚款 (《安全生产法》第一百零二条), 按日连续处罚 (第一百一十二条), 停止供电 (第七十条) and
提请关闭 (第一百一十三条) are national law. 约谈警示 and 公开曝光 are not: no article of the 安全生产法 or of
原总局令第16号 orders them for an overdue hazard. Their source is a local document, 九江市柴桑区人民政府
《关于进一步加强安全生产工作的实施意见》item (二十一) (seed 003: 对整改和督办不力的，实行约谈告诫、公开曝光).
Before, overdue_rung.dmn gave 约谈警示、公开曝光 under 《安全生产法》第七十条、第一百零二条、第一百一十二条、
第一百一十三条, and the 约谈/曝光 tasks named no source at all. The same description named two bases of
第一百一十三条 where the article has four and a hazard case three ((一), (二), (四); (三) is an accident's).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from tests.test_law_work_safety_art113 import _documentation
from workflows import decisions

ROOT = Path(__file__).resolve().parent.parent
SEED_003 = "柴桑区"


def _table_description() -> str:
    for el in ET.parse(ROOT / "bpmn" / "overdue_rung.dmn").iter():
        if el.tag.endswith("description"):
            return el.text or ""
    raise AssertionError("overdue_rung.dmn has no description")


def test_interview_and_exposure_name_their_local_source_not_national_law_seed_003():
    for task in ("interview", "expose"):
        doc = _documentation("hazard_supervision", task)
        assert "本地规则" in doc and SEED_003 in doc and "（二十一）" in doc, task
        assert "不是国家法律" in doc, task


def test_overdue_table_gives_interview_and_exposure_as_local_rule_work_safety_law_art70_102_112():
    text = _table_description()
    assert "《安全生产法》第七十条、第一百零二条、第一百一十二条、第一百一十三条：约谈警示" not in text
    assert "约谈警示、公开曝光为本地规则" in text and SEED_003 in text
    for measure, article in (("责令停产停业整顿并处罚款", "第一百零二条"), ("按日连续处罚", "第一百一十二条"),
                             ("停止供电", "第七十条")):
        assert f"{measure}（《安全生产法》{article}" in text


def test_overdue_table_names_items_1_2_and_4_of_work_safety_law_art113():
    text = _table_description()
    for item in ("第（一）项", "第（二）项", "第（四）项"):
        assert item in text
    assert "第（三）项" in text and "事故" in text                         # named as the accident's, not the ladder's


def test_a_ladder_without_interview_and_exposure_is_lawful_work_safety_law_art102():
    """A bureau with no local 约谈/曝光 rule starts at 责令停产停业整顿并处罚款 (第一百零二条)."""
    order = "责令停产停业整顿并处罚款、按日连续处罚、停止供电"
    assert decisions.ladder_step(order, 1) == {"rung": "suspend", "name": "责令停产停业整顿并处罚款"}
    assert decisions.ladder_step(order, 3)["rung"] == "power_cut"
