"""People first at 375 px (session 30): the lists session 29's walk found squeezed on a phone, read as cards.

Chromium (Playwright, zh-CN, Asia/Shanghai) on the demo (``workflows.demo.load_demo`` on a SQLite file) with
one stalled case (an incident) and the State Council's 2027 holiday notice entered. At 375 px each of these
tables squeezed its columns: 异常事件's 案号 stood three characters a line (S-/202/6-/000/01) and the table ran
46 px past the screen; 红色风险企业's enterprise name two characters a line and 下次检查 cut off; 角色's
生产经营单位 and 第三方评估机构 broken over lines; the 变更记录 of an org unit and of a user, 节假日日历's two
tables, 双随机抽查计划完成率 and an enterprise's 风险等级 history as four or five columns of a few characters.
Each is now a column of cards like 我的待办 and 消息中心 (table.list.cards): a row is a card, each cell a line under
its name; 角色 is a card per role (table.list.cards.grouped), 完成率 the unit over its figures two to a line
(table.list.cards.stats, as 隐患统计). At 1280 px they are tables as before.

What a phone must not do, checked on each table: the page or the table scroll sideways; a cell narrower than 3
characters; a cell narrower than 45 % of the table (a row read across squeezed columns, not down a card); a
cell's name (data-label) running into its value.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.security import generate_password_hash

from engine import ManualClock, workdays
from tests.interop_support import CORPUS, drive
from tests.ui_support import PASSWORD, LiveServer, close_context, launch_chromium, logged_in_page, screenshot, quick_logins
from webui.app import create_app
from workflows import calendar
from workflows.demo import CHEMICAL, USERS, load_demo
from workflows.runtime import build_engine

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)  # Monday 09:00 in Beijing
PHONE = 375


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("narrow-s30")
    engine = build_engine(f"sqlite:///{folder / 'demo.sqlite'}", clock=ManualClock(NOW))
    load_demo(engine)
    quick_logins(engine)
    engine.deploy(CORPUS / "stalls.bpmn", by="xu_sj")
    out = drive(engine, "stalls", starter="zhang_san", org="dongcheng", data_by_task={"check": {"passed": True}},
                party=CHEMICAL)
    assert out.status == "incident", out
    calendar.enter_year(engine.db.engine, 2027, "2027-01-01至2027-01-03\n2027-02-06至2027-02-13", "2027-02-20",
                        by="admin", now=engine.clock.now(), note="国办发明电〔2026〕12号")
    app = create_app(engine, secret_key="test", testing=True, instance_path=folder / "instance")
    with LiveServer(app) as server, sync_playwright() as p:
        browser = launch_chromium(p)
        yield server, browser
        browser.close()
    engine.dispose()
    workdays.forget_year(2027)      # the notice is held per process: the next module starts without it


# (who, page, table, what it must show) — the person who reads it in the demo
PAGES = {
    "角色": ("admin", "/admin/roles", "#roles", "第三方评估机构"),
    "节假日日历·年份": ("admin", "/admin/calendar", "#calendar-years", "2027年"),
    "节假日日历·已录入": ("admin", "/admin/calendar", "#calendar-entered", "国办发明电〔2026〕12号"),
    "组织机构变更记录": ("admin", "/admin/orgs", "#org-history", "东城区"),
    "用户变更记录": ("admin", "/admin/users/zhang_san", "#user-history", "执法人员"),
    "异常事件": ("qian_ke", "/supervise/incidents", "#incidents", "流程停滞"),
    "双随机抽查计划完成率": ("zheng_fj", "/inspections/completion", "#completion-by-unit", "东城区"),
    "红色风险企业": ("shi_ke", "/supervise/overdue", "#red-list", "示范市丙建材有限公司"),
    "风险等级记录": ("qian_ke", f"/enterprises/{CHEMICAL}", "#risk-history", "建档时评定"),
}

# Each visible, non-empty cell of the table's body: its box and content widths in characters (its font size)
# and in parts of the table's width; and, for a cell under its name (data-label) beside it, whether the name
# fits left of the value (the name is a ::before, measured in its own font on a canvas).
CELLS = """sel => {
  const table = document.querySelector(sel), canvas = document.createElement('canvas').getContext('2d');
  return [...table.querySelectorAll('tbody td, tbody th')].filter(c => c.offsetParent && c.innerText.trim()).map(c => {
    const s = getComputedStyle(c), ch = parseFloat(s.fontSize), box = c.getBoundingClientRect();
    const content = c.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    const label = c.dataset.label, before = getComputedStyle(c, '::before');
    let nameFits = true;
    if (label && before.content !== 'none' && before.position === 'absolute'
        && parseFloat(before.top || 0) >= 0 && parseFloat(s.paddingTop) < ch) {  // the name beside the value
      canvas.font = before.font;
      nameFits = parseFloat(before.left) + canvas.measureText(label).width <= parseFloat(s.paddingLeft);
    }
    return {text: c.innerText.trim().slice(0, 24), chars: content / ch, share: box.width / table.clientWidth,
            nameFits, label: label || ''};
  });
}"""


@pytest.mark.parametrize("name", list(PAGES))
def test_a_list_on_a_phone_reads_as_cards_with_no_squeezed_column_and_nothing_sideways(demo, name):
    server, browser = demo
    who, path, table, shown = PAGES[name]
    page = logged_in_page(browser, server, who, PHONE)
    try:
        page.goto(server.url + path)
        expect(page.locator(table)).to_contain_text(shown)
        cells = page.evaluate(CELLS, table)
        problems = [f"「{c['text']}」只有 {c['chars']:.1f} 个字宽" for c in cells if c["chars"] < 3]
        problems += [f"「{c['text']}」挤在一列里（表宽的 {c['share']:.0%}）" for c in cells if c["share"] < 0.45]
        problems += [f"「{c['label']}」压在内容上" for c in cells if not c["nameFits"]]
        if page.evaluate("document.documentElement.scrollWidth") > PHONE:
            problems.append("页面横向滚动")
        if page.locator(table).evaluate("t => t.scrollWidth > t.clientWidth"):
            problems.append("表格横向滚动")
        if problems:
            page.locator(table).scroll_into_view_if_needed()
            screenshot(page, f"narrow-s30-{table[1:]}")
        assert not problems, problems
        page.set_viewport_size({"width": 1280, "height": 900})  # a table again on a desk
        expect(page.locator(f"{table} thead")).to_be_visible()
    finally:
        close_context(page.context)


@pytest.fixture
def designer_page(demo):
    """The demo's designer (许设计, xu_sj) in the editor, 1440 px wide; a script error on the page fails the test."""
    server, browser = demo
    page = logged_in_page(browser, server, "xu_sj", 1440)
    page.set_viewport_size({"width": 1440, "height": 960})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.base = server.url
    yield page
    close_context(page.context)
    assert not errors, errors


