"""A 是/否 of a form drawn in the model, left 不填 where the step goes on to read it (模型内表单的是/否).

tests/bpmn/camunda7_qualified_gateway.bpmn (drawn as Camunda Modeler 5 writes it): 现场验收 asks
是否合格 (``camunda:formField type="boolean"``, neither required nor defaulted, so its box offers 不填)
and 是否已拍照留存 (the same, but nothing reads it); the gateway after it routes on
``${qualified && score >= 60}``. tests/bpmn/flowable_acceptance_check.bpmn (as Flowable Modeler 6.8
writes it): 验收检查's 是否验收合格 (``flowable:formProperty type="boolean"``) is read by
``${passed == true}``.

A person who submits without choosing 是 or 否 used to get the completion through and the gateway
raise: an incident a supervisor had to retry (through the REST API, ``""`` was even stored and
``!qualified`` sent the case down the 不合格 flow). Now the completion is refused naming the field
(「请选择“是否合格”：是或否…」) — on the task page next to the field with what was typed kept, through
the REST API as 422 with ``errors`` — nothing is written, no incident, the task stays open. A blank
nothing reads goes through and is not stored. Real engine (workflows.runtime), SQLite file and
PostgreSQL, Flask's test client for the pages and the API.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_drawn_form_web import task_form
from tests.test_incident_pages_words import incident_row, visible
from tests.ui_support import api_client, client_login, make_world, open_task

MODELS = Path(__file__).resolve().parent / "bpmn"
REFUSED = "请选择“是否合格”：是或否（流程的下一步要用到）"


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    w.engine.deploy(MODELS / "camunda7_qualified_gateway.bpmn", by="zhao")
    w.engine.deploy(MODELS / "flowable_acceptance_check.bpmn", by="zhao")
    yield w
    w.engine.dispose()


def accepted(world, score=85):
    case = world.engine.start("camunda7_qualified_gateway", by="zhang", org="east", title="甲公司整改验收",
                              data={} if score is None else {"score": score})
    return case, open_task(world.engine, case.id, "Activity_accept")


def api(world, username: str):
    client = api_client(world.app, world.engine, username)
    return client


def unchanged(world, case, task):
    e = world.engine
    assert e.task(task.id).state == "open"
    assert "remark" not in e.case(case.id).data and "qualified" not in e.case(case.id).data
    assert not e.incidents(case_id=case.id)


def test_the_task_page_refuses_a_yes_no_left_unset_that_the_gateway_reads(world):
    case, task = accepted(world)
    zhang = client_login(world.app, "zhang")
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit", "qualified": "",
                                                      "photographed": "true", "remark": "已更换灭火器"})
    assert response.status_code == 422, visible(response.get_data(as_text=True))
    form = task_form(response.get_data(as_text=True))
    error = re.search(r'<div class="field has-error[^"]*" data-field="qualified">.*?'
                      r'<p class="field-error" id="err-qualified" role="alert">(.*?)</p>', form, re.S)
    assert error and error.group(1) == REFUSED
    assert 'value="已更换灭火器"' in form  # what was typed stays
    assert 'type="radio" name="photographed" value="true" checked' in form
    assert not re.search(r"\bqualified\b|\bscore\b", visible(form))
    unchanged(world, case, task)
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit", "qualified": "false",
                                                      "photographed": "true", "remark": "已更换灭火器"})
    assert response.status_code == 302, visible(response.get_data(as_text=True))
    assert open_task(world.engine, case.id, "Activity_again").name == "重新整改"
    assert world.engine.case(case.id).data["qualified"] is False


def test_the_page_offers_no_unset_for_a_yes_no_the_gateway_reads(world):
    """是否合格, read by the gateway after 现场验收, is asked as 是/否 alone, neither chosen (不填 would
    only be refused); 是否已拍照留存, read by nothing, keeps 不填, chosen at first. The same for
    Flowable's 是否验收合格 (``${passed == true}``) beside its 是否拍照留存."""
    _case, task = accepted(world)
    zhang = client_login(world.app, "zhang")
    form = task_form(zhang.get(f"/tasks/{task.id}").get_data(as_text=True))
    qualified = re.search(r'<span class="choices" id="f-qualified">.*?</span>', form, re.S).group(0)
    assert 'value="true" >' in qualified and 'value="false" >' in qualified
    assert "不填" not in qualified and "checked" not in qualified
    assert re.search(r'<input type="radio" name="photographed" value="" checked> 不填', form)
    e = world.engine
    case = e.start("flowable_acceptance_check", by="zhang", org="east", title="戊公司整改验收")
    flowable = task_form(zhang.get(f"/tasks/{open_task(e, case.id, 'sid-2B6F3C1E-8A4D-4F0B-9E7C-1D2A3B4C5D6E').id}")
                         .get_data(as_text=True))
    assert not re.search(r'name="passed" value=""', flowable)
    assert re.search(r'name="photographed" value="" checked> 不填', flowable)


