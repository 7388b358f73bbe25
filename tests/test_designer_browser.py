"""The process designer in a real browser (Debian's Chromium through Playwright, the app served from
this process on a SQLite file, one world and server for the module): a designer opens the hazard
process (挂牌督办), changes a reminder timer in the properties panel and deploys after confirming the
diff — new cases take the new version, a running case stays on the old one; leaving or importing over
undeployed edits asks first; a file naming an unknown form, a drawn task with no flow and a user task
without a form are refused, named at their shapes; a test-run offers each step's form by name with
sample values and walks the hazard listing to its end.

Screenshots go to test-artifacts/screenshots/designer-*.png.
"""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.test_designer_endpoints import CAMUNDA_FILE, HAZARD, add_designers
from tests.ui_support import PASSWORD, ROOT, LiveServer, close_context, launch_chromium, make_world, screenshot, start_hazard

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:  # scripts/setup-browser installs it
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

BUNDLE = ROOT / "webui" / "static" / "vendor" / "designer" / "designer.js"
NEW_REMINDER = "reminder_at(rectify_deadline, 15, now())"
# The diff's row for that edit, in the designer's words (no attribute names, no Python reprs).
REMINDER_CHANGE = re.compile(r"^\s*修改\s*边界事件「到期前10个工作日」\s*定时器（到期时间）：\s*"
                             r"reminder_at\(rectify_deadline, 10, now\(\)\)\s*→\s*"
                             + re.escape(NEW_REMINDER) + r"\s*$")


@pytest.fixture(scope="module")
def browser():
    assert BUNDLE.exists(), "the designer bundle is not built: run scripts/setup-assets"
    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One world and one server for the module: each test deploys a different model (or none), and
    says what it expects relative to what it found."""
    w = make_world(tmp_path_factory.mktemp("designer"))
    add_designers(w.engine)
    with LiveServer(w.app) as server:
        w.url = server.url
        yield w
    w.engine.dispose()


@pytest.fixture
def page(browser, world):
    """A designer logged in, 1440 px wide; any script error or Content-Security-Policy refusal (an
    inline handler in served HTML, say) on the page fails the test."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 960}, locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(15_000)
    pg = ctx.new_page()
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    pg.base = world.url
    pg.goto(world.url + "/login")
    pg.fill("input[name=username]", "xu")
    pg.fill("input[name=password]", PASSWORD)
    pg.click("button[type=submit]")
    expect(pg.locator(".whoami .user")).to_have_text("许设计")
    yield pg
    close_context(ctx)
    assert not errors, errors


def editor_ready(page):
    page.wait_for_selector("#designer[data-state=ready]")


def shape(page, element_id: str):
    return page.locator(f'#canvas g.djs-element[data-element-id="{element_id}"]')


def select(page, element_id: str):
    """Click the shape; if the whole-process view draws it too small to hit, select it the way a
    search (Ctrl+F) would, through the modeler's selection service."""
    target = shape(page, element_id)
    target.scroll_into_view_if_needed()
    target.click(force=True)
    if "selected" not in (target.get_attribute("class") or ""):
        page.evaluate("id => { const m = window.dubanModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }",
                      element_id)
    expect(target).to_have_class(re.compile(r"\bselected\b"))


