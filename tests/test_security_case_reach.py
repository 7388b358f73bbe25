"""A page names only the cases its reader may open (security round three).

An enterprise's file (一企一档) and a case's 关联案件 list cases of other units: a 西城区 enterprise
inspected by the 东城区 bureau, a case a higher unit derived from a district's. A reader who may not
open such a case (engine/policy.py: officials read their own unit and below, an enterprise its own
cases) must not learn its title, 案号 or description from these pages either: the case is counted
(「另有 N 件其他单位办理的案件」), and the enterprise's standing still weighs it, its reason said
without the title. On a real SQLite file and a real PostgreSQL database, with the real processes.
"""
from __future__ import annotations

import re

import pytest

from tests.ui_support import REGISTER_MAJOR, client_login, make_world, open_task, start_hazard
from workflows.enterprises import EnterpriseRegistry
from workflows.enterprises.credit_code import complete

WEST_FIRM = complete("91110102MA0000003")
EAST_TITLE = "东城区局查处的西城安泰化工储罐区重大隐患"
CITY_TITLE = "市局督办的另一企业重大隐患线索"


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("reach"),
                   None if module_database_url.startswith("sqlite") else module_database_url)
    registry = EnterpriseRegistry(w.engine.db.engine, clock=w.clock.now)
    registry.add({"credit_code": WEST_FIRM, "name": "西城安泰化工有限公司", "org_unit": "east", "sector": "危化",
                  "size": "大型", "risk_level": "蓝"}, by="seed")
    # 东城区's inspector registers a major hazard of the enterprise while it is still in 东城区 (属地管理:
    # 《行政处罚法》第二十二条, tests/test_case_jurisdiction_s29.py); it then moves (迁址) to 西城区, and the case
    # stays 东城区's: a case of another district about a 西城区 enterprise
    w.east_case = w.engine.start("hazard_supervision", by="zhang", party=WEST_FIRM, title=EAST_TITLE)
    w.engine.complete(open_task(w.engine, w.east_case.id, "register").id, "zhang",
                      {**REGISTER_MAJOR, "enterprise_name": "西城安泰化工有限公司", "credit_code": WEST_FIRM,
                       "description": "东城区局现场检查记录的内部描述"})
    registry.update(WEST_FIRM, {"org_unit": "west"})
    # a case of 甲化工 in 东城区, and one the city derived from it about another enterprise in 西城区
    w.parent = start_hazard(w.engine, title="甲化工储罐区隐患")
    w.child = w.engine.start("hazard_supervision", by="zhao", org="west", party=WEST_FIRM, title=CITY_TITLE,
                             parent_case_id=w.parent.id)
    yield w
    w.engine.dispose()


def _page(world, user: str, url: str) -> str:
    response = client_login(world.app, user).get(url)
    assert response.status_code == 200, (user, url, response.status_code)
    return response.get_data(as_text=True)


def test_enterprise_file_counts_another_districts_case_without_naming_it(world):
    page = _page(world, "wang", f"/enterprises/{WEST_FIRM}")  # 西城区 inspector, the enterprise's own district
    assert EAST_TITLE not in page and world.east_case.case_no not in page
    assert "东城区局现场检查记录的内部描述" not in page
    assert re.search(r'id="hidden-cases">另有 1 件其他单位办理的案件<', page)
    # the standing still weighs the 东城区 case: 重点监管, its reason said without title or 案号
    assert re.search(r'id="standing"[^>]*>重点监管<', page)
    assert "其他单位办理的案件中另有 1 项情况" in page
    # the 西城区 case the city derived is 西城区's own: listed and linked
    assert f'href="/cases/{world.child.id}"' in page and CITY_TITLE in page


def test_enterprise_file_lists_every_case_for_a_reader_who_may_open_them(world):
    page = _page(world, "zhao", f"/enterprises/{WEST_FIRM}")  # the city's 科室负责人: every district below
    assert f'href="/cases/{world.east_case.id}"' in page and EAST_TITLE in page
    assert 'id="hidden-cases"' not in page and "重大事故隐患挂牌督办中：" + EAST_TITLE in page


def test_case_page_counts_a_related_case_of_another_district_without_its_title(world):
    for user in ("zhang", "acme"):  # 东城区's inspector; the parent case's enterprise
        page = _page(world, user, f"/cases/{world.parent.id}")
        assert CITY_TITLE not in page and world.child.case_no not in page, user
        assert re.search(r'id="related-hidden">另有 1 件其他单位办理的案件<', page), user
    page = _page(world, "zhao", f"/cases/{world.parent.id}")
    assert f'href="/cases/{world.child.id}"' in page and CITY_TITLE in page and 'id="related-hidden"' not in page
