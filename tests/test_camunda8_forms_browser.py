"""A Camunda 8 form embedded in the model (Camunda 8 表单), filled in and submitted in a real browser
(Debian's Chromium through Playwright): zeebe_embedded_form's 现场检查, on the UI tests' SQLite file;
整改期限 shows only once 是否存在重大事故隐患 is 是 (form-js conditional.hide, webui/static/forms.js).
"""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.ui_support import browser, corpus_world, logged_in_page, open_task  # noqa: F401

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)


world, server = corpus_world("zeebe_embedded_form.bpmn")


def test_the_inspection_form_is_filled_by_its_labels_and_a_missing_field_is_named(browser, server, world):
    e = world.engine
    case = e.start("zeebe_embedded_form", by="zhang", org="east", title="甲公司现场检查",
                   data={"company": "甲公司", "team_lead": "张三"})
    task = open_task(e, case.id, "Activity_0check")
    page = logged_in_page(browser, server, "zhang", 1366)
    page.goto(server.url + f"/tasks/{task.id}")
    form = page.locator("#task-form")
    expect(form).to_contain_text("现场检查记录")
    expect(form.get_by_label("带队人员")).to_be_disabled()
    form.get_by_label("检查日期").fill("2026年11月1日")
    days = form.locator('[data-field="rectify_days"]')
    expect(days).to_be_hidden()  # 整改期限 hidden while 是否存在重大事故隐患 is 否 (conditional.hide)
    form.locator("#f-major_hazard").get_by_label("是", exact=True).check()
    expect(days).to_be_visible()
    form.get_by_label("拟罚款金额（元）").fill("５,０００,０００")
    form.get_by_label("重大隐患", exact=True).check()  # 隐患等级: a radio group, as drawn
    form.get_by_label("消防设施").check()
    form.get_by_label("危化品存放").check()
    form.get_by_label("整改期限（天）").fill("30")
    page.click("#submit")
    expect(page.locator("#err-site")).to_have_text("「检查地点」为必填项")
    expect(form.get_by_label("危化品存放")).to_be_checked()  # what was ticked stays
    form.get_by_label("检查地点").fill("一号车间")
    page.click("#submit")
    expect(page.locator(".flash, .flashes").first).to_contain_text("已提交：现场检查")
    data = e.case(case.id).data
    assert (data["site"], data["fine"], data["level"], data["items"], data["rectify_days"]) == (
        "一号车间", 5_000_000, "major", ["fire", "chem"], 30)
    assert open_task(e, case.id, "Activity_0listed").name == "挂牌督办"
    page.context.close()