def test_designer_changes_a_reminder_timer_and_deploys_a_new_version(world, page, tmp_path):
    eng = world.engine
    running = start_hazard(eng, title="部署前已在办理的案件")

    page.click("nav.mainnav >> text=流程设计")
    row = page.locator(f'#models tr[data-key="{HAZARD}"]')
    expect(row.locator(".version")).to_have_text("v1")
    expect(row.locator(".running")).to_have_text("1")
    screenshot(page, "designer-01-models")

    row.locator("a", has_text="编辑").click()
    editor_ready(page)
    select(page, "remind_10")
    group = page.locator('.bio-properties-panel-group[data-group-id="group-duban"] .bio-properties-panel-group-header')
    expect(group).to_contain_text("督办")
    value = page.locator("#bio-properties-panel-duban-timer-value")
    expect(value).to_have_value("reminder_at(rectify_deadline, 10, now())")
    expect(page.locator("#bio-properties-panel-duban-timer-kind")).to_have_value("timeDate")
    value.fill(NEW_REMINDER)
    page.click("#btn-validate")
    expect(page.locator("#designer-status")).to_have_text("校验通过，可以部署")

    page.click("#btn-diff")
    expect(page.locator("#diff-table tbody tr")).to_have_count(1)  # what bpmn-js rewrites is no change
    expect(page.locator("#diff-table tbody tr")).to_have_text(
        REMINDER_CHANGE)
    assert "diff-changed" in shape(page, "remind_10").get_attribute("class")
    screenshot(page, "designer-02-editor-timer")

    # Importing a file over the undeployed edit, or leaving with it, asks first; staying keeps the edit.
    ask = page.locator("#designer-ask")
    upload = tmp_path / "隐患复查.bpmn"
    upload.write_text(CAMUNDA_FILE, encoding="utf-8")
    page.set_input_files("#import-file", str(upload))
    expect(ask).to_contain_text("导入「隐患复查.bpmn」将替换当前草稿")
    ask.locator("button", has_text="保留当前草稿").click()
    expect(page.locator("#designer-status")).to_have_text("未导入，当前草稿保持不变")
    page.click("nav.mainnav >> text=流程设计")
    expect(ask).to_be_visible()
    expect(ask.locator("h2")).to_have_text("有未部署的修改")
    ask.locator("button", has_text="留在此页").click()
    expect(ask).to_be_hidden()
    assert page.url.endswith(f"/designer/models/{HAZARD}/edit")
    select(page, "remind_10")
    expect(value).to_have_value(NEW_REMINDER)

    # 部署 shows what the new version changes and who stays on the old one; 取消 deploys nothing.
    page.click("#btn-deploy")
    expect(ask.locator("h2")).to_have_text("确认部署")
    expect(ask).to_contain_text("将「重大事故隐患挂牌督办」部署为新版本 v2（当前版本 v1）")
    expect(ask).to_contain_text("运行中的 1 件案件仍按原版本办理")
    expect(ask.locator("#deploy-diff-table tbody tr")).to_have_text(
        REMINDER_CHANGE)
    screenshot(page, "designer-02b-deploy-confirm")
    ask.locator("button", has_text="取消").click()
    expect(page.locator("#designer-status")).to_have_text("已取消部署，当前版本不变")
    assert eng.models.latest(HAZARD).version == 1

    page.click("#btn-deploy")
    ask.locator("button", has_text="确认部署").click()
    expect(page.locator("#designer-status")).to_contain_text("已部署为版本 v2")
    expect(page.locator("[data-current-version]")).to_have_text("v2")
    latest = eng.models.latest(HAZARD)
    assert (latest.version, latest.deployed_by) == (2, "xu")
    assert NEW_REMINDER in latest.content and "reminder_at(rectify_deadline, 10, now())" not in latest.content
    assert 'name="formSchema" value="hazard.register"' in latest.content  # our extensions survive the round trip

    assert eng.case(start_hazard(eng, title="部署后发起的案件").id).model_version == 2
    assert eng.case(running.id).model_version == 1

    page.click(f".crumbs a[href$='/designer/models/{HAZARD}']")  # deployed: leaving asks nothing
    expect(page.locator('#versions tr[data-version="2"]')).to_contain_text("当前")
    expect(page.locator('#versions tr[data-version="2"] .running')).to_have_text("1")
    expect(page.locator('#versions tr[data-version="1"] .running')).to_have_text("1")
    screenshot(page, "designer-03-versions")

    page.locator('#versions tr[data-version="2"] a', has_text="与上一版比较").click()
    page.wait_for_selector("#compare[data-state=ready]")
    expect(page.locator("#diff-table tbody tr")).to_have_count(1)
    expect(page.locator("#diff-table tbody tr")).to_have_text(
        REMINDER_CHANGE)
    assert "timer_timeDate" not in page.locator("main").inner_text()
    assert "diff-changed" in page.locator('#new-diagram g.djs-element[data-element-id="remind_10"]').get_attribute("class")
    screenshot(page, "designer-04-compare")


def test_an_uploaded_model_with_an_unknown_form_shows_the_error_at_that_task(world, page, tmp_path):
    eng = world.engine
    broken = tmp_path / "hazard_supervision.bpmn"
    broken.write_text(eng.models.latest(HAZARD).content.replace('value="hazard.register"', 'value="no.such.form"'),
                      encoding="utf-8")

    current = eng.models.latest(HAZARD).version
    page.goto(page.base + f"/designer/models/{HAZARD}/edit")
    editor_ready(page)
    page.set_input_files("#import-file", str(broken))
    expect(page.locator("#draft-name")).to_have_text("hazard_supervision.bpmn")
    expect(page.locator("#problem-list")).to_contain_text("不存在")
    expect(shape(page, "register")).to_have_class(re.compile(r"\bhas-problem\b"))
    note = page.locator('.duban-note[data-element="register"]')
    expect(note).to_have_text("用户任务「登记隐患」的表单「no.such.form」不存在")
    screenshot(page, "designer-05-problem-at-task")

    page.click("#btn-deploy")
    expect(page.locator("#designer-status")).to_contain_text("未部署")
    expect(note).to_be_visible()
    assert eng.models.latest(HAZARD).version == current


