"""Loops of engine tasks alone run any number of rounds in one step (自动循环), on a real SQLite file
and real PostgreSQL, with real BPMN.

- A 复查 loop of script tasks and gateways (no person's task between rounds: a retry counter, a
  list paged through) added each round's tasks below the last one's, and nothing was cut until the
  step saved: SpiffWorkflow's walk stops 1,000 tasks deep, so the step stopped after ~200 rounds
  with ``Unrested`` (「流程在一步之内自动执行的环节过多」), and each round cost more than the one before
  (372 rounds a second at 50 rounds, 241 at 100, 79 at 190, thread CPU, SQLite, load 5). Now the
  finished rounds are cut every 200 tasks while the step runs (engine/workflow.py ``_trim``) and
  saved as history with the step: 589 / 655 / 595 rounds a second at 100 / 1,000 / 5,000 rounds.
- A loop with no way out still stops, in Chinese, naming the loop's elements: at once when a round
  comes back to the same state (its counter does not count), else past ``MOST_TASKS_A_STEP``
  (100,000 engine tasks in one step; see engine/workflow.EndlessLoop for why that figure).
- A parallel or inclusive join inside a loop whose branches come in in another order from one round
  to the next (a branch that takes an error boundary event's way in odd rounds; the other branch
  longer in even ones): the join's task cancelled at an earlier round counted as a branch come in,
  so the join fired on its first branch, then again on its second, the first firing's round undone
  and what 现场核查 recorded in the even rounds lost (engine/gateways.py ``_of_a_turn_before``).
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine import workflow as engine_workflow
from engine.errors import IncidentRaised
from engine.schema import TaskRow
from tests.support import make_engine, thread_cpu
from tests.test_loops_s25 import expected, loop_model

# 核查循环: 现场核查 (an embedded sub-process) throws 核查受阻 in odd rounds, caught by an error boundary
# event (受阻登记 records -round); 核查乙 takes eight more steps (乙补充) in even rounds. So the branch
# that comes in last changes every round.
JOIN_LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://duban.local/test">
  <bpmn:error id="blocked" name="核查受阻" errorCode="BLOCKED" />
  <bpmn:process id="{key}" name="{name}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="init" />
    <bpmn:scriptTask id="init" name="清零" scriptFormat="python"><bpmn:script>rounds_done = 0
joined = 0
a_log = []
b_log = []
hist = []</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="init" targetRef="loop_merge" />
    <bpmn:exclusiveGateway id="loop_merge" name="进入本轮" />
    <bpmn:sequenceFlow id="f2b" sourceRef="loop_merge" targetRef="fork" />
    <bpmn:{GW} id="fork" name="分头核查" />
    <bpmn:sequenceFlow id="fa" sourceRef="fork" targetRef="sub" />
    <bpmn:sequenceFlow id="fb" sourceRef="fork" targetRef="check_b" />
    <bpmn:subProcess id="sub" name="现场核查">
      <bpmn:startEvent id="s_start" />
      <bpmn:sequenceFlow id="s1" sourceRef="s_start" targetRef="check_a" />
      <bpmn:scriptTask id="check_a" name="核查甲" scriptFormat="python"><bpmn:script>a_log = a_log + [rounds_done]</bpmn:script></bpmn:scriptTask>
      <bpmn:sequenceFlow id="s2" sourceRef="check_a" targetRef="s_gw" />
      <bpmn:exclusiveGateway id="s_gw" name="是否受阻" default="s_ok" />
      <bpmn:sequenceFlow id="s_ok" sourceRef="s_gw" targetRef="s_end" />
      <bpmn:sequenceFlow id="s_bad" sourceRef="s_gw" targetRef="s_err"><bpmn:conditionExpression>rounds_done % 2 == 1</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:endEvent id="s_end" />
      <bpmn:endEvent id="s_err" name="受阻"><bpmn:errorEventDefinition errorRef="blocked" /></bpmn:endEvent>
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="caught" name="核查受阻" attachedToRef="sub"><bpmn:errorEventDefinition errorRef="blocked" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="fc" sourceRef="caught" targetRef="note" />
    <bpmn:scriptTask id="note" name="受阻登记" scriptFormat="python"><bpmn:script>a_log = a_log + [-rounds_done]</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="fn" sourceRef="note" targetRef="merge" />
    <bpmn:sequenceFlow id="fs" sourceRef="sub" targetRef="merge" />
    <bpmn:exclusiveGateway id="merge" name="核查甲完成" />
    <bpmn:sequenceFlow id="fm" sourceRef="merge" targetRef="join" />
    <bpmn:scriptTask id="check_b" name="核查乙" scriptFormat="python"><bpmn:script>b_log = b_log + [rounds_done]</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="fb2" sourceRef="check_b" targetRef="b_gw" />
    <bpmn:exclusiveGateway id="b_gw" name="乙是否补充" default="fb_short" />
    <bpmn:sequenceFlow id="fb_short" sourceRef="b_gw" targetRef="b_merge" />
    <bpmn:sequenceFlow id="fb_long" sourceRef="b_gw" targetRef="b1"><bpmn:conditionExpression>rounds_done % 2 == 0</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:scriptTask id="b1" name="乙补充1" scriptFormat="python"><bpmn:script>b_extra = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="fbx1" sourceRef="b1" targetRef="b2" />
    <bpmn:scriptTask id="b2" name="乙补充2" scriptFormat="python"><bpmn:script>b_extra = 2</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="fbx2" sourceRef="b2" targetRef="b3" />
    <bpmn:scriptTask id="b3" name="乙补充3" scriptFormat="python"><bpmn:script>b_extra = 3</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="fbx3" sourceRef="b3" targetRef="b4" />
    <bpmn:scriptTask id="b4" name="乙补充4" scriptFormat="python"><bpmn:script>b_extra = 4</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="fbx4" sourceRef="b4" targetRef="b5" />
    <bpmn:scriptTask id="b5" name="乙补充5" scriptFormat="python"><bpmn:script>b_extra = 5</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="fbx5" sourceRef="b5" targetRef="b6" />
    <bpmn:scriptTask id="b6" name="乙补充6" scriptFormat="python"><bpmn:script>b_extra = 6</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="fbx6" sourceRef="b6" targetRef="b7" />
    <bpmn:scriptTask id="b7" name="乙补充7" scriptFormat="python"><bpmn:script>b_extra = 7</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="fbx7" sourceRef="b7" targetRef="b8" />
    <bpmn:scriptTask id="b8" name="乙补充8" scriptFormat="python"><bpmn:script>b_extra = 8</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="fbx8" sourceRef="b8" targetRef="b_merge" />
    <bpmn:exclusiveGateway id="b_merge" name="乙完成" />
    <bpmn:sequenceFlow id="fbm" sourceRef="b_merge" targetRef="join" />
    <bpmn:{GW} id="join" name="汇总核查" />
    <bpmn:sequenceFlow id="f3" sourceRef="join" targetRef="count" />
    <bpmn:scriptTask id="count" name="计数" scriptFormat="python"><bpmn:script>hist = hist + [str(a_log)]
joined = joined + 1
rounds_done = rounds_done + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f4" sourceRef="count" targetRef="again" />
    <bpmn:exclusiveGateway id="again" name="是否继续" default="f_back" />
    <bpmn:sequenceFlow id="f_back" sourceRef="again" targetRef="loop_merge" />
    <bpmn:sequenceFlow id="f_out" sourceRef="again" targetRef="review"><bpmn:conditionExpression>rounds_done &gt;= rounds</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:userTask id="review" name="复核结果" />
    <bpmn:sequenceFlow id="f9" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""


def join_loop(gateway: str) -> tuple[str, bytes]:
    key = f"join_turns_{gateway}"
    name = "并行核查循环" if gateway == "parallel" else "包容核查循环"
    return key, JOIN_LOOP.format(key=key, name=name, GW=f"{gateway}Gateway").encode("utf-8")


def history(engine, case_id: int, spec_name: str) -> int:
    with engine.db.read() as s:
        return s.execute(sa.select(sa.func.count()).select_from(TaskRow)
                         .where(TaskRow.case_id == case_id, TaskRow.spec_name == spec_name)).scalar_one()


@pytest.mark.parametrize("kind, rounds", [("parallel", 400), ("inclusive", 250), ("subprocess", 400)])
def test_an_automatic_loop_runs_past_200_rounds_in_one_step(database_url, kind, rounds):
    """Before: an incident after ~200 rounds (「流程在一步之内自动执行的环节过多」). Every round's 计数 is
    in the case's history (the rows cut while the step ran are saved with it)."""
    key, xml = loop_model(kind, waits=False)
    engine = make_engine(database_url)
    try:
        engine.deploy(xml, by="boss", filename=f"{key}.bpmn")
        case = engine.start(key, by="zhang", org="east", data={"rounds": rounds})
        view = engine.case(case.id)
        assert [t.spec_id for t in view.tasks] == ["review"]
        assert view.data["rounds_done"] == rounds
        assert {k: view.data.get(k) for k in expected(kind, rounds)} == expected(kind, rounds)
        assert history(engine, case.id, "count") == rounds
        assert engine.incidents() == []
    finally:
        engine.dispose()


