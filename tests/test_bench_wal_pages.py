"""bench/wal_pages.py counts the WAL frames a completion writes, by b-tree; ``--page-size`` makes the
file with another page size, whose frames and bytes are then counted at that size."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "wal_pages.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_wal_pages", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_frames_are_counted_at_the_page_size_asked_for(tmp_path):
    bench = _bench()
    runs = {}
    for size in (None, 4096):  # None: the engine's own (engine/database.py SQLITE_PAGE_SIZE, 2,048)
        (tmp_path / str(size)).mkdir()
        runs[size] = bench.sqlite_run(tmp_path / str(size), 4, 1, page_size=size)
    assert runs[None]["page_size"] == 2048 and runs[4096]["page_size"] == 4096
    for size, run in runs.items():
        assert run["completions"] == 4 and run["commits_per_completion"] == 1.0
        assert {"human_task", "audit_event", "case_instance", "wf_task"} <= set(run["frames_per_completion_by_btree"])
        assert run["wal_kib_per_completion"] == round(run["frames_per_completion"] * (24 + run["page_size"]) / 1024, 1)
    # smaller pages: more frames, fewer bytes
    assert runs[None]["frames_per_completion"] > runs[4096]["frames_per_completion"]
    assert runs[None]["wal_kib_per_completion"] < runs[4096]["wal_kib_per_completion"]


def test_a_models_completions_are_counted_by_place(tmp_path):
    """``--model``: Flowable's 复查 loop (tests/bpmn/interop/flowable_review.bpmn, walked as
    bench/throughput.py walks it) has completions that end the case and ones that go on; each place's
    frames are counted, by b-tree, and those of a completion that ends the case include the case row
    and its indexes for ended cases."""
    bench = _bench()
    model = BENCH.parent.parent / "tests" / "bpmn" / "interop" / "flowable_review.bpmn"
    run = bench.model_run(tmp_path, model, 8)
    assert run["cases"] == 6 and run["process"]
    ends = run["ends"]
    assert ends["completions"] == 6
    assert {"human_task", "audit_event", "case_instance", "wf_task",
            "ix_case_instance_ended"} <= set(ends["frames_per_completion_by_btree"])
    assert ends["frames_per_completion"] == pytest.approx(sum(ends["frames_per_completion_by_btree"].values()),
                                                          abs=0.1)
