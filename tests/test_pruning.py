"""Pruning finished history must never change what a case does: loops through parallel joins and
call activities, restored from the database mid-way, behave as on the first round."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine import Engine
from engine.schema import TaskRow, WorkflowRow
from tests.support import deploy, make_engine


@pytest.mark.parametrize("restart_every", [0, 3])
def test_parallel_and_call_activity_loop_keeps_its_shape_over_many_rounds(database_url, restart_every):
    engine = make_engine(database_url)
    deploy(engine, "child.bpmn", "loop_parallel.bpmn")
    case = engine.start("loop_parallel", by="zhang", org="east")
    rounds = 12
    for r in range(rounds):
        if restart_every and r % restart_every == 0:
            clock = engine.clock
            engine.dispose()
            engine = Engine(database_url, clock=clock)  # nothing cached: restored from rows
        a, b = sorted(engine.queue("zhang"), key=lambda t: t.name)
        assert (a.name, b.name) == ("检查乙", "检查甲") or (a.name, b.name) == ("检查甲", "检查乙")
        engine.complete(a.id, "zhang", {f"a{r}": True})
        (waiting,) = engine.queue("zhang")  # the join waits for the other branch
        engine.complete(waiting.id, "zhang", {f"b{r}": True})
        (child,) = engine.queue("zhang")
        assert child.name == "现场核查"
        engine.complete(child.id, "zhang", {"round": r})
        (verify,) = engine.queue("zhang")
        assert verify.name == "复核"
        engine.complete(verify.id, "zhang", {"finished": r == rounds - 1})
    view = engine.case(case.id)
    assert view.status == "completed"
    assert view.data["round"] == rounds - 1 and view.data["a0"] is True and view.data[f"b{rounds - 1}"] is True
    with engine.db.read() as s:
        live = s.execute(sa.select(sa.func.count()).where(TaskRow.case_id == case.id, TaskRow.live.is_(True))).scalar()
        live_wfs = s.execute(sa.select(sa.func.count()).where(WorkflowRow.case_id == case.id, WorkflowRow.live.is_(True))).scalar()
        archived = s.execute(sa.select(sa.func.count()).where(TaskRow.case_id == case.id, TaskRow.live.is_(False))).scalar()
    assert live < 20 and live_wfs <= 2 and archived > rounds * 8
    completed = [e for e in view.history if e["action"] == "completed"]
    assert len(completed) == rounds * 4
    engine.dispose()
