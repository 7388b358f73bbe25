"""Query plans of the page queries that must stay index probes at a city's or a province's size
(bench/pages.py measures them; these tests pin the index each relies on, so a change of query or
schema that would bring back a scan fails here rather than in a slow page).

SQLite plans without statistics (the engine never runs ANALYZE), as a real database does; on
PostgreSQL the planner depends on statistics, so there the index itself is checked.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

import sqlalchemy as sa

from engine import Engine, ManualClock
from engine.schema import NO_DUE_DATE, Case
from tests.support import START
from webui import overdue

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)


def _plan(conn, stmt) -> str:
    compiled = stmt.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled),
                                tuple(params[name] for name in compiled.positiontup)).all()
    return "\n".join(str(r[-1]) for r in rows)


def test_overdue_case_probe_reads_one_cases_tasks_by_deadline_not_every_overdue_task(database_url):
    """逾期督办 (webui/overdue.py) asks per case whether an open task is past its deadline. Probed by
    (state, due_at) instead, each case read every overdue task of the city: the overdue board took
    1.8 s at 10,000 tasks and minutes at 100,000."""
    engine = Engine(database_url, clock=ManualClock(START))
    engine.create_all()
    with engine.db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            plan = _plan(conn, sa.select(sa.func.count()).select_from(Case).where(overdue.condition(NOW)))
            probe = [line for line in plan.splitlines() if "human_task" in line]
            assert probe and all("ix_human_task_case_due (case_id=? AND state=? AND due_at<?)" in line
                                 for line in probe), plan
        indexes = {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("human_task")}
    assert indexes["ix_human_task_case_due"] == ["case_id", "state", "due_at"]
    engine.dispose()


def _pg_plan(conn, stmt) -> str:
    compiled = stmt.compile(dialect=conn.dialect)
    return "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).all())


def _captured(engine, action) -> list:
    """The statements ``action`` sends, with their parameters."""
    seen = []
    listener = lambda conn, cursor, statement, params, context, many: seen.append((statement, params))  # noqa: E731
    sa.event.listen(engine.db.engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        sa.event.remove(engine.db.engine, "before_cursor_execute", listener)
    return seen


def test_a_city_supervisors_pool_is_read_per_org_unit_in_queue_order_on_postgresql(postgres_url):
    """组待办/我的待办 of a supervisory role over 50 org units: ``org_code IN (…)`` with ORDER BY … LIMIT
    made PostgreSQL read and sort the role's whole pool (166,000 tasks, a second, at a province's size);
    each org unit is now one ordered range scan of ix_human_task_unclaimed, stopped after a page.
    The org units go as one array parameter: with one parameter each, a city of 60 units made a
    statement of 60+ parameters, whose conversion psycopg does not cache (over 50), about 1 ms of
    CPU per queue (bench/queue.py)."""
    from tests.support import START
    engine = Engine(postgres_url, clock=ManualClock(START))
    engine.create_all()
    d = engine.directory
    d.add_role("supervisor", "负责人", sees_subordinate_orgs=True)
    d.add_org("city", "市")
    for i in range(60):
        d.add_org(f"d{i}", f"第{i}区", parent="city")
    d.add_user("chief", org="city", roles=["supervisor"])
    statements = _captured(engine, lambda: engine.queue("chief", limit=20))
    pool = [(st, p) for st, p in statements if "human_task" in st and "unnest" in st]
    assert pool, "the supervisory branch is not read per org unit"
    assert len(pool[0][1]) < 10, f"{len(pool[0][1])} parameters for 61 org units"
    with engine.db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + pool[0][0], pool[0][1]).all())
    assert "Function Scan on unnest" in plan and "ix_human_task_unclaimed" in plan, plan
    engine.dispose()


def test_overdue_probe_is_per_case_on_postgresql_never_a_hash_of_every_overdue_task(postgres_url):
    engine = Engine(postgres_url, clock=ManualClock(START))
    engine.create_all()
    with engine.db.engine.connect() as conn:
        plan = _pg_plan(conn, sa.select(sa.func.count()).select_from(Case).where(overdue.condition(NOW)))
    assert "SubPlan" in plan and "hashed SubPlan" not in plan, plan
    engine.dispose()


def _hazard_groups_statement(engine):
    """The dashboard's one read of running hazards by unit, grade and overdue listing, as sent."""
    from tests.leadership_support import NOW as LEADERSHIP_NOW
    from workflows.leadership import dashboard, period as periods, scope as scopes
    d = engine.directory
    d.add_org("city", "市")
    with engine.db.read() as s:
        scope = scopes.load(s, "city")
    quarter = periods.parse("2026Q4", LEADERSHIP_NOW)

    def read():
        with engine.db.read() as s:
            dashboard.hazards_open(s, scope, quarter, LEADERSHIP_NOW)
    statements = _captured(engine, read)
    return next((st, p) for st, p in statements if "GROUP BY" in st and "hazard_grade" in st)


