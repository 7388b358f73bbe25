"""Every guard of the step pipeline and the timer sweep, each tested on its own.

Each test here fails when its one guard is removed by hand (checked when it was written): the
other guards around it would not notice. Tests run on SQLite where the mechanism exists there;
the row-lock races (case version check, SKIP LOCKED) need PostgreSQL.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine import Conflict, Engine, Forbidden, IncidentRaised, ManualClock
from engine import timer_sweep
from engine.schema import AuditEvent, Case, HumanTask, Incident, Timer
from tests.support import BPMN, START, deploy, make_engine

DUE = START + timedelta(days=2, seconds=1)


@pytest.fixture
def sqlite_engine(sqlite_url):
    e = make_engine(sqlite_url, clock=ManualClock(START))
    yield e
    e.dispose()


def _count(engine, table, *where) -> int:
    with engine.db.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()


def _open_task(engine, case_id):
    (task,) = engine.case(case_id).tasks
    return task


def _queued_for_a_lock(conn) -> bool:
    """Whether a session of this PostgreSQL database waits for a lock (asked of the server)."""
    return bool(conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND wait_event_type = 'Lock'")).scalar())


def _wait_until_blocked_on_a_row_lock(url: str, timeout: float = 60.0) -> None:
    """Wait until a session of this PostgreSQL database waits for a lock (the racing step has read
    the case and now queues for its row), so the race is exercised however busy the machine is."""
    probe = sa.create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with probe.connect() as conn:
                if _queued_for_a_lock(conn):
                    return
            time.sleep(0.05)
        raise AssertionError("the racing step never waited for the case's row lock")
    finally:
        probe.dispose()


def _queued_before_it_ended(thread: threading.Thread, url: str, timeout: float = 60.0) -> bool:
    """Whether ``thread``'s statement queued for a lock of this PostgreSQL database before the thread
    ended: the server says so, not a clock, so a slow machine makes it neither pass nor fail."""
    probe = sa.create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        with probe.connect() as conn:
            while thread.is_alive():
                if _queued_for_a_lock(conn):
                    return True
                assert time.monotonic() < deadline, "the claim neither ended nor queued for a lock"
                conn.rollback()  # a fresh snapshot of pg_stat_activity for the next look
                thread.join(0.02)
        return False
    finally:
        probe.dispose()


# --- double completion: three guards, each with its own test ------------------------------------------
def test_task_state_check_a_completed_task_is_a_conflict_before_anyone_is_asked_who_they_are(sqlite_engine):
    """Guard: the task row is still ``open``. A second submission of a finished task — even by
    someone who could never have worked it — is "already completed", not "forbidden"."""
    e = sqlite_engine
    deploy(e, "approval.bpmn")
    case = e.start("approval", by="zhang", org="east")
    task = _open_task(e, case.id)
    e.complete(task.id, "zhang", {})
    with pytest.raises(Conflict, match="任务已完成"):
        e.complete(task.id, "wang", {})  # 王五 is in another district


def test_ready_check_a_stale_open_row_never_runs_a_finished_task_again(sqlite_engine):
    """Guard: the workflow task is still READY. A queue row left ``open`` (a projection restored
    from an old backup, a hand edit) must not run the finished task a second time."""
    e = sqlite_engine
    deploy(e, "approval.bpmn")
    case = e.start("approval", by="zhang", org="east")
    task = _open_task(e, case.id)
    e.complete(task.id, "zhang", {})
    with e.db.engine.begin() as conn:
        conn.execute(sa.update(HumanTask).where(HumanTask.id == task.id).values(state="open"))
    with pytest.raises(Conflict, match="任务状态已变化"):
        e.complete(task.id, "zhang", {})
    assert _count(e, AuditEvent, AuditEvent.action == "completed", AuditEvent.task_id == task.id) == 1
    assert _count(e, Incident) == 0


def test_a_case_row_read_before_its_lock_is_not_taken_as_current_on_postgresql(postgres_url):
    """Guard: ``step.lock_case`` takes a case row this transaction read earlier (``known``) only on
    SQLite, where BEGIN IMMEDIATE took the writer lock before any read. On PostgreSQL only a read
    under the case's row lock (``TakenTask``) is current: an unlocked read is refused, not used (the
    version bump that once checked such a row had no caller left)."""
    from engine import EngineError, step
    from tests.support import open_task_id

    e = make_engine(postgres_url, clock=ManualClock(START))
    try:
        deploy(e, "approval.bpmn")
        case = e.start("approval", by="zhang", org="east")
        task_id = open_task_id(e, case.id)
        with pytest.raises(EngineError, match="row lock"):
            with step.transaction(e) as tx:
                row = step.select_task(tx, task_id, "zhang")
                step.lock_case(tx, case.id, row)
        assert e.complete(task_id, "zhang", {"approved": True}).version == case.version + 1
    finally:
        e.dispose()


def test_case_version_check_a_step_that_read_the_case_before_a_cancel_committed_is_a_conflict(postgres_url):
    """Guard: the case read under its row lock (``step.lock_case``: ``SELECT … FOR NO KEY UPDATE``;
    before, a read then ``UPDATE case SET version = v + 1 WHERE version = v``). A timer sweep comes to
    the case while another process is cancelling it and waits for the row; when the cancel commits
    the sweep must give up — else it writes back the running case it read and the cancel is undone."""
    holding, go = threading.Event(), threading.Event()
    canceller = make_engine(postgres_url, clock=ManualClock(START))
    deploy(canceller, "timers_misc.bpmn")
    sweeper = Engine(postgres_url, clock=ManualClock(DUE))
    case = canceller.start("wait_then_work", by="zhang", org="east")

    def hold(_s, c, _wf):
        if c.status == "cancelled":
            holding.set()
            go.wait(60)

    canceller.after_step_hooks.append(hold)
    cancelling = threading.Thread(target=canceller.cancel, args=(case.id, "boss", "撤销"))
    cancelling.start()
    assert holding.wait(60)
    outcome = {}

    def fire():
        try:
            outcome["fired"] = sweeper._fire_case_timers(case.id, "retry:boss", force=True)
        except Conflict as exc:
            outcome["conflict"] = exc

    firing = threading.Thread(target=fire)
    firing.start()
    _wait_until_blocked_on_a_row_lock(postgres_url)  # the sweep has read the case row and waits for the lock
    go.set()
    cancelling.join(60)
    firing.join(60)
    assert "conflict" in outcome, outcome
    assert sweeper.case(case.id).status == "cancelled"
    canceller.dispose()
    sweeper.dispose()


# --- the timer sweep ---------------------------------------------------------------------------------
def _waiting_cases(engine, n=3):
    deploy(engine, "timers_misc.bpmn")
    return [engine.start("wait_then_work", by="zhang", org="east").id for _ in range(n)]


def test_lease_filter_a_timer_leased_to_a_live_worker_is_left_to_it(sqlite_url):
    """Guard: a claim takes only rows whose lease is free or ran out."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    _waiting_cases(e)
    e.clock.set(DUE)
    assert len(e._claim_due_timers("worker-a", limit=10, lease_seconds=60)) == 3
    assert e.run_due_timers(worker="worker-b") == 0
    e.clock.advance(seconds=61)  # worker-a died: its leases run out
    assert e.run_due_timers(worker="worker-b") == 3
    e.dispose()


