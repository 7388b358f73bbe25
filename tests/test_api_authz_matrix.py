"""The authorization matrix through the REST API: every role × every action × every scope.

Each row below is written out by hand from the rules in engine/policy.py and DESIGN.md §1-§2 — not
computed from the policy — so a change in who may do what shows up here as a failing cell.
Scopes (columns, in this order): the subject's own org unit (east), an org unit below it
(east_town), another org unit (west), a case of the subject's own enterprise, a case of another
enterprise. Y = allowed, N = refused (403 for actions on one case, absent from lists) — an enterprise
user refused a case is answered 404, as for a case that is not there (engine/policy.CaseHidden: case ids
are dense, and a 403 beside a 404 told it which case was kept from it), and a task of a case it may not
see is answered 404 as a task that is not there, when shown, claimed, completed or released
(webui/task_reach.py; tests/test_security_review12_s27.py).
"""
from __future__ import annotations

import pytest

from tests.test_api_helpers import LANE_TASK, LOCAL_INSPECTOR, SCOPES, SUBJECTS, World, build_app, build_engine

pytest_plugins = ["tests.test_api_helpers"]  # world, module_database_url

SCOPE_ORDER = list(SCOPES)

SEES_CASE = {"inspector": "YYNYY", "supervisor": "YYNYY", "enterprise": "NNNYN", "admin": "YYNYY",
             "designer": "YYNYY"}
WORKS_OWN_LANE = {"inspector": "YNNYY", "supervisor": "YYNYY", "enterprise": "NNNYN", "admin": "NNNNN",
                  "designer": "NNNNN"}
SUPERVISES = {"inspector": "NNNNN", "supervisor": "YYNYY", "enterprise": "NNNNN", "admin": "YYYYY",
              "designer": "NNNNN"}

MATRIX = {
    "view_case": SEES_CASE,
    "list_cases": SEES_CASE,
    "show_task": SEES_CASE,
    "list_timers": SEES_CASE,
    "queue": WORKS_OWN_LANE,
    "claim": WORKS_OWN_LANE,
    "complete": WORKS_OWN_LANE,
    "release_colleagues_claim": {role: "NNNNN" for role in SUBJECTS},
    "list_incidents": SUPERVISES,
    "retry_incident": SUPERVISES,
    # An enterprise user may open a case only for itself and in its own org unit, and only of a model
    # whose start event names its role (startableBy); an official one it would be allowed to see.
    "start_case": {"inspector": "YYNYY", "supervisor": "YYNYY", "enterprise": "YNNYN", "admin": "YYNYY",
                   "designer": "YYNYY"},
}

# Actions that do not depend on a case: role only.
ROLE_MATRIX = {
    "list_models": {"inspector": "Y", "supervisor": "Y", "enterprise": "N", "admin": "Y", "designer": "Y"},
    "deploy_model": {"inspector": "N", "supervisor": "N", "enterprise": "N", "admin": "Y", "designer": "Y"},
    "list_users": {"inspector": "N", "supervisor": "N", "enterprise": "N", "admin": "Y", "designer": "N"},
    "save_user": {"inspector": "N", "supervisor": "N", "enterprise": "N", "admin": "Y", "designer": "N"},
    "save_org": {"inspector": "N", "supervisor": "N", "enterprise": "N", "admin": "Y", "designer": "N"},
}

CELLS = [(action, role, scope, table[role][i] == "Y")
         for action, table in MATRIX.items() for role in SUBJECTS for i, scope in enumerate(SCOPE_ORDER)]
ROLE_CELLS = [(action, role, table[role] == "Y") for action, table in ROLE_MATRIX.items() for role in SUBJECTS]


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    engine = build_engine(module_database_url)
    w = World(engine, build_app(engine, tmp_path_factory.mktemp("app")))
    # One read-only case per scope, with an open incident, made before any test adds cases, so it
    # comes first in queues (oldest) and can be found in every list.
    w.shared = {}
    for scope in SCOPE_ORDER:
        case_id = w.start(scope, title=f"shared {scope}")
        w.shared[scope] = (case_id, w.incident(case_id))
    yield w
    engine.dispose()


def _expect(response, allowed: bool, ok: int = 200, refused: int = 403):
    if allowed:
        assert response.status_code == ok, response.get_json()
    else:
        assert response.status_code == refused, response.get_json()
        body = response.get_json()
        assert body["code"] == refused and body["message"]


@pytest.mark.parametrize("action, role, scope, allowed", CELLS,
                         ids=[f"{a}-{r}-{s}-{'allow' if ok else 'deny'}" for a, r, s, ok in CELLS])
