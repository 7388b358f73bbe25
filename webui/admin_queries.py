"""Read-only queries of the admin pages: a user's claimed tasks (for the hand-over on 停用) and the
audited history of a user's or org unit's account changes (变更记录: who, when, old → new)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from engine import audit
from engine.schema import OPEN, AuditEvent, Case, HumanTask

from .accounts import AUTH_CHAIN

USER_ACTIONS = ("user_saved", "user_updated", "user_moved", "user_roles_set", "user_deactivated",
                "user_reactivated", "password_changed", "access_revoked")
ORG_ACTIONS = ("org_saved", "org_renamed", "org_moved", "org_deleted")


@dataclass(frozen=True)
class Change:
    at: datetime
    actor: str
    action: str
    detail: dict


@dataclass(frozen=True)
class ClaimedTask:
    id: str
    name: str
    case_id: int
    case_no: str
    title: str
    role_code: str | None
    due_at: datetime | None


def claimed_tasks(engine, username: str) -> list[ClaimedTask]:
    """Open tasks claimed by or assigned to ``username``, oldest first."""
    with engine.db.read() as s:
        rows = s.execute(sa.select(HumanTask.id, HumanTask.name, HumanTask.case_id, Case.case_no, Case.title,
                                   HumanTask.role_code, HumanTask.due_at)
                         .join(Case, Case.id == HumanTask.case_id)
                         .where(HumanTask.assignee == username, HumanTask.state == OPEN)
                         .order_by(HumanTask.created_at)).all()
    return [ClaimedTask(*r) for r in rows]


def directory_history(engine, username: str | None = None, org: str | None = None, limit: int = 50) -> list[Change]:
    """The newest account (or org unit) changes, from the system and auth audit chains."""
    if username is not None:
        actions, needle = USER_ACTIONS, f'"username":{json.dumps(username, ensure_ascii=False)}'
    else:
        actions, needle = ORG_ACTIONS, f'"code":{json.dumps(org, ensure_ascii=False)}' if org else ""
    with engine.db.read() as s:
        q = (sa.select(AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.detail)
             .where(AuditEvent.chain.in_([audit.SYSTEM_CHAIN, AUTH_CHAIN]), AuditEvent.action.in_(actions),
                    AuditEvent.case_id.is_(None))  # no case's event: read from ix_audit_event_action
             .order_by(AuditEvent.id.desc()).limit(limit))
        if needle:
            q = q.where(AuditEvent.detail.contains(needle, autoescape=True))
        rows = s.execute(q).all()
    return [Change(r.at, r.actor, r.action, json.loads(r.detail)) for r in rows]
