"""A multi-instance task's count, collection or completion condition, or a loop's condition, read
from case data the case lacks: the incident says in Chinese which task, what was being computed
(会签人数、循环次数、会签名单、完成条件、循环条件) and the data in brackets; the incident page says it by
the data's label and shows no English. Before, the page read SpiffWorkflow's 「Error evaluating
expression 'nrOfLoops'」 as 条件无法计算 (a condition), though what failed was the count.

The models are drawn as the tools draw them: Camunda Modeler 7 (a parallel multi-instance user task
with ``loopCardinality`` ``${nrOfLoops}``, a sequential one over ``${levels}``), Flowable Modeler 6.8
(``flowable:collection="${inspectors}"`` with a completion condition) and bpmn.io (a standard loop
whose Python condition is tested before the first round). BPMN 2.0.2 §10.3.6 (多实例、循环特性)."""
from __future__ import annotations

import re

import pytest

from webui.labels import incident_explanation

from tests.interop_support import drive
from tests.support import make_engine

CAMUNDA7 = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_0h6t1k2" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.17.0" modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.20.0">
  <bpmn:process id="mi_countersign_count" name="重大隐患会签" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="提请会签">
      <bpmn:outgoing>Flow_0s1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Activity_0hq2k3m" name="会签" camunda:candidateGroups="inspector">
      <bpmn:incoming>Flow_0s1</bpmn:incoming>
      <bpmn:outgoing>Flow_0s2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">${nrOfLoops}</bpmn:loopCardinality>
        <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">${nrOfCompletedInstances &gt;= needed}</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:userTask id="Activity_1levels" name="逐级复核" camunda:candidateGroups="supervisor">
      <bpmn:incoming>Flow_0s2</bpmn:incoming>
      <bpmn:outgoing>Flow_0s3</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">${levels}</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_0end" name="会签完毕">
      <bpmn:incoming>Flow_0s3</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_0s1" sourceRef="StartEvent_1" targetRef="Activity_0hq2k3m" />
    <bpmn:sequenceFlow id="Flow_0s2" sourceRef="Activity_0hq2k3m" targetRef="Activity_1levels" />
    <bpmn:sequenceFlow id="Flow_0s3" sourceRef="Activity_1levels" targetRef="Event_0end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="mi_countersign_count">
      <bpmndi:BPMNShape id="_BPMNShape_StartEvent_2" bpmnElement="StartEvent_1">
        <dc:Bounds x="179" y="99" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_0hq2k3m_di" bpmnElement="Activity_0hq2k3m">
        <dc:Bounds x="270" y="77" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_1levels_di" bpmnElement="Activity_1levels">
        <dc:Bounds x="430" y="77" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Event_0end_di" bpmnElement="Event_0end">
        <dc:Bounds x="592" y="99" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_0s1_di" bpmnElement="Flow_0s1">
        <di:waypoint x="215" y="117" />
        <di:waypoint x="270" y="117" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_0s2_di" bpmnElement="Flow_0s2">
        <di:waypoint x="370" y="117" />
        <di:waypoint x="430" y="117" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_0s3_di" bpmnElement="Flow_0s3">
        <di:waypoint x="530" y="117" />
        <di:waypoint x="592" y="117" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

