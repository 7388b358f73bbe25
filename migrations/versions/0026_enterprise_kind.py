"""``enterprises.kind`` (单位类别): a 生产经营单位, or a 安全评价检测检验机构 whose name a 第三方评估 form picks.

Every row before this revision is a 生产经营单位 (the server default). ``ix_enterprises_kind_name``
lists the registered bodies by name for the 评估机构名称 picker (workflows/enterprises/assessors.py)
without reading the enterprises.

Revision ID: 0026_enterprise_kind
Revises: 0025_case_indexes_read
"""
import sqlalchemy as sa
from alembic import op

revision = '0026_enterprise_kind'
down_revision = '0025_case_indexes_read'
branch_labels = None
depends_on = None

KIND = sa.Enum('生产经营单位', '安全评价检测检验机构', name='enterprise_kind', native_enum=False,
               create_constraint=False, length=16)


def upgrade() -> None:
    columns = {c['name'] for c in sa.inspect(op.get_bind()).get_columns('enterprises')}
    if 'kind' not in columns:
        op.add_column('enterprises', sa.Column('kind', KIND, server_default='生产经营单位', nullable=False))
    indexes = {i['name'] for i in sa.inspect(op.get_bind()).get_indexes('enterprises')}
    if 'ix_enterprises_kind_name' not in indexes:
        op.create_index('ix_enterprises_kind_name', 'enterprises', ['kind', 'name'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_enterprises_kind_name', table_name='enterprises')
    op.drop_column('enterprises', 'kind')
