"""流程设计 on a phone (375 px, Chromium): a designer reads the model and its list of problems.

Before, the editor kept its two columns (the canvas and a 340 px properties panel) at 375 px: the
canvas was a strip 15 px wide beside the panel, the model unreadable; the model and version lists
squeezed eight columns into the screen, a character a line. Now the canvas is a box of the screen's
width (it pans inside), the properties below it, the problems a list under them, the lists cards;
and nothing on the page is wider than the screen. At 1280 px the editor keeps its two columns.
"""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.test_designer_endpoints import add_designers
from tests.ui_support import LiveServer, browser, logged_in_page, make_world, screenshot  # noqa: F401

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:  # scripts/setup-browser installs it
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

HAZARD = "hazard_supervision"
# Elements wider than the screen, leaving out the diagram's own layers (the canvas pans inside its box).
WIDE = """() => [...document.querySelectorAll('main *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > window.innerWidth + 0.5 && !e.closest('.djs-container');
  }).map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 20))"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("designer-phone"))
    add_designers(w.engine)
    w.model = w.engine.models.latest(HAZARD).content
    with LiveServer(w.app) as srv:
        srv.world = w
        yield srv
    w.engine.dispose()


def test_a_designer_on_a_phone_reads_the_model_and_its_problems(browser, server, tmp_path):  # noqa: F811
    page = logged_in_page(browser, server, "xu", 375)
    page.goto(server.url + f"/designer/models/{HAZARD}/edit")
    expect(page.locator("#canvas .djs-container")).to_be_visible()
    canvas = page.locator("#canvas").bounding_box()
    assert canvas["width"] > 300 and canvas["height"] > 300, canvas  # was 15 px wide beside the panel
    panel = page.locator("#properties").bounding_box()
    assert panel["y"] >= canvas["y"] + canvas["height"] - 1, (canvas, panel)  # below the canvas, not beside it
    expect(page.locator("#companions")).to_be_hidden()  # no empty 附带文件 bar
    broken = tmp_path / "hazard_supervision.bpmn"
    broken.write_text(server.world.model.replace('value="hazard.register"', 'value="no.such.form"'), encoding="utf-8")
    page.set_input_files("#import-file", str(broken))
    problem = page.locator("#problem-list tr", has_text="不存在").first
    expect(problem).to_contain_text("登记隐患")
    problem.scroll_into_view_if_needed()
    box = problem.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375.5, box
    assert page.evaluate(WIDE) == []
    screenshot(page, "designer-phone-edit-375")
    for url in ("/designer/", f"/designer/models/{HAZARD}", f"/designer/models/{HAZARD}/compare?old=1&new=1"):
        page.goto(server.url + url)
        assert page.evaluate(WIDE) == [], url
    page.goto(server.url + "/designer/")
    card = page.locator(f'#models tr[data-key="{HAZARD}"]')
    expect(card.locator("td[data-label=部署时间]")).to_be_visible()
    height = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#models td')).lineHeight) || 24")
    assert card.locator("td[data-label=部署时间]").bounding_box()["height"] < 2.5 * height  # one line, not a character a line
    screenshot(page, "designer-phone-list-375")
    page.context.close()


def test_the_editor_keeps_its_two_columns_at_1280(browser, server):  # noqa: F811
    page = logged_in_page(browser, server, "xu", 1280)
    page.goto(server.url + f"/designer/models/{HAZARD}/edit")
    expect(page.locator("#canvas .djs-container")).to_be_visible()
    canvas, panel = page.locator("#canvas").bounding_box(), page.locator("#properties").bounding_box()
    assert panel["x"] >= canvas["x"] + canvas["width"] - 1 and abs(panel["y"] - canvas["y"]) < 2, (canvas, panel)
    assert page.evaluate(WIDE) == []
    page.context.close()
