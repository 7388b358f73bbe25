"""Camunda 8's multi-instance ``outputCollection`` is filled in the input collection's order, as Zeebe
fills it (one null per input item when the activity starts, each instance's ``outputElement`` at its
own place), for a parallel and a sequential multi-instance (engine/mi_output_order.py), on SQLite
and PostgreSQL.

The model is drawn as Camunda Modeler 5.37 saves it for Camunda 8.8
(tests/bpmn/interop/zeebe88_mi_output_collection.bpmn): 隐患整改逐项复查 — when the rectification
period of the listed hazards ends, 现场复查 is done for every hazard at once (parallel, one inspector
each, ``outputCollection="conclusions" outputElement="=conclusion"``), then 逐项签批 one hazard after
another (sequential, ``outputCollection="opinions" outputElement="=opinion"``). 《安全生产法》第
六十五条 (现场检查，对检查中发现的事故隐患责令排除，整改后复查): each conclusion must stay with its
hazard.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import state
from engine.schema import Case
from tests.interop_support import user_for
from tests.support import make_engine

KEY = "zeebe88_mi_output_collection"
MODEL = Path(__file__).parent / "bpmn" / "interop" / f"{KEY}.bpmn"
HAZARDS = [{"id": "YH-01", "name": "消防通道堵塞"}, {"id": "YH-02", "name": "配电箱未接地"},
           {"id": "YH-03", "name": "危化品混存"}]


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.deploy(MODEL.read_text(encoding="utf-8"), by="boss", filename=f"{KEY}.bpmn")
    yield eng
    eng.dispose()


def _open_by_hazard(engine, case_id: int, element: str) -> dict[str, str]:
    """The open tasks of ``element`` by the id of the hazard each instance is about."""
    with engine.db.read() as s:
        spec, subs = engine.models.specs(s, s.get(Case, case_id).bundle_hash)
        workflow = state.restore(s, case_id, spec, subs, engine.script_engine).workflow
    open_ids = {t.id for t in engine.case(case_id).tasks}
    return {t.data["hazard"]["id"]: str(t.id) for t in workflow.tasks.values()
            if t.task_spec.bpmn_id == element and str(t.id) in open_ids}


def _complete(engine, task_id: str, data: dict) -> None:
    task = engine.task(task_id)
    engine.complete(task_id, user_for(engine, task), data)


def _recheck(engine, case_id: int, order: list[str], said: str) -> None:
    tasks = _open_by_hazard(engine, case_id, "Activity_0recheck")
    assert sorted(tasks) == sorted(order)
    for hazard_id in order:
        _complete(engine, tasks[hazard_id], {"conclusion": f"{hazard_id}{said}"})


def _sign(engine, case_id: int, said: str) -> None:
    for _ in HAZARDS:
        ((hazard_id, task_id),) = _open_by_hazard(engine, case_id, "Activity_0sign").items()
        _complete(engine, task_id, {"opinion": f"{said}（{hazard_id}）"})


def _confirm(engine, case_id: int, again: bool) -> None:
    ((task_id, name),) = [(t.id, t.name) for t in engine.case(case_id).tasks]
    assert name == "复查结果确认"
    _complete(engine, task_id, {"again": again})


def test_parallel_rechecks_completed_out_of_order_give_each_hazard_its_own_conclusion(engine):
    """The inspector of the third hazard finishes first, then the first's, then the second's: the
    conclusions are [YH-01's, YH-02's, YH-03's], as Zeebe gives them. Before, SpiffWorkflow appended
    them as they came: YH-03's conclusion stood first, against 消防通道堵塞."""
    case_id = engine.start(KEY, by="zhang", org="east", data={"hazards": HAZARDS}).id
    _recheck(engine, case_id, ["YH-03", "YH-01", "YH-02"], " 已整改")
    assert engine.case(case_id).data["conclusions"] == ["YH-01 已整改", "YH-02 已整改", "YH-03 已整改"]
    _sign(engine, case_id, "同意")
    assert engine.case(case_id).data["opinions"] == ["同意（YH-01）", "同意（YH-02）", "同意（YH-03）"]


def test_a_second_round_of_rechecks_and_signatures_starts_a_fresh_collection(engine):
    """复查结果确认 sends the case round again (需再次复查: 是): 现场复查 (parallel, completed in the order
    YH-02, YH-03, YH-01) and 逐项签批 (sequential) each start a fresh collection, as Zeebe makes one at
    every activation, and the second round's results replace the first's, each at its hazard. Before,
    the second 现场复查 stopped with an incident (SpiffWorkflow refuses an output collection that is
    not empty) and the case could not be rechecked again."""
    case_id = engine.start(KEY, by="zhang", org="east", data={"hazards": HAZARDS}).id
    _recheck(engine, case_id, ["YH-01", "YH-02", "YH-03"], " 未整改到位")
    _sign(engine, case_id, "退回")
    _confirm(engine, case_id, True)
    _recheck(engine, case_id, ["YH-02", "YH-03", "YH-01"], " 复查合格")
    _sign(engine, case_id, "同意")
    data = engine.case(case_id).data
    assert data["conclusions"] == ["YH-01 复查合格", "YH-02 复查合格", "YH-03 复查合格"]
    assert data["opinions"] == ["同意（YH-01）", "同意（YH-02）", "同意（YH-03）"]
    _confirm(engine, case_id, False)
    assert engine.case(case_id).status == "completed"
