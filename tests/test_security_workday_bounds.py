"""Working-day helpers refuse a span no deadline has, before counting it in the host
(engine/workdays.py ``MAX_WORKDAYS``, ``MAX_SPAN_DAYS``).

Model code calls ``workdays_after``/``workdays_before``/``workdays_between`` in the host — directly
(engine/date_calls.py), as a host-safe helper of plain code, or called back by a worker — and each
day counted is a calendar look-up. A 期限天数 typed as 3000000 (a tired official's extra zeros, or
a designer's expression) held the host 9 s (2.4 s of its CPU) before the year 9999 ended the count
with an English OverflowError; ``workdays_between(受理日期, 9999-12-31)`` likewise. Now each is refused
at once in Chinese, naming the number or the two days; a real deadline (《安全生产违法行为行政处罚办法》
and 16号令 count in tens of 工作日) is counted as before.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from engine import ManualClock, workdays
from engine.evaluator import ModelCodeError
from engine.scripting import DubanScriptEngine
from tests.support import thread_cpu
from workflows.functions import FUNCTIONS


@pytest.fixture(scope="module")
def env():
    return DubanScriptEngine(ManualClock(datetime(2026, 11, 23, 1, tzinfo=timezone.utc)), dict(FUNCTIONS)).environment


@pytest.mark.parametrize("expression", ["workdays_after(d, n)", "workdays_before(d, n)", "workday_after(d, n)"])
def test_a_count_of_millions_of_working_days_is_refused_at_once_in_chinese(env, expression):
    with thread_cpu() as spent, pytest.raises(ModelCodeError) as raised:
        env.evaluate(expression, {"d": "2026-12-01", "n": 2_000_000})
    assert "工作日天数过大" in str(raised.value) and "2000000" in str(raised.value)
    assert spent.seconds < 0.5, spent.seconds


def test_working_days_between_a_typo_of_the_year_9999_is_refused_at_once(env):
    with thread_cpu() as spent, pytest.raises(ModelCodeError) as raised:
        env.evaluate("workdays_between(a, b)", {"a": "2026-12-01", "b": "9999-12-31"})
    assert "相隔超过 100 年" in str(raised.value) and "9999-12-31" in str(raised.value)
    assert spent.seconds < 0.5, spent.seconds


def test_real_deadlines_are_counted_as_before():
    # 10 working days after Monday 2026-09-28: the National Day holiday skipped, the 调休 Saturday counted
    assert workdays.workdays_after(date(2026, 9, 28), 10) == date(2026, 10, 16)
    assert workdays.workdays_between(date(2026, 9, 28), date(2026, 10, 16)) == 10
    assert workdays.workdays_after(date(2026, 1, 5), workdays.MAX_WORKDAYS).year < 2130  # the bound itself is counted
