"""Local rules by effective date (workflows/rules.py) and 放假调休 years (workflows/calendar.py).

Revision ID: 0002_local_rules_calendar
Revises: 0001_baseline
"""
from alembic import op
import sqlalchemy as sa

revision = '0002_local_rules_calendar'
down_revision = '0001_baseline'
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if 'local_rule_version' not in existing:
        op.create_table('local_rule_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('old_value', sa.Text(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('changed_by', sa.String(length=64), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'))
        op.create_index(op.f('ix_local_rule_version_key'), 'local_rule_version', ['key'], unique=False)
    if 'holiday_notice' not in existing:
        op.create_table('holiday_notice',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('holidays', sa.Text(), nullable=False),
        sa.Column('makeup_workdays', sa.Text(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('entered_by', sa.String(length=64), nullable=False),
        sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('year'))


def downgrade() -> None:
    op.drop_table('holiday_notice')
    op.drop_index(op.f('ix_local_rule_version_key'), table_name='local_rule_version')
    op.drop_table('local_rule_version')
