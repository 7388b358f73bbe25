"""An event sub-process started by a conditional event (条件事件子流程, Camunda 7) starts when the case
data meets its condition while its scope runs (engine/conditional_starts.py). SpiffWorkflow kept such a
start for a message or signal to start, which never comes: deployed without a word, it never ran
whatever the case data became, and then the deploy refused it. The conditional boundary event the
refusal advised runs too (engine/conditional_events.py).
"""
from __future__ import annotations

import pytest

from tests.support import engine_fixture

engine = engine_fixture()

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.19.0">
  <bpmn:process id="camunda7_risk_watch" name="隐患整改（重大风险）" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="StartEvent_1" name="立案"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_0assess" name="评估风险" camunda:candidateGroups="inspector">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_0end"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0assess" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0assess" targetRef="Event_0end" />
    <bpmn:subProcess id="Activity_0major" name="重大风险处置" triggeredByEvent="true">
      <bpmn:startEvent id="Event_0major" name="认定为重大风险" isInterrupting="false">
        <bpmn:outgoing>Flow_0m1</bpmn:outgoing>
        <bpmn:conditionalEventDefinition id="ConditionalEventDefinition_1">
          <bpmn:condition xsi:type="bpmn:tFormalExpression">${risk == "重大"}</bpmn:condition>
        </bpmn:conditionalEventDefinition>
      </bpmn:startEvent>
      <bpmn:userTask id="Activity_0report" name="上报重大风险" camunda:candidateGroups="inspector">
        <bpmn:incoming>Flow_0m1</bpmn:incoming><bpmn:outgoing>Flow_0m2</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:endEvent id="Event_0mend"><bpmn:incoming>Flow_0m2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="Flow_0m1" sourceRef="Event_0major" targetRef="Activity_0report" />
      <bpmn:sequenceFlow id="Flow_0m2" sourceRef="Activity_0report" targetRef="Event_0mend" />
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize("risk, opened", [("重大", ["上报重大风险"]), ("一般", [])])
def test_a_conditional_event_subprocess_of_the_process_starts_when_the_case_data_meets_it(engine, risk, opened):
    """评估风险 sets risk while the case runs: 重大 starts 重大风险处置 (the case waits for it); 一般
    starts nothing and the case ends, the waiting condition with it."""
    engine.deploy(MODEL.encode(), by="boss", filename="camunda7_risk_watch.bpmn")
    case = engine.start("camunda7_risk_watch", by="zhang", org="east", data={})
    (assess,) = [t for t in engine.case(case.id).tasks if t.name == "评估风险"]
    engine.complete(assess.id, "zhang", {"risk": risk})
    assert sorted(t.name for t in engine.case(case.id).tasks) == opened
    assert engine.case(case.id).status == ("running" if opened else "completed")


ADVISED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_2" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.19.0">
  <bpmn:process id="camunda7_risk_boundary" name="隐患整改（重大风险，边界事件）" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="StartEvent_1" name="立案"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="Gateway_0split"><bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing><bpmn:outgoing>Flow_3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="Activity_0fix" name="督促整改" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_4</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="Activity_0assess" name="评估风险" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_3</bpmn:incoming><bpmn:outgoing>Flow_5</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="Event_0major" name="认定为重大风险" cancelActivity="false" attachedToRef="Activity_0fix">
      <bpmn:outgoing>Flow_6</bpmn:outgoing>
      <bpmn:conditionalEventDefinition id="ConditionalEventDefinition_1"><bpmn:condition xsi:type="bpmn:tFormalExpression">${risk == "重大"}</bpmn:condition></bpmn:conditionalEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="Activity_0report" name="上报重大风险" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_6</bpmn:incoming><bpmn:outgoing>Flow_7</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="Event_1"><bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="Event_2"><bpmn:incoming>Flow_5</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="Event_3"><bpmn:incoming>Flow_7</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Gateway_0split" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Gateway_0split" targetRef="Activity_0fix" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Gateway_0split" targetRef="Activity_0assess" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Activity_0fix" targetRef="Event_1" />
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Activity_0assess" targetRef="Event_2" />
    <bpmn:sequenceFlow id="Flow_6" sourceRef="Event_0major" targetRef="Activity_0report" />
    <bpmn:sequenceFlow id="Flow_7" sourceRef="Activity_0report" targetRef="Event_3" />
  </bpmn:process>
</bpmn:definitions>"""


def test_the_advised_conditional_boundary_event_fires_when_the_case_data_meets_it(engine):
    engine.deploy(ADVISED.encode(), by="boss", filename="camunda7_risk_boundary.bpmn")
    case = engine.start("camunda7_risk_boundary", by="zhang", org="east", data={})
    (assess,) = [t for t in engine.case(case.id).tasks if t.name == "评估风险"]
    engine.complete(assess.id, "zhang", {"risk": "重大"})
    assert sorted(t.name for t in engine.case(case.id).tasks) == sorted(["督促整改", "上报重大风险"])
