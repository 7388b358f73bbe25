"""The SpiffWorkflow parser and serializer configuration Duban runs models with.

``DubanParser`` is SpiffWorkflow's own ``SpiffBpmnParser`` with two changes: service tasks are our
``DubanServiceTask`` (engine/service_tasks.py), which calls a registered handler or waits for an
external worker or a person; and timer events run on the engine clock (engine/timers.py).
``DUBAN_CONFIG`` is SpiffWorkflow's serializer configuration plus the converters for those classes. Everything else — Camunda/Flowable attributes, JUEL conditions — is
rewritten into SpiffWorkflow's dialect before parsing (engine/dialects.py).
"""
from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import EventDefinitionParser
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter

from . import timers
from .service_tasks import DubanServiceTask


class EngineClockTimers:
    """Parser mixin: timer event definitions become ours (engine/timers.py)."""

    def parse_timer_event(self, event):
        return timers.ours(super().parse_timer_event(event))


def _with_engine_clock_timers(parser_class):
    if not issubclass(parser_class, EventDefinitionParser):
        return parser_class
    return type(parser_class.__name__, (EngineClockTimers, parser_class), {})


class DubanParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        **{tag: (_with_engine_clock_timers(parser), spec)
           for tag, (parser, spec) in SpiffBpmnParser.OVERRIDE_PARSER_CLASSES.items()},
        full_tag("serviceTask"): (ServiceTaskParser, DubanServiceTask),
    }


DUBAN_CONFIG = deepcopy(SPIFF_CONFIG)
DUBAN_CONFIG[DubanServiceTask] = ServiceTaskConverter
# Registered after SpiffWorkflow's own: the stored type names (the same) restore to ours.
for _ours in timers.OURS.values():
    DUBAN_CONFIG[_ours] = TimerConditionalEventDefinitionConverter
