"""Compensation (补偿) as BPMN 2.0 §10.5.6 and Camunda 7 run it (engine/compensation.py): a compensation
throw event runs the handlers of the completed activities of its scope that carry a compensation
boundary event, the one completed last first, and waits for them; an activity not completed is not
compensated; each completion once.

tests/bpmn/interop/camunda7_seizure_compensation.bpmn (Camunda Modeler 5 for 7.20): 查封设备 (handler
解除查封) → 暂扣证照 (handler 退还证照) → 行政复议; 撤销 reaches the intermediate throw 撤销强制措施:
退还证照 and 解除查封 open, 告知当事人 only once both are done (《行政强制法》第二十八条). Reaching the
end event 解除全部措施 right after 查封设备 (企业当场整改完毕) runs 解除查封 only: 暂扣证照 never ran.
Before, the deploy refused the compensation boundary events (「本系统不支持补偿边界事件」). SQLite and
PostgreSQL; the engine is made anew (a restart) while the handlers are open.
"""
from __future__ import annotations

import pytest

from engine import state
from engine.errors import InvalidModel
from engine.schema import Case
from tests.test_event_subprocess_scoped import World, world  # noqa: F401  (the fixture)

KEY = "camunda7_seizure_compensation"


def _handlers_started(world, case_id: int) -> list[str]:
    """The handler tasks the throw event started, in the order it started them."""
    eng = world.engine
    with eng.db.read() as s:
        spec, subs = eng.models.specs(s, s.get(Case, case_id).bundle_hash)
        workflow = state.restore(s, case_id, spec, subs, eng.script_engine).workflow
    throw = next(t for t in workflow.tasks.values() if t.task_spec.bpmn_id == "Event_1undo")
    return [c.task_spec.bpmn_name for c in throw.children if c.triggered]


def test_a_revoked_seizure_undoes_both_measures_the_last_first_then_notifies(world):  # noqa: F811
    world.deploy(f"{KEY}.bpmn")
    case_id = world.start(KEY)
    world.work(case_id, "查封设备", {"selfRectified": False})
    world.work(case_id, "暂扣证照")
    world.work(case_id, "行政复议", {"revoked": True})
    assert world.open(case_id) == ["解除查封", "退还证照"]
    assert _handlers_started(world, case_id) == ["退还证照", "解除查封"]  # the one completed last first
    world.restart()
    world.work(case_id, "退还证照")
    assert world.open(case_id) == ["解除查封"]  # the throw event waits for every handler
    world.work(case_id, "解除查封")
    assert world.open(case_id) == ["告知当事人"]
    world.work(case_id, "告知当事人")
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"


def test_an_upheld_seizure_undoes_nothing(world):  # noqa: F811
    world.deploy(f"{KEY}.bpmn")
    case_id = world.start(KEY)
    world.work(case_id, "查封设备", {"selfRectified": False})
    world.work(case_id, "暂扣证照")
    world.work(case_id, "行政复议", {"revoked": False})
    assert world.engine.case(case_id).status == "completed"


def test_the_compensation_end_event_undoes_only_what_was_done(world):  # noqa: F811
    """解除全部措施 right after 查封设备: 暂扣证照 never ran, so 退还证照 does not open (Camunda: the
    handlers of activities not completed are not invoked); the case ends once 解除查封 is done."""
    world.deploy(f"{KEY}.bpmn")
    case_id = world.start(KEY)
    world.work(case_id, "查封设备", {"selfRectified": True})
    assert world.open(case_id) == ["解除查封"]
    world.restart()
    world.work(case_id, "解除查封")
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"


def _without(text: str, *cuts: tuple[str, str]) -> str:
    for old, new in cuts:
        assert old in text
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("cut, element, words", [
    (('<bpmn:association id="Association_1seal" associationDirection="One" sourceRef="Event_1sealUndo" '
      'targetRef="Activity_1unseal" />', ""), "Event_1sealUndo", "没有关联补偿处理环节"),
    (('<bpmn:userTask id="Activity_1unseal" name="解除查封" isForCompensation="true" camunda:candidateGroups="inspector" />',
      '<bpmn:subProcess id="Activity_1unseal" name="解除查封" isForCompensation="true" />'),
     "Activity_1unseal", "只支持任务作补偿处理环节"),
    (('<bpmn:compensateEventDefinition id="CompensateEventDefinition_1undo" />',
      '<bpmn:compensateEventDefinition id="CompensateEventDefinition_1undo" activityRef="Activity_1review" />'),
     "Event_1undo", "要补偿的用户任务「行政复议」(Activity_1review)没有补偿边界事件；请给它画补偿边界事件"),
])
def test_what_compensation_cannot_run_is_refused_naming_the_element(world, cut, element, words):  # noqa: F811
    from tests.interop_support import CORPUS

    text = _without((CORPUS / f"{KEY}.bpmn").read_text(encoding="utf-8"), cut)
    with pytest.raises(InvalidModel) as refused:
        world.engine.deploy(text.encode(), by="boss", filename=f"{KEY}.bpmn")
    assert refused.value.element_id == element or any(p.get("element_id") == element for p in refused.value.problems)
    assert words in str(refused.value)


