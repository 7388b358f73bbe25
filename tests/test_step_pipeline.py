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
from engine.schema import Case, HumanTask, Timer
from tests.support import BPMN, START, deploy, make_engine, open_task_id, statements_sent

FIVE_TASKS = BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn"


@pytest.fixture
def sqlite_engine(sqlite_url):
    e = make_engine(sqlite_url, clock=ManualClock(START))
    e.deploy(FIVE_TASKS, by="boss")
    yield e
    e.dispose()


def _statements_of(engine, fn) -> list[str]:
    """Each statement ``fn()`` sends, as its first three words."""
    return [" ".join(statement.split()[:3]) for statement in statements_sent(engine, fn)]


def test_a_steady_completion_on_sqlite_sends_six_statements_after_begin_and_reads_only_its_task(sqlite_engine):
    """BEGIN, the task read with its case (and so the case chain's audit head), the changed task
    rows, the task projection, the case row (which bumps the version, keeps the workflow's last
    task — its wf_workflow row is left as it was — and moves the audit head: revision 0021) and the
    events: nothing read that the engine already knows (the case, external tasks, waits), no
    ``audit_head`` row touched."""
    e = sqlite_engine
    case = e.start("five_tasks", by="zhang", org="east")
    e.complete(open_task_id(e, case.id), "zhang", {"意见": "同意"})  # the first step after start learns the rest
    task_id = open_task_id(e, case.id)
    sent = _statements_of(e, lambda: e.complete(task_id, "zhang", {"意见": "同意"}))
    assert sent == ["BEGIN IMMEDIATE", "SELECT human_task.id, human_task.case_id,",
                    "UPDATE wf_task SET", "UPDATE human_task SET",
                    "INSERT INTO human_task", "UPDATE case_instance SET", "INSERT INTO audit_event"]
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
        e.complete(open_task_id(e, case.id), "zhang", {"意见": "同意"})
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
            engine.complete(open_task_id(engine, case.id), "zhang", {"意见": f"第{i + 1}步"})
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

    e.complete(open_task_id(e, case.id), "zhang", {})
    sa.event.listen(e.db.engine, "commit", fail_after_audit)
    with pytest.raises(RuntimeError):
        e.complete(open_task_id(e, case.id), "zhang", {})
    sa.event.remove(e.db.engine, "commit", fail_after_audit)
    e.complete(open_task_id(e, case.id), "zhang", {})
    assert e.verify_audit() is None
    assert [h["action"] for h in e.case(case.id).history].count("completed") == 2


def test_a_claim_between_two_steps_moves_the_head_the_next_step_guessed(sqlite_engine):
    """Claiming (an ORM path) appends to the case's chain without the step pipeline: the guess is
    stale and the completion after it must notice."""
    e = sqlite_engine
    case = e.start("five_tasks", by="zhang", org="east")
    e.complete(open_task_id(e, case.id), "zhang", {})
    task_id = open_task_id(e, case.id)
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
                assert stored[tid] == wfstate.reference_text(t), (step_no, t.task_spec.name)
                compared += 1
        assert e.case(case.id).status == "completed" and compared > 50
    finally:
        e.dispose()


# --- PostgreSQL: the case locked before the task is read, and the round trips a completion takes --------
def _held_completion(holder, task_id, user, other_engine, other_task_id, other_user, postgres_url):
    """``holder`` completes ``task_id`` and stops inside its step (case locked) until ``other_engine``'s
    completion of ``other_task_id`` queues for the case's row lock; returns what each got."""
    import threading

    from engine.errors import Conflict
    from tests.test_guards import _wait_until_blocked_on_a_row_lock

    holding, go = threading.Event(), threading.Event()

    def hold(_s, _case, _wf):
        if not holding.is_set():
            holding.set()
            go.wait(60)

    holder.after_step_hooks.append(hold)
    outcome: dict = {}

    def run(key, engine, tid, who):
        try:
            engine.complete(tid, who, {"意见": "同意"})
            outcome[key] = "ok"
        except Conflict as exc:
            outcome[key] = f"conflict: {exc}"

    first = threading.Thread(target=run, args=("first", holder, task_id, user))
    first.start()
    assert holding.wait(60)
    second = threading.Thread(target=run, args=("second", other_engine, other_task_id, other_user))
    second.start()
    _wait_until_blocked_on_a_row_lock(postgres_url)
    go.set()
    first.join(60)
    second.join(60)
    holder.after_step_hooks.remove(hold)
    return outcome


