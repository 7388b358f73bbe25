"""A required file field drawn in the model says what our own forms say when left without a file (issue 15).

5a1e1a4 made a required file field of our forms say 请上传<label> (workflows.forms.fields.files_missing),
page and API alike. A form drawn in Camunda Modeler 5.28 for Camunda 8.6 with form-js's 文件上传
(``filepicker``) component — tests/bpmn/zeebe_filepicker_form.bpmn, 整改后现场照片, required — said
「整改后现场照片」为必填项 instead (engine/model_forms.check); a Camunda 7 formField or a Flowable/Activiti
formProperty typed file/upload the same. Now 请上传整改后现场照片 beside the field and in the API's
answer, nothing completed; other required fields keep 「…」为必填项. SQLite and PostgreSQL.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine import model_forms
from engine.errors import InvalidData
from tests.ui_support import client_login, make_world, open_task
from webui.api import create_token

MODEL = Path(__file__).resolve().parent / "bpmn" / "zeebe_filepicker_form.bpmn"
SAID = "请上传整改后现场照片"


@pytest.fixture
def world(tmp_path, database_url):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    yield w
    w.engine.dispose()


def _task(world):
    world.engine.deploy(MODEL, by="zhao")
    case = world.engine.start("zeebe_filepicker_form", by="zhang", org="east", title="甲化工整改复查")
    return case, open_task(world.engine, case.id, "Activity_0report")


def test_the_page_asks_for_the_file_by_its_label(world):
    case, task = _task(world)
    client = client_login(world.app, "zhang")
    r = client.post(f"/tasks/{task.id}", data={"_csrf": client.csrf, "_action": "submit", "note": "已整改"})
    assert r.status_code in (400, 422)
    said = re.search(r'id="err-photos"[^>]*>([^<]*)<', r.get_data(as_text=True))
    assert said and said.group(1) == SAID, r.get_data(as_text=True)[-3000:]
    assert open_task(world.engine, case.id, "Activity_0report").id == task.id


@pytest.mark.parametrize("sent", [{}, {"photos": ""}, {"photos": None}, {"photos": []}],
                         ids=["left out", "empty", "null", "empty list"])
def test_the_api_says_the_same(world, sent):
    case, task = _task(world)
    token = create_token(world.engine, "zhang", name="test")
    r = world.app.test_client().post(f"/api/tasks/{task.id}/complete", json={"data": {"note": "已整改", **sent}},
                                     headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["errors"] == {"photos": SAID}
    assert open_task(world.engine, case.id, "Activity_0report").id == task.id


@pytest.mark.parametrize("kind", ["file", "upload", "Attachment"])
def test_a_formfield_or_formproperty_typed_for_a_file_says_the_same(kind):
    fields = [{"id": "plan", "label": "整改方案", "type": kind, "required": True},
              {"id": "note", "label": "说明", "type": "string", "required": True}]
    with pytest.raises(InvalidData) as refused:
        model_forms.check({"formFields": json.dumps(fields)}, {})
    assert refused.value.errors == {"plan": "请上传整改方案", "note": "「说明」为必填项"}
