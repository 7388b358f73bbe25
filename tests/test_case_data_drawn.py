"""The case page's 案件数据 for a case of a model drawn elsewhere (Camunda Modeler, Activiti/Flowable).

Such a model has no form of ours; its data is labelled by the model itself (``camunda:formField``'s
label, ``formProperty``'s name) and typed by it (long, double, boolean, date, enum). The case page
shows each value under that label, as a person reads it: an amount with thousands separators, 是/否,
a day as 2026年12月3日, an enum's name (never its id), and no variable name anywhere. Real engine
(workflows.runtime), real SQLite file and PostgreSQL, the corpus files of tests/bpmn/interop, the
values typed on the task page as a tired official types them, Flask's test client.
"""
from __future__ import annotations

import re

import pytest

from tests.interop_support import CORPUS
from tests.test_incident_pages_words import visible
from tests.ui_support import client_login, make_world, open_task


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    yield w
    w.engine.dispose()


def case_data(html: str) -> dict[str, str]:
    """The 案件数据 table as a person reads it: label -> value."""
    table = re.search(r'<table class="kv" id="case-data">(.*?)</table>', html, re.S).group(1)
    return {visible(m.group(1)): visible(m.group(2))
            for m in re.finditer(r"<tr[^>]*><th>(.*?)</th><td>(.*?)</td></tr>", table, re.S)}


def worked(world, model, element: str, typed: dict) -> tuple[int, str]:
    """Start a case of ``model`` as 张, submit ``typed`` on the task page of ``element``; the case id
    and the case page's html."""
    e = world.engine
    e.deploy(model, by="zhao")
    case = e.start(model.stem, by="zhang", org="east", title="甲公司" + model.stem)
    task = open_task(e, case.id, element)
    zhang = client_login(world.app, "zhang")
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit", **typed})
    assert response.status_code == 302, visible(response.get_data(as_text=True))
    page = zhang.get(f"/cases/{case.id}")
    assert page.status_code == 200
    return case.id, page.get_data(as_text=True)


def test_camunda_purchase_data_shows_by_the_models_labels(world):
    case_id, html = worked(world, CORPUS / "camunda7_purchase.bpmn", "Activity_request",
                           {"amount": "5,000,000", "urgent": "true"})
    assert world.engine.case(case_id).data["amount"] == 5_000_000
    assert case_data(html) == {"采购金额（元）": "5,000,000 元", "是否急需": "是"}  # an amount with 元 (session 23)
    shown = visible(re.search(r'<h2>案件数据</h2>.*?</section>', html, re.S).group(0))
    assert not re.search(r"\bamount\b|\burgent\b|True|true", shown)


def test_activiti_enum_shows_its_name_and_the_fine_its_separators(world):
    _case_id, html = worked(world, CORPUS / "activiti_form_properties.bpmn", "usertask1",
                            {"hazard_level": "general", "fine_amount": "５０,０００"})
    data = case_data(html)
    assert data["隐患等级"] == "一般隐患"
    assert data["罚款金额"] == "50,000 元"
    assert "general" not in visible(html)


def test_camunda_date_enum_and_decimal_as_people_read_them(world):
    _case_id, html = worked(world, CORPUS.parent / "camunda7_drawn_form_kinds.bpmn", "Activity_0record",
                            {"verdict": "fix", "ratio": "８７.５", "checked_on": "2026-12-03"})
    assert case_data(html) == {"检查日期": "2026年12月3日", "检查结论": "限期整改", "整改完成率（%）": "87.5"}


def context_facts(html: str) -> dict[str, str]:
    """The task page's 办理依据 table: label -> value, as a person reads it."""
    table = re.search(r'<table class="kv" id="context-facts">(.*?)</table>', html, re.S)
    return {} if table is None else {visible(m.group(1)): visible(m.group(2)) for m in re.finditer(
        r"<tr[^>]*><th>(.*?)</th><td>(.*?)</td></tr>", table.group(1), re.S)}


def test_the_next_step_shows_what_it_decides_on_by_the_models_labels(world):
    """camunda7_purchase: 负责人审批 (科室负责人 钱科长) has no form; its page shows under 办理依据 the
    采购金额 and 是否急需 填写采购单 gave, as people read them. 填写采购单's own page does not repeat
    its own fields there."""
    case_id, _html = worked(world, CORPUS / "camunda7_purchase.bpmn", "Activity_request",
                            {"amount": "１２,０００", "urgent": "false"})
    approve = open_task(world.engine, case_id, "Activity_approve")
    qian = client_login(world.app, "qian")
    html = qian.get(f"/tasks/{approve.id}").get_data(as_text=True)
    assert context_facts(html) == {"采购金额（元）": "12,000 元", "是否急需": "否"}  # as the case page (session 23)
    e = world.engine
    case = e.start("camunda7_purchase", by="zhang", org="east", title="乙公司采购", data={"amount": 3000})
    request = open_task(e, case.id, "Activity_request")
    html = client_login(world.app, "zhang").get(f"/tasks/{request.id}").get_data(as_text=True)
    assert context_facts(html) == {}  # 采购金额 is its own field: on the form, not above it
    assert 'name="amount"' in html
