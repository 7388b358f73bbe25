"""A completion or a timer firing that PostgreSQL ends as a deadlock's victim is run again (issue 15).

A completion whose script starts a case (bpmn ``start_case`` in a script task after the user task:
tests/bpmn/spawning.bpmn, 审查线索 → 派生案件) takes, inside its transaction, the new case's 案号
counter row and then its anchor head (engine/cases.py ``NewCase``), as a timer firing whose script
does the same (tests/bpmn/timer_then_requests.bpmn) does. A writer holding them the other way round
makes PostgreSQL end one of the two (SQLSTATE 40P01). Such a transaction was rolled back whole: the
task is still open and READY, so running the completion again is safe (the double-completion
guards still hold), as hdead made starts, message correlation and signal broadcast (72d5fe8). Before,
only those were: the official's 提交 failed with ``DeadlockDetected``, and a timer sweep stopped.
Now each is run again, at most ``cases.CONFLICT_RETRIES`` (3) times, each a warning in Chinese;
other errors never.

The interleaving is forced as in tests/test_start_deadlock_s27.py: the engine's connection is
named (``application_name``), another connection holds the anchor head and, once the engine waits
for it holding the counter row, asks for the counter row (with a long ``deadlock_timeout`` of its
own, so the engine's deadlock check runs first and the engine is the victim). PostgreSQL only."""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from engine import Engine, ManualClock, cases
from engine.errors import Conflict
from engine.schema import Case
from tests.support import deploy, make_engine
from tests.test_start_deadlock_s27 import _named, _waiting

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
CHAIN = "case_no:WTW:2026"  # the 案号 counter and anchor chain of wait_then_work (等待后办理), this year


@pytest.fixture
def world(postgres_url):
    clock = ManualClock(NOW)
    setup = make_engine(postgres_url, clock=clock)
    deploy(setup, "spawning.bpmn", "timers_misc.bpmn", "timer_then_requests.bpmn")
    setup.start("wait_then_work", by="zhang", org="east")  # the counter row and head of the chain exist
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    yield setup, admin, postgres_url, clock
    admin.dispose()
    setup.dispose()


def _in_thread(results: dict, name: str, run) -> threading.Thread:
    def go():
        try:
            results[name] = run()
        except Exception as exc:  # noqa: BLE001 - asserted below
            results[name] = exc
    thread = threading.Thread(target=go, name=name)
    thread.start()
    return thread


def _victim(admin, name: str, run) -> object:
    """Run ``run`` in a thread on the engine connection ``name`` while another writer holds the
    chain's head, then asks for the counter row the engine holds: the engine is the victim."""
    results: dict = {}
    with admin.connect() as other, admin.connect() as watch:
        other.execute(sa.text("BEGIN"))
        other.execute(sa.text("SET LOCAL deadlock_timeout = '20s'"))  # the engine's check comes first
        other.execute(sa.text("SELECT seq FROM audit_head WHERE chain = :c FOR UPDATE"), {"c": CHAIN})
        thread = _in_thread(results, name, run)
        assert _waiting(watch, name, thread) == "transactionid"  # it holds the counter row, waits for the head
        other.execute(sa.text("UPDATE counter SET value = value WHERE name = :c"), {"c": CHAIN})  # the cycle
        other.execute(sa.text("ROLLBACK"))
        thread.join(60)
    return results[name]


def _retries_said(caplog, what: str) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "duban.engine" and what in r.getMessage() and "死锁" in r.getMessage() and "重试" in r.getMessage()]


def _spawned(setup: Engine, parent_id: int) -> list[str]:
    with setup.db.engine.connect() as conn:
        return sorted(conn.execute(sa.select(Case.case_no).where(Case.parent_case_id == parent_id)).scalars())


def test_a_completion_whose_script_starts_a_case_chosen_as_a_deadlock_victim_is_run_again_postgresql(world, caplog):
    """Before the change: 审查线索's 提交 failed with ``DeadlockDetected`` (the task stayed open)."""
    setup, admin, url, clock = world
    parent = setup.start("spawning", by="zhang", org="east", data={"other_unit": "west"})
    (review,) = setup.case(parent.id).tasks
    named = Engine(_named(url, "complete_v"), clock=clock)
    caplog.set_level(logging.WARNING, logger="duban.engine")
    result = _victim(admin, "complete_v", lambda: named.complete(review.id, "zhang", {"意见": "立案"}))
    assert not isinstance(result, Exception), result
    assert _spawned(setup, parent.id) == ["WTW-2026-00002", "WTW-2026-00003"]  # each spawned once
    view = setup.case(parent.id)
    assert view.status == "completed" and view.tasks == []
    assert [h["action"] for h in view.history].count("completed") == 1
    assert len(_retries_said(caplog, f"提交任务（{review.id}）")) == 1
    assert setup.incidents(case_id=parent.id) == []
    assert setup.verify_audit() is None
    with pytest.raises(Conflict):  # the double-completion guard still holds
        named.complete(review.id, "zhang", {})
    named.dispose()


def test_a_timer_firing_whose_script_starts_a_case_chosen_as_a_deadlock_victim_is_run_again_postgresql(
        world, caplog):
    """Before the change: the sweep stopped with ``DeadlockDetected`` and the timer waited for another."""
    setup, admin, url, clock = world
    case = setup.start("timer_then_requests", by="zhang", org="east", data={"reviewers": ["li"]})
    clock.advance(days=3)
    named = Engine(_named(url, "timer_v"), clock=clock)
    caplog.set_level(logging.WARNING, logger="duban.engine")
    result = _victim(admin, "timer_v", lambda: named.run_due_timers(worker="w1"))
    assert result == 2, result  # its 整改期限届满 and the first 等待后办理's wait (P2D), in one batch
    assert _spawned(setup, case.id) == ["WTW-2026-00002"]
    assert [t.name for t in setup.case(case.id).tasks] == ["复核"]
    assert len(_retries_said(caplog, "定时器触发")) == 1
    assert setup.incidents(case_id=case.id) == []
    assert setup.verify_audit() is None
    named.dispose()


def test_a_completions_other_errors_are_not_retried_postgresql(world, caplog):
    """A refusal (here the task already done) is the caller's at once: no retry, no warning."""
    setup, _, _, _ = world
    parent = setup.start("spawning", by="zhang", org="east", data={"other_unit": "west"})
    (review,) = setup.case(parent.id).tasks
    setup.complete(review.id, "zhang", {})
    caplog.set_level(logging.WARNING, logger="duban.engine")
    with pytest.raises(Conflict) as refused:
        setup.complete(review.id, "zhang", {})
    assert cases.conflict_to_retry(refused.value) is None
    assert _retries_said(caplog, "提交任务") == []