def test_lease_owner_check_a_worker_whose_lease_was_taken_over_fires_nothing(sqlite_url):
    """Guard: a case's timers fire only for the worker holding their lease now."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    (case_id,) = _waiting_cases(e, 1)
    e.clock.set(DUE)
    e._claim_due_timers("slow", limit=10, lease_seconds=60)
    e.clock.advance(seconds=61)
    e._claim_due_timers("fast", limit=10, lease_seconds=60)
    assert e._fire_case_timers(case_id, "slow") == 0
    assert e._fire_case_timers(case_id, "fast") == 1
    with e.db.engine.connect() as conn:
        details = list(conn.execute(sa.select(AuditEvent.detail).where(AuditEvent.action == "timer_fired")).scalars())
    assert len(details) == 1 and '"worker":"fast"' in details[0]
    e.dispose()


def test_lease_owner_check_of_a_batch_a_worker_whose_leases_were_taken_over_fires_none_of_its_cases(sqlite_url):
    """Guard: a batch fires only the cases whose due timers this worker still leases (one
    statement for the whole batch)."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    cases = _waiting_cases(e, 3)
    e.clock.set(DUE)
    e._claim_due_timers("slow", limit=10, lease_seconds=60)
    e.clock.advance(seconds=61)
    e._claim_due_timers("fast", limit=2, lease_seconds=60)  # two of the three taken over
    assert timer_sweep.fire_batch(e, cases, "nobody") == 0
    assert timer_sweep.fire_batch(e, cases, "slow") == 1
    assert timer_sweep.fire_batch(e, cases, "fast") == 2
    assert _count(e, AuditEvent, AuditEvent.action == "timer_fired") == 3 and _count(e, Timer) == 0
    with e.db.engine.connect() as conn:
        details = list(conn.execute(sa.select(AuditEvent.detail).where(AuditEvent.action == "timer_fired")).scalars())
    assert sorted('"worker":"fast"' in d for d in details) == [False, True, True]  # the audit names the worker
    assert sum('"worker":"slow"' in d for d in details) == 1
    e.dispose()


