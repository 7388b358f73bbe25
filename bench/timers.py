"""Timer throughput: 10,000 waiting timers, all due; how many fire per second?

Cases of a small process (a two-day intermediate timer before a user task) are started once per
database; each run then works on a copy (a file copy for SQLite, CREATE DATABASE ... TEMPLATE for
PostgreSQL) with 1 and with 2 worker processes sweeping at once. Each run is repeated ``--rounds``
times and the best is kept (the machine is shared). Per run: timers/s over the whole sweep, each
worker's CPU ms and SQL statements per timer fired, and exactly-once (every timer fired and audited
once, none left), the PostgreSQL backends' CPU ms per timer (read from /proc when the server runs
on this host), model expressions sent to an evaluator process per timer, and the machine's 1-minute
load average before and after (the machine may be shared).

PostgreSQL runs on a throw-away cluster of its own with fsync, synchronous_commit and
full_page_writes ON (the test server runs with them off), on port ``DUBAN_BENCH_TIMERS_PG_PORT``
(55441), stopped afterwards; ``--postgres URL`` uses a server of yours instead. The settings in force
are reported with the figures.

    python bench/timers.py --json [--timers 10000] [--rounds 3] [--postgres URL] [--skip-sqlite | --skip-postgres]
        [--sqlite-configs engine,commit_checkpoint,no_turns]

Each run also reports each worker's share (``per_worker``, ``smallest_share``: SQLite writers on one
file take turns, engine/write_turns.py) and any error that ended a worker's sweep.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import os
import shutil
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

from bench import wal_pages  # noqa: E402
from engine import Engine, ManualClock  # noqa: E402
from engine.schema import AuditEvent, Timer  # noqa: E402
from tests.support import START, deploy, make_engine  # noqa: E402


TIMERS_PG_PORT = int(os.environ.get("DUBAN_BENCH_TIMERS_PG_PORT", "55441"))


def _backend_cpu(pids: set[int]) -> float | None:
    """CPU seconds the PostgreSQL backends ``pids`` used so far (None if /proc does not show them:
    a server on another host or in another PID namespace)."""
    total = 0.0
    try:
        for pid in pids:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
    return total


def _configured(engine, config: str):
    """SQLite: ``engine`` as configured, or ``commit_checkpoint`` (before engine/checkpoint.py and
    engine/write_turns.py: the commit's checkpoint, no thread, no turns), or ``no_turns`` (the
    thread, writers not taking turns: what was reverted in 02e871c)."""
    if config == "commit_checkpoint":
        wal_pages.commit_checkpoint(engine)
    elif config == "no_turns" and engine.db.turns is not None:
        engine.db.turns.close()
        engine.db.turns = None
    return engine


def _sweep(url: str, now_iso: str, name: str, config: str = "engine") -> tuple:
    """One worker's sweep: (fired, CPU seconds, statements, start, end, PostgreSQL backend CPU seconds
    or None, model expressions sent to an evaluator process, the error that ended it or None)."""
    from datetime import datetime
    engine = _configured(Engine(url, clock=ManualClock(datetime.fromisoformat(now_iso))), config)
    statements = [0]
    sa.event.listen(engine.db.engine, "before_cursor_execute",
                    lambda *_: statements.__setitem__(0, statements[0] + 1))
    backends: set[int] = set()
    if not engine.db.is_sqlite:
        def remember_backend(dbapi_conn, _record):
            with dbapi_conn.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                backends.add(cur.fetchone()[0])
        sa.event.listen(engine.db.engine, "connect", remember_backend)
    try:
        start, cpu, error = time.time(), time.process_time(), None
        try:
            fired = engine.run_due_timers(worker=name)
        except Exception as exc:  # noqa: BLE001 - reported ("database is locked"), the run fails
            fired, error = 0, f"{type(exc).__name__}: {exc}"[:300]
        cpu, end = time.process_time() - cpu, time.time()
        pg_cpu = _backend_cpu(backends) if backends else None  # the backends' whole life: the sweep's
        evaluator = engine.script_engine.environment.evaluations["worker"]
        return fired, cpu, statements[0], start, end, pg_cpu, evaluator, error
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


def run(url: str, workers: int, n: int, config: str = "engine") -> dict:
    due = (START + timedelta(days=2, seconds=1)).isoformat()
    ctx = multiprocessing.get_context("spawn")
    load_before = os.getloadavg()[0]
    with ctx.Pool(workers) as pool:  # the pool is up before the clock starts: each worker times its sweep
        outcomes = pool.starmap(_sweep, [(url, due, f"bench-{i}", config) for i in range(workers)])
    counts = [o[0] for o in outcomes]
    elapsed = max(o[4] for o in outcomes) - min(o[3] for o in outcomes)
    fired = max(sum(counts), 1)
    check = sa.create_engine(url)
    with check.connect() as conn:
        left = conn.execute(sa.select(sa.func.count()).select_from(Timer)).scalar()
        audited = conn.execute(sa.select(sa.func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "timer_fired")).scalar()
    check.dispose()
    errors = [o[7] for o in outcomes if o[7]]
    return {"workers": workers, "fired": sum(counts), "per_worker": counts, "audited": audited, "left": left,
            "smallest_share": round(min(counts) / fired, 3), "errors": errors,
            "seconds": round(elapsed, 2), "fired_per_second": round(sum(counts) / elapsed, 1),
            "cpu_ms_per_timer": round(sum(o[1] for o in outcomes) / fired * 1000, 2),
            "statements_per_timer": round(sum(o[2] for o in outcomes) / fired, 2),
            "pg_backend_cpu_ms_per_timer": (round(sum(o[5] for o in outcomes) / fired * 1000, 2)
                                            if all(o[5] is not None for o in outcomes) else None),
            "evaluator_round_trips_per_timer": round(sum(o[6] for o in outcomes) / fired, 2),
            "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "exactly_once": sum(counts) == n == audited and left == 0 and not errors}


def best_of(rounds: int, once) -> dict:
    """The fastest of ``rounds`` runs (each on a fresh copy); exactly-once must hold in every run."""
    return _best([once() for _ in range(rounds)])


def _best(runs: list[dict]) -> dict:
    best = dict(max(runs, key=lambda r: r["fired_per_second"]))
    best["exactly_once"] = all(r["exactly_once"] for r in runs)
    best["rounds_fired_per_second"] = [r["fired_per_second"] for r in runs]
    best["rounds_per_worker"] = [r["per_worker"] for r in runs]
    best["rounds_cpu_ms_per_timer"] = [r["cpu_ms_per_timer"] for r in runs]
    best["errors"] = [e for r in runs for e in r["errors"]]
    return best


def sqlite_runs(tmp: Path, n: int, rounds: int, configs: list[str]) -> dict:
    """1 and 2 workers on copies of one prepared file; with several configurations, they take turns
    run by run (round 1 of each, then round 2 of each, ...), so a change of the machine's load
    falls on all of them."""
    result: dict = {}
    base = tmp / "base.sqlite"
    result["sqlite_setup_seconds"] = round(prepare(f"sqlite:///{base}", n), 1)
    for workers in (1, 2):
        runs: dict[str, list] = {c: [] for c in configs}
        for _ in range(rounds):
            for config in configs:
                copy = tmp / f"run{workers}.sqlite"
                for leftover in tmp.glob(f"run{workers}.sqlite*"):
                    leftover.unlink()
                shutil.copy(base, copy)
                runs[config].append(run(f"sqlite:///{copy}", workers, n, config))
        for config in configs:
            suffix = "" if config == "engine" else f"_{config}"
            result[f"sqlite_{workers}_worker{suffix}"] = _best(runs[config])
    return result


def durable_cluster():
    """A throw-away PostgreSQL cluster with fsync on (bench/throughput.py's, on a port of our own)."""
    spec = importlib.util.spec_from_file_location("bench_throughput", ROOT / "bench" / "throughput.py")
    throughput = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(throughput)
    return throughput.DurablePostgres(TIMERS_PG_PORT), throughput.durability


def postgres_runs(admin_url: str, n: int, rounds: int, durability) -> dict:
    result: dict = {}
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    prefix = admin_url.rsplit("/", 1)[0]
    template = f"bench_{uuid.uuid4().hex[:8]}"
    made = [template]
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{template}"')
    try:
        if durability is not None:
            result["postgres_settings"] = durability(f"{prefix}/{template}")
        result["postgres_setup_seconds"] = round(prepare(f"{prefix}/{template}", n), 1)
        for workers in (1, 2):
            def once(workers=workers):
                name = f"bench_{uuid.uuid4().hex[:8]}"
                made.append(name)
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                try:
                    return run(f"{prefix}/{name}", workers, n)
                finally:
                    with admin.connect() as conn:
                        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            result[f"postgres_{workers}_worker"] = best_of(rounds, once)
    finally:
        with admin.connect() as conn:
            for name in made:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--timers", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--postgres", default=None, help="admin URL of a server of yours (else a durable one is started)")
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--sqlite-configs", default="engine", metavar="engine,commit_checkpoint,no_turns",
                    help="SQLite configurations run in turn, round by round: engine (as configured), "
                         "commit_checkpoint (before engine/checkpoint.py and write_turns.py), no_turns "
                         "(the checkpoint thread, writers not taking turns); reported as sqlite_N_worker[_config]")
    args = ap.parse_args()
    n = args.timers
    result = {"timers": n}
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            result.update(sqlite_runs(Path(tmp), n, args.rounds, args.sqlite_configs.split(",")))
    if not args.skip_postgres:
        if args.postgres:
            result.update(postgres_runs(args.postgres, n, args.rounds, None))
        else:
            cluster, durability = durable_cluster()
            with cluster as admin_url:
                result.update(postgres_runs(admin_url, n, args.rounds, durability))
    goals = {}
    if "postgres_2_worker" in result:
        two, one = result["postgres_2_worker"], result["postgres_1_worker"]
        goals["postgres_2_workers_1000_per_second"] = two["fired_per_second"] >= 1000
        goals["postgres_2_workers_beat_1"] = two["fired_per_second"] > one["fired_per_second"]
        goals["exactly_once"] = two["exactly_once"] and one["exactly_once"]
    result["goals"] = goals
    print(json.dumps(result, ensure_ascii=False) if args.json else json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
