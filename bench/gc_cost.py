"""What Python's cyclic garbage collector costs a step (垃圾回收开销), and what leaves it work.

The run of ``bench/throughput.py``'s ``engine_sqlite`` (bench/models/five_tasks.bpmn on a SQLite
file, ``Engine.start`` then every task completed through ``Engine.complete``), with ``gc.callbacks``
timing each collection on this thread's CPU clock: per generation, how many collections, their time
and the objects they found unreachable (cyclic garbage), per start and per completion; and the
completions' own CPU time (the collections inside it). Three cache settings:

- ``warm``: the engine's default cache, every case in it (each step finds its workflow there);
- ``cold``: ``cache_size=0``, every completion restores its case from the rows;
- ``overflow``: a cache of half the cases, worked in turn: each step restores its case and drops
  the least recently used one (more active cases than the cache holds).

``--census`` also keeps what each collection found (``gc.DEBUG_SAVEALL``) and counts it by type: the
objects a step leaves in reference cycles. ``--ab`` runs each setting again with the engine as it was
before it broke those cycles — the cache dropping workflows as they are (``workflow_cache.release``
a no-op) and each cold restore leaving a self-referencing function that holds its rows and workflow,
as ``state.restore_rows``' nested recursive function did (``_restoring_with_a_cycle``) — alternating
``old``, ``new``, ``old``, ``new`` in this process, a fresh engine and a full collection before each
run; ``old_over_new`` is the ratio of their CPU per completion. ``--threshold N`` runs with the youngest
generation collected every N net allocations (``gc.set_threshold``; Python's default is 700), as a
server might set it. Nothing is changed on disk.

    python bench/gc_cost.py --json [--cases 200] [--only warm|cold|overflow] [--ab] [--census] [--threshold N]
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from engine import state, workflow_cache  # noqa: E402
from engine.schema import HumanTask  # noqa: E402
from tests.support import make_engine  # noqa: E402

MODEL = ROOT / "bench" / "models" / "five_tasks.bpmn"
PROCESS = "five_tasks"
TASKS = 5
SETTINGS = ("warm", "cold", "overflow")


class Collections:
    """Collections while it is on (``gc.callbacks``): count, thread CPU ns and unreachable objects
    found, per generation."""

    def __init__(self):
        self.count, self.ns, self.found = [0, 0, 0], [0, 0, 0], [0, 0, 0]
        self._start = 0

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.thread_time_ns()
            return
        generation = info["generation"]
        self.count[generation] += 1
        self.ns[generation] += time.thread_time_ns() - self._start
        self.found[generation] += info["collected"] + info["uncollectable"]

    def __enter__(self):
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self._callback)

    def summary(self, operations: int) -> dict:
        return {f"gen{g}": {"collections": self.count[g], "ms": round(self.ns[g] / 1e6, 1),
                            "us_per_op": round(self.ns[g] / operations / 1000, 1),
                            "unreachable_per_op": round(self.found[g] / operations, 1)} for g in range(3)} | {
            "us_per_op": round(sum(self.ns) / operations / 1000, 1)}


def _restoring_with_a_cycle(restore_rows):
    """``state.restore_rows`` leaving what its nested recursive function left before it was one of
    the module's: a function naming itself (a cycle) that holds the rows, their wf_key lists and
    the restored workflow — for the collector to find."""
    def restore(wf_rows, task_rows, *args):
        loaded = restore_rows(wf_rows, task_rows, *args)
        top, by_wf = loaded.workflow, {}
        for row in task_rows:
            by_wf.setdefault(row.wf_key, []).append(row)

        def attach_subprocesses():
            return attach_subprocesses, top, by_wf, wf_rows
        return loaded
    return restore


@contextlib.contextmanager
def engine_as(version: str):
    """``new``: as it is; ``old``: the cycles left for the collector (see the module's docstring)."""
    if version == "new":
        yield
        return
    release, restore_rows = workflow_cache.release, state.restore_rows
    workflow_cache.release = lambda loaded: None
    state.restore_rows = _restoring_with_a_cycle(restore_rows)
    try:
        yield
    finally:
        workflow_cache.release, state.restore_rows = release, restore_rows


def run(setting: str, cases: int, directory: Path, census: bool = False) -> dict:
    size = {"warm": 512, "cold": 0, "overflow": cases // 2}[setting]
    engine = make_engine(f"sqlite:///{directory / f'{setting}-{time.monotonic_ns()}.sqlite'}", cache_size=size)
    engine.deploy(MODEL, by="boss")
    gc.collect()
    if census:
        gc.set_debug(gc.DEBUG_SAVEALL)
    out: dict = {"cases": cases, "cache_size": size}
    try:
        with Collections() as starts:
            cpu = time.thread_time_ns()
            for _ in range(cases):
                engine.start(PROCESS, by="zhang", org="east", data={"备注": "基准测试"})
            out["starts"] = {"cpu_us_per_start": round((time.thread_time_ns() - cpu) / cases / 1000, 1),
                             "collector": starts.summary(cases)}
        done, cpu = 0, 0
        with Collections() as completions:
            for _ in range(TASKS):
                with engine.db.engine.connect() as conn:
                    ids = list(conn.execute(sa.select(HumanTask.id).where(HumanTask.state == "open")
                                            .order_by(HumanTask.case_id)).scalars())
                for tid in ids:
                    c0 = time.thread_time_ns()
                    engine.complete(tid, "zhang", {"意见": "同意"})
                    cpu += time.thread_time_ns() - c0
                    done += 1
        out["completions"] = {"count": done, "cpu_us_per_completion": round(cpu / done / 1000, 1),
                              "collector": completions.summary(done)}
        out["tracked_objects_after"] = len(gc.get_objects())
        if census:
            kinds = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage)
            out["cyclic_garbage_per_operation"] = {
                kind: round(n / (cases + done), 2) for kind, n in kinds.most_common(15)}
    finally:
        if census:
            gc.set_debug(0)
            gc.garbage.clear()
        engine.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--only", choices=SETTINGS, default=None)
    ap.add_argument("--ab", action="store_true", help="old and new alternating, two runs each")
    ap.add_argument("--census", action="store_true", help="count the cyclic garbage by type")
    ap.add_argument("--threshold", type=int, default=None,
                    help="the youngest generation's threshold for the run (gc.set_threshold; default as is)")
    args = ap.parse_args()
    if args.threshold is not None:
        gc.set_threshold(args.threshold, *gc.get_threshold()[1:])
    result: dict = {"process": PROCESS, "cases": args.cases, "gc_threshold": gc.get_threshold()}
    with tempfile.TemporaryDirectory() as tmp:
        for setting in [args.only] if args.only else SETTINGS:
            if not args.ab:
                result[setting] = run(setting, args.cases, Path(tmp), args.census)
                continue
            runs: dict[str, list] = {"old": [], "new": []}
            for version in ("old", "new", "old", "new"):
                with engine_as(version):
                    runs[version].append(run(setting, args.cases, Path(tmp), args.census))
            cpu = {v: sum(r["completions"]["cpu_us_per_completion"] for r in rs) / len(rs) for v, rs in runs.items()}
            gc_us = {v: sum(r["completions"]["collector"]["us_per_op"] for r in rs) / len(rs) for v, rs in runs.items()}
            result[setting] = {
                **runs,
                "cpu_us_per_completion": {v: round(c, 1) for v, c in cpu.items()},
                "collector_us_per_completion": {v: round(c, 1) for v, c in gc_us.items()},
                "old_over_new": round(cpu["old"] / cpu["new"], 3)}
    print(json.dumps(result, ensure_ascii=False) if args.json else json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
