"""An error nobody catches is an incident; an escalation nobody catches lets the case go on, said in
its record (engine/thrown_errors.py). Run on SQLite and PostgreSQL.

Models: tests/bpmn/interop/errors_escalation.bpmn (bpmn.io: 现场检查 with an error end 拒绝检查 and an
escalation throw 上报逾期, each caught on the sub-process's boundary) with one boundary event taken
away; a Camunda Modeler top-level error end; a Camunda 7 caller catching its called process's error
on the call activity's boundary (not an incident: the reason deploying such a model is not refused).
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from engine.errors import IncidentRaised
from engine.schema import AuditEvent
from tests.interop_support import CORPUS
from tests.support import engine_fixture

engine = engine_fixture()
ERRORS = (CORPUS / "errors_escalation.bpmn").read_text(encoding="utf-8")


def _without(xml: str, boundary: str, task: str, flows: tuple[str, str], end: str) -> str:
    """The model with a boundary event, the task after it and its end taken away."""
    xml = re.sub(rf'<bpmn:boundaryEvent id="{boundary}".*?</bpmn:boundaryEvent>', "", xml, flags=re.S)
    xml = re.sub(rf'<bpmn:userTask id="{task}".*?</bpmn:userTask>', "", xml, flags=re.S)
    xml = re.sub(rf'<bpmn:endEvent id="{end}">.*?</bpmn:endEvent>', "", xml, flags=re.S)
    for flow in flows:
        xml = re.sub(rf'<bpmn:sequenceFlow id="{flow}" [^>]*/>', "", xml)
    return re.sub(r"<bpmndi:BPMNDiagram.*</bpmndi:BPMNDiagram>", "", xml, flags=re.S)


def _enter(engine, case_id, data):
    (task,) = engine.case(case_id).tasks
    assert task.name == "进入现场"
    engine.complete(task.id, "zhang", data)


def _actions(engine, case_id) -> list[str]:
    with engine.db.read() as s:
        return list(s.execute(sa.select(AuditEvent.action).where(AuditEvent.case_id == case_id)
                              .order_by(AuditEvent.seq)).scalars())


def test_an_error_end_event_nothing_catches_is_an_incident_naming_it_and_the_case_stays_before_it(engine):
    """Before: the error ended the sub-process's path, the sub-process and the case: 已办结."""
    engine.deploy(_without(ERRORS, "on_refused", "penalty", ("r3", "r4"), "e_penalty").encode(), by="boss",
                  filename="errors_uncaught.bpmn")
    case = engine.start("errors_escalation", by="zhang", org="east", data={})
    with pytest.raises(IncidentRaised) as err:
        _enter(engine, case.id, {"refused": True})
    assert err.value.message == ("结束事件「拒绝检查」(refused)抛出错误「拒绝检查」（代码「REFUSED」），但没有边界事件或事件子流程"
                                 "捕获它；本系统不把出错当作办结，案件停在这一步之前。请流程设计员为该错误画上捕获它的边界事件"
                                 "或事件子流程，或补充数据后重试")
    assert err.value.element_id == "refused"
    from webui import labels
    assert labels.incident_explanation(err.value.message).startswith(  # the page: no element id
        "结束事件「拒绝检查」抛出错误「拒绝检查」（代码「REFUSED」），但没有边界事件")
    view = engine.case(case.id)
    assert view.status == "running" and [t.name for t in view.tasks] == ["进入现场"]
    (incident,) = engine.incidents()
    engine.retry_incident(incident.id, "eastboss", {"refused": False})  # with other data the case goes on
    assert engine.case(case.id).tasks[0].name == "登记逾期"


def test_a_top_level_error_end_event_drawn_in_camunda_modeler_is_an_incident(engine):
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.19.0">
  <bpmn:process id="camunda7_top_error" name="举报核查" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_0check" name="核查举报" camunda:candidateGroups="inspector">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_0fail" name="线索不实">
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:errorEventDefinition id="ErrorEventDefinition_1" errorRef="Error_1" />
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0check" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0check" targetRef="Event_0fail" />
  </bpmn:process>
  <bpmn:error id="Error_1" name="线索不实" errorCode="CLUE_FALSE" />
