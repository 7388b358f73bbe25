"""A case chain's audit head on its case row (revision 0021, engine/step.py ``write_case``,
engine/audit.py ``case_head``): every way an event reaches a case chain moves the row's head to
that event, ``verify`` reads case heads from the rows (so the newest events or the whole chain
deleted still show), and the revision carries the heads over from ``audit_head`` and back.

On SQLite and PostgreSQL, real files and a real server; models from tests/bpmn."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine import audit, migrate
from engine.schema import AuditEvent, AuditHead, Case
from tests.support import START, deploy, engine_fixture, make_engine, open_task_id, set_audit_head


def _row_head(engine, case_id: int) -> tuple[int, str | None]:
    with engine.db.engine.connect() as conn:
        return tuple(conn.execute(sa.select(Case.audit_seq, Case.audit_hash).where(Case.id == case_id)).one())


def _last_event(engine, case_id: int) -> tuple[int, str]:
    with engine.db.engine.connect() as conn:
        return tuple(conn.execute(sa.select(AuditEvent.seq, AuditEvent.hash)
                                  .where(AuditEvent.chain == audit.case_chain(case_id))
                                  .order_by(AuditEvent.seq.desc()).limit(1)).one())


def _case_heads_in_audit_head(engine) -> list[str]:
    with engine.db.engine.connect() as conn:
        return list(conn.execute(sa.select(AuditHead.chain).where(AuditHead.chain.like("case:%"))).scalars())


def _assert_heads_on_rows(engine, *case_ids: int) -> None:
    for case_id in case_ids:
        assert _row_head(engine, case_id) == _last_event(engine, case_id), case_id
    assert _case_heads_in_audit_head(engine) == []
    assert engine.verify_audit() is None


engine = engine_fixture("approval.bpmn", "spawning.bpmn", "timers_misc.bpmn")


def test_each_step_moves_its_case_chain_head_on_the_case_row_and_no_audit_head_row(engine):
    case = engine.start("approval", by="zhang", org="east", data={"hazard": "消防通道堵塞，堆放杂物"})
    _assert_heads_on_rows(engine, case.id)
    seq = _row_head(engine, case.id)[0]
    assert seq >= 2  # started, task_opened
    engine.complete(open_task_id(engine, case.id), "zhang", {"location": "仓库（二号）"})
    assert _row_head(engine, case.id)[0] > seq
    _assert_heads_on_rows(engine, case.id)


def test_events_after_the_case_row_was_written_move_its_head_too(engine):
    """A claim (the ORM path), then a completion whose script prints and starts two cases — events
    the step adds after its case row is written — and the spawned cases' own chains."""
    case = engine.start("spawning", by="zhang", org="east", data={"other_unit": "west"})
    task_id = open_task_id(engine, case.id)
    engine.claim(task_id, "zhang")
    _assert_heads_on_rows(engine, case.id)
    engine.complete(task_id, "zhang", {})
    actions = [h["action"] for h in engine.case(case.id).history]
    assert actions[-3:] == ["case_spawned", "case_spawned", "script_output"], actions
    children = [c.id for c in engine.cases() if c.parent_case_id == case.id]
    assert len(children) == 2
    _assert_heads_on_rows(engine, case.id, *children)


def test_deleting_a_cases_newest_event_or_its_whole_chain_is_detected(engine):
    case = engine.start("approval", by="zhang", org="east", data={"hazard": "配电箱未上锁"})
    engine.complete(open_task_id(engine, case.id), "zhang", {"location": "配电房"})
    seq, _ = _last_event(engine, case.id)
    chain = audit.case_chain(case.id)
    with engine.db.write() as s:
        s.execute(sa.delete(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == seq))
    broken = engine.verify_audit()
    assert broken is not None and broken.chain == chain and f"链头记着共 {seq} 条" in broken.reason
    with engine.db.write() as s:
        s.execute(sa.delete(AuditEvent).where(AuditEvent.chain == chain))
    broken = engine.verify_audit()
    assert broken is not None and broken.chain == chain and "全部" in broken.reason


def test_a_case_head_moved_wrong_is_detected(engine):
    """The row's head naming a hash its chain does not end in, or no head at all with events."""
    case = engine.start("approval", by="zhang", org="east", data={"hazard": "灭火器过期"})
    chain = audit.case_chain(case.id)
    seq, last = _last_event(engine, case.id)
    with engine.db.write() as s:
        set_audit_head(s, chain, "1b:" + "0" * 61)
    broken = engine.verify_audit()
    assert broken is not None and broken.chain == chain and "不是同一条" in broken.reason
    with engine.db.write() as s:
        set_audit_head(s, chain, None, seq=0)
    broken = engine.verify_audit()
    assert broken is not None and broken.chain == chain and "链头（记着最后一条记录的那一行）不见了" in broken.reason
    with engine.db.write() as s:
        set_audit_head(s, chain, last, seq=seq)
    assert engine.verify_audit() is None


def test_a_rolled_back_step_leaves_the_rows_head_as_it_was(sqlite_url):
    """A step that fails after its case row was sent (SQLite sends it at once; PostgreSQL sends it
    with the COMMIT): nothing of its head stays, and the next step chains from the committed one."""
    engine = make_engine(sqlite_url)
    deploy(engine, "approval.bpmn")
    case = engine.start("approval", by="zhang", org="east", data={"hazard": "安全出口锁闭"})
    before = _row_head(engine, case.id)

    def fail(*_):
        raise RuntimeError("提交前失败")

    sa.event.listen(engine.db.engine, "commit", fail)
    try:
        with pytest.raises(RuntimeError):
            engine.complete(open_task_id(engine, case.id), "zhang", {"location": "一楼"})
    finally:
        sa.event.remove(engine.db.engine, "commit", fail)
    assert _row_head(engine, case.id) == before
    engine.complete(open_task_id(engine, case.id), "zhang", {"location": "一楼"})
    _assert_heads_on_rows(engine, case.id)
    engine.dispose()


