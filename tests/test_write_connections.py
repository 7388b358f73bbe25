"""Write transactions' connections (engine/database.py ``Database.writer``), on real databases.

A write transaction's connection is kept for the next one instead of going back to the pool (the
checkout and return were ~25 µs of a SQLite completion, ~7 µs CPU of a PostgreSQL one). What that
must not cost: a transaction that failed half-way leaves nothing behind for the next one, a
connection left inside a transaction is not handed out again, one the server dropped while it was
kept is replaced, and the threads of one server never use one connection at the same time.
"""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from engine import step
from engine.schema import Counter
from tests.support import BPMN, make_engine, open_task_id

FIVE_TASKS = BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn"
COUNTER = Counter.__table__


@pytest.fixture
def engine(database_url):
    e = make_engine(database_url)
    e.deploy(FIVE_TASKS, by="boss")
    yield e
    e.dispose()


def _checkouts(engine, fn) -> int:
    """How many connections ``fn()`` takes from the engine's pool."""
    taken = []

    def count(*_args):
        taken.append(1)

    sa.event.listen(engine.db.engine, "checkout", count)
    try:
        fn()
    finally:
        sa.event.remove(engine.db.engine, "checkout", count)
    return len(taken)


def _counter(engine, name: str):
    with engine.db.engine.connect() as conn:
        return conn.execute(sa.select(COUNTER.c.value).where(COUNTER.c.name == name)).scalar()


def test_a_completion_takes_no_connection_from_the_pool(engine):
    """The write transaction's connection is the last one's, on SQLite and (since 2026-12-06, ~7 µs
    CPU a completion less) on PostgreSQL too: no checkout, no return with its reset."""
    case = engine.start("five_tasks", by="zhang", org="east")
    engine.complete(open_task_id(engine, case.id), "zhang", {"意见": "同意"})
    task_id = open_task_id(engine, case.id)
    taken = _checkouts(engine, lambda: engine.complete(task_id, "zhang", {"意见": "同意"}))
    assert taken == 0


def test_a_transaction_failing_half_way_leaves_nothing_for_the_next(engine):
    """A row written, then an error: rolled back; the next transaction (on SQLite, on the same
    connection) does not see the row and commits its own."""
    with pytest.raises(RuntimeError):
        with step.transaction(engine) as tx:
            tx.conn.execute(sa.insert(COUNTER).values(name="half", value=1))
            raise RuntimeError("the step fails after its first write")

    def next_transaction():
        with step.transaction(engine) as tx:
            assert tx.conn.execute(sa.select(COUNTER.c.value).where(COUNTER.c.name == "half")).first() is None
            tx.conn.execute(sa.insert(COUNTER).values(name="whole", value=2))

    assert _checkouts(engine, next_transaction) == 0
    assert _counter(engine, "half") is None
    assert _counter(engine, "whole") == 2


def test_a_connection_left_inside_a_sqlite_transaction_is_not_handed_out_again(sqlite_url):
    """Whatever left the DBAPI connection in a transaction SQLAlchemy does not know of, the
    connection is closed (its pool reset rolls the transaction back): the next writer gets another
    one, finds the database unlocked and the row unwritten."""
    e = make_engine(sqlite_url)
    try:
        with e.db.writer() as conn:
            with conn.begin():
                pass
            raw = conn.connection.dbapi_connection
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("INSERT INTO counter (name, value) VALUES ('stray', 1)")
            left = conn
        with e.db.writer() as conn:
            assert conn is not left
            with conn.begin():  # BEGIN IMMEDIATE: would wait out the busy timeout on a held lock
                conn.execute(sa.insert(COUNTER).values(name="next", value=2))
        assert _counter(e, "stray") is None
        assert _counter(e, "next") == 2
    finally:
        e.dispose()


def test_a_postgresql_writer_left_inside_a_transaction_is_not_kept(postgres_url):
    """Whatever left psycopg in a transaction SQLAlchemy does not know of, the connection goes back
    to the pool (whose reset rolls the transaction back), not to the next writer: the next writer
    finds the row unwritten and commits its own."""
    e = make_engine(postgres_url)
    try:
        with e.db.writer() as conn:
            with conn.begin():
                pass
            raw = conn.connection.dbapi_connection
            raw.execute("INSERT INTO counter (name, value) VALUES ('stray', 1)")  # psycopg begins one
            left = raw
        assert all(kept.connection.dbapi_connection is not left for kept in e.db._idle_writers)
        with e.db.writer() as conn:
            with conn.begin():
                conn.execute(sa.insert(COUNTER).values(name="next", value=2))
        assert _counter(e, "stray") is None
        assert _counter(e, "next") == 2
    finally:
        e.dispose()