def test_dashboard_hazards_are_summed_from_the_tally_never_from_the_cases(database_url):
    """领导驾驶舱 在办隐患/挂牌逾期: summed from case_hazard_tally (revision 0010), the counts triggers keep
    by org unit, grade and listing deadline. Grouped from ix_case_instance_hazards, a view read one
    index entry per running hazard (100,000 at a province's size); from ``data``, PostgreSQL parsed the
    JSON of every running case several times (846 ms)."""
    engine = Engine(database_url, clock=ManualClock(START))
    engine.create_all()
    statement, params = _hazard_groups_statement(engine)
    assert "FROM case_hazard_tally" in statement and "case_instance" not in statement, statement
    engine.dispose()


def test_a_users_exclusions_are_read_by_username_from_an_index_never_a_scan_of_every_exclusion(database_url):
    """Every queue starts by reading the tasks a 回避 rule hides from the user (with the directory
    counter and their candidacies, ``Scope.of``). task_exclusion's key starts with the task, so that
    read scanned every exclusion of the province; revision 0007 adds ix_task_exclusion_username."""
    engine = Engine(database_url, clock=ManualClock(START))
    engine.create_all()
    engine.directory.add_role("inspector", "执法人员")
    engine.directory.add_org("city", "市")
    engine.directory.add_user("zhang", org="city", roles=["inspector"])
    statements = _captured(engine, lambda: engine.queue("zhang"))
    context = [(st, p) for st, p in statements if "task_exclusion" in st]
    assert len(context) == 1 and "task_candidate" in context[0][0] and "counter" in context[0][0], statements
    with engine.db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + context[0][0],
                                                                        context[0][1]).all())
            probe = [line for line in plan.splitlines() if "task_exclusion" in line]
            assert probe and all("INDEX ix_task_exclusion_username (username=?)" in line for line in probe), plan
        else:
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + context[0][0], context[0][1]).all())
            assert "ix_task_exclusion_username" in plan, plan
        indexes = {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("task_exclusion")}
    assert indexes["ix_task_exclusion_username"] == ["username", "task_id"]
    engine.dispose()


def test_ranking_sums_inspections_from_the_tally_never_from_every_enterprise(database_url):
    """通报排名 检查完成率: graded enterprises and those inspected in time per unit, summed from
    enterprise_inspection_tally (revision 0012), which triggers keep as the registry changes; counted
    from ix_enterprises_inspection, a view read one index entry per graded enterprise (100,000)."""
    from tests.leadership_support import NOW as LEADERSHIP_NOW
    from workflows.leadership import period as periods, ranking, scope as scopes
    engine = Engine(database_url, clock=ManualClock(START))
    engine.create_all()
    engine.directory.add_org("city", "市")
    with engine.db.read() as s:
        scope = scopes.load(s, "city")
    quarter = periods.parse("2026Q4", LEADERSHIP_NOW)

    def read():
        with engine.db.read() as s:
            ranking._inspection_counts(s, scope, quarter, LEADERSHIP_NOW)
    statement, params = next((st, p) for st, p in _captured(engine, read) if "inspect" in st)
    assert "FROM enterprise_inspection_tally" in statement and "enterprises " not in statement + " ", statement
    engine.dispose()


