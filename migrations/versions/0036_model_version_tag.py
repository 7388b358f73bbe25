"""A process version's version tag (版本标签), which a call activity may bind to (issue 15).

Camunda 7's ``camunda:versionTag`` on a process and Camunda 8.6's ``<zeebe:versionTag value>`` name a
version; a call activity bound by ``camunda:calledElementBinding="versionTag"`` (with
``camunda:calledElementVersionTag``) or Zeebe's ``bindingType="versionTag"`` starts the version that
carries the tag (engine/call_binding.py). ``process_model.version_tag`` (nullable text) holds it as
drawn, filled here for the versions already deployed from their stored file text.

Revision ID: 0036_model_version_tag
Revises: 0035_listing_level_column
"""
import sqlalchemy as sa
from alembic import op

from engine import call_binding, validation

revision = '0036_model_version_tag'
down_revision = '0035_listing_level_column'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if 'version_tag' not in {c['name'] for c in sa.inspect(op.get_bind()).get_columns('process_model')}:
        op.add_column('process_model', sa.Column('version_tag', sa.String(length=128), nullable=True))
    conn = op.get_bind()
    models = sa.table('process_model', sa.column('id'), sa.column('key'), sa.column('kind'), sa.column('filename'),
                      sa.column('content'), sa.column('version_tag'))
    rows = conn.execute(sa.select(models.c.id, models.c.key, models.c.filename, models.c.content)
                        .where(models.c.kind == 'bpmn', models.c.content.like('%versionTag%'))).all()
    for row in rows:
        try:
            root = validation.safe_xml(row.content.encode('utf-8'), row.filename)
        except Exception:  # noqa: BLE001 — a file that does not parse now carries no tag
            continue
        tag = call_binding.version_tags(root).get(row.key)
        if tag:
            conn.execute(sa.update(models).where(models.c.id == row.id).values(version_tag=tag))


def downgrade() -> None:
    # Not batch mode: on SQLite that copies the table, which the foreign keys of others refuse.
    op.drop_column('process_model', 'version_tag')
