"""Alembic migrations for every table of Duban (engine, registry, tokens, messages...): see engine/migrate.py."""
