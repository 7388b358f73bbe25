"""People first at 375 px, the leftovers (session 30): what tests/test_ui_narrow_s30.py left squeezed.

Chromium (Playwright, zh-CN, Asia/Shanghai) on the demo (``workflows.demo.load_demo`` on a SQLite file), 40
days on so that tasks are overdue, with a 严重失信 listing case started for 示范市甲化工 (docs/dishonesty.md,
应急管理部令第11号) and a CSV with a wrong line uploaded to 导入名录. At 375 px before this:

- an enterprise's 严重失信主体名单 cases (``#listing-cases``) stood in five columns, the 案号 four characters a line
  (DL-/2026/-000/01) and 拟列入 three; 导入名录's wrong lines (``#import-errors``) three columns likewise;
- a card's name longer than its 6.6rem column ran into the value: 直接经济损失（元） over 3,200,000.00 in an
  enterprise's 生产安全事故 (also 领导带队督查检查, 党委检查督办月份, 资质证书编号, 整改资金（元） elsewhere); the
  name now wraps within its column (a float beside the value, the cell as tall as the longer);
- 逾期督办's board (``#overdue-board``, units × processes) ran sideways with every process name one or two
  characters a line; at a phone it is now a card per unit: its name and 合计 on the head line, a line for
  each process with overdue tasks (name left, count right).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import shutil

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.security import generate_password_hash

from engine import ManualClock
from tests.test_ui_narrow_s30 import CELLS
from tests.ui_support import PASSWORD, LiveServer, close_context, launch_chromium, logged_in_page, screenshot, quick_logins
from webui.app import create_app
from workflows.demo import CHEMICAL, USERS, load_demo
from workflows.forms.dishonesty import GROUNDS
from workflows.runtime import build_engine

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)  # Monday 09:00 in Beijing
PHONE = 375
HEADER = ["统一社会信用代码", "企业名称", "地址", "属地代码", "行业类别", "企业规模", "风险等级"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("narrow2-s30")
    clock = ManualClock(NOW)
    engine = build_engine(f"sqlite:///{folder / 'demo.sqlite'}", clock=clock)
    load_demo(engine)
    quick_logins(engine)
    engine.start("dishonesty_list", by="zhang_san", org="dongcheng", party=CHEMICAL, title="拟列入严重失信主体名单",
                 data={"ground": GROUNDS[0], "credit_code": CHEMICAL})
    clock.set(NOW + dt.timedelta(days=40))  # the demo's tasks past their deadlines: the board has rows
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, [CHEMICAL, "示范市甲化工有限公司", "", "dongcheng", "五金", "中型", "红"]])
    bad = folder / "名录.csv"
    bad.write_bytes(out.getvalue().encode("utf-8-sig"))
    app = create_app(engine, secret_key="test", testing=True, instance_path=folder / "instance")
    with LiveServer(app) as server, sync_playwright() as p:
        browser = launch_chromium(p)
        yield server, browser, bad
        browser.close()
    engine.dispose()


# Each card cell's name (data-label, a ::before) beside its value: where the name's box ends, measured in the
# page (its used width and height), against where the value starts and how tall the cell is. A name above the
# value (a ::before at the top over the cell's top padding) is checked for its height only.
NAMES = """sel => [...document.querySelectorAll(sel + ' tbody td[data-label]')].filter(c => c.offsetParent).map(c => {
  const s = getComputedStyle(c), b = getComputedStyle(c, '::before');
  if (b.content === 'none' || b.display === 'none') return null;
  const padLeft = parseFloat(s.paddingLeft), w = parseFloat(b.width), h = parseFloat(b.height);
  let start = null;
  if (b.position === 'absolute') start = parseFloat(b.left);
  else if (b.float !== 'none') start = padLeft + parseFloat(b.marginLeft);
  const above = b.position === 'absolute' && parseFloat(s.paddingTop) >= h;
  return {label: c.dataset.label, beside: start !== null && !above,
          endsBeforeValue: start + w <= padLeft + 0.5, fitsInCell: isNaN(h) || h <= c.clientHeight + 0.5 || above};
}).filter(x => x)"""


def _look(page, table: str, name: str, heads: frozenset[str] = frozenset()) -> list[str]:
    """What a phone reader finds wrong with ``table``: squeezed columns, sideways scroll, a name over its value.
    ``heads``: the texts of cells that stand beside the card's title on its head line (逾期督办's 合计)."""
    cells = page.evaluate(CELLS, table)
    problems = [f"「{c['text']}」只有 {c['chars']:.1f} 个字宽" for c in cells if c["chars"] < 3]
    problems += [f"「{c['text']}」挤在一列里（表宽的 {c['share']:.0%}）" for c in cells
                 if c["share"] < 0.45 and c["text"] not in heads]
    for n in page.evaluate(NAMES, table):
        if n["beside"] and not n["endsBeforeValue"]:
            problems.append(f"「{n['label']}」压在内容上")
        if not n["fitsInCell"]:
            problems.append(f"「{n['label']}」超出本行")
    if page.evaluate("document.documentElement.scrollWidth") > PHONE:
        problems.append("页面横向滚动")
    if page.locator(table).evaluate("t => t.scrollWidth > t.clientWidth"):
        problems.append("表格横向滚动")
    page.locator(table).scroll_into_view_if_needed()
    screenshot(page, f"narrow2-s30-{name}")
    return problems


# (who, page, table, what it must show)
PAGES = {
    "严重失信主体名单": ("qian_ke", f"/enterprises/{CHEMICAL}", "#listing-cases", "发生特别重大、重大生产安全事故"),
    "生产安全事故": ("qian_ke", f"/enterprises/{CHEMICAL}", "#accidents table", "3,200,000.00"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_an_enterprise_s_lists_on_a_phone_are_cards_and_a_long_name_wraps_in_its_column(demo, name):
    """严重失信 (应急管理部令第11号) cases as cards; 直接经济损失（元） wraps beside its figure, not over it."""
    server, browser, _ = demo
    who, path, table, shown = PAGES[name]
    page = logged_in_page(browser, server, who, PHONE)
    try:
        page.goto(server.url + path)
        expect(page.locator(table)).to_contain_text(shown)
        problems = _look(page, table, name)
        assert not problems, problems
        page.set_viewport_size({"width": 1280, "height": 900})  # a table again on a desk
        expect(page.locator(f"{table} thead")).to_be_visible()
    finally:
        close_context(page.context)


def test_import_s_wrong_lines_on_a_phone_are_cards_naming_line_column_and_reason(demo):
    server, browser, bad = demo
    page = logged_in_page(browser, server, "qian_ke", PHONE)
    try:
        page.goto(server.url + "/enterprises/import")
        page.set_input_files("#import-form input[type=file]", str(bad))
        page.click("#import-check")
        expect(page.locator("#import-errors tbody tr")).to_have_count(1)
        expect(page.locator("#import-errors")).to_contain_text("行业类别")
        problems = _look(page, "#import-errors", "导入名录")
        assert not problems, problems
    finally:
        close_context(page.context)


def test_the_overdue_board_on_a_phone_is_a_card_per_unit_with_each_late_process_on_a_line(demo):
    """逾期督办's board read by a section head on a phone: the unit and its 合计 on one line, each process with
    overdue tasks a line of its full name and count, nothing sideways; the table again at 1280 px."""
    server, browser, _ = demo
    page = logged_in_page(browser, server, "shi_ke", PHONE)
    try:
        page.goto(server.url + "/supervise/overdue")
        board = page.locator("#overdue-board")
        expect(board).to_contain_text("东城区")
        totals = frozenset(page.locator("#overdue-board tbody td:last-child").all_inner_texts())
        problems = _look(page, "#overdue-board", "逾期督办", totals)
        lines = page.evaluate("""() => [...document.querySelectorAll('#overdue-board tbody tr')].map(tr => {
          const th = tr.querySelector('th'), total = tr.querySelector('td:last-child');
          const lh = parseFloat(getComputedStyle(th).lineHeight) || 24;
          return {unit: th.innerText.trim(), unitOneLine: th.getBoundingClientRect().height < 2 * lh,
                  totalBeside: Math.abs(total.getBoundingClientRect().top - th.getBoundingClientRect().top) < lh,
                  late: [...tr.querySelectorAll('td.hot')].map(td => ({
                    name: td.dataset.label || '', shown: td.offsetParent !== null,
                    oneLine: td.getBoundingClientRect().height < 2 * lh,
                    named: (getComputedStyle(td, '::before').content || '').includes(td.dataset.label || '?')})),
                  empty: [...tr.querySelectorAll('td:not(.hot)')].slice(0, -1).filter(td => td.offsetParent).length};
        })""")
        assert lines and any(r["late"] for r in lines), lines
        for r in lines:
            if not r["unitOneLine"]:
                problems.append(f"「{r['unit']}」折成多行")
            if not r["totalBeside"]:
                problems.append(f"「{r['unit']}」的合计不在单位名称一行")
            if r["empty"]:
                problems.append(f"「{r['unit']}」列出了 {r['empty']} 个没有逾期的流程")
            problems += [f"「{r['unit']}」的「{c['name']}」未写出流程名称" for c in r["late"] if not c["named"]]
            problems += [f"「{r['unit']}」的「{c['name']}」折行" for c in r["late"] if c["shown"] and not c["oneLine"]]
        assert not problems, problems
        page.set_viewport_size({"width": 1280, "height": 900})
        expect(page.locator("#overdue-board thead")).to_be_visible()
        expect(page.locator("#overdue-board tbody td:not(.hot)").first).to_be_visible()  # the — cells on a desk
    finally:
        close_context(page.context)
