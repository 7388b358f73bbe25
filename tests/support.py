"""Helpers shared by engine tests: a real engine on a real database with a small directory."""
from __future__ import annotations

import gc
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine import Engine, ManualClock
from engine.schema import AuditHead, Case, HumanTask

BPMN = Path(__file__).resolve().parent / "bpmn"
START = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai, a Monday


def make_engine(url: str, clock: ManualClock | None = None, **kwargs) -> Engine:
    """An engine with a city, two districts, inspectors, a supervisor and an enterprise user."""
    engine = Engine(url, clock=clock or ManualClock(START), **kwargs)
    engine.create_all()
    d = engine.directory
    d.add_role("inspector", "执法人员")
    d.add_role("supervisor", "科室负责人", sees_subordinate_orgs=True)
    d.add_role("enterprise", "生产经营单位")
    d.add_org("city", "示范市", level="市")
    d.add_org("east", "东城区", parent="city", level="区")
    d.add_org("west", "西城区", parent="city", level="区")
    d.add_user("zhang", org="east", roles=["inspector"], name="张三")
    d.add_user("li", org="east", roles=["inspector"], name="李四")
    d.add_user("wang", org="west", roles=["inspector"], name="王五")
    d.add_user("boss", org="city", roles=["supervisor"], name="赵局")
    d.add_user("eastboss", org="east", roles=["supervisor"], name="钱科")
    d.add_user("acme", org="east", roles=["enterprise"], name="甲公司", party="91110000000000001H")
    return engine


def deploy(engine: Engine, *names: str):
    return [engine.deploy(BPMN / n, by="boss") for n in names]


def engine_fixture(*models: str):
    """A module's ``engine`` fixture: ``make_engine`` on the test's database with ``models``
    (files of tests/bpmn) deployed, disposed after the test. ``engine = engine_fixture("approval.bpmn")``."""
    @pytest.fixture
    def engine(database_url):
        eng = make_engine(database_url)
        deploy(eng, *models)
        yield eng
        eng.dispose()
    return engine


def set_audit_head(session, chain: str, hash_: str, seq: int | None = None) -> None:
    """Set ``chain``'s audit head where it is kept — a case chain's on its case row (revision 0021),
    any other's in ``audit_head`` — as an attacker who can write the database would."""
    if chain.startswith("case:"):
        case = session.get(Case, int(chain.split(":")[1]))
        case.audit_hash = hash_
        if seq is not None:
            case.audit_seq = seq
        return
    head = session.get(AuditHead, chain)
    head.hash = hash_
    if seq is not None:
        head.seq = seq


def open_task_id(engine: Engine, case_id: int) -> str:
    """The id of the case's one open human task (fails if there is none or more than one)."""
    with engine.db.engine.connect() as conn:
        return conn.execute(sa.select(HumanTask.id).where(HumanTask.case_id == case_id,
                                                          HumanTask.state == "open")).scalar_one()


