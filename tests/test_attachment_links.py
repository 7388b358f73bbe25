"""A file linked in a form field is the step's own (附件引用, issue 15).

A file field of a form posts references (``attachment:<id>/<name>``): the files uploaded with the
submit, and those the step linked before (its 整改方案 submitted again after 退回 keeps its file). A
reference is only text, so the page's hidden input or a REST client could name any file: the 现场照片
the inspector uploaded at 登记隐患 linked by the enterprise as its 整改前后照片, another case's file
(shown then in this case to people who may not see that one), a reference made up. Each was stored
and shown as the step's evidence. Now refused naming the field and the file, in Chinese, the task
left open and what was typed kept; the step's own earlier file and a new upload are taken.

Our 重大事故隐患挂牌督办 (bpmn/hazard_supervision.bpmn, forms of workflows/forms/hazard.py) as an
inspector (zhang) and the enterprise (acme) work it; SQLite and PostgreSQL; the page and the REST API.
"""
from __future__ import annotations

import io
import re

import pytest

from tests.ui_support import (REGISTER_MAJOR, api_client, client_login, make_world, open_task, start_hazard, walk)

FIX = {"measures_taken": "更换报警探头", "completed_on": "2026-11-26"}
REFUSED = "「{label}」中的附件「{name}」不是本环节上传的文件，不能在此引用，请重新上传"


@pytest.fixture
def world(tmp_path, database_url):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    yield w
    w.engine.dispose()


def _text(response) -> str:
    return response.get_data(as_text=True)


def _api(world, username: str):
    client = api_client(world.app, world.engine, username)
    return client


def _registered_with_a_photo(world, title="乙公司配电室隐患"):
    """A general hazard registered on the page by zhang with 现场照片.jpg: (case, the photo's reference)."""
    case = start_hazard(world.engine, title=title)
    zhang = client_login(world.app, "zhang")
    task = open_task(world.engine, case.id, "register")
    data = dict(REGISTER_MAJOR, major_criterion="", fix_deadline="2026-11-30", requires_shutdown="否",
                found_on="2026-11-20", attachments__upload=[(io.BytesIO(b"photo"), "现场照片.jpg")])
    data.pop("attachments")
    response = zhang.post(f"/tasks/{task.id}", content_type="multipart/form-data", data={"_csrf": zhang.csrf, **data})
    assert response.status_code == 302, _text(response)
    [ref] = world.engine.case(case.id).data["attachments"]
    return case, ref


def test_the_page_refuses_the_inspectors_photo_linked_as_the_enterprises_rectification(world):
    case, photo = _registered_with_a_photo(world)
    task = open_task(world.engine, case.id, "fix_now")
    acme = client_login(world.app, "acme")
    response = acme.post(f"/tasks/{task.id}", content_type="multipart/form-data",
                         data={"_csrf": acme.csrf, **FIX, "attachments": photo})
    page = _text(response)
    assert response.status_code == 422
    assert REFUSED.format(label="整改前后照片", name="现场照片.jpg") in page
    assert 'value="更换报警探头"' in page or "更换报警探头" in page  # what was typed is kept
    assert world.engine.task(task.id).state == "open"
    response = acme.post(f"/tasks/{task.id}", content_type="multipart/form-data", data={
        "_csrf": acme.csrf, **FIX, "attachments__upload": [(io.BytesIO(b"after"), "整改后 (1)，东侧.jpg")]})
    assert response.status_code == 302, _text(response)
    [ref] = world.engine.case(case.id).data["attachments"]
    assert ref != photo and ref.endswith("/整改后 (1)，东侧.jpg")


def test_the_api_refuses_another_steps_another_cases_and_a_made_up_file(world):
    case, photo = _registered_with_a_photo(world)
    _other, elsewhere = _registered_with_a_photo(world, title="丙公司仓库隐患")
    task = open_task(world.engine, case.id, "fix_now")
    api = _api(world, "acme")
    made_up = "attachment:" + "0" * 32 + "/整改报告.pdf"
    for ref, name in ((photo, "现场照片.jpg"), (elsewhere, "现场照片.jpg"), (made_up, "整改报告.pdf")):
        r = api.post(f"/api/tasks/{task.id}/complete", json={"data": {**FIX, "attachments": [ref]}})
        assert r.status_code == 422, r.get_json()
        assert r.get_json()["errors"] == {"attachments": REFUSED.format(label="整改前后照片", name=name)}
    assert world.engine.task(task.id).state == "open"
    assert world.engine.case(case.id).data["attachments"] == [photo]


def test_a_plan_sent_back_keeps_its_own_file_and_takes_no_other(world):
    """退回: the 整改方案 submitted again links the file it was submitted with (the page offers it),
    but not the 现场照片 of 登记隐患."""
    _case, photo = _registered_with_a_photo(world, title="甲公司储罐区隐患")
    e = world.engine
    acme = client_login(world.app, "acme")
    case2 = start_hazard(e, title="丁公司液氯储罐区隐患")
    e.complete(open_task(e, case2.id, "register").id, "zhang", REGISTER_MAJOR)
    walk(e, case2.id, "submit_plan")
    plan_task = open_task(e, case2.id, "submit_plan")
    plan = {"plan_goals": "消除储罐区重大隐患", "plan_methods": "新建防火堤", "plan_funds": "120万元",
            "plan_staff": "设备部", "plan_timeline": "2027年2月前", "plan_safety": "停用储罐",
            "reported_to_regulator_on": "2026-11-25", "reported_to_workers_on": "2026-11-25"}
    response = acme.post(f"/tasks/{plan_task.id}", content_type="multipart/form-data", data={
        "_csrf": acme.csrf, **plan, "attachments__upload": [(io.BytesIO(b"plan"), "整改方案.pdf")]})
    assert response.status_code == 302, _text(response)
    [own] = e.case(case2.id).data["attachments"]
    e.complete(open_task(e, case2.id, "review_plan").id, "zhang",
               {"plan_review_decision": "退回", "plan_review_opinion": "经费未落实"})
    again = open_task(e, case2.id, "submit_plan")
    page = _text(acme.get(f"/tasks/{again.id}"))
    assert re.search(r"整改方案\.pdf", page)  # offered again
    api = _api(world, "acme")
    r = api.post(f"/api/tasks/{again.id}/complete", json={"data": {**plan, "attachments": [own, photo]}})
    assert r.status_code == 422 and r.get_json()["errors"] == {
        "attachments": REFUSED.format(label="整改方案文本", name="现场照片.jpg")}
    r = api.post(f"/api/tasks/{again.id}/complete", json={"data": {**plan, "attachments": [own]}})
    assert r.status_code == 200, r.get_json()
    assert e.case(case2.id).data["attachments"] == [own]
