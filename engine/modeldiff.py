"""What changed between two versions of a model (版本比较): elements added, removed and changed.

Elements are matched by id. An element counts as changed when its kind, name, lane, sequence-flow
ends, condition, script, timer, called element or ``spiffworkflow`` properties differ — what the
engine runs on, not the diagram layout.
"""
from __future__ import annotations

from lxml import etree

from .validation import BPMN_NS, NS, safe_xml

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


def diff(old: bytes | str, new: bytes | str) -> dict:
    a, b = elements(old), elements(new)
    changed = []
    for eid in sorted(a.keys() & b.keys()):
        if a[eid] != b[eid]:
            fields = sorted(k for k in a[eid].keys() | b[eid].keys() if a[eid].get(k) != b[eid].get(k))
            changed.append({"id": eid, "kind": b[eid]["kind"], "name": b[eid]["name"],
                            "changes": {f: {"old": a[eid].get(f), "new": b[eid].get(f)} for f in fields}})
    return {
        "added": [{"id": i, **b[i]} for i in sorted(b.keys() - a.keys())],
        "removed": [{"id": i, **a[i]} for i in sorted(a.keys() - b.keys())],
        "changed": changed,
    }
