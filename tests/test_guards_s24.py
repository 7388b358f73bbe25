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
# had more ancestors than engine/gateways.py listed from the task dict (``_MOST_TASKS``, 500, until
# 2026-12-07: tests/test_loops_s25.py).
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
    checks are in; the case stops at 复核结果 with every round counted, and each check's own variable
    is the last round's (engine/join_data.py walks up at any depth; before, past 500 ancestors it
    merged as raw SpiffWorkflow does and check_a's stayed at round 99's). Since 2026-12-07 the join has
    no bound and no fallback (engine/gateways.py ``_line``, ``_meet``): the loop goes on all the same."""
    rounds = 105
    assert rounds * 5 > 500  # split, a check, join, count, again a round: past the bound the join had until 2026-12-07
    engine.deploy(LOOPED_JOIN.encode("utf-8"), by="boss", filename="looped_join.bpmn")
    case = engine.start("looped_join", by="zhang", org="east", data={"rounds": rounds})
    view = engine.case(case.id)
    assert view.status == "running" and [t.spec_id for t in view.tasks] == ["review"]
    assert view.data["rounds_done"] == rounds
    assert (view.data["a_seen"], view.data["b_seen"]) == (rounds - 1, rounds - 1)
    assert engine.incidents() == []


def test_two_script_tasks_a_parallel_split_makes_ready_together_both_run(engine):
    """Kills ``workflow.xǁDubanWorkflowǁ_ready_to_run__mutmut_7`` (two READY engine tasks asked of the
    walk as ``get_tasks(state=None)``: a TypeError, the start an incident): one round of 并行复核循环,
    核查甲 and 核查乙 READY together after the split, both run in the start's step."""
    engine.deploy(LOOPED_JOIN.encode("utf-8"), by="boss", filename="looped_join.bpmn")
    case = engine.start("looped_join", by="zhang", org="east", data={"rounds": 1})
    view = engine.case(case.id)
    assert [t.spec_id for t in view.tasks] == ["review"]
    assert (view.data["a_seen"], view.data["b_seen"], view.data["rounds_done"]) == (0, 0, 1)

# 分头核查: a parallel split into 现场检查 (a person's task) and 资料审查 (an embedded sub-process with a
# person's task in it), joined before 汇总意见. While the sub-process runs the case has a sub-workflow, so
# the join's check takes its tasks from SpiffWorkflow's walk (engine/gateways.py ``_joined`` gives None).
SPLIT_WITH_SUBPROCESS = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS} id="d_split_sub">
  <bpmn:process id="split_with_subprocess" name="分头核查" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:parallelGateway id="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="site" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="papers" />
    <bpmn:userTask id="site" name="现场检查" />
    <bpmn:subProcess id="papers" name="资料审查">
      <bpmn:startEvent id="p_start" />
      <bpmn:sequenceFlow id="p1" sourceRef="p_start" targetRef="read" />
      <bpmn:userTask id="read" name="审查台账" />
      <bpmn:sequenceFlow id="p2" sourceRef="read" targetRef="p_end" />
      <bpmn:endEvent id="p_end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f4" sourceRef="site" targetRef="join" />
    <bpmn:sequenceFlow id="f5" sourceRef="papers" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="sum_up" />
    <bpmn:userTask id="sum_up" name="汇总意见" />
    <bpmn:sequenceFlow id="f7" sourceRef="sum_up" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_parallel_join_beside_a_running_sub_process_waits_for_it(engine):
    """Kills ``gateways.xǁParallelGatewayǁ_check_threshold_unstructured__mutmut_38`` (``any(parent is
    not my_task …)``: on the walk's path every join task counted as below the one updated, so each
    took away its nearest input whatever its state): 现场检查 done while 资料审查 still runs must not
    open 汇总意见; it opens once 审查台账 is done too."""
    engine.deploy(SPLIT_WITH_SUBPROCESS.encode("utf-8"), by="boss", filename="split_with_subprocess.bpmn")
    case = engine.start("split_with_subprocess", by="zhang", org="east")

    def open_tasks() -> list[str]:
        return sorted(t.spec_id for t in engine.case(case.id).tasks)

    assert open_tasks() == ["read", "site"]
    engine.complete(next(t for t in engine.case(case.id).tasks if t.spec_id == "site").id, "zhang", {})
    assert open_tasks() == ["read"]
    engine.complete(engine.case(case.id).tasks[0].id, "zhang", {})
    assert open_tasks() == ["sum_up"]
    engine.complete(engine.case(case.id).tasks[0].id, "zhang", {})
    assert engine.case(case.id).status == "completed"

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


