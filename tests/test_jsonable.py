"""``step.jsonable``: what a form, a message or a signal carries, as JSON gives it back — the copy the
engine keeps in audit details, incident payloads and drafts (engine/step.py). Plain values (text keys,
lists, JSON's scalars) are copied without a JSON round trip; anything else goes through JSON. Either way
the result is what ``json.loads(json.dumps(value, default=str))`` would give, and never shares a list
or dict with the value (the caller may change its form afterwards)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from engine.step import jsonable

SHANGHAI = timezone(timedelta(hours=8))


def _as_json(value):
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _nested(depth: int):
    value: dict = {"层级": depth, "隐患": ["消防通道堵塞", "应急照明损坏"], "罚款": 5000000.0, "已整改": False}
    for level in range(depth):
        value = {"下级": value, "序号": level, "备注": None}
    return value


@pytest.mark.parametrize("value", [
    {"企业名称": "某某化工有限公司", "罚款金额": "5,000,000", "人数": 12, "比例": 0.35, "重大隐患": True, "附件": None,
     "检查记录": [{"项目": "消防通道", "结果": "堵塞"}, {"项目": "应急照明", "结果": "正常", "数量": ["１", 2]}]},
    ["张三", ["李四", {"王五": []}], {}],
    _nested(19), _nested(20), _nested(21), _nested(40),  # a plain copy on either side of its depth bound
    "５,０００元", 0, 3.5, False,
], ids=["form", "lists", "deep19", "deep20", "deep21", "deep40", "text", "zero", "float", "false"])
def test_plain_values_come_back_equal_and_share_nothing_with_what_was_given(value):
    copied = jsonable(value)
    assert copied == value == _as_json(value)
    if isinstance(value, (dict, list)):
        assert copied is not value
        stack = [(copied, value)]
        while stack:  # no dict or list of the result is one of the value's
            mine, theirs = stack.pop()
            assert mine is not theirs
            pairs = zip(mine.values(), theirs.values()) if isinstance(mine, dict) else zip(mine, theirs)
            stack += [(m, t) for m, t in pairs if isinstance(m, (dict, list))]


def test_what_json_has_no_form_for_comes_back_as_json_gives_it():
    """Dates and Decimals as their text, tuples as lists, number keys as text keys — also inside a
    value that is otherwise plain (mutation testing: a dict whose keys are not text taken as plain,
    or the JSON round trip skipped, kept them as they were)."""
    value = {"检查日期": date(2026, 12, 3), "送达时间": datetime(2026, 12, 3, 9, 30, tzinfo=SHANGHAI),
             "罚款": Decimal("5000000.00"), "坐标": (116.4, 39.9),
             "明细": [{1: "第一项", 2: "第二项"}, {"序号": (1, 2)}]}
    assert jsonable(value) == {"检查日期": "2026-12-03", "送达时间": "2026-12-03 09:30:00+08:00",
                               "罚款": "5000000.00", "坐标": [116.4, 39.9],
                               "明细": [{"1": "第一项", "2": "第二项"}, {"序号": [1, 2]}]}
    assert jsonable({3: "三"}) == {"3": "三"} and jsonable([(1, "一")]) == [[1, "一"]]
    assert jsonable(None) is None


def test_a_value_that_holds_itself_is_refused_as_json_refuses_it():
    looped: dict = {"名称": "循环"}
    looped["自身"] = [looped]
    with pytest.raises(ValueError, match="Circular reference"):
        jsonable(looped)
