"""A standard loop's condition written in JUEL (``<loopCondition>${again}</loopCondition>``, as Camunda
Modeler 7 and Flowable's modeler save a 循环 task's condition) is translated like a flow's condition
(engine/dialects.py), on a real SQLite file and real PostgreSQL. Before, it reached SpiffWorkflow as
written and the deploy refused it with 「循环条件: 语法错误 (第 1 行) (脚本安全检查)」 (found by hloop)."""
from __future__ import annotations

import pytest

from tests.interop_support import user_for
from tests.support import make_engine

LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_loop" targetNamespace="http://bpmn.io/schema/bpmn"
    exporter="Camunda Modeler" exporterVersion="5.16.0">
  <bpmn:process id="recheck_loop" name="复查直至合格" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_recheck" name="现场复查" camunda:candidateGroups="inspector">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
      <bpmn:standardLoopCharacteristics>
        <bpmn:loopCondition xsi:type="bpmn:tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${again}</bpmn:loopCondition>
      </bpmn:standardLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_end"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_recheck" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_recheck" targetRef="Event_end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.deploy(LOOP, by="boss", filename="recheck_loop.bpmn")
    yield eng
    eng.dispose()


def test_a_juel_loop_condition_deploys_and_the_task_repeats_while_it_holds(engine):
    case = engine.start("recheck_loop", by="zhang", org="east", data={"again": True})
    rounds = 0
    while (view := engine.case(case.id)).status == "running":
        (task,) = view.tasks
        rounds += 1
        engine.complete(task.id, user_for(engine, task), {"again": rounds < 3})
        assert rounds < 10
    assert view.status == "completed" and rounds == 3
