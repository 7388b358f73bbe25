"""Messages and signals only reach the cases their sender may see (engine/messages.py
``_may_reach``, the read policy of engine/policy.py), on a real SQLite file and real PostgreSQL,
through the engine and the REST API.

The catch event's ``senderRoles`` say which roles may send; they never said to whose cases. Before,
a 西城区 inspector holding a sender role sent 整改完成 into a 东城区 case by its id and moved it on,
another enterprise's user did the same into 甲公司's case, and any user at all sent 撤回举报 (a
boundary event without ``senderRoles``, as Camunda Modeler draws it) and ended the case; a signal
broadcast by any user reached every waiting case of the city.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import Forbidden, NotFound
from tests.interop_support import drive
from tests.support import make_engine
from tests.test_api_helpers import World, build_app

CORPUS = Path(__file__).resolve().parent / "bpmn" / "interop"
OTHER_PARTY = "91110000000000002L"


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.directory.add_user("bcorp", org="east", roles=["enterprise"], name="乙公司", party=OTHER_PARTY)
    for name in ("message_catch", "message_start", "signal_throw"):
        eng.deploy(CORPUS / f"{name}.bpmn", by="boss")
    yield eng
    eng.dispose()


def _waiting(engine, hazard_no: str) -> int:
    """An east case of 甲公司 (acme) waiting for 整改完成 (senderRoles enterprise, 执法人员)."""
    out = drive(engine, "message_catch", data={"hazard_no": hazard_no})
    assert out.status == "waiting" and [t.spec_id for t in out.tasks] == ["order"]
    return out.case_id


def _unchanged(engine, case_id: int, before) -> None:
    after = engine.case(case_id)
    assert after.status == before.status and [t.spec_id for t in after.tasks] == [t.spec_id for t in before.tasks]
    assert after.data == before.data
    assert [h["action"] for h in after.history] == [h["action"] for h in before.history]


def test_another_districts_inspector_cannot_message_a_case_by_its_id(engine):
    case_id = _waiting(engine, "YH-SEC-1")
    before = engine.case(case_id)
    with pytest.raises(Forbidden) as err:
        engine.correlate_message("整改完成", by="wang", case_id=case_id, data={"report": "伪造"})
    assert "无权向该案件发送消息「整改完成」" in str(err.value)
    _unchanged(engine, case_id, before)
    # the case's own inspector still may
    assert engine.correlate_message("整改完成", by="zhang", case_id=case_id)["case_id"] == case_id


def test_another_enterprises_user_cannot_message_a_case_by_id_or_by_correlation(engine):
    case_id = _waiting(engine, "YH-SEC-2")
    before = engine.case(case_id)
    with pytest.raises(Forbidden):
        engine.correlate_message("整改完成", by="bcorp", case_id=case_id, data={"report": "伪造"})
    with pytest.raises(NotFound):  # by correlation the case is not there for it: nothing to learn
        engine.correlate_message("整改完成", by="bcorp", correlation={"hazard_no": "YH-SEC-2"})
    _unchanged(engine, case_id, before)
    assert engine.correlate_message("整改完成", by="acme", correlation={"hazard_no": "YH-SEC-2"})["case_id"] == case_id


def test_a_message_without_sender_roles_is_still_refused_to_another_district(engine):
    case_id = _waiting(engine, "YH-SEC-3")
    engine.correlate_message("整改完成", by="acme", case_id=case_id)   # now at recheck, 撤回举报 may end it
    before = engine.case(case_id)
    with pytest.raises(Forbidden):
        engine.correlate_message("撤回举报", by="wang", case_id=case_id)
    _unchanged(engine, case_id, before)


def test_a_signal_reaches_only_the_cases_its_sender_may_see(engine):
    east = engine.correlate_message("12350举报", by="zhang")["case_id"]
    west = engine.correlate_message("12350举报", by="wang")["case_id"]
    for case_id, user in ((east, "zhang"), (west, "wang")):
        task = engine.case(case_id).tasks[0]
        engine.complete(task.id, task.assignee or user, {})           # 核查举报: now waiting for the signal
    got = engine.broadcast_signal("停产整顿令", by="wang")
    assert got["delivered"] == [west]
    assert engine.case(west).status == "completed" and engine.case(east).status == "running"
    got = engine.broadcast_signal("停产整顿令", by="boss")          # the city's 科室负责人 sees both districts
    assert east in got["delivered"] and engine.case(east).status == "completed"


def test_rest_api_refuses_a_message_to_another_districts_case(engine, tmp_path):
    case_id = _waiting(engine, "YH-SEC-4")
    before = engine.case(case_id)
    w = World(engine, build_app(engine, tmp_path))
    r = w.call("POST", "/api/messages", "wang", json={"name": "整改完成", "case_id": case_id, "data": {"report": "伪造"}})
    assert r.status_code == 403, r.get_json()
    assert "无权向该案件发送消息" in r.get_json()["message"]
    _unchanged(engine, case_id, before)
