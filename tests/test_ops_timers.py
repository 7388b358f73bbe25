"""Timers that cannot run are refused at deploy (定时器部署校验), not when they fire.

A timer whose one wait, or whose counted cycle, runs past ``engine.timeexpr.MAX_SPAN_YEARS`` (100
years: a technical bound, not a legal one — past it the date arithmetic leaves the calendar), and a
cycle count written ``R-1`` (some engines' "for ever"), were deployed and then failed only when the
timer was set or fired: an incident in Chinese at best, hours or years later, an English
``ValueError: year 16026 is out of range`` at worst (``R/P7000Y``). Each is now refused at deploy
with a Chinese reason naming the timer's element. Real models, deployed through the engine on a
real SQLite file and a real PostgreSQL database; the timers our processes and tests/bpmn/interop
use deploy as before (tests/test_timers.py, tests/test_interop_*.py).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.errors import InvalidModel
from engine.timeexpr import TimerExpressionError, plan_timer
from tests.support import make_engine

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" id="Definitions_1"
                  targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.31.0">
  <bpmn:process id="wait_{n}" name="整改等待" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Event_wait" />
    <bpmn:intermediateCatchEvent id="Event_wait" name="等待整改期满">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerEventDefinition_1">
        <bpmn:{kind} xsi:type="bpmn:tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{text}</bpmn:{kind}>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Event_wait" targetRef="Event_end" />
    <bpmn:endEvent id="Event_end"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""

REFUSED = [
    ("timeCycle", "R999999999/PT1M", "超过 100 年；不限次数请不写次数，如 R/PT1M"),
    ("timeCycle", "R99999999999999999999/P1D", "超过 100 年"),
    ("timeCycle", "R-1/PT1M", "「R-1」不是次数的写法"),
    ("timeCycle", "R-1/P1D", "不限次数请不写次数"),
    ("timeDuration", "P99999Y", "超过 100 年"),
    ("timeDuration", "P9999999999D", "超过 100 年"),
    ("timeDuration", "PT99999999999999H", "超过 100 年"),
    ("timeDuration", "P101Y", "超过 100 年"),
    ("timeCycle", "R5/P99999Y", "周期的间隔「P99999Y」"),
    ("timeCycle", "R/P7000Y", "周期的间隔「P7000Y」"),
]


@pytest.fixture
def engine(database_url):
    e = make_engine(database_url)
    yield e
    e.dispose()


@pytest.mark.parametrize(("kind", "text", "reason"), REFUSED, ids=[t for _, t, _ in REFUSED])
def test_a_timer_that_cannot_run_is_refused_at_deploy_naming_its_element(engine, kind, text, reason):
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(MODEL.format(n=1, kind=kind, text=text).encode("utf-8"), by="boss", filename="wait.bpmn")
    messages = [p["message"] for p in refused.value.problems]
    assert any("「等待整改期满」(Event_wait)" in m and reason in m for m in messages), messages
    assert not any("Error" in m or "out of range" in m for m in messages), messages


ACCEPTED = [("timeCycle", "R/PT1M"), ("timeCycle", "R3/P7D"), ("timeCycle", "R52/P7D"), ("timeCycle", "R100/P1Y"),
            ("timeCycle", "R/P99Y"), ("timeDuration", "P100Y"), ("timeDuration", "P10D"), ("timeDuration", "PT36H"),
            ("timeDate", "9999-12-31"), ("timeCycle", "R/2026-11-23T08:30:00+08:00/P1D")]


def test_timers_within_the_span_deploy_as_before(engine):
    for n, (kind, text) in enumerate(ACCEPTED):
        model = engine.deploy(MODEL.format(n=n, kind=kind, text=text).encode("utf-8"), by="boss",
                              filename=f"wait{n}.bpmn")
        assert model.version == 1, (kind, text)


@pytest.mark.parametrize(("kind", "value"), [("cycle", "R/P7000Y"), ("duration", "P7000Y"),
                                             ("cycle", "R999999999/PT1M")])
def test_a_computed_timer_past_the_span_is_refused_in_chinese_when_set(kind, value):
    """A timer computed by an expression is known only when set: refused then in Chinese, not with
    Python's ``year 16026 is out of range`` at a later firing."""
    now = datetime(2026, 12, 6, tzinfo=timezone.utc)
    with pytest.raises(TimerExpressionError, match="超过 100 年"):
        plan = plan_timer(kind, value, now)
        plan.next(plan.due + timedelta(seconds=1))
