"""Worker processes for the timer tests (importable, so multiprocessing can spawn them)."""
from __future__ import annotations

import os
from datetime import datetime

from engine import Engine, ManualClock


def sweep(url: str, now_iso: str, name: str, start_together=None, fired=None) -> int:
    """One worker's sweep. With ``start_together`` (a multiprocessing barrier), it begins once every
    worker is up and connected: a worker whose interpreter started late on a busy machine would
    otherwise find every timer fired already. ``fired`` (a queue) receives (name, count)."""
    engine = Engine(url, clock=ManualClock(datetime.fromisoformat(now_iso)))
    try:
        if start_together is not None:
            with engine.db.read():
                pass  # connected: a first connection is part of starting up, not of the sweep
            start_together.wait(120)
        count = engine.run_due_timers(worker=name, limit=50)
        if fired is not None:
            fired.put((name, count))
        return count
    finally:
        engine.dispose()


def die_mid_sweep(url: str, now_iso: str, fire_cases: int) -> None:
    """Claim every due timer, fire a few cases, then die without releasing anything (like kill -9)."""
    engine = Engine(url, clock=ManualClock(datetime.fromisoformat(now_iso)))
    claimed = engine._claim_due_timers("doomed", limit=10_000, lease_seconds=60)
    for case_id in sorted({c for c, _ in claimed})[:fire_cases]:
        engine._fire_case_timers(case_id, "doomed")
    os._exit(9)
