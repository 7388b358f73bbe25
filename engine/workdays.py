"""Working-day (工作日) arithmetic on the official Chinese calendar.

Supervision deadlines (督办期限) are set in working days, and the State Council's
annual holiday notice moves them around: 法定节假日 (statutory holidays such as
National Day or Spring Festival) are days off even on weekdays, and 调休
(make-up working days) turn some Saturdays and Sundays into working days.
Plain Monday–Friday counting would put deadlines on holidays and ignore 调休, so
every date here is checked against the ``chinese_calendar`` package.

That package only knows the years whose notice has been published. An
administrator enters a later year's 放假调休 notice as soon as the State Council
publishes it (``register_year``; stored and reloaded by ``workflows/calendar.py``).
For any year known to neither we fall back to Monday–Friday less the holidays on
fixed days (元旦, 劳动节 1–2 May, 国庆 1–3 October), log one warning per
year on the ``duban.workdays`` logger (for three years at most in a process, then one line more), and ``is_provisional`` tells pages that a
date in that year is provisional, instead of the engine stopping.

Days are calendar days in China: an aware datetime is first converted to
Asia/Shanghai, so 2026-09-27T18:00Z counts as 2026-09-28. A naive datetime is
taken to already be Shanghai wall-clock time.
"""
from __future__ import annotations

import functools
import logging
import threading
from datetime import date, datetime, timedelta
from typing import TypeVar

import chinese_calendar

from .clock import SHANGHAI  # one zone for the whole project

_log = logging.getLogger("duban.workdays")
_warned_years: set[int] = set()
_warned_lock = threading.Lock()

_ONE_DAY = timedelta(days=1)

# Years entered by an administrator from the State Council's notice: year -> (holidays, make-up workdays).
_entered: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
_entered_lock = threading.Lock()


def register_year(year: int, holidays, makeup_workdays) -> None:
    """Make ``year``'s 法定节假日 and 调休 working days known (from the 放假调休 notice).

    Days outside both sets follow the week (Monday–Friday work). Replaces an earlier entry of the
    same year; later calls for the package's own years override it too (a corrected notice).
    """
    hol = frozenset(holidays)
    work = frozenset(makeup_workdays)
    stray = [d for d in hol | work if d.year != year]
    if stray:
        raise ValueError(f"{year}年的放假安排中含有其他年份的日期：{sorted(stray)[0].isoformat()}")
    if hol & work:
        raise ValueError(f"同一天既是假日又是调休上班日：{sorted(hol & work)[0].isoformat()}")
    with _entered_lock:
        _entered[year] = (hol, work)
    with _warned_lock:
        _warned_years.discard(year)


def forget_year(year: int) -> None:
    with _entered_lock:
        _entered.pop(year, None)


def is_known_year(year: int) -> bool:
    """True when ``year``'s holidays are known (chinese-calendar or entered by an administrator)."""
    return year in _entered or _calendar_knows(year)


@functools.lru_cache(maxsize=None)
def _calendar_knows(year: int) -> bool:
    """Whether chinese-calendar holds ``year`` (its data is fixed for the process's life), asked once
    a year: each of its lookups first checks the date against the range of all its days (~80 µs),
    and every deadline a task list shows asks (``is_provisional``: 4 ms for a page of 50)."""
    try:
        chinese_calendar.is_workday(date(year, 6, 30))
        return True
    except NotImplementedError:
        return False


def is_provisional(d: date | datetime) -> bool:
    """True when working days up to ``d`` were counted Monday–Friday for want of the year's notice."""
    day = _china_day(d)
    return not is_known_year(day.year)

DayLike = TypeVar("DayLike", date, datetime)


def is_workday(d: date | datetime) -> bool:
    """True when ``d`` is a 工作日 in China: a weekday that is not a 法定节假日,
    or a weekend day made a working day by 调休."""
    return _is_workday_on(_china_day(d))


