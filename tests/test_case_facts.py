"""Case facts the leadership pages count (隐患等级, 挂牌督办的整改期限) as generated columns of
``case_instance`` (revision 0006): kept by the database from ``data`` on every step's write, and filled
for the cases that existed before the revision, on SQLite and PostgreSQL. The dashboard's figures
read them instead of every case's JSON (bench/pages.py: 846 ms at 100,000 cases on PostgreSQL)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import command

from engine import case_facts, migrate
from engine.database import make_engine
from engine.schema import Case
from tests.ui_support import REGISTER_MAJOR, make_world, open_task, start_hazard, walk


def _facts(engine, case_id):
    with engine.db.read() as s:
        return s.execute(sa.select(Case.hazard_grade, Case.listing_deadline).where(Case.id == case_id)).one()


def test_the_facts_follow_the_data_each_step_writes(database_url, tmp_path):
    world = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    engine = world.engine
    case = start_hazard(engine)
    assert tuple(_facts(engine, case.id)) == (None, None)  # nothing registered yet
    engine.complete(open_task(engine, case.id, "register").id, "zhang", REGISTER_MAJOR)
    assert tuple(_facts(engine, case.id)) == ("重大", None)  # 重大, not listed yet
    walk(engine, case.id, "submit_plan")  # proposed with its 整改期限, then listed (挂牌)
    data = engine.case(case.id).data
    assert data["listed_at"] and data["rectify_deadline"] == "2027-02-26"
    assert tuple(_facts(engine, case.id)) == ("重大", "2027-02-26")
    engine.dispose()


def _row(conn, case_no: str, data: str) -> None:
    conn.exec_driver_sql(
        "INSERT INTO case_instance (case_no, process_key, model_id, bundle_hash, org_code, title, status, "
        "escalation_level, version, data, started_by, started_at, updated_at) VALUES "
        f"('{case_no}', 'hazard_supervision', 1, 'b', 'city', '隐患', 'running', 0, 1, '{data}', 'zhang', "
        "'2026-11-01 00:00:00', '2026-11-01 00:00:00')")


def _hazard_model(conn) -> None:
    """The rows a hazard case row refers to: the org unit 'city', a bundle and the hazard_supervision model."""
    now = datetime(2026, 11, 1)
    conn.execute(sa.text("INSERT INTO org_unit (code, name, path) VALUES ('city', '市局', '/city/')"))
    conn.execute(sa.text("INSERT INTO spec_bundle (hash, content) VALUES ('b', '{}')"))
    conn.execute(sa.text("INSERT INTO process_model (id, key, kind, name, version, filename, content, content_hash, "
                         "deployed_by, deployed_at) VALUES (1, 'hazard_supervision', 'bpmn', '隐患', 1, 'h.bpmn', "
                         "'<x/>', 'h', 'system', :now)"), {"now": now})


def test_revision_0006_fills_the_facts_of_the_cases_already_there(database_url):
    sa_engine = make_engine(database_url)
    with sa_engine.begin() as conn:
        command.upgrade(migrate.config(conn), "0005_provisional_deadline")
        _hazard_model(conn)
        _row(conn, "A", '{"hazard_grade": "重大", "listed_at": "2026-08-01", "rectify_deadline": "2026-11-20"}')
        _row(conn, "B", '{"hazard_grade": "一般", "rectify_deadline": "2026-12-01"}')  # not listed
        _row(conn, "C", '{}')
    assert migrate.upgrade(sa_engine)
    with sa_engine.connect() as conn:
        rows = conn.execute(sa.select(Case.case_no, Case.hazard_grade, Case.listing_deadline)
                            .order_by(Case.case_no)).all()
    assert [tuple(r) for r in rows] == [("A", "重大", "2026-11-20"), ("B", "一般", None), ("C", None, None)]
    sa_engine.dispose()


def test_on_sqlite_a_step_of_another_process_runs_no_hazard_program(sqlite_url):
    """SQLite runs a trigger's program — its registers allocated and cleared — on every statement
    that fires it, and tests the WHEN inside. Every step's UPDATE sets ``data``: a trigger that
    fires on it and computes the hazard facts (a program of thousands of instructions) cost a 5-task
    case's UPDATE ~9 µs for nothing. Since revision 0020 the triggers a step fires only hand a hazard
    case to ``case_hazard_facts_input``, whose INSTEAD OF trigger computes the facts; the facts stay
    those of the data (tests/test_hazard_quarter_facts.py compares them case by case)."""
    import re
    sa_engine = make_engine(sqlite_url)
    migrate.upgrade(sa_engine)
    with sa_engine.connect() as conn:
        triggers = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all()
    fired, computing = [], []
    for name, sql in triggers:
        event = re.search(r"AFTER UPDATE (?:OF ([\w, ]+) )?ON case_instance", sql)
        if event and (event.group(1) is None or "data" in [c.strip() for c in event.group(1).split(",")]):
            fired.append(name)
        if "json_each" in sql:
            computing.append(name)
    assert "case_instance_hazard_facts_update" in fired
    assert computing == ["case_hazard_facts_input_keep"], computing
    assert not set(fired) & set(computing)
    # Most steps set no more than ``updated_at`` and ``version`` (their data unchanged): no trigger
    # fires on that, the tallies' included — they name the columns their counts are made of.
    on_update = {name: re.search(r"AFTER UPDATE (?:OF ([\w, ]+) )?ON case_instance", sql) for name, sql in triggers}
    on_update = {name: event.group(1) for name, event in on_update.items() if event}
    assert {"case_hazard_tally_update_in", "hazard_quarter_tally_update_out"} <= set(on_update)
    for name, columns in on_update.items():
        assert columns is not None and not {"updated_at", "version"} & {c.strip() for c in columns.split(",")}, name
    sa_engine.dispose()


def _instructions(sqlite_url: str, sql: str) -> int:
    """The VDBE instructions of ``sql``, its triggers' programs included, prepared on a new connection
    (a pooled one may answer ``EXPLAIN`` from a statement it prepared before the schema changed)."""
    import sqlite3
    conn = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    try:
        return len(conn.execute("EXPLAIN " + sql).fetchall())
    finally:
        conn.close()


def test_on_sqlite_the_step_that_ends_a_case_carries_each_fact_once(sqlite_url):
    """SQLite compiles the facts program (the view's INSTEAD OF trigger) into every statement that may
    fire it, whatever the case's process: the ``UPDATE`` of the step that ends a case (``status``,
    ``ended_at``) and of each step that changes a case's data — ~2.4 ms to prepare once a connection
    for each set of columns a step writes, and a few µs more to run. Revision 0023 fences the inner
    SELECT of the facts (``case_facts.select_facts(fenced=True)``): flattened, each of ``outcome`` and
    ``due_day`` was compiled twice (11,360 instructions for the ending ``UPDATE``; fenced ~7,000).
    The facts stay those Python reads (tests/test_hazard_quarter_facts.py, case by case); the
    downgrade makes the unfenced form again."""
    sa_engine = make_engine(sqlite_url)
    migrate.upgrade(sa_engine)
    ending = ("UPDATE case_instance SET status = 'completed', ended_at = '2026-12-06 08:00:00.000000', "
              "updated_at = '2026-12-06 08:00:00.000000', version = 3, last_task = NULL WHERE id = 1")
    fenced = _instructions(sqlite_url, ending)
    with sa_engine.connect() as conn:
        keep = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'case_hazard_facts_input_keep'").scalar()
    assert fenced < 8_000, fenced
    assert " LIMIT -1) AS g" in keep
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), "0022_case_status_index")
    assert _instructions(sqlite_url, ending) > fenced + 3_000
    sa_engine.dispose()


def test_on_sqlite_a_hazard_step_that_moves_none_of_the_facts_inputs_computes_no_facts(sqlite_url):
    """原国家安全监管总局令第16号 quarterly facts (engine/case_facts.py): a hazard case's write computes its
    facts (the view's INSTEAD OF trigger: one ``json_each`` pivot, then a second ``UPDATE`` of the row
    and its three hazard indexes) only when one of the eleven keys the facts read, or a column they
    read, changed (revision 0033). A step that only adds another key (a 办理意见) moves none: no second
    write (``total_changes`` counts the rows triggers change too). A key the facts read, a change of
    its JSON type, a key taken out, the status and the party each still recompute them; the downgrade
    gives the trigger that recomputes on every write again."""
    import sqlite3
    sa_engine = make_engine(sqlite_url)
    migrate.upgrade(sa_engine)
    with sa_engine.begin() as conn:
        _hazard_model(conn)
        _row(conn, "A", '{"found_on": "2026-11-02", "hazard_grade": "一般", "rectify_cost": "3200"}')
    sa_engine.dispose()
    db = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)

    def write(sql: str) -> tuple[int, tuple]:
        before = db.total_changes
        db.execute(sql)
        facts = db.execute("SELECT hazard_found_day, hazard_outcome, hazard_due_day, hazard_cost_fen, hazard_key "
                           "FROM case_instance WHERE case_no = 'A'").fetchone()
        return db.total_changes - before, facts

    def data(text: str) -> str:
        return f"UPDATE case_instance SET data = '{text}' WHERE case_no = 'A'"

    try:
        rows, facts = write("SELECT 1")
        assert facts[3] == 320000 and facts[0] >= 0  # 3200 元 in 分, found on a day
        # another key added, the facts' keys as they were: the row alone is written
        assert write(data('{"found_on": "2026-11-02", "hazard_grade": "一般", "rectify_cost": "3200", '
                          '"opinion": "同意"}')) == (1, facts)
        assert write(data('{"found_on": "2026-11-02", "rectify_cost": "3200", "hazard_grade": "一般", '
                          '"opinion": "复核"}')) == (1, facts)  # keys in another order, the same values
        # a key the facts read: recomputed (the second UPDATE), the money follows
        rows, moved = write(data('{"found_on": "2026-11-02", "hazard_grade": "一般", "rectify_cost": "4500.5"}'))
        assert rows >= 2 and moved[3] == 450050
        # the same amount as a JSON number instead of text: a change of type is a change
        assert write(data('{"found_on": "2026-11-02", "hazard_grade": "一般", "rectify_cost": 4500.5}'))[0] >= 2
        # the amount taken out: recomputed
        rows, dropped = write(data('{"found_on": "2026-11-02", "hazard_grade": "一般"}'))
        assert rows >= 2 and dropped != moved
        assert write("UPDATE case_instance SET status = 'cancelled' WHERE case_no = 'A'")[1][1] == case_facts.EXCLUDED
        rows, party = write("UPDATE case_instance SET party = '91110000100000000X' WHERE case_no = 'A'")
        assert rows >= 2 and party[4] == "91110000100000000X"
        db.close()
        with make_engine(sqlite_url).begin() as conn:
            command.downgrade(migrate.config(conn), "0029_assessor_firm")
        db = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
        assert write(data('{"found_on": "2026-11-02", "hazard_grade": "一般", "opinion": "同意"}'))[0] >= 2
    finally:
        db.close()


def test_on_postgresql_a_step_of_another_process_calls_no_hazard_function(postgres_url):
    """原国家安全监管总局令第16号 quarterly facts on PostgreSQL (revision 0031): the BEFORE UPDATE trigger
    calls its plpgsql function only ``WHEN`` the row is or was a hazard case's; every other process's
    step (each writes ``data``) called it to set five NULL facts to NULL again. Seen from outside by a
    fact set by hand (an UPDATE naming only the facts fires no trigger): another process's case keeps
    it through a write of its data (no call); a hazard case's write still works its facts out, every
    time (a moved amount, the party, the status), and a case moved out of the hazard processes loses
    them. The downgrade gives the trigger that is called for every case's write again."""
    sa_engine = make_engine(postgres_url)
    migrate.upgrade(sa_engine)
    with sa_engine.begin() as conn:
        _hazard_model(conn)
        conn.execute(sa.text("INSERT INTO process_model (id, key, kind, name, version, filename, content, "
                             "content_hash, deployed_by, deployed_at) VALUES (2, 'five_tasks', 'bpmn', '五步', 1, "
                             "'f.bpmn', '<x/>', 'f', 'system', '2026-11-01')"))
        _row(conn, "A", '{"found_on": "2026-11-02", "hazard_grade": "一般", "rectify_cost": "3200"}')
        _row(conn, "B", '{"opinion": "同意"}')
        conn.exec_driver_sql("UPDATE case_instance SET process_key = 'five_tasks', model_id = 2 WHERE case_no = 'B'")

    def write(sql: str, case_no: str = "A") -> tuple:
        with sa_engine.begin() as conn:
            if sql:
                conn.exec_driver_sql(sql)
            return tuple(conn.exec_driver_sql(
                "SELECT hazard_found_day, hazard_outcome, hazard_due_day, hazard_cost_fen, hazard_key "
                f"FROM case_instance WHERE case_no = '{case_no}'").one())

    def data(text: str, case_no: str = "A") -> str:
        return f"UPDATE case_instance SET data = '{text}' WHERE case_no = '{case_no}'"

    def marked(case_no: str = "A") -> None:  # a fact no input gives: kept only if the function is not called
        write(f"UPDATE case_instance SET hazard_cost_fen = -7 WHERE case_no = '{case_no}'")

    facts = write("")
    assert facts[3] == 320000 and facts[0] >= 0  # 3200 元 in 分, found on a day
    assert write(data('{"opinion": "复核"}', "B"), "B") == (None,) * 5
    marked("B")
    assert write(data('{"opinion": "同意"}', "B"), "B")[3] == -7  # another process: no call
    # a hazard case: worked out at every write of what the facts are made of
    marked()
    assert write(data('{"found_on": "2026-11-02", "hazard_grade": "一般", "rectify_cost": "3200", "opinion": "同意"}'))[3] == 320000
    assert write(data('{"found_on": "2026-11-02", "hazard_grade": "一般", "rectify_cost": "4500.5"}'))[3] == 450050
    assert write("UPDATE case_instance SET party = '91110000100000000X' WHERE case_no = 'A'")[4] == "91110000100000000X"
    assert write("UPDATE case_instance SET status = 'cancelled' WHERE case_no = 'A'")[1] == case_facts.EXCLUDED
    # moved out of the hazard processes (none does): called on the old row's account, the facts NULL
    assert write("UPDATE case_instance SET process_key = 'five_tasks', model_id = 2 WHERE case_no = 'A'") == (None,) * 5
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), "0030_party_hidden_messages")
    marked("B")
    assert write(data('{"opinion": "复核"}', "B"), "B")[3] is None
    sa_engine.dispose()
