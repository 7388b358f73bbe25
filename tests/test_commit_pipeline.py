"""The commit end of the step pipeline on real PostgreSQL (engine/step.py ``transaction``,
engine/audit.py ``append_many(guarded=True)``, engine/sqlexec.py ``flush(commit=True)``).

A steady completion waits for the database twice: the case lock with the task read, then every
write, the audit head's move, the events and the COMMIT in one pipeline. The head's move rests on
this process's guess of the chain's head; nobody waits for its row count any more, so a wrong guess
must abort the transaction inside the database, and the completion is then done once more from the
stored state. Any other error in that last pipeline surfaces as it did, with nothing written.
"""
from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from engine import ManualClock, audit, sqlexec
from engine.schema import AuditEvent, AuditHead, HumanTask
from tests.support import BPMN, START, make_engine, open_task_id

FIVE_TASKS = BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn"
STALE_LOG = "audit head guess was stale"


@pytest.fixture
def pg_engine(postgres_url):
    e = make_engine(postgres_url, clock=ManualClock(START))
    e.deploy(FIVE_TASKS, by="boss")
    yield e
    e.dispose()


def _actions(engine, case_id) -> list[str]:
    return [h["action"] for h in engine.case(case_id).history]


def _waits_of(engine, fn) -> int:
    """Round trips ``fn`` took: statements SQLAlchemy sent itself, the executor's sends and
    pipelines, and each COMMIT that did not ride in a pipeline (as bench/throughput.py counts)."""
    seen = [0]

    def count(*_args):
        seen[0] += 1

    commits = [0]

    def commit(_conn):
        commits[0] += 1

    sa.event.listen(engine.db.engine, "before_cursor_execute", count)
    sa.event.listen(engine.db.engine, "commit", commit)
    s0, r0, f0 = sqlexec.stats.statements, sqlexec.stats.round_trips, sqlexec.stats.commits
    try:
        fn()
    finally:
        sa.event.remove(engine.db.engine, "before_cursor_execute", count)
        sa.event.remove(engine.db.engine, "commit", commit)
    own = sqlexec.stats.statements - s0
    return (seen[0] - own) + (sqlexec.stats.round_trips - r0) + commits[0] - (sqlexec.stats.commits - f0)


def test_a_steady_completion_waits_for_postgresql_twice_and_its_commit_rides_the_last_pipeline(pg_engine):
    e = pg_engine
    case = e.start("five_tasks", by="zhang", org="east")
    e.complete(open_task_id(e, case.id), "zhang", {"意见": "同意"})  # the first step learns the head
    task_id = open_task_id(e, case.id)
    folded = sqlexec.stats.commits
    assert _waits_of(e, lambda: e.complete(task_id, "zhang", {"意见": "同意"})) == 2
    assert sqlexec.stats.commits == folded + 1
    assert _actions(e, case.id)[-2:] == ["completed", "task_opened"]
    assert e.verify_audit() is None


def test_another_process_moved_the_chain_the_completion_reads_the_head_with_its_case_and_is_not_redone(
        postgres_url, caplog):
    """Engine ``a`` steps a case; engine ``b`` (another server process) claims the next task — an
    ORM append that moves the case chain's head on the case row and leaves the case version, so
    ``a``'s cached workflow still matches. The head comes with the case row ``a`` reads under its
    lock (revision 0021): nothing to guess, nothing redone; one ``completed`` event, the chain holds."""
    a = make_engine(postgres_url, clock=ManualClock(START))
    b = make_engine(postgres_url, clock=ManualClock(START))
    try:
        a.deploy(FIVE_TASKS, by="boss")
        case = a.start("five_tasks", by="zhang", org="east")
        a.complete(open_task_id(a, case.id), "zhang", {"意见": "第1步"})
        second = open_task_id(a, case.id)
        b.claim(second, "zhang")
        with caplog.at_level(logging.INFO, logger="duban.step"):
            a.complete(second, "zhang", {"意见": "第2步"})
        assert not [r for r in caplog.records if STALE_LOG in r.getMessage()]
        assert a.audit_heads.get(audit.case_chain(case.id)) is None  # case chains are never guessed
        assert a.verify_audit() is None
        actions = _actions(a, case.id)
        assert actions[-3:] == ["claimed", "completed", "task_opened"]
        assert actions.count("completed") == 2 and actions.count("task_opened") == 3
        with a.db.engine.connect() as conn:
            rows = dict(conn.execute(sa.select(HumanTask.id, HumanTask.state)
                                     .where(HumanTask.case_id == case.id)).all())
        assert rows[second] == "completed" and sorted(rows.values()).count("open") == 1
    finally:
        a.dispose()
        b.dispose()


