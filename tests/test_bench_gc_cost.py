"""bench/gc_cost.py's two arms mean what it says: ``old`` (the cache dropping workflows whole, each
cold restore leaving a self-referencing function) leaves the collector tasks and workflows to find,
``new`` (the engine as it is) leaves none — with the cache off, where every completion restores."""
from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "gc_cost.py"


def _gc_cost():
    spec = importlib.util.spec_from_file_location("bench_gc_cost", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_old_arm_leaves_cyclic_garbage_and_the_engine_none(tmp_path):
    bench = _gc_cost()
    found = {}
    for version in ("old", "new"):
        with bench.engine_as(version):
            found[version] = bench.run("cold", 20, tmp_path, census=True)["cyclic_garbage_per_operation"]
    tasks = sum(n for kind, n in found["old"].items() if kind.endswith(("task.Task", "task_class.DubanTask")))
    assert tasks > 5 and found["old"]["engine.sqlexec.Row"] > 5, found["old"]
    # (a model parsed once per process — lxml's tree, SpiffWorkflow's parser — may be in either)
    steps = ("task.Task", "task_class.DubanTask", "sqlexec.Row", "workflow.DubanWorkflow", "BpmnSubWorkflow")
    assert not [kind for kind in found["new"] if kind.endswith(steps)], found["new"]