# The longest span counted day by day: model code calls these helpers in the host (a worker calls
# them back there too, engine/evaluator.py), where each day is a calendar look-up — 3,000,000
# working days held the host 9 s before the year 9999 ended it. A deadline is never a century away.
MAX_WORKDAYS = 25_000          # about a hundred years of 工作日
MAX_SPAN_DAYS = 36_525         # a hundred years of calendar days


def workdays_after(start: DayLike, n: int) -> DayLike:
    """The ``n``-th 工作日 after ``start`` (``start`` itself is not counted).

    Used for deadlines such as "within 10 working days": 10 working days after
    Monday 2026-09-28 is 2026-10-16, because the National Day 法定节假日 is
    skipped and the 调休 Saturday 2026-10-10 counts.

    ``n == 0`` returns ``start`` unchanged. A date gives a date. A datetime gives
    a datetime with the same tzinfo and the same time of day; for an aware value
    the day is stepped in Asia/Shanghai, so the result falls on a Shanghai
    working day while keeping its wall clock time.
    """
    return _shift(start, _require_count(n), forward=True)


def workdays_before(deadline: DayLike, n: int) -> DayLike:
    """The ``n``-th 工作日 before ``deadline`` (``deadline`` itself not counted).

    Used for reminders such as "10 and 3 working days before the deadline";
    holidays (法定节假日) are skipped and 调休 days count, exactly mirroring
    :func:`workdays_after`. Types and time zones behave as there.
    """
    return _shift(deadline, _require_count(n), forward=False)


def workdays_between(a: date | datetime, b: date | datetime) -> int:
    """Number of 工作日 after ``a`` up to and including ``b``.

    Shown to users as "剩余 X 个工作日" (days left) when ``b`` is later, and as a
    negative number (overdue by X working days) when ``b`` is earlier: the value
    is then minus the working days after ``b`` up to and including ``a``. Same
    calendar day gives 0. Only calendar days (in Shanghai) matter, not times.
    """
    first, last = _china_day(a), _china_day(b)
    if last < first:
        return -_count_workdays(last, first)
    return _count_workdays(first, last)


def _count_workdays(after: date, through: date) -> int:
    """Working days in the half-open range (after, through]."""
    if (through - after).days > MAX_SPAN_DAYS:
        raise ValueError(f"两个日期相隔超过 {MAX_SPAN_DAYS // 365} 年（{after.isoformat()} 至 {through.isoformat()}），"
                         "无法计算工作日，请检查日期是否填写有误")
    count = 0
    day = after + _ONE_DAY
    while day <= through:
        if _is_workday_on(day):
            count += 1
        day += _ONE_DAY
    return count


def _shift(value: DayLike, n: int, *, forward: bool) -> DayLike:
    """Step ``n`` working days from ``value`` and rebuild a value of the same kind."""
    if n == 0:
        return value
    day = _step_workdays(_china_day(value), n, forward=forward)
    if not isinstance(value, datetime):
        return day
    if _is_aware(value):
        local = value.astimezone(SHANGHAI)
        moved = datetime.combine(day, local.timetz())
        return moved.astimezone(value.tzinfo)
    return datetime.combine(day, value.timetz())


def _step_workdays(day: date, n: int, *, forward: bool) -> date:
    step = _ONE_DAY if forward else -_ONE_DAY
    while n > 0:
        day += step
        if _is_workday_on(day):
            n -= 1
    return day


def _require_count(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"工作日天数须为整数（如 10），而不是「{n}」")
    if n < 0:
        raise ValueError(f"工作日天数不能为负数（如 10），而不是「{n}」")
    if n > MAX_WORKDAYS:
        raise ValueError(f"工作日天数过大（上限 {MAX_WORKDAYS} 个，约一百年），而不是「{n}」，请检查是否填写有误")
    return n


