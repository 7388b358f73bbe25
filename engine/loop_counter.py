"""``loopCounter`` (多实例序号): which instance of a multi-instance task the model code runs in.

Camunda 7, Flowable and Activiti give each instance of a multi-instance activity an execution-local
variable ``loopCounter``, its index in the for-each, counting from 0; Camunda 8 (Zeebe) gives the
same variable counting from 1. Models read it in an instance's own expressions and scripts
(``${loopCounter}`` in an input, ``审批人 = 审批人列表[loopCounter]`` in a script) and in the
completion condition. SpiffWorkflow sets nothing of the kind, so the engine's script engine
(engine/scripting.py) offers it beside the task's data whenever model code names it — never stored
in the case (it is local to the instance, as in Camunda), and the instance's own variable of that
name wins. Tasks inside an instance of an embedded subprocess see their instance's counter; a
called process (call activity) does not, as in Camunda.

A Camunda 8 model counts from 1: engine/dialects.py marks its multi-instance tasks with the
property ``loopCounterBase`` = 1.
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity

LOOP_COUNTER = "loopCounter"
BASE_PROPERTY = "loopCounterBase"


def loop_counter(task) -> int | None:
    """The counter of the multi-instance instance ``task`` runs in (itself, or the embedded
    subprocess instance around it); None outside any."""
    current = task
    while current is not None:
        parent = current.parent
        if parent is None:  # the first task of a subprocess: go on from the subprocess's own task
            workflow = current.workflow
            if workflow.parent_task_id is None:
                return None
            current = workflow.parent_workflow.get_task_from_id(workflow.parent_task_id)
            if current is None or isinstance(current.task_spec, CallActivity):
                return None
            continue
        spec = parent.task_spec
        if isinstance(spec, MultiInstanceTask) and current.task_spec.name == spec.task_spec:
            ordinal = next(i for i, child in enumerate(spec._instances(parent)) if child is current)
            return ordinal + _base(current.task_spec)
        current = parent
    return None


def _base(spec) -> int:
    properties = (getattr(spec, "extensions", None) or {}).get("properties") or {}
    return 1 if str(properties.get(BASE_PROPERTY, "0")).strip() == "1" else 0


def with_loop_counter(task, code: Any, external_context: dict | None) -> dict | None:
    """``external_context`` plus ``loopCounter`` when ``code`` names it, the task runs in an instance
    and neither the task's data nor the context has one already; else ``external_context`` as it is
    (the usual case costs a substring test)."""
    if not isinstance(code, str) or LOOP_COUNTER not in code or LOOP_COUNTER in task.data \
            or (external_context and LOOP_COUNTER in external_context):
        return external_context
    counter = loop_counter(task)
    if counter is None:
        return external_context
    return {**(external_context or {}), LOOP_COUNTER: counter}
