"""Public models (tests/bpmn/interop: drawn by bpmn.io, Camunda, Flowable...) through the public REST API,
as bench/api_sweep.py drives them against ``duban serve``: what the API answers where it behaved
differently from the engine called in-process, or answered a client unhelpfully. Real app, real
engine, SQLite file and PostgreSQL (tests/test_api_helpers.py's world)."""
from __future__ import annotations

import io

from tests.interop_support import CORPUS

pytest_plugins = ["tests.test_api_helpers"]  # world, database_url


def _deploy(world, name: str) -> dict:
    path = CORPUS / name
    r = world.call("POST", "/api/models", "des", data={"file": (io.BytesIO(path.read_bytes()), path.name)},
                   content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_number_sent_as_text_to_a_condition_is_said_to_be_text_not_missing(world):
    """A tired integrator sends bpmn.io's 氧含量 as the text "18.5" (and 5,000 with a thousands
    separator): the conditional boundary event ``oxygen < 19.5`` cannot compare text with a number.
    The case has the value, so the answer must not say the data has no value (条件用到的数据在案件中
    没有值, what it said before); it says the value was text where a number is compared."""
    model = _deploy(world, "bpmnio_conditional.bpmn")
    for typed in ("18.5", "5,000"):
        r = world.call("POST", "/api/cases", "insp", json={"process_key": model["key"], "org": "east",
                                                           "data": {"oxygen": typed, "ventilated": "true"}})
        assert r.status_code == 422, r.get_json()
        body = r.get_json()
        assert body["incident_id"], body
        message = body["message"]
        assert "没有值" not in message, message
        assert f"「{typed}」不是数字" in message and "请改为数字后重试" in message, message
        assert "oxygen" not in message  # a variable name means nothing to the person reading


def test_the_text_named_is_the_one_compared_with_a_number_not_a_yes_no_beside_it(world):
    """Camunda 8's ``= deaths_risk >= 3 or major = true`` given deaths_risk "3" and major "true" (a
    tired integrator's JSON strings): the comparison with 3 is what fails; the answer names that
    value「3」, not major's「true」, whose comparison with true is no error."""
    model = _deploy(world, "camunda8_zeebe.bpmn")
    r = world.call("POST", "/api/cases", "insp", json={"process_key": model["key"], "org": "east",
                                                       "data": {"deaths_risk": "3", "major": "true"}})
    assert r.status_code == 201, r.get_json()
    task = r.get_json()["tasks"][0] if r.get_json().get("tasks") else None
    if task is None:
        task = world.call("GET", f"/api/cases/{r.get_json()['id']}", "insp").get_json()["tasks"][0]
    r = world.call("POST", f"/api/tasks/{task['id']}/complete", "insp", json={"data": {}})
    assert r.status_code == 422, r.get_json()
    message = r.get_json()["message"]
    assert "「3」不是数字" in message and "「true」" not in message and "没有值" not in message, message


def test_a_yes_no_condition_given_text_is_explained_not_answered_with_the_generic_words(world):
    """Camunda 7's ``${passed}`` over a text form field (camunda7_text_condition.bpmn) completed with
    "是" through the API: the engine stops as Camunda does and says why in Chinese, but the API (and
    the incident page, by the same words) answered 流程执行出错（脚本、规则或定时器），请管理员查看错误
    详情后处理 — the engine's sentence names Camunda and shows a condition for the designer, so it was
    taken for an English error. It is said without either: the field by its label, the text typed."""
    model = _deploy(world, "camunda7_text_condition.bpmn")
    r = world.call("POST", "/api/cases", "insp", json={"process_key": model["key"], "org": "east"})
    assert r.status_code == 201, r.get_json()
    task = world.call("GET", f"/api/cases/{r.get_json()['id']}", "insp").get_json()["tasks"][0]
    r = world.call("POST", f"/api/tasks/{task['id']}/complete", "insp", json={"data": {"passed": "是"}})
    assert r.status_code == 422, r.get_json()
    message = r.get_json()["message"]
    assert "请管理员查看错误详情" not in message, message
    assert ("排他网关「复查通过？」通往「结案」的连线：案件数据“复查是否通过”的值是文字「是」，不是“是/否”，"
            "无法判断走不走这条分支；请把该数据改为是或否后重试，或请流程设计员修改这条连线的条件") in message, message
    assert "passed" not in message and "Camunda" not in message
