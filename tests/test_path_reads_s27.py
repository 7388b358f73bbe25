"""A path already running reads the process's latest values (运行中的催办路径读取流程的最新变量), on a real
SQLite file and real PostgreSQL, with models drawn as Camunda Modeler 5 saves them (Camunda 7's
``camunda:`` and Camunda 8's ``zeebe:`` namespaces).

企业整改 has a 整改催办 (a non-interrupting timer, PT1H): its path opens 电话催办, then asks 是否已整改 —
已整改 ends the path, otherwise 升级督办 opens. The 企业整改 task records rectified=true while
电话催办 is open. Camunda 7 keeps a variable on the process instance's scope, visible to every
execution below it (Camunda 7 manual, Process Variables: variable scopes and visibility); Camunda 8
keeps variables on the process instance, not on the token, so what one token changes the concurrent
ones see (Camunda 8 docs, Data flow), and an event sub-process is inside its scope, reading and
changing its variables (Camunda 8 docs, Event subprocess). So 是否已整改 reads true and 升级督办 does
not open. Before, the path read its copy of when it started (rectified=false): 升级督办 opened for a
hazard already rectified (engine/boundary_data.reach_paths, engine/esp_data.reach_runs).

A path's own write it has not given yet (made inside an embedded sub-process the path runs, given
when that sub-process ends) stays its own; what it has given goes on being the process's (the
tests of tests/test_boundary_path_data_s26.py and tests/test_esp_overlap_s26.py).
"""
from __future__ import annotations

import pytest

from tests.interop_support import open_task_data, user_for
from tests.support import make_engine

_C7 = ('xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:modeler="http://camunda.org/schema/modeler/1.0" '
       'exporter="Camunda Modeler" exporterVersion="5.19.0" modeler:executionPlatform="Camunda Platform" '
       'modeler:executionPlatformVersion="7.20.0"')
_C8 = ('xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" '
       'exporter="Camunda Modeler" exporterVersion="5.20.0" modeler:executionPlatform="Camunda Cloud" '
       'modeler:executionPlatformVersion="8.4.0"')
