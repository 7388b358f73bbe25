"""The living 隐患清单 on the enterprise file, the 16号令 quarterly statistics (原国家安全监管总局令第16号
第十四条: 每季度统计分析, 下一季度15日前报送) and an enterprise user reporting a hazard from the web UI —
on one module world (real engine on SQLite, real app, the test client)."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.ui_support import client_login, make_world
from workflows.demo import Desk
from workflows.enterprises import EnterpriseRegistry
from workflows.enterprises.credit_code import complete
from workflows.hazard_ledger import hazard_list, quarter_bounds, quarterly_statistics, report_due

PROCESS = "hazard_self_report"
ACME = complete("91110101MA0000001")   # 东城 (east)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("ledger"))
    EnterpriseRegistry(w.engine.db.engine, clock=w.clock.now).add(
        {"credit_code": ACME, "name": "甲化工有限公司", "org_unit": "east", "sector": "危化", "size": "中型",
         "risk_level": "黄"}, by="seed")
    w.engine.directory.add_user("jia_aq", org="east", roles=["enterprise"], name="甲化工安全员", party=ACME,
                                password_hash=w.engine.directory.user("zhang").password_hash)
    w.desk = Desk(w.engine)
    yield w
    w.engine.dispose()


def report(w, **changes) -> int:
    c = w.engine.start(PROCESS, by="jia_aq", party=ACME, title=changes.get("location", "自查隐患")).id
    w.desk.do(c, "自查上报隐患", user="jia_aq", enterprise_name="甲化工有限公司", **changes)
    return c


def test_an_enterprise_user_reports_a_hazard_from_the_web_but_may_start_nothing_else(world):
    """seed 003 自查自改自报: the enterprise starts the report itself; other processes stay closed to it."""
    acme = client_login(world.app, "jia_aq")
    page = acme.get("/cases/new").get_data(as_text=True)
    assert "隐患自查自报" in page and "重大事故隐患挂牌督办" not in page and 'name="party"' not in page
    assert "自查上报" in page                                           # the nav item
    response = acme.post("/cases/new", data={"_csrf": acme.csrf, "process": PROCESS, "title": "自查：储罐液位计失灵"})
    assert response.status_code == 302
    case_id = int(response.location.rsplit("/", 1)[1])
    assert world.engine.case(case_id).party == ACME
    assert acme.post("/cases/new", data={"_csrf": acme.csrf, "process": "hazard_supervision"}).status_code == 403
    assert client_login(world.app, "zhang").get("/cases/new").status_code == 200


def test_the_file_lists_open_overdue_and_rectified_hazards_16hao_ling_art_14(world):
    today = world.desk.today()
    world.clock.advance(days=-2)  # reported two days ago, to be fixed by yesterday (a past day is refused now)
    overdue = report(world, location="卸车台", fix_deadline=(today - dt.timedelta(days=1)).isoformat())
    world.clock.advance(days=2)
    open_ = report(world, location="配电室")
    fixed = report(world, location="仓库")
    world.desk.do(fixed, "整改并报告销号", user="jia_aq", rectify_cost="1200")
    major = report(world, location="液氯罐区", requires_shutdown=True, fix_deadline=None)
    world.engine.run_due_timers()
    listing = hazard_list(world.engine, ACME)
    by_location = {e["location"]: e for e in listing["items"]}
    assert by_location["卸车台"]["status"] == "逾期未整改" and by_location["配电室"]["status"] == "整改中"
    assert by_location["仓库"]["status"] == "已整改" and by_location["仓库"]["rectified_on"] == today.isoformat()
    # the 重大 report is listed once, as the 挂牌督办 case it opened
    major_rows = [e for e in listing["items"] if e["location"] == "液氯罐区"]
    assert [e["process_key"] for e in major_rows] == ["hazard_supervision"] and major_rows[0]["source"] == "企业自查上报"
    assert listing["items"][0]["status"] == "逾期未整改"                   # overdue first
    page = client_login(world.app, "jia_aq").get(f"/enterprises/{ACME}").get_data(as_text=True)
    section = re.search(r'id="hazard-list".*?</section>', page, re.S).group(0)
    for status in ("逾期未整改", "整改中", "已整改"):
        assert f'data-status="{status}"' in section
    assert "卸车台" in section and "企业自查上报" in section
    assert {overdue, open_, fixed, major}


def test_quarterly_statistics_per_enterprise_and_district_with_quarter_boundaries_16hao_ling_art_14(world):
    """Found in the quarter (its first and last day count, the next quarter's first day does not);
    rectified counts only up to the quarter's last day; due by the 15th of the next quarter."""
    assert quarter_bounds(2026, 4) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert report_due(2026, 4) == dt.date(2027, 1, 15) and report_due(2026, 1) == dt.date(2026, 4, 15)
    report(world, location="季度首日", found_on="2026-10-01")
    report(world, location="季度末日", found_on="2026-12-31", fix_deadline="2027-01-10")
    report(world, location="下季度", found_on="2027-01-01", fix_deadline="2027-01-10")
    before = quarterly_statistics(world.engine, 2026, 4)
    q4 = quarterly_statistics(world.engine, 2026, 4, ["east"])
    assert q4["total"] == before["total"]
    total = q4["total"]
    items = [e for e in hazard_list(world.engine, ACME)["items"] if "2026-10-01" <= e["found_on"] <= "2026-12-31"]
    assert total["found"] == len(items) and "下季度" not in {e["location"] for e in items}
    assert total["found_major"] == 1 and total["rectified"] == 1 and total["rectify_cost"] == "1200.00"
    assert total["rate"] == f"{100 / total['found']:.1f}%"
    assert [d["name"] for d in q4["districts"]] == ["东城区应急管理局"]
    assert q4["enterprises"][0]["name"] == "甲化工有限公司" and q4["enterprises"][0]["found"] == total["found"]
    assert quarterly_statistics(world.engine, 2027, 1)["total"]["found"] == 1
    assert quarterly_statistics(world.engine, 2026, 4, ["west"])["total"]["found"] == 0


def test_the_statistics_page_is_for_officials_and_reads_full_width_digits(world):
    zhang = client_login(world.app, "zhang")
    page = zhang.get("/hazards/statistics?year=２０２６&quarter=４").get_data(as_text=True)
    assert "2026年第4季度" in page and "2027年1月15日" in page and "东城区应急管理局" in page
    assert 'id="stats-enterprises"' in page and "甲化工有限公司" in page
    assert "隐患统计" in page
    assert zhang.get("/hazards/statistics?year=abc&quarter=9").status_code == 200   # falls back to this quarter
    assert client_login(world.app, "jia_aq").get("/hazards/statistics").status_code == 403
