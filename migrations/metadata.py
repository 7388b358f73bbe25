"""Every table's metadata, found rather than listed: each module of engine/, workflows/ and webui/
is imported and every SQLAlchemy declarative base's metadata collected. A team adding a table in a
module of its own is covered without touching this file (its revision still has to be written)."""
from __future__ import annotations

import importlib
import pkgutil

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

PACKAGES = ("engine", "workflows", "webui")
SKIP = {"webui.wsgi"}  # builds an app (and an engine) on import


def _import_all() -> None:
    for name in PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, prefix=name + "."):
            if info.name in SKIP or info.name.rsplit(".", 1)[-1].startswith("__"):
                continue
            importlib.import_module(info.name)


def _bases(cls):
    for sub in cls.__subclasses__():
        if "metadata" in sub.__dict__:
            yield sub
        yield from _bases(sub)


def all_metadata() -> list[sa.MetaData]:
    _import_all()
    found: list[sa.MetaData] = []
    for base in _bases(DeclarativeBase):
        if base.metadata not in found and base.metadata.tables:
            found.append(base.metadata)
    return found


def render_item(type_, obj, autogen_context):
    """Revisions spell our column types (``UTCDateTime``...) as the plain SQL type they store, so a
    revision never imports application code."""
    if type_ == "type" and isinstance(obj, sa.types.TypeDecorator):
        return f"sa.{obj.impl!r}"
    if type_ == "server_default":
        arg = getattr(obj, "arg", None)
        if isinstance(arg, (sa.sql.elements.False_, sa.sql.elements.True_)):  # 0/1 on SQLite, false/true elsewhere
            return "sa.false()" if isinstance(arg, sa.sql.elements.False_) else "sa.true()"
    return False


# Objects the models create through DDL listeners (full-text tables and their shadow tables on
# SQLite, the GIN index on PostgreSQL): in the baseline as plain SQL, not in any metadata.
LISTENER_TABLE_PREFIXES = ("enterprises_fts",)
LISTENER_INDEXES = {"ix_enterprises_grams"}


def include_name(name, type_, parent_names) -> bool:
    if type_ == "table":
        return not (name or "").startswith(LISTENER_TABLE_PREFIXES)
    if type_ == "index":
        return name not in LISTENER_INDEXES
    return True
