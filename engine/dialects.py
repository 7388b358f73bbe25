"""Model dialects (建模工具方言): Camunda 7/8, Flowable/Activiti and bpmn.io files read as our own.

Designers draw in Camunda Modeler, Flowable or bpmn.io. Before a file is validated or parsed, this
module rewrites a copy of its XML tree into the SpiffWorkflow dialect the engine runs (the stored
file stays as drawn; element ids and line numbers are kept, so problems still point at the shape):

- a sequence flow or flow node written without an ``id`` gets a free one (SpiffWorkflow dropped such
  flows); a link throw event goes on at the link catch event of its name, as a flow between them;
- an inclusive gateway's branch drawn without a condition (not its default) gets the condition
  ``True``: Camunda 7, Flowable and Activiti always take it (SpiffWorkflow refused the model);
- pools marked ``isExecutable="false"`` beside an executable one are dropped (a black-box partner);
  a file whose processes are all non-executable (bpmn.io's default) runs them all;
- ``camunda:``/``flowable:``/``activiti:`` ``assignee``, ``candidateUsers``, ``candidateGroups``,
  ``dueDate``, ``followUpDate``, ``priority``, ``formKey``, Camunda 8's ``zeebe:assignmentDefinition``
  and ``camunda:properties`` become ``spiffworkflow:property`` entries (ours win where both are set);
- a process-level ``defaultRole`` property is copied to every task worked by a person;
- ``${...}``/``#{...}`` (JUEL) and ``= ...`` (FEEL) expressions in conditions, timers and task
  attributes are translated to Python (engine/expressions.py), or refused naming the language;
- ``scriptFormat`` other than Python and conditions in another ``language`` are refused by name;
- a service task gets an operator: ``camunda:type="external"``/``zeebe:taskDefinition`` become an
  external task of that topic, ``camunda:class``/``delegateExpression``/``expression`` name a
  handler (engine/service_tasks.py);
- a Camunda 8 form (form-js) embedded in the file (``zeebe:userTaskForm``, named by a user task's or a
  start event's ``zeebe:formDefinition formKey="camunda-forms:bpmn:..."``) becomes the task's drawn
  form (``formFields``, engine/camunda_forms.py), as Camunda 7's ``formField`` does; a linked one
  (``formId``: a ``.form`` file the file does not hold) is a warning naming the task and the form;
- ``camunda:decisionRef`` (``zeebe:calledDecision decisionId``) on a business rule task becomes
  ``spiffworkflow:calledDecisionId``;
- a call activity's ``camunda:in``/``camunda:out`` (Flowable's, Activiti's) and ``zeebe:ioMapping``
  become ``spiffworkflow:variableMapping`` (engine/call_activity.py); a task's
  ``camunda:inputOutput``/``zeebe:ioMapping`` parameters become lines of its pre- and post-script.

``normalize`` returns the rewritten root, notes of what was translated (the designer shows them) and
problems (refusals) as ``(message, element)`` pairs.
"""
from __future__ import annotations

import copy
import keyword
import re
import textwrap
from dataclasses import dataclass, field

from lxml import etree

from . import (ad_hoc, call_binding, camunda_forms, code_variables, drawn_data_objects, el_text, event_definition_refs, feel_collections, feel_errors, feel_functions, flowable_types, flowable_vars, kie_functions, mi_collection, qname_refs,
               task_priority, waiting_loops, yudao_timeouts)
from .assignment import completer_variable_problem
from .expression_advice import advice, dmn_advice, equivalent, rename_for
from .dmn import FEEL_PATH, data_names
from .excerpt import ADVICE, excerpt
from .expressions import (EL_STORED, FEEL, JUEL, YES_OR_NO, Untranslatable, closing, split_top_level, has_juel, language_of, literal_or_expression,
                          translate)
from .feel_null import null_propagating
from .local_outputs import OUTPUTS_ONLY
from .loop_counter import BASE_PROPERTY
from .restricted import ABSENT_AS_NULL, absent_as_null, mark_absent_as_null, names_read

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
FLOWABLE_NS = "http://flowable.org/bpmn"
ACTIVITI_NS = "http://activiti.org/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
VENDOR_NS = (CAMUNDA_NS, FLOWABLE_NS, ACTIVITI_NS)
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

B = f"{{{BPMN_NS}}}"
S = f"{{{SPIFF_NS}}}"

# Tasks a person works (手工任务 included): they get the task attributes and the default role.
HUMAN_TASKS = ("userTask", "manualTask", "task")
NAME_EXPRESSION = "nameExpression"  # a task name holding ${...}, as Python: computed as the task opens
TASK_ATTRIBUTES = ("assignee", "candidateUsers", "candidateGroups", "dueDate", "followUpDate", "priority", "formKey")
COMPUTED_GROUPS = "candidateGroupsExpression"  # candidateGroups written as an expression (engine/projection.role_of)
# what a refusal calls each of them (a designer reads Chinese, the attribute's name in brackets)
ATTRIBUTE_NAMES = {"assignee": "指定办理人（assignee）", "candidateUsers": "候选办理人（candidateUsers）",
                   "dueDate": "办理期限（dueDate）", "followUpDate": "跟进日期（followUpDate）", "priority": "优先级（priority）"}
PYTHON_LANGUAGES = {"", "python", "py", "python3", "text/x-python", "text/python", "application/x-python"}


@dataclass
class Normalized:
    root: etree._Element
    notes: list[tuple[str, etree._Element]] = field(default_factory=list)
    problems: list[tuple[str, etree._Element]] = field(default_factory=list)
    translations: list[dict] = field(default_factory=list)  # {"element_id", "from", "to"}


def label(el) -> str:
    """「name」(id) for messages; an unnamed element by its kind and id. Both as the model has them,
    cut to 80 characters (``excerpt``): a name of 100,000 characters is not said in every refusal."""
    name = excerpt((el.get("name") or "").strip())
    kind = KIND_NAMES.get(etree.QName(el).localname, etree.QName(el).localname)
    ident = excerpt(el.get("id"))
    return f"{kind}「{name}」({ident})" if name else f"未命名{kind} ({ident})"


KIND_NAMES = {
    "userTask": "用户任务", "manualTask": "手工任务", "task": "任务", "serviceTask": "服务任务",
    "scriptTask": "脚本任务", "sendTask": "发送任务", "receiveTask": "接收任务", "businessRuleTask": "规则任务",
    "callActivity": "调用活动", "subProcess": "子流程", "transaction": "事务子流程", "adHocSubProcess": "子流程",
    "startEvent": "开始事件", "endEvent": "结束事件", "intermediateCatchEvent": "中间捕获事件",
    "intermediateThrowEvent": "中间抛出事件", "boundaryEvent": "边界事件", "exclusiveGateway": "排他网关",
    "inclusiveGateway": "包容网关", "parallelGateway": "并行网关", "eventBasedGateway": "事件网关",
    "complexGateway": "复杂网关", "sequenceFlow": "连线", "lane": "泳道", "process": "流程",
}


def _vendor_attr(el, name):
    for ns in VENDOR_NS:
        value = el.get(f"{{{ns}}}{name}")
        if value is not None:
            return value
    return None


def _extension_elements(el, create=True):
    ext = el.find(f"{B}extensionElements")
    if ext is None and create:
        ext = etree.Element(f"{B}extensionElements")
        doc = el.find(f"{B}documentation")
        el.insert(el.index(doc) + 1 if doc is not None else 0, ext)
    return ext


def _properties(el) -> dict[str, etree._Element]:
    ext = _extension_elements(el, create=False)
    if ext is None:
        return {}
    return {p.get("name"): p for p in ext.iterfind(f"{S}properties/{S}property") if p.get("name")}


def _set_property(el, name, value) -> bool:
    """Add spiffworkflow:property ``name`` unless the model already sets it (ours win)."""
    if name in _properties(el):
        return False
    ext = _extension_elements(el)
    props = ext.find(f"{S}properties")
    if props is None:
        props = etree.SubElement(ext, f"{S}properties")
    prop = etree.SubElement(props, f"{S}property")
    prop.set("name", name)
    prop.set("value", value)
    return True


def _vendor_properties(el) -> dict[str, str]:
    found = {}
    ext = el.find(f"{B}extensionElements")
    if ext is None:
        return found
    for ns in (*VENDOR_NS, ZEEBE_NS):
        for p in ext.iterfind(f"{{{ns}}}properties/{{{ns}}}property"):
            if p.get("name"):
                found[p.get("name")] = p.get("value") or ""
    return found


def normalize(root: etree._Element, form_exists=None) -> Normalized:
    """A copy of ``root`` in our dialect, with notes and refusals (see module docstring)."""
    root = copy.deepcopy(root)
    result = Normalized(root)
    qname_refs.unprefix(root)  # messageRef="tns:newInvoice": the id after the prefix
    event_definition_refs.inline(root)  # <eventDefinitionRef>: the definition it names, held by the event
    _name_unnamed_elements(root, result)
    _rename_reserved_ids(root, result)
    _follow_links(root, result)
    _skip_expressions_as_gateways(root, result)
    _split_multiple_outgoing(root, result)
    _inclusive_flows_without_condition(root, result)
    _exclusive_flows_without_condition(root, result)
    _end_implicit_ends(root, result)
    _errors_named_by_ref(root, result)
    _external_task_errors(root, result)
    processes = root.findall(f"{B}process")
    executable = [p for p in processes if p.get("isExecutable", "true") != "false"]
    if executable:
        for p in processes:
            if p not in executable:
                root.remove(p)
                result.notes.append((f"{label(p)} 未标记为可执行，已忽略", p))
    else:
        for p in processes:
            p.set("isExecutable", "true")
            _unnamed_trigger_starts(p, result)
    for process in root.findall(f"{B}process"):
        waiting_loops.break_waiting_loops(process)  # a loop waiting each round for a message: as Camunda runs it
        result.notes += yudao_timeouts.auto_approvals(process, label)  # 芋道 审批超时自动同意
        _normalize_process(process, result, form_exists)
    _drop_data_stores(root, result)
    return result


def _unnamed_trigger_starts(process, result: Normalized) -> None:
    """A descriptive model (ARIS, Signavio: no process marked executable) whose start event is drawn as
    a message or signal start without naming one (「接到事故报告」: the trigger as the analyst says it):
    its tool runs nothing, it documents who starts the work. Read as the start a person makes (发起案件),
    noted on it; before, the deploy refused it for a message nobody could send. An executable model's
    unnamed message start is still refused (engine/validation.py)."""
    for start in process.iterfind(f"{B}startEvent"):
        for definition in list(start):
            local = etree.QName(definition).localname if isinstance(definition.tag, str) else ""
            attribute = {"messageEventDefinition": "messageRef", "signalEventDefinition": "signalRef"}.get(local)
            if attribute is None or (definition.get(attribute) or "").strip() or _vendor_attr(
                    definition, f"{local[:-len('EventDefinition')]}Expression"):
                continue
            start.remove(definition)
            what = "消息" if attribute == "messageRef" else "信号"
            result.notes.append((f"{label(start)} 画作{what}开始事件，但没有选择{what}（描述性模型，未标记为可执行）："
                                 f"按普通开始事件读取，由人员发起案件", start))


def _drop_data_stores(root, result: Normalized) -> None:
    """A ``<dataStore>`` among the file's root elements (隐患台账, as jBPM's designer, Signavio and
    Trisotech save a store; bpmn.io's ``dataStoreReference`` points at one), or inside a process as
    bpmn-js keeps one it made, is drawn documentation too: jBPM and Camunda run such a file.
    SpiffWorkflow's parser refused every store it had no class for ("Data Store with name … has no
    implementation", "Data Store name is missing"), said only as 「模型结构无法识别」. The store goes,
    noted on it; the associations into it went with ``_drop_data_store_associations``."""
    for store in list(root.iter(f"{B}dataStore")):
        store.getparent().remove(store)
        result.notes.append((f"数据存储「{excerpt(store.get('name') or store.get('id') or '')}」仅作说明，不参与运行："
                             "任务读写的数据保存在案件数据中", store))


# Names SpiffWorkflow gives the task specs it adds to every process: an element drawn with one of
# these ids would take their place (a start event "Start" leaves the case with no way in: "No output
# task connected"; a task "Root" is dropped when the case is saved). Hand-written Camunda and
# Activiti files name their events so.
RESERVED_IDS = ("Start", "End", "Root")
_REFERENCE_ATTRIBUTES = ("sourceRef", "targetRef", "attachedToRef", "default", "bpmnElement")
_REFERENCE_TEXTS = ("incoming", "outgoing", "flowNodeRef", "sourceRef", "targetRef")


class _FreeIds:
    """Ids not yet used in a file, for the elements a normalization adds or renames: ``base``, else
    ``base_2``, ``base_3`` …; ``suffixed`` starts at ``base_1`` (a renamed element's old id is taken)."""

    def __init__(self, root):
        self.taken = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}

    def __call__(self, base: str, suffixed: bool = False) -> str:
        n = 1
        name = f"{base}_1" if suffixed else base
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        return name


def _name_unnamed_elements(root, result: Normalized) -> None:
    """A sequence flow or flow node written without an ``id`` (hand-written Camunda 7 and Flowable
    files: ``<sequenceFlow sourceRef="fork" targetRef="task1"/>``; the schema leaves ``id`` optional,
    and Camunda and Flowable run such files) gets a free one: a flow ``<source>_to_<target>``, a node
    its kind (``subProcess_1``), noted on it. SpiffWorkflow's parser dropped every flow without an id,
    so a gateway or task drawn before them ended the case there, silently and at once."""
    free = _FreeIds(root)
    containers = (f"{B}process", f"{B}subProcess", f"{B}transaction", f"{B}adHocSubProcess")
    for container in root.iter(*containers):
        for el in container:
            if not isinstance(el.tag, str) or el.get("id") or etree.QName(el).namespace != BPMN_NS:
                continue
            kind = etree.QName(el).localname
            if kind == "sequenceFlow":
                el.set("id", free(f"{el.get('sourceRef')}_to_{el.get('targetRef')}"))
            elif kind in KIND_NAMES and kind not in ("lane", "process"):
                el.set("id", free(kind, suffixed=True))
            else:
                continue
            result.notes.append((f"{label(el)} 没有标识（id），已自动取名「{el.get('id')}」", el))


def _rename_reserved_ids(root, result: Normalized) -> None:
    """Elements whose id is one of SpiffWorkflow's own spec names get a free id (``Start_1``), and so
    do the references to them; noted on the element."""
    scopes = {el.get("id") for el in root.iter(f"{B}process", f"{B}subProcess", f"{B}transaction",
                                              f"{B}adHocSubProcess")}
    reserved = {*RESERVED_IDS, *(f"{scope}.EndJoin" for scope in scopes)}
    free = _FreeIds(root)
    renamed: dict[str, str] = {}
    for el in root.iter(f"{B}*"):
        old = el.get("id")
        if old not in reserved or etree.QName(el).localname == "process":
            continue
        renamed[old] = free(old, suffixed=True)
        el.set("id", renamed[old])
        result.notes.append((f"{label(el)} 原标识「{old}」与引擎内部名称相同，已改为「{renamed[old]}」", el))
    if not renamed:
        return
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in _REFERENCE_ATTRIBUTES:
            if el.get(attr) in renamed:
                el.set(attr, renamed[el.get(attr)])
        if etree.QName(el).localname in _REFERENCE_TEXTS and (el.text or "").strip() in renamed:
            el.text = renamed[el.text.strip()]


def _link_name(event) -> str:
    definition = event.find(f"{B}linkEventDefinition")
    return ((definition.get("name") if definition is not None else None) or event.get("name") or "").strip()


def _follow_links(root, result: Normalized) -> None:
    """链接事件: a link throw event goes on at the link catch event of the same name in the same
    (sub)process — Camunda 7 and 8 and Flowable run them so (an off-page connector). SpiffWorkflow
    knows no link events: the throw event ended its path there and the catch event was never
    reached, so the case completed without the activities after it. The pair becomes a flow from
    the throw event to the catch event (both then plain intermediate events), noted on the throw
    event; a throw event with no catch event of its name, or several, is refused naming it, and so
    is a catch event no throw event leads to."""
    free = _FreeIds(root)
    for container in root.iter(f"{B}process", f"{B}subProcess", f"{B}transaction", f"{B}adHocSubProcess"):
        throws = [el for el in container.iterfind(f"{B}intermediateThrowEvent")
                  if el.find(f"{B}linkEventDefinition") is not None]
        catches: dict[str, list] = {}
        for el in container.iterfind(f"{B}intermediateCatchEvent"):
            if el.find(f"{B}linkEventDefinition") is not None:
                catches.setdefault(_link_name(el), []).append(el)
        if not throws and not catches:
            continue
        reached = set()
        for throw in throws:
            name = _link_name(throw)
            found = catches.get(name, [])
            if len(found) != 1:
                why = "没有同名的链接捕获事件" if not found else f"有 {len(found)} 个同名的链接捕获事件"
                result.problems.append((f"{label(throw)} 是链接事件「{name}」，但所在流程中{why}；"
                                        "请在同一流程中画一个（且只画一个）同名的链接捕获事件，或改用连线", throw))
                continue
            catch = found[0]
            reached.add(id(catch))
            flow = etree.SubElement(container, f"{B}sequenceFlow", id=free(f"{throw.get('id')}_to_{catch.get('id')}"),
                                    sourceRef=throw.get("id"), targetRef=catch.get("id"))
            throw.remove(throw.find(f"{B}linkEventDefinition"))
            etree.SubElement(throw, f"{B}outgoing").text = flow.get("id")
            etree.SubElement(catch, f"{B}incoming").text = flow.get("id")
            result.notes.append((f"{label(throw)} 链接到{label(catch)}，按连线继续", throw))
        for group in catches.values():
            for catch in group:
                if id(catch) not in reached:
                    if len(group) == 1:
                        result.problems.append((f"{label(catch)} 是链接事件「{_link_name(catch)}」，但所在流程中没有同名的"
                                                "链接抛出事件，流程永远不会走到这里；请画一个同名的链接抛出事件，或删除它", catch))
                    continue
                catch.remove(catch.find(f"{B}linkEventDefinition"))
                catch.tag = f"{B}intermediateThrowEvent"  # a catch event must catch something; a none event passes on


ACTIVITIES = ("task", "userTask", "manualTask", "serviceTask", "scriptTask", "sendTask", "receiveTask",
              "businessRuleTask", "callActivity", "subProcess", "transaction")


def _flows_out_of(root):
    """Each process and sub-process of the file with its sequence flows by source id, each source's
    in the order the file lists them (the order Camunda 7 and Flowable weigh them in)."""
    for container in root.iter(f"{B}process", f"{B}subProcess", f"{B}transaction", f"{B}adHocSubProcess"):
        outgoing: dict[str, list] = {}
        for flow in container.iterfind(f"{B}sequenceFlow"):
            outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
        yield container, outgoing


def _split_multiple_outgoing(root, result: Normalized) -> None:
    """An activity drawn with several outgoing flows and no condition on any (a bpmn.io sketch, a
    Signavio export) takes them all at once — BPMN's implicit parallel split. SpiffWorkflow's parser
    refuses any task with more than one outgoing flow; a parallel gateway (``<id>_split``) is put
    after the activity, noted on it. With a condition on one of them, or a default flow, they are
    条件连线 (``_conditional_split``)."""
    free = _FreeIds(root)

    for container, outgoing in _flows_out_of(root):
        for node in list(container):
            kind = etree.QName(node).localname if isinstance(node.tag, str) else ""
            if kind not in ACTIVITIES and kind not in _SPLITTING_EVENTS:
                continue
            flows = outgoing.get(node.get("id"), [])
            conditional = any((f.findtext(f"{B}conditionExpression") or "").strip() for f in flows)
            if len(flows) < 2 or node.get("triggeredByEvent") == "true":
                continue
            if conditional or node.get("default") and kind in ACTIVITIES:
                _conditional_split(container, node, flows, free, result)
                continue
            _split_after(container, node, flows, etree.Element(f"{B}parallelGateway", id=free(f"{node.get('id')}_split")),
                         free)
            result.notes.append((f"{label(node)} 有 {len(flows)} 条出口连线且都没有条件，按 BPMN 的规定同时走全部连线"
                                 "（本系统在其后加了一个并行网关）", node))


_SPLITTING_EVENTS = ("startEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")


def _split_after(container, node, flows, gateway, free) -> None:
    """Put ``gateway`` right after ``node`` (a flow ``<id>_to_split`` into it) and let ``flows``, the
    node's outgoing flows, leave the gateway instead."""
    container.insert(container.index(node) + 1, gateway)
    link = etree.SubElement(container, f"{B}sequenceFlow", id=free(f"{node.get('id')}_to_split"),
                            sourceRef=node.get("id"), targetRef=gateway.get("id"))
    ids = {f.get("id") for f in flows}
    for ref in node.findall(f"{B}outgoing"):
        if (ref.text or "").strip() in ids:
            node.remove(ref)
    etree.SubElement(node, f"{B}outgoing").text = link.get("id")
    etree.SubElement(gateway, f"{B}incoming").text = link.get("id")
    for f in flows:
        f.set("sourceRef", gateway.get("id"))
        etree.SubElement(gateway, f"{B}outgoing").text = f.get("id")


def _conditional_split(container, node, flows, free, result: Normalized) -> None:
    """条件连线 from an event (Camunda 7's InclusiveGatewayTest draws them from a start event) or an
    activity (the 请假/整改 models of the Chinese Activiti and Flowable tutorials draw them straight
    from 审批 to 通过 and 驳回, a default flow marked on the task): BPMN takes every flow whose
    condition holds and every one without a condition, the activity's default flow only when no
    other is taken, and Camunda 7 and Flowable stop ("No conditional sequence flow … could be
    selected") when none is — an inclusive gateway's behaviour. SpiffWorkflow ignored the conditions
    after an event and took every flow, and refused an activity with more than one outgoing flow.
    An inclusive gateway (``<id>_split``) is put after the node, the flows leave it, the activity's
    default its default (a flow without a condition then becomes ``True``:
    _inclusive_flows_without_condition)."""
    said = (node.get("name") or "").strip() or KIND_NAMES[etree.QName(node).localname]
    gateway = etree.Element(f"{B}inclusiveGateway", id=free(f"{node.get('id')}_split"), name=f"{said}之后的条件连线")
    default = node.attrib.pop("default", None)
    if default in {f.get("id") for f in flows}:
        gateway.set("default", default)
    _split_after(container, node, flows, gateway, free)
    also = "，都不成立时走默认连线" if gateway.get("default") else ""
    result.notes.append((f"{label(node)} 的 {len(flows)} 条出口连线带有条件，按 BPMN 的规定走条件成立的连线和没有条件的连线"
                         f"{also}（本系统在其后加了一个包容网关）", node))


def _inclusive_flows_without_condition(root, result: Normalized) -> None:
    """包容网关: a branch drawn without a condition (and not the default) is always taken — Camunda 7,
    Flowable and Activiti take it so ("if a sequence flow has no condition, the process branches
    there"), and BPMN reads a flow without a condition as true. SpiffWorkflow's parser refused the
    model, in words meant for an exclusive gateway; the flow gets the condition ``True``, noted on it."""
    for container, outgoing in _flows_out_of(root):
        for gateway in container.iterfind(f"{B}inclusiveGateway"):
            flows = outgoing.get(gateway.get("id"), [])
            if len(flows) < 2:
                continue
            for flow in flows:
                if flow.get("id") == gateway.get("default") or (flow.findtext(f"{B}conditionExpression") or "").strip():
                    continue
                for empty in flow.findall(f"{B}conditionExpression"):
                    flow.remove(empty)
                etree.SubElement(flow, f"{B}conditionExpression").text = "True"
                result.notes.append((f"{label(gateway)} 的分支{label(flow)}没有条件，按 BPMN 的规定总是走这条分支；"
                                     "如只在某些情况下走，请为它填写条件", flow))


