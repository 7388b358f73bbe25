"""Revision 0025: ``case_instance``'s indexes hold only the rows their readers read.

``ix_case_instance_process_key`` is gone (``ix_case_instance_started`` and ``_ended`` lead with
``process_key``); ``ix_case_instance_parent_case_id`` holds derived cases (派生案件) only; on
PostgreSQL the three hazard indexes hold hazard cases only, as on SQLite since 0020. So a case of
any other process, started from none, enters none of them when it starts or when it ends (on
PostgreSQL the UPDATE that ends a case is not HOT and entered the new row in every index it met).

Here, on SQLite and PostgreSQL: the indexes hold no entry after such cases started and ended, and a
derived case's entry is there; the readers (a case's derived cases, a process's cases, the hazard
lists) are still served by the indexes; a database at 0024 with cases keeps every row through the
upgrade, and the downgrade makes the indexes as they were.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from engine import ManualClock, migrate
from engine.queries import child_cases
from engine.schema import Case
from tests.support import BPMN, START, make_engine, open_task_id

FIVE_TASKS = BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn"
BEFORE = "0024_wf_task_case_key"
PROCESS_KEY = "ix_case_instance_process_key"
PARENT = "ix_case_instance_parent_case_id"
HAZARD = ("ix_case_instance_hazard_found", "ix_case_instance_hazard_key", "ix_case_instance_hazards")
PG_EMPTY_BTREE = 8192  # a PostgreSQL b-tree no row entered: its metapage alone


def _finish(e, case_id: int) -> None:
    for _ in range(5):
        e.complete(open_task_id(e, case_id), "zhang", {"意见": "同意"})


def _indexes(sa_engine) -> dict[str, list]:
    with sa_engine.connect() as conn:
        return {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("case_instance")}


def _entries(conn, name: str) -> int:
    """SQLite: the entries of index ``name`` (its leaf cells: a small index is its root page).
    PostgreSQL: whether any row entered it (0: its metapage alone, else 1)."""
    if conn.dialect.name == "sqlite":
        return conn.exec_driver_sql("SELECT coalesce(sum(ncell), 0) FROM dbstat WHERE name = ? AND pagetype = 'leaf'",
                                    (name,)).scalar()
    size = conn.exec_driver_sql("SELECT pg_relation_size(%(n)s::regclass)", {"n": name}).scalar()
    return 0 if size == PG_EMPTY_BTREE else 1


def _plan(conn, stmt) -> str:
    sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
    if conn.dialect.name == "sqlite":
        return "\n".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all())
    conn.exec_driver_sql("SET enable_seqscan = off")
    return "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql).all())


def test_a_case_neither_derived_nor_a_hazard_enters_no_partial_case_index_when_it_starts_or_ends(database_url):
    e = make_engine(database_url, clock=ManualClock(START))
    sa_engine = e.db.engine
    e.deploy(FIVE_TASKS, by="boss")
    ended = [e.start("five_tasks", by="zhang", org="east").id for _ in range(2)]
    running = e.start("five_tasks", by="zhang", org="east").id
    for case_id in ended:  # on PostgreSQL each case's last UPDATE is not HOT (status, ended_at)
        _finish(e, case_id)
    e.complete(open_task_id(e, running), "zhang", {"意见": "同意"})
    with sa_engine.connect() as conn:
        held = {name: _entries(conn, name) for name in (PARENT, *HAZARD)}
    assert held == dict.fromkeys((PARENT, *HAZARD), 0), held
    assert PROCESS_KEY not in _indexes(sa_engine)

    derived = e.start("five_tasks", by="zhang", org="east", parent_case_id=running).id
    assert [row.id for row in child_cases(e, running)] == [derived]
    assert child_cases(e, ended[0]) == []
    with sa_engine.connect() as conn:
        assert _entries(conn, PARENT) == 1
        # the readers: a case's derived cases, a process's cases (by an index leading with process_key)
        plan = _plan(conn, sa.select(Case.id).where(Case.parent_case_id == running))
        assert PARENT in plan, plan
        plan = _plan(conn, sa.select(sa.func.count()).select_from(Case).where(Case.process_key == "five_tasks"))
        assert "ix_case_instance_started" in plan or "ix_case_instance_ended" in plan, plan
    e.dispose()


def test_hazard_cases_are_still_in_the_hazard_indexes_and_read_from_them(database_url, tmp_path):
    """A hazard case's facts enter the three indexes (the predicate holds), and the quarterly
    statistics' reader by the day found is served by one of them, on both databases."""
    from tests.ui_support import REGISTER_MAJOR, make_world, open_task, start_hazard
    world = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    engine = world.engine
    case = start_hazard(engine)
    engine.complete(open_task(engine, case.id, "register").id, "zhang", REGISTER_MAJOR)
    with engine.db.engine.connect() as conn:
        assert {name: _entries(conn, name) > 0 for name in HAZARD} == dict.fromkeys(HAZARD, True)
        found = conn.execute(sa.select(Case.hazard_found_day).where(Case.id == case.id)).scalar()
        assert found is not None and found >= 0
        reader = (sa.select(Case.org_code, sa.func.count()).where(Case.hazard_found_day >= found - 1,
                                                                   Case.hazard_found_day < found + 1)
                  .group_by(Case.org_code))
        plan = _plan(conn, reader)
        assert "ix_case_instance_hazard_found" in plan, plan
        assert conn.execute(reader).all() == [(case.org_code, 1)]
    engine.dispose()


