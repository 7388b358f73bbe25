"""Separation of duties (回避) written by the step on its own connection: the completion that opens a
task under a 回避 rule (notCompletedBy, notRoleOfCase) computes who is excluded in SQL Core and makes no
ORM session — through the session it cost that completion ~0.6 ms (bpmn/case_file_review.bpmn's first
completion; issue 15) — and the exclusions are what they were: the investigator is excluded with the
reason, the other reviewer is not, and a reviewer the case named who is excluded loses the task to the
role's queue. On SQLite and PostgreSQL; models from tests/bpmn."""
from __future__ import annotations

import pytest

from engine import Forbidden
from tests.support import deploy, make_engine
from tests.support import sessions_made


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    d = eng.directory
    d.add_role("legal_reviewer", "法制审核员")
    d.add_user("zhou", org="east", roles=["inspector", "legal_reviewer"], name="周")
    d.add_user("sun", org="east", roles=["legal_reviewer"], name="孙")
    deploy(eng, "duties.bpmn", "duties_self_review.bpmn")
    yield eng
    eng.dispose()


def _only(tasks, name):
    found = [t for t in tasks if t.name == name]
    assert len(found) == 1, [t.name for t in tasks]
    return found[0]


def test_the_completion_opening_a_ruled_task_excludes_without_an_orm_session(engine, monkeypatch):
    warm = engine.start("duties", by="zhou", org="east")  # caches filled (principals, roles, model)
    engine.complete(_only(engine.case(warm.id).tasks, "调查取证").id, "zhou", {})
    case = engine.start("duties", by="zhou", org="east")
    investigate = _only(engine.case(case.id).tasks, "调查取证")
    made = sessions_made(monkeypatch)
    engine.complete(investigate.id, "zhou", {})
    assert made == []
    review = _only(engine.case(case.id).tasks, "法制审核")
    assert review.id not in [t.id for t in engine.queue("zhou")]
    assert review.id in [t.id for t in engine.queue("sun")]
    with pytest.raises(Forbidden, match="回避：您参与了本案的调查取证，不能办理「法制审核」"):
        engine.complete(review.id, "zhou", {})
    engine.complete(review.id, "sun", {})
    assert [t.name for t in engine.case(case.id).tasks] == ["指定组长"]


def test_a_named_reviewer_who_investigated_loses_the_task_to_the_queue(engine):
    """A tired official names himself as the reviewer at the start: the task opens for him, the 回避
    rule excludes him in the same step, so it goes to the other legal reviewers' queue instead."""
    case = engine.start("duties_self_review", by="zhou", org="east", data={"reviewer": "zhou"})
    engine.complete(_only(engine.case(case.id).tasks, "调查取证").id, "zhou", {})
    review = _only(engine.case(case.id).tasks, "法制审核")
    assert review.assignee is None
    assert review.id not in [t.id for t in engine.queue("zhou")]
    assert review.id in [t.id for t in engine.queue("sun")]
    with pytest.raises(Forbidden, match="回避：您办理了本案的「调查取证」"):
        engine.complete(review.id, "zhou", {})
    engine.complete(review.id, "sun", {})
    assert engine.case(case.id).status == "completed"
