"""A case's open tasks by deadline: ``ix_human_task_case`` (case_id, state) becomes
``ix_human_task_case_due`` (case_id, state, due_at).

Whether a case has an open task past its deadline (逾期督办, webui/overdue.py) is asked per case by
the overdue board, the case list and every queue's marks. Without due_at in the index SQLite probed
by (state, due_at) instead and read every overdue task of the city for each case: 1.8 s for the
overdue board at 10,000 tasks, minutes at 100,000 (bench/pages.py).

Revision ID: 0003_human_task_case_due
Revises: 0002_local_rules_calendar
"""
import sqlalchemy as sa
from alembic import op

revision = '0003_human_task_case_due'
down_revision = '0002_local_rules_calendar'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made before Alembic (tables from the models) may have the new index already.
    existing = {i['name'] for i in sa.inspect(op.get_bind()).get_indexes('human_task')}
    if 'ix_human_task_case_due' not in existing:
        op.create_index('ix_human_task_case_due', 'human_task', ['case_id', 'state', 'due_at'], unique=False)
    if 'ix_human_task_case' in existing:
        op.drop_index('ix_human_task_case', table_name='human_task')


def downgrade() -> None:
    op.create_index('ix_human_task_case', 'human_task', ['case_id', 'state'], unique=False)
    op.drop_index('ix_human_task_case_due', table_name='human_task')
