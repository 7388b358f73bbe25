"""People first, page by page, as each role (session 27): Chromium (Playwright, zh-CN, Asia/Shanghai) on
the demo (``workflows.demo``), logged in as each demo role at 1280 and at 375 px wide.

Each role opens the pages of its menu, every task of its 待办 (one of each form) and a case; the visible
text (folded parts opened) must hold what a person reads, never what a program keeps:
- no Latin word outside the allow-list (``ABBREVIATIONS``: BPMN, DMN, PDF, ECharts…, file extensions,
  案号 and 统一社会信用代码, what people typed into the demo's cases, a model's 标识 on the designer's pages);
- no variable name (snake_case, camelCase), no ISO timestamp (2026-12-07T…) or bare ISO day;
- no number of 10,000 or more without separators (100000 reads 100,000; a telephone number, 身份证号,
  the 12350 hotline and a standard's number such as GB 50160 are not amounts);
- no username of anyone (张三, never zhang_san), except where the administrator manages 登录名;
- at 375 px, nothing scrolls sideways.
Error pages (404, 403, 405, an expired form) read the same way at both widths.

Fixed with these tests (each failed before):
- 企业档案's 生产安全事故 table showed 直接经济损失 as stored, 3200000.00: now 3,200,000.00 under 直接经济损失（元）;
- the ``value`` filter (a case-data value wherever a page shows one) groups numbers of 10,000 and more;
- 集体讨论表决's 判定理由 read 「对单位处较大数额罚款（100000元以上）」: the decision table
  (bpmn/hearing_and_collective.dmn, 《行政处罚法》第六十三条第一款第（一）项) now writes 100,000.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error, expect

from tests.demo_walk import demo_served
from tests.ui_support import browser, close_context, logged_in_page
from workflows.demo import CHEMICAL, USERS

__all__ = ["browser"]
pytestmark = pytest.mark.browser

ROLES = {  # the demo's person of each role
    "执法人员": "zhang_san", "科室负责人": "qian_ke", "分管领导": "zheng_fj", "法制审核": "chen_fz",
    "生产经营单位": "jia_qy", "第三方评估机构": "an_tai", "流程设计员": "xu_sj", "系统管理员": "admin",
}
WIDTHS = (1280, 375)
TASKS_PER_ROLE = 5  # one task of each form in 待办, at most
USERNAMES = {u for u, *_ in USERS}
ABBREVIATIONS = {"BPMN", "DMN", "FEEL", "PDF", "Word", "Excel", "CSV", "ECharts", "GeoJSON", "GB", "SMS", "SMTP",
                 "Python", "xlsx", "docx"}
FILE_NAME = re.compile(r"\.(?:pdf|docx?|xlsx?|csv|jpe?g|png|bpmn|dmn|xml|zip|json|geojson|txt|ofd)\b", re.I)
VERSION = re.compile(r"\bv\d+\b")  # a model's version as the designer's pages write it (v3)
CASE_NO = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Z0-9]{0,3}-\d{4}-\d{5}(?!\d)")  # 案号, also right after 案号
CREDIT_CODE = re.compile(r"(?<![A-Za-z0-9])[0-9A-HJ-NPQRTUWXY]{18}(?![A-Za-z0-9])")
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9]|[A-Za-z]")
VARIABLE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[a-z]+(?:[A-Z][a-z0-9]+)+\b")
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2})?")
# Numbers that are not amounts: telephone numbers, 身份证号, the 12350 hotline, a standard's number (GB 50160).
NOT_AMOUNTS = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-\d{7,8}|\d{17}[\dX]|12350)(?!\d)|GB(?:/T)?\s*\d+(?:[.-]\d+)*")
UNGROUPED = re.compile(r"(?<![\d,.\-/:])\d{5,}(?![\d,\-/:])")
# The page's width once laid out again (two frames: the charts' own resize handlers have run).
LAID_OUT_WIDTH = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(
    () => done(document.documentElement.scrollWidth))))"""
NOT_PAGES = re.compile(r"/logout|/api/|/attachments/|/static/|/documents/|/source|[?&]download=|/export|/files/"
                       r"|\.(?:bpmn|dmn|docx|pdf|xlsx|csv|zip|json)(?:$|\?)")


def ungrouped_numbers(text: str) -> list[str]:
    """Numbers of 10,000 and more written without separators (``100000``), not counting what is no amount."""
    return UNGROUPED.findall(NOT_AMOUNTS.sub(" ", CASE_NO.sub(" ", CREDIT_CODE.sub(" ", text))))