def test_on_postgresql_two_people_completing_parallel_tasks_of_one_case_take_turns_without_a_conflict(postgres_url):
    """The case row is locked before anything of it is read (``step.take_task``): the second
    completion waits for the first and then reads the case as it committed — before, it had read
    the case first and, finding its version moved, refused a task that was still open."""
    from tests.support import deploy
    a = make_engine(postgres_url, clock=ManualClock(START))
    b = make_engine(postgres_url, clock=ManualClock(START))
    try:
        a.directory.add_user("zhang2", org="east", roles=["inspector"], name="张二")
        deploy(a, "child.bpmn", "loop_parallel.bpmn")
        case = a.start("loop_parallel", by="zhang", org="east")
        tasks = {t.spec_id: t.id for t in a.case(case.id).tasks}
        assert set(tasks) == {"check_a", "check_b"}
        outcome = _held_completion(a, tasks["check_a"], "zhang", b, tasks["check_b"], "zhang2", postgres_url)
        assert outcome == {"first": "ok", "second": "ok"}
        history = [h for h in a.case(case.id).history if h["action"] == "completed"]
        assert sorted(h["task_id"] for h in history) == sorted(tasks.values())
        assert "check_a" not in {t.spec_id for t in a.case(case.id).tasks}  # the join went on
        assert a.verify_audit() is None
    finally:
        a.dispose()
        b.dispose()


def test_on_postgresql_a_task_submitted_twice_at_once_is_refused_as_done_once_the_first_commits(postgres_url):
    """The second submit queues on the case lock and then reads the task row the first completed:
    the task-state check refuses it (409), one completion recorded."""
    a = make_engine(postgres_url, clock=ManualClock(START))
    b = make_engine(postgres_url, clock=ManualClock(START))
    try:
        a.deploy(FIVE_TASKS, by="boss")
        case = a.start("five_tasks", by="zhang", org="east")
        task_id = open_task_id(a, case.id)
        outcome = _held_completion(a, task_id, "zhang", b, task_id, "zhang", postgres_url)
        assert outcome["first"] == "ok"
        assert outcome["second"].startswith("conflict: 任务已完成"), outcome
        assert [h["action"] for h in a.case(case.id).history].count("completed") == 1
        assert a.verify_audit() is None
    finally:
        a.dispose()
        b.dispose()


