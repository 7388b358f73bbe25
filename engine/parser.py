"""The SpiffWorkflow parser and serializer configuration Duban runs models with.

``DubanParser`` is SpiffWorkflow's own ``SpiffBpmnParser`` with four changes: service tasks are our
``DubanServiceTask`` (engine/service_tasks.py), which calls a registered handler or waits for an
external worker or a person; call activities pass only the variables their model maps in and out
(engine/call_activity.py); timer events run on the engine clock (engine/timers.py); and a
multi-instance task whose input collection is missing or no collection fails naming the task in
Chinese (SpiffWorkflow's parallel one raised a bare ``TypeError`` naming nothing); and an exclusive or
inclusive gateway none of whose conditions holds says so in Chinese (engine/gateways.py); and a process
ends through engine/gateways.py's ``_EndJoin`` (``get_spec`` changes the class of SpiffWorkflow's, made
with the process spec; stored specs restore to it by the same type name); and a business rule task's
decision table is evaluated by engine/dmn.py (DMN's null, hit policies and aggregations).
``DUBAN_CONFIG`` is SpiffWorkflow's serializer configuration plus the converters for those classes. Everything else — Camunda/Flowable attributes, JUEL conditions — is
rewritten into SpiffWorkflow's dialect before parsing (engine/dialects.py).
"""
from __future__ import annotations

from copy import deepcopy

from collections.abc import Iterable

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.dmn.parser.DMNParser import DMNParser
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser, GatewayParser
from SpiffWorkflow.bpmn.parser.event_parsers import (
    CANCEL_EVENT_XPATH, ERROR_EVENT_XPATH, ESCALATION_EVENT_XPATH, MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH,
    TERMINATION_EVENT_XPATH, EventDefinitionParser)
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.specs import control
from SpiffWorkflow.bpmn.specs.event_definitions.simple import CancelEventDefinition
from SpiffWorkflow.bpmn.specs import defaults as bpmn_specs
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.event_parsers import SpiffEndEventParser
from SpiffWorkflow.spiff.parser.task_spec import BusinessRuleTaskParser, ServiceTaskParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs import defaults as spiff_specs
from SpiffWorkflow.spiff.specs import event_definitions as spiff_events
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter

from . import (ad_hoc, compensation, conditional_events, mi_collection, conditional_starts, decision_results, dmn, esp_data, gateways, interrupting, repeating_boundary, scoped_events,
               thrown_errors, timers)
from .call_activity import CallActivity, MappedCallActivityParser
from .instance_item import LocalInstanceItem
from .mi_output_order import InputOrderOutput
from .mi_collection import ComputedCollection
from .local_outputs import OUTPUTS_ONLY_CLASSES, OutputsOnlyParser
from .loop_counter import loop_counter
from .service_tasks import DubanServiceTask
from .task_class import DubanTask, DubanTaskConverter


class EngineClockTimers:
    """Parser mixin: timer event definitions become ours (engine/timers.py), and so do conditional
    ones (engine/conditional_events.py: they wait while the case lacks what they read) and error ones
    (engine/thrown_errors.py: an error nothing catches is an incident), and so are escalation ones
    (engine/scoped_events.py: caught by the nearest scope around the thrower, as errors are)."""

    def parse_timer_event(self, event):
        return timers.ours(super().parse_timer_event(event))

    def parse_conditional_event(self, event):
        return conditional_events.ours(super().parse_conditional_event(event), event)

    def parse_error_event(self, event):
        return thrown_errors.ours(super().parse_error_event(event))

    def parse_escalation_event(self, event):
        return scoped_events.ours(super().parse_escalation_event(event))


def _with_engine_clock_timers(parser_class):
    if not issubclass(parser_class, EventDefinitionParser):
        return parser_class
    return type(parser_class.__name__, (EngineClockTimers, parser_class), {})


class MultiInstanceInputError(ValueError):
    """A multi-instance task's collection is missing or no collection (an incident naming the task)."""

    def __init__(self, message: str, task_spec):
        self.task_spec = task_spec
        super().__init__(message)


