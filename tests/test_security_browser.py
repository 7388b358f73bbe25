"""The page CSP (``default-src 'self'; script-src 'self'``) in a real browser: the case page with
its bpmn-js diagram, a task form, the designer (bpmn-js modeler and properties panel) and the
model comparison all work with it, and Chromium reports no CSP violation on any of them.
"""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.test_designer_endpoints import add_designers
from tests.ui_support import PASSWORD, LiveServer, close_context, launch_chromium, make_world, open_task, start_hazard

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    world = make_world(tmp_path_factory.mktemp("csp"))
    add_designers(world.engine)
    with LiveServer(world.app) as server, sync_playwright() as p:
        browser = launch_chromium(p)
        yield world, server, browser
        browser.close()
    world.engine.dispose()


def session(browser, server, username):
    ctx = browser.new_context(viewport={"width": 1440, "height": 960}, locale="zh-CN")
    ctx.set_default_timeout(15_000)
    ctx.add_init_script(RECORD_VIOLATIONS)
    page = ctx.new_page()
    page.console_messages_seen = []
    page.on("console", lambda m: page.console_messages_seen.append(m.text))
    page.on("pageerror", lambda exc: page.console_messages_seen.append("pageerror " + str(exc)))
    page.goto(server.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".whoami .user")).to_be_visible()
    return ctx, page


def assert_no_violation(page):
    violations = page.evaluate("window.__csp")
    console = [m for m in page.console_messages_seen if "Content Security Policy" in m or m.startswith("pageerror")]
    assert not violations and not console, (violations, console)


def test_case_page_with_its_diagram_and_a_task_form_work_under_the_csp(served):
    world, server, browser = served
    case = start_hazard(world.engine)
    ctx, page = session(browser, server, "zhang")
    try:
        response = page.goto(f"{server.url}/cases/{case.id}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector("#diagram .djs-container")
        expect(page.locator('#diagram g.djs-element[data-element-id="register"]')).to_have_count(1)
        assert_no_violation(page)
        page.goto(f"{server.url}/tasks/{open_task(world.engine, case.id, 'register').id}")
        page.wait_for_load_state("networkidle")
        assert_no_violation(page)
    finally:
        close_context(ctx)


def test_leadership_dashboard_charts_under_the_csp(served):
    world, server, browser = served
    ctx, page = session(browser, server, "zhao")
    try:
        page.goto(f"{server.url}/leadership/")
        page.wait_for_load_state("networkidle")
        page.wait_for_selector("canvas, svg", timeout=15_000)
        assert_no_violation(page)
    finally:
        close_context(ctx)


def test_designer_edits_and_compares_under_the_csp(served):
    world, server, browser = served
    ctx, page = session(browser, server, "xu")
    try:
        page.goto(f"{server.url}/designer/models/hazard_supervision/edit")
        page.wait_for_selector("#designer[data-state=ready]")
        page.wait_for_selector("#canvas .djs-container")
        assert_no_violation(page)
        for path in ("/designer/", "/designer/models/hazard_supervision/compare?a=1&b=1",
                     "/designer/models/hazard_supervision"):
            page.goto(server.url + path)
            page.wait_for_load_state("networkidle")
            assert_no_violation(page)
    finally:
        close_context(ctx)
