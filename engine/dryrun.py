"""Test-run of a draft model (试运行) on a throw-away database, before it is deployed.

The draft is deployed into a temporary SQLite file together with the decision tables and called
processes it needs, with the same roles; one case is started and walked: each open task is completed
with the data the designer supplies for it (or none), forms not enforced, until the case ends, waits
on a timer, or fails. The trace says which elements ran and where it stopped — nothing touches the
real database except one audit event (``model_test_run`` on the system chain: who, which file and
hash, how it ended), since a test-run runs the draft's code.
"""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import sqlalchemy as sa

from . import audit, validation
from .errors import EngineError, IncidentRaised
from .schema import ProcessModel, Role


def dry_run(engine, content: bytes | str, filename: str, data_by_task: dict | None = None,
            start_data: dict | None = None, max_steps: int = 50, by: str = "designer",
            decisions: list | None = None) -> dict:
    """Walk the draft; the real database gets only the audit event of the test-run. ``decisions``:
    DMN files ((file name, content)) the draft is deployed with, in place of the deployed ones."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    outcome = {"status": "refused"}
    try:
        outcome = _dry_run(engine, raw, filename, data_by_task, start_data, max_steps, decisions or [])
        return outcome
    finally:
        with engine.db.write() as s:
            audit.append(s, chain=audit.SYSTEM_CHAIN, actor=by, action="model_test_run", at=engine.clock.now(),
                         detail={"file": filename, "hash": hashlib.sha256(raw).hexdigest(),
                                 "status": outcome.get("status"), "element": outcome.get("element_id")})


def _dry_run(engine, content: bytes, filename: str, data_by_task: dict | None, start_data: dict | None,
             max_steps: int, decisions: list) -> dict:
    from .engine import Engine  # the engine module imports us lazily through Engine.dry_run

    data_by_task = data_by_task or {}
    with engine.db.read() as s:
        roles = [(r.code, r.name, r.sees_subordinate_orgs) for r in s.execute(sa.select(Role)).scalars()]
        deps = list(s.execute(sa.select(ProcessModel)).scalars())
    with tempfile.TemporaryDirectory(prefix="duban-dryrun-") as tmp:
        scratch = Engine(f"sqlite:///{Path(tmp) / 'dryrun.sqlite'}", clock=engine.clock, forms=None,
                         functions=engine.script_engine.functions)
        scratch.models.check_model_code = engine.models.check_model_code
        scratch.script_engine.environment.seconds = engine.script_engine.environment.seconds
        try:
            scratch.create_all()
            scratch.directory.add_org("dryrun", "试运行")
            for code, name, below in roles:
                scratch.directory.add_role(code, name, sees_subordinate_orgs=below)
            scratch.directory.add_user("designer", org="dryrun", roles=[r[0] for r in roles])
            latest = {}
            for m in deps:
                if m.key not in latest or m.version > latest[m.key].version:
                    latest[m.key] = m
            for m in sorted(latest.values(), key=lambda m: m.kind != "dmn"):
                try:
                    scratch.deploy(m.content, by="designer", filename=m.filename)
                except EngineError:
                    pass  # a stored model that no longer validates cannot serve the draft
            for name, dmn in decisions:  # the draft's own decision tables: a later version of the same key
                scratch.deploy(dmn, by="designer", filename=name)
            validation.check_connected(content, filename)  # the designer's standard: nothing left unconnected
            model = scratch.deploy(content, by="designer", filename=filename)
            return _walk(scratch, model.key, data_by_task, start_data or {}, max_steps)
        finally:
            scratch.dispose()


def _walk(scratch, key: str, data_by_task: dict, start_data: dict, max_steps: int) -> dict:
    trace = []
    try:
        case = scratch.start(key, by="designer", org="dryrun", data=start_data)
    except IncidentRaised as exc:
        return {"ok": False, "status": "incident", "error": str(exc), "trace": trace}
    for _ in range(max_steps):
        view = scratch.case(case.id)
        if view.status != "running" or not view.tasks:
            waiting = [{"element": t.element_id, "name": t.name, "due_at": t.due_at.isoformat()} for t in view.timers]
            events = _waiting_events(scratch, case.id)
            status = view.status if view.status != "running" else (
                "waiting_on_timer" if waiting else "waiting_on_event" if events else view.status)
            return {"ok": True, "status": status, "trace": trace, "timers": waiting, "events": events,
                    "data": view.data, "elements": scratch.case_elements(case.id)}
        task = view.tasks[0]
        trace.append({"element": task.spec_id, "name": task.name, "lane": task.lane, "role": task.role_code})
        user = task.assignee or "designer"  # a model's own assignee (camunda:assignee="demo") works it
        if user != "designer" and user not in {u.username for u in scratch.directory.users()}:
            scratch.directory.add_user(user, org="dryrun", roles=[])
        try:
            scratch.complete(task.id, user, dict(data_by_task.get(task.spec_id, {})))
        except IncidentRaised as exc:
            inc = scratch.incidents(case_id=case.id)[0]
            return {"ok": False, "status": "incident", "error": str(exc), "element_id": inc.element_id,
                    "trace": trace, "elements": scratch.case_elements(case.id)}
        except EngineError as exc:
            return {"ok": False, "status": "error", "error": str(exc), "trace": trace}
    return {"ok": False, "status": "too_many_steps", "error": f"more than {max_steps} steps (a loop?)",
            "trace": trace}


def _waiting_events(scratch, case_id: int) -> list[dict]:
    """Messages, signals and external tasks the walked case waits for (nobody sends them here)."""
    from .schema import EventWait, ExternalTask
    with scratch.db.read() as s:
        found = [{"element": w.element_id, "kind": w.kind, "name": w.name}
                 for w in s.execute(sa.select(EventWait).where(EventWait.case_id == case_id)).scalars()]
        found += [{"element": t.element_id, "kind": "external", "name": t.topic}
                  for t in s.execute(sa.select(ExternalTask).where(ExternalTask.case_id == case_id)).scalars()]
    return found
