"""The world a process scenario test runs in: an engine with every model deployed, the demo
directory, a clock the test moves, and a Desk that works tasks with the forms' sample data."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from engine import ManualClock
from workflows.demo import Desk, load_directory
from workflows.runtime import build_engine


def process_world(database_url: str, process: str, reached: set[str], start: dt.datetime):
    """Generator for a pytest fixture; records the user tasks reached into ``reached``."""
    clock = ManualClock(start)
    engine = build_engine(database_url, clock=clock)
    load_directory(engine)
    desk = Desk(engine)
    yield SimpleNamespace(engine=engine, clock=clock, desk=desk)
    reached.update(desk.reached(process))
    engine.dispose()


def advance(w, **delta) -> int:
    """Move the clock and fire what came due."""
    w.clock.advance(**delta)
    return w.engine.run_due_timers()


def day(w, offset=0) -> str:
    return (w.desk.today() + dt.timedelta(days=offset)).isoformat()
