"""The engine's one clock (时钟).

Every "now" in the engine — task times, due dates, timers, audit stamps — is read from a clock the
engine was given, so tests and demos can move time forward without sleeping. Times are aware and UTC.
"""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now()


class ManualClock(SystemClock):
    """A clock that only moves when told to: ``advance(days=3)`` or ``set(datetime)``."""

    def __init__(self, start: datetime | None = None):
        start = start or datetime.now(timezone.utc)
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta) -> datetime:
        with self._lock:
            self._now += timedelta(**delta)
            return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        with self._lock:
            self._now = when.astimezone(timezone.utc)


def today_in_china(clock) -> date:
    """The day it is in China (Beijing time) by ``clock``: what a deadline, a due report or a
    form's 「不早于今天」 counts from. A function, not a method of the clocks: a ShiftedClock passes
    any attribute it lacks to the clock under it, and so would answer with that clock's day."""
    return clock.now().astimezone(SHANGHAI).date()


def as_utc(value: datetime | None) -> datetime | None:
    """Normalise a datetime read back from the database (SQLite returns naive UTC) to aware UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class ShiftedClock(SystemClock):
    """Another clock moved forward by ``offset`` (演示时间): what a demo database's trainer sets with
    ``duban demo advance 10d`` so reminders and escalations can be shown without waiting real days.

    The offset is plain state here; who may set it, where it is stored and how other processes learn
    of it is ``workflows/demo_clock.py``. Anything else (``advance``/``set`` of a ManualClock under
    it) is passed on to the clock underneath.
    """

    def __init__(self, base: SystemClock | None = None, offset: timedelta = timedelta(0)):
        self.base = base or SystemClock()
        self.offset = offset

    def now(self) -> datetime:
        return self.base.now() + self.offset

    def __getattr__(self, name):
        return getattr(self.base, name)
