"""A step on a case that is no longer running (engine/step.py ``lock_case``) is refused in Chinese,
saying what became of the case, and changes nothing: a form an official submits after the case was
withdrawn (撤销), a second 撤销, a 撤销 of a case already closed (办结), of a case that does not exist. Real database, the model
tests/bpmn/collective_discussion.bpmn."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine import ManualClock
from engine.errors import Conflict, NotFound
from engine.schema import AuditEvent
from tests.support import START, deploy, make_engine

MODEL = "collective_discussion"


def _audit_count(e) -> int:
    with e.db.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar()


def test_a_form_submitted_after_the_case_was_withdrawn_is_refused_saying_so(database_url):
    """Mutation testing: the refusal's text lost (``Conflict(None)``) or the status word not looked up
    (「案件已cancelled」) went unnoticed."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, f"{MODEL}.bpmn")
        case = e.start(MODEL, by="zhang", org="east")
        (task,) = e.case(case.id).tasks
        e.cancel(case.id, by="eastboss", reason="当事人已注销")
        written = _audit_count(e)
        with pytest.raises(Conflict) as refused:
            e.complete(task.id, "zhang", {"committee_members": ["zhang", "li"]})
        assert str(refused.value) == "案件已撤销"
        with pytest.raises(Conflict) as again:
            e.cancel(case.id, by="eastboss", reason="重复撤销")
        assert str(again.value) == "案件已撤销"
        assert e.case(case.id).status == "cancelled" and _audit_count(e) == written
    finally:
        e.dispose()


def test_a_withdrawn_case_records_when_it_ended(database_url):
    """撤销 ends a case: its row says when (``ended_at``), as 办结 does; the second 撤销 refused
    above leaves that time as it was. Before, a withdrawn case kept ``ended_at`` empty."""
    from datetime import timedelta
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, f"{MODEL}.bpmn")
        case = e.start(MODEL, by="zhang", org="east")
        assert e.case(case.id).ended_at is None
        e.clock.advance(days=3)
        e.cancel(case.id, by="eastboss", reason="当事人已注销")
        assert e.case(case.id).ended_at == START + timedelta(days=3)
        e.clock.advance(days=1)
        with pytest.raises(Conflict):
            e.cancel(case.id, by="eastboss", reason="重复撤销")
        assert e.case(case.id).ended_at == START + timedelta(days=3)
    finally:
        e.dispose()


def test_withdrawing_a_closed_case_is_refused_saying_it_is_closed(database_url):
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, f"{MODEL}.bpmn")
        case = e.start(MODEL, by="zhang", org="east")
        for data in ({"committee_members": ["zhang", "li"]}, {}):
            (task,) = e.case(case.id).tasks
            e.complete(task.id, "zhang", data)
        assert e.case(case.id).status == "completed"
        with pytest.raises(Conflict) as refused:
            e.cancel(case.id, by="eastboss", reason="误办结")
        assert str(refused.value) == "案件已办结"
    finally:
        e.dispose()


def test_withdrawing_a_case_number_nobody_has_is_refused_naming_it(database_url):
    """A case id no case has (a link typed by hand, a case from another database): 「案件不存在: N」."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        with pytest.raises(NotFound) as refused:
            e.cancel(4242, by="eastboss", reason="录入错误")
        assert str(refused.value) == "案件不存在: 4242"
    finally:
        e.dispose()
