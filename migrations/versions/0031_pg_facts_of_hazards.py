"""PostgreSQL: a case's write calls the hazard-facts function only for a hazard case (issue 15).

The facts of a hazard case (隐患季度统计, 原国家安全监管总局令第16号: engine/case_facts.py) are set on
PostgreSQL by the BEFORE trigger ``case_instance_hazard_facts`` since revision 0011, on INSERT and on
every UPDATE naming a column they are made of — ``data`` above all, which every step whose data moved
writes. For a case of any other process the trigger called its plpgsql function to set five NULL
columns to NULL again (~14 µs of the server's time an UPDATE).

``case_facts.pg_statements(when_hazard=True)``: the UPDATE trigger is ``case_instance_hazard_facts_update``,
``WHEN`` the row is or was a hazard case's; the INSERT trigger and the function are as before. A
hazard case's write works its facts out as before (``pg_statements`` says why SQLite's skip of
revision 0033 is no gain here). SQLite: nothing.

Revision ID: 0031_pg_facts_of_hazards
Revises: 0030_party_hidden_messages
"""
from alembic import op

from engine import case_facts

revision = '0031_pg_facts_of_hazards'
down_revision = '0030_party_hidden_messages'
branch_labels = None
depends_on = None


def _facts(when_hazard: bool) -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for statement in case_facts.pg_statements(when_hazard=when_hazard):
        op.execute(statement)


def upgrade() -> None:
    _facts(True)


def downgrade() -> None:
    _facts(False)
