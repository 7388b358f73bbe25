"""A loop that waits for the outside world each round (等待外部事件的环路): the famous pizza
collaboration of bpmn.io and the BPMN examples — 「where is my pizza?」 caught, the customer calmed,
back to waiting for the next call — a message (signal, timer, condition) catch event or a receive
task on a loop of sequence flows with no gateway deciding anything. Camunda, Flowable and Activiti run
it: each round waits for the next message, and the case ends on another branch (a terminate end
event). SpiffWorkflow, predicting a case's future tasks when it starts, follows such a loop forever
(RecursionError), so engine/validation refused it as a loop that goes round with nothing to stop it.

Here a pass-through exclusive gateway is put before the waiting element (every flow into it goes to
the gateway, the gateway's one flow to the element): SpiffWorkflow's prediction stops at a gateway,
the case runs as drawn, and the loop is no longer taken for an endless one. A loop through a parallel
or inclusive gateway (new branches every round) and a loop of tasks only stay refused there.
"""
from __future__ import annotations

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
B = f"{{{BPMN_NS}}}"

# what waits for the outside world: the next round of the loop cannot come without it
WAITING_DEFINITIONS = {"messageEventDefinition", "signalEventDefinition", "timerEventDefinition",
                       "conditionalEventDefinition"}
# what decides, or multiplies, the rounds: a loop through one of these is engine/validation's to judge
GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway", "parallelGateway"}
CONTAINERS = {"process", "subProcess", "transaction"}


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _waits(node) -> bool:
    kind = _local(node)
    if kind == "receiveTask":
        return True
    return kind == "intermediateCatchEvent" and any(_local(d) in WAITING_DEFINITIONS for d in node)


def break_waiting_loops(container, ids: set[str] | None = None) -> list[etree._Element]:
    """Put a pass-through exclusive gateway before each waiting element of ``container`` (and of its
    sub-processes) that lies on a loop with no gateway; the elements so handled. ``ids``: the ids
    the file already uses (the new elements' ids are free of them)."""
    if ids is None:
        ids = {el.get("id") for el in container.getroottree().getroot().iter() if isinstance(el.tag, str) and el.get("id")}
    handled = []
    for node in container:
        if _local(node) in CONTAINERS:
            handled += break_waiting_loops(node, ids)
    nodes = {n.get("id"): n for n in container if isinstance(n.tag, str) and n.get("id")}
    flows = [f for f in container if _local(f) == "sequenceFlow"
             and f.get("sourceRef") in nodes and f.get("targetRef") in nodes]
    successors: dict[str, list[str]] = {}
    for flow in flows:
        successors.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    for wid, waiting in list(nodes.items()):
        if not _waits(waiting) or not _round_without_gateway(wid, nodes, successors):
            continue
        gateway_id = free_id(f"{wid}_round", ids)
        gateway = etree.Element(f"{B}exclusiveGateway", id=gateway_id)
        container.insert(list(container).index(waiting), gateway)
        for flow in flows:
            if flow.get("targetRef") == wid:
                flow.set("targetRef", gateway_id)
        for incoming in waiting.findall(f"{B}incoming"):
            waiting.remove(incoming)
        through = etree.Element(f"{B}sequenceFlow", id=free_id(f"{wid}_round_flow", ids),
                                sourceRef=gateway_id, targetRef=wid)
        container.insert(list(container).index(waiting) + 1, through)
        nodes[gateway_id] = gateway
        handled.append(waiting)
    return handled


def _round_without_gateway(start: str, nodes: dict, successors: dict[str, list[str]]) -> bool:
    """Whether ``start`` is reached again from itself along flows through no gateway."""
    seen: set[str] = set()
    todo = list(successors.get(start, ()))
    while todo:
        nid = todo.pop()
        if nid == start:
            return True
        if nid in seen or _local(nodes[nid]) in GATEWAYS:
            continue
        seen.add(nid)
        todo += successors.get(nid, ())
    return False


def free_id(wanted: str, ids: set[str]) -> str:
    """``wanted``, or ``wanted`` with a number after it, not among ``ids`` (a new element's id); kept in ``ids``."""
    found, n = wanted, 1
    while found in ids:
        n += 1
        found = f"{wanted}{n}"
    ids.add(found)
    return found