FLOWABLE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:flowable="http://flowable.org/bpmn" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:omgdc="http://www.omg.org/spec/DD/20100524/DC" xmlns:omgdi="http://www.omg.org/spec/DD/20100524/DI" typeLanguage="http://www.w3.org/2001/XMLSchema" expressionLanguage="http://www.w3.org/1999/XPath" targetNamespace="http://www.flowable.org/processdef" exporter="Flowable Open Source Modeler" exporterVersion="6.8.0">
  <process id="mi_joint_inspection" name="联合检查" isExecutable="true">
    <documentation>检查组成员分头检查，达到法定人数即汇总</documentation>
    <startEvent id="startEvent1" name="组建检查组" flowable:formFieldValidation="true"></startEvent>
    <userTask id="sid-5B1E2C3D-4F5A-4B6C-8D7E-9F0A1B2C3D11" name="分头检查" flowable:assignee="${inspector}" flowable:formFieldValidation="true">
      <multiInstanceLoopCharacteristics isSequential="false" flowable:collection="${inspectors}" flowable:elementVariable="inspector">
        <completionCondition>${nrOfCompletedInstances &gt;= quorum}</completionCondition>
      </multiInstanceLoopCharacteristics>
    </userTask>
    <endEvent id="sid-6C2F3D4E-5A6B-4C7D-9E8F-0A1B2C3D4E12" name="汇总"></endEvent>
    <sequenceFlow id="sid-7D3A4E5F-6B7C-4D8E-AF90-1B2C3D4E5F13" sourceRef="startEvent1" targetRef="sid-5B1E2C3D-4F5A-4B6C-8D7E-9F0A1B2C3D11"></sequenceFlow>
    <sequenceFlow id="sid-8E4B5F6A-7C8D-4E9F-B0A1-2C3D4E5F6A14" sourceRef="sid-5B1E2C3D-4F5A-4B6C-8D7E-9F0A1B2C3D11" targetRef="sid-6C2F3D4E-5A6B-4C7D-9E8F-0A1B2C3D4E12"></sequenceFlow>
  </process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_mi_joint_inspection">
    <bpmndi:BPMNPlane bpmnElement="mi_joint_inspection" id="BPMNPlane_mi_joint_inspection">
      <bpmndi:BPMNShape bpmnElement="startEvent1" id="BPMNShape_startEvent1">
        <omgdc:Bounds height="30.0" width="30.0" x="100.0" y="163.0"></omgdc:Bounds>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape bpmnElement="sid-5B1E2C3D-4F5A-4B6C-8D7E-9F0A1B2C3D11" id="BPMNShape_sid-5B1E2C3D-4F5A-4B6C-8D7E-9F0A1B2C3D11">
        <omgdc:Bounds height="80.0" width="100.0" x="175.0" y="138.0"></omgdc:Bounds>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape bpmnElement="sid-6C2F3D4E-5A6B-4C7D-9E8F-0A1B2C3D4E12" id="BPMNShape_sid-6C2F3D4E-5A6B-4C7D-9E8F-0A1B2C3D4E12">
        <omgdc:Bounds height="28.0" width="28.0" x="320.0" y="164.0"></omgdc:Bounds>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge bpmnElement="sid-7D3A4E5F-6B7C-4D8E-AF90-1B2C3D4E5F13" id="BPMNEdge_sid-7D3A4E5F-6B7C-4D8E-AF90-1B2C3D4E5F13">
        <omgdi:waypoint x="130.0" y="178.0"></omgdi:waypoint>
        <omgdi:waypoint x="175.0" y="178.0"></omgdi:waypoint>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge bpmnElement="sid-8E4B5F6A-7C8D-4E9F-B0A1-2C3D4E5F6A14" id="BPMNEdge_sid-8E4B5F6A-7C8D-4E9F-B0A1-2C3D4E5F6A14">
        <omgdi:waypoint x="275.0" y="178.0"></omgdi:waypoint>
        <omgdi:waypoint x="320.0" y="178.0"></omgdi:waypoint>
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</definitions>
"""

BPMNIO_LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="bpmn-js (https://demo.bpmn.io)" exporterVersion="17.0.2">
  <bpmn:process id="loop_recheck" name="反复复查" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="开始">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Activity_0recheck" name="现场复查">
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
      <bpmn:standardLoopCharacteristics testBefore="true" loopMaximum="3">
        <bpmn:loopCondition xsi:type="bpmn:tFormalExpression">needs_recheck</bpmn:loopCondition>
      </bpmn:standardLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_1" name="结束">
      <bpmn:incoming>Flow_2</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0recheck" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0recheck" targetRef="Event_1" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def engine(database_url, tmp_path):
    eng = make_engine(database_url)
    for name, text in (("mi_countersign_count.bpmn", CAMUNDA7), ("mi_joint_inspection.bpmn20.xml", FLOWABLE),
                       ("loop_recheck.bpmn", BPMNIO_LOOP)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        eng.deploy(path, by="boss")
    yield eng
    eng.dispose()


def shown(message: str, names: dict | None = None) -> str:
    """The incident page's text for an engine error (``incident #3: …``), with no English in it."""
    said = incident_explanation(message.split(": ", 1)[1], names=names)
    assert not re.search(r"[A-Za-z]", said), said
    return said


