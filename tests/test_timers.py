"""Timers on the engine clock: working-day deadlines, reminders, escalation, cycles, and sweeps by
many worker processes at once. Tests move the clock; nothing sleeps."""
from __future__ import annotations

import multiprocessing
import queue
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine import IncidentRaised, InvalidModel, ManualClock
from engine.schema import AuditEvent, HumanTask, Timer
from tests import timer_workers
from tests.support import deploy, make_engine

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url, clock=ManualClock(at("2026-09-28T09:00:00+08:00")))
    eng.directory.add_user("acme2", org="east", roles=["enterprise"], party="P-1")
    yield eng
    eng.dispose()


@pytest.fixture
def occurrences(monkeypatch):
    """The cycle occurrences the timer code computes (engine/timeexpr.py ``_Schedule.occurrence``, each
    index in turn): the work a replay of the occurrences missed during a downtime multiplies. A count,
    not a time: CI once measured 4.74 s of this thread's CPU around two sweeps that take 0.01 s, and
    walking 400 missed daily occurrences one by one costs only milliseconds, which no CPU bound sees."""
    from engine import timeexpr
    computed: list[int] = []
    occurrence = timeexpr._Schedule.occurrence

    def counted(self, k):
        computed.append(k)
        return occurrence(self, k)

    monkeypatch.setattr(timeexpr._Schedule, "occurrence", counted)
    return computed


def open_tasks(engine, case_id):
    return engine.case(case_id).tasks


def actions(engine, case_id, name):
    return [e for e in engine.case(case_id).history if e["action"] == name]


def test_ten_working_days_from_28_september_land_after_national_day(engine):
    deploy(engine, "deadline.bpmn")
    case = engine.start("deadline", by="zhang", org="east", party="P-1",
                        data={"registered_at": "2026-09-28T09:00:00+08:00"})
    (task,) = open_tasks(engine, case.id)
    # 9-29, 9-30, then the holiday 10-1..10-7, then 10-8, 10-9, 10-10 (调休 Saturday) ... 10-16
    assert task.due_at.astimezone(SH) == datetime(2026, 10, 16, 9, 0, tzinfo=SH)
    reminder = next(t for t in engine.case(case.id).timers if t.kind == "reminder")
    assert reminder.due_at.astimezone(SH) == datetime(2026, 10, 13, 9, 0, tzinfo=SH)


def test_a_make_up_working_saturday_counts(engine):
    deploy(engine, "deadline.bpmn")
    case = engine.start("deadline", by="zhang", org="east", data={"registered_at": "2026-10-09T09:00:00+08:00"})
    (task,) = open_tasks(engine, case.id)
    # 10-10 is a Saturday worked in exchange for the holiday: counting it gives 10-22, not 10-23.
    assert task.due_at.astimezone(SH) == datetime(2026, 10, 22, 9, 0, tzinfo=SH)


def test_reminder_fires_once_and_the_task_stays_then_overdue_escalates_to_supervisor(engine):
    deploy(engine, "deadline.bpmn")
    case = engine.start("deadline", by="zhang", org="east", party="P-1",
                        data={"registered_at": "2026-09-28T09:00:00+08:00"})
    (task,) = engine.queue("acme2")
    engine.clock.set(at("2026-10-12T09:00:00+08:00"))
    assert engine.run_due_timers() == 0
    engine.clock.set(at("2026-10-13T09:00:01+08:00"))
    assert engine.run_due_timers() == 1
    assert engine.run_due_timers() == 0  # once only
    (still,) = engine.queue("acme2")
    assert still.id == task.id and still.reminders == 1
    assert len(actions(engine, case.id, "reminded")) == 1
    assert engine.case(case.id).escalation_level == 0
    assert engine.queue("eastboss") == []

    engine.clock.set(at("2026-10-16T09:00:01+08:00"))
    assert engine.run_due_timers() == 1
    assert engine.queue("acme2") == []  # the enterprise's task was taken away...
    (escalated,) = engine.queue("eastboss")  # ...and landed with the supervisor
    assert escalated.name == "约谈督办"
    view = engine.case(case.id)
    assert view.escalation_level == 1
    (esc,) = actions(engine, case.id, "escalated")
    assert esc["detail"]["escalation_level"] == 1 and esc["task_id"] == task.id
    assert engine.run_due_timers() == 0
    assert engine.verify_audit() is None


