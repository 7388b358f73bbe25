"""Who is calling, without a directory lookup per request (issue 15): the API's token check and the
pages' session check each read the ``directory`` counter in the statement they run anyway, and the
user's principal comes from the engine's per-process cache at that counter. A change to the
directory — by this process or another one on the same database — and a revoked token, a changed
password or a deactivated account take effect on the very next request. SQLite and PostgreSQL."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from engine import Engine
from engine.schema import User
from tests.test_api_helpers import browser_login
from webui.accounts import revoke_user

pytest_plugins = ["tests.test_api_helpers"]  # world


@contextmanager
def statements(engine):
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.split(None, 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
            seen.append(statement)  # not SQLite's BEGIN

    sa.event.listen(engine.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine.db.engine, "before_cursor_execute", record)


def _directory_lookups(seen: list[str]) -> list[str]:
    """The principal's own query joins the user's roles; nothing else a /api/me request runs does."""
    return [s for s in seen if "user_role" in s]


def test_a_token_request_runs_one_statement_and_no_directory_lookup_once_the_principal_is_cached(world):
    headers = world.headers("insp")
    client = world.client()
    assert client.get("/api/me", headers=headers).status_code == 200  # warms the cache
    with statements(world.engine) as seen:
        me = client.get("/api/me", headers=headers).get_json()
    assert me["username"] == "insp" and me["roles"] == ["inspector"]
    assert _directory_lookups(seen) == [], seen
    assert len(seen) == 1, seen  # the token row, its user's password and state, and the counter


def test_a_token_read_opens_no_sqlalchemy_connection_and_gives_its_connection_back(world):
    """The token's row is read on a pooled connection in autocommit without a SQLAlchemy
    ``Connection`` (webui/api/auth.py through ``engine.sqlexec.read_alone``): on PostgreSQL the connection goes back
    to the pool out of autocommit; on SQLite (in autocommit as engine/database.py opens it) no
    transaction is left open — one SELECT, not a Connection's BEGIN and ROLLBACK around it. A revoked
    token is refused on that path as on the other."""
    from engine import sqlexec
    sqlite = world.engine.db.is_sqlite
    db = world.engine.db.engine
    headers = world.headers("insp")
    client = world.client()
    case_id = world.start("own_org")  # a completion first: sqlexec then listens on the engine, as in a server
    assert world.call("POST", f"/api/tasks/{world.task(case_id, 'inspect')}/complete", "insp",
                      json={"data": {"result": "合格"}}).status_code == 200
    assert sqlite or db in sqlexec._listening
    assert client.get("/api/me", headers=headers).status_code == 200  # warms the principal cache
    opened, returned, taken = [], [], []

    def connect(conn):
        opened.append(conn)

    def checkin(dbapi_conn, record):
        returned.append(dbapi_conn.in_transaction if sqlite else dbapi_conn.autocommit)

    def checkout(dbapi_conn, record, proxy):
        taken.append(dbapi_conn)
    held = db.pool.checkedout()  # SQLite's writer keeps its connection (engine/database.py)
    sa.event.listen(db, "engine_connect", connect)
    sa.event.listen(db, "checkin", checkin)
    sa.event.listen(db, "checkout", checkout)
    try:
        assert client.get("/api/me", headers=headers).get_json()["username"] == "insp"
    finally:
        sa.event.remove(db, "engine_connect", connect)
        sa.event.remove(db, "checkin", checkin)
        sa.event.remove(db, "checkout", checkout)
    # the connection the last read kept (sqlexec.keep_readers): neither taken from the pool nor given
    # back, left as the engine set it up — no transaction open, out of autocommit on PostgreSQL
    assert opened == [] and taken == [] and returned == [] and db.pool.checkedout() == held
    kept = [pooled.driver_connection for pooled, _since in db.duban_readers.idle]
    assert kept and all((not c.in_transaction) if sqlite else (c.autocommit is False and c.info.transaction_status == 0)
                        for c in kept)
    from webui.api import revoke_token
    assert revoke_token(world.engine, world.tokens["insp"])
    assert client.get("/api/me", headers=headers).status_code == 401


def test_a_session_request_takes_the_principal_from_the_cache_too(world):
    client = world.client()
    browser_login(client, "sup")
    assert client.get("/api/me").status_code == 200
    with statements(world.engine) as seen:
        assert client.get("/api/me").get_json()["roles"] == ["supervisor"]
    assert _directory_lookups(seen) == [], seen


def test_a_role_change_made_by_another_process_shows_on_the_next_request(world, database_url):
    headers = world.headers("east_insp2")
    client = world.client()
    assert client.get("/api/me", headers=headers).get_json()["roles"] == ["inspector"]
    other = Engine(database_url)  # another worker process's engine on the same database
    try:
        other.directory.set_roles("east_insp2", ["supervisor"], by="adm")
    finally:
        other.dispose()
    assert client.get("/api/me", headers=headers).get_json()["roles"] == ["supervisor"]
    assert world.call("GET", "/api/users", "east_insp2").status_code == 403  # and what they may do with it


def test_revocation_a_password_change_and_deactivation_end_a_cached_callers_access_at_once(world):
    from werkzeug.security import generate_password_hash
    from tests.test_api_helpers import PASSWORD
    client = world.client()
    for username in ("town_insp", "west_insp", "starter"):
        assert client.get("/api/me", headers=world.headers(username)).status_code == 200  # cached
    revoke_user(world.engine, "town_insp", by="adm", reason="调离")
    world.engine.directory.set_password_hash("west_insp", generate_password_hash(PASSWORD + "x"))
    with world.engine.db.write() as s:  # switched off by a script, not through the directory
        s.get(User, "starter").active = False
    for username in ("town_insp", "west_insp", "starter"):
        r = client.get("/api/me", headers=world.headers(username))
        assert r.status_code == 401, username
        assert r.get_json()["message"]
