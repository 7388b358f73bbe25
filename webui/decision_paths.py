"""Where each decision button of a step leads (按钮后果), read from the model the case runs on.

A decision is one button per choice (webui/formspec.decision_field). What a button does is drawn in
the model: the exclusive gateway right after the step routes on the decision (``close_approval_decision
== '同意'``, the other way its default flow), and the path goes on, through the process's own
script and service tasks, to the next person's step or to the end. So the page can say, under
「同意」「退回」: 同意 → 公告摘牌（执法人员）; 退回 → 现场复查（执法人员）.

Only what the model says for sure is told: a path that forks again on something else (another
gateway with several ways out, an event it waits for) says nothing rather than guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from xml.etree import ElementTree

B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_PERSON = {"userTask", "manualTask"}
_PASSED = {"scriptTask", "serviceTask", "businessRuleTask", "task", "sendTask", "exclusiveGateway",
           "parallelGateway", "inclusiveGateway", "intermediateThrowEvent"}
_STEPS = 12  # elements walked after the gateway at most (a model's loop never runs the page long)


@dataclass(frozen=True)
class Outcome:
    choice: str | bool  # a decision's choice, or True/False for a 是/否 the gateway routes on
    step: str | None  # the next person's step, or None when the case ends there
    lane: str | None  # that step's lane (the role that does it), if drawn
    back: bool  # the step comes before this one in the model: the case goes back to it
    end: str | None = None  # the end event's name, when the case ends there


def outcomes(engine, model_id: int | None, element: str, name: str, decision: str,
             choices: list) -> list[Outcome]:
    """What each of ``choices`` of the field ``decision`` on step ``element`` (named ``name``: not a
    called process's step whose id the calling model also uses) leads to, for the choices the model
    routes for sure (in the order of ``choices``)."""
    model = _model(engine, model_id) if model_id is not None else None
    if model is None or element not in model.elements or model.elements[element].get("name") != name:
        return []
    if model.elements[element].find(f"{B}multiInstanceLoopCharacteristics") is not None:
        return []  # 会签, 表决: the way on follows every instance's answer, not one person's
    found = []
    for choice in choices:
        flow = model.flow_for(element, decision, choice)
        end = model.walk(flow) if flow is not None else None
        if end is not None:
            kind, el = end
            if kind in _PERSON:
                found.append(Outcome(choice, el.get("name"), model.lanes.get(el.get("id")),
                                     model.order[el.get("id")] <= model.order[element]))
            else:
                found.append(Outcome(choice, None, None, False, el.get("name") or "办结"))
    return found


class _Model:
    def __init__(self, root):
        self.elements = {el.get("id"): el for el in root.iter() if el.get("id")}
        self.order = {key: n for n, key in enumerate(self.elements)}
        self.out: dict[str, list] = {}
        for f in root.iter(f"{B}sequenceFlow"):
            self.out.setdefault(f.get("sourceRef"), []).append(f)
        self.lanes = {ref.text.strip(): lane.get("name") for lane in root.iter(f"{B}lane") if lane.get("name")
                      for ref in lane.iter(f"{B}flowNodeRef") if ref.text}

    def flow_for(self, element: str, decision: str, choice: str):
        """The flow the gateway right after ``element`` takes for ``decision == choice``."""
        after = self.out.get(element) or []
        if len(after) != 1:
            return None
        gateway = self.elements.get(after[0].get("targetRef"))
        if gateway is None or _kind(gateway) != "exclusiveGateway":
            return None
        flows = self.out.get(gateway.get("id")) or []
        said = [(f, (f.findtext(f"{B}conditionExpression") or "").strip()) for f in flows]
        if not all(decision in text for f, text in said if text):
            return None  # the gateway routes on something besides this decision
        for f, text in said:
            if text and _says(text, decision, choice):
                return f
        default = gateway.get("default")
        return next((f for f, text in said if f.get("id") == default and not text), None)

    def walk(self, flow):
        """(kind, element) of the next person's step or end event along ``flow``, or None."""
        for _ in range(_STEPS):
            el = self.elements.get(flow.get("targetRef"))
            if el is None:
                return None
            kind = _kind(el)
            if kind in _PERSON or kind == "endEvent":
                return kind, el
            after = self.out.get(el.get("id")) or []
            if kind not in _PASSED or len(after) != 1:
                return None
            flow = after[0]
        return None


def _plain(condition: str) -> str:
    """A condition as Camunda 7/Flowable (JUEL ``${!pass}``, ``${pass == true}``) or Camunda 8 (FEEL
    ``=fixed = true``, ``=not(fixed)``) write it, in the Python-like words ``_says`` reads."""
    c = condition.strip()
    juel = re.fullmatch(r"[$#]\{(.*)\}", c, re.S)  # one greedy group: no backtracking over a model's spaces
    if juel:
        c = juel.group(1).strip()
    elif c.startswith("="):
        c = re.sub(r"(?<![=!<>])=(?!=)", "==", c[1:].strip())
    c = re.sub(r"^!\s*", "not ", c)
    c = re.sub(r"^not\s*\((.*)\)$", r"not \1", c)
    c = re.sub(r"""(['"])(true|false)\1""", r"\2", c)  # Activiti's ${agree == 'true'}: the form posts text
    return re.sub(r"\bfalse\b", "False", re.sub(r"\btrue\b", "True", c))


def _says(condition: str, name: str, choice) -> bool:
    """Whether ``condition`` is ``name == 'choice'`` (a decision), or for a 是/否 ``choice`` (True,
    False) the bare ``name`` / ``not name`` / ``name == True`` a model writes."""
    condition = _plain(condition)
    n = re.escape(name)
    if isinstance(choice, bool):
        if choice:
            return re.fullmatch(rf"\s*(?:{n}|{n}\s*==\s*True|{n}\s+is\s+True)\s*", condition) is not None
        return re.fullmatch(rf"\s*(?:not\s+{n}|{n}\s*==\s*False|{n}\s+is\s+False)\s*", condition) is not None
    return re.search(rf"\b{n}\s*==\s*(['\"]){re.escape(choice)}\1", condition) is not None


def _kind(el) -> str:
    return el.tag.rsplit("}", 1)[-1]


@lru_cache(maxsize=64)
def _model(engine, model_id: int) -> _Model | None:
    try:
        return _Model(ElementTree.fromstring(engine.models.get(model_id).content.encode("utf-8")))
    except Exception:  # noqa: BLE001 - an unreadable model only costs the hints
        return None
