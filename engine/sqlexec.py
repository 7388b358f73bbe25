"""The hot path's SQL executor (热路径 SQL 执行器): statements declared once as SQLAlchemy Core
constructs, rendered once per database dialect, then run straight on the DBAPI cursor of the
transaction's connection.

Why not plain ``Connection.execute`` here: measured on a completion (bench/throughput.py, cProfile
over 1,000 completions on SQLite), SQLAlchemy's per-statement machinery — compiled-cache lookup,
``_init_compiled``, ``construct_params``, event dispatch, the result object — cost about 30% of the
whole step (~60–100 µs a statement on this machine) while sqlite3's own ``cursor.execute`` was 4%.
A step sends the same eight or so statements every time, so all that work can be done once: the
construct is compiled on first use per dialect (so the schema stays declared in one place, in
engine/schema.py, and SQLite and PostgreSQL each get their own SQL, casts and paramstyle), and each
call only orders the parameters, applies the column types' bind processors (UTC datetimes, JSON)
and the result processors, and calls the cursor. The ordering and converting is itself a function
written out for each statement when it is rendered (``_binder``, ``_row_maker``: one Python call a
row, no dict copied; 2026-12-04, with the projection's row no longer copied either, 13–24 µs CPU a
warm completion less, paired medians of an in-process A/B, see docs/engine.md "Speed").

What it keeps of SQLAlchemy's behaviour:
- the statements run inside the SQLAlchemy connection's transaction (begun if it was not yet, as
  ``Connection.execute`` would), so they commit and roll back with everything else;
- listeners of ``before_cursor_execute`` see every statement with its parameters (the bench and
  the tests count statements that way; with no listener it costs one attribute test);
- database errors are raised wrapped as ``sqlalchemy.exc.DBAPIError`` subclasses (``IntegrityError``,
  ``OperationalError``...), as from ``Connection.execute``;
- Python-side column defaults (``default=0``, ``default=dict``) are filled for INSERTs.

**Fewer round trips on PostgreSQL** (``defer``): a write whose result the step does not need at
once is queued on the connection and sent later in one psycopg pipeline together with everything
else queued — when a statement needs its result (``Pending.rowcount``/``first``/``all``, or any
``execute``/``first``... here), before any statement SQLAlchemy itself sends on that connection,
and at commit, with the COMMIT itself in the same pipeline (a ``before_cursor_execute`` and a
``commit`` listener, installed on the engine with the first deferral; a rollback drops the queue). The database runs them in the order they
were queued, each its own statement (its own snapshot), so nothing reads differently; only the
waiting for each answer goes. On SQLite, where a statement is a function call, ``defer`` runs at once.

A statement with an expanding ``IN`` parameter, or a construct the renderer does not know, runs
through ``Connection.execute`` unchanged: correct, just not faster.

Use::

    sqlexec.defer(conn, WRITE_Z, {...})                          # PostgreSQL: sent with the next round trip
    SELECT_CASE = sqlexec.Sql(sa.select(CASE).where(CASE.c.id == sa.bindparam("id")))
    row = sqlexec.first(conn, SELECT_CASE, {"id": 7})        # a row: row.status, row._mapping
    sqlexec.execute(conn, UPDATE_X, {"b_id": 7, ...})          # -> rowcount
    sqlexec.executemany(conn, INSERT_Y, [{...}, {...}])        # -> rowcount, one executemany
"""
from __future__ import annotations

import copy
import time
import weakref
from collections import namedtuple
from typing import Any, Callable, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.event import attr as _event_attr

# SQLAlchemy's empty listener collection (private; 2.0 and 2.1 have it) is skipped, not iterated; a
# release that renamed it leaves None here, and the listeners are iterated (~0.4 µs a statement more).
_EmptyListener = getattr(_event_attr, "_EmptyListener", None)

__all__ = ["Sql", "execute", "executemany", "first", "all_rows", "scalar", "defer", "flush", "Pending", "stats",
           "read_alone", "others_listen"]


class _Stats:
    """What the executor sent in this process: statements, the round trips they took (a pipeline
    is one), and the COMMITs sent inside a pipeline (no round trip of their own);
    bench/throughput.py reads them."""
    __slots__ = ("statements", "round_trips", "commits")

    def __init__(self):
        self.statements = 0
        self.round_trips = 0
        self.commits = 0


