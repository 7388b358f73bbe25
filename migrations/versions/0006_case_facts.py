"""Case facts for the leadership pages as generated columns, and the indexes that answer them (issue 15).

At a province's size (100,000 running cases) the leadership dashboard parsed every case's ``data``
JSON several times per row (846 ms on PostgreSQL, whose ``json`` is re-parsed at each ``->>``). The
two facts it groups by are now columns the database keeps from ``data`` on every write:

- ``hazard_grade``: ``data.hazard_grade`` (隐患等级);
- ``listing_deadline``: ``data.rectify_deadline`` of a case with ``data.listed_at`` (挂牌督办的整改期限).

PostgreSQL stores them (``GENERATED … STORED``: adding them rewrites the table once, which fills them
for every existing row); SQLite computes them on read (``VIRTUAL``: ``ALTER TABLE ADD COLUMN`` cannot
add a stored one) and keeps them in the index. ``ix_case_instance_hazards`` answers the dashboard's
hazard figures from the index alone; ``ix_case_instance_ended`` and ``ix_case_instance_started``
find the cases of a process ended (销号) or started (事故, 双随机) in a period without reading the
process's whole history.

Revision ID: 0006_case_facts
Revises: 0005_provisional_deadline
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_case_facts'
down_revision = '0005_provisional_deadline'
branch_labels = None
depends_on = None

EXPRESSIONS = {
    'postgresql': {
        'hazard_grade': "CAST(data ->> 'hazard_grade' AS VARCHAR)",
        'listing_deadline': "CASE WHEN (CAST((data ->> 'listed_at') AS VARCHAR) IS NOT NULL) "
                            "THEN CAST(data ->> 'rectify_deadline' AS VARCHAR) END",
    },
    'sqlite': {
        'hazard_grade': "CAST(JSON_EXTRACT(data, '$.\"hazard_grade\"') AS VARCHAR)",
        'listing_deadline': "CASE WHEN (CAST(JSON_EXTRACT(data, '$.\"listed_at\"') AS VARCHAR) IS NOT NULL) "
                            "THEN CAST(JSON_EXTRACT(data, '$.\"rectify_deadline\"') AS VARCHAR) END",
    },
}
INDEXES = {
    'ix_case_instance_hazards': ['process_key', 'status', 'org_code', 'hazard_grade', 'listing_deadline'],
    'ix_case_instance_ended': ['process_key', 'status', 'ended_at'],
    'ix_case_instance_started': ['process_key', 'started_at'],
}


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    # A database whose tables were made from the models (before Alembic) may have them already.
    columns = {c['name'] for c in inspector.get_columns('case_instance')}
    stored = 'STORED' if bind.dialect.name == 'postgresql' else 'VIRTUAL'
    for name, expression in EXPRESSIONS[bind.dialect.name].items():
        if name not in columns:
            op.execute(f'ALTER TABLE case_instance ADD COLUMN {name} TEXT GENERATED ALWAYS AS ({expression}) {stored}')
    indexes = {i['name'] for i in inspector.get_indexes('case_instance')}
    for name, index_columns in INDEXES.items():
        if name not in indexes:
            op.create_index(name, 'case_instance', index_columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name='case_instance')
    for name in EXPRESSIONS['sqlite']:
        op.execute(f'ALTER TABLE case_instance DROP COLUMN {name}')
