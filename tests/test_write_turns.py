"""SQLite writers on one file take turns (engine/write_turns.py), on real SQLite files, real
processes and the kernel's real locks.

Two processes writing transactions back to back on one file, with the WAL checkpoints off the
commit (engine/checkpoint.py), both get their share instead of one waiting in SQLite's busy handler
until "database is locked"; threads of one engine take turns too; a process killed while holding
the turn holds nothing; a transaction opened inside another in the same thread does not wait for
itself; engines disposed leave no thread and no descriptor behind; PostgreSQL has no turns.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from engine import Engine, write_turns
from tests.support import make_engine

ROOT = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent("""
    import sys, time
    import sqlalchemy as sa
    from engine import Engine
    engine = Engine(sys.argv[1])
    if sys.argv[3] == "no turns":
        engine.db.turns.close()
        engine.db.turns = None
    name, n = sys.argv[4], 0
    with engine.db.read() as s:
        s.execute(sa.text("SELECT 1")).all()  # connected before the start
    open(sys.argv[5] + "." + name, "w").close()  # ready: the test starts both at once
    while not __import__("os").path.exists(sys.argv[5]):
        time.sleep(0.001)
    deadline = time.monotonic() + float(sys.argv[2])
    try:
        while time.monotonic() < deadline:  # transactions back to back, as a sweep's batches
            with engine.db.write() as s:
                s.execute(sa.text("UPDATE scratch SET body = randomblob(2000) WHERE id % 97 = :k"), {"k": n % 97})
                s.execute(sa.text("INSERT INTO writes (who, n) VALUES (:who, :n)"), {"who": name, "n": n})
            n += 1
        print(n, "ok")
    except Exception as exc:
        print(n, type(exc).__name__, str(exc).replace(" ", "_"))
    finally:
        engine.dispose()