def test_lease_owner_check_of_a_batch_fired_case_by_case_a_worker_whose_leases_were_taken_over_fires_none(sqlite_url):
    """Guard: the case-by-case fallback of a batch (each case in a savepoint) checks the lease owner
    too — it fires a case only for the worker that leases its timers now (mutation testing: the
    fallback could have fired leased-away timers, as a supervisor's forced retry does)."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    cases = _waiting_cases(e, 3)
    e.clock.set(DUE)
    e._claim_due_timers("slow", limit=10, lease_seconds=60)
    e.clock.advance(seconds=61)
    e._claim_due_timers("fast", limit=2, lease_seconds=60)  # two of the three taken over
    assert timer_sweep.fire_batch_one_by_one(e, cases, "slow") == 1
    assert timer_sweep.fire_batch_one_by_one(e, cases, "fast") == 2
    assert _count(e, AuditEvent, AuditEvent.action == "timer_fired") == 3 and _count(e, Timer) == 0
    e.dispose()


class _BatchBehindAHeldCancel:
    """Two engines on one PostgreSQL database and two cases waiting on due timers: the canceller's
    撤销 of the first case is held open (an after-step hook waits, nothing committed), then the
    sweeper's batch of both cases runs in a thread until it waits for a row lock the cancel holds.
    ``release`` lets the cancel commit; ``fired`` is what the batch returned once it ended.
    ``sweeper_hook``: an after-step hook of the sweeper's, added before anything runs."""

    def __init__(self, postgres_url, sweeper_hook=None):
        self.holding, self.go = threading.Event(), threading.Event()
        self.canceller = make_engine(postgres_url, clock=ManualClock(START))
        self.cases = _waiting_cases(self.canceller, 2)
        self.sweeper = Engine(postgres_url, clock=ManualClock(DUE))
        self.sweeper._claim_due_timers("w", limit=10, lease_seconds=60)
        if sweeper_hook is not None:
            self.sweeper.after_step_hooks.append(sweeper_hook)
        self.canceller.after_step_hooks.append(self._hold)
        self.cancelling = threading.Thread(target=self.canceller.cancel, args=(self.cases[0], "boss", "撤销"))
        self.cancelling.start()
        assert self.holding.wait(60)
        self.outcome: dict = {}
        self.firing = threading.Thread(
            target=lambda: self.outcome.update(fired=timer_sweep.fire_batch(self.sweeper, self.cases, "w")))
        self.firing.start()
        _wait_until_blocked_on_a_row_lock(postgres_url)  # the batch read both cases' timers, waits for the cancelled row

    def _hold(self, _s, c, _wf):
        if c.status == "cancelled":
            self.holding.set()
            self.go.wait(60)

    def release(self) -> None:
        self.go.set()
        self.cancelling.join(60)

    def fired(self):
        self.firing.join(60)
        return self.outcome.get("fired")

    def dispose(self) -> None:
        self.canceller.dispose()
        self.sweeper.dispose()


def test_case_version_check_of_a_batch_a_case_cancelled_while_the_batch_waited_stays_cancelled(postgres_url, monkeypatch):
    """Guard: the batch reads its cases under their row locks (``FOR UPDATE``), so what it read is
    current. A case cancelled (and committed) while the batch waited for its row must not be written
    back running; the batch falls back to case by case, which finds it cancelled, and still fires
    the others. With no retry of a deadlock's victim (``cases.retried``, 7dac657): without the lock
    the batch's write of the case row deadlocks with the cancel here, and the retry, reading afresh,
    hid the guard's removal (scripts/check-guards.py: MISSED until this test turned retries off)."""
    from engine import cases
    monkeypatch.setattr(cases, "CONFLICT_RETRIES", 0)
    race = _BatchBehindAHeldCancel(postgres_url)
    cases, sweeper = race.cases, race.sweeper
    race.release()
    assert race.fired() == 1, race.outcome
    assert sweeper.case(cases[0]).status == "cancelled"
    assert [t.name for t in sweeper.case(cases[1]).tasks] == ["复查"]
    race.dispose()


