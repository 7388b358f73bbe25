"""Choices from the case in a Camunda 8 form (选项来自案件数据): form-js's ``valuesKey`` and a
``valuesExpression`` that is a variable, a path or a list literal.

The public corpus's zeebe_linked_form.bpmn (Camunda Modeler 5.23, formId="inspection-form") is
deployed with a .form drawn as Camunda Modeler's form editor saves it: 所在区 a select whose choices
are the case's ``districts`` ({label, value} as form-js defines them), 检查项目 a checklist of
``=enterprise.categories`` (a list of strings), 隐患等级 a radio group of a FEEL list of contexts.
The task page shows the case's choices by their labels (a select, checkboxes, round buttons) and
the engine checks the value submitted against the same list (engine/model_forms.choices_from):
a choice the case does not list is refused naming the field and the choices. Before, these fields
were text boxes and any text was stored. Engine, REST API and the task page (Flask's test client),
SQLite file and PostgreSQL.
"""
from __future__ import annotations

import json
import re

import pytest

from engine import camunda_forms
from engine.errors import InvalidData
from tests.interop_support import CORPUS
from tests.test_case_data_drawn import case_data
from tests.test_drawn_form_blank_yes_no import api
from tests.test_drawn_form_web import labels, task_form
from tests.ui_support import client_login, make_world, open_task

LINKED = CORPUS / "zeebe_linked_form.bpmn"
FORM = {
    "components": [
        {"label": "所在区", "type": "select", "id": "Field_0dist", "key": "district", "valuesKey": "districts",
         "validate": {"required": True}},
        {"label": "检查项目", "type": "checklist", "id": "Field_0item", "key": "items",
         "valuesExpression": "=enterprise.categories"},
        {"label": "隐患等级", "type": "radio", "id": "Field_0lvl", "key": "level",
         "valuesExpression": '=[{label: "一般隐患", value: "general"}, {label: "重大隐患", value: "major"}]'},
    ],
    "type": "default", "id": "inspection-form", "executionPlatform": "Camunda Cloud",
    "executionPlatformVersion": "8.5.0", "exporter": {"name": "Camunda Modeler", "version": "5.23.0"},
    "schemaVersion": 16}
CASE_DATA = {"districts": [{"label": "东城区", "value": "east"}, {"label": "西城区", "value": "west"}],
             "enterprise": {"name": "甲公司", "categories": ["消防设施", "危化品存放", "用电安全"]}}
TASK = "Activity_1check"


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    w.engine.deploy(LINKED, by="zhao", forms=[("inspection-form.form", json.dumps(FORM, ensure_ascii=False).encode())])
    yield w
    w.engine.dispose()


def checking(world, data=CASE_DATA):
    case = world.engine.start("zeebe_linked_form", by="zhang", org="east", title="甲公司现场检查", data=data)
    return case, open_task(world.engine, case.id, TASK)


def test_the_fields_take_their_choices_from_the_case_and_no_deploy_warning_says_text_box():
    fields, warnings = camunda_forms.fields(FORM)
    assert [(f["id"], f["type"], f.get("valuesFrom"), f.get("values")) for f in fields] == [
        ("district", "enum", "districts", None), ("items", "enum", "enterprise.categories", None),
        ("level", "enum", None, [["general", "一般隐患"], ["major", "重大隐患"]])]
    assert warnings == []
    _, said = camunda_forms.fields({"components": [{"label": "负责人", "type": "select", "key": "lead",
                                                    "valuesExpression": "=get value(team, \"lead\")"}]})
    assert said == ["字段「负责人」的选项来自流程数据（=get value(team, \"lead\")），部署时无法得知，办理页面显示为文本框"]


