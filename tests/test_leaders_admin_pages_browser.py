"""Leaders' and administrators' leftovers from the walk of 4bde63a, in Chromium (issue 15).

- 通报排名: a unit with nothing to count (无可考核事项) scored 100 by the rule's full marks and was listed
  among 通报表扬 — a leader read it as praise earned. It is now marked 无可考核事项 (score kept by the rule,
  labelled), not praised, and the page names where the rule comes from (九江市柴桑区人民政府《关于进一步
  加强安全生产工作的实施意见》第（十一）、（二十六）条, seed 003 — earlier misnamed 无锡市锡山区 2019).

The demo's world (东城区: 和平镇 and 清河镇 have no case this quarter), on a SQLite file and on PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from engine import ManualClock
from tests.ui_support import LiveServer, browser, screenshot, quick_logins  # noqa: F401
from webui.app import create_app
from workflows.demo import USERS, load_demo
from workflows.runtime import build_engine

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)  # Monday 09:00 in Beijing
PASSWORD = "demo-2026"
LEADERS = ["zheng_fj", "feng_jz"]  # 分管领导, 局长 (主要负责人)


@pytest.fixture(scope="module")
def server(module_database_url, tmp_path_factory):
    engine = build_engine(module_database_url, clock=ManualClock(NOW))
    load_demo(engine)
    quick_logins(engine, password=PASSWORD)
    app = create_app(engine, secret_key="test", testing=True, instance_path=tmp_path_factory.mktemp("instance"))
    with LiveServer(app) as srv:
        srv.engine = engine
        yield srv
    engine.dispose()


def login(browser, server, username: str, width: int):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".whoami .user")).to_be_visible()
    return page


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("username", LEADERS)
def test_a_unit_with_nothing_to_count_is_marked_and_not_praised(browser, server, username, width):
    """锡山 → 柴桑 seed 003 item 二十六: 季度考核排名前二位 通报表扬 — of units whose work was counted."""
    page = login(browser, server, username, width)
    page.goto(server.url + "/leadership/ranking?period=2026Q4")
    rows = page.locator("#ranking tbody tr")
    expect(rows).to_have_count(2)
    for row in rows.all():  # 和平镇, 清河镇: no hazard, inspection, decision or accident this quarter
        expect(row.locator("td[data-label=单位]")).to_contain_text("无可考核事项")
        expect(row.locator("td[data-label=得分]")).to_contain_text("按规则计满分")
        expect(row.locator("td[data-label=约谈] .badge")).to_have_count(0)  # the 通报表扬 badge
        expect(row.locator("td[data-label=约谈]")).to_contain_text("不列入通报表扬")
    rule = page.locator("#score-rule")
    expect(rule).to_contain_text("无可考核事项")
    expect(rule).to_contain_text("九江市柴桑区人民政府《关于进一步加强安全生产工作的实施意见》第（十一）条、第（二十六）条")
    expect(rule).not_to_contain_text("锡山")
    screenshot(page, f"ranking-nothing-counted-{username}-{width}")
    page.context.close()


def test_the_notice_praises_only_units_whose_work_was_counted(server):
    from workflows.leadership import notice, period, ranking, scope

    with server.engine.db.read() as s:
        dongcheng, shifan = scope.load(s, "dongcheng"), scope.load(s, "shifan")
    quarter = period.parse("2026Q4", NOW)
    text = notice.notice_text("东城区安委办", quarter, ranking.rank(server.engine, dongcheng, quarter, NOW), NOW.date())
    praise = text.split("二、通报表扬")[1].split("三、")[0]
    assert "本季度无" in praise and "和平镇" not in praise and "清河镇" not in praise
    assert "和平镇，本季度无可考核事项，按考核细则计100分，不列入通报表扬" in text
    rows = ranking.rank(server.engine, shifan, quarter, NOW)  # 西城区 and 东城区 had work counted
    assert [r.praised for r in rows] == [True, True] and not any(r.nothing_counted for r in rows)


def test_the_overdue_board_says_how_long_each_case_is_overdue_most_first(browser, database_url, tmp_path):
    """逾期督办: each case says 已逾期N天 and the 工作日 among them (engine/workdays: 法定节假日 and 调休 left
    out), from its earliest missed deadline (a task past it, or the one a 升级督办 punished), the longest
    overdue first whatever its level. Eight days after the demo's load (2026-11-23 → 2026-12-01): the 重大
    hazard whose 督办期限 passed on 2026-11-18 (the demo's timeline) is 13 days late, 9 工作日."""
    clock = ManualClock(NOW)
    engine = build_engine(database_url, clock=clock)
    cases = load_demo(engine)
    hazard = engine.case(cases["hazard_overdue"]).case_no
    engine.directory.set_password_hash("feng_jz", generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    clock.advance(days=8)
    app = create_app(engine, secret_key="test", testing=True, instance_path=tmp_path / "instance")
    with LiveServer(app) as srv:
        for width in (1280, 375):
            page = login(browser, srv, "feng_jz", width)
            page.goto(srv.url + "/supervise/overdue")
            rows = page.locator("#overdue-cases tbody tr")
            expect(rows.first).to_be_visible()
            seen = page.evaluate("""() => [...document.querySelectorAll('#overdue-cases tbody tr')].map(r => [
                r.querySelector('td').textContent.trim(), r.querySelector('td[data-label=督办级别]').textContent.trim(),
                r.querySelector('td[data-label=逾期时长]').textContent.trim()])""")
            texts = {no: late for no, _level, late in seen}
            assert texts[hazard].startswith("已逾期13天（9个工作日）"), texts
            assert all(late.startswith(("已逾期", "今日逾期")) for late in texts.values()), texts
            days = [int(late[3:late.index("天")]) if late.startswith("已逾期") else 0 for _n, _l, late in seen]
            assert days == sorted(days, reverse=True), seen  # the longest overdue first, whatever the level
            assert len(set(days)) > 1, seen  # the demo's cases fell overdue on different days
            expect(page.locator("#escalation-meaning")).to_contain_text("工作日")
            expect(page.locator("#overdue-order")).to_contain_text("逾期最久的排在最前")
            screenshot(page, f"overdue-how-long-{width}")
            page.context.close()
    engine.dispose()


@pytest.mark.parametrize("username", LEADERS)
def test_a_bare_link_to_the_cases_behind_a_figure_offers_the_figures(browser, server, username):
    """/leadership/cases without a metric (a bookmark, a link cut in a message) was a bare 404: now the
    figures to choose from, each opening its cases; a mistyped one says why (still 404) and offers them too."""
    page = login(browser, server, username, 375)
    answer = page.goto(server.url + "/leadership/cases")
    assert answer.status == 200
    expect(page.locator("#choose-metric")).to_contain_text("请选择要查看哪一项统计背后的案件")
    choices = page.locator("#metric-choices a")
    expect(choices).to_have_count(7)
    assert "挂牌督办逾期未整改" in choices.all_inner_texts()
    page.locator("#metric-choices a", has_text="挂牌督办逾期未整改").click()
    expect(page.locator("#drill-title")).to_have_text("挂牌督办逾期未整改")
    answer = page.goto(server.url + "/leadership/cases?metric=hazard")
    assert answer.status == 404
    expect(page.locator("#choose-metric")).to_contain_text("链接中的统计项不存在")
    expect(page.locator("#metric-choices a")).to_have_count(7)
    page.context.close()


def test_the_administrators_pages_fit_a_phone(browser, server):
    """系统管理员 at 375 px: 组织机构's tree squeezed each name to a character a line (和/平/镇) beside the
    改名/移动/删除 column, and 规则配置's 依据 (size=60) and 节假日日历's boxes (cols=60) pushed the page
    sideways. The tree is cards (a unit a card, its name whole); the boxes fit the screen."""
    page = login(browser, server, "admin", 375)
    for url in ("/admin", "/admin/users", "/admin/users/new", "/admin/roles", "/admin/orgs", "/admin/rules",
                "/admin/calendar", "/supervise/incidents"):
        page.goto(server.url + url)
        wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
            .map(e => e.tagName + ' ' + e.textContent.trim().slice(0, 20))""")
        assert wide == [], (url, wide)
    page.goto(server.url + "/admin/orgs")
    name = page.locator("#orgs tr[data-org] strong", has_text="和平镇")
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#orgs strong')).fontSize)")
    assert name.bounding_box()["height"] < 2 * line  # the name on one line (a character a line: 3 lines)
    expect(page.locator("#orgs tr[data-org] td[data-label=在岗人员]").first).to_be_visible()
    screenshot(page, "admin-orgs-375")
    page.context.close()