def _flowable_file(root) -> bool:
    """Whether the file was saved for Flowable or Activiti (it declares their namespace)."""
    return bool({FLOWABLE_NS, ACTIVITI_NS} & set(root.nsmap.values()))


def _zeebe_file(root) -> bool:
    """Whether the file was saved for Camunda 8 (Zeebe): it declares the zeebe namespace or Camunda
    Modeler's execution platform says so."""
    platform = root.get("{http://camunda.org/schema/modeler/1.0}executionPlatform") or ""
    return ZEEBE_NS in set(root.nsmap.values()) or platform.strip() == "Camunda Cloud"


def _exclusive_flows_without_condition(root, result: Normalized) -> None:
    """排他网关: a branch drawn without a condition (and not the default) where the vendor the file
    was saved for deploys it. Camunda 7 and Flowable look at the branches in the order the file lists
    them and take the first whose condition holds or that has none (Camunda 7's
    ``ExclusiveGatewayActivityBehavior``, Flowable's ``ExclusiveGatewayActivityBehavior``); Camunda 7
    deploys one such branch with a warning when the gateway has no default and refuses more
    (``BpmnParse.validateExclusiveGateway``), Flowable deploys any with a warning
    (``ExclusiveGatewayValidator``), Zeebe refuses every one ("Must have a condition or be default
    flow"). Where the vendor deploys it the flow gets the condition ``True`` (the gateway's parser keeps
    the file's order: engine/gateways.py), with a warning on the flow; elsewhere engine/validation.py
    refuses it."""
    if _zeebe_file(root):
        return
    flowable = _flowable_file(root)
    for container, outgoing in _flows_out_of(root):
        for gateway in container.iterfind(f"{B}exclusiveGateway"):
            flows = outgoing.get(gateway.get("id"), [])
            default = (gateway.get("default") or "").strip()
            plain = [f for f in flows if f.get("id") != default
                     and not (f.findtext(f"{B}conditionExpression") or "").strip()]
            if len(flows) < 2 or not plain or (not flowable and (default or len(plain) > 1)):
                continue  # Camunda 7 refuses these: so does engine/validation.py, with advice
            for flow in plain:
                for empty in flow.findall(f"{B}conditionExpression"):
                    flow.remove(empty)
                etree.SubElement(flow, f"{B}conditionExpression").text = "True"
                result.notes.append((
                    f"{label(gateway)} 的分支{label(flow)}没有条件，也不是默认分支：本系统与 Camunda 7、Flowable 一样，"
                    "按文件中连线的先后顺序逐条判断，轮到这条时总是走它（排在它后面的分支不再判断）；"
                    "如它是「其余情况」的去向，请在属性面板中把它设为默认分支", flow))


def _end_implicit_ends(root, result: Normalized) -> None:
    """A subprocess drawn without an end event (Camunda's test models, event subprocesses) ends a
    path where an activity, or a parallel or inclusive join, has no outgoing flow — BPMN's implicit end. SpiffWorkflow's parser refuses
    it ("A SubWorkflow Must contain an End event"); an end event (``<id>_end``) is put after each such
    activity, noted on it. A subprocess with an end event of its own is left as drawn."""
    free = _FreeIds(root)

    # a parallel or inclusive join with no way out ends the path once it fires (Camunda's
    # ParallelGatewayTest.testCompletingJoinInSubProcess: the sub-process ends when its join does)
    ends = ACTIVITIES + ("intermediateCatchEvent", "intermediateThrowEvent", "parallelGateway", "inclusiveGateway")
    for container in root.iter(f"{B}subProcess", f"{B}transaction"):
        if container.find(f"{B}endEvent") is not None:
            continue
        sources = {f.get("sourceRef") for f in container.iterfind(f"{B}sequenceFlow")}
        for node in list(container):
            if (not isinstance(node.tag, str) or etree.QName(node).localname not in ends
                    or node.get("id") in sources or node.get("isForCompensation") == "true"):
                continue
            end = etree.Element(f"{B}endEvent", id=free(f"{node.get('id')}_end"))
            container.insert(container.index(node) + 1, end)
            link = etree.SubElement(container, f"{B}sequenceFlow", id=free(f"{node.get('id')}_to_end"),
                                    sourceRef=node.get("id"), targetRef=end.get("id"))
            etree.SubElement(node, f"{B}outgoing").text = link.get("id")
            etree.SubElement(end, f"{B}incoming").text = link.get("id")
            result.notes.append((f"{label(node)} 之后没有连线，所在{label(container)}没有结束事件，"
                                 "按 BPMN 的规定该路径在此结束（本系统在其后加了一个结束事件）", node))


def _errors_named_by_ref(root, result: Normalized) -> None:
    """An error event whose ``errorRef`` names no ``<error>`` of the file (Camunda 7's hand-written test
    models: ``<errorEventDefinition errorRef="error1"/>`` and no error element): Camunda 7 and
    Flowable take the reference itself as the error code, thrown and caught alike
    (``BoundaryErrorEventTest.testDeeplyNestedErrorThrown`` runs so), and the deploy here was refused
    as a deleted error. Such an error is declared (``<error id=ref errorCode=ref>``), noted on the
    event. A Camunda 8 file is left as drawn: Zeebe refuses the reference, and so does
    engine/validation.py."""
    if _zeebe_file(root):
        return
    declared = {el.get("id") for el in root.iterfind(f"{B}error")}
    first_process = root.find(f"{B}process")
    for definition in root.iter(f"{B}errorEventDefinition"):
        ref = (definition.get("errorRef") or "").strip()
        if not ref or ref in declared:
            continue
        declared.add(ref)
        error = etree.Element(f"{B}error", id=ref, name=ref, errorCode=ref)
        if first_process is not None:
            first_process.addprevious(error)
        else:
            root.append(error)
        event = definition.getparent()
        result.notes.append((f"{label(event)} 引用的错误「{excerpt(ref)}」在文件中没有定义：与 Camunda 7、Flowable 一样，"
                             f"以「{excerpt(ref)}」作为错误代码（抛出与捕获都按这个代码匹配）", event))


ERROR_GATEWAY = "externalErrorGateway"  # the task's property naming the gateway of its error definitions
# Camunda's ``${externalTask.getErrorDetails().contains('…')}``: the getter read as the property it gets
_EXTERNAL_GETTER = re.compile(r"\bexternalTask\.get(ErrorMessage|ErrorDetails|WorkerId|TopicName|Retries)\(\s*\)")


def _external_task_errors(root, result: Normalized) -> None:
    """Camunda 7.12's error event definitions on an external task (``<camunda:errorEventDefinition
    errorRef="Error_0rejected" expression="${pushStatus == 'REJECTED'}"/>`` in its extensionElements):
    when a worker completes the task, Camunda evaluates each expression over the variables, the first
    that holds throwing that BPMN error, caught as any error is (a boundary event on the task, an
    enclosing sub-process's, an error event sub-process). Before, the definitions were passed over with
    a note and the case went on as though nothing had been thrown (行政处罚决定推送 published a decision
    the credit platform had sent back). Here the task is wrapped in an embedded sub-process of its
    own (``<id>_scope``, taking its flows and boundary events): after the task an exclusive gateway
    takes, in the order drawn, the first definition whose expression holds to an error end event
    throwing its error, else the plain end; the task's ``externalErrorGateway`` property names that
    gateway, whose conditions engine/external_tasks.py evaluates on a reported failure as Camunda's
    ``ExternalTaskEntity.failed`` does. Left to the note: a definition without an expression or
    naming no error of the file, and a multi-instance or looping task."""
    free = _FreeIds(root)
    errors = {e.get("id"): e for e in root.iter(f"{B}error")}
    for task in list(root.iter(f"{B}serviceTask", f"{B}sendTask")):
        ext = task.find(f"{B}extensionElements")
        if ext is None or not _is_external(task) or task.find(f"{B}multiInstanceLoopCharacteristics") is not None \
                or task.find(f"{B}standardLoopCharacteristics") is not None:
            continue
        drawn = [d for d in ext if isinstance(d.tag, str) and etree.QName(d).namespace in VENDOR_NS
                 and etree.QName(d).localname == "errorEventDefinition"]
        usable = [(d, (d.get("errorRef") or "").strip(), (d.get("expression") or "").strip()) for d in drawn]
        usable = [(d, ref, _EXTERNAL_GETTER.sub(lambda m: f"externalTask.{m.group(1)[0].lower()}{m.group(1)[1:]}", expr))
                  for d, ref, expr in usable if ref in errors and expr]
        if not usable:
            continue
        container, tid = task.getparent(), task.get("id")
        scope = etree.Element(f"{B}subProcess", id=free(f"{tid}_scope"), name=task.get("name") or "")
        container.insert(container.index(task), scope)
        for flow in container.iterfind(f"{B}sequenceFlow"):
            for end in ("sourceRef", "targetRef"):
                if flow.get(end) == tid:
                    flow.set(end, scope.get("id"))
        for boundary in container.iterfind(f"{B}boundaryEvent"):
            if boundary.get("attachedToRef") == tid:
                boundary.set("attachedToRef", scope.get("id"))
        if task.get("default"):
            scope.set("default", task.attrib.pop("default"))
        for ref in (*task.findall(f"{B}incoming"), *task.findall(f"{B}outgoing")):
            scope.append(ref)
        for ref in root.iter(f"{B}flowNodeRef"):
            if (ref.text or "").strip() == tid:
                etree.SubElement(ref.getparent(), f"{B}flowNodeRef").text = scope.get("id")
        start = etree.SubElement(scope, f"{B}startEvent", id=free(f"{tid}_start"))
        scope.append(task)
        gateway = etree.SubElement(scope, f"{B}exclusiveGateway", id=free(f"{tid}_errors"),
                                   name=f"{task.get('name') or tid}完成后是否抛出错误")
        plain_end = etree.SubElement(scope, f"{B}endEvent", id=free(f"{tid}_end"))

        def link(source, target, condition=None):
            flow = etree.SubElement(scope, f"{B}sequenceFlow", id=free(f"{source.get('id')}_to_{target.get('id')}"),
                                    sourceRef=source.get("id"), targetRef=target.get("id"))
            if condition is not None:
                etree.SubElement(flow, f"{B}conditionExpression").text = condition
            etree.SubElement(source, f"{B}outgoing").text = flow.get("id")
            etree.SubElement(target, f"{B}incoming").text = flow.get("id")
            return flow
        link(start, task)
        link(task, gateway)
        gateway.set("default", link(gateway, plain_end).get("id"))
        # what engine/external_tasks.py reads on a completion (the worker's variables kept when an
        # error is thrown) and on a reported failure (the definitions evaluated there too)
        _set_property(task, ERROR_GATEWAY, gateway.get("id"))
        for definition, ref, expression in usable:
            thrown = etree.SubElement(scope, f"{B}endEvent", id=free(f"{tid}_{definition.get('id') or 'error'}"),
                                      name=errors[ref].get("name") or ref)
            etree.SubElement(thrown, f"{B}errorEventDefinition", errorRef=ref)
            link(gateway, thrown, expression if has_juel(expression) else "${" + expression + "}")
            error = errors[ref]
            result.notes.append((f"{label(task)} 的错误事件定义（camunda:errorEventDefinition）：外部任务完成时，表达式"
                                 f"「{excerpt(expression)}」成立即抛出错误「{excerpt(error.get('name') or ref)}」"
                                 f"（错误代码 {excerpt(error.get('errorCode') or ref)}），与 Camunda 7 相同，由边界事件或事件子流程捕获",
                                 task))
        for definition in drawn:
            ext.remove(definition)
        if len(usable) < len(drawn):
            result.notes.append((f"{label(task)} 有错误事件定义没有表达式或引用的错误在文件中没有定义，已忽略", task))


def _translate_text(el, result: Normalized, owner, what: str) -> None:
    text = el.text or ""
    if language_of(text) is None and not has_juel(text):
        return
    try:
        # a flow's condition that only reads text is left to its gateway (engine/gateways._holds: 'true' and
        # 'false' are yes and no, other text an incident); a conditional event's or completion condition's
        # reads it as a yes/no here
        flow = etree.QName(el).localname == "conditionExpression"
        python = _translate_with_feel_calls(text, condition=what in ("条件", "完成条件") and not flow)
    except Untranslatable as exc:
        result.problems.append((f"{label(owner)} 的{what}使用 {exc.language} 表达式「{excerpt(exc.text)}」，"
                                f"{exc.reason}；{advice(exc)}", owner))
        el.text = "False"  # the deploy is refused: said once, not again as Python that does not compile
        return
    result.translations.append({"element_id": owner.get("id"), "from": text.strip(), "to": python})
    # FEEL: null as Zeebe reads it, and the expression as written kept for the words of a failure (engine/feel_errors.py)
    el.text = feel_errors.with_source(_feel_null(python), text) if language_of(text) == FEEL else python
    if language_of(text) == JUEL and flowable_vars.has_calls(text):  # Flowable: an absent variable is null there
        el.text = mark_absent_as_null(python, flowable_vars.masked(text, {})[1])
    if flow:
        el.text += f"  {YES_OR_NO}"


def _translate_with_feel_calls(text: str, condition: bool = False) -> str:
    """``translate``, with the FEEL built-in functions a decision table's cells are translated with
    (``_FEEL_CALL``: count, sum, string length, upper/lower case, contains, starts/ends with, literal
    dates) translated in a Camunda 8 condition or mapping too — ``= count(hazards) > 2``, ``=sum(fines)``,
    ``=upper case(unit)``: Zeebe runs them; the deploy refused every call but list contains and is
    defined. Other functions are refused as before."""
    if language_of(text) == JUEL and flowable_vars.has_calls(text):  # ${vars:equals(decision, 'goUp')}
        calls: dict[str, str] = {}
        said_as: dict[str, str] = {}
        masked_juel, _ = flowable_vars.masked(text, calls, said_as)
        return flowable_vars.restored(translate(masked_juel, condition=condition), calls, said_as)
    try:
        return translate(text, condition=condition)
    except Untranslatable as refused:
        if language_of(text) != FEEL:
            raise
        body, calls = text.strip()[1:], {}
        try:
            masked = _feel_calls(body, body, calls)
            if not calls:
                raise
            return feel_functions.dated_arithmetic(_restore_calls(translate("=" + masked, condition=condition), calls))
        except Untranslatable as inner:  # said of the text as written (no placeholder of ours in it)
            if inner is refused or "duban_" in inner.reason:
                raise refused from None
            raise Untranslatable(FEEL, text.strip(), inner.reason) from None


def _feel_null(python: str) -> str:
    """A translated FEEL expression whose variables read as None when the case lacks them (Zeebe's
    null; engine/restricted.ABSENT_AS_NULL) and whose arithmetic and comparisons give None on None
    (FEEL's null, engine/feel_null.py): JUEL and our own Python keep failing on them. The designer's
    translations show the expression without the null checks."""
    return mark_absent_as_null(null_propagating(python), data_names(python))


def _message_expressions(process, result: Normalized) -> None:
    """Activiti's and Flowable's modelers write a message event's message as its name in
    ``activiti:messageExpression`` (no ``messageRef``, no ``bpmn:message``), and a signal event's in
    ``flowable:signalExpression`` (Flowable's SignalEventTest.testSignalExpression; no ``signalRef``):
    a plain name becomes a message (signal) of that name (ids kept, noted); a ``${...}`` there is
    refused — the engine waits for a message or signal by a name fixed in the model."""
    root = process.getroottree().getroot()
    free = _FreeIds(root)
    for tag, ref, attribute, what in (("message", "messageRef", "messageExpression", "消息"),
                                      ("signal", "signalRef", "signalExpression", "信号")):
        named = {m.get("name"): m.get("id") for m in root.iterfind(f"{B}{tag}")}
        for definition in process.iter(f"{B}{tag}EventDefinition"):
            name = (_vendor_attr(definition, attribute) or "").strip()
            if (definition.get(ref) or "").strip() or not name:
                continue
            event = definition.getparent()
            if language_of(name) is not None or has_juel(name):
                result.problems.append((f"{label(event)} 的{what}名称是表达式「{excerpt(name)}」（{attribute}），本系统的{what}"
                                        f"须有固定名称；请在属性面板中为它选择或新建一个{what}", event))
                continue
            if name not in named:
                element = etree.Element(f"{B}{tag}", id=free(f"{tag.capitalize()}_" + re.sub(r"\W", "_", name)), name=name)
                root.insert(root.index(process), element)
                named[name] = element.get("id")
            definition.set(ref, named[name])
            result.notes.append((f"{label(event)} 的{what}取自 {attribute}：「{name}」", event))


def _names_by_expression(process, result: Normalized) -> None:
    """A message or signal whose name holds ``${...}`` or is FEEL (Camunda's MessageIntermediateEventTest
    ``name="newInvoiceMessage-${foo}"``, SignalEventExpressionNameTest ``name="alert-${var}"``): Camunda
    computes the name when the case reaches the event. Here a case waits for, and a sender sends, a
    message by a name fixed in the model; deployed, the case waited for the text with ``${foo}`` in it,
    which no sender sends. Refused naming the event and the name, as ``messageExpression`` is."""
    root = process.getroottree().getroot()
    names = {(etree.QName(el).localname, el.get("id")): el.get("name") or "" for el in root
             if isinstance(el.tag, str) and etree.QName(el).localname in ("message", "signal")}
    for el in process.iter(f"{B}messageEventDefinition", f"{B}signalEventDefinition", f"{B}receiveTask", f"{B}sendTask"):
        kind = "signal" if etree.QName(el).localname == "signalEventDefinition" else "message"
        name = names.get((kind, (el.get("signalRef" if kind == "signal" else "messageRef") or "").strip()), "")
        if not (has_juel(name) or language_of(name) == FEEL):
            continue
        owner = el.getparent() if etree.QName(el).localname.endswith("EventDefinition") else el
        what = "信号" if kind == "signal" else "消息"
        throws = etree.QName(owner).localname in ("intermediateThrowEvent", "endEvent", "sendTask")
        result.problems.append((f"{label(owner)} 的{what}名称「{excerpt(name)}」含表达式：Camunda 等引擎在案件走到这里时才计算名称，"
                                f"本系统的{what}须有固定名称（按名称发送和等待），"
                                f"{f'发出的{what}名称会是这段原文，等待它的案件收不到' if throws else f'案件会等待一个没有人发送的{what}'}；"
                                f"请把名称改为固定的文字{'，需要区分案件时用关联键（correlationKey）' if kind == 'message' else ''}", owner))


def _jbpm_signals_by_name(process, result: Normalized) -> None:
    """jBPM writes a signal event's ``signalRef`` as the signal's name, with no ``<signal>`` element in
    the file (BPMN2-IntermediateCatchSignalBetweenUserTasks.bpmn2: ``signalRef="MySignal"``), and
    signals by that name. Refused here as a signal 「已不存在（可能已被删除）」, which it never was. In a
    jBPM file such a ref gets a signal of that name, noted on the event."""
    root = process.getroottree().getroot()
    if not _is_jbpm(root):
        return
    ids = {s.get("id") for s in root.iterfind(f"{B}signal")}
    free = _FreeIds(root)
    made: dict[str, str] = {}
    for definition in process.iter(f"{B}signalEventDefinition"):
        ref = (definition.get("signalRef") or "").strip()
        if not ref or ref in ids:
            continue
        if ref not in made:
            signal = etree.Element(f"{B}signal", id=free("Signal_" + re.sub(r"\W", "_", ref)), name=ref)
            root.insert(root.index(process), signal)
            made[ref] = signal.get("id")
        definition.set("signalRef", made[ref])
        event = definition.getparent()
        result.notes.append((f"{label(event)} 按 jBPM 的写法以名称引用信号（文件中没有该信号的定义）：本系统让它使用名为"
                             f"「{excerpt(ref)}」的信号", event))


def _receive_tasks_without_message(process, result: Normalized) -> None:
    """A receive task drawn without a message (no ``messageRef``: Flowable's and Activiti's test and
    tutorial models, Camunda 7's) is a wait state in Camunda 7, Flowable and Activiti until another
    system continues it (``runtimeService.trigger``/``signal``). SpiffWorkflow ran it as an empty
    task, so the case went straight on (or completed) without waiting. It now waits for a message
    named after it (its name, else its id): a message of that name sent to the case continues it,
    as the vendors' trigger does (noted at deploy)."""
    root = process.getroottree().getroot()
    free = _FreeIds(root)
    messages = {m.get("name"): m.get("id") for m in root.iterfind(f"{B}message")}
    for task in process.iter(f"{B}receiveTask"):
        if (task.get("messageRef") or "").strip() or task.find(f"{B}messageEventDefinition") is not None:
            continue
        name = (task.get("name") or "").strip() or task.get("id")
        if name not in messages:
            message = etree.Element(f"{B}message", id=free("Message_" + re.sub(r"\W", "_", task.get("id"))), name=name)
            root.insert(root.index(process), message)
            messages[name] = message.get("id")
        task.set("messageRef", messages[name])
        result.notes.append((f"{label(task)} 没有指定消息：按 Camunda 7、Flowable 的规则它是一个等待点，本系统让它等待名为"
                             f"「{name}」的消息，收到后才继续", task))


def _drop_data_store_associations(process, result: Normalized) -> None:
    """A data store (数据存储, e.g. 隐患台账) is drawn as documentation: Camunda and Flowable ignore it,
    and SpiffWorkflow cannot resolve an association to a store nobody registered. The associations
    go (noted); the case data is where the engine keeps what a task reads and writes. An association
    may name the store itself, one of the file's root elements (jBPM, Signavio), as well as a reference."""
    stores = {el.get("id"): el for el in process.iter(f"{B}dataStoreReference")}
    stores.update((el.get("id"), el) for el in process.getparent().iter(f"{B}dataStore"))
    for assoc in list(process.iter(f"{B}dataInputAssociation", f"{B}dataOutputAssociation")):
        refs = {(r.text or "").strip() for r in assoc.iterfind(f"{B}sourceRef")} | {
            (r.text or "").strip() for r in assoc.iterfind(f"{B}targetRef")}
        store = next((stores[r] for r in refs if r in stores), None)
        if store is not None:
            owner = assoc.getparent()
            owner.remove(assoc)
            result.notes.append((f"{label(owner)} 与数据存储「{store.get('name') or store.get('id')}」的关联仅作说明，"
                                 "不参与运行", owner))


# Vendor extensions the engine does not run: said as a note on their element, never dropped silently.
IGNORED_EXTENSIONS = {
    "executionListener": "执行监听器", "taskListener": "任务监听器", "inputOutput": "输入输出映射",
    "ioMapping": "输入输出映射", "connector": "连接器", "taskHeaders": "任务头", "in": None, "out": None,
    "calledElement": None, "calledDecision": None, "taskDefinition": None, "assignmentDefinition": None, "formDefinition": None,
    "taskSchedule": None, "script": None, "loopCharacteristics": None, "properties": None, "formData": None,
    "formProperty": None, "field": "字段注入", "subscription": None, "userTask": None, "userTaskForm": None,
    "taskListeners": "任务监听器（作业类型）", "versionTag": None,  # Camunda 8.8's job-worker listeners; 8.6's version label
}


# jBPM's extensions that would do something (drools:metaData, the designer's names and colours, do not)
JBPM_IGNORED = {"deadline": "jBPM 任务期限（deadline）", "onEntry-script": "jBPM 进入脚本（onEntry-script）",
                "onExit-script": "jBPM 离开脚本（onExit-script）"}


