"""bench/throughput.py's stretched model (``--tasks-per-case``) is the benchmark model, longer: the
engine and the naive app run it to the end, one user task per completion."""
from __future__ import annotations

import importlib.util
import tempfile
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


def test_the_bench_solves_a_models_conditions_and_collections_for_its_cases_to_walk():
    """A model drawn elsewhere whose gateway reads data no drawn form gives (Flowable's
    ``#{passed == true}``) and one whose multi-instance task needs a collection (``experts``): the
    bench finds those names in the model as the engine runs it and starts its cases with values
    that take the first non-default flow, a list of two users; engine, raw and naive each walk every
    case to its end, and the engine and the naive app are measured in turns too."""
    import argparse

    bench = _throughput()
    interop = BENCH.parent.parent / "tests" / "bpmn" / "interop"
    args = argparse.Namespace(cases=2, only=None, skip_postgres=True, postgres=None)
    result = bench.model_result(bench.ModelBench(interop / "flowable_review.bpmn"), args)
    assert result["start_data"] == ["passed"]
    for contender in ("engine_sqlite", "raw_spiff_in_memory", "naive_app_sqlite"):
        assert result[contender]["cases_ended"] == {"completed": 2}, result[contender]
        assert result[contender]["completions"] == 2
    turns = result["engine_and_naive_in_turns"]
    assert turns["engine"]["completions"] == turns["naive"]["completions"] == 2
    assert turns["engine_over_naive"] > 0 and turns["rounds"]
    assert "twice_naive" in result["goals"] and "no_ratio" not in result
    engine = bench.model_engine_run(bench.ModelBench(interop / "flowable_countersign_half.bpmn"),
                                    f"sqlite:///{tempfile.mkdtemp()}/e.sqlite", 2)
    assert engine["cases_ended"] == {"completed": 2}, engine
    assert engine["completions"] == 2 * 3  # one of two experts signs (half), then 逐级复核 twice (passed)


def test_the_solver_reads_a_condition_and_never_runs_it():
    from tests.interop_support import model_reads, solve

    assert solve("type == '危化品' and input > 2", {}) == {"input": 3, "type": "危化品"}
    assert solve("not complete", {}, want=False) == {"complete": True}
    assert solve("level > 2", {"level": 1}) is None  # a value fixed by an earlier gateway is kept
    assert solve("__import__('os').system('true')", {}) is None  # a call: not evaluated, not solved
    reads = model_reads([BENCH.parent.parent / "tests" / "bpmn" / "interop" / "zeebe_permit.bpmn"])
    assert reads.start["experts"] == ["zhang", "li"]
    # a call activity's input mapping (=days * 2 into the child's deadline_days) reads the case's data
    reads = model_reads([BENCH.parent.parent / "tests" / "bpmn" / "interop" / "zeebe_mapped_parent.bpmn"])
    assert reads.start == {"days": 1, "notice_no": "基准测试"}


def test_our_own_processes_started_by_another_case_walk_to_their_end_in_the_bench(tmp_path):
    """事故查处挂牌督办 is opened by a superior bureau on an accident (its ``superior``),
    严重失信主体名单's forms have their examples beside them and a case applies for early removal
    before its time (sent back: the bench lets the listing's time pass), 双随机抽查计划 takes its start
    snapshot from workflows.start_data in an org of the demo: each case walks to its end."""
    bench = _throughput()
    for name, steps in (("accident_supervision", 5), ("dishonesty_list", 9), ("inspection_plan", 3)):
        model = BENCH.parent.parent / "bpmn" / f"{name}.bpmn"
        result = bench.model_engine_run(bench.ModelBench(model), f"sqlite:///{tmp_path / name}.sqlite", 1)
        assert result["cases_ended"] == {"completed": 1}, result
        assert result["completions"] == steps


