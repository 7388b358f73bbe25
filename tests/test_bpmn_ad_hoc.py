"""Ad-hoc sub-processes (自由子流程) as Flowable's modeler and Camunda Modeler draw them
(tests/bpmn/flowable_adhoc_inspection.bpmn: 查阅台账, 现场核查, 约谈负责人 inside 检查事项, completion
condition ``${checked == true}``), on SQLite and PostgreSQL, the case read back from its rows between
steps as after a restart.

``ordering="Sequential"`` (BPMN 2.0 §10.3.5 ``adHocOrdering``, spelt so by every tool) runs the
activities one at a time in the order drawn; ``Parallel`` (or no attribute) opens them all. Before
engine/ad_hoc.py every ad-hoc sub-process failed at its start (SpiffWorkflow 3.2's
``KeyError: 'data_objects'``), and the ordering was never read.
"""
from __future__ import annotations

import pytest

from tests.support import BPMN, engine_fixture

engine = engine_fixture()
MODEL = (BPMN / "flowable_adhoc_inspection.bpmn").read_text(encoding="utf-8")
KEY = "flowable_adhoc_inspection"


def _deploy(engine, ordering: str | None):
    xml = MODEL if ordering == "Sequential" else MODEL.replace(
        ' ordering="Sequential"', "" if ordering is None else f' ordering="{ordering}"')
    engine.deploy(xml.encode(), by="boss", filename=f"{KEY}.bpmn")


def _open(engine, case_id):
    return [t.name for t in engine.case(case_id).tasks]


def _work(engine, case_id, name, data):
    (task,) = [t for t in engine.case(case_id).tasks if t.name == name]
    engine.complete(task.id, "zhang", data)
    engine._evict(case_id)  # the next step reads the case back from its rows


@pytest.mark.parametrize("spelling", ["Sequential", "sequential"])
def test_a_sequential_ad_hoc_sub_process_opens_one_activity_at_a_time_in_the_order_drawn(engine, spelling):
    _deploy(engine, spelling)
    case = engine.start(KEY, by="zhang", org="east", data={"checked": False})
    assert _open(engine, case.id) == ["查阅台账"]
    _work(engine, case.id, "查阅台账", {"checked": False})
    assert _open(engine, case.id) == ["现场核查"]
    _work(engine, case.id, "现场核查", {"checked": True})  # the condition holds: 约谈负责人 is not done
    assert _open(engine, case.id) == ["出具检查意见"]
    _work(engine, case.id, "出具检查意见", {})
    assert engine.case(case.id).status == "completed"


def test_a_sequential_ad_hoc_sub_process_whose_condition_never_holds_ends_after_its_last_activity(engine):
    _deploy(engine, "Sequential")
    case = engine.start(KEY, by="zhang", org="east", data={"checked": False})
    for name in ["查阅台账", "现场核查", "约谈负责人"]:
        assert _open(engine, case.id) == [name]
        _work(engine, case.id, name, {"checked": False})
    assert _open(engine, case.id) == ["出具检查意见"]


@pytest.mark.parametrize("ordering", ["Parallel", None])
def test_a_parallel_ad_hoc_sub_process_opens_every_activity_and_its_condition_cancels_the_rest(engine, ordering):
    _deploy(engine, ordering)
    case = engine.start(KEY, by="zhang", org="east", data={"checked": False})
    assert sorted(_open(engine, case.id)) == sorted(["查阅台账", "现场核查", "约谈负责人"])
    _work(engine, case.id, "现场核查", {"checked": False})
    assert sorted(_open(engine, case.id)) == sorted(["查阅台账", "约谈负责人"])
    _work(engine, case.id, "约谈负责人", {"checked": True})
    assert _open(engine, case.id) == ["出具检查意见"]


def test_a_sequential_path_with_two_ends_is_refused_naming_the_sub_process(engine):
    from engine.errors import InvalidModel

    xml = MODEL.replace('<userTask id="sid-talk" name="约谈负责人" flowable:formFieldValidation="true"></userTask>',
                        '<userTask id="sid-talk" name="约谈负责人" />'
                        '<sequenceFlow id="sid-a" sourceRef="sid-files" targetRef="sid-site" />'
                        '<sequenceFlow id="sid-b" sourceRef="sid-files" targetRef="sid-talk" />')
    with pytest.raises(InvalidModel) as err:
        engine.deploy(xml.encode(), by="boss", filename=f"{KEY}.bpmn")
    assert ("子流程「检查事项」(sid-adhoc)：自由子流程按顺序执行（ordering=Sequential），但从活动「查阅台账」出发的路径有 "
            "2 个终点，本系统不知道何时开始下一项；请让每条路径只有一个终点，或改为并行执行（Parallel）") in str(err.value)
