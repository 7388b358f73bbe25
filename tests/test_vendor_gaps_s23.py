"""Vendor gaps (session 23): what the engines public models are drawn for run, and Duban refused —
each drawn as its tool saves it (tests/bpmn/interop/), run on SQLite and PostgreSQL.

- A Zeebe multi-instance whose collection is a FEEL ``for`` expression (Camunda Modeler 5,
  ``zeebe:loopCharacteristics inputCollection="=for h in hazards return h.id"``, ``"=for i in 1..3
  return i"``, ``"=for x in [1,2,3] return x * 2"``): Zeebe evaluates the collection when the
  activity is entered (Camunda 8 docs, "Multi-instance"); the deploy refused it 「不是流程变量名」
  or 「不支持对范围逐一取值」.
- Flowable 7's ``targetType`` on a call activity's ``flowable:in`` (``sourceType`` on its
  ``flowable:out``; flowable-engine's CallActivityTypeConversionTest): the value converted on its way
  (``long``, ``integer``, ``boolean``, ``localdate``, ``string``), read as a tired official types it
  (「5,000,000」, 「５」, 「是」, 「2026年12月1日」: engine/typed_input.py); what cannot be converted is an
  incident naming the call activity, the variable and the type. It was passed on unconverted with a note.
- Camunda 8.7's ``zeebe:adHoc activeElementsCollection="=planItems"`` on an ad-hoc sub-process: only
  the activities it names open when the sub-process starts (Camunda 8 docs, "Ad-hoc sub-processes:
  Activate an element"); it ends when they have. The deploy refused it (no completion condition) and
  would have opened every activity.
"""
from __future__ import annotations

import pytest

from engine.errors import IncidentRaised
from tests.interop_support import CORPUS, open_tasks_data, user_for, models_engine

MODELS = ("zeebe_for_collection.bpmn", "zeebe_ad_hoc_active_elements.bpmn", "flowable_call_types_child.bpmn", "flowable_call_types_typed_parent.bpmn")
HAZARDS = [{"id": "YH-001", "level": "一般"}, {"id": "YH-002", "level": "重大"}]


@pytest.fixture(scope="module")
def engine(module_database_url):
    yield from models_engine(module_database_url, MODELS)


def test_a_zeebe_collection_written_as_a_feel_for_runs_each_item(engine):
    """隐患整改复查: 隐患复查 runs once for each hazard's 编号 (``for h in hazards return h.id``), each
    result gathered into ``rechecks``; 分轮抽查 runs rounds 1, 2, 3 in order (``for i in 1..3``);
    制作文书 runs over 2, 4, 6 (``for x in [1,2,3] return x * 2``). The computed collection is no case
    variable, before or after."""
    case = engine.start("zeebe_for_collection", by="zhang", org="east", data={"hazards": HAZARDS}).id
    tasks = engine.case(case).tasks
    assert [t.name for t in tasks] == ["隐患复查"] * 2
    assert sorted(d["hazardId"] for d in open_tasks_data(engine, case, "Activity_1recheck") if "hazardId" in d) == ["YH-001", "YH-002"]
    for task in tasks:
        engine.complete(task.id, user_for(engine, task), {"result": "已整改"})
    rounds = []
    for _ in range(3):
        (task,) = engine.case(case).tasks
        assert task.name == "分轮抽查"
        (data,) = [d for d in open_tasks_data(engine, case, "Activity_1round") if "round" in d]
        rounds.append(data["round"])
        engine.complete(task.id, user_for(engine, task), {})
    assert rounds == [1, 2, 3]
    copies = engine.case(case).tasks
    assert sorted(d["copies"] for d in open_tasks_data(engine, case, "Activity_1copies") if "copies" in d) == [2, 4, 6]
    for task in copies:
        engine.complete(task.id, user_for(engine, task), {})
    view = engine.case(case)
    assert view.status == "completed" and not view.incidents
    assert view.data["rechecks"] == ["已整改", "已整改"]
    assert not [k for k in view.data if k.startswith("_mi_collection")]


