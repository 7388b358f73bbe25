"""Working-day deadlines counted on a provisional calendar, recomputed when the year is entered
(workflows/calendar.py: provisional_deadline).

Revision ID: 0005_provisional_deadline
Revises: 0004_page_indexes
"""
from alembic import op
import sqlalchemy as sa

revision = '0005_provisional_deadline'
down_revision = '0004_page_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if 'provisional_deadline' not in existing:
        op.create_table('provisional_deadline',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('start', sa.String(length=10), nullable=False),
        sa.Column('workdays', sa.Integer(), nullable=False),
        sa.Column('result', sa.String(length=10), nullable=False),
        sa.Column('first_year', sa.Integer(), nullable=False),
        sa.Column('last_year', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
        op.create_index(op.f('ix_provisional_deadline_case_id'), 'provisional_deadline', ['case_id'], unique=False)
        op.create_index(op.f('ix_provisional_deadline_last_year'), 'provisional_deadline', ['last_year'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_provisional_deadline_last_year'), table_name='provisional_deadline')
    op.drop_index(op.f('ix_provisional_deadline_case_id'), table_name='provisional_deadline')
    op.drop_table('provisional_deadline')
