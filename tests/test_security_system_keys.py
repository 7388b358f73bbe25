"""A case's 案号, 办理单位 and 企业 in its data are the case row's (engine/step.py ``SYSTEM_KEYS``), on a
real SQLite file and real PostgreSQL.

Model code and services read them from the case data (``party`` by penalty_decisions and
lookup_enterprise, ``org_code`` by rules, ``case_no`` on documents). Before, ``start_in`` only filled
them when missing: an enterprise starting a self-report with ``party`` set to another enterprise's
credit code, or a message or completion carrying ``party``, made the case's scripts read that other
enterprise (found by the security probe of this session). Now the start sets them from the case
row, and a completion's or a message's data cannot change them.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.interop_support import drive, user_for
from tests.support import make_engine

CORPUS = Path(__file__).resolve().parent / "bpmn" / "interop"
ACME = "91110000000000001H"
OTHER = "91110000000000002L"
FORGED = {"party": OTHER, "org_code": "west", "case_no": "伪造-0001"}


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.deploy(CORPUS / "message_catch.bpmn", by="boss")
    yield eng
    eng.dispose()


def _own_keys(engine, case_id: int) -> None:
    view = engine.case(case_id)
    assert (view.data["party"], view.data["org_code"], view.data["case_no"]) == (ACME, "east", view.case_no)
    assert view.party == ACME and view.org_code == "east"


def test_start_data_cannot_name_another_enterprise_unit_or_case_number(engine):
    out = drive(engine, "message_catch", data={"hazard_no": "YH-KEY-1", **FORGED})
    assert out.status == "waiting"
    _own_keys(engine, out.case_id)


def test_a_completion_cannot_move_the_case_to_another_enterprise_or_unit(engine):
    case = engine.start("message_catch", by="zhang", org="east", data={"hazard_no": "YH-KEY-2"}, party=ACME)
    (task,) = engine.case(case.id).tasks
    engine.complete(task.id, user_for(engine, task), {"备注": "已下达", **FORGED})
    view = engine.case(case.id)
    assert view.data["备注"] == "已下达"  # the rest of what was submitted is kept
    _own_keys(engine, case.id)


def test_a_message_cannot_move_the_case_to_another_enterprise_or_unit(engine):
    out = drive(engine, "message_catch", data={"hazard_no": "YH-KEY-3"})
    assert out.status == "waiting"
    engine.correlate_message("整改完成", by="zhang", case_id=out.case_id, data={"report": "已整改", **FORGED})
    view = engine.case(out.case_id)
    assert view.data["report"] == "已整改"
    _own_keys(engine, out.case_id)
