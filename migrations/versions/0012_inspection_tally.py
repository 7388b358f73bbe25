"""Graded enterprises counted by the database as the registry changes, for 通报排名 (issue 15).

The quarterly ranking's 检查完成率 counts, per risk level (红橙黄蓝) and org unit, the graded
enterprises and those inspected within their level's interval as of today. Counted from
``ix_enterprises_inspection`` on every view, that read one index entry per graded enterprise (100,000
at a province's size: 24 ms on a quiet machine, several times that under load).
``enterprise_inspection_tally`` holds one row per (risk level, org unit, last inspection date) with
how many enterprises share it, kept by triggers on ``enterprises`` in the transaction of every
insert, update and delete — an import, an inspection recorded, a regrading, a bulk load — so the
ranking sums a few hundred rows and its figures stay exactly those of the registry.

``inspected`` is 0 for an enterprise never inspected (``last_inspected_on`` NULL; the key column then
holds 0001-01-01, never compared); the triggers fire only for graded enterprises whose counted columns
change, and a row counted down to 0 is removed.

Revision ID: 0012_inspection_tally
Revises: 0011_hazard_quarter_facts
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_inspection_tally'
down_revision = '0011_hazard_quarter_facts'
branch_labels = None
depends_on = None

NEVER = "DATE '0001-01-01'"
COLUMNS = "risk_level, org_unit, last_inspected_on, inspected, n"
CHANGED = ("OLD.risk_level IS NOT NEW.risk_level OR OLD.org_unit IS NOT NEW.org_unit "
           "OR OLD.last_inspected_on IS NOT NEW.last_inspected_on")


def _key(row: str, never: str) -> str:
    prefix = f"{row}." if row else ""
    return (f"{prefix}risk_level, {prefix}org_unit, coalesce({prefix}last_inspected_on, {never}), "
            f"CASE WHEN {prefix}last_inspected_on IS NULL THEN 0 ELSE 1 END")


def _match(row: str, never: str) -> str:
    return (f"risk_level = {row}.risk_level AND org_unit = {row}.org_unit "
            f"AND last_inspected_on = coalesce({row}.last_inspected_on, {never}) "
            f"AND inspected = CASE WHEN {row}.last_inspected_on IS NULL THEN 0 ELSE 1 END")


def _statements(never: str, where_true: str) -> tuple[str, str]:
    down = (f"UPDATE enterprise_inspection_tally SET n = n - 1 WHERE {_match('OLD', never)}; "
            f"DELETE FROM enterprise_inspection_tally WHERE n = 0 AND {_match('OLD', never)};")
    up = (f"INSERT INTO enterprise_inspection_tally ({COLUMNS}) SELECT {_key('NEW', never)}, 1 {where_true} "
          f"ON CONFLICT (risk_level, org_unit, last_inspected_on, inspected) "
          f"DO UPDATE SET n = enterprise_inspection_tally.n + 1;")
    return down, up


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == 'postgresql'
    never = NEVER if postgres else "'0001-01-01'"  # SQLite keeps a DATE as ISO text
    if 'enterprise_inspection_tally' not in sa.inspect(bind).get_table_names():
        op.create_table(
            'enterprise_inspection_tally',
            sa.Column('risk_level', sa.String(length=8), nullable=False),
            sa.Column('org_unit', sa.String(length=64), nullable=False),
            sa.Column('last_inspected_on', sa.Date(), nullable=False),
            sa.Column('inspected', sa.Integer(), nullable=False),
            sa.Column('n', sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint('risk_level', 'org_unit', 'last_inspected_on', 'inspected'),
        )
    _drop_triggers(postgres)
    op.execute("DELETE FROM enterprise_inspection_tally")
    op.execute(f"INSERT INTO enterprise_inspection_tally ({COLUMNS}) SELECT {_key('', never)}, count(*) "
               f"FROM enterprises WHERE risk_level IS NOT NULL GROUP BY {_key('', never)}")
    down, up = _statements(never, "" if postgres else "WHERE true")
    if postgres:
        op.execute(f"""
CREATE OR REPLACE FUNCTION enterprise_inspection_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.risk_level IS NOT NULL THEN
        {down}
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.risk_level IS NOT NULL THEN
        {up}
    END IF;
    RETURN NULL;
END $$""")
        changed = CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")
        run = "EXECUTE FUNCTION enterprise_inspection_tally_keep()"
        op.execute(f"CREATE TRIGGER enterprise_inspection_tally_insert AFTER INSERT ON enterprises FOR EACH ROW "
                   f"WHEN (NEW.risk_level IS NOT NULL) {run}")
        op.execute(f"CREATE TRIGGER enterprise_inspection_tally_update AFTER UPDATE ON enterprises FOR EACH ROW "
                   f"WHEN ((OLD.risk_level IS NOT NULL OR NEW.risk_level IS NOT NULL) AND ({changed})) {run}")
        op.execute(f"CREATE TRIGGER enterprise_inspection_tally_delete AFTER DELETE ON enterprises FOR EACH ROW "
                   f"WHEN (OLD.risk_level IS NOT NULL) {run}")
    else:
        # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT.
        op.execute(f"CREATE TRIGGER enterprise_inspection_tally_insert AFTER INSERT ON enterprises "
                   f"WHEN NEW.risk_level IS NOT NULL BEGIN {up} END")
        op.execute(f"CREATE TRIGGER enterprise_inspection_tally_update_out AFTER UPDATE ON enterprises "
                   f"WHEN OLD.risk_level IS NOT NULL AND ({CHANGED}) BEGIN {down} END")
        op.execute(f"CREATE TRIGGER enterprise_inspection_tally_update_in AFTER UPDATE ON enterprises "
                   f"WHEN NEW.risk_level IS NOT NULL AND ({CHANGED}) BEGIN {up} END")
        op.execute(f"CREATE TRIGGER enterprise_inspection_tally_delete AFTER DELETE ON enterprises "
                   f"WHEN OLD.risk_level IS NOT NULL BEGIN {down} END")


def _drop_triggers(postgres: bool) -> None:
    for name in ('enterprise_inspection_tally_insert', 'enterprise_inspection_tally_update',
                 'enterprise_inspection_tally_update_out', 'enterprise_inspection_tally_update_in',
                 'enterprise_inspection_tally_delete'):
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON enterprises" if postgres else f"DROP TRIGGER IF EXISTS {name}")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    _drop_triggers(postgres)
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS enterprise_inspection_tally_keep()")
    op.drop_table('enterprise_inspection_tally')