def test_a_steady_completion_on_postgresql_waits_for_the_database_twice(postgres_url):
    """The case lock and the task read go in one round trip (BEGIN with them); the task rows, the
    projection, the case row (the version bumped there, the case's one UPDATE; the workflow's last
    task too, so the workflow row is not written; and the audit head moved in it — revision 0021),
    the events and the COMMIT in one more. Before: every statement waited for
    its answer, and the pool's pre-ping added a BEGIN and a SELECT 1 — 13 round trips."""
    from engine import sqlexec
    e = make_engine(postgres_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east")
        e.complete(open_task_id(e, case.id), "zhang", {"意见": "同意"})
        task_id = open_task_id(e, case.id)
        with e.db.engine.connect() as conn:
            version = conn.execute(sa.select(Case.version).where(Case.id == case.id)).scalar_one()
        s0, r0, c0 = sqlexec.stats.statements, sqlexec.stats.round_trips, sqlexec.stats.commits
        sent = _statements_of(e, lambda: e.complete(task_id, "zhang", {"意见": "同意"}))
        ours, trips = sqlexec.stats.statements - s0, sqlexec.stats.round_trips - r0
        folded = sqlexec.stats.commits - c0
        assert sent[:2] == ["SELECT case_instance.id AS", "SELECT human_task.id, human_task.case_id,"]
        assert sent[-2:] == ["UPDATE case_instance SET", "INSERT INTO audit_event"]
        assert not [s for s in sent if "audit_head" in s]
        assert sent.count("UPDATE case_instance SET") == 1
        round_trips = (len(sent) - ours) + trips + 1 - folded  # SQLAlchemy's statements, the executor's sends, COMMIT
        assert (round_trips, folded) == (2, 1), (sent, ours, trips)
        with e.db.engine.connect() as conn:  # the version moved by one, in the step's one write of the row
            assert conn.execute(sa.select(Case.version).where(Case.id == case.id)).scalar_one() == version + 1
        assert ours - trips >= 5  # the writes rode together (task rows, projection, case row, events)
    finally:
        e.dispose()


def test_a_pooled_postgresql_connection_idle_for_a_while_is_checked_and_replaced_if_the_server_dropped_it(
        postgres_url, monkeypatch):
    """Not every checkout pings (two round trips each); one idle past ``IDLE_PING_SECONDS`` does."""
    from engine import database
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)
    e = make_engine(postgres_url, clock=ManualClock(START))
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east")
        killer = sa.create_engine(postgres_url)
        with killer.connect() as conn:  # the server drops every other session of the database
            assert conn.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                                        "datname = current_database() AND pid <> pg_backend_pid()")).scalar()
        killer.dispose()
        e.complete(open_task_id(e, case.id), "zhang", {"意见": "同意"})  # the dead connection was replaced
        monkeypatch.setattr(database, "IDLE_PING_SECONDS", 3600.0)  # recent connections are taken unchecked:
        with e.db.engine.connect() as conn:  # one back in the pool (the writer's is kept by the engine)
            conn.execute(sa.text("SELECT 1"))
        killer = sa.create_engine(postgres_url)
        with killer.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                                 "datname = current_database() AND pid <> pg_backend_pid()"))
        killer.dispose()
        with pytest.raises(sa.exc.OperationalError):
            with e.db.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
    finally:
        e.dispose()


def test_reading_a_case_as_a_user_takes_the_principal_from_the_cache_and_the_model_version_with_the_case(
        database_url):
    """``Engine.case`` (every case page and GET /api/cases/<id>) reads the case with its model's
    version and the directory counter in one statement, and takes the principal from the cache
    that counter validates: no directory lookup, no read of the model row (its BPMN XML) — and a
    user moved to another branch by another process is refused at once."""
    from engine.errors import Forbidden
    e = make_engine(database_url, clock=ManualClock(START))
    other = None
    try:
        e.deploy(FIVE_TASKS, by="boss")
        case = e.start("five_tasks", by="zhang", org="east")
        assert e.case(case.id, "li").model_version == 1  # warms the cache
        seen = []
        listener = lambda c, cur, statement, *a: seen.append(statement)  # noqa: E731
        sa.event.listen(e.db.engine, "before_cursor_execute", listener)
        try:
            view = e.case(case.id, "li")
        finally:
            sa.event.remove(e.db.engine, "before_cursor_execute", listener)
        assert view.case_no == case.case_no and view.model_version == 1
        assert not [s for s in seen if "user_role" in s or "process_model.content" in s], seen
        from engine import Engine
        other = Engine(database_url)  # another worker process moves li to the west district
        other.directory.move_user("li", "west", by="boss")
        with pytest.raises(Forbidden):
            e.case(case.id, "li")
    finally:
        e.dispose()
        if other is not None:
            other.dispose()


