"""A user's 回避 exclusions by username (issue 15, queues at a province's size).

Every queue, 组待办 and 审批 list first reads the tasks a separation-of-duty rule hides from the
user (engine/queries.py ``Scope.of``). ``task_exclusion``'s key is (task_id, username), so that
read scanned the whole table — one row per excluded person per open task, growing with the province's
caseload. ``ix_task_exclusion_username`` (username, task_id) answers it from the index alone.

Revision ID: 0007_task_exclusion_user
Revises: 0006_case_facts
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_task_exclusion_user'
down_revision = '0006_case_facts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made before Alembic (tables from the models) may have the index already.
    if 'ix_task_exclusion_username' not in {i['name'] for i in sa.inspect(op.get_bind()).get_indexes('task_exclusion')}:
        op.create_index('ix_task_exclusion_username', 'task_exclusion', ['username', 'task_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_task_exclusion_username', table_name='task_exclusion')
