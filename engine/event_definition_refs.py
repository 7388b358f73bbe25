"""Event definitions given once at the top of a file and referenced (事件定义引用).

BPMN 2.0 lets an event name a definition kept among the file's root elements instead of holding one
(``<eventDefinitionRef>_c4e9…</eventDefinitionRef>`` beside ``<escalationEventDefinition id="_c4e9…"/>``
under ``definitions``, BPMN 2.0 §10.4.1 ``eventDefinitionRefs``); MID Innovator exports its events so
(bpmn-miwg's A.3.0 export). SpiffWorkflow reads only the definitions an event holds, so such an event
had none and was refused 「本系统不支持这种事件」, though it was an escalation or a message.

``inline`` puts a copy of each referenced definition in the event in place of the reference (with an
id of its own, the event's id after the definition's), so every check and the parser see it as drawn
inline. A reference to nothing in the file is left, for the checks that name the event.
"""
from __future__ import annotations

import copy

from lxml import etree

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def inline(root: etree._Element) -> list[tuple[etree._Element, str]]:
    """Replace each ``eventDefinitionRef`` in ``root`` (in place) by a copy of the definition it names;
    returns (event, definition id) for each."""
    definitions = {el.get("id"): el for el in root
                   if isinstance(el.tag, str) and etree.QName(el).localname.endswith("EventDefinition") and el.get("id")}
    done = []
    for ref in list(root.iter(f"{BPMN}eventDefinitionRef")):
        name = (ref.text or "").strip()
        prefix, colon, local = name.partition(":")
        definition = definitions.get(local if colon and prefix in ref.nsmap else name)
        event = ref.getparent()
        if definition is None or event is None:
            continue
        inlined = copy.deepcopy(definition)
        inlined.set("id", f"{event.get('id') or 'event'}_{definition.get('id')}")
        inlined.tail = ref.tail
        event.replace(ref, inlined)
        done.append((event, definition.get("id")))
    return done
