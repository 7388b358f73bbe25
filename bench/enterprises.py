"""Benchmark: search 100,000 enterprises by name fragment and by credit-code prefix.

The registry must answer a search page in under 50 ms on SQLite at 100k enterprises. This builds
the registry in a temporary SQLite file (or a given PostgreSQL database) with realistic names,
then times ``EnterpriseRegistry.search`` — count plus one page — for fragments of 1-4 characters
cut from real names and for code prefixes of 4-10 characters, and reports median and p95.

    .venv/bin/python bench/enterprises.py --json [--count 100000] [--postgres URL]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

# Run as a script, bench/ would come first on sys.path and bench/queue.py would shadow the standard
# library's queue (psycopg imports it): put the repository root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from workflows.enterprises import Enterprise, EnterpriseBase, EnterpriseRegistry, create_tables  # noqa: E402
from workflows.enterprises.search_index import bulk_insert  # noqa: E402
from workflows.enterprises.samples import fake_enterprises  # noqa: E402

BUDGET_MS = 50.0
CAP = 10_000  # count_limit a results page might use ("10000+ 家")


def populate(engine: sa.Engine, count: int) -> tuple[list[str], list[str]]:
    """Bulk-insert ``count`` enterprises; returns their names and codes for building queries."""
    now = dt.datetime.now(dt.timezone.utc)
    names, codes, batch = [], [], []
    with engine.begin() as conn:
        for values in fake_enterprises(count, seed=7):
            names.append(values["name"])
            codes.append(values["credit_code"])
            batch.append(Enterprise.insert_values(values, now))
            if len(batch) == 10_000:
                bulk_insert(conn, Enterprise.__table__, batch)
                batch = []
        bulk_insert(conn, Enterprise.__table__, batch)
    # Fresh statistics (and on PostgreSQL a visibility map, for index-only counts), as a
    # registry that has been running for a while has from autovacuum.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE enterprises")
    return names, codes


def timed(fn, queries) -> list[float]:
    out = []
    for q in queries:
        start = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(ms: list[float]) -> tuple[float, float]:
    ordered = sorted(ms)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return round(statistics.median(ordered), 2), round(p95, 2)


def run(url: str | None, count: int, queries: int) -> dict:
    tmp = None
    if url is None:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{tmp.name}/bench.sqlite"
    engine = sa.create_engine(url)
    EnterpriseBase.metadata.drop_all(engine)
    create_tables(engine)
    start = time.perf_counter()
    names, codes = populate(engine, count)
    load_s = time.perf_counter() - start
    registry = EnterpriseRegistry(engine)
    rng = random.Random(11)
    fragments = []
    for _ in range(queries):
        name = rng.choice(names)
        size = rng.choice((1, 2, 2, 2, 3, 4))
        at = rng.randrange(len(name) - size + 1)
        fragments.append(name[at:at + size])
    prefixes = [rng.choice(codes)[:rng.randint(4, 10)] for _ in range(queries)]
    registry.search(fragments[0])  # warm the connection pool and caches
    name_ms = timed(lambda q: registry.search(q, by="name"), fragments)
    code_ms = timed(lambda q: registry.search(q, by="code"), prefixes)
    capped_ms = timed(lambda q: registry.search(q, by="name", count_limit=CAP), fragments)
    name_median, name_p95 = summary(name_ms)
    code_median, code_p95 = summary(code_ms)
    engine.dispose()
    if tmp is not None:
        tmp.cleanup()
    return {
        "database": engine.dialect.name,
        "enterprises": count,
        "load_seconds": round(load_s, 1),
        "queries_each": queries,
        "name_search_median_ms": name_median,
        "name_search_p95_ms": name_p95,
        "name_search_max_ms": round(max(name_ms), 2),
        f"name_search_counting_to_{CAP}_p95_ms": summary(capped_ms)[1],
        "code_search_median_ms": code_median,
        "code_search_p95_ms": code_p95,
        "under_50ms": max(name_p95, code_p95) < BUDGET_MS,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--postgres", metavar="URL", help="also run against this (emptied!) PostgreSQL database")
    args = parser.parse_args(argv)
    results = [run(None, args.count, args.queries)]
    if args.postgres:
        results.append(run(args.postgres, args.count, args.queries))
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else {**results[0], "postgresql": results[1]},
                         ensure_ascii=False))
    else:
        for r in results:
            print("\n".join(f"{k}: {v}" for k, v in r.items()), end="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