def test_a_for_collection_calling_a_feel_function_runs(engine):
    """``=for i in 1..count(hazards) return i`` (a range whose end Zeebe's FEEL computes): one round per
    hazard; the designer's translation shows the expression, not the variable that holds it."""
    drawn = (CORPUS / "zeebe_for_collection.bpmn").read_text(encoding="utf-8")
    changed = drawn.replace('"=for i in 1..3 return i"', '"=for i in 1..count(hazards) return i"')
    assert changed != drawn
    checked = engine.models.validate(changed.encode("utf-8"), "zeebe_for_collection.bpmn").dialect.translations
    assert not [t for t in checked if "_mi_collection" in str(t.get("to"))], checked
    engine.deploy(changed, by="boss", filename="zeebe_for_collection.bpmn")
    case = engine.start("zeebe_for_collection", by="zhang", org="east", data={"hazards": HAZARDS}).id
    for task in engine.case(case).tasks:
        engine.complete(task.id, user_for(engine, task), {"result": "已整改"})
    rounds = []
    for _ in range(2):
        (task,) = engine.case(case).tasks
        (data,) = [d for d in open_tasks_data(engine, case, "Activity_1round") if "round" in d]
        rounds.append(data["round"])
        engine.complete(task.id, user_for(engine, task), {})
    assert rounds == [1, 2] and {t.name for t in engine.case(case).tasks} == {"制作文书"}
    engine.deploy(CORPUS / "zeebe_for_collection.bpmn", by="boss")  # the model as drawn for the tests after


def test_a_feel_for_collection_over_absent_data_is_an_incident_naming_the_task(engine):
    """No hazards given: Zeebe's ``for`` over null is null, no list; the case stops at 隐患复查 with an
    incident naming the task and the collection as written, in Chinese (not the held variable)."""
    with pytest.raises(IncidentRaised) as stopped:
        engine.start("zeebe_for_collection", by="zhang", org="east", data={})
    text = str(stopped.value)
    assert "多实例任务「隐患复查」(Activity_1recheck) 的集合「=for h in hazards return h.id」没有值" in text
    assert "_mi_collection" not in text and "None" not in text


def test_a_range_is_walked_either_way_and_bounded():
    """DMN 1.3 §10.3.2.7: ``3..1`` counts down; a null end gives null; a range of 300,000 numbers (人数
    typed with extra zeros) stops in Chinese instead of filling the host's memory."""
    from engine.feel_lists import feel_range
    assert feel_range(1, 3) == [1, 2, 3] and feel_range(3, 1) == [3, 2, 1] and feel_range(1, None) is None
    with pytest.raises(Exception) as stopped:
        feel_range(1, 300000)
    assert "超过上限" in str(stopped.value)
    with pytest.raises(Exception) as stopped:
        feel_range(1, "三")
    assert "不是整数" in str(stopped.value)


def test_a_zeebe_collection_listing_variables_runs_over_their_values(engine):
    """``inputCollection="=[groupA, groupB]"`` (a FEEL list of the case's variables; the deploy refused
    it 「不是流程变量名」): 分组复核 opens once for each variable's value when it starts."""
    drawn = (CORPUS / "zeebe_literal_collection.bpmn").read_text(encoding="utf-8")
    changed = drawn.replace('inputCollection="=[1,2,3]"', 'inputCollection="=[groupA, groupB]"')
    assert changed != drawn
    engine.deploy(changed, by="boss", filename="zeebe_literal_collection.bpmn")
    case = engine.start("zeebe_literal_collection", by="zhang", org="east", data={"groupA": "一组", "groupB": "二组"}).id
    for _ in range(3):
        (task,) = engine.case(case).tasks
        engine.complete(task.id, user_for(engine, task), {"finding": "无"})
    groups = engine.case(case).tasks
    assert sorted(d["groupNo"] for d in open_tasks_data(engine, case, "Activity_0group") if "groupNo" in d) == ["一组", "二组"]
    for task in groups:
        engine.complete(task.id, user_for(engine, task), {})
    assert engine.case(case).status == "completed"


TYPED = {"fineAmount": "5,000,000", "copies": "５", "handedOnSite": "是", "decidedOn": "2026年12月1日"}


def _task(engine, case_id, spec_id):
    return next(t for t in engine.case(case_id).tasks if t.spec_id == spec_id)


