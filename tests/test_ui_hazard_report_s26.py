"""隐患排查治理情况统计分析表 in the demo, in Chromium at 1280 px, zh-CN (原国家安全监管总局令第16号第十四条:
季度统计分析表下一季度15日前报送，由主要负责人签字).

The demo (workflows/demo_hazard_reports.py) left 乙机械's third-quarter report unreported after its due
day (15 October; the demo's today is 23 November): 钱科长 (东城区科室负责人) sees it on the 逾期未报 list of
统计分析表报送情况, reached from 隐患统计, with 东城区's counts and no enterprise of 西城区. Then 乙机械安全员
opens its report from 我的待办: the figures the hazard ledger counted are filled in, the due day and the
ledger's figures stand above the form; counts typed as people type them are read, a 重大 count over the
total is refused naming the field with what was typed kept, and the signed scan goes in with the report.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.demo_walk import demo_served, open_task, readable
from tests.ui_support import browser, close_context, logged_in_page

__all__ = ["browser"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WIDTH = 1280
TITLE = "示范市乙机械制造有限公司2026年第三季度隐患排查治理情况统计分析表"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with demo_served(tmp_path_factory.mktemp("hazard-report")) as (server, engine):
        yield server, engine


def test_the_section_head_sees_the_enterprise_that_did_not_report_by_the_15th_16_order_art14(browser, demo):
    server, engine = demo
    page = logged_in_page(browser, server, "qian_ke", WIDTH)
    try:
        page.goto(server.url + "/hazards/statistics")
        page.click("#reports-link")
        expect(page.locator("h1")).to_contain_text("2026年第三季度")
        overdue = page.locator("#reports-overdue tbody tr")
        expect(overdue).to_have_count(1)
        expect(overdue.first).to_contain_text("示范市乙机械制造有限公司")
        expect(overdue.first).to_contain_text("2026年10月15日")
        expect(overdue.first).to_contain_text("39日")
        units = page.locator("#reports-by-unit tbody tr")
        expect(units).to_have_count(1)                       # 东城区 only: 西城区 is not 钱科长's
        expect(units.first).to_contain_text("东城区")
        assert [c.strip() for c in units.first.locator("td").all_inner_texts()] == ["2", "1", "0", "0", "1"]
        expect(page.locator("main")).not_to_contain_text("丙建材")
        readable(page, WIDTH)
    finally:
        close_context(page.context)


def test_the_enterprise_reports_late_with_its_figures_read_as_typed_16_order_art14(browser, demo, tmp_path):
    server, engine = demo
    page = logged_in_page(browser, server, "yi_qy", WIDTH)
    try:
        open_task(page, server, "填报统计分析表", TITLE)
        main = page.locator("main")
        expect(main).to_contain_text("统计分析表报送期限")
        expect(main).to_contain_text("隐患台账：本期发现隐患（项）")
        expect(page.locator("#f-found_total")).to_have_value("0")
        expect(page.locator("#f-principal_name")).to_have_value("赵立新")
        readable(page, WIDTH)
        page.fill("#f-found_total", "１,２00")
        page.fill("#f-found_major", "1,201")
        page.fill("#f-rectified_total", "１１９０项")
        page.fill("#f-open_total", "10")
        page.fill("#f-analysis", "本季度隐患主要为设备防护缺失，已逐项整改；下季度加强设备点检。")
        page.fill("#f-difference_note", "台账漏登班组自查发现的隐患")
        page.check("input[name=principal_signed][value=true]")
        (tmp_path / "统计分析表签字页.pdf").write_bytes(PDF)
        page.set_input_files("input[name=signed_table__upload]", str(tmp_path / "统计分析表签字页.pdf"))
        page.fill("#f-filled_by", "周海涛")
        page.fill("#f-filled_phone", "139 0000 0002")
        page.click("#submit")
        expect(page.locator("[data-field=found_major]")).to_contain_text("「其中重大事故隐患」不能多于「本期排查发现隐患」")
        expect(page.locator("#f-analysis")).to_have_value("本季度隐患主要为设备防护缺失，已逐项整改；下季度加强设备点检。")
        page.fill("#f-found_major", "２")
        page.click("#submit")
        expect(page.locator(".flash.ok")).to_contain_text("已提交：填报统计分析表")
        case = next(c for c in engine.cases(process_key="hazard_statistics_report", limit=100) if c.title == TITLE)
        data = engine.case(case.id).data
        assert (data["found_total"], data["found_major"], data["rectified_total"], data["open_total"]) == (1200, 2, 1190, 10)
        assert data["report_late"] is True and data["report_differs"] is True
        assert [r.rsplit("/", 1)[1] for r in data["signed_table"]] == ["统计分析表签字页.pdf"]
    finally:
        close_context(page.context)
