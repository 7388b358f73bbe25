"""单位类别 for administrators (session 23): which registered units are 安全评价检测检验机构.

The 评估机构名称 of 第三方评估整改效果 is picked among the registry's 安全评价检测检验机构, whose 资质 the
bureau recognises (《安全评价检测检验机构管理办法》, 应急管理部令第1号第三条), but nobody could register
one: there was no page and no spreadsheet column. Now the administrator's 单位类别 page registers a body
or marks a registered unit (the reason audited), the unit's own file shows its kind with a form beside
it for an administrator, and the spreadsheet import reads a 单位类别 column as a tired official types it
(评价机构, 安全评价机构, 检测检验机构; blank: 生产经营单位; anything else names the row, the column and
the reason). A 双随机 draw still takes 生产经营单位 only. In Chromium at 1280 and 375 px, zh-CN.
"""
from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from engine import audit
from engine.schema import AuditEvent
from tests.ui_support import (ACME, LiveServer, browser, client_login, close_context, logged_in_page, make_world,
                              _password_hash)
from workflows.enterprises import credit_code
from workflows.enterprises.registry import EnterpriseRegistry
from workflows.enterprises.spreadsheet import export_rows, import_enterprises
from workflows.enterprises.terms import UnitKind
from workflows.inspection_plans import snapshot

__all__ = ["browser"]

HEADER = ["统一社会信用代码", "企业名称", "属地代码", "行业类别", "企业规模", "单位类别"]
CODES = [credit_code.complete(f"9111010{n}MA0000023") for n in range(1, 7)]


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ROWS = [[CODES[0], "示范安泰安全评价有限公司", "east", "其他", "小型", "评价机构"],
        [CODES[1], "东城华安检测检验有限公司", "east", "其他", "小型", " 安全评价机构 "],
        [CODES[2], "东城质安检测有限公司", "east", "其他", "微型", "检测检验机构"],
        [CODES[3], "东城宏达机械制造有限公司", "east", "工贸", "小型", None],
        [CODES[4], "东城鑫华化工有限公司", "east", "危化", "中型", "事业单位"],
        [CODES[5], "东城明远五金厂", "east", "工贸", "微型", "生产经营单位"]]


def _admin(w) -> None:
    w.engine.directory.add_user("root", org="city", roles=["admin"], name="系统管理员", password_hash=_password_hash())


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    _admin(w)
    yield w
    w.engine.dispose()


def test_the_unit_kind_column_reads_as_officials_type_it_and_the_draw_takes_enterprises_only(world):
    registry = EnterpriseRegistry(world.engine.db.engine, clock=world.clock.now)
    refused = import_enterprises(registry, io.BytesIO(_xlsx(ROWS)), fmt="xlsx")
    assert [str(e) for e in refused.errors] == [
        "第6行 单位类别：“事业单位”不是单位类别，应为“生产经营单位”或“安全评价检测检验机构”"
        "（可简写为“评价机构”“检测检验机构”；空白为生产经营单位）"]
    assert registry.get(CODES[0]) is None                       # all or nothing
    fixed = [r if r[-1] != "事业单位" else [*r[:-1], "企业"] for r in ROWS]
    assert import_enterprises(registry, io.BytesIO(_xlsx(fixed)), fmt="xlsx").created == 6
    kinds = [registry.get(c).kind for c in CODES]
    assert kinds == [UnitKind.ASSESSOR] * 3 + [UnitKind.ENTERPRISE] * 3
    pool = {p["credit_code"] for p in snapshot(world.engine, "east")["draw_pool"]}
    assert pool & set(CODES) == set(CODES[3:])                  # 双随机: 生产经营单位 only
    header, *rows = list(export_rows(registry, org=["east"]))
    assert header[-1] == "单位类别"                              # the export writes it back, in full
    assert {r[0]: r[-1] for r in rows}[CODES[1]] == "安全评价检测检验机构"


def test_only_an_administrator_marks_a_unit_and_the_change_is_audited_with_its_reason(world):
    registry = EnterpriseRegistry(world.engine.db.engine, clock=world.clock.now)
    registry.add({"credit_code": ACME, "name": "甲化工有限公司", "org_unit": "east", "sector": "危化", "size": "小型"})
    qian = client_login(world.app, "qian")
    refused = qian.post("/admin/units", data={"_csrf": qian.csrf, "credit_code": ACME, "kind": "评价机构", "reason": "x"})
    assert refused.status_code == 403 and "只有系统管理员" in refused.get_data(as_text=True)
    root = client_login(world.app, "root")
    no_reason = root.post("/admin/units", data={"_csrf": root.csrf, "credit_code": ACME, "kind": "安全评价检测检验机构"})
    assert no_reason.status_code == 422 and "须注明变更原因" in no_reason.get_data(as_text=True)
    done = root.post("/admin/units", data={"_csrf": root.csrf, "credit_code": ACME, "kind": "安全评价检测检验机构",
                                           "reason": "资质证书 APJ-(示)-009"})
    assert done.status_code == 302
    assert registry.get(ACME).kind == UnitKind.ASSESSOR
    with world.engine.db.read() as s:
        events = list(s.scalars(sa.select(AuditEvent).where(AuditEvent.chain == audit.SYSTEM_CHAIN,
                                                             AuditEvent.action == "enterprise_kind_changed")))
    assert [json.loads(e.detail)["to"] for e in events] == ["安全评价检测检验机构"]
    assert (events[0].actor, json.loads(events[0].detail)["reason"]) == ("root", "资质证书 APJ-(示)-009")