def test_a_countersign_count_read_from_data_the_case_lacks_names_the_count(engine):
    out = drive(engine, "mi_countersign_count")
    assert out.status == "incident", out
    assert ("「会签」出错: 会签人数取自案件数据「nrOfLoops」，但案件中没有这个值；请在此前的环节填写它，"
            "或请流程设计员修改该任务的会签人数") in out.message
    assert shown(out.message) == ("环节“会签”出错：会签人数取自案件数据中的一项，但案件中没有这个值；请补充数据后重试，"
                                  "或请流程设计员修改该任务的会签人数")
    assert shown(out.message, {"nrOfLoops": "参加会签人数"}).startswith("环节“会签”出错：会签人数取自案件数据“参加会签人数”，")


def test_a_completion_condition_and_a_sequential_count_read_from_missing_data(engine):
    out = drive(engine, "mi_countersign_count", data={"nrOfLoops": 2})
    assert out.status == "incident" and len(out.tasks) == 1, out
    assert "「会签」出错: 完成条件用到案件数据「needed」，但案件中没有这个值；请在此前的环节填写它" in out.message
    assert shown(out.message) == ("环节“会签”出错：完成条件用到案件数据中的一项，但案件中没有这个值；请补充数据后重试，"
                                  "或请流程设计员修改该任务的完成条件")
    out = drive(engine, "mi_countersign_count", data={"nrOfLoops": 2, "needed": 2})
    assert out.status == "incident" and len(out.tasks) == 2, out
    assert "「逐级复核」出错: 循环次数取自案件数据「levels」，但案件中没有这个值" in out.message
    assert shown(out.message).startswith("环节“逐级复核”出错：循环次数取自案件数据中的一项，")
    given = drive(engine, "mi_countersign_count", data={"nrOfLoops": 2, "needed": 1, "levels": 2})
    assert given.status == "completed" and len(given.tasks) == 3, given


def test_a_flowable_collection_and_its_completion_condition_read_from_missing_data(engine):
    out = drive(engine, "mi_joint_inspection")
    assert out.status == "incident", out
    assert "多实例任务「分头检查」" in out.message and "的集合「inspectors」没有值" in out.message
    assert shown(out.message) == "多实例任务「分头检查」的集合没有值，须先在表单或脚本中给出（如审批人列表）"
    out = drive(engine, "mi_joint_inspection", data={"inspectors": ["zhang", "li"]})
    assert out.status == "incident", out
    assert "「分头检查」出错: 完成条件用到案件数据「quorum」，但案件中没有这个值" in out.message
    assert shown(out.message, {"quorum": "法定人数"}) == (
        "环节“分头检查”出错：完成条件用到案件数据“法定人数”，但案件中没有这个值；请补充数据后重试，"
        "或请流程设计员修改该任务的完成条件")
    given = drive(engine, "mi_joint_inspection", data={"inspectors": ["zhang", "li"], "quorum": 1})
    assert given.status == "completed" and [t.assignee for t in given.tasks] == ["zhang"], given


def test_a_loop_condition_read_from_missing_data(engine):
    out = drive(engine, "loop_recheck")
    assert out.status == "incident", out
    assert "「现场复查」出错: 循环条件用到案件数据「needs_recheck」，但案件中没有这个值" in out.message
    assert shown(out.message).startswith("环节“现场复查”出错：循环条件用到案件数据中的一项，")
    assert drive(engine, "loop_recheck", data={"needs_recheck": False}).status == "completed"


def test_a_completion_condition_over_data_typed_as_text_names_the_text(engine):
    """法定人数 typed 「二」 (or 「2」 from a text field): ``nrOfCompletedInstances >= quorum`` fails
    on text; said as such, not as data the case lacks (the page said 在案件中没有值)."""
    out = drive(engine, "mi_joint_inspection", data={"inspectors": ["zhang", "li"], "quorum": "二"})
    assert out.status == "incident", out
    # a JUEL completion condition reads 「二」 as Long.valueOf does since d88ecd1 (engine/juel_operators)
    # (「二」 spells no number at all: 不是数字, in the incident's words, engine/juel_operators._not_a_number)
    assert "「分头检查」出错: JUEL 表达式把案件数据「quorum」当作数字比较，但它的值「二」不是数字" in out.message
    assert shown(out.message, {"quorum": "法定人数"}) == (
        "环节“分头检查”出错：表达式把案件数据“法定人数”当作数字比较，但填写的「二」不是数字；请改为数字后重试，"
        "或请流程设计员把该表单字段设为数字类型")
