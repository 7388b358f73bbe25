"""Scale-out on PostgreSQL (issue 15): two separate ``duban worker`` processes — the real command, on
the real clock — against one database share the due timers between them and fire each exactly once.
(``duban serve --workers N`` on PostgreSQL: tests/test_ui_pages.py runs the pages' queries there; the
REST API under load: bench/http_load.py.)"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine import ManualClock
from engine.schema import AuditEvent, HumanTask, Timer
from tests.support import deploy, make_engine

CASES = 300  # three sweeps of 100 between two workers


def _worker(url: str, log: Path) -> subprocess.Popen:
    env = dict(os.environ, DUBAN_DATABASE_URL=url, PYTHONPATH=os.getcwd())
    return subprocess.Popen([sys.executable, "-m", "webui.cli", "-v", "worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=log.open("w"))


def _trouble(log: Path) -> str:
    """The lines of a worker's log that say what went wrong (our frames and the error)."""
    return "\n".join(line for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
                     if "Error" in line or 'File "' in line and "site-packages" not in line)


def _wait(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.5)


@pytest.mark.slow
def test_two_duban_worker_processes_share_the_due_timers_and_fire_each_once(postgres_url, tmp_path):
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [_worker(postgres_url, log) for log in logs]
    try:
        # Both workers up (their schedulers started) before anything is due, so both can take part.
        _wait(lambda: all("Scheduler started" in log.read_text(encoding="utf-8", errors="replace") for log in logs)
              or any(w.poll() is not None for w in workers), 120, "two workers to start")
        assert all(w.poll() is None for w in workers), "\n\n".join(_trouble(log) for log in logs)
        # Cases started two days and a minute ago (the model waits P2D): every timer is due now.
        started = datetime.now(timezone.utc) - timedelta(days=2, minutes=1)
        engine = make_engine(postgres_url, clock=ManualClock(started))
        deploy(engine, "timers_misc.bpmn")
        for _ in range(CASES):
            engine.start("wait_then_work", by="zhang", org="east")

        def remaining() -> int:
            with engine.db.read() as s:
                return s.execute(sa.select(sa.func.count()).select_from(Timer)).scalar()
        _wait(lambda: remaining() == 0, 180, "the workers to fire every timer")
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            try:
                w.wait(timeout=20)
            except subprocess.TimeoutExpired:
                w.kill()
    with engine.db.read() as s:
        fired = s.execute(sa.select(AuditEvent.case_id, AuditEvent.detail)
                          .where(AuditEvent.action == "timer_fired")).all()
        open_tasks = s.execute(sa.select(sa.func.count()).select_from(HumanTask)
                               .where(HumanTask.state == "open")).scalar()
    assert len(fired) == CASES and len({case_id for case_id, _ in fired}) == CASES  # each exactly once
    assert open_tasks == CASES  # every case went on to its task
    by_worker: dict[str, int] = {}
    for _case, detail in fired:
        worker = (json.loads(detail) if isinstance(detail, str) else detail)["worker"]
        by_worker[worker] = by_worker.get(worker, 0) + 1
    assert len(by_worker) == 2, by_worker  # both processes did part of the work
    assert engine.verify_audit() is None
    engine.dispose()
