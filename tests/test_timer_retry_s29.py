"""A timer claim or parking that PostgreSQL ends as a deadlock's victim or a serialization failure
is run again, as a firing is (issue 15).

The sweep's claim (``timer_sweep.claim_due``: due rows ``FOR UPDATE SKIP LOCKED``, then leased) and
the parking of a case whose firing raised an incident (``timer_sweep.park``: its rows leased to
``incident``) are each one short transaction. Until now a deadlock or serialization failure there
stopped the sweep with the driver's error (``DeadlockDetected``): the claim's rows stayed free and
the parked case's rows leased to the worker, so nothing was lost, but the sweep ended and the
error went to the worker's log in English. Now both go through ``cases.retried`` (the one wrapper of
starts, completions and firings): at most ``cases.CONFLICT_RETRIES`` (3) times, each a warning in
Chinese; then the error is the caller's.

The interleaving is forced as in tests/test_start_deadlock_s27.py and
tests/test_complete_deadlock_s28.py: the engine's connection is named (``application_name``), and a
row trigger the test adds to ``timer`` makes that connection, once it has written the timer rows
(so it holds them), take advisory lock 1, then wait for advisory lock 2, which another connection
holds; that one then asks for lock 1 (with a long ``deadlock_timeout`` of its own, so the engine's
deadlock check runs first and the engine is the victim). The rows themselves are not what closes
the cycle, so the retry's ``SKIP LOCKED`` finds them free again. PostgreSQL only."""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine import Engine, ManualClock, cases, timer_sweep
from engine.schema import Incident, Timer
from tests.support import START, deploy, make_engine
from tests.test_start_deadlock_s27 import _named, _waiting

DUE = START + timedelta(days=2, seconds=1)

# A gate on the named engine's timer writes (those the trigger's WHEN picks: one lease owner):
# advisory lock 1, then lock 2 (which the test's other connection holds).
GATE = """
CREATE FUNCTION test_timer_gate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('application_name') LIKE 'timer_gate%' THEN
    PERFORM pg_advisory_xact_lock(1);
    PERFORM pg_advisory_xact_lock(2);
  END IF;
  RETURN NULL;
END $$;
"""
# Serialization failures: the first ``n`` writes of a timer's lease to ``owner`` fail (a sequence
# counts them: it is not rolled back with the failed transaction).
FAIL = """
CREATE SEQUENCE test_timer_fails;
CREATE FUNCTION test_timer_fail() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF nextval('test_timer_fails') <= TG_ARGV[0]::int THEN
    RAISE EXCEPTION 'test: could not serialize access' USING ERRCODE = '40001';
  END IF;
  RETURN NULL;
END $$;
"""


@pytest.fixture
def world(postgres_url):
    setup = make_engine(postgres_url, clock=ManualClock(START))
    deploy(setup, "timer_then_script.bpmn", "timers_misc.bpmn")
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    yield setup, admin, postgres_url
    admin.dispose()
    setup.dispose()


def _gate(admin, owner: str) -> None:
    with admin.connect() as conn:
        conn.execute(sa.text(GATE))
        conn.execute(sa.text("CREATE TRIGGER test_timer_gate AFTER UPDATE ON timer FOR EACH ROW "
                             f"WHEN (NEW.lease_owner = '{owner}') EXECUTE FUNCTION test_timer_gate()"))


def _victim(admin, name: str, run) -> object:
    """Run ``run`` in a thread on the engine connection ``name``; once it waits at the gate holding
    lock 1, another writer holding lock 2 asks for lock 1: the engine is the deadlock's victim."""
    results: dict = {}

    def go():
        try:
            results[name] = run()
        except Exception as exc:  # noqa: BLE001 - asserted by the caller
            results[name] = exc

    with admin.connect() as other, admin.connect() as watch:
        other.execute(sa.text("BEGIN"))
        other.execute(sa.text("SET LOCAL deadlock_timeout = '20s'"))  # the engine's check comes first
        other.execute(sa.text("SELECT pg_advisory_xact_lock(2)"))
        thread = threading.Thread(target=go, name=name)
        thread.start()
        assert _waiting(watch, name, thread) == "advisory"  # it holds the timer rows and lock 1, waits for 2
        other.execute(sa.text("SELECT pg_advisory_xact_lock(1)"))  # the cycle: returns once the engine rolled back
        other.execute(sa.text("ROLLBACK"))
        thread.join(60)
    return results[name]