def test_running_filter_of_a_batch_a_case_ended_between_its_timer_read_and_its_lock_gets_no_step(postgres_url):
    """Guard: the batch keeps only the cases it finds running under their row locks
    (``_lock_cases``: ``r.status in step.ACTIVE_CASE``). The batch reads which cases it holds due
    timers of, then locks their rows; a case cancelled by another process in between (its timer
    rows deleted by the cancel, not yet committed when the batch read them) is read under the lock
    as cancelled. Without the filter the batch runs a timer step on the ended case — its hooks run
    and its row is written again (version and ``updated_at`` moved after it ended); with it the batch
    falls back to case by case, whose held-timer check finds no timer left. Only on PostgreSQL: on
    SQLite the batch's ``BEGIN IMMEDIATE`` comes before its timer read, and every step that ends a
    case deletes its timer rows in the same transaction, so an ended case never has a timer to read."""
    stepped = []
    race = _BatchBehindAHeldCancel(postgres_url, sweeper_hook=lambda _s, c, _wf: stepped.append((c.id, c.status)))
    cases, sweeper = race.cases, race.sweeper
    assert _count(sweeper, Timer, Timer.case_id == cases[0]) == 1  # the cancel's writes are not committed yet
    race.release()
    with sweeper.db.engine.connect() as conn:
        ended = conn.execute(sa.select(Case.version, Case.updated_at).where(Case.id == cases[0])).one()
    assert race.fired() == 1, race.outcome
    assert stepped == [(cases[1], "running")]  # no step of any kind ran on the cancelled case
    with sweeper.db.engine.connect() as conn:
        assert conn.execute(sa.select(Case.version, Case.updated_at).where(Case.id == cases[0])).one() == ended
    assert sweeper.case(cases[0]).status == "cancelled"
    race.dispose()


def test_a_batch_of_independent_cases_is_fired_together_each_case_moving_one_version(database_url):
    """The batch path itself (mutation testing found it could be switched off unnoticed, since the
    case-by-case fallback gives the same result): independent cases are fired in one transaction
    without a savepoint per case, and each case's version moves by exactly one."""
    e = make_engine(database_url, clock=ManualClock(START))
    cases = _waiting_cases(e, 3)
    with e.db.engine.connect() as conn:
        before = dict(conn.execute(sa.select(Case.id, Case.version)).all())
    e.dispose()
    e = Engine(database_url, clock=ManualClock(DUE))  # a worker process: nothing cached, all read in bulk
    e._claim_due_timers("w", limit=10, lease_seconds=60)
    statements = []
    sa.event.listen(e.db.engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_: statements.append(statement.split()[0].upper()))
    assert timer_sweep.fire_batch(e, cases, "w") == 3
    assert [t.name for c in cases for t in e.case(c).tasks] == ["复查"] * 3
    assert "SAVEPOINT" not in statements
    with e.db.engine.connect() as conn:
        after = dict(conn.execute(sa.select(Case.id, Case.version)).all())
    assert after == {c: before[c] + 1 for c in cases}
    e.dispose()


def test_an_incident_in_one_case_of_a_batch_does_not_hold_back_the_others(sqlite_url):
    """Guard: when one case of a batch fails, the batch is fired again case by case — the others
    fire, the failing one gets its incident and is parked."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    deploy(e, "timer_then_script.bpmn")
    good = [e.start("timer_then_script", by="zhang", org="east", data={"total": 5000, "days": 10}).id
            for _ in range(2)]
    bad = e.start("timer_then_script", by="zhang", org="east", data={"total": 5000, "days": 0}).id
    e.clock.set(DUE)
    assert timer_sweep.run_due_timers(e, "w", batch=50) == 2
    assert [i.case_id for i in e.incidents()] == [bad]
    assert all(e.case(c).data["daily"] == 500 for c in good)
    with e.db.engine.connect() as conn:
        assert list(conn.execute(sa.select(Timer.case_id, Timer.lease_owner))) == [(bad, timer_sweep.PARKED)]
    e.dispose()


def test_fired_timer_rows_are_deleted_so_no_sweep_takes_them_again(sqlite_url):
    """Guard: the timer projection deletes the rows of timers that fired."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    cases = _waiting_cases(e, 2)
    assert _count(e, Timer) == 2
    e.clock.set(DUE)
    assert e.run_due_timers(worker="w") == 2
    assert _count(e, Timer) == 0
    assert e._claim_due_timers("w2", limit=10, lease_seconds=60) == []
    assert all(_open_task(e, c).name == "复查" for c in cases)
    e.dispose()


