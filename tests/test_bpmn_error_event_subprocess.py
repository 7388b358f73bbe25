"""An error event sub-process of the process itself (错误事件子流程, Camunda's ErrorEventSubProcessTest
shape) catches an error thrown anywhere in the case and, being interrupting, takes the case out of its
flow (engine/interrupting.py reads its error start; SpiffWorkflow read it as a plain start, so
engine/validation.py refused it). One drawn inside a sub-process catches there and takes only that
sub-process out of its flow (tests/test_event_subprocess_scoped.py has more). SQLite and PostgreSQL,
read back from rows between steps.

The model, as Camunda Modeler 5 saves it: 现场检查 (进入现场; 拒绝检查 error end when refused) beside
告知企业, then 出具意见; the event sub-process 拒检处理 (error 拒绝检查 → 移送公安机关).
"""
from __future__ import annotations

from tests.support import engine_fixture

engine = engine_fixture()
KEY = "camunda7_refusal_handling"

MODEL = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.19.0">
  <bpmn:process id="{KEY}" name="现场检查（拒检移送）" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="StartEvent_1" name="开始"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="Gateway_0split"><bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing><bpmn:outgoing>Flow_3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="Activity_0notify" name="告知企业" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_3</bpmn:incoming><bpmn:outgoing>Flow_4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="Event_0notified"><bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>
    <bpmn:subProcess id="Activity_0onsite" name="现场检查">
      <bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_5</bpmn:outgoing>
      <bpmn:startEvent id="Event_0s"><bpmn:outgoing>Flow_0s1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:userTask id="Activity_0enter" name="进入现场" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_0s1</bpmn:incoming><bpmn:outgoing>Flow_0s2</bpmn:outgoing></bpmn:userTask>
      <bpmn:exclusiveGateway id="Gateway_0refused" name="拒绝检查？" default="Flow_0s4"><bpmn:incoming>Flow_0s2</bpmn:incoming><bpmn:outgoing>Flow_0s3</bpmn:outgoing><bpmn:outgoing>Flow_0s4</bpmn:outgoing></bpmn:exclusiveGateway>
      <bpmn:endEvent id="Event_0refused" name="拒绝检查"><bpmn:incoming>Flow_0s3</bpmn:incoming><bpmn:errorEventDefinition id="ErrorEventDefinition_1" errorRef="Error_1" /></bpmn:endEvent>
      <bpmn:endEvent id="Event_0se"><bpmn:incoming>Flow_0s4</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="Flow_0s1" sourceRef="Event_0s" targetRef="Activity_0enter" />
      <bpmn:sequenceFlow id="Flow_0s2" sourceRef="Activity_0enter" targetRef="Gateway_0refused" />
      <bpmn:sequenceFlow id="Flow_0s3" name="是" sourceRef="Gateway_0refused" targetRef="Event_0refused">
        <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${{refused}}</bpmn:conditionExpression>
      </bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="Flow_0s4" sourceRef="Gateway_0refused" targetRef="Event_0se" />
    </bpmn:subProcess>
    <bpmn:userTask id="Activity_0opinion" name="出具意见" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_5</bpmn:incoming><bpmn:outgoing>Flow_6</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="Event_0end"><bpmn:incoming>Flow_6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Gateway_0split" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Gateway_0split" targetRef="Activity_0onsite" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Gateway_0split" targetRef="Activity_0notify" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Activity_0notify" targetRef="Event_0notified" />
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Activity_0onsite" targetRef="Activity_0opinion" />
    <bpmn:sequenceFlow id="Flow_6" sourceRef="Activity_0opinion" targetRef="Event_0end" />
    <bpmn:subProcess id="Activity_0handle" name="拒检处理" triggeredByEvent="true">
      <bpmn:startEvent id="Event_0caught" name="拒检"><bpmn:outgoing>Flow_0h1</bpmn:outgoing><bpmn:errorEventDefinition id="ErrorEventDefinition_2" errorRef="Error_1" /></bpmn:startEvent>
      <bpmn:userTask id="Activity_0police" name="移送公安机关" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_0h1</bpmn:incoming><bpmn:outgoing>Flow_0h2</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="Event_0he"><bpmn:incoming>Flow_0h2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="Flow_0h1" sourceRef="Event_0caught" targetRef="Activity_0police" />
      <bpmn:sequenceFlow id="Flow_0h2" sourceRef="Activity_0police" targetRef="Event_0he" />
    </bpmn:subProcess>
  </bpmn:process>
  <bpmn:error id="Error_1" name="拒绝检查" errorCode="REFUSED" />
</bpmn:definitions>"""


def _open(engine, case_id) -> list[str]:
    return sorted(t.name for t in engine.case(case_id).tasks)


def _work(engine, case_id, name, data=None):
    (task,) = [t for t in engine.case(case_id).tasks if t.name == name]
    engine.complete(task.id, "zhang", data or {})
    engine._evict(case_id)


def _start(engine) -> int:
    engine.deploy(MODEL.encode(), by="boss", filename=f"{KEY}.bpmn")
    case = engine.start(KEY, by="zhang", org="east", data={})
    assert _open(engine, case.id) == sorted(["告知企业", "进入现场"])  # the handler waits for its error
    return case.id


def test_an_error_the_process_event_subprocess_catches_takes_the_case_out_of_its_flow(engine):
    case_id = _start(engine)
    _work(engine, case_id, "进入现场", {"refused": True})
    assert _open(engine, case_id) == ["移送公安机关"]  # 告知企业 cancelled; 出具意见 never comes
    assert not engine.incidents()  # caught: no 未捕获 incident (engine/thrown_errors.py)
    _work(engine, case_id, "移送公安机关")
    assert engine.case(case_id).status == "completed"


def test_without_the_error_the_flow_runs_and_the_handler_never_does(engine):
    case_id = _start(engine)
    _work(engine, case_id, "进入现场", {"refused": False})
    assert _open(engine, case_id) == sorted(["出具意见", "告知企业"])
    _work(engine, case_id, "告知企业")
    _work(engine, case_id, "出具意见")
    assert engine.case(case_id).status == "completed"


def test_an_error_event_subprocess_inside_a_sub_process_takes_only_that_sub_process_out_of_its_flow(engine):
    """Drawn inside 现场检查, 拒检处理 catches the error there (the nearest scope, engine/scoped_events.py)
    and interrupts 现场检查 only: 告知企业 beside it stays open, and after 移送公安机关 the flow goes on
    after the sub-process (出具意见), as Camunda runs it. It was refused at deploy before."""
    handler = MODEL[MODEL.index('    <bpmn:subProcess id="Activity_0handle"'):MODEL.index("  </bpmn:process>")]
    nested = MODEL.replace(handler, "").replace("    </bpmn:subProcess>\n    <bpmn:userTask id=\"Activity_0opinion\"",
                                                handler + "    </bpmn:subProcess>\n    <bpmn:userTask id=\"Activity_0opinion\"")
    engine.deploy(nested.encode(), by="boss", filename=f"{KEY}.bpmn")
    case_id = engine.start(KEY, by="zhang", org="east", data={}).id
    _work(engine, case_id, "进入现场", {"refused": True})
    assert _open(engine, case_id) == sorted(["告知企业", "移送公安机关"])
    assert not engine.incidents()
    _work(engine, case_id, "移送公安机关")
    assert _open(engine, case_id) == sorted(["出具意见", "告知企业"])
    _work(engine, case_id, "告知企业")
    _work(engine, case_id, "出具意见")
    assert engine.case(case_id).status == "completed"