def test_each_timer_that_fires_is_audited_as_the_timer_with_what_fired_and_each_rung_raises_the_level_by_one(
        database_url):
    """``Step._record_fired``. Five sweeps by five workers fire a catch timer, a reminder, two deadlines
    (two rungs of the ladder) and a deadline marked ``escalate=false`` (tests/bpmn/ladder.bpmn); then a
    deadline and a reminder already past when a case starts fire in the starter's own step. Each
    audit event is the timer's (actor ``timer``, also in a person's step), at the step's time, on the
    task it concerns, naming the element, its name, its kind and the worker that fired it (none in a
    person's step); the reminder counts on its task; each escalating deadline raises the level by one.
    The tasks the deadlines cancel are audited as cancelled by the engine, and the case as completed
    by the timer."""
    from datetime import timedelta

    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, "ladder.bpmn", "deadline.bpmn")
        c = e.start("ladder", by="zhang", org="east").id
        at, timer, task = {}, {}, {}
        for days, worker in ((1, "w-one"), (2, "w-two"), (4, "w-three"), (6, "w-four"), (8, "w-five")):
            e.clock.set(START + timedelta(days=days, seconds=1))
            at[worker] = e.clock.now()
            view = e.case(c)
            timer[worker] = {t.element_id: t.id for t in view.timers}
            task[worker] = [t.id for t in view.tasks]
            assert e.run_due_timers(worker=worker) == 1
        (rectify,), (interview,) = task["w-two"], task["w-four"]
        fired = [(ev["action"], ev["actor"], ev["at"], ev["task_id"], ev["detail"]) for ev in e.case(c).history
                 if ev["action"] in ("timer_fired", "reminded", "escalated")]
        assert fired == [
            ("timer_fired", "timer", at["w-one"], timer["w-one"]["cooling"],
             {"timer": "cooling", "name": "等待一天", "kind": "catch", "worker": "w-one"}),
            ("reminded", "timer", at["w-two"], rectify,
             {"timer": "remind", "name": "到期提醒", "kind": "reminder", "worker": "w-two"}),
            ("escalated", "timer", at["w-three"], rectify,
             {"timer": "overdue", "name": "整改逾期", "kind": "deadline", "worker": "w-three", "escalation_level": 1}),
            ("escalated", "timer", at["w-four"], interview,
             {"timer": "interview_overdue", "name": "约谈逾期", "kind": "deadline", "worker": "w-four",
              "escalation_level": 2}),
            ("timer_fired", "timer", at["w-five"], timer["w-five"]["listing_lapse"],
             {"timer": "listing_lapse", "name": "挂牌期满", "kind": "deadline", "worker": "w-five"})]
        (listing,) = task["w-five"]
        ended = [(ev["action"], ev["actor"], ev["at"], ev["task_id"], ev["detail"]) for ev in e.case(c).history
                 if ev["action"] in ("task_cancelled", "case_completed")]
        assert ended == [("task_cancelled", "engine", at["w-three"], rectify, {}),
                         ("task_cancelled", "engine", at["w-four"], interview, {}),
                         ("task_cancelled", "engine", at["w-five"], listing, {}),
                         ("case_completed", "timer", at["w-five"], None, {})]
        view = e.case(c)
        assert (view.status, view.escalation_level) == ("completed", 2)
        with e.db.engine.connect() as conn:
            reminders, last = conn.execute(sa.select(HumanTask.reminders, HumanTask.last_reminded_at)
                                           .where(HumanTask.id == rectify)).one()
        assert reminders == 1 and last.replace(tzinfo=None) == at["w-two"].replace(tzinfo=None)  # UTC, naive on SQLite

        late = e.start("deadline", by="zhang", org="east", data={"registered_at": "2026-09-01T09:00:00+08:00"}).id
        fired = {ev["action"]: (ev["actor"], ev["at"], ev["detail"]) for ev in e.case(late).history
                 if ev["action"] in ("timer_fired", "reminded", "escalated")}
        assert fired == {"escalated": ("timer", at["w-five"], {"timer": "overdue", "name": "整改逾期", "kind": "deadline",
                                                               "escalation_level": 1}),
                         "reminded": ("timer", at["w-five"], {"timer": "remind", "name": "到期提醒", "kind": "reminder"})}
        assert e.case(late).escalation_level == 1
    finally:
        e.dispose()


