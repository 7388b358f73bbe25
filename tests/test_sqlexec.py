"""The hot path's SQL executor (engine/sqlexec.py) against SQLAlchemy's own execution, on both databases.

What it must keep of ``Connection.execute``: the same rows and Python types back (aware UTC
datetimes, JSON, booleans), the same values stored, Python-side column defaults, the connection's
transaction (a rollback undoes its writes), database errors as SQLAlchemy's exceptions, and every
statement seen by ``before_cursor_execute`` listeners (the bench and the tests count with them).
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from engine import sqlexec
from engine.schema import Case, HumanTask
from tests.support import BPMN, make_engine

TASK = HumanTask.__table__
CASE = Case.__table__
AT = datetime(2026, 11, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)

SELECT_TASK = sa.select(TASK).where(TASK.c.id == sa.bindparam("id"))
SELECT_OPEN = sa.select(TASK.c.id, TASK.c.due_at, TASK.c.rules).where(
    TASK.c.case_id == sa.bindparam("case_id"), TASK.c.state == "open").order_by(TASK.c.id)
INSERT_TASK = sqlexec.Sql(sa.insert(TASK), keys=(
    "id", "case_id", "spec_id", "name", "lane", "role_code", "org_code", "party", "assignee", "state",
    "form_key", "due_at", "created_at", "process_key", "case_no", "rules"))
COMPLETE = sqlexec.Sql(sa.update(TASK).where(TASK.c.id == sa.bindparam("b_id"), TASK.c.state == "open")
                       .values(state="completed", completed_at=sa.bindparam("at"), completed_by=sa.bindparam("by")))


@pytest.fixture(scope="module")
def world(module_database_url):
    """A case to hang task rows on (the foreign keys are real)."""
    e = make_engine(module_database_url)
    e.deploy(BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn", by="boss")
    case = e.start("five_tasks", by="zhang", org="east", data={"备注": "执行器"})
    yield e, case.id
    e.dispose()


def _task(n: int, case_id: int, **over) -> dict:
    row = {"id": f"sqlexec-{n}", "case_id": case_id, "spec_id": "审核", "name": "审核意见", "lane": None,
           "role_code": "inspector", "org_code": "east", "party": None, "assignee": None, "state": "open",
           "form_key": None, "due_at": AT, "created_at": AT, "process_key": "five_tasks", "case_no": "督-1",
           "rules": {"回避": ["张三", "２号"]}}
    row.update(over)
    return row


def test_rows_and_types_are_those_sqlalchemy_returns(world):
    e, case_id = world
    with e.db.engine.begin() as conn:
        assert sqlexec.executemany(conn, INSERT_TASK, [_task(1, case_id), _task(2, case_id, due_at=None, rules=None)]) == 2
    with e.db.engine.connect() as conn:
        for tid in ("sqlexec-1", "sqlexec-2"):
            ours = sqlexec.first(conn, sqlexec.Sql(SELECT_TASK), {"id": tid})
            theirs = conn.execute(SELECT_TASK, {"id": tid}).first()
            assert tuple(ours) == tuple(theirs) and ours._fields == tuple(theirs._fields)
            assert ours._mapping == dict(theirs._mapping)
        one = sqlexec.first(conn, sqlexec.Sql(SELECT_TASK), {"id": "sqlexec-1"})
        assert one.due_at == AT and one.due_at.tzinfo is not None  # aware UTC, microseconds kept
        assert one.rules == {"回避": ["张三", "２号"]}  # JSON back as JSON, Chinese intact
        # defaults filled as the ORM would: priority 0, reminders 0, due_sort the far end, case_title ''
        assert (one.priority, one.reminders, one.case_title) == (0, 0, "")
        assert sqlexec.first(conn, sqlexec.Sql(SELECT_TASK), {"id": "sqlexec-2"}).due_sort.year == 9999
        listed = sqlexec.all_rows(conn, sqlexec.Sql(SELECT_OPEN), {"case_id": case_id})
        assert [tuple(r) for r in listed] == [tuple(r) for r in conn.execute(SELECT_OPEN, {"case_id": case_id})]
        assert sqlexec.first(conn, sqlexec.Sql(SELECT_TASK), {"id": "无此任务"}) is None
        assert sqlexec.scalar(conn, sqlexec.Sql(sa.select(sa.func.count()).select_from(TASK)
                                                .where(TASK.c.id.like("sqlexec-%")))) == 2


def test_an_update_counts_the_rows_it_matched_and_a_literal_in_the_construct_is_bound(world):
    """The guard "still open" is a literal of the construct: a second completion matches nothing."""
    e, case_id = world
    with e.db.engine.begin() as conn:
        sqlexec.execute(conn, INSERT_TASK, _task(3, case_id))
        assert sqlexec.execute(conn, COMPLETE, {"b_id": "sqlexec-3", "at": AT, "by": "zhang"}) == 1
        assert sqlexec.execute(conn, COMPLETE, {"b_id": "sqlexec-3", "at": AT, "by": "li"}) == 0
    with e.db.engine.connect() as conn:
        row = conn.execute(SELECT_TASK, {"id": "sqlexec-3"}).first()
    assert (row.state, row.completed_by, row.completed_at) == ("completed", "zhang", AT)
    # As Connection.execute: a literal converted by its column's type unless the row gives the key
    # itself, and a column's Python default for a key the row leaves out.
    stamp = sqlexec.Sql(sa.update(TASK).where(TASK.c.id == sa.bindparam("b_id")).values(completed_at=AT, priority=7))
    with e.db.engine.begin() as conn:
        sqlexec.execute(conn, INSERT_TASK, _task(31, case_id))
        sqlexec.execute(conn, stamp, {"b_id": "sqlexec-31"})
        row = conn.execute(SELECT_TASK, {"id": "sqlexec-31"}).first()
        assert (row.completed_at, row.priority, row.case_title, row.reminders) == (AT, 7, "", 0)
        sqlexec.execute(conn, stamp, {"b_id": "sqlexec-31", "completed_at": None, "priority": 3})
        row = conn.execute(SELECT_TASK, {"id": "sqlexec-31"}).first()
        assert (row.completed_at, row.priority) == (None, 3)


def test_a_parameter_named_in_two_places_is_converted_for_each(world):
    """``SET due_at = :due, due_sort = :due`` (engine/projection.py ``_SET_DUE``): the one datetime
    goes through its column's bind conversion once for each place (it was converted in place once
    for all, and the second conversion got the first's text: every such write failed)."""
    e, case_id = world
    later = datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
    set_due = sqlexec.Sql(sa.update(TASK).where(TASK.c.id == sa.bindparam("b_id"))
                          .values(due_at=sa.bindparam("due"), due_sort=sa.bindparam("due")))
    with e.db.engine.begin() as conn:
        sqlexec.execute(conn, INSERT_TASK, _task(30, case_id, due_at=None))
        assert sqlexec.execute(conn, set_due, {"b_id": "sqlexec-30", "due": later}) == 1
        sqlexec.defer(conn, set_due, [{"b_id": "sqlexec-30", "due": AT}], many=True)
    with e.db.engine.connect() as conn:
        row = conn.execute(SELECT_TASK, {"id": "sqlexec-30"}).first()
    assert (row.due_at, row.due_sort) == (AT, AT)