def test_a_kept_postgresql_writer_idle_for_a_while_is_pinged_and_replaced_if_the_server_dropped_it(
        postgres_url, monkeypatch):
    """A writer kept between transactions is not checked out again, so the pool's idle ping
    (``_ping_when_idle``) never sees it: ``take_writer`` pings one kept past ``IDLE_PING_SECONDS``
    itself, and takes another from the pool when the server has dropped it."""
    from engine import database
    e = make_engine(postgres_url)
    try:
        with step.transaction(e) as tx:
            tx.conn.execute(sa.insert(COUNTER).values(name="before", value=1))
        assert len(e.db._idle_writers) == 1
        killer = sa.create_engine(postgres_url)
        with killer.connect() as conn:  # the server drops every other session of the database
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                                 "datname = current_database() AND pid <> pg_backend_pid()"))
        killer.dispose()
        monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)
        with step.transaction(e) as tx:
            tx.conn.execute(sa.insert(COUNTER).values(name="after", value=2))
        assert _counter(e, "after") == 2
    finally:
        e.dispose()


def test_once_the_server_dropped_a_postgresql_connection_the_kept_writers_go_too(postgres_url):
    """The server restarted (here: dropped every session): the first statement on a dead pooled
    connection fails and SQLAlchemy invalidates it; the writers the engine keeps, dead as well and
    unknown to the pool, are let go with it, so the next write does not fail a second time (each
    web worker would have answered one more request 503)."""
    e = make_engine(postgres_url)
    try:
        with e.db.engine.connect() as conn:  # one in the pool
            conn.execute(sa.text("SELECT 1"))
        with step.transaction(e) as tx:
            tx.conn.execute(sa.insert(COUNTER).values(name="before", value=1))
        assert len(e.db._idle_writers) == 1
        killer = sa.create_engine(postgres_url)
        with killer.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                                 "datname = current_database() AND pid <> pg_backend_pid()"))
        killer.dispose()
        with pytest.raises(sa.exc.OperationalError):  # a recent pooled connection is taken unchecked
            with e.db.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        assert e.db._idle_writers == []
        with step.transaction(e) as tx:
            tx.conn.execute(sa.insert(COUNTER).values(name="after", value=2))
        assert _counter(e, "after") == 2
    finally:
        e.dispose()


def test_threads_of_one_engine_never_share_a_write_connection(engine):
    """Four threads completing their own cases on one engine (``duban serve``'s threads): every
    completion done, no connection in two transactions at once, the audit chains intact."""
    threads_n, cases_each = 4, 3
    cases = [[engine.start("five_tasks", by="zhang", org="east").id for _ in range(cases_each)]
             for _ in range(threads_n)]
    in_use: dict[int, int] = {}
    shared: list[str] = []
    lock = threading.Lock()

    def began(conn):
        key = id(conn.connection.dbapi_connection)
        with lock:
            if key in in_use:
                shared.append(f"{key} in thread {in_use[key]} and {threading.get_ident()}")
            in_use[key] = threading.get_ident()

    def ended(conn):
        with lock:
            in_use.pop(id(conn.connection.dbapi_connection), None)

    failures: list[BaseException] = []
    barrier = threading.Barrier(threads_n)

    def work(case_ids):
        barrier.wait()
        try:
            for _ in range(5):
                for case_id in case_ids:
                    engine.complete(open_task_id(engine, case_id), "zhang", {"意见": "同意"})
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    for name, fn in (("begin", began), ("commit", ended), ("rollback", ended)):
        sa.event.listen(engine.db.engine, name, fn)
    try:
        threads = [threading.Thread(target=work, args=(ids,)) for ids in cases]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for name, fn in (("begin", began), ("commit", ended), ("rollback", ended)):
            sa.event.remove(engine.db.engine, name, fn)
    assert failures == [] and shared == []
    for ids in cases:
        for case_id in ids:
            assert engine.case(case_id).status == "completed"
    assert engine.verify_audit() is None


