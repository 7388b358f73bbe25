"""Every page as its person sees it (People first), in a real browser (Debian's Chromium through
Playwright) on the demo (``workflows.demo.load_demo`` on a SQLite file).

Each demo role — 执法人员, 科室负责人 (区 and 市: the city's sees its districts' red enterprises),
分管领导, 法制审核, 生产经营单位, 第三方评估机构, 流程设计员, 系统管理员 — logs in and walks every page its menus and its task and case pages link to (one page of
each kind, three tasks and cases); the visible text of each must read as Chinese for a person: no English word, variable
name, element id, JSON, username or ISO date; every link shown must open (a link the person may
not follow is not shown); an enterprise is picked by name, never typed into a bare text box. The engine's incidents of the kinds that name a task in Chinese (流程停滞,
a loop's condition, a multi-instance task without its collection) read so on the incident page and
the case page; a model drawn in bpmn.io with a data store and no lanes deploys through the designer
with its warnings (提示) said before and after the deploy.

What may be Latin, decided here and nowhere else:
- abbreviations a Chinese office writes as they are: BPMN, DMN, PDF, Word, Excel, CSV, xlsx, GB (国标);
- identifiers people use as such: 案号 (HS-2026-00001), 统一社会信用代码 (18 characters), a model's
  version (v3);
- values people typed into the demo's cases (a certificate number 「APJ-(示)-001」), but never a
  username, which a page shows by the person's name, nor a program's id (att-photo-001);
- on the designer's pages the model's 标识 and file name (what the designer types and downloads), and the
  案号前缀 the processes number their cases by (declared or their initials; the field's example DJSP);
- on the administrator's user pages the 登录名 (what the administrator manages).

Screenshots of the pages that fail go to test-artifacts/screenshots/role-*.png.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter, deque
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Error, expect, sync_playwright
from werkzeug.security import generate_password_hash

from engine import ManualClock, case_numbers, workdays
from engine.clock import SHANGHAI
from tests.interop_support import CORPUS, drive
from tests.ui_support import PASSWORD, LiveServer, close_context, launch_chromium, logged_in_page, screenshot, quick_logins
from webui.app import create_app
from webui.parties import ENTERPRISE_NAME_FIELDS
from workflows.demo import CHEMICAL, MACHINERY, USERS, load_demo
from workflows.runtime import build_engine

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)  # Monday 09:00 in Beijing
ROLES = {  # the person, by the demo's role
    "执法人员": "zhang_san", "科室负责人": "qian_ke", "市局科室负责人": "shi_ke", "分管领导": "zheng_fj",
    "法制审核": "chen_fz",
    "生产经营单位": "jia_qy", "第三方评估机构": "an_tai", "流程设计员": "xu_sj", "系统管理员": "admin",
}
PAGES_PER_ROLE = 45
SAME_KIND = 3  # pages of one kind (three tasks, three cases: different forms and processes)
ABBREVIATIONS = {"BPMN", "DMN", "PDF", "Word", "Excel", "CSV", "xlsx", "GB"}
CASE_NO = re.compile(r"\b[A-Z][A-Z0-9]{0,3}-\d{4}-\d{5}\b")
CREDIT_CODE = re.compile(r"\b[0-9A-HJ-NPQRTUWXY]{18}\b")
MACHINE_ID = re.compile(r"^[a-z]+[-_][a-z0-9_-]*\d")  # att-photo-001, sid-countersign-2: a program's, not a person's
VERSION = re.compile(r"\bv\d+\b")  # a model's version as the designer's pages write it (v3; the case page: 第3版)
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9]|[A-Za-z]")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2})?")
JSON_LIKE = re.compile(r"[{\[]\s*\"\w+\"\s*:|\b(?:None|True|False|null)\b")
# Not followed: downloads (文书、附件、模型文件), the API, leaving.
NOT_PAGES = re.compile(r"/logout|/api/|/attachments/|/static/|/documents/|/source|[?&]download=|\.(?:bpmn|dmn|docx|pdf|xlsx|csv)(?:$|\?)"
                       r"|/export")
# Inputs naming an enterprise: picked by name from the registry (a list to choose from as one types).
ENTERPRISE_INPUTS = sorted(ENTERPRISE_NAME_FIELDS | {"party"})  # party: 当事企业 (case start, admin's user form)
INCIDENTS = {  # model file, process, start data, per task data -> what the incident says, in Chinese
    "stall": ("stalls.bpmn", "stalls", None, {"check": {"passed": True}},
              "流程停滞：案件停在并行网关「汇总」，没有待办任务"),
    "loop": ("bpmnio_standard_loop.bpmn", "bpmnio_standard_loop", None, None,
             "环节“企业补正材料”出错：循环条件用到案件数据中的一项，但案件中没有这个值"),  # 7f3fc7e: not 条件无法计算
    "collection": ("flowable_leave.bpmn", "flowable_leave", {}, None,
                   "多实例任务「科室负责人会签」的集合没有值"),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages-walk")
    engine = build_engine(f"sqlite:///{folder / 'demo.sqlite'}", clock=ManualClock(NOW))
    load_demo(engine)
    quick_logins(engine)
    incidents = {}
    for kind, (filename, key, data, data_by_task, _) in INCIDENTS.items():
        engine.deploy(CORPUS / filename, by="xu_sj")
        out = drive(engine, key, starter="zhang_san", org="dongcheng", data=data, data_by_task=data_by_task,
                    party=CHEMICAL)
        assert out.status == "incident", (kind, out)
        incidents[kind] = out.case_id
    app = create_app(engine, secret_key="test", testing=True, instance_path=folder / "instance")
    with LiveServer(app) as server, sync_playwright() as p:
        browser = launch_chromium(p)
        yield _Demo(engine, server, browser, incidents)
        browser.close()
    engine.dispose()


class _Demo:
    def __init__(self, engine, server, browser, incidents):
        self.engine, self.server, self.browser, self.incidents = engine, server, browser, incidents
        self.usernames = {u for u, *_ in USERS}
        self.typed = _typed_words(engine) - self.usernames
        self.models = {w for m in engine.models.list() for w in (m.key, m.filename)}
        self.prefixes = {"DJSP"} | {case_numbers.effective(m.key, m.case_prefix)
                                    for m in engine.models.list(content=False) if m.kind == "bpmn"}

    def page(self, username: str):
        return logged_in_page(self.browser, self.server, username, 1366)


def _typed_words(engine) -> set[str]:
    """Latin words inside the string values of the demo's cases: what people typed, shown as typed."""
    words: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            words.update(w for w in LATIN.findall(value) if not MACHINE_ID.match(w))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    for case in engine.cases(limit=10_000):
        walk(engine.case(case.id).data)
    return words


