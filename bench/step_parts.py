"""Where a completion's time goes, unprofiled: µs per completion for each part of the step pipeline.

The same run as ``bench/throughput.py``'s ``engine_sqlite`` (bench/models/five_tasks.bpmn, a SQLite
file on disk, ``Engine.complete`` through the public API), with the clock read around each part
instead of cProfile's per-call hooks, so the figures keep the proportions of a plain run
(``timing_overhead_ns_per_part``: what a timer adds to the part around it, measured before the
run and taken off that part's figure). ``--clock wall`` (default) reads ``perf_counter_ns`` (tens
of ns a read; on a busy machine other processes' turns land in the parts in proportion to their
length, so the shares hold); ``--clock cpu`` this process's CPU time (``process_time_ns``: a
system call a read, about 1 µs, which inflates the small, frequent parts beyond the calibration).
Times are exclusive: a part's figure excludes the parts timed inside it (each SQL statement is its own part, whatever called it), and ``other`` is
what the completion spent outside every timed part (the use case's own code, the transaction,
incident recording, the connection). The wrappers replace module attributes of this process only,
for the run; nothing is changed on disk.

    python bench/step_parts.py --json [--cases 400] [--clock cpu|wall] [--cache-size N]

``--cache-size 0``: the engine's workflow cache off, so every completion restores its case from the
rows (a cold step, as for a case another process stepped last: ``engine_sqlite_cold`` in
bench/throughput.py).

``--cases 400`` completes 2,000 tasks. CPU per completion is reported without the wrappers, measured
in the same run (a first pass), next to the wrapped run's total. The naive app of bench/throughput.py
is then timed part by part with the same clock (read and deserialize, SpiffWorkflow, serialize,
write, commit), so the two tables compare within one run.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.task import Task  # noqa: E402

from engine import projection, sqlexec, state, step, tasks  # noqa: E402
from engine.schema import HumanTask  # noqa: E402
from tests.support import make_engine  # noqa: E402

MODEL = ROOT / "bench" / "models" / "five_tasks.bpmn"
PROCESS = "five_tasks"
TASKS = 5

_ns = time.perf_counter_ns  # --clock: wall (default) or this process's CPU time
totals: dict[str, int] = defaultdict(int)
calls: dict[str, int] = defaultdict(int)
_stack: list[list] = []  # [part, start, time of the parts timed inside it, how many were timed inside it]


_overhead = [0]  # ns a timed call adds to the part it is timed inside (``calibrate``): taken off there


def calibrate(rounds: int = 20000) -> int:
    """What one timed call adds to the part around it: its two clock reads and the stack's work
    (with ``--clock cpu`` a system call each, about a microsecond: more than many parts cost)."""
    _overhead[0] = 0
    noop = timed("calibration inner", lambda: None)
    runs = []
    for _ in range(5):
        totals.clear()
        bare = _ns()
        [(lambda: None)() for _ in range(rounds)]
        bare = _ns() - bare
        timed("calibration outer", lambda: [noop() for _ in range(rounds)])()
        runs.append((totals["calibration outer"] - bare) // rounds)
    totals.clear()
    calls.clear()
    _overhead[0] = max(sorted(runs)[len(runs) // 2], 0)
    return _overhead[0]


def _enter(part: str) -> None:
    _stack.append([part, _ns(), 0, 0])


def _leave() -> None:
    part, start, inner, children = _stack.pop()
    spent = _ns() - start
    totals[part] += spent - inner - children * _overhead[0]
    calls[part] += 1
    if _stack:
        _stack[-1][2] += spent
        _stack[-1][3] += 1


def timed(part: str, fn):
    def wrapper(*args, **kwargs):
        _enter(part)
        try:
            return fn(*args, **kwargs)
        finally:
            _leave()
    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
    wrapper.__dict__.update(getattr(fn, "__dict__", {}))  # a hook's ``applies_to`` (engine/step.py hooks_for)
    return wrapper


def _statement_name(sql: str) -> str:
    words = sql.split()
    verb = words[0].upper()
    if verb == "INSERT":
        return f"sql INSERT {words[2]}"
    if verb == "UPDATE":
        return f"sql UPDATE {words[1]}"
    if verb == "SELECT":
        where = sql.upper().split(" FROM ", 1)[-1].split()[0].lower()
        return f"sql SELECT {where}"
    return f"sql {' '.join(words[:2])}"


def instrument(engine) -> None:
    """Put the timers in place (this process, this run)."""
    wraps = [
        (step, "take_task", "take_task (python)"),
        (step, "lock_case", "lock_case"),
        (step, "load", "load (cache)"),
        (step, "advance", "spiff do_engine_steps"),
        (step, "case_data_text", "case_data_text"),
        (step, "workflow_completed", "workflow_completed"),
        (step, "write_case", "write_case (python)"),
        (step, "commit_cache", "commit_cache"),
        (tasks, "_validate_form", "validate_form"),
        (projection, "fired_timers", "projection.fired_timers"),
        (projection, "waiting_timers", "projection.waiting_timers"),
        (projection, "project_human_tasks", "projection.human_tasks (python)"),
        (projection, "project_timers", "projection.timers (python)"),
        (state, "prune", "state.prune"),
        (state, "save", "state.save (python)"),
        (state, "restore_rows", "state.restore_rows"),
        (sqlexec, "_bound", "sqlexec bind params"),
        (sqlexec, "_rows", "sqlexec result rows"),
        (step, "case_from_row", "case_from_row"),
        (tasks, "_complete_locked", "tasks._complete_locked (own code)"),
        (step.audit, "append_chains", "audit append (python)"),
        (step.audit, "_linked", "audit link: canonical JSON + HMAC"),
        (step.audit, "keyring", "audit keyring"),
    ]
    for module, name, part in wraps:
        setattr(module, name, timed(part, getattr(module, name)))
    step.Step.write = timed("Step.write (own code)", step.Step.write)
    step.AuditBuffer.flush = timed("audit buffer flush (python)", step.AuditBuffer.flush)
    step.AuditBuffer.link_case = timed("audit link_case (python)", step.AuditBuffer.link_case)
    step.Step.audit = timed("audit events built", step.Step.audit)
    step.jsonable = timed("jsonable", step.jsonable)
    # SpiffWorkflow: timed here, in this process, for the run (never in the engine).
    Task.run = timed("spiff task.run", Task.run)
    Task.set_data = timed("spiff task.set_data", Task.set_data)
    BpmnWorkflow.get_task_from_id = timed("spiff get_task_from_id", BpmnWorkflow.get_task_from_id)
    BpmnWorkflow.get_events = timed("spiff get_events", BpmnWorkflow.get_events)
    BpmnWorkflow.is_completed = timed("spiff is_completed", BpmnWorkflow.is_completed)
    engine.policy.check_task = timed("policy.check_task", engine.policy.check_task)
    engine.directory.cached_principal = timed("directory.cached_principal", engine.directory.cached_principal)
    engine.after_step_hooks[:] = [timed(f"hook {getattr(h, '__module__', '')}.{getattr(h, '__name__', type(h).__name__)}", h)
                                  for h in engine.after_step_hooks]

    send = sqlexec.Pending._send

    def timed_send(self, pipelined=False):
        _enter(_statement_name(self.sql))
        try:
            return send(self, pipelined)
        finally:
            _leave()
    sqlexec.Pending._send = timed_send
    execute_text = sqlexec.execute_text

    def timed_text(conn, sql):
        _enter(f"sql {sql}")
        try:
            return execute_text(conn, sql)
        finally:
            _leave()
    sqlexec.execute_text = timed_text
    dialect = engine.db.engine.dialect
    do_commit = dialect.do_commit

    def timed_commit(dbapi_connection):
        _enter("sql COMMIT")
        try:
            return do_commit(dbapi_connection)
        finally:
            _leave()
    dialect.do_commit = timed_commit


def _open_tasks(engine) -> list[str]:
    with engine.db.engine.connect() as conn:
        return list(conn.execute(sa.select(HumanTask.id).where(HumanTask.state == "open")
                                 .order_by(HumanTask.case_id)).scalars())


def completions(engine, cases: int, wrapped: bool) -> tuple[int, float, int]:
    """Start ``cases`` cases and complete every task: (completions, CPU seconds, wall ns in them)."""
    for _ in range(cases):
        engine.start(PROCESS, by="zhang", org="east", data={"备注": "基准测试"})
    if wrapped:
        totals.clear()
        calls.clear()
    done, cpu, wall = 0, 0.0, 0
    for _ in range(TASKS):
        for tid in _open_tasks(engine):
            c0, t0 = time.process_time(), _ns()
            if wrapped:
                _enter("other")
            engine.complete(tid, "zhang", {"意见": "同意"})
            if wrapped:
                _leave()
            wall += _ns() - t0
            cpu += time.process_time() - c0
            done += 1
    return done, cpu, wall


def naive_parts(path: Path, cases: int) -> tuple[int, dict[str, int]]:
    """bench/throughput.py's naive app (one JSON row per case: read, deserialize, run, serialize,
    write, commit), timed by the same clock part by part: (completions, ns per part)."""
    import sqlite3

    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow as Workflow
    from SpiffWorkflow.spiff.parser import SpiffBpmnParser
    from SpiffWorkflow.util.task import TaskState

    from engine.state import serializer

    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(MODEL))
    spec, subs = parser.get_spec(PROCESS), parser.get_subprocess_specs(PROCESS)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE wf (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
    for i in range(cases):
        wf = Workflow(spec, subs)
        wf.do_engine_steps()
        db.execute("INSERT INTO wf (id, state) VALUES (?, ?)", (i, serializer.serialize_json(wf)))
    spent: dict[str, int] = defaultdict(int)
    done = 0
    for _ in range(TASKS):
        for i in range(cases):
            t0 = _ns()
            db.execute("BEGIN IMMEDIATE")
            (text,) = db.execute("SELECT state FROM wf WHERE id = ?", (i,)).fetchone()
            t1 = _ns()
            wf = serializer.deserialize_json(text)
            t2 = _ns()
            (task,) = wf.get_tasks(state=TaskState.READY, manual=True)
            task.set_data(意见="同意")
            task.run()
            wf.do_engine_steps()
            t3 = _ns()
            text = serializer.serialize_json(wf)
            t4 = _ns()
            db.execute("UPDATE wf SET state = ? WHERE id = ?", (text, i))
            t5 = _ns()
            db.execute("COMMIT")
            t6 = _ns()
            for part, ns in (("sql BEGIN IMMEDIATE + SELECT", t1 - t0), ("deserialize_json", t2 - t1),
                             ("spiff get_tasks + run + do_engine_steps", t3 - t2), ("serialize_json", t4 - t3),
                             ("sql UPDATE wf", t5 - t4), ("sql COMMIT", t6 - t5)):
                spent[part] += ns
            done += 1
    db.close()
    return done, spent


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--clock", choices=["cpu", "wall"], default="wall")
    ap.add_argument("--cache-size", type=int, default=None, help="the engine's workflow cache (default: as Engine)")
    args = ap.parse_args()
    global _ns
    if args.clock == "cpu":
        _ns = time.process_time_ns
    overhead = calibrate()
    with tempfile.TemporaryDirectory() as tmp:
        sized = {} if args.cache_size is None else {"cache_size": args.cache_size}
        engine = make_engine(f"sqlite:///{Path(tmp) / 'engine.sqlite'}", **sized)
        engine.deploy(MODEL, by="boss")
        plain_done, plain_cpu, plain_wall = completions(engine, args.cases, wrapped=False)
        naive_done, naive = naive_parts(Path(tmp) / "naive.sqlite", args.cases)  # before the wrappers
        instrument(engine)
        done, cpu, wall = completions(engine, args.cases, wrapped=True)
        engine.dispose()
    # each part's figure less what the parts timed inside it added (their clock reads)
    parts = sorted(((p, round(ns / done / 1000, 1), round(calls[p] / done, 2)) for p, ns in totals.items()),
                   key=lambda x: -x[1])
    result = {"process": PROCESS, "completions": done, "clock": args.clock,
              # what a timed call adds to the part around it; taken off that part's figure
              "timing_overhead_ns_per_part": overhead,
              "plain_cpu_us_per_completion": round(plain_cpu / plain_done * 1e6, 1),
              "plain_wall_us_per_completion": round(plain_wall / plain_done / 1000, 1),
              "wrapped_cpu_us_per_completion": round(cpu / done * 1e6, 1),
              "wrapped_wall_us_per_completion": round(wall / done / 1000, 1),
              "parts_us_per_completion": {p: {"us": us, "calls": c} for p, us, c in parts},
              "engine_parts_total_us": round(sum(us for _, us, _ in parts), 1),
              "naive_parts_us_per_completion": {p: round(ns / naive_done / 1000, 1) for p, ns in naive.items()},
              "naive_parts_total_us": round(sum(naive.values()) / naive_done / 1000, 1)}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(json.dumps({k: v for k, v in result.items() if k != "parts_us_per_completion"}, ensure_ascii=False))
        for p, us, c in parts:
            print(f"{us:8.1f} µs  {c:5.2f} calls  {p}")
        print(f"{result['engine_parts_total_us']:8.1f} µs  engine, all parts")
        print("\nnaive app, same clock")
        for p, us in result["naive_parts_us_per_completion"].items():
            print(f"{us:8.1f} µs  {p}")
        print(f"{result['naive_parts_total_us']:8.1f} µs  naive app, all parts")


if __name__ == "__main__":
    main()
