"""The open-task indexes of human_task hold open tasks only (issue 15).

Five of human_task's indexes led with ``state``: a completion moved the task's entry from the
'open' range to the 'completed' range of each (a delete and an insert, often on two pages; on
PostgreSQL a new index tuple in each for the row's new version), and every done task stayed in
every queue index forever. Their readers all read open tasks, so they are now partial,
``WHERE state = 'open'``, without the ``state`` column: a completion deletes the entry and inserts
none. The unclaimed pool (``ix_human_task_unclaimed``) and an enterprise's pool
(``ix_human_task_party``) hold unclaimed open tasks; ``ix_human_task_assignee`` claimed open ones
(a new task, unclaimed, does not enter it). ``ix_human_task_pool`` (state, role, org, assignee, …)
is dropped: every reader by role and org reads the unclaimed pool, which ``ix_human_task_unclaimed``
holds in queue order. ``ix_human_task_overdue`` (a cell of the 逾期督办 board) now leads with the
process: led by the org unit and partial, SQLite preferred it to ``ix_human_task_due`` for the overdue
list of a city (every open task of its org units read, then sorted). ``ix_human_task_case_due``
stays whole: a case's completed tasks are read by it.

Readers compare ``state`` with a literal (engine/schema.py ``OPEN``): SQLite re-prepares at every
execution a statement that binds ``state = ?`` once a partial index's predicate tests ``state``.

Revision ID: 0016_open_task_indexes
Revises: 0015_index_only_what_is_read
"""
import sqlalchemy as sa
from alembic import op

revision = '0016_open_task_indexes'
down_revision = '0015_index_only_what_is_read'
branch_labels = None
depends_on = None

OPEN = "state = 'open'"
UNCLAIMED = "state = 'open' AND assignee IS NULL"
CLAIMED = "state = 'open' AND assignee IS NOT NULL"

# name, (columns, predicate) before, (columns, predicate) after; None: no such index
INDEXES = [
    ('ix_human_task_pool', (['state', 'role_code', 'org_code', 'assignee', 'due_sort', 'created_at'], None), None),
    ('ix_human_task_unclaimed', (['state', 'role_code', 'org_code', 'due_sort', 'created_at', 'id'], 'assignee IS NULL'),
     (['role_code', 'org_code', 'due_sort', 'created_at', 'id'], UNCLAIMED)),
    ('ix_human_task_party', (['state', 'party', 'role_code', 'assignee', 'due_sort', 'created_at'], None),
     (['party', 'role_code', 'due_sort', 'created_at', 'id'], UNCLAIMED)),
    ('ix_human_task_assignee', (['assignee', 'state', 'due_sort', 'created_at'], None),
     (['assignee', 'due_sort', 'created_at'], CLAIMED)),
    ('ix_human_task_due', (['state', 'due_at', 'org_code', 'process_key'], None),
     (['due_at', 'org_code', 'process_key'], OPEN)),
    ('ix_human_task_overdue', (['state', 'org_code', 'process_key', 'due_at'], None),
     (['process_key', 'org_code', 'due_at'], OPEN)),
]


def _recreate(name: str, shape: tuple[list[str], str | None] | None) -> None:
    if name in {i['name'] for i in sa.inspect(op.get_bind()).get_indexes('human_task')}:
        op.drop_index(name, table_name='human_task')
    if shape is None:
        return
    columns, where = shape
    kw = {} if where is None else {'postgresql_where': sa.text(where), 'sqlite_where': sa.text(where)}
    op.create_index(name, 'human_task', columns, unique=False, **kw)


def upgrade() -> None:
    for name, _before, after in INDEXES:
        _recreate(name, after)


def downgrade() -> None:
    for name, before, _after in INDEXES:
        _recreate(name, before)
