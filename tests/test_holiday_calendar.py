"""放假调休 years an administrator enters (workflows/calendar.py, engine/workdays.py, webui/calendar.py).

chinese-calendar 1.11.0 knows 2026 but not 2027: 2027 dates are provisional (Monday–Friday) and the
overdue board says so, until the notice is entered; then a 2027 holiday is skipped at once.
"""
from __future__ import annotations

import datetime as dt

import pytest

from engine import workdays
from tests.ui_support import client_login, make_world
from workflows import calendar


@pytest.fixture
def world(tmp_path):
    from werkzeug.security import generate_password_hash
    w = make_world(tmp_path)
    w.engine.directory.add_user("root", org="city", roles=["admin"], name="系统管理员",
                                password_hash=generate_password_hash("anquan-2026"))
    yield w
    workdays.forget_year(2027)
    w.engine.dispose()


def test_unknown_year_is_provisional_until_the_notice_is_entered(world):
    assert workdays.is_provisional(dt.date(2027, 10, 4)) and not workdays.is_provisional(dt.date(2026, 10, 5))
    # 2027-10-01 is a Friday: without the notice it counts as a working day
    assert workdays.workdays_after(dt.date(2027, 9, 30), 1) == dt.date(2027, 10, 1)
    supervisor = client_login(world.app, "zhao")
    assert "2027年放假调休安排尚未录入" in supervisor.get("/supervise/overdue").get_data(as_text=True)
    admin = client_login(world.app, "root")
    response = admin.post("/admin/calendar", data={
        "year": "２０２７", "holidays": "2027-01-01至2027-01-03\n2027年10月1日~2027年10月7日",
        "makeup_workdays": "2027-10-09", "note": "国办发明电〔2026〕X号", "_csrf": admin.csrf})
    assert response.status_code == 302
    assert not workdays.is_provisional(dt.date(2027, 10, 4))
    assert workdays.workdays_after(dt.date(2027, 9, 30), 1) == dt.date(2027, 10, 8)    # 10-01..07 off
    assert workdays.is_workday(dt.date(2027, 10, 9))                                 # 调休 Saturday
    assert "2027年放假调休安排尚未录入" not in supervisor.get("/supervise/overdue").get_data(as_text=True)
    workdays.forget_year(2027)
    assert calendar.load(world.engine.db.engine) == [2027]                           # stored: reloads
    assert workdays.workdays_after(dt.date(2027, 9, 30), 1) == dt.date(2027, 10, 8)


def test_bad_notice_is_refused_in_chinese_and_nothing_is_stored(world):
    admin = client_login(world.app, "root")
    page = admin.post("/admin/calendar", data={"year": "2027", "holidays": "2027-10-01至2027-09-01",
                                               "makeup_workdays": "", "_csrf": admin.csrf}, follow_redirects=True)
    assert "日期范围颠倒" in page.get_data(as_text=True)
    page = admin.post("/admin/calendar", data={"year": "2027", "holidays": "2028-01-01",
                                               "makeup_workdays": "", "_csrf": admin.csrf}, follow_redirects=True)
    assert "其他年份" in page.get_data(as_text=True)
    assert calendar.entered(world.engine.db.engine) == [] and workdays.is_provisional(dt.date(2027, 1, 4))
    assert client_login(world.app, "zhang").get("/admin/calendar").status_code == 403