def test_a_guarded_step_on_a_chain_another_process_moved_the_head_of_is_redone_once(postgres_url, caplog):
    """The guard that stays for chains whose head is an ``audit_head`` row (not a case's): a step's
    events on the ``system`` chain, its head guessed by ``a`` and moved by ``b`` meanwhile. The
    database refuses the guess with the COMMIT, nothing is written, and the run is done once more."""
    from engine import step
    a = make_engine(postgres_url, clock=ManualClock(START))
    b = make_engine(postgres_url, clock=ManualClock(START))
    runs = []

    def run():
        runs.append(1)
        with step.transaction(a) as tx:
            tx.audit.add(audit.SYSTEM_CHAIN, actor="boss", action="note", at=a.clock.now(), detail={"n": len(runs)})
    try:
        step.redo_on_stale_head(run)  # ``a`` now guesses the system chain's head
        with b.db.write() as s:
            audit.append(s, chain=audit.SYSTEM_CHAIN, actor="boss", action="note", at=b.clock.now())
        with caplog.at_level(logging.INFO, logger="duban.step"):
            step.redo_on_stale_head(run)
        assert sum(STALE_LOG in r.getMessage() for r in caplog.records) == 1 and len(runs) == 3
        with a.db.engine.connect() as conn:
            notes = conn.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
                AuditEvent.chain == audit.SYSTEM_CHAIN, AuditEvent.action == "note")).scalar()
        assert notes == 3 and a.verify_audit() is None
    finally:
        a.dispose()
        b.dispose()


def test_two_processes_taking_turns_on_a_case_read_the_head_instead_of_redoing(postgres_url, caplog):
    """Two server processes completing a case's tasks by turns (the usual multi-worker case): each
    finds its cached workflow behind the case version, so its head guess is behind too — it reads
    the head rather than send a guess the database would refuse. No step is done twice, and the
    chain holds to the end."""
    a = make_engine(postgres_url, clock=ManualClock(START))
    b = make_engine(postgres_url, clock=ManualClock(START))
    try:
        a.deploy(FIVE_TASKS, by="boss")
        case = a.start("five_tasks", by="zhang", org="east")
        with caplog.at_level(logging.INFO, logger="duban.step"):
            for i in range(5):
                engine = (a, b)[i % 2]
                engine.complete(open_task_id(engine, case.id), "zhang", {"意见": f"第{i + 1}步"})
        assert not [r for r in caplog.records if STALE_LOG in r.getMessage()]
        assert a.case(case.id).status == "completed" and a.verify_audit() is None
        assert _actions(a, case.id).count("completed") == 5
    finally:
        a.dispose()
        b.dispose()


def test_a_claim_moved_the_head_the_cached_workflow_is_reused_and_nothing_is_redone(pg_engine, caplog):
    """Claiming appends to the chain through the ORM and leaves the case version (so the cached
    workflow) alone; the completion after it reads the head with its case row (revision 0021) and
    runs the cached workflow on once."""
    e = pg_engine
    case = e.start("five_tasks", by="zhang", org="east")
    e.complete(open_task_id(e, case.id), "zhang", {})
    task_id = open_task_id(e, case.id)
    e.claim(task_id, "zhang")
    with caplog.at_level(logging.INFO, logger="duban.step"):
        e.complete(task_id, "zhang", {"意见": "同意"})
    assert not [r for r in caplog.records if STALE_LOG in r.getMessage()]
    assert e.verify_audit() is None
    assert _actions(e, case.id)[-3:] == ["claimed", "completed", "task_opened"]
    e.complete(open_task_id(e, case.id), "zhang", {})
    assert _actions(e, case.id).count("completed") == 3 and e.verify_audit() is None


def test_any_other_error_in_the_commit_pipeline_surfaces_as_before_and_is_not_redone(pg_engine):
    """A write that fails in the last pipeline (here a hook's duplicate audit head) fails the
    completion with its own error: nothing written, no second attempt."""
    e = pg_engine
    case = e.start("five_tasks", by="zhang", org="east")
    e.complete(open_task_id(e, case.id), "zhang", {})
    task_id = open_task_id(e, case.id)
    duplicate = sqlexec.Sql(sa.insert(AuditHead.__table__), keys=("chain", "seq", "hash"))
    calls = []

    def bad_hook(session, case_row, workflow):
        calls.append(case_row.id)
        sqlexec.defer(session.connection(), duplicate,
                      {"chain": audit.SYSTEM_CHAIN, "seq": 1, "hash": audit.GENESIS})

    e.after_step_hooks.append(bad_hook)
    try:
        with pytest.raises(sa.exc.IntegrityError):
            e.complete(task_id, "zhang", {})
    finally:
        e.after_step_hooks.remove(bad_hook)
    assert calls == [case.id]
    assert open_task_id(e, case.id) == task_id
    e.complete(task_id, "zhang", {})
    assert _actions(e, case.id).count("completed") == 2 and e.verify_audit() is None


def test_the_stale_head_guard_is_told_apart_from_other_errors(pg_engine):
    """Only the guard's own failure is a stale head: another bad integer is an error as before."""
    e = pg_engine
    with e.db.engine.connect() as conn:
        with pytest.raises(sa.exc.DataError) as other:
            conn.exec_driver_sql("SELECT CAST('x' AS integer)")
        conn.rollback()
        with pytest.raises(sa.exc.DataError) as guard:
            conn.exec_driver_sql(f"SELECT CAST('{audit.STALE_HEAD_MARK}' AS integer)")
    assert not audit.is_stale_head(other.value) and audit.is_stale_head(guard.value)


def test_only_the_first_transaction_of_a_redoable_run_is_guarded(pg_engine):
    """A redo repeats the whole run: a transaction after one that committed must not be able to
    ask for it (its guess is checked by row count, as everywhere else)."""
    from engine import step
    seen = []

    def run():
        for _ in range(2):
            with step.transaction(pg_engine) as tx:
                seen.append(tx.guarded)

    step.redo_on_stale_head(run)
    with step.transaction(pg_engine) as tx:
        seen.append(tx.guarded)
    assert seen == [True, False, False]
