"""A join's data merge (汇合数据合并), two ways side by side in one process: A/B and A/A.

``--view``: the running case's data instead (``engine.step.open_case_data``): side ``a`` the open
tasks' data laid one over another in the task dict's order (as before engine/join_data.py's
``open_case_data``), side ``b`` ``open_case_data``.

Two engines on two SQLite files run the same model (``bench/throughput.py``'s ``ModelBench``: the
same start data, the same form data, the same people). Side ``a`` merges a join's data as SpiffWorkflow
does (``UnstructuredJoin._run_hook``: the branches' whole copies, the last arrived on top), side ``b``
as engine/join_data.py does; ``--aa`` gives both sides engine/join_data.py's (the A/A control). The
switch is ``engine.gateways.merge_branches``, set before each completion. Cases of both engines are
started, then worked round by round (each case's first open task a round), the two engines'
completions alternated one by one (which side goes first alternates too), warm, ``time.thread_time_ns``
around each, the cyclic collector off inside a round. Reported per run, in µs: the median of the paired
differences b − a (case i of ``a`` against case i of ``b``, the same round) and each side's median.

    python bench/join_ab.py MODEL.bpmn [--cases 150] [--runs 3] [--aa] [--view] [--json]
"""
from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin  # noqa: E402

from engine import gateways, join_data, step  # noqa: E402
from engine.errors import EngineError  # noqa: E402
from throughput import ModelBench  # noqa: E402

from tests.interop_support import user_for  # noqa: E402

_clock = time.thread_time_ns


def spiff_merge(spec, my_task) -> None:
    """SpiffWorkflow's join merge (what engine/gateways.py's joins did before engine/join_data.py)."""
    UnstructuredJoin._run_hook(spec, my_task)


def union_of_open_tasks(workflow) -> dict:
    """The running case's data as it was read before ``open_case_data``."""
    merged: dict = {}
    for task in workflow.tasks.values():
        if task._state & join_data._HOLDS_CASE_DATA:
            merged.update(task.data)
    return merged


def run(path: Path, cases: int, tmp: Path, index: int, aa: bool, view: bool = False) -> dict:
    if view:
        module, name, ours, theirs = step, "open_case_data", join_data.open_case_data, union_of_open_tasks
    else:
        module, name, ours, theirs = gateways, "merge_branches", join_data.merge_branches, spiff_merge
    merges = [ours if aa else theirs, ours]
    bench = ModelBench(path)
    engines = [bench.engine(f"sqlite:///{tmp / f'{side}{index}.sqlite'}") for side in "ab"]
    try:
        ids = [[bench.start(engine) for _ in range(cases)] for engine in engines]
        spent: list[list[int]] = [[], []]
        turn = 0
        while True:
            pairs = []
            for a_id, b_id in zip(*ids):
                views = [engines[0].case(a_id), engines[1].case(b_id)]
                if all(v.status == "running" and v.tasks for v in views):
                    pairs.append(tuple(v.tasks[0] for v in views))
            if not pairs:
                break
            gc.collect()
            gc.disable()
            try:
                for pair in pairs:
                    order = (0, 1) if turn % 2 == 0 else (1, 0)
                    turn += 1
                    took = [0, 0]
                    for side in order:
                        task, engine = pair[side], engines[side]
                        user, data = user_for(engine, task, bench.starter[0]), bench.data_for(engine, task)
                        setattr(module, name, merges[side])
                        t0 = _clock()
                        try:
                            engine.complete(task.id, user, data)
                        except EngineError:
                            pass
                        took[side] = _clock() - t0
                    for side in (0, 1):
                        spent[side].append(took[side])
            finally:
                gc.enable()
                setattr(module, name, ours)
    finally:
        for engine in engines:
            engine.dispose()

    def us(values):
        return round(statistics.median(values) / 1000, 1)
    return {"completions_a_side": len(spent[0]), "b_minus_a_us": us([b - a for a, b in zip(*spent)]),
            "a_us": us(spent[0]), "b_us": us(spent[1])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", type=Path)
    ap.add_argument("--cases", type=int, default=150)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--aa", action="store_true", help="both sides engine/join_data.py's merge (the A/A control)")
    ap.add_argument("--view", action="store_true", help="the running case's data, not the join's merge")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            results.append(run(args.model, args.cases, Path(tmp), i, args.aa, args.view))
            if not args.json:
                print(json.dumps(results[-1]), flush=True)
    if args.json:
        print(json.dumps({"model": str(args.model), "aa": args.aa, "view": args.view, "runs": results}))


if __name__ == "__main__":
    main()
