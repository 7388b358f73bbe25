"""Where a completion's time goes, unprofiled: µs per completion for each part of the step pipeline.

The same run as ``bench/throughput.py``'s ``engine_sqlite`` (bench/models/five_tasks.bpmn, a SQLite
file on disk, ``Engine.complete`` through the public API), with the clock read around each part
instead of cProfile's per-call hooks, so the figures keep the proportions of a plain run
(``timing_overhead_ns_per_part``: what a timer adds to the part around it, measured before the
run and taken off that part's figure). ``--clock wall`` (default) reads ``perf_counter_ns`` (tens
of ns a read; on a busy machine other processes' turns land in the parts in proportion to their
length, so the shares hold); ``--clock cpu`` this process's CPU time (``process_time_ns``: a
system call a read, about 1 µs, which inflates the small, frequent parts beyond the calibration);
``--clock thread`` this thread's (``thread_time_ns``: not the engine's WAL checkpoint thread, nor the
threads of the isolated script workers' pool — with ``--model``, what the naive app's parts show on a
process clock includes ~0.5 ms a completion of those, charged to its longest part, deserialize_json).
Times are exclusive: a part's figure excludes the parts timed inside it (each SQL statement is its own part, whatever called it), and ``other`` is
what the completion spent outside every timed part (the use case's own code, the transaction,
incident recording, the connection). The wrappers replace module attributes of this process only,
for the run; nothing is changed on disk.

    python bench/step_parts.py --json [--cases 400] [--clock cpu|wall] [--cache-size N]

``--cache-size 0``: the engine's workflow cache off, so every completion restores its case from the
rows (a cold step, as for a case another process stepped last: ``engine_sqlite_cold`` in
bench/throughput.py).

``--model FILE`` (``--process KEY`` when the file holds several): the same table on any model, worked as
``bench/throughput.py --model`` works it (``ModelBench``: cases in lockstep, each step completes the
case's first ready task as a person who may, with the data its form needs; a case waiting on timers or
anything else is left), next to that model's naive app, part by part (read, deserialize, find the task,
run, serialize, write, commit); ``last_completion_us`` splits the plain run's CPU into the completions
that end their case and the others, and ``parts_by_place_us`` the wrapped run's parts by the
completion's place in its case: ``first`` (the first after the start), ``middle``, ``last`` (it ends the
case), ``only`` (first and last: one completion a case). ``--starts N``: also the parts of ``N`` warm ``Engine.start`` calls
(``start_parts_us_per_start``), next to the naive app's start (create, run, serialize, insert, commit).

``--cases 400`` completes 2,000 tasks. CPU per completion is reported without the wrappers, measured
in the same run (a first pass), next to the wrapped run's total. The naive app of bench/throughput.py
is then timed part by part with the same clock (read and deserialize, SpiffWorkflow, serialize,
write, commit), so the two tables compare within one run.
"""
from __future__ import annotations

import argparse
import gc
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
MAX_ROUNDS = 200  # as bench/throughput.py's

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


# ``--model``: the walk reads each case (``Engine.case``) and picks a user between completions; parts
# timed there, outside every completion, are not counted (False while the wrapped run walks)
_outside_counts = [True]


def _enter(part: str) -> bool:
    if not _stack and not _outside_counts[0] and part != "other":
        return False
    _stack.append([part, _ns(), 0, 0])
    return True


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
        if not _enter(part):
            return fn(*args, **kwargs)
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
        (sqlexec, "_bound_many", "sqlexec bind params"),
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
        if not _enter(_statement_name(self.sql)):
            return send(self, pipelined)
        try:
            return send(self, pipelined)
        finally:
            _leave()
    sqlexec.Pending._send = timed_send
    sent = sqlexec._sent  # SQLite's statements: sent at once, without ``Pending._send``

    def timed_sent(conn, r, parameters, many):
        if not _enter(_statement_name(r.sql)):
            return sent(conn, r, parameters, many)
        try:
            return sent(conn, r, parameters, many)
        finally:
            _leave()
    sqlexec._sent = timed_sent
    execute_text = sqlexec.execute_text

    def timed_text(conn, sql):
        if not _enter(f"sql {sql}"):
            return execute_text(conn, sql)
        try:
            return execute_text(conn, sql)
        finally:
            _leave()
    sqlexec.execute_text = timed_text
    dialect = engine.db.engine.dialect
    do_commit = dialect.do_commit

    def timed_commit(dbapi_connection):
        if not _enter("sql COMMIT"):
            return do_commit(dbapi_connection)
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


