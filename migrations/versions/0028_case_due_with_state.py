"""``ix_human_task_case_due`` is (case_id, state, due_at) again on a database that ran revision 0027 as it
was first written (case_id, due_at): see 0027. Elsewhere it already is, and nothing is done.

Revision ID: 0028_case_due_with_state
Revises: 0027_case_due_without_state
"""
import sqlalchemy as sa
from alembic import op

revision = '0028_case_due_with_state'
down_revision = '0027_case_due_without_state'
branch_labels = None
depends_on = None

NAME = 'ix_human_task_case_due'
COLUMNS = ['case_id', 'state', 'due_at']


def upgrade() -> None:
    found = None
    for index in sa.inspect(op.get_bind()).get_indexes('human_task'):
        if index['name'] == NAME:
            found = list(index['column_names'])
    if found == COLUMNS:
        return
    if found is not None:
        op.drop_index(NAME, table_name='human_task')
    op.create_index(NAME, 'human_task', COLUMNS, unique=False)


def downgrade() -> None:
    pass  # 0027 left the index as it found it: (case_id, state, due_at)
