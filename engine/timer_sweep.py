"""The timer sweep (定时器扫描): claim due timers with a lease, fire them in batches of cases.

1. **Claim** (one short transaction): due rows whose lease is free or ran out get this worker's
   name and a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers never wait for each
   other's claims). A worker killed half-way simply lets its leases run out.
2. **Fire** (one transaction per batch of cases, ``fire_batch``): the cases whose due timers this
   worker still leases are found in one statement, locked and read in one (``FOR UPDATE``; each
   case's version bumped by its step's write), loaded in two (live workflow and task rows of every case,
   plus the projections' inputs), run one by one through the step pipeline (engine/step.py), and
   their audit events appended in one insert. The fired timers' rows are deleted by the timer
   projection in the same step, which is what makes a timer fire exactly once.
3. **Fall back**: when a case of the batch was moved by someone else meanwhile, or its model code
   failed, the batch is rolled back and fired again case by case, each in a savepoint of its own
   (``fire_batch_one_by_one``), so an incident in one case never holds back the others. Model code
   of the batch's other cases then runs a second time — as it would after a worker died half-way.
4. **Park**: a case whose firing raised an incident keeps its timer rows leased to ``incident``
   until a supervisor retries it, instead of failing again on every sweep.
5. **Run again**: a firing transaction PostgreSQL ended as a deadlock's victim or a serialization
   failure (a script's ``start_case`` takes a 案号 counter, then its anchor head) wrote nothing, and
   its timers are still leased to this worker: it is run again (``cases.retried``, at most 3 times,
   each logged in Chinese). So are a claim and a parking ended so (each one short transaction that
   wrote nothing): a claim's rows are still free, a parked case's rows still leased to this worker.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from . import batch_writes, step
from .cases import retried
from .directory import version_column
from .errors import Conflict, IncidentRaised, InvalidData
from .schema import NO_DUE_DATE, OPEN, EventWait, ExternalTask, HumanTask, Timer
from .state import read_many, restore_rows

TIMER = Timer.__table__
HUMAN_TASK = HumanTask.__table__
EVENT_WAIT = EventWait.__table__
EXTERNAL_TASK = ExternalTask.__table__
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
_HELD_CASES = (sa.select(TIMER.c.case_id).distinct()
               .where(TIMER.c.case_id.in_(sa.bindparam("ids", expanding=True)), TIMER.c.due_at <= sa.bindparam("now"),
                      TIMER.c.lease_owner == sa.bindparam("worker")))
_CASES = (sa.select(step.CASE, version_column())
          .where(step.CASE.c.id.in_(sa.bindparam("ids", expanding=True))).order_by(step.CASE.c.id)
          .with_for_update(of=step.CASE))
_OPEN_TASKS = (sa.select(HUMAN_TASK.c.case_id, HUMAN_TASK.c.id, HUMAN_TASK.c.due_at, HUMAN_TASK.c.rules)
               .where(HUMAN_TASK.c.case_id.in_(sa.bindparam("ids", expanding=True)), HUMAN_TASK.c.state == OPEN))
_TIMERS = (sa.select(TIMER.c.case_id, TIMER.c.id, TIMER.c.due_at)
           .where(TIMER.c.case_id.in_(sa.bindparam("ids", expanding=True))))
_WAITING = (sa.select(EVENT_WAIT.c.case_id, EVENT_WAIT.c.id, EVENT_WAIT.c.correlation)
            .where(EVENT_WAIT.c.case_id.in_(sa.bindparam("ids", expanding=True))))
_EXTERNAL = (sa.select(EXTERNAL_TASK.c.case_id, EXTERNAL_TASK.c.id)
             .where(EXTERNAL_TASK.c.case_id.in_(sa.bindparam("ids", expanding=True))))
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
    """``claim`` in a transaction of its own, run again if the database ended it as a deadlock's
    victim or a serialization failure (``cases.retried``): it wrote nothing, its rows are still free."""
    def run() -> list[tuple[int, str]]:
        with engine.db.writer() as conn:
            with conn.begin():
                return claim(conn, worker, engine.clock.now(), limit, lease_seconds, not engine.db.is_sqlite)

    return retried(run, f"定时器认领（{worker}）")


def fire_in(engine, tx: step.Tx, case_id: int, worker: str, force: bool = False) -> int:
    """One step of ``case_id`` firing its due timers — only if ``worker`` still holds their lease
    (``force``: a supervisor's retry of a parked timer)."""
    now = engine.clock.now()
    held = tx.conn.execute(_ANY_DUE if force else _HELD, {"case_id": case_id, "now": now, "worker": worker}).first()
    if held is None:
        return 0
    with step.locked_step(engine, tx, case_id, "timer") as st:
        return timer_step(st, worker)


def timer_step(st: step.Step, worker: str) -> int:
    """Fire a locked case's due timers and run it on to rest; returns how many fired. What its
    scripts ask of the step (``print``, ``start_case``, ``require_roles``) is done in it. A step the
    model's ``require_roles`` refuses has nobody to answer: like any failure of the model's own
    code it becomes an incident for a supervisor (``ProcessFailure``), in Chinese."""
    with step.StepRequests() as requests:
        step.run_model_code(st.loaded.workflow.refresh_timers)
        try:
            fired = st.write(requests=requests, worker=worker)
        except InvalidData as refused:
            raise step.ProcessFailure(InvalidData(refused.errors, "；".join(refused.errors.values()))) from refused
    return sum(f.occurrences for f in fired)


def fire_case(engine, case_id: int, worker: str, force: bool = False) -> int:
    """Fire one case's timers in a transaction of its own, run again if the database ended it as a
    deadlock's victim (``cases.retried``); a model failure becomes an incident."""
    def run() -> int:
        with step.transaction(engine) as tx:
            count = fire_in(engine, tx, case_id, worker, force)
        step.commit_cache(engine, tx)
        return count

    try:
        return retried(run, f"定时器触发（案件 {case_id}）")
    except step.ProcessFailure as failure:
        raise engine._record_incident(case_id, "timer", None, None, "timer", {"worker": worker},
                                      failure.cause) from failure.cause


class _BatchFailed(Exception):
    """A case of the batch was moved meanwhile or failed: roll the batch back, go case by case."""


def fire_batch(engine, case_ids: list[int], worker: str) -> int:
    """Fire the timers of many cases in one transaction; case by case if one of them fails."""
    try:
        return retried(lambda: _fire_together(engine, case_ids, worker), _firing(case_ids))
    except _BatchFailed:
        return fire_batch_one_by_one(engine, case_ids, worker)


def _lock_cases(tx: step.Tx, case_ids: list[int]) -> list:
    """Every case of the batch locked and read in one statement: ``FOR UPDATE`` on PostgreSQL, in
    case id order (two workers never wait on each other in a cycle), so a case another transaction
    is changing is read once that one committed — as it then is. What was read under the lock is
    current, so no version check is needed: the step's case write at the end bumps the version,
    as for a task taken with its case locked (``step.lock_case``). One UPDATE of every case row
    fewer per batch than checking ``version = seen`` first (measured: 0.2 ms per timer on
    PostgreSQL). On SQLite the step's ``BEGIN IMMEDIATE`` already holds the database.

    Only running cases are kept: on PostgreSQL a case ended by another process between the batch's
    held-timer read and this lock (its timer rows deleted by that step, not yet committed when the
    batch read them) is read here as ended, and would otherwise get a timer step (hooks run, row written again after its end;
    tests/test_guards.py ``running_filter``). On SQLite it cannot happen: the batch's
    ``BEGIN IMMEDIATE`` precedes its timer read, and an ended case keeps no timer rows."""
    rows = [r for r in tx.conn.execute(_CASES, {"ids": case_ids}) if r.status in step.ACTIVE_CASE]
    if len(rows) != len(case_ids):
        raise _BatchFailed  # gone, or no longer running: the one-by-one path says which
    tx.directory_version = rows[0].directory_version or 0
    cases = []
    for row in rows:
        case = step.case_from_row(row)
        case.version = row.version + 1  # written by the step (step.write_case)
        cases.append(case)
    return cases


def _load_cases(engine, tx: step.Tx, cases: list) -> dict[int, object]:
    """Each case's workflow: from the engine's cache, else all the missing ones from rows at once,
    together with what their projections last wrote (so no projection reads per case)."""
    loaded = {}
    for case in cases:
        hit = engine._cache_take(case.id, case.version - 1)
        if hit is not None:
            loaded[case.id] = hit
    missing = [c for c in cases if c.id not in loaded]
    if not missing:
        return loaded
    ids = [c.id for c in missing]
    rows = read_many(tx.conn, ids)
    open_tasks: dict[int, dict] = {i: {} for i in ids}
    for r in tx.conn.execute(_OPEN_TASKS, {"ids": ids}):
        open_tasks[r.case_id][r.id] = (r.due_at, bool(r.rules))
    timers: dict[int, dict] = {i: {} for i in ids}
    for r in tx.conn.execute(_TIMERS, {"ids": ids}):
        timers[r.case_id][r.id] = r.due_at
    waiting: dict[int, dict] = {}
    for r in tx.conn.execute(_WAITING, {"ids": ids}):
        waiting.setdefault(r.case_id, {})[r.id] = r.correlation
    external: dict[int, set] = {i: set() for i in ids}
    for r in tx.conn.execute(_EXTERNAL, {"ids": ids}):
        external[r.case_id].add(r.id)
    for case in missing:
        spec, subprocess_specs = engine.models.specs(tx.session, case.bundle_hash)
        wf_rows, task_rows = rows[case.id]
        state = restore_rows(wf_rows, task_rows, spec, subprocess_specs, engine.script_engine, case.last_task)
        state.open_tasks, state.timers = open_tasks[case.id], timers[case.id]
        # what project_waits and project_external compare with, as state.restore hands them over
        if case.id not in waiting:  # none: an unchanged projection is then not even compared
            state.workflow._duban_waits = {}
        else:
            state.workflow._duban_waits_stored = waiting[case.id]
        state.workflow._duban_external = external[case.id]
        loaded[case.id] = state
    return loaded


def _fire_together(engine, case_ids: list[int], worker: str) -> int:
    fired = 0
    try:
        with step.transaction(engine) as tx:
            now = engine.clock.now()
            held = set(tx.conn.execute(_HELD_CASES, {"ids": case_ids, "now": now, "worker": worker}).scalars())
            if not held:
                return 0
            cases = _lock_cases(tx, [c for c in case_ids if c in held])
            loaded = _load_cases(engine, tx, cases)
            puts = tx.session.info.setdefault("duban_cache_put", [])
            with batch_writes.deferred(tx):  # each kind of row written once for the whole batch
                for case in cases:
                    st = step.Step(engine, tx, case, loaded[case.id], "timer")
                    fired += timer_step(st, worker)
                    puts.append((case, st.loaded))
    except BaseException as exc:
        for case_id in case_ids:  # a failed step may have changed its workflow half-way
            engine._evict(case_id)
        if isinstance(exc, (step.ProcessFailure, Conflict)):
            raise _BatchFailed from exc
        raise
    step.commit_cache(engine, tx)
    return fired


def _firing(case_ids: list[int]) -> str:
    """What a retry's warning calls a firing (``cases.retried``)."""
    shown = "、".join(map(str, case_ids[:5])) + ("等" if len(case_ids) > 5 else "")
    return f"定时器触发（案件 {shown}）"


def fire_batch_one_by_one(engine, case_ids: list[int], worker: str) -> int:
    """Fire the timers of many cases in one transaction, each case in a savepoint of its own; run
    again whole if the database ended it as a deadlock's victim (``cases.retried``), and only then
    are the failed cases' incidents recorded and their timers parked (each in a transaction of its own)."""
    fired, failed = retried(lambda: _fire_each(engine, case_ids, worker), _firing(case_ids))
    for case_id, cause in failed:
        engine._record_incident(case_id, "timer", None, None, "timer", {"worker": worker}, cause)
        park(engine, case_id, worker)
    return fired


def _fire_each(engine, case_ids: list[int], worker: str) -> tuple[int, list[tuple[int, BaseException]]]:
    fired = 0
    failed: list[tuple[int, BaseException]] = []
    with step.transaction(engine) as tx:
        for case_id in case_ids:
            mark = tx.audit.mark(tx)
            puts = list(tx.session.info.get("duban_cache_put", []))
            savepoint = tx.conn.begin_nested()
            try:
                fired += fire_in(engine, tx, case_id, worker)
                savepoint.commit()
            except (step.ProcessFailure, Conflict) as exc:
                savepoint.rollback()
                tx.audit.back_to(tx, mark)
                tx.session.info["duban_cache_put"] = puts
                tx.session.expire_all()
                if isinstance(exc, step.ProcessFailure):
                    failed.append((case_id, exc.cause))
    step.commit_cache(engine, tx)
    return fired, failed


def park(engine, case_id: int, worker: str) -> None:
    """A timer whose firing raised an incident waits for the retry instead of failing every sweep;
    run again if the database ended the parking as a deadlock's victim or a serialization failure
    (``cases.retried``): it wrote nothing, the rows are still leased to ``worker``."""
    def run() -> None:
        with engine.db.writer() as conn:
            with conn.begin():
                conn.execute(_PARK, {"b_case": case_id, "b_worker": worker})

    retried(run, f"定时器挂起（案件 {case_id}）")


# Timers claimed at a time, and cases fired per transaction. Measured (bench/timers.py, PostgreSQL,
# 2,000 timers, one worker): 100/50 → 200/100 halves the batch's fixed statements (0.36 → 0.18 per
# timer); larger gave no more within the noise of this shared machine, and a larger batch holds its
# cases' rows locked longer and fires more cases again when one of them fails.
CLAIM, BATCH = 200, 100


def run_due_timers(engine, worker: str | None = None, limit: int = CLAIM, lease_seconds: int = 60,
                   batch: int = BATCH, most: int | None = None) -> int:
    """Fire every timer due on the engine clock, or at most ``most`` of them (the rest wait for the
    next sweep, of this worker or another); returns how many fired. Safe to run from many workers."""
    worker = worker or f"w-{uuid.uuid4().hex[:8]}"
    fired = taken = 0
    while True:
        wanted = limit if most is None else min(limit, most - taken)
        if wanted <= 0:
            return fired
        claimed = claim_due(engine, worker, wanted, lease_seconds)
        if not claimed:
            return fired
        taken += len(claimed)
        cases = sorted({c for c, _ in claimed})  # one order for every worker: no lock cycles
        fired_now = 0
        for i in range(0, len(cases), batch):
            fired_now += fire_batch(engine, cases[i:i + batch], worker)
        fired += fired_now
        if fired_now == 0:
            return fired


__all__ = ["claim", "claim_due", "fire_batch", "fire_batch_one_by_one", "fire_case", "fire_in", "park", "run_due_timers", "IncidentRaised"]
