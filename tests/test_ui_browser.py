"""The web UI in a real browser: Chromium (Debian's) driven by Playwright against the app served from
this process, on a real SQLite file with the real hazard-supervision process (挂牌督办) deployed.

Each scenario takes screenshots into test-artifacts/screenshots/ so a person can look at the pages.
"""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import Error, expect, sync_playwright

from tests.ui_support import (ACME, PASSWORD, REGISTER_MAJOR, ROOT, LiveServer, close_context, launch_chromium,
                              major_case_at, make_world, open_task, screenshot, start_hazard)

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:  # scripts/setup-browser installs it; `make test` runs that first
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

VIEWER = ROOT / "webui" / "static" / "vendor" / "bpmn-js" / "bpmn-navigated-viewer.production.min.js"


@pytest.fixture(scope="module")
def browser():
    assert VIEWER.exists(), "bpmn-js is not installed: run scripts/setup-assets (make setup does)"
    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path)
    yield w
    w.engine.dispose()


@pytest.fixture
def server(world):
    with LiveServer(world.app) as srv:
        yield srv


@pytest.fixture
def open_page(browser, server):
    """A fresh browser context (own cookies) per user, 1366 px wide like an office monitor."""
    contexts = []

    def make(username: str | None = None):
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.base = server.url
        if username:
            login(page, username)
        return page

    yield make
    for ctx in contexts:
        close_context(ctx)


def login(page, username: str, password: str = PASSWORD):
    page.goto(page.base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator(".whoami .user")).to_be_visible()


def diagram_ready(page):
    page.wait_for_selector("#diagram[data-state=ready]")


def marker_of(page, element_id: str) -> str:
    return page.get_attribute(f'#diagram g.djs-element[data-element-id="{element_id}"]', "class")


# --------------------------------------------------------------------------------------------------

