"""Our forms typed in a real browser (Debian's Chromium through Playwright) the way a tired official
types (录入规整, issue 15): 事故信息接报 of bpmn/accident_investigation.bpmn on the UI tests' SQLite file.

A 直接经济损失 typed 「1,5」 (1.5 or 15?) is refused beside the field in Chinese, and everything else
typed — 「３ 人」, a credit code in full-width lower case with blanks, a unit name with a full-width
space — stays on the page as typed; typed again as 「1000万元」 the case is stored normalized and graded
较大 (《生产安全事故报告和调查处理条例》第三条: 1000万元以上), which the case page shows.
"""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.ui_support import ACME, LiveServer, add_investigator, browser, logged_in_page, make_world, open_task  # noqa: F401
from tests.ui_support import server  # noqa: F401 (the module's live server, from its world)
from workflows.forms.fields import MISGROUPED

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("browser-typed"))
    add_investigator(w.engine)
    yield w
    w.engine.dispose()


TYPED = {"accident_title": "甲化工“11·20”爆炸事故", "enterprise_name": "\u3000甲化工有限公司 ",
         "credit_code": "９１１１ ０１０１ ｍａ００ ００００ ０５", "location": "二号罐区（东侧）", "deaths": "３ 人",
         "serious_injuries": "0", "minor_injuries": "", "direct_loss": "1,5", "summary": "动火作业引燃可燃气体 "}


def test_a_misreadable_loss_is_refused_beside_it_the_rest_kept_then_stored_and_graded(browser, server, world):
    case = world.engine.start("accident_investigation", by="zhou", org="east", title="甲化工爆炸事故")
    task = open_task(world.engine, case.id, "receive")
    page = logged_in_page(browser, server, "zhou", 1366)
    page.goto(server.url + f"/tasks/{task.id}")
    for name, typed in TYPED.items():
        page.fill(f"#f-{name}", typed)
    page.fill("#f-occurred_at", "2026-11-20T08:00")
    page.fill("#f-reported_at", "2026-11-20T08:40")
    page.locator("#f-category").get_by_label("工矿商贸").check()
    page.select_option("#f-accident_type", "其他爆炸")
    page.locator("#f-local_level").get_by_label("县级").check()
    page.click("#submit")
    expect(page.locator("#err-direct_loss")).to_have_text(MISGROUPED)
    expect(page.locator('[data-field="direct_loss"]')).to_contain_text("直接经济损失（元）")
    for name in ("deaths", "credit_code", "direct_loss", "accident_title"):
        expect(page.locator(f"#f-{name}")).to_have_value(TYPED[name].strip())
    assert world.engine.task(task.id).state == "open"
    page.fill("#f-direct_loss", "1000万元")
    page.click("#submit")
    expect(page.locator(".flash, .flashes").first).to_contain_text("已提交")
    data = world.engine.case(case.id).data
    assert (data["deaths"], data["direct_loss"], data["credit_code"], data["enterprise_name"]) == \
        (3, "10000000.00", ACME, "甲化工有限公司")
    assert data["accident_grade"] == "较大"
    page.goto(server.url + f"/cases/{case.id}")
    expect(page.locator("body")).to_contain_text("较大")
    page.context.close()
