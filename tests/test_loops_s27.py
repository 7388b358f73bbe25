"""Loops of engine tasks beside a person's open task run to their end (支路上的自动循环), and every timer
fired inside a long loop is audited once, on a real SQLite file and real PostgreSQL, with models
drawn as Camunda Modeler 5 saves them.

- A loop of script tasks and gateways on a parallel branch while 企业整改 waits on the other, on a
  non-interrupting boundary event's path while the activity it is attached to is open, or in an
  event sub-process while the flow waits: its rounds grew below the fork (the boundary split, the
  event sub-process's start), which the cut of finished rounds (engine/workflow.py ``_trim``, only
  the chain above every open task) never reached, so the step stopped at SpiffWorkflow's walk depth,
  ~200 rounds in (「流程在一步之内自动执行的环节过多」, an incident, the case not started or not moved).
  Each branch's finished rounds are now cut as the chain's are (engine/branch_trim.py).
- A loop with no way out beside an open task still stops at once, in Chinese, naming its elements.
- A timer that fires inside a long loop (a 「稍候」 PT0S catch each round) was audited only if its
  task was still in the tree when the step saved: of 499 fired, 31 were in the case's audit trail.
  Every fired timer is now audited once (engine/projection.fired_timers reads the tasks cut in the
  step too), and the audit chain verifies.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine import workflow as engine_workflow
from engine.errors import IncidentRaised
from SpiffWorkflow.util.task import TaskState

from engine.schema import AuditEvent, TaskRow
from tests.interop_support import open_task_data, user_for
from tests.support import make_engine, thread_cpu

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_{key}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.19.0" modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.20.0">
  <bpmn:process id="{key}" name="{name}" isExecutable="true" camunda:historyTimeToLive="180">
"""
_TAIL = """  </bpmn:process>
  <bpmn:message id="Message_urge" name="催办"/>
</bpmn:definitions>
"""
# 逐页通知: a loop of two engine elements, ``pages`` rounds (读取下一页 counts, 还有下一页？ goes back).
_LOOP = """    <bpmn:scriptTask id="Activity_page" name="读取下一页" scriptFormat="python">
      <bpmn:incoming>{into}</bpmn:incoming><bpmn:incoming>Flow_again</bpmn:incoming><bpmn:outgoing>Flow_p1</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="Gateway_more" name="还有下一页？" default="Flow_again">
      <bpmn:incoming>Flow_p1</bpmn:incoming><bpmn:outgoing>Flow_again</bpmn:outgoing><bpmn:outgoing>Flow_done</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_p1" sourceRef="Activity_page" targetRef="Gateway_more"/>
    <bpmn:sequenceFlow id="Flow_again" sourceRef="Gateway_more" targetRef="Activity_page"/>
    <bpmn:sequenceFlow id="Flow_done" sourceRef="Gateway_more" targetRef="{out}">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">page_no &gt;= pages</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
"""
_COUNT = "page_no = page_no + 1"

# 并行核对: 企业整改 (a person's task) on one branch, the loop on the other; 复核结果 after the join.
PARALLEL = _HEAD + """    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="Gateway_fork" name="分头办理"><bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_a</bpmn:outgoing><bpmn:outgoing>Flow_b</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="Activity_fix" name="企业整改" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_a</bpmn:incoming><bpmn:outgoing>Flow_a2</bpmn:outgoing></bpmn:userTask>
    <bpmn:parallelGateway id="Gateway_join" name="汇总"><bpmn:incoming>Flow_a2</bpmn:incoming><bpmn:incoming>Flow_done</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="Activity_review" name="复核结果" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_3</bpmn:incoming><bpmn:outgoing>Flow_4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="Event_end"><bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Gateway_fork"/>
    <bpmn:sequenceFlow id="Flow_a" sourceRef="Gateway_fork" targetRef="Activity_fix"/>
    <bpmn:sequenceFlow id="Flow_b" sourceRef="Gateway_fork" targetRef="Activity_page"/>
    <bpmn:sequenceFlow id="Flow_a2" sourceRef="Activity_fix" targetRef="Gateway_join"/>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Gateway_join" targetRef="Activity_review"/>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Activity_review" targetRef="Event_end"/>
""" + _LOOP.format(into="Flow_b", out="Gateway_join", script="{script}") + _TAIL

