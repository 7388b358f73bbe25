"""演示时间 (demo time): in a demo database only, an administrator moves the clock forward so a
trainer can show reminders (催办), escalations (逾期督办) and overdue boards without waiting real days.

- A database is a *demo database* when ``duban serve --demo`` loaded (or found) the demo data in it:
  ``mark_demo`` writes the mark, and nothing else does. ``serve --demo`` refuses a database that has
  non-demo users, so a production database never carries it; there moving the clock is refused
  (``DemoTimeRefused``, a Chinese message; the CLI exits 2).
- The shift is stored in the engine's named counters (``counter`` table: ``demo:mode`` and
  ``demo:clock_offset_seconds``), so it survives a restart and every process of one database sees it,
  without a table of its own.
- The engine's clock (``engine.clock``, a ``ShiftedClock`` from ``engine/clock.py`` set up by
  ``workflows.runtime.build_engine``) adds the shift to every "now": timers, due dates, overdue,
  audit stamps. ``advance`` applies it in this process at once and runs the timer sweep (and the
  sweep jobs, e.g. the message centre) so due reminders and escalations fire before it returns; other
  processes read the stored shift at their next sweep (``refresh``, a sweep job) or page (webui).
- Every advance is audited on the system chain (``demo_clock_advanced``: who, when, from → to).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from engine import audit
from engine.clock import ShiftedClock
from engine.schema import Counter

from engine.typed_input import fold

log = logging.getLogger("duban.demo_clock")

MODE = "demo:mode"
OFFSET = "demo:clock_offset_seconds"
MAX_STEP = timedelta(days=400)  # one step at most a little over a year (一年内评估 is the longest wait)
MAX_SWEEPS = 200  # timer sweeps after one advance (100 timers each): bounded, never a loop forever

_UNITS = {"w": "weeks", "周": "weeks", "星期": "weeks", "d": "days", "天": "days", "日": "days",
          "h": "hours", "小时": "hours", "时": "hours", "m": "minutes", "分钟": "minutes", "分": "minutes"}
_STEP = re.compile(r"(\d+)\s*(w|d|h|m|周|星期|天|日|小时|时|分钟|分)", re.IGNORECASE)


class DemoTimeRefused(ValueError):
    """Moving the clock is not allowed here (not a demo database), or the step is not understood."""


@dataclass(frozen=True)
class Advanced:
    before: datetime
    after: datetime
    offset: timedelta
    fired: int  # timers fired by the sweep that followed


def parse_step(text: str) -> timedelta:
    """``10d``, ``2h``, ``1w``, ``30m``, ``1w2d``, ``10天``, ``２小时`` → a timedelta; DemoTimeRefused
    with a Chinese message otherwise (nothing but whole units forward, at most ``MAX_STEP``)."""
    raw = fold(text).lower().replace(" ", "")
    if not raw or _STEP.sub("", raw):
        raise DemoTimeRefused(f"无法识别的时间长度“{text}”：请写如 10d（10天）、2h（2小时）、1w（1周）")
    step = timedelta(0)
    for number, unit in _STEP.findall(raw):
        step += timedelta(**{_UNITS[unit]: int(number)})
    if step <= timedelta(0):
        raise DemoTimeRefused("演示时间只能向前拨，且至少 1 分钟")
    if step > MAX_STEP:
        raise DemoTimeRefused("一次最多向前拨 400 天")
    return step


def _counter(s, name: str) -> int | None:
    return s.execute(sa.select(Counter.value).where(Counter.name == name)).scalar()


def _set_counter(s, name: str, value: int) -> None:
    row = s.get(Counter, name)
    if row is None:
        s.add(Counter(name=name, value=value))
    else:
        row.value = value


def is_demo(engine) -> bool:
    with engine.db.read() as s:
        return bool(_counter(s, MODE))


def mark_demo(engine, by: str = "demo") -> None:
    """Mark this database as a demo database (only ``duban serve --demo`` and tests call this)."""
    with engine.db.write() as s:
        if not _counter(s, MODE):
            _set_counter(s, MODE, 1)
            audit.append(s, chain=audit.SYSTEM_CHAIN, actor=by, action="demo_mode_marked",
                         at=engine.clock.now(), detail={})


def stored_offset(engine) -> timedelta:
    with engine.db.read() as s:
        return timedelta(seconds=_counter(s, OFFSET) or 0)


def refresh(engine) -> timedelta:
    """Apply the stored shift to this process's clock (another process may have moved it)."""
    offset = stored_offset(engine)
    if isinstance(engine.clock, ShiftedClock):
        engine.clock.offset = offset
    return offset


def install(engine) -> None:
    """Called by ``build_engine``: a demo database's shift is applied now and re-read at every sweep."""
    if not isinstance(engine.clock, ShiftedClock):
        return
    refresh(engine)
    jobs = engine.__dict__.setdefault("sweep_jobs", [])
    if not any(getattr(j, "__name__", "") == "demo_clock_refresh" for j in jobs):
        def demo_clock_refresh():
            refresh(engine)
        jobs.append(demo_clock_refresh)


def advance(engine, step: str | timedelta, by: str) -> Advanced:
    """Move the demo clock forward by ``step`` (``"10d"`` …), audited, then sweep the timers."""
    if isinstance(step, str):
        step = parse_step(step)
    if not isinstance(engine.clock, ShiftedClock):
        raise DemoTimeRefused("此系统的时钟不能调整")
    with engine.db.write() as s:
        if not _counter(s, MODE):
            raise DemoTimeRefused("只有演示系统（duban serve --demo）可以调整演示时间；正式系统的时间不能拨动")
        old = timedelta(seconds=_counter(s, OFFSET) or 0)
        new = old + step
        before = engine.clock.base.now() + old
        _set_counter(s, OFFSET, int(new.total_seconds()))
        audit.append(s, chain=audit.SYSTEM_CHAIN, actor=by, action="demo_clock_advanced", at=before + step,
                     detail={"step_seconds": int(step.total_seconds()), "from": before.isoformat(),
                             "to": (before + step).isoformat(), "offset_seconds": int(new.total_seconds())})
    engine.clock.offset = new
    return Advanced(before=before, after=before + step, offset=new, fired=sweep(engine))


def sweep(engine) -> int:
    """Fire every timer now due, then run the sweep jobs (消息中心 …), as the worker would."""
    fired = 0
    for _ in range(MAX_SWEEPS):
        n = engine.run_due_timers(worker="demo-clock")
        fired += n
        if not n:
            break
    for job in getattr(engine, "sweep_jobs", ()):
        try:
            job()
        except Exception:  # noqa: BLE001 - as in engine/worker.py: one failing job stops no other
            log.exception("sweep job %s failed", getattr(job, "__name__", job))
    return fired
