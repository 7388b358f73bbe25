"""Tasks without a deadline or an enterprise stay out of the indexes only such tasks are read from (issue 15).

``ix_human_task_due`` (the overdue list) and ``ix_human_task_overdue`` (the 逾期督办 board) held
every open task; both are read for ``due_at < now`` only, so a task without a deadline — which is
never overdue — now enters neither: ``WHERE state = 'open' AND due_at IS NOT NULL``.
``ix_human_task_party`` (an enterprise user's pool) held every unclaimed open task; it is read for
``party = ?`` only, so a task of no enterprise now stays out: ``... AND party IS NOT NULL``. The
readers' comparisons imply the ``IS NOT NULL`` (SQLite and PostgreSQL both prove it), so they read
the same indexes as before (tests/test_query_plans.py).

A task of the 5-task model (no deadline, no enterprise) is written to three indexes fewer when it
opens and when it is completed: on SQLite about 4.6 WAL frames fewer per completion
(bench/wal_pages.py).

Revision ID: 0017_deadline_and_party_indexes
Revises: 0016_open_task_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = '0017_deadline_and_party_indexes'
down_revision = '0016_open_task_indexes'
branch_labels = None
depends_on = None

OPEN = "state = 'open'"
OPEN_WITH_DEADLINE = "state = 'open' AND due_at IS NOT NULL"
UNCLAIMED = "state = 'open' AND assignee IS NULL"
UNCLAIMED_OF_PARTY = "state = 'open' AND assignee IS NULL AND party IS NOT NULL"

# name, columns, predicate before, predicate after
INDEXES = [
    ('ix_human_task_due', ['due_at', 'org_code', 'process_key'], OPEN, OPEN_WITH_DEADLINE),
    ('ix_human_task_overdue', ['process_key', 'org_code', 'due_at'], OPEN, OPEN_WITH_DEADLINE),
    ('ix_human_task_party', ['party', 'role_code', 'due_sort', 'created_at', 'id'], UNCLAIMED, UNCLAIMED_OF_PARTY),
]


def _recreate(name: str, columns: list[str], where: str) -> None:
    if name in {i['name'] for i in sa.inspect(op.get_bind()).get_indexes('human_task')}:
        op.drop_index(name, table_name='human_task')
    op.create_index(name, 'human_task', columns, unique=False,
                    postgresql_where=sa.text(where), sqlite_where=sa.text(where))


def upgrade() -> None:
    for name, columns, _before, after in INDEXES:
        _recreate(name, columns, after)


def downgrade() -> None:
    for name, columns, before, _after in INDEXES:
        _recreate(name, columns, before)