""")


def _scratch(engine: Engine) -> None:
    with engine.db.write() as s:
        s.execute(sa.text("CREATE TABLE scratch (id INTEGER PRIMARY KEY, body BLOB)"))
        s.execute(sa.text("INSERT INTO scratch (id, body) VALUES (:id, zeroblob(2000))"),
                  [{"id": i} for i in range(2000)])
        s.execute(sa.text("CREATE TABLE writes (who TEXT NOT NULL, n INTEGER NOT NULL)"))


def _two_writers(url: str, tmp: Path, seconds: float, turns: str = "turns") -> list[tuple[int, str]]:
    go = tmp / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(seconds), turns, f"w{i}", str(go)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}) for i in range(2)]
    # Both interpreters up and connected before either starts (a late one would find its share taken):
    # each says so, however long a loaded machine takes to start it (this was a sleep of 2 s).
    ready = [tmp / f"go.w{i}" for i in range(2)]
    deadline = time.monotonic() + 120
    while not all(r.exists() for r in ready):
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs if p.poll() is not None]
        assert time.monotonic() < deadline, "the writers did not start"
        time.sleep(0.05)
    go.touch()
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        n, status, *detail = out.split()
        outs.append((int(n), status if not detail else f"{status} {detail[0]}"))
    return outs


def test_two_processes_writing_back_to_back_each_get_their_share(sqlite_url, tmp_path):
    """Guard: without the turns (``no turns``) one of the two processes gets (nearly) every
    transaction — SQLite's busy handler looks for the lock every 100 ms and the other leaves it
    free for microseconds — or dies on "database is locked". With them, they alternate."""
    engine = make_engine(sqlite_url)
    try:
        _scratch(engine)
        (a, a_status), (b, b_status) = _two_writers(sqlite_url, tmp_path, 4.0)
        assert (a_status, b_status) == ("ok", "ok")
        assert a > 10 and b > 10, (a, b)
        assert min(a, b) / (a + b) > 0.35, (a, b)
        with engine.db.read() as s:
            assert s.execute(sa.text("SELECT count(*) FROM writes")).scalar() == a + b
    finally:
        engine.dispose()


def test_threads_of_one_engine_take_turns_too(sqlite_url):
    """Two threads of one engine (a web process's requests) writing back to back: each gets its
    share, every write lands."""
    engine = make_engine(sqlite_url)
    counts = [0, 0]
    errors: list[BaseException] = []
    try:
        _scratch(engine)
        deadline = time.monotonic() + 2.0

        def write(i: int) -> None:
            try:
                while time.monotonic() < deadline:
                    with engine.db.write() as s:
                        s.execute(sa.text("UPDATE scratch SET body = randomblob(2000) WHERE id = :k"), {"k": i})
                        s.execute(sa.text("INSERT INTO writes (who, n) VALUES (:who, :n)"),
                                  {"who": f"t{i}", "n": counts[i]})
                    counts[i] += 1
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        assert min(counts) / sum(counts) > 0.3, counts
        with engine.db.read() as s:
            assert s.execute(sa.text("SELECT count(*) FROM writes")).scalar() == sum(counts)
    finally:
        engine.dispose()


def test_a_writer_just_done_queues_behind_the_one_waiting(tmp_path):
    """The writer that just gave the turn back and wants it again at once (a sweep's next batch)
    comes after the one that was waiting for it, every time: the waiting one holds the door, and
    only a writer that finds the door free and the turn free takes the turn at once (three
    ``fcntl`` calls). A writer that waited for the turn without the door would race the one just
    done, which runs while the woken one is still being scheduled, and mostly lose."""
    turns = write_turns.Turns(str(tmp_path / "turns"))
    try:
        for _ in range(10):
            order: list[str] = []
            held = turns.acquire()

            def waiting() -> None:
                fd = turns.acquire()
                order.append("waiting")
                turns.release(fd)

            thread = threading.Thread(target=waiting)
            thread.start()
            time.sleep(0.1)  # it waits for the turn now
            turns.release(held)
            again = turns.acquire()
            order.append("just done")
            turns.release(again)
            thread.join(10)
            assert order == ["waiting", "just done"], order
    finally:
        turns.close()


HOLD_AND_DIE = textwrap.dedent("""
    import os, sys
    from engine import write_turns
    turns = write_turns.Turns(sys.argv[1])
    with turns.turn():
        print("holding", flush=True)
        sys.stdin.readline()
        os._exit(9)  # like kill -9: nothing released by us
""")


def test_a_process_killed_while_holding_the_turn_holds_nothing(tmp_path):
    """The kernel drops a dead process's locks: the turn it held is free at once, and taken."""
    path = str(tmp_path / "db.sqlite-turns")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_AND_DIE, path], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert holder.stdout.readline().strip() == "holding"
    turns = write_turns.Turns(path)
    taken = threading.Event()

    def take():
        with turns.turn():
            taken.set()

    waiter = threading.Thread(target=take, daemon=True)
    waiter.start()
    assert not taken.wait(0.5), "the turn was taken while another process held it"
    holder.stdin.write("die\n")
    holder.stdin.flush()
    holder.wait(10)
    assert taken.wait(10), "the turn of a dead process was never freed"
    waiter.join(5)
    turns.close()


def test_a_thread_holding_the_turn_is_not_kept_waiting_by_itself(tmp_path):
    turns = write_turns.Turns(str(tmp_path / "db.sqlite-turns"))
    done = threading.Event()

    def nested():
        with turns.turn():
            with turns.turn():
                done.set()

    t = threading.Thread(target=nested, daemon=True)
    t.start()
    assert done.wait(5)
    t.join(5)
    with turns.turn():  # and it was released
        pass
    turns.close()


def test_engines_on_one_file_in_one_process_share_its_turns(sqlite_url):
    """A thread holding the turn through one engine, writing through another on the same file,
    does not wait for itself for ever."""
    a, b = Engine(sqlite_url), Engine(sqlite_url)
    try:
        assert a.db.turns is b.db.turns is not None
        done = threading.Event()

        def nested():
            with a.db.turns.turn(), b.db.turns.turn():
                done.set()

        threading.Thread(target=nested, daemon=True).start()
        assert done.wait(5)
    finally:
        a.dispose()
        b.dispose()


def _descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_engines_disposed_leave_no_thread_and_no_descriptor(sqlite_url):
    """Tests and benches create many engines: each one's checkpoint thread and turn descriptors
    end with ``Engine.dispose``."""
    warm = make_engine(sqlite_url)
    warm.dispose()
    threads, descriptors = threading.active_count(), _descriptors()
    for _ in range(10):
        engine = Engine(sqlite_url)
        with engine.db.write() as s:
            s.execute(sa.text("SELECT 1"))
        assert engine.checkpointer is not None and engine.checkpointer.alive
        engine.dispose()
    assert threading.active_count() == threads
    assert _descriptors() == descriptors


def test_postgresql_and_in_memory_engines_take_no_turns(postgres_url):
    for url in (postgres_url, "sqlite://", "sqlite:///:memory:"):
        engine = Engine(url)
        try:
            assert engine.db.turns is None
        finally:
            engine.dispose()
