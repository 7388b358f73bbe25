"""A task page never offers a deadline that has already passed (SQLite and PostgreSQL, through the page).

一般隐患逾期督促 asks the 科室负责人 for 新的整改期限 when they choose 继续限期整改 (原总局令第16号: 限期整改).
The field shares its name with the hazard's 整改期限, so the page filled it with the deadline just
missed: a 科长 who chose 继续限期整改 and submitted it as it stood set a deadline already past, and the
hazard was overdue again at the next sweep. Now the box is empty; choosing 继续限期整改 without a date is
refused naming the field, and a date ahead moves the case on. A deadline not yet passed is still offered."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.ui_support import (MAJOR_PATH, REGISTER_MAJOR, client_login, csrf_of, make_world, open_task, overdue_general_hazard,
                              start_hazard)

HAZARD = "hazard_supervision"


@pytest.fixture
def world(database_url, tmp_path):
    url = None if database_url.startswith("sqlite") else database_url
    w = make_world(tmp_path, url)
    yield w
    w.engine.dispose()


def _deadline_box(page: str) -> str | None:
    box = re.search(r'<input[^>]*name="fix_deadline"[^>]*>', page)
    assert box, "no 新的整改期限 box"
    value = re.search(r'value="([^"]*)"', box.group(0))
    return value.group(1) if value else None


def test_the_new_deadline_is_not_the_one_just_missed(world):
    case_id = overdue_general_hazard(world)
    task = next(t for t in world.engine.case(case_id).tasks if t.name == "一般隐患逾期督促")
    client = client_login(world.app, "qian")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "新的整改期限" in page
    assert not _deadline_box(page), _deadline_box(page)  # was the missed 2026-11-25
    refused = client.post(f"/tasks/{task.id}", data={"_csrf": csrf_of(page), "fix_overdue_decision": "继续限期整改",
                                                     "fix_deadline": ""})
    assert refused.status_code == 422 and "继续限期整改须确定新的整改期限" in refused.get_data(as_text=True)
    ahead = (world.clock.now().date() + timedelta(days=10)).isoformat()
    done = client.post(f"/tasks/{task.id}", data={"_csrf": csrf_of(page), "fix_overdue_decision": "继续限期整改",
                                                  "fix_deadline": ahead})
    assert done.status_code == 302
    assert world.engine.case(case_id).data["fix_deadline"] == ahead


def test_a_deadline_not_yet_passed_is_still_offered(world):
    """提出挂牌督办建议 sent back (退回) opens with its 督办期限 while that is ahead."""
    case = start_hazard(world.engine, title="甲化工储罐区重大隐患")
    world.engine.complete(open_task(world.engine, case.id, "register").id, "zhang", REGISTER_MAJOR)
    world.engine.complete(open_task(world.engine, case.id, "propose").id, "zhang", MAJOR_PATH[0][2])
    world.engine.complete(open_task(world.engine, case.id, "review_listing").id, "qian",
                          {"listing_review_decision": "退回", "listing_review_opinion": "请补充整改要求"})
    task = open_task(world.engine, case.id, "propose")
    page = client_login(world.app, "zhang").get(f"/tasks/{task.id}").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="rectify_deadline"[^>]*>', page).group(0)
    assert 'value="2027-02-26"' in box, box
