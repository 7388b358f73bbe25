"""An assessor account works for its registered firm (所属评估机构, issue 15).

A 重大事故隐患's rectification assessed by a third party (原总局令第16号第十八条) names the body that
assessed it and its 资质证书编号 (《安全评价检测检验机构管理办法》, 应急管理部令第1号). The demo's 安泰评估
(an_tai, 第三方评估机构) was linked to nothing: on every 第三方评估整改效果 it picked its own name from
the list and typed its certificate number — and could pick another firm's. Now an administrator sets
the account's firm on its user page (a picker of the registered 安全评价检测检验机构, refused for an
account without the 第三方评估机构 role), the firm's 资质证书编号 is kept on the units page, and the
assessor's form comes with both filled and fixed: what is posted for them is replaced by the firm's.

Through Flask's test client on SQLite and PostgreSQL (our hazard process walked to the assessment);
the assessor's page in Chromium at 1280 and 375 px.
"""
from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from tests.ui_support import (LiveServer, api_client, browser, client_login, close_context, logged_in_page, major_case_at,
                              make_world, open_task)
from workflows.enterprises import assessors
from workflows.enterprises.credit_code import complete
from workflows.enterprises.registry import EnterpriseRegistry

__all__ = ["browser"]

FIRM = complete("91110101MA0000AP1")
OTHER = complete("91110102MA0000AP2")
NUMBER = "APJ-(示)-001"
ENGLISH = re.compile(r"[A-Za-z_]{4,}")
ASSESSED = {"assessment_conclusion": "隐患已消除", "assessment_report": "防火堤和报警装置符合标准要求"}


def _setup(w) -> None:
    e, d = w.engine, w.engine.directory
    reg = EnterpriseRegistry(e.db.engine, clock=e.clock.now, read=e.db.read)
    for code, name in ((FIRM, "示范安泰安全评价有限公司"), (OTHER, "示范华安检测检验有限公司")):
        assessors.register(e, reg, {"credit_code": code, "name": name, "org_unit": "east", "sector": "其他",
                                    "size": "小型", "kind": "安全评价检测检验机构"}, by="zhao", reason="资质认可")
    password = d.user("zhang").password_hash
    d.add_user("antai", org="east", roles=["assessor"], name="安泰评估", password_hash=password)
    d.add_user("admin1", org="city", roles=["admin"], name="系统管理员", password_hash=password)


@pytest.fixture(scope="module")
def world(tmp_path_factory, module_database_url):
    w = make_world(tmp_path_factory.mktemp("assessor-firm"),
                   None if module_database_url.startswith("sqlite") else module_database_url)
    _setup(w)
    yield w
    w.engine.dispose()


def _assessing(engine, title: str):
    case = major_case_at(engine, "rectify", title=title)
    engine.complete(open_task(engine, case.id, "rectify").id, "acme",
                    {"rectify_action": "整改完成", "rectify_summary": "防火堤已建成，报警装置已更换",
                     "assessment_mode": "委托第三方评估", "attachments": []})
    return case, open_task(engine, case.id, "third_party_assess")


