"""Conditional event sub-processes (条件事件子流程): started when their condition comes true while
their scope runs (BPMN 2.0 §10.3.5; Camunda 7 and Flowable evaluate it as the scope's variables change).

SpiffWorkflow keeps an event sub-process whose start is conditional as a trigger spec of its scope's
start — started only by a message or signal, which never comes: it never ran, whatever the case data
became (engine/validation.py refused it for that). ``link`` makes it wait from its scope's start as a
timer one does (linked from the scope's start, its end join waiting for it): its start event waits
and is asked again after every step (``update_waiting_tasks``), reading the scope's data as it is
then (``scope_of``, engine/conditional_events.py); its scope's end cancels it if it never fired
(engine/step.end_idle_event_subprocesses), and an interrupting one cancels its scope's work when it
fires (engine/interrupting.py) — once, as its scope listens no more. A non-interrupting one fires
each time its condition comes true anew (``repeat``): BPMN 2.0 §10.5.1 says a conditional event's
condition must become false and then true before it is triggered again, and Camunda 7 starts a new
instance of such an event sub-process each time a variable event of its scope finds it true — a
second 整改停滞 after a 正常 report gets its own 约谈. A condition that stays true starts no second
instance at each later step (Camunda's would at each variable set while it holds).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.bpmn_task_spec import BpmnTaskSpec
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.util.task import TaskState

HELD = "condition_held"  # a repeating start's internal data: its condition held when last asked


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


def repeats(spec, my_task) -> bool:
    """Is ``my_task`` the start event of a non-interrupting conditional event sub-process (``spec``
    its spec, not interrupting: engine/interrupting.StartEvent), waiting in its scope?"""
    return isinstance(spec.event_definition, ConditionalEventDefinition) and scope_of(my_task) is not my_task.workflow


def repeat(spec, my_task) -> bool:
    """The update of a repeating conditional start (``repeats``): its condition asked, its scope's data
    as it is now (engine/conditional_events.py); come true since it was last asked false (or never
    asked), one more path of the event sub-process starts from it, with the data it read — as a
    non-interrupting cycle timer start opens one at each occurrence. The start keeps waiting (its
    event sub-process ends with its scope: engine/step.end_idle_event_subprocesses). Never READY:
    False."""
    BpmnTaskSpec._update_hook(spec, my_task)  # its data inherited, its data inputs read
    held = spec.event_definition.has_fired(my_task)
    if held and not my_task._get_internal_data(HELD, False):
        for child in list(my_task.children):  # a path predicted before (a case stored by an older engine)
            if child.has_state(TaskState.PREDICTED_MASK):
                my_task.workflow._remove_task(child.id)
        for output in spec.outputs:
            child = my_task._add_child(output, TaskState.FUTURE)
            child.task_spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)
            child.task_spec._update(child)
    my_task._set_internal_data(**{HELD: bool(held)})
    if my_task.state != TaskState.WAITING:
        my_task._set_state(TaskState.WAITING)
    my_task.workflow.top_workflow.event_manager.add_task(my_task)
    return False


def fire_met(top) -> bool:
    """Ask each waiting conditional start of an event sub-process again, its scope's data as it is
    now (SpiffWorkflow asks a workflow's waiting tasks when one of its own tasks completes, and an
    event sub-process is a workflow of its own, whose start never saw its scope's tasks complete).
    True if one fired (its start is READY, or a repeating one opened a path: the engine runs it next)."""
    fired = False
    for task in list(top.event_manager.tasks.values()):
        spec = task.task_spec
        if isinstance(spec, StartEvent) and isinstance(spec.event_definition, ConditionalEventDefinition) \
                and task.state == TaskState.WAITING and scope_of(task) is not task.workflow:
            paths = len(task._children)
            spec._update(task)
            fired = fired or task.state == TaskState.READY or len(task._children) > paths
    return fired
