"""The timer worker (定时任务): an APScheduler job that sweeps due timers every few seconds.

Runs inside ``duban serve`` by default or alone as ``duban worker``; any number of workers on any
number of hosts may share one PostgreSQL database, since timers are claimed with leases.
Each sweep then runs the callables in ``engine.sweep_jobs`` (if any), which the domain layer adds —
the message centre's producer and e-mail delivery (workflows/messages) — each on its own, so one
failing job stops neither the timers nor the others.
"""
from __future__ import annotations

import logging
import os
import socket
import uuid

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

log = logging.getLogger("duban.worker")


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def sweep(engine, worker: str) -> int:
    try:
        fired = engine.run_due_timers(worker=worker)
        if fired:
            log.info("fired %d timers", fired)
    except Exception:  # noqa: BLE001 - a failed sweep must not stop the scheduler
        log.exception("timer sweep failed")
        fired = 0
    for job in getattr(engine, "sweep_jobs", ()):
        try:
            job()
        except Exception:  # noqa: BLE001
            log.exception("sweep job %s failed", getattr(job, "__name__", job))
    return fired


def start_background(engine, interval_seconds: float = 5.0) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(daemon=True)
    wid = worker_id()
    scheduler.add_job(sweep, "interval", seconds=interval_seconds, args=[engine, wid], max_instances=1,
                      coalesce=True, id="duban-timers")
    scheduler.start()
    return scheduler


def run_blocking(engine, interval_seconds: float = 5.0) -> None:
    scheduler = BlockingScheduler()
    scheduler.add_job(sweep, "interval", seconds=interval_seconds, args=[engine, worker_id()], max_instances=1,
                      coalesce=True, id="duban-timers")
    scheduler.start()
