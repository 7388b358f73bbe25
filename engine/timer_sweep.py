"""The timer sweep (定时器扫描): claim due timers with a lease, fire them case by case, in batches.

1. **Claim** (one short transaction): due rows whose lease is free or ran out get this worker's
   name and a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers never wait for each
   other's claims). A worker killed half-way simply lets its leases run out.
2. **Fire** (one transaction per batch of cases): each case of the batch is one step of the
   pipeline (engine/step.py) inside a savepoint — the case's timer rows must still carry this
   worker's lease — so the batch shares one commit while a case whose model code fails is rolled
   back alone. The fired timers' rows are deleted by the timer projection in the same step, which
   is what makes a timer fire exactly once.
3. **Park**: a case whose firing raised an incident keeps its timer rows leased to ``incident``
   until a supervisor retries it, instead of failing again on every sweep.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from . import step
from .errors import Conflict, IncidentRaised
from .schema import NO_DUE_DATE, Timer

TIMER = Timer.__table__
PARKED = "incident"

_FREE = sa.or_(TIMER.c.lease_until.is_(None), TIMER.c.lease_until < sa.bindparam("now"))
_DUE = (sa.select(TIMER.c.id, TIMER.c.case_id).where(TIMER.c.due_at <= sa.bindparam("now"), _FREE)
        .order_by(TIMER.c.due_at).limit(sa.bindparam("limit")))
_DUE_SKIP_LOCKED = _DUE.with_for_update(skip_locked=True)
_LEASE = (sa.update(TIMER).where(TIMER.c.id.in_(sa.bindparam("ids", expanding=True)))
          .values(lease_owner=sa.bindparam("b_worker"), lease_until=sa.bindparam("b_until")))
_HELD = (sa.select(TIMER.c.id).where(TIMER.c.case_id == sa.bindparam("case_id"), TIMER.c.due_at <= sa.bindparam("now"),
                                     TIMER.c.lease_owner == sa.bindparam("worker")).limit(1))
_ANY_DUE = (sa.select(TIMER.c.id).where(TIMER.c.case_id == sa.bindparam("case_id"),
                                        TIMER.c.due_at <= sa.bindparam("now")).limit(1))
_PARK = (sa.update(TIMER).where(TIMER.c.case_id == sa.bindparam("b_case"), TIMER.c.lease_owner == sa.bindparam("b_worker"))
         .values(lease_owner=PARKED, lease_until=NO_DUE_DATE))


def claim(conn: sa.Connection, worker: str, now, limit: int, lease_seconds: int, skip_locked: bool) -> list[tuple[int, str]]:
    """Lease up to ``limit`` due timers whose lease is free to ``worker``; returns (case id, timer id)."""
    rows = conn.execute(_DUE_SKIP_LOCKED if skip_locked else _DUE, {"now": now, "limit": limit}).all()
    if rows:
        conn.execute(_LEASE, {"ids": [r.id for r in rows], "b_worker": worker,
                              "b_until": now + timedelta(seconds=lease_seconds)})
    return [(r.case_id, r.id) for r in rows]


def claim_due(engine, worker: str, limit: int, lease_seconds: int) -> list[tuple[int, str]]:
    with engine.db.engine.connect() as conn:
        conn = conn.execution_options(duban_write=True)
        with conn.begin():
            return claim(conn, worker, engine.clock.now(), limit, lease_seconds, not engine.db.is_sqlite)


def fire_in(engine, tx: step.Tx, case_id: int, worker: str, force: bool = False) -> int:
    """One step of ``case_id`` firing its due timers — only if ``worker`` still holds their lease
    (``force``: a supervisor's retry of a parked timer)."""
    now = engine.clock.now()
    held = tx.conn.execute(_ANY_DUE if force else _HELD, {"case_id": case_id, "now": now, "worker": worker}).first()
    if held is None:
        return 0
    with step.locked_step(engine, tx, case_id, "timer") as st:
        with step.StepRequests() as requests:
            step.run_model_code(st.loaded.workflow.refresh_timers)
            fired = st.write(requests=requests, worker=worker)
    return sum(f.occurrences for f in fired)


def fire_case(engine, case_id: int, worker: str, force: bool = False) -> int:
    """Fire one case's timers in a transaction of its own; a model failure becomes an incident."""
    try:
        with step.transaction(engine) as tx:
            count = fire_in(engine, tx, case_id, worker, force)
        step.commit_cache(engine, tx)
        return count
    except step.ProcessFailure as failure:
        raise engine._record_incident(case_id, "timer", None, None, "timer", {"worker": worker},
                                      failure.cause) from failure.cause


def fire_batch(engine, case_ids: list[int], worker: str) -> int:
    """Fire the timers of many cases in one transaction, each case in a savepoint of its own."""
    fired = 0
    failed: list[tuple[int, BaseException]] = []
    with step.transaction(engine) as tx:
        for case_id in case_ids:
            mark = len(tx.audit.events)
            puts = list(tx.session.info.get("duban_cache_put", []))
            savepoint = tx.conn.begin_nested()
            try:
                fired += fire_in(engine, tx, case_id, worker)
                savepoint.commit()
            except (step.ProcessFailure, Conflict) as exc:
                savepoint.rollback()
                del tx.audit.events[mark:]
                tx.session.info["duban_cache_put"] = puts
                tx.session.expire_all()
                if isinstance(exc, step.ProcessFailure):
                    failed.append((case_id, exc.cause))
    step.commit_cache(engine, tx)
    for case_id, cause in failed:
        engine._record_incident(case_id, "timer", None, None, "timer", {"worker": worker}, cause)
        park(engine, case_id, worker)
    return fired


def park(engine, case_id: int, worker: str) -> None:
    """A timer whose firing raised an incident waits for the retry instead of failing every sweep."""
    with engine.db.engine.connect() as conn:
        conn = conn.execution_options(duban_write=True)
        with conn.begin():
            conn.execute(_PARK, {"b_case": case_id, "b_worker": worker})


def run_due_timers(engine, worker: str | None = None, limit: int = 100, lease_seconds: int = 60,
                   batch: int = 50) -> int:
    """Fire every timer due on the engine clock; returns how many fired. Safe to run from many workers."""
    worker = worker or f"w-{uuid.uuid4().hex[:8]}"
    fired = 0
    while True:
        claimed = claim_due(engine, worker, limit, lease_seconds)
        if not claimed:
            return fired
        cases = sorted({c for c, _ in claimed})  # one order for every worker: no lock cycles
        fired_now = 0
        for i in range(0, len(cases), batch):
            fired_now += fire_batch(engine, cases[i:i + batch], worker)
        fired += fired_now
        if fired_now == 0:
            return fired


__all__ = ["claim", "claim_due", "fire_batch", "fire_case", "fire_in", "park", "run_due_timers", "IncidentRaised"]
