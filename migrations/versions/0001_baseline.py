"""Baseline: every table as the models declared them when Alembic took over.

Each table is created only where it is missing, so a database made before Alembic is adopted.

Revision ID: 0001_baseline
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = '0001_baseline'
down_revision = None
branch_labels = None
depends_on = None

TABLES = ['api_token', 'app_user', 'audit_event', 'audit_head', 'case_instance', 'counter', 'enterprise_risk_changes', 'enterprises', 'event_wait', 'external_task', 'human_task', 'incident', 'message', 'message_cursor', 'message_outbox', 'message_preference', 'org_boundary', 'org_unit', 'process_model', 'ranking_interview', 'rate_limit_counter', 'role', 'spec_bundle', 'task_candidate', 'task_exclusion', 'timer', 'user_role', 'web_session', 'wf_task', 'wf_workflow']


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if 'audit_event' not in existing:
        op.create_table('audit_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('chain', sa.String(length=40), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=True),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('chain', 'seq')
        )
        op.create_index(op.f('ix_audit_event_action'), 'audit_event', ['action'], unique=False)
        op.create_index(op.f('ix_audit_event_case_id'), 'audit_event', ['case_id'], unique=False)
    if 'audit_head' not in existing:
        op.create_table('audit_head',
        sa.Column('chain', sa.String(length=40), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('chain')
        )
    if 'counter' not in existing:
        op.create_table('counter',
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name')
        )
    if 'org_unit' not in existing:
        op.create_table('org_unit',
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('parent_code', sa.String(length=64), nullable=True),
        sa.Column('path', sa.String(length=512), nullable=False),
        sa.Column('level', sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(['parent_code'], ['org_unit.code'], ),
        sa.PrimaryKeyConstraint('code')
        )
        op.create_index(op.f('ix_org_unit_path'), 'org_unit', ['path'], unique=False)
    if 'process_model' not in existing:
        op.create_table('process_model',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=128), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('name', sa.String(length=256), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=256), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('deployed_by', sa.String(length=64), nullable=False),
        sa.Column('deployed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key', 'version')
        )
        op.create_index(op.f('ix_process_model_content_hash'), 'process_model', ['content_hash'], unique=False)
        op.create_index(op.f('ix_process_model_key'), 'process_model', ['key'], unique=False)
    if 'role' not in existing:
        op.create_table('role',
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('sees_subordinate_orgs', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('code'),
        sa.UniqueConstraint('name')
        )
    if 'spec_bundle' not in existing:
        op.create_table('spec_bundle',
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('hash')
        )
    if 'app_user' not in existing:
        op.create_table('app_user',
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('org_code', sa.String(length=64), nullable=False),
        sa.Column('party', sa.String(length=64), nullable=True),
        sa.Column('password_hash', sa.String(length=256), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['org_code'], ['org_unit.code'], ),
        sa.PrimaryKeyConstraint('username')
        )
        op.create_index(op.f('ix_app_user_party'), 'app_user', ['party'], unique=False)
    if 'case_instance' not in existing:
        op.create_table('case_instance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_no', sa.String(length=64), nullable=False),
        sa.Column('process_key', sa.String(length=128), nullable=False),
        sa.Column('model_id', sa.Integer(), nullable=False),
        sa.Column('bundle_hash', sa.String(length=64), nullable=False),
        sa.Column('org_code', sa.String(length=64), nullable=False),
        sa.Column('party', sa.String(length=64), nullable=True),
        sa.Column('title', sa.String(length=256), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('escalation_level', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('started_by', sa.String(length=64), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('parent_case_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['bundle_hash'], ['spec_bundle.hash'], ),
        sa.ForeignKeyConstraint(['model_id'], ['process_model.id'], ),
        sa.ForeignKeyConstraint(['org_code'], ['org_unit.code'], ),
        sa.ForeignKeyConstraint(['parent_case_id'], ['case_instance.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_no')
        )
        op.create_index(op.f('ix_case_instance_model_id'), 'case_instance', ['model_id'], unique=False)
        op.create_index(op.f('ix_case_instance_org_code'), 'case_instance', ['org_code'], unique=False)
        op.create_index(op.f('ix_case_instance_party'), 'case_instance', ['party'], unique=False)
        op.create_index(op.f('ix_case_instance_process_key'), 'case_instance', ['process_key'], unique=False)
        op.create_index(op.f('ix_case_instance_status'), 'case_instance', ['status'], unique=False)
    if 'event_wait' not in existing:
        op.create_table('event_wait',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=256), nullable=False),
        sa.Column('element_id', sa.String(length=256), nullable=False),
        sa.Column('org_code', sa.String(length=64), nullable=False),
        sa.Column('correlation', sa.JSON(), nullable=False),
        sa.Column('sender_roles', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['case_instance.id'], ),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_index(op.f('ix_event_wait_case_id'), 'event_wait', ['case_id'], unique=False)
        op.create_index('ix_event_wait_name', 'event_wait', ['kind', 'name'], unique=False)
    if 'external_task' not in existing:
        op.create_table('external_task',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=256), nullable=False),
        sa.Column('element_id', sa.String(length=256), nullable=False),
        sa.Column('name', sa.String(length=256), nullable=False),
        sa.Column('worker', sa.String(length=128), nullable=True),
        sa.Column('lock_until', sa.DateTime(), nullable=True),
        sa.Column('retries', sa.Integer(), nullable=True),
        sa.Column('error_message', sa.Text(), nullable=True),
        sa.Column('incident_id', sa.Integer(), nullable=True),
        sa.Column('worker_roles', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case_instance.id'], ),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_index(op.f('ix_external_task_case_id'), 'external_task', ['case_id'], unique=False)
        op.create_index('ix_external_task_topic', 'external_task', ['topic', 'lock_until'], unique=False)
    if 'human_task' not in existing:
        op.create_table('human_task',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('spec_id', sa.String(length=256), nullable=False),
        sa.Column('name', sa.String(length=256), nullable=False),
        sa.Column('item_label', sa.String(length=256), nullable=True),
        sa.Column('lane', sa.String(length=128), nullable=True),
        sa.Column('role_code', sa.String(length=64), nullable=True),
        sa.Column('org_code', sa.String(length=64), nullable=False),
        sa.Column('party', sa.String(length=64), nullable=True),
        sa.Column('assignee', sa.String(length=64), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('form_key', sa.String(length=128), nullable=True),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=True),
        sa.Column('due_sort', sa.DateTime(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('completed_at', sa.DateTime(), nullable=True),
        sa.Column('completed_by', sa.String(length=64), nullable=True),
        sa.Column('process_key', sa.String(length=128), nullable=False),
        sa.Column('case_no', sa.String(length=64), nullable=False),
        sa.Column('case_title', sa.String(length=256), nullable=False),
        sa.Column('reminders', sa.Integer(), nullable=False),
        sa.Column('last_reminded_at', sa.DateTime(), nullable=True),
        sa.Column('follow_up_at', sa.DateTime(), nullable=True),
        sa.Column('owner', sa.String(length=64), nullable=True),
        sa.Column('delegation', sa.String(length=16), nullable=True),
        sa.Column('draft', sa.JSON(), nullable=True),
        sa.Column('rules', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['case_instance.id'], ),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_index('ix_human_task_assignee', 'human_task', ['assignee', 'state', 'due_sort', 'created_at'], unique=False)
        op.create_index('ix_human_task_case', 'human_task', ['case_id', 'state'], unique=False)
        op.create_index('ix_human_task_done', 'human_task', ['completed_by', 'completed_at'], unique=False)
        op.create_index('ix_human_task_due', 'human_task', ['state', 'due_at', 'org_code', 'process_key'], unique=False)
        op.create_index('ix_human_task_party', 'human_task', ['state', 'party', 'role_code', 'assignee', 'due_sort', 'created_at'], unique=False)
        op.create_index('ix_human_task_pool', 'human_task', ['state', 'role_code', 'org_code', 'assignee', 'due_sort', 'created_at'], unique=False)
    if 'incident' not in existing:
        op.create_table('incident',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=True),
        sa.Column('element_id', sa.String(length=256), nullable=True),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('resolved_by', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['case_instance.id'], ),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_index(op.f('ix_incident_case_id'), 'incident', ['case_id'], unique=False)
    if 'timer' not in existing:
        op.create_table('timer',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('element_id', sa.String(length=256), nullable=False),
        sa.Column('name', sa.String(length=256), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('attached_to', sa.String(length=36), nullable=True),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('lease_owner', sa.String(length=64), nullable=True),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['case_instance.id'], ),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_index(op.f('ix_timer_case_id'), 'timer', ['case_id'], unique=False)
        op.create_index('ix_timer_due', 'timer', ['due_at', 'lease_until'], unique=False)
    if 'user_role' not in existing:
        op.create_table('user_role',
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('role_code', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['role_code'], ['role.code'], ),
        sa.ForeignKeyConstraint(['username'], ['app_user.username'], ),
        sa.PrimaryKeyConstraint('username', 'role_code')
        )
    if 'wf_task' not in existing:
        op.create_table('wf_task',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('wf_key', sa.String(length=40), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('spec_name', sa.String(length=256), nullable=False),
        sa.Column('state', sa.Integer(), nullable=False),
        sa.Column('live', sa.Boolean(), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case_instance.id'], ),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_index('ix_wf_task_live', 'wf_task', ['case_id', 'live', 'seq'], unique=False)
    if 'wf_workflow' not in existing:
        op.create_table('wf_workflow',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('wf_key', sa.String(length=40), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('live', sa.Boolean(), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case_instance.id'], ),
        sa.PrimaryKeyConstraint('case_id', 'wf_key')
        )
    if 'task_candidate' not in existing:
        op.create_table('task_candidate',
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], ),
        sa.PrimaryKeyConstraint('task_id', 'username')
        )
        op.create_index(op.f('ix_task_candidate_username'), 'task_candidate', ['username'], unique=False)
    if 'task_exclusion' not in existing:
        op.create_table('task_exclusion',
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], ),
        sa.PrimaryKeyConstraint('task_id', 'username')
        )
    if 'enterprises' not in existing:
        op.create_table('enterprises',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('credit_code', sa.String(length=18), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('address', sa.String(length=300), nullable=False),
        sa.Column('org_unit', sa.String(length=64), nullable=False),
        sa.Column('sector', sa.Enum('危化', '工贸', '建筑施工', '烟花爆竹', '非煤矿山', '其他', name='enterprise_sector', native_enum=False, create_constraint=True, length=8), nullable=False),
        sa.Column('size', sa.Enum('大型', '中型', '小型', '微型', name='enterprise_size', native_enum=False, create_constraint=True, length=8), nullable=False),
        sa.Column('legal_rep', sa.String(length=50), nullable=False),
        sa.Column('legal_rep_phone', sa.String(length=30), nullable=False),
        sa.Column('safety_manager', sa.String(length=50), nullable=False),
        sa.Column('safety_manager_phone', sa.String(length=30), nullable=False),
        sa.Column('risk_level', sa.Enum('红', '橙', '黄', '蓝', name='enterprise_risk', native_enum=False, create_constraint=True, length=8), nullable=True),
        sa.Column('last_inspected_on', sa.Date(), nullable=True),
        sa.Column('dishonest', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('dishonest_from', sa.Date(), nullable=True),
        sa.Column('dishonest_until', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('search_key', sa.Text(), nullable=False),
        sa.Column('search_grams', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('credit_code')
        )
        op.create_index('ix_enterprises_inspection', 'enterprises', ['risk_level', 'org_unit', 'last_inspected_on'], unique=False)
        op.create_index('ix_enterprises_name', 'enterprises', ['name', 'id'], unique=False)
        op.create_index('ix_enterprises_org_name', 'enterprises', ['org_unit', 'name'], unique=False)
        op.create_index('ix_enterprises_risk_org', 'enterprises', ['risk_level', 'org_unit'], unique=False)
        if op.get_bind().dialect.name == 'sqlite':
            op.execute("CREATE VIRTUAL TABLE IF NOT EXISTS enterprises_fts USING fts5(search_grams, content='enterprises', content_rowid='id', tokenize='unicode61')")
            op.execute('CREATE TRIGGER IF NOT EXISTS enterprises_fts_ai AFTER INSERT ON enterprises BEGIN INSERT INTO enterprises_fts(rowid, search_grams) VALUES (new.id, new.search_grams); END')
            op.execute("CREATE TRIGGER IF NOT EXISTS enterprises_fts_ad AFTER DELETE ON enterprises BEGIN INSERT INTO enterprises_fts(enterprises_fts, rowid, search_grams) VALUES ('delete', old.id, old.search_grams); END")
            op.execute("CREATE TRIGGER IF NOT EXISTS enterprises_fts_au AFTER UPDATE OF search_grams ON enterprises BEGIN INSERT INTO enterprises_fts(enterprises_fts, rowid, search_grams) VALUES ('delete', old.id, old.search_grams); INSERT INTO enterprises_fts(rowid, search_grams) VALUES (new.id, new.search_grams); END")
        if op.get_bind().dialect.name == 'postgresql':
            op.execute("CREATE INDEX IF NOT EXISTS ix_enterprises_grams ON enterprises USING gin (string_to_array(search_grams, ' '))")
    if 'enterprise_risk_changes' not in existing:
        op.create_table('enterprise_risk_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('old_level', sa.Enum('红', '橙', '黄', '蓝', name='risk_change_old', native_enum=False, create_constraint=True, length=8), nullable=True),
        sa.Column('new_level', sa.Enum('红', '橙', '黄', '蓝', name='risk_change_new', native_enum=False, create_constraint=True, length=8), nullable=False),
        sa.Column('changed_by', sa.String(length=64), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_index(op.f('ix_enterprise_risk_changes_enterprise_id'), 'enterprise_risk_changes', ['enterprise_id'], unique=False)
    if 'org_boundary' not in existing:
        op.create_table('org_boundary',
        sa.Column('org_code', sa.String(length=64), nullable=False),
        sa.Column('geojson', sa.JSON(), nullable=False),
        sa.Column('uploaded_by', sa.String(length=64), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('org_code')
        )
    if 'ranking_interview' not in existing:
        op.create_table('ranking_interview',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.String(length=8), nullable=False),
        sa.Column('org_code', sa.String(length=64), nullable=False),
        sa.Column('streak', sa.Integer(), nullable=False),
        sa.Column('rung', sa.String(length=256), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by', sa.String(length=64), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('quarter', 'org_code', name='uq_ranking_interview')
        )
    if 'message' not in existing:
        op.create_table('message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=256), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('task_id', sa.String(length=36), nullable=True),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id', 'username', 'kind', name='uq_message_event_user_kind')
        )
        op.create_index(op.f('ix_message_event_id'), 'message', ['event_id'], unique=False)
        op.create_index('ix_message_inbox', 'message', ['username', 'read_at', 'id'], unique=False)
    if 'message_cursor' not in existing:
        op.create_table('message_cursor',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('recent', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('name')
        )
    if 'message_preference' not in existing:
        op.create_table('message_preference',
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('email', sa.String(length=256), nullable=True),
        sa.Column('phone', sa.String(length=32), nullable=True),
        sa.Column('email_on', sa.Boolean(), nullable=False),
        sa.Column('sms_on', sa.Boolean(), nullable=False),
        sa.Column('kinds', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('username')
        )
    if 'message_outbox' not in existing:
        op.create_table('message_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=32), nullable=False),
        sa.Column('recipient', sa.String(length=256), nullable=False),
        sa.Column('subject', sa.String(length=256), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('lease_owner', sa.String(length=64), nullable=True),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['message_id'], ['message.id'], ),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_index('ix_outbox_due', 'message_outbox', ['topic', 'status', 'lease_until', 'id'], unique=False)
    if 'web_session' not in existing:
        op.create_table('web_session',
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=True),
        sa.Column('credential', sa.String(length=64), nullable=True),
        sa.Column('data', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id_hash')
        )
        op.create_index(op.f('ix_web_session_last_seen_at'), 'web_session', ['last_seen_at'], unique=False)
        op.create_index(op.f('ix_web_session_username'), 'web_session', ['username'], unique=False)
    if 'api_token' not in existing:
        op.create_table('api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('credential', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash')
        )
        op.create_index(op.f('ix_api_token_username'), 'api_token', ['username'], unique=False)
    if 'rate_limit_counter' not in existing:
        op.create_table('rate_limit_counter',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key')
        )
        op.create_index(op.f('ix_rate_limit_counter_expires_at'), 'rate_limit_counter', ['expires_at'], unique=False)


def downgrade() -> None:
    raise RuntimeError("the baseline is not undone; restore a backup instead")