# 多实例实例数上限: every instance is a task of the case, made in one step and read again at each later
# step of it (300,000 instances of a 会签 whose 会签人数 was typed with extra zeros: 17 s of the host's
# CPU and 1.6 GB in that one step, and as many tasks in the inspectors' queue). A bound of the
# engine, not of law: no 会签, 逐级审批 or 清单 of a bureau comes near it.
MAX_INSTANCES = 1000


def _check_input(spec, my_task) -> None:
    """多实例: the collection a task runs once per item of must be there and be a collection, and
    neither it nor the count (``loopCardinality``) may make more than ``MAX_INSTANCES`` instances."""
    inner = my_task.workflow.spec.task_specs.get(spec.task_spec, spec)
    name = inner.bpmn_name or spec.bpmn_name or spec.bpmn_id
    label = f"多实例任务「{name}」({spec.bpmn_id})"
    if spec.data_input is None:
        if spec.cardinality is not None:
            count = my_task.workflow.script_engine.evaluate(my_task, spec.cardinality)
            if isinstance(count, int) and count > MAX_INSTANCES:
                raise MultiInstanceInputError(f"{label} 的实例数为 {count}，超过上限 {MAX_INSTANCES}；"
                                              "请核对实例数（如会签人数）是否填写有误后重试", inner)
        return
    what = mi_collection.written(spec, my_task) or spec.data_input.bpmn_id
    if not spec.data_input.exists(my_task) or spec.data_input.get(my_task) is None:  # FEEL's null too
        raise MultiInstanceInputError(f"{label} 的集合「{what}」没有值，须先在表单或脚本中给出（如审批人列表）", inner)
    value = spec.data_input.get(my_task)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise MultiInstanceInputError(f"{label} 的集合「{what}」不是列表（其值为「{value}」）", inner)
    if hasattr(value, "__len__") and len(value) > MAX_INSTANCES:
        raise MultiInstanceInputError(f"{label} 的集合「{what}」有 {len(value)} 项，超过上限 {MAX_INSTANCES}；"
                                      "请核对该列表后重试，或请流程设计员分批处理", inner)


class InstanceCounters:
    """多实例完成条件: Camunda, Flowable and Activiti give a completion condition the loop's counters —
    ``nrOfInstances``, ``nrOfCompletedInstances``, ``nrOfActiveInstances`` and the last instance's
    ``loopCounter`` (``${nrOfCompletedInstances/nrOfInstances >= 0.6}``); SpiffWorkflow gave none,
    so such a condition failed on the name. They are read beside the instance's data (its own
    variables of those names win). Inside each instance, ``loopCounter`` is engine/loop_counter.py's."""

    def check_completion_condition(self, my_task):
        merged = my_task.internal_data.get("merged", [])
        if not merged or self.condition is None:
            return None
        last = next(c for c in my_task.children if str(c.id) == merged[-1])
        counters = {"nrOfInstances": self._instance_count(my_task), "nrOfCompletedInstances": len(merged),
                    "nrOfActiveInstances": self._active_count(my_task),
                    "loopCounter": loop_counter(last)}
        return my_task.workflow.script_engine.evaluate(last, self.condition, external_context=counters)


class ParallelMultiInstanceTask(ComputedCollection, LocalInstanceItem, InstanceCounters, InputOrderOutput,
                                spiff_specs.ParallelMultiInstanceTask):
    """SpiffWorkflow's, with the input collection checked (``_check_input``) and the counters in its
    completion condition (``InstanceCounters``), each instance's item its own (``LocalInstanceItem``);
    same name, so stored specs restore to it."""

    def create_children(self, my_task):
        self.compute_collection(my_task)  # a collection written as an expression (engine/mi_collection.py)
        _check_input(self, my_task)
        super().create_children(my_task)

    def _instance_count(self, my_task) -> int:
        return sum(1 for _ in self._instances(my_task))

    def _active_count(self, my_task) -> int:
        return sum(1 for c in self._instances(my_task) if not c.has_state(TaskState.FINISHED_MASK))


