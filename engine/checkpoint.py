"""SQLite WAL checkpoints on a thread of their own, off the writers' COMMIT (issue 15).

In WAL mode a commit appends the pages it changed to the ``-wal`` file; a checkpoint copies them
back into the database file (an fsync of the WAL before, of the database after) so that the WAL can
start over from its beginning. Left to SQLite, the commit that takes the WAL past
``wal_autocheckpoint`` pages runs that checkpoint itself, before ``COMMIT`` returns: with 4,000
pages, 1% of a completion's COMMITs held 44% of all COMMIT time (5-task model, 2,000 completions:
median 84 µs, mean 158, p99 271, max 21.9 ms; mean 112 µs with the checkpoint never reached).
SQLite's WAL documentation allows an application to take checkpoints out of its writers' way:
turn the automatic checkpoint down or off and checkpoint from a separate thread or process.

``Checkpointer`` is that thread, one per ``Engine`` on a SQLite file (``duban serve``, each
``duban worker`` process, a CLI command): on a connection of its own it runs
``PRAGMA wal_checkpoint(PASSIVE)`` every ``INTERVAL_SECONDS``. A passive checkpoint waits for
nobody: it copies what no reader still needs, and a checkpoint that finds another one running
(another process's thread, a writer's safety valve) simply gives way until the next tick.

Why the writers keep an automatic checkpoint (engine/database.py ``WAL_AUTOCHECKPOINT``, a
safety valve): the WAL starts over only when a writer begins its transaction with every frame
already copied back and no reader left in the WAL. Under writing without pauses (a bench loop, a
big import) the thread's checkpoint never finishes between two commits — each one appends while
it copies — so the WAL would grow for as long as the writing lasts. The valve is SQLite's own
automatic checkpoint at a threshold the thread keeps the WAL under whenever writing pauses: when
it is crossed, the writer's checkpoint runs between its own commits and finds almost everything
already copied by the thread (a few frames and the two fsyncs), so the next transaction restarts
the WAL. That bounds the WAL with no thread at all too (a short CLI command, a stuck thread), as
before; ``journal_size_limit`` (engine/database.py) truncates a WAL file that a long reader let
grow past it back to that size, the next time the WAL restarts.

**Starting the WAL over while writing goes on** (``RESTART_FRAMES``). A commit writes each frame
with two ``pwrite`` calls; one that extends the ``-wal`` file costs about twice one that overwrites
a region of it already there (~3 µs against ~1.6-1.9, 4,000 frames, this machine's ext4; a WAL
past ~60 MB pays the extending price again, its pages under writeback). So the WAL should start
over often, as SQLite's default does in the commit, while the copying and its fsyncs stay off the
commit. Once the WAL holds ``RESTART_FRAMES`` frames, the thread, right after its passive
checkpoint (which copied the bulk without stopping anybody), takes the writers' turn
(engine/write_turns.py) and runs a second passive checkpoint: it copies only what was committed
during the first one (a few dozen frames, and the two fsyncs), and with no writer in between it
ends with every frame copied back, so the next write transaction starts the WAL over at its
beginning and overwrites it. Writers wait for those few milliseconds (in the kernel, no CPU); a
reader still holding an old snapshot leaves frames it may need uncopied, and the WAL then starts
over at a later tick. Measured (bench/wal_pages.py --commit-times --versus no_restart gives the
figures per configuration; here one engine alone per process as in bench/throughput.py, 5-task
model, 200 cases, 995 completions, processes alternated, load 2-5): the COMMIT call's CPU 120-134
µs a completion without against 94-101 with (~-30); the checkpoint thread's CPU ~23 µs a
completion without, ~30 with (it copies all the WAL back before each restart, work that without
the restart is put off, here partly past the end of the run); the WAL file 65 MB against ~15. Two engines alternated in one
process hide it: each one's thread finds the WAL all copied back while the other completes, and
both WALs start over.

Writers on one file must take turns with it (engine/write_turns.py): the commit's checkpoints had
been the pauses through which a second process got the write lock from one writing back to back
(two timer workers split 10,000 timers [5000, 0] with the thread alone, 02e871c).

Crash safety is SQLite's and is unchanged: a checkpoint moves only frames of committed
transactions, and only after the WAL holding them is on disk; the WAL is not reused before the
database file holding their copies is on disk too. A crash in the middle of a checkpoint leaves the
WAL intact, and the next connection reads it (and copies it back) again. Whichever connection runs
the checkpoint, thread or writer, it is the same operation. Not on PostgreSQL (its own
checkpointer process) nor on in-memory SQLite (no WAL).

Cost and saving, ``bench/wal_pages.py --commit-times`` (2,000 completions of the 5-task model on
each of two files, this configuration and the commit's checkpoint at 4,000 pages with no thread,
alternated completion by completion in one process; 2026-12-03, a shared 2-core machine):

- machine moderately loaded (load 1.7-3), fixed intervals 0.05-0.1 s: COMMIT mean 135/118/148 µs
  against 183/184/249, the slowest 1% holding 15-31% of COMMIT time against 45-56%; the completing
  thread's CPU 1-3% lower, the checkpoint thread's CPU 35-60 µs a completion, so the process's CPU
  0.5-4% higher (the thread's CPU is counted in the process's: it moves work to the other core, it
  does not remove it — a checkpoint of fewer frames copies a hot page more often);
- heavily loaded (load 5-6, COMMIT p99 8 ms in both: other processes' fsyncs), the adaptive interval
  below: COMMIT mean 322/430/379 µs against 390/410/464, max 24-28 ms against 45-81, slowest 1%
  30-35% against 43-54%; the thread's CPU 23-28 µs a completion, the process's CPU -0.5 to +1.6%.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
import weakref
from urllib.parse import quote

from . import write_turns
from .database import sqlite_file

__all__ = ["Checkpointer", "INTERVAL_SECONDS", "start_for"]

log = logging.getLogger("duban.engine")

# A checkpoint copies each page once however many frames of it the WAL holds, so checkpoints of many
# frames copy less in all (4,000: what the writers' automatic checkpoint used to take). The thread
# aims at about that many frames a checkpoint (``RESTART_FRAMES`` when it restarts the WAL): its
# interval is lengthened when a checkpoint found fewer (idle: four looks a second, so that a burst
# of writing is met within 0.25 s) and shortened when it found more (the 5-task model flat out,
# ~20,000 frames a second: ~0.1-0.2 s), at most twice longer or ten times shorter a time. At a
# fixed 0.1 s the thread's CPU was 35-80 µs a completion, more the slower the completions came.
FRAMES_PER_CHECKPOINT = 4000
INTERVAL_SECONDS = 0.1  # the first interval
MIN_INTERVAL, MAX_INTERVAL = 0.02, 0.25
# A WAL holding this many frames (~8 MB) is made to start over (``Checkpointer._restart``); the
# interval then aims at this many frames a checkpoint. None: the WAL starts over when it may.
# Measured as below, 4 runs each: COMMIT CPU 94-101 µs a completion at 2,000, 96-120 at 4,000,
# 91-118 at 8,000 (3 runs), 120-134 without; the thread's CPU ~30 µs at 2,000 and 4,000, ~23 without.
RESTART_FRAMES = 2000


class Checkpointer:
    """A daemon thread running ``PRAGMA wal_checkpoint(PASSIVE)`` on the SQLite file at ``path``
    every ``interval`` seconds, until ``stop``. Its counters are for benches and tests:
    ``runs`` (checkpoints that found frames to copy), ``given_way`` (found another checkpoint
    running), ``last`` (SQLite's answer: busy, frames in the WAL, frames copied back),
    ``cpu_seconds`` (the thread's own CPU time), ``restarts`` (checkpoints under the writers' turn
    that left the WAL to start over), ``turn_seconds`` (wall time the thread held the turn)."""

    def __init__(self, path: str, interval: float = INTERVAL_SECONDS, restart_frames: int | None = RESTART_FRAMES):
        self.path = path
        self.interval = interval
        self.restart_frames = restart_frames
        self.runs = 0
        self.given_way = 0
        self.restarts = 0
        self.turn_seconds = 0.0
        # the file's one Turns in this process, the writers' (closed with their Database: closing it
        # here could close a descriptor another engine's writer has just taken from it)
        self._turns = write_turns.for_file(path) if restart_frames is not None else None
        self.last: tuple[int, int, int] | None = None
        self.cpu_seconds = 0.0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"duban-checkpoint {path}", daemon=True)

    def start(self) -> Checkpointer:
        self._thread.start()
        return self

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread and wait for it (a checkpoint under way is finished first)."""
        self._stopping.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        failed = False
        try:
            while not self._stopping.wait(self.interval):
                try:
                    conn = conn or self._connect()
                    self._checkpoint(conn)
                    failed = False
                except sqlite3.Error as exc:  # reported once, tried again at the next tick
                    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY:
                        self.given_way += 1  # another connection recovering or closing the WAL
                        continue
                    if not failed:
                        log.warning("WAL checkpoint of %s failed: %s", self.path, exc)
                    failed = True
        finally:
            if conn is not None:
                conn.close()

    def _connect(self) -> sqlite3.Connection:
        # mode=rw: never creates the file (the engine's own connections do, with WAL on); timeout 0:
        # a passive checkpoint never waits, and neither does anything else this connection does.
        conn = sqlite3.connect(f"file:{quote(self.path)}?mode=rw", uri=True, timeout=0,
                               isolation_level=None, check_same_thread=True)
        conn.execute("PRAGMA synchronous=NORMAL")  # the writers' syncs: the WAL, then the database file
        return conn

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        c0 = time.thread_time()
        busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if frames < 0:
            # Not (yet) seen as a WAL database: a connection learns that by reading it.
            conn.execute("PRAGMA schema_version").fetchone()
            busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.cpu_seconds += time.thread_time() - c0
        before = self.last
        self.last = (busy, frames, copied)
        if busy:
            self.given_way += 1
            return
        # frames appended since the last look (all of them if the WAL has started over meanwhile)
        new = frames - before[1] if before is not None and before[1] >= 0 and frames >= before[1] else max(frames, 0)
        if new > 0:
            self.runs += 1
        if self.restart_frames is not None and frames >= self.restart_frames and new > 0:
            self._restart(conn)
        target = self.restart_frames or FRAMES_PER_CHECKPOINT
        factor = min(2.0, max(0.1, target / max(new, 1)))
        self.interval = min(MAX_INTERVAL, max(MIN_INTERVAL, self.interval * factor))

    def _restart(self, conn: sqlite3.Connection) -> None:
        """Copy back, with the writers kept waiting, what they committed during the checkpoint
        just run: the WAL is then all copied back and the next writer starts it over."""
        if self._turns is None:  # no OFD locks: the WAL starts over when writing pauses, or at the valve
            return
        c0 = time.thread_time()
        with self._turns.turn():
            t0 = time.perf_counter()
            busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.turn_seconds += time.perf_counter() - t0
        self.cpu_seconds += time.thread_time() - c0
        if not busy and copied == frames:
            self.restarts += 1
            self.last = (0, 0, 0)  # the next look counts every frame it finds as new


def start_for(owner: object, url: str, interval: float = INTERVAL_SECONDS) -> Checkpointer | None:
    """A started ``Checkpointer`` for ``url`` if it names a SQLite file, else None. The thread is
    told to stop when ``owner`` (the Engine) is garbage collected without ``stop``."""
    path = sqlite_file(url)
    if path is None:
        return None
    checkpointer = Checkpointer(path, interval).start()
    weakref.finalize(owner, checkpointer._stopping.set)
    return checkpointer
