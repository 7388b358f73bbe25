"""A person's walk through the pages in Chromium (Debian's, through Playwright): what an official
stumbles on when working from the pages alone, at a desktop's width and at a phone's (375 px: an
inspector in the field). Screenshots go to test-artifacts/screenshots/walk-*.

One world for the module, on a SQLite file (the UI tests' copy) and on PostgreSQL: two enterprises of 东城区 in the registry
(一企一档), and a 挂牌督办 case of each.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from playwright.sync_api import expect

from tests.interop_support import CORPUS
from tests.ui_support import (LiveServer, browser, logged_in_page, major_case_at, make_world,  # noqa: F401
                              open_task, screenshot)
from tests.ui_support import server  # noqa: F401 (the module's live server, from its world)
from webui.diagram import readable_rule
from workflows.enterprises import EnterpriseRegistry
from workflows.enterprises.credit_code import complete

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

CHEMICAL = complete("91110101MA0000011")
MACHINERY = complete("91110101MA0000012")
ENTERPRISES = [
    {"credit_code": CHEMICAL, "name": "东城鑫华化工有限公司", "org_unit": "east", "sector": "危化", "size": "中型",
     "risk_level": "橙"},
    {"credit_code": MACHINERY, "name": "东城宏达机械制造有限公司", "org_unit": "east", "sector": "工贸", "size": "小型",
     "risk_level": "蓝"},
]


@pytest.fixture(scope="module")
def world(tmp_path_factory, module_database_url):
    postgres = module_database_url.startswith("postgresql")
    w = make_world(tmp_path_factory.mktemp("walk-browser"), url=module_database_url if postgres else None)
    registry = EnterpriseRegistry(w.engine.db.engine, clock=w.clock.now)
    for data in ENTERPRISES:
        registry.add(data, by="seed")
    w.chemical = w.engine.start("hazard_supervision", by="zhang", party=CHEMICAL, title="鑫华化工储罐区重大隐患")
    w.machinery = w.engine.start("hazard_supervision", by="zhang", party=MACHINERY, title="宏达机械冲压车间隐患")
    w.closing = major_case_at(w.engine, "approve_close", title="甲化工储罐区重大隐患（申请销号）")
    w.reviewing = major_case_at(w.engine, "onsite_review", title="甲化工储罐区重大隐患（待复查）")
    w.engine.deploy(CORPUS / "activiti_boolean_text_condition.bpmn", by="zhao")  # drawn in Activiti Designer
    w.draft = w.engine.start("activiti_boolean_text_condition", by="zhang", title="责令整改指令书")
    w.engine.complete(open_task(w.engine, w.draft.id, "usertask1").id, "zhang", {})
    yield w
    w.engine.dispose()


def test_case_search_finds_an_enterprise_by_the_name_an_official_types(browser, server, world):
    """案件查询's 当事企业 is picked or typed by name (or part of one), not only as an 18-character
    统一社会信用代码: 「鑫华」 finds 鑫华化工's case and not 宏达机械's; a part of a name two enterprises
    share is refused saying so, with what was typed kept in the box."""
    page = logged_in_page(browser, server, "zhang", 1366)
    page.goto(server.url + "/cases/")
    party = page.locator("#case-search input[name=party]")
    party.fill("鑫华")  # the list offers the names holding what was typed (static/party-suggest.js)
    expect(page.locator("#enterprise-names option[value='东城鑫华化工有限公司']")).to_have_count(1)
    page.click("#case-search button[type=submit]")
    cases = page.locator("#cases")
    expect(cases).to_contain_text(world.chemical.case_no)
    expect(cases).not_to_contain_text(world.machinery.case_no)
    expect(party).to_have_value("鑫华")
    screenshot(page, "walk-case-search-by-name-1366")

    party.fill("东城宏达机械制造有限公司")  # the name as the list offers it
    page.click("#case-search button[type=submit]")
    expect(page.locator("#cases")).to_contain_text(world.machinery.case_no)
    expect(page.locator("#cases")).not_to_contain_text(world.chemical.case_no)

    party.fill("有限公司")
    page.click("#case-search button[type=submit]")
    expect(page.locator("#party-error")).to_contain_text("名称含“有限公司”的企业不止一家，请从列表中选择")
    expect(party).to_have_value("有限公司")
    expect(page.locator("#cases")).to_have_count(0)
    page.context.close()


def inside_screen(page, selector: str) -> list[str]:
    """What of ``selector`` lies (partly) beyond the right edge of the screen, as "text right-edge"."""
    return page.evaluate("""(sel) => [...document.querySelectorAll(sel)]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map(e => e.textContent.trim().slice(0, 20) + ' ' + Math.round(e.getBoundingClientRect().right))""", selector)


def test_an_inspector_on_a_phone_claims_and_reads_deadlines_without_scrolling_sideways(browser, server, world):
    """At 375 px (an inspector in the field) 我的待办, 组待办, 案件查询 and a case's 当前待办 are a column
    of cards: every cell and the 认领/办理 button are on screen, each value under its column's name.
    Before, the tables scrolled sideways in their box, with 办理期限 and 认领 beyond the screen's edge
    (and the case page's 办理 button broken into two lines)."""
    page = logged_in_page(browser, server, "zhang", 375)
    for name, url, table in (("mine", "/tasks/", "#my-tasks"), ("group", "/tasks/group", "#group-tasks"),
                             ("cases", "/cases/", "#cases"), ("case", f"/cases/{world.machinery.id}", "#case-tasks")):
        page.goto(server.url + url)
        expect(page.locator(table)).to_be_visible()
        assert inside_screen(page, f"{table} td, {table} button, {table} .button") == [], name
        assert page.evaluate(f"document.querySelector('{table}').scrollWidth <= document.querySelector('{table}').clientWidth"), name
        screenshot(page, f"walk-{name}-375")
    work = page.locator("#case-tasks a.button", has_text="办理")  # the last page of the loop: the case
    assert work.bounding_box()["height"] < 2 * 14 * 1.6, "办理 broke into two lines"
    page.goto(server.url + "/tasks/group")
    row = page.locator(f"#group-tasks tr[data-task-id]:has-text('{world.chemical.case_no}')")
    expect(row.locator("td[data-label=办理期限]")).to_be_visible()
    row.locator("button", has_text="认领").click()
    page.goto(server.url + "/tasks/")
    expect(page.locator(f"#my-tasks tr:has-text('{world.chemical.case_no}') button", has_text="退回组待办")).to_be_visible()
    assert inside_screen(page, "#my-tasks td, #my-tasks button") == []
    page.context.close()


def test_a_leader_and_an_inspector_read_the_board_and_the_registry_on_a_phone(browser, server, world):
    """At 375 px the enterprise registry (一企一档: an inspector looks an enterprise up on site) is a
    column of cards, and the leaders' 驾驶舱 fits the screen: its charts were at least 460 px wide and
    the tables meant for print showed (table.list is a block at phone width), so the whole page
    scrolled sideways with the charts cut at the edge. 逾期督办 too stays within the screen."""
    for user, url, table in (("zhang", "/enterprises/", "#enterprises"), ("qian", "/leadership/", None),
                             ("qian", "/supervise/overdue", None)):
        page = logged_in_page(browser, server, user, 375)
        page.goto(server.url + url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0, url
        if table:
            expect(page.locator(table)).to_contain_text("东城鑫华化工有限公司")
            assert inside_screen(page, f"{table} td") == [], url
            assert page.evaluate(f"document.querySelector('{table}').scrollWidth <= document.querySelector('{table}').clientWidth"), url
        screenshot(page, "walk" + url.replace("/", "-").rstrip("-") + "-375")
        page.context.close()


def test_the_task_lists_stay_tables_at_a_desktop_width(browser, server, world):
    page = logged_in_page(browser, server, "zhang", 1366)
    page.goto(server.url + "/tasks/group")
    expect(page.locator("#group-tasks thead")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('#group-tasks tbody tr')).display") == "table-row"
    page.context.close()


def test_the_approver_of_a_delisting_reads_the_rule_it_follows(browser, server, world):
    """审批销号 says under which rule the section head decides (原总局令第16号第二十三条, the step's
    documentation in bpmn/hazard_supervision.bpmn), above the form, at both widths. Before, the page
    named no rule for any step."""
    task = open_task(world.engine, world.closing.id, "approve_close")
    for width in (1366, 375):
        page = logged_in_page(browser, server, "qian", width)
        page.goto(server.url + f"/tasks/{task.id}")
        rule = page.locator("#task-rule")
        expect(rule).to_contain_text("原总局令第16号第二十三条：挂牌督办的部门审查同意后销号")
        assert rule.bounding_box()["x"] + rule.bounding_box()["width"] <= width
        screenshot(page, f"walk-approve-close-{width}")
        page.context.close()


def test_each_decision_button_says_where_it_leads(browser, server, world):
    """审批销号's 「同意」「退回」 say what follows (read from the model: the gateway after the step and
    the path on to the next person's step): 同意 → 公告摘牌 by an inspector, 退回 → 现场复查 again.
    Before, two bare buttons; a section head could not tell from the page whom 退回 sends it to."""
    task = open_task(world.engine, world.closing.id, "approve_close")
    for width in (1366, 375):
        page = logged_in_page(browser, server, "qian", width)
        page.goto(server.url + f"/tasks/{task.id}")
        page.click("#claim")
        nexts = page.locator("#decision-next")
        expect(nexts.locator("li[data-choice=同意]")).to_have_text("同意：转入「公告摘牌」，由执法人员办理")
        expect(nexts.locator("li[data-choice=退回]")).to_have_text("退回：退回「现场复查」，由执法人员重新办理")
        box = nexts.bounding_box()
        assert box["x"] + box["width"] <= width
        screenshot(page, f"walk-decision-next-{width}")
        page.click("#release")
        page.context.close()


def test_submit_says_where_a_yes_or_no_the_process_routes_on_leads(browser, server, world):
    """现场复查 has one 提交 and a 复查合格 是/否 the gateway after it routes on: the page says that 否
    sends the case back to the enterprise's 实施整改 (下达新的整改指令 on the way, 原总局令第16号第二十三条).
    是 forks again (停产停业 or not), so nothing is said of it."""
    task = open_task(world.engine, world.reviewing.id, "onsite_review")
    page = logged_in_page(browser, server, "zhang", 375)
    page.goto(server.url + f"/tasks/{task.id}")
    page.click("#claim")
    nexts = page.locator("#submit-next")
    expect(nexts.locator("li[data-choice=false]")).to_have_text("复查合格选“否”：退回「实施整改」，由生产经营单位重新办理")
    expect(nexts.locator("li[data-choice=true]")).to_have_count(0)
    box = nexts.bounding_box()
    assert box["x"] + box["width"] <= 375
    screenshot(page, "walk-submit-next-375")
    page.click("#release")
    page.context.close()


def test_submit_says_where_a_yes_or_no_leads_in_a_model_drawn_in_activiti(browser, server, world):
    """tests/bpmn/interop/activiti_boolean_text_condition.bpmn as Activiti Designer draws it: 科室负责人审核's
    是否同意 (a formProperty of type boolean) routed by JUEL ``${agree == 'true'}``, the gateway's default
    the other way — each answer's next step is named under 提交, no variable name on the page."""
    task = open_task(world.engine, world.draft.id, "usertask2")
    page = logged_in_page(browser, server, "qian", 1366)
    page.goto(server.url + f"/tasks/{task.id}")
    nexts = page.locator("#submit-next")
    expect(nexts.locator("li[data-choice=true]")).to_have_text("是否同意选“是”：转入「文书签发」")
    expect(nexts.locator("li[data-choice=false]")).to_have_text("是否同意选“否”：转入「退回修改」")
    expect(nexts).not_to_contain_text("agree")
    page.context.close()


def test_a_computed_deadline_names_its_law(browser, server, world):
    """现场复查期限 (the process counts 10 days from the 销号申请) is shown with its law and article on
    the 现场复查 page, at phone width too; every deadline with a law beside it is one a page labels,
    and each names an article. Before, the date stood alone."""
    from workflows.forms.context import FACT_BASIS, FACT_LABELS
    assert set(FACT_BASIS) <= set(FACT_LABELS)
    assert all(re.search(r"第[一二三四五六七八九十百]+条", text) for text in FACT_BASIS.values())
    task = open_task(world.engine, world.reviewing.id, "onsite_review")
    page = logged_in_page(browser, server, "zhang", 375)
    page.goto(server.url + f"/tasks/{task.id}")
    expect(page.locator("#context-facts tr[data-fact=review_due] .basis")).to_have_text(
        "原总局令第16号第二十三条：收到销号申请后10日内现场复查")
    page.context.close()


B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def test_a_step_rule_shows_no_name_from_code():
    """Every user task of our models whose documentation is shown reads as Chinese prose: the variable
    names some of them cite (statement_late, verify_legal_due, accident.publish_days, notCompletedBy)
    are taken out; a documentation in English (a model drawn elsewhere) is not shown."""
    shown = 0
    for path in sorted((Path(__file__).resolve().parent.parent / "bpmn").glob("*.bpmn")):
        for kind in ("userTask", "manualTask"):
            for el in ElementTree.parse(path).getroot().iter(B + kind):
                doc = el.findtext(B + "documentation")
                if doc:
                    rule = readable_rule(doc)
                    assert rule and not re.search(r"[a-z_]", rule), (path.name, el.get("id"), rule)
                    shown += 1
    assert shown >= 30
    assert readable_rule("记录为逾期提交（statement_late）：2026年2月1日前") == "记录为逾期提交：2026年2月1日前"
    assert readable_rule("（地方规则 accident.publish_days，默认30日）") == "（地方规则，默认30日）"
    assert readable_rule("符合 GB/T 9704 和 GB 50160") == "符合 GB/T 9704 和 GB 50160"
    assert readable_rule("Approve the invoice within 3 days") is None
