"""ISO 8601 timer values: parsing, calendar arithmetic and timer plans (no mocks)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from engine.timeexpr import (
    Cycle,
    Duration,
    TimerExpressionError,
    TimerPlan,
    looks_like_iso_literal,
    parse_cycle,
    parse_datetime,
    parse_duration,
    plan_timer,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def said(info, text: str | None, hint: str = "请") -> None:
    """The refusal names the text as written (「…」) and says what to write instead (请填写…), in
    Chinese: outside the quoted texts no run of three Latin letters, the rule the incident page reads
    a message by (webui/labels.engine_message) — the examples (P1Y2M3DT4H, R3/PT1H) pass it."""
    message = str(info.value)
    assert text is None or f"「{text.strip()}」" in message, message
    assert hint in message, message
    import re
    assert not re.search(r"[A-Za-z_]{3,}", re.sub(r"「[^」]*」", "", message)), message


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------- durations

class TestParseDuration:
    @pytest.mark.parametrize("text, expected", [
        ("P10D", Duration(days=10)),
        ("PT36H", Duration(hours=36)),
        ("P1Y2M3DT4H5M6S", Duration(years=1, months=2, days=3, hours=4, minutes=5, seconds=6)),
        ("P2W", Duration(weeks=2)),
        ("P1M", Duration(months=1)),
        ("PT1M", Duration(minutes=1)),
        ("PT0S", Duration()),
        ("PT1.5H", Duration(hours=1.5)),
        ("P1,5D", Duration(days=1.5)),
        ("P1DT0.25S", Duration(days=1, seconds=0.25)),
        ("p10d", Duration(days=10)),
    ])
    def test_valid_forms(self, text, expected):
        assert parse_duration(text) == expected

    @pytest.mark.parametrize("text", ['"P10D"', "'P10D'", "  P10D  ", ' " P10D " '])
    def test_quoted_and_padded(self, text):
        assert parse_duration(text) == Duration(days=10)

    @pytest.mark.parametrize("text", [
        "", "P", "PT", "P1DT", "10D", "P10", "P-1D", "PT1H30", "P1D2Y", "P1.5Y", "P0.5M",
        "P1.5DT2H", "R3/P1D", "2026-12-01", "P10D'", "\"P10D'", "P1H",
    ])
    def test_bad_input_names_the_text(self, text):
        with pytest.raises(TimerExpressionError) as info:
            parse_duration(text)
        said(info, text)

    def test_error_is_a_value_error(self):
        with pytest.raises(ValueError):
            parse_duration("ten days")

    def test_isoformat_round_trips(self):
        for text in ["P10D", "PT36H", "P1Y2M3DT4H5M6S", "P2W", "PT1.5H", "PT0S"]:
            assert parse_duration(text).isoformat() == text
            assert str(parse_duration(text)) == text

    def test_from_timedelta(self):
        d = Duration.from_timedelta(timedelta(days=2, hours=3, microseconds=500_000))
        assert d.fixed_part() == timedelta(days=2, hours=3, microseconds=500_000)
        with pytest.raises(ValueError):
            Duration.from_timedelta(timedelta(days=-1))


class TestDurationValues:
    def test_fractional_months_are_rejected(self):
        with pytest.raises(ValueError):
            Duration(months=1.5)

    def test_negative_fields_are_rejected(self):
        with pytest.raises(ValueError):
            Duration(days=-1)

    def test_frozen(self):
        with pytest.raises(AttributeError):
            Duration(days=1).days = 2

    def test_scaled(self):
        assert Duration(months=1, days=2).scaled(3) == Duration(months=3, days=6)


class TestDurationArithmetic:
    @pytest.mark.parametrize("start, text, expected", [
        (datetime(2026, 1, 31), "P1M", datetime(2026, 2, 28)),
        (datetime(2024, 1, 31), "P1M", datetime(2024, 2, 29)),
        (datetime(2026, 3, 31), "P1M", datetime(2026, 4, 30)),
        (datetime(2024, 2, 29), "P1Y", datetime(2025, 2, 28)),
        (datetime(2026, 1, 31), "P1M1D", datetime(2026, 3, 1)),
        (datetime(2026, 12, 31, 9, 0), "P2M", datetime(2027, 2, 28, 9, 0)),
        (datetime(2026, 1, 1, 9, 0), "PT36H", datetime(2026, 1, 2, 21, 0)),
        (datetime(2026, 1, 1), "P2W", datetime(2026, 1, 15)),
        (datetime(2026, 1, 1), "P1Y2M3DT4H5M6S", datetime(2027, 3, 4, 4, 5, 6)),
    ])
    def test_add_to(self, start, text, expected):
        assert parse_duration(text).add_to(start) == expected

    @pytest.mark.parametrize("start, text, expected", [
        (datetime(2026, 3, 31), "P1M", datetime(2026, 2, 28)),
        (datetime(2026, 3, 1), "P1D", datetime(2026, 2, 28)),
        (datetime(2026, 1, 2, 21, 0), "PT36H", datetime(2026, 1, 1, 9, 0)),
        (datetime(2025, 2, 28), "P1Y", datetime(2024, 2, 28)),
    ])
    def test_subtract_from(self, start, text, expected):
        assert parse_duration(text).subtract_from(start) == expected

    def test_keeps_tzinfo(self):
        result = parse_duration("P1M").add_to(sh(2026, 1, 31, 9, 0))
        assert result == sh(2026, 2, 28, 9, 0)
        assert result.tzinfo is SHANGHAI


# --------------------------------------------------------------------------- date-times

class TestParseDatetime:
    def test_with_offset(self):
        result = parse_datetime("2026-12-01T09:00:00+08:00")
        assert result == utc(2026, 12, 1, 1, 0)
        assert result.utcoffset() == timedelta(hours=8)

    def test_utc_z(self):
        result = parse_datetime("2026-12-01T09:00:00Z")
        assert result == utc(2026, 12, 1, 9, 0)

    def test_naive_is_shanghai(self):
        result = parse_datetime("2026-12-01T09:00:00")
        assert result == utc(2026, 12, 1, 1, 0)
        assert result.tzinfo is SHANGHAI

    def test_bare_date_is_midnight_in_shanghai(self):
        result = parse_datetime("2026-12-01")
        assert result == sh(2026, 12, 1, 0, 0)
        assert result == utc(2026, 11, 30, 16, 0)

    @pytest.mark.parametrize("text", ['"2026-12-01T09:00:00+08:00"', "'2026-12-01T09:00:00+08:00'",
                                      " 2026-12-01T09:00:00+08:00 "])
    def test_quoted(self, text):
        assert parse_datetime(text) == utc(2026, 12, 1, 1, 0)

    def test_fractional_seconds(self):
        assert parse_datetime("2026-12-01T09:00:00.5Z") == utc(2026, 12, 1, 9, 0, 0, 500_000)

    @pytest.mark.parametrize("text", ["", "tomorrow", "P1D", "2026-13-01", "2026-12-01T25:00",
                                      "09:00", "2026-12-01T09:00:00+08:00/P1D", "due_date"])
    def test_bad_input_names_the_text(self, text):
        with pytest.raises(TimerExpressionError) as info:
            parse_datetime(text)
        said(info, text)


# --------------------------------------------------------------------------- cycles

class TestParseCycle:
    def test_count_and_interval(self):
        assert parse_cycle("R3/P7D") == Cycle(3, Duration(days=7))

    def test_unbounded(self):
        assert parse_cycle("R/P1D") == Cycle(None, Duration(days=1))

    def test_with_start(self):
        cycle = parse_cycle("R3/2026-12-01T09:00:00+08:00/P1D")
        assert cycle == Cycle(3, Duration(days=1), start=sh(2026, 12, 1, 9, 0))

    def test_with_end(self):
        cycle = parse_cycle("R2/P1D/2026-12-31T00:00:00+08:00")
        assert cycle == Cycle(2, Duration(days=1), end=sh(2026, 12, 31))

    def test_start_and_end_gives_interval(self):
        cycle = parse_cycle("R4/2026-12-01T09:00:00+08:00/2026-12-01T21:00:00+08:00")
        assert cycle.repetitions == 4
        assert cycle.start == sh(2026, 12, 1, 9, 0)
        assert cycle.interval.fixed_part() == timedelta(hours=12)
        assert cycle.end is None

    def test_naive_start_is_shanghai(self):
        assert parse_cycle("R/2026-12-01T09:00/PT12H").start == sh(2026, 12, 1, 9, 0)

    @pytest.mark.parametrize("text", ['"R3/P7D"', "'R3/P7D'", " R3/P7D ", "r3/p7d"])
    def test_quoted_and_lowercase(self, text):
        assert parse_cycle(text) == Cycle(3, Duration(days=7))

    @pytest.mark.parametrize("text", [
        "P7D", "R3", "R3/", "R0/P1D", "R-1/P1D", "X3/P1D", "R3/P1D/P2D", "R3/P1D/soon",
        "R/PT0S", "R3/2026-12-01T09:00:00+08:00", "R3/2026-12-02/2026-12-01",
        "R3/P1D/2026-12-31/P1D", "0 0 9 * * ?", "R3/P7X",
    ])
    def test_bad_input_names_the_text(self, text):
        with pytest.raises(TimerExpressionError) as info:
            parse_cycle(text)
        said(info, text)

    def test_cycle_rejects_naive_bounds(self):
        with pytest.raises(ValueError):
            Cycle(3, Duration(days=1), start=datetime(2026, 12, 1))


# --------------------------------------------------------------------------- plans

class TestPlanDate:
    def test_text(self):
        plan = plan_timer("date", "2026-12-01T09:00:00+08:00", NOW)
        assert plan == TimerPlan(due=utc(2026, 12, 1, 1, 0), remaining=0, interval=None)
        assert plan.due.tzinfo is UTC
        assert plan.next() is None

    @pytest.mark.parametrize("text", ['"2026-12-01"', "'2026-12-01'", "2026-12-01"])
    def test_quoted_and_bare_date(self, text):
        assert plan_timer("date", text, NOW).due == utc(2026, 11, 30, 16, 0)

    def test_aware_datetime_value(self):
        assert plan_timer("date", utc(2026, 12, 1, 9, 0), NOW).due == utc(2026, 12, 1, 9, 0)

    def test_naive_datetime_value_is_shanghai(self):
        assert plan_timer("date", datetime(2026, 12, 1, 9, 0), NOW).due == utc(2026, 12, 1, 1, 0)

    def test_date_value_is_midnight_shanghai(self):
        assert plan_timer("date", date(2026, 12, 1), NOW).due == utc(2026, 11, 30, 16, 0)

    def test_past_date_is_returned_as_is(self):
        assert plan_timer("date", "2026-01-01T00:00:00Z", NOW).due == utc(2026, 1, 1)

    def test_wrong_value_type(self):
        with pytest.raises(TimerExpressionError):
            plan_timer("date", timedelta(days=1), NOW)
        with pytest.raises(TimerExpressionError) as info:
            plan_timer("date", "P10D", NOW)
        said(info, "P10D", "请填写到期时间")


class TestPlanDuration:
    @pytest.mark.parametrize("value", ["P10D", '"P10D"', "'P10D'", timedelta(days=10),
                                       Duration(days=10)])
    def test_ten_days_in_every_spelling(self, value):
        plan = plan_timer("duration", value, NOW)
        assert plan.due == NOW + timedelta(days=10)
        assert plan.remaining == 0 and plan.interval is None
        assert plan.due.tzinfo is UTC

    def test_hours(self):
        assert plan_timer("duration", "PT36H", NOW).due == utc(2026, 11, 21, 14, 0)

    def test_months_follow_the_shanghai_calendar(self):
        # 20:00Z on Feb 28 is already 04:00 on Mar 1 in Shanghai; one month later is
        # Apr 1 04:00 Shanghai. Counting on the UTC calendar would give Mar 28.
        now = utc(2026, 2, 28, 20, 0)
        assert plan_timer("duration", "P1M", now).due == utc(2026, 3, 31, 20, 0)

    def test_month_end_clamps(self):
        now = sh(2026, 1, 31, 9, 0)
        assert plan_timer("duration", "P1M", now).due == sh(2026, 2, 28, 9, 0)

    def test_now_in_another_zone(self):
        now = datetime(2026, 11, 20, 3, 0, tzinfo=ZoneInfo("Europe/Berlin"))
        assert plan_timer("duration", "PT1H", now).due == utc(2026, 11, 20, 3, 0)

    def test_negative_timedelta_is_rejected(self):
        with pytest.raises(TimerExpressionError):
            plan_timer("duration", timedelta(days=-1), NOW)

    def test_bad_text_names_it(self):
        with pytest.raises(TimerExpressionError) as info:
            plan_timer("duration", "ten days", NOW)
        said(info, "ten days", "请填写时长，如 P5D（5 天）")

    def test_overflow_becomes_timer_error(self):
        with pytest.raises(TimerExpressionError):
            plan_timer("duration", "P99999Y", NOW)

    def test_wrong_value_type(self):
        for value in (None, 10, utc(2026, 12, 1)):
            with pytest.raises(TimerExpressionError):
                plan_timer("duration", value, NOW)


class TestPlanArguments:
    def test_naive_now_is_rejected(self):
        with pytest.raises(ValueError, match="aware"):
            plan_timer("duration", "P1D", datetime(2026, 11, 20, 10, 0))

    def test_unknown_kind(self):
        with pytest.raises(ValueError, match="kind"):
            plan_timer("cron", "0 9 * * *", NOW)


class TestPlanCycle:
    def test_bounded_counts_down_to_none(self):
        plan = plan_timer("cycle", "R3/P7D", NOW)
        seen = []
        while plan is not None:
            seen.append((plan.due, plan.remaining))
            plan = plan.next()
        assert seen == [(NOW + timedelta(days=7), 2),
                        (NOW + timedelta(days=14), 1),
                        (NOW + timedelta(days=21), 0)]

    def test_unbounded_keeps_going(self):
        plan = plan_timer("cycle", '"R/P1D"', NOW)
        for k in range(1, 50):
            assert plan.remaining is None
            assert plan.interval == Duration(days=1)
            assert plan.due == NOW + timedelta(days=k)
            plan = plan.next()

    def test_with_future_start(self):
        plan = plan_timer("cycle", "R3/2026-12-01T09:00:00+08:00/P1D", NOW)
        assert (plan.due, plan.remaining) == (utc(2026, 12, 1, 1, 0), 2)
        assert plan.next().due == utc(2026, 12, 2, 1, 0)

    def test_with_end_stops_there(self):
        now = sh(2026, 12, 28, 12, 0)
        plan = plan_timer("cycle", "R/P1D/2026-12-31T12:00:00+08:00", now)
        dues = []
        while plan is not None:
            dues.append(plan.due)
            plan = plan.next()
        assert dues == [sh(2026, 12, 29, 12), sh(2026, 12, 30, 12), sh(2026, 12, 31, 12)]

    def test_end_bounds_remaining(self):
        plan = plan_timer("cycle", "R2/P1D/2026-12-31T00:00:00+08:00", sh(2026, 12, 20))
        assert (plan.due, plan.remaining) == (sh(2026, 12, 21), 1)
        plan = plan_timer("cycle", "R/P1D/2026-12-31T00:00:00+08:00", sh(2026, 12, 20))
        assert plan.remaining == 10

    def test_monthly_cycle_does_not_drift(self):
        plan = plan_timer("cycle", "R4/2027-01-31T09:00:00+08:00/P1M", NOW)
        dues = []
        while plan is not None:
            dues.append(plan.due.astimezone(SHANGHAI).date())
            plan = plan.next()
        assert dues == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]

    def test_past_start_skips_missed_occurrences(self):
        plan = plan_timer("cycle", "R5/2026-11-18T09:00:00+08:00/P1D", NOW)
        # Nov 18 and 19 09:00 and Nov 20 09:00 (=01:00Z, before NOW) are past.
        assert (plan.due, plan.remaining, plan.index) == (utc(2026, 11, 21, 1, 0), 1, 3)

    def test_all_occurrences_past_fires_the_last_once(self):
        plan = plan_timer("cycle", "R3/2026-01-01T09:00:00+08:00/P1D", NOW)
        assert (plan.due, plan.remaining) == (sh(2026, 1, 3, 9, 0), 0)
        assert plan.next(NOW) is None

    def test_long_past_unbounded_start_is_fast(self):
        plan = plan_timer("cycle", "R/2000-01-01T00:00:00Z/PT1M", NOW)
        assert plan.due == NOW
        monthly = plan_timer("cycle", "R/2000-01-31T09:00:00+08:00/P1M", NOW)
        assert monthly.due == sh(2026, 11, 30, 9, 0)

    def test_next_with_now_skips_a_backlog(self):
        plan = plan_timer("cycle", "R10/P1D", NOW)
        later = NOW + timedelta(days=4, hours=1)  # engine was down for days
        following = plan.next(later)
        assert following.due == NOW + timedelta(days=5)
        assert following.remaining == 5
        assert plan.next().due == NOW + timedelta(days=2)

    def test_next_requires_aware_now(self):
        plan = plan_timer("cycle", "R10/P1D", NOW)
        with pytest.raises(ValueError):
            plan.next(datetime(2026, 12, 1))

    def test_cycle_value(self):
        cycle = Cycle(2, Duration(hours=12), start=sh(2026, 12, 1, 9, 0))
        plan = plan_timer("cycle", cycle, NOW)
        assert (plan.due, plan.remaining) == (sh(2026, 12, 1, 9, 0), 1)
        assert plan.next().due == sh(2026, 12, 1, 21, 0)
        assert plan.next().next() is None

    def test_cycle_that_never_fires(self):
        with pytest.raises(TimerExpressionError, match="一次也不会触发"):
            plan_timer("cycle", "R/P7D/2026-11-21T00:00:00Z", NOW)

    def test_wrong_value_type(self):
        with pytest.raises(TimerExpressionError):
            plan_timer("cycle", Duration(days=1), NOW)

    def test_bad_text_names_it(self):
        with pytest.raises(TimerExpressionError) as info:
            plan_timer("cycle", "every day", NOW)
        said(info, "every day", "请填写周期，如 R3/PT1H")


class TestTimerPlanStorage:
    def test_round_trip_through_json(self):
        plan = plan_timer("cycle", "R4/2027-01-31T09:00:00+08:00/P1M", NOW).next()
        stored = TimerPlan.from_dict(json.loads(json.dumps(plan.to_dict())))
        assert stored == plan
        assert stored.next().due == sh(2027, 3, 31, 9, 0)

    def test_single_round_trip(self):
        plan = plan_timer("duration", "PT36H", NOW)
        assert TimerPlan.from_dict(plan.to_dict()) == plan

    def test_due_is_normalised_to_utc(self):
        plan = TimerPlan(due=sh(2026, 12, 1, 9, 0))
        assert plan.due.tzinfo is UTC
        with pytest.raises(ValueError):
            TimerPlan(due=datetime(2026, 12, 1, 9, 0))


# --------------------------------------------------------------------------- literals

class TestLooksLikeIsoLiteral:
    @pytest.mark.parametrize("kind, text", [
        ("duration", "P10D"), ("duration", '"P10D"'), ("duration", "'PT36H'"),
        ("date", "2026-12-01"), ("date", '"2026-12-01T09:00:00+08:00"'),
        ("date", "2026-12-01T09:00:00Z"),
        ("cycle", "R3/P7D"), ("cycle", "'R/P1D'"),
        ("cycle", '"R2/P1D/2026-12-31T00:00:00+08:00"'),
    ])
    def test_literals(self, kind, text):
        assert looks_like_iso_literal(kind, text)

    @pytest.mark.parametrize("kind, text", [
        ("duration", "timedelta(days=3)"), ("duration", "deadline_days"),
        ("duration", "2026-12-01"), ("date", "due_date - timedelta(days=3)"),
        ("date", "P10D"), ("date", "case['deadline']"), ("cycle", "P7D"),
        ("cycle", "'R%d/P1D' % count"), ("duration", ""), ("duration", None),
        ("duration", Duration(days=1)), ("week", "P1W"),
    ])
    def test_expressions_and_junk(self, kind, text):
        assert not looks_like_iso_literal(kind, text)


class TestRefusalsAreChinese:
    """Every TimerExpressionError reaches a person (the designer's 校验, the API's deploy refusal, the
    CLI, an incident): each says in Chinese what was wrong and what to write instead."""

    @pytest.mark.parametrize("kind, value, quoted, hint", [
        ("date", timedelta(days=1), "P1D", "不是到期时间；请填写到期时间，如 2026-12-31T09:00:00+08:00"),
        ("duration", None, None, "空值（没有值），不是时长；请填写时长"),
        ("duration", 10, "10", "「10」（数字），不是时长；请填写时长"),
        ("duration", timedelta(days=-1), "-P1D", "时长不能为负（表达式得到 「-P1D」（时长））"),
        ("duration", "P99999Y", "P99999Y", "时长「P99999Y」（约 99,999 年）超过 100 年，定时器无法计时；请填写时长"),
        ("cycle", "R/P7000Y", "P7000Y", "周期的间隔「P7000Y」（约 7,000 年）超过 100 年，定时器无法计时；请填写周期"),
        ("cycle", "R999999999/PT1M", "R999999999/PT1M", "要约 1,901 年才触发完，超过 100 年；不限次数请不写次数"),
        ("cycle", "R-1/P1D", "R-1/P1D", "的「R-1」不是次数的写法；不限次数请不写次数"),
        ("duration", "P1.5M", "P1.5M", "中的年、月须为整数（一个月的天数不固定）；请改用天数，如 P45D"),
        ("duration", "PT1.5H30M", "PT1.5H30M", "中只有最后一个单位可以带小数；请改写，如 PT1H30M"),
        ("cycle", Duration(days=1), "P1D", "不是周期；请填写周期，如 R3/PT1H"),
        ("cycle", "R/PT0S", "R/PT0S", "周期的间隔为零，定时器会不停触发；请填写周期"),
        ("cycle", "R/PT10S", None, "周期定时器的间隔 PT10S 短于最小间隔 1 分钟；请填写至少 1 分钟的间隔，如 R/PT5M"),
        ("cycle", "R0/P1D", "R0/P1D", "的 R0 表示一次也不触发；请写 R1 或更多次"),
        ("cycle", "R3/P1D/P2D", "R3/P1D/P2D", "写了两个时长，缺少开始或结束时间；请写成 R3/P1D"),
        ("cycle", "R3/2026-12-02/2026-12-01", "2026-12-01", "不晚于开始时间「2026-12-02」；请把结束时间改到开始之后"),
        ("cycle", "R/P7D/2026-11-21T00:00:00Z", None, "一次也不会触发：第一次的时间 2026-11-27 10:00（北京时间） 晚于结束时间 2026-11-21 08:00（北京时间）"),
    ])
    def test_what_was_wrong_and_what_to_write(self, kind, value, quoted, hint):
        with pytest.raises(TimerExpressionError) as info:
            plan_timer(kind, value, NOW)
        said(info, quoted, hint)
