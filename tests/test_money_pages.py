"""Amounts are shown as money on the pages, as the rest of the pages show a money field (issue 15).

加处罚款 (《行政处罚法》第七十二条: 3% of the fine a day, at most the fine) is computed by the process, not
asked by a money field, so the case page's 研判结果 and the 办理依据 of 催告当事人履行 showed it as the script
stored it, ``1500.00``; the enterprise file (一企一档) listed the fines as stored too (``50000.00``, and
罚款合计 ``50000.00 元``). They read ``1,500.00`` / ``50,000.00`` now, as ``formspec.money_text`` writes a
money field (its label or heading says 元). A real engine and app, SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from werkzeug.security import generate_password_hash

from engine import ManualClock
from tests.ui_support import client_login
from webui.app import create_app
from workflows.demo import CHEMICAL, Desk, load_directory, register_enterprises
from workflows.runtime import build_engine

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)  # Monday 09:00 in Beijing
PASSWORD = "money-2026"


@pytest.fixture
def world(database_url, tmp_path):
    clock = ManualClock(START)
    engine = build_engine(database_url, clock=clock)
    load_directory(engine)
    register_enterprises(engine)
    quick = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")  # test logins, not storage
    for user in engine.directory.users():
        engine.directory.set_password_hash(user.username, quick)
    app = create_app(engine, secret_key="test", testing=True, instance_path=tmp_path / "instance")
    yield engine, clock, Desk(engine), app
    engine.dispose()


def _late_fine(engine, clock, desk) -> int:
    """A 50,000 yuan fine decided and served, unpaid one day past its 15 days: 加处罚款 1,500.00."""
    c = desk.start("enforcement_case", by="zhang_san", org="dongcheng", party=CHEMICAL, title="甲化工重大危险源监控案").id
    for name in ("初步核查", "立案审批", "调查取证", "案件处理呈批", "法制审核", "送达行政处罚告知书"):
        desk.do(c, name)
    desk.do(c, "陈述申辩或申请听证", user="jia_qy")
    desk.do(c, "负责人审批")
    desk.do(c, "送达行政处罚决定书")
    clock.advance(days=16)
    engine.run_due_timers()
    assert engine.case(c).data["late_penalty"] == "1500.00"  # as the script stores it
    return c


def _cell(html: str, pattern: str) -> str:
    found = re.search(pattern, html, re.S)
    assert found, pattern
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_the_late_payment_penalty_reads_as_money_on_the_case_and_the_task(world):
    engine, clock, desk, app = world
    c = _late_fine(engine, clock, desk)
    task = desk.task(c, "催告当事人履行")
    client = client_login(app, desk.user_for(task), PASSWORD)
    case_page = client.get(f"/cases/{c}").get_data(as_text=True)
    assert _cell(case_page, r'<div data-fact="late_penalty"><dt>[^<]*</dt><dd>([^<]*)') == "1,500.00"
    task_page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    row = _cell(task_page, r'<tr data-fact="late_penalty"><th>加处罚款（元）</th><td>(.*?)</td>')
    assert row.startswith("1,500.00"), row


def test_the_enterprise_file_lists_fines_as_money(world):
    engine, clock, desk, app = world
    _late_fine(engine, clock, desk)
    client = client_login(app, "zhang_san", PASSWORD)
    page = client.get(f"/enterprises/{CHEMICAL}").get_data(as_text=True)
    head = _cell(page, r'<section class="card" id="penalties">\s*<h2>(.*?)</h2>')
    assert "罚款合计 50,000.00 元" in head, head
    rows = page[page.index('id="penalties"'):]
    assert '<td data-label="罚款（元）">50,000.00</td>' in rows and "50000.00" not in rows  # labelled: a card at 375 px