def test_a_value_the_case_lists_is_stored_and_one_it_does_not_is_refused_naming_the_choices(world):
    e = world.engine
    case, task = checking(world)
    with pytest.raises(InvalidData) as refused:
        e.complete(task.id, "zhang", {"district": "北城区", "items": ["消防设施", "食品安全"], "level": "严重"})
    assert refused.value.errors == {"district": "「所在区」须为以下之一：东城区、西城区",
                                    "items": "「检查项目」须为以下之一：消防设施、危化品存放、用电安全",
                                    "level": "「隐患等级」须为以下之一：一般隐患、重大隐患"}
    e.complete(task.id, "zhang", {"district": "西城区", "items": "消防设施，用电安全", "level": "重大隐患"})  # labels, as typed
    data = e.case(case.id).data
    assert (data["district"], data["items"], data["level"]) == ("west", ["消防设施", "用电安全"], "major")


def test_a_choice_is_stored_as_the_case_holds_it_a_number_stays_a_number(world):
    e = world.engine
    case, task = checking(world, data={"districts": [{"label": "东城区", "value": 110101}, {"label": "西城区", "value": 110102}],
                                       "enterprise": {"categories": [1, 2, 3]}})
    e.complete(task.id, "zhang", {"district": "西城区", "items": "１，３"})  # the label; full-width, as typed
    data = e.case(case.id).data
    assert (data["district"], data["items"]) == (110102, [1, 3])


def test_the_rest_api_is_checked_against_the_case_list_too(world):
    _, task = checking(world)
    r = api(world, "zhang").post(f"/api/tasks/{task.id}/complete", json={"data": {"district": "south"}})
    assert r.status_code == 422, r.get_json()
    assert "「所在区」须为以下之一：东城区、西城区" in json.dumps(r.get_json(), ensure_ascii=False)


def test_a_case_without_the_list_gets_a_text_box_and_an_empty_list_refuses_every_value(world):
    e = world.engine
    case, task = checking(world, data={"enterprise": {"name": "乙公司"}})
    e.complete(task.id, "zhang", {"district": "北城区"})  # nothing to check against: as typed, as before
    assert e.case(case.id).data["district"] == "北城区"
    _, task = checking(world, data={"districts": []})
    with pytest.raises(InvalidData) as refused:
        e.complete(task.id, "zhang", {"district": "east"})
    assert refused.value.errors == {"district": EMPTY_DISTRICTS}


EMPTY_DISTRICTS = "「所在区」的可选项来自案件数据「districts」，目前为空，请先在此前环节填写"
EMPTY_ITEMS = "「检查项目」的可选项来自案件数据「enterprise.categories」，目前为空，请先在此前环节填写"


def test_an_empty_case_list_refuses_a_required_field_with_its_reason_and_accepts_an_optional_one_blank(world):
    """The case holds the lists, empty (nothing was entered before this task): 所在区 (required) cannot
    be filled and is refused saying so — blank or typed; 检查项目 (optional) is accepted blank, not stored."""
    e = world.engine
    case, task = checking(world, data={"districts": [], "enterprise": {"categories": []}})
    with pytest.raises(InvalidData) as refused:
        e.complete(task.id, "zhang", {"district": "东城区", "items": "消防设施"})
    assert refused.value.errors == {"district": EMPTY_DISTRICTS, "items": EMPTY_ITEMS}
    with pytest.raises(InvalidData) as refused:
        e.complete(task.id, "zhang", {"district": "", "items": ""})
    assert refused.value.errors == {"district": EMPTY_DISTRICTS}
    r = api(world, "zhang").post(f"/api/tasks/{task.id}/complete", json={"data": {}})
    assert r.status_code == 422 and EMPTY_DISTRICTS in json.dumps(r.get_json(), ensure_ascii=False)

    optional = {**FORM, "id": "inspection-form", "components": [
        {**FORM["components"][0], "validate": {"required": False}}, FORM["components"][1]]}
    e.deploy(LINKED, by="zhao", forms=[("inspection-form.form", json.dumps(optional, ensure_ascii=False).encode())])
    case, task = checking(world, data={"districts": [], "enterprise": {"categories": []}})
    e.complete(task.id, "zhang", {"district": "", "items": []})
    assert "district" not in e.case(case.id).data and "items" not in e.case(case.id).data