def test_postgresql_plans_are_not_jit_compiled(postgres_url):
    """The 逾期督办 list's query is estimated as costly (an OR with an EXISTS over 100,000 cases), and
    PostgreSQL's JIT spent 50-115 ms compiling it for a 13 ms execution: the engine's connections run
    without JIT (engine/database.py)."""
    engine = Engine(postgres_url, clock=ManualClock(START))
    with engine.db.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
    engine.dispose()


def test_overdue_board_reads_each_cell_from_its_own_index_range_never_every_overdue_task(database_url):
    """逾期督办 board (engine/queries.py overdue_board): each (org unit, process) cell is one range of
    ix_human_task_overdue (process_key, org_code, due_at) WHERE state = 'open', counted up to the cap. Grouped from
    ix_human_task_due instead, it read every overdue task of the province (200,000: 40 ms quiet, half a
    second under load) on every view of the board."""
    from engine.queries import overdue_board
    engine = Engine(database_url, clock=ManualClock(START))
    engine.create_all()
    d = engine.directory
    d.add_role("supervisor", "负责人", sees_subordinate_orgs=True)
    d.add_org("city", "市")
    d.add_org("east", "东城区", parent="city")
    d.add_user("chief", org="city", roles=["supervisor"])
    chief = d.principal("chief")
    for cap in (1000, None):
        statements = _captured(engine, lambda: overdue_board(engine, chief, NOW, cap=cap))
        statement, params = next((st, p) for st, p in statements if "human_task" in st)
        with engine.db.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
                reads = [line for line in plan.splitlines() if "human_task" in line]
                assert reads and all("ix_human_task_overdue (process_key=? AND org_code=? AND due_at<?)"
                                     in line for line in reads), plan
            else:
                conn.exec_driver_sql("SET enable_seqscan = off")
                plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, params))
                # one LATERAL range scan per cell (count and oldest deadline at once), no grouping of all
                assert "using ix_human_task_overdue" in plan and ("Limit" in plan) == (cap is not None), plan
                assert "ix_human_task_due " not in plan and "HashAggregate" not in plan, plan
    engine.dispose()


def _explain(engine, statement: str, params) -> str:
    """The plan of a captured statement: SQLite's query plan, or PostgreSQL's with sequential scans off
    (an empty table is cheapest to scan; what matters is that the index serves the query)."""
    with engine.db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            return "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
        conn.exec_driver_sql("SET enable_seqscan = off")
        return "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, params))


def test_done_tasks_are_read_from_the_partial_index_of_completed_tasks(database_url):
    """已办 (``completed_by = ?``, newest first) reads ix_human_task_done, which holds completed tasks
    only (revision 0015: an open task's NULL entry was one more index page for every step to write)."""
    engine = Engine(database_url, clock=ManualClock(START))
    engine.create_all()
    statements = _captured(engine, lambda: engine.done_by("zhang"))
    statement, params = next((st, p) for st, p in statements if "human_task" in st)
    plan = _explain(engine, statement, params)
    if engine.db.is_sqlite:
        assert "SEARCH human_task USING INDEX ix_human_task_done (completed_by=?)" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # newest first straight from the index
    else:
        assert "ix_human_task_done" in plan and "Sort" not in plan, plan
    # An external user's cases (engine/policy.py assigned_case_ids): the OR's completed_by branch too.
    engine.directory.add_role("expert", "专家")
    engine.directory.add_org("city", "市")
    engine.directory.add_user("li", org="city", roles=["expert"])
    query = sa.select(Case.id).where(Case.id.in_(engine.policy.assigned_case_ids(engine.directory.principal("li"))))
    with engine.db.engine.connect() as conn:
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        params = (tuple(compiled.params[n] for n in compiled.positiontup) if engine.db.is_sqlite
                  else compiled.params)
    plan = _explain(engine, str(compiled), params)
    assert ("INDEX ix_human_task_done (completed_by=?)" if engine.db.is_sqlite
            else "Bitmap Index Scan on ix_human_task_done") in plan, plan
    # Its other branches: an open task it holds, an open unclaimed task of its role (revision 0016).
    # (PostgreSQL, its tables empty, may take any open-task index for them: each branch is an index.)
    if engine.db.is_sqlite:
        assert "INDEX ix_human_task_assignee (assignee=?)" in plan, plan
        assert "INDEX ix_human_task_unclaimed (role_code=? AND org_code=?)" in plan, plan
    else:
        assert "BitmapOr" in plan and "Seq Scan on human_task" not in plan, plan
    engine.dispose()