class SequentialMultiInstanceTask(ComputedCollection, LocalInstanceItem, InstanceCounters, InputOrderOutput,
                                  spiff_specs.SequentialMultiInstanceTask):
    """SpiffWorkflow's, with the input collection checked (``_check_input``) and the counters in its
    completion condition (``InstanceCounters``)."""

    def _update_hook(self, my_task):
        # The check reads the collection from the data the task inherits (SpiffWorkflow's update hook
        # takes it from the task before; checked before that, a collection the case had was said to be
        # missing and every sequential multi-instance over one — 逐级审批 over ${levels} — stopped).
        my_task._inherit_data()
        self.compute_collection(my_task)
        _check_input(self, my_task)
        return super()._update_hook(my_task)

    def add_next_child(self, my_task):
        # Each instance's item (Camunda's elementVariable, ``${level}``) is the instance's own: merged
        # back with the instance's data, it made SpiffWorkflow refuse the next instance ("input item
        # level already exists"), so a sequential multi-instance over a collection stopped after its
        # first instance. It is taken out before the next is made (the last one's stays, as after a
        # parallel one).
        if self.input_item is not None and my_task.internal_data.get("merged"):
            my_task.data.pop(self.input_item.bpmn_id, None)
        super().add_next_child(my_task)

    def _instance_count(self, my_task) -> int:
        done = len(my_task.internal_data.get("merged", []))
        if self.data_input is not None:
            return done + len(my_task.internal_data.get("remaining", []))
        return int(my_task.internal_data.get("cardinality", done))

    def _active_count(self, my_task) -> int:
        return 0  # one instance at a time, and it has just completed


def whole_count(expression: str | None) -> str | None:
    """多实例的实例数 (``loopCardinality``) read as Camunda 7 and Flowable read it
    (``MultiInstanceActivityBehavior.resolveLoopCardinality``): a number's whole part, text through
    ``Integer.valueOf`` — 「3」 and the full-width 「３」 are 3, 「三」 or 「abc」 fail. SpiffWorkflow
    handed the value to ``range``: text and 2.0 failed in English ("'str' object cannot be interpreted
    as an integer"). The expression is wrapped in ``int(...)`` (a plain expression the host evaluates);
    what it refuses is said in Chinese naming the task and the data (engine/incidents._text_as_number).
    A number written in the file is left as it is; a FEEL mark line (engine/restricted.ABSENT_AS_NULL)
    stays first."""
    if expression is None or expression.strip().isdigit():
        return expression
    lines = expression.strip().splitlines()
    marks = [line for line in lines if line.startswith("#")]
    body = "\n".join(line for line in lines if not line.startswith("#")).strip()
    return "\n".join([*marks, f"int({body})"]) if body else expression


class NamedLoops:
    """Parser mixin: a loop or multi-instance wrapper keeps its element's name (SpiffWorkflow's has
    none), so an incident in its loop condition or collection names 「企业补正材料」, not its id; a
    multi-instance count is read as a whole number (``whole_count``)."""

    def _copy_task_attrs(self, original, loop_characteristics=None):
        super()._copy_task_attrs(original, loop_characteristics)
        self.task.bpmn_name = original.bpmn_name
        if isinstance(self.task, (ParallelMultiInstanceTask, SequentialMultiInstanceTask)):
            self.task.cardinality = whole_count(self.task.cardinality)


def _ours(parser_class):
    parser_class = _with_engine_clock_timers(parser_class)
    if not issubclass(parser_class, TaskParser):
        return parser_class
    return type(parser_class.__name__, (NamedLoops, parser_class), {"PARALLEL_MI_CLASS": ParallelMultiInstanceTask,
                                                                     "SEQUENTIAL_MI_CLASS": SequentialMultiInstanceTask})


def _outputs_only(parser_class):
    """Zeebe user/manual tasks whose outputs are the only way out (engine/local_outputs.py)."""
    return type(parser_class.__name__, (OutputsOnlyParser, parser_class), {})


class DecisionResultParser(BusinessRuleTaskParser):
    """A business rule task whose model names a result variable sets it, in its post-script before
    any output mapping, from the decision's outputs (engine/decision_results.py)."""

    def create_task(self):
        task = super().create_task()
        props = self.parse_extensions().get("properties", {})
        line = decision_results.assignment(task.dmnEngine.decision_table, props.get("resultVariable", ""),
                                           props.get("mapDecisionResult"))
        if line:
            task.postscript = line + ("\n" + task.postscript if task.postscript else "")
        return task