def test_a_script_handler_runs_at_once_and_what_it_writes_goes_on_with_the_flow(world):  # noqa: F811
    """A handler the engine runs (a script task) is done in the throw's step; the throw event still
    waits for the person's 退还证照, then 告知当事人 sees what the script wrote."""
    from tests.interop_support import CORPUS, open_task_data

    text = _without((CORPUS / f"{KEY}.bpmn").read_text(encoding="utf-8"), (
        '<bpmn:userTask id="Activity_1unseal" name="解除查封" isForCompensation="true" camunda:candidateGroups="inspector" />',
        '<bpmn:scriptTask id="Activity_1unseal" name="登记解除查封" isForCompensation="true" scriptFormat="python">'
        '<bpmn:script>unsealed = True</bpmn:script></bpmn:scriptTask>'))
    world.engine.deploy(text.encode(), by="boss", filename=f"{KEY}.bpmn")
    case_id = world.start(KEY)
    world.work(case_id, "查封设备", {"selfRectified": False})
    world.work(case_id, "暂扣证照")
    world.work(case_id, "行政复议", {"revoked": True})
    assert world.open(case_id) == ["退还证照"]
    world.work(case_id, "退还证照")
    assert world.open(case_id) == ["告知当事人"]
    assert open_task_data(world.engine, case_id, "Activity_1notify")["unsealed"] is True


NESTED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_0cn1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.19.0">
  <bpmn:process id="camunda7_evidence_compensation" name="现场处置（物证封存）" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:subProcess id="Activity_0site" name="现场处置">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
      <bpmn:startEvent id="Event_0s"><bpmn:outgoing>Flow_s1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:userTask id="Activity_0seal" name="封存物证" camunda:candidateGroups="inspector">
        <bpmn:incoming>Flow_s1</bpmn:incoming><bpmn:outgoing>Flow_s2</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:boundaryEvent id="Event_0sealUndo" attachedToRef="Activity_0seal"><bpmn:compensateEventDefinition id="Ced_0a" /></bpmn:boundaryEvent>
      <bpmn:boundaryEvent id="Event_0late" name="封存超期" attachedToRef="Activity_0seal">
        <bpmn:outgoing>Flow_s4</bpmn:outgoing>
        <bpmn:timerEventDefinition id="Ted_0late"><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P3D</bpmn:timeDuration></bpmn:timerEventDefinition>
      </bpmn:boundaryEvent>
      <bpmn:userTask id="Activity_0unseal" name="启封物证" isForCompensation="true" camunda:candidateGroups="inspector" />
      <bpmn:intermediateThrowEvent id="Event_0undo" name="撤销封存">
        <bpmn:incoming>Flow_s2</bpmn:incoming><bpmn:incoming>Flow_s4</bpmn:incoming><bpmn:outgoing>Flow_s3</bpmn:outgoing>
        <bpmn:compensateEventDefinition id="Ced_0t" />
      </bpmn:intermediateThrowEvent>
      <bpmn:endEvent id="Event_0se"><bpmn:incoming>Flow_s3</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="Flow_s1" sourceRef="Event_0s" targetRef="Activity_0seal" />
      <bpmn:sequenceFlow id="Flow_s2" sourceRef="Activity_0seal" targetRef="Event_0undo" />
      <bpmn:sequenceFlow id="Flow_s4" sourceRef="Event_0late" targetRef="Event_0undo" />
      <bpmn:sequenceFlow id="Flow_s3" sourceRef="Event_0undo" targetRef="Event_0se" />
      <bpmn:association id="Association_0a" associationDirection="One" sourceRef="Event_0sealUndo" targetRef="Activity_0unseal" />
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="Event_0siteUndo" attachedToRef="Activity_0site"><bpmn:compensateEventDefinition id="Ced_0b" /></bpmn:boundaryEvent>
    <bpmn:userTask id="Activity_0revoke" name="撤销现场处置决定" isForCompensation="true" camunda:candidateGroups="inspector" />
    <bpmn:userTask id="Activity_0check" name="复核" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="Event_0end" name="全部撤销"><bpmn:incoming>Flow_3</bpmn:incoming><bpmn:compensateEventDefinition id="Ced_0e" /></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0site" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0site" targetRef="Activity_0check" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_0check" targetRef="Event_0end" />
    <bpmn:association id="Association_0b" associationDirection="One" sourceRef="Event_0siteUndo" targetRef="Activity_0revoke" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_sub_process_compensates_its_own_and_the_process_the_completed_sub_process(world):  # noqa: F811
    """Camunda 7 (CompensateEventTest's shapes): a throw inside a sub-process compensates that
    sub-process's completed activities; the end event of the process compensates the completed
    sub-process through its own handler."""
    world.engine.deploy(NESTED.encode(), by="boss", filename="camunda7_evidence_compensation.bpmn")
    case_id = world.start("camunda7_evidence_compensation")
    world.work(case_id, "封存物证")
    assert world.open(case_id) == ["启封物证"]
    world.restart()
    world.work(case_id, "启封物证")
    world.work(case_id, "复核")
    assert world.open(case_id) == ["撤销现场处置决定"]
    world.work(case_id, "撤销现场处置决定")
    assert world.engine.case(case_id).status == "completed"


