"""Working-day arithmetic against the real chinese_calendar data (no mocks).

Holiday facts used below were checked against chinese-calendar 1.11.0:
* National Day 2026: Oct 1–7 off (Mid-autumn Sep 26–27 off as well);
  调休 working days Sunday 2026-09-20 and Saturday 2026-10-10.
* Spring Festival 2026: Feb 15–23 off; 调休 working days Saturday 2026-02-14
  and Saturday 2026-02-28.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from engine import workdays
from engine.workdays import is_workday, workdays_after, workdays_before, workdays_between

SHANGHAI = ZoneInfo("Asia/Shanghai")
FALLBACK_YEAR = 2031  # not in chinese-calendar 1.11.0


@pytest.fixture
def fresh_fallback_warnings():
    workdays._forget_fallback_warnings()
    yield
    workdays._forget_fallback_warnings()


class TestIsWorkday:
    @pytest.mark.parametrize("day", [date(2026, 9, 20), date(2026, 10, 10),
                                     date(2026, 2, 14), date(2026, 2, 28)])
    def test_tiaoxiu_weekend_days_are_workdays(self, day):
        assert day.weekday() >= 5
        assert is_workday(day)

    @pytest.mark.parametrize("day", [date(2026, 10, 1), date(2026, 10, 5), date(2026, 10, 7),
                                     date(2026, 2, 16), date(2026, 2, 23)])
    def test_statutory_holidays_on_weekdays_are_not_workdays(self, day):
        assert day.weekday() < 5
        assert not is_workday(day)

    def test_ordinary_days(self):
        assert is_workday(date(2026, 10, 8))  # Thursday after National Day
        assert not is_workday(date(2026, 10, 11))  # plain Sunday

    def test_aware_datetime_uses_the_shanghai_day(self):
        # 2026-09-27T18:00Z is Monday 2026-09-28 02:00 in Shanghai; Sep 27 is a holiday.
        assert is_workday(datetime(2026, 9, 27, 18, 0, tzinfo=timezone.utc))
        assert not is_workday(datetime(2026, 9, 27, 15, 0, tzinfo=timezone.utc))

    def test_naive_datetime_is_taken_as_shanghai_wall_time(self):
        assert not is_workday(datetime(2026, 9, 27, 18, 0))

    def test_rejects_non_dates(self):
        with pytest.raises(TypeError):
            is_workday("2026-10-08")


class TestWorkdaysAfter:
    def test_across_national_day_counts_the_tiaoxiu_saturday(self):
        assert workdays_after(date(2026, 9, 28), 10) == date(2026, 10, 16)

    def test_across_a_tiaoxiu_saturday(self):
        # Fri Oct 9 -> Sat Oct 10 (调休) is the next working day, then Mon Oct 12.
        assert workdays_after(date(2026, 10, 9), 1) == date(2026, 10, 10)
        assert workdays_after(date(2026, 10, 9), 2) == date(2026, 10, 12)

    def test_tiaoxiu_sunday_before_national_day(self):
        assert workdays_after(date(2026, 9, 18), 1) == date(2026, 9, 20)

    def test_across_spring_festival(self):
        # Fri Feb 13 -> Sat Feb 14 (调休), then the holiday Feb 15-23, then Tue Feb 24.
        assert workdays_after(date(2026, 2, 13), 1) == date(2026, 2, 14)
        assert workdays_after(date(2026, 2, 13), 2) == date(2026, 2, 24)
        assert workdays_after(date(2026, 2, 13), 6) == date(2026, 2, 28)

    def test_start_on_a_holiday(self):
        assert workdays_after(date(2026, 10, 3), 1) == date(2026, 10, 8)

    def test_zero_returns_start_unchanged(self):
        holiday = date(2026, 10, 1)
        assert workdays_after(holiday, 0) == holiday
        moment = datetime(2026, 10, 1, 9, 30, tzinfo=timezone.utc)
        assert workdays_after(moment, 0) is moment

    def test_date_in_date_out(self):
        result = workdays_after(date(2026, 9, 28), 1)
        assert type(result) is date

    def test_naive_datetime_keeps_time(self):
        result = workdays_after(datetime(2026, 9, 28, 17, 45, 12), 10)
        assert result == datetime(2026, 10, 16, 17, 45, 12)
        assert result.tzinfo is None

    def test_shanghai_datetime_keeps_time_and_tz(self):
        start = datetime(2026, 9, 28, 9, 0, tzinfo=SHANGHAI)
        result = workdays_after(start, 10)
        assert result == datetime(2026, 10, 16, 9, 0, tzinfo=SHANGHAI)
        assert result.tzinfo is SHANGHAI

    def test_utc_datetime_counts_on_the_shanghai_day(self):
        # 18:00Z on Sep 27 is already Monday Sep 28 in Shanghai: 10 working days later
        # is Oct 16 in Shanghai, i.e. 18:00Z on Oct 15, still in UTC.
        start = datetime(2026, 9, 27, 18, 0, tzinfo=timezone.utc)
        result = workdays_after(start, 10)
        assert result == datetime(2026, 10, 15, 18, 0, tzinfo=timezone.utc)
        assert result.tzinfo is timezone.utc
        assert result.astimezone(SHANGHAI).date() == date(2026, 10, 16)

    def test_negative_n_is_rejected(self):
        with pytest.raises(ValueError):
            workdays_after(date(2026, 9, 28), -1)

    def test_non_int_n_is_rejected(self):
        with pytest.raises(TypeError):
            workdays_after(date(2026, 9, 28), 1.5)


class TestWorkdaysBefore:
    def test_reminders_ten_and_three_days_before_deadline(self):
        deadline = date(2026, 10, 16)
        assert workdays_before(deadline, 10) == date(2026, 9, 28)
        assert workdays_before(deadline, 3) == date(2026, 10, 13)

    def test_across_spring_festival(self):
        assert workdays_before(date(2026, 2, 24), 1) == date(2026, 2, 14)
        assert workdays_before(date(2026, 2, 24), 2) == date(2026, 2, 13)

    def test_zero_and_datetime(self):
        deadline = datetime(2026, 10, 16, 17, 0, tzinfo=SHANGHAI)
        assert workdays_before(deadline, 0) is deadline
        # Oct 15, 14, 13, 12, then the 调休 Saturday Oct 10.
        assert workdays_before(deadline, 5) == datetime(2026, 10, 10, 17, 0, tzinfo=SHANGHAI)

    def test_inverse_of_after(self):
        start = date(2026, 9, 15)
        for n in range(0, 40):
            assert workdays_before(workdays_after(start, n), n) == start


class TestWorkdaysBetween:
    def test_across_national_day(self):
        assert workdays_between(date(2026, 9, 28), date(2026, 10, 16)) == 10

    def test_same_day_is_zero(self):
        assert workdays_between(date(2026, 10, 8), date(2026, 10, 8)) == 0

    def test_overdue_is_negative(self):
        assert workdays_between(date(2026, 10, 16), date(2026, 9, 28)) == -10

    def test_only_holidays_between(self):
        assert workdays_between(date(2026, 9, 30), date(2026, 10, 7)) == 0

    def test_consistent_with_after(self):
        start = date(2026, 2, 1)
        for n in range(0, 30):
            assert workdays_between(start, workdays_after(start, n)) == n

    def test_datetimes_compare_calendar_days_in_shanghai(self):
        a = datetime(2026, 9, 27, 18, 0, tzinfo=timezone.utc)  # Sep 28 in Shanghai
        b = datetime(2026, 9, 29, 23, 59, tzinfo=SHANGHAI)
        assert workdays_between(a, b) == 1


class TestFallbackYear:
    def test_uses_monday_to_friday(self, fresh_fallback_warnings):
        friday = date(FALLBACK_YEAR, 1, 3)
        assert friday.weekday() == 4
        assert is_workday(friday)
        assert not is_workday(friday + timedelta(days=1))
        assert workdays_after(friday, 1) == date(FALLBACK_YEAR, 1, 6)
        assert workdays_between(friday, date(FALLBACK_YEAR, 1, 31)) == 20

    def test_warns_once_per_year(self, fresh_fallback_warnings, caplog):
        caplog.set_level(logging.WARNING, logger="duban.workdays")
        workdays_after(date(FALLBACK_YEAR, 3, 2), 60)
        is_workday(date(FALLBACK_YEAR, 12, 31))
        is_workday(date(FALLBACK_YEAR + 1, 1, 1))
        messages = [r.getMessage() for r in caplog.records if r.name == "duban.workdays"]
        assert len(messages) == 2
        assert str(FALLBACK_YEAR) in messages[0]
        assert str(FALLBACK_YEAR + 1) in messages[1]
        assert all(r.levelno == logging.WARNING for r in caplog.records)

    def test_known_year_does_not_warn(self, fresh_fallback_warnings, caplog):
        caplog.set_level(logging.WARNING, logger="duban.workdays")
        workdays_after(date(2026, 1, 5), 100)
        assert not caplog.records

    def test_crossing_into_an_unknown_year(self, fresh_fallback_warnings, caplog):
        caplog.set_level(logging.WARNING, logger="duban.workdays")
        last_known_year = max(day.year for day in chinese_calendar.holidays)
        result = workdays_after(date(last_known_year, 12, 31), 1)
        assert result.year == last_known_year + 1 and result.weekday() < 5
        assert len(caplog.records) == 1


def test_whether_a_year_is_known_is_asked_of_chinese_calendar_once_a_year(monkeypatch):
    """A task list shows 50 deadlines and asks for each whether its year is provisional; each
    chinese-calendar lookup costs ~80 µs (it checks the date against its whole range), 4 ms a page."""
    asked = []
    real = chinese_calendar.is_workday
    monkeypatch.setattr(chinese_calendar, "is_workday", lambda d: asked.append(d) or real(d))
    workdays._calendar_knows.cache_clear()
    try:
        answers = [workdays.is_provisional(datetime(year, 3, day, tzinfo=timezone.utc))
                   for year in (2026, FALLBACK_YEAR) for day in range(1, 26)]
    finally:
        workdays._calendar_knows.cache_clear()
    assert answers == [False] * 25 + [True] * 25
    assert len(asked) == 2


def test_every_day_chinese_calendar_holds_is_a_working_day_exactly_when_it_says_so():
    """is_workday reads chinese-calendar's tables itself (its lookups cost ~60 µs each)."""
    day, last = date(min(chinese_calendar.holidays).year, 1, 1), date(max(chinese_calendar.holidays).year, 12, 31)
    while day <= last:
        assert is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_a_deadline_in_working_days_asks_chinese_calendar_at_most_once_a_year(monkeypatch):
    asked = []
    real = chinese_calendar.is_workday
    monkeypatch.setattr(chinese_calendar, "is_workday", lambda d: asked.append(d) or real(d))
    workdays._calendar_knows.cache_clear()
    try:
        assert workdays_after(date(2026, 9, 28), 10) == date(2026, 10, 16)
    finally:
        workdays._calendar_knows.cache_clear()
    assert len(asked) <= 1
