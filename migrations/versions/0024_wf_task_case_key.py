"""``wf_task`` keyed by (``case_id``, ``id``): a case's task keys side by side (issue 15).

A task's id is SpiffWorkflow's random UUID, and the table's key was that id alone: every row a step
inserted or deleted — the predicted tasks of the branches an exclusive gateway does not take, deleted,
and the tasks it creates on the branch taken, inserted — went to a page of its own in the key's
b-tree, one WAL frame each on SQLite (3.3–4.4 frames of the key's b-tree in a first completion of
flowable_untyped_days, zeebe_condition_types, zeebe_null_and_ranges: ``bench/wal_pages.py``-style
count), and on PostgreSQL an index page of its own each (a full-page image after each checkpoint).
Keyed by (``case_id``, ``id``) a case's keys share a page or two. Every statement the engine sends
names the case (engine/state.py ``_UPDATE_TASKS``, ``_ARCHIVE_TASKS``, ``_DELETE_TASKS``; the reads
go by ``ix_wf_task_live``, which leads with ``case_id``).

SQLite cannot change a table's key in place: the table is made anew and the rows copied in (a case's
rows together, in their order); PostgreSQL changes the constraint.

Revision ID: 0024_wf_task_case_key
Revises: 0023_hazard_facts_fenced
"""
from alembic import op

revision = '0024_wf_task_case_key'
down_revision = '0023_hazard_facts_fenced'
branch_labels = None
depends_on = None

COLUMNS = "id, case_id, wf_key, seq, spec_name, state, live, content"


def _sqlite_rebuild(key: str) -> None:
    op.execute(
        "CREATE TABLE wf_task_rekeyed (id VARCHAR(36) NOT NULL, case_id INTEGER NOT NULL, "
        "wf_key VARCHAR(40) NOT NULL, seq INTEGER NOT NULL, spec_name VARCHAR(256) NOT NULL, "
        "state INTEGER NOT NULL, live BOOLEAN NOT NULL, content TEXT NOT NULL, "
        f"CONSTRAINT wf_task_pkey PRIMARY KEY ({key}), FOREIGN KEY(case_id) REFERENCES case_instance (id))")
    op.execute(f"INSERT INTO wf_task_rekeyed ({COLUMNS}) SELECT {COLUMNS} FROM wf_task ORDER BY case_id, seq")
    op.execute("DROP TABLE wf_task")
    op.execute("ALTER TABLE wf_task_rekeyed RENAME TO wf_task")
    op.execute("CREATE INDEX ix_wf_task_live ON wf_task (case_id, live, seq)")


def _postgresql_rekey(columns: list[str]) -> None:
    op.drop_constraint('wf_task_pkey', 'wf_task', type_='primary')
    op.create_primary_key('wf_task_pkey', 'wf_task', columns)


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _sqlite_rebuild("case_id, id")
    else:
        _postgresql_rekey(['case_id', 'id'])


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _sqlite_rebuild("id")
    else:
        _postgresql_rekey(['id'])
