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

from engine.step import encode_data, jsonable

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


class _Code(int):
    pass


class _Name(str):
    pass


@pytest.mark.parametrize("value", [
    {"备注": "基准测试", "意见": "同意", "人数": 12, "重大隐患": True, "附件": None, "罚款": -5000000},
    {"大": 2 ** 64, "负": -(2 ** 63) - 1, "极大": 10 ** 40, "零": 0},  # integers of any size
    {}, {"比例": 0.35}, {"罚款": 1e16}, {"小": 1e-7}, {"非数": float("nan")},  # floats: json's form
    {"明细": ["一", "二"]}, {"下级": {"序号": 1}}, {1: "第一项"}, {True: "是"}, {None: "空"},
    {"编号": _Code(7)}, {"名称": _Name("某某")}, {_Name("键"): "值"},  # subclasses: json's form
    {"日期": date(2026, 12, 3)}, {"时间": datetime(2026, 12, 3, 9, 30, tzinfo=SHANGHAI)}, {"金额": Decimal("1.50")},
    {"坏": "\ud800"}, {"\udfff": "坏"},  # a lone surrogate: json writes it as it is
    ["张三", 1], "５,０００元", 7, None,
])
def test_data_text_is_what_json_writes(value):
    """``encode_data`` (the case row's data text, engine/step.py) writes what the json module writes
    with its options, whichever encoder it takes for the value."""
    assert encode_data(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def test_data_text_of_every_code_point_is_what_json_writes():
    """Every code point but the surrogates, in keys and in values, escaped (or not) as json does it:
    control characters, quotes, backslashes, U+2028, astral planes."""
    chars = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for start in range(0, len(chars), 4096):
        chunk = chars[start:start + 4096]
        value = {chunk: chunk, "键" + chunk[:7]: chunk[::-1]}
        assert encode_data(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