def test_disposing_the_sqlalchemy_engine_renews_the_kept_write_connection_too(sqlite_url):
    """``engine.db.engine.dispose()`` (bench/wal_pages.py, after adding a ``connect`` listener)
    renews every connection: the kept writer too, so the next transaction runs on a new one."""
    e = make_engine(sqlite_url)
    try:
        with e.db.writer() as conn:
            with conn.begin():
                pass
            kept = conn.connection.dbapi_connection
        sa.event.listen(e.db.engine, "connect", lambda c, _r: c.execute("PRAGMA wal_autocheckpoint=0"))
        e.db.engine.dispose()
        with e.db.writer() as conn:
            assert conn.connection.dbapi_connection is not kept
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    finally:
        e.dispose()


def test_sqlite_writers_keep_the_automatic_checkpoint_as_a_safety_valve(sqlite_url):
    """Checkpoints are the engine's thread's (engine/checkpoint.py, tests/test_checkpoint.py); every
    connection of the engine keeps SQLite's automatic one at 16,000 pages as a safety valve, and
    cuts a WAL file grown past that back to its size when the WAL starts over."""
    e = make_engine(sqlite_url)
    try:
        with e.db.writer() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 16000
            assert conn.exec_driver_sql("PRAGMA journal_size_limit").scalar() == 32 + 16000 * 4120
        with e.db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 16000
    finally:
        e.dispose()


def test_a_new_sqlite_file_gets_small_pages_and_an_existing_one_keeps_its_own(tmp_path):
    """A database file the engine makes has 2,048-byte pages (engine/database.py ``SQLITE_PAGE_SIZE``:
    a commit writes each page it changed whole into the WAL); a file made before, with 4,096-byte
    pages and its tables, keeps them — SQLite changes a page size only by rebuilding the file — and
    works as before, in WAL mode."""
    import sqlite3

    from engine.database import SQLITE_PAGE_SIZE
    assert SQLITE_PAGE_SIZE == 2048
    new = make_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")
    try:
        with new.db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 2048
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        new.dispose()
    older = tmp_path / "older.sqlite"
    made = sqlite3.connect(older)
    made.execute("PRAGMA page_size=4096")
    made.execute("CREATE TABLE kept_from_before (id INTEGER PRIMARY KEY)")
    made.close()
    e = make_engine(f"sqlite:///{older}")
    try:
        e.deploy(BPMN / "approval.bpmn", by="boss")
        case = e.start("approval", by="zhang", org="east", data={"amount": 10})
        e.complete(open_task_id(e, case.id), "zhang", {"approved": True})
        with e.db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 4096
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        e.dispose()


def test_a_sqlite_writer_begins_and_commits_past_sqlalchemys_events_unless_someone_listens(sqlite_url):
    """SQLite: a step's transaction is begun (``BEGIN IMMEDIATE``) and committed by
    ``Database.begin_write``'s own root transaction, not through the engine's ``begin`` and
    ``commit`` events (~12 µs of a warm completion) — the same SQLAlchemy transaction on the
    connection for whatever joins it. Once a listener is added for ``commit`` (or a second one for
    ``begin``), transactions go through SQLAlchemy's events again and the listener sees each."""
    from engine.database import _WriteTransaction

    e = make_engine(sqlite_url)
    try:
        with step.transaction(e) as tx:
            assert type(tx.conn.get_transaction()) is _WriteTransaction
            tx.conn.execute(sa.insert(COUNTER).values(name="fast", value=1))
            assert tx.session.get(Counter, "fast").value == 1  # an ORM session joins it
            raw = tx.conn.connection.dbapi_connection
            assert raw.in_transaction
        assert not raw.in_transaction and not tx.conn.in_transaction()
        assert _counter(e, "fast") == 1

        commits, begins = [], []

        def commit(conn):
            commits.append(conn)

        def begin(conn):
            begins.append(conn)

        sa.event.listen(e.db.engine, "commit", commit)
        sa.event.listen(e.db.engine, "begin", begin)
        try:
            with step.transaction(e) as tx:
                assert type(tx.conn.get_transaction()) is sa.RootTransaction
                tx.conn.execute(sa.insert(COUNTER).values(name="heard", value=2))
        finally:
            sa.event.remove(e.db.engine, "commit", commit)
            sa.event.remove(e.db.engine, "begin", begin)
        assert len(commits) == len(begins) == 1
        assert _counter(e, "heard") == 2
    finally:
        e.dispose()


