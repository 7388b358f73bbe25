"""A form drawn in the model (模型内表单), filled in and submitted in a real browser (Debian's Chromium
through Playwright): Camunda Modeler's 填写采购单 (camunda7_purchase) and Activiti's 隐患分级
(activiti_form_properties), on the UI tests' SQLite file with the corpus files deployed.
"""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.ui_support import browser, corpus_world, logged_in_page, open_task  # noqa: F401

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)


world, server = corpus_world("camunda7_purchase.bpmn", "activiti_form_properties.bpmn")


def test_the_purchase_form_is_filled_as_typed_and_a_missing_amount_is_named(browser, server, world):
    case = world.engine.start("camunda7_purchase", by="zhang", org="east", title="甲公司采购")
    task = open_task(world.engine, case.id, "Activity_request")
    page = logged_in_page(browser, server, "zhang", 1366)
    page.goto(server.url + f"/tasks/{task.id}")
    form = page.locator("#task-form")
    expect(form.get_by_label("采购金额（元）")).to_have_value("")
    expect(form.get_by_label("否")).to_be_checked()  # 是否急需: the model's default
    form.get_by_label("是", exact=True).check()
    page.click("#submit")
    expect(page.locator("#err-amount")).to_have_text("「采购金额（元）」为必填项")
    expect(form.get_by_label("是", exact=True)).to_be_checked()  # what was chosen stays
    form.get_by_label("采购金额（元）").fill("5,000,000")
    page.click("#submit")
    expect(page.locator(".flash, .flashes").first).to_contain_text("已提交：填写采购单")
    data = world.engine.case(case.id).data
    assert (data["amount"], data["urgent"]) == (5_000_000, True)
    page.context.close()


def test_an_enum_is_picked_by_its_name_and_a_read_only_field_cannot_be_typed_in(browser, server, world):
    case = world.engine.start("activiti_form_properties", by="zhang", org="east", title="乙公司隐患")
    task = open_task(world.engine, case.id, "usertask1")
    page = logged_in_page(browser, server, "zhang", 1366)
    page.goto(server.url + f"/tasks/{task.id}")
    form = page.locator("#task-form")
    expect(form.get_by_label("企业名称")).to_be_disabled()
    form.get_by_label("隐患等级").select_option(label="重大隐患")
    form.get_by_label("罚款金额").fill("３０,０００")
    page.click("#submit")
    expect(page.locator(".flash, .flashes").first).to_contain_text("已提交：隐患分级")
    data = world.engine.case(case.id).data
    assert (data["hazard_level"], data["fine_amount"]) == ("major", 30000)
    assert open_task(world.engine, case.id, "usertask2").name == "挂牌督办"
    page.context.close()