stats = _Stats()


class _Rendered:
    """One statement as one dialect runs it."""
    __slots__ = ("sql", "positional", "order", "fixed", "procs", "defaults", "bind", "row", "result_procs", "rows",
                 "via_sa", "pipelines")

    def __init__(self):
        self.via_sa = False
        self.pipelines = False


class Sql:
    """A Core construct (select, insert, update, delete) rendered once per dialect on first use.

    ``keys``: for an INSERT, the columns it writes (else every column of the table, which would
    ask for the primary key too); rows passed in may leave out columns with a Python default.
    """
    __slots__ = ("construct", "keys", "_rendered")

    def __init__(self, construct, keys: Sequence[str] | None = None):
        self.construct = construct
        self.keys = list(keys) if keys is not None else None
        self._rendered: dict[str, _Rendered] = {}
        _ALL.append(self)

    def rendered(self, dialect) -> _Rendered:
        r = self._rendered.get(dialect.name)
        if r is None:
            r = self._rendered[dialect.name] = _render(self.construct, self.keys, dialect)
        return r

    def _execute_on_connection(self, connection, distilled_params, execution_options):
        """``Connection.execute(sql, params)`` still works (through SQLAlchemy, at its usual cost)."""
        return self.construct._execute_on_connection(connection, distilled_params, execution_options)

    def __repr__(self):
        return f"Sql({str(self.construct)[:60]!r}...)"


_ALL: list[Sql] = []  # every statement made, module constants all: ``render_all`` renders them


def render_all(dialect) -> int:
    """Render every statement made so far for ``dialect`` (what its first use would do), so that
    no person's first step in a new serving process pays it: about 3 ms of SQLAlchemy compiling on a
    process's first completion (the task read alone 1.9 ms), 30–80 ms for all of them. Called once a
    serving process is ready (``Engine.warm``). Returns how many there are."""
    for sql in list(_ALL):
        sql.rendered(dialect)
    return len(_ALL)


def _positional(dialect):
    """psycopg's dialect writing ``%s`` placeholders (``format``) instead of ``%(name)s``
    (``pyformat``): the binder then hands psycopg a tuple in the statement's order, which it takes
    as it is, where a dict it first checks and reorders into a list, placeholder by placeholder,
    on every execution (2026-12-06: ~60 bytecodes a statement of its Python, a completion's nine
    statements on PostgreSQL). A shallow copy of the connection's dialect, so it renders every
    statement as the connection's would (server version, casts), but for the placeholders."""
    copied = _POSITIONAL.get(dialect)
    if copied is None:
        copied = copy.copy(dialect)
        copied.paramstyle, copied.positional = "format", True
        _POSITIONAL[dialect] = copied
    return copied


_POSITIONAL: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()


def _render(construct, keys, dialect) -> _Rendered:
    r = _Rendered()
    pipelines = dialect.driver == "psycopg"
    compiled = construct.compile(dialect=_positional(dialect) if pipelines else dialect, column_keys=keys,
                                 for_executemany=True)
    if any(bp.expanding for bp in compiled.binds.values()) or compiled.literal_execute_params \
            or compiled.post_compile_params:
        r.via_sa = True
        return r
    r.sql = compiled.string
    r.pipelines = pipelines  # queued and sent in a pipeline (``defer``)
    r.positional = bool(compiled.positional)
    names = compiled.bind_names  # BindParameter -> name
    r.order = tuple(compiled.positiontup) if r.positional else tuple(names.values())
    fixed, procs = {}, []
    for bp, name in names.items():
        proc = bp.type._cached_bind_processor(dialect)
        if proc is not None:
            procs.append((name, proc, _bound_none(proc)))
        if not bp.required:  # a literal in the construct (``state == "open"``)
            value = bp.effective_value
            fixed[name] = proc(value) if proc is not None else value
    r.fixed = fixed
    r.procs = tuple(procs)
    defaults = []
    for column in getattr(compiled, "insert_prefetch", None) or ():
        default = column.default
        if default is None:
            continue
        if default.is_scalar:
            defaults.append((column.key, False, default.arg))
        elif default.is_callable:
            defaults.append((column.key, True, default.arg))
    r.defaults = tuple(defaults)
    r.bind = _binder(r)
    columns = compiled._result_columns
    if columns:
        fields = [c.keyname for c in columns]
        base = namedtuple("Row", fields)
        r.row = type("Row", (base,), {"__slots__": (), "_mapping": property(_mapping)})
        r.result_procs = tuple((i, p) for i, c in enumerate(columns)
                               if (p := c.type._cached_result_processor(dialect, None)) is not None)
        r.rows = _row_maker(r.row, r.result_procs)
    else:
        r.row, r.result_procs, r.rows = None, (), None
    return r


