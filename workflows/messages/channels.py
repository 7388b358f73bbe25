"""Delivery channels (发送渠道) of the outbox: e-mail through SMTP and SMS through another system.

- e-mail: :func:`deliver_email` sends pending items with :mod:`smtplib` to the server named by
  :class:`SmtpSettings` (``DUBAN_SMTP_HOST`` … from the environment); the worker calls it each sweep.
- SMS: the bureau's SMS gateway is another system. It serves the ``sms`` topic the way an external
  task worker does: :func:`fetch_and_lock` hands it pending items with a lease, it sends them and
  reports :func:`complete` or :func:`fail`. An item whose lease ran out is handed out again.

A failed item is retried until ``MAX_ATTEMPTS``, then stays ``failed`` with the error, visible to
the administrator. The outbox is written in the producer's transaction, so a message and its
e-mail exist together or not at all.
"""
from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import sqlalchemy as sa

from .models import OutboxItem

MAX_ATTEMPTS = 5
TOPICS = ("email", "sms")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "duban@localhost"
    sender_name: str = "督办系统"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30

    @classmethod
    def from_env(cls, env=os.environ) -> "SmtpSettings | None":
        host = env.get("DUBAN_SMTP_HOST")
        if not host:
            return None
        return cls(host=host, port=int(env.get("DUBAN_SMTP_PORT", "25")),
                   sender=env.get("DUBAN_SMTP_FROM", "duban@localhost"), username=env.get("DUBAN_SMTP_USER") or None,
                   password=env.get("DUBAN_SMTP_PASSWORD") or None, starttls=env.get("DUBAN_SMTP_STARTTLS") == "1")


def fetch_and_lock(engine, topic: str, worker: str, limit: int = 20, lease_seconds: int = 120) -> list[OutboxItem]:
    """Pending items of ``topic`` not leased by another worker, leased to ``worker``."""
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    now = engine.clock.now()
    with engine.db.write() as s:
        q = (sa.select(OutboxItem).where(OutboxItem.topic == topic, OutboxItem.status == "pending",
                                         sa.or_(OutboxItem.lease_until.is_(None), OutboxItem.lease_until < now))
             .order_by(OutboxItem.id).limit(limit))
        if s.bind.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        items = list(s.execute(q).scalars())
        for item in items:
            item.lease_owner, item.lease_until = worker, now + timedelta(seconds=lease_seconds)
        s.flush()
        s.expunge_all()
    return items


def complete(engine, item_id: int, worker: str) -> bool:
    """The item went out. False if ``worker`` no longer holds its lease (another worker took it over)."""
    with engine.db.write() as s:
        done = s.execute(sa.update(OutboxItem).where(OutboxItem.id == item_id, OutboxItem.lease_owner == worker,
                                                     OutboxItem.status == "pending")
                         .values(status="sent", sent_at=engine.clock.now(), lease_owner=None, lease_until=None))
        return done.rowcount == 1


def fail(engine, item_id: int, worker: str, error: str) -> bool:
    with engine.db.write() as s:
        item = s.get(OutboxItem, item_id)
        if item is None or item.lease_owner != worker or item.status != "pending":
            return False
        item.attempts += 1
        item.last_error = error[:2000]
        item.lease_owner, item.lease_until = None, None
        if item.attempts >= MAX_ATTEMPTS:
            item.status = "failed"
        return True


def deliver_email(engine, settings: SmtpSettings | None, worker: str = "email", limit: int = 50) -> int:
    """Send pending e-mail through SMTP, one connection for the batch; returns how many went out."""
    if settings is None:
        return 0
    items = fetch_and_lock(engine, "email", worker, limit=limit)
    if not items:
        return 0
    sent, handled = 0, set()
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            for item in items:
                try:
                    smtp.send_message(_email(settings, item))
                except (smtplib.SMTPException, ValueError) as exc:  # ValueError: a mail its item cannot make
                    fail(engine, item.id, worker, f"{type(exc).__name__}: {exc}")
                else:
                    sent += complete(engine, item.id, worker)
                handled.add(item.id)
    except (OSError, smtplib.SMTPException) as exc:  # server down or refused us: every unsent item retries
        for item in items:
            if item.id not in handled:
                fail(engine, item.id, worker, f"{type(exc).__name__}: {exc}")
    return sent


def _email(settings: SmtpSettings, item: OutboxItem) -> EmailMessage:
    """The mail of ``item``. Its subject on one line: a task named on two lines (「专家&#10;书面评审」, as
    Camunda Modeler draws a long name) made the header ValueError (email refuses a line break in a header,
    so no header was ever injected) — and, uncaught, it stopped every mail behind it in every sweep."""
    msg = EmailMessage()
    msg["From"] = formataddr((settings.sender_name, settings.sender))
    msg["To"] = item.recipient
    msg["Subject"] = " ".join(item.subject.split())
    msg["Message-ID"] = make_msgid(idstring=f"duban-{item.id}")
    msg.set_content(f"{item.body}\n\n——督办系统（本邮件由系统自动发送，请登录系统办理）")
    return msg
