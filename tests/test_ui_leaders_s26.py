"""The leaders' and the administrator's views (issue 15).

1. 逾期督办's 挂牌督办 table: the open 重大事故隐患 under 挂牌督办 of the viewer's units counted per unit and
   挂牌层级 (bpmn/listing_level.dmn: 省级/市级/县（区）级挂牌督办) — 已逾期 (past the 整改期限 the 督办通知 set,
   安全生产法 第四十一条第二款; 原国家安全监管总局令第16号), 7日内到期 and 在办 — each count a link to the cases it
   counts (the same conditions), within the viewer's scope.

2. 系统管理 › 审计链校验: when the audit chains were last verified, by whom, 完整 or 断裂 at which case (its
   title) and which step; 立即校验 walks them in a thread of the server, never holding the request;
   administrators only, others told so in Chinese (403).
3. 案件查询's 当事企业 suggestions: the names holding what an official types, fetched as they type
   (GET /parties/suggest, within their units) instead of 200 names sent with every view.

Our hazard process walked through the engine on SQLite and PostgreSQL (one world a database for the
module); the pages through Flask's test client and in Chromium at 1280 and 375 px.
"""
from __future__ import annotations

import os
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from engine import audit_seal
from workflows.enterprises import EnterpriseRegistry
from workflows.enterprises.credit_code import complete
from tests.ui_support import (MAJOR_PATH, REGISTER_MAJOR, START, browser, client_login, close_context,
                              logged_in_page, major_case_at, make_world, open_task, start_hazard)
from tests.ui_support import server  # noqa: F401 (the module's live server, from its world)

__all__ = ["browser"]

ENGLISH = re.compile(r"[A-Za-z_]{4,}")
ENTERPRISES = [(complete("91110101MA0000L11"), "东城鑫华化工有限公司", "east"),
               (complete("91110101MA0000L12"), "东城鑫华物流有限公司", "east"),
               (complete("91110102MA0000L13"), "西城鑫华机械有限公司", "west")]
CITY_PATH = {"review_listing": "zhao", "approve_listing": "zhou"}  # a 市级 listing is reviewed and approved at the city
# (title, 企业监管层级 as the proposal gives it, 整改期限): START is 2026-11-23
LISTED = [("甲化工储罐区防火堤缺失", "省", "2026-11-26"),      # 省级挂牌督办, due in 3 days
          ("乙冶金煤气柜泄漏报警失效", "设区的市", "2026-12-20"),  # 市级挂牌督办
          ("丙仓储库房消防通道堵塞", "区县", "2027-02-26")]       # 县（区）级挂牌督办


def _listed(engine, title: str, level: str, deadline: str) -> int:
    return major_case_at(engine, "issue_notice", title, proposal={"supervision_level": level, "rectify_deadline": deadline},
                         users=CITY_PATH if level == "设区的市" else None).id


@pytest.fixture(scope="module")
def world(tmp_path_factory, module_database_url):
    folder = tmp_path_factory.mktemp("leaders")
    # the heads a whole verification keeps outside the database (engine/audit_seal.py): here, not in var/
    kept = os.environ.get(audit_seal.HEADS_FILE_ENV)
    os.environ[audit_seal.HEADS_FILE_ENV] = str(folder / "audit.heads")
    w = make_world(folder, None if module_database_url.startswith("sqlite") else module_database_url)
    d = w.engine.directory
    password = d.user("zhang").password_hash
    d.add_user("admin1", org="city", roles=["admin"], name="系统管理员", password_hash=password)
    d.add_user("zhou", org="city", roles=["leader"], name="周局长", password_hash=password)
    d.add_user("wu", org="west", roles=["supervisor"], name="吴科长", password_hash=password)
    registry = EnterpriseRegistry(w.engine.db.engine, clock=w.clock.now)
    for code, name, org in ENTERPRISES:
        registry.add({"credit_code": code, "name": name, "org_unit": org, "sector": "危化", "size": "中型"}, by="seed")
    w.cases = {title: _listed(w.engine, title, level, deadline) for title, level, deadline in LISTED}
    yield w
    w.engine.dispose()
    if kept is None:
        os.environ.pop(audit_seal.HEADS_FILE_ENV, None)
    else:
        os.environ[audit_seal.HEADS_FILE_ENV] = kept


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _board(client) -> str:
    html = client.get("/supervise/overdue").get_data(as_text=True)
    found = re.search(r'<section class="card" id="listings">.*?</section>', html, re.S)
    return found.group(0) if found else ""


