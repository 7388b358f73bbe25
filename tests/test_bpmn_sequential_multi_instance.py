"""A sequential multi-instance task over a collection (逐级审批 over ``${levels}``, one instance per
item, ``camunda:elementVariable="level"``), as Camunda Modeler and Flowable draw it, on SQLite and
PostgreSQL, the case read back from its rows between steps (engine/parser.py
``SequentialMultiInstanceTask``).

Before: every such task stopped at once with the incident 「集合「levels」没有值」 (the collection was
checked before the task inherited the case data), and past that SpiffWorkflow refused the second
instance ("Multiinstance input item level already exists": the first instance's item merged back).
The corpus's sequential ones all use loopCardinality, so nothing caught it.
"""
from __future__ import annotations

import pytest

from tests.interop_support import open_tasks_data
from tests.support import engine_fixture

engine = engine_fixture()

CAMUNDA = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.19.0">
  <bpmn:process id="camunda7_level_by_level" name="重大隐患挂牌逐级审批" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="StartEvent_1" name="提请挂牌"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_0approve" name="逐级审批" camunda:candidateGroups="inspector">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics isSequential="true" camunda:collection="${levels}" camunda:elementVariable="level">
        <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">${rejected == true}</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:userTask id="Activity_0notify" name="告知结果" camunda:candidateGroups="inspector">
      <bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_0end" name="办结"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0approve" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0approve" targetRef="Activity_0notify" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_0notify" targetRef="Event_0end" />
  </bpmn:process>
</bpmn:definitions>"""

FLOWABLE = (CAMUNDA.replace('xmlns:camunda="http://camunda.org/schema/1.0/bpmn"', 'xmlns:flowable="http://flowable.org/bpmn"')
            .replace("camunda:", "flowable:").replace(' flowable:historyTimeToLive="180"', "")
            .replace('exporter="Camunda Modeler" exporterVersion="5.19.0"',
                     'exporter="Flowable Open Source Modeler" exporterVersion="6.8.0"'))
KEY = "camunda7_level_by_level"
LEVELS = ["科室", "分管局领导", "主要负责人"]


def _approve(engine, case_id, rejected: bool) -> str:
    (task,) = engine.case(case_id).tasks
    assert task.name == "逐级审批"
    (level,) = [d["level"] for d in open_tasks_data(engine, case_id, "Activity_0approve") if "level" in d]
    engine.complete(task.id, "zhang", {"rejected": rejected})
    engine._evict(case_id)
    return level


@pytest.mark.parametrize("xml", [CAMUNDA, FLOWABLE], ids=["camunda", "flowable"])
def test_each_instance_gets_its_own_item_one_after_another(engine, xml):
    engine.deploy(xml.encode(), by="boss", filename=f"{KEY}.bpmn")
    case = engine.start(KEY, by="zhang", org="east", data={"levels": LEVELS})
    assert [_approve(engine, case.id, False) for _ in LEVELS] == LEVELS
    assert [t.name for t in engine.case(case.id).tasks] == ["告知结果"]


def test_the_completion_condition_ends_the_round_early(engine):
    engine.deploy(CAMUNDA.encode(), by="boss", filename=f"{KEY}.bpmn")
    case = engine.start(KEY, by="zhang", org="east", data={"levels": LEVELS})
    assert _approve(engine, case.id, False) == "科室"
    assert _approve(engine, case.id, True) == "分管局领导"  # rejected: 主要负责人 is not asked
    assert [t.name for t in engine.case(case.id).tasks] == ["告知结果"]
