"""bench/throughput.py's stretched model (``--tasks-per-case``) is the benchmark model, longer: the
engine and the naive app run it to the end, one user task per completion."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from tests.support import make_engine, open_task_id

BENCH = Path(__file__).resolve().parent.parent / "bench" / "throughput.py"


def _throughput():
    spec = importlib.util.spec_from_file_location("bench_throughput", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_case_of_the_stretched_model_takes_one_completion_per_task_to_its_end(sqlite_url, tmp_path):
    bench = _throughput()
    model = bench.stretched_model(7, tmp_path)
    engine = make_engine(sqlite_url)
    try:
        engine.deploy(model, by="boss")
        case = engine.start(bench.PROCESS, by="zhang", org="east", data={})
        names = []
        for _ in range(7):
            task_id = open_task_id(engine, case.id)
            names.append(engine.task(task_id).name)
            engine.complete(task_id, "zhang", {"意见": "同意"})
        assert engine.case(case.id).status == "completed"
        assert names == ["登记1", "核查2", "审核3", "决定4", "归档5", "登记6", "核查7"]
    finally:
        engine.dispose()


def test_the_naive_app_walks_the_stretched_model_the_same_way(tmp_path):
    bench = _throughput()
    bench.MODEL = bench.stretched_model(12, tmp_path)
    spec, subs = bench._spec()
    workflow = BpmnWorkflow(spec, subs)
    workflow.do_engine_steps()
    steps = 0
    while not workflow.is_completed():
        (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
        task.run()
        workflow.do_engine_steps()
        steps += 1
    assert steps == 12


def test_any_model_runs_through_the_public_api_gateway_and_timer_included():
    """``--model``: a Camunda Modeler file whose gateway reads the drawn form (a date, a choice, a
    yes/no) and sends the case to wait 48 hours before its second task: the engine, raw SpiffWorkflow
    and the naive app each take every case to its end, two completions a case, the engine's timers
    fired by moving its clock."""
    import argparse

    bench = _throughput()
    model = BENCH.parent.parent / "tests" / "bpmn" / "gate_timer.bpmn"
    args = argparse.Namespace(cases=3, only=None, skip_postgres=True, postgres=None)
    result = bench.model_result(bench.ModelBench(model), args)
    assert result["process"] == "gate_timer"
    engine = result["engine_sqlite"]
    assert engine["cases_ended"] == {"completed": 3}
    assert engine["completions"] == 6  # the gateway's timer branch: 登记隐患, then 复查整改情况 after 48 h
    assert engine["timers_fired"] == 3
    assert engine["sql_statements_per_completion"] > 0 and engine["cpu_ms_per_completion"] > 0
    for contender in ("raw_spiff_in_memory", "naive_app_sqlite"):
        assert result[contender]["parser"] == "CamundaParser"
        assert result[contender]["cases_ended"] == {"completed": 3}
        assert result[contender]["completions"] == 6
    assert result["engine_over_naive"] > 0 and "twice_naive" in result["goals"]


def test_a_model_waiting_on_a_message_is_reported_waiting(tmp_path):
    bench = _throughput()
    model = BENCH.parent.parent / "tests" / "bpmn" / "interop" / "message_catch.bpmn"
    result = bench.model_engine_run(bench.ModelBench(model), f"sqlite:///{tmp_path / 'e.sqlite'}", 2)
    assert result["cases_ended"] == {"waiting": 2}