def test_a_sqlite_writers_commit_that_fails_rolls_back_and_leaves_the_connection_clean(sqlite_url):
    """The COMMIT itself refused (a foreign key checked at commit): raised as SQLAlchemy's
    ``IntegrityError``, nothing written, and the next transaction runs on a clean connection."""
    from engine.database import _WriteTransaction
    from engine.schema import TaskCandidate

    e = make_engine(sqlite_url)
    try:
        with pytest.raises(sa.exc.IntegrityError):
            with step.transaction(e) as tx:
                assert type(tx.conn.get_transaction()) is _WriteTransaction
                tx.conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                tx.conn.execute(sa.insert(COUNTER).values(name="lost", value=1))
                tx.conn.execute(sa.insert(TaskCandidate.__table__).values(task_id="no-such-task", username="zhang"))
        with step.transaction(e) as tx:
            assert not tx.conn.exec_driver_sql("PRAGMA defer_foreign_keys").scalar()
            tx.conn.execute(sa.insert(COUNTER).values(name="kept", value=2))
        assert _counter(e, "lost") is None
        assert _counter(e, "kept") == 2
    finally:
        e.dispose()


def test_a_sqlite_writers_transaction_begins_immediate_also_when_sqlalchemy_begins_it(sqlite_url):
    """With a listener on the engine (a bench or a test counting statements), the writer's
    transaction goes through SQLAlchemy's ``begin`` and the engine's ``_sqlite_begin``, which reads
    the connection's ``duban_write`` option: a writer's connection (``Database.take_writer``, also
    one made afresh when none is kept) must carry it, or its transaction would begin DEFERRED and
    take the write lock only at its first write — where a second process holding it makes SQLite
    fail at once (SQLITE_BUSY on the upgrade) instead of waiting its turn. (A ``commit`` listener
    sends the transaction down SQLAlchemy's path, ``Database.begin_write``.)"""
    e = make_engine(sqlite_url)
    try:
        while e.db._idle_writers:  # none kept: the next writer's connection is made afresh
            e.db._idle_writers.pop().close()
        sent = []

        def record(conn, cursor, statement, *args):
            sent.append(statement)

        def commit(conn):
            pass

        sa.event.listen(e.db.engine, "before_cursor_execute", record)
        sa.event.listen(e.db.engine, "commit", commit)
        try:
            with step.transaction(e) as tx:
                assert type(tx.conn.get_transaction()) is sa.RootTransaction  # SQLAlchemy's path
                tx.conn.execute(sa.insert(COUNTER).values(name="immediate", value=1))
        finally:
            sa.event.remove(e.db.engine, "before_cursor_execute", record)
            sa.event.remove(e.db.engine, "commit", commit)
        assert sent[0] == "BEGIN IMMEDIATE"
        assert _counter(e, "immediate") == 1
    finally:
        e.dispose()


def test_a_begin_listener_alone_sends_the_writers_transaction_through_sqlalchemy_and_hears_it(sqlite_url):
    """A listener for ``begin`` only (none for ``commit``): the writer's transaction still goes down
    SQLAlchemy's path, so the listener hears each one begin (besides the engine's own
    ``_sqlite_begin``, which still sends BEGIN IMMEDIATE)."""
    e = make_engine(sqlite_url)
    begins = []

    def begin(conn):
        begins.append(conn)

    sa.event.listen(e.db.engine, "begin", begin)
    try:
        for n in range(2):
            with step.transaction(e) as tx:
                assert type(tx.conn.get_transaction()) is sa.RootTransaction
                tx.conn.execute(sa.insert(COUNTER).values(name=f"begun-{n}", value=n))
        assert len(begins) == 2
        assert [_counter(e, f"begun-{n}") for n in range(2)] == [0, 1]
    finally:
        sa.event.remove(e.db.engine, "begin", begin)
        e.dispose()


def test_a_transaction_failing_half_way_on_sqlalchemys_path_is_rolled_back_too(sqlite_url):
    """With a ``commit`` listener the writer's transaction is SQLAlchemy's (as always on PostgreSQL):
    a step that fails after a write is rolled back there too — ``end_write`` hands the error on to
    the transaction's exit, which would otherwise commit the half-done step."""
    e = make_engine(sqlite_url)
    commits = []

    def commit(conn):
        commits.append(conn)

    sa.event.listen(e.db.engine, "commit", commit)
    try:
        with pytest.raises(RuntimeError):
            with step.transaction(e) as tx:
                assert type(tx.conn.get_transaction()) is sa.RootTransaction
                tx.conn.execute(sa.insert(COUNTER).values(name="half-heard", value=1))
                raise RuntimeError("the step fails after its first write")
        assert commits == []
        assert _counter(e, "half-heard") is None
    finally:
        sa.event.remove(e.db.engine, "commit", commit)
        e.dispose()
