"""Connections and transactions for SQLite and PostgreSQL.

SQLite gets WAL (readers never block the writer), a busy timeout, and ``BEGIN IMMEDIATE`` so two
writers queue on the lock instead of failing half-way; PostgreSQL needs nothing special.
"""
from __future__ import annotations

import contextlib
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from . import sqlexec, write_turns


# SQLite: the WAL is copied back into the database file (a checkpoint, with an fsync of each file)
# by the engine's checkpoint thread (engine/checkpoint.py), off the writers' COMMIT. The writers keep
# SQLite's automatic checkpoint as a safety valve only: the commit that takes the WAL past this many
# pages runs one. Under writing without pauses the thread's checkpoints never end with the WAL all
# copied back, and the WAL starts over only after one has: the valve's does (between the writer's own
# commits, with little left to copy), so the WAL stays within these pages and the few transactions
# committed while a valve's checkpoint gives way to the thread's, with or without a thread. At SQLite's default of 1,000 a completion (~15-30 WAL pages) paid a whole
# checkpoint every ~30-60 commits (3% of commits held ~45% of all COMMIT time); at 4,000, with no
# thread, 1% of commits held 44%. At 16,000 (~64 MB) the valve comes every ~1,000 completions of the
# 5-task model under a bench loop and never while the thread keeps up (any pause in the writing);
# a reader still looks a page up in the one or two wal-index tables (4,096 frames each) past the
# frames the thread has copied back, not in all four.
WAL_AUTOCHECKPOINT = 16_000
# A WAL file that a long reader let grow past the valve (nothing after its snapshot can be copied
# back meanwhile) is cut back to this size when the WAL next starts over, instead of staying so large.
JOURNAL_SIZE_LIMIT = 32 + WAL_AUTOCHECKPOINT * (24 + 4096)  # the valve's frames: header + one page each
# SQLite: the page size of a database file this engine creates (页大小). Each page a commit changes is
# one WAL frame written whole, and a completion changes ~13 pages wherever its rows sit (a row of
# each b-tree it touches: bench/wal_pages.py), so the bytes it writes go with the page size.
# bench/wal_pages.py (5-task model, 2026-12-05): 4,096 → 2,048 bytes, 12.8 → 14.8 frames but 51.6 →
# 30.0 KiB of WAL a completion (1,024: 18.1 frames, 18.5 KiB; 8,192 costs ~25 µs more a replayed
# completion, bench/sql_replay.py's statements on a copy rebuilt with each size); in-process A/B
# (bench/page_size_ab.py, machine at load 5-6): −2.7, −0.2 µs CPU a completion (paired medians),
# reversed +3.6, +3.1, A/A 0.0; the queues (bench/queue.py) as before. A file made before keeps its
# pages (SQLite changes the size only by rebuilding the file, VACUUM, out of WAL mode).
SQLITE_PAGE_SIZE = 2048