_CALL = object()  # a bind processor whose answer for None is not known: it is called for None too


def _bound_none(proc) -> Any:
    """What ``proc`` binds None as, asked once when the statement is rendered (a JSON column's
    None is the text 'null', which its serializer would encode again on every row; a date's None
    is None); ``_CALL`` if it would not say."""
    try:
        return proc(None)
    except Exception:  # noqa: BLE001 - a processor that refuses None is asked each time, as before
        return _CALL


_MISSING = object()  # a parameter not given (a column default or a construct's literal then)
_NO_PARAMS: dict = {}  # never changed


def _binder(r: _Rendered) -> Callable[[Any], Any]:
    """The function that makes one row's DBAPI parameters — a tuple in the statement's order
    (qmark on SQLite, format on PostgreSQL: ``_positional``) or a dict (pyformat) — written out for this statement and compiled once, as
    ``collections.namedtuple`` writes its methods: each value taken from the row by name, given
    its column default if the row leaves it out, put through its bind processor (None bound as the
    processor said at rendering, ``_bound_none``), a literal of the construct taken as rendered unless
    the row names it. One Python call a row, where a loop over the processors with a dict copied
    for them, and again for the literals, cost 0.7–1.3 µs a row. A name used twice in a statement
    is converted for each place it takes (copied in place once for all, the second conversion got
    the first's text: ``UPDATE … SET due_at = :due, due_sort = :due`` refused any datetime)."""
    namespace: dict[str, Any] = {"_MISSING": _MISSING, "_NO_PARAMS": _NO_PARAMS}
    procs: dict[str, tuple] = {}
    for name, proc, none in r.procs:
        procs.setdefault(name, (proc, none))
    lines = ["def bind(params):", "    if params is None:", "        params = _NO_PARAMS"]
    defaulted = set()
    for n, (key, call, arg) in enumerate(r.defaults):
        namespace[f"_d{n}"] = arg
        lines.append(f"    d{n} = params.get({key!r}, _MISSING)")
        lines.append(f"    if d{n} is _MISSING:")
        lines.append(f"        d{n} = _d{n}(None)" if call else f"        d{n} = _d{n}")
        defaulted.add(key)
    values = []
    for n, name in enumerate(r.order):
        if name in defaulted:
            raw = f"d{[k for k, _, _ in r.defaults].index(name)}"
        elif name in r.fixed:
            namespace[f"_f{n}"] = r.fixed[name]
            raw = f"params.get({name!r}, _MISSING)"
        else:
            raw = f"params[{name!r}]"
        proc, none = procs.get(name, (None, None))
        if proc is not None:
            namespace[f"_p{n}"] = proc
        if name in r.fixed and name not in defaulted:  # already converted at rendering
            given = f"_p{n}(v{n})" if proc is not None else f"v{n}"
            lines.append(f"    v{n} = {raw}")
            lines.append(f"    v{n} = _f{n} if v{n} is _MISSING else {given}")
            values.append(f"v{n}")
        elif proc is None:
            values.append(raw)
        elif none is _CALL:
            values.append(f"_p{n}({raw})")
        else:
            namespace[f"_n{n}"] = none
            values.append(f"(_n{n} if (v{n} := {raw}) is None else _p{n}(v{n}))")
    if r.positional:
        lines.append(f"    return ({', '.join(values)}{',' if len(values) == 1 else ''})")
    else:
        lines.append("    return {" + ", ".join(f"{name!r}: {v}" for name, v in zip(r.order, values)) + "}")
    exec(compile("\n".join(lines), f"<sqlexec.bind {r.sql[:40]!r}>", "exec"), namespace)
    return namespace["bind"]