# 整改完成转送 calls 通知整改完成, whose message end event throws 「整改完成」: the called process has ended
# and been pruned from the case (engine/state.py ``prune``) before its thrown message is delivered, so
# the throwing element is no longer in the case to be named.
CALLED_THROWER = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS} id="d_called_thrower">
  <bpmn:message id="M_done" name="整改完成" />
  <bpmn:process id="forward_by_call" name="整改完成转送" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="register" />
    <bpmn:userTask id="register" name="登记整改完成" />
    <bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="call" />
    <bpmn:callActivity id="call" name="通知整改完成" calledElement="notify_done" />
    <bpmn:sequenceFlow id="f3" sourceRef="call" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:process id="notify_done" name="通知整改完成" isExecutable="true">
    <bpmn:startEvent id="n_start" />
    <bpmn:sequenceFlow id="n1" sourceRef="n_start" targetRef="n_end" />
    <bpmn:endEvent id="n_end" name="发出整改完成"><bpmn:messageEventDefinition id="n_med" messageRef="M_done" /></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>"""


def _waiting_cases(engine, *hazard_numbers: str) -> list[str]:
    """Cases of message_catch waiting for 「整改完成」 (安全生产法第六十五条 责令限期整改): their 案号."""
    numbers = []
    for hazard_no in hazard_numbers:
        case = engine.start("message_catch", by="zhang", org="east", data={"hazard_no": hazard_no})
        engine.complete(engine.case(case.id).tasks[0].id, "zhang", {})
        numbers.append(engine.case(case.id).case_no)
    return numbers


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
    numbers = _waiting_cases(engine, "YH-2026-201", "YH-2026-202")
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


def test_a_message_a_called_process_threw_as_it_ended_names_the_called_process_and_event_safety_law_art65(forwarding):
    """Kills ``messages.x__ambiguous_throw__mutmut_8`` (the thrower's name asked of a spec that is not
    there: Python's AttributeError as the incident): the message end event of a called process that
    has ended is not in the case any more (pruned); the incident names it from the case's
    called-process specs — 「被调用流程「通知整改完成」的结束事件「发出整改完成」」, where it said
    「本案件抛出的」 before (issue 15); 登记整改完成 stays open, nothing is delivered."""
    from engine.errors import IncidentRaised

    engine = forwarding
    engine.deploy(CALLED_THROWER.encode("utf-8"), by="boss", filename="forward_by_call.bpmn")
    numbers = _waiting_cases(engine, "YH-2026-301", "YH-2026-302")
    case = engine.start("forward_by_call", by="zhang", org="east")
    with pytest.raises(IncidentRaised) as raised:
        engine.complete(engine.case(case.id).tasks[0].id, "zhang", {})
    assert raised.value.message == (
        f"被调用流程「通知整改完成」的结束事件「发出整改完成」抛出的消息「整改完成」匹配到 2 个等待中的案件"
        f"（「{numbers[0]}」、「{numbers[1]}」），"
        "一条消息只能送达一个案件，未送达；请流程设计员为该消息设置关联值以区分这些案件，或改用信号（送达全部等待的案件）")
    assert [t.spec_id for t in engine.case(case.id).tasks] == ["register"]


# --- the audit heads the worker keeps (engine/audit_seal.keep, dbbc0eb) -----------------------------

def test_the_worker_keeps_the_heads_after_a_verify_recorded_them_with_the_time_zone(database_url, audit_key):
    """Kills ``audit_seal.x_keep__mutmut_4`` (the worker's moment taken as ``datetime.now(None)``, local
    time without its offset): after ``duban audit verify`` recorded the heads (``record``: a moment in
    UTC with its offset) the worker's next keep compared a naive moment with it — a TypeError each
    cadence, the heads never kept again — and what it kept itself carried no offset."""
    from datetime import datetime

    from engine import audit_seal
    from tests.support import BPMN

    engine = make_engine(database_url)
    try:
        engine.deploy(BPMN / "approval.bpmn", by="boss")
        engine.start("approval", by="zhang", org="east", data={"hazard": "消防通道堵塞"})
        url = engine.db.url
        with engine.db.read() as s:
            audit_seal.record(url, audit_seal.current_heads(s))  # as duban audit verify keeps them
        assert audit_seal.keep(engine.db, url) == "recent"
        assert audit_seal.keep(engine.db, url, every_seconds=0.001) == "same"
        engine.complete(engine.queue("zhang")[0].id, "zhang", {"location": "仓库"})
        assert audit_seal.keep(engine.db, url, every_seconds=0.001) == "kept"
        assert datetime.fromisoformat(audit_seal.last_verified(url)[0]).utcoffset() is not None
    finally:
        engine.dispose()


from tests.test_security_session_review8 import audit_key  # noqa: E402,F401 - the fixture: key and heads file
