"""隐患排查治理季度统计 (原国家安全监管总局令第16号第十四条) read on a phone, in Chromium (issue 15).

At 375 px the two tables (按区县, 按企业: a name and eight figures) scrolled sideways inside their box: 逾期
and 整改资金 lay beyond the screen's edge. At phone width each row is now a card — the unit or enterprise
as its title, each figure a line under its column's name — as 4fda12d made the task lists; a desktop keeps
the tables. One world for the module, on a SQLite file and on PostgreSQL.
"""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.ui_support import LiveServer, browser, logged_in_page, major_case_at, make_world, screenshot  # noqa: F401
from tests.ui_support import server  # noqa: F401 (the module's live server, from its world)

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

TABLES = ("#stats-districts", "#stats-enterprises")


@pytest.fixture(scope="module")
def world(tmp_path_factory, module_database_url):
    postgres = module_database_url.startswith("postgresql")
    w = make_world(tmp_path_factory.mktemp("hazard-stats"), url=module_database_url if postgres else None)
    major_case_at(w.engine, "submit_plan")  # a 重大事故隐患 found this quarter, not yet rectified
    yield w
    w.engine.dispose()


def beyond_screen(page, selector: str) -> list[str]:
    """What of ``selector`` lies (partly) beyond the right edge of the screen, as "text right-edge"."""
    return page.evaluate("""(sel) => [...document.querySelectorAll(sel)]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map(e => e.textContent.trim().slice(0, 20) + ' ' + Math.round(e.getBoundingClientRect().right))""", selector)


def test_the_quarterly_hazard_statistics_fit_a_phone(browser, server):
    page = logged_in_page(browser, server, "qian", 375)
    page.goto(server.url + "/hazards/statistics")
    for table in TABLES:
        expect(page.locator(table)).to_be_visible()
        assert beyond_screen(page, f"{table} td, {table} th") == [], table
        assert page.evaluate(f"document.querySelector('{table}').scrollWidth <= document.querySelector('{table}').clientWidth"), table
    total = page.locator("#stats-districts tr.total")
    expect(total.locator("td[data-label=逾期]")).to_be_visible()
    expect(total.locator("td[data-label='整改资金（元）']")).to_have_text("0.00")
    expect(page.locator("#stats-enterprises tbody tr").first.locator("td[data-label=其中重大]")).to_have_text("1")
    screenshot(page, "hazard-statistics-375")
    page.context.close()


def test_the_quarterly_hazard_statistics_stay_tables_at_a_desktop_width(browser, server):
    page = logged_in_page(browser, server, "qian", 1280)
    page.goto(server.url + "/hazards/statistics")
    for table in TABLES:
        expect(page.locator(f"{table} thead")).to_be_visible()
        assert page.evaluate(f"getComputedStyle(document.querySelector('{table} tbody tr')).display") == "table-row"
    screenshot(page, "hazard-statistics-1280")
    page.context.close()
