"""Data named like a function model code calls (数据项与系统函数同名, issue 15).

A case's scripts call functions the engine provides — ``now()``, ``today()``, ``date``, ``start_case``,
the working-day helpers (工作日计算). SpiffWorkflow stops every script of a case whose data holds one
of those names, in English ("You have task data that overwrites a predefined function(s)…"). A REST
client starting a case with ``{"now": "上午"}``, or completing a task with ``{"today": "周一"}``, made
the case stop at its next script with that English incident (hspiff noticed it walking our models).
Such data is now refused where it comes in — start, completion, message, signal — naming the field in
Chinese, with nothing started or completed. A model's own script assigning such a name keeps it out
of the case data (the case runs on); a case holding one from before is said in Chinese, not in
SpiffWorkflow's words.

A model drawn as bpmn.io draws it (登记 → a Python script → 审核). SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from engine import incident_words
from engine.errors import InvalidData
from tests.ui_support import api_client, make_world
from webui.labels import incident_explanation

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_1"
  targetNamespace="http://bpmn.io/schema/bpmn" exporter="bpmn-js (https://demo.bpmn.io)" exporterVersion="17.11.1">
  <bpmn:message id="Message_0reply" name="企业回复" />
  <bpmn:process id="{key}" name="隐患复查" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0reg" />
    <bpmn:userTask id="Activity_0reg" name="登记" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0reg" targetRef="Activity_0calc" />
    <bpmn:scriptTask id="Activity_0calc" name="计算复查日" scriptFormat="python">
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_0calc" targetRef="Event_0wait" />
    <bpmn:intermediateCatchEvent id="Event_0wait" name="等企业回复">
      <bpmn:messageEventDefinition id="Med_1" messageRef="Message_0reply" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Event_0wait" targetRef="Activity_0note" />
    <bpmn:scriptTask id="Activity_0note" name="记录回复" scriptFormat="python">
      <bpmn:script>已回复 = True</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="Flow_6" sourceRef="Activity_0note" targetRef="Activity_0check" />
    <bpmn:userTask id="Activity_0check" name="审核" />
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Activity_0check" targetRef="Event_0end" />
    <bpmn:endEvent id="Event_0end" />
  </bpmn:process>
</bpmn:definitions>
"""
# Camunda Modeler 5: a form field 「date」 on the first task, read by a script-free mapping and a condition
CAMUNDA_DATE_FIELD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_0date"
  targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.28.0">
  <bpmn:process id="camunda7_field_named_date" name="复查登记" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0reg" />
    <bpmn:userTask id="Activity_0reg" name="登记复查日期">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="date" label="复查日期" type="date" />
        </camunda:formData>
        <camunda:inputOutput>
          <camunda:outputParameter name="recheckOn">${date}</camunda:outputParameter>
        </camunda:inputOutput>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0reg" targetRef="Activity_0check" />
    <bpmn:userTask id="Activity_0check" name="现场复查" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_0check" targetRef="Event_0end" />
    <bpmn:endEvent id="Event_0end" />
  </bpmn:process>
