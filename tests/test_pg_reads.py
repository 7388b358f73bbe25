"""Pages on PostgreSQL read without a transaction, and the one read that needs a snapshot has one.

``Database.read()`` runs in autocommit on PostgreSQL: at READ COMMITTED a transaction gave each
statement its own snapshot anyway, so its BEGIN and ROLLBACK were two round trips a read for
nothing, and each ROLLBACK made psycopg drop its prepared statements (and send ``DEALLOCATE ALL``).
Each family of pages is fetched here through the web app on a real PostgreSQL database and what
went over the wire is read from libpq's own trace (``tests.support.round_trips``): every round
trip is one of the page's statements, none is BEGIN, COMMIT, ROLLBACK or DEALLOCATE, and none is
prepared (a generic plan made 隐患季度统计 4x as costly on the server). ``Database.read(snapshot=True)`` — the audit chain's verification, which reads the
heads and then the events — is one REPEATABLE READ transaction: a completion committed by another
thread between its two statements is not reported as a broken chain.
"""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from engine.schema import Role
from tests.conftest import _database
from tests.support import round_trips, statements_sent
from tests.test_ui_pages import general_hazard
from tests.ui_support import REGISTER_MAJOR, client_login, major_case_at, make_world, open_task

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "DEALLOCATE", "START TRANSACTION")


@pytest.fixture(scope="module")
def pg_world(tmp_path_factory, pg_admin_url):
    if pg_admin_url is None:
        pytest.skip("DUBAN_SKIP_PG=1")
    folder = tmp_path_factory.mktemp("pg_reads")
    database = _database("postgresql", folder, pg_admin_url)
    world = make_world(folder, next(database))
    world.major = major_case_at(world.engine, "review_listing")
    general_hazard(world, fix_deadline="2026-11-24")
    world.clock.advance(days=3)
    try:
        yield world
    finally:
        world.engine.dispose()
        database.close()


# (family, who, page): one or two pages of each family the web app serves
PAGES = [
    ("queues", "zhang", "/tasks/"),
    ("queues", "zhang", "/tasks/group?role=inspector"),
    ("queues", "qian", "/supervise/approvals"),
    ("case", "qian", "/cases/{case}"),
    ("case", "qian", "/cases/?status=running"),
    ("overdue", "qian", "/supervise/overdue"),
    ("overdue", "qian", "/cases/?overdue=1"),
    ("enterprises", "qian", "/enterprises/"),
    ("enterprises", "qian", "/enterprises/?q=甲化工"),
    ("leadership", "sun", "/leadership/"),
    ("leadership", "sun", "/leadership/ranking"),
    ("hazards", "qian", "/hazards/statistics"),
]


@pytest.mark.parametrize(("family", "who", "page"), PAGES, ids=[f"{f}:{p}" for f, _w, p in PAGES])
def test_a_page_waits_for_postgresql_once_per_statement_and_never_for_a_transaction(pg_world, family, who, page):
    client = client_login(pg_world.app, who)
    url = page.format(case=pg_world.major.id)
    assert client.get(url).status_code == 200  # caches warm, as in a serving process
    sent: list[str] = []
    trips = round_trips(pg_world.engine, lambda: sent.extend(statements_sent(
        pg_world.engine, lambda: client.get(url))))
    assert sent, url
    assert [t for t in trips if t.upper().startswith(TRANSACTION_CONTROL)] == []
    assert len([t for t in trips if not t.startswith("PREPARE ")]) == len(sent), trips


def test_a_page_is_planned_for_its_own_parameters_however_often_it_is_shown(pg_world):
    """A read prepares nothing (psycopg would prepare a statement on its fifth use on a connection,
    and PostgreSQL may then plan it once for all parameters: 隐患季度统计 took 4x the server CPU), nor
    does it wait for a ROLLBACK that would drop the statements the steps prepared on that connection."""
    client = client_login(pg_world.app, "qian")
    for _ in range(12):  # more than five uses on each connection the pool hands out in turn
        client.get("/cases/?status=running")
    trips = round_trips(pg_world.engine, lambda: client.get("/cases/?status=running"))
    assert trips and not [t for t in trips if t.startswith(("EXECUTE ", "PREPARE ")) or t.startswith(
        TRANSACTION_CONTROL)], trips
    driver = pg_world.engine.db.engine.raw_connection()
    try:
        assert driver.driver_connection.prepare_threshold == 5  # the steps' own statements still prepare
    finally:
        driver.close()


def test_the_audit_verification_reads_heads_and_events_as_of_one_moment(pg_world):
    """Another thread completes a task — new events, the head moved — after the verification read
    the heads and before it reads the events. In one REPEATABLE READ snapshot the chain holds;
    statement by statement (autocommit, or READ COMMITTED) it reads as "events after #n are missing"."""
    engine = pg_world.engine
    case = engine.start("hazard_supervision", by="zhang", title="并发核验案件")
    verifier = threading.get_ident()
    wrote: list[BaseException | None] = []

    def complete_in_another_thread(_conn, _cursor, statement, *_args):
        if threading.get_ident() != verifier or wrote or "FROM audit_event" not in statement:
            return

        def complete():
            try:
                engine.complete(open_task(engine, case.id, "register").id, "zhang", REGISTER_MAJOR)
                wrote.append(None)
            except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                wrote.append(exc)

        writer = threading.Thread(target=complete)
        writer.start()
        writer.join(60)

    verdict: list = []
    sa.event.listen(engine.db.engine, "before_cursor_execute", complete_in_another_thread)
    try:
        trips = round_trips(engine, lambda: verdict.append(engine.verify_audit()))
    finally:
        sa.event.remove(engine.db.engine, "before_cursor_execute", complete_in_another_thread)
    assert wrote and wrote[0] is None and engine.case(case.id).history[-1]["action"] != "started"
    assert verdict == [None]
    assert "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" in trips and "ROLLBACK" not in trips  # the writer's too
    assert engine.verify_audit() is None  # and, read again, the chain with the new events holds


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_read_session_writes_nothing(kind, fresh_database):
    """On PostgreSQL a read runs in autocommit, where a flush would commit at once: it raises."""
    from engine import Engine
    engine = Engine(fresh_database(kind))
    engine.create_all()
    try:
        with pytest.raises(RuntimeError, match="writes nothing"):
            with engine.db.read() as s:
                s.add(Role(code="ghost", name="幽灵", sees_subordinate_orgs=False))
                s.flush()
        with pytest.raises(RuntimeError, match="writes nothing"), engine.db.read(snapshot=True) as s:
            s.add(Role(code="ghost", name="幽灵", sees_subordinate_orgs=False))
            s.execute(sa.select(Role.code)).all()  # no autoflush either
            s.commit()
        assert "ghost" not in {r.code for r in engine.directory.roles()}
    finally:
        engine.dispose()
