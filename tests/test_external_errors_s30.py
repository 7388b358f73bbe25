"""External tasks whose Camunda 7 ``camunda:errorEventDefinition`` throws a BPMN error (Camunda 7.12+,
``ExternalTaskEntity.complete``/``failed``): what the worker sent is kept, and a reported failure
evaluates the definitions too. Driven through the served REST API (``/api/external-tasks``) as a
worker of another system drives it, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from tests.api_probe_support import case as _case, deploy as _deploy, open_specs as _open, served_world, start as _start

MODELS = ("camunda7_external_error_event.bpmn",)


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = served_world(module_database_url, tmp_path_factory.mktemp("external_errors"))
    for name in MODELS:
        r = _deploy(w, name)
        assert r.status_code == 201, (name, r.get_json())
    yield w
    w.engine.dispose()


def _locked(world, case_id: int, topic: str = "credit-push") -> dict:
    r = world.call("POST", "/api/external-tasks/fetch-and-lock", "adm", json={"topic": topic, "worker": "w1", "lease": 60})
    (item,) = [i for i in r.get_json()["items"] if i["case_id"] == case_id]
    return item


def test_variables_sent_with_a_completion_that_throws_its_error_are_kept(world):
    """推送至信用平台 completed with pushStatus REJECTED and the platform's receipt number: the error
    信用平台退回 is thrown and caught (核对并补录处罚信息 opens), and the case data holds what the worker
    sent — Camunda sets the variables on the execution before it evaluates the definitions. Before,
    the boundary path took the data from before the task and 核对 saw neither pushStatus nor the
    receipt."""
    case_id = _start(world, "camunda7_external_error_event")
    item = _locked(world, case_id)
    r = world.call("POST", f"/api/external-tasks/{item['id']}/complete", "adm",
                   json={"worker": "w1", "data": {"pushStatus": "REJECTED", "receiptNo": "XY-2026-0042"}})
    assert r.status_code == 200, r.get_json()
    assert _open(world, case_id) == ["Activity_0fix"]
    data = _case(world, case_id)["data"]
    assert (data.get("rejectCode"), data.get("pushStatus"), data.get("receiptNo")) == \
        ("CREDIT_REJECTED", "REJECTED", "XY-2026-0042")


def _failure_model() -> bytes:
    """行政处罚决定推送 as Camunda Modeler 7 saves it, its 推送至信用平台 holding a second definition
    that reads the failure's details: ``${externalTask.getErrorDetails().contains('统一社会信用代码不存在')}``
    throws 信用平台退回 too (Camunda 7 manual, External Tasks: Error Event Definitions)."""
    from tests.interop_support import CORPUS
    text = (CORPUS / "camunda7_external_error_event.bpmn").read_text(encoding="utf-8")
    text = text.replace("camunda7_external_error_event", "camunda7_external_failure_error").replace(
        'name="行政处罚决定推送"', 'name="行政处罚决定推送（失败判定）"')
    second = ('<camunda:errorEventDefinition id="ErrorDef_0unknown" errorRef="Error_0rejected" '
              'expression="${externalTask.getErrorDetails().contains(\'统一社会信用代码不存在\')}"/>')
    text = text.replace("expression=\"${pushStatus == 'REJECTED'}\"/>", "expression=\"${pushStatus == 'REJECTED'}\"/>\n        " + second)
    assert second in text
    return text.encode("utf-8")


@pytest.fixture(scope="module")
def failure_key(world):
    from tests.api_probe_support import deploy_source
    r = deploy_source(world, _failure_model(), "camunda7_external_failure_error.bpmn")
    assert r.status_code == 201, r.get_json()
    return "camunda7_external_failure_error"


def _fail(world, item: dict, **body):
    return world.call("POST", f"/api/external-tasks/{item['id']}/failure", "adm", json={"worker": "w1", **body})


def test_a_failure_whose_details_meet_an_error_definition_throws_that_error(world, failure_key):
    """The worker reports a failure with errorDetails naming 统一社会信用代码不存在: as Camunda 7's
    ``ExternalTaskEntity.failed`` does, the definitions are evaluated first, and the one that holds
    throws 信用平台退回 — 平台退回 catches it, 核对并补录处罚信息 opens, no attempt is counted and the
    external task is gone. Before, the definitions were not evaluated on a failure: the task was
    offered again (retries 2) and the case waited on a push that would never succeed."""
    case_id = _start(world, failure_key)
    item = _locked(world, case_id)
    r = _fail(world, item, message="信用平台拒收", details="HTTP 422：统一社会信用代码不存在（91110101MA0000000X）")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["thrown"] == "信用平台退回"
    assert _open(world, case_id) == ["Activity_0fix"]
    assert _case(world, case_id)["data"]["rejectCode"] == "CREDIT_REJECTED"
    again = world.call("POST", "/api/external-tasks/fetch-and-lock", "adm",
                       json={"topic": "credit-push", "worker": "w1", "lease": 60}).get_json()["items"]
    assert [i for i in again if i["case_id"] == case_id] == []


def test_a_failure_no_definition_holds_for_counts_an_attempt_and_the_completion_still_decides(world, failure_key):
    """Details that meet no definition, and a failure without details (the expression's ``contains``
    on nothing cannot be evaluated: passed over, as Camunda passes over an exception on a failure):
    each counts an attempt (3 → 2 → 1) and throws nothing; the completion with pushStatus OK then
    goes on to 公示处罚信息 — the definition that reads the failure's details does not hold on a
    completion."""
    case_id = _start(world, failure_key)
    for body, left in (({"message": "网络超时", "details": "connect timeout after 30s"}, 2), ({"message": "网关 502"}, 1)):
        r = _fail(world, _locked(world, case_id), **body)
        assert r.status_code == 200, r.get_json()
        assert (r.get_json()["retries"], r.get_json().get("thrown")) == (left, None)
        assert _open(world, case_id) == []
    item = _locked(world, case_id)
    r = world.call("POST", f"/api/external-tasks/{item['id']}/complete", "adm", json={"worker": "w1", "data": {"pushStatus": "OK"}})
    assert r.status_code == 200, r.get_json()
    assert _open(world, case_id) == ["Activity_0publicize"]
