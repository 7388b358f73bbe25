"""Conditional event sub-processes (条件事件子流程): started when their condition comes true while
their scope runs (BPMN 2.0 §10.3.5; Camunda 7 and Flowable evaluate it as the scope's variables change).

SpiffWorkflow keeps an event sub-process whose start is conditional as a trigger spec of its scope's
start — started only by a message or signal, which never comes: it never ran, whatever the case data
became (engine/validation.py refused it for that). ``link`` makes it wait from its scope's start as a
timer one does (linked from the scope's start, its end join waiting for it): its start event waits
and is asked again after every step (``update_waiting_tasks``), reading the scope's data as it is
then (``scope_of``, engine/conditional_events.py); its scope's end cancels it if it never fired
(engine/step.end_idle_event_subprocesses), and an interrupting one cancels its scope's work when it
fires (engine/interrupting.py). It fires once while its scope runs.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.util.task import TaskState


def link(spec, subprocess_spec) -> None:
    """Link ``spec``'s conditional event sub-processes (kept as trigger specs) from its start, as
    SpiffWorkflow links a timer one. ``subprocess_spec(name)``: the event sub-process's own spec."""
    start = spec.start
    for name in list(getattr(start, "trigger_specs", None) or ()):
        starts = getattr(subprocess_spec(name), "bpmn_start_events", None) or ()
        if starts and all(isinstance(ts.event_definition, ConditionalEventDefinition) for ts in starts):
            start.trigger_specs.remove(name)
            task_spec = spec.task_specs[name]
            start.connect(task_spec)
            task_spec.connect(spec.end)


def scope_of(my_task):
    """The workflow whose data a conditional event reads: for the start event of an event
    sub-process, its scope (the process or sub-process the event sub-process is drawn in, whose
    data changes as its tasks are done); for any other, its own workflow."""
    workflow = my_task.workflow
    parent_id = getattr(workflow, "parent_task_id", None)
    if parent_id is None or my_task.parent is None or my_task.parent.task_spec is not workflow.spec.start:
        return workflow
    host = workflow.top_workflow.get_task_from_id(parent_id)
    if host is None or host.parent is None or host.parent.task_spec is not host.workflow.spec.start:
        return workflow  # a sub-process or called process of the flow, not an event sub-process
    return host.workflow


def fire_met(top) -> bool:
    """Ask each waiting conditional start of an event sub-process again, its scope's data as it is
    now (SpiffWorkflow asks a workflow's waiting tasks when one of its own tasks completes, and an
    event sub-process is a workflow of its own, whose start never saw its scope's tasks complete).
    True if one fired (its start is READY: the engine runs it next)."""
    fired = False
    for task in list(top.event_manager.tasks.values()):
        spec = task.task_spec
        if isinstance(spec, StartEvent) and isinstance(spec.event_definition, ConditionalEventDefinition) \
                and task.state == TaskState.WAITING and scope_of(task) is not task.workflow:
            spec._update(task)
            fired = fired or task.state == TaskState.READY
    return fired
