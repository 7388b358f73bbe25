"""What an audit link costs inside a completion (审计链接的开销), in-process A/B.

A tight loop times ``audit._linked`` warm; a completion runs it once a step among everything else,
where its encoders' and BLAKE2b's code is no longer in the caches. This measures it there: two
engines on two SQLite files in one process run the same model (``--model``, any file
``bench/throughput.py --model`` takes; default bench/models/five_tasks.bpmn), their warm completions
alternated one by one (which side goes first alternates too), ``time.thread_time_ns`` around each
``Engine.complete``. Side ``a`` runs the engine as it is; side ``b`` (``--variant``):

- ``same``: as it is too (the A/A control);
- ``twice``: every link computed twice, the first answer dropped (what the link's own work costs
  when its code is warm: the second computation);
- ``stub``: no canonical JSON and no MAC — each event's row with detail ``{}`` and a constant hash
  (what the link costs, with what its longer rows cost the INSERT and the COMMIT).

``audit._linked`` is replaced in this process only, for ``b``'s completions; nothing is changed on
disk but the temporary databases. Reported per block: each side's median CPU and the median of the
paired differences b − a, in µs a completion; ``--json`` for the lot.

    python bench/audit_link_ab.py [--variant same|twice|stub] [--model FILE] [--n 300] [--blocks 4] [--warm 100] [--json]
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

from bench.throughput import ModelBench, user_for  # noqa: E402
from engine import audit  # noqa: E402

MODEL = ROOT / "bench" / "models" / "five_tasks.bpmn"
_linked = audit._linked


def _twice(chain, events, seq, prev_hash):
    _linked(chain, events, seq, prev_hash)
    return _linked(chain, events, seq, prev_hash)


def _stub(chain, events, seq, prev_hash):
    rows = []
    for case_id, actor, action, when, task_id, _detail in events:
        seq += 1
        rows.append({"chain": chain, "seq": seq, "case_id": case_id, "at": when, "actor": actor, "action": action,
                     "task_id": task_id, "detail": "{}", "prev_hash": prev_hash, "hash": "1b:stub"})
    return rows, seq, "1b:stub"


VARIANTS = {"same": _linked, "twice": _twice, "stub": _stub}


class Side:
    """One engine on its own file and the cases it has open."""

    def __init__(self, model: Path, directory: str, link):
        self.bench = ModelBench(model)
        self.link = link
        self.engine = self.bench.engine(f"sqlite:///{directory}/audit_ab.db")
        self.pending: list[int] = []

    def complete(self) -> int:
        """One warm completion of the first case with a task; thread CPU ns."""
        engine, bench = self.engine, self.bench
        while True:
            if not self.pending:
                audit._linked = _linked
                self.pending = [bench.start(engine) for _ in range(50)]
            view = engine.case(self.pending[0])
            if view.status != "running" or not view.tasks:
                self.pending.pop(0)
                continue
            task = view.tasks[0]
            user, data = user_for(engine, task, bench.starter[0]), bench.data_for(engine, task)
            audit._linked = self.link
            try:
                start = time.thread_time_ns()
                engine.complete(task.id, user, data)
                return time.thread_time_ns() - start
            finally:
                audit._linked = _linked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="stub")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--n", type=int, default=300, help="completions a side a block")
    parser.add_argument("--blocks", type=int, default=4)
    parser.add_argument("--warm", type=int, default=100, help="untimed completions a side first")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sides = [Side(args.model, tempfile.mkdtemp(), _linked), Side(args.model, tempfile.mkdtemp(), VARIANTS[args.variant])]
    for side in sides:
        for _ in range(args.warm):  # warm: caches filled, the first cases' cold steps done
            side.complete()
    blocks = []
    for block in range(args.blocks):
        times: list[list[int]] = [[], []]
        gc.collect()
        for i in range(args.n):
            for k in ((0, 1) if (i + block) % 2 == 0 else (1, 0)):
                times[k].append(sides[k].complete())
        a, b = (statistics.median(t) / 1000 for t in times)
        paired = statistics.median((y - x) / 1000 for x, y in zip(*times))
        blocks.append({"a_us": round(a, 1), "b_us": round(b, 1), "paired_b_minus_a_us": round(paired, 1)})
        if not args.json:
            print(f"block {block}: as is {a:.1f} µs, {args.variant} {b:.1f} µs, paired b − a {paired:+.1f} µs", flush=True)
    out = {"model": str(args.model), "variant": args.variant, "completions_a_side_a_block": args.n, "blocks": blocks,
           "median_paired_b_minus_a_us": statistics.median(x["paired_b_minus_a_us"] for x in blocks)}
    for side in sides:
        side.engine.dispose()
    print(json.dumps(out, ensure_ascii=False, indent=1) if args.json else
          f"median of the blocks' paired b − a: {out['median_paired_b_minus_a_us']:+.1f} µs a completion")


if __name__ == "__main__":
    main()
