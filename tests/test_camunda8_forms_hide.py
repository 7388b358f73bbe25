"""A Camunda 8 form's ``conditional.hide`` (隐藏条件), on the page and on the server.

form-js hides a field while its FEEL condition is true and submits nothing for it. The page now
evaluates, as the official types, ``and``/``or`` of the shapes it knew (``x``, ``not(x)``,
``x = "a"``, ``x != "a"``), number comparisons as officials type numbers (``金额 > 5000000`` with
５,０００,０００), ``x = true/false``, ``x = null``, ``is defined(x)`` and ranges (webui/drawn_form.py
``_hide_when`` → webui/static/forms.js). The server's check on submit stays the single truth
(engine/model_forms.check): a hidden field is not asked for, and what is posted for it is not stored
nor refused. The public corpus's zeebe_linked_form.bpmn (Camunda Modeler 5.23) deployed with a .form
as Camunda Modeler's form editor saves it; engine, REST API and the task page (Flask's test client),
SQLite file and PostgreSQL; the page's own evaluation in tests/test_camunda8_forms_hide_browser.py.
"""
from __future__ import annotations

import html
import json
import re

import pytest

from engine import camunda_forms
from engine.errors import InvalidData
from tests.interop_support import CORPUS
from tests.test_drawn_form_blank_yes_no import api
from tests.ui_support import client_login, make_world, open_task
from webui.drawn_form import _hide_when

LINKED = CORPUS / "zeebe_linked_form.bpmn"
TASK = "Activity_1check"
FORM = {
    "components": [
        {"label": "拟罚款金额（元）", "type": "number", "id": "Field_fine", "key": "fine", "decimalDigits": 0},
        {"label": "是否重大隐患", "type": "checkbox", "id": "Field_major", "key": "major"},
        {"label": "所在区", "type": "select", "id": "Field_dist", "key": "district",
         "values": [{"label": "东城区", "value": "east"}, {"label": "西城区", "value": "west"}]},
        {"label": "大额罚款说明", "type": "textfield", "id": "Field_note", "key": "fine_note",
         "validate": {"required": True}, "conditional": {"hide": "=fine <= 5000000"}},
        {"label": "挂牌文号", "type": "textfield", "id": "Field_listing", "key": "listing_no",
         "validate": {"required": True}, "conditional": {"hide": "=major = false or district = null"}},
        {"label": "整改说明", "type": "textarea", "id": "Field_rect", "key": "rectify_note",
         "conditional": {"hide": "=not(major) and fine < 10000"}},
        {"label": "复查日期", "type": "textfield", "id": "Field_re", "key": "recheck",
         "conditional": {"hide": "=fine >= 1000 and fine < 2000"}},
    ],
    "type": "default", "id": "inspection-form", "executionPlatform": "Camunda Cloud",
    "executionPlatformVersion": "8.5.0", "exporter": {"name": "Camunda Modeler", "version": "5.23.0"},
    "schemaVersion": 16}


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    w.engine.deploy(LINKED, by="zhao", forms=[("inspection-form.form", json.dumps(FORM, ensure_ascii=False).encode())])
    yield w
    w.engine.dispose()


def checking(world):
    case = world.engine.start("zeebe_linked_form", by="zhang", org="east", title="甲公司现场检查")
    return case, open_task(world.engine, case.id, TASK)


def test_the_page_gets_each_condition_as_a_tree_of_the_shapes_it_evaluates():
    kinds = {"fine": "integer", "major": "boolean", "district": "enum"}
    hides = {f["id"]: f.get("hide") for f in camunda_forms.fields(FORM)[0]}
    assert _hide_when(hides["fine_note"], kinds) == {"cmp": "<=", "var": "fine", "kind": "integer", "value": 5000000}
    assert _hide_when(hides["listing_no"], kinds) == {"or": [
        {"cmp": "==", "var": "major", "kind": "boolean", "value": False},
        {"cmp": "==", "var": "district", "kind": "enum", "value": None}]}
    assert _hide_when(hides["rectify_note"], kinds) == {"and": [
        {"not": {"var": "major", "kind": "boolean"}}, {"cmp": "<", "var": "fine", "kind": "integer", "value": 10000}]}
    python = camunda_forms._condition
    assert _hide_when(python("=is defined(x)")) == {"cmp": "!=", "var": "x", "kind": "text", "value": None}
    assert _hide_when(python("=5000000 < 金额"), {"金额": "number"}) == {
        "cmp": ">", "var": "金额", "kind": "number", "value": 5000000}
    assert _hide_when(python("=x in [1..10]")) == {"and": [  # a range: 1 <= x <= 10
        {"cmp": ">=", "var": "x", "kind": "text", "value": 1}, {"cmp": "<=", "var": "x", "kind": "text", "value": 10}]}
    for left_to_the_server in ("=x > null", "=x + 1 > 5", "=count(items) > 2", "=a = b"):
        condition = python(left_to_the_server)
        assert condition is None or _hide_when(condition) is None, left_to_the_server


def test_a_hidden_field_is_neither_asked_for_nor_stored(world):
    e = world.engine
    case, task = checking(world)
    with pytest.raises(InvalidData) as refused:  # a big fine, a major hazard in 西城区: both asked for
        e.complete(task.id, "zhang", {"fine": "６,０００,０００", "major": "是", "district": "西城区"})
    assert refused.value.errors == {"fine_note": "「大额罚款说明」为必填项", "listing_no": "「挂牌文号」为必填项"}
    # a small fine, no major hazard: 大额罚款说明 and 挂牌文号 hidden — what a client posts for them anyway
    # (even a value no field could take) is not stored; 整改说明 hidden too (not major, fine < 10,000)
    e.complete(task.id, "zhang", {"fine": "5,000", "major": "否", "fine_note": "多余", "listing_no": "", "rectify_note": "x",
                                  "recheck": "下周"})
    data = e.case(case.id).data
    assert (data["fine"], data["major"], data.get("recheck")) == (5000, False, "下周")
    assert not {"fine_note", "listing_no", "rectify_note"} & set(data)


def test_the_rest_api_gets_the_same_answer(world):
    case, task = checking(world)
    client = api(world, "zhang")
    r = client.post(f"/api/tasks/{task.id}/complete",
                    json={"data": {"fine": 8_000_000, "major": True, "district": "east", "fine_note": "情节严重"}})
    assert r.status_code == 422
    assert "「挂牌文号」为必填项" in json.dumps(r.get_json(), ensure_ascii=False)
    assert "大额罚款说明" not in json.dumps(r.get_json(), ensure_ascii=False)
    r = client.post(f"/api/tasks/{task.id}/complete",  # hidden: 大额罚款说明 (800 <= 5,000,000) and 挂牌文号 (not major)
                    json={"data": {"fine": 800, "major": False, "fine_note": "不该保存", "listing_no": "不该保存"}})
    assert r.status_code < 300, r.get_json()
    assert not {"fine_note", "listing_no"} & set(world.engine.case(case.id).data)


def test_the_task_page_carries_each_condition_for_forms_js(world):
    _, task = checking(world)
    page = client_login(world.app, "zhang").get(f"/tasks/{task.id}").get_data(as_text=True)
    found = {m.group(1): json.loads(html.unescape(m.group(2)))
             for m in re.finditer(r'data-field="(\w+)" data-hide=\'([^\']+)\'', page)}
    assert found["listing_no"] == {"or": [{"cmp": "==", "var": "major", "kind": "boolean", "value": False},
                                          {"cmp": "==", "var": "district", "kind": "enum", "value": None}]}
    assert set(found) == {"fine_note", "listing_no", "rectify_note", "recheck"}
