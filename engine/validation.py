"""Model validation (模型校验): everything a BPMN/DMN file must pass before it is deployed.

Problems are reported with the file, the line and the element id, so the designer can point at the
shape at fault. The same checks serve ``duban deploy``, the REST API and the designer.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser import SpiffBpmnParser

from . import sandbox
from .errors import InvalidModel
from .timers import check_timer_expression

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NS_PREFIX = "https://www.omg.org/spec/DMN/"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
MAX_MODEL_BYTES = 5 * 1024 * 1024


@dataclass
class Problem:
    message: str
    element_id: str | None = None
    line: int | None = None

    def as_dict(self):
        return {"message": self.message, "element_id": self.element_id, "line": self.line}


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


def safe_xml(content: bytes, filename: str) -> etree._Element:
    """Parse XML with entities, DTDs and network access off (no billion laughs, no XXE)."""
    if len(content) > MAX_MODEL_BYTES:
        raise InvalidModel(f"文件超过 {MAX_MODEL_BYTES // (1024 * 1024)} MB (file too large)", filename=filename)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, dtd_validation=False, load_dtd=False,
                             huge_tree=False, remove_blank_text=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else getattr(exc, "lineno", None)
        raise InvalidModel(f"XML 格式错误 (not well-formed): {exc.msg}", filename=filename, line=line) from None
    if root.getroottree().docinfo.internalDTD is not None or any(
            isinstance(n, etree._Entity) for n in root.iter()):
        raise InvalidModel("模型文件不允许包含 DTD 或实体声明 (DTDs and entities are not allowed)", filename=filename, line=1)
    return root


def read_file(content: bytes, filename: str) -> ParsedFile:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[:exc.start].count(b"\n") + 1
        raise InvalidModel("文件须为 UTF-8 编码 (not UTF-8)", filename=filename, line=line) from None
    root = safe_xml(content, filename)
    ns = etree.QName(root).namespace or ""
    if ns == BPMN_NS:
        processes = root.findall("bpmn:process", NS)
        if not processes:
            raise InvalidModel("文件中没有 <bpmn:process> (no process)", filename=filename, line=root.sourceline)
        executable = [p for p in processes if p.get("isExecutable", "true") != "false"] or processes
        called = {c.get("calledElement") for c in root.iter(f"{{{BPMN_NS}}}callActivity") if c.get("calledElement")}
        return ParsedFile(filename, root, "bpmn", [p.get("id") for p in executable],
                          executable[0].get("name") or "", called,
                          {p.get("id"): p.get("name") or "" for p in executable})
    if ns.startswith(DMN_NS_PREFIX) or ns.startswith("http://www.omg.org/spec/DMN/"):
        decisions = [d.get("id") for d in root if etree.QName(d).localname == "decision"]
        if not decisions:
            raise InvalidModel("DMN 文件中没有 <decision> (no decision)", filename=filename, line=root.sourceline)
        key = root.get("id") or decisions[0]
        return ParsedFile(filename, root, "dmn", [key], root.get("name") or "", names={key: root.get("name") or ""})
    raise InvalidModel(f"不是 BPMN 或 DMN 文件 (root element {root.tag})", filename=filename,
                       line=root.sourceline)


def _line_of(root, element_id):
    if not element_id:
        return None
    found = root.xpath("//*[@id=$i]", i=element_id)
    return found[0].sourceline if found else None


def check_bpmn(pf: ParsedFile, *, lane_roles: set[str], form_exists=None) -> list[Problem]:
    """Our rules on top of the BPMN standard. ``lane_roles`` holds every role code and name."""
    problems: list[Problem] = [Problem(p["message"], p["element_id"], p["line"]) for p in sandbox.check_model(pf.root)]
    root = pf.root

    def add(msg, el):
        problems.append(Problem(msg, el.get("id"), el.sourceline))

    for process in root.findall("bpmn:process", NS):
        lanes = {}
        for lane in process.iter(f"{{{BPMN_NS}}}lane"):
            for ref in lane.findall("bpmn:flowNodeRef", NS):
                lanes[(ref.text or "").strip()] = lane
            if lane.findall("bpmn:childLaneSet", NS):
                continue
            lane_name = (lane.get("name") or "").strip()
            if lane.findall("bpmn:flowNodeRef", NS) and lane_name not in lane_roles:
                add(f"泳道「{lane_name or lane.get('id')}」未对应任何角色 (lane names no known role)", lane)
        for task in process.iter(f"{{{BPMN_NS}}}userTask"):
            lane = None
            node = task
            while node is not None and node is not process and lane is None:
                lane = lanes.get(node.get("id"))  # tasks inside a sub-process take its lane
                node = node.getparent()
            if lane is None:
                add(f"用户任务「{task.get('name') or task.get('id')}」不在任何泳道中 (user task lies in no lane)", task)
            if form_exists is not None:
                for prop in task.iterfind(".//spiffworkflow:property", NS):
                    if prop.get("name") == "formSchema" and not form_exists(prop.get("value")):
                        add(f"表单「{prop.get('value')}」不存在 (unknown form schema)", task)
        for el in process.iter(f"{{{BPMN_NS}}}scriptTask"):
            script = el.find("bpmn:script", NS)
            if script is not None and script.text:
                try:
                    compile(script.text, el.get("id"), "exec")
                except SyntaxError as exc:
                    add(f"脚本无法编译 (script does not compile): {exc.msg}，脚本第 {exc.lineno} 行", el)
        for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
            cond = flow.find("bpmn:conditionExpression", NS)
            if cond is not None and (cond.text or "").strip():
                try:
                    compile(cond.text.strip(), flow.get("id"), "eval")
                except SyntaxError as exc:
                    add(f"条件表达式无法编译 (condition does not compile): {exc.msg}", flow)
        for gw_tag in ("exclusiveGateway", "inclusiveGateway"):
            for gw in process.iter(f"{{{BPMN_NS}}}{gw_tag}"):
                outgoing = [f for f in process.iter(f"{{{BPMN_NS}}}sequenceFlow") if f.get("sourceRef") == gw.get("id")]
                if len(outgoing) > 1:
                    unconditioned = [f for f in outgoing if f.get("id") != gw.get("default")
                                     and not (f.findtext("bpmn:conditionExpression", namespaces=NS) or "").strip()]
                    if unconditioned:
                        add(f"网关分支缺少条件或默认流 (flows without condition): "
                            f"{', '.join(f.get('id') for f in unconditioned)}", gw)
        for timer in process.iter(f"{{{BPMN_NS}}}timerEventDefinition"):
            event = timer.getparent()
            for kind in ("timeDate", "timeDuration", "timeCycle"):
                expr = timer.find(f"bpmn:{kind}", NS)
                if expr is not None:
                    msg = check_timer_expression(kind, (expr.text or "").strip())
                    if msg:
                        add(f"定时器 {kind} 无效 (bad timer): {msg}", event)
    return problems


def spiff_parse(files: list[ParsedFile]) -> SpiffBpmnParser:
    """Run SpiffWorkflow's own parser over the files; its errors become InvalidModel with a line."""
    parser = SpiffBpmnParser()
    current = None
    try:
        for pf in files:
            current = pf
            if pf.kind == "dmn":
                parser.add_dmn_xml(pf.root, filename=pf.filename)
            else:
                parser.add_bpmn_xml(pf.root, filename=pf.filename)
    except ValidationException as exc:
        raise _from_spiff(exc, current) from None
    return parser


def build_specs(parser: SpiffBpmnParser, key: str, pf: ParsedFile | None):
    try:
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except ValidationException as exc:
        raise _from_spiff(exc, pf) from None
    except SpiffWorkflowException as exc:
        raise InvalidModel(str(exc), filename=pf.filename if pf else None) from None
    return spec, subprocess_specs


def _from_spiff(exc: ValidationException, pf: ParsedFile | None) -> InvalidModel:
    element_id = getattr(exc, "id", None) or None
    line = getattr(exc, "line_number", None) or (pf and _line_of(pf.root, element_id)) or None
    filename = getattr(exc, "file_name", None) or (pf.filename if pf else None)
    message = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return InvalidModel(message, filename=filename, line=line, element_id=element_id)


def raise_problems(filename: str, problems: list[Problem]) -> None:
    if problems:
        first = problems[0]
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        more = f"（另有 {len(problems) - 1} 个问题）" if len(problems) > 1 else ""
        raise InvalidModel(first.message + more, filename=filename, line=first.line, element_id=first.element_id,
                           problems=[p.as_dict() for p in problems])
