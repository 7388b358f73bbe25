"""挂牌层级 in its own column, in the index the 挂牌督办 board reads (issue 15).

The 逾期督办 page's 挂牌督办 table (engine/queries.listing_board; 安全生产法 第四十一条第二款, 原国家安全监管总局令
第16号 第十四条、第十五条) counts open listings per unit and 挂牌层级. The level was read from each case's
``data`` (``listing_level``, bpmn/listing_level.dmn), which ``ix_case_instance_hazards`` does not hold:
every listed 重大 case's row and JSON was read (bench/pages.py, 1,000,000 tasks on PostgreSQL: 20,115
buffers, 141 ms under EXPLAIN ANALYZE, against 116 buffers grouped by unit alone).

``case_instance.listing_level`` (nullable text) holds it now, set with the hazard facts by the same
trigger (engine/case_facts.py: the PostgreSQL function, SQLite's view trigger, whose WHEN also watches
the key), filled here from the data of the hazard cases there are; ``ix_case_instance_hazards`` holds
it before ``listing_deadline``. The downgrade gives back the index, the triggers and the table of 0032.

Revision ID: 0035_listing_level_column
Revises: 0032_case_prefix
"""
import sqlalchemy as sa
from alembic import op

from engine import case_facts

revision = '0035_listing_level_column'
down_revision = '0032_case_prefix'
branch_labels = None
depends_on = None

INDEX = 'ix_case_instance_hazards'
HAZARD_CASES = 'hazard_found_day IS NOT NULL'  # engine/schema.py HAZARD_CASES
BEFORE = ['process_key', 'status', 'org_code', 'hazard_grade', 'listing_deadline']
AFTER = ['process_key', 'status', 'org_code', 'hazard_grade', 'listing_level', 'listing_deadline']


def _index(columns: list[str]) -> None:
    if INDEX in {i['name'] for i in sa.inspect(op.get_bind()).get_indexes('case_instance')}:
        op.drop_index(INDEX, table_name='case_instance')
    op.create_index(INDEX, 'case_instance', columns, unique=False,
                    sqlite_where=sa.text(HAZARD_CASES), postgresql_where=sa.text(HAZARD_CASES))


def _triggers(level: bool) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        statements = case_facts.pg_statements(when_hazard=True, level=level)
    else:
        statements = case_facts.sqlite_statements(fenced=True, when_changed=True, level=level)
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    if 'listing_level' not in {c['name'] for c in sa.inspect(op.get_bind()).get_columns('case_instance')}:
        op.add_column('case_instance', sa.Column('listing_level', sa.Text(), nullable=True))
    # Text only, as the trigger reads it (case_facts.level_of). The column is no input of any trigger.
    if op.get_bind().dialect.name == 'postgresql':
        level = ("CASE WHEN json_typeof(data -> 'listing_level') = 'string' "
                 "THEN data ->> 'listing_level' END")
    else:
        level = ("CASE WHEN json_type(data, '$.\"listing_level\"') = 'text' "
                 "THEN json_extract(data, '$.\"listing_level\"') END")
    op.execute(f"UPDATE case_instance SET listing_level = {level} "
               f"WHERE process_key {case_facts.HAZARD_IN} AND {level} IS NOT NULL")
    _triggers(True)
    _index(AFTER)


def downgrade() -> None:
    _triggers(False)
    _index(BEFORE)
    # Not batch mode: on SQLite that copies the table, which the foreign keys of others refuse.
    op.drop_column('case_instance', 'listing_level')
