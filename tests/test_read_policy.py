"""One read policy for pages and API (issue 15): what a caller may list comes from the engine's rule
(engine/queries.py ``Scope``, engine/incidents.py ``visible``), not from a copy in webui/ that drifts.
These are the cases where copies had drifted: the API's timer list showed a third party (第三方机构)
every timer of its org unit's cases, and the API's incident list showed every supervisor a failed
start (立案失败) of any org unit. SQLite and PostgreSQL, through the real app."""
from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from engine import IncidentRaised
from tests.test_api_helpers import BPMN, PASSWORD

pytest_plugins = ["tests.test_api_helpers"]  # world


@pytest.fixture
def firm(world):
    """A third-party assessment firm (第三方评估机构) in the east unit, assigned no case."""
    d = world.engine.directory
    d.add_role("assessor", "第三方评估机构")
    d.add_user("firm", org="east", roles=["assessor"], name="安评公司", password_hash=generate_password_hash(PASSWORD))
    world.engine.policy.external_roles = frozenset({"assessor"})
    return "firm"


def test_a_third_party_lists_no_timer_of_a_case_it_is_not_assigned_to(world, firm):
    case_id = world.start("own_org")
    assert [t["case_id"] for t in world.call("GET", "/api/timers", "insp").get_json()["items"]] == [case_id]
    assert world.call("GET", f"/api/cases/{case_id}", firm).status_code == 403
    assert world.call("GET", "/api/timers", firm).get_json()["items"] == []
    assert world.call("GET", f"/api/timers?case_id={case_id}", firm).get_json()["items"] == []


def test_a_failed_start_is_listed_to_supervisors_over_its_org_unit_only_on_page_and_api(world):
    e = world.engine
    e.directory.add_user("west_sup", org="west", roles=["supervisor"], name="西区科长",
                         password_hash=generate_password_hash(PASSWORD))
    # The script-sandbox model with its first user task cut out: the script runs at the start.
    source = (BPMN / "api_script.bpmn").read_text(encoding="utf-8").replace('id="api_script"', 'id="script_first"')
    for drawn in ('<bpmn:flowNodeRef>enter</bpmn:flowNodeRef>', '<bpmn:userTask id="enter" name="录入数据" />',
                  '<bpmn:sequenceFlow id="f2" sourceRef="enter" targetRef="run_script" />'):
        assert drawn in source
        source = source.replace(drawn, "")
    source = source.replace('sourceRef="start" targetRef="enter"', 'sourceRef="start" targetRef="run_script"')
    e.deploy(source.encode("utf-8"), by="des", filename="script_first.bpmn")
    with pytest.raises(IncidentRaised) as raised:
        e.start("script_first", by="east_insp2", org="east", data={})  # no amount: the script fails
    incident = raised.value.incident_id
    assert [i["id"] for i in world.call("GET", "/api/incidents", "sup").get_json()["items"]] == [incident]
    assert world.call("GET", "/api/incidents", "west_sup").get_json()["items"] == []
    assert [i.id for i in e.visible_incidents("sup")] == [incident]  # what the supervisor page lists
    assert e.visible_incidents("west_sup") == []
    assert world.call("POST", f"/api/incidents/{incident}/retry", "west_sup", json={}).status_code == 403
