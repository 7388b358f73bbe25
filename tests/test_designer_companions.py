"""The designer deploys a model with its forms and decision tables (附带文件, webui/designer_companions.py).

A Camunda 8 model as Camunda Modeler 5 writes it links its forms by ``formId`` to ``.form`` files and
calls a decision by ``zeebe:calledDecision``: Zeebe deploys the three kinds of file together. The
designer page sends the ``.form`` and ``.dmn`` files imported with the model as ``companions``;
validate, the deploy preview, the deploy and the test-run (试运行) take them: a form is embedded
where its task links it (as the REST API's ``forms`` field does), a decision table is checked and
deployed just before the model. A linked form left out is a warning naming the task and the form
(as the REST API says), not the designer's refusal of a task without a form. A deployed version's
companions are downloaded from its versions page. Flask test client, SQLite file and PostgreSQL.

The decision table is the public corpus's zeebe_enterprise_grade.dmn (Camunda Modeler 5.22), the
linked form its inspection-form.form; the model and the 企业情况 form are drawn here as Camunda
Modeler 5.23 draws a Camunda 8.5 model.
"""
from __future__ import annotations

import json

import pytest

from tests.interop_support import CORPUS
from tests.test_designer_endpoints import add_designers, post
from tests.ui_support import client_login, make_world, open_task

MODEL_FILE = "grade_check.bpmn"
DMN_FILE = "zeebe_enterprise_grade.dmn"
DMN = (CORPUS / DMN_FILE).read_text(encoding="utf-8")
INSPECTION_FILE = "inspection-form.form"
INSPECTION = (CORPUS / INSPECTION_FILE).read_text(encoding="utf-8")
FACTS_FILE = "enterprise-facts.form"
FACTS = json.dumps({
    "components": [
        {"label": "行业", "type": "select", "id": "Field_1ind", "key": "industry",
         "values": [{"label": "危险化学品", "value": "危险化学品"}, {"label": "制造业", "value": "制造业"},
                    {"label": "矿山", "value": "矿山"}],
         "validate": {"required": True}},
        {"label": "从业人数", "type": "number", "id": "Field_1emp", "key": "employees", "decimalDigits": 0,
         "validate": {"required": True, "min": 0}},
    ],
    "type": "default", "id": "enterprise-facts", "executionPlatform": "Camunda Cloud",
    "executionPlatformVersion": "8.5.0", "exporter": {"name": "Camunda Modeler", "version": "5.23.0"},
    "schemaVersion": 16}, ensure_ascii=False, indent=2)

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_0gc1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.23.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.5.0">
  <bpmn:collaboration id="Collaboration_0gc1">
    <bpmn:participant id="Participant_0gc1" name="企业分级核查" processRef="grade_check" />
  </bpmn:collaboration>
  <bpmn:process id="grade_check" name="企业分级核查" isExecutable="true">
    <bpmn:laneSet id="LaneSet_0gc1">
      <bpmn:lane id="Lane_0insp" name="执法人员">
        <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Activity_0facts</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Activity_0grade</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Activity_0check</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Event_0done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1" name="开始"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_0facts" name="登记企业情况">
      <bpmn:extensionElements>
        <zeebe:userTask />
        <zeebe:formDefinition formId="enterprise-facts" />
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:businessRuleTask id="Activity_0grade" name="确定监管等级">
      <bpmn:extensionElements>
        <zeebe:calledDecision decisionId="Decision_0grade" resultVariable="grade" />
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:userTask id="Activity_0check" name="现场检查">
      <bpmn:extensionElements>
        <zeebe:userTask />
        <zeebe:formDefinition formId="inspection-form" />
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_3</bpmn:incoming><bpmn:outgoing>Flow_4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_0done" name="核查完成"><bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0facts" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0facts" targetRef="Activity_0grade" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_0grade" targetRef="Activity_0check" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Activity_0check" targetRef="Event_0done" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Collaboration_0gc1">
      <bpmndi:BPMNShape id="Participant_0gc1_di" bpmnElement="Participant_0gc1" isHorizontal="true">
        <dc:Bounds x="120" y="60" width="760" height="200" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_0insp_di" bpmnElement="Lane_0insp" isHorizontal="true">
        <dc:Bounds x="150" y="60" width="730" height="200" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="192" y="142" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_0facts_di" bpmnElement="Activity_0facts"><dc:Bounds x="270" y="120" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_0grade_di" bpmnElement="Activity_0grade"><dc:Bounds x="420" y="120" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_0check_di" bpmnElement="Activity_0check"><dc:Bounds x="570" y="120" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Event_0done_di" bpmnElement="Event_0done"><dc:Bounds x="722" y="142" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1"><di:waypoint x="228" y="160" /><di:waypoint x="270" y="160" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2"><di:waypoint x="370" y="160" /><di:waypoint x="420" y="160" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_3_di" bpmnElement="Flow_3"><di:waypoint x="520" y="160" /><di:waypoint x="570" y="160" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_4_di" bpmnElement="Flow_4"><di:waypoint x="670" y="160" /><di:waypoint x="722" y="160" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

