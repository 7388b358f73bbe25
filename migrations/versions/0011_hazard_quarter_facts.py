"""The hazard facts of each case for the 16号令 quarterly statistics, kept by the database (issue 15).

隐患季度统计 read every hazard case's JSON into Python (27.5 s for a province's 100,000 cases). Five
columns of ``case_instance`` now hold what it counts — the day found, what became of the hazard,
its deadline, the money spent (in fen) and the enterprise it is counted under — written by a
trigger from the case's data and columns whenever those change (engine/case_facts.py says how and
why a trigger: the JSON is parsed once per write, and only for the two hazard processes). Two
indexes answer the page: per district by the day found, per enterprise in name order.

The revision fills the columns of the cases already there by touching their ``process_key``.

Revision ID: 0011_hazard_quarter_facts
Revises: 0010_case_hazard_tally
"""
import sqlalchemy as sa
from alembic import op

from engine import case_facts

revision = '0011_hazard_quarter_facts'
down_revision = '0010_case_hazard_tally'
branch_labels = None
depends_on = None

COLUMNS = {'hazard_found_day': sa.Integer(), 'hazard_outcome': sa.Integer(), 'hazard_due_day': sa.Integer(),
           'hazard_cost_fen': sa.BigInteger(),
           'hazard_key': sa.Text().with_variant(sa.Text(collation='C'), 'postgresql')}  # code point order
INDEXES = {
    'ix_case_instance_hazard_found': ['hazard_found_day', 'org_code', 'hazard_grade', 'hazard_outcome',
                                      'hazard_due_day', 'hazard_cost_fen'],
    'ix_case_instance_hazard_key': ['hazard_key', 'hazard_found_day', 'org_code', 'hazard_grade', 'hazard_outcome',
                                    'hazard_due_day', 'hazard_cost_fen'],
}


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    # A database whose tables were made from the models (before Alembic) may have them already.
    columns = {c['name'] for c in inspector.get_columns('case_instance')}
    for name, kind in COLUMNS.items():
        if name not in columns:
            op.add_column('case_instance', sa.Column(name, kind, nullable=True))
    for statement in case_facts.create_statements(bind.dialect.name):
        op.execute(statement)
    op.execute(f"UPDATE case_instance SET process_key = process_key WHERE process_key {case_facts.HAZARD_IN}")
    indexes = {i['name'] for i in inspector.get_indexes('case_instance')}
    for name, index_columns in INDEXES.items():
        if name not in indexes:
            op.create_index(name, 'case_instance', index_columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name='case_instance')
    for statement in case_facts.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    for name in COLUMNS:
        op.drop_column('case_instance', name)
