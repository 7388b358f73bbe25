"""An error or escalation is caught by the nearest scope around where it was thrown (错误/升级的就近捕获).

BPMN 2.0 §10.5.2 (and Camunda 7/8, Flowable): an error or escalation thrown inside a sub-process,
a called process or a multi-instance goes to the scopes enclosing the thrower, innermost first — at
each, an event sub-process of that scope, then a boundary event on the activity that is that scope —
and the first scope with a catcher takes it; outer scopes and sibling activities never see it. Among
one scope's catchers, those naming the thrown code come before a catch-all (no code; Camunda's
``testErrorCodeTakesPrecedence``).

SpiffWorkflow 3.x's spiff-package definitions throw both to every waiting catcher of the whole case:
an error end event in 企业材料审查 also interrupted 现场核查 running beside it through that
sub-process's own error boundary, and an escalation caught by the boundary of the inner sub-process
was caught again on the outer one (two 督办 paths where the vendor takes one). Ours deliver it as
above; what no scope catches goes where SpiffWorkflow keeps uncaught events (the case's
``bpmn_events``), so engine/thrown_errors.py and engine/messages.py say it as before.

Our definitions keep SpiffWorkflow's class names, so stored specs restore to them (engine/parser.py).
"""
from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.spiff.specs import event_definitions as spiff_events

from . import code_variables, interrupting


def payload(definition, my_task):
    """What a spiff-package definition carries: its expression's value in the thrower's data, or None."""
    if definition.expression is None:
        return None
    return my_task.workflow.script_engine.evaluate(my_task, definition.expression)


def throw_to_scopes(definition, my_task) -> int:
    """Throw ``definition`` from ``my_task`` to the nearest enclosing scope that catches it; what none
    catches is kept with the case's uncaught events. The number of catching tasks."""
    event = BpmnEvent(definition, payload=payload(definition, my_task))
    top = my_task.workflow.top_workflow
    caught = catchers(my_task, event)
    for task in caught:
        _carry_sub_process_data(task, my_task)
        task.task_spec.catch(task, event)
        task.task_spec._update(task)
    if not caught:
        top.bpmn_events.append(event)
    return len(caught)


def _carry_sub_process_data(catcher, thrower) -> None:
    """An interrupting boundary event of an embedded sub-process catching what ``thrower`` threw inside
    it (an escalation end event 上报, an error end event): the data the sub-process's path wrote goes on
    with the boundary event's path. Camunda 7 and Zeebe keep a task's variables on the process
    instance, not on the sub-process (Camunda 8 docs, variable propagation; Camunda 7 manual, variable
    scopes), so 现场核查's ``hazardLevel`` is still read after 上报 interrupted 核查处置; SpiffWorkflow's
    boundary path carried the data from when the sub-process opened (found by probe 17). A called
    process (call activity) shares no data but what it maps out: not carried."""
    if not isinstance(catcher.task_spec, BoundaryEvent) or not catcher.task_spec.cancel_activity:
        return
    top = thrower.workflow.top_workflow
    scope = thrower.workflow
    while scope is not top and scope.parent_task_id is not None:
        sub_task = top.get_task_from_id(scope.parent_task_id)
        if sub_task is None or isinstance(sub_task.task_spec, CallActivity):
            return
        if _boundary_split(sub_task) is catcher.parent:
            catcher.data.update(deepcopy(thrower.data))
            return
        scope = scope.parent_workflow


def catchers(my_task, event) -> list:
    """The waiting tasks that catch ``event`` thrown by ``my_task``: those of the innermost enclosing
    scope that has any, the ones naming the event's code before catch-alls."""
    top = my_task.workflow.top_workflow
    waiting = [t for t in top.event_manager.tasks.values() if t.task_spec.catches(t, event)]
    scope = my_task.workflow
    while scope is not None:
        if scope is top:  # the case's own event sub-processes wait as specs: started for this event
            top.event_manager.update_collaboration(event)
            waiting = [t for t in top.event_manager.tasks.values() if t.task_spec.catches(t, event)]
        elif start_scoped(scope, event, waiting):  # a sub-process's, a called process's, an instance's
            waiting = [t for t in top.event_manager.tasks.values() if t.task_spec.catches(t, event)]
        found = [t for t in waiting if _starts_event_subprocess_of(t, scope)]
        if not found and scope.parent_task_id is not None:
            split = _boundary_split(top.get_task_from_id(scope.parent_task_id))
            if split is not None:
                found = [t for t in waiting if isinstance(t.task_spec, BoundaryEvent) and t.parent is split]
        if found:
            named = [t for t in found if getattr(t.task_spec.event_definition, "code", None) is not None]
            return named or found
        scope = scope.parent_workflow
    return []


def start_scoped(scope, event, waiting) -> bool:
    """Create in ``scope`` (a running sub-process, called process or multi-instance instance) the event
    sub-processes of its own whose start event catches ``event`` and none of which waits for it yet,
    as SpiffWorkflow's ``update_collaboration`` does for the case's top only: their start event then
    waits and catches the event next. A scope an interrupting event sub-process already took over
    listens no more (BPMN 2.0 §10.3.5). True if one was created."""
    names = getattr(scope.spec.start, "trigger_specs", None)
    if not names or scope.completed or interrupting.interrupted(scope):
        return False
    created = False
    for name in names:
        sp_spec = scope.top_workflow.subprocess_specs.get(name)
        starts = [ts for ts in getattr(sp_spec, "bpmn_start_events", None) or ()
                  if ts.event_definition == event.event_definition]
        if not starts or any(t.task_spec in starts and t.workflow.parent_workflow is scope for t in waiting):
            continue
        scope.spec.start.trigger_wf(scope.task_tree, name)
        created = True
    return created


def _starts_event_subprocess_of(task, scope) -> bool:
    """Is ``task`` the waiting start event of an event sub-process of ``scope``? (A plain sub-process's
    or called process's start event never waits; SpiffWorkflow makes an event sub-process's workflow,
    under a plain sub-process task, when an event its start catches comes.)"""
    return isinstance(task.task_spec, StartEvent) and task.workflow is not scope and task.workflow.parent_workflow is scope


def _boundary_split(activity):
    """The split holding the boundary events of ``activity`` (a sub-process or call activity, or an
    instance of a multi-instance one), or None when nothing is attached to it."""
    while activity is not None:
        parent = activity.parent
        if parent is None or parent.workflow is not activity.workflow:
            return None
        if isinstance(parent.task_spec, BoundaryEventSplit):
            return parent
        if not isinstance(parent.task_spec, LoopTask):
            return None
        activity = parent  # an instance: its boundary events are attached to the multi-instance task
    return None


class EscalationEventDefinition(code_variables.KeepsCode, spiff_events.EscalationEventDefinition):
    """SpiffWorkflow's escalation definition, thrown to the nearest enclosing scope that catches it."""

    def throw(self, my_task):
        throw_to_scopes(self, my_task)


def ours(definition):
    """Our escalation definition for the one SpiffWorkflow's parser made (same name, code, payload)."""
    if type(definition) is spiff_events.EscalationEventDefinition:
        definition.__class__ = EscalationEventDefinition
    return definition