def test_overdue_task_is_listed_as_overdue(engine):
    deploy(engine, "deadline.bpmn")
    engine.start("deadline", by="zhang", org="east", party="P-1", data={"registered_at": "2026-09-28T09:00:00+08:00"})
    assert engine.queue("acme2", overdue_only=True) == []
    engine.clock.set(at("2026-10-16T09:00:01+08:00"))  # due, not yet swept
    assert len(engine.queue("acme2", overdue_only=True)) == 1


def test_cycle_timer_fires_the_stated_number_of_times(engine):
    deploy(engine, "timers_misc.bpmn")
    case = engine.start("cycle_reminders", by="zhang", org="east")
    fired = []
    for _ in range(5):
        engine.clock.advance(days=7, seconds=1)
        fired.append(engine.run_due_timers())
    assert fired == [1, 1, 1, 0, 0]
    (task,) = engine.queue("zhang")
    assert task.reminders == 3 and len(actions(engine, case.id, "reminded")) == 3


def test_cycle_timer_fires_once_after_downtime_not_a_replay(engine, occurrences):
    """Catch-up policy: three weekly reminders missed while the engine was down give one reminder."""
    deploy(engine, "timers_misc.bpmn")
    case = engine.start("cycle_reminders", by="zhang", org="east")
    engine.clock.advance(days=30)
    occurrences.clear()
    assert engine.run_due_timers() == 1
    assert engine.run_due_timers() == 0
    assert len(occurrences) <= 10, occurrences  # 4 today, whatever the downtime
    assert len(actions(engine, case.id, "reminded")) == 1
    engine.clock.advance(days=30)
    assert engine.run_due_timers() == 0  # the cycle is over: its missed occurrences are not owed


def test_unbounded_cycle_after_downtime_fires_once_then_keeps_its_rhythm(engine, occurrences):
    engine.deploy(CYCLE_MODEL.replace("{cycle}", "R/P1D"), by="boss", filename="daily.bpmn")
    case = engine.start("daily_reminder", by="zhang", org="east")
    engine.clock.advance(days=400)  # more than a year down
    occurrences.clear()
    assert engine.run_due_timers() == 1
    assert len(occurrences) <= 10, len(occurrences)  # 4; walking the missed days one by one: 402
    engine.clock.advance(hours=12)
    assert engine.run_due_timers() == 0
    engine.clock.advance(days=1)
    assert engine.run_due_timers() == 1
    assert len(actions(engine, case.id, "reminded")) == 2


@pytest.mark.parametrize("cycle", ["R/PT0.001S", "R5/PT59S", "R/PT0S"])
def test_a_cycle_shorter_than_a_minute_is_refused_at_deploy_naming_the_timer(engine, cycle):
    with pytest.raises(InvalidModel) as err:
        engine.deploy(CYCLE_MODEL.replace("{cycle}", cycle), by="boss", filename="daily.bpmn")
    assert "每日催办" in str(err.value) and err.value.element_id == "remind"


def test_a_cycle_computed_shorter_than_a_minute_becomes_an_incident(engine):
    engine.deploy(CYCLE_MODEL.replace("{cycle}", "cycle_text"), by="boss", filename="daily.bpmn")
    with pytest.raises(IncidentRaised) as err:
        engine.start("daily_reminder", by="zhang", org="east", data={"cycle_text": "R/PT0.001S"})
    assert "1 分钟" in str(err.value)


