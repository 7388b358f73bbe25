"""A non-interrupting boundary event catches its event every time it comes (非中断边界事件可多次触发).

BPMN 2.0 §10.5.4 (and Camunda 7/8, Flowable): a non-interrupting message, signal or escalation
boundary event stays armed while the activity it is attached to runs — each 催办 message sent to a
企业整改 task opens one more 记录催办, each 重大事故隐患 escalated from an instance of a multi-instance
sub-process is caught. SpiffWorkflow 3.x arms it once: the second message was refused (「没有等待消息…
的案件」) and the escalations of the other instances went uncaught.

Ours, when it catches its event and the activity is still running, puts a fresh waiting copy of
itself beside it under the activity's boundary split: that one catches the next event; when the
activity ends, the split's join cancels every boundary event still waiting, the copies too. A timer
duration is not re-armed (Camunda fires a non-interrupting duration once; a cycle re-arms itself).

A non-interrupting conditional one fires again each time its condition comes true anew while the
activity runs (BPMN 2.0 §10.5.1: the condition must become false and then true before the event is
triggered again; Camunda 7 takes its path at each variable event that finds it true,
BoundaryConditionalEventTest): when it fires, its fresh copy is armed *held* (``HELD`` in its internal
data, stored with the task, so it holds across a restart) and fires only after a step has found the
condition false — each 核报 that turns 正常 into 滞后 sends one 督办通知, a lasting 滞后 no second one
(the same bounded rule as a conditional event sub-process start: engine/conditional_starts.repeat).

Same class name as SpiffWorkflow's boundary event spec, so stored specs restore to ours
(engine/parser.py's serializer configuration).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs import defaults
from SpiffWorkflow.bpmn.specs.bpmn_task_spec import BpmnTaskSpec
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import EscalationEventDefinition, SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import boundary_data
from .conditional_starts import HELD

REPEATING = (MessageEventDefinition, SignalEventDefinition, EscalationEventDefinition)


class BoundaryEvent(defaults.BoundaryEvent):
    """SpiffWorkflow's boundary event; a non-interrupting message, signal or escalation one re-armed
    each time it catches while its activity runs, a non-interrupting conditional one each time its
    condition comes true anew."""

    def catch(self, my_task, event):
        super().catch(my_task, event)
        if not self.cancel_activity and isinstance(self.event_definition, REPEATING):
            self._rearm(my_task)

    def _update_hook(self, my_task):
        if self.cancel_activity:
            return super()._update_hook(my_task)
        try:
            return self._update_non_interrupting(my_task)
        finally:  # its data taken from its split again: what its paths wrote put back
            boundary_data.keep_given(my_task)

    def _update_non_interrupting(self, my_task):
        if not my_task._get_internal_data(HELD, False):
            return super()._update_hook(my_task)
        # A conditional copy armed while its condition held: it waits until a step finds it false.
        BpmnTaskSpec._update_hook(self, my_task)  # its data inherited, its data inputs read
        if not self.event_definition.has_fired(my_task):
            my_task._set_internal_data(**{HELD: False})  # false now: the next true fires it
        if my_task.state != TaskState.WAITING:
            my_task._set_state(TaskState.WAITING)
        my_task.workflow.top_workflow.event_manager.add_task(my_task)
        return False

    def _run_hook(self, my_task):
        result = super()._run_hook(my_task)
        if not self.cancel_activity and isinstance(self.event_definition, ConditionalEventDefinition):
            self._rearm(my_task, held=True)
        return result

    def _rearm(self, my_task, held: bool = False) -> None:
        """Put a fresh waiting copy of the event beside ``my_task`` under the activity's boundary
        split, if the activity still runs; ``held``: a conditional one, armed with its condition
        true (it fires again once the condition has been false)."""
        split = my_task.parent
        if split is None or not any(c.task_spec is not self and not isinstance(c.task_spec, defaults.BoundaryEvent)
                                    and not c.has_state(TaskState.FINISHED_MASK) for c in split.children):
            return  # the activity is over: nothing to catch for any more
        fresh = split._add_child(self, TaskState.WAITING)
        fresh.triggered = True  # kept by a later sync of the split's children
        boundary_data.hand_on(my_task, fresh)
        if held:
            fresh._set_internal_data(**{HELD: True})
        self._predict(fresh, mask=TaskState.NOT_FINISHED_MASK)  # its outgoing path, as the first one's
        self._update(fresh)  # waiting: in the case's event manager, as the first was
