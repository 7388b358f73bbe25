"""Forms drawn in Camunda 8 models (Camunda 8 表单) are read, shown and checked.

tests/bpmn/interop/zeebe_embedded_form.bpmn is written as Camunda Modeler 5.16 writes a Camunda 8.2
model: 现场检查's form (form-js: a text, a required 检查地点, a date, a checkbox 是否存在重大事故隐患, an
integer 拟罚款金额（元） of 0–10,000,000, a radio 隐患等级, a checklist 检查项目, a 整改期限（天） hidden
unless the box is ticked, a group with a textarea and a read-only field) is embedded in the process
as ``zeebe:userTaskForm`` and named by the task's ``formKey="camunda-forms:bpmn:..."``; the gateway
after it reads the box and the number; the start event draws its own form the same way.
zeebe_linked_form.bpmn (8.5) links ``formId="inspection-form"`` (inspection-form.form beside it):
deployed alone it warns naming the task and the form; deployed with the .form file (engine, REST API
field ``forms``, ``duban deploy``) the form is embedded in the version and checked.
Before engine/camunda_forms.py these tasks got the generic 通用办理表单 and the values were never
read as typed. Real engine (workflows.runtime), SQLite file and PostgreSQL, engine API, REST API and
the task page (Flask's test client).
"""
from __future__ import annotations

import json
import re

import pytest

from engine import camunda_forms, model_forms
from engine.errors import InvalidData
from tests.interop_support import CORPUS
from tests.test_drawn_form_blank_yes_no import api
from tests.test_drawn_form_web import labels, task_form
from tests.test_incident_pages_words import visible
from tests.ui_support import client_login, make_world, open_task

MODEL = CORPUS / "zeebe_embedded_form.bpmn"
CHECK = "Activity_0check"
GIVEN = {"site": "一号车间", "checked_on": "2026年11月1日", "major_hazard": "是", "fine": "５,０００,０００",
         "rectify_days": "３０", "items": ["消防设施", "power"]}


@pytest.fixture
def world(database_url, tmp_path):
    """The UI tests' world on SQLite, and on PostgreSQL (DUBAN_TEST_PG_URL), the model deployed."""
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    w.engine.deploy(MODEL, by="zhao")
    yield w
    w.engine.dispose()


def checking(world):
    e = world.engine
    case = e.start("zeebe_embedded_form", by="zhang", org="east", title="甲公司现场检查",
                   data={"company": "甲公司", "team_lead": "张三"})
    return case, open_task(e, case.id, CHECK)


def test_the_embedded_form_is_read_as_typed_and_its_gateway_reads_the_box_and_the_number(world):
    e = world.engine
    case, task = checking(world)
    e.complete(task.id, "zhang", dict(GIVEN, team_lead="李四"))
    data = e.case(case.id).data
    assert {k: data[k] for k in ("site", "checked_on", "major_hazard", "fine", "rectify_days", "items", "level")} == {
        "site": "一号车间", "checked_on": "2026-11-01", "major_hazard": True, "fine": 5_000_000, "rectify_days": 30,
        "items": ["fire", "power"], "level": "general"}  # the radio's default; a choice by its label or value
    assert data["team_lead"] == "张三"  # read-only in the form: what was posted is not written
    assert open_task(e, case.id, "Activity_0listed").name == "挂牌督办"
    case, task = checking(world)  # the box left unticked (form-js posts false): 整改期限 hidden, not asked for
    e.complete(task.id, "zhang", {"site": "二号车间", "checked_on": "2026-11-02", "fine": "5,000"})
    data = e.case(case.id).data
    assert (data["major_hazard"], data["fine"], "rectify_days" in data) == (False, 5000, False)
    assert open_task(e, case.id, "Activity_0rectify").name == "责令整改"


