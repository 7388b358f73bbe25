"""A process model version's declared 案号 prefix (``caseNumberPrefix``, engine/case_numbers.py).

Until now a case number's prefix was its process key's initials, so ``hazard_statistics_report``
and ``hazard_self_report`` both numbered HSR-…: a reader could not tell 隐患排查治理情况统计分析表
from 隐患自查自报 by 案号. A model may now declare its prefix; the deploy stores it here, where the
case number's counter and the deploy's check that no two processes share a prefix read it without
parsing the model. Versions already deployed declare none (the feature is new): NULL, their key's
initials, as before; existing cases keep their numbers.

Revision ID: 0032_case_prefix
Revises: 0031_pg_facts_of_hazards
"""
import sqlalchemy as sa
from alembic import op

revision = '0032_case_prefix'
down_revision = '0031_pg_facts_of_hazards'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database whose tables were made from the models (before Alembic) may have it already.
    if 'case_prefix' not in {c['name'] for c in sa.inspect(op.get_bind()).get_columns('process_model')}:
        op.add_column('process_model', sa.Column('case_prefix', sa.String(length=8), nullable=True))


def downgrade() -> None:
    # Not batch mode: on SQLite that copies the table and drops the old one, which the foreign keys
    # of case_instance and others refuse (FOREIGN KEY constraint failed). SQLite has had ALTER TABLE
    # … DROP COLUMN since 3.35, as 0029 uses it.
    op.drop_column('process_model', 'case_prefix')
