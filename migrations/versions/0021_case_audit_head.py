"""A case chain's audit head kept on its ``case_instance`` row (issue 15).

Every step rewrites its case's row; a case chain's head (``audit_head`` row ``case:<id>``) was a
second row rewritten beside it, by a statement of its own and one WAL frame. The head of each
``case:<id>`` chain now lives in ``case_instance.audit_seq`` (0: no event yet) and
``case_instance.audit_hash``, set by the step's own case ``UPDATE`` (engine/step.py ``write_case``);
``audit_head`` keeps the other chains (``system``, ``auth``), and any case chain whose case row is
gone (so ``verify`` still sees it). Downgrade puts the heads back into ``audit_head``.

Revision ID: 0021_case_audit_head
Revises: 0020_hazard_cases_only
"""
import sqlalchemy as sa
from alembic import op

revision = '0021_case_audit_head'
down_revision = '0020_hazard_cases_only'
branch_labels = None
depends_on = None

_CHAIN = "'case:' || CAST(case_instance.id AS VARCHAR(20))"


def upgrade() -> None:
    columns = {c['name'] for c in sa.inspect(op.get_bind()).get_columns('case_instance')}
    if 'audit_seq' not in columns:
        op.add_column('case_instance', sa.Column('audit_seq', sa.Integer, nullable=False, server_default='0'))
    if 'audit_hash' not in columns:
        op.add_column('case_instance', sa.Column('audit_hash', sa.String(64), nullable=True))
    op.execute(f"UPDATE case_instance SET audit_seq = (SELECT seq FROM audit_head WHERE chain = {_CHAIN}),"
               f" audit_hash = (SELECT hash FROM audit_head WHERE chain = {_CHAIN})"
               f" WHERE EXISTS (SELECT 1 FROM audit_head WHERE chain = {_CHAIN})")
    op.execute(f"DELETE FROM audit_head WHERE chain IN (SELECT {_CHAIN} FROM case_instance)")


def downgrade() -> None:
    op.execute(f"INSERT INTO audit_head (chain, seq, hash) SELECT {_CHAIN}, audit_seq, audit_hash"
               " FROM case_instance WHERE audit_seq > 0")
    op.drop_column('case_instance', 'audit_hash')
    op.drop_column('case_instance', 'audit_seq')