# An execution listener that only sets a variable, as Flowable's and Camunda 7's documentation and
# designers write one: ``<flowable:executionListener event="end" expression="${execution.setVariable('source',
# '12350')}"/>``. What else a listener calls (a Java class, a bean, another method) is noted as ignored.
_SET_VARIABLE = re.compile(r"^\s*\$\{\s*execution\.setVariable\(\s*(['\"])([A-Za-z_]\w*)\1\s*,\s*(.+?)\s*\)\s*\}\s*$", re.S)
_LISTENER_TASKS = (*HUMAN_TASKS, "serviceTask", "sendTask", "receiveTask", "businessRuleTask", "callActivity", "subProcess")
_LISTENER_EVENTS = ("startEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")


def _listener_variables(process, result: Normalized) -> None:
    """执行监听器 that set a variable (``${execution.setVariable('x', value)}``, see above) run as
    Camunda 7 and Flowable run them: on a task, ``start`` as its pre-script and ``end`` as its
    post-script (after what its form sets); on an event with one outgoing flow, a script task put
    after it (``<id>_listener``), noted. Before, every listener was noted as ignored and a gateway
    reading the variable stopped the case (「条件用到的数据「source」在案件中没有值」) where Flowable
    took the branch; the value is translated as any JUEL value (refused naming the element when it
    cannot be)."""
    free = None
    for ext in list(process.iter(f"{B}extensionElements")):
        owner = ext.getparent()
        kind = etree.QName(owner).localname
        for listener in list(ext):
            if not isinstance(listener.tag, str) or etree.QName(listener).namespace not in VENDOR_NS \
                    or etree.QName(listener).localname != "executionListener":
                continue
            drawn = (listener.get("expression") or "").strip()
            event = (listener.get("event") or "").strip()
            m = _SET_VARIABLE.match(drawn)
            outgoing = [f for f in owner.getparent() if isinstance(f.tag, str) and f.tag == f"{B}sequenceFlow"
                        and f.get("sourceRef") == owner.get("id")] if owner.getparent() is not None else []
            if not m or event not in ("start", "end") or keyword.iskeyword(m.group(2)) or not (
                    kind in _LISTENER_TASKS or kind in _LISTENER_EVENTS and len(outgoing) == 1):
                continue  # noted as ignored (_note_ignored_extensions)
            value = _mapped_value(owner, result, "执行监听器设置的值", "${" + m.group(3) + "}", True)
            ext.remove(listener)
            if value is None:
                continue  # refused naming the element
            line = f"{m.group(2)} = {value}"
            if kind in _LISTENER_TASKS:
                where = "preScript" if event == "start" else "postScript"
                script = ext.find(f"{S}{where}")
                _add_lines(script if script is not None else etree.SubElement(ext, f"{S}{where}"), [], [line])
                said = "任务开始时" if event == "start" else "任务办结时"
            else:
                free = free or _FreeIds(process.getroottree().getroot())
                _script_after(owner, outgoing[0], line, free)
                said = "事件之后"
            result.notes.append((f"{label(owner)} 的执行监听器「{excerpt(drawn)}」在{said}设置案件数据「{m.group(2)}」，"
                                 "与 Flowable、Camunda 一样；监听器的其他写法（Java 类、Spring bean 等）本系统不执行", owner))


def _signal_variables(process, result: Normalized) -> None:
    """The variables a thrown signal carries: Camunda 7's ``camunda:in source|sourceExpression target``
    on a signal throw or end event's definition (SignalEventTest.testSignalWithInVariables), Camunda
    8's input mappings on a signal throw or end event ("the signal's variables"). They reach each case
    the signal starts and each waiting case it reaches (engine/messages.py), as in those engines; the
    thrower's other data does not. They were dropped: ``camunda:in`` without a word, Zeebe's inputs
    noted as not done. Written as SpiffWorkflow's payload expression of a signal of the same name
    made for the event (a signal is matched by its name), the values read as the mappings read them
    (absent: null)."""
    root = process.getroottree().getroot()
    free = None
    for el in list(process.iter(f"{B}intermediateThrowEvent", f"{B}endEvent")):
        definition = el.find(f"{B}signalEventDefinition")
        if definition is None:
            continue
        pairs, consumed, refused = [], [], False
        for holder in (definition, el):
            for m in holder.findall(f"{B}extensionElements/*"):
                if not isinstance(m.tag, str) or etree.QName(m).localname != "in" or \
                        etree.QName(m).namespace not in VENDOR_NS:
                    continue
                consumed.append(m)
                if (m.get("variables") or "").strip() or (m.get("businessKey") or "").strip():
                    result.notes.append((f"{label(el)} 的信号变量传递「{'variables' if m.get('variables') else 'businessKey'}」"
                                         "在本系统中不传递；请逐个写出要传递的变量（source 与 target）", el))
                    continue
                source, expression = (m.get("source") or "").strip(), (m.get("sourceExpression") or "").strip()
                value = _mapped_value(el, result, "信号变量", expression or source, bool(expression))
                name = _mapped_target(el, result, "信号变量", m.get("target") or source)
                if value is None or name is None:
                    refused = True
                else:
                    pairs.append((name, value))
        zeebe = el.find(f"{B}extensionElements/{{{ZEEBE_NS}}}ioMapping")
        if zeebe is not None and zeebe.find(f"{{{ZEEBE_NS}}}output") is None:
            consumed.append(zeebe)
            for m in zeebe.iterfind(f"{{{ZEEBE_NS}}}input"):
                value = _mapped_value(el, result, "信号变量", m.get("source"), True)
                name = _mapped_target(el, result, "信号变量", m.get("target"))
                if value is None or name is None:
                    refused = True
                else:
                    pairs.append((name, value if value.isidentifier() else null_propagating(value)))
        for m in consumed:
            m.getparent().remove(m)
        signal = next((s for s in root.iter(f"{B}signal") if s.get("id") == (definition.get("signalRef") or "").strip()), None)
        if refused or not pairs or signal is None:
            continue
        body = "{" + ", ".join(f"{name!r}: {value}" for name, value in pairs) + "}"
        free = free or _FreeIds(root)
        made = etree.Element(f"{B}signal", id=free(f"{signal.get('id')}_{el.get('id')}"), name=signal.get("name") or "")
        etree.SubElement(etree.SubElement(made, f"{B}extensionElements"), f"{S}payloadExpression").text = \
            mark_absent_as_null(body, data_names(body))
        signal.addnext(made)
        definition.set("signalRef", made.get("id"))
        result.notes.append((f"{label(el)} 抛出的信号携带变量{'、'.join(f'「{name}」' for name, _ in pairs)}，"
                             "送达等待它的案件和它发起的案件", el))


def _event_registry_catches(process, result: Normalized) -> None:
    """Flowable's event-registry catch (事件注册表): an intermediate catch or boundary event drawn with
    no event definition and ``flowable:eventType`` in its extensions (Flowable Modeler 6.5+'s
    "event registry" events) waits for an event of that type, as Flowable waits; here it waits for the
    message of that name (``/api/messages``, the event's data delivered as a message's). Each
    ``flowable:eventOutParameter source target`` copies the event's field to the case variable, as
    Flowable maps the payload (absent: null; the field's own name is not kept); an
    ``eventCorrelationParameter name value="${name}"`` is the case's own field of that name, which a
    message's correlation matches already; any other value is refused naming the event. Before, the
    event was a none event: the case went straight past it, noting each setting as not run."""
    root = process.getroottree().getroot()
    free = None
    for el in list(process.iter(f"{B}intermediateCatchEvent", f"{B}boundaryEvent")):
        ext = el.find(f"{B}extensionElements")
        if ext is None or any(isinstance(c.tag, str) and etree.QName(c).localname.endswith("EventDefinition") for c in el):
            continue
        kind = ext.find(f"{{{FLOWABLE_NS}}}eventType")
        name = (kind.text or "").strip() if kind is not None else ""
        if not name:
            continue
        pairs, refused = [], False
        for child in list(ext):
            if not isinstance(child.tag, str) or etree.QName(child).namespace != FLOWABLE_NS:
                continue
            local = etree.QName(child).localname
            if local == "eventOutParameter":
                source = (child.get("source") or "").strip()
                target = _mapped_target(el, result, "事件输出参数", (child.get("target") or "").strip() or source)
                if not source.isidentifier() or target is None:
                    refused = refused or target is not None
                    if target is not None:
                        result.problems.append((f"{label(el)} 的事件输出参数「{excerpt(source)}」不是事件数据的字段名；"
                                                "请填写事件数据中的字段名（字母、数字、下划线）", el))
                    continue
                pairs.append((source, target))
            elif local == "eventCorrelationParameter":
                key, value = (child.get("name") or "").strip(), (child.get("value") or "").strip()
                if re.fullmatch(r"[$#]\{\s*" + re.escape(key) + r"\s*\}", value) is None:
                    result.problems.append((f"{label(el)} 的事件关联参数「{excerpt(key)}」取值「{excerpt(value)}」：本系统按案件数据中"
                                            f"同名的字段关联事件，只支持取值为 ${{{key}}}；请把关联参数的取值改为 ${{{key}}}，"
                                            f"或先用脚本任务把要关联的值存入案件数据「{excerpt(key)}」", el))
                    refused = True
            elif local not in ("eventType", "eventName", "channelKey", "channelName", "channelType", "channelDestination",
                               "keyDetectionType", "keyDetectionValue"):
                continue
            ext.remove(child)
        if refused:
            continue
        message = next((m for m in root.iterfind(f"{B}message") if (m.get("name") or "") == name), None)
        if message is None:
            free = free or _FreeIds(root)
            message = etree.Element(f"{B}message", id=free("Message_" + re.sub(r"\W", "_", name)), name=name)
            root.insert(root.index(process), message)
        etree.SubElement(el, f"{B}messageEventDefinition", messageRef=message.get("id"))
        lines = []
        for source, target in pairs:
            if source != target:
                lines += ["try:", f"    {target} = {source}", "except Exception:", f"    {target} = None"]
        for source in dict.fromkeys(s for s, _ in pairs):
            if source not in {t for _, t in pairs}:
                lines += ["try:", f"    del {source}", "except Exception:", "    pass"]
        outgoing = [f for f in el.getparent() if isinstance(f.tag, str) and f.tag == f"{B}sequenceFlow"
                    and f.get("sourceRef") == el.get("id")]
        if lines and len(outgoing) == 1:
            free = free or _FreeIds(root)
            _script_after(el, outgoing[0], "\n".join(lines), free, "事件输出参数")
        said = "、".join(f"「{s}」→「{t}」" for s, t in pairs if s != t)
        result.notes.append((f"{label(el)} 是 Flowable 事件注册表的事件（事件类型「{name}」）：等待名为「{name}」的消息"
                             f"（/api/messages），事件数据随消息送达{('，' + said + ' 按事件输出参数写入案件数据') if said else ''}", el))


def _script_after(owner, flow, line: str, free, what: str = "执行监听器") -> None:
    """A script task running ``line`` put between the event ``owner`` and its one outgoing ``flow``,
    named for ``what`` it does."""
    container = owner.getparent()
    task_id, link_id = free(f"{owner.get('id')}_listener"), free(f"{owner.get('id')}_to_listener")
    task = etree.Element(f"{B}scriptTask", id=task_id, scriptFormat="python",
                         name=f"{(owner.get('name') or '').strip() or owner.get('id')}（{what}）")
    etree.SubElement(task, f"{B}incoming").text = link_id
    etree.SubElement(task, f"{B}outgoing").text = flow.get("id")
    etree.SubElement(task, f"{B}script").text = line
    container.insert(container.index(owner) + 1, task)
    etree.SubElement(container, f"{B}sequenceFlow", id=link_id, sourceRef=owner.get("id"), targetRef=task_id)
    flow.set("sourceRef", task_id)
    for ref in owner.findall(f"{B}outgoing"):
        if (ref.text or "").strip() == flow.get("id"):
            ref.text = link_id


# A listener's script language as a designer knows it (Camunda's scriptFormat, Flowable's language field)
_SCRIPT_LANGUAGES = {"javascript": "JavaScript", "js": "JavaScript", "ecmascript": "JavaScript", "nashorn": "JavaScript",
                     "graal.js": "JavaScript", "groovy": "Groovy", "python": "Python", "jython": "Python",
                     "juel": "JUEL", "ruby": "Ruby", "jruby": "Ruby", "kotlin": "Kotlin", "mvel": "MVEL"}


def _listener_kind(listener) -> str:
    """What a Camunda 7 / Flowable listener the engine does not run is written in, for the note a
    designer reads: its script's language (「JavaScript 脚本」, Camunda's ``camunda:script
    scriptFormat``, Flowable's ScriptExecutionListener with its ``language`` field), a Java class, a
    delegate expression or an expression — so the designer knows what to rewrite (as the refusal of
    a JavaScript condition names its language). Empty when nothing says."""
    for child in listener:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if local == "script":
            form = (child.get("scriptFormat") or "").strip()
            return f"{_SCRIPT_LANGUAGES.get(form.lower(), form or '未注明语言的')} 脚本（scriptFormat=\"{excerpt(form)}\"）" \
                if form else "未注明语言的脚本"
        if local == "field" and (child.get("name") or "").strip() == "language":
            form = (child.get("stringValue") or "".join(child.itertext())).strip()
            if form:
                return f"{_SCRIPT_LANGUAGES.get(form.lower(), form)} 脚本（language=\"{excerpt(form)}\"）"
    for attribute, said in (("class", "Java 类"), ("delegateExpression", "委托表达式"), ("expression", "表达式")):
        value = (listener.get(attribute) or "").strip()
        if value:
            return f"{said}「{excerpt(value)}」"
    return ""


def _note_ignored_extensions(process, result: Normalized) -> None:
    """Camunda/Flowable listeners, input/output mappings outside tasks and call activities, and
    connectors do not run here: each is noted on its element (the designer shows the note; the
    deploy goes on)."""
    for ext in process.iter(f"{B}extensionElements"):
        owner = ext.getparent()
        if etree.QName(owner).localname.endswith("LoopCharacteristics"):
            owner = owner.getparent()  # said on the task, not on its 「未命名multiInstanceLoopCharacteristics」
        seen: list[str] = []
        details: dict[str, list[str]] = {}  # a listener: what it is written in (``_listener_kind``)
        for child in ext:
            if isinstance(child.tag, str) and etree.QName(child).namespace == JBPM_NS:
                said = JBPM_IGNORED.get(etree.QName(child).localname)
                if said and said not in seen:
                    seen.append(said)
                continue
            if not isinstance(child.tag, str) or etree.QName(child).namespace not in (*VENDOR_NS, ZEEBE_NS):
                continue
            local = etree.QName(child).localname
            kind = etree.QName(owner).localname
            if local in ("inputOutput", "ioMapping") and kind in IO_TASKS or local == "ioMapping" and kind == "callActivity":
                continue  # honoured (_input_output, _call_activity_mapping)
            if local == "conditionalFilter" and kind == "conditionalEventDefinition":
                continue  # Camunda 8's variable filter (engine/conditional_events.filter_of)
            if local == "field" and (_vendor_attr(owner, "type") or "").strip().lower() in ("dmn", *TYPED_SERVICE_TASKS):
                continue  # a decision task's key (_flowable_decision); a typed task's settings (_note_typed_service_task)
            if local.lower() == "variableaggregation" and ext.getparent().tag == f"{B}multiInstanceLoopCharacteristics":
                continue  # run or refused (_variable_aggregation)
            if local == "adHoc" and kind == "adHocSubProcess":  # activeElementsCollection: _ad_hoc_active_elements
                output = (child.get("outputCollection") or "").strip()
                if output:  # Camunda 8.8's results of the inner elements (the AI agent's tool calls)
                    element = (child.get("outputElement") or "").strip()
                    result.notes.append((f"{label(owner)} 的输出集合「{excerpt(output)}」（outputCollection"
                                         f"{'，每项办结时追加 outputElement「' + excerpt(element) + '」' if element else ''}）"
                                         "在本系统中不会写入；其中各项任务写入的数据直接进入案件数据。需要汇总的，"
                                         "请在子流程之后画一个脚本任务，由案件数据算出这个列表", owner))
                continue
            if local == "connector":  # Camunda 7's connector (http-connector, soap-http-connector): a call out
                result.notes.append((_connector_note(owner, child), owner))
                continue
            if local == "taskDefinition" and kind in ("endEvent", "intermediateThrowEvent"):
                # Zeebe hands a message end/throw event to a job worker, as a service task; not here
                result.notes.append((f"{label(owner)} 的作业类型「{excerpt((child.get('type') or '').strip())}」"
                                     "（zeebe:taskDefinition）在本系统中不会派给外部作业程序，事件到达即完成；"
                                     "需要外部程序办理的，请在它之前画一个服务任务（作业类型写在服务任务上）", owner))
                continue
            what = IGNORED_EXTENSIONS.get(local, f"扩展设置「{child.prefix or ''}{':' if child.prefix else ''}{local}」")
            if what and what not in seen:
                seen.append(what)
            if local in ("executionListener", "taskListener"):
                said = _listener_kind(child)
                if said and said not in details.setdefault(what, []):
                    details[what].append(said)
            if local == "taskListener" and (child.get("event") or "").strip() == "timeout":
                result.notes.append((_timeout_listener_note(owner, child), owner))
        for what in seen:
            if details.get(what):
                result.notes.append((f"{label(owner)} 的{what}在本系统中不会执行，已忽略：它是{'、'.join(details[what])}；"
                                     "需要的逻辑请改用脚本任务（Python）或服务任务", owner))
                continue
            if what == JBPM_IGNORED["deadline"]:
                result.notes.append((f"{label(owner)} 的{what}在本系统中不会执行：到期不会改派，也不发通知；如需到期催办或改派，"
                                     "请在该任务上加一个非中断的定时边界事件，其后画催办或改派的任务", owner))
                continue
            result.notes.append((f"{label(owner)} 的{what}在本系统中不会执行，已忽略；需要的逻辑请改用脚本任务或服务任务",
                                 owner))
    _note_skip_expressions(process, result)
    _note_task_words_not_computed(process, result)
    _called_binding(process, result)


def _timeout_listener_note(owner, listener) -> str:
    """Camunda 7.15's ``timeout`` task listener: a timer (its ``timerEventDefinition`` inside the
    listener, in extensionElements) after which Camunda calls the listener while the task stays open —
    a reminder or a reassignment. Not run here: said with its time and what to draw for the same."""
    timer = listener.find(f"{B}timerEventDefinition")
    when = ""
    if timer is not None:
        for tag, kind in (("timeDuration", "时长"), ("timeCycle", "周期"), ("timeDate", "时间")):
            text = (timer.findtext(f"{B}{tag}") or "").strip()
            if text:
                when = f"（{kind} {excerpt(text)}）"
                break
    return (f"{label(owner)} 的超时任务监听器{when}在本系统中不会触发，到期不会催办或改派；如需到期催办，请在该任务上加一个"
            "非中断的定时边界事件，其后画催办的任务")


def _connector_note(owner, connector) -> str:
    """What a Camunda 7 connector (camunda-bpm-examples' invokeRestService: ``connectorId``
    http-connector with url, method and an output parameter read by a script) would do, that it is not
    done here, who does the task instead, and which of its output parameters stay unset."""
    ns = etree.QName(connector).namespace
    connector_id = (connector.findtext(f"{{{ns}}}connectorId") or "").strip()
    outputs = [p.get("name") or "" for p in connector.iter(f"{{{ns}}}outputParameter")]
    said = f"的连接器「{excerpt(connector_id)}」" if connector_id else "的连接器"
    unset = (f"；连接器的输出参数（{'、'.join(f'「{excerpt(o)}」' for o in outputs[:5])}）不会被设置，后续环节要用时请在该任务的"
             "表单中让办理人填写" if outputs else "")
    return (f"{label(owner)} {said}在本系统中不会调用外部系统，该任务将交由人员办理，办理人完成后流程继续{unset}。"
            "需要由外部程序完成的，请改为外部任务（camunda:type=\"external\" 并填写主题）")


def _note_task_words_not_computed(process, result: Normalized) -> None:
    """What Flowable and Camunda compute on a task and Duban shows or keeps as drawn, said on the task
    rather than passed over (probe 6: Flowable's UserTaskTest): a name written in FEEL (shown as
    written; a name holding ``${...}`` is computed as the task opens: ``_computed_name``). Flowable's
    ``taskCompleterVariableName`` (the completer's user name written to that variable) is our
    ``completerVariable`` (engine/assignment.py), which writes it the same way; a name that cannot be a
    case variable is said on the task."""
    for el in process.iter(*(f"{B}{kind}" for kind in HUMAN_TASKS)):
        name = el.get("name") or ""
        if language_of(name) == FEEL and not has_juel(name):  # a ${...} name is computed: _computed_name
            result.notes.append((f"{label(el)} 的名称含表达式「{excerpt(name)}」，本系统按原文显示任务名称，不计算其中的表达式；"
                                 "请把名称改为固定的文字（如「审批」）", el))
        completer = (_vendor_attr(el, "taskCompleterVariableName") or "").strip()
        if completer:
            problem = completer_variable_problem(completer)
            if problem is None:
                _set_property(el, "completerVariable", completer)
            else:
                result.notes.append((f"{label(el)} 的完成人变量（taskCompleterVariableName）{problem}，不写入；"
                                     "谁办理了该任务可在案件的办理记录中查看", el))


def _called_binding(process, result: Normalized) -> None:
    """Which version of the called process a call activity starts (Camunda 7's
    ``camunda:calledElementBinding`` with ``calledElementVersion``/``calledElementVersionTag``, Zeebe's
    ``zeebe:calledElement bindingType`` with ``versionTag``): written as the call activity's
    ``calledBinding`` and ``calledVersion`` properties, which engine/call_binding.py resolves when a case
    starts (probe 15's zeebe_version_tag_parent: bindingType="versionTag" versionTag="2026-v2"). Until
    2026-12-07 every binding started the latest version and only a note said so. A binding that names
    no version or tag, or a version that is not a number, is refused naming the call activity (Camunda 7
    refuses such a deploy too); a binding neither engine knows is said, and the latest is started."""
    for el in process.iter(f"{B}callActivity"):
        drawn = call_binding.drawn_binding(el, _vendor_attr)
        if drawn is None:
            continue
        binding, ours, value = drawn
        if not ours:
            result.notes.append((f"{label(el)} 的绑定方式「{excerpt(binding)}」无法识别（Camunda 支持 latest、deployment、"
                                 "version、versionTag），本系统调用被调用流程最新部署的版本", el))
            continue
        if ours in ("version", "versionTag") and not value:
            what = "版本号（calledElementVersion）" if ours == "version" else "版本标签（versionTag）"
            result.problems.append((f"{label(el)} 的绑定方式为 {binding}，但没有填写{what}；请填写要调用的版本，"
                                    "或把绑定方式改为 latest（调用最新版本）", el))
            continue
        if ours == "version" and not value.isdigit():
            result.problems.append((f"{label(el)} 指定调用的版本号「{excerpt(value)}」不是正整数；请填写已部署版本的序号，"
                                    "如 2", el))
            continue
        if ours != "latest":
            _set_property(el, call_binding.BINDING, ours)
            if value:
                _set_property(el, call_binding.VERSION, value)


# Flowable's and Activiti's switch for skip expressions: a case variable, false unless the case sets it
SKIP_SWITCHES = ("_FLOWABLE_SKIP_EXPRESSION_ENABLED", "_ACTIVITI_SKIP_EXPRESSION_ENABLED")
_WHOLE_EL = re.compile(r"^\s*\$\{(.*)\}\s*$", re.S)


