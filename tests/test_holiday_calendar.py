"""放假调休 years an administrator enters (workflows/calendar.py, engine/workdays.py, webui/calendar.py).

chinese-calendar 1.11.0 knows 2026 but not 2027: 2027 dates are provisional (Monday–Friday less 元旦/劳动节/国庆) and the
overdue board says so, until the notice is entered; then a 2027 holiday is skipped at once.
"""
from __future__ import annotations

import datetime as dt

import pytest

from engine import workdays
from tests.ui_support import client_login, make_world
from workflows import calendar
from workflows.demo import CHEMICAL


@pytest.fixture
def world(tmp_path):
    from werkzeug.security import generate_password_hash
    workdays.forget_year(2027)      # another module's entered notice is not this test's
    w = make_world(tmp_path)
    w.engine.directory.add_user("root", org="city", roles=["admin"], name="系统管理员",
                                password_hash=generate_password_hash("anquan-2026"))
    yield w
    workdays.forget_year(2027)
    w.engine.dispose()


def test_unknown_year_is_provisional_until_the_notice_is_entered(world):
    assert workdays.is_provisional(dt.date(2027, 10, 4)) and not workdays.is_provisional(dt.date(2026, 10, 5))
    # 2027-10-01 is a Friday: without the notice 国庆 1–3 October (fixed by 《全国年节及纪念日放假办法》第二条)
    # is still off, the rest of the week's holiday and the 调休 are not known
    assert workdays.workdays_after(dt.date(2027, 9, 30), 1) == dt.date(2027, 10, 4)
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


def test_pending_deadlines_past_the_known_calendar_are_recomputed_when_the_year_is_entered(database_url, caplog):
    """A 5-working-day 初步核查 period from Mon 2026-12-28 reaches 2027 before its notice is entered: counted
    Monday–Friday less 元旦 (a fixed holiday) it ends 2027-01-05, provisional, and the log says so. Entering
    a 2027 放假调休 notice (here 01-01..01-04 off) recomputes the stored deadline, the task's shown due date
    and its timer: 2027-01-06, still in time on its last day, overdue the day after."""
    import logging
    from tests.process_support import process_world
    workdays.forget_year(2027)
    workdays._forget_fallback_warnings()
    gen = process_world(database_url, "enforcement_case", set(),
                        dt.datetime(2026, 12, 28, 1, 0, tzinfo=dt.timezone.utc))
    w = next(gen)
    try:
        caplog.set_level(logging.WARNING, logger="duban.workdays")
        c = w.desk.start("enforcement_case", by="zhang_san", org="dongcheng", party=CHEMICAL).id
        data = w.engine.case(c).data
        assert data["precheck_due"] == "2027-01-05"
        assert w.desk.task(c, "初步核查").due_at == dt.datetime.fromisoformat("2027-01-06T00:00:00+08:00")
        assert any("2027" in r.getMessage() for r in caplog.records)              # the log warns
        assert "2027年放假调休安排尚未录入" in calendar.provisional_notice(dt.date(2026, 12, 28))

        calendar.enter_year(w.engine.db.engine, 2027, "2027-01-01至2027-01-04", "", by="root",
                            now=w.clock.now(), note="国办发明电")
        changed = calendar.recompute(w.engine, 2027, by="root")
        assert [x["case_id"] for x in changed] == [c]
        assert calendar.provisional_notice(dt.date(2026, 12, 28)) is None
        view = w.engine.case(c)
        assert view.data["precheck_due"] == "2027-01-06"
        intake = w.desk.task(c, "初步核查")
        assert intake.due_at == dt.datetime.fromisoformat("2027-01-07T00:00:00+08:00")
        assert [t.due_at for t in view.timers if t.element_id == "precheck_overdue"] == [intake.due_at]
        recomputed = [ev for ev in view.history if ev["action"] == "deadlines_recomputed"]
        assert recomputed[0]["detail"]["values"] == {"precheck_due": ["2027-01-05", "2027-01-06"]}
        assert calendar.recompute(w.engine, 2027, by="root") == []                 # nothing left to move

        w.clock.set(dt.datetime(2027, 1, 6, 15, 59, tzinfo=dt.timezone.utc))      # 2027-01-06 23:59
        w.engine.run_due_timers()
        assert w.desk.names(c) == ["初步核查"] and w.engine.case(c).escalation_level == 0
        w.clock.set(dt.datetime(2027, 1, 6, 16, 0, tzinfo=dt.timezone.utc))       # 2027-01-07 00:00
        w.engine.run_due_timers()
        assert w.desk.names(c) == ["初查超期督办"] and w.engine.case(c).escalation_level == 1
    finally:
        gen.close()
        workdays.forget_year(2027)


def test_a_refused_notice_shows_the_page_again_with_everything_typed_kept(world):
    """输入有误不丢数据: the 放假调休 dates copied from the notice stay in their fields beside the reason."""
    admin = client_login(world.app, "root")
    typed = {"year": "２０２７年", "holidays": "2027-01-01至2027-01-03\n2027年10月1日~2027年9月7日",
             "makeup_workdays": "2027-02-20、2027-10-09", "note": "国办发明电〔2026〕X号"}
    page = admin.post("/admin/calendar", data={**typed, "_csrf": admin.csrf})
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert "未保存" in body and "日期范围颠倒" in body
    for value in typed.values():
        assert value in body
    page = admin.post("/admin/calendar", data={**typed, "year": "二〇二七", "_csrf": admin.csrf})
    body = page.get_data(as_text=True)
    assert page.status_code == 400 and "年份：应为四位数字" in body and "2027-02-20、2027-10-09" in body
    assert calendar.entered(world.engine.db.engine) == []
