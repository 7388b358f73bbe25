"""Reads on SQLite never wait for a writer (读不等写): two processes on one real SQLite file.

WAL lets every read run beside the one writer, but a page GET or an API GET wrote on the way — the
session's last click (``last_seen_at``, once a minute), the API token's last use (``last_used_at``,
once in ten minutes), the page's message catch-up (after any step) — and such a write waited for
another process's open write transaction (a timer sweep, a deploy, another program) up to the busy
timeout (30 s). Those writes are now done at once when the database is free, else right after the
writer by the web process's owed-writes thread (webui/owed_writes.py): the GET answers at once and
nothing it owed is lost. A process holding a write open, then a slow read open, beside this one.
"""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tests.ui_support import REGISTER_MAJOR, ROOT, client_login, make_world, open_task, start_hazard
from webui.api import create_token
from webui.api.auth import ApiToken
from webui.sessions import WebSession
from workflows.messages.models import Message

HOLD_SECONDS = 8.0  # the other process's transaction stays open so long
AT_ONCE = 2.0       # a GET answered within this, on a loaded machine, did not wait for it

# The other process: our own Database (write turns and all), or a program that takes no turns.
HOLDERS = {
    "duban-write": """
import sys, time, sqlalchemy as sa
from engine.database import Database
db = Database(sys.argv[1])
with db.write() as s:
    s.execute(sa.text("UPDATE counter SET value = value"))
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
""",
    "other-program-write": """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1].removeprefix("sqlite:///"), isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("UPDATE counter SET value = value")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
c.execute("COMMIT")
""",
    "duban-slow-read": """
import sys, time, sqlalchemy as sa
from engine.database import Database
db = Database(sys.argv[1])
with db.read() as s:
    s.execute(sa.text("SELECT count(*) FROM audit_event")).scalar()
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
""",
}


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path)
    yield w
    w.engine.dispose()


def _hold(world, kind: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDERS[kind], str(world.engine.db.url), str(HOLD_SECONDS)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def _timed(fn):
    started = time.monotonic()
    result = fn()
    return result, time.monotonic() - started


def _until(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (found := predicate()):
        assert time.monotonic() < deadline, what
        time.sleep(0.2)
    return found


@pytest.mark.parametrize("holder", ["duban-write", "other-program-write"])
def test_a_page_and_an_api_get_answer_at_once_beside_an_open_write(world, holder):
    engine = world.engine
    client = client_login(world.app, "zhang")
    assert client.get("/messages/").status_code == 200
    token = create_token(engine, "zhang")  # never used: its first use is a write owed
    start_hazard(engine, title="读写并行隐患")  # a step: the next page owes the message catch-up
    with engine.db.write() as s:  # the last click two minutes back: this page owes the session's touch
        s.execute(sa.update(WebSession).values(last_seen_at=datetime.now(timezone.utc) - timedelta(minutes=2)))
        seen_before = s.execute(sa.select(WebSession.last_seen_at)).scalar()
    for name, get in (("API", lambda: client.get("/api/tasks", headers={"Authorization": f"Bearer {token}"})),
                      ("page", lambda: client.get("/tasks/"))):
        other = _hold(world, holder)  # each GET beside a write of its own, so neither waits for the other
        try:
            answer, took = _timed(get)
            still_held = other.poll() is None
        finally:
            other.wait(timeout=HOLD_SECONDS + 30)
        assert answer.status_code == 200, name
        assert still_held and took < AT_ONCE, (name, took)

    def owed_written():
        with engine.db.read() as s:
            return (s.execute(sa.select(ApiToken.last_used_at)).scalar() is not None
                    and s.execute(sa.select(WebSession.last_seen_at)).scalar() > seen_before
                    and s.execute(sa.select(sa.func.count()).select_from(Message)
                                  .where(Message.username == "zhang", Message.title.contains("登记"))).scalar() > 0)
    _until(owed_written, 20, "what the GETs owed (token's last use, session's last click, messages) to be written")
    assert "新待办" in client.get("/messages/").get_data(as_text=True)


def test_completions_go_on_during_a_slow_read(world):
    engine = world.engine
    cases = [start_hazard(engine, title=f"慢读隐患{n}") for n in range(3)]
    other = _hold(world, "duban-slow-read")
    try:
        for case in cases:
            task = open_task(engine, case.id, "register")
            _, took = _timed(lambda: engine.complete(task.id, "zhang", dict(REGISTER_MAJOR)))
            assert took < AT_ONCE, took
        assert other.poll() is None  # the read was open all along
    finally:
        other.wait(timeout=HOLD_SECONDS + 30)