def _china_day(d: date | datetime) -> date:
    """The calendar day in China that ``d`` falls on."""
    if isinstance(d, datetime):
        if _is_aware(d):
            return d.astimezone(SHANGHAI).date()
        return d.date()
    if isinstance(d, date):
        return d
    if d is None:
        raise TypeError("计算工作日需要一个日期（如 2026-12-31），而该值为空（没有填写）")
    raise TypeError(f"计算工作日需要一个日期（如 2026-12-31），而不是「{d}」")


def _is_aware(d: datetime) -> bool:
    return d.tzinfo is not None and d.utcoffset() is not None


def _is_workday_on(day: date) -> bool:
    entered = _entered.get(day.year)
    if entered is not None:
        holidays, makeup = entered
        if day in holidays:
            return False
        if day in makeup:
            return True
        return day.weekday() < 5
    if _calendar_knows(day.year):
        # chinese-calendar's rule on its published tables, without its lookup's check of the date
        # against the range of all its days (~60 µs a day: 1 ms for a deadline of 10 working days)
        return day in chinese_calendar.workdays or (day.weekday() < 5 and day not in chinese_calendar.holidays)
    _warn_fallback_once(day.year)
    return day.weekday() < 5 and not _fixed_statutory_holiday(day)


# 《全国年节及纪念日放假办法》第二条 (国务院令第798号, from 2025): the holidays on fixed days of the solar
# calendar — 元旦 1 January, 劳动节 1–2 May, 国庆节 1–3 October. They are days off in every year, whether
# or not that year's 放假调休 notice is known; the lunar ones (春节, 清明, 端午, 中秋) and the 调休 need it.
FIXED_STATUTORY_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})
FIXED_HOLIDAYS_FROM_YEAR = 2025


def _fixed_statutory_holiday(day: date) -> bool:
    return day.year >= FIXED_HOLIDAYS_FROM_YEAR and (day.month, day.day) in FIXED_STATUTORY_HOLIDAYS


# Years warned about one by one in a process; past them one more line, then silence. Before, each
# year a call reached logged its own ~400-byte warning: one ``workdays_after(now(), 25000)`` in a
# model's script (a hundred years) logged a hundred, and a script looping up to 9999 ~8,000 (a
# log-flooding model). Real deadlines reach one or two years past the holiday data.
WARNED_YEARS_MAX = 3


def _warn_fallback_once(year: int) -> None:
    """Warn once per year, and about ``WARNED_YEARS_MAX`` years at most in a process: a loop over
    many days or years must not flood the log."""
    with _warned_lock:
        if year in _warned_years or len(_warned_years) > WARNED_YEARS_MAX:
            return
        _warned_years.add(year)
        past_the_bound = len(_warned_years) > WARNED_YEARS_MAX
    if past_the_bound:
        _log.warning("还有更多年份（如%d年）的放假调休安排尚未录入，工作日期限同样暂按周一至周五计算；"
                     "本进程不再逐年提示。请检查是否有流程计算了过远的期限，并在“节假日日历”中录入已发布的年份。", year)
        return
    # said to the administrator, who reads the server's log: Chinese, and what to do
    _log.warning(
        "%d年放假调休安排尚未录入（节假日数据 chinese-calendar %s 只到%d年）：%d年的工作日期限暂按周一至周五"
        "计算（元旦、劳动节、国庆节的固定假日除外），春节、清明、端午、中秋的假期和调休上班日未计入。"
        "请系统管理员在国务院办公厅发布%d年放假安排后，于“节假日日历”中录入，已算出的期限将自动重算。",
        year, getattr(chinese_calendar, "__version__", "?"), _last_calendar_year(), year, year,
    )


@functools.lru_cache(maxsize=1)
def _last_calendar_year() -> int:
    """The last year chinese-calendar holds (for the warning)."""
    return max(day.year for day in chinese_calendar.holidays)


def _forget_fallback_warnings() -> None:
    """Let tests observe the once-per-year warning again."""
    with _warned_lock:
        _warned_years.clear()
