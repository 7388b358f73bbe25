"""Pages written per completion: SQLite WAL frames and PostgreSQL WAL by table and index (issue 15).

A completion's COMMIT costs what it writes: on SQLite every b-tree page the transaction changed is
one WAL frame (two ``pwrite`` calls), so each index a completion touches is at least a frame; on
PostgreSQL each index entry a row version enters is a WAL record (and, after a checkpoint, a full
page). ``cases`` cases of the 5-task model are started and their first two tasks completed (so the
indexes hold completed tasks, as in production), then ``rounds`` more rounds of one completion per
case are measured:

- ``sqlite``: WAL frames per completion (the WAL file, checkpointed before each round and
  ``wal_autocheckpoint`` off), split by b-tree (table or index, from ``dbstat``), commits per
  completion (frames with the commit mark), WAL KiB per completion (frames with their 24-byte
  headers) and COMMIT wall time per completion. ``--page-size N``: the file made with that page size.
- ``postgres`` (``--postgres``, a scratch database on that server, dropped afterwards): WAL bytes
  per completion — the records of the scratch database and their transactions' commits, read with
  ``pg_walinspect`` (other databases of the server do not count), split by table and index — index
  tuples inserted per completion by index (B-tree leaf inserts), and per table the rows inserted,
  updated and HOT-updated (``pg_stat_user_tables``: a HOT update enters no index).

- ``commit_times`` (``--commit-times``): where the WAL checkpoint is paid. Two engines on two
  SQLite files, completions alternated between them one by one in this process: ``engine`` as
  configured (engine/checkpoint.py's thread, the writers' safety valve) and ``commit_checkpoint``,
  the configuration before it (SQLite's automatic checkpoint at 4,000 pages, run by the commit that
  crosses it, no thread, writers not taking turns). Per configuration: COMMIT median/mean/p99/max in µs and the share of
  COMMIT time in its slowest 1%, CPU ms per completion of the completing thread, of the
  checkpointer thread (counted in the process's CPU time too) and their sum, wall ms per
  completion, checkpoints the thread ran, the largest WAL file seen.
  ``--versus no_restart``: the second configuration is the engine with the thread's WAL restart
  off (``Checkpointer(restart_frames=None)``, engine/checkpoint.py ``RESTART_FRAMES``) instead.
  Both also report the COMMIT call's CPU time (the completing thread's) per completion, the WAL's
  restarts by the thread and how long it held the writers' turn for them.

- ``model`` (``--model FILE``): the same count on any model as ``bench/throughput.py --model`` works it
  (``ModelBench``: each step completes a case's first open task with the data its form needs; a case
  waiting on anything else is left), one completion at a time — the WAL checkpointed before each —,
  split by the completion's place: ``ends`` (the case ended in it: the median public model's shape,
  one or two completions a case) and ``middle`` (the case goes on). The first quarter of the cases
  (at most 20) is walked first and not counted, so the tables and indexes hold ended cases.

    python bench/wal_pages.py --json [--cases 200] [--rounds 3] [--page-size N] [--postgres [ADMIN_URL]] [--skip-sqlite]
    python bench/wal_pages.py --json --model FILE [--cases 100]
    python bench/wal_pages.py --json --commit-times [--cases 400] [--interval S] [--valve PAGES] [--versus no_restart]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sqlite3
import struct
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue: run with the root first, not bench/.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.world import scratch_postgres  # noqa: E402
from engine import checkpoint, database  # noqa: E402
from engine.schema import HumanTask  # noqa: E402
from tests.support import make_engine  # noqa: E402

MODEL = ROOT / "bench" / "models" / "five_tasks.bpmn"
WARM_ROUNDS = 2  # completed tasks in every index before measuring


def _open_ids(engine) -> list[str]:
    with engine.db.engine.connect() as conn:
        return list(conn.execute(sa.select(HumanTask.id).where(HumanTask.state == "open")
                                 .order_by(HumanTask.case_id)).scalars())


def _prepared(engine, cases: int):
    engine.deploy(MODEL, by="boss")
    for _ in range(cases):
        engine.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"})
    for _ in range(WARM_ROUNDS):
        _complete_round(engine)
    return engine


def _complete_round(engine) -> int:
    ids = _open_ids(engine)
    for tid in ids:
        engine.complete(tid, "zhang", {"意见": "同意"})
    return len(ids)


class _CommitTimer:
    """Wall time spent in COMMIT by the engine's connections (the dialect's ``do_commit``); each
    one's in ``times`` if ``keep``."""

    def __init__(self, sa_engine, keep: bool = False):
        self.dialect = sa_engine.dialect
        self.seconds = 0.0
        self.cpu_seconds = 0.0  # the committing thread's CPU time in COMMIT
        self.count = 0
        self.times: list[float] = []
        inner = type(self.dialect).do_commit
        kept = self.times.append if keep else None

        def timed(dbapi_connection):
            t0, c0 = time.perf_counter(), time.thread_time()
            inner(self.dialect, dbapi_connection)
            took = time.perf_counter() - t0
            self.cpu_seconds += time.thread_time() - c0
            self.seconds += took
            self.count += 1
            if kept:
                kept(took)
        self.dialect.do_commit = timed


