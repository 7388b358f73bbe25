"""The designer imports a Camunda 8 model with its forms and decision table (附带文件) in a real browser
(Debian's Chromium through Playwright, the designer module's world and server): 导入文件 takes the
.bpmn with a .form at once, then the other .form and the .dmn for the draft on the canvas; they are
listed with 移除 buttons, validated, test-run (the linked forms' fields by their labels) and deployed
with the model; the version's files are downloaded from its versions page.
"""
from __future__ import annotations

import json
import shutil

import pytest
from playwright.sync_api import expect

from tests.test_designer_browser import browser, editor_ready, page, world  # noqa: F401
from tests.test_designer_companions import DMN, DMN_FILE, FACTS, FACTS_FILE, INSPECTION, INSPECTION_FILE, MODEL
from tests.ui_support import screenshot

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)


def test_a_camunda8_model_is_imported_with_its_forms_and_decision_table_test_run_and_deployed(world, page, tmp_path):
    files = {"企业分级核查.bpmn": MODEL, FACTS_FILE: FACTS, INSPECTION_FILE: INSPECTION, DMN_FILE: DMN}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    page.goto(page.base + "/designer/new")
    editor_ready(page)
    page.set_input_files("#import-file", [str(tmp_path / "企业分级核查.bpmn"), str(tmp_path / FACTS_FILE)])
    expect(page.locator("h1")).to_have_text("新建流程：企业分级核查")
    listed = page.locator("#companion-list li")
    expect(listed).to_have_count(1)
    expect(listed.first).to_have_text(f"{FACTS_FILE}（表单）移除")
    expect(page.locator("#problem-list")).to_contain_text("找不到决策表「Decision_0grade」")

    page.set_input_files("#import-file", [str(tmp_path / INSPECTION_FILE), str(tmp_path / DMN_FILE)])
    expect(listed).to_have_count(3)
    expect(page.locator("#designer-status")).to_have_text("校验通过，可以部署")
    expect(page.locator("h1")).to_have_text("新建流程：企业分级核查")  # the draft stays

    page.get_by_role("button", name=f"移除「{INSPECTION_FILE}」").click()
    expect(listed).to_have_count(2)
    page.click("#btn-validate")
    expect(page.locator("#designer-status")).to_have_text("校验通过，可以部署")
    expect(page.locator("#problems")).to_contain_text("用户任务「现场检查」链接的 Camunda 表单「inspection-form」（.form 文件）不在模型文件中")
    page.set_input_files("#import-file", str(tmp_path / INSPECTION_FILE))
    expect(listed).to_have_count(3)
    screenshot(page, "designer-companions-1-listed")

    page.click("#btn-dry-run")  # the linked forms' fields, empty: the first required one is named
    facts = page.locator('#dry-forms form[data-step="Activity_0facts"]')
    check = page.locator('#dry-forms form[data-step="Activity_0check"]')
    expect(page.locator("#designer-status")).to_contain_text("「登记企业情况」的行业：「行业」为必填项", timeout=20_000)
    facts.get_by_label("行业").select_option(label="制造业")
    facts.get_by_label("从业人数").fill("１２０")
    check.get_by_label("检查地点").fill("一号车间")
    check.get_by_label("检查日期").fill("2026年11月1日")
    check.get_by_label("拟罚款金额（元）").fill("5,000")
    page.click("#btn-dry-again")
    expect(page.locator("#trace-status")).to_contain_text("流程结束", timeout=20_000)
    screenshot(page, "designer-companions-2-dry-run")

    page.click("#btn-deploy")
    ask = page.locator("#designer-ask")
    expect(ask).to_contain_text("「企业分级核查」是新流程，将部署为第一个版本 v1")
    expect(ask).to_contain_text(f"决策表文件「{DMN_FILE}」将部署为 v1（新决策表），在模型之前部署。")
    expect(ask).to_contain_text(f"表单文件 「{FACTS_FILE}」、「{INSPECTION_FILE}」 嵌入此版本")
    ask.locator("button", has_text="确认部署").click()
    expect(page.locator("#designer-status")).to_contain_text(f"已部署为版本 v1：新发起的案件使用此版本，运行中的案件仍按原版本办理；决策表「{DMN_FILE}」已部署为 v1")
    assert world.engine.models.latest("grade_check").version == 1

    page.goto(page.base + "/designer/models/grade_check")
    row = page.locator('#versions tr[data-version="1"] td.companions')
    expect(row).to_contain_text(f"{INSPECTION_FILE}（表单）")
    expect(row).to_contain_text(f"{DMN_FILE}（决策表（v1））")
    with page.expect_download() as got:
        row.get_by_role("link", name=INSPECTION_FILE).click()
    assert json.loads(open(got.value.path(), encoding="utf-8").read()) == json.loads(INSPECTION)
