"""What to write instead of a cron expression (定时器周期的改写建议).

Camunda 7 accepts a Quartz cron expression as a timer cycle (``0 0 8 * * ?``: 每天 8 点); Duban's
cycles are repeating intervals (``R/2026-01-01T08:00:00+08:00/P1D``). A designer who drew the model
there reads, on the deploy refusal, what the expression means and what to write for it: the cron is
read by APScheduler's ``CronTrigger`` (already a dependency), its fire times from 2026-01-01 in
Beijing time are computed, and when they repeat at one fixed interval (days, weeks, months, hours,
minutes) that interval and the first time make the cycle to write. A cron that does not repeat evenly
(工作日 8 点, 每月最后一天) gets the general rule with examples instead.
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
_QUARTZ_DAYS = {"1": "sun", "2": "mon", "3": "tue", "4": "wed", "5": "thu", "6": "fri", "7": "sat"}
_UNIX_DAYS = {"0": "sun", "7": "sun", "1": "mon", "2": "tue", "3": "wed", "4": "thu", "5": "fri", "6": "sat"}
_WEEKDAYS = "一二三四五六日"
_TOP = {"second": 59, "minute": 59, "hour": 23, "day": 31, "month": 12}


def is_cron(text: str) -> bool:
    return CRON.fullmatch(text.strip()) is not None


def advice(text: str) -> str:
    """「…」是 cron 定时表达式… with the cycle that means the same, or the general rule when none does."""
    said = f"「{text.strip()}」是 cron 定时表达式，本系统不支持这种写法；"
    found = equivalent_cycle(text)
    if found is None:
        return said + "它不是按固定间隔重复的，无法直接改写。" + GENERAL
    cycle, meaning = found
    return said + (f"它的意思是{meaning}，请改写为 {cycle}（R 表示重复，中间是第一次的时间，最后是间隔；"
                   "第一次的时间已过时，从下一次开始）")


def equivalent_cycle(text: str) -> tuple[str, str] | None:
    """(the repeating interval, what it means in Chinese) for a cron that fires at one fixed interval; else None."""
    fields = _trigger_fields(text.split())
    if fields is None:
        return None
    try:
        trigger = CronTrigger(timezone=SHANGHAI, **fields)
        times: list[datetime] = []
        for _ in range(_SAMPLES):
            fire = trigger.get_next_fire_time(times[-1] if times else None, times[-1] if times else _FROM)
            if fire is None:
                return None
            times.append(fire)
    except (ValueError, TypeError):  # a field APScheduler does not read (L, W, #): no rewrite offered
        return None
    first = times[0]
    start = first.isoformat()
    gaps = {b - a for a, b in zip(times, times[1:])}
    at = f"{first:%H:%M}" + (f":{first:%S}" if first.second else "")
    if len(gaps) == 1:
        gap = gaps.pop()
        if gap < timedelta(minutes=1):
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
            return f"R/{start}/PT{gap.seconds // 60}M", f"每 {gap.seconds // 60} 分钟"
        return None
    months = {(b.year - a.year) * 12 + b.month - a.month for a, b in zip(times, times[1:])}
    if len(months) == 1 and all((t.day, t.time()) == (first.day, first.time()) for t in times):
        step = months.pop()
        every = "每月" if step == 1 else "每年" if step == 12 else f"每 {step} 个月"
        date = f" {first.month} 月 {first.day} 日" if step == 12 else f" {first.day} 日"
        return f"R/{start}/P{step}M" if step != 12 else f"R/{start}/P1Y", f"{every}{date} {at}"
    return None


def _trigger_fields(parts: list[str]) -> dict[str, str] | None:
    """CronTrigger's fields from a Quartz (seconds first, 6-7 fields) or Unix (5 fields) cron."""
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
        if name == "day_of_week":
            value = re.sub(r"\d", lambda m: days[m.group(0)], value)
        elif name in _TOP:  # Quartz's 0/5: from 0, every 5
            value = re.sub(r"^(\d+)/(\d+)$", lambda m: f"{m.group(1)}-{_TOP[name]}/{m.group(2)}", value)
        fields[name] = value
    return fields
