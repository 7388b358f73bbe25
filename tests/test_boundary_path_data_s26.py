"""What the path of a non-interrupting boundary event writes is the process's (非中断边界事件路径写入流程变量),
on a real SQLite file and real PostgreSQL.

BPMN 2.0 §10.5.4; Camunda 7/8, Flowable and Activiti run such a path in the process's scope: an
R3/PT1H 每小时催办 cycle whose path does ``reminded = reminded + 1`` counts 1, 2, 3, and 复查 after
企业整改 reads 3; each 催办 message a non-interrupting message boundary catches counts one more, and
what the first 催办 recorded is there for the third. SpiffWorkflow started each occurrence's path on
the data of when 企业整改 opened and kept what the path set on the path: 1, 1, 1, and 复查 read 0
(found by probe 13 with Activiti 5's ``${reminded + 1}``, tests/bpmn/interop/activiti5_form_key_cycle.bpmn).
engine/boundary_data.py.
"""
from __future__ import annotations

import pytest

from tests.interop_support import CORPUS, open_task_data, user_for
from tests.support import make_engine

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.19.0">
  <bpmn:process id="remind_count" name="整改催办计数" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_fix" name="企业整改" camunda:candidateGroups="inspector">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="Event_hourly" name="每小时催办" cancelActivity="false" attachedToRef="Activity_fix">
      <bpmn:outgoing>Flow_h1</bpmn:outgoing>
      <bpmn:timerEventDefinition id="T1"><bpmn:timeCycle>R3/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="Event_urge" name="收到催办" cancelActivity="false" attachedToRef="Activity_fix">
      <bpmn:outgoing>Flow_u1</bpmn:outgoing>
      <bpmn:messageEventDefinition id="M1" messageRef="Message_urge"/>
    </bpmn:boundaryEvent>
    <bpmn:scriptTask id="Activity_count" name="记录提醒次数" scriptFormat="python">
      <bpmn:incoming>Flow_h1</bpmn:incoming><bpmn:outgoing>Flow_h2</bpmn:outgoing>
      <bpmn:script>reminded = reminded + 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="Event_hend"><bpmn:incoming>Flow_h2</bpmn:incoming></bpmn:endEvent>
    <bpmn:scriptTask id="Activity_urged" name="记录催办" scriptFormat="python">
      <bpmn:incoming>Flow_u1</bpmn:incoming><bpmn:outgoing>Flow_u2</bpmn:outgoing>
      <bpmn:script>urged = urged + 1
if urged == 1:
    first_urge = "第一次催办：" + note</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="Event_uend"><bpmn:incoming>Flow_u2</bpmn:incoming></bpmn:endEvent>
    <bpmn:userTask id="Activity_check" name="复查" camunda:candidateGroups="inspector">
      <bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_end"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_fix"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_fix" targetRef="Activity_check"/>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_check" targetRef="Event_end"/>
    <bpmn:sequenceFlow id="Flow_h1" sourceRef="Event_hourly" targetRef="Activity_count"/>
    <bpmn:sequenceFlow id="Flow_h2" sourceRef="Activity_count" targetRef="Event_hend"/>
    <bpmn:sequenceFlow id="Flow_u1" sourceRef="Event_urge" targetRef="Activity_urged"/>
    <bpmn:sequenceFlow id="Flow_u2" sourceRef="Activity_urged" targetRef="Event_uend"/>
  </bpmn:process>
  <bpmn:message id="Message_urge" name="催办"/>
</bpmn:definitions>
"""


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    eng.deploy(MODEL.encode("utf-8"), by="boss", filename="remind_count.bpmn")
    eng.deploy(CORPUS / "activiti5_form_key_cycle.bpmn", by="boss")
    yield eng
    eng.dispose()


def start(engine, key="remind_count", data=None) -> int:
    case = engine.start(key, by="zhang", data=data or {"reminded": 0, "urged": 0})
    return case if isinstance(case, int) else case.id


def hour(engine) -> None:
    engine.clock.advance(hours=1, seconds=1)
    engine.run_due_timers()


def complete(engine, case_id: int, element: str, data=None) -> None:
    (task,) = [t for t in engine.case(case_id).tasks if t.spec_id == element]
    engine.complete(task.id, user_for(engine, task), dict(data or {}))


def test_bpmn_10_5_4_a_non_interrupting_cycles_path_counts_1_2_3_and_the_flow_after_reads_3(engine):
    case_id = start(engine)
    for expected in (1, 2, 3):
        hour(engine)
        assert engine.case(case_id).data["reminded"] == expected
        assert open_task_data(engine, case_id, "Activity_fix")["reminded"] == expected
    hour(engine)                                              # R3: no fourth
    assert engine.case(case_id).data["reminded"] == 3
    complete(engine, case_id, "Activity_fix")
    assert open_task_data(engine, case_id, "Activity_check")["reminded"] == 3


def test_each_caught_message_counts_one_more_and_the_first_ones_record_stays(engine):
    case_id = start(engine)
    for n, note in enumerate(["企业未按期整改", "再次提醒", "第三次提醒"], start=1):
        engine.correlate_message("催办", by="zhang", case_id=case_id, data={"note": note})
        data = engine.case(case_id).data
        assert data["urged"] == n and data["first_urge"] == "第一次催办：企业未按期整改"
    hour(engine)                                              # the cycle's path and the messages' share the data
    complete(engine, case_id, "Activity_fix")
    after = open_task_data(engine, case_id, "Activity_check")
    assert (after["urged"], after["reminded"], after["first_urge"]) == (3, 1, "第一次催办：企业未按期整改")


def test_a_case_restored_by_a_fresh_engine_counts_on(engine, database_url):
    case_id = start(engine)
    hour(engine)
    again = make_engine(database_url, clock=engine.clock)
    try:
        hour(again)
        hour(again)
        assert again.case(case_id).data["reminded"] == 3
        complete(again, case_id, "Activity_fix")
        assert open_task_data(again, case_id, "Activity_check")["reminded"] == 3
    finally:
        again.dispose()


def test_activiti5_juel_result_variable_on_an_r3_cycle_counts_like_activiti(engine):
    """tests/bpmn/interop/activiti5_form_key_cycle.bpmn: ``${reminded + 1}`` into resultVariable reminded."""
    case_id = start(engine, "activiti_recheck_reminders", {"reminded": 0, "starter": "zhang"})
    for expected in (1, 2, 3):
        hour(engine)
        assert engine.case(case_id).data["reminded"] == expected
