"""No deadlock at the first starts of a 案号 prefix in a year, and a start that is a deadlock's victim
is run again (issue 15; last session's final rehearsal: one of four engines starting the first cases
of two prefixes at once got ``DeadlockDetected`` on ``audit_head`` and its 立案 failed).

The cycle: three starts of one prefix in a new year. X makes the counter row and the anchor head
and commits; Y's counter ``UPDATE`` ran before X's COMMIT (no row: none moved, none locked) but its
anchor head read, queued right behind it, ran after it and locked X's head; Z came after X's COMMIT
and locked the counter row, then asked for the head, which Y holds, while Y, having found no
counter row, asks for the counter row again, which Z holds. Two guards, each tested alone here:

- the lock order: the counter is moved by one ``INSERT … ON CONFLICT DO UPDATE … RETURNING``, which
  always leaves the start holding the counter row (made if it was not there, waiting for a start
  that is making it), so every start of a chain locks counter, then head (``cases.NewCase``);
- the retry: a start whose transaction was chosen as a deadlock's victim, or failed to serialize,
  is run again, at most ``cases.CONFLICT_RETRIES`` times, logged (``cases.start``).

The interleaving is forced with real engines on a real PostgreSQL server: each engine's connection
is named (``application_name``) and a statement trigger the test adds to ``counter`` holds the
named start there until the test lets it go (an advisory lock), so nothing is left to timing."""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from engine import Engine, ManualClock, cases
from engine.schema import AuditEvent, Case
from tests.support import deploy, make_engine

NEW_YEAR = datetime(2027, 1, 4, 1, 0, tzinfo=timezone.utc)  # the first cases of 2027: no counter rows yet

# Holds a start of the named connections after its counter statement (the counter's row then is
# as that statement left it: locked by it if it moved or made it), until the test releases the
# advisory lock of that name.
GATE = """
CREATE FUNCTION test_gate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE gate int := CASE current_setting('application_name') WHEN 'start_y' THEN 1 WHEN 'start_z' THEN 3 ELSE 0 END;
BEGIN
  IF gate <> 0 THEN PERFORM pg_advisory_lock_shared(gate); PERFORM pg_advisory_unlock_shared(gate); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER test_gate AFTER INSERT OR UPDATE ON counter FOR EACH STATEMENT EXECUTE FUNCTION test_gate();
"""


def _named(url: str, name: str) -> str:
    return f"{url}?application_name={name}"


