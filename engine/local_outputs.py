"""Camunda 8 tasks whose output mappings are the only way out (仅输出映射回写案件).

In Zeebe, once a task has output mappings, what the task itself sets (a person's form) stays a
local variable of the task: only the mapped outputs reach the process. engine/dialects.py marks
such a user or manual task with the property ``OUTPUTS_ONLY`` (the output targets, separated by
spaces); the parser then builds it as one of the classes here (each registered with SpiffWorkflow's
converter of its base, so a stored case restores to it). As the task becomes ready, it keeps a
copy of the case data it inherits in its internal data (stored with the task: a case
restored mid-task has it); as it completes, after its post-script has set the outputs, its data
is that copy plus the outputs. The form's values stay in the case's audit trail.
"""
from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.spiff.specs.defaults import ManualTask, UserTask

OUTPUTS_ONLY = "zeebeOutputsOnly"
BEFORE = "duban_case_data_before"


def outputs_only(spec) -> list[str] | None:
    """The output targets of a task whose outputs are the only way out, or None."""
    value = ((getattr(spec, "extensions", None) or {}).get("properties") or {}).get(OUTPUTS_ONLY)
    return value.split() if value is not None else None


class OutputsOnlyMixin:
    def _update_hook(self, my_task):
        if BEFORE not in my_task.internal_data:  # what the task inherits (in the hook, before its pre-script)
            my_task.internal_data[BEFORE] = deepcopy(my_task.parent.data if my_task.parent else my_task.data)
        return super()._update_hook(my_task)  # type: ignore[misc]

    def _on_complete_hook(self, my_task):
        super()._on_complete_hook(my_task)  # type: ignore[misc]  # the post-script sets the outputs
        before = my_task.internal_data.pop(BEFORE, None)
        if before is None:
            return
        outputs = {name: my_task.data[name] for name in outputs_only(self) or () if name in my_task.data}
        my_task.data = {**before, **outputs}


class OutputsOnlyUserTask(OutputsOnlyMixin, UserTask):
    pass


class OutputsOnlyManualTask(OutputsOnlyMixin, ManualTask):
    pass


OUTPUTS_ONLY_CLASSES = {UserTask: OutputsOnlyUserTask, ManualTask: OutputsOnlyManualTask}


class OutputsOnlyParser:
    """A task parser mixin: a task marked ``OUTPUTS_ONLY`` is built as its outputs-only class."""

    def create_task(self):
        task = super().create_task()  # type: ignore[misc]
        if type(task) in OUTPUTS_ONLY_CLASSES and self._outputs_only_marked():
            # SpiffWorkflow's user task parser names its class itself; ours only adds two hooks
            task.__class__ = OUTPUTS_ONLY_CLASSES[type(task)]
        return task

    def _outputs_only_marked(self) -> bool:
        return any(p.get("name") == OUTPUTS_ONLY for p in self.node.iter(  # type: ignore[attr-defined]
            "{http://spiffworkflow.org/bpmn/schema/1.0/core}property"))