def test_matrix(world, action, role, scope, allowed):
    user = SUBJECTS[role]
    shared_case, shared_incident = world.shared[scope]
    lane_task = LANE_TASK[role]
    hidden = 404 if role == "enterprise" and scope != "own_enterprise" else 403  # a task it may not know of

    if action == "view_case":
        _expect(world.call("GET", f"/api/cases/{shared_case}", user), allowed, refused=404 if role == "enterprise" else 403)
    elif action == "list_cases":
        case_no = world.engine.case(shared_case).case_no
        r = world.call("GET", f"/api/cases?case_no={case_no}&limit=200", user)
        assert r.status_code == 200
        assert (shared_case in [c["id"] for c in r.get_json()["items"]]) is allowed
    elif action == "show_task":
        task = world.task(shared_case, lane_task if role == "enterprise" else "inspect")
        _expect(world.call("GET", f"/api/tasks/{task}", user), allowed, refused=hidden)
    elif action == "list_timers":
        r = world.call("GET", f"/api/timers?case_id={shared_case}", user)
        assert r.status_code == 200
        assert (len(r.get_json()["items"]) == 1) is allowed
    elif action == "queue":
        task = world.task(shared_case, lane_task)
        r = world.call("GET", "/api/tasks?limit=200", user)
        assert r.status_code == 200
        assert (task in [t["id"] for t in r.get_json()["items"]]) is allowed
    elif action == "claim":
        case_id = world.start(scope)
        r = world.call("POST", f"/api/tasks/{world.task(case_id, lane_task)}/claim", user)
        _expect(r, allowed, refused=hidden)
        if allowed:
            assert r.get_json()["assignee"] == user
    elif action == "complete":
        case_id = world.start(scope)
        r = world.call("POST", f"/api/tasks/{world.task(case_id, lane_task)}/complete", user, json={"data": {}})
        _expect(r, allowed, refused=hidden)
        done = [e for e in world.engine.case(case_id).history if e["action"] == "completed"]
        assert [e["actor"] for e in done] == ([user] if allowed else [])
    elif action == "release_colleagues_claim":
        case_id = world.start(scope)
        task = world.task(case_id, "inspect")
        colleague = LOCAL_INSPECTOR[SCOPES[scope][0]]
        world.engine.claim(task, colleague)
        _expect(world.call("POST", f"/api/tasks/{task}/release", user), allowed, refused=hidden)
        assert world.engine.task(task).assignee == colleague
    elif action == "list_incidents":
        r = world.call("GET", f"/api/incidents?case_id={shared_case}", user)
        assert r.status_code == 200
        assert ([i["id"] for i in r.get_json()["items"]] == [shared_incident]) is allowed
    elif action == "retry_incident":
        case_id = world.start(scope)
        incident = world.incident(case_id)
        r = world.call("POST", f"/api/incidents/{incident}/retry", user, json={"data": {"total": 100, "days": 4}})
        _expect(r, allowed)
        if allowed:
            assert r.get_json()["incident"]["resolved_by"] == user
            assert "figures" not in [t.spec_id for t in world.engine.case(case_id).tasks]
    elif action == "start_case":
        org, party = SCOPES[scope]
        body = {"process_key": "api_matrix", "org": org, "title": "接口立案"}
        if party and not (role == "enterprise" and scope == "own_org"):
            body["party"] = party
        r = world.call("POST", "/api/cases", user, json=body)
        _expect(r, allowed, ok=201)
        if allowed:
            assert r.get_json()["started_by"] == user and r.get_json()["org_code"] == org
    else:
        raise AssertionError(action)


@pytest.mark.parametrize("action, role, allowed", ROLE_CELLS,
                         ids=[f"{a}-{r}-{'allow' if ok else 'deny'}" for a, r, ok in ROLE_CELLS])
def test_role_matrix(world, action, role, allowed):
    user = SUBJECTS[role]
    if action == "list_models":
        _expect(world.call("GET", "/api/models", user), allowed)
    elif action == "deploy_model":
        import io
        content = _variant(f"api_role_{role}")
        r = world.call("POST", "/api/models", user,
                       data={"file": (io.BytesIO(content), f"api_role_{role}.bpmn")},
                       content_type="multipart/form-data")
        _expect(r, allowed, ok=201)
        if allowed:
            assert r.get_json()["deployed_by"] == user
    elif action == "list_users":
        _expect(world.call("GET", "/api/users", user), allowed)
    elif action == "save_user":
        r = world.call("POST", "/api/users", user,
                       json={"username": f"new_{role}", "org": "west", "roles": ["inspector"], "name": "新人"})
        _expect(r, allowed, ok=201)
    elif action == "save_org":
        r = world.call("POST", "/api/orgs", user,
                       json={"code": f"town_{role}", "name": "新镇", "parent": "west", "level": "镇"})
        _expect(r, allowed, ok=201)
    else:
        raise AssertionError(action)


def _variant(process_id: str) -> bytes:
    from tests.test_api_helpers import BPMN
    return (BPMN / "api_script.bpmn").read_text(encoding="utf-8").replace(
        'id="api_script"', f'id="{process_id}"').encode("utf-8")
