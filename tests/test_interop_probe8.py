"""An eighth batch of public models nobody here had tried (camunda-bpm-platform's escalation, end
event, receive task, sequence flow and user task test resources, Flowable's escalation and inclusive
gateway test resources, Activiti's compensation test resources, camunda-8-examples' Camunda Modeler 8
files; bench/interop.py --walk --dir runs such a folder): what Duban refused though the engine they
were drawn for runs it, or ran the wrong way. Each is drawn again as its tool saves it, with our own
names and Chinese labels (tests/bpmn/interop/), and run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from engine.errors import InvalidModel
from tests.interop_support import CORPUS, models_engine, open_specs as _open, complete_at as _do

MODELS = ("camunda7_escalation_code_variable.bpmn", "camunda7_error_code_event_subprocess.bpmn",
          "camunda7_priority_expression.bpmn", "zeebe_priority_definition.bpmn")


@pytest.fixture(scope="module")
def engine(module_database_url):
    yield from models_engine(module_database_url, MODELS)


def test_a_caught_escalation_puts_its_code_in_the_variable_the_boundary_names(engine):
    """现场检查（重大隐患升级）(Camunda's EscalationEventTest.testRetrieveEscalationCodeVariableOnBoundaryEvent
    shape): a non-interrupting catch-all escalation boundary with ``camunda:escalationCodeVariable``
    gets the code thrown inside (MAJOR_HAZARD) and the gateway after it reads it — 报告上级部门 while
    督促整改 goes on (《安全生产法》第四十一条). The attribute was dropped: the gateway found no
    ``escalationCode`` and the case went to 核实升级原因."""
    case_id = engine.start("camunda7_escalation_code_variable", by="zhang", org="east").id
    _do(engine, case_id, "Activity_0record", {"major": True})
    assert _open(engine, case_id) == ["Activity_0rectify", "Activity_0report"]
    _do(engine, case_id, "Activity_0report")
    assert engine.case(case_id).data["escalationCode"] == "MAJOR_HAZARD"
    _do(engine, case_id, "Activity_0rectify")
    _do(engine, case_id, "Activity_0close")
    assert engine.case(case_id).status == "completed"


def test_no_escalation_thrown_leaves_the_code_variable_unset(engine):
    case_id = engine.start("camunda7_escalation_code_variable", by="zhang", org="east").id
    _do(engine, case_id, "Activity_0record", {"major": False})
    assert _open(engine, case_id) == ["Activity_0close"]
    assert "escalationCode" not in engine.case(case_id).data


@pytest.mark.parametrize("refused, expected", [(True, ["Activity_0penalty"]), (False, ["Activity_0opinion"])])
def test_an_error_event_subprocess_puts_the_error_code_in_its_variable(engine, refused, expected):
    """执法检查（拒检处理）: the error start event of the event sub-process names
    ``camunda:errorCodeVariable="refusalCode"`` and catches any error; its gateway sends REFUSED to
    立案处罚 (《安全生产法》第一百零八条). Before, refusalCode was never set: 人工核对."""
    case_id = engine.start("camunda7_error_code_event_subprocess", by="zhang", org="east").id
    _do(engine, case_id, "Activity_0record", {"refused": refused})
    assert _open(engine, case_id) == expected
    _do(engine, case_id, expected[0])
    assert engine.case(case_id).status == "completed"


def test_a_code_variable_that_is_no_variable_name_is_refused_naming_the_event(engine):
    text = (CORPUS / "camunda7_escalation_code_variable.bpmn").read_text(encoding="utf-8")
    bad = text.replace('camunda:escalationCodeVariable="escalationCode"', 'camunda:escalationCodeVariable="升级 代码"')
    with pytest.raises(InvalidModel) as err:
        engine.deploy(bad.encode("utf-8"), by="boss", filename="bad_code_variable.bpmn")
    messages = [p["message"] for p in err.value.problems if p["severity"] == "error"]
    assert any("收到升级" in m and "升级代码变量「升级 代码」不是有效的变量名" in m for m in messages), messages


def _priorities(engine, case_id) -> dict[str, int]:
    return {t.spec_id: t.priority for t in engine.case(case_id).tasks}


@pytest.mark.parametrize("typed, expected", [(25, 25), ("30", 30), (" 40 ", 40), (2.5, 0), ("高", 0), (None, 0)])
def test_a_priority_written_as_an_expression_is_computed_as_the_task_opens(engine, typed, expected):
    """举报核查（按等级排序）(Camunda's TaskPriorityExtensionsTest.testPriorityExtension shape):
    ``camunda:priority="${reportPriority}"`` gives the task the case's number, as Camunda does (25 ->
    25); a number typed as text counts; what is no whole number, or nothing, opens it at 0 and the
    case goes on. The attribute was dropped at deploy with a note: every such task opened at 0."""
    data = {"reportPriority": typed} if typed is not None else {}
    case_id = engine.start("camunda7_priority_expression", by="zhang", org="east", data=data).id
    assert _priorities(engine, case_id) == {"Activity_0verify": expected}
    _do(engine, case_id, "Activity_0verify")
    assert _priorities(engine, case_id) == {"Activity_0reply": 10}


def test_a_zeebe_priority_definition_gives_the_task_its_priority(engine):
    """整改复查（优先级）(Camunda Modeler 8.6): ``zeebe:priorityDefinition priority="=reviewPriority"``
    and a literal 75; both were ignored (the tasks opened at 0)."""
    case_id = engine.start("zeebe_priority_definition", by="zhang", org="east", data={"reviewPriority": 60}).id
    assert _priorities(engine, case_id) == {"Activity_0review": 60}
    _do(engine, case_id, "Activity_0review")
    assert _priorities(engine, case_id) == {"Activity_0archive": 75}
    _do(engine, case_id, "Activity_0archive")
    assert engine.case(case_id).status == "completed"


def test_the_priority_expression_deploys_without_the_note_it_had(engine):
    pf = engine.models.validate((CORPUS / "camunda7_priority_expression.bpmn").read_bytes(),
                                "camunda7_priority_expression.bpmn")
    assert not any("优先级" in w.message for w in pf.warnings), [w.message for w in pf.warnings]


def test_compensating_a_finished_sub_process_from_outside_is_refused_saying_what_to_draw(engine):
    """现场检查（撤销查封）(Activiti's CompensateEventTest.testCompensateSubprocessWithUserTask shape,
    Activiti Designer): a compensation throw after the sub-process names it (``activityRef``) while
    the compensation boundary is on 查封设备 inside it; Activiti undoes the inner task. Still refused
    (one error), now saying what is wrong — the sub-process itself has no compensation boundary, its
    inner task has — and what to draw instead; before it said the sub-process was 「不在它所在的流程
    或子流程中，或没有补偿边界事件」 though it is in the same process."""
    with pytest.raises(InvalidModel) as err:
        engine.deploy(CORPUS / "activiti_compensate_completed_subprocess.bpmn", by="boss")
    errors = [p for p in err.value.problems if p["severity"] == "error"]
    assert [p["element_id"] for p in errors] == ["compensationintermediatethrowevent1"]
    message = errors[0]["message"]
    assert "本身没有补偿边界事件" in message and "用户任务「查封设备」(usertask1)" in message
    assert "请在该子流程内、办完要补偿的环节之后画补偿中间事件" in message
    assert "不在它所在的流程或子流程中" not in message


_NESTED = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn" targetNamespace="x">
  <process id="activiti_compensate_nested" name="嵌套补偿" isExecutable="true">
    <startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="outer"/>
    <subProcess id="outer" name="现场处置">
      <startEvent id="os"/><sequenceFlow id="f2" sourceRef="os" targetRef="inner"/>
      <subProcess id="inner" name="查封扣押">
        <startEvent id="is"/><sequenceFlow id="f3" sourceRef="is" targetRef="seal"/>
        <userTask id="seal" name="查封设备"/><sequenceFlow id="f4" sourceRef="seal" targetRef="ie"/>
        <boundaryEvent id="undo" attachedToRef="seal"><compensateEventDefinition/></boundaryEvent>
        <userTask id="unseal" name="解除查封" isForCompensation="true"/>
        <association id="a1" sourceRef="undo" targetRef="unseal"/>
        <endEvent id="ie"/>
      </subProcess>
      <sequenceFlow id="f5" sourceRef="inner" targetRef="throw"/>
      <intermediateThrowEvent id="throw" name="撤销处置"><compensateEventDefinition/></intermediateThrowEvent>
      <sequenceFlow id="f6" sourceRef="throw" targetRef="oe"/><endEvent id="oe"/>
    </subProcess>
    <sequenceFlow id="f7" sourceRef="outer" targetRef="e"/><endEvent id="e"/>
  </process>
</definitions>"""


