"""Fewer index pages written per step: two indexes hold only the rows their readers read (issue 15).

A completion inserts the next task (open) and two audit events of its case. ``ix_human_task_done``
(已办: ``completed_by = ?``) held every open task under a NULL key; it is now partial,
``WHERE completed_by IS NOT NULL``: a task enters it once, when it is completed.
``ix_audit_event_action`` took both events of every step and was read only for the directory's
change history (webui/admin_queries.py: the system and auth chains, by action): it is now
``(chain, action) WHERE case_id IS NULL``, which no case event enters; the message producer, the
other reader by action, reads the events after its cursor by id (the primary key).
``ix_audit_event_case_id`` had no reader (a case's history is read by its chain, (chain, seq)) and
took every event: dropped.

On SQLite a completion of the 5-task model writes about 5 fewer WAL frames (one per b-tree page it
dirties), on PostgreSQL 4.7 fewer index entries (bench/wal_pages.py).

Revision ID: 0015_index_only_what_is_read
Revises: 0014_hazard_quarter_tally
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_index_only_what_is_read'
down_revision = '0014_hazard_quarter_tally'
branch_labels = None
depends_on = None

# name, table, (columns, predicate) before, (columns, predicate) after
INDEXES = [
    ('ix_human_task_done', 'human_task', (['completed_by', 'completed_at'], None),
     (['completed_by', 'completed_at'], "completed_by IS NOT NULL")),
    ('ix_audit_event_action', 'audit_event', (['action'], None), (['chain', 'action'], "case_id IS NULL")),
]


def _recreate(name: str, table: str, columns: list[str], where: str | None) -> None:
    if name in _indexes(table):
        op.drop_index(name, table_name=table)
    kw = {} if where is None else {'postgresql_where': sa.text(where), 'sqlite_where': sa.text(where)}
    op.create_index(name, table, columns, unique=False, **kw)


def _indexes(table: str) -> set[str]:
    return {i['name'] for i in sa.inspect(op.get_bind()).get_indexes(table)}


def upgrade() -> None:
    for name, table, _before, after in INDEXES:
        _recreate(name, table, *after)
    if 'ix_audit_event_case_id' in _indexes('audit_event'):
        op.drop_index('ix_audit_event_case_id', table_name='audit_event')


def downgrade() -> None:
    for name, table, before, _after in INDEXES:
        _recreate(name, table, *before)
    _recreate('ix_audit_event_case_id', 'audit_event', ['case_id'], None)
