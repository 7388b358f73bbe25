"""The commit end of the step pipeline on real PostgreSQL (engine/step.py ``transaction``,
engine/sqlexec.py ``flush(commit=True)``).

A steady completion waits for the database twice: the case lock with the task read (the case
chain's audit head comes with the case row, revision 0021), then every write, the events and the
COMMIT in one pipeline. Nothing rests on a guess of a head, so nothing is ever done twice; an error
in that last pipeline surfaces as it is, with nothing written. A chain whose head is an
``audit_head`` row (``system``, ``auth``) is read under its row lock by the step that appends to it.
"""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from engine import ManualClock, audit, sqlexec
from engine.schema import AuditEvent, AuditHead, HumanTask
from tests.support import BPMN, START, make_engine, open_task_id, statements_sent

FIVE_TASKS = BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn"


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
        postgres_url):
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
        a.complete(second, "zhang", {"意见": "第2步"})
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


def _note(engine, n: int) -> None:
    """A step's transaction appending to the ``system`` chain (``tx.audit.add``)."""
    from engine import step
    with step.transaction(engine) as tx:
        tx.audit.add(audit.SYSTEM_CHAIN, actor="boss", action="note", at=engine.clock.now(), detail={"n": n})


def _notes(engine) -> int:
    with engine.db.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.chain == audit.SYSTEM_CHAIN, AuditEvent.action == "note")).scalar()


def test_a_step_appending_to_an_audit_head_chain_reads_its_head_under_the_row_lock_and_never_guesses(
        database_url):
    """A chain whose head is an ``audit_head`` row (the ``system`` and ``auth`` chains): the step
    reads the head (``FOR UPDATE`` on PostgreSQL) and moves it — no guess of it moved first on the
    strength of this process's last append, and nothing redone when another process appended since."""
    a = make_engine(database_url, clock=ManualClock(START))
    b = make_engine(database_url, clock=ManualClock(START))
    try:
        _note(a, 1)
        with b.db.write() as s:
            audit.append(s, chain=audit.SYSTEM_CHAIN, actor="boss", action="note", at=b.clock.now())
        sent = statements_sent(a, lambda: _note(a, 2))
        heads = [q for q in sent if "audit_head" in q]
        assert len(heads) == 2 and heads[0].lstrip().startswith("SELECT"), heads
        assert ("FOR UPDATE" in heads[0]) == (a.db.engine.dialect.name == "postgresql")
        assert heads[1].startswith("UPDATE audit_head") and "audit_head.seq =" not in heads[1]
        assert _notes(a) == 3 and a.verify_audit() is None
    finally:
        a.dispose()
        b.dispose()


def test_two_processes_appending_to_the_system_chain_at_once_keep_it_whole(database_url):
    """Two server processes' steps append to one ``audit_head`` chain at the same time: each reads
    the head under its lock (PostgreSQL) or the writer lock (SQLite), so the chain stays one line."""
    a = make_engine(database_url, clock=ManualClock(START))
    b = make_engine(database_url, clock=ManualClock(START))
    errors: list[BaseException] = []

    def work(engine, base):
        try:
            for n in range(15):
                _note(engine, base + n)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    try:
        _note(a, 0)  # the chain's head row exists: both then move it
        threads = [threading.Thread(target=work, args=(e, base)) for e, base in ((a, 100), (b, 200))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert _notes(a) == 31 and a.verify_audit() is None
    finally:
        a.dispose()
        b.dispose()


def test_two_processes_taking_turns_on_a_case_keep_its_chain_whole(postgres_url):
    """Two server processes completing a case's tasks by turns (the usual multi-worker case): each
    finds its cached workflow behind the case version and reads the case, its chain's head with it.
    No step is done twice, and the chain holds to the end."""
    a = make_engine(postgres_url, clock=ManualClock(START))
    b = make_engine(postgres_url, clock=ManualClock(START))
    try:
        a.deploy(FIVE_TASKS, by="boss")
        case = a.start("five_tasks", by="zhang", org="east")
        for i in range(5):
            engine = (a, b)[i % 2]
            engine.complete(open_task_id(engine, case.id), "zhang", {"意见": f"第{i + 1}步"})
        assert a.case(case.id).status == "completed" and a.verify_audit() is None
        assert _actions(a, case.id).count("completed") == 5
    finally:
        a.dispose()
        b.dispose()


def test_a_claim_moved_the_head_the_cached_workflow_is_reused_and_nothing_is_redone(pg_engine):
    """Claiming appends to the chain through the ORM and leaves the case version (so the cached
    workflow) alone; the completion after it reads the head with its case row (revision 0021) and
    runs the cached workflow on once."""
    e = pg_engine
    case = e.start("five_tasks", by="zhang", org="east")
    e.complete(open_task_id(e, case.id), "zhang", {})
    task_id = open_task_id(e, case.id)
    e.claim(task_id, "zhang")
    e.complete(task_id, "zhang", {"意见": "同意"})
    assert e.verify_audit() is None
    assert _actions(e, case.id)[-3:] == ["claimed", "completed", "task_opened"]
    e.complete(open_task_id(e, case.id), "zhang", {})
    assert _actions(e, case.id).count("completed") == 3 and e.verify_audit() is None


def test_an_error_in_the_commit_pipeline_surfaces_as_it_is_and_is_not_redone(pg_engine):
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
