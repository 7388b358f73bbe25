"""An administrator's first day in the demo (session 24): 系统管理员 (admin) adds a 法制审核员 to 东城区,
role and unit picked, and later sets a new password for him, at 1280 and 375 px in Chromium, zh-CN.

Before, the page said 「已创建用户 刘法制，请将初始密码当面告知本人」 — but not the 登录名 the
administrator had typed, which the list of users does not show (it names people): he had to open the
account again to tell the new official what to log in with; a new password said only 「已保存 刘法制
的密码」, not that it is in force and his open logins ended. Now both say the 登录名 and what to tell him.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.demo_walk import demo_served, readable
from tests.ui_support import browser, close_context, logged_in_page

__all__ = ["browser"]


@pytest.fixture(scope="module", params=[1280, 375], ids=["1280", "375"])
def demo(request, tmp_path_factory):
    with demo_served(tmp_path_factory.mktemp(f"admin-walk-{request.param}")) as (server, engine):
        yield server, request.param, engine


def test_an_administrator_adds_an_official_by_pickers_and_tells_him_how_to_log_in(browser, demo):
    server, width, engine = demo
    page = logged_in_page(browser, server, "admin", width)
    try:
        page.goto(server.url + "/admin/users/new")
        page.fill("#f-name", "刘法制")
        page.fill("#f-username", "liu_fz")
        page.select_option("#f-org", label="　　东城区（区县）")
        page.locator("#f-roles label", has_text="法制审核员").click()
        page.fill("#f-password", "Fazhi-2026-abc")
        page.fill("#f-password2", "Fazhi-2026-abd")                # mistyped: refused, the rest kept
        page.click("#save-user")
        expect(page.locator(".field-error", has_text="两次输入的密码不一致")).to_be_visible()
        expect(page.locator("#f-name")).to_have_value("刘法制")
        expect(page.locator("#f-org")).to_have_value("dongcheng")
        expect(page.locator("input[name=roles]:checked")).to_have_count(1)
        page.fill("#f-password", "Fazhi-2026-abc")
        page.fill("#f-password2", "Fazhi-2026-abc")
        page.click("#save-user")
        expect(page.locator(".flash.ok")).to_contain_text("已创建用户 刘法制，登录名 liu_fz")
        expect(page.locator("main table")).to_contain_text("法制审核员")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert engine.directory.user("liu_fz").org_code == "dongcheng"

        page.goto(server.url + "/admin/users/liu_fz")                    # he forgot it: a new one
        page.fill("#f-password", "Fazhi-2027-xyz")
        page.fill("#f-password2", "Fazhi-2027-xyz")
        page.click("#save-user")
        expect(page.locator(".flash.ok")).to_contain_text("新密码已生效，其原有登录已退出")
        expect(page.locator(".flash.ok")).to_contain_text("登录名 liu_fz")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        close_context(page.context)
    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = ctx.new_page()
        page.goto(server.url + "/login")
        page.fill("input[name=username]", "liu_fz")
        page.fill("input[name=password]", "Fazhi-2027-xyz")
        page.click("button[type=submit]")
        expect(page.locator(".whoami .user")).to_contain_text("刘法制")
    finally:
        close_context(ctx)