def _waiting(admin: sa.Connection, name: str, thread: threading.Thread, seconds: float = 30) -> str:
    """Wait until the connection ``name`` waits for a lock (an advisory gate, a row, a transaction),
    or its thread has ended; returns what it waits for ("" when it ended)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not thread.is_alive():
            return ""
        found = admin.execute(sa.text("SELECT wait_event FROM pg_stat_activity WHERE application_name = :n "
                                      "AND wait_event_type = 'Lock'"), {"n": name}).scalar()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"{name} neither waits nor ends")


def _start_in_thread(engine: Engine, results: dict, name: str) -> threading.Thread:
    def run():
        try:
            results[name] = engine.start("approval", by="zhang", org="east").case_no
        except Exception as exc:  # noqa: BLE001 - asserted below
            results[name] = exc
    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


@pytest.fixture
def world(postgres_url):
    setup = make_engine(postgres_url, clock=ManualClock(NEW_YEAR.replace(year=2026)))
    deploy(setup, "approval.bpmn", "timers_misc.bpmn")
    setup.start("approval", by="zhang", org="east")  # the model's bundle stored, last year
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(GATE))
    yield setup, admin, postgres_url
    admin.dispose()
    setup.dispose()


def _anchor_chain(setup: Engine, chain: str) -> list[tuple[int, str]]:
    with setup.db.engine.connect() as conn:
        rows = conn.execute(sa.select(AuditEvent.seq, Case.case_no).join(Case, Case.id == AuditEvent.case_id)
                            .where(AuditEvent.chain == chain, AuditEvent.action == "case_anchored")
                            .order_by(AuditEvent.seq)).all()
    return [tuple(r) for r in rows]


def test_three_first_starts_of_one_prefix_in_a_new_year_take_counter_then_head_and_never_deadlock_postgresql(
        world, monkeypatch):
    """X, Y, Z start the first 登记审批 cases of 2027 in the order that deadlocked (see above), with
    no retry: every start succeeds, numbers 1–3, one anchor chain in number order. Before the
    change Y or Z died on ``DeadlockDetected`` (Y asking for the counter row, Z for the head)."""
    monkeypatch.setattr(cases, "CONFLICT_RETRIES", 0)
    setup, admin, url = world
    engines = {n: Engine(_named(url, n), clock=ManualClock(NEW_YEAR)) for n in ("start_x", "start_y", "start_z")}
    # a first case of another prefix the same new year, beside the race (never in its way)
    other = Engine(url, clock=ManualClock(NEW_YEAR))
    results: dict = {}
    with admin.connect() as gates:
        gates.execute(sa.text("SELECT pg_advisory_lock(1), pg_advisory_lock(3)"))
        y = _start_in_thread(engines["start_y"], results, "start_y")
        assert _waiting(gates, "start_y", y) == "advisory"  # Y held right after its counter statement
        x = _start_in_thread(engines["start_x"], results, "start_x")
        _waiting(gates, "start_x", x)  # X done before the fix; after it, X waits for Y's new counter row
        results["other"] = other.start("wait_then_work", by="zhang", org="east").case_no
        z = _start_in_thread(engines["start_z"], results, "start_z")
        _waiting(gates, "start_z", z)  # Z holds the counter row X made (before the fix)
        gates.execute(sa.text("SELECT pg_advisory_unlock(1)"))
        _waiting(gates, "start_y", y)  # Y asks for the counter row again (before the fix)
        gates.execute(sa.text("SELECT pg_advisory_unlock(3)"))
        for thread in (x, y, z):
            thread.join(60)
    failed = {n: r for n, r in results.items() if isinstance(r, Exception)}
    assert failed == {}, failed
    assert sorted(results[n] for n in engines) == ["A-2027-00001", "A-2027-00002", "A-2027-00003"]
    assert results["other"] == "WTW-2027-00001"
    chain = "case_no:A:2027"
    assert [seq for seq, _ in _anchor_chain(setup, chain)] == [1, 2, 3]
    assert [no for _, no in _anchor_chain(setup, chain)] == sorted(results[n] for n in engines)
    assert setup.verify_audit() is None
    for e in (*engines.values(), other):
        e.dispose()


def test_a_start_chosen_as_a_deadlock_victim_is_run_again_and_logged_postgresql(world, caplog):
    """The retry alone: another writer takes the anchor head, then the counter row — the order the
    engine no longer takes, so the lock order cannot help — while a start holds the counter row and
    waits for the head. PostgreSQL ends the start (it waited first: its deadlock check runs first);
    the start runs again once the other writer is gone and gets its number. Before the change the
    official's 立案 failed with ``DeadlockDetected``."""
    setup, admin, url = world
    first = Engine(url, clock=ManualClock(NEW_YEAR))
    first.start("approval", by="zhang", org="east")  # the counter row and head of 2027 exist
    chain_of = first.start("approval", by="zhang", org="east").case_no.split("-")[0]
    chain = f"case_no:{chain_of}:2027"
    starter = Engine(_named(url, "start_v"), clock=ManualClock(NEW_YEAR))
    results: dict = {}
    caplog.set_level(logging.WARNING, logger="duban.engine")
    with admin.connect() as other, admin.connect() as watch:  # (a transaction sees one pg_stat_activity)
        other.execute(sa.text("BEGIN"))
        other.execute(sa.text("SET LOCAL deadlock_timeout = '20s'"))  # the start's check comes first
        other.execute(sa.text("SELECT seq FROM audit_head WHERE chain = :c FOR UPDATE"), {"c": chain})
        v = _start_in_thread(starter, results, "start_v")
        assert _waiting(watch, "start_v", v) == "transactionid"  # it holds the counter row, waits for the head
        other.execute(sa.text("UPDATE counter SET value = value WHERE name = :c"), {"c": chain})  # the cycle
        other.execute(sa.text("ROLLBACK"))
        v.join(60)
    assert not isinstance(results["start_v"], Exception), results["start_v"]
    assert results["start_v"] == f"{chain_of}-2027-00003"
    assert [seq for seq, _ in _anchor_chain(setup, chain)] == [1, 2, 3]
    said = [r.getMessage() for r in caplog.records if r.name == "duban.engine"]
    assert any("死锁" in m and "重试" in m for m in said), said
    assert setup.verify_audit() is None
    first.dispose()
    starter.dispose()


def test_only_a_deadlock_or_a_serialization_failure_is_retried(world):
    """Any other error of a start is the caller's at once, run once (a refused org unit here)."""
    assert cases.conflict_to_retry(RuntimeError("x")) is None
    setup, _, _ = world
    with pytest.raises(Exception) as refused:
        setup.start("approval", by="zhang", org="nowhere")
    assert not cases.conflict_to_retry(refused.value)