# 整改催办: 企业整改 with a non-interrupting 催办 message boundary event whose path runs the loop.
BOUNDARY = _HEAD + """    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_fix" name="企业整改" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="Event_urge" name="收到催办" cancelActivity="false" attachedToRef="Activity_fix">
      <bpmn:outgoing>Flow_b</bpmn:outgoing><bpmn:messageEventDefinition id="M1" messageRef="Message_urge"/>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="Event_pend"><bpmn:incoming>Flow_done</bpmn:incoming></bpmn:endEvent>
    <bpmn:userTask id="Activity_review" name="复核结果" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="Event_end"><bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_fix"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_fix" targetRef="Activity_review"/>
    <bpmn:sequenceFlow id="Flow_b" sourceRef="Event_urge" targetRef="Activity_page"/>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Activity_review" targetRef="Event_end"/>
""" + _LOOP.format(into="Flow_b", out="Event_pend", script=_COUNT) + _TAIL

# 催办逐页通知: the flow waits at 企业整改; a non-interrupting 催办 message event sub-process opens 电话催办
# (a person's task) and runs the loop beside it. (The loop alone in the event sub-process, nothing
# open in it, ran past 200 rounds before: its line is the whole of its workflow, cut as a chain.)
EVENT_SUBPROCESS = _HEAD + """    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_fix" name="企业整改" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="Activity_review" name="复核结果" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="Event_end"><bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_fix"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_fix" targetRef="Activity_review"/>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Activity_review" targetRef="Event_end"/>
    <bpmn:subProcess id="Activity_esp" name="逐页通知" triggeredByEvent="true">
      <bpmn:startEvent id="Event_urge" name="收到催办" isInterrupting="false">
        <bpmn:outgoing>Flow_s</bpmn:outgoing><bpmn:messageEventDefinition id="M1" messageRef="Message_urge"/>
      </bpmn:startEvent>
      <bpmn:parallelGateway id="Gateway_efork"><bpmn:incoming>Flow_s</bpmn:incoming><bpmn:outgoing>Flow_c</bpmn:outgoing><bpmn:outgoing>Flow_b</bpmn:outgoing></bpmn:parallelGateway>
      <bpmn:userTask id="Activity_call" name="电话催办" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_c</bpmn:incoming><bpmn:outgoing>Flow_c2</bpmn:outgoing></bpmn:userTask>
      <bpmn:parallelGateway id="Gateway_ejoin"><bpmn:incoming>Flow_c2</bpmn:incoming><bpmn:incoming>Flow_done</bpmn:incoming><bpmn:outgoing>Flow_e</bpmn:outgoing></bpmn:parallelGateway>
      <bpmn:endEvent id="Event_pend"><bpmn:incoming>Flow_e</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="Flow_s" sourceRef="Event_urge" targetRef="Gateway_efork"/>
      <bpmn:sequenceFlow id="Flow_c" sourceRef="Gateway_efork" targetRef="Activity_call"/>
      <bpmn:sequenceFlow id="Flow_b" sourceRef="Gateway_efork" targetRef="Activity_page"/>
      <bpmn:sequenceFlow id="Flow_c2" sourceRef="Activity_call" targetRef="Gateway_ejoin"/>
      <bpmn:sequenceFlow id="Flow_e" sourceRef="Gateway_ejoin" targetRef="Event_pend"/>
""" + _LOOP.format(into="Flow_b", out="Gateway_ejoin", script=_COUNT).replace("    <", "      <") + """    </bpmn:subProcess>
""" + _TAIL

# 定时分页: a loop whose every round waits PT0S at 「稍候」 (a timer catch already due when reached).
TIMED = _HEAD + """    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="Activity_page" name="读取下一页" scriptFormat="python">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:incoming>Flow_w</bpmn:incoming><bpmn:outgoing>Flow_p1</bpmn:outgoing>
      <bpmn:script>page_no = page_no + 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="Gateway_more" name="还有下一页？" default="Flow_again">
      <bpmn:incoming>Flow_p1</bpmn:incoming><bpmn:outgoing>Flow_again</bpmn:outgoing><bpmn:outgoing>Flow_done</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:intermediateCatchEvent id="Event_wait" name="稍候">
      <bpmn:incoming>Flow_again</bpmn:incoming><bpmn:outgoing>Flow_w</bpmn:outgoing>
      <bpmn:timerEventDefinition id="T1"><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT0S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="Activity_review" name="复核结果" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_done</bpmn:incoming><bpmn:outgoing>Flow_4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="Event_end"><bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_page"/>
    <bpmn:sequenceFlow id="Flow_p1" sourceRef="Activity_page" targetRef="Gateway_more"/>
    <bpmn:sequenceFlow id="Flow_again" sourceRef="Gateway_more" targetRef="Event_wait"/>
    <bpmn:sequenceFlow id="Flow_w" sourceRef="Event_wait" targetRef="Activity_page"/>
    <bpmn:sequenceFlow id="Flow_done" sourceRef="Gateway_more" targetRef="Activity_review">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">page_no &gt;= pages</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
""" + _TAIL