def _typed_words(engine) -> set[str]:
    """Latin words of what people typed into the demo's cases (a certificate 「APJ-(示)-001」), shown as typed."""
    words: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            words.update(LATIN.findall(value))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    for case in engine.cases(limit=10_000):
        walk(engine.case(case.id).data)
    return words - _never_lawful(words)


def _never_lawful(words: set[str]) -> set[str]:
    """What of typed words is never lawful on a page: usernames, program ids (att-photo-001), variable names."""
    return {w for w in words if w in USERNAMES or re.match(r"^[a-z]+[-_][a-z0-9_-]*\d", w) or VARIABLE.fullmatch(w)}


def unreadable(text: str, allowed: set[str], usernames: set[str]) -> list[str]:
    """What of a page's visible text a person would stumble on, each said in Chinese."""
    found = [f"ISO 日期「{m}」" for m in ISO.findall(text)]
    found += [f"未分位的数字「{n}」" for n in ungrouped_numbers(text)]
    rest = VERSION.sub(" ", FILE_NAME.sub(" ", CASE_NO.sub(" ", CREDIT_CODE.sub(" ", text))))
    found += [f"变量名「{w}」" for w in VARIABLE.findall(rest) if w not in allowed and w not in usernames]
    for word in LATIN.findall(rest):
        if word in usernames:
            found.append(f"登录名「{word}」")
        elif word not in allowed and word not in ABBREVIATIONS and not VARIABLE.fullmatch(word):
            found.append(f"英文「{word}」")
    return sorted(set(found))


class Demo:
    def __init__(self, server, engine):
        self.server, self.engine = server, engine
        self.typed = _typed_words(engine)
        self.models = {w for m in engine.models.list(content=False) for w in (m.key, m.filename)} | {
            d["id"] for d in engine.models.decisions()}
        self.model_words = self.models | {w for m in self.models for w in LATIN.findall(m)}

    def allowed(self, username: str, path: str) -> tuple[set[str], set[str]]:
        """(Latin words lawful on ``path`` for ``username``, usernames that are a defect there)."""
        allowed, usernames = set(self.typed), set(USERNAMES)
        if path.startswith("/designer") or (path == "/" and username == "xu_sj"):
            allowed |= self.model_words  # a model's 标识 and file, what the designer types and downloads
        if username == "admin" and path.startswith("/admin/users"):
            allowed, usernames = allowed | USERNAMES, set()  # 登录名 is what the administrator manages
        return allowed, usernames


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with demo_served(tmp_path_factory.mktemp("people-first-s27")) as (server, engine):
        yield Demo(server, engine)


def _shape(url: str) -> str:
    u = urlsplit(url)
    return re.sub(r"/[0-9a-f]{8}-[0-9a-f-]{27}|/\d+|/[0-9A-Z]{18}(?=/|$)", "/#", u.path) + (
        "?" + "&".join(sorted({kv.split("=", 1)[0] for kv in u.query.split("&") if kv})) if u.query else "")


def _pages_of(page, demo: Demo, username: str) -> list[str]:
    """The menu's pages, one task of each form in 待办 and the first case a list links to."""
    base = demo.server.url
    urls = page.eval_on_selector_all(".mainnav a[href], .whoami a[href]", "as => as.map(a => a.href)")
    forms = Counter()
    for task in demo.engine.queue(username, limit=200):
        if forms[task.form_key] == 0 and sum(forms.values()) < TASKS_PER_ROLE:
            forms[task.form_key] += 1
            urls.append(f"{base}/tasks/{task.id}")
    case = next(iter(demo.engine.queue(username, limit=1)), None)
    if case is not None:
        urls.append(f"{base}/cases/{case.case_id}")
    return [u.split("#")[0] for u in dict.fromkeys(urls)
            if u.startswith(base + "/") and not NOT_PAGES.search(u)]


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_a_role_reads_in_chinese_with_grouped_numbers_and_no_sideways_scroll(browser, demo, role):
    """Each page is read at 1280 px, then the same page laid out again at 375 px (a phone) must not scroll
    sideways; a phone's first tasks are opened at 375 px too."""
    username = ROLES[role]
    page = logged_in_page(browser, demo.server, username, WIDTHS[0])
    problems: dict[str, list[str]] = {}
    opened, began = 0, time.monotonic()
    try:
        for url in _pages_of(page, demo, username):
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            try:
                response = page.goto(url)
            except Error as exc:
                if "Download is starting" in str(exc):
                    continue
                raise
            path = url[len(demo.server.url):]
            if response is None or response.status != 200:
                problems[path] = [f"HTTP {response.status if response else '—'}"]
                continue
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            opened += 1
            page.evaluate("document.querySelectorAll('details:not(.admin-only)').forEach(d => { d.open = true; })")
            allowed, usernames = demo.allowed(username, urlsplit(url).path)
            bad = unreadable(page.evaluate("() => document.body.innerText"), allowed, usernames)
            for width in WIDTHS[1:]:
                page.set_viewport_size({"width": width, "height": 900})
                wide = page.evaluate(LAID_OUT_WIDTH)
                if wide > width:
                    bad.append(f"{width} px 宽时横向滚动：页面宽 {wide} px")
            if bad:
                problems[path] = bad
    finally:
        close_context(page.context)
    assert opened >= 3, f"{role}: only {opened} pages"
    assert not problems, f"{role}（{username}）, {opened} pages in {time.monotonic() - began:.0f} s: " + "; ".join(
        f"{p}: {b}" for p, b in problems.items())


@pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def test_error_pages_and_an_expired_form_speak_chinese_at_each_width(browser, demo, width):
    page = logged_in_page(browser, demo.server, "zhang_san", width)
    base = demo.server.url
    try:
        for path, status, said in [("/no-such-page", 404, "页面不存在"), ("/cases/999999", 404, "案件不存在"),
                                   ("/admin/users", 403, "无权访问"), ("/logout", 405, "不支持")]:
            response = page.goto(base + path)
            assert response.status == status, path
            expect(page.locator("main")).to_contain_text(said)
            text = page.evaluate("() => document.body.innerText")
            assert not unreadable(text, set(), USERNAMES), (path, unreadable(text, set(), USERNAMES))
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        # a form left open until its security token no longer holds: said in Chinese, with the way back
        page.goto(base + "/cases/new")
        page.evaluate("document.querySelectorAll('input[name=_csrf]').forEach(i => { i.value = 'expired'; })")
        with page.expect_navigation():
            page.locator("main form[method=post] button[type=submit], main form[method=post] input[type=submit]"
                         ).first.click()
        expect(page.locator("main")).to_contain_text("页面已过期")
        assert not unreadable(page.evaluate("() => document.body.innerText"), set(), USERNAMES)
    finally:
        close_context(page.context)


def test_an_enterprises_accidents_show_direct_loss_grouped_in_yuan(browser, demo):
    """企业档案 › 生产安全事故: 直接经济损失 as people write an amount, its heading saying 元 (it read 3200000.00)."""
    page = logged_in_page(browser, demo.server, "zhang_san", 1280)
    try:
        page.goto(f"{demo.server.url}/enterprises/{CHEMICAL}")
        table = page.locator("#accidents table")
        expect(table.locator("thead")).to_contain_text("直接经济损失（元）")
        cells = table.locator("td[data-label='直接经济损失（元）']").all_inner_texts()
        assert cells and "3,200,000.00" in cells, cells
        assert not any(ungrouped_numbers(c) for c in cells), cells
    finally:
        close_context(page.context)


def test_the_vote_shows_the_large_fine_threshold_of_administrative_penalty_law_article_63_grouped(browser, demo):
    """集体讨论表决: the 判定理由 the members vote on says the 较大数额罚款 standard (《行政处罚法》第六十三条
    第一款第（一）项, 对单位 default 10万元) as 100,000元, not 100000元."""
    task = next(t for t in demo.engine.queue("zheng_fj", limit=200) if t.form_key == "enforcement.vote")
    page = logged_in_page(browser, demo.server, "zheng_fj", 1280)
    try:
        page.goto(f"{demo.server.url}/tasks/{task.id}")
        expect(page.locator("main")).to_contain_text("对单位处较大数额罚款（100,000元以上）")
        assert not ungrouped_numbers(page.locator("main").inner_text())
    finally:
        close_context(page.context)


def test_a_case_data_value_groups_numbers_of_ten_thousand_and_more():
    """The ``value`` filter (every case-data table): 3200000 reads 3,200,000 and a stored amount
    "3200000.00" reads 3,200,000.00; a year, a small count, a telephone number typed as text stay as they are."""
    from decimal import Decimal

    from webui.display import value
    assert value(3200000) == "3,200,000"
    assert value("3200000.00") == "3,200,000.00"
    assert value(Decimal("100000")) == "100,000"
    assert value(12500.0) == "12,500"
    assert value(2026) == "2026" and value(3) == "3" and value(0.5) == "0.5"
    assert value("13900000003") == "13900000003" and value("12350") == "12350"
    assert value(True) == "是"


