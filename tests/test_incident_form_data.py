"""A completion the model's own code fails keeps the form as the person typed it (engine/tasks.py, engine/incidents.py).

The step is rolled back and an incident (异常事件) stored; the supervisor's retry page is filled from
the incident's payload (webui/incident_form.py), and a retry without corrected data submits it again.
Nothing the official typed may be lost on the way, on a real database.
"""
from __future__ import annotations

import pytest

from engine import IncidentRaised
from tests.support import deploy, make_engine

FORM = {"total": 3000, "days": 0, "罚款金额（大写）": "叁仟元整", "备注": "企业称５日内整改完毕，金额 5,000,000 为误填"}


def test_a_completion_its_script_fails_keeps_the_typed_form_in_its_incident_and_in_the_retry(database_url):
    """Guard (``tasks.complete``: the incident's payload is ``{"data": the form}``): 录入罚款 submitted
    with 0 days fails in 计算每日罚款 (division by zero); the incident holds the form whole, Chinese
    text and full-width digits included; a retry as it was typed fails again and the incident, still
    the one open for the step, holds the same form; the retry with the days corrected completes the task with every other field
    as typed (mutation testing: the payload dropped, its key misspelt or the form not put in it went
    unnoticed — the one retry test passes corrected data, which replaces the payload)."""
    e = make_engine(database_url)
    deploy(e, "failing_script.bpmn")
    case = e.start("fine_calc", by="zhang", org="east")
    (enter,) = e.queue("zhang")
    with pytest.raises(IncidentRaised) as first:
        e.complete(enter.id, "zhang", dict(FORM))
    (incident,) = e.incidents(case_id=case.id)
    assert (incident.id, incident.action, incident.task_id) == (first.value.incident_id, "complete", enter.id)
    assert incident.payload == {"data": FORM}
    with pytest.raises(IncidentRaised) as again:
        e.retry_incident(incident.id, by="eastboss")
    (second,) = e.incidents(case_id=case.id)
    assert second.id == again.value.incident_id == incident.id and second.payload["data"] == FORM
    e.retry_incident(second.id, by="eastboss", data={**second.payload["data"], "days": 30})
    view = e.case(case.id)
    assert [t.name for t in view.tasks] == ["复核"]
    assert {k: view.data[k] for k in FORM} == {**FORM, "days": 30} and view.data["daily"] == 100
    e.dispose()
