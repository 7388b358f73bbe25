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

from functools import lru_cache
from xml.etree import ElementTree


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
