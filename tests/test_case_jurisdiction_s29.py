"""属地管理 when a case is opened: the enterprise (当事企业) lies within the case's unit (issue 15).

《中华人民共和国行政处罚法》第二十二条: 行政处罚由违法行为发生地的行政机关管辖; 《中华人民共和国安全生产法》
第十条第一款: 县级以上地方各级人民政府应急管理部门……对本行政区域内安全生产工作实施综合监督管理.

``POST /api/cases`` and 发起案件 let 东城区's inspector open a case against an enterprise registered in
西城区: ``party`` was checked for its code's check character only, and the policy asked whether the
inspector reaches the *case's* unit, not whether the enterprise lies within it. Now
``Policy.check_party_territory`` (asked by ``check_start``, so by every start a person makes) refuses it
with 「当事企业：……属于西城区应急管理局，不在东城区应急管理局的管辖范围内……（《中华人民共和国行政处罚法》第二十二条）」,
nothing started. A unit above the enterprise's may open it (the city's bureau takes up a district's
enterprise), the enterprise's own unit and any unit above a town's enterprise may; a town may not open
one its district keeps. An enterprise the registry does not know is still a party (无证经营:
《安全生产违法行为行政处罚办法》第六十七条 生产经营单位 includes the unlawful). An enterprise account
opens only its own enterprise's case, as before.

One module world on a real SQLite file and on PostgreSQL; the page once more in Chromium.
"""
from __future__ import annotations

import pytest

from tests.ui_support import (EXPECT_TIMEOUT_MS, LiveServer, api_client, browser, client_login, close_context,
                              logged_in_page, make_world)
from workflows.enterprises import EnterpriseRegistry
from workflows.enterprises.credit_code import complete

__all__ = ["browser"]

EAST_FIRM = complete("91110101MA0J1D001")
WEST_FIRM = complete("91110102MA0J1X002")
TOWN_FIRM = complete("91110101MA0J1H003")
UNREGISTERED = complete("91110105MA0J1W004")
WEST_NAME = "西城鑫源化工有限公司"
REFUSED_WEST = (f"当事企业：{WEST_NAME}属于西城区应急管理局，不在东城区应急管理局的管辖范围内，"
                "应由西城区应急管理局或其上级单位立案（《中华人民共和国行政处罚法》第二十二条）")


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("jurisdiction"),
                   None if module_database_url.startswith("sqlite") else module_database_url)
    d = w.engine.directory
    d.add_org("east_heping", "和平镇", parent="east", level="镇")
    d.add_user("zhou_town", org="east_heping", roles=["inspector"], name="周镇", password_hash=None)
    registry = EnterpriseRegistry(w.engine.db.engine, clock=w.clock.now)
    for code, name, unit in ((EAST_FIRM, "东城宏达机械有限公司", "east"), (WEST_FIRM, WEST_NAME, "west"),
                             (TOWN_FIRM, "和平镇兴旺建材有限公司", "east_heping")):
        registry.add({"credit_code": code, "name": name, "org_unit": unit, "sector": "工贸", "size": "小型"}, by="seed")
    yield w
    w.engine.dispose()


def _started(world, user: str, party: str, org: str | None = None):
    body = {"process_key": "hazard_supervision", "title": "储罐区隐患", "party": party, **({"org": org} if org else {})}
    return api_client(world.app, world.engine, user).post("/api/cases", json=body)


def _cases_of(world, party: str) -> list:
    return [c for c in world.engine.cases("zhao", limit=500) if c.party == party]


def test_administrative_penalty_law_art22_east_inspector_cannot_open_a_west_enterprise_case_through_the_api(world):
    r = _started(world, "zhang", WEST_FIRM)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["errors"] == {"party": REFUSED_WEST}
    r = _started(world, "zhang", WEST_FIRM.lower())   # as typed: normalized first, then held to the rule
    assert r.status_code == 422 and r.get_json()["errors"] == {"party": REFUSED_WEST}
    assert all(c.org_code != "east" for c in _cases_of(world, WEST_FIRM))


