"""What the web UI tests share: a real engine on a SQLite file with our processes deployed, a small
directory of people with passwords, the app served from a thread of the test process, Chromium
through Playwright, and the steps of the hazard-supervision process (挂牌督办) as form data.

Nothing here is a mock: the server is werkzeug's, the browser is Debian's Chromium, the engine is
``workflows.runtime.build_engine`` with a ManualClock the tests move forward.
"""
from __future__ import annotations

import atexit
import functools
import logging
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from engine import ManualClock
from webui.app import create_app
from workflows.runtime import build_engine

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
START = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Beijing
PASSWORD = "anquan-2026"
ACME = "91110101MA00000005"  # the enterprise (当事人) of the scenarios
CHROMIUM = "/usr/bin/chromium"
# --disable-dev-shm-usage: shared memory in /tmp, not /dev/shm (64 MB in a default container, where a
# renderer dies mid-page); --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
# How long an ``expect`` waits for the page (Playwright's default is 5 s): only ever an upper bound, so
# generous — CI's two cores also run PostgreSQL and the rest of the suite.
EXPECT_TIMEOUT_MS = 15_000

# username, org, roles, name, party
PEOPLE = [
    ("zhang", "east", ["inspector"], "张三", None),
    ("li", "east", ["inspector"], "李四", None),
    ("wang", "west", ["inspector"], "王五", None),
    ("qian", "east", ["supervisor"], "钱科长", None),
    ("sun", "east", ["leader"], "孙局长", None),
    ("zhao", "city", ["supervisor"], "赵处长", None),
    ("acme", "east", ["enterprise"], "甲化工有限公司", ACME),
]


@dataclass
class World:
    engine: object
    clock: ManualClock
    app: object


def make_world(folder: Path, url: str | None = None) -> World:
    """A domain-ready engine (on a SQLite file in ``folder`` unless ``url`` names another database),
    its directory, and the web app.

    Deploying the processes and hashing passwords takes about a second, so on SQLite it is done once
    per test session into a template file that each world starts from as a copy of its own.
    """
    clock = ManualClock(START)
    if url is None:
        target = folder / "duban.sqlite"
        shutil.copyfile(_template(), target)
        engine = build_engine(f"sqlite:///{target}", clock=clock, deploy=False)
    else:
        engine = build_engine(url, clock=clock)
        _populate_directory(engine)
    app = create_app(engine, secret_key="test-secret", testing=True, instance_path=folder / "instance")
    return World(engine, clock, app)


def add_investigator(engine) -> None:
    """周调查 (``zhou``), an 事故调查 investigator of 东城区, whom the accident-investigation tests start
    their cases as (the directory of ``make_world`` has no investigator)."""
    engine.directory.add_user("zhou", org="east", roles=["investigator"], name="周调查", password_hash=_password_hash())


def investigator_world(name: str):
    """A module fixture ``world``: ``make_world`` on the module's database (``module_database_url``:
    SQLite, or PostgreSQL) with 周调查 added (``add_investigator``), in a folder named ``name``:
    ``world = investigator_world("typed-probe")`` at the module's top level."""

    @pytest.fixture(scope="module")
    def world(tmp_path_factory, module_database_url):
        w = make_world(tmp_path_factory.mktemp(name),
                       None if module_database_url.startswith("sqlite") else module_database_url)
        add_investigator(w.engine)
        yield w
        w.engine.dispose()

    return world


def _populate_directory(engine) -> None:
    d = engine.directory
    d.add_org("city", "示范市应急管理局", level="市")
    d.add_org("east", "东城区应急管理局", parent="city", level="区")
    d.add_org("west", "西城区应急管理局", parent="city", level="区")
    password_hash = _password_hash()
    for username, org, roles, name, party in PEOPLE:
        d.add_user(username, org=org, roles=roles, name=name, party=party, password_hash=password_hash)


@functools.lru_cache(maxsize=1)
def _password_hash() -> str:
    return generate_password_hash(PASSWORD)


def quick_logins(engine, usernames=None, password: str = PASSWORD) -> None:
    """Give the demo's people (or ``usernames``) ``password``, hashed cheaply: test logins, not storage."""
    from workflows.demo import USERS
    quick = generate_password_hash(password, method="pbkdf2:sha256:1000")
    for username in (usernames if usernames is not None else [user[0] for user in USERS]):
        engine.directory.set_password_hash(username, quick)


@functools.lru_cache(maxsize=1)
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="duban-ui-template-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "template.sqlite"
    engine = build_engine(f"sqlite:///{path}", clock=ManualClock(START))
    _populate_directory(engine)
    engine.dispose()  # the last connection closing checkpoints the WAL into the file we copy
    return path


