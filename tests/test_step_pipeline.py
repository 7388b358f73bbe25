"""The step pipeline's costs and caches (engine/step.py), each on a real database.

A completion on the hot path sends a fixed, short list of statements; each shortcut that removed a
statement rests on a guess (the case read with its task, the audit chain's head, the projections'
last inputs), and each guess has a test here where it is wrong and must not break anything: two
engines — two server processes — working the same cases on one database.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine import ManualClock
from engine.schema import Case, HumanTask
from tests.support import BPMN, START, make_engine

FIVE_TASKS = BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn"


@pytest.fixture
def sqlite_engine(sqlite_url):
    e = make_engine(sqlite_url, clock=ManualClock(START))
    e.deploy(FIVE_TASKS, by="boss")
    yield e
    e.dispose()


def _open_task_id(engine, case_id) -> str:
    with engine.db.engine.connect() as conn:
        return conn.execute(sa.select(HumanTask.id).where(HumanTask.case_id == case_id,
                                                          HumanTask.state == "open")).scalar_one()


def _statements_of(engine, fn) -> list[str]:
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(statement.split()[:3]))

    sa.event.listen(engine.db.engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        sa.event.remove(engine.db.engine, "before_cursor_execute", record)
    return sent


def test_a_steady_completion_on_sqlite_sends_eight_statements_and_reads_only_its_task(sqlite_engine):
    """BEGIN, the task read with its case, the changed workflow rows, the task projection, the
    case row (which bumps the version), the audit head moved on its guess and the events: nothing
    read that the engine already knows (the case, the audit head, external tasks, waits)."""
    e = sqlite_engine
    case = e.start("five_tasks", by="zhang", org="east")
    e.complete(_open_task_id(e, case.id), "zhang", {"意见": "同意"})  # the first step after start learns the rest
    task_id = _open_task_id(e, case.id)
    sent = _statements_of(e, lambda: e.complete(task_id, "zhang", {"意见": "同意"}))
    assert sent == ["BEGIN IMMEDIATE", "SELECT human_task.id, human_task.case_id,",
                    "UPDATE wf_task SET", "UPDATE wf_workflow SET", "UPDATE human_task SET",
                    "INSERT INTO human_task", "UPDATE case_instance SET", "UPDATE audit_head SET",
                    "INSERT INTO audit_event"]
    assert [s for s in sent if s.startswith("SELECT")] == ["SELECT human_task.id, human_task.case_id,"]


def test_the_case_version_moves_by_one_per_step_on_sqlite_in_the_row_the_step_writes(sqlite_engine):
    """SQLite bumps the version in the case row's final write: once per step, never lost."""
    e = sqlite_engine
    case = e.start("five_tasks", by="zhang", org="east")

    def version():
        with e.db.engine.connect() as conn:
            return conn.execute(sa.select(Case.version).where(Case.id == case.id)).scalar_one()

    before = version()
    for n in range(1, 4):
        e.complete(_open_task_id(e, case.id), "zhang", {"意见": "同意"})
        assert version() == before + n


def test_two_engines_on_one_database_take_turns_on_a_case_and_every_guess_is_checked(database_url):
    """Two server processes: each caches the case's workflow, its audit chain head and its
    projections, and each step of the other makes them stale. Every step still sees the case as it
    is (the version tells the cache), the audit chain verifies (a stale head guess falls back to
    reading the head), and the task rows are right."""
    a = make_engine(database_url, clock=ManualClock(START))
    b = make_engine(database_url, clock=ManualClock(START))
    try:
        a.deploy(FIVE_TASKS, by="boss")
        case = a.start("five_tasks", by="zhang", org="east")
        for i in range(5):
            engine = (a, b)[i % 2]
            engine.complete(_open_task_id(engine, case.id), "zhang", {"意见": f"第{i + 1}步"})
        assert a.case(case.id).status == "completed"
        assert a.verify_audit() is None and b.verify_audit() is None
        with a.db.engine.connect() as conn:
            states = conn.execute(sa.select(HumanTask.state).where(HumanTask.case_id == case.id)).scalars().all()
        assert sorted(states) == ["completed"] * 5
        history = [h["action"] for h in a.case(case.id).history]
        assert history.count("completed") == 5 and history[-1] == "case_completed"
    finally:
        a.dispose()
        b.dispose()


