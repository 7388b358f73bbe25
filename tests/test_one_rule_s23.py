"""One rule in one place (一条规则只写一处), issue 15's twenty-third session: rules two modules each
wrote for themselves, now written once and pinned through every caller, on a real SQLite file and a
real PostgreSQL database.

The org tree's access scope (本单位、上级或下级). An official acts on the branch of a case's unit: the
unit, a unit above it (the city's 局长) or below it (a town's inspector drawn for the district's
inspection); never a unit beside it (another town of the district) or another district
(《中华人民共和国安全生产法》第十条第一款: 本行政区域内; 《中华人民共和国行政处罚法》第二十二条: 违法行为发生地管辖).
``policy.on_branch`` is the rule; ``Policy.check_start`` (who may open a case in a unit) and
``projection.may_be_named`` (whom a task may name, ``flowable:assignee="${applicant}"``) both ask it.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine import projection, step
from engine.errors import Forbidden, IncidentRaised
from engine.policy import on_branch
from tests.support import BPMN, make_engine
from webui.labels import incident_explanation


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    d = eng.directory
    d.add_org("east_a", "东城区甲街道", parent="east", level="乡镇")
    d.add_org("east_b", "东城区乙街道", parent="east", level="乡镇")
    d.add_user("sun", org="east_a", roles=["inspector"], name="孙七")   # below 东城区, in 甲街道
    d.add_user("zhou", org="east_b", roles=["inspector"], name="周八")  # below 东城区, in 乙街道
    yield eng
    eng.dispose()


# --- the rule itself -----------------------------------------------------------------------------

def test_on_branch_is_the_unit_above_or_below_never_beside_safety_law_art10():
    assert on_branch("/city/east/", "/city/east/")              # the unit itself
    assert on_branch("/city/", "/city/east/east_a/")            # above
    assert on_branch("/city/east/east_a/", "/city/east/")       # below
    assert not on_branch("/city/east/east_b/", "/city/east/east_a/")  # beside, same district
    assert not on_branch("/city/west/", "/city/east/")          # another district
    assert not on_branch("/city/east/", "/city/eastern/")       # a name sharing letters is no branch
    assert not on_branch(None, "/city/east/") and not on_branch("/city/east/", None)


# --- who may start a case in a unit (Policy.check_start) --------------------------------------------

def test_an_official_starts_on_his_branch_only_administrative_penalty_law_art22(engine):
    engine.deploy(BPMN / "interop" / "flowable_assignee_from_data.bpmn", by="boss")
    key = "flowable_assignee_from_data"
    for by, org in (("boss", "east_a"), ("zhang", "east"), ("zhang", "east_a"), ("sun", "east"), ("sun", "east_a")):
        assert engine.start(key, by=by, org=org, data={"applicant": by}).id  # the unit, above, below
    for by, org, why in (("zhou", "east_a", "beside"), ("wang", "east", "another district"),
                         ("sun", "east_b", "beside"), ("wang", "east_a", "another district, below")):
        with pytest.raises(Forbidden, match="只能在本单位、上级或下级单位发起案件"):
            engine.start(key, by=by, org=org, data={"applicant": by})
            pytest.fail(why)


# --- whom a task may name (projection.may_be_named) ------------------------------------------------

@pytest.mark.parametrize("named,kept", [("boss", True), ("eastboss", True), ("sun", True),
                                        ("zhou", False), ("wang", False)])
def test_a_task_names_an_official_of_the_cases_branch_only_safety_law_art10(engine, named, kept):
    """整改复查申请 (Flowable 6.8, ``flowable:assignee="${applicant}"``) on 甲街道's case: the city's
    赵局 and 东城区's 钱科 (above) and 甲街道's 孙七 are named; 乙街道's 周八 (beside) and 西城区's 王五
    (another district) are dropped as an unknown name is: the task goes to the starter."""
    engine.deploy(BPMN / "interop" / "flowable_assignee_from_data.bpmn", by="boss")
    case = engine.start("flowable_assignee_from_data", by="sun", org="east_a", data={"applicant": named})
    assert [t.assignee for t in engine.case(case.id).tasks] == [named if kept else "sun"]


def test_a_second_unit_named_by_the_model_widens_the_branch_in_one_statement(engine):
    """``assigneeUnit`` (交叉检查: bpmn/case_file_review.bpmn): an official of the second unit's branch
    is named too, one of neither branch is not, and the second unit's path comes in the same row as
    the case unit's (one statement, not two)."""
    engine.deploy(BPMN / "interop" / "flowable_assignee_from_data.bpmn", by="boss")
    case = engine.start("flowable_assignee_from_data", by="sun", org="east_a", data={"applicant": "sun"})
    statements: list[str] = []
    listener = lambda c, cur, statement, *a: statements.append(statement)  # noqa: E731
    sa.event.listen(engine.db.engine, "before_cursor_execute", listener)
    try:
        with step.transaction(engine) as tx:
            def asked(unit: str | None, who: str) -> bool:
                before = len(statements)
                result = projection.may_be_named(tx.conn, who, case, also_unit=unit)
                assert len(statements) - before == 1, statements[before:]
                return result

            assert asked("west", "wang")            # the second unit's own official
            assert asked("city", "boss")            # above both
            assert not asked("east_b", "wang")      # of neither branch
            assert asked("east_b", "zhou")          # beside the case's unit, on the second unit's branch
            assert not asked(None, "zhou") and not asked("east_a", "zhou")  # no second unit: beside
            assert not asked("nowhere", "zhou")     # a second unit the directory does not know
    finally:
        sa.event.remove(engine.db.engine, "before_cursor_execute", listener)


