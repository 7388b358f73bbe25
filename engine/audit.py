"""The audit log (审计日志): append-only events in HMAC chains, so tampering shows even to someone
who can rewrite the database.

Each case has its own chain (``case:<id>``), everything else (deploys, directory changes) goes on the
``system`` chain, authentication on ``auth``. An event's hash is an HMAC-SHA-256 of its content and
the previous event's hash, under a secret key kept *outside* the database; each chain's last link
is held — a case chain's on its case row (``case_instance.audit_seq/audit_hash``, set by the step's
own write of the row: engine/step.py ``write_case``; ``case_head``), any other chain's in
``audit_head`` — so removing the newest events breaks the check as well, unless the head is set
back with them (it is a copy of the last event's seq and hash, readable by whoever can write the
database; an older backup restored in place does it for every chain): that is told by the heads
the last ``duban audit verify`` found, kept outside the database (engine/audit_seal.py). Someone who
can only write the database cannot recompute the chain after changing an event: they lack the key.

The key (等保 2.0: 审计记录的完整性保护):

- ``DUBAN_AUDIT_KEY_FILE`` names the key file; without it ``var/audit.key`` beside the default
  database. It is generated on first use (mode 0600). One line per key generation,
  ``<generation> <hex key>``; the highest is used for new events, older ones verify older events.
  ``duban audit new-key`` adds a generation (key rotation); never delete old lines. A running
  process looks for its keys (the environment read, the file looked at with one ``os.stat``) at
  most once every ``KEY_RECHECK_SECONDS`` (1 s) rather than on every step, so a generation added by
  another process signs its new events within that second; a rotation in this process, ``verify``
  and an engine being made look at once.
- ``DUBAN_AUDIT_KEY`` (hex) instead gives a single key, generation 1, e.g. from a secrets manager.

A stored hash reads ``<generation><scheme>:<MAC hex>`` (the MAC cut to fit the 64-character
column: 240 bits and more), so ``verify`` knows which key generation and which MAC each event was
written with. Two schemes (签名算法): ``b`` — keyed BLAKE2b (``hashlib.blake2b(key=...)``, personalized
``PERSON``), what new events are signed with since 2026-12-03; none — HMAC-SHA-256, what every event
written before holds, verified as it always was. An event whose hash names no generation, or a
scheme ``verify`` does not know, is refused: it predates the keyed chain or was forged. The payload
signed is the same in both (``_digest``).

The link is computed on every event of every step, so it is built without the general-purpose
layers (the same bytes, tests/test_security_audit.py checks them against ``json.dumps``,
``hashlib.blake2b`` and ``hmac.new``): an event's detail by one prebuilt C encoder of the standard
library's ``json`` (what ``json.dumps`` makes anew on each call), its payload — a list of texts and
ints — as UTF-8 bytes by one msgspec call (``_payload_bytes``: byte for byte the same for those
types, every code point checked; anything else goes to ``json``), the MAC keyed once per key
generation and copied per event (``_Signer``). The detail stays on ``json``'s encoder: msgspec
writes floats (``1e16``, not ``1e+16``), non-finite numbers and dates otherwise, and telling them
apart would cost a walk of the value. Keyed BLAKE2b is one C object per event where the
HMAC is OpenSSL's, copied through Python's ``hmac`` wrapper: measured in a completion (two events,
thread CPU time, in-process A/B) the HMAC links cost ~30 µs more.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import msgspec
import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import sqlexec
from .schema import AuditEvent, AuditHead, Case

GENESIS = "0" * 64
SYSTEM_CHAIN = "system"
HASH_LENGTH = 64  # the hash columns' width
DEFAULT_KEY_FILE = Path(__file__).resolve().parent.parent / "var" / "audit.key"
_DEFAULT_KEY_FILE_NAME = str(DEFAULT_KEY_FILE)


CASE_CHAIN_PREFIX = "case:"
# A case number counter's anchor chain (``case_no:<prefix>:<year>``): one event a started case
# (engine/case_anchor.py), which ``verify_report`` checks against the case rows.
ANCHOR_CHAIN_PREFIX = "case_no:"


def case_chain(case_id: int) -> str:
    return f"case:{case_id}"


_JSON_OPTIONS = {"ensure_ascii": False, "sort_keys": True, "separators": (",", ":"), "default": str}


def _prebuilt_encoder():
    """The C encoder ``json.dumps(**_JSON_OPTIONS)`` builds on each call, built once (no circular
    check: a self-containing value raises RecursionError instead of ValueError); None where the
    standard library has no C encoder."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    try:
        encode = make(None, str, json.encoder.encode_basestring, None, ":", ",", True, False, True)
        probe = [{"b": 1, "a": [None, 1.5, "审计\n\"x\""], "c": {"z": True}}, "s", 7]
        if "".join(encode(probe, 0)) != json.dumps(probe, **_JSON_OPTIONS):
            return None
    except Exception:
        return None
    return encode


