"""An external task's worker reports a business error or a failure with variables, as Camunda 7's REST
API lets it (``POST /external-task/{id}/bpmnError``: errorCode, errorMessage, variables;
``POST /external-task/{id}/failure``: variables), through the served REST API
(``/api/external-tasks/{id}/bpmnError`` and ``.../failure``), on SQLite and PostgreSQL.

The model is drawn as Camunda Modeler 5.31 saves it for Camunda 7.22
(tests/bpmn/interop/camunda7_external_bpmn_error.bpmn): 重大事故隐患信息报送 — after a hazard is listed
(挂牌督办), 报送省级隐患排查治理系统 is an external task of topic ``hazard-report`` whose error boundary
event 省级系统拒收 (code HAZARD_REFUSED, ``camunda:errorCodeVariable="refuseCode"``,
``camunda:errorMessageVariable="refuseReason"``) leads to 核对隐患信息后重报.
"""
from __future__ import annotations

import pytest

from tests.api_probe_support import case as _case, deploy as _deploy, open_specs as _open, served_models, start as _start

KEY = "camunda7_external_bpmn_error"
TOPIC = "hazard-report"


world = served_models("external_bpmn_error", [f"{KEY}.bpmn"])


def _locked(world, case_id: int) -> dict:
    r = world.call("POST", "/api/external-tasks/fetch-and-lock", "adm", json={"topic": TOPIC, "worker": "w1", "lease": 60})
    assert r.status_code == 200, r.get_json()
    (item,) = [i for i in r.get_json()["items"] if i["case_id"] == case_id]
    return item


def _bpmn_error(world, item: dict, **body):
    return world.call("POST", f"/api/external-tasks/{item['id']}/bpmnError", "adm", json={"worker": "w1", **body})


def test_a_reported_bpmn_error_is_caught_by_the_tasks_error_boundary_event(world):
    """The provincial system refuses the report (HAZARD_REFUSED, 「隐患等级与挂牌文书不一致」) and the worker
    reports it as a BPMN error with the platform's receipt: 省级系统拒收 catches it, 核对隐患信息后重报
    opens, the case holds the code, the message and the variables, and the external task is gone.
    Before, there was no such endpoint (404): a worker could only fail the task, which was offered
    again until it became an incident, and the drawn 拒收 path was never taken."""
    case_id = _start(world, KEY)
    item = _locked(world, case_id)
    r = _bpmn_error(world, item, errorCode="HAZARD_REFUSED", errorMessage="隐患等级与挂牌文书不一致",
                    variables={"receiptNo": "SJ-2026-1207-0031"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"caught": 1, "incident_id": None}
    assert _open(world, case_id) == ["Activity_fix"]
    data = _case(world, case_id)["data"]
    assert (data.get("refuseCode"), data.get("refuseReason"), data.get("receiptNo")) == \
        ("HAZARD_REFUSED", "隐患等级与挂牌文书不一致", "SJ-2026-1207-0031")
    again = world.call("POST", "/api/external-tasks/fetch-and-lock", "adm",
                       json={"topic": TOPIC, "worker": "w1", "lease": 60}).get_json()["items"]
    assert [i for i in again if i["case_id"] == case_id] == []


def test_a_bpmn_error_nobody_catches_is_an_incident_naming_the_task_and_the_code(world):
    """A code the model catches nowhere (NETWORK_DOWN): not the end of the case and not a silent stall —
    an incident in Chinese naming 报送省级隐患排查治理系统 and the code; the case stays at the task, no
    path is taken, and a supervisor's retry offers the task to workers again, whose completion then
    goes on to 归档报送回执. Before: 404, no such endpoint."""
    case_id = _start(world, KEY)
    item = _locked(world, case_id)
    r = _bpmn_error(world, item, errorCode="NETWORK_DOWN", errorMessage="省级系统维护中")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["caught"] == 0 and body["incident_id"]
    detail = _case(world, case_id)
    assert detail["status"] == "running" and _open(world, case_id) == []
    (incident,) = [i for i in detail["incidents"] if i["id"] == body["incident_id"]]
    said = incident["message"]
    assert "报送省级隐患排查治理系统" in said and "NETWORK_DOWN" in said and "没有捕获" in said, said
    assert "Error" not in said and "Traceback" not in said
    locked = world.call("POST", "/api/external-tasks/fetch-and-lock", "adm",
                        json={"topic": TOPIC, "worker": "w1", "lease": 60}).get_json()["items"]
    assert [i for i in locked if i["case_id"] == case_id] == []  # an incident: offered to nobody
    r = world.call("POST", f"/api/incidents/{body['incident_id']}/retry", "adm", json={})
    assert r.status_code in (200, 204), r.get_json()
    item = _locked(world, case_id)
    r = world.call("POST", f"/api/external-tasks/{item['id']}/complete", "adm", json={"worker": "w1", "data": {}})
    assert r.status_code == 200, r.get_json()
    assert _open(world, case_id) == ["Activity_archive"]


def test_a_bpmn_error_without_its_code_is_refused_in_chinese(world):
    """errorCode is required: a 422 naming the field, and the task is still the worker's."""
    case_id = _start(world, KEY)
    item = _locked(world, case_id)
    r = _bpmn_error(world, item, errorMessage="无代码")
    assert r.status_code == 422
    assert "errorCode" in str(r.get_json())
    r = world.call("POST", f"/api/external-tasks/{item['id']}/complete", "adm", json={"worker": "w1", "data": {}})
    assert r.status_code == 200, r.get_json()


def test_variables_sent_with_a_failure_are_kept_and_the_next_fetch_has_them(world):
    """The worker fails the report (省级系统超时) and sends the attempt's trace number and the count of
    its tries, as Camunda 7's failure takes ``variables``: the case data holds them, the next fetch
    of the task carries them (retries 3 → 2), and the completion goes on with them. Before, the
    request was refused (422: unknown field) and the worker's variables were lost."""
    case_id = _start(world, KEY)
    item = _locked(world, case_id)
    r = world.call("POST", f"/api/external-tasks/{item['id']}/failure", "adm",
                   json={"worker": "w1", "message": "省级系统超时", "variables": {"traceNo": "T-0042", "attempts": 1}})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["retries"] == 2
    data = _case(world, case_id)["data"]
    assert (data.get("traceNo"), data.get("attempts")) == ("T-0042", 1)
    item = _locked(world, case_id)
    assert (item["variables"].get("traceNo"), item["variables"].get("attempts")) == ("T-0042", 1)
    r = world.call("POST", f"/api/external-tasks/{item['id']}/complete", "adm", json={"worker": "w1", "data": {"attempts": 2}})
    assert r.status_code == 200, r.get_json()
    assert _open(world, case_id) == ["Activity_archive"]
    assert (_case(world, case_id)["data"].get("traceNo"), _case(world, case_id)["data"]["attempts"]) == ("T-0042", 2)
