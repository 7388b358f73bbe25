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

import re

import pytest
from playwright.sync_api import expect

from tests.demo_walk import demo_served, open_task, readable
from tests.ui_support import browser, close_context, logged_in_page

__all__ = ["browser"]


@pytest.fixture(scope="module", params=[1280, 375], ids=["1280", "375"])
def demo(request, tmp_path_factory):
    with demo_served(tmp_path_factory.mktemp(f"legal-walk-{request.param}")) as (server, engine):
        yield server, request.param, engine


CASE = "甲化工重大危险源监控案"


def test_a_legal_reviewer_returns_a_penalty_naming_the_points_that_failed(browser, demo):
    server, width, engine = demo
    page = logged_in_page(browser, server, "chen_fz", width)
    try:
        open_task(page, server, "法制审核", CASE)
        expect(page.locator("#context-facts tr[data-fact=investigators] > td").first).to_have_text("张三、李四")
        expect(page.locator("#context-facts")).to_contain_text("《安全生产法》第一百零一条")
        readable(page, width)
        page.fill("#f-legal_review_opinion", "违法行为系初次发生且已部分整改，裁量档次应为从轻，请重新确定罚款金额")
        page.locator("button[value=退回]").click()                   # no point picked: refused, typing kept
        expect(page.locator("#err-legal_review_points")).to_have_text("退回须勾选存在的问题")
        expect(page.locator("#f-legal_review_opinion")).to_have_value(re.compile("裁量档次应为从轻"))
        page.check("input[name=legal_review_points][value=裁量基准运用不适当]")
        page.locator("button[value=退回]").click()
        expect(page.locator(".flash.ok")).to_contain_text("已提交：法制审核")
    finally:
        close_context(page.context)
    page = logged_in_page(browser, server, "li_si", width)
    try:
        open_task(page, server, "案件处理呈批", CASE)
        returned = page.locator("#returned")
        expect(returned).to_contain_text("陈法制")
        expect(returned).to_contain_text("裁量基准运用不适当")
        expect(returned).to_contain_text("裁量档次应为从轻")
        expect(page.locator("#f-penalty_basis")).to_have_value("《安全生产法》第一百零一条")   # the proposal to correct
        readable(page, width)
    finally:
        close_context(page.context)