def test_an_activity_its_timer_interrupted_is_not_compensated(world):  # noqa: F811
    """封存超期 (P3D) interrupts 封存物证 before it is done: the throw finds nothing completed to
    undo (Camunda: a cancelled activity is not compensated); the timer fires once across a restart."""
    world.engine.deploy(NESTED.encode(), by="boss", filename="camunda7_evidence_compensation.bpmn")
    case_id = world.start("camunda7_evidence_compensation")
    assert world.later(days=3, seconds=1) == 1
    world.restart()
    assert world.engine.run_due_timers() == 0
    assert world.open(case_id) == ["复核"]  # no 启封物证
    world.work(case_id, "复核")
    assert world.open(case_id) == ["撤销现场处置决定"]


def test_an_association_drawn_from_the_handler_to_the_boundary_event_gives_it_no_handler(world):  # noqa: F811
    """Camunda 7 takes a compensation boundary event's handler from an association whose source is the
    event (``BpmnParse.parseAssociations``); one drawn the other way round gives it none, and the
    deploy says so naming the event."""
    from tests.interop_support import CORPUS

    text = _without((CORPUS / f"{KEY}.bpmn").read_text(encoding="utf-8"), (
        'sourceRef="Event_1holdUndo" targetRef="Activity_1giveBack"', 'sourceRef="Activity_1giveBack" targetRef="Event_1holdUndo"'))
    with pytest.raises(InvalidModel) as refused:
        world.engine.deploy(text.encode(), by="boss", filename=f"{KEY}.bpmn")
    assert refused.value.element_id == "Event_1holdUndo"
    assert "没有关联补偿处理环节" in str(refused.value)


def test_a_compensation_thrown_from_an_event_subprocess_is_refused_saying_so(world):  # noqa: F811
    """Camunda compensates the enclosing scope from a throw inside an event sub-process (an error
    handler undoing its process's work); not run here, the deploy says that, naming the event."""
    from tests.interop_support import CORPUS

    handler = ('<bpmn:subProcess id="Activity_1onError" name="复议期间出错" triggeredByEvent="true">'
               '<bpmn:startEvent id="Event_1err"><bpmn:outgoing>Flow_1e1</bpmn:outgoing>'
               '<bpmn:errorEventDefinition id="Ed_1" /></bpmn:startEvent>'
               '<bpmn:endEvent id="Event_1errUndo" name="全部撤销"><bpmn:incoming>Flow_1e1</bpmn:incoming>'
               '<bpmn:compensateEventDefinition id="Ced_1e" /></bpmn:endEvent>'
               '<bpmn:sequenceFlow id="Flow_1e1" sourceRef="Event_1err" targetRef="Event_1errUndo" />'
               '</bpmn:subProcess>')
    text = _without((CORPUS / f"{KEY}.bpmn").read_text(encoding="utf-8"), ("</bpmn:process>", handler + "</bpmn:process>"))
    with pytest.raises(InvalidModel) as refused:
        world.engine.deploy(text.encode(), by="boss", filename=f"{KEY}.bpmn")
    assert refused.value.element_id == "Event_1errUndo"
    assert "画在子流程「复议期间出错」(Activity_1onError)（事件子流程）中：从事件子流程补偿其所在流程或子流程的环节，本系统暂不支持" in str(refused.value)
