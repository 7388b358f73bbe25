"""Pages people work from, walked as each role with data typed by a tired official (session 22).

The third-party assessor (第三方评估机构) typed 评估机构名称 by hand: 「安泰评价」, 「示范安泰安全评价(有限公司)」
and the registered name were three bodies. Now the registry holds 安全评价检测检验机构 as a kind of its
units (《安全评价检测检验机构管理办法》, 应急管理部令第1号; revision 0026) and the field is a picker over
them: typing part of the name narrows the list, the registered name is stored, a name matching none is
refused in Chinese naming the field — on the page (Chromium, 1280 and 375 px) and through the API.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.ui_support import (ACME, LiveServer, api_client, browser, close_context, logged_in_page, major_case_at, make_world,
                              open_task)
from workflows.enterprises import credit_code
from workflows.enterprises.registry import EnterpriseRegistry

__all__ = ["browser"]

ANTAI = "示范安泰安全评价有限公司"
HUAAN = "东城华安检测检验有限公司"
RECTIFIED = {"rectify_action": "整改完成", "rectify_summary": "防火堤已建成，报警装置已更换",
             "assessment_mode": "委托第三方评估", "attachments": []}
ASSESSED = {"qualification_no": "APJ-(示)-001", "assessment_conclusion": "隐患已消除",
            "assessment_report": "防火堤、报警装置均符合要求", "attachments": ["评估报告.pdf"]}


def _register_bodies(w) -> None:
    """Two 安全评价检测检验机构 and the enterprise of the case (not a body), and an assessor's account."""
    registry = EnterpriseRegistry(w.engine.db.engine, clock=w.clock.now)
    for n, (name, kind) in enumerate([(ANTAI, "安全评价检测检验机构"), (HUAAN, "安全评价检测检验机构"),
                                      ("甲化工有限公司", "生产经营单位")]):
        code = ACME if kind == "生产经营单位" else credit_code.complete(f"9111010{n}MA0000007")
        registry.add({"credit_code": code, "name": name, "org_unit": "east", "sector": "危化" if n == 2 else "其他",
                      "size": "小型", "kind": kind}, by="seed")
    w.engine.directory.add_user("anping", org="east", roles=["assessor"], name="安平评估员",
                                password_hash=w.engine.directory.user("zhang").password_hash)


def _assessment_task(w):
    case = major_case_at(w.engine, "rectify", title="甲化工储罐区重大隐患（第三方评估）")
    w.engine.complete(open_task(w.engine, case.id, "rectify").id, "acme", RECTIFIED)
    return case, open_task(w.engine, case.id, "third_party_assess")


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    _register_bodies(w)
    yield w
    w.engine.dispose()


def test_the_assessment_body_is_stored_as_registered_and_an_unknown_one_is_refused_through_the_api(world):
    case, task = _assessment_task(world)
    client = api_client(world.app, world.engine, 'anping')
    refused = client.post(f"/api/tasks/{task.id}/complete", json={"data": {**ASSESSED, "assessor_org": "安泰评价"}})
    assert refused.status_code == 422, refused.get_json()
    assert "「评估机构名称」“安泰评价”不是已登记的安全评价检测检验机构，请从列表中选择" in str(refused.get_json())
    enterprise = client.post(f"/api/tasks/{task.id}/complete",
                             json={"data": {**ASSESSED, "assessor_org": "甲化工有限公司"}})
    assert enterprise.status_code == 422                      # an enterprise of the registry is no body
    done = client.post(f"/api/tasks/{task.id}/complete",
                       json={"data": {**ASSESSED, "assessor_org": " 示范安泰安全评价（有限公司） "}})
    assert done.status_code == 200, done.get_json()
    assert world.engine.case(case.id).data["assessor_org"] == ANTAI


# --- in Chromium ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def page_world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("walk-s22"))
    _register_bodies(w)
    yield w
    w.engine.dispose()


@pytest.fixture(scope="module")
def server(page_world):
    with LiveServer(page_world.app) as srv:
        yield srv