def test_the_revision_carries_case_heads_to_audit_head_and_back(database_url):
    from alembic import command
    e = make_engine(database_url)
    deploy(e, "approval.bpmn")
    cases = [e.start("approval", by="zhang", org="east", data={"hazard": f"隐患{n}"}) for n in "一二"]
    e.complete(open_task_id(e, cases[0].id), "zhang", {"location": "仓库"})
    heads = {audit.case_chain(c.id): _last_event(e, c.id) for c in cases}
    sa_engine = e.db.engine
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), "0020_hazard_cases_only")
    with sa_engine.connect() as conn:
        kept = {r.chain: (r.seq, r.hash) for r in conn.execute(sa.text(
            "SELECT chain, seq, hash FROM audit_head WHERE chain LIKE 'case:%'"))}
        assert "audit_seq" not in {c["name"] for c in sa.inspect(conn).get_columns("case_instance")}
    assert kept == heads
    with sa_engine.begin() as conn:
        command.upgrade(migrate.config(conn), "head")
    assert _case_heads_in_audit_head(e) == []
    for case in cases:
        assert _row_head(e, case.id) == heads[audit.case_chain(case.id)]
    assert e.verify_audit() is None
    e.dispose()


def test_a_case_chain_whose_case_row_is_gone_keeps_its_head_in_audit_head(database_url):
    """The revision moves only the heads of cases that have a row; ``verify`` still sees the rest."""
    e = make_engine(database_url)
    with e.db.write() as s:
        audit.append(s, chain=audit.case_chain(999), case_id=999, actor="engine", action="note", at=START)
    with e.db.engine.connect() as conn:
        assert "case:999" in set(conn.execute(sa.select(AuditHead.chain)).scalars())
    assert e.verify_audit() is None
    with e.db.write() as s:
        s.execute(sa.delete(AuditEvent).where(AuditEvent.chain == "case:999"))
    broken = e.verify_audit()
    assert broken is not None and broken.chain == "case:999"
    e.dispose()


def test_a_case_whose_step_fails_after_its_row_was_written_in_a_timer_batch_takes_its_head_back(database_url):
    """A timer batch whose second case fails after its case row was written (the case it starts
    fails its own script: 100 / 0) is fired again case by case, each in a savepoint; the failed
    one's linked events and head move go with its savepoint, the others' stay. Fails if a rolled
    back savepoint left them (``AuditBuffer.back_to``)."""
    from datetime import timedelta

    from engine import Engine, ManualClock, timer_sweep
    e = make_engine(database_url, clock=ManualClock(START))
    deploy(e, "timer_spawns_failing_child.bpmn")
    cases = [e.start("timer_spawns_child", by="zhang", org="east", data={"count": n}) for n in (2, 0, 3)]
    heads = {c.id: _row_head(e, c.id) for c in cases}
    e.dispose()
    worker = Engine(database_url, clock=ManualClock(START + timedelta(days=2, seconds=1)))
    try:
        worker._claim_due_timers("w", limit=10, lease_seconds=60)
        assert timer_sweep.fire_batch(worker, [c.id for c in cases], "w") == 2
        good, bad = [cases[0].id, cases[2].id], cases[1].id
        # nothing of its fired step is left: its chain goes on with the incident recorded after it
        assert [h["action"] for h in worker.case(bad).history] == ["started", "incident"]
        assert _row_head(worker, bad)[0] == heads[bad][0] + 1
        for case_id in good:
            assert _row_head(worker, case_id)[0] > heads[case_id][0]
            assert [h["action"] for h in worker.case(case_id).history][-2:] == ["case_spawned", "script_output"]
        _assert_heads_on_rows(worker, *good, bad)
    finally:
        worker.dispose()


def test_on_postgresql_a_claim_waits_for_the_case_row_before_it_takes_the_task_row(postgres_url):
    """A claim's audit event moves the head on the case row, so it locks the case row; a
    completion holds the case row and then waits for the task row. The claim must take them in the
    same order (``tasks._lock_cases_first``), else each holds what the other waits for: a deadlock.
    Here a transaction holds the case row as a completion would; while the claim waits for it, the
    task row is still free."""
    import threading

    from tests.test_guards import _wait_until_blocked_on_a_row_lock

    e = make_engine(postgres_url)
    deploy(e, "spawning.bpmn", "timers_misc.bpmn")
    case = e.start("spawning", by="zhang", org="east", data={"other_unit": "west"})
    task_id = open_task_id(e, case.id)
    done: list = []
    with e.db.engine.connect() as holder:
        tx = holder.begin()
        holder.execute(sa.text("SELECT id FROM case_instance WHERE id = :id FOR NO KEY UPDATE"), {"id": case.id})
        claiming = threading.Thread(target=lambda: done.append(e.claim(task_id, "zhang").assignee))
        claiming.start()
        _wait_until_blocked_on_a_row_lock(postgres_url)  # the claim waits, the server says (was a sleep of 1 s)
        assert done == []
        holder.execute(sa.text("SELECT id FROM human_task WHERE id = :id FOR UPDATE NOWAIT"), {"id": task_id})
        tx.rollback()
    claiming.join(30)
    assert done == ["zhang"]
    _assert_heads_on_rows(e, case.id)
    e.dispose()
