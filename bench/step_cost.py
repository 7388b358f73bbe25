"""Step cost over a long case: does a step get slower as the case's history grows?

A loop process (user task 整改进展报告, then a gateway looping back until ``finished``) is walked
300 times through the engine on a SQLite file. Reported: median step time over iterations 1-10 and
290-300 and their ratio (must stay <= 2.0), next to raw in-memory SpiffWorkflow and SpiffWorkflow
re-serialized whole every step, measured in the same run.

    python bench/step_cost.py --json
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue: run with the root first, not bench/.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from engine.state import serializer  # noqa: E402
from tests.support import make_engine  # noqa: E402

MODEL = ROOT / "tests" / "bpmn" / "loop.bpmn"


def window(times, lo, hi):
    return statistics.median(times[lo - 1:hi])


def engine_run(n: int, db_path: Path) -> list[float]:
    engine = make_engine(f"sqlite:///{db_path}")
    engine.directory.add_user("ent", org="east", roles=["enterprise"])
    engine.deploy(MODEL, by="boss")
    engine.start("loop", by="zhang", org="east")
    times = []
    for i in range(n):
        (task,) = engine.queue("ent")
        t0 = time.perf_counter()
        engine.complete(task.id, "ent", {"finished": i == n - 1, "round": i, "progress": f"第{i + 1}次整改进展"})
        times.append(time.perf_counter() - t0)
    engine.dispose()
    return times


def raw_run(n: int, reserialize: bool) -> list[float]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(MODEL))
    wf = BpmnWorkflow(parser.get_spec("loop"), parser.get_subprocess_specs("loop"))
    wf.do_engine_steps()
    times = []
    for i in range(n):
        (task,) = wf.get_tasks(state=TaskState.READY, manual=True)
        t0 = time.perf_counter()
        task.set_data(finished=i == n - 1, round=i, progress=f"第{i + 1}次整改进展")
        task.run()
        wf.do_engine_steps()
        if reserialize:
            serializer.serialize_json(wf)
        times.append(time.perf_counter() - t0)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--iterations", type=int, default=300)
    args = ap.parse_args()
    n = args.iterations
    with tempfile.TemporaryDirectory() as tmp:
        eng = engine_run(n, Path(tmp) / "bench.sqlite")
    raw = raw_run(n, reserialize=False)
    whole = raw_run(n, reserialize=True)
    lo, hi = (1, 10), (n - 10, n)

    def figures(times):
        early, late = window(times, *lo) * 1000, window(times, *hi) * 1000
        return {"early_ms": round(early, 3), "late_ms": round(late, 3), "ratio": round(late / early, 2)}

    result = {
        "iterations": n,
        "engine_sqlite": figures(eng),
        "raw_spiff_in_memory": figures(raw),
        "raw_spiff_reserialize_whole": figures(whole),
    }
    result["engine_over_raw_early"] = round(result["engine_sqlite"]["early_ms"] / result["raw_spiff_in_memory"]["early_ms"], 1)
    result["engine_over_raw_late"] = round(result["engine_sqlite"]["late_ms"] / result["raw_spiff_in_memory"]["late_ms"], 1)
    result["ok"] = result["engine_sqlite"]["ratio"] <= 2.0
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for k, v in result.items():
            print(f"{k}: {v}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