def test_writes_belong_to_the_connections_transaction_and_roll_back_with_it(world):
    e, case_id = world
    with pytest.raises(RuntimeError):
        with e.db.engine.begin() as conn:
            sqlexec.execute(conn, INSERT_TASK, _task(4, case_id))
            assert sqlexec.first(conn, sqlexec.Sql(SELECT_TASK), {"id": "sqlexec-4"}) is not None
            raise RuntimeError("step failed")
    with e.db.engine.connect() as conn:
        assert conn.execute(SELECT_TASK, {"id": "sqlexec-4"}).first() is None
        # a connection not yet in a transaction begins one, as Connection.execute does
        sqlexec.execute(conn, INSERT_TASK, _task(5, case_id))
        assert conn.in_transaction()
        conn.rollback()
        assert conn.execute(SELECT_TASK, {"id": "sqlexec-5"}).first() is None


def test_a_database_error_is_raised_as_sqlalchemys_and_names_the_statement(world):
    e, case_id = world
    with e.db.engine.begin() as conn:
        sqlexec.execute(conn, INSERT_TASK, _task(6, case_id))
    with pytest.raises(sa.exc.IntegrityError) as caught:
        with e.db.engine.begin() as conn:
            sqlexec.execute(conn, INSERT_TASK, _task(6, case_id))  # the same primary key again
    assert "INSERT INTO human_task" in str(caught.value)