def test_required_bounds_and_choices_are_refused_naming_the_fields_chinese_label(world):
    e = world.engine
    case, task = checking(world)
    with pytest.raises(InvalidData) as refused:
        e.complete(task.id, "zhang", {"site": "", "checked_on": "十一月", "major_hazard": "是", "fine": "-5",
                                      "items": ["电梯"], "remarks": "很" * 501})
    assert refused.value.errors == {
        "site": "「检查地点」为必填项", "checked_on": "「检查日期」须为日期，如 2026年12月1日、2026-12-01 或 01/12/2026（日/月/年）",
        "fine": "「拟罚款金额（元）」不能小于 0", "items": "「检查项目」须为以下之一：消防设施、用电安全、危化品存放",
        "remarks": "「情况说明」最多填写 500 个字",
        "rectify_days": "「整改期限（天）」为必填项"}  # shown: the box is ticked
    response = api(world, "zhang").post(f"/api/tasks/{task.id}/complete",
                                        json={"data": dict(GIVEN, fine="10,000,001")})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"fine": "「拟罚款金额（元）」不能大于 10000000"}
    assert e.task(task.id).state == "open" and "fine" not in e.case(case.id).data


def test_the_start_event_draws_its_form_the_same_way(world):
    e = world.engine
    fields = model_forms.fields_of(model_forms.start_form(e.models.start_spec(e.models.latest("zeebe_embedded_form").id)))
    assert [(f["id"], f["label"], f["required"]) for f in fields] == [("company", "被检查单位", True),
                                                                    ("team_lead", "带队人员", False)]
    with pytest.raises(InvalidData) as refused:
        world.engine.start("zeebe_embedded_form", by="zhang", org="east", title="乙公司", data={})
    assert refused.value.errors == {"company": "「被检查单位」为必填项"}


def test_the_task_page_shows_the_chinese_labels_and_choices_and_takes_what_is_typed(world):
    case, task = checking(world)
    zhang = client_login(world.app, "zhang")
    form = task_form(zhang.get(f"/tasks/{task.id}").get_data(as_text=True))
    assert labels(form) == {"site": "检查地点", "checked_on": "检查日期", "major_hazard": "是否存在重大事故隐患",
                            "fine": "拟罚款金额（元）", "level": "隐患等级", "items": "检查项目",
                            "rectify_days": "整改期限（天）", "remarks": "情况说明", "team_lead": "带队人员"}
    text = visible(form)
    for shown in ("现场检查记录", "请如实填写检查情况", "检查情况", "一般隐患", "较大隐患", "消防设施", "危化品存放"):
        assert shown in text, shown
    assert not re.search(r"\b(site|fine|items|general|fire|components|Field_\w+)\b|[{}]|##", text)
    assert 'name="_data"' not in form  # not the generic 办理意见 box
    assert 'type="checkbox" name="items" value="fire"' in form and "<textarea name=\"remarks\"" in form
    assert 'type="radio" name="level" value="general" checked> 一般隐患' in form  # a radio group as drawn, its default
    assert 'type="radio" name="major_hazard" value="false" checked' in form  # an unticked box is 否
    # 整改期限 is hidden by the page while 是否存在重大事故隐患 is not 是 (conditional.hide "=not(major_hazard)")
    assert 'data-field="rectify_days" data-hide=\'{"not": {"kind": "boolean", "var": "major_hazard"}}\'' in form
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit", "site": "",
                                                      "checked_on": "2026年11月1日", "major_hazard": "true",
                                                      "fine": "5,000,000", "level": "major", "items": ["fire", "chem"]})
    assert response.status_code == 422
    refused = task_form(response.get_data(as_text=True))
    assert re.search(r'id="err-site" role="alert">「检查地点」为必填项<', refused)
    assert re.search(r'id="err-rectify_days" role="alert">「整改期限（天）」为必填项<', refused)
    assert 'type="checkbox" name="items" value="chem" checked' in refused  # what was ticked stays
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit", "site": "一号车间",
                                                      "checked_on": "2026年11月1日", "major_hazard": "true",
                                                      "fine": "5,000,000", "level": "major", "items": ["fire", "chem"],
                                                      "rectify_days": "１５"})
    assert response.status_code == 302, visible(response.get_data(as_text=True))
    data = world.engine.case(case.id).data
    assert (data["fine"], data["level"], data["items"], data["rectify_days"]) == (5_000_000, "major", ["fire", "chem"], 15)
    assert open_task(world.engine, case.id, "Activity_0listed").name == "挂牌督办"