_ENCODE = _prebuilt_encoder()


def canonical_json(value) -> str:
    """Compact JSON with sorted keys, non-ASCII as is, anything else as ``str``: the bytes hashed."""
    if _ENCODE is None:
        return json.dumps(value, **_JSON_OPTIONS)
    return "".join(_ENCODE(value, 0))


# An event's detail written by msgspec with its keys sorted: byte for byte what ``canonical_json``
# writes for text keys and values that are text, integers, booleans, None and lists and dicts of
# those (tests/test_security_audit.py: every code point, key order of every plane), in a third of
# its time (~0.9 against ~2.5 µs a step's detail). Floats (msgspec writes ``1e16``, json
# ``1e+16``), dates and anything else JSON has no form for: ``canonical_json``.
_encode_sorted = msgspec.json.Encoder(order="sorted").encode
_DETAIL_SCALARS = frozenset({str, int, bool, type(None)})
_TEXT = frozenset({str})


def _plain_detail(value, depth: int = 0) -> bool:
    """``value`` holds nothing but what ``_encode_sorted`` writes as ``canonical_json`` does."""
    kind = type(value)
    if kind in _DETAIL_SCALARS:
        return True
    if depth > 16:  # deep, or a circular reference: canonical_json decides
        return False
    if kind is dict:
        if not _TEXT.issuperset(map(type, value)):  # the keys, in C
            return False
        values = value.values()
        if _DETAIL_SCALARS.issuperset(map(type, values)):  # flat (a task's detail, most forms' data), in C
            return True
        for item in values:
            if type(item) not in _DETAIL_SCALARS and not _plain_detail(item, depth + 1):
                return False
        return True
    if kind is list:
        if _DETAIL_SCALARS.issuperset(map(type, value)):
            return True
        for item in value:
            if not (type(item) in _DETAIL_SCALARS or _plain_detail(item, depth + 1)):
                return False
        return True
    return False


def detail_text(detail: dict) -> str:
    """``canonical_json(detail)``, by msgspec when ``_plain_detail`` says it writes the same bytes."""
    if _plain_detail(detail):
        try:
            return _encode_sorted(detail).decode()
        except UnicodeEncodeError:  # a lone surrogate, which json writes as it is
            pass
    return canonical_json(detail)


# -- the key ----------------------------------------------------------------------------------------

class KeyUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Keyring:
    keys: dict[int, bytes]
    source: str  # the file or environment variable the keys came from
    _signers: dict[tuple[int, str], _Signer] = field(default_factory=dict, compare=False, repr=False)

    @property
    def current(self) -> int:
        return max(self.keys)

    @functools.cached_property
    def current_signer(self) -> _Signer:
        """The signer of new events (a keyring's keys never change: a new file is a new keyring)."""
        return self.signer(self.current)

    def signer(self, generation: int, scheme: str = "") -> _Signer:
        """The signer of ``generation`` with ``scheme`` (``BLAKE2B`` or ``HMAC_SHA256``; default: the one new events use)."""
        scheme = scheme or SCHEME
        signer = self._signers.get((generation, scheme))
        if signer is None:
            key = self.keys.get(generation)
            if key is None:
                raise KeyUnavailable(f"audit key generation {generation} is not in {self.source}")
            signer = self._signers[(generation, scheme)] = _Signer(generation, key, scheme)
        return signer


# The MACs a stored hash may name, by the letter after its generation (``<generation><scheme>:``).
BLAKE2B = "b"  # keyed BLAKE2b-256: new events
HMAC_SHA256 = "-"  # HMAC-SHA-256: events written before 2026-12-03 (no letter in their hash)
SCHEME = BLAKE2B  # what new events are signed with
PERSON = b"duban audit"  # BLAKE2b's personalization: this key signs nothing else the same way
_BLAKE2B_MAX_KEY = hashlib.blake2b.MAX_KEY_SIZE