def test_revision_0025_keeps_every_row_and_its_downgrade_makes_the_indexes_again(database_url):
    e = make_engine(database_url, clock=ManualClock(START))
    sa_engine = e.db.engine
    e.deploy(FIVE_TASKS, by="boss")
    # the cases made first, then the database taken back (the engine of today runs on today's
    # schema only: revision 0032 gave process_model a column every start reads)
    parent = e.start("five_tasks", by="zhang", org="east").id
    derived = e.start("five_tasks", by="zhang", org="east", parent_case_id=parent).id
    _finish(e, parent)
    e.db.dispose()
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), BEFORE)
    indexes = _indexes(sa_engine)
    assert indexes[PROCESS_KEY] == ["process_key"] and indexes[PARENT] == ["parent_case_id"]
    with sa_engine.connect() as conn:
        before = conn.execute(sa.select(Case.id, Case.status, Case.parent_case_id, Case.audit_seq)
                              .order_by(Case.id)).all()
        assert _entries(conn, PARENT) > 0 and _entries(conn, PROCESS_KEY) > 0
    assert [(r.id, r.status, r.parent_case_id) for r in before] == [(parent, "completed", None),
                                                                    (derived, "running", parent)]
    e.dispose()

    assert migrate.upgrade(sa_engine)
    indexes = _indexes(sa_engine)
    assert PROCESS_KEY not in indexes and indexes[PARENT] == ["parent_case_id"]
    with sa_engine.connect() as conn:
        assert migrate.current(conn) == migrate.heads()
        assert conn.execute(sa.select(Case.id, Case.status, Case.parent_case_id, Case.audit_seq)
                            .order_by(Case.id)).all() == before
        assert conn.execute(sa.select(Case.id).where(Case.parent_case_id == parent)).scalars().all() == [derived]

    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), BEFORE)
    indexes = _indexes(sa_engine)
    assert indexes[PROCESS_KEY] == ["process_key"] and indexes[PARENT] == ["parent_case_id"]
    with sa_engine.connect() as conn:
        assert _entries(conn, PARENT) > 0
        # whole again on PostgreSQL (every case in them); on SQLite partial since 0020
        whole = conn.dialect.name == "postgresql"
        assert {name: _entries(conn, name) > 0 for name in HAZARD} == dict.fromkeys(HAZARD, whole)
    sa_engine.dispose()
