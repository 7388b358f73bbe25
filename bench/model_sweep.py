"""One line per model: ``bench/throughput.py --model`` over every .bpmn of the folders (or files) given.

    python bench/model_sweep.py [--cases 40] [--json] [--timeout 300] [--every N] [--out FILE] tests/bpmn/interop bpmn

Each model runs in its own process (``throughput.py --model FILE --json --skip-postgres``: a model that
hangs or crashes costs its line, not the sweep). A line: how the engine's cases ended, its
completions/s and CPU ms a completion, the naive app's, and the ratio of the two taken in turns
(``engine_and_naive_in_turns``, the machine's drift met by both) next to the separate runs' — or,
where the engine and the naive app did not do the same work (their cases ended differently), no
ratio and why; the ratio by CPU with each side's first completion left out (``engine_first_cpu_ms``: the
statements rendered and prepared once a process, bench/throughput.py ``first_call``) beside it, and the
medians at the end. ``--json``: the rows as a list.

``--every N``: of the models found in the folders given (sorted by path), the first and every N-th
after it; files named one by one are always run — a subset a later run can repeat exactly, for a
machine too busy for the whole corpus (2026-12-07: at load 8-12 a model took 25-90 s, the 206 models
about three hours). ``--out FILE``: the rows so far written to ``FILE`` (as ``--json`` prints them)
after each model, so that a long sweep can be read while it runs and a sweep cut short keeps what it
measured. Each row carries the machine's load average when its model ended (``load_average``: 1, 5
and 15 minutes), to tell a noisy figure.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def models(paths: list[Path], every: int = 1) -> list[Path]:
    """The .bpmn files of the folders in ``paths`` (each sorted; of each folder the first and every
    ``every``-th after it) and the files named in it, in the order given."""
    out: list[Path] = []
    for p in paths:
        out.extend(sorted(p.glob("*.bpmn"))[::max(every, 1)] if p.is_dir() else [p])
    return out


def _ended(run: dict) -> str:
    return " ".join(f"{k}:{v}" for k, v in sorted((run.get("cases_ended") or {}).items())) or "-"


def row(path: Path, cases: int, timeout: float) -> dict:
    """The figures of one model, from ``throughput.py --model`` run in a process of its own."""
    cmd = [sys.executable, str(ROOT / "bench" / "throughput.py"), "--model", str(path), "--json",
           "--skip-postgres", "--cases", str(cases)]
    name = str(path.relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"model": name, "failed": f"no result within {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"model": name, "failed": last[:200]}
    r = json.loads(done.stdout)
    eng, naive = r.get("engine_sqlite", {}), r.get("naive_app_sqlite", {})
    turns = r.get("engine_and_naive_in_turns", {})
    out = {"model": name, "engine_ended": eng.get("cases_ended"), "engine_completions": eng.get("completions"),
           "engine_per_second": eng.get("per_second"), "engine_cpu_ms": eng.get("cpu_ms_per_completion"),
           "naive_ended": naive.get("cases_ended"), "naive_per_second": naive.get("per_second"),
           "naive_cpu_ms": naive.get("cpu_ms_per_completion"),
           "ratio_in_turns": turns.get("engine_over_naive"), "ratio_in_turns_by_cpu": turns.get("engine_over_naive_by_cpu"),
           "engine_first_cpu_ms": eng.get("first_completion_cpu_ms"), "naive_first_cpu_ms": naive.get("first_completion_cpu_ms"),
           "ratio_in_turns_by_cpu_after_first": turns.get("engine_over_naive_by_cpu_after_first"),
           "ratio_separate": r.get("engine_over_naive"), "start_data": r.get("start_data")}
    reason = r.get("no_ratio") or turns.get("no_ratio")
    if reason:
        out["no_ratio"] = reason
    errors = eng.get("errors")
    if errors:
        out["engine_error"] = errors[0][:200]
    return out


def line(r: dict) -> str:
    if "failed" in r:
        return f"{r['model']:<52} FAILED {r['failed']}"
    fmt = lambda v, spec: "-" if v is None else format(v, spec)  # noqa: E731
    ratio = fmt(r["ratio_in_turns"], ".2f") if r.get("ratio_in_turns") is not None else "-"
    text = (f"{r['model']:<52} {fmt(r['engine_per_second'], '7.0f')}/s {fmt(r['engine_cpu_ms'], '6.2f')} ms  "
            f"naive {fmt(r['naive_per_second'], '6.0f')}/s {fmt(r['naive_cpu_ms'], '6.2f')} ms  "
            f"turns {ratio:>5} sep {fmt(r['ratio_separate'], '.2f'):>5}  engine[{_ended({'cases_ended': r['engine_ended']})}]")
    if r.get("no_ratio"):
        text += f"  no ratio: {r['no_ratio'][:160]}"
    elif r.get("engine_error"):
        text += f"  {r['engine_error'][:120]}"
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--cases", type=int, default=40)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds a model may take")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--every", type=int, default=1, help="of each folder's models, the first and every N-th after it")
    ap.add_argument("--out", type=Path, help="write the rows so far here after each model (JSON, as --json prints them)")
    args = ap.parse_args()
    rows = []
    for path in models(args.paths, args.every):
        r = row(path.resolve(), args.cases, args.timeout)
        r["load_average"] = [round(v, 2) for v in os.getloadavg()]
        rows.append(r)
        if args.out is not None:
            written = args.out.with_name(args.out.name + ".part")
            written.write_text(json.dumps(rows, ensure_ascii=False, indent=1))
            written.replace(args.out)  # whole or not at all: a reader never finds half a list
        if not args.json:
            print(line(r), flush=True)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        walked = sum(1 for r in rows if (r.get("engine_completions") or 0) > 0)
        compared = sum(1 for r in rows if r.get("ratio_in_turns") is not None)
        print(f"{len(rows)} models: {walked} with completions, {compared} with a ratio in turns")
        for key in ("ratio_in_turns", "ratio_in_turns_by_cpu", "ratio_in_turns_by_cpu_after_first"):
            values = sorted(r[key] for r in rows if r.get(key) is not None)
            if values:
                print(f"  {key}: median {statistics.median(values):.2f}, {sum(v >= 2 for v in values)} of {len(values)} at 2 or more")


if __name__ == "__main__":
    main()
