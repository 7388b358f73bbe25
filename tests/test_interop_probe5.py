"""A fifth batch of public models nobody here had tried (camunda-bpm-platform's gateway, sequence
flow and conditional event test resources, Flowable's gateway and timer test resources,
spiff-arena's backend test models, bpmn-miwg-test-suite; bench/interop.py --walk --dir runs such a
folder): what Duban ran down a path the engine they were drawn for would not take, or refused though
that engine runs it. Each is drawn again as its tool saves it, with Chinese names
(tests/bpmn/interop/), and run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from tests.interop_support import CORPUS, models_engine, open_specs as _open, complete_at as _do

MODELS = ("camunda7_inclusive_backloop.bpmn", "camunda7_subprocess_join_no_end.bpmn", "camunda7_error_ref_as_code.bpmn")


@pytest.fixture(scope="module")
def engine(module_database_url):
    yield from models_engine(module_database_url, MODELS)


def test_an_inclusive_join_in_a_loop_waits_for_this_rounds_branches(engine):
    """专项检查（分轮次） (Camunda's InclusiveGatewayTest ...AfterParallelGatewayWithBackloop shape):
    现场检查 found both a 事故隐患 and a 违法行为, so 下达整改指令 (《安全生产法》第六十五条第一款第三项)
    and 立案审查 (《行政处罚法》第五十四条) both run and meet at an inclusive join before 汇总研判.
    In the second round SpiffWorkflow's join counted the first round's two branches as in: 汇总研判
    opened as soon as 下达整改指令 was done, with 立案审查 still open and left behind (Camunda,
    Flowable and BPMN 2.0 §13.3.2: the join waits while a branch can still come)."""
    case = engine.start("camunda7_inclusive_backloop", by="zhang", org="east").id
    for recheck in (True, False):
        _do(engine, case, "Activity_0plan")
        _do(engine, case, "Activity_0site", {"hazard": True, "illegal": True})
        _do(engine, case, "Activity_0docs")
        assert _open(engine, case) == ["Activity_0file", "Activity_0rectify"]
        _do(engine, case, "Activity_0rectify")
        assert _open(engine, case) == ["Activity_0file"], recheck  # 汇总研判 waits for 立案审查
        _do(engine, case, "Activity_0file")
        assert _open(engine, case) == ["Activity_0summary"]
        _do(engine, case, "Activity_0summary", {"recheck": recheck})
    view = engine.case(case)
    assert view.status == "completed" and not view.tasks


@pytest.mark.parametrize("hazard, illegal, branch", [(True, False, "Activity_0rectify"), (False, True, "Activity_0file")])
def test_an_inclusive_join_in_a_loop_goes_on_with_the_one_branch_taken(engine, hazard, illegal, branch):
    """Only one branch taken in a round: the join goes on once it is done, that round as the first."""
    case = engine.start("camunda7_inclusive_backloop", by="zhang", org="east").id
    for recheck in (True, False):
        _do(engine, case, "Activity_0plan")
        _do(engine, case, "Activity_0site", {"hazard": hazard, "illegal": illegal})
        _do(engine, case, "Activity_0docs")
        assert _open(engine, case) == [branch]
        _do(engine, case, branch)
        assert _open(engine, case) == ["Activity_0summary"]
        _do(engine, case, "Activity_0summary", {"recheck": recheck})
    assert engine.case(case).status == "completed"


def test_a_sub_process_whose_join_has_no_way_out_ends_when_the_join_fires(engine):
    """联合检查 (Camunda's ParallelGatewayTest.testCompletingJoinInSubProcess shape): 应急管理部门 and
    消防救援机构 check side by side (联合检查, 《安全生产法》第八十七条) and meet at a parallel join
    with no outgoing flow and no end event in the sub-process: by BPMN's implicit end the sub-process
    ends once the join fires, and 汇总联合检查意见 follows (Camunda runs it). The deploy was refused
    (「子流程必须有结束事件」); now an end event is put after the join, noted."""
    case = engine.start("camunda7_subprocess_join_no_end", by="zhang", org="east").id
    assert _open(engine, case) == ["UserTask_1", "UserTask_2"]
    _do(engine, case, "UserTask_2")
    assert _open(engine, case) == ["UserTask_1"]
    _do(engine, case, "UserTask_1")
    assert _open(engine, case) == ["UserTask_3"]
    _do(engine, case, "UserTask_3")
    assert engine.case(case).status == "completed"
    checked = engine.models.validate((CORPUS / "camunda7_subprocess_join_no_end.bpmn").read_bytes(),
                                     "camunda7_subprocess_join_no_end.bpmn")
    assert [w.message for w in checked.warnings if "结束事件" in w.message] == [
        "并行网关「两家核查完毕」(joinChecked) 之后没有连线，所在子流程「联合检查」(SubProcess_1)没有结束事件，"
        "按 BPMN 的规定该路径在此结束（本系统在其后加了一个结束事件）"]


@pytest.mark.parametrize("outcome, worked", [
    ("refused", ["record", "orderCorrection", "decide"]),
    ("closed", ["record", "terminate"]),
    ("done", ["record", "decide"]),
])
def test_an_error_named_only_by_its_ref_is_thrown_and_caught_by_that_code(engine, outcome, worked):
    """立案调查（取证受阻） (Camunda's BoundaryErrorEventTest.testDeeplyNestedErrorThrown shape): the
    error end events of 现场取证 and the boundaries that catch them name the error by ``errorRef``
    alone, with no ``<error>`` in the file. Camunda 7 and Flowable take the reference as the error
    code: 拒绝检查 is caught inside 立案调查 (责令改正, 《安全生产法》第一百零八条), 企业已注销 on
    立案调查 itself (终止调查). The deploy was refused as an error that no longer exists."""
    case = engine.start("camunda7_error_ref_as_code", by="zhang", org="east").id
    done = []
    while engine.case(case).tasks:
        spec_id = engine.case(case).tasks[0].spec_id
        _do(engine, case, spec_id, {"outcome": outcome} if spec_id == "record" else {})
        done.append(spec_id)
    assert done == worked
    assert engine.case(case).status == "completed"


def test_an_error_named_only_by_its_ref_is_noted_on_its_events(engine):
    checked = engine.models.validate((CORPUS / "camunda7_error_ref_as_code.bpmn").read_bytes(),
                                     "camunda7_error_ref_as_code.bpmn")
    notes = [w.message for w in checked.warnings if "没有定义" in w.message]
    assert notes == [
        "结束事件「拒绝检查」(throwRefused) 引用的错误「EVIDENCE_REFUSED」在文件中没有定义：与 Camunda 7、Flowable 一样，"
        "以「EVIDENCE_REFUSED」作为错误代码（抛出与捕获都按这个代码匹配）",
        "结束事件「企业已注销」(throwClosed) 引用的错误「ENTERPRISE_CLOSED」在文件中没有定义：与 Camunda 7、Flowable 一样，"
        "以「ENTERPRISE_CLOSED」作为错误代码（抛出与捕获都按这个代码匹配）"]
