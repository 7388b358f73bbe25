"""A non-interrupting conditional event sub-process (非中断条件事件子流程) starts again each time its
condition comes true anew while its scope runs: BPMN 2.0 §10.5.1 (a conditional event's condition
must become false and then true before the event is triggered again); Camunda 7 evaluates it at
each variable event of its scope and starts one more instance each time it holds
(EventSubProcessStartConditionalEventTest, non-interrupting). Ours is asked after every step; a
condition that stays true starts no second instance at each later step (Camunda, which also fires
when a variable is set again while the condition holds, would start one at each 报送 of 停滞).

tests/bpmn/interop/camunda7_stalled_rectify_interviews.bpmn (Camunda Modeler 5 for 7.20): in 企业整改,
each 报送整改进展 that turns 正常 into 停滞 opens one 约谈企业主要负责人 beside the rectification;
a second 停滞 in a row opens none. It fired once per run of its scope before: the second stall after
a 正常 went unanswered. SQLite and PostgreSQL; the engine is made anew (a restart) in the middle.
"""
from __future__ import annotations

from tests.test_event_subprocess_scoped import World, world  # noqa: F401  (the fixture)

KEY = "camunda7_stalled_rectify_interviews"
REPORT, TALK = "报送整改进展", "约谈企业主要负责人"


def test_each_new_stall_opens_one_interview_and_a_lasting_stall_none(world):  # noqa: F811
    world.deploy(f"{KEY}.bpmn")
    case_id = world.start(KEY)
    world.work(case_id, REPORT, {"progress": "停滞", "finished": False})
    assert world.open(case_id) == [REPORT, TALK]
    world.work(case_id, REPORT, {"progress": "停滞", "finished": False})
    assert world.open(case_id) == [REPORT, TALK]  # still stalled: no second interview
    world.restart()
    world.work(case_id, REPORT, {"progress": "正常", "finished": False})
    assert world.open(case_id) == [REPORT, TALK]
    world.work(case_id, TALK)
    world.restart()
    world.work(case_id, REPORT, {"progress": "停滞", "finished": False})
    assert world.open(case_id) == [REPORT, TALK]  # stalled again after 正常: interviewed again
    world.work(case_id, REPORT, {"progress": "正常", "finished": True})
    assert world.open(case_id) == [TALK]  # the running interview keeps 企业整改 open
    world.work(case_id, TALK)
    assert world.open(case_id) == ["整改复查"]
    world.work(case_id, "整改复查")
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"


def test_a_rectification_that_never_stalls_interviews_nobody(world):  # noqa: F811
    world.deploy(f"{KEY}.bpmn")
    case_id = world.start(KEY)
    world.work(case_id, REPORT, {"progress": "正常", "finished": False})
    world.work(case_id, REPORT, {"progress": "正常", "finished": True})
    assert world.open(case_id) == ["整改复查"]
    world.work(case_id, "整改复查")
    assert world.engine.case(case_id).status == "completed"


def test_two_stalls_in_a_row_then_done_leave_one_interview(world):  # noqa: F811
    world.deploy(f"{KEY}.bpmn")
    case_id = world.start(KEY)
    world.work(case_id, REPORT, {"progress": "停滞", "finished": False})
    world.work(case_id, TALK)
    world.work(case_id, REPORT, {"progress": "停滞", "finished": True})
    assert world.open(case_id) == ["整改复查"]  # the lasting stall opened no second interview