def _wal_frames(path: Path) -> tuple[list[int], int]:
    """The page number of every frame in the WAL file, and how many frames end a transaction."""
    raw = path.read_bytes()
    if len(raw) < 32:
        return [], 0
    page_size = struct.unpack(">I", raw[8:12])[0]
    pages, commits, off = [], 0, 32
    while off + 24 + page_size <= len(raw):
        page, db_size = struct.unpack(">II", raw[off:off + 8])
        pages.append(page)
        commits += db_size != 0  # the database size after the commit: set on a transaction's last frame
        off += 24 + page_size
    return pages, commits


def sqlite_run(tmp: Path, cases: int, rounds: int, page_size: int | None = None) -> dict:
    path = tmp / "wal_pages.sqlite"
    if page_size is not None:  # a new file's page size is set before its first table
        new = sqlite3.connect(path)
        new.execute(f"PRAGMA page_size={int(page_size)}")
        new.execute("PRAGMA journal_mode=WAL")
        new.close()
    engine = make_engine(f"sqlite:///{path}")
    sa.event.listen(engine.db.engine, "connect", lambda c, _r: c.execute("PRAGMA wal_autocheckpoint=0"))
    engine.db.dispose()
    engine = _prepared(engine, cases)
    if engine.checkpointer is not None:
        # The frames are counted from the WAL file after each round: the thread's restart of the WAL
        # (engine/checkpoint.py RESTART_FRAMES) would overwrite them with the round's later ones, and
        # the count would take the older cycle's frames behind them for this round's.
        engine.checkpointer.stop()
        engine.checkpointer = None
    timer = _CommitTimer(engine.db.engine)
    inspect = sqlite3.connect(path)
    size = inspect.execute("PRAGMA page_size").fetchone()[0]
    by_btree: collections.Counter = collections.Counter()
    per_round, frames_total, commits_total, done_total, commit_seconds = [], 0, 0, 0, 0.0
    for _ in range(rounds):
        inspect.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        timer.seconds = 0.0
        done = _complete_round(engine)
        commit_seconds += timer.seconds
        pages, commits = _wal_frames(Path(f"{path}-wal"))
        names = dict(inspect.execute("SELECT pageno, name FROM dbstat"))
        by_btree.update(names.get(p, "(free page)") for p in pages)
        per_round.append(round(len(pages) / done, 2))
        frames_total += len(pages)
        commits_total += commits
        done_total += done
    inspect.close()
    engine.dispose()
    return {
        "completions": done_total,
        "page_size": size,
        "frames_per_completion": round(frames_total / done_total, 2),
        "wal_kib_per_completion": round(frames_total * (24 + size) / done_total / 1024, 1),
        "frames_per_completion_by_round": per_round,
        "commits_per_completion": round(commits_total / done_total, 2),
        "commit_ms_per_completion": round(commit_seconds / done_total * 1000, 3),
        "frames_per_completion_by_btree": {name: round(k / done_total, 2) for name, k in by_btree.most_common()},
    }