def _links(section: str) -> dict[str, str]:
    """Each count's link by its words, e.g. ``东城区应急管理局|省级挂牌督办|7日内到期 1``."""
    out = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S):
        unit = _text(re.search(r"<th>(.*?)</th>", row, re.S).group(1)) if "<th>" in row else ""
        for label, cell in re.findall(r'<td data-label="([^"]+)"[^>]*>(.*?)</td>', row, re.S):
            for href, words in re.findall(r'<a class="\w+" href="([^"]+)">([^<]+)</a>', cell):
                out[f"{unit}|{label}|{words}"] = href.replace("&amp;", "&")
    return out


def _listed_titles(client, href: str) -> list[str]:
    response = client.get(href)
    assert response.status_code == 200, _text(response.get_data(as_text=True))[:300]
    rows = re.findall(r'<tr data-case-no="[^"]+">(.*?)</tr>', response.get_data(as_text=True), re.S)
    return [_text(re.findall(r"<td>(.*?)</td>", r, re.S)[1]) for r in rows]


def test_the_overdue_board_counts_open_listings_by_unit_and_listing_level_each_count_opening_its_cases(world):
    zhao = client_login(world.app, "zhao")
    section = _board(zhao)
    assert section, "逾期督办 has no 挂牌督办 table"
    words = _text(section)
    assert "在办 3 件，已逾期 0 件，7日内到期 1 件" in words, words
    links = _links(section)
    assert links["东城区应急管理局|省级挂牌督办|7日内到期 1"] and links["东城区应急管理局|市级挂牌督办|在办 1"], links
    assert [k for k in links if k.startswith("东城区应急管理局|合计|")] == ["东城区应急管理局|合计|7日内到期 1",
                                                                         "东城区应急管理局|合计|在办 3"]
    # the levels highest first, as the DMN ranks them
    heads = re.findall(r"<th>([^<]+)</th>", section.split("</thead>")[0])
    assert heads == ["单位", "省级挂牌督办", "市级挂牌督办", "县（区）级挂牌督办", "合计"], heads
    assert _listed_titles(zhao, links["东城区应急管理局|省级挂牌督办|7日内到期 1"]) == ["甲化工储罐区防火堤缺失"]
    assert _listed_titles(zhao, links["东城区应急管理局|合计|在办 3"]) == [t for t, _l, _d in LISTED]  # deadline order
    query = parse_qs(urlparse(links["东城区应急管理局|市级挂牌督办|在办 1"]).query)
    assert query == {"unit": ["east"], "level": ["市级挂牌督办"], "when": ["open"]}
    assert _listed_titles(zhao, links["东城区应急管理局|市级挂牌督办|在办 1"]) == ["乙冶金煤气柜泄漏报警失效"]


def test_the_listing_table_keeps_to_the_viewers_units_and_refuses_others_in_chinese(world):
    qian = client_login(world.app, "qian")  # 东城区's 科室负责人: their own unit
    assert "在办 3 件" in _text(_board(qian))
    wu = client_login(world.app, "wu")  # 西城区's: none of 东城区's listings, and no way to list them
    assert _board(wu) == ""
    response = wu.get("/leadership/listings?unit=east&when=open")
    assert response.status_code == 403 and "只能查看本单位及下级单位的挂牌督办案件" in _text(response.get_data(as_text=True))
    assert _listed_titles(wu, "/leadership/listings?when=open") == []
    response = wu.get("/leadership/listings?when=late")
    assert response.status_code == 400 and "已逾期、7日内到期或在办" in _text(response.get_data(as_text=True))
    acme = client_login(world.app, "acme")  # an enterprise: no 督办 pages
    assert acme.get("/leadership/listings?when=open").status_code == 403