# --- a message thrown by a case's step: one waiting step, as a sent one ------------------------------
# 企业回复转送 (tests/bpmn/camunda7_reply_forwarder.bpmn, drawn in Camunda Modeler 5.28 for Camunda 7.22)
# throws 「企业书面回复」 from an intermediate throw event (document == "reply") or 「整改完成」 from a
# message end event. A message has one sender and one receiver (BPMN 2.0.2 §9.3; Camunda 7's
# correlate() refuses two matches): matching two waiting steps of one case or two cases, the throw is
# an incident on the thrower naming them, as POST /api/messages refuses it with 409 (b2c560e).

FORWARDER = BPMN / "camunda7_reply_forwarder.bpmn"


@pytest.fixture
def messages(engine):
    for model in (FORWARDER, BPMN / "interop" / "camunda7_parallel_receive_same_message.bpmn",
                  BPMN / "interop" / "message_catch.bpmn"):
        engine.deploy(model, by="boss")
    return engine


def _forward(engine, document: str):
    """Start 企业回复转送 and complete 登记企业回复: the thrower's case id and its completion's outcome."""
    case = engine.start("camunda7_reply_forwarder", by="zhang", org="east", data={"document": document})
    task = engine.case(case.id).tasks[0]
    try:
        engine.complete(task.id, "zhang", {})
    except IncidentRaised as raised:
        return case.id, raised
    return case.id, None


def _waiting_rectification(engine) -> int:
    case = engine.start("message_catch", by="zhang", org="east", data={"hazard_no": "YH-2026-101"})
    task = engine.case(case.id).tasks[0]
    engine.complete(task.id, "zhang", {})  # 下达整改指令: now waits for 整改完成
    return case.id


def _thrown(engine, case_id: int) -> list[dict]:
    return [h["detail"] for h in engine.case(case_id).history if h["action"] == "message_thrown"]


def test_a_thrown_message_matching_two_steps_of_one_case_is_an_incident_naming_both_hearing_art64(messages):
    """整改通知书与听证告知 waits for 「企业书面回复」 at 等待整改回复 and 等待听证意见 (行政处罚法第六十四条):
    the forwarded reply completed both (a hearing asked for on the strength of a rectification
    reply). Now the thrower's 登记企业回复 stays open with an incident naming both steps."""
    engine = messages
    receiver = engine.start("camunda7_parallel_receive_same_message", by="zhang", org="east").id
    waiting = sorted(engine.case_elements(receiver)["active"])
    assert {"Activity_0rectifyReply", "Activity_0hearingReply"} <= set(waiting)
    thrower, raised = _forward(engine, "reply")
    assert raised is not None, "the thrown message completed both waiting steps"
    text = raised.message
    assert "「转送企业书面回复」抛出的消息「企业书面回复」" in text
    assert "2 个等待中的环节" in text and "「等待整改回复」" in text and "「等待听证意见」" in text
    assert engine.case(receiver).case_no in text and "未送达" in text and "流程设计员" in text
    assert raised.element_id == "Event_0forwardReply" and raised.case_id == thrower
    assert sorted(engine.case_elements(receiver)["active"]) == waiting  # nothing delivered
    view = engine.case(thrower)
    assert view.status == "running" and [t.spec_id for t in view.tasks] == ["Activity_0register"]
    [incident] = [i for i in engine.incidents() if i.case_id == thrower]
    assert incident.element_id == "Event_0forwardReply" and incident.message == text
    shown = incident_explanation(incident.message, "转送企业书面回复")  # the page's words: ours, not 流程执行出错
    assert "匹配到 2 个等待中的环节" in shown and "流程执行出错" not in shown
    assert engine.verify_audit() is None


def test_a_thrown_message_matching_two_cases_is_an_incident_naming_both_safety_law_art65(messages):
    """Two cases wait for 「整改完成」 (安全生产法第六十五条 责令限期整改) and the forwarder's end event
    throws it with nothing telling them apart: it reached the one with the lowest id. Now an
    incident on the thrower names both cases by 案号; nothing is delivered. With one case waiting,
    the message reaches it."""
    engine = messages
    first, second = _waiting_rectification(engine), _waiting_rectification(engine)
    thrower, raised = _forward(engine, "done")
    assert raised is not None, "the thrown message went to one of two cases"
    numbers = [engine.case(c).case_no for c in (first, second)]
    assert "「转送整改完成」抛出的消息「整改完成」匹配到 2 个等待中的案件" in raised.message
    assert all(no in raised.message for no in numbers) and "关联值" in raised.message
    assert "等待企业整改" not in raised.message  # by 案号 only: another unit's title is not the thrower's to read
    assert raised.element_id == "Event_1forwardDone"
    assert [engine.case(c).tasks for c in (first, second)] == [[], []]
    assert engine.case(thrower).status == "running"
    engine.cancel(second, by="boss", reason="企业已注销")
    thrower, raised = _forward(engine, "done")
    assert raised is None and engine.case(thrower).status == "completed"
    assert _thrown(engine, thrower) == [{"name": "整改完成", "delivered_to": [first]}]
    assert [t.spec_id for t in engine.case(first).tasks] == ["recheck"]


def test_a_thrown_message_reaching_one_waiting_step_is_delivered_as_before(messages):
    engine = messages
    receiver = _waiting_rectification(engine)
    thrower, raised = _forward(engine, "done")
    assert raised is None and _thrown(engine, thrower) == [{"name": "整改完成", "delivered_to": [receiver]}]
    thrower, raised = _forward(engine, "reply")  # nobody waits for 企业书面回复: not delivered, said
    assert raised is None and _thrown(engine, thrower) == [{"name": "企业书面回复", "delivered_to": []}]
