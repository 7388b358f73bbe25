"""Timer throughput: 10,000 waiting timers, all due; how many fire per second?

Cases of a small process (a two-day intermediate timer before a user task) are started once per
database; each run then works on a copy (a file copy for SQLite, CREATE DATABASE ... TEMPLATE for
PostgreSQL) with 1 and with 2 worker processes sweeping at once.

    python bench/timers.py --json [--timers 10000] [--postgres URL] [--skip-sqlite | --skip-postgres]

Without --postgres, the throw-away server of scripts/pg-test-server is started and used.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue (multiprocessing needs it): run from the root.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from engine import Engine, ManualClock  # noqa: E402
from engine.schema import AuditEvent, Timer  # noqa: E402
from tests.support import START, deploy, make_engine  # noqa: E402


def _sweep(url: str, now_iso: str, name: str) -> int:
    from datetime import datetime
    engine = Engine(url, clock=ManualClock(datetime.fromisoformat(now_iso)))
    try:
        return engine.run_due_timers(worker=name, limit=100)
    finally:
        engine.dispose()


def prepare(url: str, n: int) -> float:
    engine = make_engine(url, clock=ManualClock(START))
    deploy(engine, "timers_misc.bpmn")
    t0 = time.perf_counter()
    for _ in range(n):
        engine.start("wait_then_work", by="zhang", org="east")
    elapsed = time.perf_counter() - t0
    engine.dispose()
    return elapsed


def run(url: str, workers: int, n: int) -> dict:
    due = (START + timedelta(days=2, seconds=1)).isoformat()
    ctx = multiprocessing.get_context("spawn")
    t0 = time.perf_counter()
    with ctx.Pool(workers) as pool:
        counts = pool.starmap(_sweep, [(url, due, f"bench-{i}") for i in range(workers)])
    elapsed = time.perf_counter() - t0
    check = sa.create_engine(url)
    with check.connect() as conn:
        left = conn.execute(sa.select(sa.func.count()).select_from(Timer)).scalar()
        audited = conn.execute(sa.select(sa.func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "timer_fired")).scalar()
    check.dispose()
    return {"workers": workers, "fired": sum(counts), "per_worker": counts, "audited": audited, "left": left,
            "seconds": round(elapsed, 2), "fired_per_second": round(sum(counts) / elapsed, 1),
            "exactly_once": sum(counts) == n == audited and left == 0}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--timers", type=int, default=10_000)
    ap.add_argument("--postgres", default=None)
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--skip-sqlite", action="store_true")
    args = ap.parse_args()
    n = args.timers
    result = {"timers": n}
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp) / "base.sqlite"
            result["sqlite_setup_seconds"] = round(prepare(f"sqlite:///{base}", n), 1)
            for workers in (1, 2):
                copy = Path(tmp) / f"run{workers}.sqlite"
                shutil.copy(base, copy)
                result[f"sqlite_{workers}_worker"] = run(f"sqlite:///{copy}", workers, n)
    if not args.skip_postgres:
        admin_url = args.postgres or subprocess.run(
            ["bash", str(ROOT / "scripts" / "pg-test-server"), "start"], check=True, capture_output=True,
            text=True).stdout.strip().splitlines()[-1]
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        prefix = admin_url.rsplit("/", 1)[0]
        names = [f"bench_{uuid.uuid4().hex[:8]}" for _ in range(3)]
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{names[0]}"')
        try:
            result["postgres_setup_seconds"] = round(prepare(f"{prefix}/{names[0]}", n), 1)
            for workers, name in zip((1, 2), names[1:]):
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{names[0]}"')
                result[f"postgres_{workers}_worker"] = run(f"{prefix}/{name}", workers, n)
        finally:
            with admin.connect() as conn:
                for name in names:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    print(json.dumps(result, ensure_ascii=False) if args.json else json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
