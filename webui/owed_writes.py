"""Writes a read request owes (读请求附带的写入): a session's last click (``last_seen_at``), an API
token's last use (``last_used_at``), a page's message catch-up (消息生成).

On SQLite a write waits for the one writer there may be: a page or an API GET that wrote any of these
inline waited behind another process's long write (a timer sweep, a big deploy) up to the busy
timeout (30 s), though WAL lets every read run beside the writer. Each such write is now done at once
if the database takes a write without waiting (``Database.write_at_once``), else handed to this
process's thread for owed writes, which does it as soon as the writer is done: the request answers
at once and nothing it owed is lost (a later write for the same key — the same session, the same
token — replaces an earlier one still waiting; what is waiting at exit is written then). On
PostgreSQL, where these writes wait only for their own rows, they are done inline as before.
"""
from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from typing import Callable, Hashable

from engine.database import Busy, unavailable

log = logging.getLogger("duban.webui")

Write = Callable[..., object]  # called with the write transaction's session

RETRY_SECONDS = 1.0  # the database away (unavailable): the thread tries again after so long


class OwedWrites:
    """The owed writes of one engine in this process, and the thread that does those that could not
    be done at once."""

    def __init__(self, engine):
        self._db = engine.db
        self._pending: dict[Hashable, Write] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def owe(self, key: Hashable, write: Write) -> bool:
        """``write(session)`` now, in a write transaction of its own, if one begins without waiting
        (True); else later, by this process's thread (False)."""
        try:
            with self._db.write_at_once() as s:
                write(s)
            return True
        except Busy:
            pass
        with self._lock:
            self._pending[key] = write
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="duban-owed-writes", daemon=True)
                self._thread.start()
        self._wake.set()
        return False

    def waiting(self) -> int:
        with self._lock:
            return len(self._pending)

    def flush(self) -> None:
        """Do every waiting write now, waiting for the database as any writer does."""
        while True:
            with self._lock:
                if not self._pending:
                    return
                key, write = next(iter(self._pending.items()))
                del self._pending[key]
            try:
                with self._db.write() as s:
                    write(s)
            except Exception as exc:
                if unavailable(exc) is None:
                    log.exception("owed write %r failed", key)
                    continue
                with self._lock:
                    self._pending.setdefault(key, write)  # unless a newer one for the key came meanwhile
                raise

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            try:
                self.flush()
            except Exception as exc:  # noqa: BLE001 - the database away: try again shortly
                log.warning("owed writes waiting, database unavailable: %s", str(exc).splitlines()[0])
                time.sleep(RETRY_SECONDS)
                self._wake.set()


_OWED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_OWED_LOCK = threading.Lock()


def of(engine) -> OwedWrites:
    """The engine's owed writes in this process."""
    with _OWED_LOCK:
        owed = _OWED.get(engine)
        if owed is None:
            owed = _OWED[engine] = OwedWrites(engine)
        return owed


def owe(engine, key: Hashable, write: Write) -> bool:
    """``write(session)`` at once if the database takes a write without waiting, else soon (see the
    module's docstring); True if it was done now."""
    return of(engine).owe(key, write)


@atexit.register
def _flush_all() -> None:
    """A web worker stopping writes what it still owes (its engine still open)."""
    for owed in list(_OWED.values()):
        try:
            owed.flush()
        except Exception:  # noqa: BLE001 - the database gone at exit: nothing more to do
            log.warning("owed writes left unwritten at exit: %d", owed.waiting())