@pytest.mark.parametrize("width", [1280, 375])
def test_the_assessor_picks_the_body_by_typing_part_of_its_name_with_the_keyboard(browser, server, page_world,
                                                                                     width):
    case, task = _assessment_task(page_world)
    page = logged_in_page(browser, server, "anping", width)
    try:
        page.goto(f"{server.url}/tasks/{task.id}")
        box = page.locator("#f-assessor_org")
        expect(page.locator("label[for=f-assessor_org]")).to_have_text("评估机构名称*")
        listed = page.locator(f"datalist#{box.get_attribute('list')} option").evaluate_all(
            "options => options.map(o => o.value)")
        assert listed == [HUAAN, ANTAI]                    # the registered bodies, not the enterprise
        page.locator("#f-qualification_no").focus()
        page.keyboard.press("Shift+Tab")                   # reached by the keyboard, from the next field back
        expect(box).to_be_focused()
        page.keyboard.type("安泰评价")
        page.fill("#f-qualification_no", ASSESSED["qualification_no"])
        page.locator("input[name=assessment_conclusion][value=隐患已消除]").check()
        page.fill("#f-assessment_report", ASSESSED["assessment_report"])
        page.set_input_files("input[type=file][name=attachments__upload]", files=[
            {"name": "评估报告.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}])
        page.locator("button[type=submit]").last.click()
        error = page.locator("#err-assessor_org")
        expect(error).to_have_text("「评估机构名称」“安泰评价”不是已登记的安全评价检测检验机构，请从列表中选择")
        expect(box).to_have_value("安泰评价")                 # what was typed, kept
        expect(page.locator("#f-assessment_report")).to_have_value(ASSESSED["assessment_report"])
        assert box.bounding_box()["x"] + box.bounding_box()["width"] <= width  # within the screen at 375 px
        box.fill("")
        box.focus()
        page.keyboard.type(ANTAI)
        page.set_input_files("input[type=file][name=attachments__upload]", files=[
            {"name": "评估报告.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}])
        page.locator("button[type=submit]").last.click()
        expect(page.locator(".flash")).to_contain_text("已提交：第三方评估整改效果")
        assert page_world.engine.case(case.id).data["assessor_org"] == ANTAI
    finally:
        close_context(page.context)


# --- a walk as each role, at 1280 and 375 px -------------------------------------------------------

ROLES = {"zhang": "inspector", "qian": "section head", "sun": "leader", "fazhi": "legal reviewer",
         "acme": "enterprise", "anping": "assessor"}
USERNAMES = re.compile(r"(?<![A-Za-z])(zhang|qian|sun|fazhi|acme|anping|wang|zhao)(?![A-Za-z])")
CODE_WORDS = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")      # a variable name: fix_deadline, assessor_org
ENGLISH = re.compile(r"\b[A-Za-z]{3,}\b")
SHOWN_AS_IS = {"PDF", "Word", "HSR", "pdf"}                  # file kinds; the 案号's prefix


def _defects(text: str) -> list[str]:
    found = [m.group(0) for m in USERNAMES.finditer(text)] + CODE_WORDS.findall(text)
    found += [w for w in ENGLISH.findall(text) if w not in SHOWN_AS_IS]
    return found + (["JSON"] if '{"' in text or "['" in text else [])


@pytest.fixture(scope="module")
def walked(page_world):
    """Work for every role: a listed hazard waiting for its 整改方案, one at 第三方评估, and a 法制审核员."""
    page_world.engine.directory.add_user("fazhi", org="east", roles=["legal_reviewer"], name="冯法制",
                                         password_hash=page_world.engine.directory.user("zhang").password_hash)
    listed = major_case_at(page_world.engine, "submit_plan", title="甲化工液氨罐区重大隐患")
    assessing, _ = _assessment_task(page_world)
    return [listed.id, assessing.id]


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("username", list(ROLES))
def test_each_role_sees_chinese_only_on_its_pages(browser, server, page_world, walked, username, width):
    """The queue, the group queue, the cases, each open task and case page the role may open: no
    username, variable name, English word or JSON on the screen."""
    page = logged_in_page(browser, server, username, width)
    try:
        seen: dict[str, list[str]] = {}
        links = ["/tasks/", "/tasks/group", "/tasks/done", "/cases/"]
        for case_id in walked:
            links.append(f"/cases/{case_id}")
            links += [f"/tasks/{t.id}" for t in page_world.engine.case(case_id).tasks]
        for url in links:
            response = page.goto(server.url + url)
            if response.status != 200:
                continue                                     # not this role's page (403): said in Chinese
            found = _defects(page.inner_text("main"))
            if found:
                seen[url] = found[:8]
        assert not seen, seen
    finally:
        close_context(page.context)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_stale_link_and_an_expired_form_are_told_in_chinese_without_ids(browser, server, page_world, walked, width):
    """A link to a task kept from an old page, or typed wrong, showed 「任务不存在: 84c97414-…」 (the task's
    id); a form sent after its page expired, 「（CSRF 校验失败）」. Both now say what happened in Chinese."""
    task = page_world.engine.case(walked[0]).tasks[0]
    page = logged_in_page(browser, server, "acme", width)
    try:
        gone = task.id[:-4] + "0000"
        page.goto(f"{server.url}/tasks/{gone}")
        said = page.inner_text("main")
        assert "要找的任务不存在，链接可能有误或已失效" in said and gone not in said, said
        page.goto(f"{server.url}/cases/987654")
        said = page.inner_text("main")
        assert "要找的案件不存在" in said and "987654" not in said, said
        page.goto(f"{server.url}/tasks/{task.id}")
        page.evaluate("document.querySelectorAll('input[name=_csrf]').forEach(i => { i.value = 'expired'; })")
        page.locator("button[type=submit]").last.click()
        said = page.inner_text("main")
        assert "页面已过期或请求来源无效（安全校验未通过），请刷新页面后重试" in said and "CSRF" not in said, said
    finally:
        close_context(page.context)
