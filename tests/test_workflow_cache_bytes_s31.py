"""The workflow cache (已恢复的流程实例缓存, engine/workflow_cache.py) is sized by memory, not by a count:
each restored workflow weighs its stored state's text times what a workflow takes in memory per byte
of it, and the least recently used fall out once the weights pass the budget
(``Engine(cache_bytes=...)``, ``DUBAN_WORKFLOW_CACHE_MB``; 128 MiB by default) — a province's large
cases cannot take gigabytes, and small ones are kept by the thousand. Real engine, real database,
real models."""
from __future__ import annotations

import tracemalloc

import pytest

from engine import Engine, ManualClock, state as wfstate, workflow_cache
from engine.schema import Case
from tests.support import BPMN, START, make_engine, open_task_id

FIVE_TASKS = BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn"


def _five_task_engine(url: str, **kwargs) -> Engine:
    e = make_engine(url, clock=ManualClock(START), **kwargs)
    e.deploy(FIVE_TASKS, by="boss")
    return e


def test_a_workflow_weighs_its_stored_states_text_times_its_memory_per_byte(database_url):
    """The weight of a cached five-task workflow is its live rows' text times BYTES_PER_STATE_BYTE, and
    within a factor of 1.5 of what restoring it from those rows allocates (tracemalloc) plus that text."""
    e = _five_task_engine(database_url)
    try:
        case = e.start("five_tasks", by="zhang", org="east", data={"备注": "复查"})
        e.complete(open_task_id(e, case.id), "zhang", {"意见": "同意"})
        loaded = e.workflow_cache._entries[case.id][1]
        text = sum(len(row[2]) for row in loaded.task_rows.values()) + sum(map(len, loaded.wf_rows.values()))
        assert workflow_cache.weight(loaded) == text * workflow_cache.BYTES_PER_STATE_BYTE
        with e.db.read() as s:
            spec, subs = e.models.specs(s, s.get(Case, case.id).bundle_hash)
            workflow_cache.release(wfstate.restore(s, case.id, spec, subs, e.script_engine))  # (once-a-process work)
            tracemalloc.start()
            try:
                before = tracemalloc.get_traced_memory()[0]
                fresh = wfstate.restore(s, case.id, spec, subs, e.script_engine)
                held = tracemalloc.get_traced_memory()[0] - before
            finally:
                tracemalloc.stop()
        workflow_cache.release(fresh)
        assert 1 / 1.5 < workflow_cache.weight(loaded) / (held + text) < 1.5
    finally:
        e.dispose()


def test_the_cache_lets_the_least_recently_used_go_once_their_weight_passes_its_byte_budget(database_url):
    """A budget of two five-task workflows' weight and a half: a third case started pushes the first
    out (least recently used), the held weight stays within the budget, and the first case's next step
    restores it from its rows and completes as any other."""
    e = _five_task_engine(database_url, cache_bytes=10**9)
    try:
        first = e.start("five_tasks", by="zhang", org="east", data={"备注": "一"})
        one = workflow_cache.weight(e.workflow_cache._entries[first.id][1])
        e.workflow_cache.budget = int(one * 2.5)
        second = e.start("five_tasks", by="zhang", org="east", data={"备注": "二"})
        assert list(e.workflow_cache._entries) == [first.id, second.id]
        third = e.start("five_tasks", by="zhang", org="east", data={"备注": "三"})
        cache = e.workflow_cache
        assert list(cache._entries) == [second.id, third.id]  # the least recently used went
        assert cache.held == sum(workflow_cache.weight(v[1]) for v in cache._entries.values()) <= cache.budget
        e.complete(open_task_id(e, first.id), "zhang", {"意见": "同意"})  # restored from its rows
        assert list(cache._entries) == [third.id, first.id] and cache.held <= cache.budget
        assert len(e.case(first.id).tasks) == 1 and e.case(first.id).status == "running"
    finally:
        e.dispose()


def test_a_workflow_heavier_than_the_whole_budget_is_not_kept(database_url):
    e = _five_task_engine(database_url, cache_bytes=1000)
    try:
        case = e.start("five_tasks", by="zhang", org="east", data={"备注": "大案"})
        assert len(e.workflow_cache) == 0 and e.workflow_cache.held == 0
        e.complete(open_task_id(e, case.id), "zhang", {"意见": "同意"})
        assert len(e.workflow_cache) == 0 and e.case(case.id).status == "running"
    finally:
        e.dispose()


def test_the_budget_is_read_from_the_environment_in_megabytes(sqlite_url, monkeypatch):
    monkeypatch.setenv("DUBAN_WORKFLOW_CACHE_MB", "1.5")
    e = Engine(sqlite_url)
    try:
        assert e.workflow_cache.budget == int(1.5 * 1024 * 1024) and e.workflow_cache.size is None
    finally:
        e.dispose()
    monkeypatch.delenv("DUBAN_WORKFLOW_CACHE_MB")
    e = Engine(sqlite_url)
    try:
        assert e.workflow_cache.budget == workflow_cache.WORKFLOW_CACHE_BYTES == 128 * 1024 * 1024
    finally:
        e.dispose()


@pytest.mark.parametrize("text", ["很多", "-1", "nan", "inf"])
def test_a_budget_that_is_no_size_is_refused_naming_the_setting(sqlite_url, monkeypatch, text):
    monkeypatch.setenv("DUBAN_WORKFLOW_CACHE_MB", text)
    with pytest.raises(ValueError, match="DUBAN_WORKFLOW_CACHE_MB（流程实例缓存大小，单位 MB）应为不小于 0 的数"):
        Engine(sqlite_url)