class SignalEndEventParser(SpiffEndEventParser):
    """SpiffWorkflow's end event parser; a signal end event (信号结束事件) throws its signal as it ends
    its path, as BPMN 2.0 §10.5.3, Camunda 7/8 and Flowable do. SpiffWorkflow's reads message, cancel,
    error, escalation and terminate end events only: a signal one was a none end event, its signal
    never sent — the branch or the other cases waiting on it (engine/messages.py) waited for ever."""

    def create_task(self):
        definition = self.get_event_definition([MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH, CANCEL_EVENT_XPATH,
                                                 ERROR_EVENT_XPATH, ESCALATION_EVENT_XPATH, TERMINATION_EVENT_XPATH])
        task = self._create_task(definition)
        task.connect(self.spec.end)
        return task


def _compensating(parser_class, mixin=compensation.ThrowParserMixin):
    """A throw, end or boundary event parser that reads a compensation definition (engine/compensation.py)."""
    return type(parser_class.__name__, (mixin, parser_class), {})


class DubanParser(SpiffBpmnParser):
    AD_HOC_PARSER_CLASS = ad_hoc.DubanAdHocParser
    OVERRIDE_PARSER_CLASSES = {
        **{tag: (_ours(parser), spec) for tag, (parser, spec) in SpiffBpmnParser.OVERRIDE_PARSER_CLASSES.items()},
        **{full_tag(tag): (_outputs_only(_ours(SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag(tag)][0])),
                           SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag(tag)][1])
           for tag in ("userTask", "manualTask")},
        full_tag("serviceTask"): (_ours(ServiceTaskParser), DubanServiceTask),
        full_tag("startEvent"): (_ours(interrupting.InterruptingStartParser), interrupting.StartEvent),
        full_tag("endEvent"): (_compensating(_ours(SignalEndEventParser)), esp_data.EndEvent),  # an event sub-process's shares its data
        full_tag("intermediateThrowEvent"): (
            _compensating(_ours(SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag("intermediateThrowEvent")][0])),
            SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag("intermediateThrowEvent")][1]),
        full_tag("boundaryEvent"): (
            _compensating(_ours(SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag("boundaryEvent")][0]),
                          compensation.BoundaryParserMixin),
            compensation.BoundaryEvent),
        full_tag("callActivity"): (_ours(MappedCallActivityParser), CallActivity),
        full_tag("exclusiveGateway"): (gateways.ExclusiveGatewayParser, gateways.ExclusiveGateway),
        full_tag("inclusiveGateway"): (ConditionalGatewayParser, gateways.InclusiveGateway),
        full_tag("parallelGateway"): (GatewayParser, gateways.ParallelGateway),
        full_tag("businessRuleTask"): (_ours(DecisionResultParser), spiff_specs.BusinessRuleTask),
    }

    def get_engine(self, decision_ref, node, _chain=()):
        """The decision's table evaluated as DMN says (engine/dmn.py), with its aggregation, output
        value order and the decisions it requires (a DRD) read from the DMN file."""
        spiff_engine = super().get_engine(decision_ref, node)
        dmn_parser = self.dmn_parsers[decision_ref]
        required = []
        for required_id in dmn.required_decisions(dmn_parser) if isinstance(dmn_parser, dmn.DecisionParser) else ():
            if required_id in (*_chain, decision_ref):
                raise dmn.refuse_cycle([*_chain, decision_ref, required_id], dmn_parser.filename)
            table = self.get_engine(required_id, node, (*_chain, decision_ref)).decision_table
            required.append((required_id, table))
        return dmn.engine_for(spiff_engine, dmn_parser, required)

    def add_dmn_xml(self, node, filename=None):
        """A DMN file's decisions, each by its id. SpiffWorkflow's reads a file's first decision and
        refuses a file with more (a DRD), and finds the DMN elements only when the file writes them
        unprefixed or as ``dmn:`` (Trisotech writes ``semantic:``: an XPath error); here ``dmn``
        is the file's own DMN namespace, whatever its prefix."""
        namespaces = {**self.namespaces, **{k: v for k, v in node.nsmap.items() if k is not None}}
        namespaces["dmn"] = etree.QName(node).namespace
        decisions = [d for d in node if isinstance(d.tag, str) and etree.QName(d).localname == "decision"]
        for decision in decisions:
            if len(decisions) == 1:
                dmn_parser = DMNParser(self, node, namespaces, filename=filename)
            else:
                dmn_parser = dmn.DecisionParser(self, node, namespaces, decision.get("id"), filename=filename)
            self.dmn_parsers[dmn_parser.bpmn_id] = dmn_parser
            self.dmn_parsers_by_name[dmn_parser.get_name()] = dmn_parser

    def get_spec(self, process_id, required=True):
        spec = super().get_spec(process_id, required)
        if spec is not None:  # every spec a bundle holds is had here (get_subprocess_specs too)
            gateways.our_end_join(spec)
            conditional_starts.link(spec, lambda name: self.process_parsers[name].get_spec())
        return spec