def test_a_new_model_from_a_camunda_file_is_test_run_then_deployed(world, page, tmp_path):
    upload = tmp_path / "隐患复查.bpmn"
    upload.write_text(CAMUNDA_FILE, encoding="utf-8")
    page.goto(page.base + "/designer/")
    page.click("#new-model")
    editor_ready(page)
    page.set_input_files("#import-file", str(upload))
    expect(page.locator("h1")).to_have_text("新建流程：隐患复查")
    # Camunda's file leaves 现场复查 without a form and names a form of its own for 审核签字: the designer's
    # standard asks for this system's forms before it deploys.
    expect(page.locator("#designer-status")).to_have_text("模型有 2 处问题，修正前不能部署")
    expect(page.locator("#problem-list")).to_contain_text("「现场复查」")

    select(page, "Lane_head")
    expect(page.locator("#bio-properties-panel-duban-lane-role")).to_have_value("supervisor")
    assert page.locator("#bio-properties-panel-duban-lane-role").evaluate(
        "s => s.options[s.selectedIndex].text") == "科室负责人（泳道名称写的是角色代码）"  # by name, not "supervisor"
    page.select_option("#bio-properties-panel-duban-lane-role", "科室负责人")
    select(page, "recheck_site")
    page.select_option("#bio-properties-panel-duban-formSchema", "hazard.onsite_review")
    select(page, "sign_off")
    page.select_option("#bio-properties-panel-duban-formSchema", "hazard.review_plan")
    page.click("#btn-validate")
    expect(page.locator("#designer-status")).to_have_text("校验通过，可以部署")

    page.click("#btn-dry-run")
    expect(page.locator("#trace-status")).to_contain_text("流程结束", timeout=20_000)  # a throw-away database and a fresh evaluator
    expect(page.locator("#trace-table tbody tr")).to_have_count(2)
    for element in ("start", "f1", "recheck_site", "f2", "sign_off", "f3", "done"):  # the path, ends included
        assert "trace-ran" in page.locator(f'#canvas [data-element-id="{element}"]').first.get_attribute("class"), element
    screenshot(page, "designer-06-dry-run")

    page.click("#btn-deploy")
    expect(page.locator("#designer-ask")).to_contain_text("「隐患复查」是新流程，将部署为第一个版本 v1")
    page.locator("#designer-ask button", has_text="确认部署").click()
    expect(page.locator("#designer-status")).to_contain_text("已部署为版本 v1")
    model = world.engine.models.latest("recheck")
    assert 'name="科室负责人"' in model.content
    assert '<spiffworkflow:property name="formSchema" value="hazard.onsite_review"' in model.content
    assert 'camunda:assignee="demo"' in model.content  # kept, and ignored by the engine


def draw_task_after(page, source_id: str, name: str, kind: str | None = None) -> str:
    """Append a task to ``source_id`` from its context pad (connected, as bpmn.io draws), type its
    name, and change its kind with the wrench (``replace-with-user-task``); the new element's id."""
    select(page, source_id)
    page.click('.djs-context-pad [data-action="append.append-task"]')
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    new_id = page.evaluate("() => window.dubanModeler.get('selection').get()[0].id")
    if kind:
        select(page, new_id)
        page.click('.djs-context-pad [data-action="replace"]')
        page.click(f'.djs-popup [data-id="replace-with-{kind}"]')
        new_id = page.evaluate("() => window.dubanModeler.get('selection').get()[0].id")
    return new_id


def drop_from_palette(page, action: str, inside: str, fx: float, fy: float, name: str) -> str:
    """Take a shape from the palette and drop it at a fraction of the box of shape ``inside``, unconnected."""
    box = shape(page, inside).bounding_box()
    x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
    page.click(f'.djs-palette [data-action="{action}"]')
    page.mouse.move(x - 20, y - 20)
    page.mouse.move(x, y, steps=5)
    page.mouse.click(x, y)
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    return page.evaluate("() => window.dubanModeler.get('selection').get()[0].id")