@pytest.mark.parametrize("value, said", [
    ("R/PT0.001S", "定时事件「每日催办」(remind) 的定时器（周期）无效：周期定时器的间隔 PT0.001S 短于最小间隔 1 分钟；"
                   "请填写至少 1 分钟的间隔，如 R/PT5M（每 5 分钟）、R/P1D（每天）"),
    ("每天", "定时事件「每日催办」(remind) 的定时器（周期）无效：「每天」不是周期的写法；"
            "请填写周期，如 R3/PT1H（每小时一次，共 3 次）、R/P1D（每天，不限次数）、"
            "R3/2026-12-01T09:00:00+08:00/P1D（从该时间起每天一次，共 3 次）"),
    (3, "定时事件「每日催办」(remind) 的定时器（周期）无效：周期定时器的表达式得到的是「3」（数字），不是周期；"
        "请填写周期，如 R3/PT1H（每小时一次，共 3 次）、R/P1D（每天，不限次数）、"
        "R3/2026-12-01T09:00:00+08:00/P1D（从该时间起每天一次，共 3 次）"),
])
def test_a_computed_timer_that_is_no_time_is_an_incident_in_chinese_naming_the_event(engine, value, said):
    """What the incident page shows: the event by name and id, what the expression gave, what to write
    (it was "timer 'remind': a cycle timer needs a Cycle or ISO repeating-interval text; got int 3")."""
    engine.deploy(CYCLE_MODEL.replace("{cycle}", "cycle_text"), by="boss", filename="daily.bpmn")
    with pytest.raises(IncidentRaised) as err:
        engine.start("daily_reminder", by="zhang", org="east", data={"cycle_text": value})
    (incident,) = engine.incidents()
    assert incident.message == said == err.value.message
    from webui.labels import incident_explanation, without_element_ids
    assert incident_explanation(incident.message) == without_element_ids(said)  # the page shows it as it is


CYCLE_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://duban">
  <bpmn:process id="daily_reminder" name="每日催办" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="inspector"><bpmn:flowNodeRef>start</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>work</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:userTask id="work" name="整改" />
    <bpmn:boundaryEvent id="remind" name="每日催办" attachedToRef="work" cancelActivity="false">
      <bpmn:timerEventDefinition id="remind_def"><bpmn:timeCycle>{cycle}</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_intermediate_timer_and_due_date_from_an_expression(engine):
    deploy(engine, "timers_misc.bpmn")
    case = engine.start("wait_then_work", by="zhang", org="east")
    assert open_tasks(engine, case.id) == []
    engine.clock.advance(days=1)
    assert engine.run_due_timers() == 0
    engine.clock.advance(days=1, seconds=1)
    assert engine.run_due_timers() == 1
    (task,) = open_tasks(engine, case.id)
    assert task.name == "复查" and task.due_at == engine.clock.now() + timedelta(days=15)


def test_timer_start_event_waits_for_its_date(engine):
    deploy(engine, "timer_start.bpmn")
    case = engine.start("scheduled_check", by="zhang", org="east")
    assert open_tasks(engine, case.id) == []
    engine.clock.set(at("2026-12-01T08:59:00+08:00"))
    assert engine.run_due_timers() == 0
    engine.clock.set(at("2026-12-01T09:00:00+08:00"))
    assert engine.run_due_timers() == 1
    assert [t.name for t in open_tasks(engine, case.id)] == ["专项检查"]


def test_closing_a_case_starts_another_process(engine):
    deploy(engine, "timers_misc.bpmn", "closure_spawns.bpmn")
    case = engine.start("closing", by="zhang", org="east")
    engine.complete(open_tasks(engine, case.id)[0].id, "zhang", {})
    assert engine.case(case.id).status == "completed"
    (child,) = [c for c in engine.cases() if c.parent_case_id == case.id]
    assert child.process_key == "wait_then_work" and child.status == "running"
    assert engine.case(child.id).data["source_case"] == case.case_no
    assert actions(engine, case.id, "case_spawned")[0]["detail"]["case_no"] == child.case_no


