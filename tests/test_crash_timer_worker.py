"""A ``duban worker`` killed with SIGKILL in the middle of firing a backlog of due timers (定时任务进程崩溃),
on a SQLite file and on PostgreSQL: the real command, the real clock, a real ``kill -9``.

At the moment of the kill every case is whole — its timer either still due and no step of it, or
fired once with the case gone on to its task and the timer row gone — and the timers the dead worker
had claimed but not fired are leased to it. Once that lease runs out (``duban worker --timer-lease``)
a second worker fires the rest: every timer fired exactly once, every case at its task, every
case's audit chain whole.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine import ManualClock
from engine.schema import AuditEvent, HumanTask, Timer
from tests.support import deploy, make_engine

ROOT = Path(__file__).resolve().parent.parent
CASES = 400  # two claims of 200 (engine/timer_sweep.CLAIM), each fired in batches of 100
LEASE_S = 4


def _worker(url: str, log: Path) -> subprocess.Popen:
    env = dict(os.environ, DUBAN_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "webui.cli", "-v", "worker", "--interval", "0.2",
                             "--timer-lease", str(LEASE_S)], env=env, stdout=subprocess.DEVNULL,
                            stderr=log.open("w"), start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _state(engine) -> tuple[dict, Counter, dict, dict]:
    """Timer rows (case → (lease owner, lease until)), timer_fired events a case, open tasks a case,
    and which worker fired each case."""
    with engine.db.read() as s:
        timers = {r.case_id: (r.lease_owner, r.lease_until) for r in s.execute(
            sa.select(Timer.case_id, Timer.lease_owner, Timer.lease_until))}
        fired_rows = s.execute(sa.select(AuditEvent.case_id, AuditEvent.detail, AuditEvent.at)
                               .where(AuditEvent.action == "timer_fired")).all()
        open_tasks = Counter(s.execute(sa.select(HumanTask.case_id).where(HumanTask.state == "open")).scalars())
    fired = Counter(r.case_id for r in fired_rows)
    by = {r.case_id: ((json.loads(r.detail) if isinstance(r.detail, str) else r.detail)["worker"], _utc(r.at))
          for r in fired_rows}
    return timers, fired, open_tasks, by


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def _whole(case_ids, timers, fired, open_tasks) -> list[str]:
    """Cases that are neither wholly before their timer nor wholly after it."""
    broken = []
    for case_id in case_ids:
        before = case_id in timers and fired[case_id] == 0 and open_tasks[case_id] == 0
        after = case_id not in timers and fired[case_id] == 1 and open_tasks[case_id] == 1
        if not (before or after):
            broken.append(f"case {case_id}: timer row {case_id in timers}, fired {fired[case_id]}, "
                          f"open tasks {open_tasks[case_id]}")
    return broken


@pytest.mark.slow
def test_a_duban_worker_killed_mid_backlog_leaves_every_case_whole_and_another_fires_the_rest_once(
        database_url, tmp_path):
    engine = make_engine(database_url, clock=ManualClock(datetime.now(timezone.utc) - timedelta(days=2, minutes=1)))
    deploy(engine, "timers_misc.bpmn")  # wait_then_work: waits P2D, then a task
    case_ids = [engine.start("wait_then_work", by="zhang", org="east").id for _ in range(CASES)]

    doomed = _worker(database_url, tmp_path / "doomed.log")
    try:
        # Killed once it has committed part of the backlog: a fast poll, then kill -9 at once.
        deadline = time.monotonic() + 180
        while True:
            with engine.db.read() as s:
                left = s.execute(sa.select(sa.func.count()).select_from(Timer)).scalar()
            if left < CASES or doomed.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=30)
        assert doomed.returncode == -signal.SIGKILL, (tmp_path / "doomed.log").read_text()[-2000:]
    finally:
        _stop(doomed)
    killed_at = datetime.now(timezone.utc)
    timers, fired, open_tasks, by = _state(engine)
    assert 0 < len(timers) < CASES, f"the worker was killed after it fired {CASES - len(timers)} of {CASES}"
    assert _whole(case_ids, timers, fired, open_tasks) == []
    leased = {c: _utc(until) for c, (owner, until) in timers.items()
              if owner is not None and until is not None and _utc(until) > killed_at}
    assert leased, "killed mid-sweep: some due timers are still claimed by the dead worker"
    dead_worker = {by[c][0] for c in fired}
    assert len(dead_worker) == 1

    survivor = _worker(database_url, tmp_path / "survivor.log")
    try:
        deadline = time.monotonic() + 180
        while _state(engine)[0]:
            assert survivor.poll() is None, (tmp_path / "survivor.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "the second worker did not fire the rest"
            time.sleep(0.5)
    finally:
        _stop(survivor)
    timers, fired, open_tasks, by = _state(engine)
    assert timers == {} and _whole(case_ids, timers, fired, open_tasks) == []
    assert set(fired) == set(case_ids) and set(fired.values()) == {1}  # each exactly once
    assert len({w for w, _ in by.values()} - dead_worker) == 1  # the rest fired by the second worker
    # the dead worker's claims waited for their lease: none fired by the second before it ran out
    assert [c for c, until in leased.items() if by[c][1] < until] == []
    assert engine.verify_audit() is None
    engine.dispose()
