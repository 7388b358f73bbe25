"""Timers on the engine clock (定时器).

SpiffWorkflow's timer event definitions compare against ``datetime.now()`` and evaluate every
timer text as Python, so a Camunda-style bare ``P10D`` fails. Ours are subclasses of its three
timer event definitions: literals (bare or quoted ISO 8601) are taken as they are, anything else is
a Python expression over case data (``workdays_after(registered_at, 10)``), and "now" is the
engine's clock, read from the workflow's script engine. The stored ``event_value`` keeps
SpiffWorkflow's shape, so its ``waiting_events()`` still describes our timers.

They reach SpiffWorkflow by configuration, not by patching it: the parser (engine/parser.py) turns
each parsed timer into ours, and the serializer configuration maps the stored type names to ours,
so frozen spec bundles and saved workflow state restore with them. The subclasses keep the class
names SpiffWorkflow stores ("TimeDateEventDefinition"...), which is what lets bundles written
before this change load unchanged.
"""
from __future__ import annotations

import contextvars
import re
from datetime import datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from . import boundary_data, restricted
from .excerpt import excerpt
from .timeexpr import (KIND_LABELS, TimerExpressionError, TimerPlan, check_cycle_interval, check_span,
                       looks_like_iso_literal,
                       parse_cycle, parse_datetime, parse_duration, plan_timer, what_to_write)

# Cycle timers that fired in the current step: at most one occurrence per step. After downtime a
# cycle fires once; the occurrences missed meanwhile are skipped (counted in ``missed``).
fired_this_step: contextvars.ContextVar[set | None] = contextvars.ContextVar("duban_fired_cycles", default=None)

KIND_OF_ELEMENT = {"timeDate": "date", "timeDuration": "duration", "timeCycle": "cycle"}


# Texts meant as ISO 8601, even when they are not valid: their own error says what is wrong, rather than
# "no expression either" (P1.5M, 2026-13-01, R/PT0S).
_MEANT_AS_ISO = {"duration": re.compile(r"""^\s*(['"]?)P(?:\d|T\d)[^\s'"]*\1\s*$""", re.IGNORECASE),
                 "date": re.compile(r"""^\s*(['"]?)\d{4}-\d[^\s'"]*\1\s*$"""),
                 "cycle": re.compile(r"""^\s*['"]?R\s*(?:-\s*)?\d*/""", re.IGNORECASE)}
_PARSERS = {"duration": parse_duration, "date": parse_datetime, "cycle": parse_cycle}


def check_timer_expression(element: str, text: str) -> str | None:
    """Deploy-time check of a timer text: a valid ISO literal, or a Python expression that compiles.
    The problem, in Chinese, ends saying what to write (the caller names the event in front)."""
    kind = KIND_OF_ELEMENT[element]
    if not text:
        return f"没有填写；{what_to_write(kind)}"
    if looks_like_iso_literal(kind, text) or _MEANT_AS_ISO[kind].match(text):
        try:
            value = _PARSERS[kind](text)
            if kind == "cycle":
                check_cycle_interval(value)
            check_span(kind, value)
        except TimerExpressionError as exc:
            return str(exc)
        return None
    try:
        compile(text, "<timer>", "eval")
    except (RecursionError, MemoryError):  # nested past Python's compiler (100,000 unary minus signs)
        return restricted.TOO_DEEP
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg) or "too complex" in str(exc.msg):
            return restricted.TOO_DEEP
        return (f"「{excerpt(text)}」既不是{KIND_LABELS[kind]}的写法，也不是能计算的表达式；{what_to_write(kind)}，"
                f"或写一个算出{KIND_LABELS[kind]}的表达式，如 {_EXPRESSION_EXAMPLES[kind]}")
    return None


_EXPRESSION_EXAMPLES = {"date": "workdays_after(registered_at, 10)", "duration": "timedelta(days=5)",
                        "cycle": "'R3/P1D'"}


def _engine_of(my_task):
    return my_task.workflow.top_workflow.script_engine


