"""bench/throughput.py's naive app (raw SpiffWorkflow, the case's whole JSON read, run, written and
committed each step) takes the models the engine walks to the same end, with as many completions:
its serializer knows every spec class SpiffWorkflow's Camunda parser makes (a bare service task, a
receive task's message), a service task with no handler is marked done by a person as the engine's
queue offers it, a cycle timer fires one cycle a sweep, its clock is the engine's walk's (a timer's
date from the case data is due when the engine's clock reaches it, not the host's), and our forms
clean what is typed as the engine's completion cleans it."""
from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "throughput.py"
INTEROP = ROOT / "tests" / "bpmn" / "interop"


def _throughput():
    spec = importlib.util.spec_from_file_location("bench_throughput_s23", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _naive_beside_engine(model: Path, cases: int = 2) -> dict:
    bench = _throughput()
    args = argparse.Namespace(cases=cases, only="naive", skip_postgres=True, postgres=None)
    return bench.model_result(bench.ModelBench(model), args)


@pytest.mark.parametrize("model", [
    # the naive app could not serialize a case: ``Object of type ServiceTask is not JSON serializable``
    INTEROP / "camunda7_io_parameters.bpmn", INTEROP / "camunda7_rest_connector.bpmn",
    INTEROP / "camunda_lookup.bpmn",
    # the naive walk went another way: the host's clock past the data's deadlines, forms not cleaned
    ROOT / "bpmn" / "dishonesty_list.bpmn", ROOT / "bpmn" / "hazard_self_report.bpmn",
    ROOT / "bpmn" / "hazard_supervision.bpmn", ROOT / "bpmn" / "accident_investigation.bpmn",
    ROOT / "bpmn" / "enforcement_case.bpmn",
], ids=lambda p: p.stem)
def test_the_naive_app_ends_the_cases_as_the_engine_does(model):
    result = _naive_beside_engine(model)
    engine, naive = result["engine_sqlite"], result["naive_app_sqlite"]
    assert engine["cases_ended"] == {"completed": 2}
    assert naive.get("error") is None and naive.get("errors") is None, naive
    assert naive["cases_ended"] == engine["cases_ended"]
    assert naive["completions"] == engine["completions"] > 0
    assert "no_ratio" not in result and result["engine_over_naive_by_cpu"] > 0


@pytest.mark.parametrize("model", ["camunda_external", "camunda7_parallel_receive_same_message"])
def test_a_case_waiting_on_a_worker_or_a_message_waits_in_the_naive_app_too(model):
    """An external worker's service task (``camunda:type="external"``) and a message catch: serialized
    now, and waiting on both sides (no completion, rightly no ratio)."""
    result = _naive_beside_engine(INTEROP / f"{model}.bpmn")
    naive = result["naive_app_sqlite"]
    assert naive.get("error") is None, naive
    assert naive["cases_ended"] == result["engine_sqlite"]["cases_ended"] == {"waiting": 2}


def test_a_cycle_timer_is_fired_one_cycle_a_sweep(tmp_path):
    """camunda7_rectify_scoped_events' 每满10日催办 (``R3/P10D``) once crashed the naive app's sweep
    (``string indices must be integers``); fired now, its next cycle is still ahead."""
    from SpiffWorkflow.util.task import TaskState

    bench = _throughput()
    model = bench.ModelBench(INTEROP / "camunda7_rectify_scoped_events.bpmn")
    bench.model_engine_run(model, f"sqlite:///{tmp_path / 'engine.sqlite'}", 1)
    walk = bench.SpiffWalk(model, 1, None, "camunda")
    wf = walk.memory[0]
    (timer,) = walk._waiting_timers(wf)
    walk._fire(timer)
    wf.refresh_timers()
    wf.do_engine_steps()
    urges = [t for t in wf.get_tasks(state=TaskState.READY) if t.task_spec.bpmn_id == "Activity_0urgeTask"]
    assert len(urges) == 1
    (again,) = walk._waiting_timers(wf)
    assert again.internal_data["event_value"]["cycles"] == 2


def test_a_daily_cycle_from_a_date_fires_as_the_engines_clock_reaches_it():
    """bpmnio_timer_start's 每天8:30 (``R/2026-11-23T08:30:00+08:00/P1D``, never ending): the cycle's
    own start date is due by the engine's clock, not the host's days later (which fired every day
    since at once: more completions than the engine's); both walk as many rounds, a patrol a day."""
    result = _naive_beside_engine(INTEROP / "bpmnio_timer_start.bpmn", cases=1)
    engine, naive = result["engine_sqlite"], result["naive_app_sqlite"]
    assert engine["cases_ended"] == naive["cases_ended"] == {"too_many_steps": 1}
    assert naive["completions"] == engine["completions"] > 50
