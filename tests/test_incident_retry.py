"""An incident retried twice at once runs its command once (issue 15).

The resolution is written in the retried command's own transaction, which reads the incident
under a row lock first (``FOR UPDATE`` on PostgreSQL, SQLite's writer lock): the second retry
finds it resolved and is refused with nothing run — before, the command committed and the
incident was resolved afterwards in a transaction of its own, so two supervisors retrying one
failed start made two cases.
"""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from engine import Conflict, IncidentRaised, incidents
from engine.schema import Case
from tests.support import BPMN, deploy, engine_fixture, make_engine


engine = engine_fixture()


def _calc_first(engine) -> None:
    """failing_script.bpmn with its script first: the start itself fails on ``days == 0``."""
    source = (BPMN / "failing_script.bpmn").read_text(encoding="utf-8").replace('id="fine_calc"', 'id="calc_first"')
    for drawn in ('<bpmn:flowNodeRef>enter</bpmn:flowNodeRef>', '<bpmn:userTask id="enter" name="录入罚款" />',
                  '<bpmn:sequenceFlow id="f2" sourceRef="enter" targetRef="calc" />'):
        source = source.replace(drawn, "")
    engine.deploy(source.replace('sourceRef="start" targetRef="enter"', 'sourceRef="start" targetRef="calc"'),
                  by="boss", filename="calc_first.bpmn")


def test_two_retries_of_one_failed_start_at_once_start_one_case(engine, monkeypatch):
    _calc_first(engine)
    with pytest.raises(IncidentRaised) as err:
        engine.start("calc_first", by="zhang", org="east", data={"total": 3000, "days": 0})
    incident_id = err.value.incident_id
    both_checked = threading.Barrier(2, timeout=30)
    run = incidents.RETRY["start"]

    def after_both_checked(e, command, by):  # both retries have read the incident open
        both_checked.wait()
        return run(e, command, by)
    monkeypatch.setitem(incidents.RETRY, "start", after_both_checked)
    results: list = []

    def retry(by: str) -> None:
        try:
            results.append(engine.retry_incident(incident_id, by=by, data={"total": 3000, "days": 30}))
        except Conflict as exc:
            results.append(exc)
    threads = [threading.Thread(target=retry, args=(by,)) for by in ("eastboss", "boss")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(results) == 2 and len(refused) == 1, results
    assert incidents.ALREADY_RETRIED in str(refused[0]) and "已被重试" in str(refused[0])
    with engine.db.engine.connect() as conn:
        started = conn.execute(sa.select(Case.case_no).where(Case.process_key == "calc_first")).scalars().all()
    assert len(started) == 1 and started[0].endswith("-00001")  # the refused retry took no number
    (inc,) = [i for i in engine.incidents(open_only=False) if i.id == incident_id]
    assert inc.resolved_at is not None and inc.resolved_by in ("eastboss", "boss")
    with pytest.raises(Conflict):  # and later
        engine.retry_incident(incident_id, by="eastboss")
    assert engine.verify_audit() is None


def test_a_retried_step_of_a_case_is_resolved_with_it_in_the_case_history(engine):
    deploy(engine, "failing_script.bpmn")
    case = engine.start("fine_calc", by="zhang", org="east")
    (enter,) = engine.queue("zhang")
    with pytest.raises(IncidentRaised) as err:
        engine.complete(enter.id, "zhang", {"total": 3000, "days": 0})
    engine.retry_incident(err.value.incident_id, by="eastboss", data={"total": 3000, "days": 30})
    history = [h["action"] for h in engine.case(case.id).history]
    assert history.count("incident_resolved") == 1 and history.index("incident") < history.index("incident_resolved")
    assert engine.incidents(case_id=case.id) == [] and engine.verify_audit() is None
