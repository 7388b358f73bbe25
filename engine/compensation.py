"""Compensation (补偿): undoing what a case has already done, when a later step says it must be undone.

BPMN 2.0 §10.5.6 and Camunda 7/8 (compensation events): an activity drawn with a compensation
boundary event, associated with a compensation handler (an activity marked ``isForCompensation``,
with no sequence flow), may be compensated once it has completed; a compensation throw event — an
intermediate one or an end event — then runs the handlers of the activities of its own scope (the
process or sub-process it is drawn in) that completed, the one completed last first, and waits
until they are all done before its flow goes on (``waitForCompletion``, true by default); one drawn
with ``waitForCompletion="false"`` (BPMN 2.0 §10.5.5: it "just triggers the compensation and
immediately continues"; Flowable's 「Wait for completion」) starts them and goes on at once, the
handlers open beside its flow and its scope ending only when they are done, as any token. An
activity still running, never reached or cancelled is not compensated; each completion is
compensated once (an activity done twice in a loop, twice). A multi-instance or loop activity
(``multiInstanceLoopCharacteristics``, parallel or sequential; ``standardLoopCharacteristics``) is
compensated once for each instance or iteration that completed (BPMN 2.0 §10.5.6; Camunda's handler
"is invoked for the same amount"), the one completed last first, each on that instance's data (its
input item, what it wrote); an instance the completion condition cancelled is not. ``activityRef``
on the throw event narrows it to that activity. 查封设备 → 暂扣证照 → 行政复议 撤销: 退还证照 and 解除查封 open (退还证照
started first), then 告知当事人.

SpiffWorkflow 3.x runs none of it: its parser refused the boundary event ("Unsupported Catch
Event", which engine/validation.py said in Chinese) and read the throw events as plain ones, so a
model drawn without the boundary ran past its 撤销 undoing nothing. Here:

- the boundary event waits, attached to its activity as any boundary event is, for nothing
  (``CompensateEventDefinition`` catches no event); when its activity completes, SpiffWorkflow's
  boundary join cancels it, and ``BoundaryEvent._on_cancel`` records the completion — the
  handler's name, in completion order; of a multi-instance or loop activity one record for each
  instance SpiffWorkflow's ``LoopTask`` merged, in the order it merged them — in the internal data
  of its scope's root task
  (``COMPENSABLE``), which the case keeps however much of its history engine/state.prune cuts;
- the handler is parsed with the boundary event (SpiffWorkflow parses only what flows reach), its
  input the boundary event (no flow: SpiffWorkflow readies no task without an input);
- a throw event with a ``compensateEventDefinition`` is ``CompensationThrowEvent`` or
  ``CompensationEndEvent``: reached, it takes its scope's records (those of ``activityRef`` only, if
  it names one), starts one handler task for each, the last completed first, as children of its
  own (``triggered``: SpiffWorkflow keeps them when the event later runs), and waits; when all are
  done, it takes what they wrote and goes on. Each handler opens on its activity's data as that
  activity completed (BPMN 2.0 §10.5.6: a snapshot, recorded with the completion — only a
  compensable activity's completion pays for it), over the case's data since (a variable set later
  is there too); what it passes on is what it changed, so the compensated activity's old values do
  not come back into the flow. Not waiting (``WAITS`` false), it goes on at once with
  the data it came with: what the handlers write stays with them, as nothing after it waits for it.

What this does not run is refused at deploy, naming the element (``check``): a compensation event
sub-process (as before), a handler not a task, a
throw event with nothing of its own scope to compensate (a completed sub-process's inner activities,
which Camunda compensates when the sub-process has no handler of its own), a throw inside an event
sub-process (Camunda compensates the enclosing scope from there), and compensation inside a
transaction sub-process (a cancel end event compensates there in Camunda).
"""
from __future__ import annotations

import copy
import uuid

from SpiffWorkflow.bpmn.specs.event_definitions.base import EventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent as _Boundary
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask, StandardLoopTask
from SpiffWorkflow.bpmn.specs import defaults as bpmn_specs
from SpiffWorkflow.util.task import TaskState

from . import repeating_boundary
from .dialects import label

