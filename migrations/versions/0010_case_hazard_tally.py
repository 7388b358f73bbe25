"""Running hazards counted by the database as cases change, for the leadership dashboard (issue 15).

领导驾驶舱's 在办隐患 and 挂牌逾期 figures count the running ``hazard_supervision`` cases by org unit,
grade and listing deadline. Counted from ``ix_case_instance_hazards`` on every view, that read one
index entry per running hazard (100,000 at a province's size: 14 ms on a quiet machine, 50 and more
under load). ``case_hazard_tally`` holds those counts, one row per (org unit, grade, listing
deadline), kept by triggers on ``case_instance`` in the same transaction as every insert, update and
delete of a case — whichever code writes it (the step pipeline, the timer batches, an import, a
bulk load) — so the dashboard sums a few hundred rows and its figures stay exactly those of the cases.

``hazard_grade`` and ``listing_deadline`` are the generated columns of revision 0006; a key column
holds '' for NULL (``listed`` tells a NULL deadline from an empty one), so each combination is one
primary key for the upsert. The triggers fire only for hazard cases whose counted columns change (a
step that only bumps a case's version touches no tally row), and a row counted down to 0 is removed.

Revision ID: 0010_case_hazard_tally
Revises: 0008_overdue_board_index
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_case_hazard_tally'
down_revision = '0008_overdue_board_index'
branch_labels = None
depends_on = None

PROCESS = 'hazard_supervision'  # workflows/leadership/dashboard.py HAZARD
COUNTED = f"process_key = '{PROCESS}' AND status = 'running'"
KEY = "org_code, coalesce(hazard_grade, ''), coalesce(listing_deadline, ''), CASE WHEN listing_deadline IS NULL THEN 0 ELSE 1 END"
MATCH = ("org_code = {r}.org_code AND hazard_grade = coalesce({r}.hazard_grade, '') "
         "AND listing_deadline = coalesce({r}.listing_deadline, '') "
         "AND listed = CASE WHEN {r}.listing_deadline IS NULL THEN 0 ELSE 1 END")
CHANGED = ("OLD.process_key IS NOT NEW.process_key OR OLD.status IS NOT NEW.status OR OLD.org_code IS NOT NEW.org_code "
           "OR OLD.hazard_grade IS NOT NEW.hazard_grade OR OLD.listing_deadline IS NOT NEW.listing_deadline")


def _counted(row: str) -> str:
    return f"{row}.process_key = '{PROCESS}' AND {row}.status = 'running'"


def _values(row: str) -> str:
    return KEY.replace("org_code", f"{row}.org_code", 1).replace("hazard_grade", f"{row}.hazard_grade") \
        .replace("listing_deadline", f"{row}.listing_deadline")


UPSERT = ("INSERT INTO case_hazard_tally (org_code, hazard_grade, listing_deadline, listed, n) "
          "SELECT {values}, 1 {where} ON CONFLICT (org_code, hazard_grade, listing_deadline, listed) "
          "DO UPDATE SET n = case_hazard_tally.n + 1")
DOWN = "UPDATE case_hazard_tally SET n = n - 1 WHERE {match}"
EMPTIED = "DELETE FROM case_hazard_tally WHERE n = 0 AND {match}"


def upgrade() -> None:
    bind = op.get_bind()
    if 'case_hazard_tally' not in sa.inspect(bind).get_table_names():
        op.create_table(
            'case_hazard_tally',
            sa.Column('org_code', sa.String(length=64), nullable=False),
            sa.Column('hazard_grade', sa.Text(), nullable=False),
            sa.Column('listing_deadline', sa.Text(), nullable=False),
            sa.Column('listed', sa.Integer(), nullable=False),
            sa.Column('n', sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint('org_code', 'hazard_grade', 'listing_deadline', 'listed'),
        )
    _drop_triggers(bind.dialect.name)
    op.execute("DELETE FROM case_hazard_tally")
    op.execute(f"INSERT INTO case_hazard_tally (org_code, hazard_grade, listing_deadline, listed, n) "
               f"SELECT {KEY}, count(*) FROM case_instance WHERE {COUNTED} GROUP BY {KEY}")
    if bind.dialect.name == 'postgresql':
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _postgresql_triggers() -> None:
    old, new = "OLD", "NEW"
    op.execute(f"""
CREATE OR REPLACE FUNCTION case_hazard_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND {_counted(old)} THEN
        {DOWN.format(match=MATCH.format(r=old))};
        {EMPTIED.format(match=MATCH.format(r=old))};
    END IF;
    IF TG_OP <> 'DELETE' AND {_counted(new)} THEN
        {UPSERT.format(values=_values(new), where='')};
    END IF;
    RETURN NULL;
END $$""")
    changed = CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")
    op.execute(f"CREATE TRIGGER case_hazard_tally_insert AFTER INSERT ON case_instance FOR EACH ROW "
               f"WHEN ({_counted(new)}) EXECUTE FUNCTION case_hazard_tally_keep()")
    op.execute(f"CREATE TRIGGER case_hazard_tally_update AFTER UPDATE ON case_instance FOR EACH ROW "
               f"WHEN (({_counted(old)} OR {_counted(new)}) AND ({changed})) EXECUTE FUNCTION case_hazard_tally_keep()")
    op.execute(f"CREATE TRIGGER case_hazard_tally_delete AFTER DELETE ON case_instance FOR EACH ROW "
               f"WHEN ({_counted(old)}) EXECUTE FUNCTION case_hazard_tally_keep()")


def _sqlite_triggers() -> None:
    old, new = "OLD", "NEW"
    down = f"{DOWN.format(match=MATCH.format(r=old))}; {EMPTIED.format(match=MATCH.format(r=old))};"
    # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
    up = UPSERT.format(values=_values(new), where="WHERE true") + ";"
    op.execute(f"CREATE TRIGGER case_hazard_tally_insert AFTER INSERT ON case_instance "
               f"WHEN {_counted(new)} BEGIN {up} END")
    op.execute(f"CREATE TRIGGER case_hazard_tally_update_out AFTER UPDATE ON case_instance "
               f"WHEN {_counted(old)} AND ({CHANGED}) BEGIN {down} END")
    op.execute(f"CREATE TRIGGER case_hazard_tally_update_in AFTER UPDATE ON case_instance "
               f"WHEN {_counted(new)} AND ({CHANGED}) BEGIN {up} END")
    op.execute(f"CREATE TRIGGER case_hazard_tally_delete AFTER DELETE ON case_instance "
               f"WHEN {_counted(old)} BEGIN {down} END")


def _drop_triggers(dialect: str) -> None:
    for name in ('case_hazard_tally_insert', 'case_hazard_tally_update', 'case_hazard_tally_update_out',
                 'case_hazard_tally_update_in', 'case_hazard_tally_delete'):
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON case_instance" if dialect == 'postgresql'
                   else f"DROP TRIGGER IF EXISTS {name}")


def downgrade() -> None:
    _drop_triggers(op.get_bind().dialect.name)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS case_hazard_tally_keep()")
    op.drop_table('case_hazard_tally')