def test_a_listing_past_its_notice_deadline_counts_as_overdue_from_the_next_day(world):
    zhao = client_login(world.app, "zhao")
    world.clock.set(START + timedelta(days=3))  # 2026-11-26: the 省级 listing's last day
    try:
        assert "已逾期 0 件，7日内到期 1 件" in _text(_board(zhao))
        world.clock.set(START + timedelta(days=4))  # 2026-11-27: past it
        section = _board(zhao)
        assert "在办 3 件，已逾期 1 件，7日内到期 0 件" in _text(section), _text(section)
        links = _links(section)
        assert _listed_titles(zhao, links["东城区应急管理局|省级挂牌督办|已逾期 1"]) == ["甲化工储罐区防火堤缺失"]
        page = zhao.get(links["东城区应急管理局|省级挂牌督办|已逾期 1"]).get_data(as_text=True)
        assert "已逾期1天" in _text(page)
    finally:
        world.clock.set(START)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_leader_reads_the_listing_table_and_opens_a_count_in_chromium(world, server, browser, width):
    page = logged_in_page(browser, server, "zhao", width)
    try:
        page.goto(server.url + "/supervise/overdue")
        table = page.locator("#listing-board")
        expect(table).to_be_visible()
        expect(page.locator("#listings h2")).to_contain_text("在办 3 件")
        shown = table.inner_text()  # at 375 px a row is a card: a level's name is its line's label (CSS)
        assert "东城区应急管理局" in shown and not ENGLISH.search(shown), shown
        level = table.locator('tr[data-unit="east"] td[data-level="省级挂牌督办"]')
        label = level.evaluate("td => getComputedStyle(td, '::before').content")
        assert ("省级挂牌督办" in shown) if width > 700 else label == '"省级挂牌督办"', (shown, label)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"
        page.locator('#listing-board tr[data-unit="east"] td[data-level="省级挂牌督办"] a.soon').click()
        expect(page.locator("#drill-title")).to_have_text("挂牌督办重大事故隐患 · 东城区应急管理局 · 省级挂牌督办 · 7日内到期")
        expect(page.locator("#cases tbody tr")).to_have_count(1)
        expect(page.locator("#cases tbody tr")).to_contain_text("3天后到期")
        assert not ENGLISH.search(page.locator("main").inner_text())
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        close_context(page.context)


def test_case_search_sends_no_enterprise_names_and_suggests_those_of_the_users_units_as_they_type(world):
    qian = client_login(world.app, "qian")  # 东城区
    html = qian.get("/cases/").get_data(as_text=True)
    listed = html[html.index('id="enterprise-names"'):]
    assert listed.startswith('id="enterprise-names"></datalist>'), listed[:300]  # was 200 names a view
    assert qian.get("/parties/suggest?q=鑫华").get_json() == [
        {"name": "东城鑫华物流有限公司", "code": ENTERPRISES[1][0]}, {"name": "东城鑫华化工有限公司", "code": ENTERPRISES[0][0]}]
    assert qian.get("/parties/suggest?q=西城鑫华").get_json() == []  # 西城区's: not 东城区's to see
    assert qian.get("/parties/suggest?q=%20").get_json() == []
    assert [e["name"] for e in qian.get(f"/parties/suggest?q={ENTERPRISES[0][0][:8]}").get_json()] == [
        "东城鑫华化工有限公司", "东城鑫华物流有限公司"]  # a credit code's first characters: by code
    zhao = client_login(world.app, "zhao")  # 示范市: both districts
    assert len(zhao.get("/parties/suggest?q=鑫华").get_json()) == 3
    acme = client_login(world.app, "acme")  # an enterprise names no other party
    response = acme.get("/parties/suggest?q=鑫华")
    assert response.status_code == 403 and "只有监管部门的工作人员可以按名称查找企业" in _text(response.get_data(as_text=True))
    # a name or part of one still finds the case, with or without the list
    assert "当事企业" in _text(qian.get("/cases/?party=东城鑫华化工有限公司").get_data(as_text=True))


