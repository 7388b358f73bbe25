"""Messages and signals (issue 16): delivered to exactly the case waiting for them, by case id or
correlation values; a message start event opens a case; a signal thrown by one case reaches the
cases waiting for it in the same transaction; who may send is the model's ``senderRoles``; every
delivery is audited; the REST endpoints say the same. Real SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import Conflict, Forbidden, NotFound
from tests.interop_support import drive
from tests.support import make_engine

pytest_plugins = ["tests.test_api_helpers"]  # world (the API)

CORPUS = Path(__file__).resolve().parent / "bpmn" / "interop"
MODELS = ("message_catch", "message_start", "signal_throw")


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    for name in MODELS:
        eng.deploy(CORPUS / f"{name}.bpmn", by="boss")
    yield eng
    eng.dispose()


def _waiting(engine, hazard_no: str):
    out = drive(engine, "message_catch", data={"hazard_no": hazard_no})
    assert out.status == "waiting" and [t.spec_id for t in out.tasks] == ["order"]
    return out.case_id


def test_two_cases_wait_for_the_same_message_with_different_keys_and_each_gets_its_own(engine):
    first, second = _waiting(engine, "YH-2026-001"), _waiting(engine, "YH-2026-002")
    with pytest.raises(Conflict) as err:
        engine.correlate_message("整改完成", by="zhang")  # both wait: a message goes to one case only
    assert "整改完成" in str(err.value)
    got = engine.correlate_message("整改完成", by="acme", correlation={"hazard_no": "YH-2026-002"},
                                   data={"report": "已更换防爆电机"})
    assert got == {"case_id": second, "started": False}
    assert [t.spec_id for t in engine.case(second).tasks] == ["recheck"]
    assert engine.case(second).data["report"] == "已更换防爆电机"
    assert engine.case(first).tasks == [] and engine.case(first).status == "running"
    got = engine.correlate_message("整改完成", by="zhang", correlation={"hazard_no": "YH-2026-001"})
    assert got["case_id"] == first and [t.spec_id for t in engine.case(first).tasks] == ["recheck"]
    (received,) = [h for h in engine.case(second).history if h["action"] == "message_received"]
    assert received["actor"] == "acme" and received["detail"]["name"] == "整改完成"
    assert received["detail"]["correlation"] == {"hazard_no": "YH-2026-002"}


def test_no_waiting_case_is_not_found_naming_the_message_and_keys(engine):
    with pytest.raises(NotFound) as err:
        engine.correlate_message("整改完成", by="zhang", correlation={"hazard_no": "YH-无此号"})
    assert "消息「整改完成」" in str(err.value) and "hazard_no=YH-无此号" in str(err.value)


def test_who_may_send_is_the_catch_events_sender_roles(engine):
    case_id = _waiting(engine, "YH-2026-003")
    with pytest.raises(Forbidden) as err:
        engine.correlate_message("整改完成", by="boss", case_id=case_id)  # 科室负责人 is not a sender
    assert "enterprise" in str(err.value)
    assert engine.correlate_message("整改完成", by="acme", case_id=case_id)["case_id"] == case_id


def test_a_message_boundary_event_ends_the_task_it_interrupts(engine):
    case_id = _waiting(engine, "YH-2026-004")
    engine.correlate_message("整改完成", by="acme", case_id=case_id)
    engine.correlate_message("撤回举报", by="zhang", case_id=case_id)
    view = engine.case(case_id)
    assert view.status == "completed" and view.tasks == []
    assert "e_withdrawn" in engine.case_elements(case_id)["completed"]


def test_a_message_start_event_opens_a_case_and_a_thrown_signal_reaches_it_in_the_same_step(engine):
    got = engine.correlate_message("12350举报", by="zhang", data={"caller": "王先生", "phone": "138 0000 0000"})
    assert got["started"] is True
    view = engine.case(got["case_id"])
    assert [t.spec_id for t in view.tasks] == ["verify"] and view.data["caller"] == "王先生"
    engine.complete(view.tasks[0].id, view.tasks[0].assignee, {})
    assert engine.case(got["case_id"]).status == "running"  # waits for 停产整顿令
    thrower = drive(engine, "signal_throw")
    assert thrower.status == "completed"
    assert engine.case(got["case_id"]).status == "completed"
    thrown = [h for h in engine.case(thrower.case_id).history if h["action"] == "signal_thrown"]
    assert thrown[0]["detail"]["delivered_to"] == [got["case_id"]]


def test_a_broadcast_signal_reaches_waiting_cases_in_the_org_given_only(engine):
    east = engine.correlate_message("12350举报", by="zhang")["case_id"]
    west = engine.correlate_message("12350举报", by="wang")["case_id"]
    for case_id, user in ((east, "zhang"), (west, "wang")):
        task = engine.case(case_id).tasks[0]
        engine.complete(task.id, task.assignee or user, {})
    result = engine.broadcast_signal("停产整顿令", by="boss", org="west")
    assert result == {"delivered": [west], "started": []}
    assert engine.case(west).status == "completed" and engine.case(east).status == "running"


def test_rest_messages_and_signals_are_in_openapi_and_say_what_the_engine_says(world):
    eng = world.engine
    for name in MODELS:
        eng.deploy(CORPUS / f"{name}.bpmn", by="des")
    doc = world.client().get("/api/openapi.json").get_json()
    assert "/api/messages" in doc["paths"] and "/api/signals" in doc["paths"]
    r = world.call("POST", "/api/messages", "insp", json={"name": "12350举报", "data": {"caller": "李女士"}})
    assert r.status_code == 200 and r.get_json()["started"] is True
    r = world.call("POST", "/api/messages", "insp", json={"name": "无此消息", "correlation": {"k": "v"}})
    assert r.status_code == 404 and "无此消息" in r.get_json()["message"]
    r = world.call("POST", "/api/signals", "sup", json={"name": "停产整顿令"})
    assert r.status_code == 200 and r.get_json() == {"delivered": [], "started": []}
    r = world.call("POST", "/api/messages", "insp", json={"name": ""})
    assert r.status_code == 422


# --- external tasks (fetch and lock) ---------------------------------------------------------------

@pytest.fixture(scope="module")
def ext_engine(module_database_url, engine):
    engine.deploy(CORPUS / "camunda_external.bpmn", by="boss")
    return engine


def test_an_external_task_is_fetched_locked_failed_then_completed_by_another_worker(ext_engine):
    eng = ext_engine
    case = drive(eng, "camunda_external", data={"phone": "13800000000"})
    assert case.status == "waiting"
    assert eng.fetch_and_lock("sms", "gw-1", 60, by="zhang") == []  # workerRoles: supervisor only
    (locked,) = eng.fetch_and_lock("sms", "gw-1", 60, by="eastboss")
    assert locked["case_id"] == case.case_id and locked["variables"]["phone"] == "13800000000"
    assert eng.fetch_and_lock("sms", "gw-2", 60, by="eastboss") == []  # locked for the lease
    with pytest.raises(Conflict):
        eng.complete_external(locked["id"], "gw-2", {"delivered": True}, by="eastboss")
    assert eng.fail_external(locked["id"], "gw-1", "短信网关超时", by="eastboss") == {"retries": 2, "incident_id": None}
    (again,) = eng.fetch_and_lock("sms", "gw-2", 60, by="eastboss")
    assert eng.complete_external(again["id"], "gw-2", {"delivered": True}, by="eastboss") == case.case_id
    view = eng.case(case.case_id)
    assert view.status == "completed" and view.data["delivered"] is True
    actions = [h["action"] for h in view.history]
    assert actions.count("external_failed") == 1 and "external_completed" in actions


def test_an_external_task_out_of_retries_is_an_incident_and_a_retry_offers_it_again(ext_engine):
    eng = ext_engine
    case = drive(eng, "camunda_external")
    for left in (2, 1, 0):
        (locked,) = eng.fetch_and_lock("sms", "gw", 60, by="eastboss")
        assert eng.fail_external(locked["id"], "gw", "号码为空", by="eastboss")["retries"] == left
    assert eng.fetch_and_lock("sms", "gw", 60, by="eastboss") == []
    (incident,) = eng.incidents(case_id=case.case_id)
    assert incident.message == "外部任务失败：发送整改通知短信（sms）：号码为空" and incident.element_id == "send_sms"
    eng.retry_incident(incident.id, by="eastboss")
    (locked,) = eng.fetch_and_lock("sms", "gw", 60, by="eastboss")
    eng.complete_external(locked["id"], "gw", {"delivered": False}, by="eastboss")
    assert [t.spec_id for t in eng.case(case.case_id).tasks] == ["call"]


def test_rest_external_tasks_fetch_complete_and_fail(world):
    eng = world.engine
    eng.deploy(CORPUS / "camunda_external.bpmn", by="des")
    case_id = eng.start("camunda_external", by="insp", org="east").id
    r = world.call("POST", "/api/external-tasks/fetch-and-lock", "sup", json={"topic": "sms", "worker": "gw-1"})
    assert r.status_code == 200
    (item,) = r.get_json()["items"]
    assert item["case_id"] == case_id
    r = world.call("POST", f"/api/external-tasks/{item['id']}/failure", "sup",
                   json={"worker": "gw-1", "message": "网关忙"})
    assert r.status_code == 200 and r.get_json()["retries"] == 2
    item = world.call("POST", "/api/external-tasks/fetch-and-lock", "sup",
                      json={"topic": "sms", "worker": "gw-2"}).get_json()["items"][0]
    r = world.call("POST", f"/api/external-tasks/{item['id']}/complete", "sup",
                   json={"worker": "gw-2", "data": {"delivered": True}})
    assert r.status_code == 200 and eng.case(case_id).status == "completed"
    doc = world.client().get("/api/openapi.json").get_json()
    assert "/api/external-tasks/fetch-and-lock" in doc["paths"]


def test_a_receive_task_waits_for_its_message_and_a_demo_assignee_who_is_no_user_leaves_the_task_queued(engine):
    engine.deploy(CORPUS / "camunda_send_receive.bpmn", by="boss")
    out = drive(engine, "camunda_send_receive", starter="li")
    assert out.status == "waiting"
    (review,) = out.tasks
    assert review.assignee == "li"  # camunda:assignee="demo" names nobody here: the starter works it
    assert engine.correlate_message("回执", by="zhang", case_id=out.case_id)["case_id"] == out.case_id
    assert engine.case(out.case_id).status == "completed"
