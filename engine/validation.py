"""Model validation (模型校验): everything a BPMN/DMN file must pass before it is deployed.

Problems are reported with the file, the line and the element id, so the designer can point at the
shape at fault. The same checks serve ``duban deploy``, the REST API and the designer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import assignment, case_numbers, compensation, cron_advice, dialects, restricted, sandbox
from .dialects import KIND_NAMES, label
from .errors import InvalidModel
from .excerpt import excerpt
from .parser import DubanParser
from .timeexpr import KIND_LABELS
from .timers import KIND_OF_ELEMENT, check_timer_expression

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NS_PREFIX = "https://www.omg.org/spec/DMN/"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
MAX_MODEL_BYTES = 5 * 1024 * 1024
# BPMN elements with an id in one file: six times the largest shipped model (enforcement_case, about
# 480 with its diagram). Validation and parsing are linear but not cheap (~1 ms an element); a cap
# keeps every deploy answered within seconds. Larger processes are split into called processes.
MAX_MODEL_ELEMENTS = 3000
# Rules and cells (输入项、输出项) of a DMN file's decision tables: the same bound. A decision is
# evaluated in the host at every completion that reaches it, ~100 µs a cell (20,000 rules of two
# inputs, 4 MB: 3 s of CPU to deploy and 4 s to evaluate, once per case). Real tables hold tens.
DECISION_CELLS = frozenset({"rule", "inputEntry", "outputEntry"})
# Embedded sub-processes (子流程) one inside another: the shipped models nest two, public ones up to
# four. 250 levels (within the element bound) took 0.85 s of the host's CPU to deploy and 2.4 s at
# every start of a case, with the writer's lock held; the cost grows with the cube of the depth.
MAX_SUBPROCESS_NESTING = 30
_SUBPROCESS_TAGS = tuple(f"{{{BPMN_NS}}}{tag}" for tag in ("subProcess", "transaction", "adHocSubProcess"))


@dataclass
class Problem:
    """One finding: an ``error`` refuses the deploy, a ``warning`` is shown and the model deploys."""
    message: str
    element_id: str | None = None
    line: int | None = None
    severity: str = "error"

    def as_dict(self):
        return {"message": self.message, "element_id": self.element_id, "line": self.line,
                "severity": self.severity}


@dataclass
class ParsedFile:
    """A well-formed model file: its root, kind and the keys it defines."""
    filename: str
    root: etree._Element
    kind: str  # bpmn | dmn
    keys: list[str]
    name: str = ""
    called_elements: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)  # key -> name
    source_root: etree._Element | None = None  # the file as drawn (``root`` is in our dialect)
    dialect: dialects.Normalized | None = None
    warnings: list[Problem] = field(default_factory=list)  # filled by ModelStore.validate


def safe_xml(content: bytes, filename: str) -> etree._Element:
    """Parse XML with entities, DTDs and network access off (no billion laughs, no XXE)."""
    if len(content) > MAX_MODEL_BYTES:
        raise InvalidModel(f"文件超过 {MAX_MODEL_BYTES // (1024 * 1024)} MB，无法部署；请把流程拆分为被调用的子流程",
                           filename=filename)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, dtd_validation=False, load_dtd=False,
                             huge_tree=False, remove_blank_text=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        if "is not a valid URI" not in exc.msg or (escaped := _uri_escaped_namespaces(content)) == content:
            line = exc.position[0] if getattr(exc, "position", None) else getattr(exc, "lineno", None)
            raise InvalidModel(_xml_error(exc.msg), filename=filename, line=line) from None
        return safe_xml(escaped, filename)
    if root.getroottree().docinfo.internalDTD is not None or any(
            isinstance(n, etree._Entity) for n in root.iter()):
        raise InvalidModel(f"模型文件{_NO_ENTITIES}", filename=filename, line=1)
    return root


# A namespace declaration whose URI holds spaces or Chinese (IBM Process Designer names a file's
# namespace after its project and process: xmlns:Process="http://A.3.0/Initial Import/Process"):
# Java's parsers, and so Camunda and Flowable, read it; libxml2 stops at it 「is not a valid URI」.
# Read with each such character of a declared namespace percent-encoded (the namespace only ties the
# file's own prefixes together).
_NAMESPACE_DECLARATION = re.compile(rb'(\sxmlns(?::[A-Za-z_][\w.-]*)?\s*=\s*)("[^"<]*"|\'[^\'<]*\')')
_NOT_IN_A_URI = re.compile(rb"[\x00-\x20\x7f-\xff]")


def _uri_escaped_namespaces(content: bytes) -> bytes:
    return _NAMESPACE_DECLARATION.sub(
        lambda m: m.group(1) + _NOT_IN_A_URI.sub(lambda c: b"%%%02X" % c.group(0)[0], m.group(2)), content)


def readable(content: bytes) -> bytes:
    """The file as stored at deploy: as drawn, or with its namespace declarations' spaces and Chinese
    percent-encoded when libxml2 refuses them (see above), so every later reader of the stored text
    (the start policy, the pages' diagram) parses it as the deploy did. Only such a file is parsed
    twice."""
    escaped = _uri_escaped_namespaces(content)
    if escaped == content:
        return content
    try:
        etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except etree.XMLSyntaxError as exc:
        return escaped if "is not a valid URI" in exc.msg else content
    return content


_NO_ENTITIES = "不允许包含 DTD 或实体声明（如 &nbsp;），请删除后再部署"
# libxml2's messages, in Chinese (the line is reported beside). Anything not listed: a generic text.
_XML_ERRORS = [
    ("Opening and ending tag mismatch", "开始标签与结束标签不匹配"),
    ("Premature end of data", "文件不完整，可能在保存或上传时被截断"),
    ("Document is empty", "文件为空或不是 XML 文件"),
    ("Start tag expected", "文件不是 XML 文件"),
    ("redefined", "同一元素的属性重复"),
]


def _xml_error(msg: str) -> str:
    """The refusal of a file lxml could not read, in Chinese."""
    if "entity" in msg.lower():  # libxml2 stopped an entity (billion laughs, XXE, &nbsp;)
        return f"模型文件{_NO_ENTITIES}"
    if "Excessive depth" in msg:  # libxml2's bound on nesting (256 without XML_PARSE_HUGE): kept, not raised
        return ("模型文件的元素嵌套超过 256 层，超出读取上限，无法读取；请减少子流程或扩展元素的嵌套层数"
                "（子流程最多嵌套 30 层）后再部署")
    what = next((chinese for english, chinese in _XML_ERRORS if english in msg), "文件不是格式正确的 XML")
    return f"XML 格式错误：{what}，无法读取；请用建模工具重新导出后再部署"


def read_file(content: bytes, filename: str, form_exists=None) -> ParsedFile:
    """Read a model file; a BPMN file's ``root`` is rewritten into our dialect (engine/dialects.py)."""
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[:exc.start].count(b"\n") + 1
        raise InvalidModel("文件须为 UTF-8 编码；请在建模工具中另存为 UTF-8 编码", filename=filename, line=line) from None
    root = safe_xml(content, filename)
    ns = etree.QName(root).namespace or ""
    if ns == BPMN_NS:
        elements = sum(1 for el in root.iter(f"{{{BPMN_NS}}}*") if el.get("id"))
        if elements > MAX_MODEL_ELEMENTS:
            raise InvalidModel(f"模型元素过多（{elements} 个，上限 {MAX_MODEL_ELEMENTS} 个），请拆分为被调用的子流程",
                               filename=filename, line=root.sourceline)
        _check_nesting(root, filename)
        if not root.findall("bpmn:process", NS):
            raise InvalidModel("文件中没有流程，无法部署（只有泳池而泳池里没有流程，或是空白的模型）；请在建模工具中"
                               "画出流程（开始事件、任务、结束事件）后重新导出", filename=filename, line=root.sourceline)
        normalized = dialects.normalize(root, form_exists)
        executable = normalized.root.findall("bpmn:process", NS)
        called = {c.get("calledElement") for c in normalized.root.iter(f"{{{BPMN_NS}}}callActivity")
                  if c.get("calledElement")}
        return ParsedFile(filename, normalized.root, "bpmn", [p.get("id") for p in executable],
                          executable[0].get("name") or "", called,
                          {p.get("id"): p.get("name") or "" for p in executable},
                          source_root=root, dialect=normalized)
    if ns.startswith(DMN_NS_PREFIX) or ns.startswith("http://www.omg.org/spec/DMN/"):
        decisions = [d.get("id") for d in root if etree.QName(d).localname == "decision"]
        cells = sum(1 for el in root.iter(f"{{{ns}}}*") if etree.QName(el).localname in DECISION_CELLS)
        if cells > MAX_MODEL_ELEMENTS:
            raise InvalidModel(f"决策表过大（规则和单元格共 {cells} 个，上限 {MAX_MODEL_ELEMENTS} 个），请拆分为多个决策表",
                               filename=filename, line=root.sourceline)
        if not decisions:
            raise InvalidModel("DMN 文件中没有决策，无法部署", filename=filename, line=root.sourceline)
        key = root.get("id") or decisions[0]
        return ParsedFile(filename, dialects.normalize_dmn(root, filename), "dmn", [key], root.get("name") or "", names={key: root.get("name") or ""})
    raise InvalidModel("不是 BPMN 或 DMN 模型文件；请从流程设计或建模工具导出 .bpmn 或 .dmn 文件", filename=filename,
                       line=root.sourceline)


def _check_nesting(root, filename: str) -> None:
    """Refuse sub-processes nested deeper than ``MAX_SUBPROCESS_NESTING``, naming the deepest."""
    for sub in root.iter(*_SUBPROCESS_TAGS):
        depth = 1 + sum(1 for _ in sub.iterancestors(*_SUBPROCESS_TAGS))
        if depth > MAX_SUBPROCESS_NESTING:
            name = sub.get("name") or "未命名的子流程"
            raise InvalidModel(f"子流程嵌套过深：「{excerpt(name)}」在第 {depth} 层（上限 {MAX_SUBPROCESS_NESTING} 层）；"
                               "请把内层的子流程改为被调用的流程（调用活动），或合并层级后再部署",
                               filename=filename, line=sub.sourceline, element_id=sub.get("id"))


def _line_of(root, element_id):
    if not element_id:
        return None
    found = root.xpath("//*[@id=$i]", i=element_id)
    return found[0].sourceline if found else None


HUMAN_TASK_TAGS = ("userTask", "manualTask", "task")
# Activities (活动): what a boundary event may be attached to.
ACTIVITY_TAGS = {
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "sendTask", "receiveTask", "businessRuleTask",
    "callActivity", "subProcess", "transaction", "adHocSubProcess",
}
FLOW_NODE_TAGS = ACTIVITY_TAGS | {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway",
}
# Events that throw and never wait: a timer drawn on one is ignored by SpiffWorkflow.
THROW_EVENT_TAGS = ("endEvent", "intermediateThrowEvent")
TIME_KINDS = ("timeDate", "timeDuration", "timeCycle")


def _linked_form(task) -> bool:
    """A Camunda 8 task linking a form by ``formId`` (a .form file the model file does not hold):
    engine/dialects.py warns of it, naming the form, so 没有表单 is not said a second time."""
    definition = task.find(f"{{{BPMN_NS}}}extensionElements/{{{dialects.ZEEBE_NS}}}formDefinition")
    return definition is not None and bool((definition.get("formId") or "").strip())


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _props(el) -> dict[str, str]:
    return {p.get("name"): p.get("value") or "" for p in el.iterfind(
        "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS) if p.get("name")}


def case_prefix(process) -> str | None:
    """The 案号 prefix a process element declares (``caseNumberPrefix``, engine/case_numbers.py),
    as stored; None when it declares none or one that is not usable (refused by ``check_bpmn``)."""
    return case_numbers.read(_props(process).get(case_numbers.PROPERTY))[0]


def case_prefixes(pf: "ParsedFile") -> dict[str, str | None]:
    """Each executable process of a BPMN file: the 案号 prefix it declares, else None."""
    return {p.get("id"): case_prefix(p) for p in pf.root.findall("bpmn:process", NS) if p.get("id") in pf.keys}


def same_case_prefix(prefix: str, holder: str, newcomer: str) -> str:
    """Two processes whose cases would be numbered alike (at least one declared the prefix)."""
    return (f"{newcomer} 的案号前缀「{prefix}」与{holder} 相同，两者的案号无法区分；"
            f"请在其中之一的流程属性「案号前缀」中另定（2～{case_numbers.LONGEST} 位英文字母或数字）")


def _known(value: str | None, lane_roles: set[str]) -> str | None:
    """The first of comma-separated role codes or names that is a known role."""
    for part in (value or "").replace("，", ",").split(","):
        if part.strip() in lane_roles:
            return part.strip()
    return None


def check_bpmn(pf: ParsedFile, *, lane_roles: set[str], form_exists=None, check_code: bool = True,
               strict: bool = False) -> list[Problem]:
    """Our rules on top of the BPMN standard, errors and warnings. ``lane_roles`` holds every role
    code and name. Runs on the file in our dialect (``pf.root``), so translated expressions are
    checked by the sandbox like any other code. ``check_code=False`` skips the deploy-time code
    check (only the tests of the runtime sandbox layers do).

    ``strict`` is the designer's standard for a 督办 model (流程设计 deploys with it): what a file
    from another tool may leave to the engine's fallbacks is an error there — a user task without a
    form of this system (its 办理人 would get the generic 名称/值 box), a lane that names no role and
    a task outside every lane (nobody in particular would be asked to do it)."""
    problems: list[Problem] = [code_problem(pf.root, p) for p in (sandbox.check_model(pf.root) if check_code else [])]
    root = pf.root

    def add(msg, el, severity="error"):
        problems.append(Problem(msg, el.get("id"), el.sourceline, severity))

    if pf.dialect is not None:
        for msg, el in pf.dialect.problems:
            add(msg, el)
        for msg, el in pf.dialect.notes:
            if strict and "不是本系统的表单" in msg:
                continue  # said below as the error it is in a strict model
            add(msg, el, "warning")

    for definition in (*root.findall("bpmn:message", NS), *root.findall("bpmn:signal", NS)):
        if len((definition.get("name") or "").strip()) > MAX_NAME:  # kept as a wait's name (event_wait)
            kind = "消息" if _local(definition) == "message" else "信号"
            add(f"{kind}「{excerpt(definition.get('name').strip())}」({excerpt(definition.get('id') or '')}) 的名称有 "
                f"{len(definition.get('name').strip())} 个字符，超过 {MAX_NAME} 个，无法保存；请缩短名称", definition)
    prefixes: dict[str, etree._Element] = {}  # 案号前缀 -> the process of this file giving it
    for process in root.findall("bpmn:process", NS):
        lanes = {}
        declared, wrong = case_numbers.read(_props(process).get(case_numbers.PROPERTY))
        if wrong:
            add(f"{label(process)} 的案号前缀{wrong}", process)
        if process.get("id") in pf.keys:  # executable: its cases are numbered
            prefix = case_numbers.effective(process.get("id"), declared)
            first = prefixes.setdefault(prefix, process)
            if first is not process and (declared or case_prefix(first)):
                add(same_case_prefix(prefix, label(first), label(process)), process)
        default_role = _props(process).get("defaultRole") or ""
        if default_role and default_role not in lane_roles:
            add(f"{label(process)} 的默认角色「{excerpt(default_role)}」不存在，请填写已有角色的代码或名称", process)
        has_lanes = False
        ids = {el.get("id") for el in process.iter() if el.get("id")}
        for lane in process.iter(f"{{{BPMN_NS}}}lane"):
            has_lanes = True
            _check_lane_refs(lane, ids, add)
            for ref in lane.findall("bpmn:flowNodeRef", NS):
                lanes[(ref.text or "").strip()] = lane
            if lane.findall("bpmn:childLaneSet", NS):
                continue
            lane_name = (lane.get("name") or "").strip()
            if not lane.findall("bpmn:flowNodeRef", NS):
                continue
            if not lane_name and strict:
                add(f"泳道 ({lane.get('id')}) 没有选择角色，无法确定由谁办理其中的任务；"
                    f"请在「督办」属性中选择泳道角色", lane)
            elif not lane_name:
                add(f"泳道 ({lane.get('id')}) 没有名称，无法对应角色；其中的任务交给流程默认角色或发起人办理。"
                    f"提示：把泳道名称填写为角色名称（如「执法人员」）", lane, "warning")
            elif lane_name not in lane_roles and strict:
                add(f"泳道「{excerpt(lane_name)}」({lane.get('id')}) 不是已有角色，无法确定由谁办理其中的任务；"
                    f"请在「督办」属性中选择泳道角色", lane)
            elif lane_name not in lane_roles:
                add(f"泳道「{excerpt(lane_name)}」({lane.get('id')}) 未对应任何角色；其中的任务交给流程默认角色或发起人办理",
                    lane, "warning")
        outside = []
        for tag in HUMAN_TASK_TAGS:
            for task in process.iter(f"{{{BPMN_NS}}}{tag}"):
                props = _props(task)
                lane = None
                node = task
                while node is not None and node is not process and lane is None:
                    lane = lanes.get(node.get("id"))  # tasks inside a sub-process take its lane
                    node = node.getparent()
                lane_role = _known((lane.get("name") or "").strip(), lane_roles) if lane is not None else None
                if lane_role is None and props.get("candidateGroups") and not _known(props["candidateGroups"], lane_roles):
                    add(f"{label(task)} 的候选组「{excerpt(props['candidateGroups'])}」不是已有角色", task, "warning")
                if lane is None and has_lanes and not props.get("defaultRole") and not _known(
                        props.get("candidateGroups"), lane_roles) and not props.get("assignee"):
                    outside.append(task)
                if tag == "userTask" and strict and not props.get("formSchema") and not props.get("formFields") \
                        and not _linked_form(task):  # a .form not deployed with it: a warning (dialects)
                    foreign = f"的表单「{excerpt(props['formKey'])}」不是本系统的表单" if props.get("formKey") else "没有表单"
                    add(f"{label(task)} {foreign}，办理人无从填写；请在「督办」属性中选择表单", task)
                elif tag == "userTask" and not props.get("formSchema") and not props.get("formKey") and \
                        not props.get("formFields") and not _linked_form(task):  # that one is said by dialects
                    add(f"{label(task)} 没有表单，办理时使用通用办理表单", task, "warning")
                if form_exists is not None and props.get("formSchema") and not form_exists(props["formSchema"]):
                    add(f"{label(task)} 的表单「{excerpt(props['formSchema'])}」不存在", task)
                if props.get("completerVariable"):
                    problem = assignment.completer_variable_problem(props["completerVariable"])
                    if problem:
                        add(f"{label(task)} 的办理人记入变量（completerVariable）{problem}", task)
        for task in outside:
            if strict:
                add(f"{label(task)} 不在任何泳道中，无法确定由谁办理；请把它放进泳道", task)
            else:
                add(f"{label(task)} 不在任何泳道中，将由流程默认角色或发起人办理", task, "warning")
        if not has_lanes and not default_role and any(True for t in HUMAN_TASK_TAGS
                                                      for _ in process.iter(f"{{{BPMN_NS}}}{t}")):
            add(f"{label(process)} 没有泳道，其中的任务将由发起人办理；如需交给某一角色办理，请添加泳道，"
                "并在属性面板的「泳道角色」中选择角色", process, "warning")
        for el in process.iter(f"{{{BPMN_NS}}}scriptTask"):
            script = el.find("bpmn:script", NS)
            if (el.get("scriptFormat") or "").strip().lower() not in dialects.PYTHON_LANGUAGES:
                continue  # refused by its language above: a Groovy script is no Python syntax error
            if script is not None and script.text:
                try:
                    compile(script.text, el.get("id"), "exec")
                except SyntaxError as exc:
                    add(f"{label(el)} 的脚本无法编译：{_syntax(exc.msg)}（脚本第 {exc.lineno} 行）", el)
                except (RecursionError, MemoryError):  # nested past Python's compiler
                    add(f"{label(el)} 的脚本无法编译：{restricted.TOO_DEEP}", el)
        for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
            cond = flow.find("bpmn:conditionExpression", NS)
            if cond is not None and (cond.text or "").strip():
                try:
                    compile(cond.text.strip(), flow.get("id"), "eval")
                except SyntaxError as exc:
                    add(f"{label(flow)} 的条件表达式无法编译：{_syntax(exc.msg)}", flow)
                except (RecursionError, MemoryError):  # nested past Python's compiler
                    add(f"{label(flow)} 的条件表达式无法编译：{restricted.TOO_DEEP}", flow)
        outgoing_of: dict[str, list] = {}  # one pass over the flows: linear, not gateways × flows
        for f in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
            outgoing_of.setdefault(f.get("sourceRef"), []).append(f)
        # (an inclusive gateway's branch without a condition is always taken: engine/dialects.py gave it ``True``)
        for gw in process.iter(f"{{{BPMN_NS}}}exclusiveGateway"):
            outgoing = outgoing_of.get(gw.get("id"), [])
            if len(outgoing) > 1:
                unconditioned = [f for f in outgoing if f.get("id") != gw.get("default")
                                 and not (f.findtext("bpmn:conditionExpression", namespaces=NS) or "").strip()]
                if unconditioned:  # where the file's vendor deploys them they have ``True`` (engine/dialects.py)
                    add(f"{label(gw)} 的分支缺少条件或默认流：{'、'.join(label(f) for f in unconditioned)}"
                        "（Camunda 也拒绝部署：有默认分支时，或有两条以上这样的分支时，或为 Camunda 8 保存的模型）；"
                        "请为这些分支填写条件，或在属性面板中把「其余情况」的一条设为默认分支", gw)
        _check_boundary_events(process, add)
        _check_lengths(process, add)
        compensation.check(process, add)
        _check_start_events(process, add)
        _check_event_references(root, process, add)
        _check_unnamed_waits(process, add)
        _check_ad_hoc_completion(process, add)
        for timer in process.iter(f"{{{BPMN_NS}}}timerEventDefinition"):
            event = timer.getparent()
            if not _timer_has_time(timer, event, add):
                continue
            for kind in TIME_KINDS:
                expr = timer.find(f"bpmn:{kind}", NS)
                if expr is not None:
                    msg = check_timer_expression(kind, (expr.text or "").strip())
                    if msg and cron_advice.is_cron(expr.text or ""):  # Camunda 7 takes Quartz cron
                        msg = cron_advice.advice(expr.text or "")
                    if msg:
                        add(f"{label(event)} 的定时器（{KIND_LABELS[KIND_OF_ELEMENT[kind]]}）无效：{msg}", event)
        for sub in process.iter(f"{{{BPMN_NS}}}subProcess"):
            if sub.get("triggeredByEvent") != "true":
                continue
            for start in sub.findall("bpmn:startEvent", NS):
                # SpiffWorkflow's parser reads such a start event as a plain one: the handler ran
                # as soon as its scope was entered, whatever happened.
                caught = [name for kind, name in UNCAUGHT_START_EVENTS.items()
                          if start.find(f"bpmn:{kind}", NS) is not None]
                if caught:
                    what = caught[0]
                    add(f"{label(sub)} 由{what}事件触发，本系统不支持这种事件子流程；请删除它，改为在抛出该{what}的子流程或任务上"
                        f"附加{what}边界事件，从边界事件连线到处理环节", start)
                    continue
                error = start.find("bpmn:errorEventDefinition", NS) is not None  # always interrupting
                if error or start.get("isInterrupting", "true") != "false":  # engine/interrupting.py: a note
                    scope = sub.getparent()
                    if scope is process:
                        where = "所在流程正在办理的任务都将取消，该事件子流程办完后所在流程即结束"
                    elif scope.find("bpmn:multiInstanceLoopCharacteristics", NS) is not None:  # each instance its own
                        where = (f"所在{label(scope)}的这一实例正在办理的任务都将取消，该事件子流程办完后这一实例即结束，"
                                 "其他实例照常办理")
                    else:  # a sub-process's: that sub-process ends with it, and its flow goes on after it
                        where = (f"所在{label(scope)}正在办理的任务都将取消，该事件子流程办完后该子流程即结束，"
                                 "流程从它之后继续")
                    advice = ("（错误事件总是中断型）" if error else
                              "；如需原流程继续，请在属性面板中把它改为非中断型")
                    add(f"{label(sub)} 的开始事件{label(start).removeprefix('开始事件')} 为中断型：事件发生时，"
                        f"{where}{advice}", start, "warning")
        _check_flow_ends(process, add, _ids_in(root))
        _check_connected(process, add, strict)
        _check_endless_loops(process, add)
    return problems


def _ids_in(root) -> dict[str, str]:
    """Every id of the file and the kind of element holding it."""
    return {el.get("id"): _local(el) for el in root.iter() if isinstance(el.tag, str) and el.get("id")}


def _check_flow_ends(container, add, ids: dict[str, str]) -> None:
    """A sequence flow (连线) must run from a flow node of its own process or sub-process to another:
    one whose sourceRef or targetRef is missing, names nothing, names another flow, or names an
    element outside its container (a flow cannot leave a sub-process or a pool) is refused naming the
    flow, as Camunda 7 and Flowable refuse it at deploy. Before, such a file deployed and the element
    at its far end was counted as reached by it, so a task behind it waited for ever unseen."""
    nodes = {n.get("id") for n in container if _local(n) in FLOW_NODE_TAGS}
    for child in container:
        kind = _local(child)
        if kind in ("subProcess", "transaction", "adHocSubProcess"):
            _check_flow_ends(child, add, ids)
        if kind != "sequenceFlow":
            continue
        for attribute, end in (("sourceRef", "起点"), ("targetRef", "终点")):
            ref = (child.get(attribute) or "").strip()
            if ref in nodes:
                continue
            if not ref:
                why = f"没有{end}"
            elif ids.get(ref) == "sequenceFlow":
                why = f"的{end}「{excerpt(ref)}」是另一条连线，不是环节"
            elif ref in ids:
                why = f"的{end}「{excerpt(ref)}」不在这条连线所在的流程或子流程中（连线不能跨出子流程或泳池，跨泳池请用消息流）"
            else:
                why = f"的{end}「{excerpt(ref)}」在文件中不存在"
            add(f"{label(child)} {why}；请在流程设计器中重新连接这条连线", child)


# Start events of event subprocesses that SpiffWorkflow's parser reads as plain start events (an error
# or escalation one, at any depth, is read as one and caught by its scope: engine/interrupting.py and
# engine/scoped_events.py).
UNCAUGHT_START_EVENTS = {"compensateEventDefinition": "补偿"}



def _check_lane_refs(lane, ids: set[str], add) -> None:
    """A lane listing an element the process no longer has: a harmless leftover (Camunda Modeler
    sometimes keeps the ref of a deleted shape; SpiffWorkflow ignores it and the case runs as drawn),
    so a warning (提示), not a refusal. bpmn-js drops such a ref when it reads the file, so saving it
    again from the designer clears it."""
    gone = [ref for ref in lane.findall("bpmn:flowNodeRef", NS) if (ref.text or "").strip() not in ids]
    if gone:
        add(f"{label(lane)} 列出了 {len(gone)} 个流程中已不存在的元素（多为删除元素后留下的引用），已忽略，"
            "不影响运行；在流程设计中打开并重新保存即可清除", lane, "warning")


# What an event (or a send/receive task) refers to, defined once at the top of the file.
REFERENCED = {"messageRef": ("message", "消息"), "signalRef": ("signal", "信号"), "errorRef": ("error", "错误"),
              "escalationRef": ("escalation", "升级")}


def _check_event_references(root, process, add) -> None:
    """An event whose message, signal, error or escalation is no longer in the file (deleted, or the
    event copied from another file) is refused naming the event: SpiffWorkflow's parser fails on it
    with an error of its own, which said only 「模型结构无法识别」."""
    defined = {(_local(el), el.get("id")) for el in root if isinstance(el.tag, str)}
    for el in process.iter():
        for attribute, (tag, what) in REFERENCED.items():
            ref = (el.get(attribute) or "").strip()
            if ref and (tag, ref) not in defined:
                owner = el.getparent() if _local(el).endswith("EventDefinition") else el
                add(f"{label(owner)} 引用的{what}已不存在（可能已被删除）；请在属性面板中重新选择{what}，"
                    f"或新建一个{what}", owner)


CATCH_TAGS = ("startEvent", "intermediateCatchEvent", "boundaryEvent")
_WAITED = {"messageEventDefinition": ("messageRef", "消息"), "signalEventDefinition": ("signalRef", "信号")}


def _check_unnamed_waits(process, add) -> None:
    """A message or signal catch event drawn without choosing its message or signal (bpmn.io adds the
    event definition and leaves the choice to the properties panel; Activiti's own modeler writes the
    message's name in ``activiti:messageExpression`` instead, engine/dialects.py reads it) is refused
    naming the event: deployed, the first case to reach it crashed writing a wait with no name."""
    for event in process.iter(*(f"{{{BPMN_NS}}}{t}" for t in CATCH_TAGS)):
        for definition in event:
            if not isinstance(definition.tag, str) or _local(definition) not in _WAITED:
                continue
            attribute, what = _WAITED[_local(definition)]
            by_expression = f"{_local(definition)[:-len('EventDefinition')]}Expression"  # refused by engine/dialects.py
            if dialects._vendor_attr(definition, by_expression):
                continue
            if not (definition.get(attribute) or "").strip():
                add(f"{label(event)} 没有选择{what}，本系统不知道它等待哪个{what}；请在属性面板中为它选择或新建一个{what}"
                    f"（发送方按{what}名称发送）", event)


def _check_ad_hoc_completion(process, add) -> None:
    """An ad-hoc sub-process (自由子流程) drawn without a completion condition (Activiti's
    AdhocSubProcessTest: Activiti and Flowable then wait for an API call to complete it) is refused
    naming it: SpiffWorkflow evaluated the missing condition and the case stopped with an incident
    in English (「compile() arg 1 must be a string」)."""
    for sub in process.iter(f"{{{BPMN_NS}}}adHocSubProcess"):
        if not (sub.findtext("bpmn:completionCondition", namespaces=NS) or "").strip():
            add(f"{label(sub)} 是自由子流程，没有完成条件，本系统不知道何时结束它，案件会停在这里；"
                "请为它填写完成条件（Python 表达式，如 复查完成 == True），或改为普通子流程", sub)


# What the rows a case writes keep of its model (engine/schema.py): the process id as process_model.key
# and every task's process_key, its name, an element's id as spec_id / element_id (SpiffWorkflow's own
# task names add a suffix to it: ``.BoundaryEventSplit``), an element's name as the task's or timer's
# name, a lane's name as the task's lane, a form's key.
MAX_PROCESS_ID, MAX_ELEMENT_ID, MAX_NAME, MAX_LANE_NAME, MAX_FORM_KEY = 128, 200, 256, 128, 128


def _check_lengths(process, add) -> None:
    """An id or a name longer than the rows keep it: refused at deploy naming the element. On
    PostgreSQL it deployed (or not) and every start of the model failed with the driver's English
    ``value too long for type character varying`` (a 500, nothing started); SQLite kept it."""
    _longer(process, "流程 ID", process.get("id") or "", MAX_PROCESS_ID, add)
    _longer(process, "名称", process.get("name") or "", MAX_NAME, add)
    for el in process.iter(*(f"{{{BPMN_NS}}}{tag}" for tag in (*FLOW_NODE_TAGS, "lane"))):
        _longer(el, "ID", el.get("id") or "", MAX_ELEMENT_ID, add)
        _longer(el, "名称", el.get("name") or "", MAX_LANE_NAME if _local(el) == "lane" else MAX_NAME, add)
    for tag in HUMAN_TASK_TAGS:
        for task in process.iter(f"{{{BPMN_NS}}}{tag}"):
            _longer(task, "表单", _props(task).get("formSchema") or "", MAX_FORM_KEY, add)


def _longer(el, what: str, value: str, most: int, add) -> None:
    value = value.strip()
    if len(value) > most:
        add(f"{label(el)} 的{what}有 {len(value)} 个字符，超过 {most} 个，无法保存；请缩短{what}"
            + ("（详细说明可写在「文档」中）" if what == "名称" else ""), el)


def _check_boundary_events(process, add) -> None:
    """A boundary event (边界事件) attached to no activity is refused: SpiffWorkflow drops it without a
    word, so the deadline or error it was drawn for would never fire."""
    by_id = {el.get("id"): el for el in process.iter() if el.get("id")}
    for event in process.iter(f"{{{BPMN_NS}}}boundaryEvent"):
        ref = (event.get("attachedToRef") or "").strip()
        target = by_id.get(ref)
        if target is not None and _local(target) in ACTIVITY_TAGS:
            continue
        if not ref:
            why = "没有附着在任何任务上"
        elif target is None:
            why = "附着的任务已不存在"
        else:
            why = f"附着在{label(target)}上，边界事件只能附着在任务或子流程上"
        add(f"{label(event)} {why}，永远不会触发；请在设计器中把它拖到要监视的任务或子流程的边框上，或删除它", event)


def _timer_has_time(timer, event, add) -> bool:
    """False, with the error said, for a timer (定时器) that cannot run: one drawn on an end or throw
    event (SpiffWorkflow ignores it: the event never waits) or one with no time at all (SpiffWorkflow
    refuses it as 'Unknown Time Specification', naming nothing to fill in)."""
    if _local(event) in THROW_EVENT_TAGS:
        add(f"{label(event)} 带有定时器，但{KIND_NAMES.get(_local(event))}不会等待，定时器不起作用；"
            "如需等待一段时间，请在它之前加一个定时中间事件，"
            f"并在设计器中把它改回不带定时器的{KIND_NAMES.get(_local(event))}",
            event)
        return False
    if not any((timer.findtext(f"bpmn:{kind}", namespaces=NS) or "").strip() for kind in TIME_KINDS):
        add(f"{label(event)} 的定时器没有设置时间；请在属性面板中选择「定时器类型」，并在「定时器表达式」中填写，"
            "如持续时长 PT2H（2 小时）、指定时间 2026-12-31T09:00:00+08:00、循环 R/P1D（每天）", event)
        return False
    return True


_PYTHON_SYNTAX = re.compile(r"语法错误: (.+?) \(第")


def code_problem(root, found: dict) -> Problem:
    """A problem of the code check (engine/code_locations.py) named by its shape, as every other
    refusal is (用户任务「逐户登记」(Task_1) 的完成条件: …), Python's own syntax words in Chinese: a
    designer read 「完成条件: 语法错误: invalid syntax」 and had to find which of the tasks held it."""
    message = _PYTHON_SYNTAX.sub(lambda m: f"{_syntax(m.group(1))} (第", found["message"])
    shapes = root.xpath("//*[@id=$i]", i=found["element_id"]) if found["element_id"] else []
    if shapes and etree.QName(shapes[0]).namespace == BPMN_NS:
        message = f"{label(shapes[0])} 的{message}"
    elif shapes:  # a decision table's cell: its decision, and the rule (or input) holding it
        owner = next((a for a in shapes[0].iterancestors() if etree.QName(a).localname in ("rule", "input")), None)
        decision = next((a for a in shapes[0].iterancestors() if etree.QName(a).localname == "decision"), None)
        if decision is not None and owner is not None:
            where = "规则" if etree.QName(owner).localname == "rule" else "输入"
            message = f"决策「{decision.get('name') or decision.get('id')}」的{where} ({owner.get('id')}) 的{message}"
    return Problem(message, found["element_id"], found["line"])


def _syntax(msg: str) -> str:
    if "too many nested" in msg or "too complex" in msg:  # Python's parser: brackets nested past 200
        return restricted.TOO_DEEP
    return {"invalid syntax": "语法错误", "unexpected EOF while parsing": "表达式不完整",
            "unterminated string literal": "字符串缺少结束引号"}.get(msg.split(" (")[0], f"语法错误（{msg}）")


def _check_start_events(process, add) -> None:
    """Two or more none start events (无触发的开始事件: no message, timer, signal... on it) in a process
    are refused, naming them, as Camunda 7 and Flowable refuse them at deploy: a start (发起案件, the
    REST API) would run only the first in the file (SpiffWorkflow's join after the start events
    cancels the rest), so its start form and its flow would be the ones the drawer least expects.
    One none start event beside message or timer start events is fine: a start from 发起案件 is the
    none one, with its form (engine/model_forms.start_event)."""
    plain = [el for el in process.findall("bpmn:startEvent", NS)
             if not any(isinstance(c.tag, str) and etree.QName(c).localname.endswith("EventDefinition") for c in el)]
    if len(plain) > 1:
        names = "、".join(label(el) for el in plain)
        add(f"{label(process)} 有 {len(plain)} 个无触发的开始事件（{names}），发起案件时无法确定从哪一个开始"
            f"（只会执行文件中的第一个，其表单与流向未必是所想的）；请只保留一个无触发的开始事件，"
            f"其余改为消息开始事件或定时开始事件，或合并为一个", plain[1])


def check_connected(content: bytes, filename: str) -> None:
    """The designer's connection check on its own (every flow node reached by a flow, ``_check_connected``
    with ``strict``), for a test-run (engine/dryrun.py): a draft's end event no flow leads to is refused
    there as in the designer's validate and deploy, though the test-run deploys without the rest of the
    designer's standard. Raises InvalidModel naming each such element."""
    root = safe_xml(content, filename)
    problems: list[Problem] = []

    def add(msg, el, severity="error"):
        problems.append(Problem(msg, el.get("id"), el.sourceline, severity))

    for process in root.findall("bpmn:process", NS):
        _check_connected(process, add, strict=True)
    raise_problems(filename, problems)


def _check_connected(container, add, strict: bool = True) -> None:
    """A flow node with no sequence flow in or out is an error (it could never run) — except start
    events of event sub-processes, boundary events (attached to their task), compensation handlers
    and the contents of ad-hoc sub-processes. An end event no flow leads to (one left over in a
    Flowable or Camunda drawing) harms nothing: Camunda 7 and Flowable deploy it, and so does
    a deploy of a file from another tool, with a warning; the designer's standard (``strict``) keeps
    it an error."""
    flows = [f for f in container if _local(f) == "sequenceFlow"]
    sources = {f.get("sourceRef") for f in flows}
    targets = {f.get("targetRef") for f in flows}
    nodes = [n for n in container if _local(n) in FLOW_NODE_TAGS]
    adhoc = _local(container) == "adHocSubProcess"
    event_sub = container.get("triggeredByEvent") == "true"
    for node in nodes:
        kind = _local(node)
        if kind in ("subProcess", "transaction", "adHocSubProcess"):
            _check_connected(node, add, strict)
            if node.get("triggeredByEvent") == "true":
                continue
        if adhoc or len(nodes) == 1:
            continue
        if node.get("isForCompensation") == "true" or kind == "boundaryEvent":
            continue  # attached to its task; a reminder timer needs no outgoing flow
        if kind == "startEvent" and event_sub:
            continue
        nid = node.get("id")
        if kind == "endEvent" and not strict and nid not in targets:
            add(f"{label(node)} 没有进入的连线，流程永远不会走到这里（与 Camunda、Flowable 一样照常部署，它不起作用）；"
                "请从前一环节连线过来或删除", node, "warning")
        elif nid not in sources and nid not in targets:
            add(f"{label(node)} 没有连线，流程永远不会走到这里；请连接或删除", node)
        elif nid not in targets and kind != "startEvent" and not _is_link_catch(node):
            add(f"{label(node)} 没有进入的连线，流程永远不会走到这里；请从前一环节连线过来或删除", node)


# Gateways that decide whether a loop goes round again. A loop without one goes round forever, and
# SpiffWorkflow, predicting the case's future tasks, follows it forever (RecursionError).
DECIDING_GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}


def _check_endless_loops(container, add) -> None:
    """A loop of sequence flows (环路) with no deciding gateway on it is refused, naming its parallel
    gateway (the usual cause: a branch drawn back to the step before the split) or its first step."""
    for node in container:
        if _local(node) in ("subProcess", "transaction", "adHocSubProcess"):
            _check_endless_loops(node, add)
    nodes = {n.get("id"): n for n in container if _local(n) in FLOW_NODE_TAGS and n.get("id")}
    successors: dict[str, list[str]] = {}
    always: set[tuple[str, str]] = set()  # an inclusive gateway's branch taken every time (no condition, True)
    for flow in container:
        if _local(flow) == "sequenceFlow" and flow.get("sourceRef") in nodes and flow.get("targetRef") in nodes:
            successors.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
            gateway = nodes[flow.get("sourceRef")]
            if (_local(gateway) == "inclusiveGateway" and flow.get("id") != gateway.get("default")
                    and (flow.findtext("bpmn:conditionExpression", namespaces=NS) or "").strip() in ("", "True")):
                always.add((flow.get("sourceRef"), flow.get("targetRef")))
    for loop in _loops(list(nodes), successors):
        # an inclusive gateway with a branch round the loop taken every time sends the case round again
        if any(_local(nodes[n]) in DECIDING_GATEWAYS and not (
                _local(nodes[n]) == "inclusiveGateway"
                and any((n, m) in always for m in successors.get(n, ()) if m in loop)) for n in loop):
            continue
        order = [n for n in nodes if n in loop]  # as drawn in the file
        culprit = next((nodes[n] for n in order if _local(nodes[n]) == "parallelGateway"), nodes[order[0]])
        steps = "→".join(label(nodes[n]) for n in order[:4]) + ("…" if len(order) > 4 else "")
        inclusive = [label(nodes[n]) for n in order if _local(nodes[n]) == "inclusiveGateway"]
        inclusive = "、".join(inclusive[:2]) + ("等" if len(inclusive) > 2 else "")
        why = (f"上的{inclusive}总有一条没有条件的分支（每次都走）回到环路，也没有排他网关或事件网关" if inclusive
               else "上没有排他网关、包容网关或事件网关")
        add(f"{label(culprit)} 所在的环路（{steps}）{why}，流程每走完一圈都会"
            "无条件地再走一圈，永不结束，本系统无法运行；请在环路上加一个带条件的排他网关决定何时退出循环，"
            "需要定期重复的工作请改用循环定时开始事件（如 R/P1D）", culprit)


def _loops(nodes: list[str], successors: dict[str, list[str]]) -> list[set[str]]:
    """The strongly connected parts of the flow graph that are loops (Tarjan's algorithm, iterative:
    a drawn model may be deep)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(successors.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                part = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    part.add(member)
                    if member == node:
                        break
                if len(part) > 1 or node in successors.get(node, ()):
                    found.append(part)
    return found


def _is_link_catch(node) -> bool:
    """A link catch event is entered by its throw event of the same name, not by a flow."""
    return _local(node) == "intermediateCatchEvent" and node.find("bpmn:linkEventDefinition", NS) is not None


def spiff_parse(files: list[ParsedFile]) -> DubanParser:
    """Run SpiffWorkflow's own parser over the files; its errors become InvalidModel with a line.
    A file given twice (two processes of one file that call each other) is read once."""
    parser = DubanParser()
    current = None
    seen = set()
    try:
        for pf in files:
            current = pf
            key = (pf.kind, etree.tostring(pf.root))
            if key in seen:
                continue
            seen.add(key)
            if pf.kind == "dmn":
                parser.add_dmn_xml(pf.root, filename=pf.filename)
            else:
                parser.add_bpmn_xml(pf.root, filename=pf.filename)
    except ValidationException as exc:
        raise _from_spiff(exc, current) from None
    return parser


def build_specs(parser: DubanParser, key: str, pf: ParsedFile | None):
    try:
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except ValidationException as exc:
        raise _from_spiff(exc, pf) from None
    except SpiffWorkflowException as exc:
        raise InvalidModel(f"模型无法解析：{_chinese(str(exc))}", filename=pf.filename if pf else None) from None
    return spec, subprocess_specs


# SpiffWorkflow's parser messages, in Chinese. Anything not listed is reported without its English.
_DEFINITIONS = (("Message", "消息"), ("Signal", "信号"), ("Error", "错误"), ("Escalation", "升级"),
                ("Correlation", "关联"))
_SPIFF_MESSAGES = [
    (r"Duplicate process ID: (.*)", "流程编号「{0}」重复：同一个编号的流程只能有一个"),
    (r"The process '(.*?)' was not found", "找不到被调用的流程「{0}」，请先部署它"),
    (r"Process (.*) is not executable", "流程「{0}」未标记为可执行"),
    (r"No start event found", "流程没有开始事件"),
    (r"Non-default exclusive outgoing sequence flow without condition", "排他网关的分支缺少条件（也不是默认流）"),
    (r"Multiple outgoing flows are not supported for tasks of type", "该类型的任务不能有多条出口连线，请在其后加网关"),
    (r"A SubWorkflow Must contain an End event", "子流程必须有结束事件"),
    (r"No \"calledElement\" attribute for Call Activity", "调用活动没有指定被调用的流程；请在属性面板中选择被调用的流程"),
    (r"No DMN Diagram available with id \"?(.*?)\"?,", "找不到决策表「{0}」，请先部署它"),
    (r"Invalid Script Task", "脚本任务没有脚本"),
    (r"Cancel Events may only be used with transactions", "取消事件只能用于事务子流程"),
    (r"A loopMaximum or loopCondition must be specified", "循环任务须指定最大次数或循环条件"),
    (r"A multiinstance task must specify", "多实例任务须指定实例数或输入集合"),
    (r"Could not find messageRef from message event definition: (.*)", "消息事件定义 {0} 引用的消息不存在"),
    *[(rf"{en} identifier is missing", f"{zh}定义缺少编号") for en, zh in _DEFINITIONS],
    *[(rf"Expected an? {en.lower()} node", f"事件引用的{zh}不存在") for en, zh in _DEFINITIONS],
    (r"Expected an? \w+ node", "事件引用的定义不存在"),
    (r"Conditional event definition with missing condition", "条件事件缺少条件"),
    (r"Ad hoc subprocesses may not contain start or end events", "自由子流程中不能有开始或结束事件"),
    (r"Sequential ad hoc path has (\d+) ends: \[(.*)\]",  # engine/ad_hoc.py
     "自由子流程按顺序执行（ordering=Sequential），但从活动「{1}」出发的路径有 {0} 个终点，本系统不知道何时开始下一项；"
     "请让每条路径只有一个终点，或改为并行执行（Parallel）"),
    (r"Cannot resolve data(Input|Output)Association", "数据关联无法解析：关联的数据对象或数据存储不存在"),
    (r"Time Specification Error|Unknown Time Specification", "定时器设置无法识别"),
    (r"Multiple decision tables", "一个决策只能有一张决策表"),
    (r"No decisions found", "DMN 文件中没有决策"),
    (r"There is no support implemented for this task type", "不支持该类型的元素"),
    (r"Unsupported (Catch|Throw) Event", "本系统不支持这种事件；请改用消息、定时、信号、错误、升级或条件事件"),
]


def _chinese(text: str) -> str:
    import re
    for pattern, chinese in _SPIFF_MESSAGES:
        m = re.search(pattern, text)
        if m:
            return chinese.format(*m.groups())
    return "模型结构无法识别"


def _from_spiff(exc: ValidationException, pf: ParsedFile | None) -> InvalidModel:
    element_id = getattr(exc, "id", None) or None
    line = getattr(exc, "line_number", None) or (pf and _line_of(pf.root, element_id)) or None
    filename = getattr(exc, "file_name", None) or (pf.filename if pf else None)
    message = _chinese(str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__)
    if element_id and pf is not None:
        found = pf.root.xpath("//*[@id=$i]", i=element_id)
        if found:
            message = f"{label(found[0])}：{message}"
    return InvalidModel(message, filename=filename, line=line, element_id=element_id)


def errors_of(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings_of(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity != "error"]


def raise_problems(filename: str, problems: list[Problem]) -> None:
    """Raise InvalidModel if any problem is an error; warnings alone pass."""
    errors = errors_of(problems)
    if errors:
        first = errors[0]
        more = f"（另有 {len(errors) - 1} 个问题）" if len(errors) > 1 else ""
        raise InvalidModel(first.message + more, filename=filename, line=first.line, element_id=first.element_id,
                           problems=[p.as_dict() for p in errors] + [p.as_dict() for p in warnings_of(problems)])