def shape(url: str) -> str:
    """A page's kind: ids, numbers and credit codes are the same kind; query values are not read."""
    u = urlparse(url)
    path = re.sub(r"/[0-9a-f]{8}-[0-9a-f-]{27}|/\d+|/[0-9A-Z]{18}(?=/|$)", "/#", u.path)
    keys = sorted({pair.split("=", 1)[0] for pair in u.query.split("&") if pair})
    return path + ("?" + "&".join(keys) if keys else "")


def unreadable(text: str, allowed: set[str], usernames: set[str]) -> list[str]:
    """What in a page's visible text a person would not read as Chinese (empty: nothing)."""
    found = [f"日期「{m}」" for m in ISO_DATE.findall(text)] + [f"数据「{m}」" for m in JSON_LIKE.findall(text)]
    text = VERSION.sub(" ", CREDIT_CODE.sub(" ", CASE_NO.sub(" ", text)))
    for word in LATIN.findall(text):
        if word in usernames:
            found.append(f"登录名「{word}」")
        elif word not in allowed and word not in ABBREVIATIONS:
            found.append(word)
    return sorted(set(found))


def allowed_on(demo: _Demo, username: str, path: str) -> tuple[set[str], set[str]]:
    """(Latin words allowed on ``path`` for ``username``, usernames that are a defect there)."""
    allowed, usernames = set(demo.typed), set(demo.usernames)
    if path.startswith("/designer") or (path == "/" and username == ROLES["流程设计员"]):  # the designer's home
        allowed |= demo.models | {w for m in demo.models for w in LATIN.findall(m)} | demo.prefixes
    if username == "admin" and path.startswith("/admin/users"):
        usernames = set()  # 登录名 is what the administrator manages
        allowed |= demo.usernames
    return allowed, usernames


