"""Schema by Alembic (engine/migrate.py, migrations/): the models and the revisions agree, on SQLite
and PostgreSQL; a database made before Alembic is adopted; ``duban db upgrade`` runs the revisions."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import produce_migrations
from alembic.runtime.migration import MigrationContext

from engine import migrate
from engine.database import make_engine
from migrations.metadata import all_metadata, include_name


def _differences(sa_engine) -> list:
    metadata = all_metadata()
    with sa_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"target_metadata": metadata, "compare_type": True,
                                                     "include_name": include_name})
        script = produce_migrations(ctx, metadata)
    return list(script.upgrade_ops.as_diffs())


def test_models_and_migrations_agree(database_url):
    """Fails when a table or column is declared in a model without a revision (or the reverse):
    write the revision (see engine/migrate.py)."""
    sa_engine = make_engine(database_url)
    assert migrate.upgrade(sa_engine)  # an empty database gets every revision
    assert migrate.upgrade(sa_engine) == []  # and then nothing more to do
    with sa_engine.connect() as conn:
        assert migrate.current(conn) == migrate.heads()
    assert _differences(sa_engine) == []
    sa_engine.dispose()


def test_a_database_made_before_alembic_is_adopted_and_keeps_its_rows(sqlite_url):
    sa_engine = make_engine(sqlite_url)
    for metadata in all_metadata():
        metadata.create_all(sa_engine)  # how tables were made before
    with sa_engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO role (code, name, sees_subordinate_orgs) VALUES ('inspector', '执法人员', 0)")
    assert migrate.upgrade(sa_engine)
    with sa_engine.connect() as conn:
        assert migrate.current(conn) == migrate.heads()
        assert conn.execute(sa.text("SELECT name FROM role")).scalar() == "执法人员"
    assert _differences(sa_engine) == []
    sa_engine.dispose()


def test_duban_db_upgrade_runs_the_revisions(sqlite_url, monkeypatch):
    from click.testing import CliRunner
    from webui.cli import main
    monkeypatch.setenv("DUBAN_DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"数据库已从空数据库升级到版本 {'、'.join(migrate.heads())}" in result.output
    assert migrate.ALREADY_NEWEST not in result.output
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert migrate.ALREADY_NEWEST in result.output and "升级到版本" not in result.output


def test_every_module_that_makes_its_own_tables_makes_them_by_the_revisions(tmp_path):
    """One schema path (issue 15): each domain module's ``create_tables`` on an empty database
    leaves it at the Alembic head, never tables made beside the revisions by ``create_all``."""
    import importlib
    for name in ("workflows.calendar", "workflows.rules", "workflows.messages.models",
                 "workflows.leadership.records", "workflows.enterprises.models"):
        sa_engine = make_engine(f"sqlite:///{tmp_path / (name + '.sqlite')}")
        importlib.import_module(name).create_tables(sa_engine)
        with sa_engine.connect() as conn:
            assert migrate.current(conn) == migrate.heads(), name
        sa_engine.dispose()


def _predicates(conn, table: str) -> dict[str, tuple[list[str], str | None]]:
    """Each index of ``table`` in the database: its columns and its WHERE (partial index), normalized."""
    columns = {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes(table)}
    if conn.dialect.name == "sqlite":
        sql = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
                                        (table,)).all())
        where = {n: s.split(" WHERE ", 1)[1] if s and " WHERE " in s else None for n, s in sql.items()}
    else:
        where = dict(conn.exec_driver_sql(
            "SELECT c.relname, pg_get_expr(i.indpred, i.indrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = %(t)s::regclass", {"t": table}).all())
    return {n: (cols, _normal(where.get(n))) for n, cols in columns.items()}


def _normal(predicate) -> str | None:
    """A predicate as text to compare: lower case, without brackets, quotes, blanks and the casts
    PostgreSQL writes back (``((state)::text = 'open'::text)``)."""
    if predicate is None:
        return None
    text = "".join(c for c in str(predicate).lower() if c not in "()\"' \n")
    return text.replace("::text", "").replace("::charactervarying", "")


def test_partial_indexes_are_made_by_the_revisions_as_the_models_declare_them(database_url):
    """Alembic's comparison leaves out an index's WHERE: here each partial index of the models has its
    columns and predicate in a migrated database, and revisions 0016's and 0015's downgrades give the
    full ones back."""
    from alembic import command
    sa_engine = make_engine(database_url)
    migrate.upgrade(sa_engine)
    declared = {}
    for metadata in all_metadata():
        for table in metadata.tables.values():
            for index in table.indexes:
                where = index.dialect_options[sa_engine.dialect.name]._non_defaults.get("where")
                if where is not None:
                    declared[(table.name, index.name)] = ([c.name for c in index.columns], _normal(where))
    assert {("human_task", "ix_human_task_done"), ("audit_event", "ix_audit_event_action"),
            ("human_task", "ix_human_task_unclaimed"), ("human_task", "ix_human_task_party"),
            ("human_task", "ix_human_task_assignee"), ("human_task", "ix_human_task_due"),
            ("human_task", "ix_human_task_overdue")} <= set(declared)
    with sa_engine.connect() as conn:
        for (table, name), want in declared.items():
            assert _predicates(conn, table)[name] == want, name
        assert "ix_audit_event_case_id" not in _predicates(conn, "audit_event")
        assert "ix_human_task_pool" not in _predicates(conn, "human_task")
    # Revision 0016's downgrade: the queue indexes whole again, led by state.
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), "0015_index_only_what_is_read")
    with sa_engine.connect() as conn:
        tasks = _predicates(conn, "human_task")
        assert tasks["ix_human_task_pool"] == (["state", "role_code", "org_code", "assignee", "due_sort",
                                                "created_at"], None)
        assert tasks["ix_human_task_unclaimed"] == (["state", "role_code", "org_code", "due_sort", "created_at",
                                                     "id"], "assigneeisnull")
        assert tasks["ix_human_task_assignee"] == (["assignee", "state", "due_sort", "created_at"], None)
        assert tasks["ix_human_task_overdue"] == (["state", "org_code", "process_key", "due_at"], None)
        assert tasks["ix_human_task_done"] == (["completed_by", "completed_at"], "completed_byisnotnull")
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), "0014_hazard_quarter_tally")
    with sa_engine.connect() as conn:
        assert _predicates(conn, "audit_event")["ix_audit_event_action"] == (["action"], None)
        assert _predicates(conn, "audit_event")["ix_audit_event_case_id"] == (["case_id"], None)
        assert _predicates(conn, "human_task")["ix_human_task_done"] == (["completed_by", "completed_at"], None)
    sa_engine.dispose()
