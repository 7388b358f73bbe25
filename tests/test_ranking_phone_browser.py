"""通报排名 on a phone (375 px, Chromium, the demo): a unit with nothing to count is labelled
「100（无可考核事项）」 on its bar. The label stood beside the bar, past the chart's right edge, cut to
「100（」 on a phone; the names had a fixed 160 px. Now the label sits inside its (full) bar and the
names take what they need, so the chart's words are all on the screen, at 375 and 1280 px."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from engine import ManualClock
from tests.ui_support import PASSWORD, LiveServer, browser, logged_in_page, screenshot, quick_logins  # noqa: F401
from webui.app import create_app
from workflows.demo import USERS, load_demo
from workflows.runtime import build_engine

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ranking-phone")
    engine = build_engine(f"sqlite:///{folder / 'demo.sqlite'}", clock=ManualClock(NOW))
    load_demo(engine)
    quick_logins(engine)
    app = create_app(engine, secret_key="test", testing=True, instance_path=folder / "instance")
    with LiveServer(app) as srv:
        yield srv
    engine.dispose()


@pytest.mark.parametrize("width", [375, 1280])
def test_the_ranking_chart_keeps_its_words_on_the_screen(browser, server, width):  # noqa: F811
    page = logged_in_page(browser, server, "feng_jz", width)
    page.goto(server.url + "/leadership/ranking")
    chart = page.locator("[data-ranking]")
    expect(chart).to_have_attribute("data-ready", "1")
    expect(chart.locator("text", has_text="无可考核事项").first).to_be_visible()
    outside = page.evaluate("""() => {
        const box = document.querySelector('[data-ranking]').getBoundingClientRect();
        return [...document.querySelectorAll('[data-ranking] text')].filter(t => {
          const r = t.getBoundingClientRect();
          return r.width > 0 && (r.right > Math.min(box.right, window.innerWidth) + 0.5 || r.left < box.left - 0.5);
        }).map(t => t.textContent);
      }""")
    assert outside == [], outside
    screenshot(page, f"ranking-{width}")
    page.context.close()