COMPENSABLE = "compensable"  # a scope root task's internal data: handlers of completed activities, in order
STARTED = "compensating"  # a throw event's internal data: the ids of the handler tasks it started
SNAPSHOT = "compensated_data"  # a handler task's internal data: its activity's data as it completed
ITEM = "compensated_item"  # a handler task's internal data: the multi-instance item it compensates, as shown
HANDLER = "compensationHandler"  # a compensation boundary event's property: its handler's id
COMPENSATES = "compensates"  # a throw event's property: the activity it names ("" all of its scope)
WAITS = "waitForCompletion"  # a throw event's property: "false" when it goes on without its handlers

_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_NS = {"bpmn": _BPMN}
_DEFINITION = "bpmn:compensateEventDefinition"
# What may be a handler here: a task (a sub-process or call as handler is refused).
HANDLER_TAGS = ("userTask", "manualTask", "task", "serviceTask", "scriptTask", "sendTask", "businessRuleTask")


class CompensateEventDefinition(EventDefinition):
    """A compensation boundary event's definition: it catches no event (``catches`` is never true);
    the boundary event only marks its activity compensable."""

    def catches(self, my_task, event):
        return False

    def has_fired(self, my_task):
        return False


class BoundaryEvent(repeating_boundary.BoundaryEvent):
    """Our boundary event; a compensation one records its activity's completion when SpiffWorkflow's
    boundary join cancels it. Same class name as SpiffWorkflow's: stored specs restore to ours."""

    def _on_cancel(self, my_task):
        super()._on_cancel(my_task)
        if isinstance(self.event_definition, CompensateEventDefinition):
            _record(self, my_task)


def _record(spec, my_task) -> None:
    """The activity ``my_task`` (a compensation boundary event) is attached to completed: its handler
    is recorded on the scope's root task, after those completed before it."""
    split = my_task.parent
    main = next((t for t in split.children if not isinstance(t.task_spec, _Boundary)), None) if split else None
    if main is None or main.state != TaskState.COMPLETED:
        return  # cancelled, or interrupted by another boundary event: nothing to compensate
    handler = (getattr(spec, "extensions", None) or {}).get("properties", {}).get(HANDLER)
    if not handler:
        return
    root = my_task.workflow.task_tree
    records = list(root.internal_data.get(COMPENSABLE, ()))
    # its data as it completed: the handler works on it (a deep copy: a later task's DeepMerge changes
    # nested values in place). Only a compensable activity's completion pays for it.
    for done in _completions(main):
        records.append([handler, main.task_spec.name, copy.deepcopy(done.data), item_label(main, done)])
    root._set_internal_data(**{COMPENSABLE: records})  # a new list: the row's mark sees it changed


def _completions(main) -> list:
    """What of the completed activity ``main`` is compensated, in completion order: ``main`` itself,
    or, a multi-instance or loop activity (BPMN 2.0 §10.5.6, Camunda 7/8: its handler runs once for
    each instance that completed), each completed instance or iteration — SpiffWorkflow's
    ``LoopTask`` keeps their ids in the order it merged them (``merged``), each instance with its own
    data (its input item, what it wrote). An instance cancelled by the completion condition never
    merged: not compensated."""
    if not isinstance(main.task_spec, LoopTask):
        return [main]
    children = {str(child.id): child for child in main.children}
    merged = [children.get(task_id) for task_id in main.internal_data.get("merged", ())]
    return [child for child in merged if child is not None and child.state == TaskState.COMPLETED]


_NAME_KEYS = ("name", "名称", "title", "label", "enterprise_name", "unit_name", "site")