def test_a_linked_form_is_named_at_deploy_not_silently_dropped(world):
    pf = world.engine.models.validate((CORPUS / "zeebe_linked_form.bpmn").read_bytes(), "zeebe_linked_form.bpmn")
    said = [w.message for w in pf.warnings if w.element_id == "Activity_1check"]
    assert len(said) == 1 and "链接的 Camunda 表单「inspection-form」" in said[0] and "Camunda Form (embedded)" in said[0], said
    assert json.loads((CORPUS / "inspection-form.form").read_text(encoding="utf-8"))["id"] == "inspection-form"


def test_form_js_components_each_become_a_field_or_a_warning_naming_it():
    """No database: the schema in, the fields and the warnings out (what a deploy shows)."""
    schema = {"components": [
        {"type": "group", "label": "基本情况", "components": [
            {"type": "textfield", "key": "name", "label": "姓名", "validate": {"required": True, "minLength": 2}}]},
        {"type": "number", "key": "ratio", "label": "比例", "decimalDigits": 2},
        {"type": "select", "key": "town", "label": "乡镇", "valuesKey": "towns"},
        {"type": "taglist", "key": "tags", "label": "标签", "values": [{"label": "甲", "value": "a"}]},
        {"type": "datetime", "key": "at", "subtype": "datetime", "dateLabel": "发现时间"},
        {"type": "datetime", "key": "hour", "subtype": "time", "timeLabel": "到场时间"},
        {"type": "filepicker", "key": "photo", "label": "现场照片"},
        {"type": "textfield", "key": "x", "label": "说明", "conditional": {"hide": "=some x in list satisfies x > 1"}},
        {"type": "checkbox", "key": "ok", "label": "已核实", "disabled": True, "defaultValue": True},
        {"type": "image", "source": "=logo"}, {"type": "spacer"}, {"type": "button", "action": "submit", "label": "提交"},
    ]}
    fields, warnings = camunda_forms.fields(schema)
    assert [(f["id"], f.get("type")) for f in fields] == [
        (None, None), ("name", "string"), ("ratio", "double"), ("town", "enum"), ("tags", "enum"), ("at", "datetime"),
        ("hour", "time"), ("photo", "file"), ("x", "string"), ("ok", "boolean")]
    assert fields[0]["display"] == "基本情况" and fields[1]["minLength"] == 2 and fields[4]["multiple"]
    assert (fields[5]["label"], fields[6]["label"]) == ("发现时间", "到场时间")
    assert (fields[9]["readonly"], fields[9]["default"]) == (True, "true")
    assert fields[3]["valuesFrom"] == "towns"  # the case's list when the task is shown (test_camunda8_forms_choices.py)
    assert warnings == ["字段「现场照片」是本系统不支持的表单组件文件上传，办理页面显示为文本框",
                        "字段「说明」的隐藏条件「=some x in list satisfies x > 1」无法在本系统中计算，该字段总是显示"]
    assert "hide" not in fields[8]


def test_the_case_page_shows_the_data_under_the_forms_labels_and_choice_names(world):
    from tests.test_case_data_drawn import case_data
    case, task = checking(world)
    world.engine.complete(task.id, "zhang", GIVEN)
    zhang = client_login(world.app, "zhang")
    html = zhang.get(f"/cases/{case.id}").get_data(as_text=True)
    shown = case_data(html)
    assert {k: shown.get(k) for k in ("被检查单位", "检查地点", "是否存在重大事故隐患", "拟罚款金额（元）", "隐患等级", "检查项目")} == {
        "被检查单位": "甲公司", "检查地点": "一号车间", "是否存在重大事故隐患": "是", "拟罚款金额（元）": "5,000,000 元",
        "隐患等级": "一般隐患", "检查项目": "消防设施、用电安全"}
    assert not re.search(r"\b(site|fine|items|level|general|fire|power|major_hazard)\b",
                         visible(re.search(r'<h2>案件数据</h2>.*?</section>', html, re.S).group(0)))


LINKED = CORPUS / "zeebe_linked_form.bpmn"
FORM = CORPUS / "inspection-form.form"


