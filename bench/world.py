"""Building the benches' worlds fast: bulk rows straight into the tables, and a scratch PostgreSQL
database that is dropped afterwards.

The bench worlds (bench/pages.py, bench/queue.py) hold up to a province's size — 1,000,000 open
tasks, 100,000 cases — so rows go in by SQL Core ``executemany`` on SQLite and by ``COPY`` on
PostgreSQL, never through the engine one case at a time nor through the ORM's bulk insert (which
splits a batch into many small statements wherever a column is NULL in some rows: 100,000 tasks
took minutes that way).

A 1,000,000-task world takes minutes to fill, so ``scratch_postgres(..., template=NAME)`` keeps the
filled database as a template (``NAME``, e.g. ``bench_tpl_pages_1000000_100000_100000``) between
runs: the first run fills a scratch database and then copies it to the template; later runs start
from ``CREATE DATABASE … TEMPLATE`` (seconds) and skip the filling. A template made by older code is
brought to the current schema by the engine's Alembic upgrade on start, as a real database is (so
a new revision's back-fill of existing rows is exercised at a province's size too). ``--fresh``
drops the template first; templates are never dropped otherwise (``DROP DATABASE`` one by hand).
Scratch and template databases are named ``bench_…``; ``$DUBAN_BENCH_DB_PREFIX`` names them otherwise
(several people measuring on one server each drop only their own).
"""
from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterable, Iterator

import sqlalchemy as sa

BATCH = 10_000


def db_name(rest: str) -> str:
    """A bench database's name: ``bench_`` (or ``$DUBAN_BENCH_DB_PREFIX`` and ``_``) and ``rest``."""
    return f"{os.environ.get('DUBAN_BENCH_DB_PREFIX') or 'bench'}_{rest}"


def insert_rows(conn: sa.Connection, table: sa.Table, rows: Iterable[dict]) -> int:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the caller's transaction."""
    if conn.dialect.name == "postgresql":
        return _copy(conn, table, rows)
    count, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            conn.execute(table.insert(), batch)
            count, batch = count + len(batch), []
    if batch:
        conn.execute(table.insert(), batch)
    return count + len(batch)


def _copy(conn: sa.Connection, table: sa.Table, rows: Iterable[dict]) -> int:
    from psycopg.types.json import Json
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    columns = list(first)
    json_columns = {c for c in columns if isinstance(table.c[c].type, sa.JSON)}
    names = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with conn.connection.driver_connection.cursor() as cur:
        with cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in _chain(first, rows):
                copy.write_row([Json(row[c]) if c in json_columns and row[c] is not None else row[c]
                                for c in columns])
                count += 1
    return count


def _chain(first, rest):
    yield first
    yield from rest


def analyze(sa_engine: sa.Engine) -> None:
    """PostgreSQL: gather statistics, as autovacuum does within a minute of a bulk load. SQLite: none,
    as in a real database (the engine never runs ANALYZE), so the plans measured are the real ones."""
    if sa_engine.dialect.name == "postgresql":
        with sa_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


class Scratch(str):
    """The scratch database's URL; ``from_template`` says whether it was copied filled from a template
    (skip the filling), and ``keep()`` asks for it to be copied to the template when the filling is done."""
    from_template: bool = False
    keep: Callable[[], None] = staticmethod(lambda: None)


@contextlib.contextmanager
def scratch_postgres(admin_url: str, template: str | None = None, fresh: bool = False) -> Iterator[Scratch]:
    """A fresh database on the server of ``admin_url``; dropped afterwards, whatever happens.
    With ``template``, copied from that database when it exists (see the module docstring)."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = db_name(uuid.uuid4().hex[:8])
    with admin.connect() as conn:
        if template and fresh:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        exists = bool(template) and conn.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %(n)s", {"n": template}).first() is not None
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if exists else ""))
    url = Scratch(admin_url.rsplit("/", 1)[0] + "/" + name)
    url.from_template = exists

    def keep() -> None:
        if template and not exists:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
    url.keep = keep
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
