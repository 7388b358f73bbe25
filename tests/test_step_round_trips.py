"""The steps other than a completion on real PostgreSQL: starting a case, delivering a message,
completing an external task, firing one case's timers, withdrawing a case (issue 15).

Each waits for the database as few times as it can: the case locked and read in one statement
(``step.lock_case``: ``SELECT … FOR NO KEY UPDATE``, not a read and then a version bump), a new
case's audit chain begun without reading a head it cannot have, the projections compared with what
they last wrote instead of read, the sender's principal and roles from the directory's cache, and
every write, the events and the COMMIT in one pipeline. A case chain's audit head comes with its
case row, read under its lock (revision 0021): each has a test here where another process moved the
chain meanwhile — the step is done once, and the chain verifies.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine import ManualClock, audit
from engine.errors import Forbidden, IncidentRaised, InvalidData
from engine.schema import Case, Counter, Timer
from tests.interop_support import drive
from tests.support import BPMN, START, make_engine, statements_sent
from tests.test_commit_pipeline import _waits_of

FIVE_TASKS = BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn"
CORPUS = BPMN / "interop"
REGISTERED = {"registered_at": "2026-11-23T09:00:00+08:00"}  # deadline.bpmn's timers count from it


@pytest.fixture
def pg_engine(postgres_url):
    e = make_engine(postgres_url, clock=ManualClock(START))
    e.deploy(FIVE_TASKS, by="boss")
    for name in ("message_catch", "message_start", "camunda_external"):
        e.deploy(CORPUS / f"{name}.bpmn", by="boss")
    e.deploy(BPMN / "deadline.bpmn", by="boss")
    e.deploy(BPMN / "signal_at_start.bpmn", by="boss")
    for name in ("timers_misc", "spawning"):
        e.deploy(BPMN / f"{name}.bpmn", by="boss")
    yield e
    e.dispose()


@pytest.fixture
def two_engines(postgres_url, pg_engine):
    """``pg_engine`` and a second engine on the same database: another server process."""
    other = make_engine(postgres_url, clock=ManualClock(START))
    yield pg_engine, other
    other.dispose()


def _heads(sent: list[str]) -> list[str]:
    return [" ".join(s.split()[:3]) for s in sent]


def _waits_and_statements(engine, fn) -> tuple[int, list[str]]:
    sent: list[str] = []
    waits = _waits_of(engine, lambda: sent.extend(statements_sent(engine, fn)))
    return waits, _heads(sent)


def _actions(engine, case_id) -> list[str]:
    return [h["action"] for h in engine.case(case_id).history]


def _moved_by_another_process(other, case_id: int) -> None:
    """Another server process appends to the case's chain (an ORM append: a claim, an incident),
    leaving the case's version — so the first engine's cached workflow stands."""
    with other.db.write() as s:
        audit.append(s, chain=audit.case_chain(case_id), case_id=case_id, actor="boss", action="note",
                     at=other.clock.now(), detail={"note": "另一进程追加"})


# --- round trips -------------------------------------------------------------------------------------
def test_a_start_reads_no_audit_head_no_projection_and_takes_its_number_in_one_statement(pg_engine):
    """Before: 17 round trips (the head of a chain that cannot exist yet read, the event_wait and
    external_task rows of a case that has none read, the counter read then written, the org unit
    read three times), then 7 (the user, the org unit, the newest model and the decision tables
    read each time), then 4 (the case number, then the case row's INSERT waited for its id, and the
    row was written again by the step). Now 2: the case number, the case's id from its sequence,
    the directory counter and the models' stamp in one pipeline (the principal, the org unit's
    path, the model and its bundle from the caches), then every write — the case row one INSERT,
    as the step left it — with the COMMIT. The case's anchor (engine/case_anchor.py): its counter
    chain's head read in the first pipeline, right after the counter's row lock (the counter made or
    moved by one INSERT … ON CONFLICT DO UPDATE: the lock order of tests/test_start_deadlock_s27.py), and moved with the
    writes; its event in the step's one INSERT."""
    e = pg_engine
    e.start("five_tasks", by="zhang", org="east")
    waits, sent = _waits_and_statements(e, lambda: e.start("five_tasks", by="zhang", org="east"))
    assert not [s for s in sent if s.startswith(("SELECT event_wait", "SELECT external_task",
                                                 "SELECT app_user", "SELECT org_unit", "SELECT process_model",
                                                 "SELECT role", "UPDATE case_instance"))]
    assert sent[0] == "INSERT INTO counter" and sent[1] == "SELECT audit_head.seq, audit_head.hash"
    assert sent[2].startswith("SELECT nextval(pg_get_serial_sequence(") and sent[3] == "SELECT (SELECT counter.value"
    assert [s for s in sent[4:] if "counter" in s] == [] and sent.count("INSERT INTO case_instance") == 1
    assert [s for s in sent if "audit_head" in s] == ["SELECT audit_head.seq, audit_head.hash", "UPDATE audit_head SET"]
    assert sent[-1] == "INSERT INTO audit_event"  # the case chain's head: in the case's row
    assert waits == 2, sent
    with e.db.engine.connect() as conn:
        numbers = conn.execute(sa.select(Case.case_no).order_by(Case.id)).scalars().all()
    assert [n.rsplit("-", 1)[1] for n in numbers] == ["00001", "00002"]
    assert e.verify_audit() is None


