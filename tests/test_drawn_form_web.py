"""A task drawn with its own form (模型内表单) is filled in on the task page.

Camunda Modeler's ``camunda:formData`` and Activiti/Flowable's ``formProperty`` carry the task's form
in the model. The task page shows each field by its label (never its id), with the input its type
asks for; what an official types ("5,000,000") completes the task, stored as the number; a required
field left empty is refused next to the field in Chinese, everything typed kept. Real engine
(workflows.runtime), real SQLite file and PostgreSQL, the corpus files of tests/bpmn/interop, Flask's test client.
"""
from __future__ import annotations

import re

import pytest

from tests.interop_support import CORPUS
from tests.test_incident_pages_words import visible
from tests.ui_support import client_login, make_world, open_task


@pytest.fixture
def world(database_url, tmp_path):
    """The UI tests' world on SQLite, and on PostgreSQL (DUBAN_TEST_PG_URL)."""
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    yield w
    w.engine.dispose()


def task_form(html: str) -> str:
    return re.search(r'<form method="post" class="card task-form".*?</form>', html, re.S).group(0)


def labels(form: str) -> dict[str, str]:
    """Input id -> the label a person reads (the required mark's * dropped)."""
    return {m.group(1): visible(m.group(2)).rstrip("*").strip()
            for m in re.finditer(r'<label class="label" for="f-([^"]+)"[^>]*>(.*?)</label>', form, re.S)}


def started(world, filename: str, element: str):
    e = world.engine
    key = filename.removesuffix(".bpmn")
    e.deploy(CORPUS / filename, by="zhao")
    case = e.start(key, by="zhang", org="east", title="甲公司" + key)
    return case, open_task(e, case.id, element)


def test_camunda_purchase_form_is_shown_by_label_and_completes_with_a_typed_amount(world):
    case, task = started(world, "camunda7_purchase.bpmn", "Activity_request")
    zhang = client_login(world.app, "zhang")
    form = task_form(zhang.get(f"/tasks/{task.id}").get_data(as_text=True))
    assert labels(form) == {"amount": "采购金额（元）", "urgent": "是否急需"}
    assert not re.search(r"\bamount\b|\burgent\b", visible(form))  # the ids are no words on the page
    assert re.search(r'for="f-amount"[^>]*>采购金额（元）<span class="req"', form)  # required marked
    assert 'type="radio" name="urgent" value="false" checked' in form  # 是/否, the default filled in
    assert 'name="_data"' not in form  # not the generic 办理意见 box
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit",
                                                      "amount": "5,000,000", "urgent": "true"})
    assert response.status_code == 302, visible(response.get_data(as_text=True))
    data = world.engine.case(case.id).data
    assert (data["amount"], data["urgent"]) == (5_000_000, True)
    assert world.engine.task(task.id).state == "completed"


def test_a_required_field_left_empty_is_refused_by_its_label_and_what_was_typed_stays(world):
    case, task = started(world, "camunda7_purchase.bpmn", "Activity_request")
    zhang = client_login(world.app, "zhang")
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit",
                                                      "amount": "", "urgent": "true"})
    assert response.status_code == 422
    form = task_form(response.get_data(as_text=True))
    error = re.search(r'<div class="field has-error[^"]*" data-field="amount">.*?'
                      r'<p class="field-error" id="err-amount" role="alert">(.*?)</p>', form, re.S)
    assert error and error.group(1) == "「采购金额（元）」为必填项"
    assert 'type="radio" name="urgent" value="true" checked' in form  # the 是 chosen is kept
    assert world.engine.task(task.id).state == "open"
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit",
                                                      "amount": "１２,０００", "urgent": "false"})
    assert response.status_code == 302
    assert world.engine.case(case.id).data["amount"] == 12000  # full-width digits as typed