def _utc(moment):
    """A stored time as naive UTC (SQLite gives naive UTC back, PostgreSQL an aware time)."""
    from datetime import timezone

    return moment if moment is None or moment.tzinfo is None else moment.astimezone(timezone.utc).replace(tzinfo=None)


def _case_rows(engine, where) -> list[dict]:
    with engine.db.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(Case.__table__).where(where).order_by(Case.id))]


def test_what_a_start_and_a_step_write_for_the_case_its_audit_and_the_cases_its_script_starts(database_url):
    """``start_in`` and ``Step.write`` (tests/bpmn/spawning.bpmn). The start writes the case row (its
    number, title from the model, unit, party, starter, times, version), seeds the workflow data
    (case number, unit, party, the starter's variable) and audits ``started`` with the form data and
    the opened task with its element, role and due date. The step that completes the case audits
    ``case_completed`` by the person, then the script's printed line and each case it started, and
    those cases take this case's unit and party unless the script names others, are named after
    this case unless given a title, and are linked to it."""
    from datetime import datetime, timedelta

    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, "spawning.bpmn", "timers_misc.bpmn")
        c = e.start("spawning", by="zhang", org="east", party="P-1", data={"线索": "无证经营", "other_unit": "west"}).id
        (row,) = _case_rows(e, Case.id == c)
        case_no = row["case_no"]
        assert case_no and {k: row[k] for k in ("process_key", "title", "org_code", "party", "status",
                                                 "escalation_level", "started_by", "parent_case_id")} == {
            "process_key": "spawning", "title": "派生立案", "org_code": "east", "party": "P-1", "status": "running",
            "escalation_level": 0, "started_by": "zhang", "parent_case_id": None}
        assert [_utc(row[k]) for k in ("started_at", "updated_at", "ended_at")] == [_utc(START), _utc(START), None]
        view = e.case(c)
        assert {k: view.data.get(k) for k in ("case_no", "org_code", "party", "starter", "线索")} == {
            "case_no": case_no, "org_code": "east", "party": "P-1", "starter": "zhang", "线索": "无证经营"}
        (task,) = view.tasks
        assert task.due_at is not None
        assert [(ev["action"], ev["actor"], _utc(ev["at"]), ev["task_id"], ev["detail"]) for ev in view.history] == [
            ("started", "zhang", _utc(START), None,
             {"process": "spawning", "version": 1, "org": "east", "data": {"线索": "无证经营", "other_unit": "west"}}),
            ("task_opened", "engine", _utc(START), task.id,
             {"task": "审查线索", "element": "sp_review", "role": "inspector", "due_at": task.due_at.isoformat()})]
        assert datetime.fromisoformat(view.history[1]["detail"]["due_at"]) == task.due_at

        e.clock.set(START + timedelta(hours=1))
        done = e.clock.now()
        e.complete(task.id, "zhang", {})
        (row,) = _case_rows(e, Case.id == c)
        assert (row["status"], _utc(row["updated_at"]), _utc(row["ended_at"])) == ("completed", _utc(done), _utc(done))
        first, second = _case_rows(e, Case.parent_case_id == c)
        written: dict[str, list] = {}
        for ev in e.case(c).history:
            written.setdefault(ev["action"], []).append((ev["actor"], _utc(ev["at"]), ev["task_id"], ev["detail"]))
        assert (written["case_completed"], written["script_output"], written["case_spawned"]) == (
            [("zhang", _utc(done), None, {})],
            [("engine", _utc(done), None, {"text": "派生两案"})],
            [("engine", _utc(done), None, {"case_no": first["case_no"], "process": "wait_then_work"}),
             ("engine", _utc(done), None, {"case_no": second["case_no"], "process": "wait_then_work"})])
        keys = ("process_key", "title", "org_code", "party", "status", "started_by", "parent_case_id")
        assert [{k: child[k] for k in keys} for child in (first, second)] == [
            {"process_key": "wait_then_work", "title": "派生立案·等待后办理", "org_code": "east", "party": "P-1",
             "status": "running", "started_by": "engine", "parent_case_id": c},
            {"process_key": "wait_then_work", "title": "另案处理", "org_code": "west", "party": None,
             "status": "running", "started_by": "engine", "parent_case_id": c}]
        for child, org, party in ((first, "east", "P-1"), (second, "west", None)):
            view = e.case(child["id"])
            assert {k: view.data.get(k) for k in ("case_no", "org_code", "party", "source_case")} == {
                "case_no": child["case_no"], "org_code": org, "party": party, "source_case": case_no}
            started = view.history[0]
            assert (started["action"], started["actor"], started["detail"]) == (
                "started", "engine", {"process": "wait_then_work", "version": 1, "org": org,
                                      "data": {"source_case": case_no}})
    finally:
        e.dispose()


