"""The SQL floor of a completion: its statements replayed alone, and what each one costs.

``bench/throughput.py``'s SQLite run (bench/models/five_tasks.bpmn, ``Engine.complete`` through the
public API) is recorded statement by statement (SQL text and the parameters the driver got, as the
``before_cursor_execute`` listeners see them). A copy of the database taken before the completions
is then put back and the recorded statements are replayed on it with the bare ``sqlite3`` module —
same pragmas as the engine (WAL, synchronous=NORMAL, foreign keys, the engine's checkpoint
interval), one ``BEGIN IMMEDIATE`` … ``COMMIT`` per completion — so what remains is what the
database itself costs: no SpiffWorkflow, no Python of ours.

Each variant replays the same stream with one kind of statement left out (``--drop``), so the
difference to the full replay is that statement's cost, its pages in the WAL included (each
replay starts from the same copy). The naive app's own SQL (one read and one write of the
workflow's JSON per completion, on its database as bench/throughput.py builds it) is replayed
the same way, for the floor it stands on.

    python bench/sql_replay.py --json [--cases 400] [--repeat 3]

Figures are CPU µs per completion (this process), the best of ``--repeat`` rounds (each round replays
every variant once, so a busy spell of a shared machine hits them alike), and wall µs.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from engine.database import WAL_AUTOCHECKPOINT  # noqa: E402
from engine.schema import HumanTask  # noqa: E402
from engine.state import serializer  # noqa: E402
from tests.support import make_engine  # noqa: E402

MODEL = ROOT / "bench" / "models" / "five_tasks.bpmn"
PROCESS = "five_tasks"
TASKS = 5


def _name(sql: str) -> str:
    words = sql.split()
    verb = words[0].upper()
    if verb == "INSERT":
        return f"INSERT {words[2]}"
    if verb == "UPDATE":
        return f"UPDATE {words[1]}"
    if verb == "SELECT":
        return "SELECT " + sql.upper().split(" FROM ", 1)[-1].split()[0].lower()
    return " ".join(words[:2])


def record(tmp: Path, cases: int) -> tuple[Path, list[list[tuple]], float]:
    """Start ``cases`` cases, copy the database, then complete every task recording each
    completion's statements. Returns (the copy, statements per completion, engine CPU µs/completion)."""
    path = tmp / "engine.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    engine.deploy(MODEL, by="boss")
    for _ in range(cases):
        engine.start(PROCESS, by="zhang", org="east", data={"备注": "基准测试"})
    copy = tmp / "start.sqlite"
    with sqlite3.connect(path) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    current: list[tuple] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        current.append((statement, parameters, executemany))

    sa.event.listen(engine.db.engine, "before_cursor_execute", listen)
    stream, cpu = [], 0.0
    for _ in range(TASKS):
        with engine.db.engine.connect() as conn:
            ids = list(conn.execute(sa.select(HumanTask.id).where(HumanTask.state == "open")
                                    .order_by(HumanTask.case_id)).scalars())
        current.clear()
        for tid in ids:
            current.clear()
            c0 = time.process_time()
            engine.complete(tid, "zhang", {"意见": "同意"})
            cpu += time.process_time() - c0
            stream.append(list(current))
    sa.event.remove(engine.db.engine, "before_cursor_execute", listen)
    engine.dispose()
    return copy, stream, cpu / len(stream) * 1e6


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000",
                   f"wal_autocheckpoint={WAL_AUTOCHECKPOINT}"):
        db.execute(f"PRAGMA {pragma}")
    return db


def send(cur: sqlite3.Cursor, statements: list[tuple]) -> None:
    """One completion's recorded statements on ``cur``, committed."""
    for sql, params, many in statements:
        if many:
            cur.executemany(sql, params)
        elif params:
            cur.execute(sql, params)
        else:
            cur.execute(sql)
    if cur.connection.in_transaction:
        cur.connection.execute("COMMIT")


