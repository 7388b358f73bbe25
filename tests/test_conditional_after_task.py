"""A conditional catch event (条件事件) reached straight from a user task, on a real database
(engine/conditional_events.py): its condition must read what that task was just completed with.

The model, tests/bpmn/recheck_conditional.bpmn, is drawn as Camunda Modeler draws it: the enterprise
reports its rectification (企业报告整改情况, ``rectified``), the inspector rechecks it (复查整改情况,
``rectified`` again), and the hazard is closed (隐患销号) only once 整改到位 (``${rectified == true}``)
holds. In Camunda the recheck's ``rectified = false`` is the process variable the event reads.
"""
from __future__ import annotations

import pytest

from engine import ManualClock
from engine.errors import IncidentRaised
from tests.support import START, deploy, make_engine

MODEL = "recheck_conditional"


def _open(e, case_id) -> list[str]:
    return sorted(t.spec_id for t in e.case(case_id).tasks)


def _work(e, case_id, spec_id, data):
    (task,) = [t for t in e.case(case_id).tasks if t.spec_id == spec_id]
    e.complete(task.id, "zhang", data)


@pytest.mark.parametrize("cold", [False, True], ids=["cached", "loaded_from_rows"])
def test_a_recheck_that_finds_the_hazard_not_rectified_does_not_close_it(database_url, cold):
    """The enterprise says 整改到位 (``rectified = true``); the inspector's recheck says it is not
    (``rectified = false``). 整改到位 must not fire on the enterprise's word: the hazard is not closed
    (隐患销号 never opens; here the case waits on a condition nothing can change any more, which the
    stall check refuses with its Chinese explanation, the recheck still open)."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, f"{MODEL}.bpmn")
        case = e.start(MODEL, by="zhang", org="east")
        _work(e, case.id, "Activity_0report", {"rectified": True})
        if cold:
            e._evict(case.id)  # a restart, or another worker: the case is loaded from its rows
        try:
            _work(e, case.id, "Activity_0recheck", {"rectified": False})
        except IncidentRaised as exc:
            assert "整改到位" in str(exc)
        assert "Activity_0close" not in _open(e, case.id)
    finally:
        e.dispose()


def test_a_recheck_that_confirms_the_rectification_closes_the_hazard(database_url):
    """The other way round (the guard above is not an event that never fires): the enterprise has not
    finished (``rectified = false``), the recheck finds it done (``rectified = true``): 隐患销号 opens."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, f"{MODEL}.bpmn")
        case = e.start(MODEL, by="zhang", org="east")
        _work(e, case.id, "Activity_0report", {"rectified": False})
        _work(e, case.id, "Activity_0recheck", {"rectified": True})
        assert _open(e, case.id) == ["Activity_0close"]
        _work(e, case.id, "Activity_0close", {})
        assert e.case(case.id).status == "completed"
    finally:
        e.dispose()
