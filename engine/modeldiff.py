"""What changed between two versions of a model (版本比较): elements added, removed and changed.

Elements are matched by id. An element counts as changed when its kind, name, lane, sequence-flow
ends, condition, script, timer, called element or ``spiffworkflow`` properties differ — what the
engine runs on, not the diagram layout.

Every entry also says what changed in Chinese (``text``; each change its ``label`` and ``text``),
naming elements by their names — 新增用户任务「审核挂牌建议」, 条件 由「x」改为「y」 — so a page shows
the designer's words, never the attribute names or Python values the comparison works on.
"""
from __future__ import annotations

from typing import Callable

from lxml import etree

from .dialects import KIND_NAMES
from .validation import BPMN_NS, NS, safe_xml

# What each compared field is, in the designer's words (the properties group 督办 uses the same).
FIELD_LABELS = {
    "kind": "类型", "name": "名称", "lane": "泳道（角色）", "sourceRef": "起点", "targetRef": "终点",
    "attachedToRef": "附着于", "calledElement": "调用的流程", "default": "默认分支", "cancelActivity": "中断任务",
    "condition": "条件", "script": "脚本", "timer_timeDate": "定时器（到期时间）", "timer_timeDuration": "定时器（时长）",
    "timer_timeCycle": "定时器（周期）", "decision": "决策表", "multi_instance": "多实例",
}
PROPERTY_LABELS = {
    "formSchema": "表单", "formKey": "外部表单", "formFields": "模型内表单字段", "assignee": "指定办理人", "assigneeUnit": "办理人可属单位",
    "candidateUsers": "候选办理人", "candidateGroups": "候选组", "notCompletedBy": "回避（办理过的环节）", "completerVariable": "办理人记入变量",
    "notRoleOfCase": "回避（本案角色）", "dueDate": "办理期限", "priority": "初始优先级", "escalate": "到期时升级督办",
    "defaultRole": "默认角色", "followUpDate": "跟进日期",
}
REFERENCES = ("sourceRef", "targetRef", "attachedToRef", "default")  # values that are element ids

SKIP = {"definitions", "process", "laneSet", "flowNodeRef", "incoming", "outgoing", "extensionElements",
        "conditionExpression", "script", "timerEventDefinition", "timeDate", "timeDuration", "timeCycle",
        "properties", "property", "documentation", "multiInstanceLoopCharacteristics", "loopDataInputRef",
        "loopDataOutputRef", "inputDataItem", "outputDataItem", "collaboration", "participant"}


def _describe(el, lane_of: dict) -> dict:
    kind = etree.QName(el).localname
    d = {"kind": kind, "name": el.get("name") or ""}
    eid = el.get("id")
    if eid in lane_of:
        d["lane"] = lane_of[eid]
    for attr in ("sourceRef", "targetRef", "attachedToRef", "calledElement", "default"):
        if el.get(attr) is not None:
            d[attr] = el.get(attr)
    if kind == "boundaryEvent":  # absent means true (interrupting); editors differ in writing it
        d["cancelActivity"] = (el.get("cancelActivity") or "true").lower()
    cond = el.find("bpmn:conditionExpression", NS)
    if cond is not None:
        d["condition"] = (cond.text or "").strip()
    script = el.find("bpmn:script", NS)
    if script is not None:
        d["script"] = (script.text or "").strip()
    timer = el.find("bpmn:timerEventDefinition", NS)
    if timer is not None:
        for child in timer:
            d["timer_" + etree.QName(child).localname] = (child.text or "").strip()
    props = {p.get("name"): p.get("value") for p in el.iterfind("bpmn:extensionElements//spiffworkflow:property", NS)}
    if props:
        d["properties"] = props
    decision = el.find("bpmn:extensionElements/spiffworkflow:calledDecisionId", NS)
    if decision is not None:
        d["decision"] = (decision.text or "").strip()
    if el.find("bpmn:multiInstanceLoopCharacteristics", NS) is not None:
        d["multi_instance"] = True
    return d