def test_an_audit_head_guess_left_by_a_rolled_back_step_is_not_trusted(sqlite_engine):
    """A step that fails after its audit events were written leaves the engine's guess of the
    head ahead of the database; the next step must chain from the head that was committed."""
    e = sqlite_engine
    case = e.start("five_tasks", by="zhang", org="east")

    def fail_after_audit(*_):
        raise RuntimeError("提交后失败")

    e.complete(_open_task_id(e, case.id), "zhang", {})
    sa.event.listen(e.db.engine, "commit", fail_after_audit)
    with pytest.raises(RuntimeError):
        e.complete(_open_task_id(e, case.id), "zhang", {})
    sa.event.remove(e.db.engine, "commit", fail_after_audit)
    e.complete(_open_task_id(e, case.id), "zhang", {})
    assert e.verify_audit() is None
    assert [h["action"] for h in e.case(case.id).history].count("completed") == 2


def test_a_claim_between_two_steps_moves_the_head_the_next_step_guessed(sqlite_engine):
    """Claiming (an ORM path) appends to the case's chain without the step pipeline: the guess is
    stale and the completion after it must notice."""
    e = sqlite_engine
    case = e.start("five_tasks", by="zhang", org="east")
    e.complete(_open_task_id(e, case.id), "zhang", {})
    task_id = _open_task_id(e, case.id)
    e.claim(task_id, "zhang")
    e.complete(task_id, "zhang", {})
    assert e.verify_audit() is None
    assert [h["action"] for h in e.case(case.id).history][-3:] == ["claimed", "completed", "task_opened"]


@pytest.mark.parametrize("files,key", [
    (["child.bpmn", "loop_parallel.bpmn"], "loop_parallel"),
    (["loop_inclusive.bpmn"], "loop_inclusive"),
    (["approval.bpmn"], "approval"),
])
def test_the_rows_a_step_leaves_are_the_workflow_it_holds_serialized_afresh(sqlite_url, files, key):
    """Diff-writes skip re-serializing a task without data whose mark did not move: after every
    step of models with parallel branches, a sub-process, loops and joins, each live row must be
    exactly what serializing the engine's in-memory task gives now."""
    from engine import state as wfstate
    from engine.schema import TaskRow
    from tests.support import deploy
    from tests.test_differential import answer

    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.directory.add_user("zhang2", org="east", roles=["inspector", "enterprise"], name="张二")
        deploy(e, *files)
        case = e.start(key, by="zhang2", org="east")
        compared = 0
        for step_no in range(40):
            ready = sorted(e.case(case.id).tasks, key=lambda t: t.spec_id)
            if not ready:
                break
            task = ready[0]
            e.complete(task.id, "eastboss" if task.role_code == "supervisor" else "zhang2",
                       answer(step_no, task.spec_id, 3))
            workflow = e.workflow_cache._entries[case.id][1].workflow
            with e.db.engine.connect() as conn:
                stored = dict(conn.execute(sa.select(TaskRow.id, TaskRow.content).where(
                    TaskRow.case_id == case.id, TaskRow.live.is_(True))).all())
            live = {str(t.id): t for w in wfstate.all_workflows(workflow) for t in wfstate._walk(w)}
            assert set(stored) == set(live)
            for tid, t in live.items():
                assert stored[tid] == wfstate.to_json(wfstate._registry.convert(t)), (step_no, t.task_spec.name)
                compared += 1
        assert e.case(case.id).status == "completed" and compared > 50
    finally:
        e.dispose()
