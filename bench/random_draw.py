"""Benchmark: the 双随机 draw (workflows/random_inspection.py) over a city-sized registry.

A plan's draw runs inside one engine step (a script task), so it must stay well under a second for a
district of tens of thousands of enterprises. This times ``draw`` for ``--count`` enterprises in four
sectors and four risk levels, 40 inspectors, and quotas of 1% per sector; and the audit re-run, which
must give the same result.

    .venv/bin/python bench/random_draw.py --json [--count 50000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from workflows.random_inspection import Candidate, Inspector, draw  # noqa: E402

SECTORS = ["危化", "工贸", "非煤矿山", "建筑施工"]
LEVELS = ["红", "橙", "黄", "蓝"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    pool = [Candidate(f"91{n:016d}", f"企业{n}", SECTORS[n % 4], LEVELS[(n // 4) % 4]) for n in range(args.count)]
    staff = [Inspector(f"inspector{i:02d}") for i in range(40)]
    last = {c.credit_code: ["inspector00", "inspector01"] for c in pool[::7]}
    quotas = {s: max(1, args.count // 400) for s in SECTORS}
    times, first = [], None
    for r in range(args.repeat):
        t0 = time.perf_counter()
        picks = draw("BENCH-SEED", pool, staff, quotas, last)
        times.append(time.perf_counter() - t0)
        first = first or picks
        assert picks == first, "the same seed must give the same draw"
    result = {"enterprises": args.count, "picks": len(first), "inspectors": len(staff), "repeat": args.repeat,
              "median_s": round(statistics.median(times), 4), "max_s": round(max(times), 4)}
    print(json.dumps(result, ensure_ascii=False) if args.json else result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
