"""On SQLite a case of another process no longer pays for the hazard facts when its row is written (issue 15).

Every step sends one ``UPDATE case_instance SET updated_at = ?, version = ?`` (and ``data`` when it
changed, ``status``… when they did). On SQLite it paid for the hazard machinery whatever the process:

- the three hazard indexes (``ix_case_instance_hazard_found``, ``_hazard_key``, ``_hazards``) hold
  ``hazard_grade``, generated from ``data``: each UPDATE of ``data`` deleted and re-inserted the case's
  entry in all three, computing the column from the old and the new JSON (six ``json_extract``) and
  dirtying three index pages. Only hazard cases are read from them, and only hazard cases have
  ``hazard_found_day`` (engine/case_facts.py): they are now partial, ``WHERE hazard_found_day IS NOT
  NULL``. Their readers' comparisons of ``hazard_found_day`` imply it (workflows/hazard_ledger.py); the
  leadership dashboard's case lists say it (workflows/leadership/dashboard.py).
- the facts trigger (``UPDATE OF data, …``) fired on every step that changed the data: SQLite tests a
  trigger's WHEN inside its program, after allocating and clearing the program's registers, and that
  program is large. The case's triggers are now small and hand a hazard case to a view whose INSTEAD
  OF trigger computes the facts (``case_facts.sqlite_statements``).
- the four tally triggers (revisions 0010, 0014) fired on an UPDATE of any column, so even a step that
  sets only ``updated_at`` and ``version`` (its data unchanged) ran their programs and
  computed ``hazard_grade``/``listing_deadline`` of the old and new row from the JSON: they now name
  the columns their counts are made of (``data`` for the two generated ones).

Bare sqlite3 hot loop on a bench database (100 five_tasks cases and 100 hazard cases, thread CPU,
the schemas alternated statement by statement in one process, 3,000 UPDATEs each): a 5-task case's
``UPDATE … SET data, updated_at, version`` 32.1 → 16.6 µs, its ``SET updated_at, version`` 18.4 →
13.5 µs; a hazard case's 148.1 → 146.0 and 20.9 → 14.6 µs. The tallies and facts are the same rows.

PostgreSQL is unchanged: its tally triggers' WHEN is tested before any function is called, and an
UPDATE that changes no indexed column enters no index (HOT, revision 0018).

Revision ID: 0020_hazard_cases_only
Revises: 0019_last_task_on_case
"""
import sqlalchemy as sa
from alembic import op

from engine import case_facts

revision = '0020_hazard_cases_only'
down_revision = '0019_last_task_on_case'
branch_labels = None
depends_on = None

HAZARD_CASES = "hazard_found_day IS NOT NULL"  # engine/schema.py: the indexes' sqlite_where
INDEXES = {
    'ix_case_instance_hazard_found': ['hazard_found_day', 'org_code', 'hazard_grade', 'hazard_outcome',
                                      'hazard_due_day', 'hazard_cost_fen'],
    'ix_case_instance_hazard_key': ['hazard_key', 'hazard_found_day', 'org_code', 'hazard_grade', 'hazard_outcome',
                                    'hazard_due_day', 'hazard_cost_fen'],
    'ix_case_instance_hazards': ['process_key', 'status', 'org_code', 'hazard_grade', 'listing_deadline'],
}


def _indexes(where: str | None) -> None:
    existing = {i['name'] for i in sa.inspect(op.get_bind()).get_indexes('case_instance')}
    for name, columns in INDEXES.items():
        if name in existing:
            op.drop_index(name, table_name='case_instance')
        kw = {} if where is None else {'sqlite_where': sa.text(where)}
        op.create_index(name, 'case_instance', columns, unique=False, **kw)


# The tally triggers (revisions 0010 and 0014), AFTER UPDATE of any column, named the columns their
# counts are made of: ``hazard_grade`` and ``listing_deadline`` are made of ``data``.
_COUNTED_OF = "process_key, status, org_code, data"
_QUARTER_OF = ", ".join([c for c in case_facts.TALLY_WATCHED if c != "hazard_grade"] + ["data"])
TALLY_EVENTS = {'case_hazard_tally_update_out': _COUNTED_OF, 'case_hazard_tally_update_in': _COUNTED_OF,
                'hazard_quarter_tally_update_out': _QUARTER_OF, 'hazard_quarter_tally_update_in': _QUARTER_OF}
ANY_UPDATE = "AFTER UPDATE ON case_instance"


def _tally_events(named: bool) -> None:
    """Each tally trigger made again as it is, but for its event: ``AFTER UPDATE OF …`` or of any column."""
    bind = op.get_bind()
    for name, columns in TALLY_EVENTS.items():
        sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                                   (name,)).scalar()
        if sql is None:
            continue
        of = f"AFTER UPDATE OF {columns} ON case_instance"
        op.execute(f"DROP TRIGGER {name}")
        op.execute(sql.replace(ANY_UPDATE, of, 1) if named else sql.replace(of, ANY_UPDATE, 1))


def upgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    _indexes(HAZARD_CASES)
    for statement in case_facts.sqlite_statements(fenced=False):  # as it was; 0023 fences it
        op.execute(statement)
    _tally_events(named=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    _tally_events(named=False)
    for statement in case_facts.sqlite_drop_statements() + case_facts.create_statements('sqlite'):
        op.execute(statement)
    _indexes(None)