def test_a_start_sees_a_deploy_and_a_directory_change_made_by_another_process_at_once(two_engines):
    """The caches a start takes its model and principal from are keyed on what it reads in its one
    statement: a new version deployed, a user moved or a unit added by another server process is
    seen by the very next start here."""
    a, b = two_engines
    assert a.start("deadline", by="zhang", org="east", data=dict(REGISTERED)).model_id == a.models.latest("deadline").id
    text = (BPMN / "deadline.bpmn").read_text(encoding="utf-8").replace("</bpmn:definitions>",
                                                                       "<!-- 第二版 --></bpmn:definitions>")
    second = b.deploy(text.encode("utf-8"), by="boss", filename="deadline.bpmn")
    assert second.version == 2
    started = a.start("deadline", by="zhang", org="east", data=dict(REGISTERED))
    assert started.model_id == second.id and a.case(started.id).model_version == 2
    b.directory.add_org("east_town", "东城镇", parent="east")
    assert a.start("deadline", by="zhang", org="east_town", data=dict(REGISTERED)).org_code == "east_town"
    with pytest.raises(InvalidData):
        a.start("deadline", by="zhang", org="nowhere", data=dict(REGISTERED))
    b.directory.update_user("zhang", org="west")
    with pytest.raises(Forbidden):  # east is no longer on zhang's branch of the tree
        a.start("deadline", by="zhang", org="east", data=dict(REGISTERED))
    assert a.start("deadline", by="zhang", data=dict(REGISTERED)).org_code == "west"


def test_a_message_to_a_waiting_case_waits_for_postgresql_twice(pg_engine):
    """The named case locked and read, its wait found, with the directory counter (sender and roles
    from the cache) in one round trip, then every write with the COMMIT. Before: 11 (the principal,
    the sender's role and the lane's read, a version bump after the read, the case's waits read and
    rewritten one statement at a time, the head's row count waited for, then the COMMIT), then 3
    (the case locked in a round trip of its own)."""
    e = pg_engine
    first = drive(e, "message_catch", data={"hazard_no": "YH-1"}).case_id
    e.correlate_message("整改完成", by="acme", case_id=first)  # the process learns the directory
    case_id = drive(e, "message_catch", data={"hazard_no": "YH-2"}).case_id
    waits, sent = _waits_and_statements(e, lambda: e.correlate_message("整改完成", by="acme", case_id=case_id))
    assert waits == 2, sent
    assert sent[:3] == ["SELECT case_instance.id AS", "SELECT event_wait.id, event_wait.case_id,",
                        "SELECT (SELECT counter.value"]
    assert sent.count("UPDATE case_instance SET") == 1
    assert _actions(e, case_id).count("message_received") == 1 and e.verify_audit() is None


