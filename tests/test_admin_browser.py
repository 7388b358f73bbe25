"""系统管理 and the menus in a real browser (Debian's Chromium through Playwright): an administrator on
a phone (390 px) finds a user by Chinese name, deactivates them and hands their claimed task to a
colleague picked by name; the admin pages never scroll sideways; a user holding five roles reads
every menu item on one line at 1366 px and works the queue, a task and the case page at 390 px.
Screenshots go to test-artifacts/screenshots/ (issue 13).
"""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.ui_support import (LiveServer, _password_hash, browser, logged_in_page, major_case_at,  # noqa: F401
                              make_world, open_task, screenshot, wrapped_menu_items)
from tests.ui_support import server  # noqa: F401 (the module's live server, from its world)

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

MULTI_ROLE = ["inspector", "supervisor", "leader", "legal_reviewer", "designer"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("admin-browser"))
    d = w.engine.directory
    d.add_user("root", org="city", roles=["admin"], name="系统管理员", password_hash=_password_hash())
    d.add_user("duo", org="east", roles=MULTI_ROLE, name="欧阳多岗", password_hash=_password_hash())
    w.case = major_case_at(w.engine, "review_plan")
    w.engine.claim(open_task(w.engine, w.case.id, "review_plan").id, "zhang")
    yield w
    w.engine.dispose()


def scroll_width(page) -> int:
    return page.evaluate("() => document.scrollingElement.scrollWidth")


def test_an_administrator_on_a_phone_deactivates_a_user_and_hands_the_task_to_a_colleague(browser, server, world):
    page = logged_in_page(browser, server, "root", 390)
    for path, shot in (("/admin", "admin-index-390"), ("/admin/roles", "admin-roles-390"),
                       ("/admin/orgs", "admin-orgs-390"), ("/admin/users/new", "admin-new-user-390")):
        page.goto(server.url + path)
        assert scroll_width(page) <= 390, f"{path} scrolls sideways to {scroll_width(page)} px"
        screenshot(page, shot)
    page.goto(server.url + "/admin")
    page.click("#admin-users")
    page.fill("#f-q", "张三")
    page.click("#user-search button")
    assert scroll_width(page) <= 390
    screenshot(page, "admin-users-390")
    page.click("#users >> text=张三")
    page.click("#deactivate-link")
    expect(page.locator("#claimed-tasks")).to_contain_text("审查整改方案")
    picker = page.locator("#f-handover")
    expect(picker).to_contain_text("李四")
    expect(picker).not_to_contain_text("王五")                  # another unit's inspector is no choice
    assert scroll_width(page) <= 390
    screenshot(page, "admin-deactivate-390")
    picker.get_by_label("李四").check()
    page.fill("#f-reason", "调离")
    page.click("#confirm-deactivate")
    expect(page.locator(".flash.ok")).to_contain_text("1 项任务已转交 李四")
    task = open_task(world.engine, world.case.id, "review_plan")
    assert task.assignee == "li" and not world.engine.directory.user("zhang").active
    page.context.close()


def test_a_user_of_five_roles_reads_the_menu_on_one_line_and_works_on_a_phone(browser, server, world):
    wide = logged_in_page(browser, server, "duo", 1366)
    labels = [t.strip() for t in wide.locator(".mainnav a").all_text_contents()]
    assert labels == ["我的待办", "组待办", "已办", "案件查询", "发起案件", "企业档案", "隐患统计", "审批", "逾期督办",
                      "异常事件", "驾驶舱", "流程设计"]
    wide.goto(server.url + "/tasks/")
    assert wrapped_menu_items(wide) == []
    screenshot(wide, "multi-role-queue-1366")
    wide.context.close()

    phone = logged_in_page(browser, server, "duo", 390)
    task = open_task(world.engine, world.case.id, "review_plan")
    for name, url in (("queue", "/tasks/group"), ("task", f"/tasks/{task.id}"), ("case", f"/cases/{world.case.id}")):
        phone.goto(server.url + url)
        assert scroll_width(phone) <= 390, f"{name} at 390 px scrolls sideways to {scroll_width(phone)} px"
        screenshot(phone, f"multi-role-{name}-390")
    phone.context.close()