def test_bad_timer_expression_is_rejected_at_deploy(engine):
    text = (deploy.__globals__["BPMN"] / "deadline.bpmn").read_text(encoding="utf-8").replace(
        "workdays_after(registered_at, 10)", "workdays_after(registered_at, 10")
    from engine import InvalidModel
    with pytest.raises(InvalidModel) as err:
        engine.deploy(text, by="boss", filename="deadline.bpmn")
    assert err.value.element_id == "overdue" and "定时器" in str(err.value)


def _many_waiting_cases(engine, n):
    deploy(engine, "timers_misc.bpmn")
    for _ in range(n):
        engine.start("wait_then_work", by="zhang", org="east")
    with engine.db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(Timer)).scalar() == n


def _count(engine, action):
    with engine.db.read() as s:
        return s.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == action)).scalar()


@pytest.mark.slow
def test_three_worker_processes_fire_a_thousand_timers_exactly_once(postgres_url):
    engine = make_engine(postgres_url, clock=ManualClock(at("2026-11-23T09:00:00+08:00")))
    _many_waiting_cases(engine, 1000)
    due = (engine.clock.now() + timedelta(days=2, seconds=1)).isoformat()
    ctx = multiprocessing.get_context("spawn")
    start_together, fired = ctx.Barrier(3), ctx.Queue()
    workers = [ctx.Process(target=timer_workers.sweep, args=(postgres_url, due, f"worker-{i}", start_together, fired))
               for i in range(3)]
    for w in workers:
        w.start()
    results: dict[str, int] = {}
    while len(results) < len(workers):
        try:
            results.update([fired.get(timeout=1)])
        except queue.Empty:
            assert all(w.exitcode in (None, 0) for w in workers), [w.exitcode for w in workers]
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    counts = [results[f"worker-{i}"] for i in range(3)]
    assert sum(counts) == 1000, counts
    assert all(c > 0 for c in counts), counts  # all three took part
    assert _count(engine, "timer_fired") == 1000
    with engine.db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(Timer)).scalar() == 0
        assert s.execute(sa.select(sa.func.count()).select_from(HumanTask).where(HumanTask.state == "open")).scalar() == 1000
    assert engine.verify_audit() is None
    engine.dispose()


@pytest.mark.slow
def test_a_killed_workers_leases_expire_and_nothing_stays_unfired(postgres_url):
    engine = make_engine(postgres_url, clock=ManualClock(at("2026-11-23T09:00:00+08:00")))
    _many_waiting_cases(engine, 200)
    engine.clock.advance(days=2, seconds=1)
    ctx = multiprocessing.get_context("spawn")
    doomed = ctx.Process(target=timer_workers.die_mid_sweep, args=(postgres_url, engine.clock.now().isoformat(), 50))
    doomed.start()
    doomed.join(120)
    assert doomed.exitcode == 9
    assert _count(engine, "timer_fired") == 50
    assert engine.run_due_timers(worker="survivor") == 0  # the dead worker's leases still hold
    engine.clock.advance(seconds=61)
    assert engine.run_due_timers(worker="survivor") == 150
    assert _count(engine, "timer_fired") == 200
    with engine.db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(Timer)).scalar() == 0
    engine.dispose()



@pytest.mark.parametrize("start, days, said", [
    (at("2026-09-28T09:00:00+08:00"), "１０", "工作日天数须为整数（如 10），而不是「１０」"),  # full-width, kept as text
    (at("2026-09-28T09:00:00+08:00"), -3, "工作日天数不能为负数（如 10），而不是「-3」"),
    (None, 10, "计算工作日需要一个日期（如 2026-12-31），而该值为空（没有填写）"),
])
def test_a_working_day_count_that_is_no_count_is_refused_in_chinese(start, days, said):
    """workdays_after() refusing what a form gave it, in Chinese (it was "working-day count must be an
    int, got '１０'")."""
    from engine import workdays
    with pytest.raises((TypeError, ValueError)) as err:
        workdays.workdays_after(start, days)
    assert str(err.value) == said
