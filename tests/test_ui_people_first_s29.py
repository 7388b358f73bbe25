"""People first, page by page (session 29): Chromium (Playwright, zh-CN, Asia/Shanghai) on a served world.

Found walking every page of each demo role at 1280 and 375 px, and fixed (each test failed before):
- 消息中心 at 375 px was a four-column table: a message's kind stood one character a line (案/件/办/结)
  and its time in four lines (2026年/11月23/日/09:00). It is now a column of cards like 我的待办: box and
  kind on one line, the message, 时间 on one line.
- A field the browser checks itself (登录, 修改密码's 至少 10 位, a 变更原因 an administrator must give) said
  「Please fill out this field.」 in the browser's language; it now says 「请填写新密码」, 「「新密码」至少 10 个
  字符（现在 3 个）」 in Chinese, naming the field by its label (webui/static/validity.js, on every page).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.ui_support import (PASSWORD, _password_hash, browser, close_context, logged_in_page,
                              make_world, start_hazard)
from tests.ui_support import server  # noqa: F401 (the module's live server, from its world)
from workflows.messages import producer

__all__ = ["browser"]
pytestmark = pytest.mark.browser

LATIN = r"[A-Za-z]"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("people-first-s29"))
    w.engine.directory.add_user("root", org="city", roles=["admin"], name="系统管理员", password_hash=_password_hash())
    for n in range(3):
        start_hazard(w.engine, title=f"甲化工有限公司{n + 1}号储罐区重大事故隐患")
    producer.produce(w.engine)
    yield w
    w.engine.dispose()


def _line_height(page, selector: str) -> float:
    """One line of ``selector``'s text, generously (its font size × 1.8: line-height may be 「normal」)."""
    return page.evaluate("s => 1.8 * parseFloat(getComputedStyle(document.querySelector(s)).fontSize)", selector)


def test_the_message_centre_on_a_phone_is_cards_with_kind_and_time_each_on_one_line(browser, server):
    page = logged_in_page(browser, server, "zhang", 375)
    try:
        page.goto(server.url + "/messages/")
        rows = page.locator("#messages tbody tr")
        assert rows.count() >= 3
        for i in range(3):
            row = rows.nth(i)
            badge = row.locator(".badge").bounding_box()
            assert badge["height"] < _line_height(page, "#messages .badge"), f"kind wraps: {badge}"
            when = row.locator("td[data-label='时间']")
            expect(when).to_contain_text("2026年11月23日 09:00")
            text_height = when.evaluate("td => { const r = document.createRange(); r.selectNodeContents(td);"
                                        " return r.getBoundingClientRect().height; }")
            assert text_height < _line_height(page, "#messages td[data-label='时间']"), "time wraps"
            message = row.locator("td.body")
            assert message.bounding_box()["width"] > 300, "the message squeezed into a narrow column"
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert page.evaluate("document.querySelector('#messages').scrollWidth <= "
                             "document.querySelector('#messages').clientWidth")
        page.set_viewport_size({"width": 1280, "height": 900})  # a table again on a desk
        expect(page.locator("#messages thead")).to_be_visible()
    finally:
        close_context(page.context)


def _messages(page) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        'main input, main select, main textarea')].filter(e => e.willValidate && !e.checkValidity()).map(e => [e.name, e.validationMessage]))""")


@pytest.mark.parametrize("width", [1280, 375], ids=["1280px", "375px"])
def test_fields_the_browser_checks_say_what_is_wrong_in_chinese_naming_the_field(browser, server, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    try:
        page.goto(server.url + "/login")
        assert _messages(page) == {"username": "请填写用户名", "password": "请填写密码"}
        page.fill("input[name=username]", "zhang")
        assert "username" not in _messages(page)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator(".whoami .user")).to_be_visible()

        page.goto(server.url + "/account/password")
        assert _messages(page) == {"current": "请填写当前密码", "new": "请填写新密码", "confirm": "请填写再次输入新密码"}
        page.fill("input[name=new]", "abc")
        assert _messages(page)["new"] == "「新密码」至少 10 个字符（现在 3 个）"
        page.click("#change-password")  # the browser stops it and shows the first field's message
        assert page.url.endswith("/account/password")
        for said in _messages(page).values():
            assert not re.search(LATIN, said), said
    finally:
        close_context(ctx)


@pytest.mark.parametrize("width", [1280, 375], ids=["1280px", "375px"])
def test_reminder_settings_put_each_address_under_its_name_wide_enough_for_a_government_address(browser, server,
                                                                                                width):
    """提醒方式: 「电子邮件提醒 电子邮箱[box]」 ran on one line, the box 20 characters wide, an address as
    people have them cut; each address now has a line of its own under its name, shown whole."""
    page = logged_in_page(browser, server, "zhang", width)
    try:
        page.goto(server.url + "/messages/settings")
        for box, name, typed in [("#email", "电子邮箱", "zhangsan@yjj.example.gov.cn"), ("#phone", "手机号码", "13900000003")]:
            label = page.locator(f"label[for={box[1:]}]")
            expect(label).to_have_text(name)
            field, said = page.locator(box).bounding_box(), label.bounding_box()
            assert field["y"] >= said["y"] + said["height"] - 1, f"{name}: the box is not under its name"
            page.fill(box, typed)
            assert page.locator(box).evaluate("e => e.scrollWidth <= e.clientWidth"), f"{typed} is cut"
            assert field["width"] >= min(300, width - 80), field
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.check("input[name=email_on]")
        page.click("button.primary")
        expect(page.locator(".flash.ok")).to_contain_text("提醒方式已保存")
    finally:
        close_context(page.context)


@pytest.mark.parametrize("path, table", [("/admin/rules", "#rules"), ("/admin/users", "#users")])
def test_an_administrators_lists_on_a_phone_are_cards_the_basis_of_a_rule_read_across_the_card(browser, server,
                                                                                               path, table):
    """规则配置 at 375 px squeezed five columns: a rule's 依据 (《行政处罚法》第六十条…) stood two characters a
    line and 类别 was cut off inside the table; 用户 likewise. Each row is now a card, each cell under its name."""
    page = logged_in_page(browser, server, "root", 375)
    try:
        page.goto(server.url + path)
        box = page.locator(table)
        assert box.evaluate("t => t.scrollWidth <= t.clientWidth"), "the table scrolls sideways"
        cells = page.locator(f"{table} tbody tr").first.locator("td[data-label]")
        assert cells.count() >= 3
        for i in range(cells.count()):
            assert cells.nth(i).bounding_box()["width"] > 300, cells.nth(i).get_attribute("data-label")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        close_context(page.context)
