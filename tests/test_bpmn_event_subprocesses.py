"""Interrupting event sub-processes (中断型事件子流程) interrupt (engine/interrupting.py), on SQLite
and PostgreSQL, the case read back from its rows between steps.

The model, as Camunda Modeler 5 saves it: 行政处罚 with a sub-process 调查取证 (调查询问) that has its
own timer event sub-process 调查超期 (P30D → 超期报告), then 作出决定; at the top a message event
sub-process 撤回举报 (message 举报撤回 → 撤回登记). An interrupting start (isInterrupting absent, as
Camunda Modeler writes the default) cancels what its scope was doing and the scope ends with the event
sub-process; isInterrupting="false" runs beside the flow. Before, SpiffWorkflow ran every one beside
the flow: 调查询问 stayed open after 调查超期, and a withdrawn report still went on to 作出决定.
An event sub-process a message starts inside a sub-process (调查超期 started by 企业申请延期) was never
started at all (SpiffWorkflow starts them at the top only): the message was refused as awaited by
nobody (engine/messages.start_inner).
"""
from __future__ import annotations

import pytest

from tests.support import engine_fixture

engine = engine_fixture()


def _model(top_interrupting: bool, inner_interrupting: bool, inner_message: bool = False) -> bytes:
    def flag(interrupting: bool) -> str:
        return "" if interrupting else ' isInterrupting="false"'
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.19.0">
  <bpmn:process id="camunda7_penalty_events" name="行政处罚" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="StartEvent_1" name="立案"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:subProcess id="Activity_0investigate" name="调查取证">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
      <bpmn:startEvent id="Event_0is"><bpmn:outgoing>Flow_0i1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:userTask id="Activity_0inquire" name="调查询问" camunda:candidateGroups="inspector">
        <bpmn:incoming>Flow_0i1</bpmn:incoming><bpmn:outgoing>Flow_0i2</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:endEvent id="Event_0ie"><bpmn:incoming>Flow_0i2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="Flow_0i1" sourceRef="Event_0is" targetRef="Activity_0inquire" />
      <bpmn:sequenceFlow id="Flow_0i2" sourceRef="Activity_0inquire" targetRef="Event_0ie" />
      <bpmn:subProcess id="Activity_0overdue" name="调查超期" triggeredByEvent="true">
        <bpmn:startEvent id="Event_0os" name="调查满30日"{flag(inner_interrupting)}>
          <bpmn:outgoing>Flow_0o1</bpmn:outgoing>
          <bpmn:timerEventDefinition id="TimerEventDefinition_1"><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P30D</bpmn:timeDuration></bpmn:timerEventDefinition>
        </bpmn:startEvent>
        <bpmn:userTask id="Activity_0report" name="超期报告" camunda:candidateGroups="inspector">
          <bpmn:incoming>Flow_0o1</bpmn:incoming><bpmn:outgoing>Flow_0o2</bpmn:outgoing>
        </bpmn:userTask>
        <bpmn:endEvent id="Event_0oe"><bpmn:incoming>Flow_0o2</bpmn:incoming></bpmn:endEvent>
        <bpmn:sequenceFlow id="Flow_0o1" sourceRef="Event_0os" targetRef="Activity_0report" />
        <bpmn:sequenceFlow id="Flow_0o2" sourceRef="Activity_0report" targetRef="Event_0oe" />
      </bpmn:subProcess>
    </bpmn:subProcess>
    <bpmn:userTask id="Activity_0decide" name="作出决定" camunda:candidateGroups="inspector">
      <bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_0end" name="结案"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0investigate" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0investigate" targetRef="Activity_0decide" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_0decide" targetRef="Event_0end" />
    <bpmn:subProcess id="Activity_0withdraw" name="撤回举报" triggeredByEvent="true">
      <bpmn:startEvent id="Event_0ws" name="收到撤回"{flag(top_interrupting)}>
        <bpmn:outgoing>Flow_0w1</bpmn:outgoing>
        <bpmn:messageEventDefinition id="MessageEventDefinition_1" messageRef="Message_1" />
      </bpmn:startEvent>
      <bpmn:userTask id="Activity_0register" name="撤回登记" camunda:candidateGroups="inspector">
        <bpmn:incoming>Flow_0w1</bpmn:incoming><bpmn:outgoing>Flow_0w2</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:endEvent id="Event_0we"><bpmn:incoming>Flow_0w2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="Flow_0w1" sourceRef="Event_0ws" targetRef="Activity_0register" />
      <bpmn:sequenceFlow id="Flow_0w2" sourceRef="Activity_0register" targetRef="Event_0we" />
    </bpmn:subProcess>
  </bpmn:process>
  <bpmn:message id="Message_1" name="举报撤回" />
  <bpmn:message id="Message_2" name="企业申请延期" />
