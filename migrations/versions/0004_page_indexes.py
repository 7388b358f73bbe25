"""Indexes for the pages at a province's size (1,000,000 open tasks, 100,000 cases; issue 15).

The unclaimed task pool in queue order: ``ix_human_task_unclaimed`` (state, role_code, org_code,
due_sort, created_at, id) WHERE assignee IS NULL.

PostgreSQL does not take ``assignee IS NULL`` as fixing that column of ``ix_human_task_pool``, so a
group queue sorted by due date read and sorted a role's whole pool: 166,000 tasks and about a second
for a city supervisor at a province's size (bench/pages.py --postgres --tasks 1000000). With this
index each org unit's pool is read in order and stops after one page (engine/queries.py first_tasks).

Running cases most escalated first: ``ix_case_instance_escalation`` (status, escalation_level,
started_at, id), the order of the 逾期督办 list (webui/overdue.py), which sorted every running case.

Revision ID: 0004_page_indexes
Revises: 0003_human_task_case_due
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_page_indexes'
down_revision = '0003_human_task_case_due'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made before Alembic (tables from the models) may have the index already.
    inspector = sa.inspect(op.get_bind())
    if 'ix_case_instance_escalation' not in {i['name'] for i in inspector.get_indexes('case_instance')}:
        op.create_index('ix_case_instance_escalation', 'case_instance',
                        ['status', 'escalation_level', 'started_at', 'id'], unique=False)
    if 'ix_human_task_unclaimed' not in {i['name'] for i in inspector.get_indexes('human_task')}:
        op.create_index('ix_human_task_unclaimed', 'human_task',
                        ['state', 'role_code', 'org_code', 'due_sort', 'created_at', 'id'], unique=False,
                        postgresql_where=sa.text('assignee IS NULL'), sqlite_where=sa.text('assignee IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_human_task_unclaimed', table_name='human_task')
    op.drop_index('ix_case_instance_escalation', table_name='case_instance')
