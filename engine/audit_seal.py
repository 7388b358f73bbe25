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
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from . import audit

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


def record(url: str, heads: dict[str, tuple[int, str]], now: datetime | None = None) -> Path:
    """Keep ``heads`` (every chain's, just verified whole) as the database's last verified heads:
    written to a new file and moved over the old one, readable by its owner only."""
    path = heads_file()
    entries = _read_all(path)
    database = database_name(url)
    at = (now or datetime.now(timezone.utc)).isoformat()
    entries[database] = {"at": at, "heads": {chain: [seq, hash_] for chain, (seq, hash_) in heads.items()},
                         "mac": audit.keyring(fresh=True).current_signer(_payload(database, at, heads))}
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(path.name + ".new")
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(entries, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(fresh, path)
    return path