def _skip_expressions_as_gateways(root, result: Normalized) -> None:
    """A task with Flowable's or Activiti's ``skipExpression`` (yudao's 审批人与发起人相同时自动跳过, a
    科室初审 skipped by ``${reporterIsStaff}``) and one outgoing flow: those engines pass the task by,
    on to its flow, when the case's ``_FLOWABLE_SKIP_EXPRESSION_ENABLED`` (``_ACTIVITI_…``) is true
    and the expression holds, and work it otherwise. Drawn so here: an exclusive gateway before the
    task, its default flow to the task, its other flow, under both conditions, to where the task
    leads; noted on the task. Before, the task was worked every time (a note said so). A task with
    several outgoing flows, and a skip expression on a flow, are still only noted
    (``_note_skip_expressions``)."""
    free = _FreeIds(root)
    for task in list(root.iter()):
        if not isinstance(task.tag, str) or etree.QName(task).namespace != B[1:-1]:
            continue
        skip = (_vendor_attr(task, "skipExpression") or "").strip()
        whole = _WHOLE_EL.match(skip)
        container = task.getparent()
        if not whole or etree.QName(task).localname == "sequenceFlow" or container is None:
            continue
        tid = task.get("id")
        flows = [f for f in container.iterfind(f"{B}sequenceFlow")]
        out = [f for f in flows if f.get("sourceRef") == tid]
        into = [f for f in flows if f.get("targetRef") == tid]
        if len(out) != 1 or not into or out[0].find(f"{B}conditionExpression") is not None:
            continue
        # two gateways: the switch (a name Python's restricted code may not read: case_value reads it), then the expression
        switch = etree.Element(f"{B}exclusiveGateway", id=free(f"{tid}_skip_enabled"), name=f"允许跳过{label_name(task)}？")
        holds = etree.Element(f"{B}exclusiveGateway", id=free(f"{tid}_skip"), name=f"跳过{label_name(task)}？")
        to_holds = _flow(free(f"{tid}_skip_enabled_yes"), switch, holds, " or ".join(
            f"case_value({name!r}) in (True, 'true')" for name in SKIP_SWITCHES))
        switch_no = _flow(free(f"{tid}_skip_enabled_no"), switch, task)
        past = _flow(free(f"{tid}_skip_yes"), holds, out[0].get("targetRef"), "${" + whole.group(1).strip() + "}")
        holds_no = _flow(free(f"{tid}_skip_no"), holds, task)
        switch.set("default", switch_no.get("id"))
        holds.set("default", holds_no.get("id"))
        for flow in into:
            flow.set("targetRef", switch.get("id"))
            etree.SubElement(switch, f"{B}incoming").text = flow.get("id")
        etree.SubElement(switch, f"{B}outgoing").text = to_holds.get("id")
        etree.SubElement(switch, f"{B}outgoing").text = switch_no.get("id")
        etree.SubElement(holds, f"{B}incoming").text = to_holds.get("id")
        etree.SubElement(holds, f"{B}outgoing").text = past.get("id")
        etree.SubElement(holds, f"{B}outgoing").text = holds_no.get("id")
        target = next((el for el in container if isinstance(el.tag, str) and el.get("id") == out[0].get("targetRef")), None)
        if target is not None:
            etree.SubElement(target, f"{B}incoming").text = past.get("id")
        for ref in task.iterfind(f"{B}incoming"):
            task.remove(ref)
        etree.SubElement(task, f"{B}incoming").text = switch_no.get("id")
        etree.SubElement(task, f"{B}incoming").text = holds_no.get("id")
        task.addprevious(switch)
        task.addprevious(holds)
        container.extend([to_holds, switch_no, past, holds_no])
        for ns in VENDOR_NS:
            task.attrib.pop(f"{{{ns}}}skipExpression", None)
        result.notes.append((f"{label(task)} 的跳过条件（skipExpression）「{excerpt(skip)}」按 Flowable 的规则计算：案件数据"
                             f"「{SKIP_SWITCHES[0]}」为 true 且条件成立时跳过该任务，否则照常办理", task))


def label_name(el) -> str:
    """An element's name in 「」, else its id."""
    return f"「{el.get('name') or el.get('id')}」"


def _flow(flow_id: str, source, target, condition: str | None = None):
    """A new sequence flow from ``source`` to ``target`` (an element or an id), with ``condition``."""
    flow = etree.Element(f"{B}sequenceFlow", id=flow_id, sourceRef=source.get("id"),
                         targetRef=target if isinstance(target, str) else target.get("id"))
    if condition is not None:
        expression = etree.SubElement(flow, f"{B}conditionExpression")
        expression.set("{http://www.w3.org/2001/XMLSchema-instance}type", "tFormalExpression")
        expression.text = condition
    return flow


def _note_skip_expressions(process, result: Normalized) -> None:
    """Flowable's and Activiti's ``skipExpression`` (yudao's 审批人与发起人相同时自动跳过, a 科室初审 skipped
    by ``${skipDept}``): those engines pass such a task, or flow, by when the expression holds and the
    case has ``_FLOWABLE_SKIP_EXPRESSION_ENABLED`` (``_ACTIVITI_…``) true. Here the task is always
    worked; said on the element, with what to draw instead, rather than ignored without a word."""
    for el in process.iter():
        if not isinstance(el.tag, str):
            continue
        skip = (_vendor_attr(el, "skipExpression") or "").strip()
        if skip:
            result.notes.append((f"{label(el)} 的跳过条件（skipExpression）「{skip}」在本系统中不计算，"
                                 f"{'该连线总会经过' if etree.QName(el).localname == 'sequenceFlow' else '该任务总会办理'}；"
                                 "如需按条件跳过，请在其前加排他网关，条件成立时绕过它", el))


def _refuse_property_associations(process, result: Normalized) -> None:
    """jBPM's designer maps a task's data inputs and outputs to the process's ``<property>`` elements
    (its process variables: ``<dataInputAssociation><sourceRef>employee</sourceRef>``). SpiffWorkflow
    resolves an association only to a data object or store, and the deploy said 「关联的数据对象或
    数据存储不存在」 of a property the file declares. Refused naming the task and the property, with
    what to draw instead (a task reads and writes the case data by name)."""
    properties = {el.get("id"): el for el in process.iterfind(f"{B}property") if el.get("id")}
    if not properties:
        return
    mapped: dict = {}  # task -> what its associations read and write, in the order drawn
    for assoc in process.iter(f"{B}dataInputAssociation", f"{B}dataOutputAssociation"):
        inward = etree.QName(assoc).localname == "dataInputAssociation"
        refs = [(r.text or "").strip() for r in assoc.iterfind(f"{B}{'sourceRef' if inward else 'targetRef'}")]
        prop = next((properties[r] for r in refs if r in properties), None)
        if prop is not None:
            way = "读取" if inward else "写入"
            mapped.setdefault(assoc.getparent(), []).append(f"{way}流程属性「{excerpt(prop.get('name') or prop.get('id'))}」")
    for owner, ways in mapped.items():
        result.problems.append((f"{label(owner)} 的数据关联{'、'.join(ways)}（jBPM 的流程变量写法），本系统不按数据输入输出"
                                "（ioSpecification）传递流程属性；请删去该任务的数据输入输出与数据关联（任务直接按名称读写"
                                "案件数据），或改用数据对象（dataObject）", owner))


# jBPM's work items a task names by ``drools:taskName`` whose handler calls something outside the case
# (jBPM's default work item handlers): what it would do, and what does not happen here.
JBPM_WORK_ITEMS = {"Rest": ("REST 工作项", "不会发出 HTTP 请求"), "WebService": ("WebService 工作项", "不会调用 Web 服务"),
                   "Email": ("邮件工作项", "不会发送邮件"), "Log": ("日志工作项", "不会写日志"),
                   "Service Task": ("Java 服务工作项", "不会调用 Java 方法")}


def _note_jbpm_work_items(process, result: Normalized) -> None:
    """A task jBPM's designer draws for one of its work items (``<task drools:taskName="Rest">`` with
    the inputs Url, Method, ContentData): jBPM's handler makes the call and maps its Result. Here it is
    a task a person marks done (as a Flowable ``http`` task, ``TYPED_SERVICE_TASKS``); the deploy said
    only how its inputs were read, or refused its Result's mapping as any task's. Said on the task:
    what jBPM would have done, that it is not done, and what to draw for a program to do it."""
    for el in process.iter(f"{B}task", f"{B}serviceTask"):
        name = (el.get(f"{{{JBPM_NS}}}taskName") or "").strip()
        if name in JBPM_WORK_ITEMS:
            what, not_done = JBPM_WORK_ITEMS[name]
            result.notes.append((f"{label(el)} 是 jBPM 的{' ' if what[0].isascii() else ''}{what}（drools:taskName=\"{name}\"），本系统{not_done}，其输出（如 Result）"
                                 "也不会写入案件；该任务将交由人员办理，办理人完成后流程继续。需要由外部程序完成的，请改为外部任务"
                                 "（服务任务，camunda:type=\"external\" 并填写主题）", el))


def _note_candidate_starters(process, result: Normalized) -> None:
    """Activiti's, Flowable's and Camunda 7's ``candidateStarterGroups``/``candidateStarterUsers`` on a
    process (who may start it): enforced at every start (engine/candidate_starters.py, since
    2026-12-08); said on the process, naming the groups and users drawn and how they are read here."""
    drawn = [(what, (_vendor_attr(process, attr) or "").strip()) for attr, what in
             (("candidateStarterGroups", "候选发起组"), ("candidateStarterUsers", "候选发起人"))]
    drawn = [(what, value) for what, value in drawn if value]
    if drawn:
        result.notes.append((f"{label(process)} 的{'、'.join(f'{what}「{excerpt(value)}」' for what, value in drawn)}"
                             "限制谁能发起：组按本系统角色（代码或名称）对应，人员按账号或姓名对应，不在其中的人员不能发起；"
                             "都对应不上本系统的角色或人员时不限制", process))


def _normalize_process(process, result: Normalized, form_exists) -> None:
    _drop_data_store_associations(process, result)
    _note_jbpm_work_items(process, result)
    drawn_data_objects.drop_documentation_arrows(process, result.notes, label)
    _refuse_property_associations(process, result)
    for task in list(process.iter(*(f"{B}{kind}" for kind in HUMAN_TASKS))):  # a list: it removes children
        _jbpm_task_parameters(task, result)
    _listener_variables(process, result)
    _parameters_on_events(process, result)
    _error_messages(process, result)
    _signal_variables(process, result)
    _event_registry_catches(process, result)
    _note_ignored_extensions(process, result)
    _message_expressions(process, result)
    _names_by_expression(process, result)
    _receive_tasks_without_message(process, result)
    _jbpm_signals_by_name(process, result)
    _note_candidate_starters(process, result)
    process_props = {**_vendor_properties(process), **{k: v.get("value") for k, v in _properties(process).items()}}
    default_role = (process_props.get("defaultRole") or "").strip()
    for el in process.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith(B):
            continue
        name = etree.QName(el).localname
        if name not in HUMAN_TASKS and name != "process":  # camunda:properties of events etc.
            for key, value in _vendor_properties(el).items():
                _set_property(el, key, value)
        if name in ("boundaryEvent", "startEvent"):
            _code_variable(el, result)
            _message_variable(el, result)
        if name == "complexGateway":  # SpiffWorkflow has no spec for it: refused here saying what to draw
            result.problems.append((f"{label(el)} 按激活条件（activationCondition，如「两位专家同意」）汇合或分支，"
                                    "本系统不支持复杂网关；分支请改用包容网关（每条连线写条件），「几人中够数即可」的会签请画成多实例任务，"
                                    "并写完成条件（completionCondition，如 ${nrOfCompletedInstances >= 2}）", el))
        if name == "startEvent" and _vendor_attr(el, "initiator"):
            _set_property(el, "initiatorVariable", _vendor_attr(el, "initiator").strip())
        if name == "startEvent" and (fields := _form_fields(el, result)):  # a start form drawn on the event
            import json
            _set_property(el, "formFields", json.dumps(fields, ensure_ascii=False))
        if name in HUMAN_TASKS:
            _task_attributes(el, result, form_exists)
            if default_role:
                _set_property(el, "defaultRole", default_role)
        elif name == "serviceTask" and _flowable_decision(el, result):
            name = "businessRuleTask"
        elif name == "serviceTask" and _expression_service_task(el, result):
            name = "scriptTask"
        elif name == "serviceTask":
            _note_typed_service_task(el, result)
            _service_task(el, result)
        if name == "businessRuleTask" and el.find(f"{B}extensionElements/{S}calledDecisionId") is None:
            ref = _vendor_attr(el, "decisionRef")
            zeebe = el.find(f"{B}extensionElements/{{{ZEEBE_NS}}}calledDecision")  # Camunda 8
            if not ref and zeebe is not None:
                ref = (zeebe.get("decisionId") or "").strip()
            if ref and language_of(ref) is not None:  # ="fine_" + kind, ${decisionKey}: chosen when the case runs
                result.problems.append((f"{label(el)} 的决策表编号「{excerpt(ref)}」是表达式：Camunda 在案件走到这里时才按案件数据"
                                        "选择决策表，本系统在部署时就确定要调用的决策表；请填写已部署决策表的编号，"
                                        "需要按情况调用不同的决策表时，用排他网关分到各自的规则任务", el))
            elif ref:
                ext = _extension_elements(el)
                etree.SubElement(ext, f"{S}calledDecisionId").text = ref
        if name == "businessRuleTask":
            _decision_result_variable(el)
        if name == "multiInstanceLoopCharacteristics":
            _multi_instance(el, result)
            _variable_aggregation(el, result)
        if name == "adHocSubProcess":
            _ad_hoc_active_elements(el, result)
        if name == "callActivity":
            _call_activity_mapping(el, result)
        if name == "callActivity" and language_of(el.get("calledElement") or "") is not None:
            result.problems.append((f"{label(el)} 的被调用流程「{excerpt(el.get('calledElement'))}」是表达式：Camunda 在案件走到这里时"
                                    "才按案件数据选择被调用的流程，本系统在部署时就确定被调用的流程；请填写被调用流程的编号（流程标识），"
                                    "需要按情况调用不同的流程时，用排他网关分到各自的调用活动", el))
        elif name == "callActivity" and not el.get("calledElement"):
            called = el.find(f"{B}extensionElements/{{{ZEEBE_NS}}}calledElement")  # Camunda 8
            if called is not None and (called.get("processId") or "").strip():
                if language_of(called.get("processId")) is not None:
                    result.problems.append((f"{label(el)} 的被调用流程「{called.get('processId')}」是表达式，"
                                            "请填写被调用流程的编号", el))
                else:
                    el.set("calledElement", called.get("processId").strip())
        if name == "scriptTask" and not (el.findtext(f"{B}script") or "").strip():
            _zeebe_script(el, result)
        if name == "scriptTask":
            fmt = (el.get("scriptFormat") or "").strip().lower()
            if fmt == "juel" and not _vendor_attr(el, "resource"):
                _juel_script(el, result)
            elif not fmt and _flowable_file(el.getroottree().getroot()) and _el_shaped(el.findtext(f"{B}script") or ""):
                _juel_script(el, result)  # Flowable's and Activiti's script language when none is written: JUEL
            elif not fmt and _is_jbpm(el):  # jBPM runs a script without scriptFormat as Java
                result.problems.append((f"{label(el)} 没有写脚本语言（scriptFormat）：jBPM 按 Java 运行这样的脚本，本系统只能运行"
                                        " Python 脚本；请把脚本改写为 Python，并把脚本语言设为 python", el))
                el.set("scriptFormat", "java")  # refused once, as Java: not a second time as a Python syntax error
            elif fmt not in PYTHON_LANGUAGES:
                result.problems.append((f"{label(el)} 的脚本语言「{el.get('scriptFormat')}」不受支持，只能运行 Python 脚本；"
                                        "请把脚本改写为 Python（流程变量直接写变量名，如 fine = area * 100），并把脚本语言设为 python", el))
            elif _vendor_attr(el, "resource"):
                result.problems.append((f"{label(el)} 引用外部脚本文件「{_vendor_attr(el, 'resource')}」，"
                                        "请把 Python 脚本写在模型中", el))
            elif (el.findtext(f"{B}script") or "").strip() == "":
                script = el.find(f"{B}script")
                if script is None:
                    script = etree.SubElement(el, f"{B}script")
                script.text = "pass"  # an empty script does nothing (as drawn in a sketch)
        if name in IO_TASKS:  # after the script task's script is settled: its parameters wrap it
            _input_output(el, result)
        if name in ("conditionExpression", "completionCondition", "loopCardinality", "loopCondition", "timeDate",
                    "timeDuration", "timeCycle") or name == "condition" and etree.QName(el.getparent()).localname == (
                        "conditionalEventDefinition"):
            owner = el.getparent()
            while owner is not None and (not owner.get("id") or etree.QName(owner).localname.endswith("Definition")
                                         or etree.QName(owner).localname.endswith("Characteristics")):
                owner = owner.getparent()
            owner = owner if owner is not None else el.getparent()
            lang = (el.get("language") or "").strip().lower()
            what = {"conditionExpression": "条件", "condition": "条件", "completionCondition": "完成条件",
                    "loopCardinality": "实例数", "loopCondition": "循环条件"}.get(name, "定时器")
            if lang in JBPM_JAVA_LANGUAGES and name == "conditionExpression" and (java := _JAVA_RETURN.match(el.text or "")):
                _jbpm_java_condition(el, java.group(1), result, owner)
                lang = ""
            if name == "conditionExpression" and _groovy_condition(el, lang, result, owner):
                lang = ""
            if lang and lang not in PYTHON_LANGUAGES and lang not in ("juel", "feel", "http://www.omg.org/spec/feel/20140401"):
                result.problems.append((f"{label(owner)} 的{what}使用「{el.get('language')}」语言，只支持 Python 表达式；"
                                        f"{_python_instead(el.text or '', what)}", owner))
                el.text = "False"  # refused once, for its language: not a second time as a Python syntax error
                continue
            if _vendor_attr(el, "resource"):
                result.problems.append((f"{label(owner)} 的{what}引用外部脚本文件，请把表达式写在模型中", owner))
                continue
            if name == "timeDuration" and _is_jbpm(el) and (iso := _jbpm_duration(el.text or "")):
                result.translations.append({"element_id": owner.get("id"), "from": (el.text or "").strip(), "to": iso})
                result.notes.append((f"{label(owner)} 的定时器时长「{excerpt((el.text or '').strip())}」按 jBPM 的写法读作 {iso}"
                                     "（d 天、h 小时、m 分钟、s 秒）", owner))
                el.text = iso
            if name == "conditionExpression" and _PROBABILITY.match(el.text or ""):
                result.problems.append((f"{label(owner)} 的条件「{(el.text or '').strip()}」是一个数字（Signavio 等工具为仿真记下的"
                                        "分支概率），不是条件：它总算作成立，案件会一直走这条连线；请写出走这条连线的条件"
                                        "（如 核查结论 == '属实'），或把另一条连线设为默认连线、删去这里的数字", owner))
                continue
            _translate_text(el, result, owner, what)


# jBPM's designer writes a flow's condition in Java (or MVEL) as one return statement: ``return onTime;``,
# ``return !onTime;``, ``return level == "重大" && days > 30;``. What it returns is an expression JUEL
# writes the same way (names, literals, ``! && || == != < >``, ``x.equals("a")``): read as JUEL, noted;
# anything the JUEL translation cannot say (``kcontext.getVariable(...)``, a cast, a block) is refused
# naming the flow. Before, every such condition was refused for its language, then again as a syntax error.
JBPM_JAVA_LANGUAGES = ("http://www.java.com/java", "http://www.java.com/javatypes", "http://www.mvel.org/2.0", "java", "mvel")
_JAVA_RETURN = re.compile(r"^\s*return\s+([^;{}]+?)\s*;?\s*$", re.S)


def _jbpm_java_condition(el, returned: str, result: Normalized, owner) -> None:
    """A jBPM ``return <expr>;`` condition as the JUEL expression ``${<expr>}`` (see above)."""
    drawn = (el.text or "").strip()
    kie = kie_functions.as_juel(returned.strip())  # Business Central's condition editor: KieFunctions.isTrue(x)...
    el.text = "${" + (kie or returned.strip()) + "}"
    el.attrib.pop("language", None)
    if kie is not None:
        result.notes.append((f"{label(owner)} 的条件「{excerpt(drawn)}」是 jBPM 条件编辑器的 KieFunctions 条件，按 jBPM 的"
                             f"含义计算：「{excerpt(kie)}」（变量没有值时不成立）", owner))
        return
    result.notes.append((f"{label(owner)} 的条件「{excerpt(drawn)}」是 jBPM 的 Java 条件，按其返回的表达式"
                         f"「{excerpt(returned.strip())}」计算", owner))


# Bonita Studio's BPMN export writes every flow condition in Groovy (``language="http://groovy.apache.org/"``,
# and so the definitions' ``expressionLanguage``): ``approved``, ``approved && fineAmount >= 50000``. One
# expression of names, literals and ``! && || == != < > <= >=`` means what JUEL's same text means (a null is
# false in ``&&``/``||``, an ordering with null false: Groovy's truth and ``compareTo`` agree): read as JUEL,
# noted. A statement, a closure, a method call JUEL does not know, or a Groovy-only operator (``?:``, ``=~``,
# ``<=>``, ``in``) is still refused for its language. A Groovy script task stays refused.
GROOVY_LANGUAGES = ("http://groovy.apache.org/", "http://groovy.codehaus.org/", "groovy")
_GROOVY_ONLY = re.compile(r"[;{}]|->|\?:|\?\.|=~|==~|<=>|\*\.|\bin\b|\bas\b|\bdef\b|\breturn\b|\$\{|#\{|\n")


def _groovy_condition(el, lang: str, result: Normalized, owner) -> bool:
    """A flow's Groovy condition (Bonita) that is one JUEL-shaped expression as ``${...}`` (see above);
    True when it was so read. The definitions' ``expressionLanguage`` is the language of a condition
    that names none (BPMN 2.0 §8.3.1)."""
    if not lang:
        root = el.getroottree().getroot()
        lang = (root.get("expressionLanguage") or "").strip().lower()
    text = (el.text or "").strip()
    if lang not in GROOVY_LANGUAGES or not text or _GROOVY_ONLY.search(text):
        return False
    try:
        equivalent("${" + text + "}", JUEL)
    except (Untranslatable, ValueError, SyntaxError):
        return False
    el.text = "${" + text + "}"
    el.attrib.pop("language", None)
    result.notes.append((f"{label(owner)} 的条件「{excerpt(text)}」是 Groovy 表达式（Bonita 的写法），"
                         "与 JUEL 的写法相同，按 JUEL 计算", owner))
    return True


# jBPM's own duration (DateTimeUtils.parseDuration): days, hours, minutes, seconds, each optional, in this
# order, spaces allowed ("3d", "5m", "1h 30m"); its m is minutes, where ISO's P5M would be months.
_JBPM_DURATION = re.compile(r"^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?!s))?\s*(?:(\d+)s)?\s*$")


def _jbpm_duration(text: str) -> str | None:
    """jBPM's ``3d`` / ``1h 30m`` as ISO 8601 (``P3D``, ``PT1H30M``); None for anything else."""
    m = _JBPM_DURATION.match(text)
    if not m or not any(m.groups()):
        return None
    days, hours, minutes, seconds = (int(g) if g else 0 for g in m.groups())
    time = "".join(f"{v}{u}" for v, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if v)
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "") if days or time else None


