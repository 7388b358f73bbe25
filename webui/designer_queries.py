"""Read-only facts the process designer (流程设计) shows beside the models, which the engine does not
offer as calls: how many cases run on each deployed version, and what a designer may pick from in
the properties panel (roles for lanes, form schemas, decision ids, callable processes).

Everything is read through ``engine.db.read()`` or the engine's own listing calls; nothing writes.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from lxml import etree

from engine import case_numbers
from engine.schema import Case, Counter, ProcessModel
from engine.validation import safe_xml


@dataclass(frozen=True)
class CaseCount:
    """Cases started on one model version: running ones still depend on it, so it matters before a
    deploy how many there are (they stay on it; only new cases take the new version)."""
    running: int = 0
    total: int = 0


def case_counts(engine) -> dict[int, CaseCount]:
    """model id -> CaseCount, in one grouped query over the case table."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    with engine.db.read() as s:
        for model_id, status, n in s.execute(
                sa.select(Case.model_id, Case.status, sa.func.count()).group_by(Case.model_id, Case.status)):
            counts[model_id][status] = n
    return {mid: CaseCount(running=by.get("running", 0), total=sum(by.values())) for mid, by in counts.items()}


def running_by_key(engine) -> dict[str, int]:
    """process key -> running cases, whatever version they are on (one grouped query)."""
    with engine.db.read() as s:
        return dict(s.execute(sa.select(Case.process_key, sa.func.count()).where(Case.status == "running")
                              .group_by(Case.process_key)).all())


def case_numbering(engine, key: str, declared: str | None) -> dict:
    """How the cases of ``key`` are numbered once a model declaring ``declared`` (None: nothing, the key's
    initials) is deployed (engine/case_numbers.py): the prefix, whether it is declared, the 案号 the next
    case gets this year (the counter of the prefix and year, in China, as it stands), and the names of the
    other deployed processes whose cases get the same prefix — which the deploy lets through only when
    neither declared it: they share one counter, and their 案号 do not tell the processes apart."""
    prefix = case_numbers.effective(key, declared)
    year, counter = case_numbers.counter_name(prefix, engine.clock.now())
    pm = ProcessModel.__table__
    newest = (sa.select(pm.c.key, sa.func.max(pm.c.version).label("v")).where(pm.c.kind == "bpmn", pm.c.key != key)
              .group_by(pm.c.key).subquery())
    with engine.db.read() as s:
        taken = s.scalar(sa.select(Counter.value).where(Counter.name == counter)) or 0
        others = s.execute(sa.select(pm.c.key, pm.c.name, pm.c.case_prefix)
                           .join(newest, sa.and_(pm.c.key == newest.c.key, pm.c.version == newest.c.v))
                           .order_by(pm.c.key)).all()
    return {"prefix": prefix, "declared": bool(declared), "next_case_no": f"{prefix}-{year}-{taken + 1:05d}",
            "shared_with": [name or other for other, name, theirs in others
                            if case_numbers.effective(other, theirs) == prefix]}


def version_of(engine, key: str, version: int | None):
    """One deployed version of ``key`` (the latest when ``version`` is None), or None."""
    versions = engine.models.versions(key)
    if not versions:
        return None
    if version is None:
        return versions[-1]
    return next((m for m in versions if m.version == version), None)


def choices(engine) -> dict:
    """What the properties panel offers in its dropdowns, taken from the running system so a
    designer can only pick what exists: roles (lane names), form schemas, decision ids and
    process keys of deployed models."""
    roles = [{"code": r.code, "name": r.name} for r in engine.directory.roles()]
    decisions, processes, used_in = [], [], {}
    for model in engine.models.list():
        if model.kind == "dmn":
            decisions.extend(_decisions(model.content))
        else:
            processes.append({"key": model.key, "name": model.name})
            for key in _FORM_SCHEMA.findall(model.content):
                used_in.setdefault(key, model.name or model.key)
    forms = []
    if engine.forms is not None:  # by the process that uses each (two processes have a 「结案审批」 each)
        forms = [{"key": k, "title": engine.forms.title(k), "process": used_in.get(k, "")} for k in engine.forms.keys()]
    return {"roles": roles, "forms": forms, "decisions": sorted(decisions, key=lambda d: d["id"]),
            "processes": processes}


_FORM_SCHEMA = re.compile(r'name="formSchema"\s+value="([^"]+)"')  # a deployed model's spiffworkflow:property


def _decisions(content: str) -> list[dict]:
    """The decisions of a DMN file: ``calledDecisionId`` names a decision, not the file's key."""
    try:
        root = safe_xml(content.encode("utf-8"), "model.dmn")
    except Exception:  # noqa: BLE001 - a stored file that no longer reads only costs its choices
        return []
    return [{"id": el.get("id"), "name": el.get("name") or ""} for el in root
            if isinstance(el.tag, str) and etree.QName(el).localname == "decision" and el.get("id")]
