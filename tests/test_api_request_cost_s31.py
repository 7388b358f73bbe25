"""What a REST API request costs around the engine (issue 15), each cut with the guard it must keep.

- The reads a request sends besides its step (the token's row, the completion's ``next_tasks``) keep
  their connection for the next read (engine/sqlexec.py ``keep_readers``): a completion takes no
  connection from the pool and gives none back (two checkouts and checkins before, ~640 bytecodes
  each); a kept PostgreSQL connection that sat idle is pinged as the pool pings one, so a server that
  dropped it costs no request.
- An API request runs only the app-wide hooks that have something to do for it
  (webui/request_hooks.py): not the pages' user, login redirect, form CSRF check or message
  catch-up — and still the API's own authentication, the CSRF header for a login session, the
  session's 503 when the database is away and the login limits of ``POST /api/tokens``.

The real app and engine, SQLite and PostgreSQL."""
from __future__ import annotations

import flask
import pytest
import sqlalchemy as sa

from engine.database import IDLE_PING_SECONDS
from tests.test_api_helpers import browser_login

pytest_plugins = ["tests.test_api_helpers"]  # world


def _pool_traffic(db: sa.Engine):
    taken: list = []
    sa.event.listen(db, "checkout", lambda *_args: taken.append("checkout"))
    sa.event.listen(db, "checkin", lambda *_args: taken.append("checkin"))
    return taken


def test_an_api_completion_takes_no_connection_from_the_pool(world):
    """``POST /api/tasks/{id}/complete`` by a token, warm: the token read and ``next_tasks`` on the
    connection the last read kept, the step on the writer the engine keeps — no pool checkout or
    checkin at all (two of each before). The answer still names the next task."""
    first, second = world.start("own_org"), world.start("own_org")
    assert world.call("POST", f"/api/tasks/{world.task(first, 'inspect')}/complete", "insp",
                      json={"data": {"result": "合格"}}).status_code == 200  # warm: statements rendered, kept
    task = world.task(second, "inspect")
    taken = _pool_traffic(world.engine.db.engine)
    r = world.call("POST", f"/api/tasks/{task}/complete", "insp", json={"data": {"result": "合格"}})
    assert r.status_code == 200, r.get_json()
    assert [t["spec_id"] for t in r.get_json()["next_tasks"]] == ["figures"]
    assert taken == []


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_kept_read_connection_the_server_dropped_costs_no_request(world):
    """A kept connection idle for ``IDLE_PING_SECONDS`` is pinged before the read, as the pool's
    checkout pings one (engine/database.py): the server ended it meanwhile (a restart, an idle
    timeout) — the next API request is answered from a fresh connection, not a 503."""
    headers = world.headers("insp")
    client = world.client()
    assert client.get("/api/me", headers=headers).status_code == 200
    db = world.engine.db.engine
    readers = db.duban_readers
    assert readers.idle
    pids = [pooled.driver_connection.info.backend_pid for pooled, _since in readers.idle]
    readers.idle[:] = [(pooled, since - IDLE_PING_SECONDS - 1) for pooled, since in readers.idle]
    admin = sa.create_engine(db.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for pid in pids:
                conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()
    r = client.get("/api/me", headers=headers)
    assert r.status_code == 200 and r.get_json()["username"] == "insp", r.get_json()


def test_an_api_request_runs_none_of_the_pages_hooks_and_keeps_the_apis_csrf_check(world):
    """The pages' hooks (``_load_user`` sets ``g.user`` on every page request) do not run for an API
    request; the API's own authentication does (``g.api_principal``), and a page still gets its user.
    Skipping the pages' form CSRF check leaves the API's own (webui/api/auth.py, docs/security.md): a
    browser session's ``POST`` without ``X-CSRF-Token`` is refused 403 in Chinese and changes nothing,
    with it the task is completed; a bearer token's request sets no cookie and has the API's headers."""
    client = world.client()
    with client:
        r = client.get("/api/me", headers=world.headers("insp"))
        assert r.status_code == 200 and "user" not in flask.g and flask.g.api_principal.username == "insp"
    assert "Set-Cookie" not in r.headers and r.headers["Content-Security-Policy"].startswith("default-src 'none'")
    case_id = world.start("own_org")
    task = world.task(case_id, "inspect")
    csrf = browser_login(client, "insp")
    with client:
        assert client.get("/tasks/").status_code == 200
        assert flask.g.user.username == "insp"
    r = client.post(f"/api/tasks/{task}/complete", json={"data": {"result": "合格"}})
    assert r.status_code == 403 and "X-CSRF-Token" in r.get_json()["message"], r.get_json()
    assert world.task(case_id, "inspect") == task  # still open
    r = client.post(f"/api/tasks/{task}/complete", json={"data": {"result": "合格"}}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.get_json()
