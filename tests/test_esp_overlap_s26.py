"""Two runs of one non-interrupting event sub-process at once, the flow writing the same variable
meanwhile: the write made last stands, as in Camunda (engine/esp_data.written), on a real SQLite file
and real PostgreSQL.

行政处罚（补充材料）, drawn as Camunda Modeler 5 saves a Camunda 7 model: 调查取证 records 处理意见 and
goes on to 审核; each 补充材料 the party sends (a message, 《行政处罚法》第四十五条 陈述、申辩) runs
登记补充材料 (which records 处理意见 too) then 复核补充材料. Camunda 7/8 and Flowable write an event
sub-process's variables to the process as its tasks complete (Camunda 8's docs: an event sub-process
is inside its scope and modifies its variables), so of two writes the later stands. Before, a run gave
what it had changed to the case only when it ended: the value of the run that ended last won, over a
write the flow or the other run made after it.
"""
from __future__ import annotations

import pytest

from tests.interop_support import open_task_data, user_for
from tests.support import make_engine

KEY = "camunda7_esp_overlap"
MODEL = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.19.0" modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.20.0">
  <bpmn:process id="{KEY}" name="行政处罚（补充材料）" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="StartEvent_1" name="立案"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_0inquire" name="调查取证" camunda:candidateGroups="inspector">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="Activity_0review" name="审核" camunda:candidateGroups="supervisor">
      <bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_0end" name="结案"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0inquire"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0inquire" targetRef="Activity_0review"/>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_0review" targetRef="Event_0end"/>
    <bpmn:subProcess id="Activity_0more" name="补充材料" triggeredByEvent="true">
      <bpmn:startEvent id="Event_0mstart" name="收到补充材料" isInterrupting="false">
        <bpmn:outgoing>Flow_0m1</bpmn:outgoing>
        <bpmn:messageEventDefinition id="MessageEventDefinition_0m" messageRef="Message_0more"/>
      </bpmn:startEvent>
      <bpmn:userTask id="Activity_0record" name="登记补充材料" camunda:candidateGroups="inspector">
        <bpmn:incoming>Flow_0m1</bpmn:incoming><bpmn:outgoing>Flow_0m2</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:userTask id="Activity_0check" name="复核补充材料" camunda:candidateGroups="inspector">
        <bpmn:incoming>Flow_0m2</bpmn:incoming><bpmn:outgoing>Flow_0m3</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:endEvent id="Event_0mend"><bpmn:incoming>Flow_0m3</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="Flow_0m1" sourceRef="Event_0mstart" targetRef="Activity_0record"/>
      <bpmn:sequenceFlow id="Flow_0m2" sourceRef="Activity_0record" targetRef="Activity_0check"/>
      <bpmn:sequenceFlow id="Flow_0m3" sourceRef="Activity_0check" targetRef="Event_0mend"/>
    </bpmn:subProcess>
  </bpmn:process>
  <bpmn:message id="Message_0more" name="补充材料"/>
</bpmn:definitions>
"""


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    eng.deploy(MODEL.encode("utf-8"), by="boss", filename=f"{KEY}.bpmn")
    yield eng
    eng.dispose()


def tasks_of(engine, case_id, spec_id) -> list:
    return [t for t in engine.case(case_id).tasks if t.spec_id == spec_id]


def complete(engine, task, data=None) -> None:
    engine.complete(task.id, user_for(engine, task), dict(data or {}))


def run_arrives(engine, case_id, material: str):
    """The party's 补充材料 comes: one more run; its 登记补充材料 task."""
    before = {t.id for t in tasks_of(engine, case_id, "Activity_0record")}
    engine.correlate_message("补充材料", by="zhang", case_id=case_id, data={"材料": material})
    (task,) = [t for t in tasks_of(engine, case_id, "Activity_0record") if t.id not in before]
    return task


def test_the_flows_write_after_a_runs_write_stands_when_the_run_ends(engine):
    """登记补充材料 records 处理意见 「采纳补充材料」; then 调查取证 records 「维持原意见」; then the run's
    复核 ends it. Camunda: 「维持原意见」 (written last). Before: 「采纳补充材料」 (given at the run's end)."""
    case_id = engine.start(KEY, by="zhang", org="east").id
    record = run_arrives(engine, case_id, "整改照片")
    complete(engine, record, {"处理意见": "采纳补充材料"})
    assert engine.case(case_id).data["处理意见"] == "采纳补充材料"  # the case's from then on
    (inquire,) = tasks_of(engine, case_id, "Activity_0inquire")
    complete(engine, inquire, {"处理意见": "维持原意见"})
    (check,) = tasks_of(engine, case_id, "Activity_0check")
    complete(engine, check)
    assert engine.case(case_id).data["处理意见"] == "维持原意见"
    assert open_task_data(engine, case_id, "Activity_0review")["处理意见"] == "维持原意见"
    (review,) = tasks_of(engine, case_id, "Activity_0review")
    complete(engine, review)
    case = engine.case(case_id)
    assert case.status == "completed" and case.data["处理意见"] == "维持原意见" and case.data["材料"] == "整改照片"


def test_of_two_overlapping_runs_and_the_flow_the_last_write_stands_not_the_last_run_to_end(engine):
    """Run 甲 records 「甲」, run 乙 then 「乙」, then 调查取证 「维持原意见」; 甲's 复核 ends 甲, then 乙's ends
    乙. Camunda: 「维持原意见」 (written last). Before: 「乙」, the run that ended last, over the flow's
    later write. What 甲 recorded reached the case, and 乙's open task, as it was written."""
    case_id = engine.start(KEY, by="zhang", org="east").id
    first = run_arrives(engine, case_id, "整改报告")
    second = run_arrives(engine, case_id, "检测报告")
    complete(engine, first, {"处理意见": "甲"})
    (first_check,) = tasks_of(engine, case_id, "Activity_0check")
    assert engine.case(case_id).data["处理意见"] == "甲"
    assert open_task_data(engine, case_id, "Activity_0record")["处理意见"] == "甲"  # 乙's 登记, still open
    complete(engine, second, {"处理意见": "乙"})
    (second_check,) = [t for t in tasks_of(engine, case_id, "Activity_0check") if t.id != first_check.id]
    assert engine.case(case_id).data["处理意见"] == "乙"
    (inquire,) = tasks_of(engine, case_id, "Activity_0inquire")
    complete(engine, inquire, {"处理意见": "维持原意见"})
    complete(engine, first_check)
    complete(engine, second_check)  # 乙's run ends last, having written before the flow
    assert engine.case(case_id).data["处理意见"] == "维持原意见"
    assert open_task_data(engine, case_id, "Activity_0review")["处理意见"] == "维持原意见"
    (review,) = tasks_of(engine, case_id, "Activity_0review")
    complete(engine, review)
    case = engine.case(case_id)
    assert case.status == "completed" and case.data["处理意见"] == "维持原意见"
