"""A day a script leaves in the case data (``整改期限 = date(2026, 12, 1)``) is stored and read back
as a day, on a real database, in the engine's cache and loaded from the rows
(engine/state.py ``_data_registry``): SpiffWorkflow's serializer knows datetime and timedelta but
not date, and such a step failed with "Object of type date is not JSON serializable"."""
from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from engine import ManualClock, state as wfstate
from engine.schema import Case
from tests.support import START, deploy, make_engine, open_task_id

MODEL = "date_script_data"


@pytest.mark.parametrize("cold", [False, True], ids=["cached", "loaded_from_rows"])
def test_days_a_script_sets_are_kept_as_days(database_url, cold):
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, f"{MODEL}.bpmn")
        case = e.start(MODEL, by="zhang", org="east")
        with e.db.engine.connect() as conn:
            data = conn.execute(sa.select(sa.cast(Case.data, sa.Text)).where(Case.id == case.id)).scalar_one()
        assert json.loads(data)["整改期限"] == "2026-12-01"  # the case row: the day as text
        if cold:
            e._evict(case.id)
        e.complete(open_task_id(e, case.id), "zhang", {})  # 现场核查; then the script adds 15 days to a date
        if cold:
            e._evict(case.id)
        (task,) = e.case(case.id).tasks
        with e.db.read() as s:
            spec, subs = e.models.specs(s, s.get(Case, case.id).bundle_hash)
            workflow = wfstate.restore(s, case.id, spec, subs, e.script_engine).workflow
        ready = [t for t in workflow.tasks.values() if t.task_spec.name == "review"][0]
        assert ready.data["整改期限"] == date(2026, 12, 16) and type(ready.data["整改期限"]) is date
        assert ready.data["延期天数"] == 15
        assert ready.data["复查日"] == [date(2026, 12, 2), {"第二次": date(2026, 12, 16)}]
        e.complete(task.id, "zhang", {})
        assert e.case(case.id).status == "completed"
    finally:
        e.dispose()