def test_a_timer_whose_firing_raised_an_incident_is_parked_not_retried_every_sweep(sqlite_url):
    """Guard: the sweep parks the timer rows of a case whose firing failed (lease owner
    ``incident``) — else, once the lease runs out, every sweep records the same incident again."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    deploy(e, "timer_then_script.bpmn")
    case = e.start("timer_then_script", by="zhang", org="east", data={"total": 5000, "days": 0})
    e.clock.set(DUE)
    assert e.run_due_timers(worker="w") == 0
    (incident,) = e.incidents(case_id=case.id)
    assert (incident.action, incident.actor, incident.element_id, incident.payload) == \
        ("timer", "timer", "calc", {"worker": "w"}) and "division by zero" in incident.message
    e.clock.advance(hours=1)
    assert e.run_due_timers(worker="w") == 0
    assert _count(e, Incident, Incident.case_id == case.id) == 1
    with e.db.engine.connect() as conn:
        assert conn.execute(sa.select(Timer.lease_owner)).scalar() == timer_sweep.PARKED
    e.dispose()


def test_skip_locked_a_claim_never_waits_for_another_workers_claim(postgres_url):
    """Guard: ``FOR UPDATE SKIP LOCKED``. While one worker's claim transaction holds a due row,
    another worker's claim returns at once with the other rows instead of queueing behind it."""
    e = make_engine(postgres_url, clock=ManualClock(START))
    _waiting_cases(e, 3)
    e.clock.set(DUE)
    with e.db.engine.connect() as conn:
        with conn.begin():
            first = timer_sweep.claim(conn, "a", DUE, 1, 60, skip_locked=True)
            got = {}
            other = threading.Thread(target=lambda: got.update(rows=e._claim_due_timers("b", 10, 60)))
            other.start()
            waited = _queued_before_it_ended(other, postgres_url)
        other.join(60)
    assert not waited, "the second claim waited for the first one's row lock"
    assert len(first) == 1 and len(got["rows"]) == 2
    assert not {t for _, t in first} & {t for _, t in got["rows"]}
    e.dispose()


# --- audit, restart, diff-writes --------------------------------------------------------------------------
def test_a_case_whose_whole_audit_chain_was_deleted_is_reported(sqlite_engine):
    """Guard: ``verify`` checks every chain ``audit_head`` knows, also those with no event left."""
    e = sqlite_engine
    deploy(e, "approval.bpmn")
    case = e.start("approval", by="zhang", org="east")
    assert e.verify_audit() is None
    with e.db.engine.begin() as conn:
        conn.execute(sa.delete(AuditEvent).where(AuditEvent.chain == f"case:{case.id}"))
    broken = e.verify_audit()
    assert broken is not None and broken.chain == f"case:{case.id}" and "不见了" in broken.reason


def _delete_case_and_its_chain(engine, case_id: int) -> None:
    """What someone who can write the database does to make a case vanish: its row, every row that
    refers to it and every event of its chain."""
    from engine.schema import Base, TaskCandidate, TaskExclusion
    with engine.db.engine.begin() as conn:
        tasks = sa.select(HumanTask.id).where(HumanTask.case_id == case_id)
        for table in (TaskCandidate.__table__, TaskExclusion.__table__):
            conn.execute(sa.delete(table).where(table.c.task_id.in_(tasks)))
        for table in reversed(Base.metadata.sorted_tables):
            if "case_id" in table.c and table.name not in ("audit_event", "case_instance"):
                conn.execute(sa.delete(table).where(table.c.case_id == case_id))
        conn.execute(sa.delete(AuditEvent).where(AuditEvent.chain == f"case:{case_id}"))
        conn.execute(sa.delete(Case).where(Case.id == case_id))


