"""The history a step leaves in the database (engine/state.py, ``state.save``), on a real database.

A case's finished tasks stay as rows (``live`` false) after pruning cuts them out of the live tree —
including tasks a step ran and finished itself, which never had a row before that step: a script loop
(tests/bpmn/hazard_items_loop.bpmn, drawn as Camunda Modeler draws it) registers the hazards an
inspector entered one by one, all in the step that completes the entry.
"""
from __future__ import annotations

import sqlalchemy as sa

from engine.schema import TaskRow
from tests.support import deploy, make_engine

HAZARDS = ["消防通道堵塞", "应急照明损坏", "配电箱未上锁", "危化品仓库无通风", "灭火器过期（共３具）", "安全出口指示灯不亮"]


def test_every_round_of_a_loop_run_within_one_step_is_kept_in_the_history(database_url):
    """Guard (``state.save``: "tasks born and pruned in this same step still belong to the history"):
    completing 录入隐患清单 runs 登记一项 six times in one step; each run is a row of the case's
    history, the rounds the live tree no longer holds as ``live`` false, and the ledger holds all six
    numbered in order (mutation testing: those rows dropped, half-built or never converted went
    unnoticed — no test ran a loop inside one step)."""
    e = make_engine(database_url)
    deploy(e, "hazard_items_loop.bpmn")
    case = e.start("hazard_items_loop", by="zhang", org="east", data={"企业名称": "东城化工有限公司"})
    (task,) = e.case(case.id).tasks
    e.complete(task.id, "zhang", {"隐患清单": HAZARDS})
    view = e.case(case.id)
    assert [t.spec_id for t in view.tasks] == ["Activity_0review"]
    assert view.data["隐患台账"] == [{"序号": i + 1, "隐患": h} for i, h in enumerate(HAZARDS)]
    with e.db.engine.connect() as conn:
        rows = conn.execute(sa.select(TaskRow.spec_name, TaskRow.live, TaskRow.state, TaskRow.content)
                            .where(TaskRow.case_id == case.id)).all()
    taken = [r for r in rows if r.spec_name == "Activity_0take"]
    assert len(taken) == len(HAZARDS)
    assert sum(1 for r in rows if r.spec_name == "Gateway_0more") == len(HAZARDS) + 1
    history = [r for r in taken if not r.live]
    assert history, "the early rounds are cut out of the live tree"
    assert all('"Activity_0take"' in r.content and r.state == 64 for r in history)  # COMPLETED
    e.dispose()