def _retries_said(caplog, what: str, said: str = "死锁") -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "duban.engine" and what in r.getMessage() and said in r.getMessage() and "重试" in r.getMessage()]


def _leases(setup: Engine) -> list[str | None]:
    with setup.db.engine.connect() as conn:
        return list(conn.execute(sa.select(Timer.lease_owner).order_by(Timer.id)).scalars())


def test_a_timer_claim_chosen_as_a_deadlock_victim_is_run_again_postgresql(world, caplog):
    """Before the change: the sweep stopped with ``DeadlockDetected`` and fired nothing."""
    setup, admin, url = world
    case = setup.start("timer_then_script", by="zhang", org="east", data={"total": 5000, "days": 5})
    _gate(admin, "claimer")
    setup.clock.set(DUE)
    named = Engine(_named(url, "timer_gate_claim"), clock=setup.clock)
    caplog.set_level(logging.WARNING, logger="duban.engine")
    result = _victim(admin, "timer_gate_claim", lambda: named.run_due_timers(worker="claimer"))
    assert result == 1, result
    assert len(_retries_said(caplog, "定时器认领（claimer）")) == 1
    assert [t.name for t in setup.case(case.id).tasks] == ["复核"]  # fired once: 1000 a day
    assert setup.case(case.id).data["daily"] == 1000
    assert _leases(setup) == [] and setup.incidents(case_id=case.id) == []
    assert setup.verify_audit() is None
    named.dispose()


def test_a_timer_parking_chosen_as_a_deadlock_victim_is_run_again_postgresql(world, caplog):
    """Before the change: the incident was recorded, then the sweep stopped with
    ``DeadlockDetected`` and the timer was not parked (the next sweep after its lease recorded the
    failure again)."""
    setup, admin, url = world
    case = setup.start("timer_then_script", by="zhang", org="east", data={"total": 5000, "days": 0})
    _gate(admin, timer_sweep.PARKED)
    setup.clock.set(DUE)
    named = Engine(_named(url, "timer_gate_park"), clock=setup.clock)
    caplog.set_level(logging.WARNING, logger="duban.engine")
    result = _victim(admin, "timer_gate_park", lambda: named.run_due_timers(worker="w1"))
    assert result == 0, result
    assert len(_retries_said(caplog, f"定时器挂起（案件 {case.id}）")) == 1
    assert _leases(setup) == [timer_sweep.PARKED]
    (incident,) = setup.incidents(case_id=case.id)
    assert incident.element_id == "calc" and "division by zero" in incident.message
    setup.clock.advance(hours=1)  # past the lease: parked, so no second incident
    assert setup.run_due_timers(worker="w2") == 0
    with setup.db.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Incident)).scalar() == 1
    assert setup.verify_audit() is None
    named.dispose()


def test_a_timer_claim_failing_to_serialize_more_than_three_times_is_the_callers_nothing_lost_postgresql(
        world, caplog):
    """A serialization failure (40001) is retried too, at most ``CONFLICT_RETRIES`` times: the
    fourth is the caller's, the rows stay free, and the next sweep fires them once. Before the
    change the first failure was the caller's (no retry, no warning)."""
    setup, admin, _ = world
    case = setup.start("timer_then_script", by="zhang", org="east", data={"total": 5000, "days": 5})
    with admin.connect() as conn:
        conn.execute(sa.text(FAIL))
        conn.execute(sa.text("CREATE TRIGGER test_timer_fail AFTER UPDATE ON timer FOR EACH ROW "
                             "WHEN (NEW.lease_owner = 'w1') EXECUTE FUNCTION test_timer_fail('4')"))
    setup.clock.set(DUE)
    caplog.set_level(logging.WARNING, logger="duban.engine")
    with pytest.raises(sa.exc.OperationalError) as failed:
        setup.run_due_timers(worker="w1")
    assert cases.conflict_to_retry(failed.value) == "串行化冲突"
    assert len(_retries_said(caplog, "定时器认领（w1）", "串行化冲突")) == cases.CONFLICT_RETRIES == 3
    assert _leases(setup) == [None]  # nothing leased: the next sweep takes it
    assert setup.run_due_timers(worker="w1") == 1  # the fifth write passes
    assert [t.name for t in setup.case(case.id).tasks] == ["复核"] and _leases(setup) == []
