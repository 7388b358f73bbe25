"""Start throughput: cases of the 5-task benchmark model started one after another through
``Engine.start``, on a SQLite file and on PostgreSQL with fsync and synchronous_commit ON (a
throw-away cluster as bench/throughput.py's, on a port of its own — 55443, so it never stops a
cluster another benchmark is using — started and stopped here unless ``--postgres`` names one).

Reported per run: starts per second (wall clock), this process's CPU per start, the SQL statements a
start sends and the round trips they take — counted as bench/throughput.py counts a completion's:
each statement SQLAlchemy sent, each send or pipeline of engine/sqlexec.py, and the COMMIT unless it
rode the last pipeline. Issue 15: every step, not only a completion, waits for the database as few
times as it can (tests/test_step_round_trips.py).

    python bench/starts.py --json [--starts 200] [--postgres URL | --skip-postgres]
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.throughput import MODEL, PROCESS, DurablePostgres, postgres_run  # noqa: E402
from engine import sqlexec  # noqa: E402
from tests.support import make_engine  # noqa: E402

STARTS_PG_PORT = int(os.environ.get("DUBAN_BENCH_STARTS_PG_PORT", "55443"))


def start_run(url: str, starts: int) -> dict:
    engine = make_engine(url)
    engine.deploy(MODEL, by="boss")
    engine.start(PROCESS, by="zhang", org="east")  # the model's bundle built, the caches filled
    statements, commits = [0], [0]

    def count(*_args):
        statements[0] += 1

    def commit(_conn):
        commits[0] += 1

    sa.event.listen(engine.db.engine, "before_cursor_execute", count)
    sa.event.listen(engine.db.engine, "commit", commit)
    s0, r0, f0 = sqlexec.stats.statements, sqlexec.stats.round_trips, sqlexec.stats.commits
    elapsed, cpu = 0.0, 0.0
    for _ in range(starts):
        t0, c0 = time.perf_counter(), time.process_time()
        engine.start(PROCESS, by="zhang", org="east", data={"备注": "基准测试"})
        elapsed += time.perf_counter() - t0
        cpu += time.process_time() - c0
    sa.event.remove(engine.db.engine, "before_cursor_execute", count)
    sa.event.remove(engine.db.engine, "commit", commit)
    own, trips, folded = (sqlexec.stats.statements - s0, sqlexec.stats.round_trips - r0, sqlexec.stats.commits - f0)
    engine.dispose()
    return {"starts": starts, "seconds": round(elapsed, 3), "per_second": round(starts / elapsed, 1),
            "cpu_ms_per_start": round(cpu / starts * 1000, 3),
            "sql_statements_per_start": round(statements[0] / starts, 2),
            "round_trips_per_start": round((statements[0] - own + trips + commits[0] - folded) / starts, 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--starts", type=int, default=200)
    ap.add_argument("--postgres", default=None, help="admin URL of a server with fsync on (else one is started)")
    ap.add_argument("--skip-postgres", action="store_true")
    args = ap.parse_args()
    result: dict = {"process": PROCESS}
    with tempfile.TemporaryDirectory() as tmp:
        result["engine_sqlite"] = start_run(f"sqlite:///{Path(tmp) / 'starts.sqlite'}", args.starts)
    if not args.skip_postgres:
        with contextlib.ExitStack() as stack:
            url = args.postgres or stack.enter_context(DurablePostgres(STARTS_PG_PORT))
            result["engine_postgres"] = postgres_run(url, args.starts, start_run)
    print(json.dumps(result, ensure_ascii=False) if args.json else json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