def test_a_round_costs_the_same_at_500_rounds_as_at_100(sqlite_url):
    """Thread CPU of the start's step a round: 100 rounds against 500 (about 1.7 ms a round at both after;
    before, 500 rounds did not run: the walk's depth). SQLite only: the engine's work, not the
    database's."""
    key, xml = loop_model("parallel", waits=False)
    engine = make_engine(sqlite_url)
    try:
        engine.deploy(xml, by="boss", filename=f"{key}.bpmn")
        engine.start(key, by="zhang", org="east", data={"rounds": 5})  # caches warm
        cost = {}
        for rounds in (100, 500):
            with thread_cpu() as spent:
                engine.start(key, by="zhang", org="east", data={"rounds": rounds})
            cost[rounds] = spent.seconds / rounds
        assert cost[500] < 2 * cost[100], cost
    finally:
        engine.dispose()


ENDLESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d_endless" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="endless_paging" name="分页核对企业名单" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="page" />
    <bpmn:scriptTask id="page" name="读取下一页" scriptFormat="python"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="page" targetRef="more" />
    <bpmn:exclusiveGateway id="more" name="还有下一页？" default="f_again" />
    <bpmn:sequenceFlow id="f_again" sourceRef="more" targetRef="page" />
    <bpmn:sequenceFlow id="f_done" sourceRef="more" targetRef="review"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">page_no &lt; 0</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:userTask id="review" name="核对结果" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_loop_that_comes_back_to_the_same_state_stops_at_once_naming_its_elements(sqlite_url):
    """读取下一页 never moves on (page_no = 1 each round): the loop is back where it was after a few
    hundred tasks, an incident naming 「读取下一页」→「还有下一页？」 in well under a second (before: the
    walk's depth, ~1 s, naming one element)."""
    engine = make_engine(sqlite_url)
    try:
        engine.deploy(ENDLESS.format(script="page_no = 1").encode("utf-8"), by="boss", filename="endless.bpmn")
        with thread_cpu() as spent, pytest.raises(IncidentRaised) as raised:
            engine.start("endless_paging", by="zhang", org="east")
        message = raised.value.message
        assert "流程在一步之内自动执行的环节过多" in message and "没有出口的循环" in message
        assert "循环「读取下一页」→「还有下一页？」回到了同样的状态" in message, message
        assert spent.seconds < 2, spent.seconds
        assert engine.cases() == []
    finally:
        engine.dispose()