def test_a_flowable_call_activity_converts_what_it_passes_as_its_target_type_says(engine):
    """罚款决定转换交办 (《行政处罚法》第六十一条 送达): the child 送达处罚决定书 gets 5000000 (long), 5 copies
    (integer), True (boolean) and 2026-12-01 (localdate) from what the official typed, the amount as
    text too (string); 送达方式 comes back as text (sourceType string)."""
    case = engine.start("flowable_call_types_typed_parent", by="zhang", org="east", data=dict(TYPED)).id
    (seen,) = [d for d in open_tasks_data(engine, case, "sid-deliver")]
    assert (seen["fineAmount"], seen["copies"], seen["handedOnSite"], seen["decidedOn"]) == (5000000, 5, True, "2026-12-01")
    assert seen["fineText"] == "5,000,000"
    task = _task(engine, case, "sid-deliver")
    engine.complete(task.id, user_for(engine, task), {"deliveredBy": "留置送达"})
    view = engine.case(case)
    assert view.status == "completed" and view.data["deliveredBy"] == "留置送达"
    assert view.data["fineAmount"] == "5,000,000"  # the parent's own is as typed


@pytest.mark.parametrize("field, typed, words", [
    ("fineAmount", "五万左右", "调用活动「送达决定书」(sid-call) 的输入变量「fineAmount」要求转换为整数（long），其值「五万左右」无法转换"),
    ("handedOnSite", "也许", "的输入变量「handedOnSite」要求转换为是/否（boolean），其值「也许」无法转换；请补填为「是」或「否」"),
    ("decidedOn", "12月1日", "的输入变量「decidedOn」要求转换为日期（localdate），其值「12月1日」无法转换"),
    ("copies", "2.5", "的输入变量「copies」要求转换为整数（integer），其值「2.5」无法转换；请补填为整数"),
])
def test_a_value_the_target_type_cannot_take_is_an_incident_naming_the_variable(engine, field, typed, words):
    with pytest.raises(IncidentRaised) as stopped:
        engine.start("flowable_call_types_typed_parent", by="zhang", org="east", data={**TYPED, field: typed})
    assert words in str(stopped.value), str(stopped.value)


def test_a_target_type_not_known_here_is_said_and_the_value_passed_as_it_is(engine):
    drawn = (CORPUS / "flowable_call_types_typed_parent.bpmn").read_text(encoding="utf-8")
    changed = drawn.replace('targetType="long"', 'targetType="bigdecimal"')
    assert changed != drawn
    said = [w.message for w in engine.models.validate(changed.encode("utf-8"), "flowable_call_types_typed_parent.bpmn").warnings]
    assert any("「fineAmount」为 bigdecimal" in m and "本系统不认识该类型，按原值传递" in m for m in said), said


def test_a_zeebe_ad_hoc_sub_process_opens_only_the_elements_its_collection_names(engine):
    """专项检查事项: the plan lists 查阅台账 and 约谈负责人; 现场核查 does not open. The case is read back
    from its rows between steps; once both are done the sub-process ends and 汇总检查情况 opens."""
    case = engine.start("zeebe_ad_hoc_active_elements", by="zhang", org="east",
                        data={"planItems": ["Task_2ledger", "Task_2interview"]}).id
    assert sorted(t.name for t in engine.case(case).tasks) == ["查阅台账", "约谈负责人"]
    for name in ("查阅台账", "约谈负责人"):
        engine._evict(case)
        task = next(t for t in engine.case(case).tasks if t.name == name)
        engine.complete(task.id, user_for(engine, task), {})
    (report,) = engine.case(case).tasks
    assert report.name == "汇总检查情况"
    engine.complete(report.id, user_for(engine, report), {})
    assert engine.case(case).status == "completed"


@pytest.mark.parametrize("items, words", [
    (["Task_2ledger", "Task_9none"], "自由子流程「检查事项」(Activity_2items) 的待激活元素集合「=planItems」中的「Task_9none」不是该子流程中可直接开始的活动"),
    ([], "自由子流程「检查事项」(Activity_2items) 的待激活元素集合「=planItems」没有列出要办理的事项"),
    ("Task_2ledger", "的值「Task_2ledger」不是元素编号的列表"),
])
def test_an_ad_hoc_collection_that_names_nothing_to_run_is_an_incident_in_chinese(engine, items, words):
    with pytest.raises(IncidentRaised) as stopped:
        engine.start("zeebe_ad_hoc_active_elements", by="zhang", org="east", data={"planItems": items})
    assert words in str(stopped.value), str(stopped.value)
