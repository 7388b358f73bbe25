"""2027 on chinese-calendar 1.11.0 (fifth legal audit, 2026-12-07).

PyPI holds no chinese-calendar release after 1.11.0 (checked 2026-12-07 with ``pip index versions
chinese-calendar``: 1.11.0 latest, data through 2026), and the 国务院办公厅 notice for 2027 is not among the
stored pages searched. So a 工作日 period reaching 2027 is counted Monday–Friday less the fixed-day holidays
(《全国年节及纪念日放假办法》第二条: 元旦, 劳动节 1–2 May, 国庆节 1–3 October), and the administrator is told so in
Chinese, in the server's log and on the pages, rather than the engine failing. 《行政处罚法》第八十五条 makes the
short periods (5 working days to request a hearing, 应急管理部令第11号's 陈述申辩) working days.
"""
from __future__ import annotations

import datetime as dt
import logging

import pytest

from engine import workdays
from workflows import calendar


@pytest.fixture
def fresh_warnings():
    workdays.forget_year(2027)
    workdays._forget_fallback_warnings()
    yield
    workdays._forget_fallback_warnings()


def test_five_working_days_over_the_2027_spring_festival_warn_the_administrator_in_chinese_admin_penalty_law_art85(
        fresh_warnings, caplog):
    caplog.set_level(logging.WARNING, logger="duban.workdays")
    # served Thursday 2027-02-04; 春节 (正月初一 2027-02-06) is a lunar holiday the notice fixes, not yet known:
    # the count does not fail, it runs Monday–Friday and is marked provisional
    due = workdays.workdays_after(dt.date(2027, 2, 4), 5)
    assert due == dt.date(2027, 2, 11) and workdays.is_provisional(due)
    warnings = [r.getMessage() for r in caplog.records if r.name == "duban.workdays"]
    assert len(warnings) == 1
    said = warnings[0]
    assert "2027年放假调休安排尚未录入" in said and "节假日日历" in said and "春节" in said
    assert not any(word in said for word in ("Monday", "Upgrade", "holiday data", "State Council"))
    # the pages say it too, from today (2026-12-07) on
    notice = calendar.provisional_notice(dt.date(2026, 12, 7))
    assert notice is not None and notice.startswith("2027年放假调休安排尚未录入")


def test_five_working_days_over_2027_national_day_skip_the_fixed_holidays_holiday_measures_art2(fresh_warnings):
    # 2027-10-01 is a Friday: 1–3 October are off whatever the notice says (第二条), so five working days
    # after Thursday 09-30 are 10-04 … 10-08, not 10-01 … 10-07
    assert dt.date(2027, 10, 1).weekday() == 4
    assert workdays.workdays_after(dt.date(2027, 9, 30), 1) == dt.date(2027, 10, 4)
    assert workdays.workdays_after(dt.date(2027, 9, 30), 5) == dt.date(2027, 10, 8)
    # the day before the holiday is still a working day: served 09-29, the fifth is 10-06
    assert workdays.workdays_after(dt.date(2027, 9, 29), 5) == dt.date(2027, 10, 7)
    # 元旦 2027-01-01 (a Friday) likewise: 2026-12-31 + 1 working day is Monday 2027-01-04
    assert workdays.workdays_after(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)