def replay(start: Path, work: Path, stream: list[list[tuple]], drop: set[str]) -> tuple[float, float]:
    """Replay ``stream`` on a fresh copy of ``start`` without the statements named in ``drop``:
    (CPU µs, wall µs) per completion."""
    shutil.copyfile(start, work)
    for suffix in ("-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    db = _connect(work)
    cur = db.cursor()
    plan = [[(sql, params, many) for sql, params, many in statements if _name(sql) not in drop]
            for statements in stream]
    c0, t0 = time.process_time(), time.perf_counter()
    for statements in plan:
        send(cur, statements)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    db.close()
    return cpu / len(plan) * 1e6, wall / len(plan) * 1e6


def naive_stream(tmp: Path, cases: int) -> tuple[Path, list[list[tuple]]]:
    """The naive app's database (as bench/throughput.py's ``naive_run`` makes it) and its statements."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(MODEL))
    spec, subs = parser.get_spec(PROCESS), parser.get_subprocess_specs(PROCESS)
    path = tmp / "naive.sqlite"
    db = _connect(path)
    db.execute("CREATE TABLE wf (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
    workflows = []
    for i in range(cases):
        wf = BpmnWorkflow(spec, subs)
        wf.do_engine_steps()
        workflows.append(wf)
        db.execute("INSERT INTO wf (id, state) VALUES (?, ?)", (i, serializer.serialize_json(wf)))
    db.close()
    stream = []
    for _ in range(TASKS):
        for i, wf in enumerate(workflows):
            (task,) = wf.get_tasks(state=TaskState.READY, manual=True)
            task.set_data(意见="同意")
            task.run()
            wf.do_engine_steps()
            stream.append([("BEGIN IMMEDIATE", (), False), ("SELECT state FROM wf WHERE id = ?", (i,), False),
                           ("UPDATE wf SET state = ? WHERE id = ?", (serializer.serialize_json(wf), i), False)])
    start = tmp / "naive_start.sqlite"
    shutil.copyfile(path, start)
    return start, stream


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        start, stream, engine_cpu = record(tmp, args.cases)
        kinds: dict[str, float] = {}
        for statements in stream:
            for sql, _params, _many in statements:
                kinds[_name(sql)] = kinds.get(_name(sql), 0) + 1
        work = tmp / "replay.sqlite"
        naive_start, naive = naive_stream(tmp, args.cases)
        # Every variant once per round, rounds repeated: a busy machine's slow spell hits all alike.
        variants = {"all": (start, stream, set())}
        for kind in kinds:
            if not kind.startswith("BEGIN"):
                variants[kind] = (start, stream, {kind})
        variants["naive"] = (naive_start, naive, set())
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
        for _ in range(args.repeat):
            for name, (start_path, statements, drop) in variants.items():
                runs[name].append(replay(start_path, work, statements, drop))
        best = {name: (min(r[0] for r in rs), min(r[1] for r in rs)) for name, rs in runs.items()}
        full_cpu, full_wall = best["all"]
        result: dict = {"process": PROCESS, "completions": len(stream),
                        "engine_cpu_us_per_completion": round(engine_cpu, 1),
                        "statements_per_completion": {k: round(v / len(stream), 2) for k, v in kinds.items()},
                        "replay_all": {"cpu_us": round(full_cpu, 1), "wall_us": round(full_wall, 1)},
                        "without": {}}
        for kind in kinds:
            if kind.startswith("BEGIN"):
                continue
            cpu, wall = best[kind]
            result["without"][kind] = {"cpu_us": round(cpu, 1), "saves_cpu_us": round(full_cpu - cpu, 1),
                                       "wall_us": round(wall, 1)}
        n_cpu, n_wall = best["naive"]
        result["naive_replay"] = {"cpu_us": round(n_cpu, 1), "wall_us": round(n_wall, 1),
                                  "json_bytes_per_write": round(sum(len(s[2][1][0]) for s in naive) / len(naive))}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