def test_activiti_form_properties_enum_readonly_and_number(world):
    """activiti_form_properties: 企业名称 (writable="false", shown not editable), 隐患等级 (enum:
    a select of 重大隐患/一般隐患 posting the value's id), 罚款金额 (long)."""
    case, task = started(world, "activiti_form_properties.bpmn", "usertask1")
    zhang = client_login(world.app, "zhang")
    form = task_form(zhang.get(f"/tasks/{task.id}").get_data(as_text=True))
    assert labels(form) == {"enterprise": "企业名称", "hazard_level": "隐患等级", "fine_amount": "罚款金额"}
    assert re.search(r'<input type="text" id="f-enterprise" class="readonly" value="[^"]*" readonly disabled>', form)
    assert 'name="enterprise"' not in form
    assert re.search(r'<select name="hazard_level" id="f-hazard_level"><option value="">请选择</option>'
                     r'<option value="major" >重大隐患</option><option value="general" >一般隐患</option></select>', form)
    assert not re.search(r"\bmajor\b|\bgeneral\b|fp_|hazard_level|fine_amount", visible(form))
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit",
                                                      "hazard_level": "", "fine_amount": "５０,０００"})
    assert response.status_code == 422
    form = task_form(response.get_data(as_text=True))
    assert "「隐患等级」为必填项" in visible(form)
    assert 'value="５０,０００"' in form  # kept as typed
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit",
                                                      "hazard_level": "general", "fine_amount": "５０,０００",
                                                      "enterprise": "篡改的企业"})
    assert response.status_code == 302
    data = world.engine.case(case.id).data
    assert (data["hazard_level"], data["fine_amount"]) == ("general", 50000)
    assert data.get("enterprise") != "篡改的企业"  # read-only: what is posted for it is not written
    assert open_task(world.engine, case.id, "usertask3").name == "限期整改"


def test_an_enum_value_not_in_the_model_is_refused_naming_the_choices(world):
    case, task = started(world, "activiti_form_properties.bpmn", "usertask1")
    zhang = client_login(world.app, "zhang")
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit",
                                                      "hazard_level": "critical"})
    assert response.status_code == 422
    assert "「隐患等级」须为以下之一：重大隐患、一般隐患" in visible(task_form(response.get_data(as_text=True)))


def test_flowable_leave_form_opens_with_its_default(world):
    """flowable_leave: 请假天数 (long, default 5, required) on 填写请假单."""
    case, task = started(world, "flowable_leave.bpmn", "sid-4F1C2A7B-3D5E-4B8A-9C1D-2E3F4A5B6C7D")
    zhang = client_login(world.app, "zhang")
    form = task_form(zhang.get(f"/tasks/{task.id}").get_data(as_text=True))
    assert labels(form) == {"days": "请假天数"}
    assert re.search(r'name="days" id="f-days" value="5"', form)


def test_camunda_enum_date_readonly_and_decimal_fields(world):
    """tests/bpmn/camunda7_drawn_form_kinds.bpmn, drawn as Camunda Modeler draws it: 检查日期 (date,
    required) is a box a day is typed in (Camunda's 01/12/2026 among the spellings it names), 检查结论 (enum, default 合格) a select of the value names with the
    default chosen, 检查单位 (readonly, with a default) shown not editable, 整改完成率 (double) typed
    with full-width digits."""
    e = world.engine
    e.deploy(CORPUS.parent / "camunda7_drawn_form_kinds.bpmn", by="zhao")
    case = e.start("camunda7_drawn_form_kinds", by="zhang", org="east", title="丙公司现场检查")
    task = open_task(e, case.id, "Activity_0record")
    zhang = client_login(world.app, "zhang")
    form = task_form(zhang.get(f"/tasks/{task.id}").get_data(as_text=True))
    assert labels(form) == {"checked_on": "检查日期", "verdict": "检查结论", "inspector_unit": "检查单位",
                            "ratio": "整改完成率（%）"}
    assert re.search(r'<input type="text" inputmode="numeric" class="date" name="checked_on" id="f-checked_on" '
                     r'value="" placeholder="如 2026年12月1日、2026-12-01 或 01/12/2026（日/月/年）"', form)
    assert '<option value="pass" selected>合格</option>' in form
    assert '<option value="stop" >停产整顿</option>' in form
    assert 'id="f-inspector_unit" class="readonly" value="东城区应急管理局" readonly disabled>' in form
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit", "verdict": "fix",
                                                      "ratio": "８７.５", "inspector_unit": "别的单位"})
    assert response.status_code == 422
    form = task_form(response.get_data(as_text=True))
    assert "「检查日期」为必填项" in visible(form)
    assert '<option value="fix" selected>限期整改</option>' in form and 'value="８７.５"' in form
    assert 'value="东城区应急管理局" readonly disabled>' in form  # still shown after the refusal
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit", "verdict": "fix",
                                                      "ratio": "８７.５", "checked_on": "2026-12-03"})
    assert response.status_code == 302
    data = e.case(case.id).data
    assert (data["checked_on"], data["verdict"], data["ratio"]) == ("2026-12-03", "fix", 87.5)
    assert "inspector_unit" not in data  # read-only: never written