@pytest.mark.parametrize("width", [1280, 375])
def test_the_case_search_box_offers_names_as_an_official_types_in_chromium(world, server, browser, width):
    page = logged_in_page(browser, server, "qian", width)
    try:
        page.goto(server.url + "/cases/")
        options = page.locator("#enterprise-names option")
        expect(options).to_have_count(0)
        page.locator("#f-party").press_sequentially("鑫华化")
        expect(options).to_have_count(1)
        expect(page.locator("#enterprise-names option[value='东城鑫华化工有限公司']")).to_have_count(1)
        page.locator("#f-party").fill("鑫华")
        expect(options).to_have_count(2)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        close_context(page.context)


# --- 2. 系统管理 › 审计链校验 ----------------------------------------------------------------------------

def _verified(client, timeout: float = 20.0) -> str:
    """The audit page once its verification has an outcome (the walk runs in a thread of the server)."""
    import time
    ends = time.monotonic() + timeout
    while True:
        words = _text(client.get("/admin/audit/").get_data(as_text=True))
        if "校验中" not in words or time.monotonic() > ends:
            return words
        time.sleep(0.2)


def test_the_audit_chain_page_is_for_administrators_only_and_refuses_others_in_chinese(world):
    for username in ("zhao", "qian", "acme"):
        client = client_login(world.app, username)
        for response in (client.get("/admin/audit/"), client.post("/admin/audit/verify", data={"_csrf": client.csrf})):
            assert response.status_code == 403, username
            assert "只有系统管理员可以访问系统管理页面" in _text(response.get_data(as_text=True))
    admin = client_login(world.app, "admin1")
    assert "审计链校验" in _text(admin.get("/admin").get_data(as_text=True))


def test_an_administrator_verifies_the_chain_and_reads_when_by_whom_and_that_it_is_whole(world):
    admin = client_login(world.app, "admin1")
    response = admin.post("/admin/audit/verify", data={"_csrf": admin.csrf})
    assert response.status_code == 302
    words = _verified(admin)
    assert "由 系统管理员 发起" in words and "完整" in words and "全部签名相符、前后相连" in words, words
    assert "断裂" not in words and not re.search(r"\baudit_\w+", words)


def test_an_altered_record_shows_as_broken_at_the_cases_title_and_step(world):
    import sqlalchemy as sa
    case_id = world.cases["乙冶金煤气柜泄漏报警失效"]
    chain = f"case:{case_id}"
    with world.engine.db.read() as s:
        from engine.schema import AuditEvent
        seq, original = s.execute(sa.select(AuditEvent.seq, AuditEvent.detail).where(
            AuditEvent.chain == chain, AuditEvent.action == "completed", AuditEvent.detail.contains("审核挂牌建议"))).one()
    try:
        with world.engine.db.engine.begin() as conn:  # someone with the database but not the key edits a decision
            conn.execute(sa.text("UPDATE audit_event SET detail = :d WHERE chain = :c AND seq = :s"),
                         {"d": original.replace("同意", "不同意"), "c": chain, "s": seq})
        admin = client_login(world.app, "admin1")
        admin.post("/admin/audit/verify", data={"_csrf": admin.csrf})
        words = _verified(admin)
        assert "断裂" in words, words
        where = words.split(" 断在 ", 1)[1]
        assert where.startswith("案件「乙冶金煤气柜泄漏报警失效」（HS-"), where[:80]
        assert f"第 {seq} 条记录：办理「审核挂牌建议」" in where and "写入后被改动过" in where, where[:300]
    finally:
        with world.engine.db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_event SET detail = :d WHERE chain = :c AND seq = :s"),
                         {"d": original, "c": chain, "s": seq})


@pytest.mark.parametrize("width", [1280, 375])
def test_an_administrator_verifies_the_audit_chain_in_chromium(world, server, browser, width):
    page = logged_in_page(browser, server, "admin1", width)
    try:
        page.goto(server.url + "/admin")
        page.locator("#admin-audit").click()
        expect(page.locator("h1")).to_have_text("审计链校验")
        page.locator("#audit-verify").click()
        expect(page.locator("#audit-result")).to_contain_text("完整", timeout=20_000)
        expect(page.locator("#audit-started")).to_contain_text("由 系统管理员 发起")
        assert not ENGLISH.search(page.locator("main").inner_text())
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        close_context(page.context)
