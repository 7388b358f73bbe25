"""A start form sent twice starts one case (发起案件, issue 15).

A tired clerk double-clicks 发起, or the browser sends the form again (a request that timed out on a
slow line, 重新提交): each POST started a case, two 案号 for one 隐患, the second's first task in the group queue beside the
first's. The page's form now carries a ``start_token``: a form already started takes you to the case
it started (「该案件已发起，未重复发起」), and the page's script sends the form once while the first
request is on its way (webui/static/forms.js; Chromium's own double click on 发起 sent one request
in our runs, so no browser test here could fail without it). A form refused for its data and sent
again corrected is still one case. The page through Flask's client on SQLite and PostgreSQL.
"""
from __future__ import annotations

import re

import pytest

from tests.ui_support import client_login, make_world


@pytest.fixture
def world(tmp_path, database_url):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    yield w
    w.engine.dispose()


def _hazards(engine) -> list:
    return [c for c in engine.cases("zhang", limit=1000) if c.process_key == "hazard_supervision"]


def _token(html: str) -> str:
    return re.search(r'name="start_token" value="([0-9a-f]{32})"', html).group(1)


def test_a_start_form_sent_twice_starts_one_case(world):
    client = client_login(world.app, "zhang")
    token = _token(client.get("/cases/new").get_data(as_text=True))
    form = {"_csrf": client.csrf, "start_token": token, "process": "hazard_supervision", "title": "储罐区隐患",
            "party": ""}
    first = client.post("/cases/new", data=form)
    assert first.status_code == 302
    again = client.post("/cases/new", data=form)
    assert again.status_code == 302 and again.location == first.location
    assert len(_hazards(world.engine)) == 1
    page = client.get(again.location).get_data(as_text=True)
    assert "该案件已发起，未重复发起" in page
    other = _token(client.get("/cases/new").get_data(as_text=True))  # a new form is a new case
    assert other != token
    assert client.post("/cases/new", data={**form, "start_token": other}).status_code == 302
    assert len(_hazards(world.engine)) == 2


def test_a_form_refused_then_corrected_is_one_case_and_keeps_its_token(world):
    client = client_login(world.app, "zhang")
    token = _token(client.get("/cases/new").get_data(as_text=True))
    refused = client.post("/cases/new", data={"_csrf": client.csrf, "start_token": token, "process": "",
                                              "title": "储罐区隐患", "party": ""})
    assert refused.status_code == 422 and _token(refused.get_data(as_text=True)) == token
    form = {"_csrf": client.csrf, "start_token": token, "process": "hazard_supervision", "title": "储罐区隐患",
            "party": ""}
    assert client.post("/cases/new", data=form).status_code == 302
    assert client.post("/cases/new", data=form).status_code == 302
    assert len(_hazards(world.engine)) == 1