def _said(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_an_administrator_links_an_assessor_to_its_firm_on_the_user_page(world):
    admin = client_login(world.app, "admin1")
    page = admin.get("/admin/users/antai").get_data(as_text=True)
    assert "所属评估机构" in page and "示范安泰安全评价有限公司" in page and "示范华安检测检验有限公司" in page
    form = {"_csrf": admin.csrf, "name": "安泰评估", "org": "east", "roles": "assessor", "firm": FIRM}
    response = admin.post("/admin/users/antai", data=form, follow_redirects=True)
    assert response.status_code == 200 and "所属评估机构" in _said(response), _said(response)[:300]
    with world.engine.db.read() as s:
        assert assessors.firm_of(s, "antai").name == "示范安泰安全评价有限公司"
    assert re.search(rf'<option value="{FIRM}" selected>', admin.get("/admin/users/antai").get_data(as_text=True))
    # an inspector is no assessor: refused naming the field, nothing linked
    response = admin.post("/admin/users/zhang", data={"_csrf": admin.csrf, "name": "张三", "org": "east",
                                                      "roles": "inspector", "firm": FIRM})
    assert response.status_code == 400 and "只有“第三方评估机构”角色的用户才能关联所属评估机构" in _said(response)
    with world.engine.db.read() as s:
        assert assessors.firm_of(s, "zhang") is None
    # the certificate number is the firm's, kept on the units page
    response = admin.post("/admin/units", data={"_csrf": admin.csrf, "credit_code": FIRM, "kind": "安全评价检测检验机构",
                                                "reason": "资质证书换发", "qualification_no": NUMBER},
                          follow_redirects=True)
    assert response.status_code == 200 and NUMBER in _said(response)


def test_a_linked_assessor_files_under_its_firm_whatever_it_posts(world):
    assessors.link(world.engine, "antai", FIRM, by="admin1")
    assessors.set_qualification(world.engine, FIRM, NUMBER, by="admin1")
    case, task = _assessing(world.engine, "甲化工储罐区重大隐患（第三方评估）")
    antai = client_login(world.app, "antai")
    page = antai.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert re.search(r'name="assessor_org" id="f-assessor_org" value="示范安泰安全评价有限公司" class="readonly locked" readonly', page)
    assert re.search(rf'name="qualification_no" id="f-qualification_no" value="{re.escape(NUMBER)}" class="readonly locked" readonly', page)
    response = antai.post(f"/tasks/{task.id}", content_type="multipart/form-data", data={
        "_csrf": antai.csrf, **ASSESSED, "assessor_org": "示范华安检测检验有限公司", "qualification_no": "APJ-(示)-999",
        "attachments__upload": [(io.BytesIO(b"%PDF-1.4"), "评估报告.pdf")]})
    assert response.status_code == 302, _said(response)[:400]
    data = world.engine.case(case.id).data
    assert (data["assessor_org"], data["qualification_no"]) == ("示范安泰安全评价有限公司", NUMBER)


def test_a_linked_assessor_files_under_its_firm_through_the_rest_api_too(world):
    """The REST API is the page's other door: a linked account posting another firm's name and number
    through it files under its own, as on the page."""
    assessors.link(world.engine, "antai", FIRM, by="admin1")
    assessors.set_qualification(world.engine, FIRM, NUMBER, by="admin1")
    case, task = _assessing(world.engine, "甲化工储罐区重大隐患（接口评估）")
    api = api_client(world.app, world.engine, "antai")
    response = api.post(f"/api/tasks/{task.id}/complete", json={"data": {
        **ASSESSED, "assessor_org": "示范华安检测检验有限公司", "qualification_no": "APJ-(示)-999",
        "attachments": ["评估报告.pdf"]}})
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    data = world.engine.case(case.id).data
    assert (data["assessor_org"], data["qualification_no"]) == ("示范安泰安全评价有限公司", NUMBER)


def test_an_assessor_not_linked_still_picks_and_types(world):
    assessors.link(world.engine, "antai", None, by="admin1")
    case, task = _assessing(world.engine, "甲化工储罐区重大隐患（未关联机构）")
    antai = client_login(world.app, "antai")
    page = antai.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "locked" not in page and 'list="bodies-assessor_org"' in page
    response = antai.post(f"/tasks/{task.id}", content_type="multipart/form-data", data={
        "_csrf": antai.csrf, **ASSESSED, "assessor_org": "示范华安检测检验有限公司", "qualification_no": "APJ-(示)-002",
        "attachments__upload": [(io.BytesIO(b"%PDF-1.4"), "评估报告.pdf")]})
    assert response.status_code == 302
    assert world.engine.case(case.id).data["assessor_org"] == "示范华安检测检验有限公司"


# --- the assessor's page in the browser -----------------------------------------------------------

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("assessor-firm-browser"))
    _setup(w)
    assessors.link(w.engine, "antai", FIRM, by="admin1")
    assessors.set_qualification(w.engine, FIRM, NUMBER, by="admin1")
    with LiveServer(w.app) as server:
        yield w, server
    w.engine.dispose()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_assessor_sees_its_firm_and_certificate_filled_and_fixed(browser, served, width):
    world, server = served
    case, _task = _assessing(world.engine, f"甲化工储罐区重大隐患（评估{width}）")
    page = logged_in_page(browser, server, "antai", width)
    try:
        page.goto(server.url + "/tasks/")
        page.locator("main tr", has_text=f"评估{width}").locator("a", has_text="第三方评估整改效果").first.click()
        expect(page.locator("#f-assessor_org")).to_have_value("示范安泰安全评价有限公司")
        expect(page.locator("#f-assessor_org")).not_to_be_editable()
        expect(page.locator("#f-qualification_no")).to_have_value(NUMBER)
        expect(page.locator("#f-qualification_no")).not_to_be_editable()
        expect(page.locator("[data-field=qualification_no] .help")).to_contain_text("按本账号所属评估机构的登记信息填写")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shown = page.locator("main").inner_text()
        assert not [w for w in ENGLISH.findall(shown) if w != "APJ"], ENGLISH.findall(shown)
    finally:
        close_context(page.context)