def _blake2b_key(key: bytes) -> bytes:
    """The key as BLAKE2b takes it: itself up to 64 bytes, a longer one hashed to 64 (as HMAC
    hashes a key longer than its block)."""
    if len(key) <= _BLAKE2B_MAX_KEY:
        return key
    return hashlib.blake2b(key, digest_size=_BLAKE2B_MAX_KEY, person=PERSON).digest()


class _Signer:
    """Signs with one key generation and scheme: ``<generation><scheme letter>:<MAC hex>``, cut to
    the hash column's width. The standard library's keyed BLAKE2b (or HMAC) keyed once per
    generation and copied per event; hand-rolling RFC 2104 on ``hashlib`` saved about 1.4 µs an
    event and was not kept: the audit's integrity rests on the maintained primitives."""
    __slots__ = ("prefix", "cut", "_keyed")

    def __init__(self, generation: int, key: bytes, scheme: str = HMAC_SHA256):
        keyed: hmac.HMAC | hashlib._Hash
        if scheme == BLAKE2B:
            self.prefix = f"{generation}{BLAKE2B}:"
            keyed = hashlib.blake2b(key=_blake2b_key(key), digest_size=32, person=PERSON)
        elif scheme == HMAC_SHA256:
            self.prefix = f"{generation}:"
            keyed = hmac.new(key, digestmod=hashlib.sha256)
        else:
            raise ValueError(f"unknown audit signing scheme {scheme!r}")
        self.cut = HASH_LENGTH - len(self.prefix)
        self._keyed = keyed

    def __call__(self, payload: str) -> str:
        return self.sign_bytes(payload.encode("utf-8"))

    def sign_bytes(self, payload: bytes) -> str:
        """The link of a payload already UTF-8 encoded (``_payload_bytes``)."""
        mac = self._keyed.copy()
        mac.update(payload)
        return self.prefix + mac.hexdigest()[:self.cut]


_KEYRINGS: dict[tuple, Keyring] = {}
KEY_RECHECK_SECONDS = 1.0  # how long a process signs with the keys it read before looking again
_last: tuple[float, Keyring] | None = None  # (monotonic time the keys were looked for, the keys found)


def key_file() -> Path:
    return Path(os.environ.get("DUBAN_AUDIT_KEY_FILE") or DEFAULT_KEY_FILE)


def keyring(fresh: bool = False) -> Keyring:
    """The audit keys, from ``DUBAN_AUDIT_KEY`` or the key file (created on first use).

    Every step signs with them, so they are looked for — the environment read, the file looked at
    (one ``os.stat``: a rotation appends a line, which changes its size) — at most once every
    ``KEY_RECHECK_SECONDS``; in between a step pays one clock read (measured in a completion: the
    two environment reads alone cost 4–6 µs there). ``fresh`` looks now; ``forget_keys`` makes the
    next call look (an engine being made: its environment names the keys)."""
    last = _last
    if last is not None and not fresh and time.monotonic() - last[0] < KEY_RECHECK_SECONDS:
        return last[1]
    return _look_for_keys()


def forget_keys() -> None:
    """The next ``keyring()`` looks for the keys again (the environment may name others now)."""
    global _last
    _last = None


def _look_for_keys() -> Keyring:
    global _last
    now = time.monotonic()  # the time from before the look: a later rotation is seen next time
    env = os.environ.get("DUBAN_AUDIT_KEY")
    if env:
        cache_key: tuple = ("env", env)
        ring = _KEYRINGS.get(cache_key)
        if ring is None:
            ring = _KEYRINGS[cache_key] = Keyring({1: bytes.fromhex(env.strip())}, "DUBAN_AUDIT_KEY")
    else:
        name = os.environ.get("DUBAN_AUDIT_KEY_FILE") or _DEFAULT_KEY_FILE_NAME
        try:
            stat = os.stat(name)
        except FileNotFoundError:
            _create_key_file(Path(name))
            stat = os.stat(name)
        cache_key = (name, stat.st_mtime_ns, stat.st_size)
        ring = _KEYRINGS.get(cache_key)
        if ring is None:
            ring = _KEYRINGS[cache_key] = _read_key_file(Path(name))
    _last = (now, ring)
    return ring


def _read_key_file(path: Path) -> Keyring:
    keys = {}
    for line in path.read_text(encoding="ascii").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        generation, _, hexkey = line.partition(" ")
        keys[int(generation)] = bytes.fromhex(hexkey.strip())
    if not keys:
        raise KeyUnavailable(f"audit key file {path} holds no key")
    return Keyring(keys, str(path))