def _row_maker(row: type, result_procs: tuple) -> Callable[[list], list]:
    """The function that makes the rows of a fetch (``row`` tuples, each value through its result
    processor), written out for this statement and compiled once (``_binder``)."""
    namespace: dict[str, Any] = {"_new": tuple.__new__, "_Row": row}
    if not result_procs:
        lines = ["def rows(raw):", "    return [_new(_Row, t) for t in raw]"]
    else:
        lines = ["def rows(raw):", "    out = []", "    for t in raw:", "        v = list(t)"]
        for i, proc in result_procs:
            namespace[f"_p{i}"] = proc
            lines.append(f"        v[{i}] = _p{i}(v[{i}])")
        lines += ["        out.append(_new(_Row, v))", "    return out"]
    exec(compile("\n".join(lines), f"<sqlexec.rows {row._fields[:3]!r}>", "exec"), namespace)
    return namespace["rows"]


def _mapping(row) -> dict:
    return dict(zip(row._fields, row))


def _bound(r: _Rendered, params: dict | None):
    """The DBAPI parameters for one row of ``params``: ordered (qmark) or a dict (pyformat)."""
    return r.bind(params)


def _bound_many(r: _Rendered, rows: Iterable[dict]) -> list:
    """``_bound`` for each of an ``executemany``'s rows, the binder called from C (``map``): no
    comprehension's frame and no ``_bound`` call a row (a completion's task rows and audit events)."""
    return list(map(r.bind, rows))


def _cursor(conn: sa.Connection):
    transaction = conn._transaction  # conn.in_transaction(), without the call
    if transaction is None or not transaction.is_active:
        conn.begin()  # autobegin, as Connection.execute does (SQLite's BEGIN IMMEDIATE listener runs)
    return conn.connection.dbapi_connection.cursor()


def _announce(conn: sa.Connection, cursor, sql: str, parameters, many: bool):
    """``before_cursor_execute`` listeners, called as Connection.execute calls them. A connection
    without listeners of its own (or of its class: either sets its ``_has_events``) that joined its
    engine's events (the usual: ``dispatch`` then in its ``__dict__``) has exactly the engine's,
    read from the engine's dispatch: iterating the connection's joined one costs ~0.5 µs more a
    statement. An engine with none for this event (the usual) holds SQLAlchemy's empty collection
    until one is added: iterating it runs a Python generator (~0.4 µs), so it is not iterated."""
    if conn._has_events:
        listeners = conn.dispatch.before_cursor_execute
    elif conn.engine._has_events and "dispatch" in conn.__dict__:
        listeners = conn.engine.dispatch.before_cursor_execute
        if listeners.__class__ is _EmptyListener:
            stats.statements += 1
            return sql, parameters
    else:
        stats.statements += 1
        return sql, parameters
    for listener in listeners:
        if listener is not _flush_before_statement:  # ours: nothing is queued behind what we send
            sql, parameters = listener(conn, cursor, sql, parameters, None, many)
    stats.statements += 1
    return sql, parameters


def _wrapped(conn: sa.Connection, sql: str, parameters, exc: Exception) -> sa.exc.DBAPIError:
    return sa.exc.DBAPIError.instance(sql, parameters, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect)


class Pending:
    """A statement sent (SQLite) or queued (PostgreSQL, ``defer``); asking for its result sends
    the queue."""
    __slots__ = ("conn", "r", "sql", "parameters", "many", "cursor", "sent")

    def __init__(self, conn, r: _Rendered, parameters, many: bool):
        self.conn, self.r, self.parameters, self.many = conn, r, parameters, many
        self.sql, self.cursor, self.sent = r.sql, None, False

    def _send(self, pipelined: bool = False) -> None:
        cursor = self.cursor = _cursor(self.conn)
        self.sql, self.parameters = _announce(self.conn, cursor, self.sql, self.parameters, self.many)
        if not pipelined:
            stats.round_trips += 1
        if self.many:
            cursor.executemany(self.sql, self.parameters)
        else:
            cursor.execute(self.sql, self.parameters)
        self.sent = True

    def _done(self):
        if not self.sent:
            flush(self.conn)
        return self.cursor

    def rebind(self, params: dict) -> bool:
        """Give a statement still queued other parameters (a row to insert as it is now); False
        once it was sent (SQLite: at once) — the caller then writes the change itself."""
        if self.sent:
            return False
        self.parameters = _bound(self.r, params)
        return True

    @property
    def rowcount(self) -> int:
        return self._done().rowcount

    def all(self) -> list:
        return _rows(self.r, self._done().fetchall())

    def first(self):
        raw = self._done().fetchall()  # all of it: SQLite then resets the statement
        return _rows(self.r, raw[:1])[0] if raw else None


