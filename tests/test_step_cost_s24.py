"""A completion's fixed cost (issue 15): work a step did twice, done once, with what it leaves unchanged.

Each test runs real completions on a real database (SQLite and PostgreSQL) through ``Engine.complete``
and checks both sides: the work is not done again (fails before the change) and what the step
leaves — the rows, the cached state the next step reads — is what it was.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine import sqlexec, state as wfstate
from tests.interop_support import CORPUS, user_for
from tests.support import make_engine
from tests.test_bench_throughput import _throughput
from tests.test_state_writes import rows_are_fresh

LEAVE = CORPUS / "flowable_leave.bpmn"


@pytest.fixture
def walks(monkeypatch):
    """How many times ``state._walk`` was asked for a workflow's tasks (the real one runs)."""
    seen: list = []
    real = wfstate._walk

    def watched(workflow):
        seen.append(workflow)
        return real(workflow)

    monkeypatch.setattr(wfstate, "_walk", watched)
    return seen


def test_a_pruning_save_walks_the_live_tasks_once(database_url, walks):
    """A save that took tasks out (history cut by ``state.prune``, a branch SpiffWorkflow dropped)
    named the tasks left live by walking every tree again after its own walk of them all
    (``state._gone``); it now keeps them from that walk. The names and children the next step reads
    and the rows are what a fresh walk gives, completion after completion of a Flowable model
    (tests/bpmn/interop/flowable_leave.bpmn: 请假 through its gateways to the end)."""
    e = make_engine(database_url)
    try:
        e.deploy(LEAVE, by="boss")
        case = e.start("flowable_leave", by="zhang", org="east", data={"days": "４", "reason": "探亲", "approvers": ["zhang", "li"]})
        done = gone = 0
        while e.case(case.id).status == "running":
            task = e.case(case.id).tasks[0]
            user = user_for(e, task)
            before = len(e.workflow_cache._entries[case.id][1].task_rows)
            walks.clear()
            e.complete(task.id, user, {})
            done += 1
            assert walks == [], f"completion {done} ({task.spec_id}) walked the tree again"
            entry = e.workflow_cache._entries.get(case.id)
            if entry is None:
                break
            loaded = entry[1]
            live = list(wfstate._walk(loaded.workflow))
            assert list(loaded.names.items()) == [(t, str(t.id)) for t in live]  # same tasks, same order
            assert loaded.kids == {t: [loaded.workflow.tasks.get(c) for c in t._children] for t in live if t._children}
            assert rows_are_fresh(e, case.id, {str(t.id): t for t in live})
            gone += len(loaded.task_rows) < before
        assert e.case(case.id).status == "completed" and done >= 3
        assert gone  # some save did take tasks out
    finally:
        e.dispose()


def test_the_bench_meters_a_completion_without_a_listener_on_the_engine(database_url):
    """bench/throughput.py's ``Meter`` counted statements with a ``before_cursor_execute`` listener:
    every statement the executor sends then went through ``sqlexec._announce`` and a Python call,
    which a serving engine (nothing listens there) does not do and the naive app does not pay —
    charged to the engine's side of every ratio. It counts them now as it did — the executor's own
    (``sqlexec.stats``) and those SQLAlchemy sends itself — with no listener added; two meters on one
    engine (``EngineWalk``'s completions and timer sweeps) count each statement once."""
    bench = _throughput()
    e = make_engine(database_url)
    try:
        listeners = len(e.db.engine.dispatch.before_cursor_execute)
        meter, other = bench.Meter(e), bench.Meter(e)
        assert len(e.db.engine.dispatch.before_cursor_execute) == listeners
        e.deploy(LEAVE, by="boss")
        case = e.start("flowable_leave", by="zhang", org="east", data={"days": "４", "reason": "探亲", "approvers": ["zhang", "li"]})
        task = e.case(case.id).tasks[0]
        sent = sqlexec.stats.statements
        meter.call(lambda: e.complete(task.id, user_for(e, task), {}))
        assert meter.sent == sqlexec.stats.statements - sent > 0

        def by_sqlalchemy():
            with e.db.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1")).all()
                conn.execute(sa.text("SELECT 2")).all()
        other.call(by_sqlalchemy)
        assert other.statements - other.sent == 2  # SQLAlchemy's own (a connection's setup may send the executor's)
        assert meter.statements >= meter.sent
        assert meter.summary()["sql_statements_per_completion"] == meter.sent
    finally:
        e.dispose()