def test_directory_history_reads_the_directory_chains_by_action_from_the_partial_index(database_url):
    """变更记录 (webui/admin_queries.py): the system and auth chains' account changes, by action, from
    ix_audit_event_action (chain, action) WHERE case_id IS NULL — an index no case event enters
    (revision 0015), so the auth chain's logins are not read one by one either."""
    from webui.admin_queries import directory_history
    engine = Engine(database_url, clock=ManualClock(START))
    engine.create_all()
    for who in ({"username": "zhang"}, {"org": "city"}, {}):
        statements = _captured(engine, lambda: directory_history(engine, **who))
        statement, params = next((st, p) for st, p in statements if "audit_event" in st)
        plan = _explain(engine, statement, params)
        if engine.db.is_sqlite:
            reads = [line for line in plan.splitlines() if "audit_event" in line]
            assert reads and all("USING INDEX ix_audit_event_action (chain=? AND action=?)" in line
                                 for line in reads), plan
        else:
            assert "ix_audit_event_action" in plan, plan
    engine.dispose()


def test_the_message_producer_reads_the_events_after_its_cursor_by_id(database_url):
    """The message producer (workflows/messages/producer.py) reads events after its cursor whose action
    makes a message, in id order: a range of the primary key, not one per action of an index every
    step would have to write (revision 0015)."""
    from workflows.messages import producer
    engine = Engine(database_url, clock=ManualClock(START))
    engine.create_all()
    producer.start_cursor(engine.db.engine)
    statements = _captured(engine, lambda: producer.produce(engine))
    statement, params = next((st, p) for st, p in statements if "FROM audit_event" in st and " IN " in st)
    plan = _explain(engine, statement, params)
    if engine.db.is_sqlite:
        assert "SEARCH audit_event USING INTEGER PRIMARY KEY (rowid>?)" in plan and "TEMP B-TREE" not in plan, plan
    else:
        assert "on audit_event_pkey" in plan and "Index Cond: (id > " in plan, plan
    engine.dispose()


# A comparison of human_task.state with a bound parameter, as SQLAlchemy writes one (SQLite, psycopg).
_BOUND_STATE = re.compile(r"human_task\.state = (\?|%\()")


def _task_reads(engine, action) -> list[str]:
    """The plans of the statements ``action`` sends that read human_task; none of them binds
    ``state`` (SQLite would re-prepare it at every execution: the open-task indexes are partial on it)."""
    statements = [(st, p) for st, p in _captured(engine, action) if "FROM human_task" in st]
    assert statements
    for statement, _params in statements:
        assert not _BOUND_STATE.search(statement), statement
    return [_explain(engine, st, p) for st, p in statements]


def _task_indexes(plan: str, is_sqlite: bool) -> set[str]:
    """The indexes of human_task a plan reads; on SQLite each read of the table must use one."""
    if is_sqlite:
        reads = [line for line in plan.splitlines() if re.search(r"\b(SCAN|SEARCH) human_task\b", line)]
        assert all(" USING " in line for line in reads), plan
        return {m for line in reads for m in re.findall(r"INDEX (\w+)|(PRIMARY KEY)", line)[0] if m}
    return set(re.findall(r"(?:Index|Index Only|Bitmap Index) Scan (?:Backward )?(?:using|on) (\w+)", plan))