ALL = [{"filename": FACTS_FILE, "content": FACTS}, {"filename": INSPECTION_FILE, "content": INSPECTION},
       {"filename": DMN_FILE, "content": DMN}]


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    add_designers(w.engine)
    yield w
    w.engine.dispose()


@pytest.fixture
def designer(world):
    return client_login(world.app, "xu")


def draft(companions=ALL, **more) -> dict:
    return {"xml": MODEL, "filename": MODEL_FILE, "companions": companions, **more}


def messages(found: list[dict]) -> list[str]:
    return [p["message"] for p in found]


def test_validate_takes_the_forms_and_the_decision_table_imported_with_the_model(world, designer):
    r = post(designer, "/designer/api/validate", draft())
    assert r.status_code == 200, r.get_json()
    assert not any("链接的 Camunda 表单" in m for m in messages(r.get_json()["warnings"]))
    # without them: the decision table is missing (an error), each linked form a warning naming the
    # task and the form — not the designer's refusal of a task without a form
    r = post(designer, "/designer/api/validate", draft(companions=[]))
    assert r.status_code == 422
    said = messages(r.get_json()["problems"])
    assert any("找不到决策表「Decision_0grade」" in m for m in said), said
    assert not any("办理人无从填写" in m for m in said), said
    r = post(designer, "/designer/api/validate", draft(companions=[c for c in ALL if c["filename"] != INSPECTION_FILE]))
    assert r.status_code == 200, r.get_json()
    warnings = [w for w in r.get_json()["warnings"] if "链接的 Camunda 表单" in w["message"]]
    assert len(warnings) == 1 and "「现场检查」" in warnings[0]["message"] and "「inspection-form」" in warnings[0]["message"]
    assert warnings[0]["element_id"] == "Activity_0check"


def test_a_companion_that_is_no_form_or_is_linked_by_nothing_is_named(world, designer):
    r = post(designer, "/designer/api/validate", draft(companions=[{"filename": "notes.txt", "content": "x"}]))
    assert (r.status_code, r.get_json()["error"]) == (400, "附带文件「notes.txt」不是表单（.form）或决策表（.dmn）文件")
    stray = json.dumps({"id": "other-form", "components": []})
    r = post(designer, "/designer/api/validate", draft(companions=ALL + [{"filename": "other.form", "content": stray}]))
    assert r.status_code == 422
    assert "「other.form」（表单编号「other-form」）未被模型中的任何用户任务或开始事件引用" in r.get_json()["error"]
    broken = DMN.replace("</definitions>", "")
    r = post(designer, "/designer/api/validate", draft(companions=[{"filename": DMN_FILE, "content": broken}]))
    assert r.status_code == 422
    assert messages(r.get_json()["problems"])[0].startswith(f"决策表文件「{DMN_FILE}」：")
    assert world.engine.models.versions("grade_check") == []


def test_deploy_deploys_the_decision_table_and_embeds_the_forms_and_a_case_runs_on_them(world, designer):
    e = world.engine
    preview = post(designer, "/designer/api/deploy/preview", draft()).get_json()
    assert preview["ok"], preview
    assert preview["decisions"] == [{"filename": DMN_FILE, "key": "Definitions_1g8r5d2", "current": None,
                                     "next": 1, "unchanged": False}]
    assert preview["forms"] == [FACTS_FILE, INSPECTION_FILE]
    r = post(designer, "/designer/api/deploy", draft())
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["key"], body["version"]) == ("grade_check", 1)
    assert body["decisions"] == [{"key": "Definitions_1g8r5d2", "version": 1, "filename": DMN_FILE, "unchanged": False}]
    case = e.start("grade_check", by="zhang", org="east", title="甲化工企业分级")
    facts = open_task(e, case.id, "Activity_0facts")
    e.complete(facts.id, "zhang", {"industry": "危险化学品", "employees": "３５"})  # as typed, full-width
    data = e.case(case.id).data
    assert (data["employees"], data["grade"]) == (35, "重点")
    check = open_task(e, case.id, "Activity_0check")
    with pytest.raises(Exception) as refused:
        e.complete(check.id, "zhang", {"checked_on": "2026-11-01"})
    assert "「检查地点」为必填项" in str(getattr(refused.value, "errors", refused.value))
    # the same draft again: nothing new
    again = post(designer, "/designer/api/deploy", draft())
    assert again.status_code == 200 and again.get_json()["unchanged"], again.get_json()
    assert again.get_json()["decisions"][0]["unchanged"]


