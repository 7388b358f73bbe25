"""An index on the case a case was started from (issue 15, pages at a province's size).

The case page lists the cases started from or about it (派生案件, a 挂牌督办 of an accident: engine/queries.py
``child_cases``) by ``parent_case_id``, which had no index: every case page read the whole
``case_instance`` table — 90–120 ms at 100,000 cases under load — to find usually none.

Revision ID: 0013_case_parent_index
Revises: 0012_inspection_tally
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_case_parent_index'
down_revision = '0012_inspection_tally'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made before Alembic (tables from the models) may have the index already.
    if 'ix_case_instance_parent_case_id' not in {i['name'] for i in sa.inspect(op.get_bind()).get_indexes('case_instance')}:
        op.create_index('ix_case_instance_parent_case_id', 'case_instance', ['parent_case_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_case_instance_parent_case_id', table_name='case_instance')