def test_a_refused_form_names_the_fields_to_correct_where_the_page_opens_on_a_phone(browser, demo):
    """登记隐患 sent empty at 375 px: the message at the top of the page names what must be corrected
    (「生产经营单位名称」…), where it said only 表单有误 and the field's own message lay below the fold."""
    task = next(t for t in demo.engine.queue("zhang_san", limit=200) if t.form_key == "hazard.register")
    page = logged_in_page(browser, demo.server, "zhang_san", 375)
    try:
        page.goto(f"{demo.server.url}/tasks/{task.id}")
        if page.locator("#claim").count():
            page.click("#claim")
        page.evaluate("document.querySelectorAll('#task-form input[type=text], #task-form textarea')"
                      ".forEach(i => { i.value = ''; })")
        with page.expect_navigation():
            page.click("#submit")
        flash = page.locator(".flash.error")
        expect(flash).to_contain_text("表单有误：「")
        expect(flash).to_contain_text("需要修改")
        labels = page.locator("#task-form .has-error > label").all_inner_texts()
        assert labels, "no field marked wrong"
        said = flash.inner_text()
        assert all(label.rstrip("*").strip() in said for label in labels[:4]), (labels, said)
        assert flash.bounding_box()["y"] < 900, "the message is out of sight"
        assert not unreadable(said, set(), USERNAMES), said
    finally:
        close_context(page.context)


def test_names_the_case_knows_are_picked_not_typed(browser, demo):
    """起草事故调查报告's 已签名的调查组成员 (《生产安全事故报告和调查处理条例》第三十条: 调查组成员在报告上签名)
    offers the 调查组 recorded when it was formed (第二十二条: members of the departments concerned) and 诫勉约谈's 约谈人 the bureau's heads, by name
    under the box: a pick adds the name as a line, a second takes it out; anyone else is still typed."""
    report = next(t for t in demo.engine.queue("sun_qi", limit=200) if t.form_key == "accident.report")
    team = demo.engine.case(report.case_id).data["team_members"]
    page = logged_in_page(browser, demo.server, "sun_qi", 375)
    try:
        page.goto(f"{demo.server.url}/tasks/{report.id}")
        picks = page.locator(".name-picks[data-for=f-signed_by] button.pick-name")
        assert picks.all_inner_texts() == team
        box = page.locator("#f-signed_by")
        box.fill("")
        picks.nth(0).click()
        picks.nth(2).click()
        expect(box).to_have_value(f"{team[0]}\n{team[2]}")
        expect(picks.nth(0)).to_have_attribute("aria-pressed", "true")
        picks.nth(0).click()
        expect(box).to_have_value(team[2])
        expect(picks.nth(0)).to_have_attribute("aria-pressed", "false")
        assert page.evaluate(LAID_OUT_WIDTH) <= 375
    finally:
        close_context(page.context)
    interview = next(t for t in demo.engine.queue("zheng_fj", limit=200) if t.form_key == "accident_supervision.interview")
    page = logged_in_page(browser, demo.server, "zheng_fj", 1280)
    try:
        page.goto(f"{demo.server.url}/tasks/{interview.id}")
        heads = page.locator(".name-picks[data-for=f-interviewers] button.pick-name").all_inner_texts()
        assert {"郑副局长", "冯局长"} <= set(heads), heads
        assert not set(heads) & USERNAMES
    finally:
        close_context(page.context)


def test_the_case_file_review_notice_names_the_reviewed_unit_not_its_code(browser, demo):
    """执法案卷评查结果通报 (the document the reviewed unit and its 承办人 read): 「对东城区应急管理局办理的…号案卷」,
    where it read 「对dongcheng办理的」 (the unit's code, workflows/case_review.facts_of kept no name)."""
    page = logged_in_page(browser, demo.server, "admin", 1280)
    try:
        texts = []
        for case in demo.engine.cases(process_key="case_file_review", limit=50):
            response = page.request.get(f"{demo.server.url}/cases/{case.id}/documents/case_review.notice")
            if response.ok:
                texts.append(response.text())
        assert texts, "no 评查结果通报 in the demo"
        for text in texts:
            assert "办理的" in text and not unreadable(text, set(), USERNAMES), text
            org = demo.engine.directory.names("orgs", None)["dongcheng"]
            assert f"对{org}办理的" in text, text
    finally:
        close_context(page.context)