def model_run(tmp: Path, model: Path, cases: int) -> dict:
    """``--model``: WAL frames of each completion of ``model``'s cases, by b-tree and by the
    completion's place (``ends``: the case ended in it; ``middle``)."""
    from bench.throughput import ModelBench, user_for
    path = tmp / "model.sqlite"
    bench = ModelBench(model)
    engine = bench.engine(f"sqlite:///{path}")
    sa.event.listen(engine.db.engine, "connect", lambda c, _r: c.execute("PRAGMA wal_autocheckpoint=0"))
    engine.db.dispose()
    if engine.checkpointer is not None:  # (as sqlite_run: the frames are read from the WAL file)
        engine.checkpointer.stop()
        engine.checkpointer = None
    started = [bench.start(engine) for _ in range(cases)]
    warm = min(20, cases // 4)
    inspect = sqlite3.connect(path)
    by_btree: dict[str, collections.Counter] = {"ends": collections.Counter(), "middle": collections.Counter()}
    done: collections.Counter = collections.Counter()
    for n, case_id in enumerate(started):
        for _ in range(200):  # as bench/throughput.py's MAX_ROUNDS
            view = engine.case(case_id)
            if view.status != "running" or not view.tasks:
                break
            task = view.tasks[0]
            user, data = user_for(engine, task, bench.starter[0]), bench.data_for(engine, task)
            if n >= warm:
                inspect.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            engine.complete(task.id, user, data)
            if n < warm:
                continue
            place = "middle" if engine.case(case_id).status == "running" else "ends"
            pages, _commits = _wal_frames(Path(f"{path}-wal"))
            names = dict(inspect.execute("SELECT pageno, name FROM dbstat"))
            by_btree[place].update(names.get(p, "(free page)") for p in pages)
            done[place] += 1
    inspect.close()
    engine.dispose()
    out: dict = {"model": str(model), "process": bench.process, "cases": cases - warm}
    for place in ("ends", "middle"):
        if done[place]:
            frames = sum(by_btree[place].values())
            out[place] = {"completions": done[place],
                          "frames_per_completion": round(frames / done[place], 2),
                          "frames_per_completion_by_btree": {name: round(k / done[place], 2)
                                                             for name, k in by_btree[place].most_common()}}
    return out


OLD_AUTOCHECKPOINT = 4000  # the writers' automatic checkpoint before engine/checkpoint.py, no thread


def _with_pragmas(engine, *pragmas: str):
    """The engine's connections renewed with these pragmas run after its own."""
    sa.event.listen(engine.db.engine, "connect", lambda c, _r: [c.execute(f"PRAGMA {p}") for p in pragmas])
    engine.db.engine.dispose()
    return engine


def commit_checkpoint(engine):
    """``engine`` in the configuration before engine/checkpoint.py: no checkpoint thread, writers
    that do not take turns (engine/write_turns.py), SQLite's automatic checkpoint at 4,000 pages run
    by the commit that crosses it."""
    if engine.checkpointer is not None:
        engine.checkpointer.stop()
        engine.checkpointer = None
    if engine.db.turns is not None:
        engine.db.turns.close()
        engine.db.turns = None
    return _with_pragmas(engine, f"wal_autocheckpoint={OLD_AUTOCHECKPOINT}", "journal_size_limit=-1")


class _Timed:
    """One configuration of ``commit_times_run``: its engine, COMMITs, CPU and wall per completion."""

    def __init__(self, engine, path: Path):
        self.engine, self.wal = engine, Path(f"{path}-wal")
        self.commits = _CommitTimer(engine.db.engine, keep=True)
        self.cpu, self.wall, self.done, self.wal_max = 0.0, 0.0, 0, 0
        self.ids: list[str] = []
        self.checkpointer_cpu0 = self.checkpointer.cpu_seconds if self.checkpointer else 0.0

    @property
    def checkpointer(self):
        return self.engine.checkpointer

    def complete_next(self) -> None:
        if not self.ids:
            self.ids = _open_ids(self.engine)[::-1]
        tid = self.ids.pop()
        t0, c0 = time.perf_counter(), time.thread_time()
        self.engine.complete(tid, "zhang", {"意见": "同意"})
        self.cpu += time.thread_time() - c0
        self.wall += time.perf_counter() - t0
        self.done += 1
        self.wal_max = max(self.wal_max, self.wal.stat().st_size)

    def result(self) -> dict:
        times = sorted(self.commits.times)
        n, total = len(times), sum(times)
        top = times[-max(1, n // 100):]
        ckpt = self.checkpointer
        thread_cpu = (ckpt.cpu_seconds - self.checkpointer_cpu0) if ckpt else 0.0
        per = 1000 / self.done
        return {
            "completions": self.done, "commits": n,
            "commit_us": {"median": round(statistics.median(times) * 1e6), "mean": round(total / n * 1e6),
                          "p99": round(times[int(n * 0.99)] * 1e6), "max": round(times[-1] * 1e6)},
            "commit_share_of_slowest_1pct": round(sum(top) / total, 3),
            "commit_ms_per_completion": round(total * per, 4),
            "commit_cpu_us_per_completion": round(self.commits.cpu_seconds * per * 1000, 1),
            "cpu_ms_per_completion": {"completing_thread": round(self.cpu * per, 4),
                                      "checkpointer_thread": round(thread_cpu * per, 4),
                                      "both": round((self.cpu + thread_cpu) * per, 4)},
            "wall_ms_per_completion": round(self.wall * per, 4),
            "checkpointer_runs": ckpt.runs if ckpt else 0,
            "wal_restarts": ckpt.restarts if ckpt else 0,
            "turn_ms_held_by_checkpointer": round(ckpt.turn_seconds * 1000, 1) if ckpt else 0,
            "wal_file_max_bytes": self.wal_max,
        }


def commit_times_run(tmp: Path, cases: int, completions: int, interval: float | None,
                     valve: int | None, versus: str = "commit_checkpoint") -> dict:
    configs = {}
    for name in ("engine", versus):
        path = tmp / f"{name}.sqlite"
        engine = make_engine(f"sqlite:///{path}")
        if name == "commit_checkpoint":
            commit_checkpoint(engine)
        else:
            if valve is not None:
                _with_pragmas(engine, f"wal_autocheckpoint={valve}")
            restart = checkpoint.RESTART_FRAMES if name == "engine" else None
            if interval is not None or restart is None:
                engine.checkpointer.stop()
                engine.checkpointer = checkpoint.Checkpointer(
                    str(path), interval or checkpoint.INTERVAL_SECONDS, restart_frames=restart).start()
        engine.deploy(MODEL, by="boss")
        for _ in range(cases):
            engine.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"})
        configs[name] = _Timed(engine, path)
    order = list(configs.values())
    c0 = time.process_time()
    for i in range(completions):
        for timed in (order if i % 2 else order[::-1]):
            timed.complete_next()
    process_cpu = time.process_time() - c0
    out = {name: timed.result() for name, timed in configs.items()}
    for timed in order:
        timed.engine.dispose()
    out["process_cpu_ms_per_completion"] = round(process_cpu / (2 * completions) * 1000, 4)
    out["settings"] = {"interval_seconds": interval or checkpoint.INTERVAL_SECONDS,
                       "valve_pages": valve or database.WAL_AUTOCHECKPOINT, "old_pages": OLD_AUTOCHECKPOINT}
    return out


_BLOCK = re.compile(r"rel (\d+)/(\d+)/(\d+)")
_TABLE_STATS = ("SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_user_tables")


def _table_stats(conn) -> dict[str, tuple[int, ...]]:
    return {r[0]: tuple(r[1:]) for r in conn.exec_driver_sql(_TABLE_STATS).all()}


def _insert_lsn(conn) -> str:
    return conn.exec_driver_sql("SELECT pg_current_wal_insert_lsn()").scalar()


def _wal_records(conn, start: str, end: str) -> list:
    deadline = time.monotonic() + 10  # synchronous_commit off: wait for the WAL writer to flush
    while conn.exec_driver_sql("SELECT pg_current_wal_flush_lsn() < %(end)s::pg_lsn", {"end": end}).scalar():
        if time.monotonic() > deadline:
            conn.exec_driver_sql("SELECT pg_switch_wal()")
        time.sleep(0.2)
    return conn.exec_driver_sql(
        "SELECT resource_manager, record_type, record_length, description, block_ref, xid"
        " FROM pg_get_wal_records_info(%(start)s, %(end)s)", {"start": start, "end": end}).all()


def postgres_run(admin_url: str, cases: int, rounds: int) -> dict:
    with scratch_postgres(admin_url) as url:
        engine = _prepared(make_engine(url), cases)
        meta = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
        with meta.connect() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
            db_oid = str(conn.exec_driver_sql("SELECT oid FROM pg_database WHERE datname = current_database()")
                         .scalar())
            relations = {str(r[0]): r[1] for r in conn.exec_driver_sql(
                "SELECT pg_relation_filenode(oid), relname FROM pg_class WHERE relkind IN ('r', 'i', 't')"
                " AND pg_relation_filenode(oid) IS NOT NULL").all()}
        engine.db.dispose()  # the backends report their table statistics as they end
        time.sleep(0.5)
        with meta.connect() as conn:
            # A temporary replication slot keeps the WAL until it is read, whatever else the server
            # writes meanwhile (a busy test server recycles segments within a minute); dropped with the session.
            conn.exec_driver_sql("SELECT pg_create_physical_replication_slot(%(n)s, true, true)",
                                 {"n": f"wal_pages_{os.getpid()}"})
            stats_before = _table_stats(conn)
            start = _insert_lsn(conn)
            done = sum(_complete_round(engine) for _ in range(rounds))
            engine.db.dispose()
            time.sleep(0.5)
            end = _insert_lsn(conn)
            stats_after = _table_stats(conn)
            cluster_bytes = conn.exec_driver_sql("SELECT %(end)s::pg_lsn - %(start)s::pg_lsn",
                                                 {"start": start, "end": end}).scalar()
            records = _wal_records(conn, start, end)
        meta.dispose()
        engine.dispose()
    ours: set = set()
    by_relation: collections.Counter = collections.Counter()
    index_tuples: collections.Counter = collections.Counter()
    record_types: collections.Counter = collections.Counter()
    for rmgr, kind, length, description, block_ref, xid in records:
        blocks = _BLOCK.findall(block_ref or "")
        if not blocks or blocks[0][1] != db_oid:
            continue
        ours.add(xid)
        name = relations.get(blocks[0][2], f"relfilenode {blocks[0][2]}")
        by_relation[name] += length
        record_types[f"{rmgr} {kind}"] += 1
        if rmgr == "Btree" and (kind in ("INSERT_LEAF", "INSERT_POST")
                                or (kind.startswith("SPLIT") and (description or "").startswith("level 0"))):
            index_tuples[name] += 1
    commits = [(length, xid) for rmgr, kind, length, _d, _b, xid in records
               if rmgr == "Transaction" and xid in ours]
    wal_bytes = sum(by_relation.values()) + sum(length for length, _ in commits)
    tables = {}
    for name, after in stats_after.items():
        before = stats_before.get(name, (0, 0, 0, 0))
        delta = [a - b for a, b in zip(after, before)]
        if any(delta):
            tables[name] = {key: round(d / done, 2) for key, d in
                            zip(("inserted", "updated", "hot_updated", "deleted"), delta)}
    return {
        "completions": done,
        "wal_bytes_per_completion": round(wal_bytes / done),
        "server_wal_bytes_per_completion": round(cluster_bytes / done),  # every database of the server
        "commits_per_completion": round(len(commits) / done, 2),
        "index_tuples_per_completion": round(sum(index_tuples.values()) / done, 2),
        "index_tuples_per_completion_by_index": {n: round(k / done, 2) for n, k in index_tuples.most_common()},
        "wal_bytes_per_completion_by_relation": {n: round(k / done) for n, k in by_relation.most_common()},
        "wal_records_per_completion": {n: round(k / done, 2) for n, k in record_types.most_common()},
        "rows_per_completion_by_table": tables,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3, help="measured rounds after two warm-up rounds (at most 3)")
    ap.add_argument("--postgres", nargs="?", const=os.environ.get("DUBAN_TEST_PG_URL"), default=None,
                    metavar="ADMIN_URL", help="also on a scratch database of this PostgreSQL server "
                    "(default: $DUBAN_TEST_PG_URL; needs pg_walinspect), dropped afterwards")
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--page-size", type=int, default=None,
                    help="the SQLite file made with this page size (default SQLite's, 4096)")
    ap.add_argument("--commit-times", action="store_true",
                    help="only the COMMIT times, thread vs commit checkpoint (cases default 400: 2,000 completions each)")
    ap.add_argument("--interval", type=float, default=None, help="--commit-times: the thread's first interval (s)")
    ap.add_argument("--valve", type=int, default=None, help="--commit-times: the writers' wal_autocheckpoint")
    ap.add_argument("--versus", choices=["commit_checkpoint", "no_restart"], default="commit_checkpoint",
                    help="--commit-times: the configuration the engine is compared with")
    ap.add_argument("--model", type=Path, default=None,
                    help="the frames of this model's completions by place (ends, middle), on SQLite")
    args = ap.parse_args()
    if args.model is not None:
        with tempfile.TemporaryDirectory() as tmp:
            out = {"load_average": list(os.getloadavg()),
                   "sqlite": model_run(Path(tmp), args.model.resolve(), args.cases)}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if args.commit_times:
        cases = args.cases if args.cases != ap.get_default("cases") else 400
        with tempfile.TemporaryDirectory() as tmp:
            out = {"cases": cases, "load_average": list(os.getloadavg()),
                   "commit_times": commit_times_run(Path(tmp), cases, cases * 5, args.interval, args.valve,
                                                    args.versus)}
        print(json.dumps(out, ensure_ascii=False, indent=2 if not args.json else None))
        return
    rounds = max(1, min(args.rounds, 5 - WARM_ROUNDS))
    result: dict = {"cases": args.cases, "rounds": rounds, "load_average": list(os.getloadavg())}
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            result["sqlite"] = sqlite_run(Path(tmp), args.cases, rounds, args.page_size)
    if args.postgres:
        result["postgres"] = postgres_run(args.postgres, args.cases, rounds)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for db in ("sqlite", "postgres"):
        if db in result:
            r = result[db]
            head = {k: v for k, v in r.items() if not isinstance(v, dict)}
            print(db, head)
            for key, split in r.items():
                if isinstance(split, dict):
                    print(f"  {key}:")
                    for name, value in list(split.items())[:25]:
                        print(f"    {value!s:>10}  {name}")


if __name__ == "__main__":
    main()
