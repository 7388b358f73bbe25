"""案件操作 (case actions): a message a waiting case's model offers on its case page.

A step that happens only if someone finds a reason for it — 撤销提前移出 when an early removal from the
serious-dishonesty list turns out to be won by fraud, possible for years and usually never — is drawn as a
message the case waits for (a receive task, a message catch or boundary event, a message event
sub-process) marked ``caseAction`` = the roles (codes or Chinese names, comma separated) that may take it.
Nothing sits in anyone's 待办 meanwhile: the case page shows the element's name as a button to the
officials of the case's own org unit holding one of the roles, while the case waits for it; pressing it
(POST, CSRF, confirmed on the page) delivers the message to this case (``Engine.correlate_message``,
which checks the event's ``senderRoles`` and the case's visibility again) with ``<prefix>_by`` — the
element's ``caseActionBy`` property names the variable — set to the one who pressed it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from xml.etree import ElementTree

import sqlalchemy as sa

from engine.schema import EventWait

from .diagram import readable_rule

_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
_WAITS = EventWait.__table__
_MESSAGE_WAITS = sa.select(_WAITS.c.element_id, _WAITS.c.name).where(
    _WAITS.c.case_id == sa.bindparam("case_id"), _WAITS.c.kind == "message")


@dataclass(frozen=True)
class Action:
    element_id: str
    label: str          # the element's (Chinese) name: what the button says
    message: str        # the message it sends
    by_variable: str | None  # the case variable that gets who pressed it
    help: str | None    # the element's documentation, shown beside the button


@dataclass(frozen=True)
class _Offer:
    roles: tuple[str, ...]
    label: str
    by_variable: str | None
    help: str | None


def _roles(value: str) -> tuple[str, ...]:
    return tuple(r.strip() for r in value.replace("，", ",").split(",") if r.strip())


@lru_cache(maxsize=64)
def _offers(engine, model_id: int) -> dict[str, _Offer]:
    """element id -> what the model offers there (a model version never changes: read once)."""
    try:
        root = ElementTree.fromstring(engine.models.get(model_id).content.encode("utf-8"))
    except Exception:  # noqa: BLE001 - an unreadable model offers nothing
        return {}
    found = {}
    for el in root.iter():
        props = {p.get("name"): p.get("value") or "" for p in el.iter(f"{_SPIFF}property")}
        roles = _roles(props.get("caseAction", ""))
        if not roles or not el.get("id") or not el.get("name"):
            continue
        is_message = el.tag == f"{_BPMN}receiveTask" or el.find(f"{_BPMN}messageEventDefinition") is not None
        if not is_message:
            continue
        doc = el.find(f"{_BPMN}documentation")
        found[el.get("id")] = _Offer(roles, el.get("name"), (props.get("caseActionBy") or "").strip() or None,
                                     readable_rule("".join(doc.itertext())) if doc is not None else None)
    return found


def offered(engine, case, user) -> list[Action]:
    """The actions ``user`` may take on ``case`` now: its model marks them, the case waits for their
    message, and the user is an official (not an enterprise account) of the case's org unit holding one
    of the roles. A model without ``caseAction`` costs no statement."""
    offers = _offers(engine, case.model_id) if case.model_id is not None else {}
    if not offers or case.status != "running" or user.party or user.org_code != case.org_code:
        return []
    mine = [element for element, offer in offers.items()
            if any(r in user.roles or r in user.role_names for r in offer.roles)]
    if not mine:
        return []
    with engine.db.read() as s:
        waits = s.execute(_MESSAGE_WAITS, {"case_id": case.id}).all()
    actions = {}
    for element_id, name in waits:
        if element_id in mine and element_id not in actions:
            offer = offers[element_id]
            actions[element_id] = Action(element_id, offer.label, name, offer.by_variable, offer.help)
    return [actions[e] for e in mine if e in actions]


def take(engine, case, user, element_id: str) -> Action:
    """Deliver the action's message to ``case``; LookupError when it is not offered to ``user`` now."""
    action = next((a for a in offered(engine, case, user) if a.element_id == element_id), None)
    if action is None:
        raise LookupError(element_id)
    data = {action.by_variable: user.username} if action.by_variable else None
    engine.correlate_message(action.message, by=user.username, case_id=case.id, data=data)
    return action
