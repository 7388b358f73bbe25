"""The timer worker (定时任务): an APScheduler job that sweeps due timers every few seconds.

Two knobs (``duban worker --interval S --timers-per-sweep N``; ``--timer-lease S``, 60, is how long
a worker's claim on due timers lasts: a worker killed mid-sweep leaves its claimed, unfired timers to
the others after so many seconds): the seconds between sweeps (5), and
how many due timers one sweep fires at most (all of them). A backlog — after downtime, or a
deadline thousands of cases share — is then spread over the sweeps of every worker sharing the
database instead of going to whichever sweeps first, and the sweep jobs below run between parts of
it rather than after all of it. A sweep that starts late on a busy host still runs (and runs once).

Runs inside ``duban serve`` by default or alone as ``duban worker``; any number of workers on any
number of hosts may share one PostgreSQL database, since timers are claimed with leases.
Each sweep then runs the callables in ``engine.sweep_jobs`` (if any), which the domain layer adds —
the message centre's producer and e-mail delivery (workflows/messages) — each on its own, so one
failing job stops neither the timers nor the others.

A second job keeps the audit chains' heads outside the database (engine/audit_seal.keep) every
``--audit-heads-interval`` seconds (300), starting at once: an older backup restored in place is then
told by the next ``duban audit verify`` even if nobody ran one since the newer events were written.
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from . import audit_seal
from .database import unavailable

log = logging.getLogger("duban.worker")


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


LEASE_SECONDS = 60  # a claimed timer stays this worker's so long; killed, its claims pass to others then


def sweep(engine, worker: str, most: int | None = None, lease_seconds: int = LEASE_SECONDS) -> int:
    try:
        fired = engine.run_due_timers(worker=worker, most=most, lease_seconds=lease_seconds)
        if fired:
            log.info("fired %d timers", fired)
    except Exception as exc:  # noqa: BLE001 - a failed sweep must not stop the scheduler
        if unavailable(exc):  # the database away (restarting): one line a sweep, the next sweep retries
            log.warning("timer sweep skipped, database unavailable: %s", str(exc).splitlines()[0])
        else:
            log.exception("timer sweep failed")
        fired = 0
    for job in getattr(engine, "sweep_jobs", ()):
        try:
            job()
        except Exception:  # noqa: BLE001
            log.exception("sweep job %s failed", getattr(job, "__name__", job))
    return fired


INTERVAL_SECONDS = 5.0


def _schedule(scheduler, engine, interval_seconds: float, most: int | None,
              lease_seconds: int = LEASE_SECONDS, heads_seconds: float = audit_seal.KEEP_SECONDS) -> None:
    """The sweep every ``interval_seconds``: never two at once, missed runs merged into one, and run
    however late it starts (APScheduler would skip a run more than a second late). The audit heads
    kept every ``heads_seconds``, the first time as the worker starts."""
    scheduler.add_job(sweep, "interval", seconds=interval_seconds, args=[engine, worker_id(), most, lease_seconds],
                      max_instances=1, coalesce=True, misfire_grace_time=None, id="duban-timers")
    scheduler.add_job(audit_seal.keep_job, "interval", seconds=heads_seconds,
                      args=[engine.db, engine.db.url, heads_seconds], next_run_time=datetime.now(timezone.utc),
                      max_instances=1, coalesce=True, misfire_grace_time=None, id="duban-audit-heads")


def start_background(engine, interval_seconds: float = INTERVAL_SECONDS, most: int | None = None,
                     heads_seconds: float = audit_seal.KEEP_SECONDS) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(daemon=True)
    _schedule(scheduler, engine, interval_seconds, most, heads_seconds=heads_seconds)
    scheduler.start()
    return scheduler


def run_blocking(engine, interval_seconds: float = INTERVAL_SECONDS, most: int | None = None,
                 lease_seconds: int = LEASE_SECONDS, heads_seconds: float = audit_seal.KEEP_SECONDS) -> None:
    scheduler = BlockingScheduler()
    _schedule(scheduler, engine, interval_seconds, most, lease_seconds, heads_seconds)
    scheduler.start()
