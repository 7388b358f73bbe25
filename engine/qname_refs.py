"""References written as qualified names (限定名引用): ``messageRef="tns:newInvoice"``.

BPMN 2.0 types an event's ``messageRef``, ``signalRef``, ``errorRef`` and ``escalationRef``, a
boundary event's ``attachedToRef``, a pool's ``processRef`` and a call activity's ``calledElement``
as ``xsd:QName``: a prefix bound to a namespace in the file, a colon, then the id. Hand-written
Camunda 7 and Flowable files and some exporters write them so (``xmlns:tns="Examples"`` …
``messageRef="tns:newInvoice"``: Camunda's MessageStartEventTest; IBM Process Designer's
``attachedToRef="Process:bpmnid-…"``); Camunda, Flowable and Activiti resolve an event's prefix and
find the element. SpiffWorkflow looks the value up as an id, so such a file was refused
「引用的消息已不存在」. (A ``calledElement`` so written names a process of the same file; no process
key holds a colon, so it cannot be read as another deployed process.)

``unprefix`` rewrites each such value whose prefix the element has in scope and whose local part is
an element's id in the file to that id. Anything else is left as written, for the checks that name
a missing reference (engine/validation.py).
"""
from __future__ import annotations

from lxml import etree

QNAME_ATTRIBUTES = ("messageRef", "signalRef", "errorRef", "escalationRef", "attachedToRef", "processRef",
                    "calledElement")  # a process of the same file (IBM: calledElement="Process:bpmnid-…")


def unprefix(root: etree._Element) -> list[tuple[etree._Element, str, str]]:
    """Rewrite ``prefix:id`` references in ``root`` (in place) to ``id``; returns (element,
    attribute, value as written) for each rewritten."""
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    rewritten = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attribute in QNAME_ATTRIBUTES:
            value = (el.get(attribute) or "").strip()
            prefix, colon, local = value.partition(":")
            if colon and prefix in el.nsmap and local in ids and value not in ids:
                el.set(attribute, local)
                rewritten.append((el, attribute, value))
    return rewritten
