#!/usr/bin/env python
"""Write the baseline Alembic revision from every table's metadata as it is now (issue 15).

Each table's statements are guarded by "if the table is missing", so the baseline adopts databases
made before Alembic. Run once; later changes are revisions of their own (see engine/migrate.py).

    python scripts/alembic-baseline.py
"""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from alembic.autogenerate import produce_migrations, render_python_code  # noqa: E402
from alembic.runtime.migration import MigrationContext  # noqa: E402

from migrations.metadata import all_metadata, render_item  # noqa: E402

REVISION = "0001_baseline"


LISTENER_MARKS = ("VIRTUAL TABLE", "TRIGGER", "USING gin")


def listener_ddl(metadata) -> dict[str, dict[str, list[str]]]:
    """DDL that models attach to ``after_create`` (full-text tables, triggers, GIN indexes), caught
    by creating the tables on each dialect: table -> dialect -> statements."""
    import os
    import uuid
    found: dict[str, dict[str, list[str]]] = {}
    urls = [("sqlite", "sqlite://", None)]
    admin = os.environ.get("DUBAN_TEST_PG_URL")
    if admin:
        name = "baseline_" + uuid.uuid4().hex[:8]
        urls.append(("postgresql", admin.rsplit("/", 1)[0] + "/" + name, (admin, name)))
    for dialect, url, pg in urls:
        if pg:
            with sa.create_engine(pg[0], isolation_level="AUTOCOMMIT").connect() as c:
                c.exec_driver_sql(f'CREATE DATABASE "{pg[1]}"')
        eng = sa.create_engine(url)
        caught: list[str] = []
        sa.event.listen(eng, "before_cursor_execute", lambda c, cur, stmt, *a: caught.append(stmt))
        for md in metadata:
            md.create_all(eng)
        eng.dispose()
        if pg:
            with sa.create_engine(pg[0], isolation_level="AUTOCOMMIT").connect() as c:
                c.exec_driver_sql(f'DROP DATABASE "{pg[1]}" WITH (FORCE)')
        for stmt in caught:
            if any(mark in stmt for mark in LISTENER_MARKS):
                table = next((t for md in metadata for t in md.tables if f" ON {t} " in stmt or f" ON {t}(" in stmt
                              or f"content='{t}'" in stmt), None)
                if table is None:
                    raise SystemExit(f"cannot tell which table this DDL belongs to: {stmt}")
                found.setdefault(table, {}).setdefault(dialect, []).append(stmt)
    return found


def main() -> None:
    metadata = all_metadata()
    empty = sa.create_engine("sqlite://")
    with empty.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"render_item": render_item, "target_metadata": metadata})
        script = produce_migrations(ctx, metadata)
    groups: dict[str, list] = {}
    for op in script.upgrade_ops.ops:
        groups.setdefault(op.table_name, []).append(op)
    from alembic.operations.ops import UpgradeOps
    blocks = []
    for table, ops in groups.items():
        code = render_python_code(UpgradeOps(ops=ops), render_item=render_item, migration_context=ctx)
        code = "\n".join(line for line in code.splitlines() if not line.strip().startswith("#"))
        blocks.append(f"    if {table!r} not in existing:\n" + textwrap.indent(textwrap.dedent(code).strip(), " " * 8))
    extra = listener_ddl(metadata)
    for table, by_dialect in extra.items():
        lines = []
        for dialect, statements in by_dialect.items():
            lines.append(f"if op.get_bind().dialect.name == {dialect!r}:")
            lines += [f"    op.execute({stmt!r})" for stmt in statements]
        block = textwrap.indent("\n".join(lines), " " * 8)
        for i, b in enumerate(blocks):
            if b.startswith(f"    if {table!r} not in existing:"):
                blocks[i] = b + "\n" + block
    tables = sorted(groups)
    text = f'''"""Baseline: every table as the models declared them when Alembic took over.

Each table is created only where it is missing, so a database made before Alembic is adopted.

Revision ID: {REVISION}
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = {REVISION!r}
down_revision = None
branch_labels = None
depends_on = None

TABLES = {tables!r}


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
''' + "\n".join(blocks) + '''


def downgrade() -> None:
    raise RuntimeError("the baseline is not undone; restore a backup instead")
'''
    out = ROOT / "migrations" / "versions" / f"{REVISION}.py"
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({len(tables)} tables)")


if __name__ == "__main__":
    main()
