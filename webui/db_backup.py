"""``duban db backup FILE`` (数据库备份): a consistent copy of a running SQLite database.

Copying the database file while ``duban serve`` runs is not a backup: the last commits live in the
``-wal`` file beside it, and a copy taken mid-checkpoint can be torn. SQLite's online backup API
copies the database as of one moment (a read transaction: writers go on meanwhile under WAL); the
copy is written beside its destination as ``.….<random>.partial``, checked (``PRAGMA quick_check``),
flushed to disk and only then linked into place, so a backup that fails half-way (the disk full)
leaves no file that looks like a backup. The copy holds the password hashes and every case: it is
made readable by its owner only (0600), its working file is created new (never through a link
someone left at a name we would have used) and it is published without replacing anything that
appeared at the destination meanwhile. PostgreSQL is backed up with ``pg_dump``.
"""
from __future__ import annotations

import errno
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SPARE_BYTES = 16 * 1024 * 1024  # free space kept beyond the copy's size


class BackupRefused(Exception):
    """The backup was not made; the message (Chinese) says why and what to do. Nothing was left behind."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    cases: int


def backup(database: str, destination: Path) -> Backup:
    """Copy the SQLite database file ``database`` to ``destination`` (a file that does not exist
    yet, or a folder: ``duban-<time>.sqlite`` in it)."""
    source = Path(database)
    if not source.is_file():
        raise BackupRefused(f"找不到数据库文件「{source}」；请检查 DUBAN_DATABASE_URL")
    if destination.is_dir():
        from datetime import datetime
        destination = destination / f"duban-{datetime.now():%Y%m%d-%H%M%S}.sqlite"
    if os.path.lexists(destination):  # a file, or a link (even one leading nowhere)
        raise BackupRefused(f"「{destination}」已存在，备份不会覆盖它；请换一个文件名")
    if not destination.parent.is_dir():
        raise BackupRefused(f"目录「{destination.parent}」不存在；请先建好目录")
    wal = source.with_name(source.name + "-wal")
    needed = source.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    free = _free_bytes(destination.parent)
    if free < needed + SPARE_BYTES:
        raise BackupRefused(f"「{destination.parent}」所在磁盘空间不足：备份约需 {_mb(needed + SPARE_BYTES)}，"
                            f"只剩 {_mb(free)}；请清理磁盘或备份到别的磁盘")
    partial = destination.with_name(f".{destination.name}.{secrets.token_hex(8)}.partial")
    try:
        # owner-only, and a new file: O_EXCL|O_NOFOLLOW refuse a name someone placed a link at
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
    except OSError as exc:
        raise BackupRefused(f"无法在目录「{destination.parent}」中创建备份文件（{exc.strerror}）；"
                            "请检查该目录的权限") from None
    try:
        _copy(source, partial)
        size = partial.stat().st_size
        cases = _check(partial)
        try:
            os.link(partial, destination)  # never over a file or link that appeared meanwhile
        except FileExistsError:
            raise BackupRefused(f"「{destination}」已存在，备份不会覆盖它；请换一个文件名") from None
        partial.unlink()
        _sync_folder(destination.parent)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        if _disk_full(exc):
            raise BackupRefused(f"「{destination.parent}」所在磁盘写满了，备份没有完成（不完整的文件已删除）；"
                                f"请清理磁盘或备份到别的磁盘") from None
        raise
    return Backup(destination, size, cases)


def _copy(source: Path, target: Path) -> None:
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        writer = sqlite3.connect(target)
        try:
            reader.backup(writer)  # all pages in one step: one snapshot, writers go on under WAL
            writer.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            writer.close()
    finally:
        reader.close()
    with open(target, "rb+") as written:
        os.fsync(written.fileno())


def _check(path: Path) -> int:
    """The copy's number of cases, once SQLite finds it sound."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = db.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise BackupRefused(f"备份副本未通过完整性检查（{verdict}）；原数据库可能已损坏，请联系技术支持")
        try:
            return int(db.execute("SELECT count(*) FROM case_instance").fetchone()[0])
        except sqlite3.OperationalError:
            return 0
    finally:
        db.close()


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _free_bytes(folder: Path) -> int:
    stat = os.statvfs(folder)
    return stat.f_bavail * stat.f_frsize


def _disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return True
    return isinstance(exc, sqlite3.Error) and ("disk is full" in str(exc) or "disk i/o error" in str(exc).lower())


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"