def test_no_ratio_where_the_engine_and_the_naive_app_did_different_work():
    bench = _throughput()
    engine = {"completions": 80, "per_second": 900.0, "cpu_ms_per_completion": 1.0, "cases_ended": {"completed": 40}}
    naive = {"completions": 40, "per_second": 900.0, "cpu_ms_per_completion": 1.0, "cases_ended": {"incident": 40},
             "errors": ["approve: NameError"]}
    result = {"engine_sqlite": engine, "naive_app_sqlite": naive, "raw_spiff_in_memory": dict(engine)}
    bench.ratios(result)
    assert "engine_over_naive" not in result and "twice_naive" not in result["goals"]
    assert result["no_ratio"].startswith("the cases ended differently: engine completed 40, 80 completions; "
                                         "naive app incident 40, 40 completions (approve: NameError)")
    assert result["engine_cpu_over_raw"] == 1.0


def test_raw_and_naive_work_the_parallel_task_the_engine_worked():
    """An escalation from a sub-process makes 市局挂牌督办 ready beside 起草调查报告: the engine's task list
    offers the former first, SpiffWorkflow's the latter (whose end then terminates the other). The
    naive app follows the engine's walk, case by case, so the two do the same work and are compared."""
    import argparse

    bench = _throughput()
    model = BENCH.parent.parent / "tests" / "bpmn" / "interop" / "camunda7_escalation_terminate.bpmn"
    args = argparse.Namespace(cases=2, only="naive", skip_postgres=True, postgres=None)
    result = bench.model_result(bench.ModelBench(model), args)
    assert result["engine_sqlite"]["completions"] == result["naive_app_sqlite"]["completions"] == 8
    assert "no_ratio" not in result and result["engine_over_naive"] > 0


def test_the_naive_app_in_turns_is_measured_without_the_engines_heap_in_the_collectors_sight():
    """A naive app in production has no engine beside it: in turns, the objects alive before its round
    (the engine's cache) are frozen out of the cyclic collector, and what its round leaves in cycles is
    collected at the round's end and charged to it, not to the engine's next round."""
    import gc

    tp = _throughput()

    class Side:
        elapsed = cpu = 0.0

    engine_heap = [[i] for i in range(5000)]  # tracked containers alive before the round
    side = Side()
    assert gc.get_freeze_count() == 0
    with tp.heap_apart(side):
        assert gc.get_freeze_count() >= len(engine_heap)
        seen = {id(o) for o in gc.get_objects()}
        assert not any(id(o) in seen for o in engine_heap[:50])
        garbage = []
        garbage.append(garbage)  # a cycle of the naive side's own
        del garbage
    assert gc.get_freeze_count() == 0 and side.cpu > 0.0 and side.elapsed > 0.0


def test_the_first_completion_of_a_run_is_reported_apart():
    """A process's first completion renders and prepares the statements it sends (once a process, once a
    connection): each side's figures say it apart, so a short sweep line can be read without it."""
    import argparse

    bench = _throughput()
    model = BENCH.parent.parent / "tests" / "bpmn" / "interop" / "zeebe_linked_form.bpmn"
    args = argparse.Namespace(cases=4, only=None, skip_postgres=True, postgres=None)
    result = bench.model_result(bench.ModelBench(model), args)
    for side in (result["engine_sqlite"], result["naive_app_sqlite"], *(
            result["engine_and_naive_in_turns"][k] for k in ("engine", "naive"))):
        assert side["completions"] == 4
        first, rest = side["first_completion_cpu_ms"], side["cpu_ms_per_completion_after_first"]
        assert side["first_completion_ms"] > 0 and first > 0 and rest > 0
        assert abs((first + 3 * rest) / 4 - side["cpu_ms_per_completion"]) < 0.01
    turns = result["engine_and_naive_in_turns"]
    assert turns["engine_over_naive_by_cpu_after_first"] == round(
        turns["naive"]["cpu_ms_per_completion_after_first"] / turns["engine"]["cpu_ms_per_completion_after_first"], 2)


