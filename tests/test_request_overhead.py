"""What every page pays before its own work (issue 15): one statement reads the session row, the
directory counter, the message producer's position, the user's unread count and the newest process
model together (webui/sessions.py ``add_column``), and the caches keyed by them let a change show on
the very next click — a revoked session, a new message, a changed role or org unit, a new model's
name. On a real SQLite file and a real PostgreSQL database.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.ui_support import client_login, major_case_at, make_world, open_task, start_hazard
from webui import sessions
from workflows.messages import producer


@pytest.fixture
def world(tmp_path, database_url):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    yield w
    w.engine.dispose()


def statements(world, client, url: str) -> list[str]:
    """The SQL one request sends (BEGIN, which SQLite's reads start with, left out)."""
    sent: list[str] = []

    def log(_conn, _cursor, statement, *_args):
        if statement.strip().upper() != "BEGIN":
            sent.append(" ".join(statement.split()))
    sa.event.listen(world.engine.db.engine, "before_cursor_execute", log)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(world.engine.db.engine, "before_cursor_execute", log)
    return sent


def unread(html: str) -> int:
    found = re.search(r'id="unread-count">(\d+)<', html)
    return int(found.group(1)) if found else 0


def test_a_page_spends_one_statement_on_session_messages_and_names(world):
    client = client_login(world.app, "zhang")
    for _ in range(2):  # the caches warm on the first clicks
        client.get("/messages/")
    sent = statements(world, client, "/messages/")
    # The session row (with counter, producer position, unread count, newest model), then the page's list.
    assert len(sent) == 2, sent
    assert sent[0].startswith("SELECT web_session.") and "FROM message " in sent[1]


def test_a_revoked_session_is_refused_at_once(world):
    client = client_login(world.app, "zhang")
    assert client.get("/messages/").status_code == 200
    sessions.revoke_sessions(world.engine, "zhang")
    assert client.get("/messages/").status_code == 302


def test_a_new_message_shows_on_the_next_page(world):
    client = client_login(world.app, "zhang")
    before = unread(client.get("/messages/").get_data(as_text=True))
    start_hazard(world.engine, title="新隐患")            # 新待办 for east's inspectors: zhang among them
    page = client.get("/messages/").get_data(as_text=True)  # the catch-up writes it, the count follows
    assert unread(page) == before + 1 and "新隐患" in page
    # Written by another process (the worker's producer) between two clicks: read with the session row.
    case = start_hazard(world.engine, title="再一个隐患")
    producer.produce(world.engine)
    assert unread(client.get("/tasks/").get_data(as_text=True)) == before + 2


def test_marking_read_shows_at_once(world):
    client = client_login(world.app, "zhang")
    start_hazard(world.engine, title="新隐患")
    assert unread(client.get("/messages/").get_data(as_text=True)) == 1
    client.post("/messages/read", data={"all": "1", "_csrf": client.csrf})
    assert unread(client.get("/messages/").get_data(as_text=True)) == 0


def test_a_role_change_shows_on_the_next_page(world):
    client = client_login(world.app, "zhang")
    assert "逾期督办" not in client.get("/tasks/").get_data(as_text=True)
    world.engine.directory.set_roles("zhang", ["inspector", "supervisor"])
    assert "逾期督办" in client.get("/tasks/").get_data(as_text=True)
    assert client.get("/supervise/overdue").status_code == 200
    world.engine.directory.set_roles("zhang", ["inspector"])
    assert client.get("/supervise/overdue").status_code == 403


def test_an_org_move_changes_the_enterprises_in_scope_at_once(world):
    """隐患统计 and 企业档案 take the org subtree from the directory's cache (webui/parties.py)."""
    client = client_login(world.app, "zhang")
    start = world.engine.start("hazard_supervision", by="wang", party=None, title="西城隐患")
    assert start.org_code == "west"
    from tests.ui_support import REGISTER_MAJOR
    data = dict(REGISTER_MAJOR, major_criterion=None, requires_shutdown=False, fix_deadline="2026-11-30",
                enterprise_name="西城某公司", credit_code=None)
    world.engine.complete(open_task(world.engine, start.id, "register").id, "wang", data)
    assert "西城某公司" not in client.get("/hazards/statistics?year=2026&quarter=4").get_data(as_text=True)
    world.engine.directory.move_user("zhang", "city")
    assert "西城某公司" in client.get("/hazards/statistics?year=2026&quarter=4").get_data(as_text=True)


def test_a_newly_deployed_models_name_shows_at_once(world):
    """Process names are kept per engine until the newest model id read with the session row moves."""
    client = client_login(world.app, "zhang")
    start_hazard(world.engine, title="名称测试")
    assert '<td data-label="流程">重大事故隐患挂牌督办</td>' in client.get("/cases/").get_data(as_text=True)  # the case's row
    content = world.engine.models.latest("hazard_supervision").content
    world.engine.deploy(content.replace('name="重大事故隐患挂牌督办"', 'name="事故隐患挂牌督办（新版）"').encode("utf-8"),
                        by="boss", filename="hazard_supervision.bpmn")
    assert '<td data-label="流程">事故隐患挂牌督办（新版）</td>' in client.get("/cases/").get_data(as_text=True)


def test_the_case_pages_task_check_is_may_work_for_every_user_and_task(world):
    """The case page decides which open tasks show their form with one policy call over the tasks it
    read (Policy.workable), no longer ``may_work`` per task: the same answer for every user and task,
    with a 回避 exclusion and a named candidate among them."""
    from engine.errors import Forbidden
    from engine.schema import HumanTask, TaskCandidate, TaskExclusion
    from engine.directory import version_column
    from tests.ui_support import PEOPLE
    e = world.engine
    cases = [start_hazard(e, title="东城隐患"), start_hazard(e, title="西城隐患", by="wang"),
             major_case_at(e, "review_listing", title="待审核隐患")]
    east, west = open_task(e, cases[0].id, "register"), open_task(e, cases[1].id, "register")
    review = open_task(e, cases[2].id, "review_listing")
    with e.db.write() as s:
        s.add(TaskExclusion(task_id=east.id, username="zhang", reason="本人为当事企业近亲属"))
        s.add(TaskCandidate(task_id=west.id, username="li"))        # an east inspector named on a west task
        s.add(TaskCandidate(task_id=review.id, username="wang"))    # an inspector named on a supervisor's task
    with e.db.read() as s:
        version = s.execute(sa.select(version_column())).scalar() or 0
    for username, *_ in PEOPLE:
        p = e.directory.principal(username)
        with e.db.read() as s:
            rows = list(s.scalars(sa.select(HumanTask).where(HumanTask.state == "open")))
            got = e.policy.workable(s, p, rows, version)
        assert got == {t.id for t in rows if e.may_work(t.id, username)}, username
        for case in cases:
            try:
                e.case(case.id, username)
                seen = True
            except Forbidden:
                seen = False
            assert seen == e.can_view(case.id, username), (username, case.id)
    with e.db.read() as s:
        assert e.policy.workable(s, e.directory.principal("li"), [east, west]) == {east.id, west.id}
        assert e.policy.workable(s, e.directory.principal("zhang"), [east, west]) == set()


def test_the_case_pages_derived_cases_are_found_by_index(world):
    """派生案件 on the case page (engine/queries.py child_cases) by ``parent_case_id``: an index range,
    not a read of every case of the province (revision 0013)."""
    from engine.queries import child_cases
    from engine.schema import Case
    parent = start_hazard(world.engine, title="上级案件")
    query = (sa.select(Case.id, Case.case_no, Case.title, Case.process_key, Case.status)
             .where(Case.parent_case_id == parent.id).order_by(Case.id))
    assert child_cases(world.engine, parent.id) == []
    with world.engine.db.engine.connect() as conn:
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")  # a small table: ask which index it would take
            plan = " ".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql))
        else:
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert "ix_case_instance_parent_case_id" in plan, plan
