"""No index on ``case_instance.status`` alone: ``ix_case_instance_escalation`` leads with it (issue 15).

``ix_case_instance_status`` (``status``, from the baseline) is a prefix of
``ix_case_instance_escalation`` (``status, escalation_level, started_at, id``, revision 0004): a reader
of ``status = ?`` finds the same range there. It took an entry at every case start and moved it at
every case end, a b-tree page (one WAL frame on SQLite) more for the step that ends a case; on
PostgreSQL one index tuple more at a start and at every update of the row that is not HOT (a case's
end changes ``status``). Dropped on both; the downgrade makes it again.

Revision ID: 0022_case_status_index
Revises: 0021_case_audit_head
"""
import sqlalchemy as sa
from alembic import op

revision = '0022_case_status_index'
down_revision = '0021_case_audit_head'
branch_labels = None
depends_on = None

NAME = 'ix_case_instance_status'


def _exists() -> bool:
    return NAME in {i['name'] for i in sa.inspect(op.get_bind()).get_indexes('case_instance')}


def upgrade() -> None:
    if _exists():
        op.drop_index(NAME, table_name='case_instance')


def downgrade() -> None:
    if not _exists():
        op.create_index(NAME, 'case_instance', ['status'], unique=False)
