"""A data object drawn as documentation (数据对象仅作说明).

bpmn.io, Camunda Modeler and Signavio let a designer draw 「隐患清单」 as a data object with an
arrow from 登记隐患 and one to 制定整改方案; Camunda 7 and 8, Flowable and jBPM run such a file and
ignore the arrows: a task reads and writes the process's variables by name. SpiffWorkflow reads the
arrows as moves of the variable named by the data object's id (``DataObject_0list``) between the
task and the process — what spiff-arena draws on purpose (``tests/bpmn/inspection_hazard_object.bpmn``
names its data object ``hazard_list`` and a script fills it). A data object whose id nothing in the
file names stopped the case at the first task with an arrow to it, in SpiffWorkflow's English
(「A data object could not be set; 'DataObject_0list' not exist in the task」): no form field,
script or expression could ever set a variable of that name. Its arrows go, noted on the task; a data
object some field, script or expression names keeps SpiffWorkflow's meaning.
"""
from __future__ import annotations

import re

from lxml import etree

B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_ARROWS = (f"{B}dataInputAssociation", f"{B}dataOutputAssociation")
_DECLARING = {f"{B}dataObject", f"{B}dataObjectReference"}


def _named_elsewhere(root, ident: str) -> bool:
    """Whether ``ident`` appears as a name in the file outside the data object's own declarations and
    the arrows to it (a form field, a script, an expression, a mapping...)."""
    word = re.compile(rf"(?<![\w.]){re.escape(ident)}(?!\w)")
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in _DECLARING or "BPMN/20100524/DI" in el.tag:
            continue
        parent = el.getparent()
        if parent is not None and parent.tag in _ARROWS:
            continue  # the arrow's own sourceRef / targetRef
        if el.text and word.search(el.text):
            return True
        if any(word.search(v) for k, v in el.attrib.items() if k != "id"):
            return True
    return False


def drop_documentation_arrows(process, notes: list, label) -> None:
    """Remove the data associations to data objects whose id nothing in the file names (see the
    module docstring), one note per task and data object."""
    root = process.getroottree().getroot()
    objects = {el.get("id"): el for el in process.iter(f"{B}dataObject") if el.get("id")}
    if not objects:
        return
    documentation = {ident for ident in objects if not _named_elsewhere(root, ident)}
    if not documentation:
        return
    names = {ident: (objects[ident].get("name") or "").strip() for ident in documentation}
    refs = {}
    for ref in process.iter(f"{B}dataObjectReference"):
        target = (ref.get("dataObjectRef") or "").strip()
        if target in documentation and ref.get("id"):
            refs[ref.get("id")] = target
            names[target] = names[target] or (ref.get("name") or "").strip()
    refs.update({ident: ident for ident in documentation})
    said = set()
    for arrow in list(process.iter(*_ARROWS)):
        ends = [(r.text or "").strip() for r in (*arrow.iterfind(f"{B}sourceRef"), *arrow.iterfind(f"{B}targetRef"))]
        hit = next((refs[e] for e in ends if e in refs), None)
        if hit is None:
            continue
        owner = arrow.getparent()
        inward = etree.QName(arrow).localname == "dataInputAssociation"
        owner.remove(arrow)
        if inward:  # bpmn.io's placeholder property the arrow pointed at
            for end in ends:
                for prop in owner.iterfind(f"{B}property"):
                    if prop.get("id") == end and prop.get("name") == "__targetRef_placeholder":
                        owner.remove(prop)
        if (owner, hit) not in said:
            said.add((owner, hit))
            shown = names[hit] or hit
            notes.append((f"{label(owner)} 与数据对象「{shown}」的关联仅作说明，不参与运行：任务按名称读写案件数据"
                          "（模型中没有任何表单字段、脚本或表达式用到这个数据对象）", owner))
