"""今天 is the day in Beijing by the engine's clock — one function for it (engine/clock.py
``today_in_china``), read by model scripts' and FEEL's ``today()``, a form's 「不早于今天」, the
enterprise's 隐患清单 and report due days, and the demo desk. Beijing's midnight is 16:00 UTC: a
case at 23:59:59 Beijing time is still on the day, one second later on the next. The demo's 演示时间
(ShiftedClock) moves it with its offset, not its base clock's day. A real SQLite file and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt

import pytest

from engine.clock import SHANGHAI, ManualClock, ShiftedClock, today_in_china
from tests.support import make_engine

UTC = dt.timezone.utc
LAST_SECOND_OF_2026 = dt.datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)   # 2026-12-31 23:59:59 in Beijing

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_1"
  targetNamespace="http://bpmn.io/schema/bpmn" exporter="bpmn-js (https://demo.bpmn.io)" exporterVersion="17.11.1">
  <bpmn:process id="today_record" name="记录登记日" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0reg" />
    <bpmn:userTask id="Activity_0reg" name="登记" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0reg" targetRef="Activity_0calc" />
    <bpmn:scriptTask id="Activity_0calc" name="记下登记日" scriptFormat="python">
      <bpmn:script>registered_on = today()</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_0calc" targetRef="Activity_0check" />
    <bpmn:userTask id="Activity_0check" name="审核" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Activity_0check" targetRef="Event_0end" />
    <bpmn:endEvent id="Event_0end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize("moment, day", [
    (LAST_SECOND_OF_2026, dt.date(2026, 12, 31)),
    (LAST_SECOND_OF_2026 + dt.timedelta(seconds=1), dt.date(2027, 1, 1)),
    (dt.datetime(2026, 12, 31, 0, 0, tzinfo=UTC), dt.date(2026, 12, 31)),    # 08:00 in Beijing
])
def test_today_in_china_turns_at_beijing_midnight_16_00_utc(moment, day):
    assert today_in_china(ManualClock(moment)) == day
    assert moment.astimezone(SHANGHAI).date() == day


def test_the_demo_shifted_clock_gives_its_own_day_not_its_base_clocks():
    base = ManualClock(LAST_SECOND_OF_2026)
    shifted = ShiftedClock(base, offset=dt.timedelta(days=10))
    assert today_in_china(base) == dt.date(2026, 12, 31)
    assert today_in_china(shifted) == dt.date(2027, 1, 10)
    base.advance(seconds=1)                    # advance passes through to the base clock
    assert today_in_china(shifted) == dt.date(2027, 1, 11)


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url, clock=ManualClock(LAST_SECOND_OF_2026))
    eng.deploy(MODEL.encode("utf-8"), by="boss", filename="today_record.bpmn")
    yield eng
    eng.dispose()


def _registered_on(engine, moment: dt.datetime) -> str:
    engine.clock.set(moment)
    case = engine.start("today_record", by="zhang", data={})
    case_id = case if isinstance(case, int) else case.id
    (task,) = engine.case(case_id).tasks
    engine.complete(task.id, "zhang", {})
    return engine.case(case_id).data["registered_on"]


def test_a_scripts_today_is_the_beijing_day_on_either_side_of_midnight(engine):
    assert _registered_on(engine, LAST_SECOND_OF_2026) == "2026-12-31"
    assert _registered_on(engine, LAST_SECOND_OF_2026 + dt.timedelta(seconds=1)) == "2027-01-01"
