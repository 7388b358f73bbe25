"""SQLite page size A/B (页大小对比): warm completions on two database files of two page sizes, in one process.

Two engines (this checkout's code) run bench/models/five_tasks.bpmn, each on its own SQLite file made
with its page size (``--a``, ``--b``; the same size twice is the A/A control). Every case of both is
started, then one round of every case's task is completed untimed (the tables hold completed tasks,
as in production), then the remaining rounds are timed: the two engines' completions alternated one
by one (which side goes first alternates too), ``time.thread_time_ns`` (this thread's CPU: not the
engine's WAL checkpoint thread) and ``perf_counter_ns`` around each ``Engine.complete``, the cyclic
collector off inside a round and run between rounds. Reported per run, in µs a completion: the
median of the paired differences b − a (case i of ``a`` against case i of ``b``, the same round) and
the difference of the means (what a throughput figure sees, tails included), for CPU and wall, and
each side's median CPU; the page size each file has (read back from the file). Nothing is changed
on disk but the temporary databases.

    python bench/page_size_ab.py [--a 4096] [--b 2048] [--cases 300] [--runs 3] [--json]
"""
from __future__ import annotations

import argparse
import gc
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from engine.schema import HumanTask  # noqa: E402
from tests.support import make_engine  # noqa: E402

MODEL = ROOT / "bench" / "models" / "five_tasks.bpmn"
PROCESS = "five_tasks"
TASKS = 5


def _made_with(path: Path, page_size: int) -> None:
    """An empty database file with ``page_size`` fixed: WAL mode written into its header, so the
    engine's own ``PRAGMA page_size`` (engine/database.py) finds a file that keeps its size."""
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA page_size={int(page_size)}")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()


class Side:
    def __init__(self, path: Path, page_size: int, cases: int):
        _made_with(path, page_size)
        self.path = path
        self.engine = make_engine(f"sqlite:///{path}")
        self.engine.deploy(MODEL, by="boss")
        for _ in range(cases):
            self.engine.start(PROCESS, by="zhang", org="east", data={"备注": "基准测试"})

    def open_tasks(self) -> list[str]:
        with self.engine.db.engine.connect() as conn:
            return list(conn.execute(sa.select(HumanTask.id).where(HumanTask.state == "open")
                                     .order_by(HumanTask.case_id)).scalars())

    def complete(self, task_id: str) -> tuple[int, int]:
        t0, w0 = time.thread_time_ns(), time.perf_counter_ns()
        self.engine.complete(task_id, "zhang", {"意见": "同意"})
        return time.thread_time_ns() - t0, time.perf_counter_ns() - w0

    def page_size(self) -> int:
        db = sqlite3.connect(self.path)
        try:
            return db.execute("PRAGMA page_size").fetchone()[0]
        finally:
            db.close()


def run(sizes: tuple[int, int], cases: int, tmp: Path, index: int) -> dict:
    sides = [Side(tmp / f"a{index}.sqlite", sizes[0], cases), Side(tmp / f"b{index}.sqlite", sizes[1], cases)]
    cpu: list[list[int]] = [[], []]
    wall: list[list[int]] = [[], []]
    try:
        for side in sides:  # the first round untimed
            for tid in side.open_tasks():
                side.complete(tid)
        turn = 0
        for _ in range(TASKS - 1):
            ids = [side.open_tasks() for side in sides]
            gc.collect()
            gc.disable()
            try:
                for pair in zip(*ids):
                    for s in ((0, 1) if turn % 2 == 0 else (1, 0)):
                        c, w = sides[s].complete(pair[s])
                        cpu[s].append(c)
                        wall[s].append(w)
                    turn += 1
            finally:
                gc.enable()
        made = [side.page_size() for side in sides]
    finally:
        for side in sides:
            side.engine.dispose()

    def us(value: float) -> float:
        return round(value / 1000, 1)
    n = len(cpu[0])
    return {"page_size_a": made[0], "page_size_b": made[1], "completions_a_side": n,
            "cpu_b_minus_a_median_us": us(statistics.median(y - x for x, y in zip(*cpu))),
            "cpu_b_minus_a_mean_us": us((sum(cpu[1]) - sum(cpu[0])) / n),
            "wall_b_minus_a_median_us": us(statistics.median(y - x for x, y in zip(*wall))),
            "wall_b_minus_a_mean_us": us((sum(wall[1]) - sum(wall[0])) / n),
            "cpu_a_median_us": us(statistics.median(cpu[0])), "cpu_b_median_us": us(statistics.median(cpu[1]))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", type=int, default=4096, help="side a's page size")
    ap.add_argument("--b", type=int, default=2048, help="side b's page size (the same as --a: A/A)")
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            results.append(run((args.a, args.b), args.cases, Path(tmp), i))
            if not args.json:
                print(json.dumps(results[-1]), flush=True)
    if args.json:
        print(json.dumps({"a": args.a, "b": args.b, "runs": results}))


if __name__ == "__main__":
    main()
