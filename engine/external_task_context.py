"""``externalTask`` in the expression of an external task's error definition (Camunda 7.12's
``<camunda:errorEventDefinition expression="${externalTask.getErrorDetails().contains('…')}"/>``).

Camunda evaluates those expressions when a worker completes the task and when it reports a failure,
and resolves ``externalTask`` to the task (its errorMessage, errorDetails, workerId, topicName,
retries). engine/external_tasks.py passes the failure's values when it evaluates them on a failure;
on a completion the wrapping gateway (engine/dialects._external_task_errors) evaluates them, and
``externalTask`` is then the task as completed: no failure reported in this completion, so its
message and details are empty text (Camunda's entity holds null there and a ``contains`` on it
fails the completion; here the definition simply does not hold)."""
from __future__ import annotations

from typing import Any

NAME = "externalTask"
_COMPLETED = {"errorMessage": "", "errorDetails": "", "workerId": "", "topicName": "", "retries": None}


def with_external_task(code: Any, external_context: dict | None, data: dict) -> dict | None:
    """``external_context`` plus ``externalTask`` (as on a completion) when ``code`` reads it and
    neither the data nor the context has one; else ``external_context`` as it is (a substring test)."""
    if not isinstance(code, str) or NAME not in code or NAME in data or (external_context and NAME in external_context):
        return external_context
    return {**(external_context or {}), NAME: dict(_COMPLETED)}