# A flow's condition that is only a number (0.2, 0.8, 30%): the branch probability Signavio, ARIS and
# other modelers record for their simulation and export as the conditionExpression. Python (and JUEL's
# coercion) holds any number but 0 true; Camunda and Flowable stop on a condition that is no yes/no.
_PROBABILITY = re.compile(r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*%?\s*$")


def _code_variable(el, result: Normalized) -> None:
    """Camunda 7's ``camunda:errorCodeVariable`` / ``camunda:escalationCodeVariable`` on the definition
    of a catching error or escalation event: the variable that receives the caught code
    (engine/code_variables.py)."""
    for tag, attr, what in (("errorEventDefinition", "errorCodeVariable", "错误代码变量"),
                            ("escalationEventDefinition", "escalationCodeVariable", "升级代码变量")):
        definition = el.find(f"{B}{tag}")
        target = (_vendor_attr(definition, attr) or "").strip() if definition is not None else ""
        if not target:
            continue
        if target.isidentifier() and not keyword.iskeyword(target) and not target.startswith("_"):
            _set_property(el, code_variables.PROPERTY, target)
        else:
            result.problems.append((f"{label(el)} 的{what}「{excerpt(target)}」不是有效的变量名；"
                                    "请填写一个变量名（字母、数字、下划线，不以数字或下划线开头），如「errorCode」", el))


def _parameters_on_events(process, result: Normalized) -> None:
    """Input/output parameters on a none intermediate throw event (Camunda 7's ``camunda:inputOutput``,
    Zeebe's ``zeebe:ioMapping``: 设定复查安排 setting recheckWithin, a list and a map) run as on a task,
    as Camunda runs them: the event, which only passes on, is a script task doing nothing in the
    normalized model, its parameters wrapping it (``_input_output``). On a none end event inputs only
    are local to an event that ends its path: nothing to do, dropped. They were noted as not done and
    the case went on without the outputs."""
    for el in list(process.iter(f"{B}intermediateThrowEvent", f"{B}endEvent")):
        if any(isinstance(c.tag, str) and etree.QName(c).localname.endswith("EventDefinition") for c in el):
            continue
        ext = el.find(f"{B}extensionElements")
        mappings = [] if ext is None else [c for c in ext if isinstance(c.tag, str) and (
            c.tag == f"{{{CAMUNDA_NS}}}inputOutput" or c.tag == f"{{{ZEEBE_NS}}}ioMapping")]
        if not mappings:
            continue
        outputs = any(True for m in mappings for _ in m.iter(f"{{{CAMUNDA_NS}}}outputParameter", f"{{{ZEEBE_NS}}}output"))
        if etree.QName(el).localname == "endEvent":
            if not outputs:
                for m in mappings:
                    ext.remove(m)
            continue
        said = label(el)
        el.tag = f"{B}scriptTask"
        el.set("scriptFormat", "python")
        etree.SubElement(el, f"{B}script").text = "pass"
        result.notes.append((f"{said} 的输入输出参数与 Camunda 一样在事件经过时执行", el))


def _error_messages(process, result: Normalized) -> None:
    """Camunda 7's ``camunda:errorMessage`` on a ``<bpmn:error>`` (7.12+: a text or ``${...}``): what an
    error end or throw event of it carries, SpiffWorkflow's payload expression of the error, read by a
    catching event's ``camunda:errorMessageVariable`` (``_message_variable``)."""
    for error in process.getroottree().getroot().iter(f"{B}error"):
        message = (_vendor_attr(error, "errorMessage") or "").strip()
        ext = error.find(f"{B}extensionElements")
        if not message or ext is not None and ext.find(f"{S}payloadExpression") is not None:
            continue
        value = _mapped_value(error, result, "错误消息", message, True) if language_of(message) else repr(message)
        if value is not None:
            etree.SubElement(_extension_elements(error), f"{S}payloadExpression").text = value


def _message_variable(el, result: Normalized) -> None:
    """Camunda 7's ``camunda:errorMessageVariable`` on a catching error event: the variable that
    receives the caught error's message (``camunda:errorMessage`` of the error thrown, else null),
    as Camunda sets it beside ``camunda:errorCodeVariable``. It was dropped without a word. The
    catching event gets an error of its own (same name and code) whose SpiffWorkflow variableName
    is that variable."""
    definition = el.find(f"{B}errorEventDefinition")
    target = (_vendor_attr(definition, "errorMessageVariable") or "").strip() if definition is not None else ""
    if not target:
        return
    if not (target.isidentifier() and not keyword.iskeyword(target) and not target.startswith("_")):
        result.problems.append((f"{label(el)} 的错误消息变量「{excerpt(target)}」不是有效的变量名；"
                                "请填写一个变量名（字母、数字、下划线，不以数字或下划线开头），如「errorMessage」", el))
        return
    root = el.getroottree().getroot()
    ref = (definition.get("errorRef") or "").strip()
    drawn = next((e for e in root.iter(f"{B}error") if e.get("id") == ref), None) if ref else None
    made = etree.Element(f"{B}error", id=_FreeIds(root)(f"{ref or 'error'}_{el.get('id')}"),
                         name=(drawn.get("name") if drawn is not None else el.get("name")) or "")
    if drawn is not None and drawn.get("errorCode") is not None:
        made.set("errorCode", drawn.get("errorCode"))
    etree.SubElement(etree.SubElement(made, f"{B}extensionElements"), f"{S}variableName").text = target
    (drawn if drawn is not None else root[len(root) - 1]).addnext(made)
    definition.set("errorRef", made.get("id"))


# Tasks whose camunda:inputOutput / zeebe:ioMapping become local variables (输入输出参数), and the
# scopes whose do: an embedded sub-process's (its inputs read inside it, gone after it) and a call
# activity's camunda:inputOutput (Camunda 7: its input parameters are set before its camunda:in
# mappings read them, its output parameters after camunda:out; its zeebe:ioMapping is what goes to
# and comes back from the called process: _call_activity_mapping).
SCOPES = ("callActivity", "subProcess")
IO_TASKS = (*HUMAN_TASKS, "serviceTask", "scriptTask", "sendTask", "receiveTask", "businessRuleTask", *SCOPES)


def _decision_result_variable(el) -> None:
    """A business rule task's result variable (engine/decision_results.py): Camunda 8's
    ``zeebe:calledDecision resultVariable``, Camunda 7's ``camunda:resultVariable`` with its
    ``camunda:mapDecisionResult`` (``resultList`` when not drawn, Camunda 7's default)."""
    zeebe = el.find(f"{B}extensionElements/{{{ZEEBE_NS}}}calledDecision")
    variable = (zeebe.get("resultVariable") or "").strip() if zeebe is not None else ""
    if variable:
        _set_property(el, "resultVariable", variable)
        return
    variable = (el.get(f"{{{CAMUNDA_NS}}}resultVariable") or "").strip()
    if variable:
        _set_property(el, "resultVariable", variable)
        _set_property(el, "mapDecisionResult", (el.get(f"{{{CAMUNDA_NS}}}mapDecisionResult") or "resultList").strip())


def _mapped_value(el, result: Normalized, what: str, text: str | None, expression: bool) -> str | None:
    """Python for one mapped value: a JUEL/FEEL expression translated, or a plain text quoted
    (``expression=False``: a Camunda ``source``, the name of a variable). None after a refusal."""
    text = (text or "").strip()
    if not expression:
        if text.isidentifier():
            return text
        result.problems.append((f"{label(el)} 的{what}「{excerpt(text)}」不是流程变量名", el))
        return None
    try:
        python = (_translate_with_feel_calls(text) if language_of(text) == FEEL and _FEEL_CALL.search(text)
                  else literal_or_expression(text))
    except Untranslatable as exc:
        result.problems.append((f"{label(el)} 的{what}使用 {exc.language} 表达式「{excerpt(exc.text)}」，{exc.reason}；"
                                f"{advice(exc, python_read=False)}", el))
        return None
    if python != repr(text):
        result.translations.append({"element_id": el.get("id"), "from": text, "to": python})
    return python


def _mapped_target(el, result: Normalized, what: str, target: str | None) -> str | None:
    target = (target or "").strip()
    if target.isidentifier() and not keyword.iskeyword(target):
        return target
    if "." in target:  # Zeebe: a path into a context (from.name)
        result.problems.append((f"{label(el)} 的{what}目标「{target}」是对象中的字段路径，本系统只支持单个变量名；"
                                f"请改为一个变量名（如「{re.sub(r'[^0-9A-Za-z_]', '_', target)}」）", el))
    else:
        result.problems.append((f"{label(el)} 的{what}目标「{target}」不是有效的变量名" if target else
                                f"{label(el)} 的{what}没有填写目标变量名", el))
    return None


def _call_activity_mapping(el, result: Normalized) -> None:
    """调用活动的变量传递: ``camunda:in``/``camunda:out`` (and Flowable's, Activiti's) with
    ``source``/``sourceExpression``/``target`` or ``variables="all"``, Flowable's
    ``inheritVariables``, and Camunda 8's ``zeebe:ioMapping`` with ``propagateAllParentVariables``/
    ``propagateAllChildVariables`` become one ``spiffworkflow:variableMapping`` (engine/call_activity.py).
    As in Camunda 7, once anything is mapped in, only what is mapped goes in (and comes back);
    Camunda 8 passes all the parent's variables plus its inputs unless told not to, and all the
    child's back unless outputs are mapped. ``businessKey`` is noted and not passed."""
    id_variable = (_vendor_attr(el, "idVariableName") or "").strip()
    if id_variable:  # Flowable: the called process instance's id written to that variable
        result.notes.append((f"{label(el)} 把被调用流程的实例编号写入变量（idVariableName）「{excerpt(id_variable)}」的设置"
                             "在本系统中不生效：被调用流程在本案件中一并办理，没有单独的实例编号；需要引用时请使用案件编号（case_no）", el))
    if (_vendor_attr(el, "inheritBusinessKey") or "").strip() == "true":  # as camunda:in businessKey, below
        result.notes.append((f"{label(el)} 的业务键传递 (inheritBusinessKey) 在本系统中不使用，已忽略；被调用流程按本系统的案件编号办理", el))
    ext = el.find(f"{B}extensionElements")
    if ext is None or ext.find(f"{S}variableMapping") is not None:
        return
    mapped, inputs, outputs, typed = False, [], [], []
    in_all = (_vendor_attr(el, "inheritVariables") or "").strip() == "true"
    out_all = False
    for ns in VENDOR_NS:
        for tag, pairs in (("in", inputs), ("out", outputs)):
            what = "输入变量" if tag == "in" else "输出变量"
            for m in ext.iterfind(f"{{{ns}}}{tag}"):
                mapped = True
                if m.get("businessKey") is not None:
                    result.notes.append((f"{label(el)} 的业务键传递 (businessKey) 在本系统中不使用，已忽略；"
                                         "被调用流程按本系统的案件编号办理", el))
                elif (m.get("variables") or "").strip() == "all":
                    if tag == "in":
                        in_all = True
                    else:
                        out_all = True
                else:
                    if m.get("sourceExpression") is not None:
                        value = _mapped_value(el, result, what, m.get("sourceExpression"), True)
                    else:
                        value = _mapped_value(el, result, what, m.get("source"), False)
                    target = _mapped_target(el, result, what, m.get("target") or m.get("source"))
                    # Flowable 7: the value converted on the way (engine/flowable_types.py)
                    kind = (m.get("targetType") or (m.get("sourceType") if tag == "out" else None) or "").strip()
                    if value is not None and target is not None and kind.lower() in flowable_types.TYPES:
                        value = mark_absent_as_null(f"{flowable_types.HELPER}({value}, {kind.lower()!r}, "
                                                    f"{f'{label(el)} 的{what}「{target}」'!r})", data_names(value))
                    elif kind:
                        typed.append(f"「{excerpt(m.get('target') or m.get('source') or '')}」为 {excerpt(kind)}")
                    if value is not None and target is not None:
                        pairs.append((target, value))
    if typed:
        result.notes.append((f"{label(el)} 的变量传递设置了目标类型（targetType：{'、'.join(typed[:5])}"
                             f"{f' 等 {len(typed)} 项' if len(typed) > 5 else ''}），本系统不认识该类型，按原值传递；"
                             "本系统可转换的类型：string、integer、long、double、boolean、date、localdate、json、array", el))
    mapped = mapped or in_all
    zeebe = ext.find(f"{{{ZEEBE_NS}}}ioMapping")
    called = ext.find(f"{{{ZEEBE_NS}}}calledElement")
    if zeebe is not None or (called is not None and "false" in (called.get("propagateAllParentVariables"),
                                                                   called.get("propagateAllChildVariables"))):
        mapped = True
        in_all = called is None or called.get("propagateAllParentVariables") != "false"
        for tag, pairs in (("input", inputs), ("output", outputs)):
            what = "输入变量" if tag == "input" else "输出变量"
            for m in (zeebe.iterfind(f"{{{ZEEBE_NS}}}{tag}") if zeebe is not None else ()):
                value = _mapped_value(el, result, what, m.get("source"), True)
                target = _mapped_target(el, result, what, m.get("target"))
                if value is not None and target is not None:
                    pairs.append((target, value if value.isidentifier() else _feel_null(value)))
        out_all = not outputs and (called is None or called.get("propagateAllChildVariables") != "false")
    if not mapped:
        return
    mapping = etree.SubElement(ext, f"{S}variableMapping")
    mapping.set("inputs", "all" if in_all else "mapped")
    mapping.set("outputs", "all" if out_all else "mapped")
    for tag, pairs in (("input", inputs), ("output", outputs)):
        for target, value in pairs:
            etree.SubElement(mapping, f"{S}{tag}", target=target, expression=value)


def _input_output(el, result: Normalized) -> None:
    """输入输出参数: Camunda 7's ``camunda:inputOutput`` and Camunda 8's ``zeebe:ioMapping`` on a
    task, an embedded sub-process or (Camunda 7's only) a call activity. Each input parameter (a text, or a ``${...}``/``= ...`` expression) is set as the task
    opens (a pre-script) and is local: it is removed when the task completes, after each output
    parameter has been set from it and the task's data (a post-script). A script, list or map
    inside a parameter is refused naming the task. An input parameter named like a case variable
    shadows it, as in Camunda and Zeebe: the pre-script keeps the case variable's value in the
    task's data (``SHADOWED``, stored with the task, so a case restored mid-task still has it) and
    the post-script puts it back (a variable absent before is absent after) unless an output
    parameter sets it. On a Camunda 8 user or manual task with outputs, what the task itself sets
    (a form) stays local: only the outputs reach the case (engine/local_outputs.py); elsewhere what
    the task sets (a form, a handler) reaches the case beside the outputs."""
    ext = el.find(f"{B}extensionElements")
    if ext is None:
        return
    kind = etree.QName(el).localname
    inputs, outputs, refused = [], [], False
    camunda = ext.find(f"{{{CAMUNDA_NS}}}inputOutput")
    if camunda is not None:
        for tag, pairs in (("inputParameter", inputs), ("outputParameter", outputs)):
            what = "输入参数" if tag == "inputParameter" else "输出参数"
            for p in camunda.iterfind(f"{{{CAMUNDA_NS}}}{tag}"):
                name = _mapped_target(el, result, what, p.get("name"))
                nested = [c for c in p if isinstance(c.tag, str)]
                if nested:
                    value = _camunda_structure(el, result, what, p.get("name"), nested[0])
                elif (p.text or "").strip():
                    value = _mapped_value(el, result, what, p.text, True)
                    if value is not None and name is not None and language_of(p.text) == JUEL and _DIVIDES.search(value):
                        # ${a / b} by zero: EL's Infinity, which Camunda stores; stopped naming the mapping
                        value = f"{EL_STORED}({value}, {name!r}, {what!r}, {excerpt(p.text.strip())!r})"
                else:
                    value = "None"
                if name is None or value is None:
                    refused = True
                else:
                    pairs.append((name, value))
    zeebe = ext.find(f"{{{ZEEBE_NS}}}ioMapping")
    null: set[str] = set()  # what Zeebe's FEEL reads: absent, it is null
    if zeebe is not None and kind != "callActivity":  # a call activity's is its mapping: _call_activity_mapping
        for tag, pairs in (("input", inputs), ("output", outputs)):
            what = "输入参数" if tag == "input" else "输出参数"
            for m in zeebe.iterfind(f"{{{ZEEBE_NS}}}{tag}"):
                value = _mapped_value(el, result, what, m.get("source"), True)
                name = _mapped_target(el, result, what, m.get("target"))
                if name is None or value is None:
                    refused = True
                else:  # FEEL's null through its operators (engine/feel_null.py), as a call activity's mappings
                    pairs.append((name, value if value.isidentifier() else null_propagating(value)))
                    null |= data_names(value)
    if refused or not (inputs or outputs):
        return
    if zeebe is not None and zeebe.find(f"{{{ZEEBE_NS}}}output") is not None and \
            etree.QName(el).localname in ("userTask", "manualTask"):  # Zeebe: what the task sets stays local
        _set_property(el, OUTPUTS_ONLY, " ".join(dict.fromkeys(name for name, _ in outputs)))
    # a (sub-)process scope keeps what its inputs shadow under its own name: a task inside with inputs
    # of its own keeps and removes ``SHADOWED`` while the scope's are still held
    holder = SHADOWED if kind not in SCOPES else f"{SHADOWED}_{re.sub(r'[^0-9A-Za-z_]', '_', el.get('id') or '')}"
    before, after, shadowed = _parameter_lines(inputs, outputs, null, holder)
    if kind == "scriptTask":  # SpiffWorkflow runs no pre/post-script on a script task
        _add_lines(el.find(f"{B}script"), before, after, null, shadowed)
    else:
        loop = el.find(f"{B}multiInstanceLoopCharacteristics")
        if loop is not None:  # Camunda and Zeebe map a multi-instance task's parameters in each instance
            loop.set(f"{S}scriptsOnInstances", "true")  # (its loopCounter and item), not once around them
        ext = _extension_elements(el)
        for kind, lines in (("preScript", before), ("postScript", after)):
            if lines:
                script = ext.find(f"{S}{kind}")
                _add_lines(script if script is not None else etree.SubElement(ext, f"{S}{kind}"),
                           lines if kind == "preScript" else [], lines if kind == "postScript" else [], null, shadowed)


# A translated JUEL value dividing by a value the case decides (engine/juel_operators.arithmetic's / or %)
_DIVIDES = re.compile(r"duban_el_arith\(.*?, '[/%]', ")


def _camunda_structure(el, result: Normalized, what: str, name: str | None, node) -> str | None:
    """A Camunda 7 parameter's ``camunda:list`` (``camunda:value`` items, each a text or ``${...}``) or
    ``camunda:map`` (``camunda:entry key=…``) as the Python list or dict Camunda builds — nested
    lists and maps too (the parameter mappings of Camunda's own docs and the generated-form
    examples: 检查项 ``现场``/``资料``, 单位 ``{unit: 应急局, level: ${level}}``). A script is refused
    naming the task, as before; a list or map was refused too. None after a refusal."""
    kind = etree.QName(node).localname if isinstance(node.tag, str) else ""
    if kind == "list":
        items = [_camunda_item(el, result, what, name, c) for c in node if isinstance(c.tag, str)]
        return None if None in items else f"[{', '.join(items)}]"  # type: ignore[arg-type]
    if kind == "map":
        pairs = []
        for entry in node.iterfind(f"{{{CAMUNDA_NS}}}entry"):
            value = _camunda_item(el, result, what, name, entry)
            if value is None:
                return None
            pairs.append(f"{(entry.get('key') or '')!r}: {value}")
        return "{" + ", ".join(pairs) + "}"
    if kind == "script" and (value := _script_parameter(el, result, what, name, node)) is not None:
        return value
    said = {"script": "脚本"}.get(kind, kind)
    if kind == "script" and (node.get("scriptFormat") or "").strip():
        said = f" {_SCRIPT_LANGUAGES.get((node.get('scriptFormat') or '').strip().lower(), node.get('scriptFormat').strip())} 脚本"
        if (node.get("resource") or "").strip():
            said += f"（外部脚本文件「{excerpt(node.get('resource').strip())}」）"
    result.problems.append((f"{label(el)} 的{what}「{name}」使用了{said}，本系统不支持；"
                            "请改为文本值、${...} 表达式、列表或映射，或改用脚本任务", el))
    return None


# What a JavaScript expression may hold that JUEL does not write the same way (besides Groovy's list)
_JAVASCRIPT_ONLY = re.compile(r"===|!==|=>|`|\bvar\b|\blet\b|\bconst\b|\bfunction\b|\bnew\b|\btypeof\b|\bthis\b")


def _script_parameter(el, result: Normalized, what: str, name: str | None, node) -> str | None:
    """A Camunda 7 parameter's ``camunda:script`` that is one expression (Camunda Modeler's 脚本 type of
    parameter, its value the script's result): Groovy or JavaScript written as JUEL writes it
    (``baseFine + days * 1000``, ``totalFine``, ``a > b && c``) read as that JUEL, ``juel`` as the EL text
    it is, ``python`` as a Python expression, noted on the element. Anything else (statements, several
    lines, a language-only operator, an external ``resource``): None, refused by the caller as before."""
    fmt = (node.get("scriptFormat") or "").strip().lower()
    text = (node.text or "").strip()
    if not text or (node.get("resource") or "").strip():
        return None
    if fmt in ("python", "jython", "py", "python3"):
        import ast
        try:
            ast.parse(text, mode="eval")
        except SyntaxError:
            return None
        result.notes.append((f"{label(el)} 的{what}「{name}」是 Python 脚本，取其表达式的值", el))
        return f"({text})"
    drawn = {"groovy": "Groovy", "javascript": "JavaScript", "js": "JavaScript", "ecmascript": "JavaScript",
             "nashorn": "JavaScript", "graal.js": "JavaScript", "juel": "JUEL"}.get(fmt)
    if drawn is None or drawn != "JUEL" and (_GROOVY_ONLY.search(text) or drawn == "JavaScript" and _JAVASCRIPT_ONLY.search(text)
                                             or "+" in text and re.search(r"[\"']", text)):
        return None  # text joined with + (「"第" + round + "轮"」): Groovy/JavaScript join it, JUEL adds numbers
    written = text if drawn == "JUEL" and has_juel(text) else "${" + text + "}"
    try:
        equivalent(written, JUEL)
    except (Untranslatable, ValueError, SyntaxError):
        return None
    value = _mapped_value(el, result, what, written, True)
    if value is not None and drawn != "JUEL":
        result.notes.append((f"{label(el)} 的{what}「{name}」是 {drawn} 脚本「{excerpt(text)}」，写法与 JUEL 相同，"
                             "按 JUEL 计算（数字照常计算；文字与数字相加时 JUEL 按数字计算，不会像 "
                             f"{drawn} 那样把文字连接起来）", el))
    return value


def _camunda_item(el, result: Normalized, what: str, name: str | None, node) -> str | None:
    """One ``camunda:value`` or ``camunda:entry``: a nested list or map, else its text (a ``${...}``
    translated, a plain text quoted, none as None)."""
    nested = [c for c in node if isinstance(c.tag, str)]
    if nested:
        return _camunda_structure(el, result, what, name, nested[0])
    text = (node.text or "").strip()
    return _mapped_value(el, result, what, text, True) if text else "None"


# The task-data variable that holds, while a task with input parameters runs, the case variables
# its inputs shadow (被输入参数遮蔽的案件变量); model code cannot name ``_``-prefixed variables.
SHADOWED = "duban_shadowed_by_inputs"


def _parameter_lines(inputs: list[tuple[str, str]], outputs: list[tuple[str, str]],
                     null: set[str], holder: str = SHADOWED) -> tuple[list[str], list[str], set[str]]:
    """The pre-script and post-script lines of a task's parameters, and the variables that read
    as None when absent (``null``, what Zeebe's FEEL reads). Before: each case variable an input
    (not also an output) shadows is kept in ``holder`` (``SHADOWED``; a sub-process or call activity
    has its own, so that a task inside keeps its own beside it), then the inputs are set in order. After:
    the outputs are evaluated together in the task's scope (an output reads the inputs, not an
    output set before it), then each shadowed case variable gets its value back or is removed if
    it was absent, then the outputs are set. A shadowed variable that FEEL reads is made None here
    when absent (after it is kept): filled in before the script ran, it would come back as None;
    the shadowed variables are returned for that reason."""
    targets = {name for name, _ in outputs}
    locals_ = list(dict.fromkeys(name for name, _ in inputs if name not in targets))
    before = [f"{holder} = {{}}"] if locals_ else []
    for name in locals_:
        before += ["try:", f"    {holder}[{name!r}] = {name}", "except Exception:", "    pass"]
    if locals_:  # nothing shadowed: nothing kept in the task's data
        before += [f"if not {holder}:", f"    del {holder}"]
    for name in locals_:
        if name in null:
            before += ["try:", f"    {name}", "except Exception:", f"    {name} = None"]
    before += [f"{name} = {value}" for name, value in inputs]
    after = []
    if len(outputs) == 1:
        after.append(f"{outputs[0][0]} = {outputs[0][1]}")
    elif outputs:  # one tuple, evaluated before any is set
        after.append(f"{', '.join(n for n, _ in outputs)} = ({', '.join(v for _, v in outputs)})")
    for name in locals_:  # the case variable's own value, or none (also when the task removed the input)
        after += ["try:", f"    {name} = {holder}[{name!r}]", "except Exception:", f"    {name} = None",
                  f"    del {name}"]
    if locals_:
        after += ["try:", f"    del {holder}", "except Exception:", "    pass"]
    return before, after, set(locals_)


def _add_lines(script, before: list[str], after: list[str], null=(), shadowed=()) -> None:
    """Our lines ahead of and after the code a script element already has; ``null``: variables
    that read as None when absent (engine/restricted.ABSENT_AS_NULL), with those the code named
    already (a Camunda 8 script), except ``shadowed`` ones (see ``_parameter_lines``)."""
    own = textwrap.dedent(script.text or "").strip("\n")
    null = (set(null) | absent_as_null(own)) - set(shadowed)
    own = own.partition("\n")[2] if own.startswith(ABSENT_AS_NULL) else own
    text = "\n".join(line for line in [*before, own, *after] if line.strip())
    script.text = mark_absent_as_null(text, null)


def _el_shaped(text: str) -> bool:
    """A script text that is an EL expression (``${...}``, ``#{...}``) rather than a program: what a
    Flowable or Activiti file's script task without ``scriptFormat`` holds when it was written for the
    JUEL those engines run it as (ScriptTaskTest.testSetScriptResultToProcessVariableWithoutFormat:
    ``#{echo}`` into ``flowable:resultVariable``). As Python the text is a comment, and the task did
    nothing where Flowable sets the variable."""
    return bool(re.search(r"[$#]\{", text))


def _juel_script(el, result: Normalized) -> None:
    """Camunda 7's and Flowable's ``scriptFormat="juel"`` script task (ExclusiveGatewayTest.testBigLoop):
    the script is one EL text evaluated as a value — ``${i+1}`` the expression's value, ``0`` the text
    "0", ``第${n}轮`` a composite (engine/el_text.py) — stored in ``camunda:resultVariable``
    (``flowable:``/``activiti:``); without one the value is dropped, as there. The script becomes
    the Python assignment; what JUEL we cannot translate is refused naming the task."""
    script = el.find(f"{B}script")
    text = (script.text if script is not None else "") or ""
    target = (_vendor_attr(el, "resultVariable") or _vendor_attr(el, "resultVariableName") or "").strip()
    if target and (not target.isidentifier() or keyword.iskeyword(target)):
        result.problems.append((f"{label(el)} 的结果变量「{excerpt(target)}」不是有效的变量名", el))
        return
    try:
        python = el_text.composite(text) or literal_or_expression(text)
    except Untranslatable as exc:
        python = equivalent(exc.text, exc.language)
        left = f"{target} = " if target else ""
        rewrite = (f"「{left}{excerpt(python, ADVICE)}」" if python is not None else
                   f"「{left}计算式」，计算式用 Python 写（如 count + 1，不带 ${{ }}）")
        result.problems.append((f"{label(el)} 的 JUEL 脚本「{excerpt(exc.text)}」{exc.reason}；请把脚本语言改为 Python，"
                                f"脚本写作{rewrite}", el))
        return
    if script is None:
        script = etree.SubElement(el, f"{B}script")
    script.text = f"{target} = {python}" if target else "pass"
    el.set("scriptFormat", "python")
    result.translations.append({"element_id": el.get("id"), "from": text.strip(), "to": script.text})


def _zeebe_script(el, result: Normalized) -> None:
    """Camunda 8's script task: ``zeebe:script expression="= ..." resultVariable="x"`` — the FEEL
    expression, translated, assigned to the result variable."""
    zeebe = el.find(f"{B}extensionElements/{{{ZEEBE_NS}}}script")
    if zeebe is None or not (zeebe.get("expression") or "").strip():
        return
    target = (zeebe.get("resultVariable") or "").strip()
    if not target.isidentifier():
        result.problems.append((f"{label(el)} 的结果变量「{target}」不是有效的变量名", el))
        return
    expression = zeebe.get("expression").strip()
    try:
        python = _translate_with_feel_calls(expression if language_of(expression) else "=" + expression)
    except Untranslatable as exc:
        python = equivalent(exc.text, exc.language)
        rewrite = (f"请在该脚本任务中改写为 Python 脚本：{target} = {excerpt(python, ADVICE)}" if python is not None else
                   f"请在该脚本任务中改写为 Python 脚本，如 {target} = amount * 2（流程变量直接写变量名，不带开头的 =）")
        result.problems.append((f"{label(el)} 的脚本使用 {exc.language} 表达式「{excerpt(exc.text)}」，{exc.reason}；{rewrite}",
                                el))
        return
    script = el.find(f"{B}script")
    if script is None:
        script = etree.SubElement(el, f"{B}script")
    script.text = f"{target} = {python}"
    result.translations.append({"element_id": el.get("id"), "from": expression, "to": script.text})
    script.text = mark_absent_as_null(f"{target} = {null_propagating(python)}", data_names(python))


# RuoYi-Flowable's (若依) countersign: the collection is its Spring bean's list of the task's chosen people
_RUOYI_USER_IDS = re.compile(r"^\s*\$\{\s*multiInstanceHandler\.getUserIds\(\s*execution\s*\)\s*\}\s*$")


def _ruoyi_user_ids(task, collection: str, result: Normalized) -> str:
    """RuoYi-Flowable's (若依工作流) 会签: its designer writes the collection
    ``${multiInstanceHandler.getUserIds(execution)}``, a Spring bean of RuoYi's that returns the task's
    own ``candidateUsers`` when the task's ``flowable:dataType`` is USERS (指定用户). Read as that list,
    written out (``=["eastboss", "zhang"]``), noted; the bean is RuoYi's Java and is not called. For
    roles or departments (ROLES, DEPTS: the bean looks their members up in RuoYi's tables) the
    collection is left as written (refused naming the bean). ``collection`` otherwise unchanged."""
    users = [u.strip() for u in (_vendor_attr(task, "candidateUsers") or "").split(",") if u.strip()]
    if not _RUOYI_USER_IDS.match(collection) or (_vendor_attr(task, "dataType") or "").upper() != "USERS" or not users:
        return collection
    written = "=[" + ", ".join('"' + u.replace('"', "") + '"' for u in users) + "]"
    result.notes.append((f"{label(task)} 的会签人员取自若依（RuoYi-Flowable）的「multiInstanceHandler.getUserIds(execution)」，"
                         f"即该任务指定的用户（candidateUsers）「{excerpt(', '.join(users))}」，每人一个实例", task))
    return written


def _multi_instance(el, result: Normalized) -> None:
    """多实例: Camunda 7/Flowable ``collection``/``elementVariable`` and Camunda 8
    ``zeebe:loopCharacteristics`` (``inputCollection``/``inputElement``/``outputCollection``/
    ``outputElement``) become the standard ``loopDataInputRef``/``inputDataItem`` (and output)
    SpiffWorkflow reads. The collection must name a case variable."""
    if el.find(f"{B}loopDataInputRef") is not None or el.find(f"{B}loopCardinality") is not None:
        return
    zeebe = el.find(f"{B}extensionElements/{{{ZEEBE_NS}}}loopCharacteristics")
    given = {"input": _vendor_attr(el, "collection"), "inputItem": _vendor_attr(el, "elementVariable")}
    if zeebe is not None:
        given = {"input": zeebe.get("inputCollection"), "inputItem": zeebe.get("inputElement"),
                 "output": zeebe.get("outputCollection"), "outputItem": zeebe.get("outputElement")}
        _set_property(el.getparent(), BASE_PROPERTY, "1")  # Camunda 8 counts its instances from 1
    if not given["input"]:
        return
    owner = el.getparent()
    given["input"] = _ruoyi_user_ids(owner, given["input"], result)
    refs = {}
    literal = None
    for key, value in given.items():
        if not (value or "").strip():
            continue
        try:
            python = _translate_with_feel_calls(value.strip()) if key == "input" else translate(value.strip())  # =for i in 1..count(hazards)
        except Untranslatable as exc:
            result.problems.append((f"{label(owner)} 的多实例集合使用 {exc.language} 表达式「{excerpt(exc.text)}」，{exc.reason}；"
                                    "请改写为流程变量名", owner))
            return
        if key == "input" and _literal_items(python) is not None and etree.QName(owner).localname != "scriptTask":
            literal = python.strip()  # a list written out: = ["东城", "西城"]
            continue
        if key == "input" and not python.strip().isidentifier() and language_of(value.strip()) == FEEL:
            # Zeebe's =for h in hazards return h.id: computed when the task starts (engine/mi_collection.py)
            _set_property(owner, mi_collection.PROPERTY, _feel_null(python.strip()))
            _set_property(owner, mi_collection.WRITTEN, value.strip())
            result.translations.append({"element_id": owner.get("id"), "from": value.strip(), "to": python.strip()})
            python = mi_collection.holder(owner.get("id"))
        elif not python.strip().isidentifier():
            result.problems.append((f"{label(owner)} 的多实例集合「{excerpt(value.strip())}」不是流程变量名；"
                                    "请先用脚本任务把集合存入一个流程变量，再在此填写该变量名", owner))
            return
        refs[key] = python.strip()
    for key, tag, item_tag in (("input", "loopDataInputRef", "inputDataItem"),
                               ("output", "loopDataOutputRef", "outputDataItem")):
        if key in refs:
            etree.SubElement(el, f"{B}{tag}").text = refs[key]
            if not refs[key].startswith(mi_collection.PREFIX):  # the expression's translation is said above
                result.translations.append({"element_id": owner.get("id"), "from": given[key].strip(), "to": refs[key]})
        if f"{key}Item" in refs:
            item = etree.SubElement(el, f"{B}{item_tag}")
            item.set("id", refs[f"{key}Item"])
            item.set("name", refs[f"{key}Item"])
    if literal is not None:
        _literal_collection(el, owner, literal, refs.get("inputItem"), result)


# The variable an instance of a multi-instance task with Flowable's variable aggregation gathers its
# values into (``flowable:variableAggregation``), which SpiffWorkflow's output item collects
AGGREGATED = "duban_aggregated"


def _variable_aggregation(el, result: Normalized) -> None:
    """多实例的变量汇总: Flowable 6.8+/7's ``flowable:variableAggregation target="reviews"`` inside a
    multi-instance's ``extensionElements``, with ``variable source|sourceExpression [target]``
    children: when each instance completes, the values it holds are gathered into one object
    ``{target: value}`` (an absent one null) appended to the list ``reviews``, and the instances'
    own variables stay theirs, as Flowable's MultiInstanceVariableAggregationTest runs it (the list's
    order that of completion for a parallel one, of the instances for a sequential one). Written as
    SpiffWorkflow's output collection (``loopDataOutputRef``) of an output item each instance's
    post-script sets. Before, noted as not run: ``reviews`` never existed, and each instance's data
    merged over the others' into the case. Several aggregations, or one beside an output collection
    drawn otherwise, are refused naming the task; ``createOverviewVariable`` and
    ``storeAsTransientVariable`` (an overview while it runs, a variable not stored) change nothing
    here: the list is there once the last instance completes."""
    ext = el.find(f"{B}extensionElements")
    found = [c for c in ext if isinstance(c.tag, str) and etree.QName(c).namespace == FLOWABLE_NS
             and etree.QName(c).localname.lower() == "variableaggregation"] if ext is not None else []
    if not found:
        return
    owner = el.getparent()
    for c in found:
        ext.remove(c)
    target = (found[0].get("target") or "").strip()
    if len(found) > 1 or el.find(f"{B}loopDataOutputRef") is not None:
        result.problems.append((f"{label(owner)} 的多实例有{'多个变量汇总' if len(found) > 1 else '变量汇总，又画了输出集合'}"
                                "（flowable:variableAggregation）：本系统每个多实例只能汇总到一个列表；请只保留一个变量汇总", owner))
        return
    if (found[0].get("targetExpression") or "").strip() or (found[0].get("delegateExpression") or "").strip() \
            or (found[0].get("class") or "").strip():
        result.problems.append((f"{label(owner)} 的变量汇总由表达式或 Java 类决定（targetExpression、delegateExpression 或 class），"
                                "本系统不执行；请在 target 中填写汇总到的变量名，并逐个写出要汇总的变量（source 与 target）", owner))
        return
    name = _mapped_target(owner, result, "变量汇总", target)
    pairs, refused = [], name is None
    for v in found[0]:
        if not isinstance(v.tag, str) or etree.QName(v).localname.lower() != "variable":
            continue
        source, expression = (v.get("source") or "").strip(), (v.get("sourceExpression") or "").strip()
        value = _mapped_value(owner, result, "汇总的变量", expression or source, bool(expression))
        key = (v.get("target") or "").strip() or source
        if value is None or not key:
            refused = True
            if not key and value is not None:
                result.problems.append((f"{label(owner)} 的变量汇总中以表达式「{excerpt(expression)}」汇总的值没有名称（target）；"
                                        "请填写它在汇总列表中的名称", owner))
            continue
        pairs.append((key, value))
    if refused or name is None or not pairs:
        return
    holder = f"{AGGREGATED}_{re.sub(r'[^0-9A-Za-z_]', '_', owner.get('id') or '')}"
    etree.SubElement(el, f"{B}loopDataOutputRef").text = name
    item = etree.SubElement(el, f"{B}outputDataItem")
    item.set("id", holder)
    item.set("name", holder)
    el.set(f"{S}scriptsOnInstances", "true")
    body = "{" + ", ".join(f"{key!r}: {value}" for key, value in pairs) + "}"
    task_ext = _extension_elements(owner)
    script = task_ext.find(f"{S}postScript")
    _add_lines(script if script is not None else etree.SubElement(task_ext, f"{S}postScript"), [], [f"{holder} = {body}"],
               data_names(body))
    result.notes.append((f"{label(owner)} 的各实例办结时，{'、'.join(f'「{k}」' for k, _ in pairs)}汇总到列表「{name}」"
                         "（flowable:variableAggregation），与 Flowable 一样，各实例自己的这些变量不写入案件数据", owner))


def _ad_hoc_active_elements(el, result: Normalized) -> None:
    """Camunda 8.7's ``zeebe:adHoc activeElementsCollection="=activities"`` on an ad-hoc sub-process:
    the ids of the inner elements to activate when it starts, computed then (engine/ad_hoc.py)."""
    zeebe = el.find(f"{B}extensionElements/{{{ZEEBE_NS}}}adHoc")
    written = (zeebe.get("activeElementsCollection") or "").strip() if zeebe is not None else ""
    if not written:
        return
    try:
        python = translate(written)
    except Untranslatable as exc:
        result.problems.append((f"{label(el)} 的待激活元素集合（activeElementsCollection）使用 {exc.language} 表达式"
                                f"「{excerpt(exc.text)}」，{exc.reason}", el))
        return
    if el.find(f"{B}completionCondition") is None:  # Zeebe: it ends when the activated elements have
        etree.SubElement(el, f"{B}completionCondition").text = "False"  # (SpiffWorkflow: every path run)
    _set_property(el, ad_hoc.ACTIVE_ELEMENTS, _feel_null(python.strip()))
    _set_property(el, ad_hoc.ACTIVE_WRITTEN, written)
    result.translations.append({"element_id": el.get("id"), "from": written, "to": python.strip()})


def _literal_items(python: str) -> list | None:
    """The items of a collection written out as a list of constants (``['东城', '西城']``), else None."""
    import ast
    try:
        value = ast.literal_eval(python.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return list(value) if isinstance(value, (list, tuple)) else None


def _literal_collection(el, owner, python: str, item: str | None, result: Normalized) -> None:
    """A multi-instance over a list written out in the model (Zeebe's ``inputCollection`` ``= ["ubuntu",
    "windows"]``, ``=[1,2,3]``): as many instances as items (``loopCardinality``), each instance's
    ``inputElement`` the item at its place — SpiffWorkflow gives an instance of a counted loop its
    index, and the instance's first pre-script line turns it into the item, before its input
    mappings. Zeebe evaluates the collection once when the activity starts; a list of constants is
    the same whenever read."""
    etree.SubElement(el, f"{B}loopCardinality").text = str(len(_literal_items(python) or []))
    result.translations.append({"element_id": owner.get("id"), "from": python, "to": "loopCardinality"})
    if item is None:
        return
    el.set(f"{S}scriptsOnInstances", "true")
    ext = _extension_elements(owner)
    script = ext.find(f"{S}preScript")
    if script is None:
        script = etree.SubElement(ext, f"{S}preScript")
    script.text = "\n".join(line for line in (f"{item} = {python}[{item}]", script.text or "") if line.strip())


JBPM_NS = "http://www.jboss.org/drools"
# jBPM's task parameters (data inputs of a human task set by assignments) that say who does the task
JBPM_ASSIGNMENT_INPUTS = {"GroupId": "candidateGroups", "ActorId": "candidateUsers"}


MVEL = "http://www.mvel.org/2.0"


def _is_jbpm(el) -> bool:
    """A file jBPM's designers saved (Business Central, the Eclipse BPMN2 Modeler's drools profile), or
    written for jBPM by hand: its expressions in MVEL, jBPM's language (no other engine has it)."""
    root = el.getroottree().getroot()
    return JBPM_NS in root.nsmap.values() or (root.get("expressionLanguage") or "").strip() == MVEL


def _jbpm_task_parameters(el, result: Normalized) -> None:
    """A human task's ``ioSpecification`` as jBPM's designer writes it on every task: data inputs that
    are jBPM's task parameters set by assignments (``TaskName``, ``GroupId``, ``Skippable``, ``Comment``)
    and data outputs the form fills. jBPM reads ``GroupId`` as the task's candidate groups and
    ``ActorId`` as its users; an output nothing maps is the task's own; the case's variables stay whole
    (Camunda and Flowable ignore a user task's ioSpecification). SpiffWorkflow reads it as spiff-arena
    draws it — the task's data narrowed to the declared inputs and outputs, each required — and a
    completion stopped with the English 「Missing data ouput」. Here who-does-it is read as jBPM reads it,
    the ioSpecification and its assignments go, noted; left as drawn when an association reads or
    writes a data object (SpiffWorkflow's own use) or a process property (refused:
    ``_refuse_property_associations``)."""
    io = el.find(f"{B}ioSpecification")
    if io is None:
        return
    assocs = list(el.iterfind(f"{B}dataInputAssociation")) + list(el.iterfind(f"{B}dataOutputAssociation"))
    own = {d.get("id") for d in io if isinstance(d.tag, str) and d.get("id")}
    if any((r.text or "").strip() not in own for a in assocs for r in (*a.iterfind(f"{B}sourceRef"), *a.iterfind(f"{B}targetRef"))):
        return  # a data object or a property: SpiffWorkflow's data associations, or refused
    inputs = {d.get("id"): d.get("name") or d.get("id") for d in io.iterfind(f"{B}dataInput")}
    outputs = [d.get("name") or d.get("id") for d in io.iterfind(f"{B}dataOutput")]
    for assoc in el.iterfind(f"{B}dataInputAssociation"):
        target = (assoc.findtext(f"{B}targetRef") or "").strip()
        value = (assoc.findtext(f"{B}assignment/{B}from") or "").strip()
        attr = JBPM_ASSIGNMENT_INPUTS.get(inputs.get(target, ""))
        if attr and value and _vendor_attr(el, attr) is None:
            el.set(f"{{{ACTIVITI_NS}}}{attr}", value)
    for part in (io, *assocs):
        el.remove(part)
    names = "、".join(excerpt(n) for n in [*inputs.values(), *outputs])
    if not names:
        return  # an empty ioSpecification (jBPM writes one on every task): nothing to say
    result.notes.append((f"{label(el)} 的数据输入输出（{names}）按 jBPM 的任务参数读取：GroupId 为候选角色，ActorId 为候选人，"
                         "其余不在本系统中传递；办理人直接读写案件数据", el))


def _task_attributes(el, result: Normalized, form_exists) -> None:
    values = {}
    for attr in TASK_ATTRIBUTES:
        v = _vendor_attr(el, attr)
        if v is not None and v.strip():
            values[attr] = v.strip()
    _resource_roles(el, values)
    _computed_name(el, result)
    ext = el.find(f"{B}extensionElements")
    if ext is not None:  # Camunda 8
        assignment = ext.find(f"{{{ZEEBE_NS}}}assignmentDefinition")
        if assignment is not None:
            for attr in ("assignee", "candidateGroups", "candidateUsers"):
                if assignment.get(attr):
                    values.setdefault(attr, assignment.get(attr).strip())
        sched = ext.find(f"{{{ZEEBE_NS}}}taskSchedule")
        if sched is not None:
            for attr in ("dueDate", "followUpDate"):
                if sched.get(attr):
                    values.setdefault(attr, sched.get(attr).strip())
        ranked = ext.find(f"{{{ZEEBE_NS}}}priorityDefinition")  # Camunda 8.6: priority="50" or "=taskPriority"
        if ranked is not None and (ranked.get("priority") or "").strip():
            values.setdefault("priority", ranked.get("priority").strip())
        form = ext.find(f"{{{ZEEBE_NS}}}formDefinition")
        if form is not None and form.get("formKey") and _embedded_form(el, form.get("formKey")) is None:
            values.setdefault("formKey", form.get("formKey"))  # not a form embedded in this file
    for key, value in _vendor_properties(el).items():
        _set_property(el, key, value)
    fields = _form_fields(el, result)
    if fields:
        import json
        _set_property(el, "formFields", json.dumps(fields, ensure_ascii=False))
    for attr, value in values.items():
        try:
            if attr in ("assignee", "candidateUsers", "dueDate", "followUpDate"):
                # a composite EL text, as Camunda 7/Flowable evaluate it: Flowable's dueDate="P${rectifyDays}D" is
                # the text P30D, a duration from when the task opens (before: refused 「夹杂在文字中」)
                composite = el_text.composite(value) if language_of(value) != FEEL else None
                if composite is None and attr in ("dueDate", "followUpDate") and language_of(value) == FEEL:
                    composite = _feel_null(_translate_with_feel_calls(value))  # =now() + duration("P3D")
                python = composite or literal_or_expression(value)
                if python != repr(value):
                    result.translations.append({"element_id": el.get("id"), "from": value, "to": python})
                _set_property(el, attr, python)
            elif attr == "candidateGroups" and (has_juel(value) or language_of(value) == FEEL):
                # Flowable's candidateGroups="${candidateGroupsVar}": computed when the task opens
                python = el_text.composite(value) or literal_or_expression(value)
                result.translations.append({"element_id": el.get("id"), "from": value, "to": python})
                _set_property(el, COMPUTED_GROUPS, python)
            elif attr == "candidateGroups":
                _set_property(el, attr, value)
            elif attr == "priority":
                if value.strip().lstrip("-").isdigit():
                    _set_property(el, attr, value.strip())
                elif has_juel(value) or language_of(value) == FEEL:  # ${taskPriority}: as the task opens
                    python = el_text.composite(value) or literal_or_expression(value)
                    result.translations.append({"element_id": el.get("id"), "from": value, "to": python})
                    _set_property(el, task_priority.PROPERTY, python)
                else:
                    result.notes.append((f"{label(el)} 的优先级「{value}」不是整数，已忽略", el))
            elif attr == "formKey":
                if form_exists is not None and form_exists(value):
                    _set_property(el, "formSchema", value)
                else:
                    _set_property(el, "formKey", value)
                    result.notes.append((f"{label(el)} 的表单「{value}」不是本系统的表单，将使用通用办理表单", el))
        except Untranslatable as exc:
            result.problems.append((f"{label(el)} 的{ATTRIBUTE_NAMES.get(attr, attr)}使用 {exc.language} 表达式"
                                    f"「{exc.text}」，{exc.reason}；{advice(exc, python_read=False)}", el))


def _computed_name(el, result: Normalized) -> None:
    """A task name holding ``${...}`` (Flowable's ``name="${checkTitle}"``, ``检查${unitName}``,
    ``复查第${loopCounter}轮``): Camunda 7 and Flowable compute it when the task opens (a JUEL
    composite text, engine/el_text.py); its Python is kept as property ``NAME_EXPRESSION``, evaluated
    by engine/projection.py as the task opens. What JUEL we cannot translate is said, and the name
    shown as written."""
    name = el.get("name") or ""
    if not has_juel(name):
        return
    try:
        python = el_text.composite(name) or f"{el_text.TEXT}({literal_or_expression(name)})"
    except Untranslatable as exc:
        result.notes.append((f"{label(el)} 的名称含表达式「{excerpt(name)}」，{exc.reason}；本系统按原文显示任务名称；"
                             "请把名称改为固定的文字（如「审批」），或只引用案件数据（如「检查${单位名称}」）", el))
        return
    if _set_property(el, NAME_EXPRESSION, python):
        result.translations.append({"element_id": el.get("id"), "from": name, "to": python})


_RESOURCE = re.compile(r"^(user|group)\(\s*(.*?)\s*\)$")


def _resource_roles(el, values: dict) -> None:
    """BPMN 2.0's own resource roles (§10.2.2 and §10.3.4 "performers"), as Camunda 7 and Activiti
    read them (TaskAssignmentTest, TaskAssignmentExtensionsTest.testMixedCandidateUserDefinition):
    ``potentialOwner`` whose ``formalExpression`` lists ``user(fozzie), group(management)`` — a bare
    name is a group — adds candidate users and groups to the vendor attributes'; ``humanPerformer``
    is the assignee unless one is set. Until 2026-12 both were silently dropped: the task went to the
    starter instead of fozzie and gonzo. jBPM reads a bare name as a user (its ``ActorId``; groups come
    by the ``GroupId`` task parameter, ``_jbpm_task_parameters``), and so does a jBPM file here."""
    users, groups = [], []
    for role, tag in (("owner", "potentialOwner"), ("performer", "humanPerformer")):
        for node in el.iterfind(f"{B}{tag}"):
            text = (node.findtext(f"{B}resourceAssignmentExpression/{B}formalExpression") or "").strip()
            if not text:
                continue
            if role == "performer":
                values.setdefault("assignee", text)
                continue
            for part in (p.strip() for p in split_top_level(text) if p.strip()):
                m = _RESOURCE.match(part)
                kind, name = (m.group(1), m.group(2)) if m else ("user" if _is_jbpm(el) else "group", part)
                (users if kind == "user" else groups).append(name)
    for attr, names in (("candidateUsers", users), ("candidateGroups", groups)):
        if names:
            values[attr] = ", ".join(dict.fromkeys([*([values[attr]] if values.get(attr) else []), *names]))


def _form_fields(el, result: Normalized | None = None) -> list[dict]:
    """Camunda ``formData/formField`` and Flowable/Activiti ``formProperty``: id, label, type, default,
    required, readonly. A field the form shows but does not let the clerk change (Camunda's
    ``readonly`` constraint, Activiti's ``writable="false"``) is never required and its submitted
    value is not written, as in those engines; a ``formProperty`` with ``variable`` writes that case
    variable (its ``id`` only names the field in the form). A Camunda 8 form (``zeebe:formDefinition``:
    embedded or linked) is read by ``_zeebe_form``; ``result`` takes its notes and refusals."""
    found: list[dict] = []
    ext = el.find(f"{B}extensionElements")
    if ext is None:
        return found
    definition = ext.find(f"{{{ZEEBE_NS}}}formDefinition")
    if definition is not None:
        found.extend(_zeebe_form(el, definition, result))
    for ns in VENDOR_NS:
        for f in ext.iterfind(f"{{{ns}}}formData/{{{ns}}}formField"):
            constraints = {c.get("name") for c in f.iterfind(f"{{{ns}}}validation/{{{ns}}}constraint")}
            readonly = "readonly" in constraints
            found.append({"id": f.get("id"), "label": f.get("label") or "", "type": f.get("type") or "string",
                          "default": f.get("defaultValue"), "required": "required" in constraints and not readonly,
                          "readonly": readonly, **_enum_values(f, ns), **_constraint_bounds(f, ns, result)})
        for f in ext.iterfind(f"{{{ns}}}formProperty"):
            readonly = (f.get("writable") or "").strip() == "false"
            found.append({"id": (f.get("variable") or "").strip() or f.get("id"), "label": f.get("name") or "",
                          "type": f.get("type") or "string", "default": f.get("default"),
                          "required": (f.get("required") or "") == "true" and not readonly, "readonly": readonly,
                          **_enum_values(f, ns), **_date_pattern(f)})
    return [f for f in found if f["id"] or f.get("display")]


# Camunda 7's built-in form field validators with a bound (its FormFieldValidator names): a number's
# min/max, a text's minlength/maxlength, as the bounds a Camunda 8 form's ``validate`` draws.
_BOUNDS = {"min": "min", "max": "max", "minlength": "minLength", "maxlength": "maxLength"}


def _constraint_bounds(f, ns: str, result: Normalized | None) -> dict:
    """The bounds a ``camunda:formField``'s ``validation/constraint`` elements draw — 隐患数量 at least
    0, 备注 at most 200 characters — checked on completion as Camunda 7 checks them (a value out of
    them refused naming the field, engine/model_forms.check). Until 2026-12 only ``required`` and
    ``readonly`` were read: a tired official's -1 went into the case. A bound whose config is no
    number is noted and not checked."""
    bounds: dict = {}
    for c in f.iterfind(f"{{{ns}}}validation/{{{ns}}}constraint"):
        key = _BOUNDS.get((c.get("name") or "").strip())
        if key is None:
            continue
        config = (c.get("config") or "").strip()
        try:
            number = float(config)
        except ValueError:
            if result is not None:
                result.notes.append((f"表单字段「{f.get('label') or f.get('id')}」的校验「{c.get('name')}」的值「{config}」"
                                     "不是数字，本系统不检查它", f))
            continue
        bounds[key] = int(number) if key in ("minLength", "maxLength") or number.is_integer() else number
    return bounds


def _embedded_form(el, form_key: str | None):
    """The ``zeebe:userTaskForm`` a ``camunda-forms:bpmn:<id>`` key names: in the extension elements
    of a process or subprocess around ``el`` (Camunda Modeler writes it on the process), else
    anywhere in the file; None when the key is of another kind or no such form is in the file."""
    form_id = camunda_forms.embedded_id(form_key)
    if form_id is None:
        return None
    tag = f"{{{ZEEBE_NS}}}userTaskForm"
    owner = el.getparent()
    while owner is not None:
        ext = owner.find(f"{B}extensionElements")
        if ext is not None:
            for form in ext.iterfind(tag):
                if form.get("id") == form_id:
                    return form
        owner = owner.getparent()
    return next((form for form in el.getroottree().getroot().iter(tag) if form.get("id") == form_id), None)


def _zeebe_form(el, definition, result: Normalized | None) -> list[dict]:
    """The fields of a Camunda 8 form (engine/camunda_forms.py): embedded in the file (``formKey``
    naming a ``zeebe:userTaskForm``), or linked (``formId`` naming a ``.form`` file deployed beside the
    model in Zeebe: our deploy takes one file, so the task gets the generic form, and a warning at deploy
    names the task, the form and how to embed it: the model still runs, not silently half-read)."""
    form_id = (definition.get("formId") or "").strip()
    if form_id:
        if result is not None:
            result.notes.append((f"{label(el)} 链接的 Camunda 表单「{form_id}」（.form 文件）不在模型文件中，本系统"
                                 "读不到它，办理时使用通用办理表单；要显示并检查该表单，请把表单文件与模型一同部署（流程设计中"
                                 f"「导入文件」时一并选择 {form_id}.form，接口 POST /api/models 的 forms 字段，或 duban deploy 模型.bpmn {form_id}.form），或在 Camunda "
                                 "Modeler 中把表单类型改为「Camunda Form (embedded)」后重新导出再部署", el))
        return []
    external = (definition.get("externalReference") or "").strip()
    if external and not (definition.get("formKey") or "").strip():
        # Camunda 8.4's custom form (Tasklist opens that address, or the app the key names): not a form here
        if result is not None:
            result.notes.append((f"{label(el)} 的表单是外部页面「{excerpt(external)}」（zeebe:formDefinition externalReference），"
                                 "本系统不打开外部页面，也读不到其中的填写项，办理时使用通用办理表单；要在本系统中填写并检查这些项，"
                                 "请在 Camunda Modeler 中画出表单（Camunda Form）并嵌入模型或与模型一同部署", el))
        return []
    form = _embedded_form(el, definition.get("formKey"))
    if form is None:
        return []
    try:
        fields, warnings = camunda_forms.fields(camunda_forms.parse(form.text or ""))
    except camunda_forms.FormError as exc:
        if result is not None:
            result.problems.append((f"{label(el)} 的 Camunda 表单「{form.get('id')}」{exc}；"
                                    "请在 Camunda Modeler 中重新编辑该表单后导出", el))
        return []
    if result is not None:
        if etree.QName(el).localname == "startEvent":  # filled before the case exists
            warnings = [*warnings, *camunda_forms.start_form_warnings(fields)]
        for warning in warnings:
            result.notes.append((f"{label(el)} 的表单中，{warning}", el))
        for f in fields:
            if f["id"] and keyword.iskeyword(f["id"]):
                result.problems.append((f"{label(el)} 的表单字段「{f['label'] or f['id']}」的键「{f['id']}」与 Python 的保留字"
                                        f"同名，本系统无法读取它；请改用别的名字（如「{rename_for(f['id'])}」），"
                                        "并在条件中使用新名字", el))
            elif f["id"] and not f["id"].isidentifier():
                result.problems.append((f"{label(el)} 的表单字段「{f['label'] or f['id']}」的键「{f['id']}」不是有效的"
                                        "变量名（本系统只支持单个变量名，不支持「a.b」这样的字段路径）；请在表单中改为一个变量名", el))
    return fields


def _date_pattern(f) -> dict:
    """A date ``formProperty``'s ``datePattern`` (``dd-MM-yyyy``: how the form types its day; read by
    engine/model_forms.py) as ``{"datePattern": ...}``; nothing for another field or none drawn."""
    pattern = (f.get("datePattern") or "").strip()
    return {"datePattern": pattern} if pattern and (f.get("type") or "").lower() == "date" else {}


def _enum_values(f, ns: str) -> dict:
    """An enum field's choices as ``{"values": [[id, name], ...]}`` (the id is what is stored, the
    name what the form shows); nothing for another type."""
    if (f.get("type") or "").lower() != "enum":
        return {}
    return {"values": [[v.get("id"), v.get("name") or v.get("id")] for v in f.iterfind(f"{{{ns}}}value") if v.get("id")]}


def _is_external(el) -> bool:
    if (_vendor_attr(el, "type") or "").lower() == "external":
        return True
    ext = el.find(f"{B}extensionElements")
    return ext is not None and ext.find(f"{{{ZEEBE_NS}}}taskDefinition") is not None


def handler_name(el) -> tuple[str, str | None]:
    """(kind, name) for a service task: ("external", topic), ("handler", name) or ("none", None)."""
    if el.find(f"{B}extensionElements/{S}serviceTaskOperator") is not None:
        return "handler", el.find(f"{B}extensionElements/{S}serviceTaskOperator").get("id")
    if (_vendor_attr(el, "type") or "").strip().lower() in ("external", "external-worker"):  # Flowable's: external-worker
        return "external", ((_vendor_attr(el, "topic") or "").strip() or el.get("id"))
    ext = el.find(f"{B}extensionElements")
    if ext is not None:
        definition = ext.find(f"{{{ZEEBE_NS}}}taskDefinition")
        if definition is not None:
            return "external", definition.get("type") or el.get("id")
    cls = _vendor_attr(el, "class")
    if cls:
        return "handler", cls.strip().split(".")[-1]
    for attr in ("delegateExpression", "expression"):
        value = _vendor_attr(el, attr)
        if value:
            body = value.strip()
            if language_of(body) is not None:
                body = body[2:-1] if body[0] in "$#" else body[1:]
            body = body.strip().split("(")[0]
            return "handler", body.split(".")[-1] if "." in body else body
    return "none", None


# Flowable's and Activiti's service task types that call something outside the case (``flowable:type``):
# what each would do, and what does not happen here.
TYPED_SERVICE_TASKS = {
    "http": ("HTTP 任务", "不会发出 HTTP 请求"), "mail": ("邮件任务", "不会发送邮件"),
    "shell": ("命令行任务", "不会在服务器上执行命令"), "camel": ("Camel 集成任务", "不会调用 Camel 路由"),
    "mule": ("Mule 集成任务", "不会调用 Mule 服务"), "send-event": ("发送事件任务", "不会向事件通道发送事件"),
}


def _note_typed_service_task(el, result: Normalized) -> None:
    """A Flowable or Activiti service task typed ``http``, ``mail``, ``shell``, ``camel``, ``mule`` or
    ``send-event`` (RuoYi/BootDo demos' 接口调用 and 邮件通知): the engine it was drawn for makes the call;
    here it is a task a person does (engine/service_tasks.py: no handler), which the deploy said only as
    「字段注入…不会执行」. Said on the task: what it would have done, that it is not done, and what to
    draw for a program to do it (an external task)."""
    kind = (_vendor_attr(el, "type") or "").strip().lower()
    if kind not in TYPED_SERVICE_TASKS:
        return
    what, not_done = TYPED_SERVICE_TASKS[kind]
    ns = next(ns for ns in VENDOR_NS if el.get(f"{{{ns}}}type") is not None)
    vendor = {FLOWABLE_NS: "Flowable", ACTIVITI_NS: "Activiti"}.get(ns, "Camunda")
    result.notes.append((f"{label(el)} 是 {vendor} 的{' ' if what[0].isascii() else ''}{what}（{_prefix_of(el, ns)}type=\"{kind}\"），本系统{not_done}；该任务将交由人员办理，"
                         "办理人完成后流程继续。需要由外部程序完成的，请改为外部任务（camunda:type=\"external\" 并填写主题，"
                         "或 Flowable 的外部工作者任务 flowable:type=\"external-worker\"）", el))


def _prefix_of(el, ns: str) -> str:
    """The prefix the file writes the vendor namespace ``ns`` with (``flowable:``), else none."""
    prefix = next((p for p, uri in (el.nsmap or {}).items() if uri == ns and p), None)
    return f"{prefix}:" if prefix else ""


def _flowable_decision(el, result: Normalized) -> bool:
    """决策任务: Flowable's modeler saves a decision task as ``serviceTask flowable:type="dmn"`` with
    the decision's key in the field ``decisionTableReferenceKey``; it becomes the business rule
    task it is (engine/dialects.py gives it ``calledDecisionId``), so the decision runs instead of
    the task waiting for a person. Without a key it is refused naming the task."""
    if (_vendor_attr(el, "type") or "").strip().lower() != "dmn":
        return False
    key = None
    ext = el.find(f"{B}extensionElements")
    for ns in VENDOR_NS:
        for f in ext.iterfind(f"{{{ns}}}field") if ext is not None else ():
            if f.get("name") == "decisionTableReferenceKey":
                key = (f.get("stringValue") or f.findtext(f"{{{ns}}}string") or f.get("expression")
                       or f.findtext(f"{{{ns}}}expression") or "").strip()
    if not key or language_of(key) is not None:
        result.problems.append((f"{label(el)} 是决策任务，但没有填写决策表的编号（decisionTableReferenceKey）；"
                                "请填写已部署决策表的编号", el))
        return True
    el.tag = f"{B}businessRuleTask"
    etree.SubElement(_extension_elements(el), f"{S}calledDecisionId").text = key
    result.notes.append((f"{label(el)} 按决策任务运行决策表「{key}」", el))
    return True


_PLAIN_READ = re.compile(r"[A-Za-z_]\w*(?:\[['\"][^'\"]*['\"]\])*")


def _python_instead(text: str, what: str) -> str:
    """What to write instead of a condition in another language (JavaScript, Groovy): the Python that
    means the same where it reads as the JUEL it shares its operators with (``execution.getVariable("fine")
    >= 50000`` is ``fine >= 50000``), else the rule."""
    said = None
    if text.strip() and "\n" not in text.strip() and ";" not in text:
        try:
            said = equivalent("${" + text.strip() + "}", JUEL)
        except (Untranslatable, ValueError, SyntaxError):
            said = None
    if said:
        return f"请把该{what}改写为 Python 表达式「{excerpt(said, ADVICE)}」，并去掉语言设置（language）"
    return f"请把该{what}改写为 Python 表达式（流程变量直接写变量名，如 fine >= 50000），并去掉语言设置（language）"


def _expression_service_task(el, result: Normalized) -> bool:
    """A service task whose ``camunda:expression`` (``flowable:``, ``activiti:``) computes a value —
    ``${dailyFine * days}`` into ``activiti:resultVariableName="totalFine"`` (``resultVariable``),
    ``${totalFine >= 100000}``, or ``${execution.setVariable('stage', '待决定')}`` — as Camunda 7,
    Flowable and Activiti run it: the expression evaluated when the case reaches the task, its value
    stored in the result variable (without one, dropped), the case going on. Before, the text was
    taken for the name of a Python handler none had registered, and the task waited for a person
    (「计算连续处罚总额」 in the inspector's queue). Becomes the script task that means the same
    (``totalFine = dailyFine * days``). An expression that only names something (``${issueNotice}``,
    ``${notifier.send(execution)}``: a bean of the system it was drawn for) stays a handler's name;
    True when the task was made a script task."""
    drawn = original = (_vendor_attr(el, "expression") or "").strip()
    if not drawn or any(_vendor_attr(el, a) for a in ("class", "delegateExpression", "type")) or _is_external(el):
        return False
    target = (_vendor_attr(el, "resultVariable") or _vendor_attr(el, "resultVariableName") or "").strip()
    setter = _SET_VARIABLE.match(drawn)
    if setter:
        target, drawn = setter.group(2), "${" + setter.group(3) + "}"
    try:
        python = literal_or_expression(drawn)
    except Untranslatable:
        return False  # a bean's method (refused or noted where handlers are)
    if not setter and (_PLAIN_READ.fullmatch(python) or language_of(drawn) is None):
        return False
    if target and (not target.isidentifier() or keyword.iskeyword(target)):
        result.problems.append((f"{label(el)} 的结果变量「{excerpt(target)}」不是有效的变量名", el))
        return True
    el.tag = f"{B}scriptTask"
    el.set("scriptFormat", "python")
    for ns in VENDOR_NS:
        el.attrib.pop(f"{{{ns}}}expression", None)
    script = etree.SubElement(el, f"{B}script")
    script.text = f"{target} = {python}" if target else "pass"
    result.translations.append({"element_id": el.get("id"), "from": original, "to": script.text})
    return True


def _service_task(el, result: Normalized) -> None:
    kind, name = handler_name(el)
    if el.find(f"{B}extensionElements/{S}serviceTaskOperator") is not None:
        _note_connector_command(el, name or "", result)
        return
    ext = _extension_elements(el)
    operator = etree.SubElement(ext, f"{S}serviceTaskOperator")
    if kind == "external":
        operator.set("id", "")
        _set_property(el, "externalTopic", name)
        _job_retries(el, result)
    else:
        operator.set("id", name or "")
    result_var = _vendor_attr(el, "resultVariable")
    if result_var:
        operator.set("resultVariable", result_var)


def _note_connector_command(el, command: str, result: Normalized) -> None:
    """spiff-arena's service task names a command of its connector proxy, ``<connector>/<command>``
    (``http/GetRequestV2``, ``smtp/SendHTMLEmail``, ``aws/AddDynamoItem``), with parameters and a result
    variable: spiff-arena sends the call out and stores the answer. Our handlers are Python functions
    the ``workflows`` layer registers by a plain name, never such a command, so the task waits for a
    person (engine/service_tasks.py): said at deploy with what is not set, rather than found out when
    the gateway after it reads a result nobody wrote."""
    if "/" not in command.strip("/"):
        return
    operator = el.find(f"{B}extensionElements/{S}serviceTaskOperator")
    target = (operator.get("resultVariable") or "").strip() if operator is not None else ""
    unset = (f"；结果变量「{excerpt(target)}」不会被设置，后续环节要用它时，请在该任务上画表单让办理人填写，"
             "或由办理人通过接口完成任务时一并提交" if target else "")
    result.notes.append((f"{label(el)} 调用的是 spiff-arena 连接器代理的命令「{excerpt(command)}」，本系统不调用外部连接器，"
                         f"该任务将交由人员办理，办理人完成后流程继续{unset}", el))


def _job_retries(el, result: Normalized) -> None:
    """Camunda 8's ``zeebe:taskDefinition retries="2"``: the job's attempts before an incident (Zeebe's
    default 3), kept as the task's ``externalRetries`` property (engine/external_tasks.py). It was
    dropped without a word: a job drawn to stop after 2 failed attempts was offered a third time."""
    definition = el.find(f"{B}extensionElements/{{{ZEEBE_NS}}}taskDefinition")
    written = (definition.get("retries") or "").strip() if definition is not None else ""
    if not written:
        return
    digits = written[1:].strip() if written.startswith("=") else written
    if digits.isdigit() and digits.isascii() and 0 < int(digits) <= 1000:
        _set_property(el, "externalRetries", str(int(digits)))
        return
    result.problems.append((f"{label(el)} 的重试次数（zeebe:taskDefinition retries）「{excerpt(written)}」不是 1 到 1000 的"
                            "整数；请填写作业失败后最多尝试的次数，如 3", el))


# FEEL in a decision table's cells (Camunda Modeler's DMN): the literals and ranges SpiffWorkflow's
# Python cells read otherwise. Strings in quotes are kept as they are.
_FEEL_CELL = re.compile(r'("(?:[^"\\]|\\.)*")|\b(true|false|null)\b')
_FEEL_LITERALS = {"true": "True", "false": "False", "null": "None"}
_FEEL_RANGE = re.compile(r"^\s*([\[\]\(])\s*([^.\s][^.]*?)\s*\.\.\s*([^\])\[]+?)\s*([\]\[\)])\s*$")


def feel_cell(text: str) -> str:
    """A DMN input or output cell in Python: FEEL ``true``/``false``/``null`` and ranges
    (``[10..100)`` becomes ``10 <= ? < 100``, SpiffWorkflow's two-sided test)."""
    text = _FEEL_CELL.sub(lambda m: m.group(1) or _FEEL_LITERALS[m.group(2)], text)
    m = _FEEL_RANGE.match(text)
    if m:
        low = "<=" if m.group(1) == "[" else "<"
        high = "<=" if m.group(4) == "]" else "<"
        return f"{m.group(2)} {low} ? {high} {m.group(3)}"
    return text


# FEEL that is no Python: an if-expression or list contains() (a list literal reads the same in both).
_FEEL_ONLY = re.compile(r"\bif\b.*\bthen\b|\blist\s+contains\s*\(", re.S)


def _feel_test(text: str) -> str:
    """One alternative of an input entry as a test of ``?``: a range or ``?`` test as it is, a
    comparison (``< 5``) applied to ``?``, a value compared with ``?``."""
    text = feel_cell(text.strip())
    if "?" in text:
        return text
    if re.match(r"(<=|>=|!=|==|<|>)", text):
        return f"? {text}"
    return f"? == {text}"


# A negated unary test (FEEL ``not("危险化学品","烟花爆竹")``, ``not(< 100)``): none of its tests holds.
_FEEL_NOT = re.compile(r"^\s*not\s*\((.*)\)\s*$", re.S)
# FEEL's built-in functions a decision table's Python cell has no such name for (``count(hazards)``,
# ``string length(name)``, ``date("2026-01-01")``…): kept as they were, the cell deployed and every
# case reaching the table stopped with an incident (NameError, or Python's date on a string).
_FEEL_FUNCTIONS = re.compile(
    r"(?<![\w.])(?<!list )(count|string length|upper case|lower case|substring(?: before| after)?|starts with|ends with|"
    r"matches|replace|contains|string|number|date and time|date(?=\s*\(\s*\")|time(?=\s*\(\s*\")|duration|"
    r"years and months duration|append|concatenate|distinct values|flatten|index of|insert before|remove|reverse|"
    r"sort|union|mean|median|stddev|mode|product|sublist|floor|ceiling|decimal|modulo|sqrt|odd|even|"
    r"day of week|month of year|week of year|day of year|get value|get entries|context put|assert)\s*\(")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


# FEEL built-in functions a cell's Python says exactly (DMN 1.3, 10.3.4): ``count(l)`` and ``string
# length(s)`` are ``len``, ``contains(s, t)`` is ``t in s``, ``starts with``/``ends with``/``upper
# case``/``lower case`` the string's methods, ``date("2026-11-01")`` and ``date and time("2026-11-01T09:00:00")``
# their ISO text (engine/dmn.py reads a date or date and time column's value as ISO text, so they compare as the
# days and moments they are); ``sum``, ``min``, ``max``, ``substring`` and a date of a value the case decides
# (``date(reportDay)``) engine/feel_functions' helpers, which compute them as feel-scala does when the case runs.
_FEEL_CALL = re.compile(r"(?<!\w)(?<!\w\.)(?<!list )(count|string length|string join|string|upper case|lower case|contains|starts with|"
                        r"ends with|sum|min|max|substring(?!\s+(?:before|after)\b)|date and time|date|years and months duration|"
                        r"duration|now|today|day of week|month of year|"
                        r"uuid|distinct values|append|concatenate|index of|sublist|reverse|flatten|union|remove|insert before|"
                        r"mean|product|all|any|context put|context merge|get value|get entries)\s*\(")
_CALL_PLACEHOLDER = re.compile(r"duban_call_\d+")
_FEEL_PROPERTY = re.compile(r"\s*\.\s*([A-Za-z_]\w*)")  # a property of a call's value (DMN 1.3 §10.3.2.1)
_OUTSIDE_QUOTES_Q = re.compile(r"\?(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")  # a ? not inside a "string"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _null_safe(args: list[str], python: str) -> str:
    """``python`` null when an argument that is not a literal is null (FEEL: ``count(null)`` is null)."""
    names = [a for a in args if not re.match(r"""\s*(["'\d-]|True\b|False\b)""", a)]
    if not names:
        return python
    return f"(None if {' or '.join(f'({a}) is None' for a in names)} else {python})"


def _call_python(name: str, args: list[str], raw: list[str], cell: str) -> str:
    """One FEEL call as Python (``args`` already Python, ``raw`` as written)."""
    def refuse(reason: str):
        return Untranslatable(FEEL, "=" + cell.strip(), reason)

    if name in ("now", "today", "uuid"):  # on the engine's clock (engine/scripting.py); Zeebe's uuid()
        if args:
            raise refuse(f"调用的函数「{name}()」不带参数")
        return {"now": feel_functions.NOW, "today": feel_functions.TODAY, "uuid": feel_functions.UUID}[name] + "()"
    if name == "duration":  # duration("P3D") or of data: its ISO text, checked (engine/feel_functions.py)
        if len(args) != 1:
            raise refuse("调用的函数「duration(...)」须有 1 个参数，如 duration(\"P3D\")")
        return f"{feel_functions.DURATION}({args[0]})"
    one_of = {"string": feel_functions.STRING, "day of week": feel_functions.DAY_OF_WEEK,
              "month of year": feel_functions.MONTH_OF_YEAR}
    if name in one_of:  # string(rectifyDays), day of week(deadline): computed when the case runs
        if len(args) != 1:
            raise refuse(f"调用的函数「{name}(...)」须有 1 个参数")
        return f"{one_of[name]}({args[0]})"
    if name == "years and months duration":  # years and months duration(licensedOn, today())
        if len(args) != 2:
            raise refuse("调用的函数「years and months duration(...)」须有 2 个参数（起始日期、结束日期）")
        return f"{feel_functions.YEARS_MONTHS}({args[0]}, {args[1]})"
    if name == "date and time" and len(args) == 2:  # date and time(date, time)
        return f"{feel_functions.DATE_TIME}({args[0]}, {args[1]})"
    expected = {"count": 1, "string length": 1, "upper case": 1, "lower case": 1, "contains": 2, "starts with": 2,
                "ends with": 2, "date and time": 1}.get(name)
    if expected is not None and len(args) != expected:
        raise refuse(f"调用的函数「{name}(...)」须有 {expected} 个参数")
    if name in ("count", "string length"):
        return _null_safe(args, f"len({args[0]})")
    if name in ("upper case", "lower case"):
        return _null_safe(args, f"({args[0]}).{name.split()[0]}()")
    if name == "contains":
        return _null_safe(args, f"(({args[1]}) in ({args[0]}))")
    if name in ("starts with", "ends with"):
        return _null_safe(args, f"({args[0]}).{name.replace(' ', '')}({args[1]})")
    if name in ("sum", "min", "max"):  # of a list, or of the values given
        if not args:
            raise refuse(f"调用的函数「{name}(...)」须有参数")
        helper = {"sum": feel_functions.SUM, "min": feel_functions.MIN, "max": feel_functions.MAX}[name]
        return f"{helper}({', '.join(args)})"
    if name == "substring":
        if len(args) not in (2, 3):
            raise refuse("调用的函数「substring(...)」须有 2 或 3 个参数（文字、起始位置[、长度]）")
        return f"{feel_functions.SUBSTRING}({', '.join(args)})"
    if name in feel_collections.ARITY:  # list and context functions (engine/feel_collections.py)
        fewest, most = feel_collections.ARITY[name]
        if len(args) < fewest or most is not None and len(args) > most:
            count = str(fewest) if fewest == most else f"{fewest} 到 {most}" if most else f"至少 {fewest}"
            raise refuse(f"调用的函数「{name}(...)」须有 {count} 个参数")
        return f"{feel_collections.CALL}({name!r}, {', '.join(args)})"
    import ast
    import datetime as dt
    try:
        if name == "date" and len(raw) == 3 and all(a.isdigit() for a in raw):
            return repr(dt.date(*(int(a) for a in raw)).isoformat())
        literal = ast.literal_eval(raw[0]) if len(raw) == 1 else None
        if name == "date" and isinstance(literal, str) and _ISO_DAY.fullmatch(literal):
            return repr(dt.date.fromisoformat(literal).isoformat())
        if name == "date and time" and isinstance(literal, str) and "T" in literal:
            return repr(dt.datetime.fromisoformat(literal).isoformat())
    except (ValueError, SyntaxError):
        pass
    if len(raw) == 1 and not raw[0].startswith(('"', "'")):  # date(reportDay): read when the case runs
        return f"{feel_functions.DATE if name == 'date' else feel_functions.DATE_TIME}({args[0]})"
    raise refuse(f"调用的函数「{name}(...)」须写成具体的日期，如 date(\"2026-11-01\")、date and time(\"2026-11-01T09:00:00\")")


def _feel_calls(cell: str, text: str, calls: dict[str, str]) -> str:
    """``text`` with each FEEL call ``_FEEL_CALL`` knows replaced by a placeholder name whose Python is
    put in ``calls`` (the translator reads no call); its arguments translated as FEEL."""
    out, at = [], 0
    masked = _QUOTED.sub(lambda m: '"' + " " * (len(m.group()) - 2) + '"', text)
    while (m := _FEEL_CALL.search(masked, at)):
        close = closing(text, m.end() - 1)
        if close is None:
            raise Untranslatable(FEEL, "=" + cell.strip(), "括号不配对")
        inner = text[m.end():close]
        raw = [a.strip() for a in split_top_level(inner)] if inner.strip() else []
        args = [_feel_argument(cell, a, calls) for a in raw]
        placeholder = f"duban_call_{len(calls)}"
        python = _call_python(m.group(1), args, raw, cell)
        out += [text[at:m.start()], placeholder]
        at = close + 1
        while (prop := _FEEL_PROPERTY.match(text, at)):  # years and months duration(a, b).years
            python, at = f"{feel_functions.PROPERTY}({python}, {prop.group(1)!r})", prop.end()
        calls[placeholder] = python
    return "".join(out) + text[at:]


def _feel_argument(cell: str, text: str, calls: dict[str, str]) -> str:
    """A FEEL call's argument as Python (``?``, the column's input, kept)."""
    inner = _OUTSIDE_QUOTES_Q.sub("duban_input", _feel_calls(cell, text, calls))
    return _restore_calls(translate("=" + inner), calls).replace("duban_input", "?")


def _restore_calls(text: str, calls: dict[str, str]) -> str:
    return _CALL_PLACEHOLDER.sub(lambda m: calls[m.group()], text)


def _literal_decisions(root: etree._Element) -> None:
    """A decision whose logic is a literal expression (字面表达式: ``<variable name="season"/>`` and
    ``<literalExpression><text>if risk = "高" then "每季度" else "每年"</text>``, as Camunda 7 and 8
    evaluate them) as the table that means the same: no inputs, one rule always hit, its one output
    (named by the variable, else the decision's id) the expression. Its cell is then translated
    like any other (``_dmn_cell``), so it runs, is required by a table, and is refused naming the
    decision, as a table is."""
    for decision in root:
        if not isinstance(decision.tag, str) or etree.QName(decision).localname != "decision":
            continue
        ns = etree.QName(decision).namespace
        literal = decision.find(f"{{{ns}}}literalExpression")
        if literal is None or decision.find(f"{{{ns}}}decisionTable") is not None:
            continue
        variable = decision.find(f"{{{ns}}}variable")
        name = (variable.get("name") if variable is not None else None) or decision.get("id")
        type_ref = (variable.get("typeRef") if variable is not None else None) or literal.get("typeRef") or ""
        base = literal.get("id") or f"{decision.get('id')}_literal"
        table = etree.Element(f"{{{ns}}}decisionTable", id=f"{base}_table", hitPolicy="UNIQUE")
        etree.SubElement(table, f"{{{ns}}}output", id=f"{base}_output", name=name,
                         label=decision.get("name") or name, typeRef=type_ref)
        rule = etree.SubElement(table, f"{{{ns}}}rule", id=f"{base}_rule")
        entry = etree.SubElement(rule, f"{{{ns}}}outputEntry", id=f"{base}_entry")
        etree.SubElement(entry, f"{{{ns}}}text").text = literal.findtext(f"{{{ns}}}text") or ""
        entry.find(f"{{{ns}}}text").sourceline = literal.sourceline
        decision.replace(literal, table)


_TABLE_PARTS = ("input", "output", "rule")
_NEEDS_ID = ("decisionTable", "input", "output", "rule", "inputEntry", "outputEntry", "inputExpression")


def _table_ids_and_parts(root: etree._Element) -> None:
    """What SpiffWorkflow's DMN parser needs and other tools leave out: an id on each table, input,
    output, rule and cell (Flowable's modeler saves ``<input label="…">`` and ``<rule>`` without
    one: SpiffWorkflow's parser stopped on the missing key, 「模型结构无法识别」), and nothing in a
    table but its inputs, outputs and rules (a table's description or annotation column, which it
    refused as an unknown part)."""
    taken = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        kind = etree.QName(el).localname
        if kind in _NEEDS_ID and not el.get("id"):
            n = 1
            while f"{kind}_{n}" in taken:
                n += 1
            el.set("id", f"{kind}_{n}")
            taken.add(f"{kind}_{n}")
        if kind == "decisionTable":
            for part in list(el):
                if not isinstance(part.tag, str) or etree.QName(part).localname not in _TABLE_PARTS:
                    el.remove(part)
            outputs = [o for o in el if etree.QName(o).localname == "output"]
            decision = el.getparent()
            if len(outputs) == 1 and not outputs[0].get("name") and not outputs[0].get("label") and decision is not None:
                outputs[0].set("name", decision.get("id"))  # Camunda Modeler's template: the result has no other name


# A FEEL name may hold spaces (Trisotech: ``Credit Score``, ``Applicant Data.Monthly Income``); a
# Python name cannot. An input expression or output that is only such a path is read by its keys
# (engine/dmn.py FEEL_PATH); anywhere else it is refused, naming the name.
_SPACED_PATH = re.compile(r"[^\W\d]\w*(?: \w+)*(?:\.[^\W\d]\w*(?: \w+)*)*")
_PYTHON_WORDS = {"and", "or", "not", "in", "is", "if", "else", "then", "for", "between", "instance", "of",
                 "satisfies", "every", "some", "return", "function", "true", "false", "null"}


def _spaced_path(text: str) -> bool:
    t = text.strip()
    return (" " in t and bool(_SPACED_PATH.fullmatch(t))
            and not any(w.lower() in _PYTHON_WORDS for w in re.split(r"[ .]", t)))


def _dmn_cell(kind: str, text: str) -> str:
    """A DMN cell in Python: FEEL if-expressions and list contains() translated
    (engine/expressions.py); an input entry's alternatives (``"危险化学品","烟花爆竹"``: any of
    them) joined with ``or``, a negated one (``not("矿山")``: none of them) as ``not (...)`` — kept
    as it was, SpiffWorkflow compared the input with the Python value ``not "矿山"`` (False), so the
    rule never matched and the table answered another rule silently; then ``feel_cell``. Raises
    Untranslatable. FEEL functions with an exact Python (``_FEEL_CALL``) are translated first."""
    if kind in ("inputExpression", "outputEntry") and _spaced_path(text):
        return f"{FEEL_PATH}({text.strip()!r})"
    if language_of(text) == JUEL:  # Camunda 7's expressionLanguage="juel" (the cell's input is cellInput)
        # the column's value is named by the table's own words (决策表…对输入「月份」), not by cellInput
        text = re.sub(r"\bcellInput\b", "?", translate(text.strip()).replace("'cellInput'", "''"))
    cell, calls = text, {}
    text = _feel_calls(cell, text, calls)
    function = _FEEL_FUNCTIONS.search(_QUOTED.sub('""', text))
    if function:
        raise Untranslatable(FEEL, "=" + cell.strip(), f"调用了函数「{excerpt(function.group(1))}(...)」（决策表的单元格按 Python 计算，没有这个 FEEL 函数）")
    if _FEEL_ONLY.search(text):  # ``list contains(?, "重大")``: the column's input kept through the translation
        text = _OUTSIDE_QUOTES_Q.sub("duban_input", text)
        text = translate("=" + text).replace("duban_input", "?")
    text = _restore_calls(text, calls)
    if kind == "inputEntry" and (negated := _FEEL_NOT.match(text)) and negated.group(1).strip():
        tests = " or ".join(f"({_feel_test(a)})" for a in split_top_level(negated.group(1)))
        return f"not ({tests})"
    if kind == "inputEntry":
        alternatives = split_top_level(text)
        if len(alternatives) > 1:
            return " or ".join(f"({_feel_test(a)})" for a in alternatives)
    return feel_cell(text)


def normalize_dmn(root: etree._Element, filename: str | None = None) -> etree._Element:
    """A copy of a DMN file with its table cells and input expressions in Python (``_dmn_cell``);
    FEEL that cannot be translated is refused naming the decision and the rule (or input)."""
    from .errors import InvalidModel

    root = copy.deepcopy(root)
    _literal_decisions(root)
    _check_requirements(root, filename)
    _table_ids_and_parts(root)
    for el in root.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname == "decisionTable":
            _check_hit_policy(el, filename)
        if isinstance(el.tag, str) and etree.QName(el).localname == "decisionTable" and not el.get("name"):
            decision = el.getparent()  # SpiffWorkflow keeps only the table: an incident names it by its decision
            if decision is not None and decision.get("name"):
                el.set("name", decision.get("name"))
        if isinstance(el.tag, str) and etree.QName(el).localname in ("inputEntry", "outputEntry", "inputExpression"):
            text = el.find(f"{{{etree.QName(el).namespace}}}text")
            if text is None or not text.text:
                continue
            _check_expression_language(el, text, filename)
            try:
                text.text = _dmn_cell(etree.QName(el).localname, text.text)
            except Untranslatable as exc:
                owner = el.getparent()
                decision = next((a for a in el.iterancestors() if etree.QName(a).localname == "decision"), None)
                where = "规则" if etree.QName(owner).localname == "rule" else "输入"
                name = f"决策「{decision.get('name') or decision.get('id')}」" if decision is not None else "决策"
                message = (f"{name} 的{where} ({owner.get('id')}) 使用 FEEL 表达式「{excerpt(exc.text.lstrip('='))}」，"
                           f"{exc.reason}；{dmn_advice(etree.QName(el).localname, exc.text)}")
                raise InvalidModel(message, filename=filename, line=text.sourceline, element_id=owner.get("id"),
                                   problems=[{"message": message, "element_id": owner.get("id"),
                                              "line": text.sourceline, "severity": "error"}]) from None
    return root


def _check_hit_policy(table: etree._Element, filename: str | None) -> None:
    """A decision table's hit policy and aggregation are ones DMN 1.3 has (engine/dmn.py evaluates
    them), and PRIORITY and OUTPUT ORDER have the output values whose order they follow."""
    from .dmn import AGGREGATIONS, HIT_POLICIES, HIT_POLICY_NAMES
    from .errors import InvalidModel

    decision = table.getparent()
    name = f"决策「{decision.get('name') or decision.get('id')}」" if decision is not None else "决策"
    policy = (table.get("hitPolicy") or "UNIQUE").strip().upper()
    aggregation = (table.get("aggregation") or "").strip().upper()
    ns = etree.QName(table).namespace
    outputs = table.findall(f"{{{ns}}}output")
    message = None
    if policy not in HIT_POLICIES:
        message = (f"{name}的命中策略「{table.get('hitPolicy')}」无法识别；"
                   f"请在建模工具中选择{'、'.join(f'「{n}」' for n in HIT_POLICY_NAMES.values())}之一")
    elif aggregation and (policy != "COLLECT" or aggregation not in AGGREGATIONS):
        message = (f"{name}的汇总方式「{table.get('aggregation')}」只能用于「COLLECT（收集）」命中策略，"
                   "且须为「SUM（求和）」「MIN（最小）」「MAX（最大）」或「COUNT（计数）」")
    elif policy in ("PRIORITY", "OUTPUT ORDER") and not any(
            (o.findtext(f"{{{ns}}}outputValues/{{{ns}}}text") or "").strip() for o in outputs):
        first = outputs[0] if outputs else None
        output = (first.get("label") or first.get("name") or first.get("id")) if first is not None else "结果"
        message = (f"{name}的命中策略为「{HIT_POLICY_NAMES[policy]}」，须在输出「{output}」中列出输出值的先后"
                   f'（输出值，如 "高","中","低"，排在前面的优先）；或改用「{HIT_POLICY_NAMES["FIRST"]}」命中策略')
    if message:
        raise InvalidModel(message, filename=filename, line=table.sourceline, element_id=table.get("id"),
                           problems=[{"message": message, "element_id": table.get("id"), "line": table.sourceline,
                                      "severity": "error"}])


# A decision's parts other than its logic (DMN 1.3, 6.3.7).
_DECISION_PARTS = {"description", "extensionElements", "question", "allowedAnswers", "variable", "informationRequirement",
                   "knowledgeRequirement", "authorityRequirement", "supportedObjective", "impactedPerformanceIndicator",
                   "decisionMaker", "decisionOwner", "usingProcess", "usingTask"}


def _check_requirements(root: etree._Element, filename: str | None) -> None:
    """A DRD's decisions (决策需求图) can be run: each is a decision table (engine/dmn.py evaluates a
    decision's required decisions first), requires only decisions of this file, and none requires
    itself through others. Refused naming the decision in Chinese."""
    from .errors import InvalidModel

    decisions = {d.get("id"): d for d in root if isinstance(d.tag, str) and etree.QName(d).localname == "decision"}

    def name(d) -> str:
        return f"决策「{d.get('name') or d.get('id')}」"

    def requires(d) -> list[str]:
        return [r.get("href", "").rpartition("#")[2] for r in d.iter()
                if isinstance(r.tag, str) and etree.QName(r).localname == "requiredDecision"]

    def refuse(message: str, d) -> None:
        raise InvalidModel(message, filename=filename, line=d.sourceline, element_id=d.get("id"),
                           problems=[{"message": message, "element_id": d.get("id"), "line": d.sourceline,
                                      "severity": "error"}])

    for d in decisions.values():
        kinds = {etree.QName(c).localname for c in d if isinstance(c.tag, str)} - _DECISION_PARTS
        if not kinds:  # Camunda Modeler's new decision before a table is drawn in it
            refuse(f"{name(d)}还没有决策逻辑；请在建模工具中为它画出决策表后再部署", d)
        if "decisionTable" not in kinds:
            kind = "字面表达式（literal expression）" if "literalExpression" in kinds else "决策表以外的形式"
            refuse(f"{name(d)}是{kind}，本系统只能运行决策表；请在建模工具中把它改为决策表（如一行规则、输入为「-」）", d)
        for required in requires(d):
            if required not in decisions:
                refuse(f"{name(d)}依赖的决策「{required}」不在此文件中；请把它画在同一张决策需求图里", d)

    def visit(d_id: str, path: list[str]) -> None:
        if d_id in path:
            cycle = "→".join(f"「{decisions[i].get('name') or i}」" for i in [*path[path.index(d_id):], d_id])
            refuse(f"{name(decisions[d_id])}的依赖形成了环：{cycle}；决策不能经由其他决策依赖它自己", decisions[d_id])
        for required in requires(decisions[d_id]):
            visit(required, [*path, d_id])

    for d_id in decisions:
        visit(d_id, [])


def _check_expression_language(el: etree._Element, text: etree._Element, filename: str | None) -> None:
    """A cell's expression language (its own ``expressionLanguage``, else its table's or the file's)
    is one read here: FEEL, JUEL or Python. Camunda 7 also runs JavaScript, Groovy and JRuby cells;
    read as Python they said something else without a word (``cellInput > 5`` compared the column
    with a missing name). Refused naming the decision and the rule or input."""
    from .errors import InvalidModel

    language = next((a.get("expressionLanguage") for a in (el, *el.iterancestors()) if a.get("expressionLanguage")), "")
    lang = language.strip().lower()
    if not lang or "feel" in lang or lang in ("juel", "python", "py") or "dmn" in lang or "xpath" in lang:
        return
    owner = el.getparent()
    decision = next((a for a in el.iterancestors() if etree.QName(a).localname == "decision"), None)
    where = "规则" if etree.QName(owner).localname == "rule" else "输入"
    name = f"决策「{decision.get('name') or decision.get('id')}」" if decision is not None else "决策"
    message = (f"{name}的{where}（{owner.get('id')}）使用「{language}」表达式，本系统不支持；"
               "请在建模工具中改用 FEEL 表达式（如 >= 100、\"重大\"）")
    raise InvalidModel(message, filename=filename, line=text.sourceline, element_id=owner.get("id"),
                       problems=[{"message": message, "element_id": owner.get("id"), "line": text.sourceline,
                                  "severity": "error"}])