def _create_key_file(path: Path) -> None:
    """Write generation 1 atomically (the first process wins; the others read its key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("# Duban audit chain keys: <generation> <hex key>. Keep outside the database; never delete lines.\n")
        fh.write(f"1 {secrets.token_hex(32)}\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def new_key_generation() -> int:
    """Add a key generation to the key file (rotation); new events use it, old ones keep theirs."""
    if os.environ.get("DUBAN_AUDIT_KEY"):
        raise KeyUnavailable("DUBAN_AUDIT_KEY is set: rotate the key where it is kept")
    ring = keyring(fresh=True)  # not the cached keys: another process may have added a generation since
    generation = ring.current + 1
    with open(key_file(), "a", encoding="ascii") as fh:
        fh.write(f"{generation} {secrets.token_hex(32)}\n")
    keyring(fresh=True)  # this process signs with the new generation at once
    return generation


def _digest(ev_chain, seq, case_id, at: datetime, actor, action, task_id, detail: str, prev_hash,
            generation: int | None = None, ring: Keyring | None = None, scheme: str = SCHEME) -> str:
    ring = ring or keyring()
    sign = ring.signer(ring.current if generation is None else generation, scheme)
    return sign(canonical_json([ev_chain, seq, case_id, at.isoformat(), actor, action, task_id, detail, prev_hash]))


def signed_by(stored_hash: str) -> tuple[int, str] | None:
    """The key generation and scheme a stored hash names (``1b:...`` -> (1, BLAKE2B), ``1:...`` ->
    (1, HMAC_SHA256)); None if it names none, or a scheme not known here."""
    head, sep, _ = stored_hash.partition(":")
    if not sep:
        return None
    scheme = HMAC_SHA256
    if head.endswith(BLAKE2B):
        head, scheme = head[:-len(BLAKE2B)], BLAKE2B
    if not (head.isascii() and head.isdigit()):
        return None
    return int(head), scheme


def generation_of(stored_hash: str) -> int | None:
    signed = signed_by(stored_hash)
    return signed[0] if signed is not None else None


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
    if case_id is not None and chain == case_chain(case_id):
        conn = session.connection()
        head = case_head(conn, session.info, case_id, lock=conn.dialect.name != "sqlite")
        if head is not None:  # the case chain's head is on its case row (revision 0021)
            seq, prev_hash = head[0] + 1, head[1]
            text = canonical_json(detail or {})
            event = AuditEvent(chain=chain, seq=seq, case_id=case_id, at=at, actor=actor, action=action,
                               task_id=task_id, detail=text, prev_hash=prev_hash,
                               hash=_digest(chain, seq, case_id, at, actor, action, task_id, text, prev_hash))
            session.add(event)
            sqlexec.execute(conn, MOVE_CASE_HEAD,
                            {"b_id": case_id, "audit_seq": seq, "audit_hash": event.hash})
            case_heads(session.info)[case_id] = (seq, event.hash)
            return event
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
_CASES = Case.__table__
_CASE_HEAD_SELECT = sa.select(_CASES.c.audit_seq, _CASES.c.audit_hash).where(_CASES.c.id == sa.bindparam("id"))
_CASE_HEAD = sqlexec.Sql(_CASE_HEAD_SELECT)
_CASE_HEAD_LOCKED = sqlexec.Sql(_CASE_HEAD_SELECT.with_for_update(key_share=True))
# A case chain's head moved on its row by a statement of its own: events added after the step's
# write of the row, or with no step of the case (engine/step.py ``AuditBuffer.flush``, ``append``).
MOVE_CASE_HEAD = sqlexec.Sql(sa.update(_CASES).where(_CASES.c.id == sa.bindparam("b_id"))
                             .values(audit_seq=sa.bindparam("audit_seq"), audit_hash=sa.bindparam("audit_hash")))


def case_heads(info: dict) -> dict[int, tuple[int, str]]:
    """The case chain heads a transaction has moved (case id -> (seq, hash)), in its ``info``
    (the ORM session's, or a step's ``Tx.info``, which becomes the session's): whatever appends to
    a case chain next starts from here, not from a row read before the move."""
    heads = info.get("case_heads")
    if heads is None:
        heads = info["case_heads"] = {}
    return heads


def case_head(conn: sa.Connection, info: dict, case_id: int, lock: bool) -> tuple[int, str] | None:
    """Case ``case_id``'s chain head (seq, hash; (0, GENESIS) before its first event): as this
    transaction left it, else read from the case row (locked as an ``UPDATE`` locks it when
    ``lock``: PostgreSQL). None if there is no case row (its chain, if any, has an ``audit_head`` row)."""
    head = case_heads(info).get(case_id)
    if head is not None:
        return head
    row = sqlexec.first(conn, _CASE_HEAD_LOCKED if lock else _CASE_HEAD, {"id": case_id})
    if row is None:
        return None
    return (row.audit_seq, row.audit_hash) if row.audit_seq else (0, GENESIS)
# The hot path's statements (engine/sqlexec.py: rendered once, run on the DBAPI cursor).
_HEAD_SELECT = sa.select(_HEADS.c.seq, _HEADS.c.hash).where(_HEADS.c.chain == sa.bindparam("chain"))
_HEAD = sqlexec.Sql(_HEAD_SELECT)
_HEAD_LOCKED = sqlexec.Sql(_HEAD_SELECT.with_for_update())


EVENT_COLUMNS = ("chain", "seq", "case_id", "at", "actor", "action", "task_id", "detail", "prev_hash", "hash")
_INSERT_EVENTS = INSERT_EVENTS = sqlexec.Sql(sa.insert(_EVENTS), keys=EVENT_COLUMNS)
_INSERT_HEAD = sqlexec.Sql(sa.insert(_HEADS), keys=("chain", "seq", "hash"))
_MOVE_HEAD = sqlexec.Sql(sa.update(_HEADS).where(_HEADS.c.chain == sa.bindparam("b_chain"))
                         .values(seq=sa.bindparam("seq"), hash=sa.bindparam("hash")))


_NO_TIME = object()


# An event as a step's buffer holds it (engine/step.py ``AuditBuffer``): a plain tuple, made with
# no keyword arguments or dict, in this order.
EVENT_FIELDS = ("case_id", "actor", "action", "at", "task_id", "detail")


def _linked(chain: str, events: list[tuple], seq: int, prev_hash: str) -> tuple[list[dict], int, str]:
    """The rows of ``events`` (tuples of ``EVENT_FIELDS``) chained after (seq, prev_hash); returns
    them with the new head. The payload signed is ``_digest``'s, byte for byte: the list
    ``[chain, seq, case_id, at, actor, action, task_id, detail, prev_hash]`` as ``canonical_json``
    writes it, UTF-8 encoded — here by ``_payload_bytes``."""
    rows = []
    sign = keyring().current_signer.sign_bytes
    behalf = _ON_BEHALF.get()
    at: object = _NO_TIME
    stamp = ""
    for case_id, actor, action, when, task_id, detail in events:
        seq += 1
        if behalf is not None:
            actor, detail = _as_recorded(actor, detail)
        text = detail_text(detail) if detail else "{}"
        if when is not at:  # a step's events mostly share one time: one isoformat
            at = when
            stamp = when.isoformat()
        digest = sign(_payload_bytes(chain, seq, case_id, stamp, actor, action, task_id, text, prev_hash))
        rows.append({"chain": chain, "seq": seq, "case_id": case_id, "at": when, "actor": actor,
                     "action": action, "task_id": task_id, "detail": text, "prev_hash": prev_hash,
                     "hash": digest})
        prev_hash = digest
    return rows, seq, prev_hash


# The payload's list as UTF-8 JSON in one C call. msgspec writes a ``str`` exactly as ``json`` does
# with ``ensure_ascii`` off (every code point checked: tests/test_security_audit.py), an ``int``
# (any size) and None alike; it writes floats, non-finite numbers and the types ``json`` hands to
# ``default=str`` (dates, sets...) otherwise, so it is given only the exact types below.
_encode_list = msgspec.json.Encoder().encode


_LIST_TYPES = frozenset({str, int, type(None)})  # what msgspec writes as ``canonical_json`` does, in any place


def _payload_bytes(chain, seq, case_id, stamp, actor, action, task_id, text, prev_hash) -> bytes:
    """``canonical_json([chain, seq, case_id, stamp, actor, action, task_id, text, prev_hash])``
    as UTF-8: by msgspec when every field is text, an int or None (exactly those types: not a bool,
    a float or a subclass), which it writes byte for byte as ``json`` does wherever they stand — the
    hot path's fields always are (one C-level look at the types) —, else by ``canonical_json``. A
    lone surrogate fails either way (UnicodeEncodeError), as it always did."""
    payload = [chain, seq, case_id, stamp, actor, action, task_id, text, prev_hash]
    if _LIST_TYPES.issuperset(map(type, payload)):
        return _encode_list(payload)
    return canonical_json(payload).encode("utf-8")


def append_many(conn: sa.Connection, chain: str, events: list[tuple], lock: bool) -> None:
    """Append ``events`` (tuples of ``EVENT_FIELDS``) to ``chain``, a chain whose head is an
    ``audit_head`` row (the ``system`` and ``auth`` chains; a case chain whose case row is gone), in
    one insert: the hot path's form of ``append`` (SQL Core on the transaction's connection). The
    head is read ``FOR UPDATE`` when ``lock`` (PostgreSQL: another process appending to the chain
    waits for this transaction; SQLite's writer lock already serializes), then moved.

    Until 2026-12-04 a process guessed such heads (``HeadCache``) and, in a use case that could
    redo itself (``step.redo_on_stale_head``), had the database refuse a stale guess at COMMIT. Since
    revision 0021 a case chain's head comes with its case row and no step appends to these chains,
    so that was left with no caller; it went (a read, on the rare step that needs one)."""
    append_chains(conn, {chain: events}, lock)


_HEADS_OF = (sa.select(_HEADS.c.chain, _HEADS.c.seq, _HEADS.c.hash)
             .where(_HEADS.c.chain.in_(sa.bindparam("chains", expanding=True))).order_by(_HEADS.c.chain))
_HEADS_OF_LOCKED = _HEADS_OF.with_for_update()


def append_chains(conn: sa.Connection, by_chain: dict[str, list[tuple]], lock: bool) -> None:
    """``append_many`` for many chains at once: one chain's head read by its key, several in one
    statement (locked in chain order, so two writers never wait on each other in a cycle); every
    event in one insert, the heads written back in one statement each for new and moved ones. The
    writes need no answer: on PostgreSQL they go with the COMMIT."""
    if len(by_chain) == 1:
        (chain, _), = by_chain.items()
        head = sqlexec.first(conn, _HEAD_LOCKED if lock else _HEAD, {"chain": chain})
        found = {chain: (head.seq, head.hash)} if head is not None else {}
    else:
        found = {r.chain: (r.seq, r.hash) for r in conn.execute(_HEADS_OF_LOCKED if lock else _HEADS_OF,
                                                                {"chains": sorted(by_chain)})}
    rows, new_heads, moved_heads = [], [], []
    for chain, events in by_chain.items():
        linked, seq, last = _linked(chain, events, *found.get(chain, (0, GENESIS)))
        rows.extend(linked)
        if chain in found:
            moved_heads.append({"b_chain": chain, "seq": seq, "hash": last})
        else:
            new_heads.append({"chain": chain, "seq": seq, "hash": last})
    sqlexec.defer(conn, _INSERT_EVENTS, rows, many=True)
    if new_heads:
        sqlexec.defer(conn, _INSERT_HEAD, new_heads, many=True)
    if moved_heads:
        sqlexec.defer(conn, _MOVE_HEAD, moved_heads, many=True)


# What an administrator does on a broken link (审计链断开): the database may have been altered.
_RESTORE = "数据库可能被改动过。请从备份恢复数据库，并联系安全管理员"


def _short(hash_: str) -> str:
    """A stored hash cut for reading (its key generation and the first characters of the MAC)."""
    return hash_ if len(hash_) <= 14 else hash_[:14] + "…"


def _said(what: str, technical: str, advice: str = _RESTORE) -> str:
    """A broken link's reason: what is wrong with the record, what to do, then the technical values."""
    return f"{what}。{advice}（技术信息：{technical}）"


@dataclass
class BrokenLink:
    chain: str
    seq: int
    event_id: int | None
    reason: str

    def __str__(self):
        at = f"（记录 id {self.event_id}）" if self.event_id is not None else ""
        return f"审计链 {self.chain} 第 {self.seq} 条{at}：{self.reason}"


@dataclass
class Report:
    """What ``verify`` found: the first broken link (None when all hold), how many events each key
    generation signed, and where the keys came from."""
    broken: BrokenLink | None
    generations: dict[int, int] = field(default_factory=dict)
    current: int | None = None
    source: str = ""
    events: int = 0
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)  # every chain's last (seq, hash) walked


