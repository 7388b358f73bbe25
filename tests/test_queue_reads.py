"""Queue reads at a province's size (issue 15): a queue — 我的待办, a role's 组待办, 审批 — is two
statements however many ways a task can be eligible (the user's directory counter, 回避 exclusions
and candidacies in one; the page in the other), with the principal and the org subtree taken from
the directory's per-process cache at that counter; and a directory change made by another process
shows in the very next queue. SQLite and PostgreSQL.
"""
from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from engine import Engine, queries
from tests.support import deploy, make_engine


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    d = eng.directory
    d.add_role("legal_reviewer", "法制审核员")
    d.add_user("zhou", org="east", roles=["inspector", "legal_reviewer"], name="周")
    # 副局长 at the city: investigates, reviews and approves over every district below.
    d.add_user("deputy", org="city", roles=["inspector", "legal_reviewer", "supervisor"], name="吴副局长")
    deploy(eng, "duties.bpmn", "approval.bpmn")
    yield eng
    eng.dispose()


@contextmanager
def statements(engine):
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.split(None, 1)[0].upper() in {"SELECT", "WITH"}:
            seen.append(statement)  # not BEGIN

    sa.event.listen(engine.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine.db.engine, "before_cursor_execute", record)


def _approvals_waiting(engine, by: str, org: str, n: int) -> list[str]:
    """``n`` 登记审批 cases of ``org`` registered by ``by``: their 审批 tasks wait for a supervisor."""
    ids = []
    for _ in range(n):
        case = engine.start("approval", by=by, org=org)
        register = [t for t in engine.case(case.id).tasks if t.spec_id == "register"][0]
        engine.complete(register.id, by, {})
        ids += [t.id for t in engine.case(case.id).tasks if t.spec_id == "approve"]
    return ids


def _order(tasks):
    return [t.id for t in sorted(tasks, key=lambda t: (t.due_sort, t.created_at, t.id))]


def test_every_queue_is_two_statements_whatever_the_roles_once_the_directory_is_cached(engine):
    """Before: the principal, exclusions, candidacies, the org subtree and one statement per role
    (seven for this 副局长) — each a round trip, 40 ms apiece on a loaded PostgreSQL."""
    waiting = _approvals_waiting(engine, "zhang", "east", 2) + _approvals_waiting(engine, "wang", "west", 1)
    case = engine.start("duties", by="zhou", org="east")  # zhou investigates: the 法制审核 is not theirs (回避)
    engine.complete([t for t in engine.queue("zhou") if t.case_id == case.id][0].id, "zhou", {})
    engine.start("approval", by="deputy", org="city")
    deputy = engine.directory.principal("deputy")
    calls = {
        "我的待办": lambda: engine.queue("deputy"),
        "我的待办 (principal of the request)": lambda: engine.queue(deputy),
        "组待办": lambda: queries.group_queue(engine, deputy, "supervisor"),
        "审批": lambda: queries.approvals(engine, deputy),
        "我的待办 with a 回避": lambda: engine.queue("zhou"),
    }
    for name, call in calls.items():
        call()  # fills the caches
        with statements(engine) as seen:
            rows = call()
        assert len(seen) == 2, (name, seen)
        assert [t.id for t in rows] == _order(rows), name
    assert set(waiting) <= {t.id for t in engine.queue("deputy")}
    assert {t.id for t in queries.approvals(engine, deputy)} == set(waiting)
    review = [t for t in engine.case(case.id).tasks if t.spec_id == "legal_review"][0]
    assert review.id not in {t.id for t in engine.queue("zhou")}


def test_pages_of_a_queue_united_from_many_scans_follow_on_without_gap_or_repeat_by_offset_or_by_key(engine):
    _approvals_waiting(engine, "zhang", "east", 3)
    _approvals_waiting(engine, "wang", "west", 2)
    for _ in range(3):
        engine.start("approval", by="deputy", org="city")
    deputy = engine.directory.principal("deputy")
    for read in (lambda **kw: engine.queue("deputy", **kw),
                 lambda **kw: queries.group_queue(engine, deputy, "supervisor", **kw),
                 lambda **kw: queries.approvals(engine, deputy, **kw)):
        whole = [t.id for t in read(limit=50)]
        assert len(whole) >= 5 and whole == _order(read(limit=50))
        paged = [t.id for offset in range(0, len(whole) + 2, 2) for t in read(limit=2, offset=offset)]
        assert paged == whole
        keyset, after = [], None  # each page starts after the last task of the one before
        while page := read(limit=2, after=after):
            keyset += [t.id for t in page]
            after = queries.page_key(page[-1])
        assert keyset == whole


def test_a_unit_a_role_or_a_move_made_by_another_process_shows_in_the_next_queue(engine, database_url):
    """The principal and the org subtree are cached per process by the ``directory`` counter, which
    every directory write bumps: a supervisor's queue must not keep yesterday's tree."""
    deputy = engine.directory.principal("deputy")
    assert engine.queue("deputy") == [] and queries.approvals(engine, deputy) == []  # cached
    other = Engine(database_url, clock=engine.clock)  # another worker process on the same database
    try:
        other.directory.add_org("north", "北城区", parent="city", level="区")
        other.directory.add_user("zhao", org="north", roles=["inspector"], name="赵六")
        north = _approvals_waiting(other, "zhao", "north", 1)
        other.directory.set_roles("wang", ["inspector", "supervisor"], by="boss")
        west = _approvals_waiting(other, "wang", "west", 1)
    finally:
        other.dispose()
    assert set(north) | set(west) <= {t.id for t in engine.queue("deputy")}
    assert {t.id for t in queries.approvals(engine, engine.directory.principal("deputy"))} == set(north) | set(west)
    assert {t.id for t in engine.queue("wang")} == set(west)  # wang's new role, in west only
    engine.directory.move_user("wang", "north", by="boss")
    assert {t.id for t in engine.queue("wang")} == set(north)