def _queue_world(database_url):
    """tests/support.py's city with one real case and 4,000 task rows of it as a year leaves them:
    most completed, a fifth open and unclaimed (some overdue, some an enterprise's), a few claimed;
    PostgreSQL gets statistics, as autovacuum gives it (empty tables make any index look as cheap)."""
    from datetime import timedelta
    from engine.schema import HumanTask
    from tests.support import deploy, make_engine
    engine = make_engine(database_url)
    deploy(engine, "approval.bpmn")
    case = engine.start("approval", by="zhang", org="east")
    users, roles, orgs = ["zhang", "li", "wang", "boss"], ["inspector", "supervisor", "enterprise"], ["east", "west", "city"]

    def row(i: int) -> dict:
        state = "completed" if i % 5 < 3 else "cancelled" if i % 5 == 3 and i % 3 == 0 else "open"
        claimed = state != "open" or i % 20 == 4
        due = NOW + timedelta(hours=(i % 100) - 30) if i % 2 else None
        return {"id": f"plan-{i:05d}", "case_id": case.id, "spec_id": "t", "name": "办理", "lane": None,
                "role_code": roles[i % 3], "org_code": orgs[(i // 3) % 3], "assignee": users[i % 4] if claimed else None,
                "party": "91110000000000001H" if i % 3 == 2 else None, "state": state, "priority": 0, "due_at": due,
                "due_sort": due or NO_DUE_DATE, "created_at": NOW, "process_key": "approval", "case_no": case.case_no,
                "completed_by": users[i % 4] if state == "completed" else None,
                "completed_at": NOW if state != "open" else None, "case_title": "", "reminders": 0}
    with engine.db.engine.begin() as conn:
        conn.execute(HumanTask.__table__.insert(), [row(i) for i in range(4000)])
    if not engine.db.is_sqlite:
        with engine.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE human_task")
    return engine


def test_every_queue_reads_the_open_task_indexes_with_state_written_into_the_sql(database_url):
    """The open-task indexes hold open tasks only (revision 0016: a completion no longer moves an entry
    of each to a 'completed' range that every done task stayed in). Each queue's branches read them:
    claimed tasks ix_human_task_assignee, a role's pool ix_human_task_unclaimed, an enterprise's pool
    ix_human_task_party, overdue tasks ix_human_task_due; and ``state`` is a literal in each statement,
    or the planner could not take a partial index without knowing the value (SQLite re-prepares)."""
    from engine import queries
    from webui.admin_queries import claimed_tasks
    engine = _queue_world(database_url)
    sqlite = engine.db.is_sqlite
    d = engine.directory
    d.add_user("chief", org="city", roles=["supervisor"])

    def indexes(action) -> set[str]:
        return set().union(*(_task_indexes(plan, sqlite) for plan in _task_reads(engine, action)))

    unclaimed, assignee = "ix_human_task_unclaimed", "ix_human_task_assignee"
    assert {assignee, unclaimed} <= indexes(lambda: engine.queue("zhang"))
    assert {assignee, unclaimed} <= indexes(lambda: engine.queue("chief"))
    assert unclaimed in indexes(lambda: queries.group_queue(engine, d.principal("zhang"), "inspector"))
    assert {assignee, unclaimed} <= indexes(lambda: queries.approvals(engine, d.principal("chief")))
    assert "ix_human_task_party" in indexes(lambda: engine.queue("acme"))
    assert "ix_human_task_party" in indexes(lambda: queries.group_queue(engine, d.principal("acme"), "enterprise"))
    assert "ix_human_task_due" in indexes(lambda: queries.overdue_tasks(engine, d.principal("chief"), NOW))
    assert assignee in indexes(lambda: claimed_tasks(engine, "zhang"))
    assert assignee in indexes(lambda: engine.reassign_all("chief", "li", by="boss"))
    engine.dispose()


def test_the_open_task_indexes_are_partial_and_without_the_state_column(database_url):
    """Fails when an open-task index is made whole again, or state comes back as its first column."""
    engine = Engine(database_url, clock=ManualClock(START))
    engine.create_all()
    with engine.db.engine.connect() as conn:
        indexes = {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("human_task")}
    assert set(indexes) >= {"ix_human_task_unclaimed", "ix_human_task_party", "ix_human_task_assignee",
                            "ix_human_task_due", "ix_human_task_overdue", "ix_human_task_case_due",
                            "ix_human_task_done"}
    assert "ix_human_task_pool" not in indexes
    for name in ("ix_human_task_unclaimed", "ix_human_task_party", "ix_human_task_assignee",
                 "ix_human_task_due", "ix_human_task_overdue"):
        assert "state" not in indexes[name], name
    engine.dispose()


def test_a_cold_steps_one_read_of_a_case_probes_each_table_by_an_index_of_case_id(database_url):
    """engine/case_rows.py: a cold step reads the case's workflow and task rows and what its
    projections last wrote in one UNION ALL; each branch must stay a probe by case id (a scan of
    wf_task or human_task would cost a cold step the whole table). PostgreSQL with sequential scans
    off: an index can serve each branch."""
    from engine.case_rows import CASE_ROWS
    engine = Engine(database_url, clock=ManualClock(START))
    engine.create_all()
    tables = ("wf_workflow", "wf_task", "human_task", "timer", "event_wait", "external_task")
    with engine.db.engine.connect() as conn:
        rendered = CASE_ROWS.rendered(conn.dialect)
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + rendered.sql, (7,) * len(rendered.order)).all()
            probes = [str(r[-1]) for r in rows if any(f" {t} " in f"{r[-1]} " for t in tables)]
            assert len(probes) == len(tables), probes
            assert all(p.startswith("SEARCH") and "case_id=?" in p for p in probes), probes
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            # positional since 10a4ccd (engine/sqlexec._positional: %s and a tuple in the statement's order)
            plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + rendered.sql,
                                                                  (7,) * len(rendered.order)).all())
            assert "Seq Scan" not in plan, plan
            assert all(f" on {t}" in plan for t in tables), plan
    engine.dispose()