def plan_for(definition: TimerEventDefinition, my_task, kind: str) -> TimerPlan:
    engine = _engine_of(my_task)
    text = (definition.expression or "").strip()
    value = text if looks_like_iso_literal(kind, text) else engine.evaluate(my_task, text)
    try:
        return plan_timer(kind, value, engine.now())
    except TimerExpressionError as exc:
        spec = my_task.task_spec
        raise TimerExpressionError(f"定时事件「{spec.bpmn_name or definition.name or spec.bpmn_id}」({spec.bpmn_id}) "
                                   f"的定时器（{KIND_LABELS[kind]}）无效：{exc}") from None


def _single_has_fired(self, my_task):
    kind = "date" if isinstance(self, spiff_timer.TimeDateEventDefinition) else "duration"
    value = my_task._get_internal_data("event_value")
    if value is None:
        value = plan_for(self, my_task, kind).due.isoformat()
        my_task._set_internal_data(event_value=value)
    if datetime.fromisoformat(value) <= _engine_of(my_task).now():
        my_task._set_internal_data(event_fired=True)
    return my_task._get_internal_data("event_fired", False)


def _cycle_complete(self, my_task):
    """True when the next occurrence has come: the caller then starts one more run of the path."""
    state = my_task._get_internal_data("event_value")
    if state is None:
        plan = plan_for(self, my_task, "cycle")
        state = {"next": plan.due.isoformat(), "plan": plan.to_dict(), "cycles": -1, "fired": 0}
    ready = False
    fired = fired_this_step.get()
    already = fired is not None and my_task.id in fired
    if not already and state.get("plan") is not None and datetime.fromisoformat(state["next"]) <= _engine_of(my_task).now():
        if fired is not None:
            fired.add(my_task.id)
        ready = True
        state["fired"] += 1
        # Catch-up policy: occurrences missed while the engine was down are skipped, not replayed —
        # one firing now, then the schedule goes on from the next occurrence still ahead.
        now = _engine_of(my_task).now()
        current = TimerPlan.from_dict(state["plan"])
        following = current.next(now + timedelta(microseconds=1))  # the next occurrence strictly ahead
        if following is not None and following.remaining == 0 and following.due <= now:  # all past: done
            state["missed"] = state.get("missed", 0) + following.index - current.index
            following = None
        elif following is not None and following.index > current.index + 1:
            state["missed"] = state.get("missed", 0) + following.index - current.index - 1
        if following is None:
            state["plan"], state["cycles"] = None, 0
        else:
            state["plan"], state["next"] = following.to_dict(), following.due.isoformat()
    if state.get("plan") is None:
        my_task._set_internal_data(event_fired=True)  # the last occurrence has run: the timer is done
    my_task._set_internal_data(event_value=state)
    return ready


def due_of(my_task) -> datetime | None:
    """When a waiting timer task fires next (None when it is not a pending timer)."""
    value = my_task._get_internal_data("event_value")
    if value is None:
        return None
    if isinstance(value, dict):
        return datetime.fromisoformat(value["next"]) if value.get("plan") is not None else None
    return datetime.fromisoformat(value)


class TimeDateEventDefinition(spiff_timer.TimeDateEventDefinition):
    """timeDate (定时): fires at a date, on the engine clock."""

    def has_fired(self, my_task):
        return _single_has_fired(self, my_task)


class DurationTimerEventDefinition(spiff_timer.DurationTimerEventDefinition):
    """timeDuration (期限): fires a duration after the event was reached, on the engine clock."""

    def has_fired(self, my_task):
        return _single_has_fired(self, my_task)


class CycleTimerEventDefinition(spiff_timer.CycleTimerEventDefinition):
    """timeCycle (周期): one occurrence per step, so each is audited on its own. An occurrence's path
    starts on what earlier occurrences' paths wrote (engine/boundary_data.py): the event's data was
    just taken from its split again, before SpiffWorkflow makes the path from it."""

    def cycle_complete(self, my_task):
        ready = _cycle_complete(self, my_task)
        if ready:
            boundary_data.keep_given(my_task)
        return ready


OURS = {
    spiff_timer.TimeDateEventDefinition: TimeDateEventDefinition,
    spiff_timer.DurationTimerEventDefinition: DurationTimerEventDefinition,
    spiff_timer.CycleTimerEventDefinition: CycleTimerEventDefinition,
}


def ours(definition):
    """The engine-clock timer for a timer event definition SpiffWorkflow's parser made."""
    cls = OURS.get(type(definition))
    if cls is None:
        return definition
    return cls(definition.name, definition.expression, description=definition.description)
