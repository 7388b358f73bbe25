"""一企一档 on a phone (375 px, Chromium, the demo): an enterprise's 安全员 reads its own file — its
cases, 未销号隐患, 隐患清单, accidents and penalties — as cards, each value under its label. Before, those
tables kept six to nine columns and scrolled sideways inside their boxes (发现日期, 整改期限 and 状态 of
the 隐患清单 off the screen). An official's view of the same file reads the same way."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from engine import ManualClock
from tests.ui_support import PASSWORD, LiveServer, browser, logged_in_page, screenshot, quick_logins  # noqa: F401
from webui.app import create_app
from workflows.demo import CHEMICAL, USERS, load_demo
from workflows.runtime import build_engine

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)
WIDE = """() => [...document.querySelectorAll('main *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > window.innerWidth + 0.5;
  }).map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 20))"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("enterprise-phone")
    engine = build_engine(f"sqlite:///{folder / 'demo.sqlite'}", clock=ManualClock(NOW))
    load_demo(engine)
    quick_logins(engine)
    app = create_app(engine, secret_key="test", testing=True, instance_path=folder / "instance")
    with LiveServer(app) as srv:
        yield srv
    engine.dispose()


@pytest.mark.parametrize("username, url", [("jia_qy", "/enterprises/mine"), ("zhang_san", f"/enterprises/{CHEMICAL}")])
def test_the_enterprise_file_fits_a_phone(browser, server, username, url):  # noqa: F811
    page = logged_in_page(browser, server, username, 375)
    page.goto(server.url + url)
    expect(page.locator("#hazard-list")).to_be_visible()
    assert page.evaluate(WIDE) == []
    deadline = page.locator("#hazard-list td[data-label=整改期限]").first
    expect(deadline).to_be_visible()
    box = deadline.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375.5, box
    for section in ("#cases", "#accidents", "#penalties"):
        if page.locator(section).count():
            assert page.locator(f"{section} table.cards").count() == 1, section
    screenshot(page, f"enterprise-file-phone-{username}")
    page.context.close()
