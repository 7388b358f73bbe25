"""A case a message or signal starts runs from THAT start event (消息/信号开始事件), not from the none
start event drawn beside it.

tests/bpmn/interop/camunda7_report_or_message.bpmn (Camunda Modeler 5): message 群众举报 starts
收到群众举报 → 核实举报; the none start 执法检查发现 → 现场复查 is what 发起案件 runs.
tests/bpmn/interop/camunda7_signal_or_plain.bpmn (Camunda Modeler 5): signal 极端天气预警 starts
收到极端天气预警 → 应急检查; the none start 日常检查立案 → 日常检查.
SpiffWorkflow puts a split before several start events and a join after them; a plain start fires
the none start and the join cancels the waiting message/signal start. Before the fix a message- or
signal-started case ran the none start's flow (现场复查 / 日常检查) and the message data sat in a case
of the wrong flow. Now the event's start event runs, the none start is cancelled, and the case's
``started`` audit names the start event, and so does the case page's 办理记录. SQLite and
PostgreSQL; the REST API once.
"""
from __future__ import annotations

from engine.schema import HumanTask
from tests.interop_support import CORPUS
from tests.support import engine_fixture
from tests.ui_support import api_client, client_login, make_world

import pytest

engine = engine_fixture("interop/camunda7_report_or_message.bpmn", "interop/camunda7_signal_or_plain.bpmn")


def tasks(e, case_id) -> list[str]:
    return [t.name for t in e.case(case_id).tasks]


def started_detail(e, case_id) -> dict:
    return next(ev["detail"] for ev in e.case(case_id).history if ev["action"] == "started")


def test_a_message_start_beside_a_none_start_runs_the_message_starts_flow_with_its_data(engine):
    got = engine.correlate_message("群众举报", by="zhang", data={"tip": "储罐区有异味", "caller": "李女士"})
    assert got["started"]
    view = engine.case(got["case_id"])
    assert tasks(engine, got["case_id"]) == ["核实举报"]
    assert view.data["tip"] == "储罐区有异味" and view.data["caller"] == "李女士"
    assert started_detail(engine, got["case_id"])["start_event"] == {
        "element": "StartEvent_tip", "name": "收到群众举报", "kind": "message", "event": "群众举报"}
    received = [ev for ev in view.history if ev["action"] == "message_received"]
    assert [ev["detail"]["elements"] for ev in received] == [["StartEvent_tip"]]
    with engine.db.read() as s:  # the none start's task never opened
        assert {t.name for t in s.query(HumanTask).filter_by(case_id=got["case_id"])} == {"核实举报"}
    engine.complete(view.tasks[0].id, "zhang", {})
    assert engine.case(got["case_id"]).status == "completed"
    assert engine.verify_audit() is None  # every chain holds


def test_a_signal_start_beside_a_none_start_runs_the_signal_starts_flow_with_its_data(engine):
    got = engine.broadcast_signal("极端天气预警", by="zhang", data={"level": "红色"})
    (case_id,) = got["started"]
    assert tasks(engine, case_id) == ["应急检查"] and engine.case(case_id).data["level"] == "红色"
    assert started_detail(engine, case_id)["start_event"]["element"] == "StartEvent_alert"
    assert engine.verify_audit() is None  # every chain holds


def test_a_plain_start_still_runs_the_none_start_events_flow(engine):
    case = engine.start("camunda7_report_or_message", by="zhang", org="east", data={"site": "液氯储罐区"})
    assert tasks(engine, case.id) == ["现场复查"] and "start_event" not in started_detail(engine, case.id)
    case = engine.start("camunda7_signal_or_plain", by="zhang", org="east")
    assert tasks(engine, case.id) == ["日常检查"]
    # the event start waits no more: a message or signal after the plain start starts a new case
    got = engine.correlate_message("群众举报", by="zhang", data={"tip": "夜间偷排"})
    assert got["started"] and got["case_id"] != case.id and tasks(engine, got["case_id"]) == ["核实举报"]


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    w.engine.deploy(CORPUS / "camunda7_report_or_message.bpmn", by="zhao")
    yield w
    w.engine.dispose()


def test_the_rest_api_message_starts_the_message_starts_flow(world):
    client = api_client(world.app, world.engine, 'zhang')
    r = client.post("/api/messages", json={"name": "群众举报", "data": {"tip": "储罐区有异味"}})
    assert r.status_code == 200 and r.get_json()["started"] is True
    case_id = r.get_json()["case_id"]
    assert tasks(world.engine, case_id) == ["核实举报"] and world.engine.case(case_id).data["tip"] == "储罐区有异味"
    page = client_login(world.app, "zhang").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "由消息「群众举报」开始（收到群众举报）" in page and "收到消息" in page  # 办理记录 says which start
