"""The audit log (审计日志): append-only events, hash-chained so tampering shows.

Each case has its own chain (``case:<id>``), everything else (deploys, directory changes) goes on the
``system`` chain. An event's hash covers its content and the previous event's hash; ``audit_head``
holds each chain's last link, so removing the newest events breaks the check as well.
"""
from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .schema import AuditEvent, AuditHead

GENESIS = "0" * 64
SYSTEM_CHAIN = "system"


def case_chain(case_id: int) -> str:
    return f"case:{case_id}"


def canonical_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _digest(ev_chain, seq, case_id, at: datetime, actor, action, task_id, detail: str, prev_hash) -> str:
    payload = canonical_json([ev_chain, seq, case_id, at.isoformat(), actor, action, task_id, detail, prev_hash])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_ON_BEHALF: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("audit_on_behalf", default=None)


@contextlib.contextmanager
def on_behalf(actor: str, of: str):
    """Inside this block, what is done as user ``of`` is recorded as done by ``actor`` on ``of``'s
    behalf (代办): the event's actor is ``actor`` and its detail names ``on_behalf_of``. Used when a
    supervisor retries an incident (异常重试) with the original user's data and identity."""
    token = _ON_BEHALF.set((actor, of) if actor != of else None)
    try:
        yield
    finally:
        _ON_BEHALF.reset(token)


def _as_recorded(actor: str, detail: dict | None) -> tuple[str, dict | None]:
    behalf = _ON_BEHALF.get()
    if behalf is not None and actor == behalf[1]:
        return behalf[0], {**(detail or {}), "on_behalf_of": behalf[1]}
    return actor, detail


def append(session: Session, *, chain: str, actor: str, action: str, at: datetime,
           case_id: int | None = None, task_id: str | None = None, detail: dict | None = None) -> AuditEvent:
    actor, detail = _as_recorded(actor, detail)
    # The head is read (and locked) once per transaction and chain; later events reuse it.
    heads = session.info.setdefault("audit_heads", {})
    head = heads.get(chain)
    if head is None:
        head = session.execute(
            sa.select(AuditHead).where(AuditHead.chain == chain).with_for_update()).scalar_one_or_none()
    prev_hash, seq = (head.hash, head.seq + 1) if head else (GENESIS, 1)
    text = canonical_json(detail or {})
    event = AuditEvent(chain=chain, seq=seq, case_id=case_id, at=at, actor=actor, action=action,
                       task_id=task_id, detail=text, prev_hash=prev_hash,
                       hash=_digest(chain, seq, case_id, at, actor, action, task_id, text, prev_hash))
    session.add(event)
    if head is None:
        head = AuditHead(chain=chain, seq=seq, hash=event.hash)
        session.add(head)
    else:
        head.seq, head.hash = seq, event.hash
    heads[chain] = head
    return event


_EVENTS = AuditEvent.__table__
_HEADS = AuditHead.__table__
_HEAD = sa.select(_HEADS.c.seq, _HEADS.c.hash).where(_HEADS.c.chain == sa.bindparam("chain"))
_HEAD_LOCKED = _HEAD.with_for_update()
_INSERT_EVENTS = sa.insert(_EVENTS)
_INSERT_HEAD = sa.insert(_HEADS)
_MOVE_HEAD = (sa.update(_HEADS).where(_HEADS.c.chain == sa.bindparam("b_chain"))
              .values(seq=sa.bindparam("seq"), hash=sa.bindparam("hash")))


def append_many(conn: sa.Connection, chain: str, events: list[dict], lock: bool) -> None:
    """Append ``events`` (case_id, actor, action, at, task_id, detail) to ``chain`` in one insert.

    The hot path's form of ``append``: SQL Core on the transaction's connection, the head read once
    (``FOR UPDATE`` when ``lock``: PostgreSQL; SQLite's writer lock already serializes).
    """
    head = conn.execute(_HEAD_LOCKED if lock else _HEAD, {"chain": chain}).first()
    prev_hash, seq = (head.hash, head.seq) if head else (GENESIS, 0)
    rows = []
    for ev in events:
        seq += 1
        actor, detail = _as_recorded(ev["actor"], ev["detail"])
        text = canonical_json(detail or {})
        digest = _digest(chain, seq, ev["case_id"], ev["at"], actor, ev["action"], ev["task_id"], text, prev_hash)
        rows.append({"chain": chain, "seq": seq, "case_id": ev["case_id"], "at": ev["at"], "actor": actor,
                     "action": ev["action"], "task_id": ev["task_id"], "detail": text, "prev_hash": prev_hash,
                     "hash": digest})
        prev_hash = digest
    conn.execute(_INSERT_EVENTS, rows)
    if head is None:
        conn.execute(_INSERT_HEAD, {"chain": chain, "seq": seq, "hash": prev_hash})
    else:
        conn.execute(_MOVE_HEAD, {"b_chain": chain, "seq": seq, "hash": prev_hash})


@dataclass
class BrokenLink:
    chain: str
    seq: int
    event_id: int | None
    reason: str

    def __str__(self):
        return f"chain {self.chain}, event #{self.seq} (id {self.event_id}): {self.reason}"


def verify(session: Session) -> BrokenLink | None:
    """Walk every chain in order; return the first broken link, or None when all hold."""
    heads = {h.chain: h for h in session.execute(sa.select(AuditHead)).scalars()}
    seen_chains = set()
    current, expected_prev, expected_seq = None, GENESIS, 1
    rows = session.execute(sa.select(AuditEvent).order_by(AuditEvent.chain, AuditEvent.seq)).scalars()

    def check_end(chain_name, last_seq, last_hash):
        head = heads.get(chain_name)
        if head is None:
            return BrokenLink(chain_name, last_seq, None, "chain has no head record")
        if head.seq != last_seq or head.hash != last_hash:
            return BrokenLink(chain_name, last_seq + 1, None,
                              f"events after #{last_seq} are missing (head says #{head.seq})")
        return None

    last_hash = GENESIS
    for ev in rows:
        if ev.chain != current:
            if current is not None and (broken := check_end(current, expected_seq - 1, last_hash)):
                return broken
            current, expected_prev, expected_seq = ev.chain, GENESIS, 1
            seen_chains.add(current)
        if ev.seq != expected_seq:
            return BrokenLink(ev.chain, expected_seq, ev.id, f"event #{expected_seq} is missing")
        if ev.prev_hash != expected_prev:
            return BrokenLink(ev.chain, ev.seq, ev.id, "previous-hash link does not match")
        digest = _digest(ev.chain, ev.seq, ev.case_id, ev.at, ev.actor, ev.action, ev.task_id, ev.detail,
                         ev.prev_hash)
        if digest != ev.hash:
            return BrokenLink(ev.chain, ev.seq, ev.id, "content was altered (hash mismatch)")
        expected_prev, last_hash, expected_seq = ev.hash, ev.hash, ev.seq + 1
    if current is not None and (broken := check_end(current, expected_seq - 1, last_hash)):
        return broken
    for chain_name, head in heads.items():
        if chain_name not in seen_chains:
            return BrokenLink(chain_name, 1, None, f"all {head.seq} events of the chain are missing")
    return None


def history(session: Session, case_id: int) -> list[dict]:
    rows = session.execute(sa.select(AuditEvent).where(AuditEvent.chain == case_chain(case_id))
                           .order_by(AuditEvent.seq)).scalars()
    return [{"seq": r.seq, "at": r.at, "actor": r.actor, "action": r.action, "task_id": r.task_id,
             "detail": json.loads(r.detail)} for r in rows]
