"""Security review 17 (安全复查十七) — the web surface as three kinds of account: an enterprise account
(生产经营单位, 甲化工's ``acme``), an inspector of one district (东城区's 李四, 西城区's 王五) and a designer,
through the served pages and REST API on a real SQLite file and a real PostgreSQL database, with the
real processes and real evaluator workers.

Findings
--------

Opening a message marked it read on a GET (消息打开即已读). ``GET /messages/<id>`` marked the message
read, then went to its task or case: any link — an ``<img src>`` in a mail or on another site's page
the inspector opened while logged in — marked his 新待办、催办 or 逾期督办 read, so the top bar's count
and the 未读 list no longer showed work whose deadline runs (原安监总局令第16号 第二十条's 督办期限). A GET now
changes nothing: it only goes where the message points. The message centre opens a message with a
POST carrying the form's CSRF token (the title is a button of the list's form), which marks it read
(webui/messages.open_and_read); a POST without the token is refused as every other form's.

Tried, and held (no change)
---------------------------

"""
from __future__ import annotations

import sqlalchemy as sa
import pytest

from tests.ui_support import client_login, make_world, start_hazard
from workflows.messages import inbox, produce
from workflows.messages.models import Message


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("review17"),
                   None if module_database_url.startswith("sqlite") else module_database_url)
    yield w
    w.engine.dispose()


def _unread_new_task(world, username: str) -> Message:
    """A 新待办 of ``username``'s, unread: a hazard case started in 东城区 gives one to each district inspector."""
    case = start_hazard(world.engine, title="东城甲化工储罐区隐患")
    produce(world.engine)
    found = [m for m in inbox.messages(world.engine, username, unread_only=True, limit=500) if m.case_id == case.id]
    assert found, "no message about the new case"
    return found[0]


# -- 1. a GET changes nothing ---------------------------------------------------------------------------

def test_a_link_to_a_message_does_not_mark_it_read_only_the_list_s_form_does(world):
    """李四's 新待办 stays unread when a link (a GET, no token) opens it — before, the GET marked it read and
    his 督办期限's work left the 未读 list (原安监总局令第16号 第二十条). The list opens it with a POST of its
    form's CSRF token, which marks it read; a POST without the token marks nothing."""
    client = client_login(world.app, "li")
    msg = _unread_new_task(world, "li")
    before = inbox.unread_count(world.engine, "li")
    r = client.get(f"/messages/{msg.id}")
    assert r.status_code == 302 and ("/tasks/" in r.location or "/cases/" in r.location), (r.status_code, r.location)
    assert inbox.unread_count(world.engine, "li") == before, "a GET marked the message read"
    listing = client.get("/messages/").get_data(as_text=True)
    assert f'formaction="/messages/{msg.id}"' in listing, "the list does not open a message with its form"
    r = client.post(f"/messages/{msg.id}", data={})
    assert r.status_code == 400 and inbox.unread_count(world.engine, "li") == before
    r = client.post(f"/messages/{msg.id}", data={"_csrf": client.csrf})
    assert r.status_code == 302 and ("/tasks/" in r.location or "/cases/" in r.location), (r.status_code, r.location)
    assert inbox.unread_count(world.engine, "li") == before - 1
    # another's message: neither read nor followed
    other = client_login(world.app, "wang")
    theirs = _unread_new_task(world, "zhang")
    r = other.post(f"/messages/{theirs.id}", data={"_csrf": other.csrf})
    assert r.status_code == 302 and r.location.endswith("/messages/")
    with world.engine.db.read() as s:
        assert s.execute(sa.select(Message.read_at).where(Message.id == theirs.id)).scalar_one() is None