def test_case_anchor_a_case_deleted_with_its_whole_audit_chain_is_reported(database_url):
    """Guard: every start anchors its case in the chain of its case number's counter
    (engine/case_anchor.py), and ``verify`` checks each anchored case still has its row. Without
    it a case row deleted together with every event of its chain leaves nothing pointing at it."""
    e = make_engine(database_url, clock=ManualClock(START))
    deploy(e, "approval.bpmn")
    kept, gone, last = (e.start("approval", by="zhang", org="east") for _ in range(3))
    assert e.verify_audit() is None
    _delete_case_and_its_chain(e, gone.id)
    broken = e.verify_audit()
    assert broken is not None and broken.chain.startswith("case_no:"), broken
    assert f"id {gone.id}" in broken.reason and gone.case_no in broken.reason and "已被删除" in broken.reason
    e.dispose()


def test_a_running_case_restored_after_a_restart_keeps_the_version_it_started_on(sqlite_url):
    """Guard: a case is restored from the spec bundle frozen at its start, not the latest deploy.
    Version 2 goes straight from 登记 to the end; the case started on version 1 still gets 审批."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    deploy(e, "approval.bpmn")
    case = e.start("approval", by="zhang", org="east")
    v2 = (BPMN / "approval.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="approve" />',
        '<bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="end" />')
    for gone in ('<bpmn:lane id="lane_supervisor" name="supervisor"><bpmn:flowNodeRef>approve</bpmn:flowNodeRef></bpmn:lane>',
                 '<bpmn:flowNodeRef>decided</bpmn:flowNodeRef>', '<bpmn:userTask id="approve" name="审批" />',
                 '<bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="decided" />',
                 '<bpmn:exclusiveGateway id="decided" default="f_back" />',
                 '<bpmn:sequenceFlow id="f_ok" sourceRef="decided" targetRef="end">'
                 '<bpmn:conditionExpression>approved == True</bpmn:conditionExpression></bpmn:sequenceFlow>',
                 '<bpmn:sequenceFlow id="f_back" sourceRef="decided" targetRef="register" />'):
        assert gone in v2, gone  # version 2 has no 审批 at all (nothing left unreachable for validation)
        v2 = v2.replace(gone, "")
    assert e.deploy(v2, by="boss", filename="approval.bpmn").version == 2
    e.dispose()
    restarted = Engine(sqlite_url, clock=ManualClock(START))
    newer = restarted.start("approval", by="zhang", org="east")
    restarted.complete(_open_task(restarted, newer.id).id, "zhang", {})
    assert restarted.case(newer.id).status == "completed"  # version 2 does change behaviour
    restarted.complete(_open_task(restarted, case.id).id, "zhang", {})
    assert [t.name for t in restarted.case(case.id).tasks] == ["审批"]
    restarted.dispose()


def test_diff_write_a_step_writes_only_the_task_rows_that_changed(sqlite_engine):
    """Guard: ``state.save`` compares each live task's serialized form with what was loaded."""
    e = sqlite_engine
    e.deploy(BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn", by="boss")
    case = e.start("five_tasks", by="zhang", org="east")
    written = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith(("UPDATE wf_task", "INSERT INTO wf_task")):
            written.append(len(parameters) if executemany else 1)

    sa.event.listen(e.db.engine, "before_cursor_execute", count)
    e.complete(_open_task(e, case.id).id, "zhang", {})
    sa.event.remove(e.db.engine, "before_cursor_execute", count)
    from engine.schema import TaskRow
    live = _count(e, TaskRow, TaskRow.case_id == case.id, TaskRow.live.is_(True))
    assert 0 < sum(written) <= 3 < live


_TWO_AT_ONCE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="two_defs" targetNamespace="http://duban.local/test">
  <bpmn:process id="two_at_once" name="并行检查" isExecutable="true">
    <bpmn:laneSet id="two_lanes"><bpmn:lane id="two_lane" name="inspector"><bpmn:flowNodeRef>check_a</bpmn:flowNodeRef><bpmn:flowNodeRef>check_b</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:parallelGateway id="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="check_a" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="check_b" />
    <bpmn:userTask id="check_a" name="检查甲" />
    <bpmn:userTask id="check_b" name="检查乙" />
    <bpmn:sequenceFlow id="f4" sourceRef="check_a" targetRef="join" />
    <bpmn:sequenceFlow id="f5" sourceRef="check_b" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_diff_write_a_ready_task_left_as_it_was_is_not_written_again(sqlite_engine):
    """Guard: ``state.save`` writes a task row only when its text differs from what the row holds
    (``old[2] != content``). A READY task carrying data has no mark, so every save serializes it
    again; the comparison keeps its row out of the UPDATE when another branch's task is completed
    (检查甲 done, 检查乙 still READY with the case's data: its row is not rewritten)."""
    e = sqlite_engine
    e.deploy(_TWO_AT_ONCE.encode(), by="boss", filename="two_at_once.bpmn")
    case = e.start("two_at_once", by="zhang", org="east", data={"备注": "并行"})
    tasks = {t.name: t for t in e.case(case.id).tasks}
    assert set(tasks) == {"检查甲", "检查乙"}
    written = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE wf_task"):
            written.extend(parameters if executemany else [parameters])

    sa.event.listen(e.db.engine, "before_cursor_execute", count)
    e.complete(tasks["检查甲"].id, "zhang", {"意见": "同意"})
    sa.event.remove(e.db.engine, "before_cursor_execute", count)
    other = str(tasks["检查乙"].id)
    assert written  # the completed task's row was updated
    assert not [p for p in written if other in map(str, p.values() if isinstance(p, dict) else p)]
    assert [t.name for t in e.case(case.id).tasks if t.state == "open"] == ["检查乙"]


def test_a_lane_rebound_by_another_process_is_seen_by_the_next_batch_of_a_running_worker(database_url):
    """Guard: a batch keys the directory caches (lane roles, principals) by the directory counter it
    reads with its cases. A worker that fired one batch, then another process (the web server)
    renames the role a lane bound to and gives the lane's name to a new role, opens the next batch's
    task in the new role — not in the one it cached (mutation testing: ``_lock_cases`` with the
    counter read as 0 kept the stale lane role)."""
    admin = make_engine(database_url, clock=ManualClock(START))
    deploy(admin, "deadline.bpmn")
    first, second = (admin.start("deadline", by="zhang", org="east", party="P-1",
                                 data={"registered_at": START.isoformat()}).id for _ in range(2))
    worker = Engine(database_url, clock=ManualClock(START + timedelta(days=30)))   # 10 working days are past
    worker._claim_due_timers("w", limit=10, lease_seconds=600)
    timer_sweep.fire_batch(worker, [first], "w")
    assert [(t.name, t.role_code) for t in worker.case(first).tasks] == [("约谈督办", "supervisor")]
    admin.directory.add_role("supervisor", "科长", sees_subordinate_orgs=True)     # lane 科室负责人 …
    admin.directory.add_role("section_chief", "科室负责人")                        # … now binds here
    timer_sweep.fire_batch(worker, [second], "w")
    assert [(t.name, t.role_code) for t in worker.case(second).tasks] == [("约谈督办", "section_chief")]
    worker.dispose()
    admin.dispose()


def test_a_timer_retried_while_its_model_still_fails_keeps_its_incident_updated(database_url):
    """Guard: retrying a timer's incident forces the parked timer to fire again (``force``), and when
    the model still fails, the failure is stored again on the same retryable timer incident of the
    case (one open incident for the step, engine/incidents.py ``record``) — by the timer, with the
    retrying worker, the model's error and the failed retry counted — not lost or half-filled
    (mutation testing: every argument of that second failure could be dropped unnoticed)."""
    e = make_engine(database_url, clock=ManualClock(START))
    deploy(e, "timer_then_script.bpmn")
    bad = e.start("timer_then_script", by="zhang", org="east", data={"total": 5000, "days": 0}).id   # ÷ 0
    e.clock.set(DUE)
    assert e.run_due_timers(worker="w") == 0
    (first,) = e.incidents()
    with pytest.raises(IncidentRaised):
        e.retry_incident(first.id, by="boss")
    (again,) = e.incidents()
    assert (again.id, again.case_id, again.action, again.actor) == (first.id, bad, "timer", "timer")
    assert again.payload == {"worker": "retry:boss", "retries": {"count": 1, "at": DUE.isoformat(), "by": "boss"}}
    assert again.message == first.message and "计算每日罚款" in again.message
    assert [(ev["actor"], ev["detail"]["incident"], ev["detail"].get("attempt"))
            for ev in e.case(bad).history if ev["action"] == "incident"] == [("timer", first.id, None),
                                                                             ("boss", first.id, 2)]  # on behalf
    with pytest.raises(IncidentRaised):                       # still a timer to retry
        e.retry_incident(again.id, by="boss")
    assert [i.payload["retries"]["count"] for i in e.incidents()] == [2]
    e.dispose()


@pytest.mark.parametrize("with_a_failing_case", [False, True], ids=["together", "one-by-one"])
def test_a_case_a_timer_completes_is_recorded_as_completed_by_the_timer(database_url, with_a_failing_case):
    """Guard: the step a timer fires names the timer as its actor, so a case its timer completes (a
    filing period lapsing into 销号) reads "completed by 定时器" in its audit trail — in a batch fired
    together and in a batch that fell back to case by case (mutation testing: the step's actor
    could be dropped or misspelt on either path unnoticed)."""
    e = make_engine(database_url, clock=ManualClock(START))
    deploy(e, "timer_then_close.bpmn")
    good = [e.start("timer_then_close", by="zhang", org="east", data={"total": 5000, "days": 10}).id
            for _ in range(2)]
    if with_a_failing_case:
        e.start("timer_then_close", by="zhang", org="east", data={"total": 5000, "days": 0})   # ÷ 0: incident
    e.clock.set(DUE)
    assert timer_sweep.run_due_timers(e, "w", batch=50) == 2
    for c in good:
        assert e.case(c).status == "completed"
        assert [ev["actor"] for ev in e.case(c).history if ev["action"] == "case_completed"] == ["timer"]
    e.dispose()


@pytest.mark.parametrize("limit, batch", [(100, 2), (2, 2), (1, 1)], ids=["batches", "rounds", "one-at-a-time"])
def test_a_sweep_fires_every_due_case_across_batches_and_rounds_and_counts_them_all(database_url, limit, batch):
    """Guard: ``run_due_timers`` claims ``limit`` timers a round and fires them ``batch`` cases at a
    time until nothing is due; every case fires once and the count it returns (what workers and
    bench/timers.py report) is all of them (mutation testing: one batch per round, the last batch's
    or round's count, or stopping after a round that fired, went unnoticed with the default sizes)."""
    e = make_engine(database_url, clock=ManualClock(START))
    cases = _waiting_cases(e, 5)
    e.clock.set(DUE)
    assert timer_sweep.run_due_timers(e, "w", limit=limit, batch=batch) == 5
    assert [t.name for c in cases for t in e.case(c).tasks] == ["复查"] * 5
    assert _count(e, Timer) == 0
    e.dispose()


def test_a_batch_takes_the_workflows_this_process_cached_instead_of_reading_their_rows(database_url):
    """Guard: a batch fired by the process that last stepped its cases takes their workflows from
    the engine's cache (at the version before the batch's bump) and reads no workflow or task rows
    (mutation testing: the cache look-up could miss every time, costing a restore per case, unseen)."""
    e = make_engine(database_url, clock=ManualClock(START))
    cases = _waiting_cases(e, 3)                           # started here: their workflows are cached
    e.clock.set(DUE)
    e._claim_due_timers("w", limit=10, lease_seconds=60)
    statements = []
    sa.event.listen(e.db.engine, "before_cursor_execute", lambda _c, _cur, statement, *_: statements.append(statement))
    assert timer_sweep.fire_batch(e, cases, "w") == 3
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert not [s for s in reads if "FROM wf_workflow" in s or "FROM wf_task" in s], reads
    assert [t.name for c in cases for t in e.case(c).tasks] == ["复查"] * 3
    e.dispose()


def test_a_capped_sweep_takes_rounds_until_its_cap_and_leaves_the_rest_due(database_url):
    """Guard: ``run_due_timers(most=N)`` (``duban worker --timers-per-sweep N``) counts every timer it
    claimed, round after round, so a sweep whose claims are smaller than its cap still stops at the
    cap; the rest stays due for the next sweep (mutation testing: counting only the last round's
    claims let a sweep of 3 fire all 5)."""
    e = make_engine(database_url, clock=ManualClock(START))
    cases = _waiting_cases(e, 5)
    e.clock.set(DUE)
    assert timer_sweep.run_due_timers(e, "w", limit=2, batch=1, most=3) == 3
    assert _count(e, Timer) == 2
    assert timer_sweep.run_due_timers(e, "w", limit=2, batch=1, most=3) == 2
    assert [t.name for c in cases for t in e.case(c).tasks] == ["复查"] * 5
    assert _count(e, Timer) == 0
    e.dispose()
