"""FEEL refused at deploy says what is not supported and what to write instead, in FEEL (session 22).

- A range walked item by item (``=for i in 1..3 return i``, as Zeebe's multi-instance examples write
  the collection) was refused as 「写法不完整」: the expression is complete; what is not supported is
  taking the range ``1..3`` item by item (a range is read only as a test, ``x in [1..3]``). Said so,
  with the list to write instead (``[1, 2, 3]``) or a list kept in the case's data.
- Several lists in one ``some``/``every``/``for`` (``some x in a, y in b satisfies x > y``) were
  「写法不完整」 too: said as several lists not supported, with the nesting that means the same for
  ``some``/``every``.
- Camunda 8's ``fromAi(toolCall.industry, "行业")`` in a FEEL input mapping was told to write
  ``${...}`` (JUEL): a FEEL mapping is told FEEL (its value is the first argument: ``=toolCall.industry``),
  and any FEEL mapping with no known equivalent gets the FEEL rule, never ``${...}``.

Models as Camunda Modeler draws them for Camunda 8 (tests/bpmn/interop/zeebe_literal_collection.bpmn,
changed in one attribute); real engine, SQLite file.
"""
from __future__ import annotations

import pytest

from engine import InvalidModel
from tests.interop_support import CORPUS
from tests.support import make_engine

DRAWN = (CORPUS / "zeebe_literal_collection.bpmn").read_text(encoding="utf-8")
COLLECTION = 'inputCollection="=[1,2,3]"'
MAPPING = '<zeebe:input source="= industry + &#34;行业&#34;" target="industryName" />'


@pytest.fixture
def engine(sqlite_url):
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


def _refused(engine, xml: str) -> str:
    with pytest.raises(InvalidModel) as err:
        engine.deploy(xml, by="boss", filename="zeebe_literal_collection.bpmn")
    errors = [p for p in err.value.problems if p["severity"] == "error"]
    assert len(errors) == 1, errors
    return errors[0]["message"]


@pytest.mark.parametrize("written, source, listed", [
    ("=for i in [1..3] return i", "[1..3]", "=[1, 2, 3]"),
])
def test_a_range_walked_item_by_item_is_said_unsupported_with_the_list_to_write(engine, written, source, listed):
    """A range in brackets is a range literal (a test's); a bare ``1..3`` is walked since session 23
    (tests/test_vendor_gaps_s23.py)."""
    message = _refused(engine, DRAWN.replace(COLLECTION, f'inputCollection="{written}"'))
    assert "分组复核" in message and "多实例集合" in message, message
    assert "写法不完整" not in message, message
    assert f"不支持对范围「{source}」逐一取值" in message, message
    assert f"请直接写出列表，如「{listed}」" in message and "放在流程数据中" in message, message


@pytest.mark.parametrize("collection, mapping", [
    ("=for i in 1..3 return i", None), ("=for n in 1 .. 5 return n", None), ("=for i in first..last return i", None),
    (None, '<zeebe:input source="=some g in 1..3 satisfies g &gt; 1" target="industryName" />'),
])
def test_a_bare_range_walked_item_by_item_deploys(engine, collection, mapping):
    """Session 23: ``for i in 1..3``, ``first..last`` and ``some g in 1..3`` are walked number by
    number (DMN 1.3 §10.3.2.7) as Zeebe walks them, no longer refused."""
    xml = DRAWN.replace(COLLECTION, f'inputCollection="{collection}"') if collection else DRAWN
    engine.deploy(xml.replace(MAPPING, mapping) if mapping else xml, by="boss", filename="zeebe_literal_collection.bpmn")


def test_the_range_written_as_a_test_and_a_list_still_deploy(engine):
    """What the refusal advises deploys: the list written out, a loop over it, a range as a test."""
    xml = DRAWN.replace(COLLECTION, 'inputCollection="=[1, 2, 3]"').replace(
        MAPPING, '<zeebe:input source="=if count(for g in [1, 2, 3] return g * 10) in [1..3] then industry else '
                 '&#34;工贸&#34;" target="industryName" />')
    assert engine.deploy(xml, by="boss", filename="zeebe_literal_collection.bpmn") is not None


def test_from_ai_in_a_feel_mapping_is_told_its_feel_equivalent_not_juel(engine):
    xml = DRAWN.replace(MAPPING, '<zeebe:input source="=fromAi(toolCall.industry, &#34;行业&#34;)" target="industryName" />')
    message = _refused(engine, xml)
    assert "行业检查" in message and "fromAi" in message, message
    assert "${" not in message, message
    assert "请改写为 FEEL：=toolCall.industry" in message, message


def test_a_feel_mapping_with_no_known_equivalent_gets_the_feel_rule_not_juel(engine):
    xml = DRAWN.replace(MAPPING, '<zeebe:input source="=week of year(ctx)" target="industryName" />')  # (get value runs: probe 13; day of week: probe 14)
    message = _refused(engine, xml)
    assert "${" not in message and "「week of year(...)」" in message, message
    assert "以 = 开头的简单 FEEL 表达式" in message and "=amount &gt; 10000".replace("&gt;", ">") in message, message


@pytest.mark.parametrize("written, said", [
    ("=some x in limits, y in amounts satisfies y &gt; x",
     "请改写为嵌套：some x in limits satisfies (some y in amounts satisfies …)"),
    ("=every x in limits, y in amounts satisfies y &gt; x",
     "请改写为嵌套：every x in limits satisfies (every y in amounts satisfies …)"),
    ("=for x in limits, y in amounts return x + y", "请由脚本任务把要逐一处理的组合算成一个列表存入流程变量"),
])
def test_several_lists_in_one_loop_are_said_unsupported_not_incomplete(engine, written, said):
    xml = DRAWN.replace(MAPPING, f'<zeebe:input source="{written}" target="industryName" />')
    message = _refused(engine, xml)
    assert "写法不完整" not in message and "${" not in message, message
    assert "同时逐一取多个列表（「x in …, y in …」）" in message and said in message, message


def test_the_nested_writing_advised_deploys(engine):
    xml = DRAWN.replace(MAPPING, '<zeebe:input source="=some x in [1, 2] satisfies (some y in [2, 3] satisfies y &gt; x)" '
                                 'target="industryName" />')
    assert engine.deploy(xml, by="boss", filename="zeebe_literal_collection.bpmn") is not None
