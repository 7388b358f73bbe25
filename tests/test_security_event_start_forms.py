"""A message's data is checked against the form drawn on the start event it runs, choices taken from
the case's lists too (security round three).

A message (消息) sent through /api/messages — by the 12350 hotline's system, another bureau's data
exchange — carries data into a case. When it starts a case, the data is the new case's data, so a
field whose choices come from the case (a Camunda 8 form's ``valuesKey``) takes them from the list
the message brings: a value outside them was accepted (the field was read as a text box). When it
starts an event sub-process (事件子流程) of a running case, the form on that sub-process's start event
was not checked at all: a required field missing, a choice outside the drawn ones or the case's
list, all accepted. Now both are refused naming the field by its label, and nothing changes.
Models: the public corpus's zeebe_linked_form.bpmn (Camunda Modeler 5.23) with a start form as
Camunda Modeler's form editor saves it, and camunda7_event_subprocess.bpmn (Camunda Modeler 5) with
a form on its message start 收到申辩书. SQLite and PostgreSQL; the REST API once.
"""
from __future__ import annotations

import json

import pytest

from engine.errors import InvalidData
from tests.interop_support import CORPUS
from tests.test_camunda8_forms_choices import FORM, LINKED, START_FORM
from tests.ui_support import api_client, make_world

FORMS = [("inspection-form.form", json.dumps(FORM, ensure_ascii=False).encode()),
         ("start-form.form", json.dumps(START_FORM, ensure_ascii=False).encode())]
DISTRICTS = [{"label": "东城区", "value": "east"}, {"label": "西城区", "value": "west"}]
# the linked-form model started by a message 安排检查消息 at its start event, which draws start-form
BY_MESSAGE = LINKED.read_text(encoding="utf-8").replace(
    '<bpmn:startEvent id="StartEvent_1" name="安排检查">\n      <bpmn:outgoing>Flow_1l1</bpmn:outgoing>',
    '<bpmn:startEvent id="StartEvent_1" name="安排检查"><bpmn:extensionElements>'
    '<zeebe:formDefinition formId="start-form" /></bpmn:extensionElements>\n      <bpmn:outgoing>Flow_1l1</bpmn:outgoing>'
    '<bpmn:messageEventDefinition id="Med_1" messageRef="Message_1" />').replace(
    '</bpmn:process>', '</bpmn:process><bpmn:message id="Message_1" name="安排检查消息" />').replace(
    'id="zeebe_linked_form" name="现场检查（链接表单）"', 'id="zeebe_message_form" name="现场检查（消息发起）"')
# the same model (started plainly) with a non-interrupting event sub-process 追加检查 that a message starts
EXTRA = ('<bpmn:subProcess id="Activity_0extra" name="追加检查" triggeredByEvent="true">'
         '<bpmn:startEvent id="Event_0more" name="收到追加检查通知" isInterrupting="false"><bpmn:extensionElements>'
         '<zeebe:formDefinition formId="start-form" /></bpmn:extensionElements><bpmn:outgoing>Flow_0m1</bpmn:outgoing>'
         '<bpmn:messageEventDefinition id="Med_0m" messageRef="Message_0m" /></bpmn:startEvent>'
         '<bpmn:userTask id="Activity_0more" name="追加检查"><bpmn:extensionElements><zeebe:userTask />'
         '<zeebe:assignmentDefinition candidateGroups="inspector" /></bpmn:extensionElements>'
         '<bpmn:incoming>Flow_0m1</bpmn:incoming><bpmn:outgoing>Flow_0m2</bpmn:outgoing></bpmn:userTask>'
         '<bpmn:endEvent id="Event_0mend"><bpmn:incoming>Flow_0m2</bpmn:incoming></bpmn:endEvent>'
         '<bpmn:sequenceFlow id="Flow_0m1" sourceRef="Event_0more" targetRef="Activity_0more" />'
         '<bpmn:sequenceFlow id="Flow_0m2" sourceRef="Activity_0more" targetRef="Event_0mend" /></bpmn:subProcess>')
WITH_SUBPROCESS = LINKED.read_text(encoding="utf-8").replace(
    '</bpmn:process>', EXTRA + '</bpmn:process><bpmn:message id="Message_0m" name="追加检查通知" />')
