"""No change: ``ix_human_task_case_due`` stays (case_id, state, due_at) (issue 15).

This revision first made the index (case_id, due_at): a completion moves the task's entry from the
case's 'open' range to its 'completed' one, and the completion that ends a case wrote a b-tree page of
it for that alone (one WAL frame of ~14). Taken back the same day: 逾期督办's probe of a running case
(``case_id = ? AND state = 'open' AND due_at < ?``, webui/overdue.py) then read the row of every task of
the case past its deadline to learn its state — completed tasks whose deadline has passed are most of
them —, and counting the overdue cases of 10,000 running cases with four such tasks each took 44.6 ms
of CPU instead of 4.2 on SQLite. It does nothing now; revision 0028 makes the index whole again on a
database that ran it as it was.

Revision ID: 0027_case_due_without_state
Revises: 0026_enterprise_kind
"""

revision = '0027_case_due_without_state'
down_revision = '0026_enterprise_kind'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
