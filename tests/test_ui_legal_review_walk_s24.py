"""A legal reviewer's day in the demo (session 24): 陈法制 (chen_fz, 法制审核员) reviews a penalty before
its decision (一案一审; 《行政处罚法》第五十八条) at 1280 and 375 px in Chromium, zh-CN, and sends it back to
the 承办人, who reads why.

Before, the page gave the reviewer one box to type in: what failed was whatever words he found, the
承办人 read them as typed, and the case file did not say who had investigated it (执法人员是否具备执法资格
is the first thing the review examines). Now the facts name the 调查人员, a return picks the points
that failed from the review's contents (国办发〔2018〕118号: 执法主体和执法资格, 事实和证据, 适用法律,
裁量基准, 程序, 权限, 文书, 涉嫌犯罪) and says how to correct them, and the 承办人's 退回原因 lists them.
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
PASSWORD = "legal-walk-2026"
ENGLISH = re.compile(r"[A-Za-z_]{4,}")


@pytest.fixture(scope="module", params=[1280, 375], ids=["1280", "375"])
def demo(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"legal-walk-{request.param}")
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


CASE = "甲化工重大危险源监控案"


def test_a_legal_reviewer_returns_a_penalty_naming_the_points_that_failed(browser, demo):
    server, width, engine = demo
    page = _login(browser, server, "chen_fz", width)
    try:
        _open_from_list(page, server, "法制审核", CASE)
        expect(page.locator("#context-facts tr[data-fact=investigators] > td").first).to_have_text("张三、李四")
        expect(page.locator("#context-facts")).to_contain_text("《安全生产法》第一百零一条")
        _readable(page, width)
        page.fill("#f-legal_review_opinion", "违法行为系初次发生且已部分整改，裁量档次应为从轻，请重新确定罚款金额")
        page.locator("button[value=退回]").click()                   # no point picked: refused, typing kept
        expect(page.locator("#err-legal_review_points")).to_have_text("退回须勾选存在的问题")
        expect(page.locator("#f-legal_review_opinion")).to_have_value(re.compile("裁量档次应为从轻"))
        page.check("input[name=legal_review_points][value=裁量基准运用不适当]")
        page.locator("button[value=退回]").click()
        expect(page.locator(".flash.ok")).to_contain_text("已提交：法制审核")
    finally:
        close_context(page.context)
    page = _login(browser, server, "li_si", width)
    try:
        _open_from_list(page, server, "案件处理呈批", CASE)
        returned = page.locator("#returned")
        expect(returned).to_contain_text("陈法制")
        expect(returned).to_contain_text("裁量基准运用不适当")
        expect(returned).to_contain_text("裁量档次应为从轻")
        expect(page.locator("#f-penalty_basis")).to_have_value("《安全生产法》第一百零一条")   # the proposal to correct
        _readable(page, width)
    finally:
        close_context(page.context)