def verify(session: Session) -> BrokenLink | None:
    """Walk every chain in order; return the first broken link, or None when all hold."""
    return verify_report(session).broken


def verify_report(session: Session, known: dict[str, tuple[int, str]] | None = None) -> Report:
    """Walk every chain in order, checking each event's HMAC with its own key generation.

    ``known``: the heads a verify found before (engine/audit_seal.py, kept outside the database):
    every chain must have reached its known head, with that very event there — an older backup
    restored in place holds each chain whole, only behind."""
    known = known or {}
    ring = keyring(fresh=True)  # every generation written so far, also by other processes
    report = Report(None, current=ring.current, source=ring.source)
    heads: dict[str, Any] = {h.chain: h for h in session.execute(sa.select(AuditHead)).scalars()}
    # a case chain's head is on its case row (revision 0021); a case with no event has seq 0
    for case_id, seq, hash_ in session.execute(sa.select(Case.id, Case.audit_seq, Case.audit_hash)
                                              .where(Case.audit_seq > 0)):
        heads[case_chain(case_id)] = _Head(seq, hash_)
    seen_chains = set()
    anchored: list[AuditEvent] = []  # case anchors (engine/case_anchor.py): each case must still have its row
    current, expected_prev, expected_seq = None, GENESIS, 1
    known_head: tuple[int, str] | None = None
    rows = session.execute(sa.select(AuditEvent).order_by(AuditEvent.chain, AuditEvent.seq)).scalars()

    def check_end(chain_name, last_seq, last_hash):
        head = heads.get(chain_name)
        if head is None:
            return BrokenLink(chain_name, last_seq, None, _said(
                "这条审计链的链头（记着最后一条记录的那一行）不见了：链头被删除，或整条链是另外写进数据库的",
                f"链末 seq {last_seq}，{_short(last_hash)}"))
        if head.seq != last_seq or head.hash != last_hash:
            return BrokenLink(chain_name, last_seq + 1, None, _said(_end_differs(head.seq, last_seq),
                              f"链头 seq {head.seq}，{_short(head.hash)}；链末 seq {last_seq}，{_short(last_hash)}"))
        return None

    def broken(link):
        report.broken = link
        return report

    def behind(chain_name, last_seq):
        report.heads[chain_name] = (last_seq, last_hash)
        seen = known.get(chain_name)
        if seen is not None and seen[0] > last_seq:
            return BrokenLink(chain_name, last_seq + 1, None, _older(seen[0], last_seq))
        return None

    last_hash = GENESIS
    for ev in rows:
        if ev.chain != current:
            if current is not None and (link := check_end(current, expected_seq - 1, last_hash)
                                        or behind(current, expected_seq - 1)):
                return broken(link)
            current, expected_prev, expected_seq = ev.chain, GENESIS, 1
            seen_chains.add(current)
            known_head = known.get(current)
        if ev.seq != expected_seq:
            return broken(BrokenLink(ev.chain, expected_seq, ev.id, _said(
                f"第 {expected_seq} 条记录不见了（被删除），链在这里直接接到了第 {ev.seq} 条",
                f"应为 seq {expected_seq}，实为 seq {ev.seq}")))
        if ev.prev_hash != expected_prev:
            return broken(BrokenLink(ev.chain, ev.seq, ev.id, _said(
                "这条记录接不上前一条：它记着的前一条与实际的前一条不符（前一条被替换或删除过，或这条是另外插进来的）",
                f"记着 {_short(ev.prev_hash)}，前一条为 {_short(expected_prev)}")))
        signed = signed_by(ev.hash)
        if signed is None:
            return broken(BrokenLink(ev.chain, ev.seq, ev.id, _said(
                "这条记录没有审计密钥的签名：它是在启用审计密钥之前写入的，或是伪造的",
                _short(ev.hash))))
        generation, scheme = signed
        if generation not in ring.keys:
            return broken(BrokenLink(ev.chain, ev.seq, ev.id, _said(
                f"这条记录用第 {generation} 代审计密钥签名，但所用的密钥文件里没有这一代密钥：可能用错了密钥文件，"
                "也可能这条记录是伪造的",
                f"密钥来自 {ring.source}；{_short(ev.hash)}",
                "请确认所用的是本系统的审计密钥文件（必要时从密钥备份恢复）后再核验；仍然如此，请联系安全管理员")))
        digest = _digest(ev.chain, ev.seq, ev.case_id, ev.at, ev.actor, ev.action, ev.task_id, ev.detail,
                         ev.prev_hash, generation, ring, scheme)
        if not hmac.compare_digest(digest, ev.hash):
            return broken(BrokenLink(ev.chain, ev.seq, ev.id, _said(
                "这条记录的内容与它的签名不符：写入后被改动过（若刚换过密钥文件，也可能所用的不是写入时的审计密钥）",
                _short(ev.hash))))
        if known_head is not None and known_head[0] == ev.seq and known_head[1] != ev.hash:
            return broken(BrokenLink(ev.chain, ev.seq, ev.id, _said(
                f"第 {ev.seq} 条与最后一次核验时的链头不是同一条记录（可能恢复了旧备份后又写入了新的记录）",
                f"核验时 {_short(known_head[1])}，现在 {_short(ev.hash)}", _RESTORED)))
        report.generations[generation] = report.generations.get(generation, 0) + 1
        report.events += 1
        if ev.case_id is not None and ev.chain.startswith(ANCHOR_CHAIN_PREFIX):
            anchored.append(ev)
        expected_prev, last_hash, expected_seq = ev.hash, ev.hash, ev.seq + 1
    if current is not None and (link := check_end(current, expected_seq - 1, last_hash)
                                or behind(current, expected_seq - 1)):
        return broken(link)
    if link := _whole_chain_missing(heads, seen_chains):
        return broken(link)
    for chain_name, (seq, _) in known.items():
        if chain_name not in seen_chains:
            return broken(BrokenLink(chain_name, 1, None, _older(seq, 0)))
    if link := _anchored_case_missing(session, anchored):
        return broken(link)
    return report