_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" {ns} id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{key}" name="隐患整改催办" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="挂牌督办"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_fix" name="企业整改"{c7group}>{c8task}<bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="Activity_check" name="复查"{c7group}>{c8task}<bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="Event_end" name="销号"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_fix"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_fix" targetRef="Activity_check"/>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_check" targetRef="Event_end"/>
"""
# The 催办 path: 电话催办, then 是否已整改 (已整改: the path ends; otherwise 升级督办).
_PATH = """{indent}<bpmn:userTask id="Activity_call" name="电话催办"{c7group}>{c8task}<bpmn:incoming>Flow_p1</bpmn:incoming><bpmn:outgoing>Flow_p2</bpmn:outgoing></bpmn:userTask>
{indent}<bpmn:exclusiveGateway id="Gateway_done" name="是否已整改" default="Flow_no"><bpmn:incoming>Flow_p2</bpmn:incoming><bpmn:outgoing>Flow_yes</bpmn:outgoing><bpmn:outgoing>Flow_no</bpmn:outgoing></bpmn:exclusiveGateway>
{indent}<bpmn:endEvent id="Event_pend" name="催办结束"><bpmn:incoming>Flow_yes</bpmn:incoming><bpmn:incoming>Flow_p3</bpmn:incoming></bpmn:endEvent>
{indent}<bpmn:userTask id="Activity_escalate" name="升级督办"{c7group}>{c8task}<bpmn:incoming>Flow_no</bpmn:incoming><bpmn:outgoing>Flow_p3</bpmn:outgoing></bpmn:userTask>
{indent}<bpmn:sequenceFlow id="Flow_p1" sourceRef="{source}" targetRef="Activity_call"/>
{indent}<bpmn:sequenceFlow id="Flow_p2" sourceRef="Activity_call" targetRef="Gateway_done"/>
{indent}<bpmn:sequenceFlow id="Flow_yes" sourceRef="Gateway_done" targetRef="Event_pend"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{rectified}</bpmn:conditionExpression></bpmn:sequenceFlow>
{indent}<bpmn:sequenceFlow id="Flow_no" sourceRef="Gateway_done" targetRef="Activity_escalate"/>
{indent}<bpmn:sequenceFlow id="Flow_p3" sourceRef="Activity_escalate" targetRef="Event_pend"/>
"""
# The 催办 path as an embedded sub-process 催办处理: 电话催办 then 核实, then 是否已整改.
_SUB_PATH = """{indent}<bpmn:subProcess id="Activity_handle" name="催办处理"><bpmn:incoming>Flow_p1</bpmn:incoming><bpmn:outgoing>Flow_p2</bpmn:outgoing>
{indent}  <bpmn:startEvent id="Event_hstart"><bpmn:outgoing>Flow_h1</bpmn:outgoing></bpmn:startEvent>
{indent}  <bpmn:userTask id="Activity_call" name="电话催办"{c7group}>{c8task}<bpmn:incoming>Flow_h1</bpmn:incoming><bpmn:outgoing>Flow_h2</bpmn:outgoing></bpmn:userTask>
{indent}  <bpmn:userTask id="Activity_verify" name="核实"{c7group}>{c8task}<bpmn:incoming>Flow_h2</bpmn:incoming><bpmn:outgoing>Flow_h3</bpmn:outgoing></bpmn:userTask>
{indent}  <bpmn:endEvent id="Event_hend"><bpmn:incoming>Flow_h3</bpmn:incoming></bpmn:endEvent>
{indent}  <bpmn:sequenceFlow id="Flow_h1" sourceRef="Event_hstart" targetRef="Activity_call"/>
{indent}  <bpmn:sequenceFlow id="Flow_h2" sourceRef="Activity_call" targetRef="Activity_verify"/>
{indent}  <bpmn:sequenceFlow id="Flow_h3" sourceRef="Activity_verify" targetRef="Event_hend"/>
{indent}</bpmn:subProcess>
{indent}<bpmn:exclusiveGateway id="Gateway_done" name="是否已整改" default="Flow_no"><bpmn:incoming>Flow_p2</bpmn:incoming><bpmn:outgoing>Flow_yes</bpmn:outgoing><bpmn:outgoing>Flow_no</bpmn:outgoing></bpmn:exclusiveGateway>
{indent}<bpmn:endEvent id="Event_pend" name="催办结束"><bpmn:incoming>Flow_yes</bpmn:incoming><bpmn:incoming>Flow_p3</bpmn:incoming></bpmn:endEvent>
{indent}<bpmn:userTask id="Activity_escalate" name="升级督办"{c7group}>{c8task}<bpmn:incoming>Flow_no</bpmn:incoming><bpmn:outgoing>Flow_p3</bpmn:outgoing></bpmn:userTask>
{indent}<bpmn:sequenceFlow id="Flow_p1" sourceRef="{source}" targetRef="Activity_handle"/>
{indent}<bpmn:sequenceFlow id="Flow_p2" sourceRef="Activity_handle" targetRef="Gateway_done"/>
{indent}<bpmn:sequenceFlow id="Flow_yes" sourceRef="Gateway_done" targetRef="Event_pend"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{rectified}</bpmn:conditionExpression></bpmn:sequenceFlow>
{indent}<bpmn:sequenceFlow id="Flow_no" sourceRef="Gateway_done" targetRef="Activity_escalate"/>
{indent}<bpmn:sequenceFlow id="Flow_p3" sourceRef="Activity_escalate" targetRef="Event_pend"/>
"""
_TIMER = '<bpmn:timerEventDefinition id="TimerEventDefinition_1"><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>'
_BOUNDARY = """    <bpmn:boundaryEvent id="Event_remind" name="整改催办" cancelActivity="false" attachedToRef="Activity_fix">
      <bpmn:outgoing>Flow_p1</bpmn:outgoing>{timer}
    </bpmn:boundaryEvent>
