"""The leaders' pages as a 分管领导 and a 局长 (主要负责人) read them, in Chromium at 1280 and 375 px (issue 15).

Walking 驾驶舱, 逾期督办, 统计报表 and 通报排名 with the demo's data as 郑副局长 (分管领导) and 冯局长 (局长) found
what a leader would not understand: bare figures (5, 1, 6 — of what?), charts with a title and no word of
what a bar counts, the 执法案件 chart's 环节 names turned and cut at its left edge (…达当事人履行), the
ranking's — for "nothing to count, scored in full", 督办级别 without its meaning, and the statistics and
ranking tables scrolling sideways on a phone. Now: each KPI carries its unit (件, 起; a rate its %), each
chart a sentence of what it counts (workflows/leadership/dashboard.MEANINGS; the 事故 chart names its
law, 《生产安全事故报告和调查处理条例》第三条), many 环节 are laid across with each name whole, the ranking
says 无（计满分） and 分, the overdue board says what a 督办级别 is, and the two tables are cards at 375 px.
The demo's world, on a SQLite file and on PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from engine import ManualClock
from tests.ui_support import LiveServer, browser, screenshot, quick_logins  # noqa: F401
from webui.app import create_app
from workflows.demo import USERS, load_demo
from workflows.runtime import build_engine

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)  # Monday 09:00 in Beijing
PASSWORD = "demo-2026"
LEADERS = ["zheng_fj", "feng_jz"]  # 分管领导, 局长 (主要负责人)
WIDTHS = [1280, 375]
KPI = re.compile(r"^(\d+(\.\d+)?(件|起|%)|—)$")


@pytest.fixture(scope="module")
def server(module_database_url, tmp_path_factory):
    engine = build_engine(module_database_url, clock=ManualClock(NOW))
    load_demo(engine)
    quick_logins(engine, password=PASSWORD)
    app = create_app(engine, secret_key="test", testing=True, instance_path=tmp_path_factory.mktemp("instance"))
    with LiveServer(app) as srv:
        yield srv
    engine.dispose()


def login(browser, server, username: str, width: int):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".whoami .user")).to_be_visible()
    return page


def beyond_screen(page, selector: str) -> list[str]:
    return page.evaluate("""(sel) => [...document.querySelectorAll(sel)]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map(e => e.textContent.trim().slice(0, 20) + ' ' + Math.round(e.getBoundingClientRect().right))""", selector)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("username", LEADERS)
def test_the_cockpit_says_what_each_figure_counts(browser, server, username, width):
    page = login(browser, server, username, width)
    page.goto(server.url + "/leadership/")
    expect(page.locator('[data-chart="penalty_open"][data-ready="1"] svg')).to_have_count(1)
    values = page.locator("#kpis .kpi-value").all_inner_texts()
    assert values and all(KPI.match(v.replace("\n", "").strip()) for v in values), values
    for figure in page.locator("#charts figure").all():
        assert figure.locator(".chart-meaning").inner_text().strip(), figure.get_attribute("id")
    expect(page.locator("#chart-accidents .chart-meaning")).to_contain_text("《生产安全事故报告和调查处理条例》第三条")
    # every 环节 of the 执法案件 chart drawn whole inside its card: none cut at an edge
    cut = page.evaluate("""() => {
        const card = document.querySelector('#chart-penalty_open').getBoundingClientRect();
        return [...document.querySelectorAll('#chart-penalty_open svg text')].map(t => [t.textContent, t.getBoundingClientRect()])
          .filter(([s, r]) => r.width && (r.left < card.left - 0.5 || r.right > card.right + 0.5)).map(([s]) => s);
    }""")
    assert cut == []
    names = page.evaluate("[...document.querySelectorAll('#chart-penalty_open svg text')].map(t => t.textContent)")
    assert "催告当事人履行" in names
    assert beyond_screen(page, "main *") == []
    screenshot(page, f"leaders-cockpit-{username}-{width}")
    page.context.close()


@pytest.mark.parametrize("username", LEADERS)
def test_the_statistics_ranking_and_overdue_board_read_on_a_phone(browser, server, username):
    page = login(browser, server, username, 375)
    for url, table in (("/leadership/statistics", "#statistics"), ("/leadership/ranking", "#ranking"),
                       ("/supervise/overdue", "#overdue-cases")):
        page.goto(server.url + url)
        expect(page.locator(table)).to_be_visible()
        assert beyond_screen(page, f"{table} td, {table} th") == [], url
        screenshot(page, f"leaders{url.replace('/', '-')}-{username}-375")
    page.goto(server.url + "/leadership/statistics")
    expect(page.locator("#statistics tr.total td[data-label='罚款金额（元）']")).to_have_text(re.compile(r"^[\d,]+\.\d\d$"))
    page.goto(server.url + "/leadership/ranking")
    cells = page.locator("#ranking td.num").all_inner_texts()
    assert cells and "—" not in [c.strip() for c in cells], cells
    expect(page.locator("#ranking td[data-label=得分]").first).to_contain_text("分")
    page.goto(server.url + "/supervise/overdue")
    expect(page.locator("#escalation-meaning")).to_contain_text("每错过一次办理期限升一级")
    page.context.close()


@pytest.mark.parametrize("username", LEADERS)
def test_the_cases_behind_a_figure_say_how_late_and_fit_a_phone(browser, server, username):
    """The list behind 挂牌督办逾期未整改 names each hazard's 整改期限 and how many days it is past it
    (the demo's 乙机械涂装线 was due 2026-11-18: five days on 2026-11-23); the lists are cards at 375 px."""
    page = login(browser, server, username, 375)
    page.goto(server.url + "/leadership/cases?metric=listings_overdue&org=dongcheng&period=2026Q4")
    late = page.locator("#cases tbody tr", has_text="乙机械涂装线重大隐患")
    expect(late.locator("td[data-label=整改期限]")).to_have_text("2026年11月18日 已逾期5天")
    for metric in ("listings_overdue", "penalty_open", "escalations"):
        page.goto(server.url + f"/leadership/cases?metric={metric}&org=dongcheng&period=2026Q4")
        expect(page.locator("#cases")).to_be_visible()
        assert beyond_screen(page, "#cases td, #cases th") == [], metric
    screenshot(page, f"leaders-cases-{username}-375")
    page.context.close()
