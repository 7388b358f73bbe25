"""The audit chains' heads last verified, kept outside the database (最后核验的链头).

Each chain's last link is held in the database (engine/audit.py: ``audit_head``, a case row's
``audit_seq``/``audit_hash``), so a deleted newest event shows — unless the heads go back with the
events. An older backup restored over the database in place (by mistake, or to undo what was
recorded since: a 审批, a role taken away) holds every chain as it was then, each whole in itself:
``verify`` found nothing. 等保 2.0 asks that audit records be protected from deletion as well as
change (审计记录的完整性保护), which a check reading only the database cannot give against a restore.

So ``duban audit verify``, having found every chain whole, writes the heads it found to a file
beside the audit key, outside the database and its backups, signed with the audit key (an edit of
the file without the key is refused), one entry per database (its URL, password hidden); the next
verify asks that every chain has reached at least its recorded head, with the very event recorded
there, and says in Chinese which chain is older than its last verified head. A file lost is not
a chain broken: there is nothing to compare then, and the next verify writes it again.

``DUBAN_AUDIT_HEADS_FILE`` names the file; without it ``audit.heads`` beside the key file.

The timer worker keeps the heads too (``keep``, on its own cadence: ``duban worker`` and the worker
inside ``duban serve``, ``--audit-heads-interval``, 300 s), so a restore is told even when nobody ran
verify since: every chain's head as it stands, each at or past its kept one with the very event kept
there — never a head moved back, and a database behind its kept heads leaves the file as it was for
verify to name the chain. The worker does not walk the chains (verify does): a head kept unwalked
launders nothing, for a chain broken below it is still refused by the next verify's walk. One writer
at a time: a lock file beside the heads file for the processes of one host (verify's too), and on
PostgreSQL a transaction-level advisory lock for the workers of every host; a keep finding the
heads kept less than half a cadence ago (by another worker) leaves them.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from . import audit
from .schema import AuditEvent, AuditHead, Case

log = logging.getLogger("duban.audit")

HEADS_FILE_ENV = "DUBAN_AUDIT_HEADS_FILE"
_LABEL = "duban audit heads"  # what the file's MAC signs before the heads: no event's payload reads so


class HeadsRefused(RuntimeError):
    """The heads file cannot be trusted (edited, or signed with no key this system holds)."""


def heads_file() -> Path:
    named = os.environ.get(HEADS_FILE_ENV)
    return Path(named) if named else audit.key_file().with_name("audit.heads")


def database_name(url: str) -> str:
    """The database the heads are of: its URL with the password hidden (a restore keeps the URL)."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def _payload(database: str, at: str, heads: dict[str, tuple[int, str]]) -> str:
    return audit.canonical_json([_LABEL, database, at, sorted([c, s, h] for c, (s, h) in heads.items())])