class LiveServer:
    """The app on 127.0.0.1 at a free port, served by werkzeug from a thread of this process."""

    def __init__(self, app):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in test output
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(world):
    """The module's ``world`` app served from a thread (import it beside ``browser``; the module gives ``world``)."""
    with LiveServer(world.app) as srv:
        yield srv


def corpus_world(*models: str, by: str = "zhao"):
    """Module fixtures ``world`` (the UI world with these tests/bpmn/interop models deployed by ``by``)
    and ``server`` (the app served from a thread) for a browser test module:
    ``world, server = corpus_world("flowable_leave.bpmn")`` at the module's top level."""
    from tests.interop_support import CORPUS

    @pytest.fixture(scope="module")
    def world(tmp_path_factory):
        w = make_world(tmp_path_factory.mktemp("browser-" + Path(models[0]).stem))
        for name in models:
            w.engine.deploy(CORPUS / name, by=by)
        yield w
        w.engine.dispose()

    return world, server


class Chromium:
    """Debian's Chromium for a test module, launched again when it has died.

    A Chromium that died (CI saw one go during a test's teardown) made every later test of its module
    an error at ``new_context`` ("browser has been closed"). A test that was using it still fails on
    its own; the next test gets a fresh browser (``relaunched`` counts how often, and a warning says
    so). Everything else is the Playwright ``Browser``'s.
    """

    def __init__(self, playwright):
        self._playwright = playwright
        self.relaunched = 0
        self._browser = self._launch()

    def _launch(self):
        return self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    def _relaunch(self) -> None:
        import warnings
        self.relaunched += 1
        warnings.warn(f"Chromium had died; launched again (time {self.relaunched})", stacklevel=3)
        self._browser = self._launch()

    def new_context(self, **options):
        from playwright.sync_api import Error
        if not self._browser.is_connected():
            self._relaunch()
        try:
            return self._browser.new_context(**options)
        except Error:
            if self._browser.is_connected():
                raise  # a live browser refused: not ours to hide
            self._relaunch()
            return self._browser.new_context(**options)

    def close(self) -> None:
        if self._browser.is_connected():
            self._browser.close()

    def __getattr__(self, name):
        return getattr(self._browser, name)


def launch_chromium(playwright) -> Chromium:
    from playwright.sync_api import expect
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    return Chromium(playwright)


def close_context(ctx) -> None:
    """A test's browser context closed at teardown; a Chromium that died meanwhile has closed it
    already (the test that was using it failed on its own), which is not an error of the teardown."""
    from playwright.sync_api import Error
    try:
        ctx.close()
    except Error:
        if ctx.browser is None or ctx.browser.is_connected():
            raise


