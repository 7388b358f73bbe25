"""Messages from engine events (消息来源): reads the audit log after the steps committed.

Each run reads the audit events after the cursor, works out who should hear of each, writes their
messages (and the e-mail/SMS outbox items their preferences ask for), and moves the cursor, all in
one transaction holding the cursor row's lock, so two producers (web workers, the timer worker)
never write a message twice; on PostgreSQL a producer finding the row locked leaves the work to the
one holding it rather than making a page wait. On PostgreSQL a transaction can commit an audit event with a lower id
after a higher one was read; the producer therefore re-reads the last ``LOOKBACK`` ids and skips
the events it remembers handling (``message_cursor.recent``).

| audit event        | message         | to whom |
| ---                | ---             | --- |
| task_opened        | 新待办          | the assignee or named candidates, else the role's holders in the task's org unit (or enterprise) |
| released           | 任务退回        | the role's holders who may claim it again |
| reassigned         | 任务转交        | the new assignee |
| reminded           | 催办提醒        | the assignee, else the role's holders |
| escalated          | 逾期督办        | the assignee of the overdue task and the supervisory roles of the case's org unit |
| completed (审批)    | 审批结果        | the case's other officials: who opened it and who worked it |
| case_completed     | 案件办结        | the case's officials and the enterprise's users |

A case of a process kept from its party (start event ``partyReads`` 否: a 12350 举报 about the
enterprise; engine/policy.py ``kept_from_party``) is told to no user of that enterprise: not its 办结,
not a task of it by the role the user holds — its notice would name a case the enterprise may not
know of, and its link would lead nowhere (《国家安全监管总局关于保护生产安全事故和事故隐患举报人的意见》
(2013年6月8日) 第五条（一）（二）).
"""
from __future__ import annotations

import json

import sqlalchemy as sa

from engine.policy import NONE_KEPT, Policy
from engine.schema import AuditEvent, Case, HumanTask, Role, TaskCandidate, User, UserRole

from .models import Message, MessageCursor, MessagePreference, OutboxItem

ACTIONS = ("task_opened", "released", "reassigned", "reminded", "escalated", "completed", "case_completed")
LOOKBACK = 50
CURSOR = "audit"
ESCALATION_NAMES = {1: "一级督办", 2: "二级督办", 3: "三级督办"}


def start_cursor(sa_engine) -> None:
    """Create the cursor at the end of the audit log as it is now: history before the message centre
    existed is not announced again."""
    with sa_engine.begin() as conn:
        if conn.execute(sa.select(MessageCursor.event_id).where(MessageCursor.name == CURSOR)).first() is None:
            last = conn.execute(sa.select(sa.func.max(AuditEvent.id))).scalar() or 0
            conn.execute(sa.insert(MessageCursor).values(name=CURSOR, event_id=last, recent=[]))


def behind(engine) -> bool:
    """Whether there are audit events the producer has not read (two index lookups)."""
    with engine.db.read() as s:
        cursor = s.execute(sa.select(MessageCursor.event_id).where(MessageCursor.name == CURSOR)).scalar() or 0
        last = s.execute(sa.select(sa.func.max(AuditEvent.id))).scalar() or 0
    return last > cursor


def produce(engine, limit: int = 500) -> int:
    """Read new audit events and write their messages; returns how many messages were written."""
    with engine.db.write() as s:
        return produce_in(s, engine.clock.now(), limit, engine.policy)


