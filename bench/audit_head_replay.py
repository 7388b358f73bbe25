"""What moving a case chain's audit head onto its ``case_instance`` row would save, on bare SQLite.

A completion moves its case chain's head with an ``UPDATE audit_head`` of its own (a statement and
a WAL frame: docs/engine.md, Audit). The proposal measured here keeps the head of each ``case:<id>``
chain in two columns of the case row, which every step updates anyway. ``bench/sql_replay.py``'s
recording (``Engine.complete`` on bench/models/five_tasks.bpmn, every statement with its
parameters) is replayed with the bare ``sqlite3`` module in these ways, each on its own copy of the
database taken before the completions:

- ``now``: the statements as recorded (``now_same_layout``: on a copy whose case rows carry the
  two columns too, unused, so a difference the rows' layout makes shows apart);
- ``in_case_update``: the case chains' heads moved to ``case_instance.audit_seq/audit_hash`` (the
  ``audit_head`` rows of case chains deleted), the head's values set by the step's case ``UPDATE``
  and the ``UPDATE audit_head`` left out — one statement and one page less per completion;
- ``own_case_update``: the same columns, set by a second ``UPDATE case_instance`` in place of the
  ``UPDATE audit_head`` (what is left if the case row's write cannot wait for the audit events:
  same statements, one page less).

Figures: this thread's CPU µs per completion, median and mean, each variant on its own copy with
the engine's pragmas, replayed completion by completion in turn (a busy spell of a shared machine
hits them alike; replaying one variant whole and then the next gave differences of ±20 µs run to
run), one figure per round (``--repeat``); and WAL frames per completion, from a replay of its own
with automatic checkpoints off. Nothing in the engine is changed.

    python bench/audit_head_replay.py --json [--cases 400] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from bench.sql_replay import _connect, record, send  # noqa: E402

CASE_WHERE = " WHERE case_instance.id = ?"


def with_case_heads(start: Path, out: Path, keep_heads: bool = False) -> Path:
    """A copy of ``start`` with each case chain's head on its case row (``keep_heads``: also still
    in ``audit_head``, for the recorded statements on the same layout)."""
    shutil.copyfile(start, out)
    db = _connect(out)
    db.executescript("""
        ALTER TABLE case_instance ADD COLUMN audit_seq INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE case_instance ADD COLUMN audit_hash VARCHAR(64);
        UPDATE case_instance SET (audit_seq, audit_hash) =
            (SELECT seq, hash FROM audit_head WHERE chain = 'case:' || case_instance.id);
    """)
    if not keep_heads:
        db.execute("DELETE FROM audit_head WHERE chain LIKE 'case:%'")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return out


def rewritten(stream: list[list[tuple]], inline: bool) -> list[list[tuple]]:
    """Each completion's statements with its case chain's head moved on the case row: inside the
    case ``UPDATE`` (``inline``) or by an ``UPDATE case_instance`` of its own."""
    out = []
    for statements in stream:
        head = next(((p[0], p[1], int(p[2].split(":")[1])) for sql, p, _ in statements
                     if sql.startswith("UPDATE audit_head") and p[2].startswith("case:")), None)
        if head is None:
            out.append(statements)
            continue
        seq, hash_, case_id = head
        new = []
        for sql, params, many in statements:
            if sql.startswith("UPDATE audit_head"):
                if not inline:
                    new.append(("UPDATE case_instance SET audit_seq=?, audit_hash=?" + CASE_WHERE,
                                (seq, hash_, case_id), False))
                continue
            if inline and sql.startswith("UPDATE case_instance") and sql.endswith(CASE_WHERE):
                sql = sql[:-len(CASE_WHERE)] + ", audit_seq=?, audit_hash=?" + CASE_WHERE
                params = (*params[:-1], seq, hash_, params[-1])
            new.append((sql, params, many))
        out.append(new)
    return out


def interleaved(variants: dict[str, tuple[Path, list[list[tuple]]]], tmp: Path) -> dict[str, list[int]]:
    """Every variant replayed on its own copy, completion by completion in turn (the order turned
    each completion), so a busy spell of a shared machine hits them alike: this thread's CPU ns of
    each completion, per variant. The engine's pragmas (checkpoints included)."""
    dbs = {}
    for name, (start, _stream) in variants.items():
        work = tmp / f"replay_{name}.sqlite"
        shutil.copyfile(start, work)
        for suffix in ("-wal", "-shm"):
            Path(str(work) + suffix).unlink(missing_ok=True)
        dbs[name] = _connect(work)
    names = list(variants)
    times: dict[str, list[int]] = {name: [] for name in names}
    clock = time.thread_time_ns
    for i in range(len(next(iter(variants.values()))[1])):
        turn = i % len(names)
        for name in names[turn:] + names[:turn]:
            db, statements = dbs[name], variants[name][1][i]
            t0 = clock()
            send(db.cursor(), statements)
            times[name].append(clock() - t0)
    for db in dbs.values():
        db.close()
    return times


def wal_frames(start: Path, work: Path, stream: list[list[tuple]]) -> float:
    """WAL frames per completion, replayed with automatic checkpoints off."""
    shutil.copyfile(start, work)
    for suffix in ("-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    db = _connect(work)
    db.execute("PRAGMA wal_autocheckpoint=0")
    page = db.execute("PRAGMA page_size").fetchone()[0]
    for statements in stream:
        send(db.cursor(), statements)
    size = Path(str(work) + "-wal").stat().st_size
    db.close()
    return (size - 32) / (page + 24) / len(stream)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        start, stream, engine_cpu = record(tmp, args.cases)
        moved = with_case_heads(start, tmp / "moved.sqlite")
        variants = {"now": (start, stream),
                    "now_same_layout": (with_case_heads(start, tmp / "both.sqlite", keep_heads=True), stream),
                    "in_case_update": (moved, rewritten(stream, True)),
                    "own_case_update": (moved, rewritten(stream, False))}
        work = tmp / "frames.sqlite"
        rounds = [interleaved(variants, tmp) for _ in range(args.repeat)]
        result: dict = {"completions": len(stream), "engine_cpu_us_per_completion": round(engine_cpu, 1)}
        for v, (path, statements) in variants.items():
            medians = [statistics.median(r[v]) / 1000 for r in rounds]
            means = [statistics.fmean(r[v]) / 1000 for r in rounds]
            result[v] = {"cpu_us_median": [round(x, 1) for x in medians], "cpu_us_mean": [round(x, 1) for x in means],
                         "saves_cpu_us_median": [round(statistics.median(r["now"]) / 1000 - x, 1)
                                                 for r, x in zip(rounds, medians)],
                         "wal_frames": round(wal_frames(path, work, statements), 2)}
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 1))


if __name__ == "__main__":
    main()