def test_a_loop_that_never_ends_stops_at_the_bound_on_a_step_naming_its_elements(sqlite_url, monkeypatch):
    """读取下一页 counts on for ever (page_no grows, the exit wants it below 0): no state comes back, so
    the bound on the engine tasks of one step stops it. The bound lowered to 3,000 here (100,000 runs
    ~30 s: the figure is the setting's, the mechanism the same)."""
    monkeypatch.setattr(engine_workflow, "MOST_TASKS_A_STEP", 3_000)
    engine = make_engine(sqlite_url)
    try:
        engine.deploy(ENDLESS.format(script="page_no = page_no + 1").encode("utf-8"), by="boss",
                      filename="endless.bpmn")
        with pytest.raises(IncidentRaised) as raised:
            engine.start("endless_paging", by="zhang", org="east", data={"page_no": 0})
        message = raised.value.message
        assert "流程在一步之内自动执行的环节过多（超过3,000个）" in message, message
        assert "循环「读取下一页」→「还有下一页？」一直没有走出" in message and "没有出口的循环" in message
        assert engine.cases() == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("gateway", ["parallel", "inclusive"])
def test_a_join_in_a_loop_fires_once_a_round_whichever_branch_comes_in_last(database_url, gateway):
    """Six rounds in one step: 现场核查 records +round in even rounds, 受阻登记 -round in odd ones; after
    each join 计数 keeps what the join passed on. Before: the even rounds' records were lost after
    round 0 ([0, -1, -3, 4, …]): the join fired on 核查乙 alone, counting the turn before's cancelled
    task as 现场核查 come in."""
    key, xml = join_loop(gateway)
    engine = make_engine(database_url)
    try:
        engine.deploy(xml, by="boss", filename=f"{key}.bpmn")
        case = engine.start(key, by="zhang", org="east", data={"rounds": 6})
        data = engine.case(case.id).data
        assert data["a_log"] == [0, -1, 2, -3, 4, -5]
        assert data["b_log"] == [0, 1, 2, 3, 4, 5]
        assert data["hist"] == [str([0, -1, 2, -3, 4, -5][:n]) for n in range(1, 7)]
        assert data["joined"] == 6 and history(engine, case.id, "count") == 6
        assert engine.incidents() == []
    finally:
        engine.dispose()
