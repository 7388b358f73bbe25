"""领导驾驶舱, 通报排名 and 消息中心 in Debian's Chromium (Playwright), one server for the module: charts
drawn by ECharts from static/vendor (nothing from a CDN, no inline script under the page CSP), a click on
a bar opening the cases behind it, the ranking's bars opening a unit's dashboard, the print stylesheet,
and the top bar's unread count going away when messages are marked read. Screenshots in
test-artifacts/screenshots/."""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.leadership_support import build_world
from tests.ui_support import PASSWORD, ROOT, LiveServer, close_context, launch_chromium, screenshot
from workflows.messages import produce

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:  # scripts/setup-browser installs it; `make test` runs that first
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

ECHARTS = ROOT / "webui" / "static" / "vendor" / "echarts" / "echarts.min.js"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    assert ECHARTS.exists(), "ECharts is not installed: run scripts/setup-assets (make setup does)"
    w = build_world(tmp_path_factory.mktemp("leadership-browser"))
    with LiveServer(w.app) as server, sync_playwright() as p:
        browser = launch_chromium(p)
        yield w, server, browser
        browser.close()
    w.engine.dispose()


@pytest.fixture
def page_as(site):
    _w, server, browser = site
    contexts = []

    def make(username):
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.errors = errors
        page.goto(server.url + "/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.base = server.url
        return page

    yield make
    for ctx in contexts:
        close_context(ctx)


def test_dashboard_draws_charts_and_a_bar_opens_its_cases(page_as):
    page = page_as("zhao")
    page.goto(page.base + "/leadership/?period=2026Q4")
    expect(page.locator("h1")).to_contain_text("领导驾驶舱")
    for key in ("hazards_open", "listings_overdue", "rectified", "accidents", "penalty_open", "escalations", "plans"):
        expect(page.locator(f'[data-chart="{key}"][data-ready="1"] svg')).to_have_count(1)
    expect(page.locator("#chart-hazards_open svg text", has_text="东城区应急管理局").first).to_be_visible()
    expect(page.locator("#kpis")).to_contain_text("按期整改率")
    screenshot(page, "leadership-dashboard")
    print_view = page.context.new_page()
    print_view.goto(page.url)
    print_view.emulate_media(media="print")
    expect(print_view.locator(".topbar")).to_be_hidden()
    expect(print_view.locator("#chart-hazards_open table.chart-table")).to_be_visible()
    screenshot(print_view, "leadership-dashboard-print")
    # the 重大 bar of 西城区 in the open-hazards chart: click through to the list behind it
    reds = page.locator("#chart-hazards_open svg path[fill='#c62828']")
    expect(reds.first).to_be_visible()
    boxes = [b for b in (reds.nth(i).bounding_box() for i in range(reds.count())) if b and b["height"] > 30]
    west = max(boxes, key=lambda b: b["x"])  # legend icons are small; the rightmost bar is 西城区's
    page.mouse.click(west["x"] + west["width"] / 2, west["y"] + west["height"] / 2)
    page.wait_for_url("**/leadership/cases?**")
    expect(page.locator("#drill-title")).to_contain_text("在办隐患")
    expect(page.locator("#drill-title")).to_contain_text("等级：重大")
    expect(page.locator("#cases tbody tr")).to_have_count(1)
    expect(page.locator("#drill-title")).to_contain_text("西城区应急管理局")
    screenshot(page, "leadership-drilldown")
    assert not [e for e in page.errors if "Content Security Policy" in e or "Refused" in e], page.errors


def test_ranking_table_bars_and_notice(page_as):
    page = page_as("zhao")
    page.goto(page.base + "/leadership/ranking?period=2026Q4")
    expect(page.locator("#ranking tbody tr")).to_have_count(4)
    expect(page.locator("#ranking tr.last")).to_have_count(2)
    expect(page.locator("#ranking")).to_contain_text("连续3次排名后两位")
    expect(page.locator("[data-ranking][data-ready='1'] svg")).to_have_count(1)
    screenshot(page, "leadership-ranking")
    with page.expect_download() as download:
        page.click("#notice-download")
    assert download.value.suggested_filename.endswith("安全生产工作考核排名情况通报.docx")
    blues = page.locator("[data-ranking] svg path[fill='#1565c0']")
    top = min((blues.nth(i).bounding_box() for i in range(blues.count())), key=lambda b: b["y"])  # 东城区, first
    page.mouse.click(top["x"] + top["width"] / 2, top["y"] + top["height"] / 2)
    page.wait_for_url("**/leadership/?org=east**")
    expect(page.locator("h1")).to_contain_text("东城区应急管理局")


def test_message_centre_count_and_mark_read(site, page_as):
    w, _server, _browser = site
    produce(w.engine)
    page = page_as("acme")  # the enterprise: told of its open 整改方案 task
    count = page.locator("#unread-count")
    expect(count).to_be_visible()
    page.click("#inbox")
    expect(page.locator("#messages tbody tr.unread").first).to_be_visible()
    screenshot(page, "messages-inbox")
    page.click("#read-all")
    expect(page.locator(".flash.ok")).to_contain_text("已将")
    expect(page.locator("#unread-count")).to_have_count(0)
    page.goto(page.base + "/messages/settings")
    page.fill("#email", "anquan@jiahuagong.example.com")
    page.check("input[name=email_on]")
    page.click("button.primary")
    expect(page.locator(".flash.ok")).to_contain_text("提醒方式已保存")
    screenshot(page, "messages-settings")


def test_risk_map_grid_then_uploaded_boundaries(page_as, tmp_path):
    import json
    page = page_as("admin_zhou")
    page.goto(page.base + "/leadership/map")
    expect(page.locator("#risk-grid .risk-cell")).to_have_count(4)
    expect(page.locator('#risk-grid [data-org="south"]')).to_have_class("risk-cell risk-橙")
    screenshot(page, "leadership-riskmap-grid")
    shapes = [("东城区应急管理局", [[0, 0], [2, 0], [2, 1], [0, 1], [0, 0]]), ("西城区应急管理局", [[0, 1], [2, 1], [2, 2], [0, 2], [0, 1]]),
              ("北城区应急管理局", [[2, 0], [3, 0], [3, 2], [2, 2], [2, 0]]), ("南城区应急管理局", [[0, -1], [3, -1], [3, 0], [0, 0], [0, -1]])]
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        for name, ring in shapes]}
    path = tmp_path / "城区边界.geojson"
    path.write_text(json.dumps(geo, ensure_ascii=False), encoding="utf-8")
    page.set_input_files("#boundary-upload input[type=file]", str(path))
    page.click("#boundary-upload button[type=submit]")
    expect(page.locator(".flash.ok")).to_contain_text("已保存 4 个区域的边界")
    expect(page.locator("[data-map][data-ready='1'] svg")).to_have_count(1)
    expect(page.locator("[data-map] svg path[fill='#c62828']").first).to_be_visible()
    expect(page.locator("[data-map] svg path[fill='#ef6c00']")).to_have_count(1)  # 南城区
    screenshot(page, "leadership-riskmap")
    orange = page.locator("[data-map] svg path[fill='#ef6c00']").bounding_box()
    page.mouse.click(orange["x"] + orange["width"] / 2, orange["y"] + orange["height"] / 2)
    page.wait_for_url("**/leadership/cases?**")
    expect(page.locator("#drill-title")).to_contain_text("南城区应急管理局")
