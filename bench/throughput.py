"""Completion throughput: a 5-task process, 100 cases, every task completed through the public API.

Measured side by side in one run:
- ``engine_sqlite``: ``Engine.complete`` on a SQLite file on disk (WAL, as the engine configures it);
- ``engine_postgres``: the same on PostgreSQL with ``fsync`` and ``synchronous_commit`` ON — a
  throw-away cluster of its own is started for this (the test server runs with fsync off), and
  stopped afterwards;
- ``raw_spiff_in_memory``: SpiffWorkflow alone, every workflow kept in memory, nothing stored;
- ``naive_app_sqlite``: what a straightforward app does — per completion, read the case's whole
  SpiffWorkflow JSON from a SQLite file, deserialize, run, re-serialize the whole workflow, write it
  back and commit.

Only the completions are timed (finding the next task id is not). The machine is shared, so the
engine's CPU time per completion (this process only) is reported next to the wall-clock rate, and
the SQL statements a completion sends, and the round trips they take (engine/sqlexec.py pipelines
PostgreSQL's writes; the checkout's connection check is not counted: the engine pings only
connections idle for 30 s, engine/database.py). Goals (issue 15): 500/s on SQLite, 300/s on PostgreSQL, at
least twice the naive app.

    python bench/throughput.py --json [--cases 100] [--postgres URL | --skip-postgres]
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from engine import sqlexec  # noqa: E402
from engine.schema import HumanTask  # noqa: E402
from engine.state import serializer  # noqa: E402
from tests.support import make_engine  # noqa: E402

MODEL = ROOT / "bench" / "models" / "five_tasks.bpmn"
PROCESS = "five_tasks"
TASKS = 5
DURABLE_PG_PORT = int(os.environ.get("DUBAN_BENCH_PG_PORT", "55439"))


def engine_run(url: str, cases: int) -> dict:
    engine = make_engine(url)
    engine.deploy(MODEL, by="boss")
    for _ in range(cases):
        engine.start(PROCESS, by="zhang", org="east", data={"备注": "基准测试"})
    elapsed, done, cpu = 0.0, 0, 0.0
    per_call = []
    statements = [0]
    counting = [False]

    def count(*_args):
        if counting[0]:
            statements[0] += 1

    sa.event.listen(engine.db.engine, "before_cursor_execute", count)
    sent, trips = [0], [0]  # engine/sqlexec.py's own counts: statements it sent, round trips they took
    for _ in range(TASKS):
        with engine.db.engine.connect() as conn:
            ids = list(conn.execute(sa.select(HumanTask.id).where(HumanTask.state == "open")
                                    .order_by(HumanTask.case_id)).scalars())
        for tid in ids:
            counting[0] = True
            s0, r0 = sqlexec.stats.statements, sqlexec.stats.round_trips
            t0, c0 = time.perf_counter(), time.process_time()
            engine.complete(tid, "zhang", {"意见": "同意"})
            dt = time.perf_counter() - t0
            cpu += time.process_time() - c0
            counting[0] = False
            sent[0] += sqlexec.stats.statements - s0
            trips[0] += sqlexec.stats.round_trips - r0
            elapsed += dt
            per_call.append(dt)
            done += 1
    engine.dispose()
    per_call.sort()
    return {"completions": done, "seconds": round(elapsed, 3), "per_second": round(done / elapsed, 1),
            "p95_ms": round(per_call[int(len(per_call) * 0.95)] * 1000, 2),
            "cpu_ms_per_completion": round(cpu / done * 1000, 3),
            # statements sent to the database (SQLite's BEGIN IMMEDIATE counted, COMMIT not), the
            # executor's own and SQLAlchemy's: both pass the before_cursor_execute listener
            "sql_statements_per_completion": round(statements[0] / done, 2),
            # waits for the database: each statement SQLAlchemy sent, each executor send or pipeline,
            # and the COMMIT (on SQLite these are function calls, not network round trips)
            "round_trips_per_completion": round((statements[0] - sent[0] + trips[0]) / done + 1, 2)}


def _spec():
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(MODEL))
    return parser.get_spec(PROCESS), parser.get_subprocess_specs(PROCESS)


def raw_run(cases: int) -> dict:
    spec, subs = _spec()
    workflows = []
    for _ in range(cases):
        wf = BpmnWorkflow(spec, subs)
        wf.do_engine_steps()
        workflows.append(wf)
    elapsed, done, cpu = 0.0, 0, 0.0
    for _ in range(TASKS):
        for wf in workflows:
            (task,) = wf.get_tasks(state=TaskState.READY, manual=True)
            t0, c0 = time.perf_counter(), time.process_time()
            task.set_data(意见="同意")
            task.run()
            wf.do_engine_steps()
            elapsed += time.perf_counter() - t0
            cpu += time.process_time() - c0
            done += 1
    return {"completions": done, "seconds": round(elapsed, 3), "per_second": round(done / elapsed, 1),
            "cpu_ms_per_completion": round(cpu / done * 1000, 3)}


def naive_run(path: Path, cases: int) -> dict:
    """The naive app: whole JSON per case, read-deserialize-run-serialize-write-commit per completion."""
    spec, subs = _spec()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # as the engine's SQLite
    db.execute("CREATE TABLE wf (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
    for i in range(cases):
        wf = BpmnWorkflow(spec, subs)
        wf.do_engine_steps()
        db.execute("INSERT INTO wf (id, state) VALUES (?, ?)", (i, serializer.serialize_json(wf)))
    elapsed, done, cpu = 0.0, 0, 0.0
    for _ in range(TASKS):
        for i in range(cases):
            t0, c0 = time.perf_counter(), time.process_time()
            db.execute("BEGIN IMMEDIATE")
            (text,) = db.execute("SELECT state FROM wf WHERE id = ?", (i,)).fetchone()
            wf = serializer.deserialize_json(text)
            (task,) = wf.get_tasks(state=TaskState.READY, manual=True)
            task.set_data(意见="同意")
            task.run()
            wf.do_engine_steps()
            db.execute("UPDATE wf SET state = ? WHERE id = ?", (serializer.serialize_json(wf), i))
            db.execute("COMMIT")
            elapsed += time.perf_counter() - t0
            cpu += time.process_time() - c0
            done += 1
    db.close()
    return {"completions": done, "seconds": round(elapsed, 3), "per_second": round(done / elapsed, 1),
            "cpu_ms_per_completion": round(cpu / done * 1000, 3)}


class DurablePostgres:
    """A throw-away PostgreSQL cluster with fsync, synchronous_commit and full_page_writes ON."""

    def __init__(self, port: int = DURABLE_PG_PORT):
        self.port = port
        self.data = f"/tmp/duban-bench-pgdata-{port}"
        self.env = dict(os.environ, DUBAN_TEST_PG_PORT=str(port), DUBAN_TEST_PG_DATA=self.data)

    def __enter__(self) -> str:
        out = subprocess.run(["bash", str(ROOT / "scripts" / "pg-test-server"), "start"], env=self.env,
                             check=True, capture_output=True, text=True)
        url = out.stdout.strip().splitlines()[-1]
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in ("fsync", "synchronous_commit", "full_page_writes"):
                conn.exec_driver_sql(f"ALTER SYSTEM SET {name} = on")
            conn.exec_driver_sql("SELECT pg_reload_conf()")
        admin.dispose()
        self.url = url
        return url

    def __exit__(self, *exc):
        subprocess.run(["bash", str(ROOT / "scripts" / "pg-test-server"), "stop"], env=self.env,
                       check=False, capture_output=True)


def durability(url: str) -> dict:
    eng = sa.create_engine(url)
    with eng.connect() as conn:
        out = {name: conn.exec_driver_sql(f"SHOW {name}").scalar() for name in ("fsync", "synchronous_commit")}
    eng.dispose()
    return out


def postgres_run(admin_url: str, cases: int) -> dict:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    try:
        result = {"settings": durability(url)}
        result.update(engine_run(url, cases))
        return result
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--postgres", default=None, help="admin URL of a server with fsync on (else one is started)")
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--only", choices=["engine_sqlite", "engine_postgres", "raw", "naive"], default=None)
    args = ap.parse_args()
    n = args.cases
    result: dict = {"process": PROCESS, "cases": n, "tasks_per_case": TASKS}
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "engine_sqlite"):
            result["engine_sqlite"] = engine_run(f"sqlite:///{Path(tmp) / 'engine.sqlite'}", n)
        if args.only in (None, "raw"):
            result["raw_spiff_in_memory"] = raw_run(n)
        if args.only in (None, "naive"):
            result["naive_app_sqlite"] = naive_run(Path(tmp) / "naive.sqlite", n)
    if args.only in (None, "engine_postgres") and not args.skip_postgres:
        if args.postgres:
            result["engine_postgres"] = postgres_run(args.postgres, n)
        else:
            with DurablePostgres() as url:
                result["engine_postgres"] = postgres_run(url, n)
    if "engine_sqlite" in result and "naive_app_sqlite" in result:
        result["engine_over_naive"] = round(result["engine_sqlite"]["per_second"]
                                            / result["naive_app_sqlite"]["per_second"], 2)
    if "engine_sqlite" in result and "naive_app_sqlite" in result:
        result["engine_over_naive_by_cpu"] = round(result["naive_app_sqlite"]["cpu_ms_per_completion"]
                                                   / result["engine_sqlite"]["cpu_ms_per_completion"], 2)
    goals = {}
    if "engine_sqlite" in result:
        goals["sqlite_500"] = result["engine_sqlite"]["per_second"] >= 500
    if "engine_postgres" in result:
        goals["postgres_300"] = result["engine_postgres"]["per_second"] >= 300
    if "engine_over_naive" in result:
        goals["twice_naive"] = result["engine_over_naive"] >= 2.0
    result["goals"] = goals
    print(json.dumps(result, ensure_ascii=False) if args.json else json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