def item_label(main, done) -> str | None:
    """How the instance ``done`` of the multi-instance activity ``main`` is named to an official: the
    instance task's drawn ``itemLabel`` (as its queue row shows it), else its item — the element
    variable (``inputDataItem``, ``camunda:elementVariable``, ``zeebe:inputElement``) — as text, or the
    name of an item that is a record; an iteration of a loop activity (``standardLoopCharacteristics``,
    which has no item) by its round, 「第2次」 (two 撤销复查 of a 复查 done twice looked alike); None for
    a plain activity, or an item with no such text."""
    if done is main or not isinstance(main.task_spec, LoopTask):
        return None
    if isinstance(main.task_spec, StandardLoopTask):
        merged = list(main.internal_data.get("merged", ()))
        return f"第{merged.index(str(done.id)) + 1}次" if str(done.id) in merged else None
    drawn = ((getattr(done.task_spec, "extensions", None) or {}).get("properties") or {}).get("itemLabel")
    if drawn:
        try:
            value = done.workflow.script_engine.evaluate(done, drawn)
        except Exception:  # noqa: BLE001 — named by the item instead, as a page would show it
            value = None
        if value not in (None, ""):
            return str(value)[:80]
    item = getattr(main.task_spec, "input_item", None)
    value = done.data.get(item.bpmn_id) if item is not None else None
    if isinstance(value, dict):
        value = next((value[k] for k in _NAME_KEYS if isinstance(value.get(k), (str, int)) and value.get(k) != ""), None)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or value == "":
        return None
    return str(value)[:80]


class Compensates:
    """A compensation throw event (intermediate or end): runs the handlers of its scope's completed
    activities, the last completed first, and waits for them."""

    def _update_hook(self, my_task):
        started = my_task._get_internal_data(STARTED)
        if started is None:
            if not super()._update_hook(my_task):
                return False
            records = _take(my_task, (self.extensions or {}).get("properties", {}).get(COMPENSATES) or "")
            if not records:
                my_task._set_internal_data(**{STARTED: []})
                return True  # nothing completed to compensate: the flow goes on (Camunda)
            children = []
            for record in reversed(records):
                child = my_task._add_child(my_task.workflow.spec.task_specs[record[0]], TaskState.FUTURE)
                child.triggered = True  # kept when this event runs and makes its own children
                children.append((child, record[2] if len(record) > 2 else None))
                if len(record) > 3 and record[3]:  # which item it undoes: its task is named with it
                    child._set_internal_data(**{ITEM: record[3]})
            my_task._set_internal_data(**{STARTED: [str(c.id) for c, _snapshot in children]})
            for child, snapshot in children:
                child.task_spec._update(child)
                if snapshot is not None:  # the activity's data as it completed, over what came since
                    child.data = {**child.data, **copy.deepcopy(snapshot)}  # its own: a form merges in place
                    child._set_internal_data(**{SNAPSHOT: snapshot})
            if (self.extensions or {}).get("properties", {}).get(WAITS) == "false":
                return True  # waitForCompletion="false": the handlers run beside the flow going on
            started = my_task._get_internal_data(STARTED)
        tasks = my_task.workflow.tasks
        handlers = [tasks.get(uuid.UUID(task_id)) for task_id in started]
        if all(t is None or t.has_state(TaskState.FINISHED_MASK) for t in handlers):
            for handler in handlers:  # what the handlers wrote goes on with the flow
                if handler is not None and handler.state == TaskState.COMPLETED:
                    my_task.data.update(_written(handler))
            return True
        if my_task.state != TaskState.WAITING:
            my_task._set_state(TaskState.WAITING)
        return False


def _written(handler) -> dict:
    """What a completed handler passes on: its data but the snapshot's values it left as they were
    (the flow keeps what the case holds now, not the compensated activity's old values)."""
    snapshot = handler._get_internal_data(SNAPSHOT)
    if not snapshot:
        return handler.data
    return {k: v for k, v in handler.data.items() if k not in snapshot or snapshot[k] != v}


def _take(my_task, activity: str) -> list[list]:
    """The records in ``my_task``'s scope (of ``activity`` only, if named) — handler, activity and,
    since 2026-12-06, the activity's data as it completed — in completion order, taken out of the
    records (each completion is compensated once)."""
    root = my_task.workflow.task_tree
    records = list(root.internal_data.get(COMPENSABLE, ()))
    taken = [r for r in records if not activity or r[1] == activity]
    if taken:
        root._set_internal_data(**{COMPENSABLE: [r for r in records if r not in taken]})
    return taken


class CompensationThrowEvent(Compensates, bpmn_specs.IntermediateThrowEvent):
    """An intermediate compensation throw event (补偿中间抛出事件)."""


class CompensationEndEvent(Compensates, bpmn_specs.EndEvent):
    """A compensation end event (补偿结束事件)."""


