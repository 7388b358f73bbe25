"""《生产安全事故报告和调查处理条例》第十一条: each level reports up within 2 hours of receiving the report.

The bureau receives the report when the unit reports (事故单位报告时间, typed at 事故信息接报), not when
an official enters the 接报 in the system: a report phoned in at 06:30 and entered at 09:00 was due
upward at 08:30, and the model gave until 11:00. Times on the engine's clock (the test moves it).
"""
from __future__ import annotations

import datetime as dt

import pytest

from workflows.demo import CHEMICAL
from workflows.functions import upward_report_due
from tests.process_support import advance, process_world

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
PROCESS = "accident_investigation"


def shanghai(hh: int, mm: int = 0) -> str:
    return f"2026-05-11T{hh:02d}:{mm:02d}:00+08:00"


@pytest.fixture
def w(database_url):
    yield from process_world(database_url, PROCESS, None, START)


def received(w, occurred_at: str, reported_at: str) -> int:
    c = w.desk.start(PROCESS, by="sun_qi", org="dongcheng", party=CHEMICAL, title="甲化工“5·11”爆炸事故").id
    w.desk.do(c, "事故信息接报", occurred_at=occurred_at, reported_at=reported_at)
    return c


@pytest.mark.parametrize("reported_at, due", [
    ("2026-05-11T08:40:00+08:00", "2026-05-11T10:40:00+08:00"),
    ("2026-05-11T06:30:00+08:00", "2026-05-11T08:30:00+08:00"),
    ("2026-05-11T10:00:00+08:00", "2026-05-11T11:00:00+08:00"),   # typed after now: no more time
])
def test_upward_report_due_two_hours_after_the_report_was_received_accident_regulation_art11(reported_at, due):
    now = "2026-05-11T09:00:00+08:00"
    assert dt.datetime.fromisoformat(upward_report_due(reported_at, now)) == dt.datetime.fromisoformat(due)


def test_upward_report_counted_from_the_units_report_not_from_its_entry_accident_regulation_art11(w):
    """Reported 08:40, entered 09:00: due 10:40 — at 10:39 the 科室负责人 still has it, at 10:40 the leader."""
    c = received(w, occurred_at=shanghai(8), reported_at=shanghai(8, 40))
    task = w.desk.task(c, "逐级上报事故信息")
    assert task.due_at == dt.datetime.fromisoformat(shanghai(10, 40))
    advance(w, minutes=99)
    assert w.desk.names(c) == ["逐级上报事故信息"] and w.engine.case(c).escalation_level == 0
    advance(w, minutes=1)
    assert w.desk.names(c) == ["超时上报督办"] and w.engine.case(c).escalation_level == 1


def test_report_entered_after_its_two_hours_is_overdue_at_once_accident_regulation_art11(w):
    """Phoned in at 06:30, entered at 09:00: the 2 hours ended at 08:30, so the leader is asked now."""
    c = received(w, occurred_at=shanghai(6), reported_at=shanghai(6, 30))
    assert w.desk.names(c) == ["超时上报督办"] and w.engine.case(c).escalation_level == 1
    assert w.engine.case(c).data["report_deadline"] == "2026-05-11T08:30:00+08:00"


def test_the_example_report_entered_in_the_afternoon_came_in_just_now_accident_regulation_art11(database_url):
    """The demo's and the tests' example accident (reported 08:40) entered at 15:00: its 2 hours lie ahead,
    as every example's deadline does, so a walk does not depend on the time of day."""
    world = process_world(database_url, PROCESS, None, dt.datetime(2026, 5, 11, 7, 0, tzinfo=dt.timezone.utc))
    w = next(world)
    try:
        c = w.desk.start(PROCESS, by="sun_qi", org="dongcheng", party=CHEMICAL, title="甲化工“5·11”爆炸事故").id
        w.desk.do(c, "事故信息接报")
        data = w.engine.case(c).data
        assert (data["occurred_at"], data["reported_at"]) == (shanghai(14, 20), shanghai(15))
        assert data["late_report"] is False
        assert w.desk.task(c, "逐级上报事故信息").due_at == dt.datetime.fromisoformat(shanghai(17))
    finally:
        world.close()
