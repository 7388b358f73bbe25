"""Event definitions given once at the top of a file and referenced (事件定义引用).

BPMN 2.0 lets an event name a definition kept among the file's root elements instead of holding one
(``<eventDefinitionRef>_c4e9…</eventDefinitionRef>`` beside ``<escalationEventDefinition id="_c4e9…"/>``
under ``definitions``, BPMN 2.0 §10.4.1 ``eventDefinitionRefs``); MID Innovator exports its events so
(bpmn-miwg's A.3.0 export). SpiffWorkflow reads only the definitions an event holds, so such an event
had none and was refused 「本系统不支持这种事件」, though it was an escalation or a message.

``inline`` puts a copy of each referenced definition in the event in place of the reference (with an
id of its own, the event's id after the definition's), so every check and the parser see it as drawn
inline. A reference to nothing in the file is left, for the checks that name the event.

Copies cost what they copy: one definition of 100 KB (a condition's text) named by 2,000 events made
200 MB of a 350 KB file, at every deploy, validation and preview — a file of the 5 MB bound, gigabytes.
The copies of one file together are bounded by ``MAX_COPIED`` characters (the file's own bound);
past it the file is refused naming the definition. MID Innovator's definitions are a line each.
"""
from __future__ import annotations

import copy

from lxml import etree

from .errors import InvalidModel
from .excerpt import excerpt

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
MAX_COPIED = 5 * 1024 * 1024  # characters of definitions copied into events, a file's whole bound


def inline(root: etree._Element) -> list[tuple[etree._Element, str]]:
    """Replace each ``eventDefinitionRef`` in ``root`` (in place) by a copy of the definition it names;
    returns (event, definition id) for each."""
    definitions = {el.get("id"): el for el in root
                   if isinstance(el.tag, str) and etree.QName(el).localname.endswith("EventDefinition") and el.get("id")}
    done = []
    sizes: dict[str, int] = {}
    copied = 0
    for ref in list(root.iter(f"{BPMN}eventDefinitionRef")):
        name = (ref.text or "").strip()
        prefix, colon, local = name.partition(":")
        definition = definitions.get(local if colon and prefix in ref.nsmap else name)
        event = ref.getparent()
        if definition is None or event is None:
            continue
        key = definition.get("id")
        if key not in sizes:
            sizes[key] = len(etree.tostring(definition, encoding="unicode"))
        copied += sizes[key]
        if copied > MAX_COPIED:
            raise InvalidModel(f"事件定义「{excerpt(key)}」被事件引用后要复制的内容过多（超过 {MAX_COPIED:,} 个字符）；"
                               "请缩短事件定义，或在各事件中直接画出各自的事件定义", line=ref.sourceline,
                               element_id=event.get("id"))
        inlined = copy.deepcopy(definition)
        inlined.set("id", f"{event.get('id') or 'event'}_{definition.get('id')}")
        inlined.tail = ref.tail
        event.replace(ref, inlined)
        done.append((event, definition.get("id")))
    return done
