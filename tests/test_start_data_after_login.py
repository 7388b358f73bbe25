"""A start form sent after the session ended keeps what was typed (发起案件, issue 15).

A clerk fills 发起案件, is called away, and presses 发起 after the session's 30 idle minutes: the
login page came, and after logging in the start page was empty — 案件名称 and the start form's
fields typed again from memory. Now the login page leads back to the start page with what was
posted (the process, 案件名称, 当事企业, the fields drawn on the start event) filled in, nothing
started until it is sent again. flowable_leave.bpmn of the public corpus (Flowable Modeler: 请假天数,
请假事由 on its start event) and our 重大事故隐患挂牌督办; SQLite and PostgreSQL.
"""
from __future__ import annotations

import re

import pytest

from tests.interop_support import CORPUS
from tests.test_security_session_review import end_idle
from tests.ui_support import PASSWORD, client_login, csrf_of, make_world


@pytest.fixture
def world(tmp_path, database_url):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    w.engine.deploy(CORPUS / "flowable_leave.bpmn", by="zhao")
    yield w
    w.engine.dispose()


def _after_login_again(world, form: dict) -> str:
    client = client_login(world.app, "zhang")
    client.get(f"/cases/new?process={form['process']}")
    end_idle(world.engine, "zhang")  # the idle limit ends it (whose it was is known: the data is kept for zhang)
    sent = client.post("/cases/new", data={"_csrf": client.csrf, "start_token": "0" * 32, **form})
    assert sent.status_code == 302 and sent.location.startswith("/login?next=")
    login = client.get(sent.location).get_data(as_text=True)
    assert "重新登录" in login or "登录" in login
    back = client.post(sent.location, data={"_csrf": csrf_of(login), "username": "zhang", "password": PASSWORD})
    assert back.status_code == 302 and back.location.startswith("/cases/new?")
    return client.get(back.location).get_data(as_text=True)


def test_the_start_form_typed_before_the_session_ended_is_shown_again(world):
    page = _after_login_again(world, {"process": "flowable_leave", "form_of": "flowable_leave",
                                      "title": "年休假申请（张三）", "party": "", "days": "１２", "reason": "回老家探亲，往返 3 天"})
    assert re.search(r'id="f-title" value="年休假申请（张三）"', page)
    assert re.search(r'id="f-days" value="１２"', page) and re.search(r'id="f-reason" value="回老家探亲，往返 3 天"', page)
    assert re.search(r'<option value="flowable_leave" selected', page)
    assert not world.engine.cases("zhang", limit=10)  # nothing started until it is sent again


def test_our_process_keeps_its_title_and_enterprise(world):
    page = _after_login_again(world, {"process": "hazard_supervision", "title": "储罐区液氯泄漏隐患",
                                      "party": "甲化工有限公司"})
    assert re.search(r'id="f-title" value="储罐区液氯泄漏隐患"', page)
    assert re.search(r'id="f-party" value="甲化工有限公司"', page)
    assert not world.engine.cases("zhang", limit=10)