def test_a_linked_form_deployed_with_the_model_is_embedded_in_its_version_and_checked(world):
    e = world.engine
    e.deploy(LINKED, by="zhao", forms=[(FORM.name, FORM.read_bytes())])
    stored = e.models.latest("zeebe_linked_form").content
    assert 'formKey="camunda-forms:bpmn:UserTaskForm_inspection-form"' in stored and "formId=" not in stored
    pf = e.models.validate(stored.encode(), "zeebe_linked_form.bpmn")
    assert not [w.message for w in pf.warnings if w.element_id == "Activity_1check"]  # no 通用办理表单 any more
    case = e.start("zeebe_linked_form", by="zhang", org="east", title="丙公司现场检查")
    task = open_task(e, case.id, "Activity_1check")
    with pytest.raises(InvalidData) as refused:
        e.complete(task.id, "zhang", {"checked_on": "2026-11-01", "fine": "1,000"})
    assert refused.value.errors == {"site": "「检查地点」为必填项"}
    e.complete(task.id, "zhang", {"site": "仓库", "checked_on": "2026年11月1日", "fine": "１,０００"})
    assert (e.case(case.id).data["fine"], e.case(case.id).data["major_hazard"]) == (1000, False)


def test_the_rest_api_deploys_a_model_with_its_form_files_and_refuses_one_nothing_links(world):
    import io
    world.engine.directory.add_user("xu", org="city", roles=["designer"], name="许设计")
    client = api(world, "xu")

    def post(*forms):
        return client.post("/api/models", content_type="multipart/form-data", data={
            "file": (io.BytesIO(LINKED.read_bytes()), LINKED.name),
            "forms": [(io.BytesIO(content), name) for name, content in forms]})

    other = json.dumps({"id": "other-form", "components": []}).encode()
    response = post((FORM.name, FORM.read_bytes()), ("other.form", other))
    assert response.status_code == 422, response.get_json()
    assert "「other.form」（表单编号「other-form」）未被模型中的任何用户任务或开始事件引用" in json.dumps(
        response.get_json(), ensure_ascii=False)
    response = post((FORM.name, FORM.read_bytes()))
    assert response.status_code == 201, response.get_json()
    case = world.engine.start("zeebe_linked_form", by="zhang", org="east", title="丁公司现场检查")
    task = open_task(world.engine, case.id, "Activity_1check")
    response = api(world, "zhang").post(f"/api/tasks/{task.id}/complete",
                                        json={"data": {"site": "仓库", "checked_on": "2026-11-01", "fine": "十万左右"}})
    assert response.status_code == 422 and response.get_json()["errors"] == {"fine": "「拟罚款金额（元）」须为整数"}


def test_duban_deploy_takes_the_form_files_beside_the_model(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from webui.cli import main
    from workflows.runtime import build_engine
    monkeypatch.setenv("DUBAN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], catch_exceptions=False).exit_code == 0
    result = runner.invoke(main, ["deploy", str(MODEL), str(LINKED), str(FORM)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "已部署「现场检查（链接表单）」（zeebe_linked_form）第 1 版" in result.output
    engine = build_engine(deploy=False)
    try:
        assert 'formKey="camunda-forms:bpmn:UserTaskForm_inspection-form"' in engine.models.latest("zeebe_linked_form").content
    finally:
        engine.dispose()


def test_a_hostile_form_is_refused_or_cut_not_a_crash():
    """JSON nested past Python's stack is no form (a refusal, not a RecursionError out of the deploy);
    groups nested past MAX_DEPTH are cut with a warning; components past MAX_COMPONENTS are not read."""
    with pytest.raises(camunda_forms.FormError):
        camunda_forms.parse("[" * 100_000 + "]" * 100_000)
    group: dict = {"type": "textfield", "key": "deep", "label": "最深"}
    for _ in range(50):
        group = {"type": "group", "components": [group]}
    fields, warnings = camunda_forms.fields({"components": [group]})
    assert fields == [] and warnings == [f"表单分组嵌套超过 {camunda_forms.MAX_DEPTH} 层，更深的字段未读取"]
    many = [{"type": "textfield", "key": f"f{i}", "label": "字段"} for i in range(camunda_forms.MAX_COMPONENTS + 5)]
    fields, warnings = camunda_forms.fields({"components": many})
    assert len(fields) == camunda_forms.MAX_COMPONENTS and warnings == [f"表单组件超过 {camunda_forms.MAX_COMPONENTS} 个，其余未读取"]
