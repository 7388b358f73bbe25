"""A task page offers no deadline that has already passed, whatever the field's label says (SQLite and
PostgreSQL, through the page).

tests/test_task_page_deadlines.py showed it for fields labelled 期限 or 时限 (新的整改期限). Thirteen
deadline fields are labelled otherwise — 限期提交报告日期, 限期批复日期, 限期补报日期, 批准延长至,
计划督查日期… — and a page filled them with the case's value of the same name: 调查超期督办 (国务院令第493号
第二十九条: 事故调查报告60日内提交) opened with 限期提交报告日期 set to the 60th day just missed (hux12, at 375
px: 「2026-07-10」 in the box), which a tired 人民政府 official submits as it stands, to be refused. Since
2026-12-07 a field is a deadline when its form says so (``fields.deadline``: not before today), as the
refusal on submit already read it; the label is only asked of fields drawn elsewhere."""
from __future__ import annotations

import re

import pytest
from werkzeug.security import generate_password_hash

from tests.process_support import advance
from tests.test_process_accident import investigating, world
from tests.ui_support import PASSWORD, client_login
from webui.app import create_app


@pytest.fixture
def w(database_url):
    yield from world(database_url)


def _box(page: str, name: str) -> str | None:
    box = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert box, f"no {name} box"
    value = re.search(r'value="([^"]*)"', box.group(0))
    return value.group(1) if value else None


def test_the_overdue_investigation_order_does_not_offer_the_missed_report_day_regulation_493_art29(w, tmp_path):
    c = investigating(w)
    missed = w.engine.case(c).data["report_due"]
    advance(w, days=61)
    task = w.desk.task(c, "调查超期督办")
    official = w.desk.user_for(task)
    w.engine.directory.set_password_hash(official, generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    app = create_app(w.engine, secret_key="test", testing=True, instance_path=tmp_path / "instance")
    page = client_login(app, official).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "限期提交报告日期" in page
    assert _box(page, "report_due") in (None, ""), f"the missed {missed} is offered again"
