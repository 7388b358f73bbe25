"""A serving process's first completions do not compile the hazard-facts program (``Engine.warm``).

On SQLite every ``UPDATE case_instance`` naming ``data``, ``status`` or ``ended_at`` carries the facts
program of engine/case_facts.py, whatever the case's process (SQLite compiles a trigger's program into
every statement that may fire it): ~1.2 ms to prepare once a connection for each set of columns a
step writes (2.4 ms before revision 0023). ``Engine.warm`` has the writer connection prepare the ones
a completion sends most (``step.prepare_case_writes``): here, the case-row UPDATEs of completions
that change the data, end the case, or both are those warm ran, on the connection the completions
then write through; warm itself writes nothing. PostgreSQL: nothing prepared ahead (it prepares a
statement on its fifth execution), warm works as before.
"""
from __future__ import annotations

import sqlalchemy as sa

from engine import projection, sqlexec, state, step
from engine.schema import AuditEvent, Case
from tests.support import BPMN, make_engine, open_task_id

FIVE_TASKS = BPMN.parent.parent / "bench" / "models" / "five_tasks.bpmn"


def _dbapi(conn: sa.Connection):
    return conn.connection.dbapi_connection


def _rows(e) -> list:
    with e.db.engine.connect() as conn:
        cases = conn.execute(sa.select(Case.id, Case.status, Case.version, Case.data, Case.audit_seq)
                             .order_by(Case.id)).all()
        events = conn.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar()
    return [tuple(r) for r in cases] + [events]


def test_warm_prepares_the_case_writes_a_first_completion_sends(database_url, monkeypatch):
    e = make_engine(database_url)
    try:
        e.deploy(FIVE_TASKS, by="boss")
        changing = e.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"}).id
        same = e.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"}).id
        for n in range(4):  # both a step away from their end, "意见" already set in ``same``
            e.complete(open_task_id(e, changing), "zhang", {"意见": f"同意{n}"})
            e.complete(open_task_id(e, same), "zhang", {"意见": "同意"})
        before = _rows(e)

        warmed: set = set()
        execute = sqlexec.execute

        def recording_execute(conn, stmt, params=None):
            warmed.add((stmt, _dbapi(conn)))
            return execute(conn, stmt, params)

        monkeypatch.setattr(sqlexec, "execute", recording_execute)
        assert e.warm() >= 60
        monkeypatch.setattr(sqlexec, "execute", execute)
        assert _rows(e) == before  # nothing written: each matched no row, and was rolled back

        sent: list = []
        ran: list = []
        defer, run = sqlexec.defer, sqlexec._run
        updates = step._CASE_UPDATES

        def recording_defer(conn, stmt, params=None, many=False):
            if any(stmt is u for u in updates.values()):
                sent.append((stmt, _dbapi(conn), tuple(k for k in params if k not in ("b_id", "updated_at", "version"))))
            return defer(conn, stmt, params, many)

        def recording_run(conn, stmt, params, many, queue):
            ran.append((stmt, _dbapi(conn)))
            return run(conn, stmt, params, many, queue)

        monkeypatch.setattr(sqlexec, "defer", recording_defer)
        monkeypatch.setattr(sqlexec, "_run", recording_run)
        e.complete(open_task_id(e, changing), "zhang", {"意见": "同意9"})  # ends it, its data changed
        e.complete(open_task_id(e, same), "zhang", {"意见": "同意"})  # ends it, its data as it was
        other = e.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"}).id
        started = len(sent)
        e.complete(open_task_id(e, other), "zhang", {"意见": "同意"})  # changes the data, ends nothing
        monkeypatch.setattr(sqlexec, "defer", defer)
        monkeypatch.setattr(sqlexec, "_run", run)
        assert e.case(changing).status == e.case(same).status == "completed"
    finally:
        e.dispose()
    if not e.db.is_sqlite:
        assert warmed == set()
        return
    head = ("last_task", "audit_seq", "audit_hash")
    assert [columns for _s, _c, columns in sent[:2] + sent[started:]] == [
        ("data", "status", "ended_at") + head, ("status", "ended_at") + head, ("data",) + head]
    for stmt, dbapi, _columns in sent:  # the start's too, if it sent one (the timer batch's form)
        assert (stmt, dbapi) in warmed
    # the completion's other statements that can run matching no row: prepared on that connection too
    ahead = [stmt for stmt, _params in step._completion_statements()]
    others = [(stmt, dbapi) for stmt, dbapi in ran if any(stmt is a for a in ahead) and stmt not in updates.values()]
    assert {stmt for stmt, _ in others} >= {step._SELECT_TASK, projection._COMPLETE_TASK, state._UPDATE_TASKS}, others
    assert all(pair in warmed for pair in others), [p for p in others if p not in warmed]
    assert step.CASE_PREFIX in step._READERS  # the task row's case maker, compiled by warm