def _read_all(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        entries = json.loads(text)
    except ValueError:
        raise HeadsRefused(f"最后核验的链头记录 {path} 已损坏，无法读取") from None
    if not isinstance(entries, dict):
        raise HeadsRefused(f"最后核验的链头记录 {path} 已损坏，无法读取")
    return entries


def last_verified(url: str) -> tuple[str, dict[str, tuple[int, str]]] | None:
    """(when, the heads) ``verify`` last found whole on the database at ``url``; None when none is kept."""
    path = heads_file()
    entry = _read_all(path).get(database_name(url))
    if entry is None:
        return None
    try:
        at, mac = entry["at"], entry["mac"]
        heads = {chain: (int(seq), str(hash_)) for chain, (seq, hash_) in entry["heads"].items()}
    except (KeyError, TypeError, ValueError):
        raise HeadsRefused(f"最后核验的链头记录 {path} 已损坏，无法读取") from None
    signed = audit.signed_by(str(mac))
    ring = audit.keyring(fresh=True)
    if signed is None or signed[0] not in ring.keys or \
            ring.signer(*signed)(_payload(database_name(url), at, heads)) != mac:
        raise HeadsRefused(f"最后核验的链头记录 {path} 已被改动，或不是用本系统的审计密钥签名")
    return at, heads


@contextlib.contextmanager
def _one_writer(path: Path):
    """The heads file's read-change-write, one process of this host at a time (a lock file beside it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def record(url: str, heads: dict[str, tuple[int, str]], now: datetime | None = None) -> Path:
    """Keep ``heads`` (every chain's, just verified whole) as the database's last verified heads:
    written to a new file and moved over the old one, readable by its owner only."""
    path = heads_file()
    with _one_writer(path):
        return _write(path, url, heads, now)


def _write(path: Path, url: str, heads: dict[str, tuple[int, str]], now: datetime | None) -> Path:
    entries = _read_all(path)
    database = database_name(url)
    at = (now or datetime.now(timezone.utc)).isoformat()
    entries[database] = {"at": at, "heads": {chain: [seq, hash_] for chain, (seq, hash_) in heads.items()},
                         "mac": audit.keyring(fresh=True).current_signer(_payload(database, at, heads))}
    fresh = path.with_name(f"{path.name}.{os.getpid()}.new")
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(entries, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(fresh, path)
    return path


KEEP_LOCK = 7_150_017  # PostgreSQL advisory lock key: one worker keeping the heads at a time (engine/database.SETUP_LOCK + 1)
KEEP_SECONDS = 300.0  # the worker's cadence (duban worker --audit-heads-interval)


def current_heads(session) -> dict[str, tuple[int, str]]:
    """Every chain's head as the database holds it: ``audit_head``, and a case chain's on its case row."""
    heads = {h.chain: (h.seq, h.hash) for h in session.execute(sa.select(AuditHead)).scalars()}
    for case_id, seq, hash_ in session.execute(sa.select(Case.id, Case.audit_seq, Case.audit_hash)
                                              .where(Case.audit_seq > 0)):
        heads[audit.case_chain(case_id)] = (seq, hash_)
    return heads


def first_behind(session, kept: dict[str, tuple[int, str]], heads: dict[str, tuple[int, str]]) -> str | None:
    """The first chain that has not reached its kept head with the very event kept there; None if all have."""
    moved = []
    for chain, (seq, hash_) in sorted(kept.items()):
        now = heads.get(chain)
        if now is None or now[0] < seq or (now[0] == seq and now[1] != hash_):
            return chain
        if now[0] > seq:
            moved.append((chain, seq, hash_))
    for i in range(0, len(moved), 500):  # the kept event of each chain written to since
        part = moved[i:i + 500]
        found = dict(((c, s), h) for c, s, h in session.execute(
            sa.select(AuditEvent.chain, AuditEvent.seq, AuditEvent.hash)
            .where(sa.tuple_(AuditEvent.chain, AuditEvent.seq).in_([(c, s) for c, s, _ in part]))))
        for chain, seq, hash_ in part:
            if found.get((chain, seq)) != hash_:
                return chain
    return None


def keep(db, url: str, every_seconds: float = KEEP_SECONDS, now: datetime | None = None) -> str:
    """The worker's job: keep every chain's head as it stands, if each has reached its kept one.
    Says what it did: ``kept``, ``same`` (nothing written since), ``recent`` (kept by another worker
    less than half a cadence ago), ``busy`` (another worker is keeping them now), or ``behind:CHAIN``
    (the database is older than its kept heads: nothing written, verify names it)."""
    path = heads_file()
    moment = now or datetime.now(timezone.utc)
    with _one_writer(path), db.read(snapshot=True) as s:
        if not db.is_sqlite and not s.execute(sa.text(f"SELECT pg_try_advisory_xact_lock({KEEP_LOCK})")).scalar():
            return "busy"
        last = last_verified(url)
        if last is not None and (moment - datetime.fromisoformat(last[0])).total_seconds() < every_seconds / 2:
            return "recent"
        heads = current_heads(s)
        if last is not None:
            if chain := first_behind(s, last[1], heads):
                return f"behind:{chain}"
            if last[1] == heads:
                return "same"
        _write(path, url, heads, moment)
        return "kept"


def keep_job(db, url: str, every_seconds: float = KEEP_SECONDS) -> str:
    """``keep`` as a scheduler job: what stops it is logged in Chinese, never raised."""
    try:
        outcome = keep(db, url, every_seconds)
    except HeadsRefused as exc:
        log.error("审计链头未能记下：%s。请运行 duban audit verify 并联系安全管理员", exc)
        return "refused"
    except audit.KeyUnavailable as exc:
        log.error("审计链头未能记下：读不到审计密钥（%s）", exc)
        return "refused"
    except Exception as exc:  # noqa: BLE001 - a failed keep must not stop the scheduler
        from .database import unavailable
        if unavailable(exc):
            log.warning("审计链头本次未记下：数据库暂时无法连接（%s）", str(exc).splitlines()[0])
        else:
            log.exception("审计链头未能记下")
        return "failed"
    if outcome.startswith("behind:"):
        log.error("审计链 %s 比最后一次记下的链头旧（可能恢复了旧备份，或删除了最新的记录）：链头不再记下，"
                  "请运行 duban audit verify 并联系安全管理员", outcome.split(":", 1)[1])
    elif outcome == "kept":
        log.info("审计链头已记下（%s）", heads_file())
    return outcome
