"""What every API request pays around its view (issue 15): the cuts of 2026-12-07 evening keep
their behaviour. Flask asks whether each hook and view is a coroutine function on every request;
the app remembers the plain ones (webui/app.DubanFlask), and still hands anything else to Flask's own
check. The real app and engine, SQLite and PostgreSQL."""
from __future__ import annotations

import flask.app
import pytest

import webui.app

pytest_plugins = ["tests.test_api_helpers"]  # world


@pytest.fixture
def coroutine_checks(monkeypatch):
    """Every ``inspect.iscoroutinefunction`` Flask or the app asks of a hook or view."""
    asked = []
    real = flask.app.iscoroutinefunction

    def counted(func):
        asked.append(func)
        return real(func)
    monkeypatch.setattr(flask.app, "iscoroutinefunction", counted)
    monkeypatch.setattr(webui.app, "iscoroutinefunction", counted, raising=False)
    return asked


def test_a_completion_asks_no_coroutine_check_of_hooks_and_views_already_seen_but_async_ones_still_are(
        world, coroutine_checks):
    """An ``async def`` hook or view, and what is not a plain function (a bound method), still go
    through Flask's own check at every call, never remembered as plain."""
    first, second = world.start("own_org"), world.start("own_org")
    r = world.call("POST", f"/api/tasks/{world.task(first, 'inspect')}/complete", "insp",
                   json={"data": {"result": "合格"}})
    assert r.status_code == 200 and coroutine_checks, r.get_json()  # the first request checks each once
    coroutine_checks.clear()
    r = world.call("POST", f"/api/tasks/{world.task(second, 'inspect')}/complete", "insp",
                   json={"data": {"result": "合格"}})
    assert r.status_code == 200 and r.get_json()["case"]["id"] == second
    assert coroutine_checks == []  # 16 a completion before: every hook and the view, every time
    app = world.app

    async def later():
        return None

    class Hook:
        def method(self):
            return None

    def plain():
        return None
    assert app.ensure_sync(plain) is plain and app.ensure_sync(plain) is plain
    bound = Hook().method
    assert app.ensure_sync(bound) == bound  # not a plain function: Flask's check, not remembered
    for _ in range(2):  # asked twice: never remembered as a plain function
        try:
            wrapped = app.ensure_sync(later)
        except RuntimeError as exc:  # Flask without its async extra refuses an async view or hook
            assert "async" in str(exc)
        else:
            assert wrapped is not later  # run to its end by Flask's async_to_sync
    assert coroutine_checks.count(later) >= 2 and coroutine_checks.count(bound) == 1  # asked at each call


def test_a_completion_whose_query_string_carries_a_control_character_is_still_refused(world):
    """The body guard (webui/api/limits.py) skips the query's arguments only when there is no query
    string: a POST with ``?备注=%00`` is refused as a GET is, and the task stays open."""
    case_id = world.start("own_org")
    task = world.task(case_id, "inspect")
    r = world.call("POST", f"/api/tasks/{task}/complete?%E5%A4%87%E6%B3%A8=%00", "insp",
                   json={"data": {"result": "合格"}})
    assert r.status_code == 422 and r.get_json()["errors"] == {"备注": "查询参数包含不允许的控制字符"}, r.get_json()
    assert {t.id: t.state for t in world.engine.case(case_id).tasks}[task] == "open"
    r = world.call("POST", f"/api/tasks/{task}/complete", "insp", json={"data": {"result": "合格"}})
    assert r.status_code == 200 and r.get_json()["case"]["id"] == case_id, r.get_json()  # it was still open