def test_every_statement_is_seen_by_cursor_listeners_with_its_parameters(world):
    e, case_id = world
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement.split()[0], len(parameters) if executemany else 1, executemany))

    sa.event.listen(e.db.engine, "before_cursor_execute", record)
    try:
        with e.db.engine.begin() as conn:
            sqlexec.executemany(conn, INSERT_TASK, [_task(7, case_id), _task(8, case_id)])
            sqlexec.first(conn, sqlexec.Sql(SELECT_TASK), {"id": "sqlexec-7"})
            assert sqlexec.executemany(conn, INSERT_TASK, []) == 0  # nothing to send: nothing sent
    finally:
        sa.event.remove(e.db.engine, "before_cursor_execute", record)
    assert [s for s in seen if s[0] != "BEGIN"] == [("INSERT", 2, True), ("SELECT", 1, False)]


def test_the_installed_sqlalchemy_has_the_private_names_the_fast_path_reads(world):
    """engine/sqlexec.py reads two private names of SQLAlchemy (pyproject allows 2.0 and 2.1): a
    release renaming them would not break a step (the import falls back to iterating the listeners),
    but would silently cost every statement; this names which one went."""
    e, _ = world
    assert sqlexec._EmptyListener is not None, "sqlalchemy.event.attr._EmptyListener is gone"
    with e.db.engine.connect() as conn:
        assert hasattr(conn, "_transaction"), "Connection._transaction is gone"
    bare = sa.create_engine("sqlite://")  # an engine nobody listens to holds the empty collection
    assert bare.dispatch.before_cursor_execute.__class__ is sqlexec._EmptyListener
    bare.dispose()


def test_an_expanding_in_list_runs_through_sqlalchemy_unchanged(world):
    e, case_id = world
    stmt = sqlexec.Sql(sa.select(TASK.c.id).where(TASK.c.id.in_(sa.bindparam("ids", expanding=True)))
                       .order_by(TASK.c.id))
    with e.db.engine.begin() as conn:
        sqlexec.executemany(conn, INSERT_TASK, [_task(9, case_id), _task(10, case_id)])
        assert [r.id for r in sqlexec.all_rows(conn, stmt, {"ids": ["sqlexec-9", "sqlexec-10", "无"]})] == [
            "sqlexec-10", "sqlexec-9"]


# --- deferred writes (PostgreSQL: pipelined; SQLite: sent at once) -------------------------------------
def test_deferred_writes_are_seen_by_every_later_read_and_committed_or_rolled_back_with_the_transaction(world):
    e, case_id = world
    with e.db.engine.begin() as conn:
        sqlexec.defer(conn, INSERT_TASK, [_task(11, case_id), _task(12, case_id)], many=True)
        done = sqlexec.defer(conn, COMPLETE, {"b_id": "sqlexec-11", "at": AT, "by": "zhang"})
        # a read through SQLAlchemy (the ORM, a hook) sees them: they are sent before it
        assert conn.execute(sa.select(TASK.c.state).where(TASK.c.id == "sqlexec-11")).scalar() == "completed"
        assert done.rowcount == 1
        sqlexec.defer(conn, COMPLETE, {"b_id": "sqlexec-12", "at": AT, "by": "li"})  # sent before the commit
    with pytest.raises(RuntimeError):
        with e.db.engine.begin() as conn:
            sqlexec.defer(conn, INSERT_TASK, _task(13, case_id))
            raise RuntimeError("step failed")
    with e.db.engine.connect() as conn:
        states = dict(conn.execute(sa.select(TASK.c.id, TASK.c.state).where(TASK.c.id.in_(["sqlexec-11", "sqlexec-12", "sqlexec-13"]))).all())
    assert states == {"sqlexec-11": "completed", "sqlexec-12": "completed"}


def test_a_deferred_write_that_fails_fails_the_transaction_and_leaves_the_connection_usable(world):
    e, case_id = world
    with e.db.engine.connect() as conn:
        with pytest.raises(sa.exc.IntegrityError):
            with conn.begin():
                sqlexec.defer(conn, INSERT_TASK, _task(14, case_id))
                sqlexec.defer(conn, INSERT_TASK, _task(14, case_id))  # the same key: fails when sent
        with conn.begin():
            assert conn.execute(sa.select(TASK.c.id).where(TASK.c.id == "sqlexec-14")).first() is None
            sqlexec.defer(conn, INSERT_TASK, _task(15, case_id))
        assert conn.execute(sa.select(TASK.c.id).where(TASK.c.id == "sqlexec-15")).scalar() == "sqlexec-15"


