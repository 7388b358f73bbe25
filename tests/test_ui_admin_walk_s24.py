"""An administrator's first day in the demo (session 24): 系统管理员 (admin) adds a 法制审核员 to 东城区,
role and unit picked, and later sets a new password for him, at 1280 and 375 px in Chromium, zh-CN.

Before, the page said 「已创建用户 刘法制，请将初始密码当面告知本人」 — but not the 登录名 the
administrator had typed, which the list of users does not show (it names people): he had to open the
account again to tell the new official what to log in with; a new password said only 「已保存 刘法制
的密码」, not that it is in force and his open logins ended. Now both say the 登录名 and what to tell him.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from engine import ManualClock
from tests.ui_support import LiveServer, browser, close_context
from webui.app import create_app
from workflows.demo import USERS, load_demo
from workflows.runtime import build_engine

__all__ = ["browser"]

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)  # Monday 09:00 in Beijing
PASSWORD = "admin-walk-2026"
ENGLISH = re.compile(r"[A-Za-z_]{4,}")


@pytest.fixture(scope="module", params=[1280, 375], ids=["1280", "375"])
def demo(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"admin-walk-{request.param}")
    engine = build_engine(f"sqlite:///{folder / 'demo.sqlite'}", clock=ManualClock(NOW))
    load_demo(engine)
    quick = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")  # test logins, not storage
    for username, *_ in USERS:
        engine.directory.set_password_hash(username, quick)
    app = create_app(engine, secret_key="test", testing=True, instance_path=folder / "instance")
    with LiveServer(app) as server:
        yield server, request.param, engine
    engine.dispose()


def _login(browser, server, username: str, width: int):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".whoami .user")).to_be_visible()
    return page


def _open_from_list(page, server, name: str, case_title: str) -> None:
    page.goto(server.url + "/tasks/")
    page.locator("main tr", has_text=case_title).locator("a", has_text=name).first.click()
    expect(page.locator("h1")).to_contain_text(name)


def _readable(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shown = page.locator("main").inner_text()
    assert not ENGLISH.findall(shown), ENGLISH.findall(shown)



def test_an_administrator_adds_an_official_by_pickers_and_tells_him_how_to_log_in(browser, demo):
    server, width, engine = demo
    page = _login(browser, server, "admin", width)
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
