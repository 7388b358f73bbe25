"""A 第三方评估机构's 资质证书编号 on its registry row (``enterprises.qualification_no``) and the accounts
that work for it (``assessor_staff``: one firm per account).

An assessor account (第三方评估机构, e.g. the demo's 安泰评估) linked to its registered 安全评价检测检验机构
finds the firm's name and 资质证书编号 filled in and fixed on 第三方评估整改效果 (原总局令第16号第十八条;
《安全评价检测检验机构管理办法》, 应急管理部令第1号); before, it picked its own name and typed the
certificate number on every assessment. An administrator sets the link on the user's page.

Revision ID: 0029_assessor_firm
Revises: 0028_case_due_with_state
"""
import sqlalchemy as sa
from alembic import op

revision = '0029_assessor_firm'
down_revision = '0028_case_due_with_state'
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if 'qualification_no' not in {c['name'] for c in inspector.get_columns('enterprises')}:
        op.add_column('enterprises', sa.Column('qualification_no', sa.String(length=64), server_default='',
                                               nullable=False))
    if 'assessor_staff' not in inspector.get_table_names():
        op.create_table(
            'assessor_staff',
            sa.Column('username', sa.String(length=64), nullable=False),
            sa.Column('credit_code', sa.String(length=18), nullable=False),
            sa.Column('set_by', sa.String(length=64), nullable=False),
            sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(['credit_code'], ['enterprises.credit_code'], ondelete='CASCADE'),
            sa.PrimaryKeyConstraint('username'),
        )


def downgrade() -> None:
    op.drop_table('assessor_staff')
    op.drop_column('enterprises', 'qualification_no')
