"""An error nobody catches (未捕获的错误) is an incident, not the end of the case.

An error end event whose error no boundary event, event sub-process or calling activity's boundary
event catches — at any level up to the case's top — ended the case as completed under SpiffWorkflow
(the path just ended, and with it the process): for a supervising bureau a case that 办结 on an error
is a lost case. Zeebe raises an incident there ("Expected to throw an error event with the code …,
but it was not caught"); Camunda 7 ends the path as a none end event and only logs. Ours raises an
incident naming the end event and its error (name and code): the step is rolled back, so the case
stays where it was before it (the task just submitted still open) and a supervisor retries it once
the model is corrected or with other data. Deploying such a model is not refused: the same process
may be called by another whose call activity catches the error.

An escalation nobody catches is not an error (BPMN 2.0 §10.5.2: escalation is non-critical; Camunda
7 and Zeebe both go on): the case goes on, and the case's record says it was raised and not caught
(audit action ``escalation_not_caught``, engine/messages.py), so the escalation is not lost silently.

Our definitions are SpiffWorkflow's (the spiff package's, with their payload) under the same class
names, so stored specs restore to them (engine/parser.py's serializer configuration).
"""
from __future__ import annotations

from SpiffWorkflow.spiff.specs import event_definitions as spiff_events

from . import code_variables
from .dialects import KIND_NAMES
from .scoped_events import throw_to_scopes


class UncaughtError(Exception):
    """An error end event's error that nothing catches (an incident naming the event)."""

    def __init__(self, message: str, task_spec):
        self.task_spec = task_spec
        super().__init__(message)


def _what(definition, word: str) -> str:
    name = (definition.name or "").strip()
    code = (definition.code or "").strip() if isinstance(definition.code, str) else definition.code
    if name and not name.startswith("None "):  # SpiffWorkflow names an event without a reference so
        return f"{word}「{name}」" + (f"（代码「{code}」）" if code and code != name else "")
    return f"{word}（代码「{code}」）" if code else f"未指定{word}"


def _event(spec) -> str:
    kind = KIND_NAMES.get(type(spec).__name__[0].lower() + type(spec).__name__[1:], "事件")
    name = (spec.bpmn_name or "").strip()
    return f"{kind}「{name}」({spec.bpmn_id})" if name else f"{kind} {spec.bpmn_id}"


class ErrorEventDefinition(code_variables.KeepsCode, spiff_events.ErrorEventDefinition):
    """SpiffWorkflow's error definition, thrown to the nearest enclosing scope that catches it
    (engine/scoped_events.py); caught by none, an incident."""

    def throw(self, my_task):
        if not throw_to_scopes(self, my_task):
            spec = my_task.task_spec
            raise UncaughtError(
                f"{_event(spec)}抛出{_what(self, '错误')}，但没有边界事件或事件子流程捕获它；本系统不把出错当作办结，"
                "案件停在这一步之前。请流程设计员为该错误画上捕获它的边界事件或事件子流程，或补充数据后重试", spec)


def ours(definition):
    """Our error definition for the one SpiffWorkflow's parser made (same name, code, payload)."""
    if type(definition) is spiff_events.ErrorEventDefinition:
        definition.__class__ = ErrorEventDefinition
    return definition
