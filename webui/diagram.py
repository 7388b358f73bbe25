"""What the case diagram shows (流程图): the model the case runs on, and the marks on its elements.

- finished: elements the case has completed (``engine.case_elements``), less those active again
  (a loop back to an earlier step);
- active: what the case waits on now — open user tasks, and armed timers and events;
- overdue: open user tasks whose deadline has passed on the engine clock (drawn instead of active).
The engine also names cancelled elements (a boundary timer that never fired, a task a timer cut
short): they were not gone through, so they get no mark.
The browser (static/case-diagram.js) only draws: it receives these id lists and adds CSS markers.
"""
from __future__ import annotations

import re
from functools import lru_cache
from xml.etree import ElementTree

_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
# a name from code in a model's prose (statement_late, accident.publish_days, notCompletedBy, a file's
# path): one with an underscore, a dot or a lower-case letter (GB 50160 and 16号令 stay), alone in brackets or not
# Written so that no text makes it backtrack (a model's documentation is its author's, up to 5 MB): the
# test that it is code looks ahead once, the name is then taken whole (an atomic group), and the spaces
# before a name are taken from where they begin only. Nested stars over the same letters took minutes
# of a web worker on 「（a_ba_ba_b…」 or a long run of spaces, at the first view of the task page.
_CODE = r"(?=[A-Za-z_]*(?:[a-z_]|\.[A-Za-z]))(?>[A-Za-z_]*(?:\.[A-Za-z])?[A-Za-z0-9_/]*(?:\.[A-Za-z0-9_]+)*)"
_CODE_IN_BRACKETS = re.compile(rf"[（(]\s*+{_CODE}\s*+[)）]")
_CODE_WORD = re.compile(rf"(?<!\s)\s*+(?<![A-Za-z0-9_.]){_CODE}(?![A-Za-z0-9_])")


def model_of(engine, case):
    """The deployed model version the case started on (a later deploy never changes a running case)."""
    return engine.models.get(case.model_id)


def marks(engine, case) -> dict[str, list[str]]:
    now = engine.clock.now()
    elements = engine.case_elements(case.id)
    tasks = {t.spec_id for t in case.tasks}
    overdue = {t.spec_id for t in case.tasks if t.due_at is not None and t.due_at < now}
    active = (set(elements["active"]) | tasks) - overdue
    finished = {e for e in elements["completed"] if "." not in e} - active - overdue
    # Open user tasks first: the diagram opens on the first active element.
    return {"finished": sorted(finished), "active": sorted(active, key=lambda e: (e not in tasks, e)),
            "overdue": sorted(overdue)}


def element_names(engine, model_id: int) -> dict[str, str]:
    """BPMN element id -> its name in the model (for pages that name a step, such as incidents)."""
    return _element_names(engine, model_id)


@lru_cache(maxsize=64)
def _element_names(engine, model_id: int) -> dict[str, str]:
    try:
        root = ElementTree.fromstring(engine.models.get(model_id).content.encode("utf-8"))
    except Exception:  # noqa: BLE001 - an unreadable model only costs the names
        return {}
    return {el.get("id"): el.get("name") for el in root.iter() if el.get("id") and el.get("name")}


def step_rule(engine, model_id: int | None, element: str, name: str) -> str | None:
    """The documentation of step ``element`` (named ``name``) of the model, as a person reads it: the
    law or rule the step follows (「《行政处罚法》第四十五条：当事人有权陈述申辩……」), shown on its task
    page. Names from code in it are taken out; a documentation with no Chinese in it (an English note
    of a model drawn elsewhere) is not shown, nor one of an element of another name (a called
    process's task whose id the calling model also uses)."""
    found = _element_rules(engine, model_id).get(element) if model_id is not None else None
    return found[1] if found and found[0] == name else None


def readable_rule(text: str) -> str | None:
    """``text`` without the names from code in it, or None when no Chinese is left to read."""
    text = _CODE_WORD.sub("", _CODE_IN_BRACKETS.sub("", text or ""))
    text = re.sub(r"[（(]\s*[，,；;]\s*", "（", text)
    text = " ".join(text.split())
    return text if _CHINESE.search(text) else None


@lru_cache(maxsize=64)
def _element_rules(engine, model_id: int) -> dict[str, tuple[str | None, str]]:
    try:
        root = ElementTree.fromstring(engine.models.get(model_id).content.encode("utf-8"))
    except Exception:  # noqa: BLE001 - an unreadable model only costs the rules
        return {}
    rules = {}
    for el in root.iter():
        doc = el.find(f"{_BPMN}documentation") if el.get("id") else None
        shown = readable_rule("".join(doc.itertext())) if doc is not None else None
        if shown:
            rules[el.get("id")] = (el.get("name"), shown)
    return rules
