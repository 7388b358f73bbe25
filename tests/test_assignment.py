"""Assignment rules on both databases: separation of duties (回避), dynamic assignees and candidates,
reassignment and delegation (转办、委托), follow-up dates and priorities, and directory changes that
take effect on open tasks at once."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine import Forbidden
from tests.support import deploy, make_engine


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    d = eng.directory
    d.add_role("legal_reviewer", "法制审核员")
    # zhou investigates and is also a legal reviewer; sun is only a legal reviewer.
    d.add_user("zhou", org="east", roles=["inspector", "legal_reviewer"], name="周")
    d.add_user("sun", org="east", roles=["legal_reviewer"], name="孙")
    # chen is an inspector who was also made acting section head.
    d.add_user("chen", org="east", roles=["inspector", "supervisor"], name="陈")
    d.add_user("expert1", org="city", roles=[], name="专家甲")
    deploy(eng, "duties.bpmn", "approval.bpmn")
    yield eng
    eng.dispose()


def task_named(tasks, name):
    found = [t for t in tasks if t.name == name]
    assert len(found) == 1, [t.name for t in tasks]
    return found[0]


def test_the_investigator_never_sees_the_legal_review_of_their_case(engine):
    case = engine.start("duties", by="zhou", org="east")
    engine.complete(task_named(engine.queue("zhou"), "调查取证").id, "zhou", {})
    review = task_named(engine.case(case.id).tasks, "法制审核")
    assert review.id not in [t.id for t in engine.queue("zhou")]
    assert review.id in [t.id for t in engine.queue("sun")]
    with pytest.raises(Forbidden) as err:
        engine.complete(review.id, "zhou", {})
    assert "回避" in str(err.value)
    with pytest.raises(Forbidden):
        engine.claim(review.id, "zhou")
    # On another case zhou did not investigate, zhou reviews normally.
    other = engine.start("duties", by="li", org="east")
    engine.complete(task_named([t for t in engine.queue("li") if t.case_id == other.id], "调查取证").id, "li", {})
    assert task_named([t for t in engine.queue("zhou") if t.case_id == other.id], "法制审核")


def test_dynamic_assignee_candidates_and_the_approver_is_not_who_did_the_work(engine):
    case = engine.start("duties", by="chen", org="east")
    engine.complete(task_named(engine.queue("chen"), "调查取证").id, "chen", {})
    engine.complete(task_named(engine.queue("sun"), "法制审核").id, "sun", {})
    engine.complete(task_named(engine.queue("eastboss"), "指定组长").id, "eastboss",
                    {"team_leader": "li", "experts": ["expert1"]})
    team = task_named(engine.case(case.id).tasks, "组长办理")
    assert team.assignee == "li"  # the appointed 组长 gets it...
    assert team.id not in [t.id for t in engine.queue("zhang")]  # ...not the inspector pool
    engine.complete(team.id, "li", {})
    expert = task_named(engine.queue("expert1"), "专家意见")  # a candidate without the lane's role
    assert expert.id not in [t.id for t in engine.queue("acme")]  # no enterprise party on this case
    engine.complete(expert.id, "expert1", {"opinion": "同意"})
    approve = task_named(engine.case(case.id).tasks, "审批结案")
    assert approve.id not in [t.id for t in engine.queue("chen")]  # chen investigated
    with pytest.raises(Forbidden, match="回避"):
        engine.complete(approve.id, "chen", {})
    engine.complete(approve.id, "eastboss", {})
    assert engine.case(case.id).status == "completed"


def test_reassigning_all_thirty_tasks_of_an_absent_user_moves_all_in_one_transaction(engine):
    for _ in range(30):
        engine.start("approval", by="zhang", org="east")
    for t in engine.queue("zhang", limit=100):
        engine.claim(t.id, "zhang")
    assert len(engine.queue("zhang", limit=100)) == 30 and engine.queue("li") == []
    # wang works in the other district: one refusal and nothing moves.
    with pytest.raises(Forbidden):
        engine.reassign_all("zhang", "wang", by="boss", reason="出差")
    assert len([t for t in engine.queue("zhang", limit=100) if t.assignee == "zhang"]) == 30
    with pytest.raises(Forbidden):
        engine.reassign_all("zhang", "li", by="li")  # not a supervisor
    assert engine.reassign_all("zhang", "li", by="eastboss", reason="病假") == 30
    assert engine.queue("zhang", limit=100) == []
    moved = engine.queue("li", limit=100)
    assert len(moved) == 30 and {t.assignee for t in moved} == {"li"}
    history = engine.case(moved[0].case_id).history
    (event,) = [e for e in history if e["action"] == "reassigned"]
    assert event["actor"] == "eastboss" and event["detail"] == {"task": "登记隐患", "from": "zhang", "to": "li", "reason": "病假"}
    engine.complete(moved[0].id, "li", {})


def test_reassign_one_task(engine):
    engine.start("approval", by="zhang", org="east")
    (task,) = engine.queue("zhang")
    engine.claim(task.id, "zhang")
    engine.reassign(task.id, "li", by="boss", reason="调整分工")
    assert [t.id for t in engine.queue("li")] == [task.id] and engine.queue("zhang") == []


def test_delegated_task_returns_to_its_owner_to_confirm(engine):
    case = engine.start("approval", by="zhang", org="east")
    (task,) = engine.queue("zhang")
    engine.claim(task.id, "zhang")
    engine.delegate(task.id, by="zhang", to_user="li", reason="请协助现场核实")
    assert engine.queue("zhang") == []
    (delegated,) = engine.queue("li")
    assert delegated.owner == "zhang" and delegated.delegation == "pending"
    with pytest.raises(Forbidden):
        engine.resolve(task.id, by="zhang")
    engine.resolve(task.id, by="li", data={"location": "二号仓库"})
    (back,) = engine.queue("zhang")
    assert back.delegation == "resolved" and back.draft == {"location": "二号仓库"} and engine.queue("li") == []
    engine.complete(task.id, "zhang", back.draft)
    actions = [e["action"] for e in engine.case(case.id).history]
    assert actions.index("delegated") < actions.index("resolved") < actions.index("completed")
    assert engine.case(case.id).data["location"] == "二号仓库"


def test_follow_up_dates_and_priorities_sort_and_filter_the_queue(engine):
    ids = []
    for _ in range(3):
        engine.start("approval", by="zhang", org="east")
    tasks = engine.queue("zhang", sort="created")
    ids = [t.id for t in tasks]
    engine.set_priority(ids[2], by="eastboss", priority=9)
    engine.set_priority(ids[1], by="zhang", priority=5)
    assert [t.id for t in engine.queue("zhang", sort="priority")] == [ids[2], ids[1], ids[0]]
    now = engine.clock.now()
    engine.set_follow_up(ids[0], by="zhang", when=now + timedelta(days=1))
    engine.set_follow_up(ids[1], by="zhang", when=now + timedelta(days=3))
    assert [t.id for t in engine.queue("zhang", sort="follow_up")] == [ids[0], ids[1], ids[2]]
    assert engine.queue("zhang", follow_up_due=True) == []
    engine.clock.advance(days=2)
    assert [t.id for t in engine.queue("zhang", follow_up_due=True)] == [ids[0]]
    assert len(engine.queue("boss", org="east")) == 0 and len(engine.queue("zhang", org="east")) == 3
    with pytest.raises(Forbidden):
        engine.set_follow_up(ids[0], by="wang", when=now)


def test_a_user_moved_to_another_district_stops_seeing_the_old_tasks_at_once(engine):
    engine.start("approval", by="zhang", org="east")
    engine.start("approval", by="zhang", org="east")
    claimed, pooled = engine.queue("zhang")
    engine.claim(claimed.id, "zhang")
    engine.directory.move_user("zhang", "west", by="admin")
    assert engine.queue("zhang") == []  # neither the pool nor the old claim
    with pytest.raises(Forbidden):
        engine.complete(pooled.id, "zhang", {})
    assert sorted(t.id for t in engine.queue("li")) == sorted([claimed.id, pooled.id])  # claim released
    engine.start("approval", by="wang", org="west")
    assert len(engine.queue("zhang")) == 1  # the new district's work


def test_a_role_taken_away_takes_the_tasks_with_it(engine):
    engine.start("approval", by="zhang", org="east")
    (task,) = engine.queue("zhang")
    engine.claim(task.id, "zhang")
    engine.directory.set_roles("zhang", ["enterprise"], by="admin")
    assert engine.queue("zhang") == []
    assert [t.id for t in engine.queue("li")] == [task.id]