_RESTORED = "请确认近期是否把数据库恢复成了旧备份，并联系安全管理员；不是有意恢复的，请从最新的备份恢复"


def _older(known_seq: int, seq: int) -> str:
    return _said(f"比最后一次核验时的链头旧：核验时已有 {known_seq} 条记录，现在只有 {seq} 条"
                 "（可能恢复了旧备份，或删除了最新的记录）", f"核验时 seq {known_seq}，现在 seq {seq}", _RESTORED)


def _end_differs(head_seq: int, last_seq: int) -> str:
    """Why a chain's last event is not the one its head names."""
    if head_seq > last_seq:
        return (f"第 {last_seq + 1} 条起的记录不见了：链头记着共 {head_seq} 条，现在只有 {last_seq} 条"
                "（最新的记录被删除）")
    if head_seq < last_seq:
        return (f"链中的记录比链头记着的多：链头记着 {head_seq} 条，现在有 {last_seq} 条"
                "（链头被改回了旧值，或记录是另外写进来的）")
    return "最后一条记录与链头记着的不是同一条（最后一条被替换过）"


@dataclass(frozen=True)
class _Head:
    seq: int
    hash: str


def _whole_chain_missing(heads: dict, seen_chains: set) -> BrokenLink | None:
    """A chain ``audit_head`` knows but with no event left at all."""
    for chain_name, head in heads.items():
        if chain_name not in seen_chains:
            return BrokenLink(chain_name, 1, None, _said(
                f"这条审计链的全部 {head.seq} 条记录都不见了（被删除），只剩链头", f"链头 seq {head.seq}，{_short(head.hash)}"))
    return None