def handler_of(parser) -> str | None:
    """The id of the compensation handler a boundary event's association points to, if any."""
    return _associated(parser.node.get("id"), parser.process_parser.xpath("./bpmn:association"))


def _associated(event_id, associations) -> str | None:
    """What an association from ``event_id`` leads to: Camunda Modeler, bpmn.io and Flowable draw
    ``<association sourceRef="boundary" targetRef="handler"/>``, and Camunda 7 reads only that way
    (``BpmnParse.parseAssociations``: a compensation boundary event as the source): one drawn from
    the handler to the boundary event gives the event no handler there, so none here either (the
    deploy says so, naming the event)."""
    for assoc in associations:
        if assoc.get("sourceRef") == event_id:
            return assoc.get("targetRef")
    return None


class BoundaryParserMixin:
    """Boundary event parser mixin: a compensation boundary event is ours, its handler parsed with it."""

    def create_task(self):
        if self.xpath(f".//{_DEFINITION}"):
            handler = handler_of(self)
            node = self.process_parser.get_node_by_id(handler) if handler else None
            task = self._create_task(CompensateEventDefinition(), True)
            if node is not None:
                # Its input is the boundary event (the association), though no flow leads to it:
                # SpiffWorkflow readies only a task with an input (``TaskSpec.test``).
                self.process_parser.parse_node(node)._connect_notify(task)
            return task
        return super().create_task()

    def parse_extensions(self, node=None):
        extensions = super().parse_extensions(node)
        if node is None and self.xpath(f".//{_DEFINITION}"):
            extensions.setdefault("properties", {})[HANDLER] = handler_of(self) or ""
        return extensions


class ThrowParserMixin:
    """Intermediate throw and end event parser mixin: one with a compensation definition is ours."""

    def create_task(self):
        if self.xpath(_DEFINITION):
            end = self.node.tag == f"{{{_BPMN}}}endEvent"
            self.spec_class = CompensationEndEvent if end else CompensationThrowEvent
            task = self._create_task(self.get_event_definition([]))
            if end:
                task.connect(self.spec.end)
            return task
        return super().create_task()

    def parse_extensions(self, node=None):
        extensions = super().parse_extensions(node)
        if node is None:
            definition = self.xpath(_DEFINITION)
            if definition:
                properties = extensions.setdefault("properties", {})
                properties[COMPENSATES] = (definition[0].get("activityRef") or "").strip()
                if (definition[0].get("waitForCompletion") or "").strip().lower() == "false":
                    properties[WAITS] = "false"
        return extensions


def check(process, add) -> None:
    """Refuse, naming the element, the compensation this engine does not run (see the module)."""
    for container in [process, *process.iter(f"{{{_BPMN}}}subProcess", f"{{{_BPMN}}}transaction")]:
        _check_scope(container, add)


def _compensation_boundaries(scope):
    """The compensation boundary events drawn anywhere inside ``scope`` (its own and nested ones')."""
    return [b for b in scope.iter(f"{{{_BPMN}}}boundaryEvent") if b.find(_DEFINITION, _NS) is not None]


def _compensation_boundaries_of(container) -> list:
    """The compensation boundary events drawn directly in ``container``."""
    return [b for b in container.findall("bpmn:boundaryEvent", _NS) if b.find(_DEFINITION, _NS) is not None]


def _has_compensation_boundary(container, activity_id: str) -> bool:
    return any((b.get("attachedToRef") or "").strip() == activity_id for b in _compensation_boundaries_of(container))


def _inner_compensable(activity):
    """The first activity inside the sub-process ``activity`` that a compensation boundary is attached to, or None."""
    if activity.tag != f"{{{_BPMN}}}subProcess":
        return None
    ids = {el.get("id"): el for el in activity.iter() if el.get("id")}
    for boundary in _compensation_boundaries(activity):
        attached = ids.get((boundary.get("attachedToRef") or "").strip())
        if attached is not None:
            return attached
    return None


def _nested_with_compensation(container):
    """A sub-process drawn directly in ``container`` holding a compensation boundary event, or None."""
    for sub in container.findall("bpmn:subProcess", _NS):
        if sub.get("triggeredByEvent") != "true" and _compensation_boundaries(sub):
            return sub
    return None


