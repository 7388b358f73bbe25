"""Query plans of the page queries that must stay index probes at a city's or a province's size
(bench/pages.py measures them; these tests pin the index each relies on, so a change of query or
schema that would bring back a scan fails here rather than in a slow page).

SQLite plans without statistics (the engine never runs ANALYZE), as a real database does; on
PostgreSQL the planner depends on statistics, so there the index itself is checked.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from engine import Engine, ManualClock
from engine.schema import Case
from tests.support import START
from webui import overdue

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)


def _plan(conn, stmt) -> str:
    compiled = stmt.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled),
                                tuple(params[name] for name in compiled.positiontup)).all()
    return "\n".join(str(r[-1]) for r in rows)


def test_overdue_case_probe_reads_one_cases_tasks_by_deadline_not_every_overdue_task(database_url):
    """逾期督办 (webui/overdue.py) asks per case whether an open task is past its deadline. Probed by
    (state, due_at) instead, each case read every overdue task of the city: the overdue board took
    1.8 s at 10,000 tasks and minutes at 100,000."""
    engine = Engine(database_url, clock=ManualClock(START))
    engine.create_all()
    with engine.db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            plan = _plan(conn, sa.select(sa.func.count()).select_from(Case).where(overdue.condition(NOW)))
            probe = [line for line in plan.splitlines() if "human_task" in line]
            assert probe and all("ix_human_task_case_due (case_id=? AND state=? AND due_at<?)" in line
                                 for line in probe), plan
        indexes = {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("human_task")}
    assert indexes["ix_human_task_case_due"] == ["case_id", "state", "due_at"]
    engine.dispose()
