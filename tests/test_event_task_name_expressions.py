"""A task name holding ``${...}`` is computed when the task opens (任务名称表达式), as Camunda 7 and
Flowable compute it (Flowable's UserTaskTest.testTaskNameWithExpression: name="${taskName}"; JUEL
composite texts, JSR 245 §1.2.1.1): 「现场检查：华东化工有限公司」 in the queue, not 「现场检查：${unitName}」.
Before, the name was shown as written and the deploy only warned (74b5285).

tests/bpmn/interop/flowable_task_name_expressions.bpmn (Flowable Modeler 6.8; 《安全生产法》第六十五条
监督检查): 登记检查对象 names the unit and the round; 现场检查：${unitName} and ${unitName}第${checkRound}轮复查
open with the unit's name; 结案归档, written in words, costs nothing more. SQLite and PostgreSQL.
"""
from __future__ import annotations

from tests.test_event_subprocess_scoped import CORPUS, World, world  # noqa: F401  (the fixture)

KEY = "flowable_task_name_expressions"
UNIT = "华东化工有限公司"


def test_a_name_holding_expressions_is_computed_as_the_task_opens(world):  # noqa: F811
    world.deploy(f"{KEY}.bpmn")
    case_id = world.start(KEY)
    world.work(case_id, "登记检查对象", {"unitName": UNIT, "checkRound": 2})
    assert world.open(case_id) == [f"现场检查：{UNIT}"]
    world.restart()
    world.work(case_id, f"现场检查：{UNIT}")
    assert world.open(case_id) == [f"{UNIT}第2轮复查"]
    world.work(case_id, f"{UNIT}第2轮复查")
    assert world.open(case_id) == ["结案归档"]
    world.work(case_id, "结案归档")
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"


def test_the_deploy_no_longer_says_the_name_is_shown_as_written(world):  # noqa: F811
    checked = world.engine.models.validate((CORPUS / f"{KEY}.bpmn").read_bytes(), f"{KEY}.bpmn")
    assert not any("按原文显示任务名称" in w.message for w in checked.warnings)


def test_a_name_reading_absent_data_takes_its_own_words_and_the_case_goes_on(world):  # noqa: F811
    """The official left 复查轮次 out (a tired 登记): Flowable would fail to create the task; here the
    name is a label, so the task opens with the part it lacks shown as 「（未填写）」 (not 「第轮复查」,
    tests/test_events_s22.py) and the case goes on."""
    world.deploy(f"{KEY}.bpmn")
    case_id = world.start(KEY)
    world.work(case_id, "登记检查对象", {"unitName": UNIT})
    world.work(case_id, f"现场检查：{UNIT}")
    assert world.open(case_id) == [f"{UNIT}第（未填写）轮复查"]
    assert not world.engine.incidents()
