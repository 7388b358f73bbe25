"""SQLite writers on one file take turns (写入轮换): a waiting writer is let in as soon as the
current one ends, instead of SQLite's busy handler finding the write lock free by chance (issue 15).

A SQLite writer that finds the write lock taken sleeps and looks again — 1, 2, 5, ... then every
100 ms (its busy handler) — and nobody wakes it when the lock is freed. A process writing
transactions back to back (a timer sweep firing batch after batch) frees the lock for a few
microseconds between two of them, so the other one rarely finds it free: with the WAL checkpoints
off the commit (engine/checkpoint.py), two sweep workers split 10,000 timers [5000, 0], and one run
died on "database is locked" after the 30 s busy timeout. The commit's own checkpoints had been the
pauses the other process got in through.

``Turns`` hands the write lock on in the kernel instead: every write transaction of ours on a
SQLite file (``Database.writer``) first takes the *turn*, an open-file-description lock
(``F_OFD_SETLKW``) on byte 1 of a side file ``<database>-turns``; a process waiting for it is woken
the moment it is released. So that the writer just done cannot take the turn again before the woken
one runs (a busy 2-core machine schedules it late), a writer queues at the *door* (byte 0) first and
leaves it once it has the turn: the writer waiting for the turn holds the door, so the one just done
waits at the door until the turn has passed — with two writers wanting it, they alternate
transaction by transaction. A writer that finds nobody at the door (``F_OFD_GETLK``) and the turn
free (``F_OFD_SETLK``, not waiting) takes it at once: three uncontended ``fcntl`` calls a
transaction instead of four. A writer that finds the turn taken queues at the door as above, so
whoever waits for the turn always holds the door, and the writer just done, seeing it held, queues
behind it.

Measured (bench/timers.py --sqlite-configs engine,commit_checkpoint, 10,000 timers, 2 SQLite
workers, configurations alternated run by run, 2026-12-03, machine at load 6-10): splits [5200,
4800] [5000, 5000] [4800, 5200], 332/288/290 timers/s, CPU 0.96-1.21 ms a timer, against the commit's
checkpoint with no turns [3600, 6400] [6800, 3200] [5000, 5000], 238/351/347/s, 1.09-1.23 ms; every
timer fired once, no error. The turn cost ~7 µs of CPU a transaction (four ``fcntl`` calls and a
generator context manager); ``acquire``/``release`` with three calls: 8.4 -> ~5 µs (timeit, loaded).

Such a lock belongs to the open file, not to the thread or the process: each transaction takes a
descriptor of its own (kept for the next one), so threads of one process take turns as processes do;
a thread already holding the turn (a write transaction opened inside another, through the same
engine or another one on the same file: one ``Turns`` per file in a process) does not take it again.
The kernel releases the locks of a process that dies (``kill -9``), so a dead worker never holds
the turn. SQLite's write lock and busy timeout stay as they were, for writers that do not take turns
(another program, a read transaction turned writer). Linux only (OFD locks); elsewhere no turns.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import struct
import threading
import weakref
from typing import Iterator

__all__ = ["Turns", "for_file"]

_DOOR, _TURN = 0, 1
_SETLKW = getattr(fcntl, "F_OFD_SETLKW", None)
_SETLK = getattr(fcntl, "F_OFD_SETLK", None)
_GETLK = getattr(fcntl, "F_OFD_GETLK", None)
_FLOCK = "hhxxxxqqi4x"  # struct flock: l_type, l_whence, (padding), l_start, l_len, l_pid (0 for OFD locks), (padding)
_DOOR_ASKED = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, _DOOR, 1, 0)
_TURN_TAKEN = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, _TURN, 1, 0)
_TURN_FREED = struct.pack(_FLOCK, fcntl.F_UNLCK, os.SEEK_SET, _TURN, 1, 0)
KEEP_DESCRIPTORS = 4  # descriptors kept for the next transactions (one per thread writing at once)


def _lock(fd: int, byte: int, kind: int) -> None:
    fcntl.fcntl(fd, _SETLKW, struct.pack(_FLOCK, kind, os.SEEK_SET, byte, 1, 0))


def _taken_at_once(fd: int) -> bool:
    """The turn, if nobody waits at the door and nobody holds the turn (two calls, no waiting)."""
    if struct.unpack_from("h", fcntl.fcntl(fd, _GETLK, _DOOR_ASKED))[0] != fcntl.F_UNLCK:
        return False  # a writer waits for the turn: queue behind it
    try:
        fcntl.fcntl(fd, _SETLK, _TURN_TAKEN)
    except OSError:  # EAGAIN/EACCES: held
        return False
    return True


class Turns:
    """The write turn of the SQLite file whose side file is ``path`` (see the module's docstring)."""

    def __init__(self, path: str):
        self.path = path
        self._idle: list[int] = []
        self._holding = threading.local()

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the write turn for the block (at once if this thread holds it already)."""
        fd = self.acquire()
        try:
            yield
        finally:
            self.release(fd)

    def acquire(self) -> int | None:
        """Take the write turn (``turn`` without the context manager, for the writers' hot path):
        what ``release`` must be given, None if this thread held the turn already."""
        holding = self._holding
        if getattr(holding, "fd", None) is not None:
            return None
        try:
            fd = self._idle.pop()  # list.pop is atomic: a descriptor serves one thread at a time
        except IndexError:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            if not _taken_at_once(fd):
                _lock(fd, _DOOR, fcntl.F_WRLCK)
                try:
                    _lock(fd, _TURN, fcntl.F_WRLCK)
                finally:
                    _lock(fd, _DOOR, fcntl.F_UNLCK)
        except BaseException:
            os.close(fd)  # closing it releases whatever it held
            raise
        holding.fd = fd
        return fd

    def acquire_at_once(self) -> tuple[bool, int | None]:
        """Take the write turn only if nobody holds it or waits for it (no waiting): (True, what
        ``release`` must be given) or (False, None). A thread that holds the turn already has it."""
        holding = self._holding
        if getattr(holding, "fd", None) is not None:
            return True, None
        try:
            fd = self._idle.pop()
        except IndexError:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            taken = _taken_at_once(fd)
        except BaseException:
            os.close(fd)
            raise
        if not taken:
            if len(self._idle) < KEEP_DESCRIPTORS:
                self._idle.append(fd)
            else:
                os.close(fd)
            return False, None
        holding.fd = fd
        return True, fd

    def release(self, fd: int | None) -> None:
        """Give the turn taken by ``acquire`` back (nothing if it answered None)."""
        if fd is None:
            return
        self._holding.fd = None
        try:
            fcntl.fcntl(fd, _SETLKW, _TURN_FREED)
        except BaseException:
            os.close(fd)
            raise
        if len(self._idle) < KEEP_DESCRIPTORS:
            self._idle.append(fd)
        else:
            os.close(fd)

    def close(self) -> None:
        idle, self._idle = self._idle, []
        for fd in idle:
            os.close(fd)


_SHARED: weakref.WeakValueDictionary[str, Turns] = weakref.WeakValueDictionary()
_SHARED_LOCK = threading.Lock()


def for_file(database_path: str) -> Turns | None:
    """The ``Turns`` of a SQLite database file, or None where OFD locks do not exist. One per file
    in a process, shared by its ``Database`` objects: a thread holding the turn through one engine
    and writing through another on the same file then does not wait for itself for ever (it meets
    SQLite's busy timeout, as before)."""
    if _SETLKW is None:
        return None
    path = os.path.abspath(database_path) + "-turns"
    with _SHARED_LOCK:
        turns = _SHARED.get(path)
        if turns is None:
            turns = _SHARED[path] = Turns(path)
        return turns
