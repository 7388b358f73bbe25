"""Security review 13 (安全复查十三): who may deploy over a process, and where model code may open
cases — through the served REST API and the designer's page endpoints, on a real SQLite file and a
real PostgreSQL database, with real BPMN (tests/bpmn/start_script.bpmn, Camunda Modeler 5.28).

A designer deployed over any process (部署权限). Any 流程设计员 could POST a new version of any process
key, so a district's designer could change the city's or another district's process and every unit's
new cases ran it. Now a process belongs to the unit of the designer who deployed its first version
(the top unit for our own models, loaded at set-up); a new version is deployed by a designer of that
unit or of a unit above it, never by a sibling or a unit below (docs/designer.md, 部署权限).

Model code opened cases anywhere (跨单位派生案件). ``start_case(..., org=...)`` opened a case in any unit
with no check: a model deployed by one district could open cases in another. Now a case opens cases
in its own unit or below it only; otherwise the step rolls back with an incident naming the element
and the unit asked for (engine/step.check_spawn_org; docs/security.md).
"""
from __future__ import annotations

import io

import pytest

from tests.support import BPMN
from tests.test_api_helpers import PASSWORD, World, build_app, build_engine
from tests.ui_support import client_login

SPAWN = 'daily = total / days\nif to_org:\n    start_case("fine_on_start", {"total": 1, "days": 1, "to_org": ""}, org=to_org)'


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    engine = build_engine(module_database_url)
    from werkzeug.security import generate_password_hash
    pw = generate_password_hash(PASSWORD)
    for username, org in [("west_des", "west"), ("town_des", "east_town"), ("city_des", "city")]:
        engine.directory.add_user(username, org=org, roles=["designer"], name=username, password_hash=pw)
    w = World(engine, build_app(engine, tmp_path_factory.mktemp("review13")))
    yield w
    engine.dispose()


def _model(script: str) -> bytes:
    return (BPMN / "start_script.bpmn").read_text(encoding="utf-8").replace("daily = total / days", script).encode()


def _api_deploy(world, username: str, script: str):
    return world.call("POST", "/api/models", username, data={"file": (io.BytesIO(_model(script)), "立案即算罚款.bpmn")},
                      content_type="multipart/form-data")


def test_a_designer_deploys_a_new_version_only_of_a_process_of_their_own_unit_or_below(world):
    """Before, 西城区's and 和平镇's designers deployed over 东城区's process (201)."""
    assert _api_deploy(world, "des", "daily = total / days").status_code == 201  # 东城区's, from now on
    for who in ("west_des", "town_des"):  # a sibling, a unit below
        r = _api_deploy(world, who, "daily = total / days * 2")
        assert r.status_code == 403, r.get_json()
        assert "流程「立案即算罚款」属于东城区" in r.get_json()["message"], r.get_json()
        page = client_login(world.app, who, PASSWORD)
        r = page.post("/designer/api/deploy", json={"xml": _model("daily = 0").decode(), "filename": "立案即算罚款.bpmn"},
                      headers={"X-CSRF-Token": page.csrf})
        assert r.status_code == 403 and "属于东城区" in r.get_json()["error"], r.get_json()
        r = page.post("/designer/api/deploy/preview", json={"xml": _model("daily = 0").decode(), "filename": "a.bpmn"},
                      headers={"X-CSRF-Token": page.csrf})
        assert r.status_code == 403 and "属于东城区" in r.get_json()["error"], r.get_json()
    assert world.engine.models.latest("fine_on_start").version == 1
    # the owning unit's designer, one above it, an administrator: new versions
    assert _api_deploy(world, "des", "daily = total / days * 1").status_code == 201
    assert _api_deploy(world, "city_des", "daily = total / days * 1.0").status_code == 201
    assert _api_deploy(world, "adm", "daily = (total / days)").status_code == 201
    assert world.engine.models.latest("fine_on_start").version == 4
    # our own models (deployed at set-up, by no user) are the top unit's: a district's designer is refused
    world.engine.deploy(BPMN / "spawning.bpmn", by="system")
    r = world.call("POST", "/api/models", "des", content_type="multipart/form-data", data={"file": (io.BytesIO(
        (BPMN / "spawning.bpmn").read_bytes().replace(b"\xe5\x8f\xa6\xe6\xa1\x88\xe5\xa4\x84\xe7\x90\x86", b"x")),
        "spawning.bpmn")})
    assert r.status_code == 403 and "属于示范市" in r.get_json()["message"], r.get_json()


def test_model_code_opens_cases_in_the_case_unit_or_below_only(world):
    """Before, 东城区's case opened a case in 西城区 (201, the child in west)."""
    assert _api_deploy(world, "des", SPAWN).status_code == 201
    start = {"process_key": "fine_on_start", "org": "east", "data": {"total": 10, "days": 2, "to_org": "west"}}
    r = world.call("POST", "/api/cases", "insp", json=start)
    body = r.get_json()
    assert r.status_code == 422 and body["incident_id"], body
    assert "「计算每日罚款」要求在「西城区」开启新案件" in body["message"], body
    assert not [c for c in world.engine.cases(process_key="fine_on_start", limit=500) if c.org_code == "west"]
    # the case's own unit and a unit below it: opened
    for org in ("east", "east_town"):
        r = world.call("POST", "/api/cases", "insp", json=dict(start, data=dict(start["data"], to_org=org)))
        assert r.status_code == 201, r.get_json()
    assert {c.org_code for c in world.engine.cases(process_key="fine_on_start", limit=500) if c.parent_case_id} >= {"east", "east_town"}
