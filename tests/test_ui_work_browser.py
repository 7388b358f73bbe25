"""People work from the pages, in a real browser (Debian's Chromium through Playwright): an approver
sees the proposal above the form and decides with one button; the queue, a task and the case page
are usable at 1366 px (menu items never break) and at 390 px (no sideways scroll). Screenshots of
each go to test-artifacts/screenshots/ (issue 13).

One world and one browser for the module; the world is the UI tests' SQLite file with the hazard
process (挂牌督办) walked by the engine up to 审核挂牌建议.
"""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.ui_support import (LiveServer, browser, logged_in_page, major_case_at, make_world,  # noqa: F401
                              open_task, screenshot, wrapped_menu_items)
from tests.ui_support import server  # noqa: F401 (the module's live server, from its world)

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("work-browser"))
    w.case = major_case_at(w.engine, "review_listing")
    yield w
    w.engine.dispose()


def sideways(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", [1366, 390])
def test_queue_task_and_case_page_fit_the_screen(browser, server, world, width):
    page = logged_in_page(browser, server, "qian", width)
    task = open_task(world.engine, world.case.id, "review_listing")
    for name, url in (("queue", "/tasks/group"), ("task", f"/tasks/{task.id}"), ("case", f"/cases/{world.case.id}")):
        page.goto(server.url + url)
        assert wrapped_menu_items(page) == [], (name, width)
        assert sideways(page) <= 0, f"{name} at {width} px scrolls sideways by {sideways(page)} px"
        screenshot(page, f"work-{name}-{width}")
    page.context.close()


def test_the_approver_sees_the_proposal_and_decides_with_one_button(browser, server, world):
    """审核挂牌建议 (原安监总局令第16号 第二十一条): the section head reviews what the inspector proposed."""
    page = logged_in_page(browser, server, "qian", 1366)
    task = open_task(world.engine, world.case.id, "review_listing")
    page.goto(server.url + f"/tasks/{task.id}")
    context = page.locator("#task-context")
    expect(context).to_contain_text("设置防火堤，修复报警装置")          # 整改要求
    expect(context).to_contain_text("2027年2月26日")                   # 督办期限
    expect(context).to_contain_text("属重大事故隐患，建议挂牌督办")    # the proposal's reason
    expect(page.locator("input[type=radio][name=listing_review_decision]")).to_have_count(0)
    page.click("#claim")
    page.fill("#f-listing_review_opinion", "督办期限偏长，请按三个月重新核定")
    page.click("button[name=listing_review_decision][value=退回]")
    expect(page.locator(".flash.ok")).to_contain_text("已提交：审核挂牌建议")
    expect(page.locator("#timeline")).to_contain_text("审核意见：退回")
    assert world.engine.case(world.case.id).data["listing_review_decision"] == "退回"
    page.context.close()

    inspector = logged_in_page(browser, server, "zhang", 1366)
    inspector.goto(server.url + f"/tasks/{open_task(world.engine, world.case.id, 'propose').id}")
    expect(inspector.locator("#returned")).to_contain_text("督办期限偏长，请按三个月重新核定")
    screenshot(inspector, "work-returned-task-1366")
    inspector.context.close()
