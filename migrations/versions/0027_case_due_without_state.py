"""``ix_human_task_case_due`` without ``state``: (case_id, due_at) (issue 15).

Every completion sets ``human_task.state`` from 'open' to 'completed', and with ``state`` in this
index SQLite deleted the task's entry and inserted it again further on in the case's range: one
b-tree page more a completion, one WAL frame of its COMMIT (and of what the checkpoint copies back),
for a column every reader compares on rows it reads anyway — a case's open tasks (the case page,
the projections' inputs, 领导驾驶舱's 执法案件 stages) and whether an open task of a case is past its
deadline (逾期督办: ``case_id = ? AND due_at < ?`` in the index, then the state of those few rows).
``case_id`` and ``due_at`` do not change when a task is completed, so a completion no longer writes
a page of this index. On PostgreSQL the completion's UPDATE is not HOT either way (``state`` is in
the open-task indexes' predicates); the index is one column narrower.

Revision ID: 0027_case_due_without_state
Revises: 0026_enterprise_kind
"""
import sqlalchemy as sa
from alembic import op

revision = '0027_case_due_without_state'
down_revision = '0026_enterprise_kind'
branch_labels = None
depends_on = None

NAME = 'ix_human_task_case_due'


def _columns() -> list[str] | None:
    for index in sa.inspect(op.get_bind()).get_indexes('human_task'):
        if index['name'] == NAME:
            return list(index['column_names'])
    return None


def upgrade() -> None:
    columns = _columns()
    if columns == ['case_id', 'due_at']:
        return
    if columns is not None:
        op.drop_index(NAME, table_name='human_task')
    op.create_index(NAME, 'human_task', ['case_id', 'due_at'], unique=False)


def downgrade() -> None:
    if _columns() is not None:
        op.drop_index(NAME, table_name='human_task')
    op.create_index(NAME, 'human_task', ['case_id', 'state', 'due_at'], unique=False)