def test_a_connection_that_takes_writes_for_a_batch_gets_them_instead_of_the_database(world):
    """``duban_defer`` (engine/batch_writes.py's connection for a timer batch) may take a write and
    say how many rows it will match; what it declines goes to the database as usual."""
    e, case_id = world

    class Batching:
        def __init__(self, conn):
            self.conn, self.taken = conn, []

        def duban_defer(self, stmt, params):
            if stmt is not COMPLETE:
                return None
            self.taken.append(params)
            return 1

        def __getattr__(self, name):
            return getattr(self.conn, name)

    with e.db.engine.begin() as conn:
        batch = Batching(conn)
        sqlexec.execute(batch, INSERT_TASK, _task(16, case_id))
        assert sqlexec.execute(batch, COMPLETE, {"b_id": "sqlexec-16", "at": AT, "by": "zhang"}) == 1
        assert batch.taken == [{"b_id": "sqlexec-16", "at": AT, "by": "zhang"}]
        assert conn.execute(sa.select(TASK.c.state).where(TASK.c.id == "sqlexec-16")).scalar() == "open"


def test_writes_queued_at_commit_go_with_the_commit_in_one_round_trip(world):
    """PostgreSQL: what is still queued when the transaction commits is sent in one pipeline that
    ends with the COMMIT (no round trip of its own), and it is committed; SQLite commits as before."""
    e, case_id = world
    trips, commits = sqlexec.stats.round_trips, sqlexec.stats.commits
    with e.db.engine.connect() as conn:
        with conn.begin():
            sqlexec.execute(conn, INSERT_TASK, _task(17, case_id))
            trips, commits = sqlexec.stats.round_trips, sqlexec.stats.commits
            sqlexec.defer(conn, COMPLETE, {"b_id": "sqlexec-17", "at": AT, "by": "zhang"})
            sqlexec.defer(conn, INSERT_TASK, _task(18, case_id))
        pg = e.db.engine.dialect.name == "postgresql"
        assert sqlexec.stats.commits - commits == (1 if pg else 0)
        assert sqlexec.stats.round_trips - trips == (1 if pg else 2)
        if pg:  # the transaction ended with that pipeline: idle, nothing left for SQLAlchemy's COMMIT
            assert conn.connection.dbapi_connection.info.transaction_status == 0
    with e.db.engine.connect() as other:
        assert dict(other.execute(sa.select(TASK.c.id, TASK.c.state).where(
            TASK.c.id.in_(["sqlexec-17", "sqlexec-18"]))).all()) == {"sqlexec-17": "completed", "sqlexec-18": "open"}


def test_a_column_whose_default_is_a_function_gets_what_the_function_makes_when_the_row_leaves_it_out(world):
    """A Python-side default that is a callable (``payload: default=dict``) is called for each row
    that leaves the column out, as the ORM does: the incident's payload is stored as ``{}`` (the
    function itself bound as the value, a JSON encoding of it, would fail or store nonsense)."""
    from engine.schema import Incident

    e, case_id = world
    incident = Incident.__table__
    insert = sqlexec.Sql(sa.insert(incident), keys=("case_id", "action", "actor", "message", "created_at"))
    rows = [{"case_id": case_id, "action": "complete", "actor": "zhang", "message": f"默认-{n}", "created_at": AT}
            for n in range(2)]
    with e.db.engine.begin() as conn:
        assert sqlexec.executemany(conn, insert, rows) == 2
        sqlexec.execute(conn, insert, dict(rows[0], message="默认-2"))
    with e.db.engine.connect() as conn:
        got = conn.execute(sa.select(incident.c.message, incident.c.payload)
                           .where(incident.c.message.like("默认-%")).order_by(incident.c.message)).all()
    assert [tuple(r) for r in got] == [("默认-0", {}), ("默认-1", {}), ("默认-2", {})]


