"""安全生产联席会议 and 联合检查执法 in the demo, in Chromium at 1280 and 375 px, zh-CN (《下原镇2019年安全生产工作计划》
（种子004）三（二）1: 全年召开整治工作联席会议不少于4次，联合检查执法活动不少于4次).

The demo (workflows/demo_joint.py) recorded 东城区's four meetings (March, June, September, November) and three joint
inspections (April, July, October), and 和平镇's two meetings and one joint inspection (recorded by its own 安委办, 林主任); its today is in the fourth
quarter. 钱科长 opens 督查与联席 from 驾驶舱 and reads, beside the leaders' visits, 东城区 联席会议 已完成 4/4 已达标 and
联合检查执法 已完成 3/4 第四季度未达标, 和平镇 2/4, and the November meeting's 议定事项 waiting for 东城区安委办.
Then 东城区安委办 convenes a meeting from 发起案件: the units are picked by their Chinese names, a department not in
the directory typed; a reminder round reminds it of 和平镇 in words.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.demo_walk import demo_served, open_task, readable, start_and_claim
from tests.ui_support import browser, close_context, logged_in_page

__all__ = ["browser"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with demo_served(tmp_path_factory.mktemp("joint")) as served:   # (the live server, the engine)
        yield served


@pytest.mark.parametrize("width", [1280, 375])
def test_the_leaders_page_counts_each_units_meetings_and_joint_inspections_against_four_seed004_four_a_year(
        browser, demo, width):
    server = demo[0]
    page = logged_in_page(browser, server, "qian_ke", width)
    try:   # 驾驶舱 › 督查与联席, the section below the leaders' visits
        page.goto(server.url + "/leadership/")
        page.locator("#leadership-views a", has_text="督查与联席").click()
        section = page.locator("#joint-mechanisms")
        expect(section.locator("#joint-basis")).to_contain_text("全年召开整治工作联席会议不少于4次，联合检查执法活动不少于4次")
        dc = page.locator("#joint-by-unit tbody tr", has_text="东城区")
        expect(dc.locator("[data-label=联席会议]")).to_contain_text("已完成 4/4")
        expect(dc.locator("[data-label=联席会议]")).to_contain_text("已达标")
        expect(dc.locator("[data-label=召开月份]")).to_contain_text("3月、6月、9月、11月")
        expect(dc.locator("[data-label=联合检查执法]")).to_contain_text("已完成 3/4")
        expect(dc.locator("[data-label=联合检查执法]")).to_contain_text("第四季度未达标")
        expect(dc).to_have_class("overdue")
        heping = page.locator("#joint-by-unit tbody tr", has_text="和平")
        expect(heping.locator("[data-label=联席会议]")).to_contain_text("已完成 2/4")
        expect(page.locator("#joint-flagged")).to_contain_text("未达到全年4次")
        item = page.locator("#joint-items tbody tr")
        expect(item).to_have_count(1)
        expect(item.first).to_contain_text("各专项整治牵头部门报送岁末年初隐患排查整治清单")
        expect(item.first).to_contain_text("东城区安委办")
        expect(page.locator("#visits-by-leader tbody tr", has_text="冯局长")).to_contain_text("已完成 4/4")  # beside
        expect(page.locator("main")).not_to_contain_text("dongcheng")
        readable(page, width)
    finally:
        close_context(page.context)


def test_the_safety_office_convenes_a_meeting_picking_units_by_name_and_typing_a_department_seed004(browser, demo):
    """发起案件 → 组待办 → 安排联席会议: the 参会单位 picker offers units by Chinese name; a meeting naming no unit and
    no department is refused next to the field, what was typed kept; a department not in the directory is typed."""
    server, engine = demo
    page = logged_in_page(browser, server, "dc_aw", 1280)
    try:
        start_and_claim(page, "joint_meeting", "岁末年初专项整治联席会议", "安排联席会议")
        typed = {"#f-meeting_topic": "涉爆粉尘和燃气安全专项整治", "#f-planned_on": "2026年12月1日"}   # as people type
        for field, text in typed.items():
            page.fill(field, text)
        page.click("#submit")   # no unit, no department: refused beside 参会单位, the topic kept
        expect(page.locator("[data-field=joining_units]")).to_contain_text("请至少选择一个参加单位")
        expect(page.locator("#f-meeting_topic")).to_have_value(typed["#f-meeting_topic"])
        readable(page, 1280)
        units = page.locator('[name="joining_units.0.joined_org"] option').all_inner_texts()
        shown = [u.strip("\u3000 ") for u in units]   # indented by level with full-width spaces
        assert "东城区" in shown and "和平镇" in shown and not [u for u in units if "_" in u]
        page.select_option('[name="joining_units.0.joined_org"]', label=units[shown.index("东城区")])
        page.fill("#f-other_departments", "区市场监管局、区消防救援大队")
        page.click("#submit")
        expect(page.locator(".flash.ok")).to_contain_text("已提交：安排联席会议")
        case = next(c for c in engine.cases(process_key="joint_meeting", limit=100) if c.title == "岁末年初专项整治联席会议")
        data = engine.case(case.id).data
        assert (data["planned_on"], data["other_departments"]) == ("2026-12-01", "区市场监管局、区消防救援大队")
        assert [r["joined_org"] for r in data["joining_units"]] == ["dongcheng"]
        open_task(page, server, "记录会议纪要", "岁末年初专项整治联席会议")   # the plan above the form, in words
        shown = page.locator("main").inner_text()
        assert "涉爆粉尘和燃气安全专项整治" in shown and "区市场监管局、区消防救援大队" in shown and "dongcheng" not in shown
        readable(page, 1280)
    finally:
        close_context(page.context)


def test_the_safety_office_is_reminded_of_a_unit_behind_in_words_seed004(browser, demo):
    """A 进度提醒安排 set up for 东城区 in the fourth quarter: 和平镇 with two meetings and one joint inspection is behind
    the three due by its start; 和平镇's own 安委办 (林主任) finds the reminder in 我的待办, in words."""
    from workflows import joint_mechanisms as jm
    server, engine = demo
    jm.open_round(engine, "dongcheng", by="dc_aw")
    # 清河镇 (no meeting, no joint inspection) is behind too, and has its own 安委办 (郭主任) since session 30
    by_unit = {c.org_code: c for c in engine.cases(process_key=jm.REMINDER, limit=10)}
    assert {org: c.title for org, c in by_unit.items()} == {
        org: "联席会议和联合检查执法进度提醒（2026年第四季度）" for org in ("dongcheng_heping", "dongcheng_qinghe")}
    assert engine.case(by_unit["dongcheng_qinghe"].id).data["reminder_to"] == ["qh_aw"]
    reminders = [by_unit["dongcheng_heping"]]
    assert engine.case(reminders[0].id).data["reminder_to"] == ["hp_aw"]
    page = logged_in_page(browser, server, "hp_aw", 375)
    try:
        open_task(page, server, "安排联席会议和联合检查执法", reminders[0].title)
        readable(page, 375)
        page.fill("#f-reminder_arrangement", "12月中旬召开联席会议并开展一次联合检查执法")
        for words in ("联席会议已完成2次（到本季度初应完成3次，全年不少于4次）", "联合检查执法已完成1次（到本季度初应完成3次"):
            expect(page.locator("main")).to_contain_text(words)   # what is behind, in words, above the form
        page.click("#submit")
        expect(page.locator(".flash.ok")).to_contain_text("已提交：安排联席会议和联合检查执法")
    finally:
        close_context(page.context)
    assert engine.case(reminders[0].id).status == "completed"