class _Sent(Pending):
    """A statement SQLite ran when it was given (``_sent``): its cursor and how to read its rows, all
    that ``rowcount``, ``first`` and ``all`` read of a statement sent (two slots set rather than seven:
    a completion's statements are mostly writes whose result nobody asks for)."""
    __slots__ = ()
    sent = True


class _Done(Pending):
    """What a statement run through SQLAlchemy (the fallback) answered, as a Pending."""
    __slots__ = ("result",)

    def __init__(self, result):
        self.result, self.sent = result, True

    @property
    def rowcount(self) -> int:
        return self.result.rowcount

    def all(self) -> list:
        return list(self.result)

    def first(self):
        return self.result.first()


# Queued statements by DBAPI connection (what a transaction's SQLAlchemy Connection, a proxy of it
# and the engine's listeners all reach); a commit sends them, a rollback drops them.
_queues: "weakref.WeakKeyDictionary[Any, list[Pending]]" = weakref.WeakKeyDictionary()
_listening: "weakref.WeakSet[sa.Engine]" = weakref.WeakSet()


def _run(conn: sa.Connection, stmt: Sql, params, many: bool, queue: bool) -> Pending:
    hook = getattr(conn, "duban_defer", None)  # engine/batch_writes.py: a timer batch's merged writes
    if hook is not None and (count := hook(stmt, params)) is not None:
        return _Counted(count)
    dialect = conn.dialect
    r = stmt._rendered.get(dialect.name) or stmt.rendered(dialect)
    if r.via_sa:
        flush(conn)
        return _Done(conn.execute(stmt.construct, params if many else (params or {})))
    parameters = _bound_many(r, params) if many else _bound(r, params)
    if not r.pipelines:
        return _sent(conn, r, parameters, many)
    pending = Pending(conn, r, parameters, many)
    key = conn.connection.dbapi_connection
    waiting = _queues.get(key)
    if queue or waiting:
        if waiting is None:
            waiting = _queues[key] = []
            _listen(conn.engine)
        waiting.append(pending)
        if not queue:
            flush(conn)
        return pending
    if conn.in_transaction() and key.info.transaction_status == 0:
        # nothing sent in this transaction yet: psycopg would send BEGIN and wait; pipeline it
        _queues[key] = [pending]
        _listen(conn.engine)
        flush(conn)
        return pending
    try:
        pending._send()
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(conn, pending.sql, pending.parameters, exc) from exc
    return pending


def _sent(conn: sa.Connection, r: _Rendered, parameters, many: bool) -> Pending:
    """A statement of a database that runs each statement when it is given (SQLite) sent at once:
    ``Pending._send`` with its helpers written out — the connection's transaction begun if it was
    not, a cursor of the DBAPI connection, the ``before_cursor_execute`` listeners (``_announce``;
    none on the engine, the usual: not iterated), the statement — a Python call or two a statement
    less on the hot path (a completion sends seven)."""
    sql = r.sql
    try:
        transaction = conn._transaction
        dbapi = conn._dbapi_connection
        if transaction is None or not transaction.is_active or dbapi is None:
            cursor = _cursor(conn)  # autobegin, or a connection to revalidate: as ``Connection`` does
        else:
            cursor = dbapi.dbapi_connection.cursor()
        if conn._has_events or not conn.engine._has_events or "dispatch" not in conn.__dict__ \
                or conn.engine.dispatch.before_cursor_execute.__class__ is not _EmptyListener:
            sql, parameters = _announce(conn, cursor, sql, parameters, many)
        else:
            stats.statements += 1
        stats.round_trips += 1
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(conn, sql, parameters, exc) from exc
    pending = _new(_Sent)
    pending.r, pending.cursor = r, cursor
    return pending