# --- the designer's properties panels: the section and list buttons ---------------------------------------
# @bpmn-io/properties-panel draws each section's arrow (展开/收起), a list's 新增一项 and an item's 删除此项 as
# icon buttons titled with the same words on every section: a designer tabbing through the panel with a screen
# reader heard 「展开/收起」 without the section or whether it was open. They now name it (aria-label, aria-expanded:
# webui/static/designer/js/panel_buttons.js); the tooltip stays 「展开/收起」.
ARROW = re.compile(r"^(展开|收起)「[^」]+」$")


def _buttons(page, scope: str) -> list[dict]:
    return page.evaluate("""scope => [...document.querySelectorAll(scope + ' button.bio-properties-panel-arrow, '
        + scope + ' button.bio-properties-panel-add-entry, ' + scope + ' button.bio-properties-panel-remove-entry')]
        .filter(b => b.offsetParent).map(b => ({cls: b.className, label: b.getAttribute('aria-label'), title: b.title,
          expanded: b.getAttribute('aria-expanded'), tab: b.tabIndex,
          open: !!b.querySelector('.bio-properties-panel-arrow-down')}))""", scope)


def _named_and_stated(buttons: list[dict]) -> list[str]:
    """What is wrong with the buttons' names: each says its action and its section, and an arrow whether open."""
    wrong = []
    for b in buttons:
        if b["tab"] < 0:
            wrong.append(f"{b['title']}: 不能用键盘到达")
        if "arrow" in b["cls"]:
            if not ARROW.match(b["label"] or "") or b["expanded"] != ("true" if b["open"] else "false") \
                    or b["label"].startswith("收起") != b["open"]:
                wrong.append(f"箭头按钮「{b['label'] or b['title']}」（{b['expanded']}）")
        elif "add-entry" in b["cls"] and not re.match(r"^在「[^」]+」中新增一项$", b["label"] or ""):
            wrong.append(f"新增按钮「{b['label'] or b['title']}」")
        elif "remove-entry" in b["cls"] and not re.match(r"^删除「[^」]+」$", b["label"] or ""):
            wrong.append(f"删除按钮「{b['label'] or b['title']}」")
    return wrong


