"""The SpiffWorkflow parser and serializer configuration Duban runs models with.

``DubanParser`` is SpiffWorkflow's own ``SpiffBpmnParser`` with one change: service tasks are our
``DubanServiceTask`` (engine/service_tasks.py), which calls a registered handler or waits for an
external worker or a person. ``DUBAN_CONFIG`` is SpiffWorkflow's serializer configuration plus the
converter for that class. Everything else — Camunda/Flowable attributes, JUEL conditions — is
rewritten into SpiffWorkflow's dialect before parsing (engine/dialects.py).
"""
from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter

from .service_tasks import DubanServiceTask


class DubanParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (ServiceTaskParser, DubanServiceTask),
    }


DUBAN_CONFIG = deepcopy(SPIFF_CONFIG)
DUBAN_CONFIG[DubanServiceTask] = ServiceTaskConverter
