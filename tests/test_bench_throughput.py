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