def test_a_case_a_script_starts_in_a_unit_that_does_not_exist_refuses_the_step_naming_the_unit(database_url):
    """``start_in``'s own check of the unit (a script's ``start_case(org=...)`` bypasses the public
    start's): the completion is refused with the error on ``org``, and nothing of the step is kept."""
    from engine import InvalidData

    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, "spawning.bpmn", "timers_misc.bpmn")
        c = e.start("spawning", by="zhang", org="east", party="P-1", data={"other_unit": "nowhere"}).id
        (task,) = e.case(c).tasks
        with pytest.raises(InvalidData) as refused:
            e.complete(task.id, "zhang", {})
        assert refused.value.errors == {"org": "组织机构不存在: nowhere"}
        assert [t.id for t in e.case(c).tasks] == [task.id] and _case_rows(e, Case.parent_case_id == c) == []
    finally:
        e.dispose()


def test_what_a_script_in_the_start_step_asks_for_is_carried_out_by_the_start(database_url):
    """A script between the start event and the first user task (tests/bpmn/spawning_at_start.bpmn)
    runs within ``start_in``: its printed line is audited and the case it starts exists, linked to
    the new case, when ``start`` returns (kills mutant ``start_in_172``: the start's write given no
    requests)."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, "spawning_at_start.bpmn", "timers_misc.bpmn")
        c = e.start("spawning_at_start", by="zhang", org="east", party="P-1").id
        (child,) = _case_rows(e, Case.parent_case_id == c)
        assert (child["process_key"], child["org_code"], child["party"]) == ("wait_then_work", "east", "P-1")
        actions = [(ev["action"], ev["detail"]) for ev in e.case(c).history]
        assert ("script_output", {"text": "立案即派生"}) in actions
        assert [d["process"] for a, d in actions if a == "case_spawned"] == ["wait_then_work"]
        assert [t.name for t in e.case(c).tasks] == ["审查线索"]
    finally:
        e.dispose()


def test_a_start_reads_no_projection_rows_a_new_case_cannot_have_any_yet(database_url):
    """A new case has no human task, timer, message wait or external task rows, and ``start_in``
    tells the projections so (``LoadedState`` with empty ``open_tasks`` and ``timers``, no waits or
    external tasks last written): the start writes the task it opens and the task's deadline and
    reminder timers (tests/bpmn/deadline.bpmn) without first reading any of those tables."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, "deadline.bpmn")

        def start():
            e.start("deadline", by="zhang", org="east", data={"registered_at": START.isoformat()})

        start()  # the model's bundle and the directory are cached from here on
        sent = [" ".join(s.split()) for s in statements_sent(e, start)]
        projections = (" FROM human_task", " FROM timer", " FROM event_wait", " FROM external_task")
        assert [s for s in sent if s.upper().startswith("SELECT") and any(t in s for t in projections)] == []
        assert any(s.startswith("INSERT INTO human_task") for s in sent)
        assert any(s.startswith("INSERT INTO timer") for s in sent)
    finally:
        e.dispose()