</bpmn:definitions>"""
    engine.deploy(xml.encode(), by="boss", filename="camunda7_top_error.bpmn")
    case = engine.start("camunda7_top_error", by="zhang", org="east", data={})
    (task,) = engine.case(case.id).tasks
    with pytest.raises(IncidentRaised) as err:
        engine.complete(task.id, "zhang", {})
    assert err.value.message.startswith("结束事件「线索不实」(Event_0fail)抛出错误「线索不实」（代码「CLUE_FALSE」），但没有")
    assert engine.case(case.id).status == "running"


CALLEE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_2" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.19.0">
  <bpmn:process id="camunda7_site_visit" name="现场核查" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_0visit" name="进入现场" camunda:candidateGroups="inspector">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_0refused" name="拒绝检查">
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:errorEventDefinition id="ErrorEventDefinition_1" errorRef="Error_1" />
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0visit" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0visit" targetRef="Event_0refused" />
  </bpmn:process>
  <bpmn:error id="Error_1" name="拒绝检查" errorCode="REFUSED" />
</bpmn:definitions>"""

CALLER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_3" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.19.0">
  <bpmn:process id="camunda7_inspection_caller" name="执法检查" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:callActivity id="Activity_0call" name="现场核查" calledElement="camunda7_site_visit">
      <bpmn:extensionElements><camunda:in variables="all" /><camunda:out variables="all" /></bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:callActivity>
    <bpmn:boundaryEvent id="Event_0caught" name="拒检" attachedToRef="Activity_0call">
      <bpmn:outgoing>Flow_3</bpmn:outgoing>
      <bpmn:errorEventDefinition id="ErrorEventDefinition_2" errorRef="Error_1" />
    </bpmn:boundaryEvent>
    <bpmn:userTask id="Activity_0penalty" name="拒检立案" camunda:candidateGroups="inspector">
      <bpmn:incoming>Flow_3</bpmn:incoming><bpmn:outgoing>Flow_4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_0done"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="Event_0filed"><bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0call" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0call" targetRef="Event_0done" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Event_0caught" targetRef="Activity_0penalty" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Activity_0penalty" targetRef="Event_0filed" />
  </bpmn:process>
  <bpmn:error id="Error_1" name="拒绝检查" errorCode="REFUSED" />
</bpmn:definitions>"""


def test_an_error_a_calling_process_catches_on_its_call_activity_is_no_incident(engine):
    engine.deploy(CALLEE.encode(), by="boss", filename="camunda7_site_visit.bpmn")
    engine.deploy(CALLER.encode(), by="boss", filename="camunda7_inspection_caller.bpmn")
    case = engine.start("camunda7_inspection_caller", by="zhang", org="east", data={})
    (task,) = engine.case(case.id).tasks
    assert task.name == "进入现场"
    engine.complete(task.id, "zhang", {})
    assert [t.name for t in engine.case(case.id).tasks] == ["拒检立案"]
    assert not engine.incidents()
    # the called process started alone: its error has no catcher, an incident
    alone = engine.start("camunda7_site_visit", by="zhang", org="east", data={})
    with pytest.raises(IncidentRaised, match="结束事件「拒绝检查」"):
        engine.complete(engine.case(alone.id).tasks[0].id, "zhang", {})


def test_an_escalation_nothing_catches_lets_the_case_go_on_and_is_in_its_record(engine):
    """BPMN 2.0 §10.5.2: an escalation is non-critical; Camunda 7 and Zeebe go on. Before: the same,
    without a word in the case's record."""
    from webui import labels

    engine.deploy(_without(ERRORS, "on_late", "note_late", ("r5", "r6"), "e_late").encode(), by="boss",
                  filename="escalation_uncaught.bpmn")
    case = engine.start("errors_escalation", by="zhang", org="east", data={})
    _enter(engine, case.id, {"refused": False})
    assert engine.case(case.id).status == "completed"
    assert "escalation_not_caught" in _actions(engine, case.id)
    assert labels.audit_action("escalation_not_caught") == "发出升级事件（流程中无处接收，案件照常继续）"
