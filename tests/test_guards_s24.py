"""Guard tests written to kill surviving mutants of what changed in the step pipeline since
4 December (docs/mutation.md, "What changed since 4 December"; issue 15). Each test names the
mutant it kills and passes on main; real BPMN, real SQLite files and PostgreSQL databases.
"""
from __future__ import annotations

import pytest

from tests.support import make_engine

_NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="http://duban.local/test"'

# 并行复核循环: a parallel split into two script checks, joined, counted, and back to the split until
# the count reaches ``rounds`` — all engine tasks, so the whole loop runs inside the start's step.
# Each round adds its tasks below the last one in SpiffWorkflow's tree, so the join of a late round
# has more ancestors than engine/gateways.py lists from the task dict (``_MOST_TASKS``, 500).
LOOPED_JOIN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS} id="d_looped_join">
  <bpmn:process id="looped_join" name="并行复核循环" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="count_init" />
    <bpmn:scriptTask id="count_init" name="计数清零" scriptFormat="python"><bpmn:script>rounds_done = 0</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="count_init" targetRef="split" />
    <bpmn:parallelGateway id="split" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="check_a" />
    <bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="check_b" />
    <bpmn:scriptTask id="check_a" name="核查甲" scriptFormat="python"><bpmn:script>a_seen = rounds_done</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="check_b" name="核查乙" scriptFormat="python"><bpmn:script>b_seen = rounds_done</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f5" sourceRef="check_a" targetRef="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="check_b" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="count" />
    <bpmn:scriptTask id="count" name="计数" scriptFormat="python"><bpmn:script>rounds_done = rounds_done + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f8" sourceRef="count" targetRef="again" />
    <bpmn:exclusiveGateway id="again" default="f_back" />
    <bpmn:sequenceFlow id="f_back" sourceRef="again" targetRef="split" />
    <bpmn:sequenceFlow id="f_out" sourceRef="again" targetRef="review"><bpmn:conditionExpression>rounds_done &gt;= rounds</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:userTask id="review" name="复核结果" />
    <bpmn:sequenceFlow id="f9" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def engine(database_url):
    e = make_engine(database_url)
    yield e
    e.dispose()


def test_a_parallel_join_a_long_loop_reaches_past_the_task_dicts_bound_still_joins(engine):
    """Kills ``gateways.xǁParallelGatewayǁ_check_threshold_unstructured__mutmut_9``: past
    ``_MOST_TASKS`` ancestors the join asks SpiffWorkflow's own check, and must ask it for the task
    being updated (the mutant asks it for None: an incident in a late round of a long loop). 105
    rounds of a split, two checks and a join, in the start's step, each round's join fired once both
    checks are in; the case stops at 复核结果 with every round counted. (Past the same bound the join's
    data is merged as raw SpiffWorkflow merges it, engine/join_data.py ``_DEEPEST``: check_a's own
    variable goes back to its value before the fork — not pinned here, said in docs/mutation.md.)"""
    from engine import gateways

    rounds = 105
    assert rounds * 5 > gateways._MOST_TASKS  # split, a check, join, count, again a round: past the bound
    engine.deploy(LOOPED_JOIN.encode("utf-8"), by="boss", filename="looped_join.bpmn")
    case = engine.start("looped_join", by="zhang", org="east", data={"rounds": rounds})
    view = engine.case(case.id)
    assert view.status == "running" and [t.spec_id for t in view.tasks] == ["review"]
    assert view.data["rounds_done"] == rounds
    assert engine.incidents() == []


# --- a thrown message matching two waiting steps or two cases: the incident's whole sentence --------
# engine/messages.py ``_ambiguous_throw``; tests/bpmn/camunda7_reply_forwarder.bpmn (Camunda Modeler 5.28)
# throws 「企业书面回复」 (行政处罚法第六十四条: 整改回复 and 听证意见 wait for it) or 「整改完成」 (安全生产法
# 第六十五条: two cases under 责令限期整改 wait for it). test_one_rule_s23 checks the parts of the text;
# here the sentence an official reads, whole: separators and the designer's fix included.

@pytest.fixture
def forwarding(engine):
    from tests.support import BPMN

    for model in ("camunda7_reply_forwarder.bpmn", "interop/camunda7_parallel_receive_same_message.bpmn",
                  "interop/message_catch.bpmn"):
        engine.deploy(BPMN / model, by="boss")
    return engine


def _forwarded(engine, document: str) -> str:
    from engine.errors import IncidentRaised

    case = engine.start("camunda7_reply_forwarder", by="zhang", org="east", data={"document": document})
    with pytest.raises(IncidentRaised) as raised:
        engine.complete(engine.case(case.id).tasks[0].id, "zhang", {})
    return raised.value.message


def test_a_thrown_message_two_cases_wait_for_is_said_whole_safety_law_art65(forwarding):
    """Kills ``messages.x__ambiguous_throw__mutmut_23`` (the 案号 joined by 「XX、XX」) and ``_25``
    (the designer's fix misspelt): the sentence as the incident page shows it."""
    engine = forwarding
    numbers = []
    for hazard_no in ("YH-2026-201", "YH-2026-202"):
        case = engine.start("message_catch", by="zhang", org="east", data={"hazard_no": hazard_no})
        engine.complete(engine.case(case.id).tasks[0].id, "zhang", {})
        numbers.append(engine.case(case.id).case_no)
    assert _forwarded(engine, "done") == (
        f"「转送整改完成」抛出的消息「整改完成」匹配到 2 个等待中的案件（「{numbers[0]}」、「{numbers[1]}」），"
        "一条消息只能送达一个案件，未送达；请流程设计员为该消息设置关联值以区分这些案件，或改用信号（送达全部等待的案件）")


def test_a_thrown_message_two_steps_of_one_case_wait_for_is_said_whole_penalty_law_art64(forwarding):
    """Kills ``messages.x__ambiguous_throw__mutmut_29`` and ``_31`` (the two-steps sentence and its fix
    misspelt): the sentence as the incident page shows it."""
    engine = forwarding
    receiver = engine.start("camunda7_parallel_receive_same_message", by="zhang", org="east").id
    case_no = engine.case(receiver).case_no
    said = [(f"「转送企业书面回复」抛出的消息「企业书面回复」在案件「{case_no}」中匹配到 2 个等待中的环节"
             f"（{steps}），一条消息只能送达其中一个，未送达；"
             "请流程设计员为这些环节设置不同的消息，或改用信号（送达全部等待的环节）")
            for steps in ("「等待整改回复」、「等待听证意见」", "「等待听证意见」、「等待整改回复」")]  # in the case's order
    assert _forwarded(engine, "reply") in said
