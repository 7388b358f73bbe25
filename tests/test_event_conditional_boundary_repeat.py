"""A non-interrupting conditional boundary event (非中断条件边界事件) fires again each time its
condition comes true anew while its activity runs: BPMN 2.0 §10.5.1 (a conditional event's condition
must become false and then true before the event is triggered again; §10.5.4: a non-interrupting
boundary event stays armed while its activity runs); Camunda 7 evaluates it at each variable event
and takes its path each time it holds (BoundaryConditionalEventTest, non-interrupting). Ours is asked
after every step, by the same bounded rule as the event sub-process start (engine/conditional_starts.repeat):
a condition that stays true fires no second time at later steps (Camunda's would at each variable set
while it holds).

tests/bpmn/interop/camunda7_lagging_rectify_boundary.bpmn (Camunda Modeler 5 for 7.21): while 企业落实整改
runs, each 核报整改进度 that turns 正常 into 滞后 opens one 下发督办通知 (原国家安全监管总局令第16号
第二十条: 挂牌督办); a second 滞后 in a row opens none. It fired once per run of its activity before:
the second lag after a 正常 went unanswered. SQLite and PostgreSQL; the engine is made anew (a
restart) in the middle, so whether the condition held rides with the stored case.
"""
from __future__ import annotations

from tests.test_event_subprocess_scoped import World, world  # noqa: F401  (the fixture)

KEY = "camunda7_lagging_rectify_boundary"
FIX, REPORT, URGE = "企业落实整改", "核报整改进度", "下发督办通知"


def test_each_new_lag_urges_once_and_a_lasting_lag_not_again(world):  # noqa: F811
    world.deploy(f"{KEY}.bpmn")
    case_id = world.start(KEY)
    assert world.open(case_id) == sorted([FIX, REPORT])
    world.work(case_id, REPORT, {"schedule": "滞后", "lastReport": False})
    assert world.open(case_id) == sorted([FIX, URGE, REPORT])
    world.work(case_id, REPORT, {"schedule": "滞后", "lastReport": False})
    assert world.open(case_id) == sorted([FIX, URGE, REPORT])  # still lagging: no second notice
    world.restart()
    world.work(case_id, REPORT, {"schedule": "正常", "lastReport": False})
    assert world.open(case_id) == sorted([FIX, URGE, REPORT])
    world.work(case_id, URGE)
    world.restart()
    world.work(case_id, REPORT, {"schedule": "滞后", "lastReport": False})
    assert world.open(case_id) == sorted([FIX, URGE, REPORT])  # lagging again after 正常: urged again
    world.work(case_id, REPORT, {"schedule": "滞后", "lastReport": True})
    world.work(case_id, URGE)
    assert world.open(case_id) == [FIX]
    world.work(case_id, FIX)
    assert world.open(case_id) == ["整改验收"]
    world.work(case_id, "整改验收")
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"


def test_a_lag_after_the_rectification_ended_urges_nobody(world):  # noqa: F811
    world.deploy(f"{KEY}.bpmn")
    case_id = world.start(KEY)
    world.work(case_id, REPORT, {"schedule": "滞后", "lastReport": False})
    world.work(case_id, URGE)
    world.work(case_id, REPORT, {"schedule": "正常", "lastReport": False})
    world.work(case_id, FIX)  # the activity ends: its boundary event listens no more
    world.work(case_id, REPORT, {"schedule": "滞后", "lastReport": True})
    assert world.open(case_id) == ["整改验收"]
    world.work(case_id, "整改验收")
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"
