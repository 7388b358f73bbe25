"""What the case diagram shows (流程图): the model the case runs on, and the marks on its elements.

- finished: elements the case has passed through (``queries.finished_elements``);
- active: the open user tasks (their ``spec_id`` is the BPMN element id);
- overdue: active tasks whose deadline has passed on the engine clock.
The browser (static/case-diagram.js) only draws: it receives these id lists and adds CSS markers.
"""
from __future__ import annotations

from functools import lru_cache
from xml.etree import ElementTree

from . import queries


def model_of(engine, case):
    """The deployed model version the case started on (a later deploy never changes a running case)."""
    for model in engine.models.versions(case.process_key):
        if model.version == case.model_version:
            return model
    return None


def marks(engine, case) -> dict[str, list[str]]:
    now = engine.clock.now()
    active = {t.spec_id for t in case.tasks}
    overdue = {t.spec_id for t in case.tasks if t.due_at is not None and t.due_at < now}
    finished = queries.finished_elements(engine, case.id, case.history) - active
    return {"finished": sorted(finished), "active": sorted(active - overdue), "overdue": sorted(overdue)}


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
