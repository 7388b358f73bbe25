"""Revision 0025 on PostgreSQL, A/B: the WAL a completion writes with ``case_instance``'s indexes as
revision 0024 left them (``a``) and as 0025 makes them (``b``), per model (issue 15).

Two scratch databases on the server of ``--postgres`` (default ``$DUBAN_TEST_PG_URL``; needs
``pg_walinspect``), one downgraded to 0024, the same code on both; ``--cases`` cases of each model
started on both, then completed as ``bench/throughput.py --model`` works them (``ModelBench``), the
two databases' completions alternated one by one, the side going first alternating by round. From the
server's WAL between the first completion and the last (kept by a temporary replication slot), each
database's records by relation (filtered by database OID: other databases of the server do not
count): WAL bytes, index tuples (B-tree leaf inserts) per completion, and those of ``case_instance``'s
indexes; the client's wall and thread-CPU µs per completion (median). ``--aa``: both at 0025.

    python bench/case_index_ab.py --json [--cases 60] [--aa] MODEL...
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from alembic import command  # noqa: E402

from bench.throughput import ModelBench, user_for  # noqa: E402
from bench.wal_pages import _BLOCK, _insert_lsn, _wal_records  # noqa: E402
from bench.world import scratch_postgres  # noqa: E402
from engine import migrate  # noqa: E402
from engine.errors import EngineError  # noqa: E402

BEFORE = "0024_wf_task_case_key"


class Side:
    def __init__(self, model: Path, url: str, downgrade: bool):
        self.bench = ModelBench(model)
        self.engine = self.bench.engine(url)
        if downgrade:
            with self.engine.db.engine.begin() as conn:
                command.downgrade(migrate.config(conn), BEFORE)
            self.engine.db.dispose()
        with self.engine.db.engine.connect() as conn:
            self.oid = str(conn.exec_driver_sql("SELECT oid FROM pg_database WHERE datname = current_database()")
                           .scalar())
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
            conn.commit()
        self.pending: list[int] = []
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.ends = 0

    def start(self, cases: int) -> None:
        self.pending = [self.bench.start(self.engine) for _ in range(cases)]

    def relations(self) -> dict[str, str]:
        with self.engine.db.engine.connect() as conn:
            return {str(r[0]): r[1] for r in conn.exec_driver_sql(
                "SELECT pg_relation_filenode(oid), relname FROM pg_class WHERE relkind IN ('r', 'i', 't')"
                " AND pg_relation_filenode(oid) IS NOT NULL").all()}

    def next_task(self, case_id: int):
        view = self.engine.case(case_id)
        if view.status != "running" or not view.tasks:
            return None
        task = view.tasks[0]
        return task, user_for(self.engine, task, self.bench.starter[0]), self.bench.data_for(self.engine, task)

    def complete(self, case_id: int, work) -> bool:
        task, user, data = work
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            self.engine.complete(task.id, user, data)
        except EngineError:
            return False
        self.cpu.append(time.thread_time() - c0)
        self.wall.append(time.perf_counter() - t0)
        if self.engine.case(case_id).status != "running":
            self.ends += 1
            return False
        return True


def run(model: Path, admin_url: str, cases: int, aa: bool) -> dict:
    with scratch_postgres(admin_url) as url_a, scratch_postgres(admin_url) as url_b:
        a, b = Side(model, url_a, downgrade=not aa), Side(model, url_b, downgrade=False)
        a.start(cases)
        b.start(cases)
        names = {**a.relations(), **b.relations()}
        meta = sa.create_engine(url_a, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
        with meta.connect() as conn:
            conn.exec_driver_sql("SELECT pg_create_physical_replication_slot(%(n)s, true, true)",
                                 {"n": f"case_index_ab_{os.getpid()}"})
            start = _insert_lsn(conn)
            pending = list(zip(a.pending, b.pending))
            turn = 0
            for _round in range(200):
                still = []
                for ca, cb in pending:
                    wa, wb = a.next_task(ca), b.next_task(cb)
                    if wa is None or wb is None:
                        continue
                    turn += 1
                    order = ((a, ca, wa), (b, cb, wb)) if turn % 2 else ((b, cb, wb), (a, ca, wa))
                    going = [side.complete(cid, work) for side, cid, work in order]
                    if all(going):
                        still.append((ca, cb))
                pending = still
                if not pending:
                    break
            a.engine.db.dispose()
            b.engine.db.dispose()
            time.sleep(0.5)
            end = _insert_lsn(conn)
            records = _wal_records(conn, start, end)
        meta.dispose()
        out = {}
        for name, side in (("a", a), ("b", b)):
            by_rel: collections.Counter = collections.Counter()
            tuples: collections.Counter = collections.Counter()
            ours = set()
            for rmgr, kind, length, description, block_ref, xid in records:
                blocks = _BLOCK.findall(block_ref or "")
                if not blocks or blocks[0][1] != side.oid:
                    continue
                ours.add(xid)
                rel = names.get(blocks[0][2], "?")
                by_rel[rel] += length
                if rmgr == "Btree" and (kind in ("INSERT_LEAF", "INSERT_POST")
                                        or (kind.startswith("SPLIT") and (description or "").startswith("level 0"))):
                    tuples[rel] += 1
            commits = sum(length for rmgr, _k, length, _d, _b, xid in records if rmgr == "Transaction" and xid in ours)
            n = len(side.cpu)
            case_tuples = sum(k for rel, k in tuples.items() if rel.startswith(("ix_case_instance", "case_instance")))
            out[name] = {"completions": n, "ending": side.ends,
                         "wal_bytes_per_completion": round((sum(by_rel.values()) + commits) / n),
                         "index_tuples_per_completion": round(sum(tuples.values()) / n, 2),
                         "case_instance_index_tuples_per_completion": round(case_tuples / n, 2),
                         "median_wall_us": round(statistics.median(side.wall) * 1e6, 1),
                         "median_thread_cpu_us": round(statistics.median(side.cpu) * 1e6, 1)}
            side.engine.dispose()
        return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("models", nargs="+")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cases", type=int, default=60)
    ap.add_argument("--aa", action="store_true", help="both sides at revision 0025 (a control)")
    ap.add_argument("--postgres", default=os.environ.get("DUBAN_TEST_PG_URL"))
    args = ap.parse_args()
    result = {Path(m).stem: run(Path(m), args.postgres, args.cases, args.aa) for m in args.models}
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 1))


if __name__ == "__main__":
    main()
