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

Camunda 7's variable filter (``camunda:variableName``, ``camunda:variableEvents`` create/update/delete;
ConditionalEventWithSpecificVariableEventTest) is applied: such an event asks its condition when it
is reached, as Camunda does, and after that only when a step changed the variable it names (any
variable, without a name), by one of the kinds of change it lists (``create``: absent before,
``update``: another value, ``delete``: gone; none listed, any). What each asked last is kept with the
event's task (``SEEN``: a digest of each value), so a restart changes nothing; a step that sets a
variable to the value it had is no change here (Camunda's update event fires on any set).
"""
from __future__ import annotations

import hashlib
import json

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.specs.event_definitions import conditional as spiff_conditional
from SpiffWorkflow.util.task import TaskState

from . import conditional_starts
from .join_data import open_case_data


SEEN = "condition_seen"  # a filtered event's internal data: a digest of each watched variable when last asked
KINDS = ("create", "update", "delete")


class ConditionalEventDefinition(spiff_conditional.ConditionalEventDefinition):
    """A conditional event definition whose condition, reading an absent variable, is not met, and
    which, drawn with Camunda's variable filter, asks it only when that variable changed. Named as
    SpiffWorkflow's: the type name stored with a case restores to this class (engine/parser.DUBAN_CONFIG)."""

    def __init__(self, expression, variable_name: str = "", variable_events: tuple[str, ...] = (), **kwargs):
        super().__init__(expression, **kwargs)
        self.variable_name = variable_name
        self.variable_events = tuple(variable_events)

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
        if (self.variable_name or self.variable_events) and not self._changed(my_task):
            my_task.data = own
            my_task._set_internal_data(has_fired=False)
            return False
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


    def _changed(self, my_task) -> bool:
        """Did the variable this event watches change (by a kind it lists) since it last asked? The
        first time, yes: the condition is asked as the event is reached. ``my_task.data``: the case's
        data as the condition reads it."""
        data = my_task.data
        watched = tuple(n.strip() for n in self.variable_name.split(",") if n.strip())
        now = {name: _digest(data[name]) for name in watched or data if name in data}
        seen = my_task._get_internal_data(SEEN)
        my_task._set_internal_data(**{SEEN: now})
        if seen is None:
            return True
        kinds = self.variable_events or KINDS
        for name in watched or {**seen, **now}:
            before, after = seen.get(name), now.get(name)
            kind = "create" if before is None and after is not None else "delete" if after is None and before is not None \
                else "update" if before != after else None
            if kind in kinds:
                return True
        return False


def _digest(value) -> str:
    """A short stable digest of a variable's value (stored with the event's task, compared the next time)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def filter_of(element) -> tuple[str, tuple[str, ...]]:
    """The variable filter drawn on a ``conditionalEventDefinition`` — Camunda 7's attributes
    ``camunda:variableName``/``variableEvents``, Camunda 8's ``<zeebe:conditionalFilter variableNames=
    "a, b" variableEvents="create, update"/>`` — as the names watched (comma-separated, "" any) and the
    kinds of change listed, each known kind once."""
    from .dialects import VENDOR_NS, ZEEBE_NS

    name = events = ""
    for ns in VENDOR_NS:
        name = name or (element.get(f"{{{ns}}}variableName") or "").strip()
        events = events or (element.get(f"{{{ns}}}variableEvents") or "").strip()
    for zeebe in element.iter(f"{{{ZEEBE_NS}}}conditionalFilter"):
        name = name or (zeebe.get("variableNames") or "").strip()
        events = events or (zeebe.get("variableEvents") or "").strip()
    listed = [kind.strip().lower() for kind in events.split(",")]
    return name, tuple(kind for kind in KINDS if kind in listed)


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


def ours(definition, element=None):
    """SpiffWorkflow's conditional event definition as ours (same expression and description), with
    the variable filter drawn on ``element`` (its ``conditionalEventDefinition``), if any."""
    name, events = filter_of(element) if element is not None else ("", ())
    return ConditionalEventDefinition(definition.expression, variable_name=name, variable_events=events,
                                      description=definition.description, name=definition.name)


class Converter(TimerConditionalEventDefinitionConverter):
    """Stores a conditional event definition with its variable filter, where it has one (one without
    is stored as before)."""

    def to_dict(self, event_definition):
        dct = super().to_dict(event_definition)
        if getattr(event_definition, "variable_name", "") or getattr(event_definition, "variable_events", ()):
            dct["variable_name"] = event_definition.variable_name
            dct["variable_events"] = list(event_definition.variable_events)
        return dct
