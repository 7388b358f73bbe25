"""SQLite: a hazard case's write computes its facts only when what they are made of changed (issue 15).

The facts of a hazard case (隐患季度统计, 原国家安全监管总局令第16号: engine/case_facts.py) are worked out
by the database from the case row's ``data`` and a few of its columns. Since revision 0020 SQLite's
``case_instance_hazard_facts_update`` trigger hands a hazard case's row to the view
``case_hazard_facts_input``, whose INSTEAD OF trigger computes the facts and writes them back with a
second ``UPDATE`` of the row — on every write naming ``data``, i.e. every step whose data moved at
all, though the facts read eleven keys of it. Most steps of a hazard case move none of those: the
program ran (one ``json_each`` pivot, the day readings), and the row and its three hazard indexes
were rewritten to the same facts — ~125 µs of a ~140 µs ``UPDATE`` (bare sqlite3,
bench/case_update.py) and three WAL pages at commit.

The trigger's WHEN now also asks ``case_facts.inputs_changed()``: a column the facts read other than
``data`` differs, or the values of the eleven keys (one ``json_extract`` of all their paths on each
side) do. The facts depend on nothing else (no clock, no other row), so a write that leaves those
inputs as they were leaves the facts as they were. PostgreSQL computes them in a BEFORE trigger
(plpgsql) on the row being written, with no second write: unchanged.

Revision ID: 0033_hazard_facts_when_changed
Revises: 0029_assessor_firm
"""
from alembic import op

from engine import case_facts

revision = '0033_hazard_facts_when_changed'
down_revision = '0029_assessor_firm'
branch_labels = None
depends_on = None


def _facts(when_changed: bool) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for statement in case_facts.sqlite_statements(fenced=True, when_changed=when_changed):
        op.execute(statement)


def upgrade() -> None:
    _facts(True)


def downgrade() -> None:
    _facts(False)