def test_a_case_started_by_a_message_waits_for_postgresql_three_times_and_is_not_read_back(pg_engine):
    """Before: 21 round trips (the sender read afresh, every latest model read and parsed to find
    the one the message starts, its dependencies, the org unit twice; then the new case's wait read
    back, the case locked, its rows, projections and audit head read to deliver the message it had
    just been started by). Now 3: the waits with the directory counter and the models' stamp (the
    sender, the model and the start events from the caches), the case number and id, then every
    write with the COMMIT — the new case catches the message as this transaction made it."""
    e = pg_engine
    e.correlate_message("12350举报", by="zhang")
    waits, sent = _waits_and_statements(e, lambda: e.correlate_message("12350举报", by="zhang"))
    assert not [s for s in sent if s.startswith(("SELECT app_user", "SELECT org_unit", "SELECT process_model",
                                                 "SELECT role", "SELECT case_instance",
                                                 "SELECT wf_", "UPDATE case_instance"))], sent
    assert sent.count("SELECT audit_head.seq, audit_head.hash") == 1  # the case's anchor (engine/case_anchor.py)
    assert sent.count("INSERT INTO case_instance") == 1 and waits == 3, sent
    (case_id,) = [c for c, in _case_ids(e)][-1:]
    assert _actions(e, case_id).count("message_received") == 1 and e.verify_audit() is None


def test_a_step_that_starts_two_cases_waits_once_more_for_each(pg_engine):
    """A script's ``start_case`` (tests/bpmn/spawning.bpmn, two cases). Before: 20 round trips (per
    child the org unit, the newest model and the decision tables read, the parent read for its
    title, the counter, the case row's INSERT waited for, the row written again). Now 9: the task
    and its case (1), each child's number, id and the models' stamp in one round trip (2) — the
    model and its bundle from the caches, the parent's title from the parent as the step holds it,
    the org unit from the directory's cache, each child's row one INSERT with the step's writes —
    and the three chains' audit heads read and moved (engine/audit.py ``append_chains``, 6).
    Since revision 0021 each chain's head is on its case row: the children's go in their INSERTs,
    the parent's events after its row was written (the script's ``print``, ``case_spawned``) move
    it by a second ``UPDATE`` of the row — and no head is read: 4 round trips (the task and its
    case, each child's number, id and stamp, every write with the COMMIT)."""
    e = pg_engine
    for n in range(2):
        parent = e.start("spawning", by="zhang", org="east", party="P-1",
                         data={"线索": "无证经营", "other_unit": "west"}).id
        (task,) = e.case(parent).tasks
        waits, sent = _waits_and_statements(e, lambda: e.complete(task.id, "zhang", {}))
    assert not [s for s in sent if s.startswith(("SELECT process_model", "SELECT org_unit", "SELECT spec_bundle"))], sent
    assert sent.count("SELECT case_instance.id AS") == 1  # the parent's lock: its title is not read again
    assert sent.count("INSERT INTO case_instance") == 2 and sent.count("UPDATE case_instance SET") == 2, sent
    # the children's anchors (engine/case_anchor.py): each head read with the child's number
    assert [s for s in sent if "audit_head" in s] == ["SELECT audit_head.seq, audit_head.hash", "UPDATE audit_head SET"] * 2
    assert waits == 4, sent
    assert e.verify_audit() is None


def _case_ids(e) -> list:
    with e.db.engine.connect() as conn:
        return conn.execute(sa.select(Case.id).order_by(Case.id)).all()