def produce_in(s, now, limit: int = 500, policy: Policy | None = None) -> int:
    """``produce`` in the write transaction ``s`` (a page's catch-up: webui/owed_writes.py).
    ``policy``: the engine's, whose cache says which processes are kept from their party; None:
    read afresh."""
    locking = sa.select(MessageCursor).where(MessageCursor.name == CURSOR)
    if s.bind.dialect.name == "postgresql":  # another process producing: leave it to them, never wait
        locking = locking.with_for_update(skip_locked=True)
    cursor = s.execute(locking).scalar()
    if cursor is None and s.execute(sa.select(MessageCursor.name).where(MessageCursor.name == CURSOR)).first():
        return 0
    if cursor is None:
        cursor = MessageCursor(name=CURSOR, event_id=0, recent=[])
        s.add(cursor)
    floor = max(0, cursor.event_id - LOOKBACK)
    seen = {i for i in cursor.recent or [] if i > floor}
    read = list(s.execute(sa.select(AuditEvent).where(AuditEvent.id > floor, AuditEvent.action.in_(ACTIONS))
                          .order_by(AuditEvent.id).limit(limit + LOOKBACK)).scalars())
    full = len(read) == limit + LOOKBACK
    events = [e for e in read if e.id not in seen]
    ctx = _Context(s, events, policy)
    written = 0
    for ev in events:
        for username, kind, title, body in _messages_for(ctx, ev):
            msg = Message(username=username, kind=kind, title=title[:256], body=body, case_id=ev.case_id,
                          task_id=ev.task_id, event_id=ev.id, created_at=now)
            s.add(msg)
            written += 1
            ctx.pending.append(msg)
    s.flush()
    _outbox(s, ctx.pending, now)
    last = read[-1].id if full else max([cursor.event_id, *(e.id for e in read)],
                                        default=cursor.event_id)
    if not full:  # everything up to the log's end was read: skip the other actions too
        last = max(last, s.execute(sa.select(sa.func.max(AuditEvent.id))).scalar() or 0)
    cursor.event_id = max(cursor.event_id, last)
    cursor.recent = sorted(i for i in seen | {e.id for e in events} if i > cursor.event_id - LOOKBACK)
    return written


class _Context:
    """What the events of one run refer to, loaded in a few queries."""

    def __init__(self, s, events, policy: Policy | None = None):
        self.s = s
        self.pending: list[Message] = []
        case_ids = {e.case_id for e in events if e.case_id}
        task_ids = {e.task_id for e in events if e.task_id}
        self.cases = {c.id: c for c in s.execute(sa.select(Case.id, Case.case_no, Case.title, Case.org_code, Case.party,
                                                           Case.started_by, Case.escalation_level, Case.process_key,
                                                           Case.model_id)
                                                 .where(Case.id.in_(case_ids)))} if case_ids else {}
        self.tasks = {t.id: t for t in s.execute(sa.select(HumanTask).where(HumanTask.id.in_(task_ids))).scalars()} \
            if task_ids else {}
        self.supervising = set(s.execute(sa.select(Role.code).where(Role.sees_subordinate_orgs.is_(True))).scalars())
        self.officials_cache: dict = {}
        parties = any(c.party for c in self.cases.values())
        self.kept = (policy or Policy(None)).kept_from_party(s) if parties else NONE_KEPT

    def party_of(self, case) -> str | None:
        """The enterprise whose users may hear of ``case``: its party, unless its process is kept
        from the party (``partyReads`` 否)."""
        return None if self.kept.hides(case.process_key, case.model_id) else case.party

    def holders(self, role: str | None, org: str, party: str | None) -> list[str]:
        """Active users holding ``role``: officials of ``org``, and users of the enterprise ``party`` (as
        the policy lets either work a task of a case about that enterprise)."""
        if role is None:
            return []
        key = (role, org, party)
        if key not in self.officials_cache:
            q = (sa.select(User.username).join(UserRole, UserRole.username == User.username)
                 .where(UserRole.role_code == role, User.active.is_(True)))
            officials = sa.and_(User.org_code == org, User.party.is_(None))
            q = q.where(sa.or_(officials, User.party == party) if party else officials)
            self.officials_cache[key] = sorted(self.s.execute(q).scalars())
        return self.officials_cache[key]

    def candidates(self, task_id: str) -> list[str]:
        return sorted(self.s.execute(sa.select(TaskCandidate.username).where(TaskCandidate.task_id == task_id)).scalars())

    def officials_of_case(self, case_id: int, case) -> list[str]:
        workers = set(self.s.execute(sa.select(HumanTask.completed_by).where(
            HumanTask.case_id == case_id, HumanTask.completed_by.is_not(None))).scalars())
        workers.add(case.started_by)
        rows = self.s.execute(sa.select(User.username).where(User.username.in_(workers), User.party.is_(None),
                                                             User.active.is_(True))).scalars()
        return sorted(rows)


def _task_pool(ctx: _Context, task: HumanTask, case) -> list[str]:
    if task.assignee:
        return [task.assignee]
    named = ctx.candidates(task.id)
    return named or ctx.holders(task.role_code, task.org_code, task.party and ctx.party_of(case))


