"""No index on ``case_instance.status`` alone (revision 0022): ``ix_case_instance_escalation`` leads
with ``status`` and serves its readers, and the step that ends a case writes a b-tree page fewer.

Here, on SQLite and PostgreSQL: a database at revision 0021 with running and ended cases is upgraded
without losing a row, and the downgrade makes the index again; a reader of ``status = ?`` alone is
served by ``ix_case_instance_escalation``; on SQLite the completion that ends a case writes no page of an index
that holds ``status`` alone.
"""
from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from engine import ManualClock, migrate
from engine.schema import Case
from tests.support import BPMN, START, make_engine, open_task_id

FIVE_TASKS = BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn"
INDEX = "ix_case_instance_status"
BEFORE = "0021_case_audit_head"


def _indexes(sa_engine) -> set[str]:
    with sa_engine.connect() as conn:
        return {i["name"] for i in sa.inspect(conn).get_indexes("case_instance")}


def _finish(e, case_id: int) -> None:
    for _ in range(5):
        e.complete(open_task_id(e, case_id), "zhang", {"意见": "同意"})


def _rows(sa_engine) -> list:
    with sa_engine.connect() as conn:
        return conn.execute(sa.select(Case.id, Case.status, Case.version, Case.audit_seq, Case.ended_at)
                            .order_by(Case.id)).all()


def _plan(conn, stmt) -> str:
    sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
    if conn.dialect.name == "sqlite":
        return "\n".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all())
    conn.exec_driver_sql("SET enable_seqscan = off")
    return "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql).all())


def test_revision_0022_drops_the_status_index_keeps_every_row_and_its_downgrade_makes_it_again(database_url):
    e = make_engine(database_url, clock=ManualClock(START))
    sa_engine = e.db.engine
    assert INDEX not in _indexes(sa_engine)
    e.deploy(FIVE_TASKS, by="boss")
    # cases started, worked and ended, then the database taken back to revision 0021 (the engine of
    # today runs on today's schema only: revision 0032 gave process_model a column every start reads)
    ended = e.start("five_tasks", by="zhang", org="east").id
    running = e.start("five_tasks", by="zhang", org="east").id
    _finish(e, ended)
    e.complete(open_task_id(e, running), "zhang", {"意见": "同意"})
    before = _rows(sa_engine)
    assert [r.status for r in before] == ["completed", "running"]
    e.dispose()
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), BEFORE)
    assert INDEX in _indexes(sa_engine)
    assert _rows(sa_engine) == before

    assert migrate.upgrade(sa_engine)
    assert INDEX not in _indexes(sa_engine)
    assert _rows(sa_engine) == before
    with sa_engine.connect() as conn:
        assert migrate.current(conn) == migrate.heads()
        assert conn.execute(sa.select(Case.id).where(Case.status == "running")).scalars().all() == [running]
        # a reader of the status alone still has an index: the escalation index's first column
        plan = _plan(conn, sa.select(sa.func.count()).select_from(Case).where(Case.status == "running"))
    assert "ix_case_instance_escalation" in plan, plan

    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), BEFORE)
    assert INDEX in _indexes(sa_engine)
    assert _rows(sa_engine) == before
    sa_engine.dispose()


def _frames_by_btree(path: Path) -> set[str]:
    raw = Path(f"{path}-wal").read_bytes()
    page_size = struct.unpack(">I", raw[8:12])[0]
    pages, off = set(), 32
    while off + 24 + page_size <= len(raw):
        pages.add(struct.unpack(">I", raw[off:off + 4])[0])
        off += 24 + page_size
    with sqlite3.connect(path) as inspect:
        names = dict(inspect.execute("SELECT pageno, name FROM dbstat"))
    return {names.get(p, "") for p in pages}


def test_the_completion_that_ends_a_case_writes_no_page_of_a_status_index(tmp_path):
    """SQLite: the WAL frames of the case's last completion, by b-tree (bench/wal_pages.py's count)."""
    path = tmp_path / "ends.sqlite"
    e = make_engine(f"sqlite:///{path}", clock=ManualClock(START))
    if e.checkpointer is not None:
        e.checkpointer.stop()
        e.checkpointer = None
    e.deploy(FIVE_TASKS, by="boss")
    case_id = e.start("five_tasks", by="zhang", org="east").id
    for _ in range(4):
        e.complete(open_task_id(e, case_id), "zhang", {"意见": "同意"})
    last = open_task_id(e, case_id)
    with e.db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    e.complete(last, "zhang", {"意见": "同意"})
    written = _frames_by_btree(path)
    assert "case_instance" in written and "ix_case_instance_escalation" in written, written
    assert INDEX not in written, written
    e.dispose()
