"""Events that ran differently from Camunda 7 and Flowable (session 22, issue 15).

Each model is drawn as its vendor's modeler saves it (tests/bpmn/interop/), and every case runs on
SQLite and PostgreSQL, the engine made anew (a restart) where a case waits.

1. A compensation throw with ``waitForCompletion="false"`` (BPMN 2.0 §10.5.5: the throw event "just
   triggers the compensation and immediately continues"; Flowable's 「Wait for completion」):
   tests/bpmn/interop/camunda7_suspension_compensation_nowait.bpmn — 行政复议 revokes a 责令停产停业
   (《安全生产法》第六十五条第一款第三项) and 告知当事人 opens beside 恢复生产经营 and 退还安全生产许可证.
   Before, the attribute was ignored: 告知当事人 waited for both handlers.
2. A task name holding ``${...}`` whose data is absent or blank (a tired official left 复查轮次 out):
   Camunda 7 fails the task's creation (PropertyNotFoundException); a name is a label, so here the
   task opens and the part it lacks shows 「（未填写）」 — 「第（未填写）轮复查：华东化工」, not the silently
   wrong 「第轮复查」 it opened with before (the whole name fell back to its own words) — and an
   incident on the task names it as its queue does (「第2轮复查：华东化工」), not as drawn
   (「第${reviewRound}轮复查：${unitName}」). tests/bpmn/interop/camunda7_recheck_round_names.bpmn
   (Camunda Modeler 5; 《安全生产违法行为行政处罚办法》第二十三条 整改期满之日起十日内复查).
"""
from __future__ import annotations

import pytest

from engine.errors import IncidentRaised
from tests.test_event_subprocess_scoped import World, world  # noqa: F401  (the fixture)

NOWAIT = "camunda7_suspension_compensation_nowait"
ROUNDS = "camunda7_recheck_round_names"


def test_a_compensation_throw_not_waiting_opens_the_next_task_beside_the_handlers(world):  # noqa: F811
    world.deploy(f"{NOWAIT}.bpmn")
    case_id = world.start(NOWAIT)
    world.work(case_id, "责令停产停业")
    world.work(case_id, "暂扣安全生产许可证")
    world.work(case_id, "行政复议", {"revoked": True})
    assert world.open(case_id) == ["告知当事人", "恢复生产经营", "退还安全生产许可证"]
    world.restart()
    world.work(case_id, "告知当事人")
    assert world.open(case_id) == ["恢复生产经营", "退还安全生产许可证"]  # the case ends with its handlers
    assert world.engine.case(case_id).status == "running"
    world.work(case_id, "退还安全生产许可证")
    world.work(case_id, "恢复生产经营")
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"



def test_a_task_name_lacking_its_data_shows_the_gap_and_keeps_the_rest(world):  # noqa: F811
    world.deploy(f"{ROUNDS}.bpmn")
    case_id = world.start(ROUNDS)
    world.work(case_id, "登记复查安排", {"unitName": "华东化工", "reviewDeadline": "P10D"})
    assert world.open(case_id) == ["第（未填写）轮复查：华东化工"]
    second = world.start(ROUNDS)
    world.work(second, "登记复查安排", {"unitName": "  ", "reviewRound": 2, "reviewDeadline": "P10D"})
    assert world.open(second) == ["第2轮复查：（未填写）"]
    third = world.start(ROUNDS)
    world.work(third, "登记复查安排", {"unitName": "华东化工", "reviewRound": 2, "reviewDeadline": "P10D"})
    assert world.open(third) == ["第2轮复查：华东化工"]
    world.work(third, "第2轮复查：华东化工")
    assert not world.engine.incidents()
    assert world.engine.case(third).status == "completed"


def test_an_incident_on_a_task_named_by_its_data_names_it_as_computed(world):  # noqa: F811
    world.deploy(f"{ROUNDS}.bpmn")
    case_id = world.start(ROUNDS)
    with pytest.raises(IncidentRaised):
        world.work(case_id, "登记复查安排", {"unitName": "华东化工", "reviewRound": 2, "reviewDeadline": "下周五"})
    (incident,) = world.engine.incidents()
    assert "任务「第2轮复查：华东化工」" in incident.message and "「下周五」不是日期" in incident.message
    assert "${" not in incident.message


def test_an_incident_in_the_task_s_own_code_names_it_as_computed(world):  # noqa: F811
    mapping = ('camunda:dueDate="${reviewDeadline}">', 'camunda:dueDate="${reviewDeadline}"><bpmn:extensionElements>'
               '<camunda:inputOutput><camunda:inputParameter name="limit">${reviewDays + 1}</camunda:inputParameter>'
               '</camunda:inputOutput></bpmn:extensionElements>')
    world.deploy(f"{ROUNDS}.bpmn", replace=mapping)
    case_id = world.start(ROUNDS)
    with pytest.raises(IncidentRaised):
        world.work(case_id, "登记复查安排", {"unitName": "华东化工", "reviewRound": 3, "reviewDeadline": "P10D"})
    (incident,) = world.engine.incidents()
    assert incident.message.startswith("「第3轮复查：华东化工」出错")
    assert "${" not in incident.message
