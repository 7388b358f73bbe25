"""Security of the web layer, finding by finding of the security review (issue 12), on a real
SQLite file and a real PostgreSQL database: documents never execute, incidents are retried only
within the supervisor's own org units and recorded as done on the original user's behalf.
"""
from __future__ import annotations

import pytest

from tests.ui_support import ACME, client_login, make_world, start_hazard

SCRIPT_TITLE = "<script>fetch('/api/tokens',{method:'POST'})</script>甲化工有限公司"


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("web"), url=module_database_url)
    yield w
    w.engine.dispose()


def text(response) -> str:
    return response.get_data(as_text=True)


# --- 文书 downloads never execute (High) ---------------------------------------------------------

def test_a_document_whose_text_begins_with_a_script_tag_is_downloaded_as_plain_text(world):
    case = world.engine.start("accident_investigation", by="zhang", party=ACME, title="储罐爆炸事故",
                              data={"accident_title": SCRIPT_TITLE})
    client = client_login(world.app, "zhang")
    page = text(client.get(f"/cases/{case.id}"))
    key = "accident_report" if "/documents/accident_report" in page else \
        page.split(f"/cases/{case.id}/documents/", 1)[1].split('"', 1)[0]
    response = client.get(f"/cases/{case.id}/documents/{key}")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert text(response).startswith(SCRIPT_TITLE)  # the text itself, unchanged, as text


def test_every_page_carries_a_csp_that_allows_scripts_from_this_site_only(world):
    client = client_login(world.app, "zhang")
    case = start_hazard(world.engine)
    for path in ("/login", "/tasks/mine", f"/cases/{case.id}", "/cases/search", "/no-such-page"):
        policy = client.get(path).headers.get("Content-Security-Policy", "")
        directives = {d.strip().split(" ", 1)[0]: d.strip() for d in policy.split(";") if d.strip()}
        assert directives.get("default-src") == "default-src 'self'", (path, policy)
        assert directives.get("script-src") == "script-src 'self'", (path, policy)


# --- incidents: authorized by org unit, retried on the original user's behalf (High) ------------

@pytest.fixture(scope="module")
def incident_models(world):
    from tests.ui_support import ROOT
    world.engine.directory.add_user("zhou", org="west", roles=["supervisor"], name="周科长",
                                    password_hash=_password_hash())
    for name in ("start_script.bpmn", "failing_script.bpmn"):
        world.engine.deploy(ROOT / "tests" / "bpmn" / name, by="zhao")
    # One good start first: a failed *first* start of a fresh model is another finding of issue 12
    # (the model cache, not this suite's concern).
    world.engine.start("fine_on_start", by="li", title="预热", data={"total": 1, "days": 1})
    return world


def _password_hash():
    from tests.ui_support import _password_hash as h
    return h()


def _start_incident(engine):
    from engine.errors import IncidentRaised
    with pytest.raises(IncidentRaised) as raised:
        engine.start("fine_on_start", by="zhang", title="丙公司罚款计算", data={"total": 30000, "days": 0})
    return raised.value.incident_id


def test_a_start_incident_is_refused_to_another_districts_supervisor(incident_models):
    from engine.errors import Forbidden
    world = incident_models
    incident_id = _start_incident(world.engine)  # 东城 inspector, no case yet
    zhou = client_login(world.app, "zhou")  # 西城 supervisor
    assert f'data-incident="{incident_id}"' not in text(zhou.get("/supervise/incidents"))
    response = zhou.post(f"/supervise/incidents/{incident_id}/retry",
                         data={"_csrf": zhou.csrf, "data": '{"total": 1, "days": 1}'})
    assert response.status_code == 403
    with pytest.raises(Forbidden):
        world.engine.retry_incident(incident_id, by="zhou", data={"total": 1, "days": 1})
    assert any(i.id == incident_id for i in world.engine.incidents())  # still open, nothing started
    qian = client_login(world.app, "qian")  # 东城 supervisor sees it
    assert f'data-incident="{incident_id}"' in text(qian.get("/supervise/incidents"))


def test_a_start_retry_is_recorded_as_the_supervisor_on_behalf_of_the_starter(incident_models):
    world = incident_models
    incident_id = _start_incident(world.engine)
    qian = client_login(world.app, "qian")
    response = qian.post(f"/supervise/incidents/{incident_id}/retry",
                         data={"_csrf": qian.csrf, "data": '{"total": 30000, "days": 10}'})
    assert response.status_code == 302
    case = next(c for c in world.engine.cases(process_key="fine_on_start", limit=5) if c.title == "丙公司罚款计算")
    view = world.engine.case(case.id)
    assert view.data["daily"] == 3000 and view.started_by == "zhang"
    started = next(ev for ev in view.history if ev["action"] == "started")
    assert started["actor"] == "qian" and started["detail"]["on_behalf_of"] == "zhang"
    timeline = text(qian.get(f"/cases/{case.id}")).split('id="timeline"', 1)[1]
    assert "钱科长" in timeline and "代 张三" in timeline


def test_a_completion_retry_with_new_data_names_the_supervisor_and_the_original_user(incident_models):
    from engine.errors import IncidentRaised
    from tests.ui_support import open_task
    world = incident_models
    case = world.engine.start("fine_calc", by="zhang", title="丁公司罚款计算")
    with pytest.raises(IncidentRaised) as raised:
        world.engine.complete(open_task(world.engine, case.id, "enter").id, "zhang", {"total": 30000, "days": 0})
    with pytest.raises(Exception):
        world.engine.retry_incident(raised.value.incident_id, by="zhou", data={"total": 30000, "days": 10})
    world.engine.retry_incident(raised.value.incident_id, by="qian", data={"total": 30000, "days": 10})
    completed = [ev for ev in world.engine.case(case.id).history if ev["action"] == "completed"]
    assert [(ev["actor"], ev["detail"].get("on_behalf_of")) for ev in completed] == [("qian", "zhang")]
    assert world.engine.verify_audit() is None
