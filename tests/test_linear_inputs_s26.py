"""Large typed input costs time in proportion to its size (issue 15's robustness leftovers).

- A FEEL context of 20,000 entries (a designer's lookup table in a Zeebe output mapping): the
  translator looked for the earlier entries an entry reads by going over every earlier key, for
  every entry (engine/expressions._feel_context), 6 s of CPU for the translation alone and 10.6 s
  for the whole deploy; now 0.8 s and 4.7 s. The bound is three times the figure after.
- The 放假调休 notice an administrator types (workflows/calendar.parse_days): blanks on either side
  of 日 and 至 split a run of blanks every which way before the pattern failed (0.13 s at 4,000
  blanks, about 80 s at 100 kB); a run of blanks is now one blank. The refusal names the field.
"""
from __future__ import annotations

import datetime as dt

import pytest

from engine import expressions
from tests.support import thread_cpu
from workflows import calendar

FEEL_AFTER = 0.85  # thread CPU seconds of the translation below after the change (load 9); 6.0 before


def test_a_feel_context_of_20000_entries_translates_in_linear_time():
    text = "={" + ", ".join(f"k{i}: level{i % 7}" for i in range(20_000)) + ", 合计: k0}"
    with thread_cpu() as spent:
        python = expressions.translate(text)
    assert spent.seconds < 3 * FEEL_AFTER
    assert python.startswith("{'k0': level0, 'k1': level1, ") and python.endswith("'k19999': level0, '合计': level0}")


def test_a_context_entry_reading_earlier_ones_names_the_first_it_reads():
    with pytest.raises(expressions.Untranslatable) as refused:
        expressions.translate("={a: 1, b: 2, c: for x in [1] return b + a + x}")
    assert "引用了前面的项「a」" in str(refused.value)


def test_100_kb_of_blanks_in_a_holiday_notice_is_refused_at_once_naming_the_field():
    text = "2027-10-01" + " " * 100_000 + "x"
    with thread_cpu() as spent, pytest.raises(ValueError) as refused:
        calendar.parse_days(text, "法定节假日")
    assert spent.seconds < 0.5  # 0.003 s after; about 80 s before (0.13 s at 4,000 blanks, quadratic)
    assert str(refused.value) == "法定节假日中无法识别的日期：2027-10-01 x（应为 2027-10-01 或 2027-10-01至2027-10-07）"


def test_100_kb_of_typed_days_and_ranges_parse_in_linear_time():
    text = "２０２７年１０月１日　　至　　2027年10月7日、" * 3_000 + "2027-01-01\n" * 2_000
    assert len(text.encode()) > 100_000
    with thread_cpu() as spent:
        days = calendar.parse_days(text, "法定节假日")
    assert spent.seconds < 1.0  # 0.07 s after
    assert len(days) == 7 * 3_000 + 2_000 and set(days) == {dt.date(2027, 1, 1)} | {
        dt.date(2027, 10, d) for d in range(1, 8)}


@pytest.mark.parametrize("field, typed, said", [
    ("法定节假日", "2027-01-01至9999-12-31", "法定节假日中日期范围过长：2027-01-01至9999-12-31（一段假期不超过366天，请逐段填写）"),
    ("调休上班日", "2027-02-30", "调休上班日中不是有效的日期：2027-02-30"),
    ("法定节假日", "2027-10-07至2027-10-01", "法定节假日中日期范围颠倒：2027-10-07至2027-10-01"),
    ("调休上班日", "2027-10-09" + "x" * 500, "调休上班日中无法识别的日期：2027-10-09" + "x" * 70 + "…（应为 2027-10-01 或 2027-10-01至2027-10-07）"),
])
def test_a_bad_day_is_refused_naming_the_field_and_quoting_at_most_80_characters(field, typed, said):
    with thread_cpu() as spent, pytest.raises(ValueError) as refused:
        calendar.parse_days(typed, field)
    assert str(refused.value) == said and spent.seconds < 0.5  # the long range: not 2.9 million days made
