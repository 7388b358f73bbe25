"""Revision 0018: the rows every completion rewrites (case_instance, wf_workflow, audit_head) get a
fillfactor on PostgreSQL, so their updates stay on their page and enter no index (HOT); its
downgrade gives the default back. SQLite has no such option (the revision does nothing there;
tests/test_migrations.py runs it on both)."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from engine import migrate
from engine.database import make_engine

ROOMY = ("audit_head", "case_instance", "wf_workflow")


def _fillfactors(conn) -> dict[str, str | None]:
    rows = conn.execute(sa.text(
        "SELECT relname, (SELECT option_value FROM pg_options_to_table(reloptions) WHERE option_name = 'fillfactor')"
        " FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace")).all()
    return {name: value for name, value in rows}


def test_tables_updated_every_step_leave_room_on_each_page(postgres_url):
    sa_engine = make_engine(postgres_url)
    migrate.upgrade(sa_engine)
    with sa_engine.connect() as conn:
        factors = _fillfactors(conn)
    assert {name: factors[name] for name in ROOMY} == dict.fromkeys(ROOMY, "70")
    # Tables a step inserts into, or whose updates change an indexed column anyway, stay packed.
    assert factors["wf_task"] is None and factors["human_task"] is None and factors["audit_event"] is None
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), "0017_deadline_and_party_indexes")
    with sa_engine.connect() as conn:
        assert {name: _fillfactors(conn)[name] for name in ROOMY} == dict.fromkeys(ROOMY)
    sa_engine.dispose()