_new = object.__new__


def flush(conn: sa.Connection, commit: bool = False) -> None:
    """Send every statement queued on ``conn`` (PostgreSQL: in one pipeline, one round trip).

    ``commit``: the transaction ends here (the engine's ``commit`` event): the COMMIT goes in the
    same pipeline, after the queued statements, so it costs no round trip of its own. If one of them
    fails, the database skips the rest of the pipeline — the COMMIT too — and the error is raised;
    the caller rolls back (``_flush_before_commit``). Nothing is committed that a failed statement
    was part of."""
    if not _queues:
        return
    dbapi = conn.connection.dbapi_connection
    waiting = _queues.pop(dbapi, None)
    if not waiting:
        return
    if len(waiting) == 1 and dbapi.info.transaction_status != 0 and not commit:
        try:
            waiting[0]._send()
        except conn.dialect.loaded_dbapi.Error as exc:
            raise _wrapped(conn, waiting[0].sql, waiting[0].parameters, exc) from exc
        return
    _cursor(conn)  # begun
    current = waiting[0]
    try:
        stats.round_trips += 1
        with dbapi.pipeline():
            for current in waiting:
                current._send(pipelined=True)
            if commit:
                stats.commits += 1
                dbapi.commit()  # psycopg queues COMMIT and syncs: the pipeline's one wait
    except conn.dialect.loaded_dbapi.Error as exc:
        # A pipeline reports the failure at its sync; the server's message says what failed, the
        # statement shown is the last one sent.
        raise _wrapped(conn, current.sql, current.parameters, exc) from exc


def _flush_before_statement(conn, cursor, statement, parameters, context, executemany):
    """What is queued on ``conn`` goes before a statement SQLAlchemy sends itself. Installed with
    ``retval=True``, so the engine's listeners hold this function itself, not a wrapper: ``_announce``
    passes it over for the executor's own statements, which ``flush`` sends with the queue or with
    none queued (on PostgreSQL ~40 bytecodes a statement: the wrapper, this call and ``flush``'s look
    at the queues)."""
    flush(conn)
    return statement, parameters


def _flush_before_commit(conn):
    """The engine's ``commit`` event: what is queued goes with the COMMIT, so the transaction is
    committed here, not by SQLAlchemy's ``do_commit`` after the listeners (which then finds it
    ended). A ``commit`` listener that runs after this one cannot stop the commit by raising."""
    try:
        flush(conn, commit=True)  # SQLAlchemy's COMMIT then finds the transaction ended: no wait
    except BaseException:
        # SQLAlchemy ends its transaction either way; the database's must not stay open (aborted)
        conn.connection.dbapi_connection.rollback()
        raise


def _drop_on_rollback(conn):
    if _queues:
        try:
            _queues.pop(conn.connection.dbapi_connection, None)
        except sa.exc.SQLAlchemyError:
            pass  # the connection is gone (invalidated): so is what was queued on it


def _listen(engine: sa.Engine) -> None:
    if engine in _listening:
        return
    sa.event.listen(engine, "before_cursor_execute", _flush_before_statement, retval=True)
    sa.event.listen(engine, "commit", _flush_before_commit)
    sa.event.listen(engine, "rollback", _drop_on_rollback)
    _listening.add(engine)


def execute_text(conn: sa.Connection, sql: str) -> None:
    """A fixed SQL text without parameters (SQLite's ``BEGIN IMMEDIATE``), straight on the DBAPI
    cursor; listeners see it like any other statement."""
    cursor = conn.connection.dbapi_connection.cursor()
    sql, _ = _announce(conn, cursor, sql, (), False)
    stats.round_trips += 1
    try:
        cursor.execute(sql)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(conn, sql, (), exc) from exc
    finally:
        cursor.close()


