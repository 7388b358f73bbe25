"""Schema upgrades (数据库升级) for additive changes: new tables, columns and indexes.

``duban db upgrade`` (and every start) brings an existing database up to the models: tables are
created, and columns or indexes the models have but the database lacks are added. New columns must
be nullable or carry a default, which is how this project adds them. Renames and drops are not
done here; they would need a written migration.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa

log = logging.getLogger("duban.migrate")


def upgrade(engine: sa.Engine, metadata: sa.MetaData) -> list[str]:
    """Create what is missing; returns a line per change made."""
    changes = []
    inspector = sa.inspect(engine)
    existing = set(inspector.get_table_names())
    metadata.create_all(engine)
    for table in metadata.sorted_tables:
        if table.name not in existing:
            changes.append(f"created table {table.name}")
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in have:
                continue
            ddl = _add_column_ddl(engine, table, column)
            with engine.begin() as conn:
                conn.exec_driver_sql(ddl)
            changes.append(f"added column {table.name}.{column.name}")
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                index.create(engine)
                changes.append(f"created index {index.name}")
    for line in changes:
        log.info(line)
    return changes


def _add_column_ddl(engine: sa.Engine, table: sa.Table, column: sa.Column) -> str:
    type_sql = column.type.compile(dialect=engine.dialect)
    parts = [f'ALTER TABLE {table.name} ADD COLUMN {column.name} {type_sql}']
    default = column.default.arg if column.default is not None and column.default.is_scalar else None
    if isinstance(default, bool):
        parts.append(f"DEFAULT {'TRUE' if default else 'FALSE'}" if engine.dialect.name != "sqlite"
                     else f"DEFAULT {int(default)}")
    elif isinstance(default, (int, float)):
        parts.append(f"DEFAULT {default}")
    elif isinstance(default, str):
        parts.append("DEFAULT '" + default.replace("'", "''") + "'")
    if not column.nullable and default is None:
        raise RuntimeError(f"cannot add NOT NULL column {table.name}.{column.name} without a default")
    if not column.nullable:
        parts.append("NOT NULL")
    return " ".join(parts)
