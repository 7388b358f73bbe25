"""Alembic environment: the connection comes from engine/migrate.py (or DUBAN_DATABASE_URL when
the ``alembic`` command is run by hand); the target is every table's metadata."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from alembic import context

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from migrations.metadata import all_metadata, include_name, render_item  # noqa: E402

config = context.config
connection = config.attributes.get("connection")
# Only ``alembic revision --autogenerate`` (by hand) compares with the models; the engine's own
# upgrade runs the revisions and never imports the application's modules.
target_metadata = all_metadata() if connection is None else None


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True, render_item=render_item, include_name=include_name,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    import sqlalchemy as sa
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or os.environ["DUBAN_DATABASE_URL"])
    with engine.begin() as conn:
        run(conn)
    engine.dispose()
