"""Each quarter's hazard counts per org unit, kept by the database as cases change (issue 15).

隐患季度统计 summed the hazard facts of revision 0011 over every hazard found in the quarter — one
index entry each, 100,000 at a province's size (70 ms under load). A hazard is counted in the quarter
it was found in, as of that quarter's last day, so what one case adds to the figures is fixed by its
own facts: ``hazard_quarter_tally`` holds the sums per (quarter, org unit, enterprise '' or not),
kept by triggers on ``case_instance`` in the transaction of every write that changes a case's facts
(engine/case_facts.py), and the page reads a few rows. Rows counted down to zero stay (all zero).

Revision ID: 0014_hazard_quarter_tally
Revises: 0013_case_parent_index
"""
import sqlalchemy as sa
from alembic import op

from engine import case_facts

revision = '0014_hazard_quarter_tally'
down_revision = '0013_case_parent_index'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if case_facts.TALLY not in sa.inspect(bind).get_table_names():
        op.create_table(
            case_facts.TALLY,
            sa.Column('quarter_first', sa.Integer(), nullable=False),
            sa.Column('org_code', sa.String(length=64), nullable=False),
            sa.Column('blank', sa.Integer(), nullable=False),
            *[sa.Column(name, sa.BigInteger() if name == 'fen' else sa.Integer(), nullable=False)
              for name in case_facts.TALLY_SUMS],
            sa.PrimaryKeyConstraint('quarter_first', 'org_code', 'blank'),
        )
    for statement in case_facts.tally_drop_statements(bind.dialect.name):
        op.execute(statement)
    op.execute(f"DELETE FROM {case_facts.TALLY}")
    op.execute(case_facts.tally_fill(bind.dialect.name))
    for statement in case_facts.tally_create_statements(bind.dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in case_facts.tally_drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table(case_facts.TALLY)