def test_an_external_task_completion_reads_no_principal_role_or_projection(pg_engine):
    """Before: 12 round trips, then 5 (the dropped workflow rows' delete, an expanding IN, waited
    for on its own). Now 3: the task, the case lock, and every write with the COMMIT in one pipeline."""
    e = pg_engine
    for n in range(2):
        drive(e, "camunda_external", data={"phone": "13800000000"})
        (locked,) = e.fetch_and_lock("sms", "gw", 60, by="eastboss")
        waits, sent = _waits_and_statements(
            e, lambda: e.complete_external(locked["id"], "gw", {"delivered": True}, by="eastboss"))
    assert not [s for s in sent if s.startswith(("SELECT app_user", "SELECT role", "SELECT external_task.id FROM"))]
    assert sent.count("UPDATE case_instance SET") == 1
    assert "DELETE FROM wf_task" in sent  # the dropped rows' delete rides the pipeline
    assert waits == 3, sent
    assert e.verify_audit() is None


def test_a_single_cases_timer_locks_the_case_in_one_statement(pg_engine):
    """No read-then-bump of the case (one UPDATE of its row per step). Before: 12 round trips, then
    9 (the dropped workflow rows' delete, the cancelled task's update and the fired timer's delete,
    each an expanding IN waited for on its own, and the queue sent before each). Now 3: the held
    timer, the case locked and read, and every write with the COMMIT in one pipeline."""
    e = pg_engine
    cases = [e.start("deadline", by="zhang", org="east", data=dict(REGISTERED)).id for _ in range(2)]
    e.clock.set(START + timedelta(days=30))
    e._fire_case_timers(cases[0], worker="retry:boss", force=True)
    waits, sent = _waits_and_statements(e, lambda: e._fire_case_timers(cases[1], worker="retry:boss", force=True))
    assert sent[:2] == ["SELECT timer.id FROM", "SELECT case_instance.id AS"]
    assert sent.count("UPDATE case_instance SET") == 1
    assert {"DELETE FROM wf_task", "DELETE FROM timer"} <= set(sent) and sent.count("UPDATE human_task SET") == 2
    assert waits == 3, sent
    assert "escalated" in _actions(e, cases[1]) and e.verify_audit() is None


# --- another process moved a case chain: its head comes with the case row, nothing is redone --------------
def test_a_start_whose_thrown_signal_meets_a_moved_chain_reads_the_heads_and_numbers_its_cases_in_turn(
        two_engines):
    """A start's own chain is new (its head goes in the case row's INSERT), and when its step throws
    a signal to a waiting case whose chain another process moved, that head is read with the case.
    One case, numbered in turn; a start that fails (an incident at set-up) takes no number — the
    counter moves in the start's transaction."""
    a, b = two_engines
    waiting = a.correlate_message("12350举报", by="zhang")["case_id"]
    task = a.case(waiting).tasks[0]
    a.complete(task.id, task.assignee, {})  # now waits for 停产整顿令
    _moved_by_another_process(b, waiting)
    started = a.start("signal_at_start", by="zhang", org="east")
    assert a.case(waiting).status == "completed" and _actions(a, waiting).count("signal_received") == 1
    assert _actions(a, started.id).count("started") == 1 and _actions(a, started.id).count("signal_thrown") == 1
    with pytest.raises(IncidentRaised):  # deadline.bpmn's timer needs registered_at
        a.start("deadline", by="zhang", org="east")
    numbers = [a.start("deadline", by="zhang", org="east", data=dict(REGISTERED)).case_no,
               b.start("deadline", by="zhang", org="east", data=dict(REGISTERED)).case_no,
               a.start("signal_at_start", by="zhang", org="east").case_no]
    assert [n.rsplit("-", 1)[1] for n in [started.case_no] + numbers] == ["00001", "00001", "00002", "00002"]
    with a.db.engine.connect() as conn:
        counters = dict(conn.execute(sa.select(Counter.name, Counter.value)
                                     .where(Counter.name.like("case_no:%"))).all())
    assert {name.split(":")[1]: value for name, value in counters.items()} == {"MS": 1, "SAS": 2, "D": 2}
    assert a.verify_audit() is None


