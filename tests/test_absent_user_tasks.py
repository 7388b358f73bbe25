"""Moving an absent or leaving person's tasks moves only the open ones (engine/tasks.py), on a real database.

转办 (``reassign_all``: 不在岗), 交接 (``hand_over``: 停用、调离) and the release of claims a role or unit
change makes ineligible (``release_ineligible_claims``) take the open tasks a person holds; the tasks
they have already done stay theirs — the 已办 list and the case history say who did the work.
"""
from __future__ import annotations

import pytest

from tests.support import deploy, engine_fixture, make_engine


engine = engine_fixture("approval.bpmn")


def _claimed_and_one_done(engine, user: str) -> tuple[list[str], str]:
    """Three 登记隐患 tasks claimed by ``user``; the first completed by them: (the open ids, the done id)."""
    for _ in range(3):
        engine.start("approval", by="zhang", org="east")
    ids = [t.id for t in engine.queue(user) if t.name == "登记隐患"]
    for task_id in ids:
        engine.claim(task_id, user)
    engine.complete(ids[0], user, {"隐患描述": "消防通道堵塞（３处）"})
    done = engine.task(ids[0])
    assert (done.state, done.assignee, done.completed_by) == ("completed", user, user)
    return ids[1:], ids[0]


def _still_theirs(engine, task_id: str, user: str) -> None:
    done = engine.task(task_id)
    assert (done.state, done.assignee, done.completed_by) == ("completed", user, user)
    assert task_id in [t.id for t in engine.done_by(user)]


def test_reassigning_an_absent_users_tasks_moves_the_open_ones_and_leaves_what_they_did(engine):
    """Guard (``reassign_all``: ``state == OPEN``): 2 open tasks move to li; the one zhang completed
    stays zhang's, and the count says 2 (mutation testing: the open filter dropped went unnoticed —
    the test of 30 tasks had none done)."""
    open_ids, done_id = _claimed_and_one_done(engine, "zhang")
    assert engine.reassign_all("zhang", "li", by="eastboss", reason="病假") == 2
    assert sorted(t.id for t in engine.queue("li") if t.assignee == "li") == sorted(open_ids)
    _still_theirs(engine, done_id, "zhang")


def test_handing_over_a_leaving_users_tasks_moves_the_open_ones_and_leaves_what_they_did(engine):
    """Guard (``hand_over``: ``state == OPEN``): handed over to li, or back to the group queue, only
    the open tasks go; the done one stays zhang's."""
    open_ids, done_id = _claimed_and_one_done(engine, "zhang")
    moved = engine.hand_over("zhang", "li", by="eastboss", reason="调离")
    assert (sorted(moved["to"]), moved["queue"]) == (sorted(open_ids), [])
    _still_theirs(engine, done_id, "zhang")
    back = engine.hand_over("li", None, by="eastboss")
    assert (back["to"], sorted(back["queue"])) == ([], sorted(open_ids))
    _still_theirs(engine, done_id, "zhang")


def test_a_role_taken_away_releases_the_open_claims_and_leaves_what_they_did(engine):
    """Guard (``release_ineligible_claims``: ``state == OPEN``): zhang made 企业 user loses the 2
    claims still open; the task zhang completed stays zhang's, with no ``released`` in its case."""
    open_ids, done_id = _claimed_and_one_done(engine, "zhang")
    engine.directory.set_roles("zhang", ["enterprise"], by="admin")
    assert sorted(t.id for t in engine.queue("li")) == sorted(open_ids)
    _still_theirs(engine, done_id, "zhang")
    history = engine.case(engine.task(done_id).case_id).history
    assert [h for h in history if h["action"] == "released"] == []
