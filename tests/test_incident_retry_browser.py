"""An incident's retry form (修正数据后重试) in a real browser (Debian's Chromium through Playwright):
a 是/否 box may be put back to 不填 after a click, so a value never given stays not given.

errors_escalation (drawn in bpmn.io): 企业配合？ reads ``refused == True``; 进入现场 submitted without
it fails there. 钱科长 (科室负责人) opens 修正提交数据, clicks 是 by mistake and then 不填, and retries:
``refused`` is still not in the case, and since the gateway needs it the retry is refused on the form
naming the box (it used to run and fail again, a second incident). Then 是, retried: the case goes on
to 拒检立案. The UI tests' SQLite file, the corpus file as drawn.
"""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from engine.errors import IncidentRaised
from tests.ui_support import browser, corpus_world, logged_in_page, open_task  # noqa: F401

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)


world, server = corpus_world("errors_escalation.bpmn")


def newest_incident(engine, case_id: int):
    return max(engine.incidents(case_id=case_id), key=lambda i: i.id)


def open_retry_form(page, server, incident_id: int):
    page.goto(server.url + "/supervise/incidents")
    row = page.locator(f'tr[data-incident="{incident_id}"]')
    row.locator("summary", has_text="修正提交数据").click()
    return row


def test_a_yes_no_clicked_by_mistake_is_put_back_to_not_given(browser, server, world):
    e = world.engine
    case = e.start("errors_escalation", by="zhang", org="east", title="甲公司检查")
    with pytest.raises(IncidentRaised):
        e.complete(open_task(e, case.id, "enter").id, "zhang", {})
    incident = newest_incident(e, case.id)
    page = logged_in_page(browser, server, "qian", 1366)
    row = open_retry_form(page, server, incident.id)
    unset = row.get_by_label("不填")
    expect(unset).to_be_checked()
    row.get_by_label("是", exact=True).check()
    unset.check()  # changed his mind: not given after all
    expect(row.get_by_label("是", exact=True)).not_to_be_checked()
    row.get_by_role("button", name="重试").click()
    page.wait_for_load_state()
    expect(page.locator(f'tr[data-incident="{incident.id}"] .field-error').first).to_contain_text(
        "是或否（「企业配合？」要用到）")
    assert "refused" not in e.case(case.id).data
    assert [i.id for i in e.incidents(case_id=case.id)] == [incident.id]  # not run again: no second incident
    row = open_retry_form(page, server, incident.id)
    row.get_by_label("是", exact=True).check()
    row.get_by_role("button", name="重试").click()
    expect(page.locator(".flash, .flashes").first).to_contain_text("已重试成功")
    assert [t.spec_id for t in e.case(case.id).tasks] == ["penalty"]
    page.context.close()