def test_a_deployed_versions_companions_are_downloaded_from_its_versions_page(world, designer):
    assert post(designer, "/designer/api/deploy", draft()).status_code == 201
    page = designer.get("/designer/models/grade_check").get_data(as_text=True)
    for name in (FACTS_FILE, INSPECTION_FILE, DMN_FILE):
        assert name in page
    assert "决策表（v1）" in page
    r = designer.get(f"/designer/models/grade_check/versions/1/companions/{INSPECTION_FILE}")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert json.loads(r.get_data(as_text=True)) == json.loads(INSPECTION)
    r = designer.get(f"/designer/models/grade_check/versions/1/companions/{DMN_FILE}")
    assert r.status_code == 200 and r.get_data(as_text=True) == DMN
    assert designer.get("/designer/models/grade_check/versions/1/companions/x.form").status_code == 404
    # a later version of the decision table is not this version's companion: the one deployed with it is
    world.clock.advance(minutes=5)
    later = DMN.replace("高危行业一律重点监管", "高危行业一律重点监管（2027年起）")
    assert world.engine.deploy(later, by="xu", filename=DMN_FILE).version == 2
    assert "决策表（v1）" in designer.get("/designer/models/grade_check").get_data(as_text=True)
    assert designer.get(f"/designer/models/grade_check/versions/1/companions/{DMN_FILE}").get_data(as_text=True) == DMN
    assert client_login(world.app, "zhang").get(
        f"/designer/models/grade_check/versions/1/companions/{DMN_FILE}").status_code == 403


def test_the_test_run_shows_the_linked_forms_and_checks_them_and_uses_the_decision_table(world, designer):
    r = post(designer, "/designer/api/dry-run/forms", draft())
    assert r.status_code == 200, r.get_json()
    html = r.get_json()["html"]
    for label in ("行业", "从业人数", "检查地点", "拟罚款金额（元）"):
        assert label in html
    steps = {"Activity_0facts": [["industry", "制造业"], ["employees", "120"]],
             "Activity_0check": [["site", ""], ["checked_on", "2026年11月1日"], ["fine", "5000"]]}
    r = post(designer, "/designer/api/dry-run", draft(steps=steps))
    assert r.status_code == 422
    assert r.get_json()["form_errors"][0] | {} == {"step": "现场检查", "element": "Activity_0check", "field_name": "site",
                                                   "field": "检查地点", "message": "「检查地点」为必填项"}
    steps["Activity_0check"][0] = ["site", "一号车间"]
    r = post(designer, "/designer/api/dry-run", draft(steps=steps))
    result = r.get_json()
    assert result["status"] == "completed", result
    assert result["data"]["grade"] == "一般"  # the draft's own decision table: 其他行业百人以上
    assert world.engine.models.versions("grade_check") == [] and world.engine.models.versions("Definitions_1g8r5d2") == []


def test_a_form_edited_again_replaces_the_one_its_version_embedded(world, designer):
    """编辑任务表单 on a deployed version: the task's embedded form is linked by formId again and saved
    as a .form companion; deployed, the new form replaces the one the file embedded under its id."""
    assert post(designer, "/designer/api/deploy", draft()).status_code == 201
    stored = world.engine.models.latest("grade_check").content
    key = 'formKey="camunda-forms:bpmn:UserTaskForm_inspection-form"'
    assert key in stored
    edited = json.loads(INSPECTION)
    edited["components"] = [c for c in edited["components"] if c["key"] != "fine"]  # 拟罚款金额 taken out
    again = {"xml": stored.replace(key, 'formId="inspection-form"'), "filename": MODEL_FILE,
             "companions": [{"filename": INSPECTION_FILE, "content": json.dumps(edited, ensure_ascii=False)}]}
    r = post(designer, "/designer/api/deploy", again)
    assert r.status_code == 201, r.get_json()
    v2 = world.engine.models.latest("grade_check").content
    assert v2.count("<zeebe:userTaskForm id=\"UserTaskForm_inspection-form\"") == 1
    assert "拟罚款金额" not in v2 and "检查地点" in v2
