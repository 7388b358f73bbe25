"""Where a completion's CPU goes: cProfile over SQLite completions of bench/models/five_tasks.bpmn.

The same run as ``bench/throughput.py``'s ``engine_sqlite`` (a durable SQLite file, ``Engine.complete``
through the public API), profiled: only the completions are inside the profiler. Prints the CPU
per completion unprofiled (a first pass) and the functions that cost most under the profiler
(a second pass on fresh cases), by own time and by cumulative time.

    python bench/step_profile.py --json [--cases 200] [--top 25] [--cache-size N]

``--cache-size 0``: the workflow cache off, every completion a cold step (the case restored from its
rows, as a step on a case another process stepped last).
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
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


def _open_tasks(engine) -> list[str]:
    with engine.db.engine.connect() as conn:
        return list(conn.execute(sa.select(HumanTask.id).where(HumanTask.state == "open")
                                 .order_by(HumanTask.case_id)).scalars())


def completions(engine, cases: int, profiler: cProfile.Profile | None) -> tuple[int, float]:
    """Start ``cases`` cases and complete every task; returns (completions, CPU seconds in them)."""
    for _ in range(cases):
        engine.start(PROCESS, by="zhang", org="east", data={"备注": "基准测试"})
    done, cpu = 0, 0.0
    for _ in range(TASKS):
        for tid in _open_tasks(engine):
            c0 = time.process_time()
            if profiler is not None:
                profiler.enable()
            engine.complete(tid, "zhang", {"意见": "同意"})
            if profiler is not None:
                profiler.disable()
            cpu += time.process_time() - c0
            done += 1
    return done, cpu


def _rows(stats: pstats.Stats, key: str, top: int, done: int) -> list[dict]:
    entries = []
    for (path, line, name), (_cc, calls, own, cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        entries.append({"function": f"{Path(path).name}:{line}:{name}", "calls_per_completion": round(calls / done, 2),
                        "own_us": round(own / done * 1e6, 1), "cum_us": round(cum / done * 1e6, 1)})
    entries.sort(key=lambda e: e[key], reverse=True)
    return entries[:top]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--cache-size", type=int, default=None,
                    help="the engine's workflow cache size (0: every completion restores its case from its rows)")
    ap.add_argument("--dump", default=None, help="write the raw profile here (for snakeviz, pstats)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'engine.sqlite'}"
        engine = make_engine(url) if args.cache_size is None else make_engine(url, cache_size=args.cache_size)
        engine.deploy(MODEL, by="boss")
        plain_done, plain_cpu = completions(engine, args.cases, None)
        profiler = cProfile.Profile()
        done, cpu = completions(engine, args.cases, profiler)
        engine.dispose()
    if args.dump:
        profiler.dump_stats(args.dump)
    stats = pstats.Stats(profiler)
    result = {"process": PROCESS, "completions": plain_done,
              "cpu_ms_per_completion": round(plain_cpu / plain_done * 1000, 3),
              "profiled_cpu_ms_per_completion": round(cpu / done * 1000, 3),
              "by_own_time": _rows(stats, "own_us", args.top, done),
              "by_cumulative_time": _rows(stats, "cum_us", args.top, done)}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(json.dumps({k: v for k, v in result.items() if not k.startswith("by_")}, ensure_ascii=False))
        for key in ("by_cumulative_time", "by_own_time"):
            print(f"\n{key} (µs per completion)")
            for e in result[key]:
                print(f"{e['cum_us']:9.1f} {e['own_us']:9.1f} {e['calls_per_completion']:7.2f}  {e['function']}")


if __name__ == "__main__":
    main()