def test_every_drawn_form_of_the_corpus_is_shown_by_its_labels(tmp_path):
    """Each corpus model with a drawn form, started by 张: its first task with drawn fields that 张
    works shows a box per field, each labelled as drawn (never by its id or variable name)."""
    from engine.errors import IncidentRaised, InvalidData
    from tests.interop_support import REFUSED_FILES
    from webui import drawn_form
    w = make_world(tmp_path)
    e = w.engine
    files = [f for f in sorted(CORPUS.glob("*.bpmn")) if f.name not in REFUSED_FILES]
    for f in sorted(CORPUS.glob("*.dmn")):
        e.deploy(f, by="zhao")
    keys = {f: e.deploy(f, by="zhao").key for f in files}  # a file's process id, not always its name
    zhang = client_login(w.app, "zhang")
    shown = {}
    for f in files:
        if "formField" not in f.read_text() and "formProperty" not in f.read_text():
            continue
        try:
            case = e.case(e.start(keys[f], by="zhang", org="east", title="丁公司").id)
        except (IncidentRaised, InvalidData):
            continue  # fails before any task, or refused: a model that needs start data we do not give here
        for t in case.tasks:
            drawn = drawn_form.fields(e, t, case.model_id) if t.state == "open" else None
            html = zhang.get(f"/tasks/{t.id}").get_data(as_text=True) if drawn else ""
            if 'id="task-form"' not in html:
                continue  # not 张's to work
            form = task_form(html)
            assert labels(form) == {d["name"]: d["label"] for d in drawn}, f.name
            assert all(d["label"] != drawn_form.UNNAMED for d in drawn), f.name
            assert not [d["name"] for d in drawn if re.search(rf"\b{re.escape(d['name'])}\b", visible(form))], f.name
            shown[keys[f]] = labels(form)
    w.engine.dispose()
    assert len(shown) >= 9, shown
    assert shown["camunda7_dmn_rule"] == {"employees": "从业人数", "hazmat": "是否涉及危险化学品"}


def test_a_yes_no_the_model_neither_requires_nor_defaults_may_stay_not_given(world):
    """camunda7_conditional_wait: 复查整改情况 draws 是否整改到位 (boolean, no default, not required).
    Its box offers 不填 beside 是/否, chosen at first: a clerk who clicked 是 can take it back, and
    what is submitted so leaves 是否整改到位 not given (not 否). camunda7_purchase's 是否急需 has a
    default (否) and gets no 不填."""
    case, task = started(world, "camunda7_conditional_wait.bpmn", "Activity_0recheck")
    zhang = client_login(world.app, "zhang")
    form = task_form(zhang.get(f"/tasks/{task.id}").get_data(as_text=True))
    assert re.search(r'<input type="radio" name="rectified" value="" checked> 不填', form)
    assert not re.search(r'name="rectified" value="(true|false)" checked', form)
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit",
                                                      "rectified": "", "score": "85"})
    assert response.status_code in (302, 200), visible(response.get_data(as_text=True))
    assert "rectified" not in world.engine.case(case.id).data
    _case, purchase = started(world, "camunda7_purchase.bpmn", "Activity_request")
    assert "不填" not in task_form(zhang.get(f"/tasks/{purchase.id}").get_data(as_text=True))