class ModelWalk:
    """``--model``: the engine's cases of a model as bench/throughput.py's ``EngineWalk`` works them
    (no meter: the clock is read here), each completion's CPU filed by whether it ended its case."""

    def __init__(self, bench, engine):
        self.bench, self.engine = bench, engine
        self.index: dict[int, int] = {}
        self.end_cpu, self.ends, self.mid_cpu, self.mids = 0.0, 0, 0.0, 0
        self.done_in: dict[int, int] = {}  # case -> completions so far (its next one's place)
        # the wrapped run's parts by the completion's place in its case: "first" (after the start),
        # "middle", "last" (it ends the case), "only" (first and last); place -> part -> ns, and counts
        self.by_place: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.places: dict[str, int] = defaultdict(int)

    def start(self, cases: int) -> list[int]:
        from engine.errors import IncidentRaised
        started = []
        for n in range(cases):
            try:
                started.append(self.bench.start(self.engine))
            except IncidentRaised:
                continue
            self.index[started[-1]] = n
            self.bench.walked.setdefault(n, [])
        return started

    def run(self, pending: list[int], wrapped: bool, record: bool = False) -> tuple[int, float, int]:
        from bench.throughput import user_for
        from engine.errors import EngineError
        engine, bench = self.engine, self.bench
        done, cpu, wall = 0, 0.0, 0
        for _ in range(MAX_ROUNDS):
            still = []
            for case_id in pending:
                view = engine.case(case_id)
                if view.status != "running" or not view.tasks:
                    continue
                task = view.tasks[0]
                user, data = user_for(engine, task, bench.starter[0]), bench.data_for(engine, task)
                before = dict(totals) if wrapped else None
                c0, t0 = time.process_time(), _ns()
                if wrapped:
                    _enter("other")
                try:
                    engine.complete(task.id, user, data)
                except EngineError:
                    continue
                finally:
                    if wrapped:
                        _leave()
                wall += _ns() - t0
                spent = time.process_time() - c0
                cpu += spent
                done += 1
                if record:
                    bench.walked[self.index[case_id]].append(task.spec_id)
                first = self.done_in.get(case_id, 0) == 0
                self.done_in[case_id] = self.done_in.get(case_id, 0) + 1
                running = engine.case(case_id).status == "running"
                if running:
                    self.mid_cpu, self.mids = self.mid_cpu + spent, self.mids + 1
                    still.append(case_id)
                else:
                    self.end_cpu, self.ends = self.end_cpu + spent, self.ends + 1
                if before is not None:
                    place = ("first" if running else "only") if first else ("middle" if running else "last")
                    self.places[place] += 1
                    parts = self.by_place[place]
                    for part, ns in totals.items():
                        if ns != before.get(part, 0):
                            parts[part] += ns - before.get(part, 0)
            pending = still
            if not pending:
                break
        return done, cpu, wall