def test_a_start_does_not_look_for_workflow_rows_of_the_case_it_creates(database_url):
    """``state.save`` looks for an earlier row of a workflow it has not loaded (a sub-process left and
    entered again comes back to life), except in a case's first step: a case with no workflow row
    loaded or saved is the one being started, so its rows are inserted without a look.
    (tests/test_state_writes.py walks sub-processes left and entered again.)"""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, "deadline.bpmn")

        def start():
            e.start("deadline", by="zhang", org="east", data={"registered_at": START.isoformat()})

        start()
        sent = [" ".join(s.split()) for s in statements_sent(e, start)]
        assert [s for s in sent if " FROM wf_workflow" in s] == []
        assert len([s for s in sent if s.startswith("INSERT INTO wf_workflow")]) == 1
    finally:
        e.dispose()


def test_the_starter_is_in_the_case_data_under_each_name_the_model_reads_it_by_and_no_other(database_url):
    """``initiator_variables``: a start event's ``camunda:initiator`` names the variable
    (tests/bpmn/spawning.bpmn: ``starter``), and ``initiator`` is seeded when a task's candidate users
    read it (tests/bpmn/starter_candidate.bpmn: ``camunda:candidateUsers="${initiator}"``, no attribute
    on the start; a supervisors' lane, so the starter, an inspector, has the task only as its candidate)
    instead of an incident; a model that reads the starter by neither gets no ``initiator`` variable."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, "spawning.bpmn", "timers_misc.bpmn", "starter_candidate.bpmn")
        spawned = e.case(e.start("spawning", by="zhang", org="east", party="P-1").id)
        assert spawned.data["starter"] == "zhang" and "initiator" not in spawned.data
        checked = e.case(e.start("starter_candidate", by="li", org="east").id)
        assert checked.data["initiator"] == "li" and "starter" not in checked.data
        (task,) = checked.tasks
        assert [t.id for t in e.queue("li") if t.case_id == checked.id] == [task.id]
        assert [t.id for t in e.queue("zhang") if t.case_id == checked.id] == []
    finally:
        e.dispose()



def test_a_timer_that_fell_due_beside_a_persons_task_fires_in_that_persons_step(database_url):
    """A branch waiting out a period (整改期, one day) that ended before any sweep came is made READY
    by SpiffWorkflow when a person completes a task of the other branch (it updates every waiting
    task): that step runs it — the re-inspection opens, the timer is audited as the timer's (no
    worker), no timer row is left (tests/bpmn/wait_beside_work.bpmn). So the engine's work after a
    completion cannot be bounded to what follows the completed task. Before the period ends, the
    same step leaves it waiting."""
    from datetime import timedelta

    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, "wait_beside_work.bpmn")
        c = e.start("wait_beside_work", by="zhang", org="east").id
        e.complete(open_task_id(e, c), "zhang", {"意见": "已登记"})
        view = e.case(c)
        assert [t.name for t in view.tasks] == ["审核"] and [t.element_id for t in view.timers] == ["wbw_wait"]

        e.clock.set(START + timedelta(days=1, hours=1))  # due, and no sweep has run
        e.complete(open_task_id(e, c), "zhang", {"意见": "同意"})
        view = e.case(c)
        assert [t.name for t in view.tasks] == ["复查"] and view.timers == []
        fired = [(ev["action"], ev["actor"], ev["at"], ev["detail"]) for ev in view.history
                 if ev["action"] == "timer_fired"]
        assert fired == [("timer_fired", "timer", e.clock.now(), {"timer": "wbw_wait", "name": "整改期满", "kind": "catch"})]
    finally:
        e.dispose()


def test_a_running_cases_data_is_what_its_open_tasks_hold_not_what_earlier_tasks_held(database_url):
    """Guard (``step.case_data_text``): while a case runs, its data is what its open tasks hold, not a
    merge of every task it has had: a working draft the model's script took out of the case after
    the record was filed stays out while the review is open, though the finished record task still
    holds it (tests/bpmn/draft_cleared.bpmn; mutation testing: merging the data of every task,
    finished ones too, went unnoticed)."""
    e = make_engine(database_url)
    deploy(e, "draft_cleared.bpmn")
    case = e.start("draft_cleared", by="zhang", org="east", data={"企业名称": "东城化工有限公司"})
    e.complete(open_task_id(e, case.id), "zhang", {"检查结论": "发现隐患 3 项", "草稿": "消防通道堵塞？待核实"})
    view = e.case(case.id)
    assert [t.name for t in view.tasks] == ["审核检查记录"]
    assert "草稿" not in view.data
    assert (view.data["企业名称"], view.data["检查结论"]) == ("东城化工有限公司", "发现隐患 3 项")
    e.dispose()


@pytest.mark.parametrize("notified_first", [True, False], ids=["case_end_waiting", "case_end_not_reached"])
def test_a_rectification_sub_process_ends_though_its_own_overdue_event_subprocess_still_waits(database_url,
                                                                                            notified_first):
    """Guard (``step.end_idle_event_subprocesses``, every scope): an embedded sub-process (限期整改)
    with a timer event sub-process of its own (整改超期, P60D) ends once its flow is done, so the
    case goes on to 复查 — though the case around it has its own waiting event sub-process
    (办案超期, P90D), whether the case's end already waits (its other branch, 告知企业, done first)
    or not, and no event sub-process fired. Then the case ends at 销号 with both cancelled
    (tests/bpmn/nested_event_subprocess.bpmn; mutation testing: the scan stopping at the first scope
    that had nothing to end went unnoticed — the top-level corpus model has one scope)."""
    e = make_engine(database_url)
    deploy(e, "nested_event_subprocess.bpmn")
    case = e.start("nested_event_subprocess", by="zhang", org="east", data={"企业名称": "东城化工有限公司"})
    assert sorted(t.name for t in e.case(case.id).tasks) == ["告知企业", "提交整改报告"]

    def work(name, data):
        (task,) = [t for t in e.case(case.id).tasks if t.name == name]
        e.complete(task.id, "zhang", data)

    if notified_first:
        work("告知企业", {"告知方式": "书面"})   # the case's end now waits for the other branch only
    work("提交整改报告", {"整改情况": "消防通道已清理"})
    assert sorted(t.name for t in e.case(case.id).tasks) == (["复查"] if notified_first else ["告知企业", "复查"])
    if not notified_first:
        work("告知企业", {"告知方式": "书面"})
    work("复查", {"复查结论": "合格"})
    view = e.case(case.id)
    assert view.status == "completed" and view.tasks == []
    with e.db.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Timer).where(Timer.case_id == case.id)).scalar() == 0
    e.dispose()


def test_a_defense_hearing_under_way_keeps_the_case_open_after_its_main_flow_has_ended(database_url):
    """Guard (``step._untriggered_event_subprocess``): only an event sub-process still waiting for its
    start is ended with its scope. A party's 申辩书 started 听取陈述申辩 (a message event sub-process,
    drawn by Camunda Modeler); the 处罚决定 is served before the hearing is done: the case stays
    running with the hearing open, and ends when it is done (mutation testing: counting a started
    one as untriggered cancelled the hearing unnoticed)."""
    from tests.interop_support import ACME, CORPUS

    e = make_engine(database_url)
    e.deploy((CORPUS / "camunda7_event_subprocess.bpmn").read_bytes(), by="boss",
             filename="camunda7_event_subprocess.bpmn")
    case = e.start("camunda7_event_subprocess", by="zhang", org="east", party=ACME)
    e.correlate_message("申辩书", by="acme", case_id=case.id, data={"defense": "已整改，请求从轻"})

    def work(spec_id, user):
        (task,) = [t for t in e.case(case.id).tasks if t.spec_id == spec_id]
        e.complete(task.id, user, {})

    work("Activity_0inquire", "zhang")
    work("Activity_0decide", "eastboss")
    view = e.case(case.id)
    assert view.status == "running" and [t.spec_id for t in view.tasks] == ["Activity_0hear"]
    work("Activity_0hear", "zhang")
    assert e.case(case.id).status == "completed"
    e.dispose()