def _tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the focus is on ``selector`` (reachable by keyboard alone), or fail."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector}: Tab 键到达不了")


def test_the_designer_s_section_and_list_buttons_name_their_section_and_work_from_the_keyboard(designer_page):
    from tests.interop_support import CORPUS
    from tests.test_designer_browser import editor_ready, select
    from tests.test_designer_form_editor_browser import drag

    page = designer_page
    page.goto(page.base + "/designer/new")
    editor_ready(page)
    page.set_input_files("#import-file", str(CORPUS / "zeebe_linked_form.bpmn"))
    select(page, "Activity_1check")
    documentation = "#properties [data-group-id=group-documentation] button.bio-properties-panel-arrow"
    expect(page.locator(documentation)).to_have_attribute("aria-label", "展开「说明」")
    assert not _named_and_stated(_buttons(page, "#properties")), _named_and_stated(_buttons(page, "#properties"))
    page.locator("#properties [data-group-id=group-general] button.bio-properties-panel-arrow").focus()
    _tab_to(page, documentation)
    page.keyboard.press("Enter")
    expect(page.locator(documentation)).to_have_attribute("aria-expanded", "true")
    expect(page.locator(documentation)).to_have_attribute("aria-label", "收起「说明」")
    expect(page.locator("#properties [data-group-id=group-documentation] .bio-properties-panel-group-entries")).to_be_visible()
    page.keyboard.press("Space")
    expect(page.locator(documentation)).to_have_attribute("aria-label", "展开「说明」")

    page.click("#btn-form")  # the form editor's panel: a 下拉选择's 选项, a list of items
    dialog = page.locator("#form-dialog")
    drag(page, dialog.locator(".fjs-palette-field[data-field-type=select]"), dialog.locator(".fjs-editor-form-root"))
    options = "#form-dialog [data-group-id=group-staticOptions]"
    add = f"{options} button.bio-properties-panel-add-entry"
    expect(page.locator(add)).to_have_attribute("aria-label", "在「选项」中新增一项")
    page.locator(add).focus()
    page.keyboard.press("Enter")  # a second option, from the keyboard
    expect(page.locator(f"{options} .bio-properties-panel-collapsible-entry")).to_have_count(2)
    arrow = f"{options} .bio-properties-panel-group-header button.bio-properties-panel-arrow"
    expect(page.locator(arrow)).to_have_attribute("aria-label", "收起「选项」")
    item = f"{options} .bio-properties-panel-collapsible-entry >> nth=0"
    item_arrow = page.locator(item).locator("button.bio-properties-panel-arrow")
    expect(item_arrow).to_have_attribute("aria-label", re.compile(r"^(展开|收起)「.+」$"))
    item_arrow.focus()
    was = item_arrow.get_attribute("aria-expanded")
    page.keyboard.press("Enter")
    expect(item_arrow).to_have_attribute("aria-expanded", "false" if was == "true" else "true")
    wrong = _named_and_stated(_buttons(page, "#form-dialog .fjs-editor-properties-container"))
    assert not wrong, wrong
    page.locator(item).locator("button.bio-properties-panel-remove-entry").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"{options} .bio-properties-panel-collapsible-entry")).to_have_count(1)
    dialog.locator("[data-form=cancel]").click()
