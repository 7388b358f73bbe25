"""bench/audit_head_replay.py measures a case chain's audit head kept on its case row by replaying the
engine's recorded completions rewritten that way: the rewritten replay must leave the chains the
engine left, each case chain's head on its case row, and no case chain in ``audit_head``."""
from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "audit_head_replay.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_audit_head_replay", BENCH)
    module = importlib.util.module_from_spec(spec)
    saved = sys.path[:]  # the script puts the repository first on sys.path, as when run
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


def _events(db) -> list:
    return sorted(db.execute("SELECT chain, seq, case_id, at, actor, action, task_id, detail, prev_hash, hash"
                             " FROM audit_event"))


def _replayed(bench, start: Path, stream, tmp: Path) -> Path:
    """``stream`` replayed on a copy of ``start`` as the bench replays it; the copy."""
    times = bench.interleaved({"v": (start, stream)}, tmp)
    assert len(times["v"]) == len(stream)
    return tmp / "replay_v.sqlite"


def test_the_rewritten_replays_keep_every_chain_with_its_head_on_the_case_row(tmp_path):
    bench = _bench()
    start, stream, _cpu = bench.record(tmp_path, 3)
    with sqlite3.connect(tmp_path / "engine.sqlite") as db:
        events = _events(db)
        heads = dict(db.execute("SELECT chain, seq || ' ' || hash FROM audit_head WHERE chain LIKE 'case:%'"))
    assert len(heads) == 3
    moved = bench.with_case_heads(start, tmp_path / "moved.sqlite")
    for inline in (True, False):
        rewritten = bench.rewritten(stream, inline)
        assert not any(sql.startswith("UPDATE audit_head") for statements in rewritten for sql, _p, _m in statements)
        with sqlite3.connect(_replayed(bench, moved, rewritten, tmp_path)) as db:
            assert _events(db) == events
            assert dict(db.execute("SELECT 'case:' || id, audit_seq || ' ' || audit_hash FROM case_instance")) == heads
            assert db.execute("SELECT count(*) FROM audit_head WHERE chain LIKE 'case:%'").fetchone() == (0,)