def defer(conn: sa.Connection, stmt: Sql, params: dict | list[dict] | None = None, many: bool = False) -> Pending:
    """Send a statement with the connection's next round trip (PostgreSQL) or now (SQLite).
    ``many``: ``params`` is a list of rows (an ``executemany``; an empty list sends nothing)."""
    if many and not params:
        return _NOTHING
    return _run(conn, stmt, params, many, queue=True)


def execute(conn: sa.Connection, stmt: Sql, params: dict | None = None) -> int:
    """Run a statement for its effect; returns the number of rows it matched."""
    return _run(conn, stmt, params, False, queue=False).rowcount


def executemany(conn: sa.Connection, stmt: Sql, rows: Iterable[dict]) -> int:
    """Run a statement once per row of parameters in one ``executemany`` (nothing sent for none)."""
    rows = list(rows)
    if not rows:
        return 0
    return _run(conn, stmt, rows, True, queue=False).rowcount


def others_listen(db: sa.Engine) -> bool:
    """Whether anything but this module's own flush-before-statement listens for
    ``before_cursor_execute`` on ``db`` (added with a step's first deferred write on every
    PostgreSQL engine that completes a task; it only flushes what is queued on the connection a
    statement goes to, and a connection fresh from the pool has nothing queued)."""
    listeners = len(db.dispatch.before_cursor_execute)
    return listeners > (1 if db in _listening else 0)


KEPT_READERS = 4  # pooled connections ``read_alone`` keeps between reads, per engine (``keep_readers``)
_PG_IDLE = 0  # psycopg's ``info.transaction_status`` outside a transaction (``pq.TransactionStatus.IDLE``)


class _Readers:
    """The connections ``read_alone`` keeps for the next read of one engine (``keep_readers``)."""
    __slots__ = ("idle", "ping", "ping_after")

    def __init__(self, ping, ping_after: float):
        self.idle: list = []  # (pool's connection proxy, monotonic time it was last given back)
        self.ping, self.ping_after = ping, ping_after


def keep_readers(db: sa.Engine, ping: Callable | None = None, ping_after: float = 0.0) -> None:
    """Let ``read_alone`` keep up to ``KEPT_READERS`` of ``db``'s pooled connections between reads
    instead of taking one from the pool and handing it back for every read (engine/database.py asks it
    for every engine it makes). ``ping(dbapi_connection)`` checks one kept idle for ``ping_after``
    seconds or more (PostgreSQL: raises ``DisconnectionError`` if the server dropped it)."""
    db.duban_readers = _Readers(ping, ping_after)  # type: ignore[attr-defined]


def let_readers_go(db: sa.Engine, detach: bool = False) -> None:
    """Close the connections ``read_alone`` keeps (back to the pool; ``detach``: closed outright, the
    pool being disposed). They are kept again from the next read on."""
    readers = getattr(db, "duban_readers", None)
    if readers is None:
        return
    idle, readers.idle = readers.idle, []
    for pooled, _since in idle:
        if detach:
            pooled.detach()
        pooled.close()


