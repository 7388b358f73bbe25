"""A supervisor's retry that fails again (异常事件重试仍失败): one open incident for the step, not two.

A retry used to leave the incident it retried open and open a second one beside it for the same
step: an administrator reading 异常事件 saw two rows, the older one's error out of date and its retry
form holding data already tried. Now the incident retried is updated (engine/incidents.py
``record``): the latest error, the data the retry ran (the next retry form shows it), how many
retries failed, the last when and by whom; ``created_at`` stays when the step first failed. The
audit trail has each attempt: an ``incident`` event of the case with ``attempt`` 2, 3..., or for a
start that made no case an ``incident_retry_failed`` event of the system chain. The page says
「已重试 1 次仍失败」 on the row and 「重试仍然失败（已重试 1 次），异常事件 #n 仍待处理」 after the retry.
tests/bpmn/failing_script.bpmn (计算每日罚款 divides by the days entered). SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from engine import IncidentRaised, incidents
from engine.audit import SYSTEM_CHAIN
from engine.schema import AuditEvent
from tests.support import BPMN, engine_fixture
from tests.test_incident_pages_words import incident_row, visible
from tests.test_incident_retry import _calc_first
from tests.ui_support import api_client, client_login, make_world

engine = engine_fixture("failing_script.bpmn")


def test_a_completion_retried_that_fails_again_updates_its_incident(engine):
    case = engine.start("fine_calc", by="zhang", org="east")
    (enter,) = engine.queue("zhang")
    with pytest.raises(IncidentRaised) as first:
        engine.complete(enter.id, "zhang", {"total": 3000, "days": 0})
    engine.clock.advance(minutes=30)
    with pytest.raises(IncidentRaised) as again:
        engine.retry_incident(first.value.incident_id, by="eastboss", data={"total": 4500, "days": "０"})
    assert again.value.incident_id == first.value.incident_id
    (inc,) = engine.incidents(case_id=case.id)  # one open incident for the step
    assert inc.id == first.value.incident_id and inc.resolved_at is None
    assert inc.payload["data"] == {"total": 4500, "days": "０"}  # what the retry ran: its form shows it
    count, at, by = incidents.retries(inc)
    assert (count, by) == (1, "eastboss") and at == engine.clock.now() and inc.created_at < at
    assert "计算每日罚款" in inc.message
    with pytest.raises(IncidentRaised):
        engine.retry_incident(inc.id, by="eastboss")
    (inc,) = engine.incidents(case_id=case.id)
    assert incidents.retries(inc)[0] == 2
    failures = [h for h in engine.case(case.id).history if h["action"] == "incident"]
    assert [h["detail"].get("attempt", 1) for h in failures] == [1, 2, 3]
    assert {h["detail"]["incident"] for h in failures} == {inc.id}
    engine.retry_incident(inc.id, by="eastboss", data={"total": 4500, "days": 30})
    assert engine.incidents() == [] and [t.name for t in engine.case(case.id).tasks] == ["复核"]
    assert engine.case(case.id).data["daily"] == 150
    assert engine.verify_audit() is None


def test_a_start_retried_that_fails_again_keeps_one_incident_and_audits_the_attempt(engine):
    _calc_first(engine)
    with pytest.raises(IncidentRaised) as first:
        engine.start("calc_first", by="zhang", org="east", data={"total": 3000, "days": 0})
    with pytest.raises(IncidentRaised) as again:
        engine.retry_incident(first.value.incident_id, by="eastboss", data={"total": 3000, "days": "0"})
    (inc,) = engine.incidents()
    assert again.value.incident_id == inc.id == first.value.incident_id and inc.action == "start"
    assert inc.payload["process_key"] == "calc_first" and inc.payload["data"] == {"total": 3000, "days": "0"}
    assert incidents.retries(inc)[0] == 1
    with engine.db.read() as s:
        (event,) = s.query(AuditEvent).filter(AuditEvent.chain == SYSTEM_CHAIN,
                                              AuditEvent.action == "incident_retry_failed").all()
    assert event.actor == "eastboss"
    assert '"attempt":2' in event.detail.replace(" ", "") and '"process":"calc_first"' in event.detail.replace(" ", "")
    engine.retry_incident(inc.id, by="eastboss", data={"total": 3000, "days": 30})
    assert engine.incidents() == [] and len(engine.cases(process_key="calc_first")) == 1
    assert engine.verify_audit() is None


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    w.engine.deploy(BPMN / "failing_script.bpmn", by="zhao")
    yield w
    w.engine.dispose()


def test_the_incident_page_shows_one_row_with_its_failed_retries(world):
    e = world.engine
    case = e.start("fine_calc", by="zhang", org="east", title="甲公司罚款")
    (enter,) = [t for t in e.case(case.id).tasks]
    with pytest.raises(IncidentRaised) as first:
        e.complete(enter.id, "zhang", {"total": 3000, "days": 0})
    qian = client_login(world.app, "qian")
    response = qian.post(f"/supervise/incidents/{first.value.incident_id}/retry",
                         data={"_csrf": qian.csrf, "total": "3000", "days": "0"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"重试仍然失败（已重试 1 次），异常事件 #{first.value.incident_id} 仍待处理" in visible(page)
    assert page.count("<tr data-incident=") == 1
    row = visible(incident_row(page, first.value.incident_id))
    assert "已重试 1 次仍失败" in row and "钱科长" in row
    shown = visible(qian.get(f"/cases/{case.id}").get_data(as_text=True))  # the case page's 异常 box
    assert f"#{first.value.incident_id}" in shown and "（已重试 1 次仍失败）" in shown


def test_the_rest_api_lists_one_incident_with_its_failed_retries(world):
    e = world.engine
    case = e.start("fine_calc", by="zhang", org="east", title="甲公司罚款")
    with pytest.raises(IncidentRaised) as first:
        e.complete(e.case(case.id).tasks[0].id, "zhang", {"total": 3000, "days": 0})
    client = api_client(world.app, e, 'qian')
    retried = client.post(f"/api/incidents/{first.value.incident_id}/retry", json={"data": {"total": 3000, "days": 0}})
    assert retried.status_code == 422 and retried.get_json()["incident_id"] == first.value.incident_id
    listed = client.get(f"/api/incidents?case_id={case.id}").get_json()
    assert [(i["id"], i["retries"]) for i in listed["items"]] == [(first.value.incident_id, 1)]
