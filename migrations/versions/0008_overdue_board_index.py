"""The 逾期督办 board counted per cell from an index (issue 15, pages at a province's size).

The board counts a supervisor's overdue open tasks by org unit and process. Read from
``ix_human_task_due`` (state, due_at, …) it walked every overdue task of the province — 200,000 at
1,000,000 open tasks, 40 ms on a quiet machine and half a second under load. With
``ix_human_task_overdue`` (state, org_code, process_key, due_at) each cell of the board is one index
range: its oldest deadline is the range's first entry and its count stops at the board's cap
(engine/queries.py ``overdue_board``), so the board costs the same whatever the backlog.

Revision ID: 0008_overdue_board_index
Revises: 0007_task_exclusion_user
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_overdue_board_index'
down_revision = '0007_task_exclusion_user'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made before Alembic (tables from the models) may have the index already.
    if 'ix_human_task_overdue' not in {i['name'] for i in sa.inspect(op.get_bind()).get_indexes('human_task')}:
        op.create_index('ix_human_task_overdue', 'human_task', ['state', 'org_code', 'process_key', 'due_at'],
                        unique=False)


def downgrade() -> None:
    op.drop_index('ix_human_task_overdue', table_name='human_task')
