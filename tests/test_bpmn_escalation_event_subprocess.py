"""An escalation event sub-process of the process itself (升级事件子流程) starts for an escalation thrown
anywhere in the case: interrupting, it takes the case out of its flow; isInterrupting="false", it runs
beside it (engine/interrupting.py reads its escalation start; SpiffWorkflow read it as a plain start,
so engine/validation.py refused it). SQLite and PostgreSQL.

tests/test_bpmn_error_event_subprocess.py's Camunda Modeler model with escalation 拒绝检查 (code
REFUSED) thrown by the end event 拒绝检查 of 现场检查 instead of an error.
"""
from __future__ import annotations

import pytest

from tests.support import engine_fixture
from tests.test_bpmn_error_event_subprocess import KEY, MODEL

engine = engine_fixture()

ESCALATION = (MODEL
              .replace('<bpmn:errorEventDefinition id="ErrorEventDefinition_1" errorRef="Error_1" />',
                       '<bpmn:escalationEventDefinition id="EscalationEventDefinition_1" escalationRef="Escalation_1" />')
              .replace('<bpmn:errorEventDefinition id="ErrorEventDefinition_2" errorRef="Error_1" />',
                       '<bpmn:escalationEventDefinition id="EscalationEventDefinition_2" escalationRef="Escalation_1" />')
              .replace('<bpmn:error id="Error_1" name="拒绝检查" errorCode="REFUSED" />',
                       '<bpmn:escalation id="Escalation_1" name="拒绝检查" escalationCode="REFUSED" />'))
BESIDE = ESCALATION.replace('<bpmn:startEvent id="Event_0caught" name="拒检">',
                            '<bpmn:startEvent id="Event_0caught" name="拒检" isInterrupting="false">')


def _open(engine, case_id) -> list[str]:
    return sorted(t.name for t in engine.case(case_id).tasks)


@pytest.mark.parametrize("xml, after", [(ESCALATION, ["移送公安机关"]),
                                        (BESIDE, sorted(["出具意见", "告知企业", "移送公安机关"]))],
                         ids=["interrupting", "non-interrupting"])
def test_an_escalation_starts_the_processes_escalation_event_subprocess(engine, xml, after):
    engine.deploy(xml.encode(), by="boss", filename=f"{KEY}.bpmn")
    case = engine.start(KEY, by="zhang", org="east", data={})
    (enter,) = [t for t in engine.case(case.id).tasks if t.name == "进入现场"]
    engine.complete(enter.id, "zhang", {"refused": True})
    engine._evict(case.id)
    assert _open(engine, case.id) == after
    assert "escalation_not_caught" not in [h["action"] for h in engine.case(case.id).history]
    for name in after:
        (task,) = [t for t in engine.case(case.id).tasks if t.name == name]
        engine.complete(task.id, "zhang", {})
    assert engine.case(case.id).status == "completed"