def test_a_message_to_a_case_whose_chain_another_process_moved_is_not_redone(two_engines):
    a, b = two_engines
    case_id = drive(a, "message_catch", data={"hazard_no": "YH-9"}).case_id
    _moved_by_another_process(b, case_id)
    got = a.correlate_message("整改完成", by="acme", case_id=case_id, data={"report": "已整改"})
    assert got == {"case_id": case_id, "started": False}
    assert _actions(a, case_id).count("message_received") == 1
    assert [t.spec_id for t in a.case(case_id).tasks] == ["recheck"] and a.verify_audit() is None


def test_an_external_task_completed_on_a_moved_chain_is_not_redone(two_engines):
    a, b = two_engines
    case_id = drive(a, "camunda_external", data={"phone": "13800000000"}).case_id
    (locked,) = a.fetch_and_lock("sms", "gw", 60, by="eastboss")
    _moved_by_another_process(b, case_id)
    assert a.complete_external(locked["id"], "gw", {"delivered": True}, by="eastboss") == case_id
    assert _actions(a, case_id).count("external_completed") == 1
    assert a.case(case_id).data["delivered"] is True and a.verify_audit() is None


def test_a_single_cases_timer_fired_on_a_moved_chain_is_not_redone_and_fires_once(two_engines):
    a, b = two_engines
    case_id = a.start("deadline", by="zhang", org="east", data=dict(REGISTERED)).id
    _moved_by_another_process(b, case_id)
    a.clock.set(START + timedelta(days=30))
    fired = a._fire_case_timers(case_id, worker="retry:boss", force=True)
    assert fired >= 1
    history = _actions(a, case_id)
    assert history.count("escalated") == 1 and history.count("reminded") == 1
    with a.db.engine.connect() as conn:
        left = conn.execute(sa.select(sa.func.count()).select_from(Timer).where(Timer.case_id == case_id,
                                                                              Timer.due_at <= a.clock.now())).scalar()
    assert left == 0 and a.verify_audit() is None


def test_a_case_withdrawn_on_a_moved_chain_is_not_redone(two_engines):
    a, b = two_engines
    case_id = a.start("five_tasks", by="zhang", org="east").id
    _moved_by_another_process(b, case_id)
    a.cancel(case_id, "boss", "重复立案")
    assert a.case(case_id).status == "cancelled" and _actions(a, case_id).count("cancelled") == 1
    assert a.case(case_id).tasks == [] and a.verify_audit() is None


# --- a cold step: the case's rows in one statement ------------------------------------------------------
# A case the process's workflow cache does not hold (``cache_size=0`` here: every step is one): another
# process stepped it last, the process restarted, or more cases are active than the cache holds.
_TABLE_BY_TABLE = ("SELECT wf_workflow.", "SELECT wf_task.", "SELECT human_task.id, human_task.due_at",
                   "SELECT timer.id, timer.due_at", "SELECT event_wait.id, event_wait.correlation",
                   "SELECT external_task.id FROM")


@pytest.fixture
def cold_engine(database_url):
    e = make_engine(database_url, clock=ManualClock(START), cache_size=0)
    e.deploy(FIVE_TASKS, by="boss")
    for name in ("message_catch", "camunda_external"):
        e.deploy(CORPUS / f"{name}.bpmn", by="boss")
    yield e
    e.dispose()


def _complete_next(e, case_id: int) -> None:
    (task,) = e.case(case_id).tasks
    e.complete(task.id, "zhang", {})