def test_a_drawn_unconnected_task_and_a_form_less_user_task_are_refused(world, page):
    """Issue 13: both passed 校验 and deployed. Drawn here as a designer draws them — a user task
    appended to the start event with no form chosen, a lane added with no role, and a task dropped
    from the palette into it with no flow — each is named in Chinese and marked on the diagram, and
    the deploy is refused until all are mended."""
    page.goto(page.base + "/designer/new")
    editor_ready(page)
    check = draw_task_after(page, "start", "核查整改情况", kind="user-task")
    select(page, check)
    page.click('.djs-context-pad [data-action="append.end-event"]')
    page.keyboard.press("Escape")
    select(page, "Lane_new")
    page.click('.djs-context-pad [data-action="lane-insert-below"]')
    lane = page.evaluate("() => window.dubanModeler.get('elementRegistry').filter(e => e.type === 'bpmn:Lane'"
                         " && e.id !== 'Lane_new')[0].id")
    page.keyboard.press("Escape")
    orphan = drop_from_palette(page, "create.task", lane, 0.7, 0.5, "补充材料")

    page.click("#btn-validate")
    expect(page.locator("#designer-status")).to_have_text("模型有 3 处问题，修正前不能部署")
    problems = page.locator("#problem-list")
    expect(problems.locator(f'tr[data-element="{check}"]')).to_have_text(
        "核查整改情况用户任务「核查整改情况」没有表单，办理人无从填写；请在「督办」属性中选择表单")
    expect(problems.locator(f'tr[data-element="{orphan}"]')).to_have_text(
        "补充材料任务「补充材料」没有连线，流程永远不会走到这里；请连接或删除")
    expect(problems.locator(f'tr[data-element="{lane}"]')).to_have_text(
        re.compile(r"^\s*未命名泳道\s*未命名的泳道没有选择角色，无法确定由谁办理其中的任务；请在「督办」属性中选择泳道角色\s*$"))
    for element in (check, orphan, lane):
        assert element not in problems.inner_text()  # names, not ids
    for element in (check, orphan, lane):
        expect(shape(page, element)).to_have_class(re.compile(r"\bhas-problem\b"))
    expect(page.locator(f'.duban-note[data-element="{orphan}"]')).to_contain_text("没有连线")
    screenshot(page, "designer-07-refused-drawing")

    page.click("#btn-deploy")
    expect(page.locator("#designer-status")).to_contain_text("未部署")
    assert [m.key for m in world.engine.models.list() if m.key == "new_process"] == []

    select(page, orphan)
    page.keyboard.press("Delete")
    select(page, lane)
    page.keyboard.press("Delete")
    select(page, check)
    page.select_option("#bio-properties-panel-duban-formSchema", "hazard.onsite_review")
    page.click("#btn-validate")
    expect(page.locator("#designer-status")).to_have_text("校验通过，可以部署")

    # Closing or reloading the page with the drawing undeployed: the browser asks first.
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # the page stays, the drawing with it


def test_a_test_run_offers_each_step_by_name_with_sample_values_and_completes_the_hazard_listing(world, page):
    """Issue 13: 试运行 wanted JSON keyed by element ids. Now each user task of the draft is offered by
    its Chinese name with its form filled from the form's sample values (dates as officials write
    them); the run with those values walks 重大事故隐患挂牌督办 to its end, and the path is told in names."""
    current = world.engine.models.latest(HAZARD).version
    page.goto(page.base + f"/designer/models/{HAZARD}/edit")
    editor_ready(page)
    page.click("#btn-dry-run")
    expect(page.locator("#trace-status")).to_have_text("结果：流程结束", timeout=60_000)
    register = page.locator('#dry-forms form[data-step="register"]')
    expect(register.locator("h3")).to_have_text("1. 登记隐患 执法人员")
    expect(register.locator('input[name="found_on"]')).to_have_value("2026年11月23日")  # the clock's day, as officials write it
    expect(page.locator('#dry-forms form[data-step="review_listing"] h3')).to_contain_text("审核挂牌建议")
    expect(page.locator('#dry-forms form[data-step="review_listing"] input[value="同意"]')).to_be_checked()
    expect(page.locator("#trace-path")).to_contain_text(
        "经过：发现隐患 → 登记隐患 → 隐患分级 → 隐患等级？ → 提出挂牌督办建议 → 确定挂牌层级 → 审核挂牌建议")
    expect(page.locator("#trace-path")).to_contain_text("审批销号 → 同意销号？ → 销号摘牌 → 公告摘牌 → 隐患销号")
    expect(page.locator("#trace-table tbody tr").nth(2)).to_have_text(re.compile(r"^\s*3\s*审核挂牌建议\s*科室负责人\s*科室负责人\s*$"))
    shown = page.locator(".designer-results").inner_text()
    for internal in ("review_listing", "found_on", "supervisor", "{"):
        assert internal not in shown, internal
    screenshot(page, "designer-08-test-run")

    # A date left out is refused by the form's own rule, named by step and field; nothing runs.
    register.locator('input[name="found_on"]').fill("")
    page.click("#btn-dry-again")
    expect(page.locator("#trace-form-errors")).to_contain_text("「登记隐患」的发现日期：")
    expect(page.locator("#designer-status")).to_contain_text("试运行未完成")
    expect(register.locator('[data-field="found_on"]')).to_have_class(re.compile(r"\bhas-error\b"))
    register.locator('input[name="found_on"]').fill("2026年11月20日")
    page.click("#btn-dry-again")
    expect(page.locator("#trace-status")).to_have_text("结果：流程结束", timeout=60_000)
    assert world.engine.models.latest(HAZARD).version == current  # a test-run deploys nothing


