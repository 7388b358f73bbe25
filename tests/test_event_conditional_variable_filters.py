"""Camunda 7's variable filter on a conditional event (条件事件的变量过滤: ``camunda:variableName``,
``camunda:variableEvents`` create/update/delete — the condition asked only when that variable, or any
variable by those events, changes; ConditionalEventWithSpecificVariableEventTest, for boundary,
intermediate and event sub-process start events) is applied since session 22 (engine/conditional_events.py,
tests/test_events_s22.py): the deploy no longer says it is not, and the model deploys and runs.

tests/bpmn/interop/camunda7_conditional_variable_filters.bpmn (Camunda Modeler 5 for 7.21;
原国家安全监管总局令第16号第十四条、第二十条 挂牌督办): 整改资金到位 (intermediate, variableName
fundsReady, variableEvents "create, update"), 整改进度滞后 (non-interrupting boundary, variableName
schedule), 企业申请延期 (non-interrupting event sub-process start, variableEvents update).
SQLite and PostgreSQL.
"""
from __future__ import annotations

from tests.test_event_subprocess_scoped import CORPUS, World, world  # noqa: F401  (the fixture)

KEY = "camunda7_conditional_variable_filters"
NOT_APPLIED = "的条件只在指定变量变化时判断的设置"


def test_the_filters_are_no_longer_said_not_to_apply(world):  # noqa: F811
    checked = world.engine.models.validate((CORPUS / f"{KEY}.bpmn").read_bytes(), f"{KEY}.bpmn")
    assert not [w.message for w in checked.warnings if NOT_APPLIED in w.message]


def test_the_model_still_deploys_and_its_conditions_are_asked_after_each_step(world):  # noqa: F811
    world.deploy(f"{KEY}.bpmn")
    case_id = world.start(KEY)
    world.work(case_id, "制定整改方案", {"fundsReady": True})
    assert world.open(case_id) == ["组织整改"]
    world.work(case_id, "组织整改", {"schedule": "正常"})
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"