def test_the_naive_app_opens_the_cases_a_double_random_draw_opens(tmp_path):
    """双随机抽查计划 (bpmn/inspection_plan.bpmn): approval runs the draw, whose script opens an inspection
    case per drawn enterprise (``start_case``; the example plan's quotas draw two). The naive app does
    that job too, in the approving step's transaction — each case made from random_inspection's spec,
    run to its first task and its whole JSON inserted — so it walks every plan to its end as the engine
    does, and the model has a ratio. Before, it was handed the engine's ``start_case`` and each walk
    ended in an incident at 审批抽查计划 (no ratio; 0.44 was read off two different walks)."""
    import argparse
    import sqlite3

    bench = _throughput()
    model = bench.ModelBench(BENCH.parent.parent / "bpmn" / "inspection_plan.bpmn")
    args = argparse.Namespace(cases=2, only="naive", skip_postgres=True, postgres=None)
    result = bench.model_result(model, args)
    assert result["engine_sqlite"]["cases_ended"] == result["naive_app_sqlite"]["cases_ended"] == {"completed": 2}
    assert result["engine_sqlite"]["completions"] == result["naive_app_sqlite"]["completions"] == 6
    assert "no_ratio" not in result and result["engine_over_naive"] > 0

    walk = bench.SpiffWalk(model, 2, tmp_path / "naive.sqlite")
    while walk.round():
        pass
    rows = [state for (state,) in walk.db.execute("SELECT state FROM wf WHERE id >= ? ORDER BY id", (1 << 30,))]
    assert len(rows) == 4  # two drawn enterprises a plan, two plans
    assert all('"random_inspection"' in text and "inspectors" in text for text in rows)
    walk.db.close()


def test_the_bench_gives_the_data_a_tasks_deadline_person_date_comparison_and_collection_read():
    """Four models drawn elsewhere the bench could not drive (sweep of 2026-12-07: no ratio): a task
    whose 办理期限 is the case's ``rectifyDeadline`` (Camunda ``dueDate="${rectifyDeadline}"``), one whose
    办理人 is the case's ``handler`` (Zeebe ``assignee="=handler"``), a gateway comparing the drawn
    整改完成日期 with the 期限 written at 立案 (``${rectifyDay > deadline}``), and a multi-instance whose
    instances each give ``finding`` (Zeebe ``outputElement``). The bench gives each what it reads; the
    engine and the naive app walk every case to its end alike, so each has a ratio. And an event-based
    gateway waiting on 收到申辩材料 or 满3日未申辩 (Signavio): the naive app fires the gateway's timer as the
    engine's clock fires its own (SpiffWorkflow waits at the gateway, not at the timer event)."""
    import argparse

    bench = _throughput()
    interop = BENCH.parent.parent / "tests" / "bpmn" / "interop"
    args = argparse.Namespace(cases=2, only="paired", skip_postgres=True, postgres=None)
    for name, given, steps in (("camunda7_due_date_from_data", ["rectifyDeadline", "remindAt"], 1),
                               ("zeebe_assignee_candidate_users_feel", ["handler", "reviewers"], 3),
                               ("flowable_rectify_date_pattern", ["deadline"], 2),
                               ("zeebe_literal_collection", None, 6),
                               ("signavio_event_gateway_timer", None, 1)):
        result = bench.model_result(bench.ModelBench(interop / f"{name}.bpmn"), args)
        assert result.get("start_data") == given, (name, result.get("start_data"))
        for side in ("engine_sqlite", "naive_app_sqlite"):
            assert result[side]["cases_ended"] == {"completed": 2}, (name, side, result[side])
            assert result[side]["completions"] == 2 * steps, (name, side)
        assert result["engine_and_naive_in_turns"]["engine_over_naive"] > 0, name


def test_a_for_expression_collection_gets_items_with_the_fields_it_takes(tmp_path):
    """Zeebe ``inputCollection="=for h in hazards return h.id"``: the bench starts the case with two
    hazards that have an ``id``, and each instance gives the ``result`` its output reads; the engine
    walks the case to its end (8 completions: 2 rechecks, 3 rounds, 3 copies; the rewrite's own
    collection holders, ``_mi_collection_…``, are not given at the start)."""
    bench = _throughput()
    model = bench.ModelBench(BENCH.parent.parent / "tests" / "bpmn" / "interop" / "zeebe_for_collection.bpmn")
    result = bench.model_engine_run(model, f"sqlite:///{tmp_path / 'e.sqlite'}", 1)
    assert model.start_given["hazards"] == [{"id": "id1"}, {"id": "id2"}]
    assert result["cases_ended"] == {"completed": 1}, result
    assert result["completions"] == 8