def _check_scope(container, add) -> None:
    by_id = {el.get("id"): el for el in container if el.get("id")}
    compensable = {}
    for event in container.findall("bpmn:boundaryEvent", _NS):
        if event.find(_DEFINITION, _NS) is None:
            continue
        activity = by_id.get((event.get("attachedToRef") or "").strip())
        if container.tag == f"{{{_BPMN}}}transaction":
            add(f"{label(event)} 画在{label(container)}中：取消事务时的补偿本系统暂不支持；"
                "请改用普通子流程，撤销时用补偿中间事件", event)
            continue
        handler_id = _associated(event.get("id"), container.findall("bpmn:association", _NS))
        handler = by_id.get(handler_id) if handler_id else None
        if handler is None or handler.get("isForCompensation") != "true":
            add(f"{label(event)} 没有关联补偿处理环节；请画一个勾选「补偿」（isForCompensation）的任务，"
                "并从这个补偿边界事件画关联线连到它", event)
            continue
        if handler.tag.split("}")[-1] not in HANDLER_TAGS:
            add(f"{label(handler)} 是补偿处理环节，本系统只支持任务作补偿处理环节（人工、服务或脚本任务），"
                "不支持子流程或调用活动；请改为任务", handler)
            continue
        if activity is not None:
            compensable[activity.get("id")] = activity
    for event in container:
        if event.tag not in (f"{{{_BPMN}}}intermediateThrowEvent", f"{{{_BPMN}}}endEvent"):
            continue
        definition = event.find(_DEFINITION, _NS)
        if definition is None:
            continue
        ref = (definition.get("activityRef") or "").strip()
        if ref and ref not in compensable:
            sibling = by_id.get(ref)
            inner = _inner_compensable(sibling) if sibling is not None else None
            if sibling is not None and _has_compensation_boundary(container, ref):
                pass  # its boundary event was refused above, naming why
            elif inner is not None:
                add(f"{label(event)} 要补偿的{label(sibling)}本身没有补偿边界事件，补偿边界事件画在它里面的{label(inner)}上："
                    "补偿办完的子流程时连带补偿其中的环节（Activiti、Camunda 如此），本系统暂不支持；请在该子流程内、"
                    "办完要补偿的环节之后画补偿中间事件，或给该子流程本身画补偿边界事件并关联一个勾选「补偿」的处理任务", event)
            elif sibling is not None:
                add(f"{label(event)} 要补偿的{label(sibling)}没有补偿边界事件；请给它画补偿边界事件，"
                    "并从边界事件画关联线连到一个勾选「补偿」（isForCompensation）的处理任务", event)
            else:
                named = event.getroottree().getroot().xpath("//*[@id=$i]", i=ref)
                what = label(named[0]) if named else f"「{ref}」"
                add(f"{label(event)} 要补偿的{what}不在它所在的流程或子流程中；"
                    "本系统只补偿同一流程或子流程中画了补偿边界事件的环节", event)
        elif not compensable and container.get("triggeredByEvent") == "true":
            # Camunda compensates the event sub-process's enclosing scope from here (an error handler
            # undoing what its process did): not run here, so said as such, not as nothing to do.
            add(f"{label(event)} 画在{label(container)}（事件子流程）中：从事件子流程补偿其所在流程或子流程的环节，"
                "本系统暂不支持；请改为在所在流程中用排他网关走到补偿中间事件（或补偿结束事件）", event)
        elif not compensable and _compensation_boundaries_of(container):
            pass  # its own compensation boundary events were refused above, naming why
        elif not compensable and (nested := _nested_with_compensation(container)) is not None:
            add(f"{label(event)} 所在的流程或子流程中没有画补偿边界事件的环节；补偿边界事件画在内层的{label(nested)}里，"
                f"本系统只补偿同一层的环节（Activiti 会连带补偿内层子流程中的环节）：请在{label(nested)}内画补偿中间事件，"
                "或给它本身画补偿边界事件并关联一个勾选「补偿」的处理任务", event)
        elif not compensable:
            add(f"{label(event)} 所在的流程或子流程中没有画补偿边界事件的环节，补偿时无事可做；"
                "本系统只补偿同一流程或子流程中的环节（子流程内的补偿请在子流程内抛出）", event)