def elements(content: bytes | str) -> dict[str, dict]:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    root = safe_xml(raw, "model")
    lane_of = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            lane_of[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
    found = {}
    for el in root.iter(f"{{{BPMN_NS}}}*"):
        kind = etree.QName(el).localname
        if kind in SKIP or not el.get("id"):
            continue
        found[el.get("id")] = _describe(el, lane_of)
    return found


def diff(old: bytes | str, new: bytes | str, form_title: Callable[[str], str] | None = None) -> dict:
    """Added, removed and changed elements; ``form_title`` (form key -> title) names forms by title."""
    a, b = elements(old), elements(new)
    words = _Words(a, b, form_title)
    changed = []
    for eid in sorted(a.keys() & b.keys()):
        if a[eid] != b[eid]:
            changes = {}
            for f in sorted(k for k in a[eid].keys() | b[eid].keys() if a[eid].get(k) != b[eid].get(k)):
                if f == "properties":  # one change per property: 表单 由「…」改为「…」
                    old_p, new_p = a[eid].get(f) or {}, b[eid].get(f) or {}
                    for name in sorted(k for k in old_p.keys() | new_p.keys() if old_p.get(k) != new_p.get(k)):
                        changes[f"properties.{name}"] = words.change(f"properties.{name}", old_p.get(name),
                                                                     new_p.get(name))
                else:
                    changes[f] = words.change(f, a[eid].get(f), b[eid].get(f))
            entry = {"id": eid, "kind": b[eid]["kind"], "name": b[eid]["name"], "changes": changes}
            entry["title"] = words.element(eid, b)
            entry["text"] = f"修改{entry['title']}：" + "；".join(c["text"] for c in changes.values())
            changed.append(entry)
    added = [{"id": i, **b[i], "title": words.element(i, b)} for i in sorted(b.keys() - a.keys())]
    removed = [{"id": i, **a[i], "title": words.element(i, a)} for i in sorted(a.keys() - b.keys())]
    for e in added:
        e["text"] = f"新增{e['title']}"
    for e in removed:
        e["text"] = f"删除{e['title']}"
    return {"added": added, "removed": removed, "changed": changed}


class _Words:
    """Elements and values of two versions in Chinese, for ``diff``."""

    def __init__(self, old: dict, new: dict, form_title):
        self.old, self.new, self.form_title = old, new, form_title

    def _name(self, eid, version: dict, ends: bool = True) -> str:
        """An element's name; an unnamed flow's is its ends' (``ends``), each named without its own
        ends: a draft's flow may start at a flow, or at itself (a hand-edited file the diff reads
        before any check), which named itself without end."""
        d = version.get(eid) or self.new.get(eid) or self.old.get(eid)
        if d is None:
            return eid
        if d.get("name"):
            return d["name"]
        if d["kind"] == "sequenceFlow" and ends:
            return (f"{self._name(d.get('sourceRef'), version, ends=False)} → "
                    f"{self._name(d.get('targetRef'), version, ends=False)}")
        return f"未命名{KIND_NAMES.get(d['kind'], d['kind'])}"

    def element(self, eid: str, version: dict) -> str:
        """「审核挂牌建议」 with its kind: 用户任务「审核挂牌建议」, 连线「登记隐患 → 审核」."""
        kind = KIND_NAMES.get(version[eid]["kind"], version[eid]["kind"])
        return f"{kind}「{self._name(eid, version)}」"

    def value(self, field: str, value, version: dict) -> str:
        if value is None or value == "":
            return "（无）"
        if field in REFERENCES:
            return self._name(value, version)
        if field == "kind":
            return KIND_NAMES.get(value, value)
        if field == "cancelActivity":
            return "是" if str(value).lower() == "true" else "否"
        if field == "multi_instance":
            return "是" if value else "否"
        if field == "properties.formSchema" and self.form_title is not None:
            title = self.form_title(value)
            return f"{title}（{value}）" if title and title != value else value
        if field == "properties.escalate":
            return "否" if str(value).lower() == "false" else "是"
        return str(value)

    def change(self, field: str, old, new) -> dict:
        if field.startswith("properties."):
            prop = field.split(".", 1)[1]
            label = PROPERTY_LABELS.get(prop, f"属性 {prop}")
        else:
            label = FIELD_LABELS.get(field, field)
        before, after = self.value(field, old, self.old), self.value(field, new, self.new)
        if old is None or old == "":
            text = f"{label} 设为「{after}」"
        elif new is None or new == "":
            text = f"{label} 取消（原为「{before}」）"
        else:
            text = f"{label} 由「{before}」改为「{after}」"
        return {"old": old, "new": new, "label": label, "old_text": before, "new_text": after, "text": text}
