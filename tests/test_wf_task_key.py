"""``wf_task`` keyed by (``case_id``, ``id``) (revision 0024): a case's task keys side by side.

A task's id is a random UUID; keyed by it alone, each row a completion inserted or deleted (the tasks
of the branch an exclusive gateway takes and of the one it drops) went to a page of its own in the
key's b-tree: 3.3–4.4 WAL frames of that b-tree in such a completion on SQLite. Here: the key's
columns on SQLite and PostgreSQL, every row kept through the upgrade and the downgrade, a case run
on the new key ends as before, and on SQLite a completion through the gateway writes one or two
pages of the key (the WAL's frames by b-tree, as bench/wal_pages.py counts them).
"""
from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from engine import ManualClock, migrate
from engine.schema import TaskRow
from tests.support import BPMN, START, make_engine, open_task_id

GATEWAY = BPMN / "interop" / "flowable_untyped_days.bpmn"  # 填写延期申请, then 15日以内 or 超过15日
BEFORE = "0023_hazard_facts_fenced"


def _key(sa_engine) -> list[str]:
    with sa_engine.connect() as conn:
        return sa.inspect(conn).get_pk_constraint("wf_task")["constrained_columns"]


def _rows(sa_engine) -> list:
    with sa_engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            sa.select(TaskRow.id, TaskRow.case_id, TaskRow.wf_key, TaskRow.seq, TaskRow.spec_name, TaskRow.state,
                      TaskRow.live, TaskRow.content).order_by(TaskRow.case_id, TaskRow.seq)).all()]


def _apply(e, case_id: int, days: int) -> None:
    e.complete(open_task_id(e, case_id), "zhang", {"days": days, "reason": "设备到货延迟"})


def test_revision_0024_keys_the_tasks_by_case_and_keeps_every_row(database_url):
    e = make_engine(database_url, clock=ManualClock(START))
    sa_engine = e.db.engine
    assert _key(sa_engine) == ["case_id", "id"]
    e.deploy(GATEWAY, by="boss")
    # the cases made first, then the database taken back (the engine of today runs on today's
    # schema only: revision 0032 gave process_model a column every start reads)
    short = e.start("flowable_untyped_days", by="zhang", org="east").id
    long = e.start("flowable_untyped_days", by="zhang", org="east").id
    _apply(e, short, 10)
    before = _rows(sa_engine)
    assert {r[1] for r in before} == {short, long}
    e.db.dispose()
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), BEFORE)
    e.db.dispose()
    assert _key(sa_engine) == ["id"]
    assert _rows(sa_engine) == before

    assert migrate.upgrade(sa_engine)
    assert _key(sa_engine) == ["case_id", "id"]
    assert _rows(sa_engine) == before
    e.db.dispose()  # connections made afresh on the new key
    _apply(e, long, 30)  # through the gateway on the new key: 超过15日 goes to 分管局领导审批
    assert e.case(long).tasks[0].spec_id == "leaderApprove"
    for case_id in (short, long):
        e.complete(open_task_id(e, case_id), "boss", {})
        assert e.case(case_id).status == "completed"
    after = _rows(sa_engine)
    e.db.dispose()
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), BEFORE)
    assert _key(sa_engine) == ["id"]
    assert _rows(sa_engine) == after
    e.dispose()


def _key_frames(path: Path) -> int:
    """WAL frames of the table's key b-tree (``sqlite_autoindex_wf_task_1``)."""
    raw = Path(f"{path}-wal").read_bytes()
    page_size = struct.unpack(">I", raw[8:12])[0]
    pages, off = [], 32
    while off + 24 + page_size <= len(raw):
        pages.append(struct.unpack(">I", raw[off:off + 4])[0])
        off += 24 + page_size
    with sqlite3.connect(path) as inspect:
        names = dict(inspect.execute("SELECT pageno, name FROM dbstat"))
    return sum(names.get(p) == "sqlite_autoindex_wf_task_1" for p in pages)


def test_a_completion_through_the_gateway_writes_a_page_or_two_of_the_key(tmp_path):
    path = tmp_path / "key.sqlite"
    e = make_engine(f"sqlite:///{path}", clock=ManualClock(START))
    if e.checkpointer is not None:
        e.checkpointer.stop()
        e.checkpointer = None
    e.deploy(GATEWAY, by="boss")
    cases = [e.start("flowable_untyped_days", by="zhang", org="east").id for _ in range(80)]
    frames = []
    with e.db.engine.connect() as conn:
        for n, case_id in enumerate(cases[::4]):
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            _apply(e, case_id, 10 if n % 2 else 30)
            frames.append(_key_frames(path))
    e.dispose()
    # keyed by the id alone: 3–4 pages each (the rows dropped and made land on pages of their own)
    assert sum(frames) / len(frames) <= 2.0, frames
