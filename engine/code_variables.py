"""The code of a caught error or escalation, kept in the case (捕获的错误代码、升级代码).

Camunda 7 lets the catching event name the variable that receives the code it caught:
``camunda:errorCodeVariable`` on the error definition of an error boundary event or of an event
sub-process's error start event, ``camunda:escalationCodeVariable`` on an escalation one
(Camunda's EscalationEventTest.testRetrieveEscalationCodeVariableOnBoundaryEvent and
ErrorEventSubProcessTest: the variable holds the code that was thrown — a catch-all catcher gets
the thrower's code). Until 2026-12 both attributes were dropped without a word: a 督办 path that
branched on ``${errorCode == "REFUSED"}`` after a 拒检 boundary found no value.

The model's name travels as the catching event's ``codeVariable`` property (engine/dialects.py
writes it); ``caught`` keeps the thrown code with the catching task when the event arrives and
``store`` puts it in the task's data when the catching event runs, from where it flows on like any
case data. Our error and escalation definitions (engine/thrown_errors.py, engine/scoped_events.py)
call both through ``KeepsCode``.
"""
from __future__ import annotations

PROPERTY = "codeVariable"
_KEPT = "caught_code"


def variable_of(task_spec) -> str | None:
    """The variable the catching event ``task_spec`` names for the caught code, or None."""
    props = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    return props.get(PROPERTY) or None


def caught(my_task, event) -> None:
    """Keep the code of ``event`` (as thrown) with ``my_task`` when its event names a variable for it."""
    if variable_of(my_task.task_spec) is not None:
        my_task.internal_data[_KEPT] = getattr(event.event_definition, "code", None)


def store(my_task) -> None:
    """Put the kept code into ``my_task``'s data under the variable its event names."""
    name = variable_of(my_task.task_spec)
    if name is not None and _KEPT in my_task.internal_data:
        my_task.data[name] = my_task.internal_data.pop(_KEPT)


class KeepsCode:
    """Mixed into an error or escalation event definition (before SpiffWorkflow's): a catch keeps the
    thrown code, the catching event's run stores it in the variable its model names."""

    def catch(self, my_task, event=None):
        super().catch(my_task, event)
        caught(my_task, event)

    def update_task_data(self, my_task):
        super().update_task_data(my_task)
        store(my_task)
