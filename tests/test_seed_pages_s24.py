"""The pages this session changed in the seed processes, worked in Chromium at 1280 and 375 px, zh-CN.

- 审批抽查计划: the 分管领导 names the 抽取监督人员 by Chinese name before the draw (国办发〔2015〕58号 抽查过程
  全程记录); 同意 without one is refused beside the picker, the opinion typed kept.
- 公示抽查结果: the officer sees what is to be published (公示内容) and its 公开期限, the 20th working day
  after the inspection (国发〔2019〕5号).
- 审核摘牌: the superior sees the three conditions of lifting a listing; 同意摘牌 with one unmet is refused
  naming its article (《生产安全事故报告和调查处理条例》第三十四条), what was typed kept.
- 签收评查结果: the 承办人 reads his file's score item by item with the reasons for each deduction, in
  Chinese, and signs for it (《行政处罚法》第七十五条; 武进 2017, seed 000, 案卷评查).
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from engine import ManualClock
from tests.ui_support import PASSWORD, LiveServer, browser, close_context, logged_in_page, quick_logins
from webui.app import create_app
from types import SimpleNamespace

from tests.test_process_case_review import closed_penalty
from workflows.accident_supervision import list_accident
from workflows.case_review import start_review
from workflows.forms.case_review import full_marks
from workflows.demo import CHEMICAL, USERS, Desk, load_directory, register_enterprises
from workflows.inspection_plans import start_plan
from workflows.runtime import build_engine

__all__ = ["browser"]

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)  # Monday 09:00 in Beijing
ENGLISH = re.compile(r"[A-Za-z_]{4,}")
QUOTAS = [{"sector": "危化", "count": 1}, {"sector": "工贸", "count": 1}]


@pytest.fixture(scope="module", params=[1280, 375], ids=["1280", "375"])
def world(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"seed-pages-{request.param}")
    engine = build_engine(f"sqlite:///{folder / 'seed.sqlite'}", clock=ManualClock(NOW))
    load_directory(engine)
    register_enterprises(engine)
    quick_logins(engine)
    desk = Desk(engine)
    to_approve = start_plan(engine, "qian_ke", "dongcheng", "东城区第四季度双随机抽查计划").id
    desk.do(to_approve, "编制双随机抽查计划", quotas=QUOTAS)
    drawn = start_plan(engine, "qian_ke", "dongcheng", "东城区专项抽查计划").id
    desk.do(drawn, "编制双随机抽查计划", quotas=QUOTAS)
    desk.do(drawn, "审批抽查计划")
    inspection = next(c for c in engine.cases(process_key="random_inspection", limit=100) if c.parent_case_id == drawn)
    desk.do(inspection.id, "现场检查")
    accident = desk.start("accident_investigation", by="sun_qi", org="dongcheng", party=CHEMICAL).id
    desk.do(accident, "事故信息接报", deaths=3)
    listing = list_accident(engine, "shi_jz", accident).id
    desk.do(listing, "决定挂牌督办")
    desk.do(listing, "报送调查进展", investigation_approved=True, approved_on=desk.today().isoformat(),
            approval_no="示政函〔2026〕5号")
    desk.do(listing, "发布事故警示通报")
    desk.do(listing, "诫勉约谈企业主要负责人")
    penalty = engine.case(closed_penalty(SimpleNamespace(engine=engine, desk=desk)))
    review = start_review(engine, "qian_ke", "dongcheng", penalty, mode="集中评查").id
    desk.do(review, "提交被评查案卷")
    items = [dict(r, score=r["score"] - 3, deduction_reason="送达回证未注明送达方式") if r["item"] == "文书制作" else r
             for r in full_marks()]
    desk.do(review, "案卷评查打分", user="zhang_san", score_items=items)
    desk.do(review, "审定评查结果")
    desk.do(review, "印发评查结果通报")
    app = create_app(engine, secret_key="test", testing=True, instance_path=folder / "instance")
    cases = {"plan": to_approve, "drawn": drawn, "inspection": inspection.id, "listing": listing, "review": review}
    with LiveServer(app) as server:
        yield server, request.param, engine, desk, cases
    engine.dispose()


def _open(browser, server, username: str, width: int, task_id: int):
    page = logged_in_page(browser, server, username, width)
    page.goto(f"{server.url}/tasks/{task_id}")
    if page.locator("#claim").count():
        page.click("#claim")
    return page


def _readable(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shown = page.locator("main").inner_text()
    assert not ENGLISH.findall(shown), ENGLISH.findall(shown)


def test_the_deputy_director_names_the_witness_of_the_draw_by_name_guoban_2015_58(browser, world):
    server, width, engine, desk, cases = world
    task = desk.task(cases["plan"], "审批抽查计划")
    page = _open(browser, server, "zheng_fj", width, task.id)
    try:
        picker = page.locator("#f-draw_witnesses")
        expect(page.locator("main")).to_contain_text("抽取监督人员")
        expect(picker).to_contain_text("陈法制")
        expect(picker).not_to_contain_text("chen_fz")
        expect(picker.locator("label", has_text="张三")).to_have_count(0)       # an inspector who may be drawn
        _readable(page, width)
        page.fill("#f-plan_approval_opinion", "同意，抽取时请法制科全程见证")
        page.locator("form button[value='同意']").first.click()
        expect(page.locator("#err-draw_witnesses")).to_contain_text("抽取监督人员")
        expect(page.locator("#f-plan_approval_opinion")).to_have_value("同意，抽取时请法制科全程见证")
        assert "draw_seed" not in engine.case(cases["plan"]).data                # nothing drawn
        page.locator("#f-draw_witnesses label", has_text="陈法制").locator("input").check()
        page.locator("form button[value='同意']").first.click()
        expect(page.locator(".flash.ok")).to_contain_text("审批抽查计划")
        assert engine.case(cases["plan"]).data["draw_witnesses"] == ["chen_fz"]
    finally:
        close_context(page.context)


def test_the_plan_page_shows_who_was_drawn_and_which_inspectors_go_by_name_guofa_2019_5(browser, world):
    """国发〔2019〕5号 (随机抽取检查对象、随机选派执法检查人员): the plan's case page shows the draw's result to
    the leader who approved it, one row an enterprise with its inspectors by 姓名 — not under 「其他数据」
    (a designer's, collapsed, by variable name) as before 2026-12-07."""
    server, width, engine, desk, cases = world
    data = engine.case(cases["drawn"]).data
    page = logged_in_page(browser, server, "zheng_fj", width)
    try:
        page.goto(f"{server.url}/cases/{cases['drawn']}")
        table = page.locator("tr[data-key='draw_result']")
        expect(table).to_contain_text("抽取结果")
        for heading in ("企业名称", "统一社会信用代码", "行业", "风险等级", "检查人员"):
            expect(table.locator("th", has_text=heading)).to_have_count(1)
        for pick in data["draw_result"]:
            expect(table).to_contain_text(pick["name"])
            for username in pick["inspectors"]:
                expect(table).to_contain_text(engine.directory.user(username).name)
                expect(table).not_to_contain_text(username)
        expect(page.locator("main")).to_contain_text("抽中企业数")
        _readable(page, width)
    finally:
        close_context(page.context)


def test_the_officer_sees_what_is_published_and_by_when_guofa_2019_5(browser, world):
    server, width, engine, desk, cases = world
    task = desk.task(cases["inspection"], "公示抽查结果")
    data = engine.case(cases["inspection"]).data
    page = _open(browser, server, desk.user_for(task), width, task.id)
    try:
        facts = page.locator("#context-facts")
        expect(facts).to_contain_text("公示内容")
        expect(facts).to_contain_text(data["name"])
        expect(facts).to_contain_text(data["credit_code"])
        expect(facts).to_contain_text("公开期限")
        expect(page.locator("main")).to_contain_text("公示网址或查询路径")
        _readable(page, width)
    finally:
        close_context(page.context)


def test_the_superior_lifts_a_listing_only_when_its_conditions_hold_regulation_493_art34(browser, world):
    server, width, engine, desk, cases = world
    task = desk.task(cases["listing"], "审核摘牌")
    page = _open(browser, server, "shi_jz", width, task.id)
    try:
        main = page.locator("main")
        for label in ("事故责任单位和责任人已按批复处理", "事故防范和整改措施已落实", "事故处理情况已向社会公布",
                      "摘牌公告日期", "摘牌公告渠道"):
            expect(main).to_contain_text(label)
        expect(page.locator("form button[value='同意摘牌']")).to_be_visible()
        expect(page.locator("form button[value='暂不摘牌']")).to_be_visible()
        _readable(page, width)
        page.locator("#f-responsibility_done").check()
        page.locator("#f-measures_done").check()
        page.fill("#f-delist_opinion", "批复确定的处分和处罚已执行，整改措施经现场核查落实")
        page.fill("#f-delisted_on", "2026年11月23日")
        page.fill("#f-delist_published_on", "2026年11月23日")
        page.fill("#f-delist_channel", "市政府网站")
        page.locator("form button[value='同意摘牌']").first.click()
        expect(page.locator("#err-result_published")).to_contain_text("第三十四条")
        expect(page.locator("#f-delist_opinion")).to_have_value("批复确定的处分和处罚已执行，整改措施经现场核查落实")
        assert engine.case(cases["listing"]).status == "running"
        page.locator("#f-result_published").check()
        page.locator("form button[value='同意摘牌']").first.click()
        expect(page.locator(".flash.ok")).to_contain_text("审核摘牌")
        assert engine.case(cases["listing"]).status == "completed"
    finally:
        close_context(page.context)


def test_the_handler_reads_each_deduction_and_its_reason_and_signs_administrative_penalty_law_art75(browser, world):
    server, width, engine, desk, cases = world
    task = desk.task(cases["review"], "签收评查结果")
    assert task.assignee == "li_si"
    page = _open(browser, server, "li_si", width, task.id)
    try:
        context = page.locator("#task-context")
        for text in ("评查总分", "97", "优秀", "文书制作", "送达回证未注明送达方式", "东应急评〔2026〕2号"):
            expect(context).to_contain_text(text)
        _readable(page, width)
        page.fill("#f-handler_statement", "已补注送达方式")
        page.locator("#f-feedback_read input[value=true]").check()
        page.locator("form button[type=submit]").last.click()
        expect(page.locator(".flash.ok")).to_contain_text("签收评查结果")
        data = engine.case(cases["review"]).data
        assert data["feedback_read"] is True and data["handler_statement"] == "已补注送达方式"
    finally:
        close_context(page.context)
