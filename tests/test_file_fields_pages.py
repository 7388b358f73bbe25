"""A required file field left without a file says so in one wording, on the page and through the API
(issue 15).

The page's 提交 with no file chosen for 整改方案文本 (《安全生产事故隐患排查治理暂行规定》第二十条: a
重大事故隐患's 治理方案 is submitted with the plan) said 此项为必填项 beside the field, while a REST
client sending ``"attachments": []`` for it was told 至少上传1个附件 — two wordings for one mistake, the
second naming no field. Both now say 请上传整改方案文本, and nothing is completed. SQLite and PostgreSQL.
"""
from __future__ import annotations

import re

import pytest

from tests.ui_support import MAJOR_PATH, client_login, major_case_at, make_world, open_task
from webui.api import create_token

SAID = "请上传整改方案文本"
PLAN = dict(next(data for element, _, data in MAJOR_PATH if element == "submit_plan"))


@pytest.fixture
def world(tmp_path, database_url):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    yield w
    w.engine.dispose()


def _plan_task(world):
    case = major_case_at(world.engine, "submit_plan")
    return case, open_task(world.engine, case.id, "submit_plan")


def test_the_page_names_the_file_field_left_empty(world):
    case, task = _plan_task(world)
    client = client_login(world.app, "acme")
    form = {k: v for k, v in PLAN.items() if k != "attachments"}
    r = client.post(f"/tasks/{task.id}", data={**form, "_csrf": client.csrf})
    assert r.status_code == 422
    said = re.search(r'id="err-attachments"[^>]*>([^<]*)<', r.get_data(as_text=True))
    assert said and said.group(1) == SAID
    assert open_task(world.engine, case.id, "submit_plan").id == task.id  # nothing completed


@pytest.mark.parametrize("sent", [{"attachments": []}, {}, {"attachments": None}],
                         ids=["empty list", "left out", "null"])
def test_the_api_says_the_same_naming_the_field(world, sent):
    case, task = _plan_task(world)
    token = create_token(world.engine, "acme", name="test")
    data = {**{k: v for k, v in PLAN.items() if k != "attachments"}, **sent}
    r = world.app.test_client().post(f"/api/tasks/{task.id}/complete", json={"data": data},
                                     headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["errors"] == {"attachments": SAID}
    assert open_task(world.engine, case.id, "submit_plan").id == task.id
