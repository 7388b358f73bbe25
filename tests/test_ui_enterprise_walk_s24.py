"""An enterprise's day in the demo (session 24): 甲化工安全员 (jia_qy, 生产经营单位) logs in at 1280 and
375 px in Chromium, zh-CN, and works its listed hazards (重大事故隐患挂牌督办) from its task list.

- 实施整改 (原总局令第16号第十五条; 《安全生产法》第四十一条): 办理事项 整改完成 asks for 评估方式,
  申请延期 for 延期理由 and 申请延长至. Before, all three were on the page at once, none marked 必填;
  an enterprise asking for more time learnt it owed 申请延长至 only from the refusal — which does not
  keep the photos and PDFs it had chosen. Now each shows with its answer, marked 必填, and the date is
  taken as an official types it (「2027年４月１日」).
- 提交整改方案 sent back (退回) by the inspector: the reason stands above the form, the plan typed
  before is there to correct, the 整改方案文本 kept, and the corrected plan goes in.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.demo_walk import demo_served, open_task, readable
from tests.ui_support import browser, close_context, logged_in_page

__all__ = ["browser"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00photo\xff\xd9"


@pytest.fixture(scope="module", params=[1280, 375], ids=["1280", "375"])
def demo(request, tmp_path_factory):
    with demo_served(tmp_path_factory.mktemp(f"enterprise-walk-{request.param}")) as (server, engine):
        yield server, request.param, engine


def _field(page, name: str):
    return page.locator(f"#task-form [data-field={name}]")


def _case(engine, title: str):
    return next(c for c in engine.cases(process_key="hazard_supervision", limit=100) if c.title == title)


def test_rectify_asks_for_the_extension_date_only_when_asking_for_more_time(browser, demo, tmp_path):
    """实施整改: 申请延期 (the local 挂牌督办办法, applied ≥10 working days ahead) shows 延期理由 and
    申请延长至, marked 必填; 整改完成 shows 整改效果评估方式 (原总局令第16号第十八条) instead; the date typed 「2027年４月１日」 is read as 2027-04-01, the
    photo and the PDF go in with it."""
    server, width, engine = demo
    page = logged_in_page(browser, server, "jia_qy", width)
    try:
        open_task(page, server, "实施整改", "甲化工液氨储罐区重大隐患")
        for name in ("assessment_mode", "extension_reason", "requested_deadline"):
            expect(_field(page, name)).to_be_hidden()                 # nothing chosen yet: neither answer's fields
        page.check("input[name=rectify_action][value=整改完成]")
        expect(_field(page, "assessment_mode")).to_be_visible()
        expect(_field(page, "assessment_mode").locator(".req")).to_be_visible()
        expect(_field(page, "requested_deadline")).to_be_hidden()
        page.check("input[name=rectify_action][value=申请延期]")
        expect(_field(page, "assessment_mode")).to_be_hidden()
        for name in ("extension_reason", "requested_deadline"):
            expect(_field(page, name)).to_be_visible()
            expect(_field(page, name).locator(".req")).to_be_visible()
        readable(page, width)
        page.fill("#f-rectify_summary", "紧急切断阀已订货，安装须停产，正与供货方协调")
        page.fill("#f-extension_reason", "紧急切断阀供货周期为四个月，无法在督办期限内完成安装调试")
        page.fill("#f-requested_deadline", "2027年４月１日")
        (tmp_path / "供货合同.pdf").write_bytes(PDF)
        (tmp_path / "现场照片.jpg").write_bytes(JPEG)
        page.set_input_files("input[name=attachments__upload]", [str(tmp_path / "供货合同.pdf"),
                                                                  str(tmp_path / "现场照片.jpg")])
        page.click("#submit")
        expect(page.locator(".flash.ok")).to_contain_text("已提交：实施整改")
        data = engine.case(_case(engine, "甲化工液氨储罐区重大隐患").id).data
        assert data["requested_deadline"] == "2027-04-01"
        assert data.get("assessment_mode") is None                    # the hidden answer posted nothing
        assert [r.rsplit("/", 1)[1] for r in data["attachments"]] == ["供货合同.pdf", "现场照片.jpg"]
    finally:
        close_context(page.context)


def test_a_plan_sent_back_shows_why_and_goes_in_again_corrected(browser, demo):
    """退回 of 提交整改方案（双报告） (《安全生产法》第四十一条第二款): the inspector's reason above the
    enterprise's form, what it wrote before ready to correct, its 整改方案文本 kept; 「2026年11月24日」
    read as the day."""
    server, width, engine = demo
    title = "甲化工二号罐区重大隐患"
    page = logged_in_page(browser, server, "li_si", width)
    try:
        open_task(page, server, "审查整改方案", title)
        page.fill("#f-plan_review_opinion", "方案未写明经费来源和整改期间的安全措施，请补充后重新提交")
        page.locator("button[value=退回]").click()
        expect(page.locator(".flash.ok")).to_contain_text("审查整改方案")
    finally:
        close_context(page.context)
    page = logged_in_page(browser, server, "jia_qy", width)
    try:
        open_task(page, server, "提交整改方案", title)
        expect(page.locator("main")).to_contain_text("退回原因")
        expect(page.locator("main")).to_contain_text("方案未写明经费来源和整改期间的安全措施")
        expect(page.locator("#f-plan_goals")).to_have_value(re.compile("消除二号罐区"))
        expect(_field(page, "attachments").locator("input[type=checkbox]:checked")).to_have_count(1)
        readable(page, width)
        page.fill("#f-plan_funds", "企业自筹资金1,200,000元，已列入年度安全生产费用")
        page.fill("#f-reported_to_workers_on", "2026年11月24日")
        page.click("#submit")
        expect(page.locator(".flash.ok")).to_contain_text("已提交：提交整改方案（双报告）")
        data = engine.case(_case(engine, title).id).data
        assert data["plan_funds"].startswith("企业自筹资金1,200,000元")
        assert data["reported_to_workers_on"] == "2026-11-24"
        assert len(data["attachments"]) == 1
    finally:
        close_context(page.context)