def sqlite_file(url: str) -> str | None:
    """The path of the SQLite database file ``url`` names; None for PostgreSQL, in-memory SQLite
    and ``file:`` URIs."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:" \
            or parsed.database.startswith("file:"):
        return None
    return parsed.database


BUSY_TIMEOUT_MS = 30_000  # SQLite: how long a writer waits for the write lock held by a program that takes no turns


class Busy(Exception):
    """``Database.write_at_once``: another writer holds the database now (nothing was done)."""


def make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        eng = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(eng, "connect")
        def _sqlite_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            # before journal_mode: a new, empty file takes its page size from here; a file with
            # tables keeps the one it was made with (the pragma is then a no-op)
            cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT}")
            cur.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
            cur.close()

        @sa.event.listens_for(eng, "begin")
        def _sqlite_begin(conn):
            immediate = conn.get_execution_options().get("duban_write")
            # on the DBAPI cursor (engine/sqlexec.py): Connection.exec_driver_sql cost ~50 µs a step
            sqlexec.execute_text(conn, "BEGIN IMMEDIATE" if immediate else "BEGIN")

        return eng
    for bare in ("postgresql://", "postgres://"):  # postgres:// as libpq, Heroku and many guides write it
        if url.startswith(bare):
            url = "postgresql+psycopg://" + url[len(bare):]
    # No JIT: our statements are short index probes, but a few page queries are estimated as costly
    # (an OR with an EXISTS over 100,000 cases) and PostgreSQL then spent 50-115 ms compiling each
    # one for a 13 ms execution (the 逾期督办 list at a province's size, bench/pages.py).
    eng = sa.create_engine(url, pool_size=10, max_overflow=20, connect_args={"options": "-c jit=off"})
    _ping_when_idle(eng)
    return eng


IDLE_PING_SECONDS = 30.0


def _ping_when_idle(eng: sa.Engine) -> None:
    """Check a pooled PostgreSQL connection before use only when it sat idle for a while.

    SQLAlchemy's ``pool_pre_ping`` checks on every checkout: a ``SELECT 1`` that psycopg precedes
    with its own ``BEGIN`` — two round trips on every request and every completion (bench/throughput.py:
    about 0.2–0.4 ms each on this machine), unseen by statement counts. A connection used in the last
    ``IDLE_PING_SECONDS`` is taken as it is; an older one is pinged and, if the server is gone
    (restarted, idle timeout), replaced — SQLAlchemy's documented pessimistic check, made on idle
    connections only. A server restart within those seconds costs the statement that meets it; the
    disconnect then empties the pool, so the next checkout connects afresh.
    """

    @sa.event.listens_for(eng, "checkin")
    def _idle_from(dbapi_conn, record):
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(eng, "checkout")
    def _ping_if_idle(dbapi_conn, record, proxy):
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        _ping(dbapi_conn)


def _ping(dbapi_conn) -> None:
    """A ``SELECT 1`` on a PostgreSQL connection that sat idle (its own ``BEGIN`` rolled back); raises
    ``DisconnectionError`` if the server is gone."""
    try:
        cursor = dbapi_conn.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_conn.rollback()
    except Exception as exc:
        raise sa.exc.DisconnectionError(f"stale connection: {exc}") from exc


UNAVAILABLE = "数据库暂时无法连接，请稍后重试"
BUSY = "数据库正忙（被其他程序占用），请稍后重试"
DISK_FULL = "服务器磁盘空间已满，本次操作未保存，请联系管理员"


def unavailable(exc: BaseException) -> str | None:
    """The Chinese message for a database that cannot take the request now (数据库暂不可用), or None.

    PostgreSQL stopped, restarting or unreachable (connection refused, a pooled connection cut off:
    SQLAlchemy's OperationalError/InterfaceError, or any error it marks as a disconnect), the pool
    out of connections, a SQLite file locked by another program past the busy timeout, or its disk
    full. The transaction was rolled back: nothing of the request was saved, and it can be sent again.
    Any other database error (a bug, a constraint) is None: not something to wait out.
    """
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return UNAVAILABLE
    if isinstance(exc, sa.exc.TimeoutError):  # the pool's: every connection in use for its timeout
        return UNAVAILABLE
    # SQLAlchemy's wrapper, or the driver's own error where it is not wrapped (a raw connection's connect)
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    if not {"OperationalError", "InterfaceError"} & {cls.__name__ for cls in type(orig).__mro__}:
        return None
    text = str(orig).lower()
    if "database or disk is full" in text or "disk i/o error" in text:
        return DISK_FULL
    if "database is locked" in text or "database table is locked" in text or "busy" in text:
        return BUSY
    if type(orig).__module__.startswith("sqlite3"):
        # SQLite's other OperationalErrors are mostly our bugs (no such table, a syntax error)
        return UNAVAILABLE if "unable to open database file" in text else None
    return UNAVAILABLE


SETUP_LOCK = 7_150_016  # advisory lock key: one process setting a database up at a time (not migrate's)


IDLE_WRITERS = 2  # write connections kept between transactions (``Database.writer``)
_PG_IDLE = 0  # psycopg's ``info.transaction_status`` outside a transaction (``pq.TransactionStatus.IDLE``)


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._sessions = sessionmaker(self.engine, class_=_ReadSession, expire_on_commit=False, autoflush=False)
        self._idle_writers: list[sa.Connection] = []
        # SQLite file: writers take turns (engine/write_turns.py), each let in as the one before ends
        path = sqlite_file(url)
        self.turns = write_turns.for_file(path) if path is not None else None
        # engine.dispose() called on the engine itself renews every connection: the kept writers too (the
        # pool is already replaced then; detached, they are closed, not handed to the old one)
        sa.event.listen(self.engine, "engine_disposed", lambda _engine: self._close_idle_writers(detach=True))
        # read_alone's reads (a token, next_tasks) keep their connections too, pinged as these are
        sqlexec.keep_readers(self.engine, None if self.is_sqlite else _ping, IDLE_PING_SECONDS)
        if not self.is_sqlite:
            # a connection of this engine found dead (the server restarted or dropped it): the kept
            # writers, to the same server and unknown to the pool, go too rather than each costing a
            # request (the pool itself renews its connections older than the failure on checkout)
            sa.event.listen(self.engine, "invalidate", lambda *_args: self._close_idle_writers())

    @contextlib.contextmanager
    def writer(self):
        """A connection for one write transaction (``duban_write``: ``BEGIN IMMEDIATE`` on SQLite),
        not yet begun; the caller begins and ends its transaction (``begin_write``, or ``begin()``).

        The connection is kept for the next write transaction instead of going back to the pool —
        taking one from the pool and handing it back (checkout, a new ``Connection`` with its event
        dispatch joined to the engine's, the options, the reset's ROLLBACK on return) was about 25 µs
        of a ~1 ms SQLite completion (an empty write transaction: 42 µs, 17 on a kept connection;
        SQLAlchemy's Python calls per completion 160 -> 96, cProfile), and ~7 µs CPU of a PostgreSQL
        one (2026-12-06). At most ``IDLE_WRITERS`` wait here (each one of the pool's connections); a
        thread takes one for itself alone (``list.pop``, atomic), so a connection is never used by two
        threads at once. One comes back only as it was taken: no transaction open on it or in the
        driver (an error that left one is rolled back by closing it, through the pool's reset), not
        invalidated, no options or listeners of its own added; any other is closed as
        ``engine.connect()``'s would be. PostgreSQL: a kept connection idle for
        ``IDLE_PING_SECONDS`` is pinged before use as the pool's checkout pings one
        (``_ping_when_idle``) and, if the server dropped it, replaced by one of the pool's; once
        any connection of the engine is found dead, the kept ones are let go.
        ``take_writer``/``give_back_writer`` are the same without the generator (the step's
        transaction, engine/step.py)."""
        taken = self.take_writer()
        try:
            yield taken[0]
        finally:
            self.give_back_writer(taken)

    def take_writer(self) -> tuple:
        """``writer`` without its context manager: what ``give_back_writer`` takes back, the
        connection first (SQLite: the write turn held, engine/write_turns.py)."""
        try:
            conn = self._idle_writers.pop()
        except IndexError:
            conn = self.engine.connect()
            conn.execution_options(duban_write=True)
        else:
            if not self.is_sqlite and time.monotonic() - conn.duban_idle_since >= IDLE_PING_SECONDS:
                conn = self._pinged(conn)
        turns = self.turns
        # not ``with turns.turn()``: a generator context manager less
        return conn, conn._execution_options, turns, turns.acquire() if turns is not None else None

    def _pinged(self, conn: sa.Connection) -> sa.Connection:
        """PostgreSQL: a kept writer that sat idle, checked (``_ping``); if the server dropped it,
        another from the pool (whose checkout pings an idle one in turn)."""
        try:
            _ping(conn.connection.dbapi_connection)
            return conn
        except sa.exc.DisconnectionError:
            conn.invalidate()
            conn.close()
        conn = self.engine.connect()
        conn.execution_options(duban_write=True)
        return conn

    def give_back_writer(self, taken: tuple) -> None:
        """The turn released and the connection kept for the next writer, or closed (``writer``)."""
        conn, options, turns, turn = taken
        try:
            if turn is not None:
                turns.release(turn)
        finally:
            dbapi, idle = conn._dbapi_connection, self._idle_writers
            kept = (len(idle) < IDLE_WRITERS and dbapi is not None and conn._transaction is None
                    and not conn._has_events and conn._execution_options is options)
            if kept and self.is_sqlite:
                kept = not dbapi.dbapi_connection.in_transaction
            elif kept:  # PostgreSQL: no transaction open in psycopg, and the server still there
                kept = dbapi.dbapi_connection.info.transaction_status == _PG_IDLE
                conn.duban_idle_since = time.monotonic()  # (``take_writer`` pings one idle for long)
            if kept:
                idle.append(conn)
            else:
                conn.close()

    def begin_write(self, conn: sa.Connection) -> sa.RootTransaction:
        """Begin the write transaction on a writer's connection; ``end_write`` commits or rolls it back.

        SQLite: ``BEGIN IMMEDIATE`` sent straight from here (``_WriteTransaction``) rather than by
        ``conn.begin()`` and the engine's ``begin`` listener, and the COMMIT by the dialect's
        ``do_commit`` without SQLAlchemy's ``commit`` event — the same transaction object on the
        connection (``conn.in_transaction()``, an ORM session joining it, a rollback through
        SQLAlchemy: all as before), without the event dispatch and context-manager layers around
        it: ~12 µs CPU (9–23) of a ~0.6 ms warm completion (in-process A/B, docs/engine.md "Speed").
        Only while the engine's ``begin`` listeners are ours alone and nobody listens for ``commit``
        (a test, a bench counting transactions), and the connection has no listeners or echo of its
        own: else SQLAlchemy's path, which calls them. PostgreSQL: SQLAlchemy's path."""
        if self.is_sqlite and not conn._has_events and not conn._echo:
            dispatch = self.engine.dispatch
            if len(dispatch.begin) == 1 and not dispatch.commit:  # ``_sqlite_begin`` only
                return _WriteTransaction(conn)
        begun = conn.begin()
        begun.__enter__()
        return begun

    @staticmethod
    def end_write(begun: sa.RootTransaction, exc: BaseException | None) -> None:
        """Commit (``exc`` None) or roll back what ``begin_write`` began; raises if the commit fails
        (the transaction rolled back)."""
        if type(begun) is not _WriteTransaction:
            begun.__exit__(None if exc is None else type(exc), exc, None if exc is None else exc.__traceback__)
        elif exc is not None:
            begun.rollback()
        else:
            try:
                begun.commit()
            except BaseException:
                begun.rollback()  # as SQLAlchemy's context manager does when its commit fails
                raise

    def create_all(self) -> list[str]:
        """Create or upgrade every table by the Alembic revisions (see migrate.py)."""
        from .migrate import upgrade
        return upgrade(self.engine)

    @contextlib.contextmanager
    def write(self):
        """A read-write transaction: commits on success, rolls back on any error.

        On SQLite it starts with BEGIN IMMEDIATE, so concurrent writers wait for the lock up front.
        """
        with self.writer() as conn:
            committed: list = []
            with conn.begin(), _session(conn, committed) as session:
                yield session
            for callback in committed:  # only once the transaction is durable (see after_commit)
                callback()

    @contextlib.contextmanager
    def write_at_once(self):
        """``write``, but only if it can begin without waiting; else ``Busy`` is raised before anything
        was done. For the small writes a read owes (a session's last click, a token's last use, a
        page's message catch-up: webui/owed_writes.py), which must not keep a page waiting on
        another process's long write. SQLite: the write turn (engine/write_turns.py) and SQLite's
        write lock taken only if free (no busy wait). PostgreSQL: ``write`` (it waits only on the
        same rows, and those writes never hold any for long)."""
        if not self.is_sqlite:
            with self.write() as session:
                yield session
            return
        turns = self.turns
        taken, turn = turns.acquire_at_once() if turns is not None else (True, None)
        if not taken:
            raise Busy()
        committed: list = []
        try:
            with self.engine.connect() as conn:
                conn.execution_options(duban_write=True)  # BEGIN IMMEDIATE (make_engine's listener)
                raw = conn.connection.driver_connection  # sqlite3 in autocommit: a PRAGMA begins nothing
                raw.execute("PRAGMA busy_timeout=0")
                try:
                    begun = conn.begin()
                except Exception as exc:
                    if unavailable(exc) == BUSY:  # another program's writer: SQLite's lock taken
                        raise Busy() from None
                    raise
                finally:
                    raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                with begun, _session(conn, committed) as session:
                    yield session
        finally:
            if turns is not None:
                turns.release(turn)
        for callback in committed:
            callback()

    @contextlib.contextmanager
    def setup_lock(self):
        """One process at a time sets the database up (tables, built-in roles, cursors, models):
        ``duban serve --workers N`` and ``duban worker`` processes starting together on one new
        PostgreSQL database would otherwise each find a built-in row missing and insert it twice.
        A session-level advisory lock on its own connection, released at the end; SQLite needs none
        (every write transaction starts with BEGIN IMMEDIATE, so check-then-insert cannot interleave)."""
        if self.is_sqlite:
            yield
            return
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({SETUP_LOCK})")
            conn.commit()
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({SETUP_LOCK})")
                conn.commit()

    @contextlib.contextmanager
    def read(self, snapshot: bool = False):
        """A read-only session (no autoflush; a flush of anything raises, see ``_ReadSession``).

        PostgreSQL, by default: no transaction at all (autocommit), each statement reading what is
        committed when it runs. That is all the transaction it replaced gave: at READ COMMITTED every
        statement takes its own snapshot, in a transaction or not, so BEGIN and ROLLBACK bought two
        round trips a read and nothing else — and every ROLLBACK made psycopg forget its prepared
        statements (a third round trip, ``DEALLOCATE ALL``, once it had any) — the steps' too, on
        the pool's shared connections. A read itself prepares nothing (psycopg's ``prepare_threshold``
        is None for its session): after five runs of a prepared statement PostgreSQL may plan it once
        for any parameters, and for page queries whose best plan depends on them that lost: 隐患季度统计
        went from 3.7 to 17 ms of server CPU a view (71 -> 141 ms), the credit-code prefix search
        from 17 to 26, while no page measured faster prepared (bench/pages.py --versus-transactions,
        with and without --prepare-threshold -1, one run each). So a read is planned for its own
        parameters every time, as it was inside a transaction.

        ``snapshot=True``, for reads whose statements are combined into one verdict that a
        mismatch between them would make false (the audit chain's verification: heads read, then
        events; an event appended in between read as "events after #n are missing"): on
        PostgreSQL one ``REPEATABLE READ READ ONLY`` transaction, ended by COMMIT (for a read-only
        transaction the same as ROLLBACK, but psycopg keeps the prepared statements of the steps
        that use the connection) — two round trips more. Statements merely shown side by side (a case and its tasks, a count and a list)
        need none: each is true as of a moment a few milliseconds back, as a page is the moment
        after it is drawn, and every action taken from a page is checked again by the step.
        By family (tests/test_pg_reads.py counts each one's round trips):

        - queues (我的待办, 组待办, 审批): the user's scope, then the page — none;
        - case page (案件) and case lists: the case, its tasks, history, incidents, timers are shown
          side by side, a task completed between two of them shows as done on the next view, and
          working it is refused by the step (已办理) — none;
        - 逾期督办 board and lists, counts beside pages (企业档案 search: a page and 共 N 家; 隐患季度
          统计: districts, then enterprises), 领导驾驶舱 and 通报排名 (one statement per indicator):
          a count off by a registration made meanwhile misleads nobody — none;
        - admin, directory and designer pages, the API's reads: single reads or independent ones — none;
        - audit verification (``Engine.verify_audit``, ``duban audit verify``): heads and events
          must agree, or a step committed meanwhile reads as a broken chain — ``snapshot=True``.

        SQLite: one deferred read transaction either way — in process BEGIN costs nothing, and it
        gives the snapshot for free (WAL: the reader sees the database as of its first read)."""
        if self.is_sqlite:
            with self._sessions() as session:
                yield session
            return
        options = ({"isolation_level": "REPEATABLE READ", "postgresql_readonly": True} if snapshot
                   else {"isolation_level": "AUTOCOMMIT"})
        with self.engine.connect().execution_options(**options) as conn:
            driver = conn.connection.driver_connection
            threshold, driver.prepare_threshold = driver.prepare_threshold, None  # custom plans only
            try:
                with _ReadSession(bind=conn, expire_on_commit=False, autoflush=False) as session:
                    yield session
                    if snapshot:
                        session.commit()  # not a ROLLBACK: nothing was written; psycopg keeps the steps' statements
            finally:
                driver.prepare_threshold = threshold

    def _close_idle_writers(self, detach: bool = False) -> None:
        sqlexec.let_readers_go(self.engine, detach)  # read_alone's kept connections alike
        idle, self._idle_writers = self._idle_writers, []
        for conn in idle:
            if detach:
                conn.detach()
            conn.close()

    def dispose(self) -> None:
        self._close_idle_writers()  # back to the pool, which closes them now
        self.engine.dispose()
        if self.turns is not None:
            self.turns.close()


class _WriteTransaction(sa.RootTransaction):
    """A writer's transaction on SQLite (``Database.begin_write``): SQLAlchemy's own root transaction,
    its BEGIN and COMMIT sent here without the engine's ``begin`` and ``commit`` events."""
    __slots__ = ()

    def _connection_begin_impl(self) -> None:
        sqlexec.execute_text(self.connection, "BEGIN IMMEDIATE")  # what ``_sqlite_begin`` sends a writer

    def _connection_commit_impl(self) -> None:
        conn = self.connection
        dialect = conn.dialect
        try:
            dialect.do_commit(conn.connection)
        except dialect.loaded_dbapi.Error as exc:
            raise sa.exc.DBAPIError.instance(None, None, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc


class _ReadSession(Session):
    """A session of ``Database.read``: it writes nothing. On PostgreSQL it runs in autocommit, so a
    flush would commit at once what a read transaction used to roll back: a flush with anything to
    write (an object added, changed or deleted by mistake) raises instead."""

    def flush(self, objects=None) -> None:
        if self.new or self.dirty or self.deleted:
            raise RuntimeError("Database.read: a read session writes nothing; use Database.write")


def after_commit(session: Session, callback) -> None:
    """Run ``callback`` once ``session``'s write transaction has committed (at once for a read
    session, which writes nothing). Caches of what a transaction wrote are filled this way, so a
    rolled-back transaction cannot leave them pointing at rows that do not exist."""
    pending = session.info.get("after_commit")
    if pending is None:
        callback()
    else:
        pending.append(callback)


@contextlib.contextmanager
def _session(conn, committed: list):
    """An ORM session on ``conn``'s open transaction, flushed when the block ends without error; the
    callbacks queued for after the commit (``after_commit``) go to ``committed``."""
    session = Session(bind=conn, expire_on_commit=False, autoflush=True)
    session.info["after_commit"] = committed
    try:
        yield session
        session.flush()
    finally:
        session.close()
