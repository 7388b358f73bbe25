"""A leader's day in the demo (session 23): 分管领导 (郑副局长) and 局长 (冯局长) log in, open each task
from their task list and decide it from the page, at 1280 and 375 px in Chromium, zh-CN.

What a leader could not tell from the page before: who put the matter before him (a plan to approve
showed its figures but not that 钱科长 drew it up; a vote not who organised it), why a 约谈 came to
him at all (an overdue hazard's deadline, no one's proposal) and which hazard it is about (the 约谈
showed the deadline and the count of overdue times, not the hazard, its place or what was required),
the law behind the measure, whether an accident's 批复 was carried out before he closes it (处分、移送
司法、整改措施、警示教育 were not on the 结案审批 page), and the demo's plan to approve (and two
accidents) named another plan (accident) in their facts than in their title. Now the task's head says 提请 (who, which step, when) or 起因 (the deadline that
passed), a measure for an overdue hazard shows the hazard first, with the law for the measure (《安全
生产法》第一百零二条、第一百一十二条、第七十条), and the plan is the one its title names.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.demo_walk import demo_served, readable
from tests.ui_support import PASSWORD, browser, close_context
from workflows.demo import Desk

__all__ = ["browser"]


@pytest.fixture(scope="module", params=[1280, 375], ids=["1280", "375"])
def demo(request, tmp_path_factory):
    with demo_served(tmp_path_factory.mktemp(f"leader-walk-{request.param}")) as (server, engine):
        desk, case = Desk(engine), next(c for c in engine.cases(process_key="accident_investigation", limit=100)
                                        if c.title == "甲化工“中毒窒息”事故")
        while "结案审批" not in desk.names(case.id):       # the 四不放过 gate's case, walked on to 结案审批
            desk.do(case.id, desk.names(case.id)[0], which=0)
        yield server, request.param


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


def _open_from_list(page, server, name: str) -> None:
    page.goto(server.url + "/tasks/")
    page.locator("main a", has_text=name).first.click()
    expect(page.locator("h1")).to_contain_text(name)


def _fact(page, name: str):
    return page.locator(f"#context-facts tr[data-fact={name}] > td").first


def test_the_deputy_director_approves_the_plan_knowing_who_drew_it_up(browser, demo):
    server, width = demo
    page = _login(browser, server, "zheng_fj", width)
    try:
        _open_from_list(page, server, "审批抽查计划")
        expect(page.locator("#submitted-by dt")).to_have_text("提请")
        expect(page.locator("#submitted-by dd")).to_contain_text("钱科长 ·「编制双随机抽查计划」·")
        title = page.locator(".task-head dl div", has_text="案件").first.locator("dd").inner_text().strip()
        expect(_fact(page, "plan_name")).to_have_text(title)              # the plan its title names
        readable(page, width)
        page.locator("#f-draw_witnesses label", has_text="陈法制").locator("input").check()   # 抽取监督人员
        page.locator("form button[value='同意']").first.click()
        expect(page.locator(".flash.ok")).to_contain_text("审批抽查计划")
    finally:
        close_context(page.context)


def test_a_measure_for_an_overdue_hazard_names_the_hazard_the_deadline_and_the_law(browser, demo):
    server, width = demo
    page = _login(browser, server, "zheng_fj", width)
    try:
        _open_from_list(page, server, "约谈企业主要负责人")
        expect(page.locator("#submitted-by dt")).to_have_text("起因")     # no one proposed it: a deadline passed
        expect(page.locator("#submitted-by dd")).to_contain_text("督办期限届满")
        expect(_fact(page, "description")).to_have_text("喷漆室、调漆间未设置可燃气体报警装置，照明灯具和排风机为非防爆型")
        expect(_fact(page, "location")).to_have_text("涂装车间喷漆室、调漆间")
        expect(_fact(page, "rectify_deadline")).to_contain_text("2026年11月18日")
        expect(_fact(page, "overdue_rung_name").locator(".basis")).to_contain_text("《安全生产法》第一百零二条")
        readable(page, width)
    finally:
        close_context(page.context)


def test_the_director_votes_knowing_who_proposed_the_penalty_the_facts_and_the_deadline(browser, demo):
    server, width = demo
    page = _login(browser, server, "feng_jz", width)
    try:
        _open_from_list(page, server, "集体讨论表决")
        expect(page.locator("#submitted-by dd")).to_contain_text("钱科长 ·「组织集体讨论」·")
        expect(page.locator("#task-context")).to_contain_text("案件处理呈批")   # who proposed the penalty, and why
        expect(page.locator("#task-context")).to_contain_text("150,000.00")
        expect(_fact(page, "case_due").locator(".basis")).to_contain_text("《行政处罚法》第六十条")
        readable(page, width)
        page.click("button[name=vote_choice][value=同意]")
        expect(page.locator(".flash.ok")).to_contain_text("集体讨论表决")
    finally:
        close_context(page.context)


def test_a_deputy_director_closes_an_accident_seeing_that_its_approval_was_carried_out(browser, demo):
    """结案 of an accident: the 批复 carried out — 处分 and 移送司法 (《生产安全事故报告和调查处理条例》第三十二条),
    the 整改和防范措施 (第三十三条), 警示教育 — on the page, and the accident its title names (the demo's
    中毒窒息 case named the 5·12 爆炸 of the samples)."""
    server, width = demo
    page = _login(browser, server, "han_wy", width)
    try:
        _open_from_list(page, server, "结案审批")
        expect(page.locator("#submitted-by dt")).to_have_text("提请")
        expect(_fact(page, "accident_title")).to_have_text("示范市甲化工有限公司中毒窒息事故")
        expect(_fact(page, "disciplinary_handled")).to_have_text("是")
        expect(_fact(page, "judicial_handled")).to_have_text("是")
        expect(_fact(page, "sanctions_summary")).to_contain_text("已移送公安机关")
        expect(_fact(page, "measures")).to_contain_text("全面校验安全阀并建立台账")
        expect(_fact(page, "education_done")).to_have_text("是")
        readable(page, width)
        page.fill("#f-close_summary", "批复事项已落实，同意结案")
        page.locator("form button[type=submit]").last.click()
        expect(page.locator(".flash.ok")).to_contain_text("结案审批")
    finally:
        close_context(page.context)
