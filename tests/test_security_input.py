"""Hardening against bad input, through the real app on SQLite and PostgreSQL: hostile XML, oversized
uploads and bodies, JSON the database would choke on, security headers, no stack trace to a client,
and rate-limited logins."""
from __future__ import annotations

import io
import logging

import pytest
import sqlalchemy as sa

from tests.support import thread_cpu
from tests.test_api_helpers import PASSWORD, World, browser_login, build_app, build_engine

pytest_plugins = ["tests.test_api_helpers"]  # world, module_database_url


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    """One world for the module: these tests are refused requests, which change nothing."""
    engine = build_engine(module_database_url)
    yield World(engine, build_app(engine, tmp_path_factory.mktemp("app")))
    engine.dispose()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="lolz" name="&lol9;" isExecutable="true"><bpmn:startEvent id="s" /></bpmn:process>
</bpmn:definitions>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="xxe" name="&secret;" isExecutable="true"><bpmn:startEvent id="s" /></bpmn:process>
</bpmn:definitions>"""


def _deploy(world, content: bytes, filename: str = "upload.bpmn"):
    return world.call("POST", "/api/models", "des", data={"file": (io.BytesIO(content), filename)},
                      content_type="multipart/form-data")


def test_malformed_xml_is_refused_with_its_line(world):
    r = _deploy(world, b'<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="x">\n  <unclosed>\n</bpmn:definitions>')
    assert r.status_code == 422
    body = r.get_json()
    assert body["message"].endswith("：XML 格式错误：开始标签与结束标签不匹配，无法读取；请用建模工具重新导出后再部署")
    assert body["line"] == 4 and body["file"] == "upload.bpmn"
    r = _deploy(world, b"\x00\x01\x02 not xml at all")
    assert r.status_code == 422


def test_billion_laughs_and_external_entities_are_refused_quickly(world):
    with thread_cpu() as cpu:  # the request is served in this thread; its CPU, gc off (tests/support.py)
        r = _deploy(world, BILLION_LAUGHS, "lolz.bpmn")
    assert r.status_code == 422  # libxml2 stops the amplification, or our check refuses the DTD
    assert "DTD" in r.get_json()["message"] or "entity" in r.get_json()["message"]
    assert cpu.seconds < 5, cpu.seconds
    r = _deploy(world, XXE, "xxe.bpmn")
    assert r.status_code == 422 and "root:" not in r.get_data(as_text=True)
    assert [m["key"] for m in world.call("GET", "/api/models", "des").get_json()["items"]] == ["api_matrix"]


def test_oversized_uploads_and_bodies_get_a_clean_413(world):
    # 50 MB: past every limit; answered as JSON without reading it into the engine.
    r = _deploy(world, b"<" + b"x" * (50 * 1024 * 1024))
    assert r.status_code == 413 and r.mimetype == "application/json"
    assert r.get_json()["message"].startswith("请求体过大")
    # 6 MB: under the app's limit for pages, over the 5 MB limit for models.
    r = _deploy(world, b"<" + b"x" * (6 * 1024 * 1024))
    assert r.status_code == 413 and "5 MB" in r.get_json()["message"]
    # 2 MB of JSON to an ordinary endpoint.
    r = world.call("POST", "/api/cases", "insp", data=b'{"title": "' + b"x" * (2 * 1024 * 1024) + b'"}',
                   content_type="application/json")
    assert r.status_code == 413 and r.get_json()["code"] == 413


def test_oversized_page_upload_gets_a_chinese_page(world, tmp_path):
    from flask import request
    world = World(world.engine, build_app(world.engine, tmp_path))  # an app of its own: a route is added
    world.app.add_url_rule("/upload-probe", "upload_probe", lambda: str(len(request.files)), methods=["POST"])
    try:  # the page layer wants a login and a form token
        from webui import auth as page_auth
        page_auth.public("upload_probe")
    except ImportError:
        pass
    try:  # the page frame of a logged-in user shows the unread-message count
        from workflows.messages.models import create_tables as create_message_tables
        create_message_tables(world.engine.db.engine)
    except ImportError:
        pass
    c = world.client()
    token = browser_login(c, "insp")
    limit = world.app.config["MAX_CONTENT_LENGTH"] or 50 * 1024 * 1024
    r = c.post("/upload-probe", data={"_csrf": token, "file": (io.BytesIO(b"x" * (limit + 1024)), "big.jpg")},
               content_type="multipart/form-data")
    assert r.status_code == 413 and r.mimetype == "text/html"
    text = r.get_data(as_text=True)
    assert "过大" in text and "Traceback" not in text


@pytest.mark.parametrize("body, status", [
    ('{"process_key": "api_matrix", "title": "a\\u0000b"}', 422),  # NUL: PostgreSQL refuses it in text
    ('{"process_key": "api_matrix", "data": {"k": "\\ud800"}}', 422),  # a lone surrogate
    ('{"process_key": "api_matrix", "data": {"x": NaN}}', 400),  # not JSON, though Python accepts it
    ('{"process_key": "api_matrix", "data": {"x": Infinity}}', 400),
    ('{"process_key": "api_matrix", "data": ' + "[" * 50_000 + "]" * 50_000 + "}", 400),  # parser recursion
    ('{"process_key": "api_matrix", "data": {"a": ' + '{"a": ' * 30 + "1" + "}" * 30 + "}}", 422),  # depth
    ('{"process_key": "api_matrix", "data": {"x": [' + ",".join(["1"] * 30_000) + "]}}", 422),  # node count
    ('{"process_key": "api_matrix", "title": "a\\u0007b"}', 422),  # control character in one-line text
    ('{"process_key": ', 400),
    ("[]", 422),
], ids=["nul", "surrogate", "nan", "infinity", "deep-array", "deep-object", "many-nodes", "bell", "truncated",
        "not-an-object"])
def test_json_the_database_or_parser_would_choke_on_is_refused(world, body, status):
    before = len(world.engine.cases())
    r = world.call("POST", "/api/cases", "insp", data=body.encode("utf-8"), content_type="application/json")
    assert r.status_code == status, r.get_data(as_text=True)[:300]
    assert r.get_json()["message"]
    assert len(world.engine.cases()) == before


def test_control_characters_in_query_and_path_are_refused(world):
    assert world.call("GET", "/api/cases?case_no=A%00B", "insp").status_code == 422
    assert world.call("GET", "/api/cases?case_no=%E4%B8%AD%0A", "insp").status_code == 422
    assert world.call("GET", "/api/models/ab%00c/versions", "insp").status_code == 404
    assert world.call("GET", "/api/models/..%2F..%2Fetc/versions", "insp").status_code == 404
    assert world.call("GET", "/api/cases?case_no=" + "x" * 65, "insp").status_code == 422


def test_security_headers_on_api_and_pages(world):
    c = world.client()
    api = world.call("GET", "/api/me", "insp")
    assert api.headers["X-Content-Type-Options"] == "nosniff"
    assert api.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in api.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in api.headers["Content-Security-Policy"]
    assert api.headers["Referrer-Policy"] == "same-origin" and api.headers["Cache-Control"] == "no-store"
    for path in ("/api/openapi.json", "/api/nothing"):
        r = c.get(path)
        assert r.headers["X-Content-Type-Options"] == "nosniff" and "frame-ancestors" in r.headers[
            "Content-Security-Policy"]
    page = c.get("/healthz")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] in ("SAMEORIGIN", "DENY")
    assert "frame-ancestors" in page.headers["Content-Security-Policy"]


def test_unexpected_failure_is_a_generic_message_with_an_id_and_the_trace_in_the_log(database_url, tmp_path,
                                                                                       caplog):
    engine = build_engine(database_url)
    world = World(engine, build_app(engine, tmp_path, testing=False))
    headers = world.headers("insp")
    with engine.db.engine.begin() as conn:  # a real fault: the timer table is gone
        conn.execute(sa.text("DROP TABLE timer"))
    caplog.set_level(logging.ERROR, logger="duban.api")
    r = world.client().get("/api/timers", headers=headers)
    assert r.status_code == 500 and r.mimetype == "application/json"
    body = r.get_json()
    text = r.get_data(as_text=True)
    assert body["error_id"] in body["message"] and "系统内部错误" in body["message"]
    for leak in ("Traceback", "timer", "sqlalchemy", "File \"", "SELECT"):
        assert leak not in text, leak
    logged = [rec for rec in caplog.records if body["error_id"] in rec.getMessage()]
    assert logged and logged[0].exc_info is not None  # the traceback is in the server log
    engine.dispose()


LOCKOUT = {"DUBAN_LOGIN_ACCOUNT_LIMIT": "5 per 15 minutes", "DUBAN_LOGIN_ADDRESS_LIMIT": "8 per 15 minutes"}


def test_api_login_locks_an_account_across_addresses_and_an_address_across_accounts(world, tmp_path):
    app = build_app(world.engine, tmp_path, config=LOCKOUT)
    c = app.test_client()
    wrong = {"username": "insp", "password": "guess"}
    for i in range(5):  # five addresses, one account
        r = c.post("/api/tokens", json=wrong, environ_base={"REMOTE_ADDR": f"10.1.0.{i}"})
        assert r.status_code == 401
    r = c.post("/api/tokens", json={"username": "insp", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.1.0.99"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0 and "分钟后再试" in r.get_json()["message"]
    # Another account from those addresses is not held back by insp's lock.
    ok = c.post("/api/tokens", json={"username": "sup", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.1.0.1"})
    assert ok.status_code == 201
    # One address spraying many names (known or not) is stopped after 8 failures, for every name.
    for i in range(8):
        r = c.post("/api/tokens", json={"username": f"nobody{i}", "password": "guess"},
                   environ_base={"REMOTE_ADDR": "10.2.0.1"})
        assert r.status_code == 401
    r = c.post("/api/tokens", json={"username": "sup", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.2.0.1"})
    assert r.status_code == 429


def test_flask_limiters_hooks_run_for_the_sign_ins_only(world, tmp_path, monkeypatch):
    """Any other request skips Flask-Limiter's before/after/teardown hooks (webui/login_limits.py
    ``_hooks_only_for``); a sign-in still goes through all three, and its failures still count."""
    from flask_limiter import Limiter
    calls: list[str] = []
    for name in ("_check_request_limit", "_Limiter__inject_headers", "_Limiter__release_context"):
        real = getattr(Limiter, name)
        monkeypatch.setattr(Limiter, name, lambda self, *a, _real=real, _name=name, **k:
                            calls.append(_name) or _real(self, *a, **k))
    app = build_app(world.engine, tmp_path, config=LOCKOUT)  # its hooks bound to the counting methods
    c = app.test_client()
    assert c.get("/api/me", headers=world.headers("insp")).status_code == 200
    assert c.get("/healthz").status_code == 200
    assert calls == []
    r = c.post("/api/tokens", json={"username": "hooks", "password": "guess"}, environ_base={"REMOTE_ADDR": "10.4.0.1"})
    assert r.status_code == 401
    assert {"_check_request_limit", "_Limiter__inject_headers", "_Limiter__release_context"} <= set(calls)


def test_page_login_is_locked_too(world, tmp_path):
    if "auth.login" not in world.app.view_functions:
        pytest.skip("no login page in this app")
    app = build_app(world.engine, tmp_path, config=LOCKOUT)
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    token = page.split('name="_csrf" value="', 1)[1].split('"', 1)[0]
    for i in range(5):
        r = c.post("/login", data={"username": "des", "password": "guess", "_csrf": token},
                   environ_base={"REMOTE_ADDR": f"10.3.1.{i}"})
        assert r.status_code == 401
    r = c.post("/login", data={"username": "des", "password": PASSWORD, "_csrf": token},
               environ_base={"REMOTE_ADDR": "10.3.2.1"})
    assert r.status_code == 429 and "登录失败次数过多" in r.get_data(as_text=True)
    assert r.headers["Retry-After"]