def test_login_page_refuses_a_wrong_password_in_chinese(open_page):
    page = open_page()
    page.goto(page.base + "/tasks/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    screenshot(page, "01-login")
    page.fill("input[name=username]", "zhang")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_have_text("用户名或密码错误")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("我的待办")  # back to where the user wanted to go


def test_choosing_a_process_whose_start_form_is_drawn_in_the_model_shows_that_form(world, open_page):
    """发起案件: flowable_leave draws 请假天数 and 请假事由 on its start event. Chosen, the page shows them
    (what was typed in 案件名称 kept); a wrong 请假天数 is refused next to the field; typed right, the case
    starts with it. Another process chosen after it takes the form away."""
    from tests.interop_support import CORPUS
    world.engine.deploy(CORPUS / "flowable_leave.bpmn", by="admin")
    page = open_page("zhang")
    page.click("nav.mainnav >> text=发起案件")
    page.fill("#f-title", "年休假申请")
    page.select_option("#f-process", "flowable_leave")
    expect(page.locator("fieldset.drawn-start-form")).to_contain_text("请假天数")
    expect(page.locator("#f-title")).to_have_value("年休假申请")
    expect(page.locator("#f-days")).to_have_value("5")
    page.fill("#f-days", "十来天")
    page.click("#start-form button[type=submit]")
    expect(page.locator("#err-days")).to_have_text("「请假天数」须为整数")
    page.fill("#f-days", "１２")
    page.click("#start-form button[type=submit]")
    expect(page.locator(".flash.ok")).to_contain_text("已发起案件")
    case = world.engine.cases("zhang")[0]
    assert case.title == "年休假申请" and world.engine.case(case.id).data["days"] == 12
    page.click("nav.mainnav >> text=发起案件")
    page.select_option("#f-process", "flowable_leave")
    expect(page.locator("fieldset.drawn-start-form")).to_be_visible()
    page.select_option("#f-process", "hazard_supervision")
    expect(page.locator("fieldset.drawn-start-form")).to_have_count(0)


def test_a_start_without_the_yes_no_its_first_gateway_reads_is_refused_naming_it(world, open_page):
    """发起案件: flowable_hazard_report's start form asks 是否重大隐患 (是/否, no 不填: the gateway right
    after the start event routes on it). Left unchosen, the start is refused next to the field with
    what was typed kept, nothing started, no incident; chosen, the case starts down its flow."""
    from tests.interop_support import CORPUS
    world.engine.deploy(CORPUS / "flowable_hazard_report.bpmn", by="admin")
    page = open_page("zhang")
    page.click("nav.mainnav >> text=发起案件")
    page.fill("#f-title", "储罐区隐患")
    page.select_option("#f-process", "flowable_hazard_report")
    expect(page.locator("fieldset.drawn-start-form")).to_contain_text("是否重大隐患")
    expect(page.locator("#f-major label.unset")).to_have_count(0)
    page.fill("#f-company", "甲化工有限公司")
    page.click("#start-form button[type=submit]")
    expect(page.locator("#err-major")).to_have_text("请选择“是否重大隐患”：是或否（流程的下一步要用到）")
    expect(page.locator("#f-company")).to_have_value("甲化工有限公司")
    assert not world.engine.cases("zhang") and not world.engine.incidents()
    page.check("#f-major input[value=true]")
    page.click("#start-form button[type=submit]")
    expect(page.locator(".flash.ok")).to_contain_text("已发起案件")
    case = world.engine.cases("zhang")[0]
    assert case.title == "储罐区隐患" and [t.name for t in world.engine.case(case.id).tasks] == ["挂牌督办"]


def test_inspector_starts_claims_and_registers_a_hazard_fixing_a_mistake(world, open_page):
    page = open_page("zhang")
    # 发起案件 from the menu
    page.click("nav.mainnav >> text=发起案件")
    page.select_option("#f-process", "hazard_supervision")
    page.fill("#f-title", "甲化工有限公司液氯储罐区隐患")
    page.fill("#f-party", ACME)
    page.click("#start-form button[type=submit]")
    expect(page.locator(".flash.ok")).to_contain_text("已发起案件")
    diagram_ready(page)
    assert "is-active" in marker_of(page, "register")

    # 组待办: the first task waits for any inspector of the org unit; claim it
    page.click("nav.mainnav >> text=组待办")
    row = page.locator("#group-tasks tr", has_text="甲化工有限公司液氯储罐区隐患")
    expect(row).to_contain_text("登记隐患")
    screenshot(page, "02-group-queue")
    row.locator("button", has_text="认领").click()
    expect(page.locator(".flash.ok")).to_have_text("已认领：登记隐患")
    expect(page.locator(".task-head")).to_contain_text("张三")

    # A general hazard without its deadline: the form comes back with the reason next to the field
    page.check("input[name=source][value=监督检查发现]")
    page.fill("#f-enterprise_name", "甲化工有限公司")
    page.fill("#f-credit_code", ACME)
    page.select_option("#f-sector", "危化")
    page.fill("#f-location", "液氯储罐区")
    page.fill("#f-description", "储罐区可燃气体报警装置两处失效")
    page.fill("#f-found_on", "2026年11月20日")  # as an official types it; stored as 2026-11-20
    page.click("#submit")
    error = page.locator('[data-field="fix_deadline"] .field-error')
    expect(error).to_have_text("一般隐患须确定整改期限")
    expect(page.locator(".flash.error")).to_contain_text("表单有误")
    # nothing typed is lost
    expect(page.locator("#f-enterprise_name")).to_have_value("甲化工有限公司")
    expect(page.locator("#f-description")).to_have_value("储罐区可燃气体报警装置两处失效")
    expect(page.locator("#f-found_on")).to_have_value("2026年11月20日")
    expect(page.locator("#f-sector")).to_have_value("危化")
    expect(page.locator("input[name=source][value=监督检查发现]")).to_be_checked()
    screenshot(page, "03-task-form-error")

    page.fill("#f-fix_deadline", "2026-11-30")
    page.set_input_files('input[name="attachments__upload"]', files=[
        {"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0 photo"}])
    page.click("#submit")

    # The case page: next task (立即整改, the enterprise's) active on the diagram, register finished
    expect(page.locator(".flash.ok")).to_have_text("已提交：登记隐患")
    expect(page.locator("#case-tasks")).to_contain_text("立即整改一般隐患")
    diagram_ready(page)
    assert "is-active" in marker_of(page, "fix_now")
    assert "is-finished" in marker_of(page, "register")
    assert "is-finished" in marker_of(page, "grade")  # the decision table ran in between
    expect(page.locator("#timeline")).to_contain_text("张三 办理 登记隐患")
    [case] = [c for c in world.engine.cases(limit=5) if c.title == "甲化工有限公司液氯储罐区隐患"]
    assert world.engine.case(case.id).data["found_on"] == "2026-11-20"  # 2026年11月20日 as typed
    photo = page.locator("#case-files a.attachment", has_text="现场照片.jpg")  # under 登记隐患·现场照片及检查记录
    expect(photo).to_be_visible()
    with page.expect_download() as download:
        photo.click()
    assert download.value.suggested_filename == "现场照片.jpg"
    screenshot(page, "04-case-page")

    page.click("nav.mainnav >> text=已办")
    expect(page.locator("#done-tasks")).to_contain_text("登记隐患")
    screenshot(page, "04b-done")
    case_no = page.locator("#done-tasks a").first.inner_text()
    page.fill(".quick-search input", case_no)
    page.press(".quick-search input", "Enter")
    expect(page.locator("#cases")).to_contain_text("甲化工有限公司液氯储罐区隐患")
    expect(page.locator("#cases")).to_contain_text("办理中")
    screenshot(page, "04c-case-search")


def test_supervisor_approves_the_closure(world, open_page):
    case = major_case_at(world.engine, "approve_close")
    page = open_page("qian")
    page.click("nav.mainnav >> text=审批")
    row = page.locator("#approvals tr", has_text=case.case_no)
    expect(row).to_contain_text("审批销号")
    screenshot(page, "05-approvals")
    row.locator("a.button", has_text="审批").click()

    # the thing under decision is shown above the form: the review's findings and the application
    expect(page.locator("#task-context")).to_contain_text("现场复查，整改到位")
    expect(page.locator("#task-context")).to_contain_text("隐患已消除，申请销号")
    # 退回 needs a reason
    page.click("button[name=close_approval_decision][value=退回]")
    expect(page.locator('[data-field="close_approval_opinion"] .field-error')).to_have_text("不同意或退回时须写明理由")
    page.fill("#f-close_approval_opinion", "整改到位，同意销号")
    screenshot(page, "06-approve-close-form")
    page.click("button[name=close_approval_decision][value=同意]")

    expect(page.locator(".flash.ok")).to_have_text("已提交：审批销号")
    diagram_ready(page)
    assert "is-active" in marker_of(page, "publish_delist")
    assert "is-finished" in marker_of(page, "approve_close")
    assert "is-finished" in marker_of(page, "delist")
    expect(page.locator("#timeline")).to_contain_text("钱科长 办理 审批销号")
    expect(page.locator("#timeline")).to_contain_text("销号审批意见：同意")
    screenshot(page, "07-case-after-closure")

    # the inspector publishes the removal and the case is closed
    inspector = open_page("zhang")
    inspector.goto(inspector.base + f"/tasks/{open_task(world.engine, case.id, 'publish_delist').id}")
    inspector.fill("#f-delist_published_on", "2026-12-15")
    inspector.fill("#f-delist_channel", "区政府门户网站")
    inspector.click("#submit")
    expect(inspector.locator("#case-status")).to_have_text("已办结")


def test_overdue_task_turns_red_after_the_clock_moves(world, open_page):
    case = start_hazard(world.engine, title="乙公司配电室隐患")
    general = dict(REGISTER_MAJOR, major_criterion=None, requires_shutdown=False, fix_deadline="2026-11-30")
    world.engine.complete(open_task(world.engine, case.id, "register").id, "zhang", general)

    page = open_page("acme")  # the enterprise works 立即整改 with deadline 2026-11-30
    row = page.locator("#my-tasks tr", has_text=case.case_no)
    expect(row).to_contain_text("立即整改一般隐患")
    expect(row).not_to_have_class(re.compile("overdue"))
    expect(row.locator(".due")).to_contain_text("剩余 7 天")
    screenshot(page, "08a-queue-before-deadline")

    world.clock.advance(days=10)  # 2026-12-03 09:00 in Beijing: three days past the deadline
    page.reload()
    row = page.locator("#my-tasks tr", has_text=case.case_no)
    expect(row).to_have_class(re.compile(r"\boverdue\b"))
    expect(row.locator(".due")).to_contain_text("逾期 3 天")
    assert row.locator(".due").evaluate("e => getComputedStyle(e).color") == "rgb(200, 30, 30)"  # red
    screenshot(page, "08b-overdue-in-queue")

    board = open_page("qian")
    board.click("nav.mainnav >> text=逾期督办")
    expect(board.locator("#overdue-total")).to_have_text("1")
    expect(board.locator("#overdue-board")).to_contain_text("东城区应急管理局")
    expect(board.locator("#overdue-tasks")).to_contain_text(case.case_no)
    screenshot(board, "09-overdue-board")

    board.goto(board.base + f"/cases/{case.id}")
    diagram_ready(board)
    assert "is-overdue" in marker_of(board, "fix_now")
    screenshot(board, "10-case-overdue")


def test_a_user_cannot_open_another_org_units_case(world, open_page):
    case = start_hazard(world.engine, title="东城区的案件")
    page = open_page("wang")  # an inspector of 西城区
    response = page.goto(page.base + f"/cases/{case.id}")
    assert response.status == 403
    expect(page.locator(".error-page")).to_contain_text("无权查看其他组织机构的案件")
    screenshot(page, "11-forbidden")
    response = page.goto(page.base + f"/tasks/{open_task(world.engine, case.id, 'register').id}")
    assert response.status == 403


def test_incident_is_retried_by_a_supervisor_with_corrected_data(world, open_page):
    world.engine.deploy(ROOT / "tests" / "bpmn" / "ui_fine.bpmn", by="zhao")
    case = world.engine.start("ui_fine", by="zhang", title="丙公司罚款计算")
    page = open_page("zhang")
    page.goto(page.base + f"/tasks/{open_task(world.engine, case.id, 'enter').id}")
    page.fill("#f-_data", "已核对罚款基数")  # a task without a form: the generic 办理 form
    page.click("#submit")
    expect(page.locator(".flash.error")).to_contain_text("异常事件")
    expect(page.locator(".incident-box")).to_be_visible()

    boss = open_page("qian")
    boss.click("nav.mainnav >> text=异常事件")
    row = boss.locator("#incidents tr", has_text=case.case_no)
    expect(row).to_contain_text("计算每日罚款")  # the failing step, by its name in the model
    screenshot(boss, "12-incidents")
    expect(row).to_contain_text("环节“计算每日罚款”出错")  # in Chinese, the raw text for administrators only
    expect(row).not_to_contain_text("not defined")
    row.locator("summary", has_text="修正提交数据").click()  # a form of the values, not JSON
    row.locator('input[name="total"]').fill("30,000")
    row.locator("button", has_text="重试").click()
    expect(boss.locator(".flash.error")).to_contain_text("重试仍然失败")  # the days are missing too
    row = boss.locator("#incidents tr", has_text=case.case_no).first
    row.locator("summary", has_text="修正提交数据").click()
    expect(row.locator('input[name="total"]')).to_have_value("30000")
    row.locator('input[name="days"]').fill("10")
    row.locator("button", has_text="重试").click()
    expect(boss.locator(".flash.ok")).to_contain_text("已重试成功")
    assert [t.spec_id for t in world.engine.case(case.id).tasks] == ["review"]
    assert world.engine.case(case.id).data["daily"] == 3000


def test_a_chromium_that_died_is_launched_again_for_the_next_test(browser, open_page):
    """CI saw Chromium die during a test's teardown, and every later test of the module was an error
    at ``new_context`` ("browser has been closed"). The test using a dying Chromium still fails on
    its own; the next one gets a new browser."""
    page = open_page("zhang")
    relaunched = browser.relaunched
    with pytest.raises(Error):  # Chromium crashes itself (DevTools protocol): the caller sees it
        browser.new_browser_cdp_session().send("Browser.crash")
    with pytest.raises(Error):
        page.goto(page.base + "/tasks/")
    with pytest.warns(UserWarning, match="Chromium had died"):
        again = open_page("zhang")
    assert browser.relaunched == relaunched + 1 and browser.is_connected()
    expect(again.locator(".whoami .user")).to_have_text("张三")