def naive_model_parts(bench, path: Path, cases: int) -> tuple[int, dict[str, int], dict[str, int]]:
    """The naive app of bench/throughput.py's ``SpiffWalk`` on the model (its own dialect's parser, the
    data and walk the engine's run gave), part by part: (completions, ns per part of the completions,
    ns per part of the starts)."""
    import sqlite3

    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
    from SpiffWorkflow.util.task import TaskState

    dialect = bench.dialects()[0]
    _name, spec, subs, codec = bench.raw_spec(dialect)
    from bench.throughput import NaiveStarts
    opens = NaiveStarts(bench, dialect, codec)  # the cases a script opens (start_case), as the naive app opens them
    script_engine = PythonScriptEngine(environment=TaskDataEnvironment(bench.functions))
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE wf (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
    initial = bench.initial_data(spec, subs)
    starts: dict[str, int] = defaultdict(int)
    pending = []
    for i in range(cases):
        t0 = _ns()
        wf = BpmnWorkflow(spec, subs, script_engine=script_engine)
        wf.task_tree.data.update({**initial, "case_no": f"BENCH-{i + 1}"})
        t1 = _ns()
        try:
            with opens.step() as asked:
                wf.do_engine_steps()
            opens.open(None, script_engine, asked)
        except Exception:  # noqa: BLE001 - the engine's incident
            continue
        t2 = _ns()
        text = codec.serialize_json(wf)
        t3 = _ns()
        db.execute("BEGIN")
        db.execute("INSERT INTO wf (id, state) VALUES (?, ?)", (i, text))
        t4 = _ns()
        db.execute("COMMIT")
        t5 = _ns()
        for part, ns in (("create workflow", t1 - t0), ("spiff do_engine_steps", t2 - t1), ("serialize_json", t3 - t2),
                         ("sql BEGIN + INSERT wf", t4 - t3), ("sql COMMIT", t5 - t4)):
            starts[part] += ns
        starts["starts"] += 1
        pending.append(i)
    spent: dict[str, int] = defaultdict(int)
    steps: dict[int, int] = {}
    done = 0
    for _ in range(MAX_ROUNDS):
        still = []
        for i in pending:
            t0 = _ns()
            db.execute("BEGIN IMMEDIATE")
            (text,) = db.execute("SELECT state FROM wf WHERE id = ?", (i,)).fetchone()
            t1 = _ns()
            wf = codec.deserialize_json(text)
            wf.script_engine = script_engine
            t2 = _ns()
            ready = [] if wf.is_completed() else wf.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                db.execute("COMMIT")
                continue
            walked, step = bench.walked.get(i, []), steps.get(i, 0)
            task = next((t for t in ready if step < len(walked) and t.task_spec.bpmn_id == walked[step]), ready[0])
            steps[i] = step + 1
            t3 = _ns()
            try:
                with opens.step() as asked:
                    task.set_data(**bench.given.get(task.task_spec.bpmn_id, {}))
                    task.run()
                    wf.do_engine_steps()
                t4 = _ns()
                opened = opens.open(db, script_engine, asked)  # the cases the step opened: made, run, serialized, inserted
            except Exception:  # noqa: BLE001 - the engine's incident
                db.execute("ROLLBACK")
                continue
            t4b = _ns()
            text = codec.serialize_json(wf)
            t5 = _ns()
            db.execute("UPDATE wf SET state = ? WHERE id = ?", (text, i))
            t6 = _ns()
            db.execute("COMMIT")
            t7 = _ns()
            if opened:
                spent["open cases (start_case)"] += t4b - t4
            for part, ns in (("sql BEGIN IMMEDIATE + SELECT", t1 - t0), ("deserialize_json", t2 - t1),
                             ("spiff get_tasks", t3 - t2), ("spiff set_data + run + do_engine_steps", t4 - t3),
                             ("serialize_json", t5 - t4b), ("sql UPDATE wf", t6 - t5), ("sql COMMIT", t7 - t6)):
                spent[part] += ns
            done += 1
            still.append(i)
        pending = still
        if not pending:
            break
    db.close()
    return done, spent, starts


def model_run(args, tmp: Path) -> tuple[int, float, int, dict]:
    """``--model``: the plain run, the naive app's parts, then the wrapped run; (completions, CPU s,
    wall ns of the wrapped run, the rest of the result)."""
    from bench.throughput import ModelBench
    bench = ModelBench(Path(args.model), args.process)
    sized = {} if args.cache_size is None else {"cache_size": args.cache_size}
    engine = bench.engine(f"sqlite:///{tmp / 'engine.sqlite'}")
    if sized:
        engine.workflow_cache.size = sized["cache_size"]
    walk = ModelWalk(bench, engine)
    walk.run(walk.start(20), wrapped=False)  # warm: the model's bundle, the caches
    walk.end_cpu = walk.mid_cpu = 0.0
    walk.ends = walk.mids = 0
    walk.index.clear()
    bench.walked.clear()
    plain_done, plain_cpu, plain_wall = walk.run(walk.start(args.cases), wrapped=False, record=True)
    extra: dict = {"model": args.model, "process": bench.process,
                   "plain_cpu_us_per_completion": round(plain_cpu / max(plain_done, 1) * 1e6, 1),
                   "plain_wall_us_per_completion": round(plain_wall / max(plain_done, 1) / 1000, 1),
                   "last_completion_us": {"ending the case": round(walk.end_cpu / max(walk.ends, 1) * 1e6, 1),
                                          "ends": walk.ends,
                                          "others": round(walk.mid_cpu / max(walk.mids, 1) * 1e6, 1),
                                          "middles": walk.mids}}
    # the engine's objects (its cached workflows, its models) frozen out of the cyclic collector's
    # walks meanwhile: else each full collection the naive app's deserializing sets off walks them too,
    # charged to deserialize_json (zeebe_is_defined: ~0.5 ms a completion)
    gc.collect()
    gc.freeze()
    try:
        naive_done, naive, naive_starts = naive_model_parts(bench, tmp / "naive.sqlite", args.cases)
    finally:
        gc.unfreeze()
    extra["naive_parts_us_per_completion"] = {p: round(ns / max(naive_done, 1) / 1000, 1) for p, ns in naive.items()}
    extra["naive_parts_total_us"] = round(sum(naive.values()) / max(naive_done, 1) / 1000, 1)
    extra["naive_completions"] = naive_done
    n_starts = naive_starts.pop("starts", 0)
    instrument(engine)
    pending = walk.start(args.cases)
    totals.clear()
    calls.clear()
    _outside_counts[0] = False
    done, cpu, wall = walk.run(pending, wrapped=True)
    extra["parts_by_place_us"] = {
        place: {"completions": n, "total_us": round(sum(walk.by_place[place].values()) / n / 1000, 1),
                "parts_us": {p: round(ns / n / 1000, 1)
                             for p, ns in sorted(walk.by_place[place].items(), key=lambda x: -x[1])}}
        for place, n in walk.places.items()}
    if args.starts:
        extra["start_parts"] = start_parts(engine, bench, args.starts)
        extra["naive_start_parts_us_per_start"] = {p: round(ns / max(n_starts, 1) / 1000, 1)
                                                   for p, ns in naive_starts.items()}
        extra["naive_start_total_us"] = round(sum(naive_starts.values()) / max(n_starts, 1) / 1000, 1)
    engine.dispose()
    return done, cpu, wall, extra


def start_parts(engine, bench, starts: int) -> dict:
    """The parts of ``starts`` warm starts (the totals of the completions' table put back after)."""
    kept, kept_calls = dict(totals), dict(calls)
    totals.clear()
    calls.clear()
    cpu = 0.0
    for _ in range(starts):
        c0 = time.process_time()
        _enter("other")
        try:
            bench.start(engine)
        finally:
            _leave()
        cpu += time.process_time() - c0
    parts = sorted(((p, round(ns / starts / 1000, 1), round(calls[p] / starts, 2)) for p, ns in totals.items()),
                   key=lambda x: -x[1])
    totals.clear()
    calls.clear()
    totals.update(kept)
    calls.update(kept_calls)
    return {"wrapped_cpu_us_per_start": round(cpu / starts * 1e6, 1),
            "parts_us_per_start": {p: {"us": us, "calls": c} for p, us, c in parts},
            "total_us": round(sum(us for _, us, _ in parts), 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--clock", choices=["cpu", "thread", "wall"], default="wall")
    ap.add_argument("--cache-size", type=int, default=None, help="the engine's workflow cache (default: as Engine)")
    ap.add_argument("--model", default=None, help="a BPMN file (worked as bench/throughput.py --model works it)")
    ap.add_argument("--process", default=None, help="with --model: the process to start (default: the file's)")
    ap.add_argument("--starts", type=int, default=0, help="with --model: also the parts of this many starts")
    args = ap.parse_args()
    global _ns
    if args.clock == "cpu":
        _ns = time.process_time_ns
    elif args.clock == "thread":
        _ns = time.thread_time_ns
    overhead = calibrate()
    if args.model:
        with tempfile.TemporaryDirectory() as tmp:
            done, cpu, wall, extra = model_run(args, Path(tmp))
        return report(args, overhead, done, cpu, wall, extra)
    with tempfile.TemporaryDirectory() as tmp:
        sized = {} if args.cache_size is None else {"cache_size": args.cache_size}
        engine = make_engine(f"sqlite:///{Path(tmp) / 'engine.sqlite'}", **sized)
        engine.deploy(MODEL, by="boss")
        plain_done, plain_cpu, plain_wall = completions(engine, args.cases, wrapped=False)
        naive_done, naive = naive_parts(Path(tmp) / "naive.sqlite", args.cases)  # before the wrappers
        instrument(engine)
        done, cpu, wall = completions(engine, args.cases, wrapped=True)
        engine.dispose()
    extra = {"process": PROCESS,
             "plain_cpu_us_per_completion": round(plain_cpu / plain_done * 1e6, 1),
             "plain_wall_us_per_completion": round(plain_wall / plain_done / 1000, 1),
             "naive_parts_us_per_completion": {p: round(ns / naive_done / 1000, 1) for p, ns in naive.items()},
             "naive_parts_total_us": round(sum(naive.values()) / naive_done / 1000, 1)}
    return report(args, overhead, done, cpu, wall, extra)


def report(args, overhead: int, done: int, cpu: float, wall: int, extra: dict) -> None:
    # each part's figure less what the parts timed inside it added (their clock reads)
    done = max(done, 1)
    parts = sorted(((p, round(ns / done / 1000, 1), round(calls[p] / done, 2)) for p, ns in totals.items()),
                   key=lambda x: -x[1])
    result = {"completions": done, "clock": args.clock,
              # what a timed call adds to the part around it; taken off that part's figure
              "timing_overhead_ns_per_part": overhead,
              "wrapped_cpu_us_per_completion": round(cpu / done * 1e6, 1),
              "wrapped_wall_us_per_completion": round(wall / done / 1000, 1),
              "parts_us_per_completion": {p: {"us": us, "calls": c} for p, us, c in parts},
              "engine_parts_total_us": round(sum(us for _, us, _ in parts), 1), **extra}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(json.dumps({k: v for k, v in result.items() if k not in ("parts_us_per_completion", "naive_parts_us_per_completion", "start_parts", "naive_start_parts_us_per_start")}, ensure_ascii=False))
        for p, us, c in parts:
            print(f"{us:8.1f} µs  {c:5.2f} calls  {p}")
        print(f"{result['engine_parts_total_us']:8.1f} µs  engine, all parts")
        print("\nnaive app, same clock")
        for p, us in result["naive_parts_us_per_completion"].items():
            print(f"{us:8.1f} µs  {p}")
        print(f"{result['naive_parts_total_us']:8.1f} µs  naive app, all parts")
        if "start_parts" in result:
            print("\nstarts (engine.start)")
            for p, v in result["start_parts"]["parts_us_per_start"].items():
                print(f"{v['us']:8.1f} µs  {v['calls']:5.2f} calls  {p}")
            print(f"{result['start_parts']['total_us']:8.1f} µs  engine start, all parts")
            print("\nnaive app's start, same clock")
            for p, us in result["naive_start_parts_us_per_start"].items():
                print(f"{us:8.1f} µs  {p}")
            print(f"{result['naive_start_total_us']:8.1f} µs  naive app's start, all parts")


if __name__ == "__main__":
    main()