@pytest.fixture(scope="module")
def browser():
    """One Chromium for a browser test module: ``from tests.ui_support import browser`` in the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


def logged_in_page(browser, server, username: str, width: int):
    """A new page of its own context (zh-CN, Asia/Shanghai, ``width`` px wide), logged in as ``username``
    through the login form."""
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".whoami .user")).to_be_visible()
    return page


def wrapped_menu_items(page) -> list[str]:
    """Menu items whose text wrapped (我的待/办): taller than one line of text."""
    return page.evaluate("""() => [...document.querySelectorAll('.mainnav a')].filter(a => {
        const s = getComputedStyle(a);
        const text = a.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
        return text > 1.6 * parseFloat(s.fontSize) * 1.2;   // more than one line of text
      }).map(a => a.textContent.trim())""")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def csrf_of(html: str) -> str:
    return re.search(r'name="_csrf" value="([^"]+)"', html).group(1)


def client_login(app, username: str, password: str = PASSWORD):
    """A Flask test client logged in as ``username``; ``client.csrf`` is its form token."""
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": password, "_csrf": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.csrf = session_csrf(app, client)
    return client


def session_csrf(app, client) -> str:
    """The form token of ``client``'s session as its next page would carry it, without drawing a
    page (which would show and so take the login's 欢迎): the login gives the session a new token
    (webui/auth.login), so the one of the login page is refused after it."""
    from flask_wtf.csrf import generate_csrf
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None, "not logged in"
    with app.test_request_context("/", headers={"Cookie": f"{name}={cookie.value}"}):
        return generate_csrf()


def api_client(app, engine, username: str):
    """A Flask test client that calls the REST API as ``username`` with a bearer token of its own."""
    from webui.api import create_token
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_token(engine, username, name='测试')}"
    return client


# --- the hazard process (bpmn/hazard_supervision.bpmn), step by step ----------------------------

def start_hazard(engine, title: str = "甲化工有限公司储罐区重大事故隐患", by: str = "zhang"):
    return engine.start("hazard_supervision", by=by, party=ACME, title=title)


REGISTER_MAJOR = {
    "source": "监督检查发现", "enterprise_name": "甲化工有限公司", "credit_code": ACME, "sector": "危化",
    "location": "储罐区", "description": "液氯储罐区未设置防火堤，可燃气体报警装置失效", "found_on": "2026-11-20",
    "major_criterion": "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准》第十二条",
    "requires_shutdown": True, "attachments": [],
}

# (element id, who completes it, form data): the major-hazard path from the proposal to 审批销号.
MAJOR_PATH = [
    ("propose", "zhang", {"rectify_deadline": "2027-02-26", "responsible_unit": "甲化工有限公司",
                          "responsible_person": "王建国", "requirements": "设置防火堤，修复报警装置",
                          "supervision_level": "区县", "proposal_opinion": "属重大事故隐患，建议挂牌督办"}),
    ("review_listing", "qian", {"listing_review_decision": "同意"}),
    ("approve_listing", "sun", {"listing_approval_decision": "同意"}),
    ("issue_notice", "zhang", {"notice_no": "东应急督〔2026〕1号", "served_on": "2026-11-24",
                               "publish_channel": "区政府门户网站", "published_on": "2026-11-24"}),
    ("submit_plan", "acme", {"plan_goals": "消除储罐区重大隐患", "plan_methods": "新建防火堤，更换报警装置",
                             "plan_funds": "120万元已落实", "plan_staff": "设备部牵头",
                             "plan_timeline": "2027年2月前完成", "plan_safety": "施工期间停用储罐，制定应急预案",
                             "reported_to_regulator_on": "2026-11-25", "reported_to_workers_on": "2026-11-25",
                             "attachments": ["整改方案.pdf"]}),
    ("review_plan", "zhang", {"plan_review_decision": "同意"}),
    ("rectify", "acme", {"rectify_action": "整改完成", "rectify_summary": "防火堤已建成，报警装置已更换",
                         "assessment_mode": "自行评估", "attachments": []}),
    ("apply_close", "acme", {"close_statement": "隐患已消除，申请销号", "attachments": ["自评估报告.pdf"]}),
    ("onsite_review", "zhang", {"review_passed": True, "reviewed_on": "2026-12-10", "reviewers": ["zhang", "li"],
                                "review_findings": "现场复查，整改到位"}),
]


def open_task(engine, case_id: int, element: str):
    tasks = [t for t in engine.case(case_id).tasks if t.spec_id == element]
    assert tasks, f"no open task {element} on case {case_id}: {[t.spec_id for t in engine.case(case_id).tasks]}"
    return tasks[0]


def walk(engine, case_id: int, until: str, proposal: dict | None = None, users: dict | None = None) -> None:
    """Complete the major-hazard path through the engine up to (not including) ``until``; ``proposal``
    changes the 挂牌建议's data (``propose``: 监管层级, 整改期限…), ``users`` who completes an element."""
    for element, user, data in MAJOR_PATH:
        if element == until:
            return
        if element == "propose" and proposal:
            data = dict(data, **proposal)
        engine.complete(open_task(engine, case_id, element).id, (users or {}).get(element, user), data)
    open_task(engine, case_id, until)  # the path ends where 审批销号 opens


def major_case_at(engine, until: str, title: str = "甲化工有限公司储罐区重大事故隐患",
                  proposal: dict | None = None, users: dict | None = None):
    """A case registered as a major hazard and walked to ``until`` (``walk``'s ``proposal``, ``users``)."""
    case = start_hazard(engine, title=title)
    engine.complete(open_task(engine, case.id, "register").id, "zhang", REGISTER_MAJOR)
    walk(engine, case.id, until, proposal, users)
    return case


def overdue_general_hazard(world) -> int:
    """A 一般隐患 whose 整改期限 (two days after START) passed: five days on, the sweep opens
    一般隐患逾期督促 for the 科室负责人 (qian), 2026-11-28. Its case id."""
    case = start_hazard(world.engine, title="东城配电箱防护缺失")
    data = dict(REGISTER_MAJOR, major_criterion=None, requires_shutdown=False,
                fix_deadline=(START.date() + timedelta(days=2)).isoformat())
    world.engine.complete(open_task(world.engine, case.id, "register").id, "zhang", data)
    world.clock.advance(days=5)
    world.engine.run_due_timers()
    return case.id
