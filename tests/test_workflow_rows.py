"""A workflow's own row (engine/state.py ``_workflow_meta``/``_meta_mark``/``_workflow_text``) when
the workflow holds data of its own: a data object (数据对象) of the process, written by a task inside
an embedded sub-process — so the process's row changes while none of the process's own tasks do.

The model, tests/bpmn/inspection_hazard_object.bpmn, is drawn as Camunda Modeler draws it: 现场检查
(an embedded sub-process) registers the 隐患清单 data object from the hazard an inspector records,
and 复查隐患整改, after the sub-process, reads it.
"""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from engine import ManualClock, state as wfstate
from engine.schema import WorkflowRow
from tests.support import START, deploy, make_engine

MODEL = "inspection_hazard_object"
HAZARD = [{"隐患": "消防通道堵塞，堆放杂物", "期限": "２０２６年12月31日"}]


def _work(e, case_id, spec_id, data):
    (task,) = [t for t in e.case(case_id).tasks if t.spec_id == spec_id]
    e.complete(task.id, "zhang", data)


def _top_row(e, case_id) -> dict:
    with e.db.engine.connect() as conn:
        text = conn.execute(sa.select(WorkflowRow.content).where(
            WorkflowRow.case_id == case_id, WorkflowRow.wf_key == wfstate.TOP, WorkflowRow.live.is_(True))).scalar_one()
    return json.loads(text)


@pytest.mark.parametrize("cold", [False, True], ids=["cached", "loaded_from_rows"])
def test_a_data_object_written_inside_a_sub_process_is_kept_for_the_task_that_reads_it(database_url, cold):
    """Guard (``state._meta_mark``: a workflow holding data gets no mark, its row is built every step;
    ``_workflow_meta``: the workflow's data in its row): the hazard recorded in 现场检查 goes into the
    process's 隐患清单 in a step that completes no task of the process itself, and 复查隐患整改 reads it
    after the sub-process — also when the case was loaded from its rows in between (a restart, another
    worker). Mutation testing: with a mark for a workflow holding data, the process's row was kept as
    it was before the step and the 隐患清单 came back empty from the rows; with the data left out of
    the row, likewise."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, f"{MODEL}.bpmn")
        case = e.start(MODEL, by="zhang", org="east")
        _work(e, case.id, "Activity_0find", {"隐患描述": HAZARD[0]["隐患"], "整改期限": HAZARD[0]["期限"]})
        assert _top_row(e, case.id)["data"]["data_objects"] == {"hazard_list": HAZARD}
        if cold:
            e._evict(case.id)
        _work(e, case.id, "Activity_0summary", {"检查小结": "发现隐患1项，已责令限期整改"})
        view = e.case(case.id)
        assert [t.spec_id for t in view.tasks] == ["Activity_0recheck"]
        assert view.data["hazard_list"] == HAZARD
        _work(e, case.id, "Activity_0recheck", {"复查结论": "已整改"})
        assert e.case(case.id).status == "completed"
    finally:
        e.dispose()