def test_administrative_penalty_law_art22_the_engine_refuses_it_for_every_caller(world):
    from engine.errors import InvalidData
    with pytest.raises(InvalidData) as refused:
        world.engine.start("hazard_supervision", by="zhang", party=WEST_FIRM, title="储罐区隐患")
    assert refused.value.errors == {"party": REFUSED_WEST}


def test_administrative_penalty_law_art22_the_start_page_refuses_a_typed_west_code_and_keeps_what_was_typed(world):
    client = client_login(world.app, "zhang")
    page = client.get("/cases/new").get_data(as_text=True)
    assert "东城宏达机械有限公司" in page and WEST_NAME not in page   # the picker offers the district's own only
    form = {"_csrf": client.csrf, "process": "hazard_supervision", "title": "鑫源储罐区隐患", "party": WEST_FIRM}
    refused = client.post("/cases/new", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and REFUSED_WEST in text
    assert 'value="鑫源储罐区隐患"' in text and f'value="{WEST_FIRM}"' in text
    assert all(c.org_code != "east" for c in _cases_of(world, WEST_FIRM))


def test_work_safety_law_art10_a_city_inspector_opens_a_district_enterprise_case(world):
    r = _started(world, "zhao", WEST_FIRM)   # 示范市应急管理局 takes up 西城区's enterprise itself
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["org_code"] == "city" and r.get_json()["party"] == WEST_FIRM


def test_administrative_penalty_law_art22_the_enterprises_own_district_and_a_town_below_it(world):
    for party in (EAST_FIRM, TOWN_FIRM):   # 东城区's own enterprise, and one of 和平镇 under it
        r = _started(world, "zhang", party)
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["org_code"] == "east"
    r = _started(world, "wang", WEST_FIRM)
    assert r.status_code == 201 and r.get_json()["org_code"] == "west"


def test_administrative_penalty_law_art22_a_town_opens_its_own_enterprise_not_the_districts(world):
    assert _started(world, "zhou_town", TOWN_FIRM).status_code == 201
    r = _started(world, "zhou_town", EAST_FIRM)   # kept by 东城区: the town may not open it as its own case
    assert r.status_code == 422
    assert r.get_json()["errors"]["party"].startswith("当事企业：东城宏达机械有限公司属于东城区应急管理局，不在和平镇的管辖范围内")


def test_safety_penalty_measures_art67_an_unregistered_business_is_still_a_party(world):
    r = _started(world, "zhang", UNREGISTERED)   # 无证经营: not in the registry, its code right
    assert r.status_code == 201 and r.get_json()["party"] == UNREGISTERED


def test_an_enterprise_account_opens_only_its_own_enterprises_case(world):
    r = api_client(world.app, world.engine, "acme").post(
        "/api/cases", json={"process_key": "hazard_self_report", "title": "自查隐患", "party": WEST_FIRM})
    assert r.status_code == 403 and "本企业" in r.get_json()["message"]


@pytest.fixture(scope="module")
def server(world):
    with LiveServer(world.app) as s:
        yield s


@pytest.mark.browser
def test_administrative_penalty_law_art22_the_start_page_says_why_under_the_enterprise_field_in_chromium(
        browser, server, world):
    from playwright.sync_api import expect
    page = logged_in_page(browser, server, "zhang", 375)
    try:
        page.goto(server.url + "/cases/new")
        page.select_option("#f-process", "hazard_supervision")
        page.fill("#f-title", "鑫源储罐区隐患")
        page.fill("#f-party", WEST_FIRM)
        page.locator("#start-form button[type=submit]").click()
        field = page.locator(".field.has-error").filter(has=page.locator("#f-party"))
        expect(field.locator(".field-error")).to_have_text(REFUSED_WEST, timeout=EXPECT_TIMEOUT_MS)
        expect(page.locator("#f-party")).to_have_value(WEST_FIRM)
        expect(page.locator("#f-title")).to_have_value("鑫源储罐区隐患")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        close_context(page.context)
    assert all(c.org_code != "east" for c in _cases_of(world, WEST_FIRM))