def test_the_task_page_says_an_empty_case_list_must_be_filled_first_and_offers_no_box(world):
    _, task = checking(world, data={"districts": [], "enterprise": {"categories": []}})
    zhang = client_login(world.app, "zhang")
    form = task_form(zhang.get(f"/tasks/{task.id}").get_data(as_text=True))
    assert "可选项来自案件数据「districts」，目前为空，请先在此前环节填写" in form
    assert "可选项来自案件数据「enterprise.categories」，目前为空，请先在此前环节填写" in form
    assert not re.search(r'name="(district|items)"', form)  # nothing to type that would be refused
    r = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit", "level": "general"})
    assert EMPTY_DISTRICTS in r.get_data(as_text=True)


def test_the_task_page_offers_the_case_choices_by_their_labels(world):
    _, task = checking(world)
    zhang = client_login(world.app, "zhang")
    form = task_form(zhang.get(f"/tasks/{task.id}").get_data(as_text=True))
    assert {k: v for k, v in labels(form).items() if k in ("district", "items", "level")} == {
        "district": "所在区", "items": "检查项目", "level": "隐患等级"}
    select = re.search(r'<select[^>]*name="district".*?</select>', form, re.S).group(0)
    assert re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', select) == [("east", "东城区"), ("west", "西城区")]
    assert re.findall(r'type="checkbox" name="items" value="([^"]+)"', form) == ["消防设施", "危化品存放", "用电安全"]
    assert re.findall(r'type="radio" name="level" value="([^"]+)"', form) == ["general", "major"]
    r = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit", "district": "west",
                                              "items": ["危化品存放"], "level": "general"})
    assert r.status_code == 302, r.get_data(as_text=True)[:400]
    shown = case_data(zhang.get(f"/cases/{task.case_id}").get_data(as_text=True))  # by their labels, not west/general
    assert {k: shown.get(k) for k in ("所在区", "检查项目", "隐患等级")} == {
        "所在区": "西城区", "检查项目": "危化品存放", "隐患等级": "一般隐患"}


START_FORM = {"type": "default", "id": "start-form", "executionPlatform": "Camunda Cloud", "components": [
    {"label": "检查区域", "type": "select", "id": "Field_0area", "key": "area", "valuesKey": "districts"},
    {"label": "检查类型", "type": "radio", "id": "Field_0kind", "key": "kind",
     "values": [{"label": "日常检查", "value": "routine"}, {"label": "专项检查", "value": "special"}]}]}


def test_a_start_form_taking_choices_from_the_case_is_warned_at_deploy_naming_the_field(world):
    """A start form is filled before the case exists: 检查区域's choices (valuesKey districts) have no
    case to come from, so deploy says so naming the field (the start still runs, the field a text box);
    检查类型 (static options) and the task's fields from the case draw no such warning."""
    e = world.engine
    model = LINKED.read_text(encoding="utf-8").replace(
        '<bpmn:startEvent id="StartEvent_1" name="安排检查">',
        '<bpmn:startEvent id="StartEvent_1" name="安排检查"><bpmn:extensionElements>'
        '<zeebe:formDefinition formId="start-form" /></bpmn:extensionElements>')
    forms = [("inspection-form.form", json.dumps(FORM, ensure_ascii=False).encode()),
             ("start-form.form", json.dumps(START_FORM, ensure_ascii=False).encode())]
    e.deploy(model.encode(), filename="zeebe_linked_form.bpmn", by="zhao", forms=forms)
    pf = e.models.validate(e.models.latest("zeebe_linked_form").content.encode(), "zeebe_linked_form.bpmn")
    said = [w.message for w in pf.warnings if "案件还不存在" in w.message]
    assert said == ["开始事件「安排检查」(StartEvent_1) 的表单中，字段「检查区域」的可选项来自案件数据「districts」，但开始表单填写时"
                    "案件还不存在，没有这些数据：发起案件时该字段显示为文本框，填写的内容不作检查；请在表单中直接列出选项（静态选项），"
                    "或把该字段移到发起后的用户任务中"], said
    assert [w.element_id for w in pf.warnings if "案件还不存在" in w.message] == ["StartEvent_1"]
    case = e.start("zeebe_linked_form", by="zhang", org="east", title="丁公司现场检查", data={"area": "北城区"})
    assert e.case(case.id).data["area"] == "北城区"
