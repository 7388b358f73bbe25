"""``case_instance``'s indexes hold only the rows their readers read (issue 15).

- ``ix_case_instance_process_key`` (``process_key``, from the baseline) is a prefix of
  ``ix_case_instance_started`` (``process_key, started_at``) and ``ix_case_instance_ended``
  (``process_key, status, ended_at``): a reader of ``process_key = ?`` finds the same range there.
  Dropped on both databases.
- ``ix_case_instance_parent_case_id`` held an entry for every case, NULL for each case not derived
  from another (nearly all); its one reader (engine/queries.py ``child_cases``) compares
  ``parent_case_id = ?``, which implies ``parent_case_id IS NOT NULL``: the index holds derived
  cases only, on both databases.
- PostgreSQL: the three hazard indexes (``ix_case_instance_hazard_found``, ``_hazard_key``,
  ``_hazards``) hold hazard cases only (``hazard_found_day IS NOT NULL``), as on SQLite since
  revision 0020; their readers' comparisons of ``hazard_found_day`` imply it.

What a write saves: on PostgreSQL an UPDATE of a case row that is not HOT — the completion that ends
a case changes ``status`` and ``ended_at``, which ``ix_case_instance_escalation`` and
``ix_case_instance_ended`` hold — enters the new row version in every index whose predicate it
meets: 13 index tuples for a case of any process but the hazard ones, 8 now. A case's start enters
5 fewer on PostgreSQL, 2 fewer b-trees (WAL frames) on SQLite, where an UPDATE enters only the
indexes whose columns it changes (a completion's writes are the same there).

Revision ID: 0025_case_indexes_read
Revises: 0024_wf_task_case_key
"""
import sqlalchemy as sa
from alembic import op

revision = '0025_case_indexes_read'
down_revision = '0024_wf_task_case_key'
branch_labels = None
depends_on = None

PROCESS_KEY = 'ix_case_instance_process_key'
PARENT = 'ix_case_instance_parent_case_id'
DERIVED_CASES = 'parent_case_id IS NOT NULL'  # engine/schema.py DERIVED_CASES
HAZARD_CASES = 'hazard_found_day IS NOT NULL'  # engine/schema.py HAZARD_CASES
HAZARD_INDEXES = {  # as revision 0020 makes them on SQLite
    'ix_case_instance_hazard_found': ['hazard_found_day', 'org_code', 'hazard_grade', 'hazard_outcome',
                                      'hazard_due_day', 'hazard_cost_fen'],
    'ix_case_instance_hazard_key': ['hazard_key', 'hazard_found_day', 'org_code', 'hazard_grade', 'hazard_outcome',
                                    'hazard_due_day', 'hazard_cost_fen'],
    'ix_case_instance_hazards': ['process_key', 'status', 'org_code', 'hazard_grade', 'listing_deadline'],
}


def _existing() -> set[str]:
    return {i['name'] for i in sa.inspect(op.get_bind()).get_indexes('case_instance')}


def _make(name: str, columns: list[str], where: str | None) -> None:
    """``name`` made again on ``columns``, partial on ``where`` (None: whole)."""
    if name in _existing():
        op.drop_index(name, table_name='case_instance')
    kw = {} if where is None else {'sqlite_where': sa.text(where), 'postgresql_where': sa.text(where)}
    op.create_index(name, 'case_instance', columns, unique=False, **kw)


def upgrade() -> None:
    if PROCESS_KEY in _existing():
        op.drop_index(PROCESS_KEY, table_name='case_instance')
    _make(PARENT, ['parent_case_id'], DERIVED_CASES)
    if op.get_bind().dialect.name == 'postgresql':
        for name, columns in HAZARD_INDEXES.items():
            _make(name, columns, HAZARD_CASES)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for name, columns in HAZARD_INDEXES.items():
            _make(name, columns, None)
    _make(PARENT, ['parent_case_id'], None)
    if PROCESS_KEY not in _existing():
        op.create_index(PROCESS_KEY, 'case_instance', ['process_key'], unique=False)