def statements_sent(engine: Engine, fn) -> list[str]:
    """The SQL statements ``fn()`` sends through the engine's database, in order."""
    sent: list[str] = []

    def record(conn, cursor, statement, *args):
        sent.append(statement)

    sa.event.listen(engine.db.engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        sa.event.remove(engine.db.engine, "before_cursor_execute", record)
    return sent


def lines_run(fn) -> int:
    """How many lines of Python ``fn()`` runs in this thread (``sys.settrace`` line events; a loop's
    line once a turn): the work it does, counted. The same code on the same input runs the same lines
    on an idle or a loaded machine, with or without a garbage collection, so a bound on it is not a
    bet on the machine, as a bound on time is. (Calls would not do: Python 3.11 reports no call to a
    C method such as lxml's ``_Element.get``, where a quadratic loop over elements spends its turns.)
    For a guard against work that grows, compare two sizes or bound the count well below what the
    regression runs."""
    run = 0

    def trace(frame, event, arg):
        nonlocal run
        if event == "line":
            run += 1
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        fn()
    finally:
        sys.settrace(previous)
    return run


class Spent:
    """CPU seconds spent inside a ``thread_cpu()`` block, set when the block ends."""
    seconds: float = 0.0


@contextmanager
def thread_cpu() -> Iterator[Spent]:
    """Time a block by the CPU of the calling thread, with the cyclic garbage collector off inside it.

    For the few guards that only a time shows (a quadratic conversion, an expansion in C). Where a
    count of the work is to be had, count it instead. Wall time counts what else runs on CI's two
    cores; thread CPU does not, but does count a full collection of the suite's heap started by
    whatever allocation happens to cross the threshold inside the block, which the code under test
    did not cause. Bounds stay far above what the block costs (a hundredfold) and far below what the
    regression it guards against costs."""
    spent = Spent()
    enabled = gc.isenabled()
    gc.disable()
    started = time.thread_time()
    try:
        yield spent
    finally:
        spent.seconds = time.thread_time() - started
        if enabled:
            gc.enable()


# How long model code the sandbox stops (at half a second or a second of the worker's CPU time,
# engine/evaluator.py) may hold its caller: an upper bound only. The stop itself is checked exactly
# where the test can see it (the ScriptTimeout names its bound); the wall time adds a kill, an
# incident written and, on CI's two cores shared with PostgreSQL and Chromium, waiting for a CPU
# (the bound's CPU then takes longer in wall time; a start once took 3.1 s). Code that
# nothing stopped holds the caller for minutes or for ever, and code that only the wall-clock
# backstop stopped for its 30 s (evaluator.WALL_SECONDS), so this still fails then. 20 s: a wall
# time on a loaded machine is not a measure (was 10 s); RLIMIT_CPU behind the CPU timer is
# checked by its CPU, in tests/test_sandbox_bounds.py.
HELD_AT_MOST_S = 20.0


def evaluator_ready() -> None:
    """Return once an evaluator process is idle. After runaway code the pool replaces the worker it
    killed, and a cold interpreter on a loaded machine takes seconds to start: a test that times how
    soon model code is stopped starts its clock after this, so it times the bound, not a start-up."""
    from engine import evaluator
    evaluator.pool().run("eval", "1", {}, {}, evaluator.START_SECONDS)


def round_trips(engine: Engine, fn) -> list[str]:
    """What PostgreSQL was sent while ``fn()`` ran, one entry per round trip, from libpq's own trace of
    every connection checked out meanwhile (psycopg's BEGIN, ROLLBACK and ``DEALLOCATE ALL`` included,
    which SQLAlchemy's statement events never see): a simple query by its text (``BEGIN``,
    ``COMMIT``, …), a statement by its text, ``EXECUTE <name>`` when sent as a prepared statement,
    ``PREPARE <name>`` for the round trip that prepares one. Not for pipelines (one Sync each)."""
    import os
    import tempfile

    from psycopg import pq

    traced: dict[int, tuple] = {}

    def start(dbapi_conn, _record, _proxy):
        fd, path = tempfile.mkstemp(prefix="duban_trace_")
        pgconn = getattr(dbapi_conn, "driver_connection", dbapi_conn).pgconn
        pgconn.trace(fd)
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        traced[id(dbapi_conn)] = (pgconn, fd, path)

    def stop(dbapi_conn, _record):
        found = traced.pop(id(dbapi_conn), None)
        if found is not None:
            pgconn, fd, path = found
            pgconn.untrace()
            with open(path, encoding="utf-8", errors="replace") as f:
                sent.extend(_round_trips_of(f.read()))
            os.close(fd)
            os.unlink(path)

    sent: list[str] = []
    sa.event.listen(engine.db.engine, "checkout", start)
    sa.event.listen(engine.db.engine, "checkin", stop)
    try:
        fn()
    finally:
        sa.event.remove(engine.db.engine, "checkout", start)
        sa.event.remove(engine.db.engine, "checkin", stop)
    return sent


def _round_trips_of(trace: str) -> list[str]:
    """Round trips in a libpq trace: each simple Query, each Sync (a statement's text may span lines)."""
    import re

    trips: list[str] = []
    parsed: tuple[str, str] | None = None
    bound: str | None = None
    for m in re.finditer(r'^F\t\d+\t(\w+)\t? ?(.*)$', trace, re.M):
        kind, rest = m.groups()
        if kind == "Query":
            trips.append(rest.strip('"'))
        elif kind == "Parse":
            name, _, text = rest.partition(" ")
            parsed = (name.strip('"'), text.strip('"'))
        elif kind == "Bind":
            bound = rest.split(" ")[1].strip('"')
        elif kind == "Sync":
            if bound:
                trips.append(f"EXECUTE {bound}")
            elif parsed and parsed[0] and bound is None:
                trips.append(f"PREPARE {parsed[0]}")
            else:
                trips.append(parsed[1] if parsed else "?")
            parsed = bound = None
    return trips


def sessions_made(monkeypatch) -> list:
    """Every ORM ``Session`` made from now on (SQLAlchemy's class, counted on the way through): what a
    test of a path that must make none (a warm start, an API start's checks, an exclusion write) reads."""
    from sqlalchemy.orm import Session
    made: list = []
    init = Session.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Session, "__init__", counting)
    return made
