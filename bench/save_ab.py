"""``state.save`` (and ``state.prune``) of two codes side by side in one process (保存开销对比): A/B and A/A.

Two engines on two SQLite files run bench/models/five_tasks.bpmn, each with its own copy of
engine/state.py: side ``a`` the one at ``--a`` (a checkout's root, default /work/main), side ``b``
this checkout's (``--b`` to name another; ``--b`` equal to ``--a`` is the A/A control). Each engine's
step sees its side's module (``engine.step.wfstate`` is set before each call, ``save`` and ``prune``
timed inside it). Every case of both engines is started, then its tasks are completed round by
round (one task of every case a round), the two engines' completions alternated one by one (which
side goes first alternates too), warm (every case in the engine's cache), ``time.thread_time_ns``
around each completion and around each ``save``+``prune``, the cyclic collector off inside a round
and run between rounds. Reported per run, in µs: the median of the paired differences b − a (case
i of ``a`` against case i of ``b``, the same round) for the whole completion and for save+prune,
and each side's median. Nothing is changed on disk but the two temporary databases.

    python bench/save_ab.py [--cases 200] [--runs 3] [--a /work/main] [--b .] [--json]
"""
from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from engine import step  # noqa: E402
from engine.schema import HumanTask  # noqa: E402
from tests.support import make_engine  # noqa: E402

MODEL = ROOT / "bench" / "models" / "five_tasks.bpmn"
PROCESS = "five_tasks"
TASKS = 5
_clock = time.thread_time_ns


def state_module(root: Path, name: str):
    """engine/state.py of the checkout at ``root``, as a module of the package ``engine`` (its
    relative imports are this checkout's modules); this checkout's own is ``engine.state``."""
    path = (root / "engine" / "state.py").resolve()
    if path == (ROOT / "engine" / "state.py").resolve():
        from engine import state
        return state
    spec = importlib.util.spec_from_file_location(f"engine.{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class Side:
    """One engine and the state module its steps use, with ``save``+``prune`` timed."""

    def __init__(self, module, url: str):
        self.module = module
        self.spent = 0  # ns in save + prune since last read
        self.engine = make_engine(url)
        self.engine.deploy(MODEL, by="boss")
        side = self

        class View:  # engine.step's ``wfstate`` while this side runs
            def __getattr__(self, name):
                return getattr(module, name)

            @staticmethod
            def prune(workflow):
                t0 = _clock()
                try:
                    return module.prune(workflow)
                finally:
                    side.spent += _clock() - t0

            @staticmethod
            def save(*args):
                t0 = _clock()
                try:
                    return module.save(*args)
                finally:
                    side.spent += _clock() - t0

        self.view = View()

    def start(self, cases: int) -> None:
        step.wfstate = self.view
        for _ in range(cases):
            self.engine.start(PROCESS, by="zhang", org="east", data={"备注": "基准测试"})

    def open_tasks(self) -> list[str]:
        with self.engine.db.engine.connect() as conn:
            return list(conn.execute(sa.select(HumanTask.id).where(HumanTask.state == "open")
                                     .order_by(HumanTask.case_id)).scalars())

    def complete(self, task_id: str) -> tuple[int, int]:
        step.wfstate = self.view
        self.spent = 0
        t0 = _clock()
        self.engine.complete(task_id, "zhang", {"意见": "同意"})
        return _clock() - t0, self.spent


def run(a, b, cases: int, tmp: Path, index: int) -> dict:
    sides = [Side(a, f"sqlite:///{tmp / f'a{index}.sqlite'}"), Side(b, f"sqlite:///{tmp / f'b{index}.sqlite'}")]
    original = step.wfstate
    try:
        for side in sides:
            side.start(cases)
        total: list[list[int]] = [[], []]
        saved: list[list[int]] = [[], []]
        turn = 0
        for _ in range(TASKS):
            ids = [side.open_tasks() for side in sides]
            gc.collect()
            gc.disable()
            try:
                for pair in zip(*ids):
                    order = (0, 1) if turn % 2 == 0 else (1, 0)
                    turn += 1
                    for s in order:
                        cpu, spent = sides[s].complete(pair[s])
                        total[s].append(cpu)
                        saved[s].append(spent)
            finally:
                gc.enable()
    finally:
        step.wfstate = original
        for side in sides:
            side.engine.dispose()

    def us(values):
        return round(statistics.median(values) / 1000, 1)
    return {"completions_a_side": len(total[0]),
            "completion_b_minus_a_us": us([y - x for x, y in zip(*total)]),
            "save_prune_b_minus_a_us": us([y - x for x, y in zip(*saved)]),
            "completion_a_us": us(total[0]), "completion_b_us": us(total[1]),
            "save_prune_a_us": us(saved[0]), "save_prune_b_us": us(saved[1])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--a", default="/work/main", help="side a's checkout root")
    ap.add_argument("--b", default=str(ROOT), help="side b's checkout root (the same as --a: A/A)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    a = state_module(Path(args.a), "state_a")
    b = state_module(Path(args.b), "state_b")  # the same checkout as ``a``: a second copy of its module
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            results.append(run(a, b, args.cases, Path(tmp), i))
            if not args.json:
                print(json.dumps(results[-1]), flush=True)
    if args.json:
        print(json.dumps({"a": args.a, "b": args.b, "aa": Path(args.b).resolve() == Path(args.a).resolve(), "runs": results}))


if __name__ == "__main__":
    main()
