"""Deferred writes for a batch of steps (批量写入): many cases' rows written one statement per kind.

A timer sweep fires a batch of independent cases in one transaction (engine/timer_sweep.py). Each
case's step writes the same few kinds of rows — its changed workflow task rows, its workflow row,
its new human tasks, its fired timers deleted, its case row — so a batch of 100 cases would send
500 statements, each a round trip to PostgreSQL. ``deferred`` collects the writes of the statements
listed in ``_kinds`` instead, and sends each kind once for the whole batch: an ``executemany`` of
all its rows (one call into SQLite; on PostgreSQL every kind goes with the transaction's next
round trip, engine/sqlexec.py ``defer``).

Why our own and not SQLAlchemy's ORM unit of work, which batches like this: the step pipeline
deliberately speaks SQL Core (engine/step.py) — the unit of work is what issue 15 measured as 60% of
a step — and only a few statements need to wait. Why safe: a deferred write is sent before *any*
other statement runs on the transaction's connection — a read through the step's connection, the
ORM session's flush or query (a ``before_execute`` listener on the real connection), a raw cursor
taken for the hot-path executor (engine/sqlexec.py asks the connection for its dialect first) — so
whatever runs next sees every row written before it, in the order the steps wrote them. (The hot-path
executor runs straight on the DBAPI cursor, bypassing ``before_execute``; it still calls the
``before_cursor_execute`` listeners, and asks ``duban_defer`` first, which is how its writes wait.) Only
statements whose result the step does not read are deferred (their result reports the rows given);
the rows of one kind keep their order, and the kinds are sent in that order, parents first.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

import sqlalchemy as sa

from . import projection, sqlexec, state as wfstate, step


class Kind:
    """A statement whose writes may wait: its rows are sent together."""

    def __init__(self, statement: sqlexec.Sql):
        self.statement = statement


def _kinds() -> list[Kind]:
    return [
        Kind(wfstate._INSERT_TASKS), Kind(wfstate._UPDATE_TASKS), Kind(wfstate._ARCHIVE_TASKS),
        Kind(wfstate._UPDATE_WF),
        Kind(projection._INSERT_TASKS), Kind(projection._SET_DUE), Kind(projection._DELETE_TIMERS),
        Kind(projection._MOVE_TIMER), Kind(projection._INSERT_TIMERS),
        Kind(step._WRITE_CASE),
    ]


class _Sent:
    """The result of a deferred write: the rows it was given (no step reads more of it)."""
    __slots__ = ("rowcount",)

    def __init__(self, rowcount: int):
        self.rowcount = rowcount


class DeferringConnection:
    """Stands in for the transaction's connection during a batch (see the module docstring)."""

    def __init__(self, conn: sa.Connection, kinds: list[Kind]):
        self._conn = conn
        self._kinds = {id(k.statement): k for k in kinds}
        self._order = {id(k.statement): i for i, k in enumerate(kinds)}
        self._pending: dict[int, list[dict]] = {}
        self._sending = False
        self.sent = 0  # statements sent for deferred rows (for the bench and tests)
        self.deferred = 0  # writes the steps asked for

    # what the steps call
    def execute(self, statement, parameters=None, **kw):
        kind = self._kinds.get(id(statement))
        if kind is None or kw:
            self.flush()
            return self._conn.execute(statement, parameters, **kw)
        rows = parameters if isinstance(parameters, list) else [parameters or {}]
        self._pending.setdefault(id(statement), []).extend(rows)
        self.deferred += 1
        return _Sent(len(rows))

    def duban_defer(self, statement, parameters):
        """The hot-path executor's way in (engine/sqlexec.py): the row count if the write waits,
        else None once the pending rows are sent (the executor then runs it itself)."""
        if id(statement) not in self._kinds:
            self.flush()
            return None
        return self.execute(statement, parameters).rowcount

    def __getattr__(self, name):  # anything else reaches the real connection: pending rows first
        self.flush()
        return getattr(self._conn, name)

    # sending
    def flush(self) -> None:
        if not self._pending or self._sending:
            return
        pending, self._pending = self._pending, {}
        self._sending = True
        try:
            for key in sorted(pending, key=self._order.__getitem__):
                # no step reads the result: sent with the transaction's next round trip (PostgreSQL)
                sqlexec.defer(self._conn, self._kinds[key].statement, pending[key], many=True)
                self.sent += 1
        finally:
            self._sending = False

    def _before_execute(self, *_args, **_kw):
        self.flush()

    def _before_cursor_execute(self, _conn, _cursor, statement, parameters, *_args):
        self.flush()
        return statement, parameters


@contextlib.contextmanager
def deferred(tx: step.Tx) -> Iterator[DeferringConnection]:
    """Defer the listed writes of the steps run on ``tx`` in this block; all sent when it ends
    (and earlier, before any other statement). On an error nothing more is sent: the transaction
    is rolled back anyway."""
    real = tx.conn
    tx.session  # the ORM session, if anything asks for it, works on the real connection
    conn = DeferringConnection(real, _kinds())
    sa.event.listen(real, "before_execute", conn._before_execute)  # the ORM session, Connection.execute
    sa.event.listen(real, "before_cursor_execute", conn._before_cursor_execute, retval=True)  # engine/sqlexec.py
    tx.conn = conn
    try:
        yield conn
        conn.flush()
    finally:
        tx.conn = real
        sa.event.remove(real, "before_execute", conn._before_execute)
        sa.event.remove(real, "before_cursor_execute", conn._before_cursor_execute)