DUBAN_CONFIG = deepcopy(SPIFF_CONFIG)
DUBAN_CONFIG[DubanServiceTask] = ServiceTaskConverter
DUBAN_CONFIG[CallActivity] = SPIFF_CONFIG[spiff_specs.CallActivity]
for _base, _outputs_only_class in OUTPUTS_ONLY_CLASSES.items():
    DUBAN_CONFIG[_outputs_only_class] = SPIFF_CONFIG[_base]
DUBAN_CONFIG[ParallelMultiInstanceTask] = SPIFF_CONFIG[spiff_specs.ParallelMultiInstanceTask]
DUBAN_CONFIG[SequentialMultiInstanceTask] = SPIFF_CONFIG[spiff_specs.SequentialMultiInstanceTask]
for _theirs, _gateway in gateways.OURS.items():  # same type names: stored specs restore to ours
    DUBAN_CONFIG[_gateway] = SPIFF_CONFIG[_theirs]
DUBAN_CONFIG[gateways._EndJoin] = SPIFF_CONFIG[control._EndJoin]  # the process's end join (the same)
DUBAN_CONFIG[conditional_events.ConditionalEventDefinition] = conditional_events.Converter  # with its variable filter
# Registered after SpiffWorkflow's own: the stored type names (the same) restore to ours.
for _ours in timers.OURS.values():
    DUBAN_CONFIG[_ours] = TimerConditionalEventDefinitionConverter
DUBAN_CONFIG[interrupting.StartEvent] = SPIFF_CONFIG[bpmn_specs.StartEvent]  # same type name: restores to ours
DUBAN_CONFIG[esp_data.EndEvent] = SPIFF_CONFIG[bpmn_specs.EndEvent]  # likewise
DUBAN_CONFIG[repeating_boundary.BoundaryEvent] = SPIFF_CONFIG[bpmn_specs.BoundaryEvent]  # likewise
DUBAN_CONFIG[compensation.BoundaryEvent] = SPIFF_CONFIG[bpmn_specs.BoundaryEvent]  # likewise (registered after: ours)
DUBAN_CONFIG[compensation.CompensationThrowEvent] = SPIFF_CONFIG[bpmn_specs.IntermediateThrowEvent]
DUBAN_CONFIG[compensation.CompensationEndEvent] = SPIFF_CONFIG[bpmn_specs.EndEvent]
DUBAN_CONFIG[compensation.CompensateEventDefinition] = SPIFF_CONFIG[CancelEventDefinition]
DUBAN_CONFIG[thrown_errors.ErrorEventDefinition] = SPIFF_CONFIG[spiff_events.ErrorEventDefinition]  # likewise
DUBAN_CONFIG[scoped_events.EscalationEventDefinition] = SPIFF_CONFIG[spiff_events.EscalationEventDefinition]  # likewise
DUBAN_CONFIG[ad_hoc.AdHocSubprocessSpec] = ad_hoc.AdHocConverter  # same type name: restores to ours
DUBAN_CONFIG[spiff_specs.BusinessRuleTask] = dmn.DecisionTableConverter  # restores engine/dmn.py's engine
DUBAN_CONFIG[DubanTask] = DubanTaskConverter  # stored as "Task", restored as ours (engine/task_class.py)
