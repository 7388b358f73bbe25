"""The batched timer sweep (engine/timer_sweep.py): what a case's step does after its timer is the
same whether the case was fired in a batch of many or on its own.

A script after a timer may ask the engine for what only a step can do: ``print`` to the case log,
``start_case`` (a derived case in the same transaction) and ``require_roles`` (refuse the step).
Each of these is checked here on the batch path itself (no SAVEPOINT: the cases were fired
together), on both databases, from a fresh worker engine that reads every case from its rows.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine import Engine, ManualClock, timer_sweep
from engine.schema import Case, HumanTask, Timer
from tests.support import START, deploy, make_engine

DUE = START + timedelta(days=2, seconds=1)


def _statements(engine) -> list[str]:
    seen: list[str] = []
    sa.event.listen(engine.db.engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_: seen.append(statement.split()[0].upper()))
    return seen


def _history(engine, case_id, action):
    return [e for e in engine.case(case_id).history if e["action"] == action]


@pytest.fixture
def waiting(database_url):
    """Three cases of 期满转复查 waiting on their timer; the reviewers are given per case."""
    def make(reviewers: list[list[str]], claim: bool = True):
        e = make_engine(database_url, clock=ManualClock(START))
        deploy(e, "timers_misc.bpmn", "timer_then_requests.bpmn")
        first = e.start("wait_then_work", by="zhang", org="east")  # its 案号 counter made (in a savepoint)
        e.cancel(first.id, "boss", "测试准备")
        cases = [e.start("timer_then_requests", by="zhang", org="east", data={"reviewers": r}) for r in reviewers]
        e.dispose()
        worker = Engine(database_url, clock=ManualClock(DUE))  # a worker process: nothing cached
        if claim:
            worker._claim_due_timers("w", limit=10, lease_seconds=60)
        return worker, cases
    return make


def test_a_script_after_a_timer_in_a_batch_prints_starts_its_case_and_checks_roles(waiting):
    e, cases = waiting([["zhang"], ["li"], ["zhang", "li"]])
    statements = _statements(e)
    assert timer_sweep.fire_batch(e, [c.id for c in cases], "w") == 3
    assert "SAVEPOINT" not in statements  # fired together, not case by case
    children = {c.parent_case_id: c for c in e.cases() if c.parent_case_id is not None}
    for case in cases:
        assert [t.name for t in e.case(case.id).tasks] == ["复核"]
        assert [h["detail"]["text"] for h in _history(e, case.id, "script_output")] == \
            [f"整改期限届满，转复查 {case.case_no}"]
        child = children[case.id]
        assert (child.title, e.case(child.id).data["source_case"]) == (f"复查·{case.case_no}", case.case_no)
        assert [h["detail"]["case_no"] for h in _history(e, case.id, "case_spawned")] == [child.case_no]
    assert len(children) == 3
    with e.db.engine.connect() as conn:  # the derived cases wait on their own timers, unleased
        assert conn.execute(sa.select(sa.func.count()).select_from(Timer)
                            .where(Timer.case_id.in_([c.id for c in children.values()]),
                                   Timer.lease_owner.is_(None))).scalar() == 3
    assert e.verify_audit() is None
    e.dispose()


def test_a_case_whose_script_refuses_its_reviewer_becomes_an_incident_and_holds_back_no_other_case(waiting):
    """王五 is an inspector of 西城区, not of the case's 东城区: ``require_roles`` refuses that case's
    step. The refusal is the model's own verdict on the case, so it is an incident naming the person
    (a supervisor corrects the data and retries), the case's timer is parked, and the other cases of
    the batch are fired — the sweep itself does not fail."""
    e, cases = waiting([["zhang"], ["wang"], ["li"]], claim=False)
    good, bad = [cases[0].id, cases[2].id], cases[1].id
    assert timer_sweep.run_due_timers(e, "w") == 2
    assert all([t.name for t in e.case(c).tasks] == ["复核"] for c in good)
    assert e.case(bad).tasks == [] and _history(e, bad, "case_spawned") == []
    (incident,) = e.incidents()
    assert incident.case_id == bad and "复查人员须为本单位执法人员：王五" in incident.message
    with e.db.engine.connect() as conn:
        assert list(conn.execute(sa.select(Timer.case_id, Timer.lease_owner).where(Timer.case_id == bad))) == \
            [(bad, timer_sweep.PARKED)]
        children = conn.execute(sa.select(Case.parent_case_id).where(Case.parent_case_id.is_not(None))).scalars()
        assert sorted(children) == sorted(good)  # the refused step started nothing
    e.clock.advance(hours=1)
    assert timer_sweep.run_due_timers(e, "w") == 0 and len(e.incidents()) == 1  # parked, not retried
    e.dispose()



@pytest.mark.parametrize("reviewer, name", [("eastboss", "钱科"), ("zhao", "赵六")],
                         ids=["holds_another_role_of_the_unit", "deactivated"])
def test_require_roles_counts_only_active_holders_of_the_role_in_the_case_unit(waiting, reviewer, name):
    """``require_roles`` counts a person only if they hold one of the roles, in the case's own unit, and
    are still active: 钱科 is 东城区's 科室负责人 (not 执法人员), 赵六 an 执法人员 of 东城区 since deactivated.
    Either is refused, naming them (mutation testing of step.check_required_roles: dropping the role
    filter or the active filter went unnoticed)."""
    e, cases = waiting([["zhang"], [reviewer]], claim=False)
    e.directory.add_user("zhao", org="east", roles=["inspector"], name="赵六")
    e.directory.set_active("zhao", False)
    assert timer_sweep.run_due_timers(e, "w") == 1
    (incident,) = e.incidents()
    assert incident.case_id == cases[1].id and f"复查人员须为本单位执法人员：{name}" in incident.message
    assert [t.name for t in e.case(cases[0].id).tasks] == ["复核"]
    e.dispose()

# --- the batch's writes: one statement per kind of row, and every read sees them ----------------------
def _waiting_then_work(database_url, n):
    e = make_engine(database_url, clock=ManualClock(START))
    deploy(e, "timers_misc.bpmn")
    cases = [e.start("wait_then_work", by="zhang", org="east").id for _ in range(n)]
    e.dispose()
    worker = Engine(database_url, clock=ManualClock(DUE))
    worker._claim_due_timers("w", limit=n, lease_seconds=60)
    return worker, cases


def test_a_batch_writes_each_kind_of_row_in_one_statement_whatever_its_size(database_url):
    """engine/batch_writes.py: the rows of 6 cases — workflow tasks, workflows, new human tasks,
    fired timers, case rows — go in one statement per kind, not one per case."""
    e, cases = _waiting_then_work(database_url, 6)
    seen: list[tuple[str, bool]] = []
    sa.event.listen(e.db.engine, "before_cursor_execute",
                    lambda _c, _cur, statement, _p, _ctx, many: seen.append((" ".join(statement.split()[:3]), many)))
    assert timer_sweep.fire_batch(e, cases, "w") == 6
    writes = [s for s, _ in seen if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    # At most twice: a fresh worker's first step reads the lane's role from the directory (cached
    # after), which sends what the steps before it deferred.
    for kind in ("UPDATE wf_task SET", "UPDATE wf_workflow SET", "INSERT INTO human_task", "DELETE FROM timer"):
        assert writes.count(kind) <= 2, (kind, writes)
    assert writes.count("UPDATE case_instance SET") <= 3  # the batch's lock (versions), then the rows
    assert len(seen) <= 25, seen  # 5 statements per case and timer before
    assert [t.name for c in cases for t in e.case(c).tasks] == ["复查"] * 6
    with e.db.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Timer)).scalar() == 0
    assert e.verify_audit() is None
    e.dispose()


def test_what_a_step_of_the_batch_reads_includes_the_rows_the_batch_deferred(database_url):
    """A deferred write is sent before anything else runs on the transaction: an after-step hook
    (which reads through the ORM session) of each case sees the human task its step just opened,
    and the one opened by every earlier case of the batch."""
    e, cases = _waiting_then_work(database_url, 3)
    seen = []

    def count_open_tasks(s, case, _workflow):
        seen.append(s.execute(sa.select(sa.func.count()).select_from(HumanTask)
                              .where(HumanTask.case_id.in_(cases), HumanTask.state == "open")).scalar())

    e.after_step_hooks.append(count_open_tasks)
    assert timer_sweep.fire_batch(e, cases, "w") == 3
    assert seen == [1, 2, 3]
    e.dispose()


def test_cases_restored_from_rows_in_a_batch_delete_the_waits_their_timers_ended(database_url):
    """A Camunda Modeler event-based gateway (tests/bpmn/interop/camunda7_event_gateway.bpmn) waits
    for a message or 15 days; the timer wins in a batch fired by a worker that holds no case. The
    batch reads each case's event_wait rows with the others (``_load_cases``) and hands them to
    ``messages.project_waits``, which deletes the message's wait without reading it again; handed
    none, the waits would stay and a late 整改报告 would find a case no longer waiting for it."""
    from tests.interop_support import drive
    from tests.support import BPMN
    e = make_engine(database_url, clock=ManualClock(START))
    e.deploy(BPMN / "interop" / "camunda7_event_gateway.bpmn", by="boss")
    ids = [drive(e, "camunda7_event_gateway").case_id for _ in range(3)]
    e.dispose()
    worker = Engine(database_url, clock=ManualClock(START + timedelta(days=15, seconds=1)))
    worker._claim_due_timers("w", limit=10, lease_seconds=60)
    sent: list[str] = []
    sa.event.listen(worker.db.engine, "before_cursor_execute", lambda _c, _cur, statement, *_: sent.append(statement))
    assert timer_sweep.fire_batch(worker, ids, "w") == 3
    assert not [s for s in sent if s.startswith("SELECT event_wait.id, event_wait.correlation")], sent
    with worker.db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM event_wait")).scalar() == 0
    for case_id in ids:
        assert [t.spec_id for t in worker.case(case_id).tasks] == ["Activity_0revisit"]
    assert worker.verify_audit() is None
    worker.dispose()