def model(template: str, key: str, name: str, script: str = _COUNT) -> bytes:
    xml = template.replace("{key}", key).replace("{name}", name).replace("{script}", script)
    xml = xml.replace('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"',
                      'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
                      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"', 1)
    return xml.encode("utf-8")


def deploy_start(engine, template: str, key: str, name: str, data: dict, script: str = _COUNT) -> int:
    engine.deploy(model(template, key, name, script), by="boss", filename=f"{key}.bpmn")
    return engine.start(key, by="zhang", org="east", data=data).id


def complete(engine, case_id: int, element: str) -> None:
    (task,) = [t for t in engine.case(case_id).tasks if t.spec_id == element]
    engine.complete(task.id, user_for(engine, task), {})


def history(engine, case_id: int, element: str) -> int:
    """How many tasks of ``element`` the case completed (live or saved as history)."""
    with engine.db.read() as s:
        return s.execute(sa.select(sa.func.count()).select_from(TaskRow).where(
            TaskRow.case_id == case_id, TaskRow.spec_name == element,
            TaskRow.state == int(TaskState.COMPLETED))).scalar_one()


def open_elements(engine, case_id: int) -> list[str]:
    return sorted(t.spec_id for t in engine.case(case_id).tasks)


def test_a_loop_on_a_parallel_branch_beside_an_open_persons_task_runs_1000_rounds_in_one_step(database_url):
    """Before: 「流程在一步之内自动执行的环节过多（停在「还有下一页？」）」 at the start, ~200 rounds in."""
    engine = make_engine(database_url)
    try:
        case_id = deploy_start(engine, PARALLEL, "branch_loop", "并行核对", {"pages": 1000, "page_no": 0})
        assert open_elements(engine, case_id) == ["Activity_fix"]
        assert engine.case(case_id).data["page_no"] == 1000
        assert history(engine, case_id, "Activity_page") == 1000  # every round in the case's history
        complete(engine, case_id, "Activity_fix")
        assert open_elements(engine, case_id) == ["Activity_review"]
        assert open_task_data(engine, case_id, "Activity_review")["page_no"] == 1000
        assert engine.incidents() == []
    finally:
        engine.dispose()


def test_a_loop_on_a_non_interrupting_boundary_events_path_runs_1000_rounds_while_the_activity_is_open(database_url):
    """催办 caught while 企业整改 is open: its path pages through 1,000 rounds, 企业整改 stays open, and
    复核结果 reads the path's count (BPMN 2.0 §10.5.4: the path writes the process's variables).
    Before: the incident at ~200 rounds, the message refused."""
    engine = make_engine(database_url)
    try:
        case_id = deploy_start(engine, BOUNDARY, "boundary_loop", "整改催办", {"pages": 1000, "page_no": 0})
        engine.correlate_message("催办", by="zhang", case_id=case_id)
        assert open_elements(engine, case_id) == ["Activity_fix"]
        assert engine.case(case_id).data["page_no"] == 1000
        assert history(engine, case_id, "Activity_page") == 1000
        complete(engine, case_id, "Activity_fix")
        assert open_task_data(engine, case_id, "Activity_review")["page_no"] == 1000
        assert engine.incidents() == []
    finally:
        engine.dispose()


def test_a_loop_in_an_event_subprocess_beside_its_persons_task_runs_1000_rounds_while_the_flow_waits(database_url):
    """Before: the incident at ~200 rounds, the message refused."""
    engine = make_engine(database_url)
    try:
        case_id = deploy_start(engine, EVENT_SUBPROCESS, "esp_loop", "催办逐页通知", {"pages": 1000, "page_no": 0})
        engine.correlate_message("催办", by="zhang", case_id=case_id)
        assert open_elements(engine, case_id) == ["Activity_call", "Activity_fix"]
        assert engine.case(case_id).data["page_no"] == 1000
        assert history(engine, case_id, "Activity_page") == 1000
        complete(engine, case_id, "Activity_fix")
        assert open_task_data(engine, case_id, "Activity_review")["page_no"] == 1000
        complete(engine, case_id, "Activity_call")
        assert open_elements(engine, case_id) == ["Activity_review"]
        assert engine.incidents() == []
    finally:
        engine.dispose()


def test_a_round_beside_an_open_task_costs_the_same_at_1000_rounds_as_at_200(sqlite_url):
    """Thread CPU of the start's step a round, 200 rounds against 1,000 (about the same after; before,
    1,000 did not run). SQLite only: the engine's work, not the database's."""
    engine = make_engine(sqlite_url)
    try:
        deploy_start(engine, PARALLEL, "branch_cost", "并行核对", {"pages": 5, "page_no": 0})  # caches warm
        cost = {}
        for rounds in (200, 1000):
            with thread_cpu() as spent:
                engine.start("branch_cost", by="zhang", org="east", data={"pages": rounds, "page_no": 0})
            cost[rounds] = spent.seconds / rounds
        assert cost[1000] < 2 * cost[200], cost
    finally:
        engine.dispose()


def test_a_loop_with_no_way_out_beside_an_open_task_stops_at_once_naming_its_elements(sqlite_url):
    """读取下一页 never moves on (page_no = 1 each round): the same state comes back, an incident naming
    「读取下一页」→「还有下一页？」 within a second (before: the walk's depth, naming one element)."""
    engine = make_engine(sqlite_url)
    try:
        engine.deploy(model(PARALLEL, "branch_endless", "并行核对", "page_no = 1"), by="boss",
                      filename="branch_endless.bpmn")
        with thread_cpu() as spent, pytest.raises(IncidentRaised) as raised:
            engine.start("branch_endless", by="zhang", org="east", data={"pages": 10})
        message = raised.value.message
        assert "循环「读取下一页」→「还有下一页？」回到了同样的状态" in message, message
        assert "没有出口的循环" in message
        assert spent.seconds < 2, spent.seconds
        assert engine.cases() == []
    finally:
        engine.dispose()


def test_a_loop_that_never_ends_beside_an_open_task_stops_at_the_bound_naming_its_elements(sqlite_url, monkeypatch):
    """读取下一页 counts on for a thousand million pages: the bound on one step's engine tasks
    stops it (lowered to 3,000 here; 100,000 in use) with the loop named (before: the walk's depth)."""
    monkeypatch.setattr(engine_workflow, "MOST_TASKS_A_STEP", 3_000)
    engine = make_engine(sqlite_url)
    try:
        engine.deploy(model(PARALLEL, "branch_forever", "并行核对"), by="boss", filename="branch_forever.bpmn")
        with pytest.raises(IncidentRaised) as raised:
            engine.start("branch_forever", by="zhang", org="east", data={"pages": 10**9, "page_no": 0})
        message = raised.value.message
        assert "流程在一步之内自动执行的环节过多（超过3,000个）" in message, message
        assert "循环「读取下一页」→「还有下一页？」一直没有走出" in message
        assert engine.cases() == []
    finally:
        engine.dispose()


def test_every_timer_fired_inside_a_500_round_loop_is_audited_once_and_the_chain_verifies(database_url):
    """稍候 (PT0S) fires 499 times in the start's step. Before: 31 timer_fired events (only the timers
    still in the tree at the save); the rest cut with their rounds, unaudited."""
    engine = make_engine(database_url)
    try:
        case_id = deploy_start(engine, TIMED, "timed_loop", "定时分页", {"pages": 500, "page_no": 0})
        assert open_elements(engine, case_id) == ["Activity_review"]
        assert engine.case(case_id).data["page_no"] == 500
        with engine.db.read() as s:
            fired = s.execute(sa.select(AuditEvent.task_id).where(
                AuditEvent.case_id == case_id, AuditEvent.action == "timer_fired")).scalars().all()
        assert len(fired) == 499 and len(set(fired)) == 499
        assert history(engine, case_id, "Event_wait") == 499
        assert engine.verify_audit() is None
    finally:
        engine.dispose()
