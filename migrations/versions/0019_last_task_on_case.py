"""The top workflow's last task on the case row, so its wf_workflow row is not rewritten by every step (issue 15).

SpiffWorkflow's ``last_task`` (what conditional events read) moves at every completion. Held in
the top workflow's ``wf_workflow`` row, it made every step rewrite that row (~20 µs and one WAL
frame of a completion's ~15) when nothing else in it had changed. It is kept in the new nullable
``case_instance.last_task`` instead, which every step writes anyway (engine/state.py
``last_task_text``); the top row then says null and is written only when its data, correlations or
events change.

Upgrade: each case's column is set from its top row's ``last_task``; the rows keep theirs until the
case's next step writes them (a case restored before that reads the column, equal to it; with the
column NULL the engine reads the row's own). Downgrade: each top row's ``last_task`` is set from the
column again, then the column is dropped.

Revision ID: 0019_last_task_on_case
Revises: 0018_hot_update_room
"""
import sqlalchemy as sa
from alembic import op

revision = '0019_last_task_on_case'
down_revision = '0018_hot_update_room'
branch_labels = None
depends_on = None

# The top row's last task as text (wf_workflow.content is the row's JSON, as text), per dialect.
_LAST_TASK_OF_CONTENT = {
    'sqlite': "json_extract(w.content, '$.last_task')",
    'postgresql': "(w.content::json ->> 'last_task')",
}
# The top row's JSON with its last task set from the case row.
_CONTENT_WITH_LAST_TASK = {
    'sqlite': "json_set(content, '$.last_task', c.last_task)",
    'postgresql': "jsonb_set(content::jsonb, '{last_task}', coalesce(to_jsonb(c.last_task), 'null'::jsonb))::text",
}


def upgrade() -> None:
    bind = op.get_bind()
    # A database whose tables were made from the models (before Alembic) may have it already.
    if 'last_task' not in {c['name'] for c in sa.inspect(bind).get_columns('case_instance')}:
        op.add_column('case_instance', sa.Column('last_task', sa.String(36), nullable=True))
    last_task = _LAST_TASK_OF_CONTENT[bind.dialect.name]
    op.execute(f"UPDATE case_instance SET last_task = (SELECT {last_task} FROM wf_workflow w "
               f"WHERE w.case_id = case_instance.id AND w.wf_key = 'top')")


def downgrade() -> None:
    bind = op.get_bind()
    content = _CONTENT_WITH_LAST_TASK[bind.dialect.name]
    if bind.dialect.name == 'sqlite':
        op.execute(f"UPDATE wf_workflow SET content = (SELECT {content} FROM case_instance c "
                   f"WHERE c.id = wf_workflow.case_id) WHERE wf_key = 'top'")
    else:
        op.execute(f"UPDATE wf_workflow SET content = {content} FROM case_instance c "
                   f"WHERE c.id = wf_workflow.case_id AND wf_key = 'top'")
    op.drop_column('case_instance', 'last_task')
