"""bench/sql_replay.py measures the database's share of a completion by replaying the statements
the engine sent: the replay must do the same work, so the database it leaves is the engine's."""
from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "sql_replay.py"
TABLES = ("case_instance", "human_task", "wf_task", "wf_workflow", "audit_event", "audit_head", "timer")


def _bench():
    spec = importlib.util.spec_from_file_location("bench_sql_replay", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dump(path: Path) -> dict[str, list]:
    with sqlite3.connect(path) as db:
        return {t: sorted(map(repr, db.execute(f"SELECT * FROM {t}"))) for t in TABLES}


def test_the_replayed_statements_leave_the_database_the_engine_left(tmp_path):
    bench = _bench()
    start, stream, _cpu = bench.record(tmp_path, 3)
    assert len(stream) == 3 * bench.TASKS
    assert all(statements[0][0] == "BEGIN IMMEDIATE" for statements in stream)
    replayed = tmp_path / "replayed.sqlite"
    bench.replay(start, replayed, stream, set())
    engine_db = _dump(tmp_path / "engine.sqlite")
    assert _dump(replayed) == engine_db
    assert len(engine_db["audit_event"]) > len(_dump(start)["audit_event"])
    # leaving a statement out shows: the measurement of its cost is a real difference
    bench.replay(start, replayed, stream, {"INSERT audit_event"})
    assert _dump(replayed)["audit_event"] != engine_db["audit_event"]
