"""What the people-first walks of session 24 share (tests/test_ui_*_walk_s24.py): the demo (workflows/demo.py)
on a SQLite file of its own, every demo account given ``tests.ui_support.PASSWORD`` (so
``ui_support.logged_in_page`` logs in as any of them), served from a thread; and the check that a
page neither scrolls sideways nor shows an English word."""
from __future__ import annotations

import contextlib
import datetime as dt
import re

from werkzeug.security import generate_password_hash

from engine import ManualClock
from tests.ui_support import PASSWORD, LiveServer, quick_logins
from webui.app import create_app
from workflows.demo import USERS, load_demo
from workflows.runtime import build_engine

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)  # Monday 09:00 in Beijing
ENGLISH = re.compile(r"[A-Za-z_]{4,}")


@contextlib.contextmanager
def demo_served(folder):
    """(the live server, the engine) of a fresh demo in ``folder``."""
    engine = build_engine(f"sqlite:///{folder / 'demo.sqlite'}", clock=ManualClock(NOW))
    load_demo(engine)
    quick_logins(engine)
    app = create_app(engine, secret_key="test", testing=True, instance_path=folder / "instance")
    try:
        with LiveServer(app) as server:
            yield server, engine
    finally:
        engine.dispose()


def readable(page, width: int) -> None:
    """No sideways scrolling at ``width`` px, and no English word in the page's main part."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shown = page.locator("main").inner_text()
    assert not ENGLISH.findall(shown), ENGLISH.findall(shown)


def open_task(page, server, name: str, case_title: str) -> None:
    """The task ``name`` of the case ``case_title``, opened from 我的待办 as a person opens it."""
    from playwright.sync_api import expect

    page.goto(server.url + "/tasks/")
    page.locator("main tr", has_text=case_title).locator("a", has_text=name).first.click()
    expect(page.locator("h1")).to_contain_text(name)


def start_and_claim(page, process_key: str, title: str, task: str) -> None:
    """发起案件 of ``process_key`` titled ``title``, then its first task ``task`` claimed from 组待办, as a person does."""
    from playwright.sync_api import expect

    page.click("nav.mainnav >> text=发起案件")
    page.select_option("#f-process", process_key)
    page.fill("#f-title", title)
    page.click("#start-form button[type=submit]")
    expect(page.locator(".flash.ok")).to_contain_text("已发起案件")
    page.click("nav.mainnav >> text=组待办")
    row = page.locator("#group-tasks tr", has_text=title)
    expect(row).to_contain_text(task)
    row.locator("button", has_text="认领").click()
    expect(page.locator("h1")).to_contain_text(task)