def option_texts(page, select_id: str) -> list[str]:
    return page.locator(f"#bio-properties-panel-{select_id} option").all_inner_texts()


def test_the_panels_dropdowns_name_forms_roles_and_decisions_in_chinese_only(world, page):
    """The 督办 group's dropdowns show what a designer knows — a form's title under the process that
    uses it, a role's name, a decision table's name — never the form key, role code or decision id
    (those stay the options' values, written into the model)."""
    latin = re.compile(r"[A-Za-z]")
    page.goto(page.base + "/designer/models/accident_investigation/edit")
    editor_ready(page)

    select(page, "close_case")  # 结案审批: a title two processes' forms share
    form = "#bio-properties-panel-duban-formSchema"
    expect(page.locator(form)).to_have_value("accident.close")
    texts = option_texts(page, "duban-formSchema")
    assert len(texts) > 100 and not [t for t in texts if latin.search(t)], [t for t in texts if latin.search(t)]
    groups = page.locator(f"{form} optgroup")
    labels = groups.evaluate_all("gs => gs.map(g => g.label)")
    assert "事故调查处理（四不放过）" in labels and "行政处罚案件办理（一案一审、集体决策）" in labels, labels
    shared = page.locator(f'{form} optgroup option:text-is("结案审批")')
    assert sorted(shared.evaluate_all("os => os.map(o => o.parentElement.label)")) == [
        "事故调查处理（四不放过）", "行政处罚案件办理（一案一审、集体决策）"]
    assert page.locator(form).evaluate("s => s.options[s.selectedIndex].parentElement.label") == "事故调查处理（四不放过）"

    select(page, "Lane_accident_investigation_1")
    expect(page.locator("#bio-properties-panel-duban-lane-role")).to_have_value("科室负责人")
    texts = option_texts(page, "duban-lane-role")
    assert "科室负责人" in texts and not [t for t in texts if latin.search(t)], texts

    select(page, "grade")
    expect(page.locator("#bio-properties-panel-duban-decision")).to_have_value("accident_grade")
    texts = option_texts(page, "duban-decision")
    assert "事故等级判定" in texts and not [t for t in texts if latin.search(t)], texts

    select(page, "investigation_remind")  # a timer's kinds in words, not timeDate/timeDuration/timeCycle
    texts = option_texts(page, "duban-timer-kind")
    assert texts == ["（未设置）", "指定时间", "持续时长", "循环"], texts
    screenshot(page, "designer-07-dropdowns")


