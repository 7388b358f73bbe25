"""An API request with an Authorization header is that header's alone (webui/sessions.open_session):
its browser's session cookie, if it sends one, is neither read nor touched — no query for the
session row, no flash about an ended session, no new cookie — while the session itself keeps
working for the browser, and a session's API call (no header) still needs its CSRF header. Real
app, engine and login, SQLite and PostgreSQL."""
from __future__ import annotations

import sqlalchemy as sa

from webui.sessions import count_sessions

pytest_plugins = ["tests.test_api_helpers"]  # world, browser_login
from tests.test_api_helpers import browser_login  # noqa: E402


def _session_reads(world):
    """Statements reading the web_session table, counted while the returned list is live."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if "web_session" in statement:
            seen.append(statement)
    sa.event.listen(world.engine.db.engine, "before_cursor_execute", count)
    return seen, lambda: sa.event.remove(world.engine.db.engine, "before_cursor_execute", count)


def test_a_token_request_with_a_session_cookie_leaves_the_session_alone(world):
    browser = world.client()
    csrf = browser_login(browser, "sup")  # the browser is logged in as sup
    bearer = world.headers("insp")  # and a script in it calls the API with insp's token
    seen, stop = _session_reads(world)
    try:
        r = browser.get("/api/tasks", headers=bearer)
    finally:
        stop()
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
    assert seen == [], "the session row was read for a request authenticated by its token"
    me = browser.get("/api/me", headers=bearer)
    assert me.status_code == 200 and me.get_json()["username"] == "insp" and me.get_json()["auth"] == "token"
    # the browser's session is untouched and still its own
    assert count_sessions(world.engine, "sup") == 1
    assert browser.get("/api/me").get_json()["username"] == "sup"
    assert browser.post("/api/tasks/00000000-0000-0000-0000-000000000000/claim").status_code == 403  # no CSRF
    assert browser.post("/api/tasks/00000000-0000-0000-0000-000000000000/claim",
                        headers={"X-CSRF-Token": csrf}).status_code == 404


def test_a_token_request_with_an_ended_sessions_cookie_gets_no_new_cookie(world):
    from webui.sessions import revoke_sessions
    browser = world.client()
    browser_login(browser, "sup")
    revoke_sessions(world.engine, "sup")  # the cookie now names a session that has ended
    r = browser.get("/api/tasks", headers=world.headers("insp"))
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
    assert count_sessions(world.engine, "insp") == 0 and count_sessions(world.engine, None) == 0
    # the browser itself still hears that its session ended
    assert browser.get("/api/me").status_code == 401


def test_a_bad_or_revoked_token_is_refused_whatever_the_cookie(world):
    from webui.api import revoke_token
    browser = world.client()
    browser_login(browser, "sup")
    assert browser.get("/api/me", headers={"Authorization": "Basic c3VwOnB3"}).status_code == 401
    token = world.headers("insp")["Authorization"].split(" ", 1)[1]
    revoke_token(world.engine, token)
    r = browser.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.get_json()["message"] == "访问令牌无效、已过期或已吊销"