DEFENSE = (CORPUS / "camunda7_event_subprocess.bpmn").read_text(encoding="utf-8").replace(
    '<bpmn:startEvent id="Event_0dstart" name="收到申辩书" isInterrupting="false">',
    '<bpmn:startEvent id="Event_0dstart" name="收到申辩书" isInterrupting="false"><bpmn:extensionElements>'
    '<camunda:formData><camunda:formField id="way" label="申辩方式" type="enum">'
    '<camunda:value id="written" name="书面" /><camunda:value id="oral" name="口头" /></camunda:formField>'
    '<camunda:formField id="statement" label="申辩内容" type="string"><camunda:validation>'
    '<camunda:constraint name="required" /></camunda:validation></camunda:formField>'
    '</camunda:formData></bpmn:extensionElements>', 1)


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("event-forms"),
                   None if module_database_url.startswith("sqlite") else module_database_url)
    w.engine.deploy(BY_MESSAGE.encode(), filename="zeebe_message_form.bpmn", by="zhao", forms=FORMS)
    w.engine.deploy(WITH_SUBPROCESS.encode(), filename="zeebe_linked_form.bpmn", by="zhao", forms=FORMS)
    w.engine.deploy(DEFENSE.encode(), filename="camunda7_event_subprocess.bpmn", by="zhao")
    yield w
    w.engine.dispose()


def _count(engine, key: str) -> int:
    return sum(1 for c in engine.cases("zhao", limit=1000) if c.process_key == key)


def test_a_message_start_refuses_a_choice_outside_the_list_it_brings(world):
    e = world.engine
    before = _count(e, "zeebe_message_form")
    with pytest.raises(InvalidData) as refused:
        e.correlate_message("安排检查消息", by="zhang", data={"districts": DISTRICTS, "area": "北城区", "kind": "routine"})
    assert refused.value.errors == {"area": "「检查区域」须为以下之一：东城区、西城区"}
    assert _count(e, "zeebe_message_form") == before and not e.incidents()
    got = e.correlate_message("安排检查消息", by="zhang", data={"districts": DISTRICTS, "area": "西城区", "kind": "routine"})
    assert got["started"] and e.case(got["case_id"]).data["area"] == "west"  # chosen by its label, stored as listed


def test_an_event_subprocess_start_form_takes_its_choices_from_the_running_case(world):
    e = world.engine
    case = e.start("zeebe_linked_form", by="zhang", org="east", title="丁公司现场检查", data={"districts": DISTRICTS})
    before = e.case(case.id)
    with pytest.raises(InvalidData) as refused:
        e.correlate_message("追加检查通知", by="zhang", case_id=case.id, data={"area": "北城区", "kind": "routine"})
    assert refused.value.errors == {"area": "「检查区域」须为以下之一：东城区、西城区"}
    after = e.case(case.id)
    assert [t.name for t in after.tasks] == ["现场检查"] and len(after.history) == len(before.history)
    e.correlate_message("追加检查通知", by="zhang", case_id=case.id, data={"area": "east", "kind": "special"})
    assert sorted(t.name for t in e.case(case.id).tasks) == ["现场检查", "追加检查"]


def test_an_event_subprocess_start_form_refuses_a_missing_required_field_and_an_undrawn_choice(world):
    e = world.engine
    case = e.start("camunda7_event_subprocess", by="zhang", org="east", title="某公司违法行为立案")
    with pytest.raises(InvalidData) as refused:
        e.correlate_message("申辩书", by="zhang", case_id=case.id, data={"way": "电子邮件"})
    assert refused.value.errors == {"way": "「申辩方式」须为以下之一：书面、口头", "statement": "「申辩内容」为必填项"}
    assert [t.name for t in e.case(case.id).tasks] == ["调查取证"]
    client = api_client(world.app, e, 'zhang')
    r = client.post("/api/messages", json={"name": "申辩书", "case_id": case.id, "data": {"way": "口头"}})
    assert r.status_code in (400, 422) and "「申辩内容」为必填项" in r.get_data(as_text=True)
    r = client.post("/api/messages", json={"name": "申辩书", "case_id": case.id,
                                           "data": {"way": "书面", "statement": "对违法事实无异议，请求从轻处罚"}})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert sorted(t.name for t in e.case(case.id).tasks) == ["听取陈述申辩", "调查取证"]
