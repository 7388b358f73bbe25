"""A user's messages (我的消息): unread count for the top bar, the list, mark read, channel choices.
Every function takes the username the page is for; nobody reads or marks another user's messages."""
from __future__ import annotations

import re

import sqlalchemy as sa

from .models import CHANNELS, KINDS, Message, MessagePreference

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^1\d{10}$")  # 中国大陆手机号
FULL_WIDTH = str.maketrans("０１２３４５６７８９＠．", "0123456789@.")


def unread(username):
    """The condition for ``username``'s unread messages (a value, or a column: webui/messages.py
    counts them with the session row)."""
    return sa.and_(Message.username == username, Message.read_at.is_(None))


def unread_count(engine, username: str) -> int:
    with engine.db.read() as s:
        return s.execute(sa.select(sa.func.count()).select_from(Message).where(unread(username))).scalar() or 0


def messages(engine, username: str, *, unread_only: bool = False, kind: str | None = None,
             limit: int = 50, offset: int = 0) -> list[Message]:
    with engine.db.read() as s:
        q = sa.select(Message).where(Message.username == username)
        if unread_only:
            q = q.where(Message.read_at.is_(None))
        if kind:
            q = q.where(Message.kind == kind)
        return list(s.execute(q.order_by(Message.id.desc()).limit(limit).offset(offset)).scalars())


def mark_read(engine, username: str, message_ids: list[int] | None = None) -> int:
    """Mark some (or, with None, all) of the user's unread messages read; returns how many."""
    with engine.db.write() as s:
        q = sa.update(Message).where(Message.username == username, Message.read_at.is_(None))
        if message_ids is not None:
            q = q.where(Message.id.in_(message_ids))
        return s.execute(q.values(read_at=engine.clock.now())).rowcount


def preference(engine, username: str) -> MessagePreference:
    with engine.db.read() as s:
        found = s.get(MessagePreference, username)
        return found or MessagePreference(username=username, email_on=False, sms_on=False, kinds=None)


def save_preference(engine, username: str, *, email: str = "", phone: str = "", email_on: bool = False,
                    sms_on: bool = False, kinds: list[str] | None = None) -> dict[str, str]:
    """Save the user's channels; returns errors by field (Chinese), saving nothing when there are any."""
    email = (email or "").strip().translate(FULL_WIDTH)
    phone = re.sub(r"[\s\-]", "", (phone or "").translate(FULL_WIDTH))
    errors = {}
    if email and not EMAIL.match(email):
        errors["email"] = "电子邮箱格式不正确，例如 zhangsan@example.gov.cn"
    if email_on and not email:
        errors["email"] = "选择邮件提醒时请填写电子邮箱"
    if phone and not PHONE.match(phone):
        errors["phone"] = "手机号码应为11位数字，例如 13800000000"
    if sms_on and not phone:
        errors["phone"] = "选择短信提醒时请填写手机号码"
    if kinds is not None:
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            errors["kinds"] = "未知的消息类型"
    if errors:
        return errors
    with engine.db.write() as s:
        row = s.get(MessagePreference, username) or MessagePreference(username=username)
        row.email, row.phone, row.email_on, row.sms_on = email or None, phone or None, email_on, sms_on
        row.kinds = None if kinds is None or set(kinds) == set(KINDS) else list(kinds)
        s.add(row)
    return {}


__all__ = ["unread_count", "messages", "mark_read", "preference", "save_preference", "KINDS", "CHANNELS"]
