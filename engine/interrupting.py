"""Interrupting event sub-processes (中断型事件子流程): when one starts, what its scope was doing stops.

An event sub-process whose start event is interrupting (``isInterrupting`` absent or ``true``: BPMN
2.0 §10.3.5, Camunda 7/8, Flowable) cancels the activities of the process or sub-process around it
when its event comes — a 办案超期 timer (立案满90日) takes the case out of the hands of whoever was
working it — and the scope ends when the event sub-process ends. SpiffWorkflow 3.x does not read the
attribute and runs every event sub-process beside the flow (non-interrupting): the open tasks stayed
open and the case went on both ways (engine/validation.py said so in a warning; it no longer needs to).

The parser marks such a start event with the property ``interruptsScope`` (kept with the spec's
extensions, so a stored spec keeps it); when the start event completes (its event has come), every
unfinished task of the scope that is not the event sub-process's own path is cancelled, each
sub-process, call or boundary event with it (SpiffWorkflow's ``Task.cancel``), so the scope's end
waits only for the event sub-process. The after-step projections then close the cancelled tasks'
queue entries and timers as for an interrupting boundary event.

Same class name as SpiffWorkflow's start event spec, so stored specs restore to ours
(engine/parser.py's serializer configuration).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs import defaults
from SpiffWorkflow.bpmn.specs.bpmn_task_spec import BpmnTaskSpec
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.parser.event_parsers import ERROR_EVENT_XPATH, ESCALATION_EVENT_XPATH
from SpiffWorkflow.bpmn.util.event import EventManager
from SpiffWorkflow.spiff.parser.event_parsers import SpiffStartEventParser
from SpiffWorkflow.util.task import TaskState

from . import conditional_starts, esp_data, timers

INTERRUPTS = "interruptsScope"
_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


class InterruptingStartParser(SpiffStartEventParser):
    """SpiffWorkflow's start event parser; an interrupting start of an event sub-process is marked, and
    an error or escalation start of one (错误/升级事件子流程; an error one always interrupting) is read
    as one: SpiffWorkflow's parser reads only message, signal, timer and conditional starts, so such a
    start was a plain start and its handler ran as soon as the process began (engine/validation.py
    refused it for that)."""

    def create_task(self):
        parent = self.node.getparent()
        if parent is not None and parent.get("triggeredByEvent") == "true":
            for path in (ERROR_EVENT_XPATH, ESCALATION_EVENT_XPATH):
                if self.xpath(path):
                    task = self._create_task(self.get_event_definition([path]))
                    self.spec.start.connect(task)
                    return task
        return super().create_task()

    def parse_extensions(self, node=None):
        extensions = super().parse_extensions(node)
        parent = self.node.getparent()
        if (node is None and parent is not None and parent.tag == f"{_BPMN}subProcess"
                and parent.get("triggeredByEvent") == "true"
                and ((self.node.get("isInterrupting") or "true").strip().lower() != "false"
                     or self.xpath(ERROR_EVENT_XPATH))):  # an error start always interrupts (BPMN 2.0 §10.5.2)
            extensions.setdefault("properties", {})[INTERRUPTS] = "true"
        return extensions


class StartEvent(defaults.StartEvent):
    """SpiffWorkflow's start event; an interrupting event sub-process's cancels its scope's work.

    An interrupting one with a cycle timer (R3/P10D) fires once, as a single timer: its scope is
    taken over at the first occurrence and listens no more (BPMN 2.0 §10.3.5; Camunda 7/8 and
    Flowable start it once). SpiffWorkflow's cycle start stayed waiting and opened its path again at
    each occurrence, and never completed, so it never interrupted: the scope's work stayed open
    beside each new run of the handler.

    A non-interrupting conditional one opens one more path each time its condition comes true anew
    (engine/conditional_starts.repeat)."""

    def _update_hook(self, my_task):
        if not self.interrupts() and conditional_starts.repeats(self, my_task):
            return conditional_starts.repeat(self, my_task)  # each time its condition comes true anew
        if not self.interrupts() and isinstance(self.event_definition, CycleTimerEventDefinition) \
                and (due := timers.due_of(my_task)) is not None and due <= my_task.workflow.top_workflow.script_engine.now():
            esp_data.refresh(my_task)  # one more path of a cycle starts now: on its scope's data as it is
        if self.interrupts() and isinstance(self.event_definition, CycleTimerEventDefinition) \
                and not my_task._get_internal_data("event_fired", False) \
                and self.event_definition.cycle_complete(my_task):
            my_task._set_internal_data(event_fired=True)  # the first occurrence: run once, as a single timer
        return super()._update_hook(my_task)

    def _predict_hook(self, my_task):
        if self.interrupts() and isinstance(self.event_definition, CycleTimerEventDefinition):
            BpmnTaskSpec._predict_hook(self, my_task)  # its path is predicted as a single timer's
        elif not self.interrupts() and conditional_starts.repeats(self, my_task):
            pass  # its paths are opened as its condition comes true (as a cycle timer's: none predicted)
        else:
            super()._predict_hook(my_task)

    def _on_complete_hook(self, my_task):
        esp_data.refresh(my_task)  # an event sub-process's path starts on its scope's data as it is now
        super()._on_complete_hook(my_task)
        if self.interrupts():
            interrupt_scope(my_task)

    def interrupts(self) -> bool:
        """Is this the start event of an interrupting event sub-process?"""
        return (getattr(self, "extensions", None) or {}).get("properties", {}).get(INTERRUPTS) == "true"


def interrupted(scope) -> bool:
    """Has an interrupting event sub-process of ``scope`` (a workflow: the case's top, a sub-process,
    a called process, an instance) started? Then the scope listens for no more events of its event
    sub-processes (BPMN 2.0 §10.3.5: once interrupted, only the event sub-process runs on)."""
    top = scope.top_workflow
    for host in scope.task_tree.children:
        if not isinstance(host.task_spec, SubWorkflowTask) or host.has_state(TaskState.CANCELLED):
            continue  # (the spiff package makes an event sub-process a plain SubWorkflowTask)
        sub = top.subprocesses.get(host.id)
        if sub is None:
            continue
        for task in sub.task_tree.children:
            if isinstance(task.task_spec, StartEvent) and task.task_spec.interrupts() \
                    and task.has_state(TaskState.COMPLETED):
                return True
    return False


class ScopeEventManager(EventManager):
    """SpiffWorkflow's event manager of a case; the case's own event sub-processes are started for an
    event only while no interrupting one has taken the case over (``interrupted``). SpiffWorkflow's
    ``update_collaboration`` started one for every event of its kind the case caught: a message a
    task inside the running handler waited for (企业来函处置's 等待补充来函, the enterprise's second
    企业来函) started the handler a second time beside it, and that one, interrupting, cancelled the
    first's work — 来函登记 again, 补充来函审查 never (Camunda 7 removes the scope's subscriptions
    when an interrupting event sub-process starts)."""

    def update_collaboration(self, event):
        if not interrupted(self.workflow):
            super().update_collaboration(event)


def interrupt_scope(start_task) -> None:
    """Cancel every unfinished task of the scope around the event sub-process ``start_task`` started,
    except the event sub-process's own task, its ancestors and what follows it."""
    sub = start_task.workflow
    parent_id = getattr(sub, "parent_task_id", None)
    if parent_id is None:
        return  # not inside an event sub-process (a plain process's start event)
    host = sub.top_workflow.get_task_from_id(parent_id)
    keep = {host.id}
    ancestor = host.parent
    while ancestor is not None:
        keep.add(ancestor.id)
        ancestor = ancestor.parent
    following = [host]
    while following:
        task = following.pop()
        keep.add(task.id)
        following.extend(task.children)
    tasks = host.workflow.tasks
    for task in list(tasks.values()):
        if task.id not in keep and task.id in tasks and not task.has_state(TaskState.FINISHED_MASK):
            task.cancel()  # its children go with it
    if not host.children:
        # An event sub-process a message or signal started (SpiffWorkflow adds its task to the scope
        # with no path after it): the path to the scope's end was the flow's, now cancelled; without
        # one a sub-process scope would never end (the case's top ends when nothing is left).
        host.task_spec._predict(host, mask=TaskState.NOT_FINISHED_MASK)