def _due(task) -> str:
    if task is None or task.due_at is None:
        return ""
    from workflows.documents.format import cn_datetime
    return f"，办理期限{cn_datetime(task.due_at.isoformat())}"


def _messages_for(ctx: _Context, ev: AuditEvent):
    case = ctx.cases.get(ev.case_id)
    if case is None:
        return []
    detail = json.loads(ev.detail or "{}")
    task = ctx.tasks.get(ev.task_id) if ev.task_id else None
    # a title that is only the model's key (a model drawn without a name) is not said: the 案号 is
    where = f"{case.case_no} {case.title if case.title != case.process_key else ''}".strip()
    name = detail.get("task") or (task.name if task else "")
    out = []
    if ev.action == "task_opened" and task is not None and task.state == "open":
        for u in _task_pool(ctx, task, case):
            out.append((u, "task_new", f"新待办：{name}", f"案件 {where}：{name}{_due(task)}。"))
    elif ev.action == "released" and task is not None and task.state == "open":
        for u in ctx.holders(task.role_code, task.org_code, task.party and ctx.party_of(case)):
            if u != detail.get("user") and u != ev.actor:
                out.append((u, "task_returned", f"任务退回待办池：{name}",
                            f"案件 {where}：{name} 已退回，可重新认领{_due(task)}。"))
    elif ev.action == "reassigned" and detail.get("to"):
        reason = f"（{detail['reason']}）" if detail.get("reason") else ""
        out.append((detail["to"], "task_reassigned", f"任务转交给您：{name}", f"案件 {where}：{name}{reason}{_due(task)}。"))
    elif ev.action == "reminded" and task is not None and task.state == "open":
        for u in _task_pool(ctx, task, case):
            why = detail.get("name") or "即将到期"
            out.append((u, "reminder", f"催办：{name}（{why}）", f"案件 {where}：{name}，{why}，请抓紧办理{_due(task)}。"))
    elif ev.action == "escalated":
        level = ESCALATION_NAMES.get(detail.get("escalation_level"), f"{detail.get('escalation_level')}级督办")
        who = [task.assignee] if task is not None and task.assignee else []
        for role in sorted(ctx.supervising):
            who += ctx.holders(role, case.org_code, None)
        text = f"案件 {where}：{name or detail.get('name') or '办理事项'} 已逾期，督办级别升为{level}。"
        for u in dict.fromkeys(who):
            out.append((u, "escalation", f"逾期督办：{case.case_no}", text))
    elif ev.action == "completed" and task is not None and task.role_code in ctx.supervising:
        decision = _decision(detail.get("data") or {})
        if decision:
            for u in ctx.officials_of_case(ev.case_id, case):
                if u != ev.actor:
                    out.append((u, "approval", f"审批结果：{name} — {decision}", f"案件 {where}：{name}，{decision}。"))
    elif ev.action == "case_completed":
        who = ctx.officials_of_case(ev.case_id, case)
        if ctx.party_of(case):
            who += ctx.holders("enterprise", case.org_code, case.party)
        for u in dict.fromkeys(who):
            out.append((u, "case_closed", f"案件办结：{case.case_no}", f"案件 {where} 已办结。"))
    return out


def _decision(data: dict) -> str | None:
    """The outcome an approval form records (…_decision: 同意/不同意/退回…, or a yes/no …approved)."""
    for key, value in data.items():
        if key.endswith("_decision") and isinstance(value, str) and value:
            return value
    for key, value in data.items():
        if key.endswith("approved") and isinstance(value, bool):
            return "同意" if value else "不同意"
    return None


def _outbox(s, messages: list[Message], now) -> None:
    users = {m.username for m in messages}
    if not users:
        return
    prefs = {p.username: p for p in s.execute(sa.select(MessagePreference).where(
        MessagePreference.username.in_(users))).scalars()}
    for m in messages:
        p = prefs.get(m.username)
        if p is None or (p.kinds is not None and m.kind not in p.kinds):
            continue
        if p.email_on and p.email:
            s.add(OutboxItem(message_id=m.id, topic="email", recipient=p.email, subject=f"【督办】{m.title}",
                             body=m.body, created_at=now))
        if p.sms_on and p.phone:
            s.add(OutboxItem(message_id=m.id, topic="sms", recipient=p.phone, subject=m.title,
                             body=f"【督办】{m.body}"[:300], created_at=now))
