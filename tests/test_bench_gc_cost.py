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
    steps = ("task.Task", "task_class.DubanTask", "sqlexec.Row", "workflow.DubanWorkflow", "BpmnSubWorkflow",
             "workflow.DubanSubWorkflow")
    assert not [kind for kind in found["new"] if kind.endswith(steps)], found["new"]


def test_a_warm_completion_leaves_no_transaction_for_the_collector(tmp_path):
    """Every step's transaction is freed when the step lets go of it: the session's stand-in
    (``step.LazySession``) pointing back at its ``Tx`` made each one a cycle — the Tx, its audit
    buffer, their lists and dicts, ~6 objects a completion — that only the collector freed."""
    found = _gc_cost().run("warm", 20, tmp_path, census=True)["cyclic_garbage_per_operation"]
    step_objects = ("engine.step.Tx", "engine.step.AuditBuffer", "engine.step.LazySession")
    assert not [kind for kind in found if kind in step_objects], found
    assert sum(n for kind, n in found.items() if kind.startswith("builtins.")) < 0.5, found
