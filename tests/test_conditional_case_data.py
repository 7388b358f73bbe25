"""A conditional event (条件事件) reads the case's data as Camunda's process variables hold it: a value
one parallel branch wrote beats the value another branch carried unchanged since the fork
(engine/conditional_events.case_data, read as engine/join_data.open_case_data reads a running
case), on a real SQLite file and real PostgreSQL, with a model drawn as Camunda Modeler 5 saves it
(tests/bpmn/interop/camunda7_parallel_conditional_recheck.bpmn: 现场核查 records 整改到位, the
enterprise's 整改报告 is recorded beside it, 复查验收 opens once both hold and its 验收结论 reads
both, 《安全生产法》第六十五条).

Before: the event laid the open tasks' data one over another in task order and the task completed
last on top; the branch completed second still carried ``rectified = false`` (or ``reported =
false``) from the fork, so the condition never held and 复查验收 never opened.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import IncidentRaised

from tests.interop_support import user_for
from tests.support import make_engine

KEY = "camunda7_parallel_conditional_recheck"
MODEL = (Path(__file__).parent / "bpmn" / "interop" / f"{KEY}.bpmn").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.deploy(MODEL, by="boss", filename=f"{KEY}.bpmn")
    yield eng
    eng.dispose()


def work(engine, case_id, spec_id, data):
    (task,) = [t for t in engine.case(case_id).tasks if t.spec_id == spec_id]
    engine.complete(task.id, user_for(engine, task), data)
    return sorted(t.name for t in engine.case(case_id).tasks)


@pytest.mark.parametrize("cold", [False, True], ids=["cached", "loaded_from_rows"])
@pytest.mark.parametrize("first, second", [
    (("Activity_0site01", {"rectified": True}), ("Activity_0rept01", {"reported": True})),
    (("Activity_0rept01", {"reported": True}), ("Activity_0site01", {"rectified": True})),
])
def test_the_event_fires_once_both_branches_have_written(engine, first, second, cold):
    case = engine.start(KEY, by="zhang", org="east", data={"rectified": False, "reported": False})
    assert "复查验收" not in work(engine, case.id, *first)   # one of the two: not yet
    if cold:
        engine._evict(case.id)  # a restart, or another worker: the case is loaded from its rows
    assert work(engine, case.id, *second) == ["复查验收"]
    # the case page (the case row's data, engine/step.case_data_text) says both too: the branch that
    # came in to the join first counts though SpiffWorkflow cancelled its join task
    shown = engine.case(case.id).data
    assert (shown["rectified"], shown["reported"]) == (True, True)
    # 复查验收 goes on with the data the event read: its 验收结论 reads both as true (Camunda's process
    # variables); with the event's own copy (the fork's false) it sent the case to 补充整改材料
    assert work(engine, case.id, "Activity_0accept", {}) == []
    done = engine.case(case.id)
    assert done.status == "completed"
    assert (done.data["rectified"], done.data["reported"]) == (True, True)


def test_the_event_waits_while_a_branch_writes_no(engine):
    """The guard the other way round: 现场核查 finds it not rectified; 复查验收 does not open (nothing
    can change the data any more: the stall check says so, naming the event, the task still open)."""
    case = engine.start(KEY, by="zhang", org="east", data={"rectified": False, "reported": False})
    work(engine, case.id, "Activity_0rept01", {"reported": True})
    with pytest.raises(IncidentRaised) as raised:
        work(engine, case.id, "Activity_0site01", {"rectified": False})
    assert "整改到位且报告已交" in raised.value.message
    assert "复查验收" not in [t.name for t in engine.case(case.id).tasks]
