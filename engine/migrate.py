"""Schema migrations (数据库升级): every table — engine, enterprise registry, API tokens, messages —
is created and changed by Alembic revisions in ``migrations/``, one path for all of them.

``upgrade(sa_engine)`` brings a database to the newest revision (``duban db upgrade``, and every
start through ``Engine.create_all``); when the database is already there it costs one query. The
baseline revision creates each table only if it is missing, so a database made before Alembic (by
the additive upgrader this replaces) is adopted as it is. A change to a table is a new revision:

    DUBAN_DATABASE_URL=sqlite:///scratch.sqlite alembic -c migrations/alembic.ini revision --autogenerate -m "..."

and tests/test_migrations.py fails while the models and the revisions disagree.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import sqlalchemy as sa

log = logging.getLogger("duban.migrate")

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_PG_LOCK = 7_150_015  # advisory lock: one upgrader at a time per PostgreSQL database
_heads: tuple[str, ...] | None = None
_lock = threading.Lock()


def config(connection=None):
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def heads() -> tuple[str, ...]:
    global _heads
    with _lock:
        if _heads is None:
            from alembic.script import ScriptDirectory
            _heads = tuple(sorted(ScriptDirectory.from_config(config()).get_heads()))
        return _heads


def current(conn: sa.Connection) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext
    return tuple(sorted(MigrationContext.configure(conn).get_current_heads()))


def upgrade(sa_engine: sa.Engine, metadata: sa.MetaData | None = None) -> list[str]:
    """Run the revisions the database lacks; returns the revisions it was at and is at now (or []).

    ``metadata`` is accepted and ignored: callers of the additive upgrader this replaces passed the
    metadata of their tables; every table is in the revisions now."""
    with sa_engine.connect() as conn:
        if current(conn) == heads():
            return []
    from alembic import command
    with sa_engine.connect() as conn:
        conn = conn.execution_options(duban_write=True)  # SQLite: BEGIN IMMEDIATE, one upgrader at a time
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK})")
            before = current(conn)
            if before != heads():
                command.upgrade(config(conn), "head")
                line = upgraded_line(before, heads())
                log.info("%s", line)
                return [line]
    return []


ALREADY_NEWEST = "数据库已是最新版本，无需升级"


def upgraded_line(before: tuple[str, ...], after: tuple[str, ...]) -> str:
    """What ``duban db upgrade`` says it did (数据库升级), in Chinese: the revisions are named as they
    are, an empty database as 空数据库."""
    was = f"版本 {'、'.join(before)}" if before else "空数据库"
    return f"数据库已从{was}升级到版本 {'、'.join(after)}"