# --- in Chromium ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def page_world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("units-s23"))
    _admin(w)
    EnterpriseRegistry(w.engine.db.engine, clock=w.clock.now).add(
        {"credit_code": ACME, "name": "甲化工有限公司", "org_unit": "east", "sector": "危化", "size": "小型"})
    yield w
    w.engine.dispose()


@pytest.fixture(scope="module")
def server(page_world):
    with LiveServer(page_world.app) as srv:
        yield srv


ENGLISH = re.compile(r"[A-Za-z_]{4,}")  # a variable name, an English error, a username (a credit code's MA is 2)


def _fits_and_speaks_chinese(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shown = page.locator("main").inner_text() if page.locator("main").count() else page.locator("body").inner_text()
    words = set(ENGLISH.findall(shown)) - {"xlsx"}                   # the file format officials save as
    assert not words, words


@pytest.mark.parametrize("width", [1280, 375])
def test_an_administrator_registers_a_body_and_marks_a_unit_from_its_file(browser, server, page_world, width):
    code = credit_code.complete(f"9111010{1 if width == 1280 else 2}MA0000099")
    name = "示范安泰安全评价有限公司" if width == 1280 else "东城华安检测检验有限公司"
    page = logged_in_page(browser, server, "root", width)
    try:
        page.goto(f"{server.url}/admin")
        page.locator("#admin-units").click()
        expect(page.locator("h1")).to_have_text("单位类别")
        page.fill("#f-credit_code", code.lower())
        page.fill("#f-name", name)
        page.select_option("#f-org_unit", "east")
        page.select_option("#f-size", "小型")
        page.locator("#unit-form button.primary").click()
        expect(page.locator("#err-reason")).to_have_text("须注明变更原因（如资质证书编号、认可文件）")
        expect(page.locator("#f-name")).to_have_value(name)             # nothing typed is lost
        _fits_and_speaks_chinese(page, width)
        page.fill("#f-reason", "资质证书 APJ-(示)-001")
        page.locator("#unit-form button.primary").click()
        expect(page.locator(f"#bodies tr[data-name='{name}']")).to_be_visible()
        expect(page.locator(f"#bodies tr[data-name='{name}'] td").nth(2)).to_have_text("东城区应急管理局")
        _fits_and_speaks_chinese(page, width)

        page.goto(f"{server.url}/enterprises/{ACME}")
        kind = page.locator("#unit-kind dd")
        expect(kind).to_contain_text("生产经营单位" if width == 1280 else "安全评价检测检验机构")
        page.locator("#unit-kind summary").click()
        page.select_option("#unit-kind-form select[name=kind]",
                           "安全评价检测检验机构" if width == 1280 else "生产经营单位")
        page.fill("#unit-kind-form input[name=reason]", "资质认可" if width == 1280 else "资质已注销")
        page.locator("#unit-kind-form button").click()
        expect(page.locator("#unit-kind dd")).to_contain_text(
            "安全评价检测检验机构" if width == 1280 else "生产经营单位")
        _fits_and_speaks_chinese(page, width)
    finally:
        close_context(page.context)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_spreadsheet_row_with_an_unknown_unit_kind_is_named_on_the_import_page(browser, server, width):
    page = logged_in_page(browser, server, "qian", width)
    try:
        page.goto(f"{server.url}/enterprises/import")
        page.set_input_files("input[type=file][name=file]", files=[
            {"name": "名录.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "buffer": _xlsx(ROWS)}])
        page.locator("#import-check").click()
        row = page.locator("#import-errors tr[data-line='6'] td")
        expect(row.nth(0)).to_have_text("第 6 行")
        expect(row.nth(1)).to_have_text("单位类别")
        expect(row.nth(2)).to_contain_text("“事业单位”不是单位类别")
        expect(page.locator("#import-errors tbody tr")).to_have_count(1)  # 评价机构, 安全评价机构, blank: accepted
        _fits_and_speaks_chinese(page, width)
    finally:
        close_context(page.context)
