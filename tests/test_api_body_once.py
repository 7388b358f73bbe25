"""An API request's JSON body is parsed and checked once (webui/api/limits.py), and the view's
arguments are loaded from that value (webui/api/blueprint.BodyOnceParser); the checks of every
string by one search keep each refusal and its reason. The real app and engine, SQLite and
PostgreSQL; the form an official types — long opinions with line breaks and tabs."""
from __future__ import annotations

import json

import pytest
import webargs.core

from webui.api import limits

pytest_plugins = ["tests.test_api_helpers"]  # world

OPINION = "经现场检查，该企业粉尘清扫制度落实不到位，\n\t除尘系统未按规定设置锁气卸灰装置。" * 8


@pytest.fixture
def parses(monkeypatch):
    """Every parse of a request body by the guard (its checked value kept) or by webargs."""
    calls = []
    real_walk = limits._walk
    monkeypatch.setattr(limits, "_walk", lambda value: calls.append("guard") or real_walk(value))
    real_parse = webargs.core.parse_json
    monkeypatch.setattr(webargs.core, "parse_json", lambda *a, **k: calls.append("webargs") or real_parse(*a, **k))
    return calls


def test_a_completion_with_a_long_form_is_parsed_once_and_kept_whole(world, parses):
    case_id = world.start("own_org")
    task = world.task(case_id, "inspect")
    form = {"result": "合格", **{f"意见{i}": OPINION for i in range(20)}}
    body = json.dumps({"data": form}, ensure_ascii=False).encode("utf-8")
    assert len(body) > 10_000
    r = world.call("POST", f"/api/tasks/{task}/complete", "insp", data=body, content_type="application/json")
    assert r.status_code == 200, r.get_json()
    assert parses == ["guard"], "the body was parsed more than once"
    assert world.engine.case(case_id).data["意见19"] == OPINION  # line breaks and tabs kept


def test_an_empty_body_is_left_to_webargs_and_takes_the_schemas_default(world, parses):
    case_id = world.start("own_org")
    task = world.task(case_id, "inspect")
    r = world.call("POST", f"/api/tasks/{task}/complete", "insp", data=b"", content_type="application/json")
    assert r.status_code == 200 and parses == ["webargs"], r.get_json()  # data: {} (load_default)


@pytest.mark.parametrize("text, reason", [
    ("意见\x00", "NUL"), ("意见\x07\x00", "NUL"), ("意见\ud800", "Unicode"), ("意见\x1b[31m", "控制字符"),
    ("意见\x7f", "控制字符")], ids=["nul", "bell-then-nul", "lone-surrogate", "escape", "delete"])
def test_each_refused_text_keeps_its_reason_in_a_value_or_a_key(world, text, reason):
    case_id = world.start("own_org")
    task = world.task(case_id, "inspect")
    for data in ({"result": "合格", "remark": OPINION + text}, {"result": "合格", text: "1"}):
        body = json.dumps({"data": data}).encode("utf-8")  # \\u escapes: the text arrives as typed
        r = world.call("POST", f"/api/tasks/{task}/complete", "insp", data=body, content_type="application/json")
        assert r.status_code == 422 and reason in r.get_json()["errors"]["_schema"], r.get_json()
    assert world.engine.case(case_id).tasks[0].state == "open"


def test_a_body_not_in_utf8_is_refused_in_chinese(world):
    case_id = world.start("own_org")
    task = world.task(case_id, "inspect")
    body = json.dumps({"data": {"result": "合格"}}, ensure_ascii=False).encode("utf-16")
    r = world.call("POST", f"/api/tasks/{task}/complete", "insp", data=body, content_type="application/json")
    assert r.status_code == 400 and r.get_json()["message"] == "请求体不是有效的 JSON"
    assert world.engine.case(case_id).tasks[0].state == "open"


@pytest.mark.parametrize("data, reason", [
    ({"": "1"}, "字段名长度须为 1 到 128"), ({"字" * 129: "1"}, "字段名长度须为 1 到 128"),
    ({"__class__": "1"}, "字段名不能以双下划线开头"), ({f"f{i}": i for i in range(501)}, "字段过多（上限 500）")],
    ids=["empty-key", "long-key", "dunder-key", "too-many"])
def test_form_keys_are_checked_once_by_their_own_rule(world, monkeypatch, data, reason):
    """schemas.form_data's keys: refused in Chinese, naming the rule, by ``_data_keys`` alone — no
    marshmallow field deserializes each key on the way (every JSON key is text already)."""
    from marshmallow import fields
    case_id = world.start("own_org")
    task = world.task(case_id, "inspect")
    keys = []
    real = fields.String._deserialize
    monkeypatch.setattr(fields.String, "_deserialize", lambda self, v, *a, **k: keys.append(v) or real(self, v, *a, **k))
    r = world.call("POST", f"/api/tasks/{task}/complete", "insp", json={"data": data})
    assert r.status_code == 422 and reason in json.dumps(r.get_json(), ensure_ascii=False), r.get_json()
    assert world.engine.case(case_id).tasks[0].state == "open"
    ok = world.call("POST", f"/api/tasks/{task}/complete", "insp", json={"data": {"意见": "同意", "remark": "无"}})
    assert ok.status_code == 200 and keys == [], "form keys deserialized field by field"