def test_the_rest_api_refuses_it_with_422_naming_the_field(world):
    case, task = accepted(world)
    client = api(world, "zhang")
    for data in ({"remark": "已整改"}, {"qualified": "", "remark": "已整改"}, {"qualified": None, "remark": "已整改"}):
        response = client.post(f"/api/tasks/{task.id}/complete", json={"data": data})
        assert response.status_code == 422, response.get_data(as_text=True)
        assert response.get_json()["errors"] == {"qualified": REFUSED}, data
        unchanged(world, case, task)
    response = client.post(f"/api/tasks/{task.id}/complete", json={"data": {"qualified": "是", "remark": "已整改"}})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert world.engine.case(case.id).status == "completed"


def test_a_blank_yes_no_nothing_reads_goes_through_and_is_not_stored(world):
    case, task = accepted(world)
    response = api(world, "zhang").post(f"/api/tasks/{task.id}/complete",
                                        json={"data": {"qualified": True, "photographed": ""}})
    assert response.status_code == 200, response.get_data(as_text=True)
    data = world.engine.case(case.id).data
    assert world.engine.case(case.id).status == "completed"
    assert data["qualified"] is True and "photographed" not in data


def test_flowable_form_property_boolean_left_blank_is_refused(world):
    e = world.engine
    case = e.start("flowable_acceptance_check", by="zhang", org="east", title="乙公司整改验收")
    task = open_task(e, case.id, "sid-2B6F3C1E-8A4D-4F0B-9E7C-1D2A3B4C5D6E")
    zhang = client_login(world.app, "zhang")
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit", "passed": "",
                                                      "photographed": ""})
    assert response.status_code == 422
    assert "请选择“是否验收合格”：是或否" in visible(task_form(response.get_data(as_text=True)))
    assert e.task(task.id).state == "open" and not e.incidents(case_id=case.id)
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit", "passed": "true",
                                                      "photographed": ""})
    assert response.status_code == 302
    assert e.case(case.id).status == "completed"


def test_a_retry_that_leaves_the_yes_no_unset_is_refused_on_the_retry_form(world):
    """The case started without 整改评分, so 现场验收 with 是 fails at the gateway (an incident: the
    score is no field of the task's form). 钱科长's retry form asks 是否合格 (是 chosen, 不填 offered)
    and 整改评分; a retry with 不填 is refused next to 是否合格 on the retry form — the incident stays
    open, no second incident; with 是 and 80 the case ends."""
    from engine.errors import IncidentRaised
    e = world.engine
    case, task = accepted(world, score=None)
    with pytest.raises(IncidentRaised):
        e.complete(task.id, "zhang", {"qualified": "是"})
    (incident,) = e.incidents(case_id=case.id)
    qian = client_login(world.app, "qian")
    row = incident_row(qian.get("/supervise/incidents").get_data(as_text=True), incident.id)
    assert 'type="radio" name="qualified" value="true" checked' in row
    assert 'name="qualified" value=""' in row  # 不填 offered
    response = qian.post(f"/supervise/incidents/{incident.id}/retry",
                         data={"_csrf": qian.csrf, "qualified": "", "score": "80"})
    assert response.status_code == 422, visible(response.get_data(as_text=True))
    row = incident_row(response.get_data(as_text=True), incident.id)
    assert REFUSED in visible(row)
    assert [i.id for i in e.incidents(case_id=case.id)] == [incident.id]
    assert e.task(task.id).state == "open"
    response = qian.post(f"/supervise/incidents/{incident.id}/retry",
                         data={"_csrf": qian.csrf, "qualified": "true", "score": "80"})
    assert response.status_code == 302
    assert e.case(case.id).status == "completed" and not e.incidents(case_id=case.id)


def test_a_day_left_blank_that_the_next_tasks_due_date_reads_is_refused(world):
    """验收检查 answered 否 with 复查日期 left blank: 限期复查's ``flowable:dueDate="${recheck_on}"``
    cannot be computed (an incident before); refused naming 复查日期, through the REST API."""
    e = world.engine
    case = e.start("flowable_acceptance_check", by="zhang", org="east", title="丁公司整改验收")
    task = open_task(e, case.id, "sid-2B6F3C1E-8A4D-4F0B-9E7C-1D2A3B4C5D6E")
    response = api(world, "zhang").post(f"/api/tasks/{task.id}/complete",
                                        json={"data": {"passed": "否", "recheck_on": ""}})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["errors"] == {"recheck_on": "请填写“复查日期”（流程的下一步要用到）"}
    assert e.task(task.id).state == "open" and not e.incidents(case_id=case.id)
    assert "passed" not in e.case(case.id).data