def test_hazard_lists_and_statistics_read_the_indexes_that_hold_only_hazard_cases_on_sqlite(tmp_path):
    """On SQLite the three hazard indexes hold hazard cases only (``hazard_found_day IS NOT NULL``,
    revision 0020), so that another process's step does not rewrite its entries in them. A reader
    whose conditions do not imply that predicate cannot use them and reads the process's cases
    instead: the dashboard's lists behind 在办隐患/挂牌逾期 and the quarterly statistics' reads per
    enterprise and of the odd cases are pinned to them here."""
    from tests.leadership_support import NOW as LEADERSHIP_NOW
    from tests.leadership_support import build_world
    from workflows import hazard_ledger
    from workflows.leadership import dashboard, period as periods, scope as scopes
    world = build_world(tmp_path)
    engine = world.engine
    with engine.db.read() as s:
        scope = scopes.load(s, "city")
    quarter = periods.parse("2026Q4", LEADERSHIP_NOW)

    def listed(metric, params):
        with engine.db.read() as s:
            return s.execute(dashboard.case_ids(s, metric, scope, quarter, LEADERSHIP_NOW, params)).all()
    for metric, params in (("hazards_open", {}), ("hazards_open", {"grade": "重大"}),
                           ("hazards_open", {"unit": "east"}), ("listings_overdue", {})):
        (statement, values), = [(st, p) for st, p in _captured(engine, lambda: listed(metric, params))
                                if "FROM case_instance" in st]
        with engine.db.engine.connect() as conn:
            plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, values))
        assert "ix_case_instance_hazards" in plan, (metric, params, plan)
    sent = _captured(engine, lambda: hazard_ledger.quarterly_statistics(engine, 2026, 4, limit=20))
    keyed = [(st, p) for st, p in sent if "GROUP BY case_instance.hazard_key" in st]
    odd = [(st, p) for st, p in sent if "case_instance.hazard_found_day = ?" in st]
    assert keyed and odd
    with engine.db.engine.connect() as conn:
        for statement, params in (keyed[0], odd[0]):  # by the day found or by the enterprise's key
            plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
            assert re.search(r"INDEX ix_case_instance_hazard_(found|key) \(hazard_", plan), plan
    engine.dispose()
