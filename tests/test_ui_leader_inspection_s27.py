"""领导带队督查 in the demo, in Chromium at 1280 and 375 px, zh-CN (《下原镇2019年安全生产工作计划》（种子004）
三（一）1: 党、政领导定期带队督查检查全年不少于4次，党委检查督办全年不得少于两次).

The demo (workflows/demo_leader_inspection.py) recorded 冯局长's four visits (February, May, August, November)
and one 党委检查督办, and 郑副局长's two (April, September); its today is 23 November, the fourth quarter. 钱科长
opens 督查与联席 from 驾驶舱: 冯局长 已完成 4/4 已达标, 郑副局长 已完成 2/4 flagged 第四季度未达标, and the November
visit's 督办事项 waiting for 东城区安委办. Then 东城区安委办 plans a visit from 发起案件: the leader and the enterprise
are picked by their Chinese names.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.demo_walk import demo_served, open_task, readable
from tests.ui_support import browser, close_context, logged_in_page

__all__ = ["browser"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with demo_served(tmp_path_factory.mktemp("leader-inspection")) as (server, engine):
        yield server, engine


@pytest.mark.parametrize("width", [1280, 375])
def test_the_leaders_page_counts_each_leaders_visits_against_four_seed004_four_a_year(browser, demo, width):
    server, engine = demo
    page = logged_in_page(browser, server, "qian_ke", width)
    try:
        page.goto(server.url + "/leadership/")
        page.locator("#leadership-views a", has_text="督查与联席").click()
        expect(page.locator("h1")).to_contain_text("领导带队督查")
        expect(page.locator("#visits-basis")).to_contain_text("全年不少于4次")
        feng = page.locator("#visits-by-leader tbody tr", has_text="冯局长")
        expect(feng).to_contain_text("已完成 4/4")
        expect(feng).to_contain_text("已达标")
        expect(feng).to_contain_text("2月、5月、8月、11月")
        expect(feng).to_contain_text("已完成 1/2")
        zheng = page.locator("#visits-by-leader tbody tr", has_text="郑副局长")
        expect(zheng).to_contain_text("已完成 2/4")
        expect(zheng).to_contain_text("第四季度未达标")
        expect(zheng).to_have_class("overdue")
        expect(page.locator("#visits-flagged")).to_contain_text("未达到全年4次")
        item = page.locator("#visit-items tbody tr")
        expect(item).to_have_count(1)
        expect(item.first).to_contain_text("东城区安委办")
        expect(item.first).to_contain_text("办理中")
        unit = page.locator("#visits-by-unit tbody tr", has_text="东城区")
        expect(unit).to_contain_text("已完成 4/4（共 6 次）")   # the unit's 4 met; never 「6/4」 (s28)
        expect(page.locator("main")).not_to_contain_text("feng_jz")
        readable(page, width)
    finally:
        close_context(page.context)


def test_another_districts_unit_is_refused_in_chinese_seed004(browser, demo):
    server, engine = demo
    page = logged_in_page(browser, server, "qian_ke", 1280)
    try:
        response = page.goto(server.url + "/leadership/visits/?org=xicheng")
        assert response.status == 403
        expect(page.locator("main")).to_contain_text("只能查看本单位及下级单位的领导带队督查情况")
    finally:
        close_context(page.context)


def test_the_safety_office_plans_a_visit_picking_the_leader_and_the_enterprise_by_name_seed004(browser, demo):
    """发起案件 → 组待办 → 制定领导带队督查计划: the 带队领导 picker offers the 分管领导 and 局长 by name (no 执法人员, no
    account), the enterprise is picked by its name, a day is typed as people type it; a plan naming nothing to
    visit is refused next to the field, with what was typed kept."""
    server, engine = demo
    page = logged_in_page(browser, server, "dc_aw", 1280)
    try:
        page.click("nav.mainnav >> text=发起案件")
        page.select_option("#f-process", "leader_inspection")
        page.fill("#f-title", "岁末年初安全生产督查")
        page.click("#start-form button[type=submit]")
        expect(page.locator(".flash.ok")).to_contain_text("已发起案件")
        page.click("nav.mainnav >> text=组待办")
        row = page.locator("#group-tasks tr", has_text="岁末年初安全生产督查")
        expect(row).to_contain_text("制定领导带队督查计划")
        row.locator("button", has_text="认领").click()
        expect(page.locator("h1")).to_contain_text("制定领导带队督查计划")
        leaders = page.locator("#f-leader option").all_inner_texts()
        assert "郑副局长" in leaders and "冯局长" in leaders and "张三" not in leaders
        assert not [t for t in leaders if "_" in t]
        page.check("input[name=inspection_kind][value=领导带队督查检查]")
        page.select_option("#f-leader", label="郑副局长")
        page.fill("#f-planned_on", "2026年12月1日")
        page.fill("#f-topic", "岁末年初危险化学品安全督查")
        page.click("#submit")
        expect(page.locator("[data-field=visited_enterprises]")).to_contain_text("请至少选择一家督查企业")
        expect(page.locator("#f-topic")).to_have_value("岁末年初危险化学品安全督查")
        readable(page, 1280)
        page.select_option('[name="visited_enterprises.0.credit_code"]', label="示范市甲化工有限公司")
        page.click("#submit")
        expect(page.locator(".flash.ok")).to_contain_text("已提交：制定领导带队督查计划")
        case = next(c for c in engine.cases(process_key="leader_inspection", limit=100) if c.title == "岁末年初安全生产督查")
        data = engine.case(case.id).data
        assert (data["leader"], data["planned_on"], data["inspection_kind"]) == ("zheng_fj", "2026-12-01", "领导带队督查检查")
        assert [r["credit_code"] for r in data["visited_enterprises"]] == ["91110101MA00000018"]
    finally:
        close_context(page.context)
    page = logged_in_page(browser, server, "zheng_fj", 1280)
    try:   # the leader records after the visit: the plan above the form, in words
        open_task(page, server, "记录督查情况", "岁末年初安全生产督查")
        main = page.locator("main")
        expect(main).to_contain_text("岁末年初危险化学品安全督查")
        expect(main).to_contain_text("郑副局长")
        expect(main).to_contain_text("示范市甲化工有限公司")
        expect(main).not_to_contain_text("zheng_fj")
        readable(page, 1280)
    finally:
        close_context(page.context)


def test_the_safety_office_is_reminded_of_the_leaders_behind_in_words_seed004(browser, demo):
    """A 进度提醒安排 set up for 东城区 in the fourth quarter: 郑副局长 with two visits is behind the three due by its
    start, and 东城区安委办 finds 安排领导带队督查 in 我的待办 saying so in words — no account, no variable name."""
    from workflows import leader_inspection as li
    server, engine = demo
    li.open_round(engine, "dongcheng", by="dc_aw")
    page = logged_in_page(browser, server, "dc_aw", 375)
    try:
        open_task(page, server, "安排领导带队督查", "领导带队督查进度提醒（2026年第四季度）")
        main = page.locator("main")
        expect(main).to_contain_text("郑副局长领导带队督查检查已完成2次（到本季度初应完成3次，全年不少于4次）")
        expect(main).not_to_contain_text("冯局长领导带队督查检查")
        expect(main).not_to_contain_text("zheng_fj")
        readable(page, 375)
        page.fill("#f-reminder_arrangement", "12月上旬安排郑副局长带队督查城镇燃气企业")
        page.click("#submit")
        expect(page.locator(".flash.ok")).to_contain_text("已提交：安排领导带队督查")
    finally:
        close_context(page.context)
