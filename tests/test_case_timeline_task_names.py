"""办理记录 names the task of every entry about one (SQLite and PostgreSQL, through the case page).

The audit records 生成待办 with the task's name but 待办取消, 到期提醒 and 逾期升级 with its id only, so the
case page read 「系统 待办取消」 and 「定时器 逾期升级 一级督办」 without saying which step was cancelled or
missed its deadline. Each now names its task as 生成待办 did (the name from that entry)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.ui_support import REGISTER_MAJOR, START, client_login, make_world, open_task, start_hazard


@pytest.fixture
def world(database_url, tmp_path):
    url = None if database_url.startswith("sqlite") else database_url
    w = make_world(tmp_path, url)
    yield w
    w.engine.dispose()


def _entries(page: str, action: str) -> list[str]:
    timeline = page.split('id="timeline"')[1].split("</ol>")[0]
    items = re.findall(rf'<li class="ev-{action}">(.*?)</li>', timeline, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", i)).strip() for i in items]


def test_a_cancelled_task_and_the_deadline_it_missed_are_named(world):
    case = start_hazard(world.engine, title="东城配电箱防护缺失")
    data = dict(REGISTER_MAJOR, major_criterion=None, requires_shutdown=False,
                fix_deadline=(START.date() + timedelta(days=2)).isoformat())
    world.engine.complete(open_task(world.engine, case.id, "register").id, "zhang", data)
    opened = [t.name for t in world.engine.case(case.id).tasks]
    world.clock.advance(days=5)
    world.engine.run_due_timers()  # the 整改期限 passed: the enterprise's task is cancelled, the case escalates
    page = client_login(world.app, "qian").get(f"/cases/{case.id}").get_data(as_text=True)
    cancelled, escalated = _entries(page, "task_cancelled"), _entries(page, "escalated")
    assert cancelled and escalated, page
    assert all(any(name in entry for name in opened) for entry in cancelled), (opened, cancelled)
    assert any(name in escalated[0] for name in opened) and "一级督办" in escalated[0], (opened, escalated)
