"""A non-interrupting boundary event catches its event every time it comes (非中断边界事件可多次触发).

BPMN 2.0 §10.5.4 (and Camunda 7/8, Flowable): a non-interrupting message, signal or escalation
boundary event stays armed while the activity it is attached to runs — each 催办 message sent to a
企业整改 task opens one more 记录催办, each 重大事故隐患 escalated from an instance of a multi-instance
sub-process is caught. SpiffWorkflow 3.x arms it once: the second message was refused (「没有等待消息…
的案件」) and the escalations of the other instances went uncaught.

Ours, when it catches its event and the activity is still running, puts a fresh waiting copy of
itself beside it under the activity's boundary split: that one catches the next event; when the
activity ends, the split's join cancels every boundary event still waiting, the copies too. A timer
duration is not re-armed (Camunda fires a non-interrupting duration once; a cycle re-arms itself), nor
a conditional event.

Same class name as SpiffWorkflow's boundary event spec, so stored specs restore to ours
(engine/parser.py's serializer configuration).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs import defaults
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import EscalationEventDefinition, SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

REPEATING = (MessageEventDefinition, SignalEventDefinition, EscalationEventDefinition)


class BoundaryEvent(defaults.BoundaryEvent):
    """SpiffWorkflow's boundary event; a non-interrupting message, signal or escalation one re-armed
    each time it catches while its activity runs."""

    def catch(self, my_task, event):
        super().catch(my_task, event)
        if self.cancel_activity or not isinstance(self.event_definition, REPEATING):
            return
        split = my_task.parent
        if split is None or not any(c.task_spec is not self and not isinstance(c.task_spec, defaults.BoundaryEvent)
                                    and not c.has_state(TaskState.FINISHED_MASK) for c in split.children):
            return  # the activity is over: nothing to catch for any more
        fresh = split._add_child(self, TaskState.WAITING)
        fresh.triggered = True  # kept by a later sync of the split's children
        self._predict(fresh, mask=TaskState.NOT_FINISHED_MASK)  # its outgoing path, as the first one's
        self._update(fresh)  # waiting: in the case's event manager, as the first was