</bpmn:definitions>
"""
REFUSED = "「{}」是系统函数的名称，不能用作数据项的名称，请改用别的名称"


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("function-names"),
                   None if module_database_url.startswith("sqlite") else module_database_url)
    w.engine.deploy(MODEL.replace("{key}", "recheck_days").replace("{script}", "复查日 = 3").encode(),
                    filename="recheck_days.bpmn", by="zhao")
    w.engine.deploy(MODEL.replace("{key}", "sets_now").replace("{script}", "now = '上午'").encode(),
                    filename="sets_now.bpmn", by="zhao")
    w.engine.deploy(CAMUNDA_DATE_FIELD.encode(), filename="camunda7_field_named_date.bpmn", by="zhao")
    yield w
    w.engine.dispose()


@pytest.fixture
def api(world):
    client = api_client(world.app, world.engine, 'zhang')
    return client


def _cases(engine, key: str) -> int:
    return sum(1 for c in engine.cases("zhao", limit=1000) if c.process_key == key)


def _open_task(engine, case_id: int):
    return next(t for t in engine.queue("zhang") if t.case_id == case_id)


def test_a_start_through_the_api_with_data_named_now_is_refused_naming_the_field(world, api):
    e = world.engine
    before, incidents = _cases(e, "recheck_days"), len(e.incidents())
    r = api.post("/api/cases", json={"process_key": "recheck_days", "title": "储罐区复查",
                                     "data": {"now": "上午", "企业": "甲化工"}})
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["errors"] == {"now": REFUSED.format("now")}
    assert _cases(e, "recheck_days") == before and len(e.incidents()) == incidents


def test_a_completion_with_data_named_today_is_refused_and_the_task_stays_open(world, api):
    e = world.engine
    case = e.start("recheck_days", by="zhang", org="east", data={"企业": "甲化工"})
    task = _open_task(e, case.id)
    r = api.post(f"/api/tasks/{task.id}/complete", json={"data": {"today": "周一", "start_case": 1, "意见": "同意"}})
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["errors"] == {"start_case": REFUSED.format("start_case"), "today": REFUSED.format("today")}
    assert _open_task(e, case.id).id == task.id and "意见" not in e.case(case.id).data
    r = api.post(f"/api/tasks/{task.id}/complete", json={"data": {"意见": "同意"}})
    assert r.status_code == 200, r.get_json()
    assert e.case(case.id).data["复查日"] == 3  # the script ran


def test_a_message_or_signal_with_data_named_date_is_refused_and_the_case_still_waits(world):
    e = world.engine
    case = e.start("recheck_days", by="zhang", org="east", data={"企业": "乙机械"})
    e.complete(_open_task(e, case.id).id, "zhang", {})
    with pytest.raises(InvalidData) as refused:
        e.correlate_message("企业回复", by="zhang", case_id=case.id, data={"date": "2026-12-01"})
    assert refused.value.errors == {"date": REFUSED.format("date")}
    with pytest.raises(InvalidData):
        e.broadcast_signal("任意信号", by="zhang", data={"now": 1})
    assert e.correlate_message("企业回复", by="zhang", case_id=case.id, data={"回复日期": "2026-12-01"})["case_id"] == case.id
    assert _open_task(e, case.id).name == "审核"


def test_a_models_own_script_assigning_now_keeps_it_out_of_the_case_data_and_the_case_runs(world):
    e = world.engine
    case = e.start("sets_now", by="zhang", org="east", data={})
    e.complete(_open_task(e, case.id).id, "zhang", {})  # its script assigns now = '上午'
    assert "now" not in e.case(case.id).data
    e.correlate_message("企业回复", by="zhang", case_id=case.id, data={})  # the next script runs
    assert _open_task(e, case.id).name == "审核" and e.case(case.id).data["已回复"] is True


def test_a_camunda_form_field_named_date_is_the_models_own_variable_and_its_mapping_reads_it(world, api):
    """Camunda 7 reads ${date} as the form's field: declared by the drawn form, the name is accepted
    and the output mapping (a script) runs with it, where SpiffWorkflow refused the case's scripts."""
    e = world.engine
    case = e.start("camunda7_field_named_date", by="zhang", org="east", data={})
    task = _open_task(e, case.id)
    r = api.post(f"/api/tasks/{task.id}/complete", json={"data": {"date": "2026年12月20日"}})
    assert r.status_code == 200, r.get_json()
    data = e.case(case.id).data
    assert data["date"] == data["recheckOn"] == "2026-12-20" and _open_task(e, case.id).name == "现场复查"
    assert not [i for i in e.incidents() if i.case_id == case.id]


def test_spiffworkflows_words_for_a_name_taken_by_a_function_are_said_in_chinese():
    said = incident_words.plain_cause("ValueError:You have task data that overwrites a predefined function(s). "
                                      "Please change the following variable or field name(s) to something else: "
                                      "{'now', 'date'}")
    assert said is not None and "「now」" in said and "「date」" in said and said.endswith(incident_words.FIX_MODEL)
    page = incident_explanation("「计算复查日」出错: " + said + " — ValueError:You have task data that overwrites …")
    assert "与系统函数同名" in page and "overwrites" not in page and "流程执行出错" not in page, page
