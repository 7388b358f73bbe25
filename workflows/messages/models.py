"""Tables of the message centre (消息中心), in their own metadata like the enterprise registry's;
:func:`create_tables` is idempotent and called by ``workflows.runtime.build_engine``."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine.schema import UTCDateTime

# kind -> what the inbox calls it
KINDS = {
    "task_new": "新待办",
    "task_returned": "任务退回",
    "task_reassigned": "任务转交",
    "reminder": "催办提醒",
    "escalation": "逾期督办",
    "approval": "审批结果",
    "case_closed": "案件办结",
}
CHANNELS = {"email": "电子邮件", "sms": "短信"}


class MessageBase(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime()}


class Message(MessageBase):
    """One message in one user's inbox, made from one audit event."""
    __tablename__ = "message"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "username", "kind", name="uq_message_event_user_kind"),
        sa.Index("ix_message_inbox", "username", "read_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(256))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    case_id: Mapped[int | None]
    task_id: Mapped[str | None] = mapped_column(sa.String(36))
    event_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class MessagePreference(MessageBase):
    """A user's choice of channels besides the inbox (which is always on)."""
    __tablename__ = "message_preference"
    username: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(256))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    email_on: Mapped[bool] = mapped_column(default=False)
    sms_on: Mapped[bool] = mapped_column(default=False)
    # kinds sent out by e-mail/SMS; None: all of them
    kinds: Mapped[list | None] = mapped_column(sa.JSON)


class OutboxItem(MessageBase):
    """A message waiting to leave through a channel (``topic``: email | sms). A worker fetches due
    items with a lease, sends, and marks them sent, or failed after ``MAX_ATTEMPTS``."""
    __tablename__ = "message_outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "topic", "status", "lease_until", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("message.id"))
    topic: Mapped[str] = mapped_column(sa.String(32))
    recipient: Mapped[str] = mapped_column(sa.String(256))
    subject: Mapped[str] = mapped_column(sa.String(256))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    lease_owner: Mapped[str | None] = mapped_column(sa.String(64))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class MessageCursor(MessageBase):
    """How far the producer has read the audit log (the last audit event id it handled)."""
    __tablename__ = "message_cursor"
    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    event_id: Mapped[int] = mapped_column(default=0)
    recent: Mapped[list | None] = mapped_column(sa.JSON)  # ids handled within LOOKBACK below event_id


def create_tables(sa_engine: sa.Engine) -> None:
    from engine.migrate import upgrade  # one path for every table: the Alembic revisions
    upgrade(sa_engine)
