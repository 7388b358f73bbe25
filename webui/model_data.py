"""What a model drawn elsewhere says about its data (模型中的数据说明), for the pages that ask for a value.

A model from Camunda Modeler, Flowable or bpmn.io has no form of ours, but it often says what its
variables are: a Camunda ``formField``'s label and type (a Camunda 8 form-js field's too, read as
engine/camunda_forms.py reads it), a Flowable/Activiti ``formProperty``'s name,
a data object's name (spiff-arena and bpmn.io draw variables so), a task's input parameter named
in Chinese that takes a variable as it is (``<camunda:inputParameter name="整改天数">${days}</…>``,
``<zeebe:input source="=days" target="整改天数"/>``), or, when nothing else names it, the words the
model's documentation writes right before the variable (「执法人员登记罚款金额 fineAmount」,
「每期金额 perInstallment」). Only labels with Chinese in them are kept: a page
shows no English word. The conditions on the flows leaving each element, and the one each conditional
event waits for, are kept too (as the Python a deploy translates them to), so a gateway with no way
out, or a case stalled at an event, can ask for the values they read.
What a drawn form says of a value's type is kept as well, so the case page (案件数据) shows a value
as a person reads it (``ModelData.shown``): an amount with thousands separators, a day as
2026年12月1日, 是/否, an enum's name rather than its id.
Read from the deployed file (a version never changes), once per version.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from engine import dialects
from engine.dialects import B, VENDOR_NS, ZEEBE_NS
from engine.expressions import Untranslatable, translate
from engine import model_forms
from engine.model_forms import FALSE, NUMBER_KINDS, TRUE

from . import display

_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# a number field whose label says it is a year or a code (年度 2026, 企业编号 10086) is shown as typed
_NOT_AN_AMOUNT = re.compile(r"年度|年份|编号|代码|号码|序号")
_VARIABLE = re.compile(r"^\s*(?:\$\{\s*([A-Za-z_]\w*)\s*\}|=\s*([A-Za-z_]\w*))\s*$")


@dataclass(frozen=True)
class ModelData:
    labels: dict[str, str] = field(default_factory=dict)  # case-data key -> its Chinese label
    yes_no: frozenset[str] = frozenset()  # keys a drawn form asks as 是/否 (type boolean)
    # element id -> the conditions on the flows leaving it, or the one a conditional event waits for
    conditions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Camunda 8 tasks with zeebe:output mappings: what their form sets stays in the task (engine/local_outputs.py)
    outputs_only: frozenset[str] = frozenset()
    kinds: dict[str, str] = field(default_factory=dict)  # key -> its drawn field's type (long, date, enum…)
    choices: dict[str, dict[str, str]] = field(default_factory=dict)  # an enum's key -> {id: name shown}
    # a Camunda 8 field whose choices are the case's list (valuesKey): key -> where in the case data
    choices_from: dict[str, str] = field(default_factory=dict)

    def shown(self, key: str, value, data: dict | None = None) -> str | None:
        """``value`` of ``key`` as a person reads it, by the type its drawn field gives; None for a
        key no drawn field types (the page's general ``value`` filter shows it). ``data``: the case's
        data, for a choice taken from a list in it (its label, engine/model_forms.choices_from)."""
        kind = self.kinds.get(key)
        if kind is None or value is None or value == "":
            return None
        if key in self.choices_from and data is not None:
            names = dict((v, n) for v, n in model_forms.choices_from({"valuesFrom": self.choices_from[key]}, data) or [])
            if names:
                values = value if isinstance(value, list) else [value]
                text = [names.get(("true" if v else "false") if isinstance(v, bool) else str(v), display.value(v))
                        for v in values]
                return "、".join(text)
        if key in self.choices and isinstance(value, list):  # a Camunda 8 checklist: its choices' names
            return "、".join(self.choices[key].get(str(v), display.value(v)) for v in value)
        if key in self.choices:
            return self.choices[key].get(str(value), display.value(value))
        if kind == "boolean":
            text = str(value).strip().lower()
            return "是" if value is True or text in TRUE else "否" if value is False or text in FALSE else str(value)
        if kind == "date":
            return display.value(value)
        if kind in NUMBER_KINDS and not isinstance(value, bool):
            return _amount(value, self.labels.get(key, ""))
        return None


def _amount(value, label: str) -> str:
    """5000000 -> 5,000,000 (87.5 stays 87.5); a year or a code as it is."""
    if isinstance(value, str) and _PLAIN_NUMBER.match(value.strip()):
        value = float(value) if "." in value else int(value)
    if not isinstance(value, (int, float)) or _NOT_AN_AMOUNT.search(label):
        return display.value(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def model_data(engine, model_id: int | None) -> ModelData:
    """What the model of version ``model_id`` says of its data (empty for none or an unreadable file)."""
    return _read(engine, model_id) if model_id is not None else ModelData()


def data_labels(engine, model_id: int | None) -> dict[str, str]:
    return dict(model_data(engine, model_id).labels)


@lru_cache(maxsize=64)
def _read(engine, model_id: int) -> ModelData:
    try:
        root = etree.fromstring(engine.models.get(model_id).content.encode("utf-8"),
                                etree.XMLParser(resolve_entities=False, no_network=True))
    except Exception:  # noqa: BLE001 - an unreadable model only costs what it would have said
        return ModelData()
    labels: dict[str, str] = {}
    for key, label in _labelled(root):
        if key and label and _CHINESE.search(label) and not _CHINESE.search(key):
            labels.setdefault(key, " ".join(label.split()))
    kinds: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    sources: dict[str, str] = {}
    for ns in VENDOR_NS:
        for f in root.iter(f"{{{ns}}}formField", f"{{{ns}}}formProperty"):
            key = (f.get("variable") or "").strip() or f.get("id")
            if key:
                kinds.setdefault(key, (f.get("type") or "string").strip().lower())
                names = {v.get("id"): v.get("name") or v.get("id") for v in f.iterfind(f"{{{ns}}}value") if v.get("id")}
                if names:
                    choices.setdefault(key, names)
    for definition in root.iter(f"{{{ZEEBE_NS}}}formDefinition"):  # a Camunda 8 form embedded in the file
        owner = definition.getparent().getparent() if definition.getparent() is not None else None
        for f in dialects._form_fields(owner) if owner is not None else ():
            if f.get("id"):
                if f.get("label") and _CHINESE.search(f["label"]) and not _CHINESE.search(f["id"]):
                    labels.setdefault(f["id"], " ".join(f["label"].split()))
                kinds.setdefault(f["id"], "list" if f.get("multiple") else (f.get("type") or "string").lower())
                if f.get("values"):
                    choices.setdefault(f["id"], {v: n for v, n in f["values"]})
                elif f.get("valuesFrom"):
                    sources.setdefault(f["id"], f["valuesFrom"])
    yes_no = frozenset(k for k, kind in kinds.items() if kind == "boolean")
    conditions: dict[str, list[str]] = {}
    waits = ((e.getparent().get("id"), e.findtext(f"{B}condition")) for e in root.iter(f"{B}conditionalEventDefinition"))
    flows = ((f.get("sourceRef"), f.findtext(f"{B}conditionExpression")) for f in root.iter(f"{B}sequenceFlow"))
    for element, text in [*flows, *waits]:
        if element and text and text.strip():
            try:
                conditions.setdefault(element, []).append(translate(text.strip()))
            except Untranslatable:  # refused at deploy, so not in a deployed model: nothing to read
                continue
    outputs_only = frozenset(t.get("id") for kind in ("userTask", "manualTask") for t in root.iter(f"{B}{kind}")
                             if t.find(f"{B}extensionElements/{{{ZEEBE_NS}}}ioMapping/{{{ZEEBE_NS}}}output") is not None)
    return ModelData(labels, yes_no, {k: tuple(v) for k, v in conditions.items()}, outputs_only, kinds, choices, sources)


def _labelled(root):
    """(variable, label) as the model's vendor extensions and data objects give them."""
    for ns in VENDOR_NS:
        for f in root.iter(f"{{{ns}}}formField"):
            yield f.get("id"), f.get("label")
        for f in root.iter(f"{{{ns}}}formProperty"):
            yield (f.get("variable") or "").strip() or f.get("id"), f.get("name")
        for p in root.iter(f"{{{ns}}}inputParameter"):
            yield _variable(p.text), p.get("name")
    for p in root.iter(f"{{{ZEEBE_NS}}}input"):
        yield _variable(p.get("source")), p.get("target")
    for obj in root.iter(f"{B}dataObject"):
        yield obj.get("id"), obj.get("name")
    for ref in root.iter(f"{B}dataObjectReference"):
        yield ref.get("dataObjectRef"), ref.get("name")
    for doc in root.iter(f"{B}documentation"):  # the last: a label drawn on a field says it better
        yield from _documented(doc.text or "")


# 「执法人员登记罚款金额 fineAmount」, 「每期金额（perInstallment）」: the Chinese words right before a
# variable's name in a model's documentation, after the last verb or particle (登记、计算、的…)
_DOCUMENTED = re.compile(r"([\u4e00-\u9fff]{2,20})\s?[（(]?\s?([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_(.])")
_LEAD = re.compile(r"^.*(?:登记|计算|填写|录入|写入|生成|存入|取自|读取|得到|算出|按|把|将|的|和|与|及|或|由|含|时|写)")
_NOT_A_LABEL = re.compile(r"^(?:输出参数|输入参数|参数|变量|路径|结果|表达式|条件|脚本|连线|写法|取值|期间|对象)$|停下|[得为用]$")
_NOT_A_VARIABLE = frozenset({"Camunda", "camunda", "Flowable", "flowable", "Zeebe", "Activiti", "FEEL", "JUEL", "DMN", "BPMN",
                             "EL", "Java", "Double", "true", "false", "null", "vars", "condition", "Expected"})


def _documented(text: str):
    """(variable, the words naming it) as a model's documentation writes them; nothing for a
    phrase that names no thing (「按 JUEL」, 「输出参数 reviewedBy」)."""
    for words, name in _DOCUMENTED.findall(text):
        label = _LEAD.sub("", words)
        if 2 <= len(label) <= 10 and not _NOT_A_LABEL.search(label) and name not in _NOT_A_VARIABLE:
            yield name, label


def _variable(expression: str | None) -> str | None:
    """The variable an input takes as it is (``${days}``, ``=days``); None for a constant or anything computed."""
    m = _VARIABLE.match(expression or "")
    return next((g for g in m.groups() if g), None) if m else None
