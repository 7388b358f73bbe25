"""A workflow the engine is done with is freed by reference counting, not left to Python's cyclic
collector (engine/workflow_cache.py ``release``; engine/state.py ``restore_rows``).

A SpiffWorkflow workflow and its tasks refer to each other: dropped as it is, it waits for a
collection, which walks the process's whole heap (the cost measured in bench/gc_cost.py). Each test
runs with the collector off and asks which workflows are still alive: a workflow the cache let go
(least recently used, stale, evicted after a failed step) and, with the cache off, every workflow a
step restored from rows — the model with an embedded sub-process and a call activity, to the end.
"""
from __future__ import annotations

import contextlib
import gc
import weakref

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.task import Task

from engine import Engine
from engine.workflow_cache import WorkflowCache
from tests.support import BPMN, deploy, make_engine, open_task_id


# Workflows and tasks alive before the test (other tests' engines in the same process may still
# hold theirs), by weak reference: left out of ``alive``'s count while they live.
_BEFORE: dict[int, weakref.ref] = {}


@contextlib.contextmanager
def collector_off():
    gc.collect()  # what earlier tests left
    _BEFORE.clear()
    _BEFORE.update((id(o), weakref.ref(o)) for o in gc.get_objects()
                   if isinstance(o, (BpmnWorkflow, BpmnSubWorkflow, Task)))
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        _BEFORE.clear()


def alive(kind) -> int:
    """The objects of ``kind`` alive now that were not before the test."""
    return sum(1 for o in gc.get_objects() if isinstance(o, kind)
               and not (id(o) in _BEFORE and _BEFORE[id(o)]() is o))


def cached_workflow(engine: Engine, case_id: int):
    return engine.workflow_cache._entries[case_id][1].workflow


def test_with_the_cache_off_no_restored_workflow_outlives_its_step(database_url):
    """Every completion restores the case (two levels: an embedded sub-process, a call activity's
    child case) and runs it to the end; after each, no workflow, sub-process or task is alive —
    but after a step that finished a sub-process: SpiffWorkflow drops a finished one from its
    workflow (state.prune) as the cycle it is, and the collector frees it (here: ``gc.collect``)."""
    engine = make_engine(database_url, cache_size=0)
    deploy(engine, "score.dmn", "child.bpmn", "coverage.bpmn")
    case = engine.start("coverage", by="zhang", org="east")
    left = {}
    with collector_off():
        for _ in range(10):
            tasks = engine.queue("zhang", limit=100) + engine.queue("boss", limit=100)
            if not tasks:
                break
            for t in tasks:
                engine.complete(t.id, "boss" if t.role_code == "supervisor" else "zhang",
                                {"vote_item": "同意"} if t.spec_id == "vote" else {})
                left[t.spec_id] = (alive(BpmnWorkflow), alive(BpmnSubWorkflow), alive(Task))
                gc.collect()
    assert engine.case(case.id).status == "completed"
    assert left == {"task_a": (0, 0, 0), "task_b": (1, 1, 7), "task_c": (0, 0, 0), "child_task": (1, 1, 7),
                    "vote": (0, 0, 0)}
    engine.dispose()


def test_the_least_recently_used_workflow_is_freed_when_the_cache_lets_it_go(database_url):
    engine = make_engine(database_url, cache_size=1)
    engine.deploy(BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn", by="boss")
    first = engine.start("five_tasks", by="zhang", org="east")
    with collector_off():
        gone = weakref.ref(cached_workflow(engine, first.id))
        second = engine.start("five_tasks", by="zhang", org="east")
        assert gone() is None
        kept = weakref.ref(cached_workflow(engine, second.id))
        engine.complete(open_task_id(engine, second.id), "zhang", {"意见": "同意"})  # from the cache, back in it
        assert kept() is not None and kept() is cached_workflow(engine, second.id)
        engine.complete(open_task_id(engine, first.id), "zhang", {"意见": "同意"})  # restored; second's goes
        assert kept() is None
    engine.dispose()


def test_a_workflow_another_process_made_stale_is_freed(database_url):
    """Two engines on one database: the second steps the case, so the first's cached workflow is a
    version behind; the first's next step restores the case and frees the stale one."""
    engine = make_engine(database_url)
    engine.deploy(BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn", by="boss")
    case = engine.start("five_tasks", by="zhang", org="east")
    other = Engine(database_url, clock=engine.clock)
    with collector_off():
        stale = weakref.ref(cached_workflow(engine, case.id))
        other.complete(open_task_id(engine, case.id), "zhang", {"意见": "同意"})
        assert stale() is not None
        engine.complete(open_task_id(engine, case.id), "zhang", {"意见": "同意"})
        assert stale() is None
        assert engine.case(case.id).tasks[0].spec_id == "t3"
    other.dispose()
    engine.dispose()


def test_a_workflow_put_again_under_its_case_is_kept():
    """A transaction that steps one case twice puts the same workflow twice: it is not released."""
    from engine.state import LoadedState
    from engine.workflow import DubanWorkflow
    from engine.parser import DubanParser

    parser = DubanParser()
    parser.add_bpmn_file(str(BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn"))
    loaded = LoadedState(DubanWorkflow(parser.get_spec("five_tasks")))
    cache = WorkflowCache(2)
    cache.put(7, 1, loaded)
    cache.put(7, 2, loaded)
    assert cache.take(7, 2) is loaded
    loaded.workflow.do_engine_steps()  # still a whole workflow
    assert loaded.workflow.get_tasks(manual=True)
