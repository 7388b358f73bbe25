"""演示数据 tell a believable story in time (``workflows.demo.Timeline``): the demo's overdue cases fell
overdue on their own days in the weeks before the load — each escalation (升级督办) on the day its
deadline passed, reminders (催办) before it — some cases reminded and still on time, most on time; and
the clock is where it was when the load ends. Before, every case started at the load and every timer
fired then: the 驾驶舱 and 逾期督办 showed everything escalated at once, each case 今日逾期."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from engine import ManualClock
from engine.audit import case_chain
from engine.clock import SHANGHAI
from engine.schema import AuditEvent
from workflows.demo import load_demo
from workflows.runtime import build_engine

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)  # Monday 09:00 in Beijing


@pytest.fixture(scope="module")
def demo(module_database_url):
    engine = build_engine(module_database_url, clock=ManualClock(NOW))
    cases = load_demo(engine)
    yield engine, cases
    engine.dispose()


def _days(engine, case_id: int, action: str) -> list[dt.date]:
    with engine.db.read() as s:
        stamps = s.execute(sa.select(AuditEvent.at).where(AuditEvent.chain == case_chain(case_id),
                                                          AuditEvent.action == action).order_by(AuditEvent.seq)).scalars()
        return [(at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)).astimezone(SHANGHAI).date() for at in stamps]


def test_the_clock_is_back_at_the_load_and_cases_started_over_the_weeks_before(demo):
    engine, cases = demo
    assert engine.clock.now() == NOW
    started = {label: engine.case(cid).started_at for label, cid in cases.items()}
    assert started["accident_overdue"].date() == (NOW - dt.timedelta(days=70)).date()
    assert started["hazard_registered"] == NOW  # today's work
    assert len({at.date() for at in started.values()}) >= 6


def test_each_escalation_came_the_day_after_its_deadline_not_at_the_load(demo):
    engine, cases = demo
    today = NOW.astimezone(SHANGHAI).date()
    escalated = {label: _days(engine, cases[label], "escalated")[0]
                 for label in ("accident_overdue", "assessment_overdue", "hazard_overdue", "enforcement_unpaid",
                               "hazard_general_overdue", "self_report_overdue")}
    deadline = dt.date.fromisoformat(engine.case(cases["hazard_overdue"]).data["rectify_deadline"])
    assert escalated["hazard_overdue"] == deadline + dt.timedelta(days=1) == today - dt.timedelta(days=4)
    assert escalated["hazard_general_overdue"] == today - dt.timedelta(days=1)
    assert len(set(escalated.values())) >= 5, escalated  # on their own days
    assert sum(day < today for day in escalated.values()) >= 5, escalated  # before the load
    reminded = _days(engine, cases["hazard_overdue"], "reminded")
    assert reminded and all(day <= deadline for day in reminded)  # 催办 before the deadline


def test_a_case_reminded_is_not_yet_overdue_and_most_are_on_time(demo):
    engine, cases = demo
    investigating = engine.case(cases["accident_investigating"])
    assert _days(engine, investigating.id, "reminded") and investigating.escalation_level == 0
    running = [engine.case(cid) for cid in cases.values() if engine.case(cid).status == "running"]
    late = [c for c in running if c.escalation_level]
    assert 0 < len(late) < len(running) / 2, [c.case_no for c in late]