def test_compensating_a_nested_sub_process_from_its_parent_names_the_inner_one(engine):
    """Activiti's CompensateEventTest.testCompensateNestedSubprocess shape: the throw has nothing of its
    own scope to undo; the refusal names the inner sub-process holding the boundary and what to draw."""
    with pytest.raises(InvalidModel) as err:
        engine.deploy(_NESTED.encode("utf-8"), by="boss", filename="nested_compensation.bpmn")
    errors = [p for p in err.value.problems if p["severity"] == "error"]
    assert [p["element_id"] for p in errors] == ["throw"]
    assert "补偿边界事件画在内层的子流程「查封扣押」(inner)里" in errors[0]["message"]


def test_a_job_on_a_message_end_event_is_said_not_dispatched(engine):
    """整改通知（作业结束事件）(camunda-8-examples' request-state: a message end event with
    ``zeebe:taskDefinition type="request-state-task"``, which Zeebe hands to a job worker as a service
    task): the event completes here and no worker is asked; the deploy said nothing of it. Now a note
    on the event names the job type and what to draw instead; the case still runs to its end."""
    pf = engine.models.validate((CORPUS / "zeebe_message_end_job.bpmn").read_bytes(), "zeebe_message_end_job.bpmn")
    said = [w.message for w in pf.warnings]
    assert any(m.startswith("结束事件「通知企业」(Event_0notify) 的作业类型「notify-enterprise」（zeebe:taskDefinition）"
                            "在本系统中不会派给外部作业程序") and "请在它之前画一个服务任务" in m for m in said), said
    engine.deploy(CORPUS / "zeebe_message_end_job.bpmn", by="boss")
    case_id = engine.start("zeebe_message_end_job", by="zhang", org="east").id
    _do(engine, case_id, "Activity_0order")
    assert engine.case(case_id).status == "completed"
