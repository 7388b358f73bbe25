"""External tasks are fetched and worked only by those who may see their case (engine/external_tasks.py
``_sees_case``, the read policy of engine/policy.py), on a real SQLite file and real PostgreSQL,
through the engine and the REST API.

A fetched external task carries its case's whole data (``variables``). ``workerRoles`` say which
roles may work a topic, never whose cases: before, 西城区's 科室负责人 (holding the worker role
``supervisor`` of 发送整改通知短信, camunda_external.bpmn as Camunda Modeler writes it) fetched
东城区's task with the enterprise's phone number and the case data, and completed it, or reported it
failed until it became an incident.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import Forbidden
from tests.interop_support import drive
from tests.support import make_engine
from tests.test_api_helpers import World, build_app

CORPUS = Path(__file__).resolve().parent / "bpmn" / "interop"


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.directory.add_user("westboss", org="west", roles=["supervisor"], name="吴科长")
    eng.deploy(CORPUS / "camunda_external.bpmn", by="boss")
    yield eng
    eng.dispose()


def _east_sms(engine, phone: str) -> int:
    out = drive(engine, "camunda_external", data={"phone": phone})   # started by zhang in east
    assert out.status == "waiting"
    return out.case_id


def _drain(engine) -> None:
    """Complete every free sms task (as the city's 科室负责人) so each test sees only its own."""
    for item in engine.fetch_and_lock("sms", "drain", 60, by="boss", limit=100):
        engine.complete_external(item["id"], "drain", {"delivered": True}, by="boss")


def test_another_districts_worker_fetches_nothing_of_this_district(engine):
    _drain(engine)
    case_id = _east_sms(engine, "13800000001")
    assert engine.fetch_and_lock("sms", "west-gw", 60, by="westboss") == []
    (item,) = engine.fetch_and_lock("sms", "east-gw", 60, by="eastboss")
    assert item["case_id"] == case_id and item["variables"]["phone"] == "13800000001"
    assert engine.complete_external(item["id"], "east-gw", {"delivered": True}, by="eastboss") == case_id


def test_another_districts_worker_cannot_complete_or_fail_a_task_by_its_id(engine):
    _drain(engine)
    case_id = _east_sms(engine, "13800000002")
    (item,) = engine.fetch_and_lock("sms", "gw", 60, by="eastboss")
    before = engine.case(case_id)
    with pytest.raises(Forbidden):
        engine.complete_external(item["id"], "gw", {"delivered": True}, by="westboss")
    with pytest.raises(Forbidden):
        engine.fail_external(item["id"], "gw", "伪造的失败", retries=0, by="westboss")
    after = engine.case(case_id)
    assert after.status == "running" and after.data == before.data and after.incidents == before.incidents
    assert engine.complete_external(item["id"], "gw", {"delivered": True}, by="eastboss") == case_id


def test_the_citys_worker_still_fetches_the_districts_tasks(engine):
    _drain(engine)
    case_id = _east_sms(engine, "13800000003")
    (item,) = engine.fetch_and_lock("sms", "city-gw", 60, by="boss")
    assert item["case_id"] == case_id


def test_rest_api_fetch_and_lock_gives_another_district_nothing(engine, tmp_path):
    _drain(engine)
    case_id = _east_sms(engine, "13800000004")
    w = World(engine, build_app(engine, tmp_path))
    r = w.call("POST", "/api/external-tasks/fetch-and-lock", "westboss", json={"topic": "sms", "worker": "w"})
    assert r.status_code == 200 and r.get_json()["items"] == []
    assert "13800000004" not in r.get_data(as_text=True)
    r = w.call("POST", "/api/external-tasks/fetch-and-lock", "eastboss", json={"topic": "sms", "worker": "e"})
    assert [i["case_id"] for i in r.get_json()["items"]] == [case_id]
