"""Conditional events (条件事件) that wait while the case lacks what their condition reads.

A conditional catch event, boundary event or event sub-process start waits until its condition
holds. Camunda evaluates the condition whenever a variable changes and treats one the case does not
have yet as "not yet"; SpiffWorkflow evaluated it on the event's own branch only and failed the case
on the missing name (``${variable == 1}`` reached before anyone set ``variable``). Here the
condition reads the case's data as it is now — what its open tasks hold and what the task completed
last left (a parallel branch's form too), over the event's own copy, unless that copy is the newer
(the event reached from the task completed in this step); reading a variable the case lacks, it has not
fired: the event keeps waiting, and the engine's stall detection (engine/stall.py) says so when
nothing could ever set it. Any other failure of the condition is still an incident naming the event.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions import conditional as spiff_conditional
from SpiffWorkflow.util.task import TaskState

from . import conditional_starts
from .join_data import open_case_data


class ConditionalEventDefinition(spiff_conditional.ConditionalEventDefinition):
    """A conditional event definition whose condition, reading an absent variable, is not met. Named as
    SpiffWorkflow's: the type name stored with a case restores to this class (engine/parser.DUBAN_CONFIG)."""

    def has_fired(self, my_task):
        own = my_task.data
        workflow = conditional_starts.scope_of(my_task)  # an event sub-process's start: its scope's data
        # Read as the case has it now (its data objects, 数据对象, last: what a task wrote to one), then
        # put back. The event's own copy counts over the rest when it is the newer: it was taken from
        # its parent, and a parent that finished after the workflow's last task is the task completed
        # in this very step (SpiffWorkflow readies its children before it records it as last_task) —
        # the inspector's 复查 ``rectified = false`` over the enterprise's earlier ``true``.
        if _taken_after_last_task(my_task, workflow.last_task):
            merged = {**case_data(workflow), **own}
        else:
            merged = {**own, **case_data(workflow)}
        my_task.data = {**merged, **workflow.data_objects}
        fired = False
        try:
            fired = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        except WorkflowTaskException as exc:
            if exc.error_type != "NameError":
                raise
        finally:
            # Fired, the event goes on with the case's data it read (as Camunda's process variables:
            # 复查验收 after it sees 现场核查's rectified = true, not the fork's false its own copy
            # held); else its own copy is put back.
            my_task.data = merged if fired else own
        my_task._set_internal_data(has_fired=fired)
        return fired


def _taken_after_last_task(my_task, last_task) -> bool:
    """The event's data was copied from a parent that finished after ``last_task`` did."""
    parent = my_task.parent
    if parent is None or not parent._state & TaskState.FINISHED_MASK:
        return False
    return last_task is None or parent.last_state_change > last_task.last_state_change


def case_data(workflow) -> dict:
    """What the (sub)workflow's open tasks hold and what its last completed task left (its branch
    may have ended), merged as a running case's data is (engine/join_data.open_case_data): a variable
    one branch set is there for a conditional event waiting on another, as Camunda's process
    variables are, and a value a branch wrote beats one another branch carried unchanged since their
    fork — 现场核查's ``rectified = true`` is not undone by the 整改报告 branch completed after it,
    which still held the fork's ``false`` (laid in task order with the task completed last on top,
    the event never fired)."""
    return open_case_data(workflow, also=workflow.last_task)


def ours(definition):
    """SpiffWorkflow's conditional event definition as ours (same expression and description)."""
    return ConditionalEventDefinition(definition.expression, description=definition.description, name=definition.name)