def walk_pages(demo: _Demo, username: str) -> tuple[int, dict[str, list[str]]]:
    page = demo.page(username)
    base = demo.server.url
    queue, seen_shapes, problems, opened = deque([base + "/"]), Counter(), {}, 0
    try:
        while queue and opened < PAGES_PER_ROLE:
            url = queue.popleft()
            kind = shape(url)
            if seen_shapes[kind] >= SAME_KIND:
                continue
            seen_shapes[kind] += 1
            try:
                response = page.goto(url)
            except Error as exc:
                if "Download is starting" in str(exc):
                    continue  # a file to save, not a page
                raise
            opened += 1
            path = urlparse(url).path
            if response is None or response.status != 200:
                problems[url] = [f"HTTP {response.status if response else '—'}（页面上的链接打不开）"]
                continue
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            page.wait_for_load_state("networkidle")
            allowed, usernames = allowed_on(demo, username, path)
            bad = unreadable(page.evaluate("() => document.body.innerText"), allowed, usernames)
            bad += [f"「{label}」是文本框，不能按名称选择企业" for label in page.evaluate(
                """names => [...document.querySelectorAll('input[type=text]')].filter(i => names.includes(i.name) && !i.list)
                   .map(i => i.labels.length ? i.labels[0].innerText : i.name)""", ENTERPRISE_INPUTS)]
            if bad:
                problems[url] = bad
                screenshot(page, f"role-{username}-{opened}")
            for href in page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)"):
                href = href.split("#")[0]
                if href.startswith(base + "/") and not NOT_PAGES.search(href) and seen_shapes[shape(href)] < SAME_KIND:
                    queue.append(href)
    finally:
        close_context(page.context)
    return opened, problems


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_a_role_reaches_reads_in_chinese(demo, role):
    opened, problems = walk_pages(demo, ROLES[role])
    assert opened >= 5, f"{role}: only {opened} pages reached"
    assert not problems, f"{role} ({ROLES[role]}) reads: " + "; ".join(f"{u.replace(demo.server.url, '')}: {p}"
                                                                      for u, p in problems.items())


def test_incidents_name_the_task_in_chinese_on_the_incident_page_and_the_case_page(demo):
    page = demo.page("qian_ke")
    try:
        page.goto(demo.server.url + "/supervise/incidents")
        table = page.locator("#incidents")
        for kind, case_id in demo.incidents.items():
            said = INCIDENTS[kind][4]
            expect(table).to_contain_text(said)
            page.goto(demo.server.url + f"/cases/{case_id}")
            box = page.locator(".incident-box")
            expect(box).to_contain_text(said)
            text = box.inner_text()
            assert "流程执行出错" not in text, (kind, text)  # the engine's Chinese, not the catch-all
            assert not unreadable(text, set(), demo.usernames), (kind, text)
            page.goto(demo.server.url + "/supervise/incidents")
        assert not unreadable(table.inner_text(), demo.typed, demo.usernames), table.inner_text()
    finally:
        close_context(page.context)


def test_a_bpmn_io_model_deploys_through_the_designer_with_its_warnings_said(demo):
    """bpmn.io's data store (数据存储) only documents; a process without lanes gives its tasks to the
    starter: both are said, by the elements' names, before the deploy is confirmed and after it."""
    page = demo.page("xu_sj")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(demo.server.url + "/designer/")
        page.click("#new-model")
        page.wait_for_selector("#designer[data-state=ready]")
        page.set_input_files("#import-file", str(CORPUS / "bpmnio_notify.bpmn"))
        expect(page.locator("h1")).to_contain_text("检查通知与整改跟踪")
        page.click("#btn-deploy")
        ask = page.locator("#designer-ask")
        expect(ask.locator("#deploy-warnings li")).to_have_count(3)
        expect(ask).to_contain_text("任务「现场复核」与数据存储「隐患台账」的关联仅作说明，不参与运行")
        expect(ask).to_contain_text("与数据对象「检查通知书」的关联仅作说明，不参与运行")  # (engine/drawn_data_objects.py)
        ask.locator("button", has_text="确认部署").click()
        expect(page.locator("#designer-status")).to_contain_text("已部署为版本 v1")
        expect(page.locator("#designer-status")).to_contain_text("另有 3 条提示")
        warnings = page.locator("#warning-list")
        expect(warnings.locator("tbody tr")).to_have_count(3)
        expect(warnings).to_contain_text("数据存储「隐患台账」")
        result = page.locator("#problems").inner_text()
        assert not unreadable(result, set(), demo.usernames), result  # no element ids (Activity_0revisit)
        assert demo.engine.models.latest("bpmnio_notify").version == 1
    finally:
        close_context(page.context)
    assert not errors, errors