def read_alone(db: sa.Engine, stmt: Sql, params: dict | None = None) -> list:
    """Every row of one read statement run on its own, outside any transaction: on a pooled
    connection in autocommit for the one statement, without SQLAlchemy's ``Connection`` around it —
    on PostgreSQL the DBAPI connection switched to autocommit and back; on SQLite as it is (opened
    in autocommit by engine/database.py, which sends BEGIN itself), so the read is one SELECT, not
    the ``BEGIN``, SELECT and ``ROLLBACK`` of a ``Connection`` or a read session. For the few
    statements a web request sends besides its step (the API's token row, the completion's
    ``next_tasks``): a ``Connection`` and its transaction objects, or ``Database.read``'s session,
    cost more Python than the statement (the token read 280 → 183 µs CPU on PostgreSQL;
    ``next_tasks`` −2,800 bytecodes on SQLite, docs/engine.md).

    The connection is one ``keep_readers`` let this engine keep from the last read, else the pool's
    (its checkout and checkin — a pooled connection idle for long pinged — were ~640 bytecodes of a
    read, twice an API completion: its token and ``next_tasks``). A kept one is taken by one thread
    alone (``list.pop``, atomic), pinged as the pool pings one when it sat idle for long, and kept again
    only as it was taken: no transaction open on it (PostgreSQL: back out of autocommit, psycopg idle),
    not invalidated; otherwise it goes back to the pool. psycopg may still prepare the statement
    after a few runs. While anything but this module listens for
    ``before_cursor_execute`` (tests and benches counting statements), or the statement is not one
    this module renders, it goes through a ``Connection`` in autocommit instead, and the listeners
    see it. A failed statement throws the connection away (it may be the server that went) and is
    raised as SQLAlchemy's ``DBAPIError``, as ``Connection.execute`` raises it."""
    dialect = db.dialect
    r = stmt._rendered.get(dialect.name) or stmt.rendered(dialect)
    if r.via_sa or others_listen(db):
        with db.connect() as conn:
            if dialect.name != "sqlite":
                # No snapshot needed for one statement: on PostgreSQL no BEGIN and ROLLBACK round trips
                # (and psycopg keeps its prepared statements, which a ROLLBACK drops). Not on SQLite,
                # where leaving autocommit costs a PRAGMA when the connection goes back to the pool.
                conn.execution_options(isolation_level="AUTOCOMMIT")
            return all_rows(conn, stmt, params)
    parameters = r.bind(params)
    switch = dialect.name != "sqlite"
    readers = getattr(db, "duban_readers", None)
    pooled = _kept_reader(readers) if readers is not None and readers.idle else None
    if pooled is None:
        pooled = db.raw_connection()
    try:
        driver = pooled.driver_connection
        if switch:
            driver.autocommit = True
        cursor = driver.cursor()
        cursor.execute(r.sql, parameters)
        rows = r.rows(cursor.fetchall())
        cursor.close()
        if switch:
            driver.autocommit = False
    except dialect.loaded_dbapi.Error as exc:
        pooled.invalidate(exc)
        pooled.close()
        raise sa.exc.DBAPIError.instance(r.sql, parameters, exc, dialect.loaded_dbapi.Error,
                                         dialect=dialect) from exc
    except BaseException:
        pooled.invalidate()
        pooled.close()
        raise
    if readers is not None and len(readers.idle) < KEPT_READERS and pooled.is_valid and (
            driver.info.transaction_status == _PG_IDLE if switch else not driver.in_transaction):
        readers.idle.append((pooled, time.monotonic() if readers.ping is not None else 0.0))
    else:
        pooled.close()
    stats.statements += 1
    stats.round_trips += 1
    return rows


def _kept_reader(readers: _Readers):
    """A connection ``read_alone`` kept, pinged if it sat idle for long; the pool's if there was
    none left (another thread took the last) or the server dropped it."""
    try:
        pooled, since = readers.idle.pop()
    except IndexError:
        return None
    if readers.ping is not None and time.monotonic() - since >= readers.ping_after:
        try:
            readers.ping(pooled.driver_connection)
        except sa.exc.DisconnectionError:
            pooled.invalidate()
            pooled.close()
            return None
    return pooled


def _rows(r: _Rendered, raw: list) -> list:
    return r.rows(raw)


def all_rows(conn: sa.Connection, stmt: Sql, params: dict | None = None) -> list:
    """Every row the statement returns (named tuples: ``row.column``, ``row._mapping``)."""
    return _run(conn, stmt, params, False, queue=False).all()


def first(conn: sa.Connection, stmt: Sql, params: dict | None = None) -> Any:
    """The first row, or None. The statement should select one row (by key, or with LIMIT)."""
    return _run(conn, stmt, params, False, queue=False).first()


def scalar(conn: sa.Connection, stmt: Sql, params: dict | None = None) -> Any:
    """The first column of the first row, or None."""
    row = first(conn, stmt, params)
    return None if row is None else row[0]


class _Counted(Pending):
    """A write taken by a batch (``duban_defer``), with the rows it will match."""
    __slots__ = ("count",)

    def __init__(self, count: int):
        self.count, self.sent = count, True

    @property
    def rowcount(self) -> int:
        return self.count


class _Nothing(Pending):
    __slots__ = ()

    def __init__(self):
        self.sent = True

    rowcount = 0

    def all(self) -> list:
        return []

    def first(self):
        return None


_NOTHING = _Nothing()