def test_a_literal_of_the_construct_named_by_the_row_is_converted_like_any_value(world):
    """A construct's literal (``values(rules={...}, due_at=AT)``) is bound as rendered when the row
    leaves it out, and when the row names it the row's value goes through the column's bind
    conversion too (JSON, UTC datetime): the value stored is the row's, read back as written."""
    e, case_id = world
    later = datetime(2026, 12, 24, 8, 0, 0, 5, tzinfo=timezone.utc)
    reset = sqlexec.Sql(sa.update(TASK).where(TASK.c.id == sa.bindparam("b_id"))
                        .values(rules={"回避": ["王五"]}, due_at=AT))
    with e.db.engine.begin() as conn:
        sqlexec.execute(conn, INSERT_TASK, _task(40, case_id, due_at=None, rules=None))
        sqlexec.execute(conn, INSERT_TASK, _task(41, case_id, due_at=None, rules=None))
        assert sqlexec.execute(conn, reset, {"b_id": "sqlexec-40"}) == 1
        assert sqlexec.execute(conn, reset, {"b_id": "sqlexec-41", "rules": {"回避": ["赵六"]}, "due_at": later}) == 1
    with e.db.engine.connect() as conn:
        got = {r.id: (r.rules, r.due_at) for r in conn.execute(SELECT_OPEN.where(TASK.c.id.like("sqlexec-4_")),
                                                                {"case_id": case_id})}
    assert got == {"sqlexec-40": ({"回避": ["王五"]}, AT), "sqlexec-41": ({"回避": ["赵六"]}, later)}


def test_a_none_is_stored_as_sqlalchemy_stores_it_json_null_in_a_json_column(world):
    """A JSON column's None is bound as its type binds it (the JSON text ``null``, not SQL NULL:
    SQLAlchemy's ``JSON`` with ``none_as_null`` off), the answer asked once at rendering; a datetime's
    None stays SQL NULL. A query for ``rules IS NULL`` finds the same rows whichever wrote them."""
    e, case_id = world
    with e.db.engine.begin() as conn:
        sqlexec.execute(conn, INSERT_TASK, _task(50, case_id, due_at=None, rules=None))
        conn.execute(sa.insert(TASK), _task(51, case_id, due_at=None, rules=None))
    with e.db.engine.connect() as conn:
        got = dict(conn.execute(sa.text("SELECT id, CASE WHEN rules IS NULL THEN 2 ELSE 0 END + CASE WHEN due_at IS NULL THEN 1 ELSE 0 END"
                                        " FROM human_task"
                                        " WHERE id IN ('sqlexec-50', 'sqlexec-51')")).all())
    assert got["sqlexec-50"] == got["sqlexec-51"] == 1  # rules: JSON null; due_at: SQL NULL


def test_a_sqlite_statement_is_sent_at_once_past_the_pending_machinery_and_still_announced(world, monkeypatch):
    """SQLite runs a statement when it is given: ``sqlexec._sent`` sends it with ``Pending._send``'s
    helpers written out (seven statements a completion, ~3.8k instructions less each, callgrind), and
    hands back a ``Pending`` already sent; listeners see it and errors are SQLAlchemy's, as before.
    PostgreSQL queues and pipelines through ``Pending`` as before."""
    e, case_id = world
    sends = []
    real = sqlexec.Pending._send
    monkeypatch.setattr(sqlexec.Pending, "_send", lambda self, pipelined=False: (sends.append(self.sql), real(self, pipelined))[1])
    seen = []
    listener = lambda conn, cursor, statement, parameters, context, many: seen.append(statement)  # noqa: E731
    sa.event.listen(e.db.engine, "before_cursor_execute", listener)
    try:
        with e.db.engine.begin() as conn:
            sqlexec.defer(conn, INSERT_TASK, _task(90, case_id))
            done = sqlexec.defer(conn, COMPLETE, {"b_id": "sqlexec-90", "at": AT, "by": "zhang"})
            row = sqlexec.first(conn, sqlexec.Sql(SELECT_TASK), {"id": "sqlexec-90"})
            sqlexec.flush(conn)
            assert row.state == "completed"
            if e.db.is_sqlite:
                assert done.sent and done.rowcount == 1 and not done.rebind({"b_id": "x"})
                with pytest.raises(sa.exc.IntegrityError):
                    sqlexec.defer(conn, INSERT_TASK, _task(90, case_id))
            else:
                assert done.rowcount == 1
            conn.rollback()
    finally:
        sa.event.remove(e.db.engine, "before_cursor_execute", listener)
    assert sum("human_task" in s for s in seen) >= 3
    if e.db.is_sqlite:
        assert sends == []
    else:
        assert len(sends) >= 3


