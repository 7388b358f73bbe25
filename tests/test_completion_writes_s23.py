"""``ix_human_task_case_due`` keeps ``state`` (issue 15): (case_id, state, due_at).

Revision 0027 first made it (case_id, due_at), so that completing a task — its state from 'open' to
'completed' — moved no entry of it and the completion that ends a case wrote a WAL frame fewer (14.46 →
13.46, camunda7_list_map_parameters). It was taken back the same day: 逾期督办 asks of every running
case whether an open task is past its deadline, and without ``state`` in the index that probe read the
row of each of the case's tasks past the deadline, completed ones included (most of them, once their
deadlines have passed): counting the overdue cases among 10,000 running cases with four completed tasks
each took 44.6 ms of CPU against 4.2. tests/test_query_plans.py pins the probe's plan.

Here: a database that ran 0027 as it was first written is given the index with ``state`` again by
revision 0028, keeping every task row; and the probe, on Flowable's 复查 loop (flowable_review.bpmn:
复查 not passed opens 再次整改) as Flowable's designer draws it, finds an open task past its deadline
and not a completed one, on SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import command

from engine import ManualClock, migrate
from engine.schema import Case, HumanTask
from tests.interop_support import CORPUS
from tests.support import START, make_engine
from webui import overdue

REVIEW = CORPUS / "flowable_review.bpmn"
INDEX = "ix_human_task_case_due"
BEFORE = "0026_enterprise_kind"


def _overdue_cases(e) -> list[int]:
    now = e.clock.now()
    with e.db.engine.connect() as conn:
        return conn.execute(sa.select(Case.id).where(overdue.condition(now)).order_by(Case.id)).scalars().all()


def test_the_overdue_probe_finds_an_open_task_past_its_deadline_and_not_a_completed_one(database_url):
    """逾期督办's per-case question (``case_id = ? AND state = 'open' AND due_at < ?``). 复查 past its
    deadline (due_at set on its row as a dueDate would) is overdue; once completed (再次整改 opens, no
    deadline) the case is not, though the completed row's deadline passed."""
    e = make_engine(database_url, clock=ManualClock(START))
    key = e.deploy(REVIEW, by="boss").key
    late = e.start(key, by="zhang", org="east").id
    on_time = e.start(key, by="zhang", org="east").id
    past, ahead = START - timedelta(days=2), START + timedelta(days=5)
    with e.db.engine.begin() as conn:
        for case_id, due in ((late, past), (on_time, ahead)):
            conn.execute(sa.update(HumanTask).where(HumanTask.case_id == case_id)
                         .values(due_at=due, due_sort=due))
    assert _overdue_cases(e) == [late]
    e.complete(e.case(late).tasks[0].id, "zhang", {"passed": False})
    assert [t.spec_id for t in e.case(late).tasks] == ["again"]
    assert _overdue_cases(e) == []
    e.dispose()


def _index_columns(sa_engine) -> list[str] | None:
    with sa_engine.connect() as conn:
        for index in sa.inspect(conn).get_indexes("human_task"):
            if index["name"] == INDEX:
                return list(index["column_names"])
    return None


def _task_rows(sa_engine) -> list:
    with sa_engine.connect() as conn:
        return conn.execute(sa.select(HumanTask.id, HumanTask.case_id, HumanTask.state, HumanTask.due_at,
                                      HumanTask.completed_by).order_by(HumanTask.id)).all()


def test_revision_0028_gives_a_database_that_ran_the_first_0027_its_index_with_state_again(database_url):
    e = make_engine(database_url, clock=ManualClock(START))
    sa_engine = e.db.engine
    assert _index_columns(sa_engine) == ["case_id", "state", "due_at"]
    key = e.deploy(REVIEW, by="boss").key
    case_id = e.start(key, by="zhang", org="east").id
    e.complete(e.case(case_id).tasks[0].id, "zhang", {"passed": False})
    before = _task_rows(sa_engine)
    assert sorted(r.state for r in before) == ["completed", "open"]
    e.dispose()
    # the database as the first 0027 left it
    with sa_engine.begin() as conn:
        conn.exec_driver_sql(f"DROP INDEX {INDEX}")
        conn.exec_driver_sql(f"CREATE INDEX {INDEX} ON human_task (case_id, due_at)")
        command.stamp(migrate.config(conn), "0027_case_due_without_state")
    assert _index_columns(sa_engine) == ["case_id", "due_at"]

    assert migrate.upgrade(sa_engine)
    assert _index_columns(sa_engine) == ["case_id", "state", "due_at"]
    assert _task_rows(sa_engine) == before
    with sa_engine.connect() as conn:
        assert migrate.current(conn) == migrate.heads()
    # and from 0026 nothing moves
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), BEFORE)
    assert _index_columns(sa_engine) == ["case_id", "state", "due_at"]
    assert migrate.upgrade(sa_engine)
    assert _index_columns(sa_engine) == ["case_id", "state", "due_at"]
    assert _task_rows(sa_engine) == before
    sa_engine.dispose()
