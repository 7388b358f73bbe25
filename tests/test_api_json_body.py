"""The API's JSON bodies written by msgspec (webui/api/json_body.py): the text Flask's provider
writes — keys sorted, Chinese unescaped, one line and a newline — without Flask's ``json.dumps``
on the way; pages' JSON and what msgspec refuses stay Flask's. On the real app and engine,
SQLite and PostgreSQL."""
from __future__ import annotations

import json

import pytest
from flask.json.provider import DefaultJSONProvider

from webui.api.json_body import ApiJSONProvider

pytest_plugins = ["tests.test_api_helpers"]  # world


def _flask_text(app, value) -> bytes:
    """What Flask's own provider makes of ``value`` in this app (its settings: ensure_ascii off)."""
    flask_json = DefaultJSONProvider(app)
    flask_json.ensure_ascii = app.json.ensure_ascii
    return (_REAL_DUMPS(flask_json, value, separators=(",", ":")) + "\n").encode("utf-8")


_REAL_DUMPS = DefaultJSONProvider.dumps


@pytest.fixture
def flask_dumps(monkeypatch):
    """Count the calls of Flask's ``json.dumps`` path (DefaultJSONProvider.dumps)."""
    calls = []
    real = DefaultJSONProvider.dumps
    monkeypatch.setattr(DefaultJSONProvider, "dumps", lambda self, obj, **kw: calls.append(obj) or real(self, obj, **kw))
    return calls


def test_a_case_page_and_a_completion_are_flasks_text_without_flasks_encoder(world, flask_dumps):
    case_id = world.start("own_org", title="粉尘涉爆企业检查")
    task = world.task(case_id, "inspect")
    detail = world.call("GET", f"/api/cases/{case_id}", "insp")
    assert detail.status_code == 200 and detail.mimetype == "application/json"
    assert flask_dumps == [], "the API's body went through Flask's json.dumps"
    value = json.loads(detail.get_data())
    assert detail.get_data() == _flask_text(world.app, value)
    assert "粉尘涉爆企业检查".encode() in detail.get_data()  # not \\u escapes
    assert value["tasks"] and value["history"]

    body = json.dumps({"data": {"result": "合格"}}, ensure_ascii=False)  # not through the app's provider
    done = world.call("POST", f"/api/tasks/{task}/complete", "insp", data=body, content_type="application/json")
    assert done.status_code == 200 and flask_dumps == []
    assert done.get_data() == _flask_text(world.app, json.loads(done.get_data()))
    assert done.get_json()["next_tasks"]


def test_errors_keep_their_chinese_body_and_headers(world):
    r = world.client().get("/api/tasks", headers={"Authorization": "Bearer dbn_nothing"})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.get_json()["message"] == "访问令牌无效、已过期或已吊销"
    assert r.get_data() == _flask_text(world.app, r.get_json())
    assert r.headers["Cache-Control"] == "no-store" and r.headers["X-Content-Type-Options"] == "nosniff"


def test_what_msgspec_refuses_and_pages_json_stay_flasks(world, flask_dumps):
    app = world.app
    assert isinstance(app.json, ApiJSONProvider)
    with app.test_request_context("/api/cases"):
        r = app.json.response({2: "二", 1: "一"})  # keys that are not text: msgspec refuses them sorted
    assert r.get_data() == b'{"1":"\xe4\xb8\x80","2":"\xe4\xba\x8c"}\n' and len(flask_dumps) == 1
    page_json = world.client().get("/healthz")  # not an API request: Flask's provider as before
    assert page_json.get_json() == {"ok": True} and len(flask_dumps) == 2