def test_a_ready_engine_has_every_statement_rendered_before_its_first_step(world):
    """``Engine.warm`` (webui/wsgi.py, ``duban serve --dev``, ``duban worker``): the first completion of
    a new serving process cost 5.8–7.6 ms CPU against 0.3 ms, most of it rendering the step's
    statements; a serving process renders them all once it is ready."""
    e, _ = world
    dialect = e.db.engine.dialect.name
    fresh = sqlexec.Sql(sa.select(TASK.c.id).where(TASK.c.case_id == sa.bindparam("case_id")))
    assert dialect not in fresh._rendered
    assert e.warm() >= 60
    assert [s for s in sqlexec._ALL if dialect not in s._rendered] == []
    with e.db.engine.connect() as conn:  # and a warmed statement runs as rendered
        assert sqlexec.all_rows(conn, fresh, {"case_id": -1}) == []


def test_postgresql_gets_each_statement_with_positional_placeholders_and_a_tuple(world):
    """PostgreSQL: the executor renders ``%s`` placeholders and binds a tuple in their order
    (``sqlexec._positional``), which psycopg takes as it is — a dict of ``%(name)s`` it checks and
    reorders on every execution (~60 bytecodes a statement of its Python). A name used twice gets
    its value in both places; SQLite keeps its ``?`` and tuples. Rows read back as written."""
    e, case_id = world
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters[0] if executemany else parameters))

    twice = sqlexec.Sql(sa.select(TASK.c.id).where(TASK.c.id == sa.bindparam("id"),
                                                    TASK.c.assignee.is_distinct_from(sa.bindparam("id"))))
    sa.event.listen(e.db.engine, "before_cursor_execute", record)
    try:
        with e.db.engine.begin() as conn:
            sqlexec.executemany(conn, INSERT_TASK, [_task(21, case_id), _task(22, case_id)])
            row = sqlexec.first(conn, twice, {"id": "sqlexec-21"})
    finally:
        sa.event.remove(e.db.engine, "before_cursor_execute", record)
    assert row is not None and row.id == "sqlexec-21"
    sent = [(sql, params) for sql, params in seen if not sql.startswith("BEGIN")]
    assert [sql.split()[0] for sql, _ in sent] == ["INSERT", "SELECT"]
    for sql, params in sent:
        assert isinstance(params, tuple), (sql, params)
        assert "%(" not in sql
        assert sql.count("%s" if not e.db.is_sqlite else "?") == len(params)
    assert sent[1][1] == ("sqlexec-21", "sqlexec-21")


def test_the_executors_own_statements_do_not_call_its_flush_listener(world, monkeypatch):
    """The engine's ``before_cursor_execute`` listener (``_flush_before_statement``: what is queued
    goes before a statement SQLAlchemy sends) is passed over for the executor's own statements, which
    go with the queue or with none queued; SQLAlchemy's own statements still flush the queue first."""
    e, case_id = world
    by_listener = []
    flush = sqlexec.flush

    def counted(conn, commit=False):
        import sys
        if sys._getframe(1).f_code.co_name == "_flush_before_statement":
            by_listener.append(1)
        return flush(conn, commit)

    with e.db.engine.begin() as conn:
        sqlexec.first(conn, sqlexec.Sql(SELECT_TASK), {"id": "nothing"})  # the listener installed (PostgreSQL)
        monkeypatch.setattr(sqlexec, "flush", counted)
        sqlexec.executemany(conn, INSERT_TASK, [_task(141, case_id)])
        sqlexec.defer(conn, INSERT_TASK, _task(142, case_id))
        assert sqlexec.first(conn, sqlexec.Sql(SELECT_TASK), {"id": "sqlexec-142"}) is not None
        assert by_listener == []
        sqlexec.defer(conn, INSERT_TASK, _task(143, case_id))
        assert conn.execute(SELECT_TASK, {"id": "sqlexec-143"}).first() is not None  # SQLAlchemy's
        assert by_listener == ([] if e.db.is_sqlite else [1])
