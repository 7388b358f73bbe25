"""挂牌层级 in its own column (revision 0035): the 挂牌督办 board reads ``ix_case_instance_hazards`` alone.

The 逾期督办 page's 挂牌督办 table (engine/queries.listing_board; 安全生产法 第四十一条第二款, 原国家安全监管总局令
第16号 第十四条、第十五条) groups open listings by unit and 挂牌层级 (bpmn/listing_level.dmn). The level was
read from each listed case's JSON; ``case_instance.listing_level`` holds it now, kept by the hazard-facts
trigger (engine/case_facts.py) and held in the index. On SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from alembic import command

from engine import migrate, queries
from engine.schema import Case
from tests.ui_support import MAJOR_PATH, REGISTER_MAJOR, major_case_at, make_world, open_task, start_hazard

TODAY = date(2026, 11, 25)
BEFORE = "0032_case_prefix"


def _listed(engine, title: str, level: str) -> int:
    """A 重大 hazard walked up to its 督办通知 (listed: 整改期限 set), the DMN giving 挂牌层级 from ``level``."""
    return major_case_at(engine, "issue_notice", title, proposal={"supervision_level": level}).id
    raise AssertionError("the path has no 下达通知书")


@pytest.fixture(scope="module")
def world(tmp_path_factory, module_database_url):
    folder = tmp_path_factory.mktemp("listing_level")
    w = make_world(folder, None if module_database_url.startswith("sqlite") else module_database_url)
    w.province = _listed(w.engine, "甲化工储罐区防火堤缺失", "省")
    w.county = _listed(w.engine, "丙仓储库房消防通道堵塞", "区县")
    yield w
    w.engine.dispose()


def _board(w) -> dict[tuple[str, str], int]:
    p = w.engine.directory.principal("zhang")
    return {(c.org_code, c.level): c.open for c in queries.listing_board(w.engine, p, TODAY)}


def _column(w, case_id: int) -> str | None:
    with w.engine.db.engine.connect() as conn:
        return conn.execute(sa.select(Case.listing_level).where(Case.id == case_id)).scalar_one()


def test_a_major_hazard_listed_by_the_dmn_shows_on_the_board_under_its_listing_level_16hao_ling_art14(world):
    assert _column(world, world.province) == "省级挂牌督办"
    assert _column(world, world.county) == "县（区）级挂牌督办"
    assert _board(world) == {("east", "省级挂牌督办"): 1, ("east", "县（区）级挂牌督办"): 1}
    p = world.engine.directory.principal("zhang")
    cases = queries.listing_cases(world.engine, p, TODAY, org="east", level="省级挂牌督办", window="open")
    assert [c.id for c in cases] == [world.province]


def test_a_listing_level_changed_by_a_later_step_moves_the_case_on_the_board(world):
    """The proposal returned (审核挂牌建议: 退回) and proposed again at another 企业监管层级: the DMN's new
    挂牌层级 is the column's, and the case is counted under it once 批准挂牌督办 lists it."""
    e = world.engine
    case = start_hazard(e, title="乙冶金煤气柜泄漏报警失效")
    e.complete(open_task(e, case.id, "register").id, "zhang", REGISTER_MAJOR)
    propose = dict(MAJOR_PATH[0][2])
    e.complete(open_task(e, case.id, "propose").id, "zhang", propose)
    assert _column(world, case.id) == "县（区）级挂牌督办"
    e.complete(open_task(e, case.id, "review_listing").id, "qian",
               {"listing_review_decision": "退回", "listing_review_opinion": "企业属省级监管，请按省级挂牌"})
    e.complete(open_task(e, case.id, "propose").id, "zhang", dict(propose, supervision_level="省"))
    assert e.case(case.id).data["listing_level"] == "省级挂牌督办"
    assert _column(world, case.id) == "省级挂牌督办"
    for element, user, data in MAJOR_PATH[1:3]:
        e.complete(open_task(e, case.id, element).id, user, data)
    assert _board(world) == {("east", "省级挂牌督办"): 2, ("east", "县（区）级挂牌督办"): 1}


def test_the_board_reads_the_hazard_index_only_on_postgresql(world):
    if world.engine.db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan")
    sa_engine = world.engine.db.engine
    seen: list = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "GROUP BY" in statement and "case_instance" in statement:
            seen.append((statement, parameters))
    sa.event.listen(sa_engine, "before_cursor_execute", keep)
    try:
        _board(world)
    finally:
        sa.event.remove(sa_engine, "before_cursor_execute", keep)
    assert len(seen) == 1, seen
    statement, parameters = seen[0]
    with sa_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE) case_instance")  # the visibility map an index-only scan needs
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql("SET enable_bitmapscan = off")
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters).all())
    assert "Index Only Scan using ix_case_instance_hazards" in plan, plan


def test_a_case_listed_before_revision_0035_has_its_level_in_the_column_after_it(database_url, tmp_path):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    listed = _listed(w.engine, "甲化工储罐区防火堤缺失", "区县")
    w.engine.dispose()
    sa_engine = w.engine.db.engine
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), BEFORE)
    with sa_engine.connect() as conn:
        assert "listing_level" not in {c["name"] for c in sa.inspect(conn).get_columns("case_instance")}
    assert migrate.upgrade(sa_engine)
    with sa_engine.connect() as conn:
        assert migrate.current(conn) == migrate.heads()
        assert conn.execute(sa.select(Case.listing_level).where(Case.id == listed)).scalar_one() == "县（区）级挂牌督办"
        # another process's case has none
        assert conn.execute(sa.select(sa.func.count()).select_from(Case)
                            .where(Case.listing_level.is_not(None))).scalar_one() == 1
    sa_engine.dispose()
