"""An end event no flow leads to (one left over in a Flowable drawing): Flowable and Camunda 7 deploy
the model, and so does a deploy of a file from another tool (``duban deploy``, the REST API), with a
warning naming it (engine/validation._check_connected); every deploy refused it before. The designer's
standard (``strict``: 流程设计's validate, dry run and deploy) keeps it an error. On a real SQLite file
and real PostgreSQL, with tests/bpmn/interop/flowable_orphan_end_event.bpmn (Flowable's modeler)."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import InvalidModel
from tests.interop_support import user_for
from tests.support import make_engine

MODEL = (Path(__file__).parent / "bpmn" / "interop" / "flowable_orphan_end_event.bpmn").read_text(encoding="utf-8")
FILE = "flowable_orphan_end_event.bpmn"


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    yield eng
    eng.dispose()


def test_a_flowable_model_with_an_end_event_nothing_leads_to_deploys_and_runs_to_its_end(engine):
    """《安全生产法》第七十三条 举报受理: the case goes 受理举报 → 办结; 作废 is never reached."""
    pf = engine.models.validate(MODEL, FILE)
    assert ("结束事件「作废」(sid-void) 没有进入的连线，流程永远不会走到这里（与 Camunda、Flowable 一样照常部署，它不起作用）；"
            "请从前一环节连线过来或删除") in [w.message for w in pf.warnings]
    engine.deploy(MODEL, by="boss", filename=FILE)
    case = engine.start("flowable_orphan_end_event", by="zhang", org="east", data={})
    (task,) = engine.case(case.id).tasks
    assert task.name == "受理举报"
    engine.complete(task.id, user_for(engine, task), {})
    assert engine.case(case.id).status == "completed"


def test_the_designers_standard_still_refuses_it(engine):
    with pytest.raises(InvalidModel) as refused:
        engine.models.validate(MODEL, FILE, strict=True)
    assert {p["element_id"]: p["message"] for p in refused.value.problems if p.get("severity", "error") == "error"
            }["sid-void"] == "结束事件「作废」(sid-void) 没有连线，流程永远不会走到这里；请连接或删除"


def test_a_task_nothing_leads_to_is_still_refused_at_every_deploy(engine):
    """Only the end event is let through: a task no flow leads to is work nobody would ever be given."""
    xml = MODEL.replace('<endEvent id="sid-void" name="作废"></endEvent>',
                        '<userTask id="sid-orphan" name="补充材料" flowable:candidateGroups="inspector"></userTask>'
                        '<sequenceFlow id="sid-f3" sourceRef="sid-orphan" targetRef="sid-done"></sequenceFlow>')
    with pytest.raises(InvalidModel) as refused:
        engine.models.validate(xml, FILE)
    assert "用户任务「补充材料」(sid-orphan) 没有进入的连线" in str(refused.value)