def test_a_queue_read_leaves_its_connection_as_the_engine_set_it_up(engine):
    """On PostgreSQL a queue is read without a transaction (``Database.read(snapshot=False)``); on
    SQLite it keeps its BEGIN, since SQLAlchemy hands an autocommit connection back reset to the
    sqlite3 module's implicit transactions (``isolation_level = ""``), which the engine turned off."""
    engine.queue("zhang")
    with engine.db.engine.connect() as conn:
        driver = conn.connection.driver_connection
        if conn.dialect.name == "sqlite":
            assert driver.isolation_level is None
        else:
            assert driver.autocommit is False


def test_next_tasks_after_a_completion_are_what_the_policy_lets_that_user_work_in_one_statement(engine):
    """下一步 (``Engine.next_tasks``, the REST API's ``next_tasks``): after 调查取证 the case waits for
    法制审核. zhou investigated and holds the 法制审核员 role, but the model's 回避 (notRoleOfCase 执法人员)
    takes the review from them: nothing is offered to zhou, though the task is of a role they hold. sun,
    a reviewer of the same district, is offered it; wang (west, an inspector) and the enterprise user
    are not. What is offered is what their queue offers, read in one statement."""
    engine.directory.add_user("sun", org="east", roles=["legal_reviewer"], name="孙")
    case = engine.start("duties", by="zhou", org="east")
    investigate = [t for t in engine.queue("zhou") if t.case_id == case.id]
    assert [t.spec_id for t in engine.next_tasks(case.id, "zhou")] == ["investigate"] == [t.spec_id for t in investigate]
    engine.complete(investigate[0].id, "zhou", {})
    offered = {who: engine.next_tasks(case.id, who) for who in ("zhou", "sun", "wang", "acme")}
    assert {who: [(t.spec_id, t.name) for t in rows] for who, rows in offered.items()} == {
        "zhou": [], "sun": [("legal_review", "法制审核")], "wang": [], "acme": []}
    assert [t.id for t in offered["sun"]] == [t.id for t in engine.queue("sun") if t.case_id == case.id]
    sun = engine.directory.principal("sun")
    with statements(engine) as seen:
        engine.next_tasks(case.id, sun)
    assert len(seen) == 1, seen


def test_next_tasks_read_alone_without_a_session_and_a_supervisor_above_still_offered(engine):
    """下一步 after a completion through the API (``Engine.next_tasks``) is one SELECT on a pooled
    connection in autocommit (``sqlexec.read_alone``): no SQLAlchemy ``Connection`` or read session
    opened for it (on SQLite no BEGIN either), the connection handed back as the engine set it up.
    A read session is opened only when the policy needs one: the city's 副局长 is still offered the
    district's 审批, which takes the district's org path."""
    db = engine.db.engine
    sqlite = engine.db.is_sqlite
    case = engine.start("duties", by="zhou", org="east")
    zhou = engine.directory.principal("zhou")
    assert [t.spec_id for t in engine.next_tasks(case.id, zhou)] == ["investigate"]  # renders the statement
    opened, returned, taken = [], [], []

    def connect(conn):
        opened.append(conn)

    def checkin(dbapi_conn, record):
        returned.append(dbapi_conn.in_transaction if sqlite else dbapi_conn.autocommit)

    def checkout(dbapi_conn, record, proxy):
        taken.append(dbapi_conn)
    held = db.pool.checkedout()
    sa.event.listen(db, "engine_connect", connect)
    sa.event.listen(db, "checkin", checkin)
    sa.event.listen(db, "checkout", checkout)
    try:
        assert [t.spec_id for t in engine.next_tasks(case.id, zhou)] == ["investigate"]
    finally:
        sa.event.remove(db, "engine_connect", connect)
        sa.event.remove(db, "checkin", checkin)
        sa.event.remove(db, "checkout", checkout)
    # the connection the last read kept (sqlexec.keep_readers): neither taken from the pool nor given
    # back, left as the engine set it up — no transaction open, out of autocommit on PostgreSQL
    assert opened == [] and taken == [] and returned == [] and db.pool.checkedout() == held
    kept = [pooled.driver_connection for pooled, _since in db.duban_readers.idle]
    assert kept and all((not c.in_transaction) if sqlite else (c.autocommit is False and c.info.transaction_status == 0)
                        for c in kept)
    approve = _approvals_waiting(engine, "zhou", "east", 1)
    approval_case = engine.task(approve[0]).case_id
    deputy = engine.directory.principal("deputy")
    assert [t.id for t in engine.next_tasks(approval_case, deputy)] == approve
    assert engine.next_tasks(approval_case, zhou) == []  # no 审批 role
