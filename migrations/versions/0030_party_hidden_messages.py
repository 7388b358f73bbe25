"""Messages an enterprise account holds about a case its policy now hides are taken out of its inbox.

Since 0baee9e the enterprise a 12350 举报 is about (a process whose start event says ``partyReads`` 否,
engine/policy.py) neither lists nor opens the case, and the producer tells it nothing of it; since
6965fc3 any case of another enterprise is, to an enterprise account, a case that is not there. The
messages written before — 「案件办结：T1-…」 with the 举报's 案号 and title, a 新待办 of it by role —
stayed in the reported enterprise's inbox (and in the e-mail/SMS outbox), naming the case and linking
to it: 《国家安全监管总局关于保护生产安全事故和事故隐患举报人的意见》(2013年6月8日) 第五条（一）（二）
(不得泄露…举报内容; 不得将举报材料私自转给被举报单位). This revision deletes the messages to an enterprise
user (``app_user.party`` set) about a case of another enterprise, or about a case kept from its party
(its process's latest model or the model version it was started under says ``partyReads`` 否) that the
user neither holds nor did a task of — the cases ``Policy.check_case_view`` hides from it — with their
outbox items. Officials' messages and an enterprise's messages about its own cases stay. The
downgrade restores nothing (the messages named what the enterprise must not know).

Revision ID: 0030_party_hidden_messages
Revises: 0033_hazard_facts_when_changed (landed first; 0030 follows it)
"""
import sqlalchemy as sa
from alembic import op

from engine.policy import PARTY_READS, keeps_from_party

revision = '0030_party_hidden_messages'
down_revision = '0033_hazard_facts_when_changed'
branch_labels = None
depends_on = None

MODEL = sa.table('process_model', sa.column('id'), sa.column('key'), sa.column('kind'), sa.column('content'))
CASE = sa.table('case_instance', sa.column('id'), sa.column('party'), sa.column('process_key'), sa.column('model_id'))
USER = sa.table('app_user', sa.column('username'), sa.column('party'))
TASK = sa.table('human_task', sa.column('case_id'), sa.column('assignee'), sa.column('completed_by'))
MESSAGE = sa.table('message', sa.column('id'), sa.column('username'), sa.column('case_id'))
OUTBOX = sa.table('message_outbox', sa.column('id'), sa.column('message_id'))


def kept_from_party(conn) -> tuple[list[str], list[int]]:
    """The process keys whose latest model, and the model ids whose start event, say ``partyReads`` 否."""
    models = [i for i, key, content in conn.execute(sa.select(MODEL.c.id, MODEL.c.key, MODEL.c.content).where(
        MODEL.c.kind == 'bpmn', MODEL.c.content.contains(PARTY_READS))) if keeps_from_party(content, key)]
    if not models:
        return [], []
    latest = conn.execute(sa.select(sa.func.max(MODEL.c.id), MODEL.c.key).where(MODEL.c.kind == 'bpmn')
                          .group_by(MODEL.c.key)).all()
    return sorted({key for i, key in latest if i in models}), sorted(models)


def hidden_messages(conn):
    """A select of the ids of messages to enterprise users about cases hidden from them."""
    keys, models = kept_from_party(conn)
    works_on = sa.exists().where(TASK.c.case_id == CASE.c.id, sa.or_(TASK.c.assignee == USER.c.username,
                                                                       TASK.c.completed_by == USER.c.username))
    kept = [CASE.c.process_key.in_(keys), CASE.c.model_id.in_(models)] if models else []
    hidden = sa.or_(CASE.c.party.is_(None), CASE.c.party != USER.c.party,
                    *([sa.and_(sa.or_(*kept), ~works_on)] if kept else []))
    return (sa.select(MESSAGE.c.id).select_from(MESSAGE)
            .join(USER, USER.c.username == MESSAGE.c.username)
            .join(CASE, CASE.c.id == MESSAGE.c.case_id)
            .where(USER.c.party.is_not(None), hidden))


def upgrade() -> None:
    conn = op.get_bind()
    ids = conn.execute(hidden_messages(conn)).scalars().all()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        conn.execute(sa.delete(OUTBOX).where(OUTBOX.c.message_id.in_(chunk)))
        conn.execute(sa.delete(MESSAGE).where(MESSAGE.c.id.in_(chunk)))


def downgrade() -> None:
    pass