def test_a_cold_completion_reads_its_case_in_one_statement(cold_engine):
    """The workflow and task rows and what the projections last wrote (open human tasks, timers,
    event waits, external tasks) in one UNION ALL (engine/case_rows.py). Before: six statements
    after the task's read, two of them through SQLAlchemy's full execute (SQLite: 15 statements a
    completion, then 10, 9 since the workflow's last task is on the case row — its wf_workflow row
    is not rewritten —, and 8 since the case chain's audit head is too: revision 0021); on
    PostgreSQL nine round trips, now three — the task with its case locked (and so the audit
    head), the case's rows, every write with the COMMIT."""
    e = cold_engine
    case_id = e.start("five_tasks", by="zhang", org="east").id
    _complete_next(e, case_id)  # the process has the model's specs
    (task,) = e.case(case_id).tasks
    waits, sent = _waits_and_statements(e, lambda: e.complete(task.id, "zhang", {}))
    reads = [s for s in sent if s.startswith("SELECT")]
    assert not [s for s in sent if s.startswith(_TABLE_BY_TABLE)], sent
    assert sent.count("SELECT 0 AS") == 1
    if e.db.is_sqlite:
        assert reads == ["SELECT human_task.id, human_task.case_id,", "SELECT 0 AS"], sent
        assert len(sent) == 8 and "UPDATE wf_workflow SET" not in sent, sent
    else:
        assert reads == ["SELECT case_instance.id AS", "SELECT human_task.id, human_task.case_id,",
                         "SELECT 0 AS"], sent
        assert waits == 3, sent
    assert e.verify_audit() is None


def _rows(e, table: str, case_id: int) -> set:
    with e.db.engine.connect() as conn:
        if table == "event_wait":
            return set(conn.execute(sa.text("SELECT name, element_id FROM event_wait WHERE case_id = :c"),
                                    {"c": case_id}).all())
        return set(conn.execute(sa.text("SELECT element_id FROM external_task WHERE case_id = :c"),
                                {"c": case_id}).scalars())


def test_a_cold_step_deletes_and_inserts_a_cases_waits_and_external_tasks_as_a_warm_one(cold_engine):
    """The after-step hooks compare with the rows read with the case's (no statement of their own):
    a message caught cold deletes its wait and inserts the boundary message's; completing the
    recheck deletes that; an external task completed cold deletes its row, a case cancelled cold
    deletes its waiting external task's. Handed the wrong rows, a hook leaves a row behind, misses
    one or inserts one twice (a unique key: the step fails)."""
    e = cold_engine
    case_id = e.start("message_catch", by="zhang", org="east", data={"hazard_no": "YH-7"},
                      party="91110000000000001H").id  # acme's: a message reaches a case its sender may see
    assert _rows(e, "event_wait", case_id) == set()
    (task,) = e.case(case_id).tasks
    sent = statements_sent(e, lambda: e.complete(task.id, "zhang", {}))
    assert _rows(e, "event_wait", case_id) == {("整改完成", "wait_done")}
    assert not [s for s in _heads(sent) if s.startswith(_TABLE_BY_TABLE)], sent
    e.correlate_message("整改完成", by="acme", case_id=case_id, data={"report": "已整改"})
    assert _rows(e, "event_wait", case_id) == {("撤回举报", "withdrawn")}
    assert [t.spec_id for t in e.case(case_id).tasks] == ["recheck"]
    _complete_next(e, case_id)
    assert _rows(e, "event_wait", case_id) == set() and e.case(case_id).status == "completed"

    done = e.start("camunda_external", by="zhang", org="east", data={"phone": "13800000000"}).id
    assert _rows(e, "external_task", done) == {"send_sms"}
    (locked,) = e.fetch_and_lock("sms", "gw", 60, by="eastboss")
    sent = statements_sent(e, lambda: e.complete_external(locked["id"], "gw", {"delivered": True}, by="eastboss"))
    assert not [s for s in _heads(sent) if s.startswith(_TABLE_BY_TABLE)], sent
    assert _rows(e, "external_task", done) == set() and e.case(done).status == "completed"
    cancelled = e.start("camunda_external", by="zhang", org="east", data={"phone": "13900000000"}).id
    e.cancel(cancelled, "boss", "重复立案")
    assert _rows(e, "external_task", cancelled) == set() and e.case(cancelled).status == "cancelled"
    assert e.verify_audit() is None