@pytest.mark.parametrize("filename", ["camunda7_boundary_timers.bpmn", "camunda7_dmn_rule.bpmn", "flowable_leave.bpmn"])
def test_files_from_camunda_modeler_and_flowable_show_no_ids_in_the_panels_choices(world, page, filename):
    """Every element of a file drawn in Camunda Modeler or Flowable, selected: the 督办 group's choices
    (forms, roles, decisions, timer kinds…) read as names; Latin only where the file itself names
    something this system does not know, shown as such (「…（未部署）」)."""
    from tests.interop_support import CORPUS
    latin = re.compile(r"[A-Za-z]")
    unknown = re.compile(r"（(未部署|未注册的表单|未知角色)）$")
    page.goto(page.base + "/designer/")
    page.click("#new-model")
    editor_ready(page)
    page.set_input_files("#import-file", str(CORPUS / filename))
    expect(page.locator("#designer")).to_have_attribute("data-state", "ready")
    ids = page.evaluate("() => window.dubanModeler.get('elementRegistry').getAll()"
                        ".filter(e => e.type !== 'label').map(e => e.id)")
    drawn = set(re.findall(r'bpmnElement="([^"]+)"', (CORPUS / filename).read_text(encoding="utf-8")))
    assert drawn <= set(ids), sorted(drawn - set(ids))  # the file's diagram, not the blank draft it replaced
    found, dropdowns = {}, 0
    for element_id in ids:
        page.evaluate("id => { const m = window.dubanModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }",
                      element_id)
        texts = page.locator('.bio-properties-panel select[id^="bio-properties-panel-duban-"] option').all_inner_texts()
        dropdowns += page.locator('.bio-properties-panel select[id^="bio-properties-panel-duban-"]').count()
        bad = [t for t in texts if latin.search(t) and not unknown.search(t)]
        if bad:
            found[element_id] = bad
    assert dropdowns >= 3, dropdowns  # the file's lanes, tasks, timers or rule tasks were offered choices
    assert not found, found


def test_a_file_without_a_diagram_is_refused_and_the_editor_goes_on_working(world, page):
    """A Camunda 8 file as Zeebe's API returns it (the process, no diagram): refused in Chinese before
    the editor reads it, so 校验 afterwards checks the draft still on the page instead of failing
    with the browser's own English error (the page fixture fails on any script error)."""
    from tests.interop_support import CORPUS
    page.goto(page.base + "/designer/")
    page.click("#new-model")
    editor_ready(page)
    page.set_input_files("#import-file", str(CORPUS / "camunda8_zeebe.bpmn"))
    expect(page.locator("#designer-status")).to_have_text(
        "文件无法打开：文件中没有流程图的图形信息（只有流程定义），设计器无法显示；已部署的模型仍照常运行")
    page.click("#btn-validate")
    expect(page.locator("#designer-status")).to_have_text("校验通过，可以部署")


def test_the_panel_sets_who_may_start_and_whether_the_party_reads_on_the_start_event(world, page):
    """The start-event properties the engine reads (docs/engine.md) are in the 督办 group, in words: a
    12350 举报 is kept from the enterprise it is about (partyReads 否, 《国家安全监管总局关于保护生产安全事故
    和事故隐患举报人的意见》第五条), a self-report is started by the enterprise (startableBy), and the
    penalty case's 呈批 records its 承办人 for the returns (completerVariable). Before, a designer could
    set them only by editing the file."""
    page.goto(page.base + "/designer/models/tipoff_12350/edit")
    editor_ready(page)
    select(page, "start")
    expect(page.locator("#bio-properties-panel-duban-partyReads")).to_have_value("否")
    assert option_texts(page, "duban-partyReads") == ["可以查看（默认）", "不可查看"]
    expect(page.locator("[data-entry-id=duban-partyReads] .bio-properties-panel-label")).to_have_text(
        "当事企业可否查看本流程的案件")
    # choosing the default takes the property out of the model
    page.locator("#bio-properties-panel-duban-partyReads").select_option("")
    xml = page.evaluate("async () => (await window.dubanModeler.saveXML()).xml")
    assert 'name="partyReads"' not in xml
    page.locator("#bio-properties-panel-duban-partyReads").select_option("否")
    xml = page.evaluate("async () => (await window.dubanModeler.saveXML()).xml")
    assert re.search(r'<spiffworkflow:property name="partyReads" value="否"\s*/>', xml), xml[:2000]

    page.goto(page.base + "/designer/models/hazard_self_report/edit")
    editor_ready(page)
    select(page, "start")
    expect(page.locator("#bio-properties-panel-duban-startableBy")).to_have_value("生产经营单位")
    expect(page.locator("#bio-properties-panel-duban-partyReads")).to_have_value("")

    page.goto(page.base + "/designer/models/enforcement_case/edit")
    editor_ready(page)
    select(page, "propose")
    expect(page.locator("#bio-properties-panel-duban-completerVariable")).to_have_value("proposer")
    expect(page.locator("#bio-properties-panel-duban-partyReads")).to_have_count(0)
    screenshot(page, "designer-09-start-event")