def _anchored_case_missing(session: Session, anchored: list) -> BrokenLink | None:
    """A case whose anchor (engine/case_anchor.py) holds but whose row is gone: deleted together
    with its whole chain, which left nothing else to notice it (a row deleted alone leaves its
    chain without a head; a chain deleted alone leaves a head with no event)."""
    if not anchored:
        return None
    cases = set(session.execute(sa.select(Case.id)).scalars())
    for ev in anchored:
        if ev.case_id not in cases:
            case_no = json.loads(ev.detail).get("case_no", "")
            return BrokenLink(ev.chain, ev.seq, ev.id, _said(
                f"案件 {case_no}（id {ev.case_id}）立案时已登记，但其案件记录连同审计链已被删除",
                f"登记记录 {_short(ev.hash)}"))
    return None


_HISTORY = sqlexec.Sql(sa.select(AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.action,
                                  AuditEvent.task_id, AuditEvent.detail)
                        .where(AuditEvent.chain == sa.bindparam("chain")).order_by(AuditEvent.seq))


def history(session: Session, case_id: int) -> list[dict]:
    """A case's audit events in order, for reading (the case page, GET /api/cases/<id>): plain rows
    from the DBAPI cursor (engine/sqlexec.py), no ORM entity per event."""
    return [{"seq": r.seq, "at": r.at, "actor": r.actor, "action": r.action, "task_id": r.task_id,
             "detail": json.loads(r.detail)}
            for r in sqlexec.all_rows(session.connection(), _HISTORY, {"chain": case_chain(case_id)})]