</bpmn:definitions>"""
    if inner_message:  # 调查超期 started by a message instead: 企业申请延期
        xml = xml.replace('<bpmn:timerEventDefinition id="TimerEventDefinition_1"><bpmn:timeDuration xsi:type='
                          '"bpmn:tFormalExpression">P30D</bpmn:timeDuration></bpmn:timerEventDefinition>',
                          '<bpmn:messageEventDefinition id="MessageEventDefinition_2" messageRef="Message_2" />')
    return xml.encode()


KEY = "camunda7_penalty_events"


def _open(engine, case_id) -> list[str]:
    return sorted(t.name for t in engine.case(case_id).tasks)


def _work(engine, case_id, name):
    (task,) = [t for t in engine.case(case_id).tasks if t.name == name]
    engine.complete(task.id, "zhang", {})
    engine._evict(case_id)  # the next step reads the case back from its rows


def _start(engine, top: bool, inner: bool, inner_message: bool = False) -> int:
    engine.deploy(_model(top, inner, inner_message), by="boss", filename=f"{KEY}.bpmn")
    case = engine.start(KEY, by="zhang", org="east", data={})
    engine._evict(case.id)
    return case.id


def test_an_interrupting_message_event_subprocess_cancels_the_flow_and_ends_the_case(engine):
    case_id = _start(engine, top=True, inner=True)
    engine.correlate_message("举报撤回", by="zhang", case_id=case_id)
    assert _open(engine, case_id) == ["撤回登记"]  # 调查询问 cancelled, its sub-process with it
    engine.clock.advance(days=31)
    assert engine.run_due_timers() == 0  # the cancelled sub-process's 调查超期 waits no more
    _work(engine, case_id, "撤回登记")
    assert engine.case(case_id).status == "completed"


def test_an_interrupting_timer_event_subprocess_inside_a_sub_process_ends_that_sub_process_only(engine):
    case_id = _start(engine, top=True, inner=True)
    engine.clock.advance(days=30, seconds=1)
    assert engine.run_due_timers() == 1
    assert _open(engine, case_id) == ["超期报告"]  # 调查询问 cancelled
    _work(engine, case_id, "超期报告")
    assert _open(engine, case_id) == ["作出决定"]  # the sub-process ended; its caller goes on
    _work(engine, case_id, "作出决定")
    assert engine.case(case_id).status == "completed"


def test_non_interrupting_event_subprocesses_run_beside_the_flow(engine):
    case_id = _start(engine, top=False, inner=False)
    engine.clock.advance(days=30, seconds=1)
    engine.run_due_timers()
    assert _open(engine, case_id) == sorted(["超期报告", "调查询问"])
    engine.correlate_message("举报撤回", by="zhang", case_id=case_id)
    assert _open(engine, case_id) == sorted(["撤回登记", "超期报告", "调查询问"])
    for name in ("撤回登记", "超期报告", "调查询问"):
        _work(engine, case_id, name)
    assert _open(engine, case_id) == ["作出决定"]


def test_the_deploy_notes_what_an_interrupting_start_does(engine):
    pf = engine.models.validate(_model(True, True), f"{KEY}.bpmn")
    said = {w.element_id: w.message for w in pf.warnings if "中断型" in w.message}
    assert set(said) == {"Event_0os", "Event_0ws"}
    assert said["Event_0ws"].startswith("子流程「撤回举报」(Activity_0withdraw) 的开始事件「收到撤回」(Event_0ws) 为中断型："
                                        "事件发生时，所在流程正在办理的任务都将取消")
    assert not [w for w in engine.models.validate(_model(False, False), f"{KEY}.bpmn").warnings if "中断型" in w.message]


@pytest.mark.parametrize("interrupting", [True, False])
def test_a_message_event_subprocess_inside_a_sub_process_is_awaited_while_it_runs(engine, interrupting):
    from engine.errors import NotFound

    case_id = _start(engine, top=True, inner=interrupting, inner_message=True)
    engine.correlate_message("企业申请延期", by="zhang", case_id=case_id)
    assert _open(engine, case_id) == (["超期报告"] if interrupting else sorted(["超期报告", "调查询问"]))
    _work(engine, case_id, "超期报告")
    if not interrupting:
        _work(engine, case_id, "调查询问")
    assert _open(engine, case_id) == ["作出决定"]  # the sub-process ended; its caller goes on
    with pytest.raises(NotFound):  # its sub-process done, nothing awaits the message any more
        engine.correlate_message("企业申请延期", by="zhang", case_id=case_id)


def test_a_non_interrupting_inner_message_event_subprocess_finishing_last_ends_its_sub_process(engine):
    case_id = _start(engine, top=True, inner=False, inner_message=True)
    engine.correlate_message("企业申请延期", by="zhang", case_id=case_id)
    _work(engine, case_id, "调查询问")
    assert _open(engine, case_id) == ["超期报告"]
    _work(engine, case_id, "超期报告")
    assert _open(engine, case_id) == ["作出决定"]
