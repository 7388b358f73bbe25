"""多实例集合表达式: a multi-instance's collection written as an expression, not a variable's name —
Zeebe's ``inputCollection="=for h in hazards return h.id"``, ``"=for i in 1..3 return i"``,
``"=hazards[level = \"重大\"]"`` — computed once when the multi-instance task starts, as Zeebe
evaluates it (Camunda 8 docs, "Multi-instance": the input collection is evaluated when the activity
is entered), over the case's data then.

engine/dialects.py writes the translated expression as the inner task's ``PROPERTY`` (and the text
as written as ``WRITTEN``, for the incidents) and points ``loopDataInputRef`` at the task's own
variable ``holder(id)``; the multi-instance spec (engine/parser.py) computes it into that variable
before it reads it, and removes it when the task ends: it is no case variable (its name starts with
``_``, so no page lists it).
"""
from __future__ import annotations

import re

PROPERTY = "collectionExpression"
WRITTEN = "collectionWritten"
PREFIX = "_mi_collection_"


def holder(element_id: str) -> str:
    """The variable a multi-instance task's computed collection is held in while it runs."""
    return PREFIX + re.sub(r"[^0-9A-Za-z_]", "_", element_id or "")


def _properties(spec, my_task) -> dict:
    inner = my_task.workflow.spec.task_specs.get(spec.task_spec)
    return ((getattr(inner, "extensions", None) or {}).get("properties") or {}) if inner is not None else {}


def written(spec, my_task) -> str | None:
    """The collection as the model writes it (``=for i in 1..3 return i``), if it is an expression."""
    return _properties(spec, my_task).get(WRITTEN)


class ComputedCollection:
    """Mixin for the multi-instance task specs: ``compute_collection`` before the collection is read;
    the held collection removed when the task ends."""

    def compute_collection(self, my_task) -> None:
        expression = _properties(self, my_task).get(PROPERTY)
        if expression is None or self.data_input is None:
            return
        my_task.data[self.data_input.bpmn_id] = my_task.workflow.script_engine.evaluate(my_task, expression)

    def _run_hook(self, my_task):
        if self.data_input is not None and self.data_input.bpmn_id.startswith(PREFIX):
            my_task.data.pop(self.data_input.bpmn_id, None)
        return super()._run_hook(my_task)
