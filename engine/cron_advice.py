"""What to write instead of a cron expression (定时器周期的改写建议).

Camunda 7 accepts a Quartz cron expression as a timer cycle (``0 0 8 * * ?``: 每天 8 点); Duban's
cycles are repeating intervals (``R/2026-01-01T08:00:00+08:00/P1D``). A designer who drew the model
there reads, on the deploy refusal, what the expression means and what to write for it: the cron is
read by APScheduler's ``CronTrigger`` (already a dependency), its first fire times from 2026-01-01 in
Beijing time give the interval, and the interval is then checked against the cron at every boundary
where a field could break it (each second of the first minutes, each minute of the first hours, each
hour of the first days, each midnight of three years): only a cron that fires at one fixed interval
all the time gets a cycle (seconds, minutes, hours, days, weeks, months, years). Six fire times alone
took ``0 0/30 8-18 * * ?`` (8:00 to 18:30) for 每 30 分钟 and ``0 0 8 1/2 * ?`` (1st, 3rd … 31st, then
the 1st) for 每 2 天. Quartz's increments read as Quartz reads them: ``0/5`` and ``/5`` from 0 every
5, ``1/1`` in the day field every day, ``*`` and ``?`` any; ``L``, ``W`` and ``#`` (last day, nearest
weekday, n-th weekday) never repeat evenly (APScheduler would drop ``#1`` without a word). A cron
repeating faster than the engine's shortest cycle (1 minute, engine/timeexpr.py) is said as it is
(``0/5 0/1 * 1/1 * ?``: 每 5 秒) with the shortest cycle to write instead. A cron that does not repeat
evenly (工作日 8 点, 每月最后一天) gets the general rule with examples instead.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from .clock import SHANGHAI

# A Quartz (6 or 7 fields, seconds first) or Unix (5 fields) cron expression: digits and * / ? , - L W #
# or day/month names.
CRON = re.compile(r"(?:[0-9*?/,LW#-]+|[A-Z]{3}(?:-[A-Z]{3})?)(?:\s+(?:[0-9*?/,LW#-]+|[A-Z]{3}(?:[-,][A-Z]{3})*)){4,6}")

GENERAL = ("本系统的周期写作「R/间隔」，如 R/P1D（每天一次）、R/PT5M（每 5 分钟一次）；要固定在某个时刻，把起始时间写在中间，"
           "如 R/2026-01-01T08:00:00+08:00/P1D（每天 8:00）；R 后加数字表示共几次，如 R3/PT1H（每小时一次，共 3 次）")

_FROM = datetime(2026, 1, 1, tzinfo=SHANGHAI)
_SAMPLES = 6
_MONTH_SAMPLES = 40  # a monthly cron, over three years (every month length, every month of the year)
_QUARTZ_DAYS = {"1": "sun", "2": "mon", "3": "tue", "4": "wed", "5": "thu", "6": "fri", "7": "sat"}
_UNIX_DAYS = {"0": "sun", "7": "sun", "1": "mon", "2": "tue", "3": "wed", "4": "thu", "5": "fri", "6": "sat"}
_WEEKDAYS = "一二三四五六日"
_TOP = {"second": 59, "minute": 59, "hour": 23, "day": 31, "month": 12}
_BOTTOM = {"second": "0", "minute": "0", "hour": "0", "day": "1", "month": "1"}


def is_cron(text: str) -> bool:
    return CRON.fullmatch(text.strip()) is not None


def advice(text: str) -> str:
    """「…」是 cron 定时表达式… with the cycle that means the same, or the general rule when none does."""
    said = f"「{text.strip()}」是 cron 定时表达式，本系统不支持这种写法；"
    found = equivalent_cycle(text)
    if found is None:
        return said + "它不是按固定间隔重复的，无法直接改写。" + GENERAL
    cycle, meaning = found
    if cycle.endswith("S"):  # under a minute: shorter than any cycle the engine runs
        return said + (f"它的意思是{meaning}一次；本系统周期定时器的最短间隔是 1 分钟，"
                       "如每分钟一次即可，请改写为 R/PT1M，或按需要写更长的间隔，如 R/PT5M（每 5 分钟一次）")
    return said + (f"它的意思是{meaning}，请改写为 {cycle}（R 表示重复，中间是第一次的时间，最后是间隔；"
                   "第一次的时间已过时，从下一次开始）")


def equivalent_cycle(text: str) -> tuple[str, str] | None:
    """(the repeating interval, what it means in Chinese) for a cron that fires at one fixed interval
    (a cycle in seconds, ``R/…/PT5S``, when it repeats in under a minute); else None."""
    fields = _trigger_fields(text.split())
    if fields is None:
        return None
    try:
        trigger = CronTrigger(timezone=SHANGHAI, **fields)
        times = _fire_times(trigger, _FROM, _SAMPLES)
    except (ValueError, TypeError):  # a field APScheduler does not read: no rewrite offered
        return None
    if len(times) < _SAMPLES:
        return None
    first = times[0]
    start = first.isoformat()
    gaps = {b - a for a, b in zip(times, times[1:])}
    at = f"{first:%H:%M}" + (f":{first:%S}" if first.second else "")
    if len(gaps) == 1:
        gap = gaps.pop()
        if not _fires_every(trigger, first, gap):
            return None
        if gap.days and gap.days % 7 == 0 and not gap.seconds:
            weeks = gap.days // 7
            every = f"每周{_WEEKDAYS[first.weekday()]}" if weeks == 1 else f"每 {weeks} 周的周{_WEEKDAYS[first.weekday()]}"
            return f"R/{start}/P{weeks}W", f"{every} {at}"
        if gap.days and not gap.seconds:
            return f"R/{start}/P{gap.days}D", ("每天" if gap.days == 1 else f"每 {gap.days} 天") + f" {at}"
        if gap.days:
            return None
        if gap.seconds % 3600 == 0:
            hours = gap.seconds // 3600
            return f"R/{start}/PT{hours}H", "每小时" if hours == 1 else f"每 {hours} 小时"
        if gap.seconds % 60 == 0:
            minutes = gap.seconds // 60
            return f"R/{start}/PT{minutes}M", "每分钟" if minutes == 1 else f"每 {minutes} 分钟"
        return f"R/{start}/PT{gap.seconds}S", "每秒" if gap.seconds == 1 else f"每 {gap.seconds} 秒"
    times = _fire_times(trigger, _FROM, _MONTH_SAMPLES)
    months = {(b.year - a.year) * 12 + b.month - a.month for a, b in zip(times, times[1:])}
    if len(times) == _MONTH_SAMPLES and len(months) == 1 and all(
            (t.day, t.time()) == (first.day, first.time()) for t in times):
        step = months.pop()
        every = "每月" if step == 1 else "每年" if step == 12 else f"每 {step} 个月"
        date = f" {first.month} 月 {first.day} 日" if step == 12 else f" {first.day} 日"
        return f"R/{start}/P{step}M" if step != 12 else f"R/{start}/P1Y", f"{every}{date} {at}"
    return None


def _fire_times(trigger, after: datetime, count: int) -> list[datetime]:
    times: list[datetime] = []
    while len(times) < count:
        fire = trigger.get_next_fire_time(times[-1] if times else None, times[-1] if times else after)
        if fire is None:
            break
        times.append(fire)
    return times


def _fires_every(trigger, first: datetime, gap: timedelta) -> bool:
    """Does the cron fire at ``first`` + k·``gap`` and only then? Asked at every boundary where one of
    its fields could break the rhythm: after each probe the next fire time must be the next on the
    grid. (A cron is periodic in the calendar, so boundaries over three years cover every field.)"""
    probes = [first + timedelta(seconds=n) for n in range(1, 181)]
    probes += [first.replace(second=0) + timedelta(minutes=n) for n in range(1, 181)]
    probes += [first.replace(minute=0, second=0) + timedelta(hours=n) for n in range(1, 24 * 9)]
    midnight = first.replace(hour=0, minute=0, second=0)
    probes += [midnight + timedelta(days=n) for n in range(1, 366 * 3)]
    for probe in probes:
        steps = -((first - probe) // gap)  # the grid's first time at or after the probe
        if trigger.get_next_fire_time(None, probe) != first + steps * gap:
            return False
    return True


def _trigger_fields(parts: list[str]) -> dict[str, str] | None:
    """CronTrigger's fields from a Quartz (seconds first, 6-7 fields) or Unix (5 fields) cron; None
    for a field that never repeats evenly (``L`` last day, ``W`` nearest weekday, ``#`` n-th weekday)."""
    if len(parts) == 5:
        names, days = ["minute", "hour", "day", "month", "day_of_week"], _UNIX_DAYS
        fields = {"second": "0"}
    elif len(parts) in (6, 7):
        names, days = ["second", "minute", "hour", "day", "month", "day_of_week", "year"], _QUARTZ_DAYS
        fields = {}
    else:
        return None
    for name, value in zip(names, parts):
        value = "*" if value == "?" else value.lower()
        if name == "day" and re.search(r"[lw]", value) or name == "day_of_week" and ("#" in value or value.endswith("l")):
            return None
        if name == "day_of_week":
            value = re.sub(r"\d", lambda m: days[m.group(0)], value)
        elif name in _TOP:  # Quartz's 0/5 and /5: from 0, every 5; 1/1 (days): every day
            value = re.sub(r"^(\d*)/(\d+)$",
                           lambda m: f"{m.group(1) or _BOTTOM[name]}-{_TOP[name]}/{m.group(2)}", value)
        fields[name] = value
    return fields
