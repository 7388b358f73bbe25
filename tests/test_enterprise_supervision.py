"""Inspection frequency by risk level (分级分类监管): configuration, not code."""
import datetime as dt

import pytest

from workflows.enterprises.supervision import DEFAULT_INTERVALS, intervals, next_inspection_due
from workflows.enterprises.terms import RiskLevel

TODAY = dt.date(2026, 6, 15)


@pytest.mark.parametrize("level,expected", [
    ("红", dt.date(2026, 2, 10)), ("橙", dt.date(2026, 3, 10)),
    ("黄", dt.date(2026, 4, 10)), ("蓝", dt.date(2026, 7, 10)),
])
def test_default_frequencies(level, expected):
    assert next_inspection_due(level, dt.date(2026, 1, 10), TODAY) == expected


def test_month_ends_clamp_instead_of_skipping_a_month():
    assert next_inspection_due(RiskLevel.RED, dt.date(2026, 1, 31), TODAY) == dt.date(2026, 2, 28)
    assert next_inspection_due(RiskLevel.YELLOW, dt.date(2027, 11, 30), TODAY) == dt.date(2028, 2, 29)


def test_never_inspected_is_due_today_and_ungraded_has_no_schedule():
    assert next_inspection_due("蓝", None, TODAY) == TODAY
    assert next_inspection_due(None, dt.date(2026, 1, 10), TODAY) is None


def test_overrides_by_chinese_name_or_enum():
    merged = intervals({"红": 2, RiskLevel.BLUE: 12})
    assert merged == {**DEFAULT_INTERVALS, RiskLevel.RED: 2, RiskLevel.BLUE: 12}
    assert next_inspection_due("蓝", dt.date(2026, 1, 10), TODAY, {"蓝": 12}) == dt.date(2027, 1, 10)
    assert DEFAULT_INTERVALS[RiskLevel.RED] == 1  # the defaults are not modified
    with pytest.raises(ValueError, match="至少为1个月"):
        intervals({"红": 0})
    with pytest.raises(ValueError):
        intervals({"紫": 1})