"""
_ESP = """    <bpmn:subProcess id="Activity_remind" name="催办" triggeredByEvent="true">
      <bpmn:startEvent id="Event_remind" name="整改催办" isInterrupting="false"><bpmn:outgoing>Flow_p1</bpmn:outgoing>{timer}</bpmn:startEvent>
{path}    </bpmn:subProcess>
"""
_END = """  </bpmn:process>
</bpmn:definitions>
"""


def model(dialect: str, kind: str, sub: bool = False) -> tuple[str, bytes]:
    """The process key and BPMN of the 催办 drawn as a boundary event's path or an event sub-process,
    for Camunda 7 (``camunda``) or Camunda 8 (``zeebe``); ``sub``: the path runs 催办处理 (an
    embedded sub-process) instead of 电话催办 alone."""
    key = f"{dialect}_{kind}_{'sub_' if sub else ''}reads"
    template = _SUB_PATH if sub else _PATH
    if dialect == "camunda":
        words = {"ns": _C7, "c7group": ' camunda:candidateGroups="inspector"', "c8task": "",
                 "rectified": "${rectified}"}
    else:
        words = {"ns": _C8, "c7group": "", "c8task": "<bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements>",
                 "rectified": "=rectified = true"}
    head = _HEAD.format(key=key, **words)
    if kind == "boundary":
        path = template.format(indent="    ", source="Event_remind", **words)
        body = _BOUNDARY.format(timer=_TIMER) + path
    else:
        path = template.format(indent="      ", source="Event_remind", **words)
        body = _ESP.format(timer=_TIMER, path=path)
    return key, (head + body + _END).encode("utf-8")


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


def open_elements(engine, case_id: int) -> list[str]:
    return sorted(t.spec_id for t in engine.case(case_id).tasks)


def complete(engine, case_id: int, element: str, data: dict | None = None) -> None:
    (task,) = [t for t in engine.case(case_id).tasks if t.spec_id == element]
    engine.complete(task.id, user_for(engine, task, starter="zhang"), dict(data or {}))


def start_and_remind(engine, dialect: str, kind: str, sub: bool = False) -> int:
    key, xml = model(dialect, kind, sub)
    engine.deploy(xml, by="boss", filename=f"{key}.bpmn")
    case = engine.start(key, by="zhang", org="east", data={"rectified": False, "status": "待整改"})
    engine.clock.advance(hours=1, seconds=1)
    engine.run_due_timers()
    assert open_elements(engine, case.id) == ["Activity_call", "Activity_fix"]
    return case.id


@pytest.mark.parametrize("dialect", ["camunda", "zeebe"])
@pytest.mark.parametrize("kind", ["boundary", "event_subprocess"])
def test_a_running_reminder_path_reads_rectified_the_flow_recorded_after_it_started(engine, dialect, kind):
    """Before: 升级督办 opened (是否已整改 read the path's rectified=false of when 整改催办 fired)."""
    case_id = start_and_remind(engine, dialect, kind)
    complete(engine, case_id, "Activity_fix", {"rectified": True})
    assert open_elements(engine, case_id) == ["Activity_call", "Activity_check"]
    assert open_task_data(engine, case_id, "Activity_call")["rectified"] is True  # what 电话催办's form shows
    complete(engine, case_id, "Activity_call", {"call_note": "企业称已整改完毕"})
    assert open_elements(engine, case_id) == ["Activity_check"]  # no 升级督办
    check = open_task_data(engine, case_id, "Activity_check")
    assert check["rectified"] is True and check["call_note"] == "企业称已整改完毕"  # the path's write reaches 复查
    complete(engine, case_id, "Activity_check")
    assert engine.case(case_id).status == "completed"
    assert engine.incidents() == []


@pytest.mark.parametrize("kind", ["boundary", "event_subprocess"])
def test_a_path_whose_flow_has_not_rectified_still_escalates(engine, kind):
    """The guard the other way: the flow records nothing while 电话催办 is open, rectified stays false —
    升级督办 opens (before and after)."""
    case_id = start_and_remind(engine, "camunda", kind)
    complete(engine, case_id, "Activity_call", {"call_note": "企业未接电话"})
    assert open_elements(engine, case_id) == ["Activity_escalate", "Activity_fix"]


@pytest.mark.parametrize("kind", ["boundary", "event_subprocess"])
def test_the_latest_write_stands_the_path_writing_after_the_flow(engine, kind):
    """The flow records rectified=true, then 电话催办 (the path, later) records rectified=false (企业
    反映整改未完成): the later write stands, for the path's gateway (升级督办 opens) and for 复查."""
    case_id = start_and_remind(engine, "camunda", kind)
    complete(engine, case_id, "Activity_fix", {"rectified": True})
    complete(engine, case_id, "Activity_call", {"rectified": False})
    assert open_elements(engine, case_id) == ["Activity_check", "Activity_escalate"]
    assert open_task_data(engine, case_id, "Activity_check")["rectified"] is False
    assert engine.case(case_id).data["rectified"] is False


@pytest.mark.parametrize("kind", ["boundary", "event_subprocess"])
def test_a_write_the_path_has_not_given_yet_stays_its_own_the_rest_reads_the_latest(engine, kind):
    """The path runs 催办处理 (an embedded sub-process: what it writes is given when it ends). 电话催办
    records status 「企业承诺三日内整改」; then 企业整改 records rectified=true and status 「已整改」 while
    核实 is open: 核实 reads rectified=true (the flow's) and the sub-process's own status, not yet given.
    When 催办处理 ends it gives its status (the later give), and 是否已整改 reads rectified=true."""
    case_id = start_and_remind(engine, "camunda", kind, sub=True)
    complete(engine, case_id, "Activity_call", {"status": "企业承诺三日内整改"})
    complete(engine, case_id, "Activity_fix", {"rectified": True, "status": "已整改"})
    verify = open_task_data(engine, case_id, "Activity_verify")
    assert (verify["rectified"], verify["status"]) == (True, "企业承诺三日内整改")
    complete(engine, case_id, "Activity_verify")
    assert open_elements(engine, case_id) == ["Activity_check"]  # no 升级督办
    assert open_task_data(engine, case_id, "Activity_check")["status"] == "企业承诺三日内整改"
