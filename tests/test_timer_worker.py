"""The timer worker's scheduling (定时任务, engine/worker.py), each guard on its own, on a real SQLite
file and APScheduler's real schedulers: ``duban worker --interval S --timers-per-sweep N`` as a
process, a sweep that starts late still runs (once), and never two sweeps of one worker at once.
(Mutation testing, 3 December: the cap, the late start and the one-at-a-time were reached by no
SQLite test, so dropping any of them went unnoticed; docs/mutation.md.)"""
from __future__ import annotations

import json
import multiprocessing
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED

from engine import ManualClock, worker
from engine.schema import AuditEvent, HumanTask, Timer
from tests import timer_workers
from tests.support import START, deploy, make_engine

DUE = START + timedelta(days=2, seconds=1)


def _due_cases(engine, n: int) -> None:
    """``n`` cases of timers_misc.bpmn's wait_then_work (a P2D timer, then a task), all due at ``DUE``."""
    deploy(engine, "timers_misc.bpmn")
    for _ in range(n):
        engine.start("wait_then_work", by="zhang", org="east")


def _count(engine, table, *where) -> int:
    with engine.db.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()


def _text(log) -> str:
    return log.read_text(encoding="utf-8", errors="replace")


def _wait(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _fired(log) -> list[int]:
    """The count of each sweep's ``duban.worker: fired N`` line in the worker's log."""
    return [int(line.split("duban.worker: fired ", 1)[1].split()[0])
            for line in _text(log).splitlines() if "duban.worker: fired " in line]


def test_duban_worker_fires_at_most_its_share_each_sweep_until_nothing_is_due(sqlite_url, tmp_path):
    """Guard: ``duban worker --interval 0.3 --timers-per-sweep 2`` (the real command, its own process,
    the real clock) sweeps every 0.3 s and fires at most 2 due timers a sweep: 5 due timers take
    sweeps of 2, 2 and 1, each fired once, each case on to its task."""
    started = datetime.now(timezone.utc) - timedelta(days=2, minutes=1)   # due now on the real clock
    e = make_engine(sqlite_url, clock=ManualClock(started))
    _due_cases(e, 5)
    log = tmp_path / "worker.log"
    env = dict(os.environ, DUBAN_DATABASE_URL=sqlite_url)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.getcwd(), env.get("PYTHONPATH")]))
    proc = subprocess.Popen([sys.executable, "-m", "webui.cli", "-v", "worker", "--interval", "0.3",
                             "--timers-per-sweep", "2"], env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    try:
        # every timer gone and the sweep that fired the last one logged (its line follows its COMMIT:
        # stopped in between, the log read [2, 2] — CI, 2026-12-07)
        _wait(lambda: _count(e, Timer) == 0 and sum(_fired(log)) == 5 or proc.poll() is not None
              or "Traceback" in _text(log), 60, "the worker to fire every timer")  # ~5 s here
        assert proc.poll() is None and "Traceback" not in _text(log), _text(log)[-3000:]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert _fired(log) == [2, 2, 1]
    assert _count(e, HumanTask, HumanTask.state == "open") == 5
    with e.db.engine.connect() as conn:                   # fired in the worker's name: host:pid:…
        details = conn.execute(sa.select(AuditEvent.detail).where(AuditEvent.action == "timer_fired")).scalars()
        names = {(json.loads(d) if isinstance(d, str) else d)["worker"].rsplit(":", 1)[0] for d in details}
    assert names == {f"{socket.gethostname()}:{proc.pid}"}
    e.dispose()


@pytest.fixture
def due_engine(sqlite_url):
    e = make_engine(sqlite_url, clock=ManualClock(START))
    _due_cases(e, 3)
    e.clock.set(DUE)
    yield e
    e.dispose()


def test_a_sweep_that_starts_late_on_a_busy_host_still_runs_once_for_all_it_missed(due_engine):
    """Guard: a worker's sweep that starts more than a second late (a busy host, a suspended VM)
    still runs — APScheduler skips such a run by default — and runs once for all the runs it
    missed, not once per missed run. The scheduler is held (paused) past two runs, the second
    missed by 1.5 s, then let go."""
    interval = 3.0
    events: list = []
    scheduler = worker.start_background(due_engine, interval_seconds=interval)
    scheduler.pause()
    try:
        scheduler.add_listener(events.append, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        job = scheduler.get_job("duban-timers")  # beside it the audit heads' job (engine/audit_seal.keep)
        first = job.next_run_time
        resume_at = first + timedelta(seconds=interval + 1.5)
        time.sleep(max(0.0, (resume_at - datetime.now(first.tzinfo)).total_seconds()))
        resumed = datetime.now(first.tzinfo)
        scheduler.resume()
        _wait(lambda: any(ev.scheduled_run_time > resumed and ev.job_id == "duban-timers" for ev in events), 60, "the next regular sweep")
    finally:
        scheduler.shutdown(wait=True)
    late = [ev for ev in events if ev.scheduled_run_time <= resumed and ev.job_id == "duban-timers"]
    assert [ev.code for ev in late] == [EVENT_JOB_EXECUTED]      # run, and once
    assert (resumed - late[0].scheduled_run_time).total_seconds() > 1.0, "the host overslept the planned hold"
    assert _count(due_engine, Timer) == 0 and _count(due_engine, HumanTask, HumanTask.state == "open") == 3


def test_a_worker_never_runs_a_second_sweep_while_its_first_is_still_running(due_engine):
    """Guard: while a sweep of a worker runs (here held by a sweep job), the next interval starts
    no second sweep beside it in the same worker (APScheduler says the job is at its maximum).
    The worker started in the background with a cap fires at most that many a sweep."""
    entered, release = [], threading.Event()

    def slow_job():
        entered.append(time.monotonic())
        release.wait(30)

    due_engine.sweep_jobs = [slow_job]
    at_most: list = []
    scheduler = worker.start_background(due_engine, interval_seconds=0.3, most=2)
    scheduler.add_listener(at_most.append, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR)
    try:
        _wait(lambda: at_most or len(entered) > 1, 60, "a second interval while the first sweep runs")
        assert len(entered) == 1 and [ev.code for ev in at_most][:1] == [EVENT_JOB_MAX_INSTANCES]
        assert _count(due_engine, Timer) == 1                 # the first sweep fired 2 of the 3
    finally:
        release.set()
        scheduler.shutdown(wait=True)


def test_two_sweep_workers_on_one_sqlite_file_each_fire_their_share(sqlite_url):
    """Guard: two ``duban worker`` processes sweeping one SQLite file take turns at the write lock
    (engine/write_turns.py). With the WAL checkpoints off the commit (engine/checkpoint.py), a worker
    firing batch after batch left the lock free only for microseconds, and the other's busy handler
    (a look every 100 ms) rarely found it: splits of [5000, 0], and "database is locked" after 30 s.
    600 due timers, claims of 50: every timer fired once, each worker a fair part of them."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    _due_cases(e, 600)
    ctx = multiprocessing.get_context("spawn")
    start_together, fired = ctx.Barrier(2), ctx.Queue()
    workers = [ctx.Process(target=timer_workers.sweep, args=(sqlite_url, DUE.isoformat(), f"w{i}", start_together, fired))
               for i in range(2)]
    for w in workers:
        w.start()
    results: dict[str, int] = {}
    try:
        while len(results) < 2:
            try:
                results.update([fired.get(timeout=1)])
            except queue.Empty:
                assert all(w.exitcode in (None, 0) for w in workers), [w.exitcode for w in workers]
    finally:
        for w in workers:
            w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    counts = [results["w0"], results["w1"]]
    assert sum(counts) == 600 and _count(e, Timer) == 0, counts
    assert _count(e, AuditEvent, AuditEvent.action == "timer_fired") == 600
    assert min(counts) >= 600 * 0.3, counts
    e.dispose()