def test_an_enterprise_is_picked_by_name_on_a_task_form_and_fills_its_credit_code(demo):
    """登记隐患: 生产经营单位名称 is offered from the registry as one types; picking one fills the
    统一社会信用代码 left empty."""
    task = next(t for t in demo.engine.queue("zhang_san", limit=200) if t.form_key == "hazard.register")
    page = demo.page("zhang_san")
    try:
        page.goto(demo.server.url + f"/tasks/{task.id}")
        name = page.locator("#f-enterprise_name")
        options = page.locator(f"#{name.get_attribute('list')} option")
        assert "示范市乙机械制造有限公司" in options.evaluate_all("os => os.map(o => o.value)")
        page.fill("#f-credit_code", "")
        name.fill("示范市乙机械制造有限公司")
        name.dispatch_event("change")
        expect(page.locator("#f-credit_code")).to_have_value(MACHINERY)
        name.fill("示范市某某未登记企业")  # typed, not in the list: the code stays as picked
        name.dispatch_event("change")
        expect(page.locator("#f-credit_code")).to_have_value(MACHINERY)
    finally:
        close_context(page.context)


def test_a_deadline_counted_in_a_year_without_its_holiday_notice_says_it_is_provisional(demo):
    """chinese-calendar knows no 2027 (the State Council publishes it late in 2026): a task due in such
    a year is shown 「暂按周一至周五计算」 beside its deadline; one due in a known year is not."""
    tasks = demo.engine.queue("zhang_san", limit=200)
    late = next(t for t in tasks if t.due_at and t.due_at.astimezone(SHANGHAI).year > 2026)
    soon = next(t for t in tasks if t.due_at and t.due_at.astimezone(SHANGHAI).year == 2026)
    year = late.due_at.astimezone(SHANGHAI).year
    page = demo.page("zhang_san")
    try:
        page.goto(demo.server.url + f"/cases/{late.case_id}")
        marker = page.locator(f'#case-tasks tr[data-element="{late.spec_id}"] .provisional').first
        if workdays.is_known_year(year):
            expect(marker).to_have_count(0)
        else:
            expect(marker).to_have_text("暂按周一至周五计算")
            assert f"{year}年放假调休安排尚未录入" in marker.get_attribute("title")
        page.goto(demo.server.url + f"/cases/{soon.case_id}")
        expect(page.locator(f'#case-tasks tr[data-element="{soon.spec_id}"]').first).to_be_visible()
        expect(page.locator(f'#case-tasks tr[data-element="{soon.spec_id}"] .provisional')).to_have_count(0)
    finally:
        close_context(page.context)


@pytest.mark.parametrize("key", ["hazard_supervision", "enforcement_case", "flowable_leave", "bpmnio_standard_loop"])
def test_the_designers_properties_panel_labels_every_kind_of_element_in_chinese(demo, key):
    """bpmn-js-properties-panel writes its labels in English unless translated (static/designer/js/
    translate.js): each kind of element of our processes and of models drawn in Flowable and bpmn.io
    (multi-instance, standard loop), selected, shows Chinese headings and
    labels (option lists and code fields may name keys: those are the designer's)."""
    page = demo.page("xu_sj")
    try:
        page.goto(demo.server.url + f"/designer/models/{key}/edit")
        page.wait_for_selector("#designer[data-state=ready]")
        kinds = page.evaluate("""() => {
            const byType = {};
            window.dubanModeler.get('elementRegistry').getAll().forEach(e => {
              if (e.type !== 'label' && !(e.type in byType)) { byType[e.type] = e.id; } });
            return byType; }""")
        assert len(kinds) >= 5, kinds
        english = {}
        for kind, element_id in kinds.items():
            page.evaluate("""id => { const m = window.dubanModeler;
                                     m.get('selection').select(m.get('elementRegistry').get(id)); }""", element_id)
            page.evaluate("""() => document.querySelectorAll('.bio-properties-panel-group-header:not(.open)')
                                   .forEach(h => h.click())""")
            texts = page.locator(".bio-properties-panel-header-type, .bio-properties-panel-group-header-title, "
                                 ".bio-properties-panel-label").all_inner_texts()
            words = sorted({w for t in texts for w in LATIN.findall(t)} - ABBREVIATIONS - {"Python", "ISO"})
            if words:
                english[kind] = words
        assert not english, english
    finally:
        close_context(page.context)
