"""Security review 11 (安全复查十一): the 12350 举报's leftovers, then hostile probes against the served
app, on a real SQLite file and a real PostgreSQL database, with the real processes.

The tip-off's leftovers — 《国家安全监管总局关于保护生产安全事故和事故隐患举报人的意见》(2013年6月8日)
第五条（一）（二）: 不得泄露…可能导致上述信息泄露的举报内容; 不得将举报材料私自转给被举报单位、被举报人:
- messages written before 0baee9e about a 举报 kept from the enterprise reported (「案件办结：T1-…」)
  stayed in its inbox: revision 0030 takes out every message to an enterprise account about a case
  its policy hides;
- a 立案查处 case opened from a 举报 is the enterprise's own, and named the 举报 to it: its
  ``parent_case_id`` through the REST API, and the 举报件's 案号 in its data (「（举报件T1-…）」) and a
  title saying 举报. To an enterprise a link to a case it may not see does not appear at all.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from werkzeug.security import generate_password_hash

from engine import migrate
from tests.process_support import process_world
from tests.ui_support import api_client, client_login
from webui.app import create_app
from workflows.demo import CHEMICAL, MACHINERY, register_enterprises

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
PASSWORD = "pw-2026"
REVISION = "0030_party_hidden_messages"


@pytest.fixture(scope="module")
def w(module_database_url):
    for world in process_world(module_database_url, "tipoff_12350", None, START):
        e = world.engine
        fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        e.directory.add_user("jia_web", org="dongcheng", roles=["enterprise"], name="甲化工安全员", party=CHEMICAL,
                             password_hash=fast)
        e.directory.add_user("yi_web", org="dongcheng", roles=["enterprise"], name="乙机械安全员", party=MACHINERY,
                             password_hash=fast)
        e.directory.add_user("qian_web", org="dongcheng", roles=["supervisor"], name="钱科长", password_hash=fast)
        register_enterprises(e)
        world.app = create_app(e, secret_key="review11", testing=True)
        yield world


def _tipoff(w, **verify) -> int:
    """A 12350 举报 about 甲化工 verified as a 违法行为: 立案查处 opens its penalty case."""
    c = w.desk.start("tipoff_12350", by="he_sl", org="dongcheng", party=CHEMICAL, title="12350举报：甲化工违规动火").id
    w.desk.do(c, "受理登记举报", tipoff_content="甲化工储罐区检修时未办理动火作业票即动火，举报人系该班组夜班操作工")
    w.desk.do(c, "分类交办")
    w.desk.do(c, "核查举报事项", **verify)
    return c


def _children(w, c: int) -> list:
    return [x for x in w.engine.cases(limit=1000) if x.parent_case_id == c]


def test_revision_0030_takes_out_messages_to_an_enterprise_about_cases_its_policy_hides_whistleblower_opinion_2013_art5(w):
    """Before 0baee9e the producer told 甲化工's accounts 「案件办结」 of a 举报 about it; the message stayed
    after: its title names the 举报's 案号 and its link leads to it. A database at the revision before 0030 holding
    such messages the old way (a message row and its e-mail outbox item), one to 甲化工 about 乙机械's
    case, and those that must stay — the intake official's about the 举报, 甲化工's about its own
    self-report — is upgraded through the project's Alembic path: the first two are gone with their
    outbox item, the others are there as they were."""
    from workflows.messages.models import Message, OutboxItem
    e = w.engine
    tipoff = _tipoff(w, verified_result="不属实", follow_up="无需处理", verify_findings="现场未发现动火作业")
    own = w.desk.start("hazard_self_report", by="jia_qy", org="dongcheng", party=CHEMICAL, title="甲化工静电接地线断开").id
    other = w.desk.start("hazard_self_report", by="yi_qy", org="dongcheng", party=MACHINERY, title="乙机械行车限位失效").id
    tipoff_no = e.case(tipoff).case_no
    before = ScriptDirectory.from_config(migrate.config()).get_revision(REVISION).down_revision
    with e.db.engine.begin() as conn:
        command.downgrade(migrate.config(conn), before)
    now = w.clock.now()

    def message(username, case_id, title):
        return Message(username=username, kind="case_closed", title=title, body=f"案件 {title} 已办结。",
                       case_id=case_id, event_id=10_000_000 + case_id, created_at=now)
    with e.db.write() as s:
        written = [message("jia_qy", tipoff, f"案件办结：{tipoff_no}"), message("jia_web", tipoff, f"新待办：{tipoff_no}"),
                   message("jia_qy", other, "案件办结：乙机械"), message("he_sl", tipoff, f"案件办结：{tipoff_no}"),
                   message("jia_qy", own, "案件办结：甲化工自查")]
        s.add_all(written)
        s.flush()
        s.add(OutboxItem(message_id=written[0].id, topic="email", recipient="jia@example.cn", subject="【督办】案件办结",
                         body="…", created_at=now))
        ids = [m.id for m in written]
    assert migrate.upgrade(e.db.engine)
    with e.db.read() as s:
        kept = s.execute(sa.select(Message.username, Message.case_id).where(Message.id.in_(ids))
                         .order_by(Message.id)).all()
        outbox = s.execute(sa.select(sa.func.count()).select_from(OutboxItem)
                           .where(OutboxItem.message_id == ids[0])).scalar()
    assert [tuple(r) for r in kept] == [("he_sl", tipoff), ("jia_qy", own)]
    assert outbox == 0
    with e.db.engine.connect() as conn:
        assert migrate.current(conn) == migrate.heads()


def test_a_penalty_case_opened_from_a_tipoff_names_no_link_to_it_to_the_enterprise_whistleblower_opinion_2013_art5(w):
    """立案查处 from a verified 举报 about 甲化工 opens 甲化工's own penalty case. Through the served REST
    API and the case page, 甲化工's account sees neither the 举报's id (``parent_case_id``), nor its 案号,
    nor its title, nor a title or fact saying 举报件; the section head still sees the link. A penalty
    case opened the old way (the 举报件's 案号 in its 涉嫌违法事实, a title of the parent's) is shown to
    甲化工 without them too."""
    e = w.engine
    tipoff = _tipoff(w)
    [penalty] = [c.id for c in _children(w, tipoff) if c.process_key == "enforcement_case"]
    tip = e.case(tipoff)
    old = e.start("enforcement_case", by="he_sl", org="dongcheng", party=CHEMICAL, parent_case_id=tipoff,
                  title=f"{tip.title}·立案查处",
                  data={"source": "投诉举报", "party_name": "示范市甲化工有限公司", "party_type": "单位",
                        "violation_facts": f"储罐区检修动火未办理动火作业审批（举报件{tip.case_no}）"}).id
    api = api_client(w.app, e, "jia_web")
    listed = {c["id"]: c for c in api.get("/api/cases?limit=200").get_json()["items"]}
    for case_id in (penalty, old):
        shown = api.get(f"/api/cases/{case_id}")
        assert shown.status_code == 200
        body = shown.get_json()
        assert body["parent_case_id"] is None and listed[case_id]["parent_case_id"] is None
        text = json.dumps([body, listed[case_id]], ensure_ascii=False)
        for said in (tip.case_no, tip.title, "举报件", "举报违法行为"):
            assert said not in text, (case_id, said)
        assert "动火" in body["data"]["violation_facts"]
    page = client_login(w.app, "jia_web", PASSWORD)
    for case_id in (penalty, old):
        html = page.get(f"/cases/{case_id}").get_data(as_text=True)
        assert f"/cases/{tipoff}\"" not in html and tip.case_no not in html and "举报件" not in html, case_id
    mine = page.get("/enterprises/mine", follow_redirects=True).get_data(as_text=True)    # its 一企一档
    assert "储罐区检修动火" in mine and tip.case_no not in mine and "举报件" not in mine
    official = api_client(w.app, e, "qian_ke")
    assert official.get(f"/api/cases/{old}").get_json()["parent_case_id"] == tipoff
    assert tip.case_no in official.get(f"/api/cases/{old}").get_json()["data"]["violation_facts"]
    assert official.get(f"/api/cases/{penalty}").get_json()["parent_case_id"] == tipoff
    html = client_login(w.app, "qian_web", PASSWORD).get(f"/cases/{penalty}").get_data(as_text=True)
    assert f"/cases/{tipoff}\"" in html


# --- names typed with markup, drawn by the pages' scripts (Chromium) --------------------------------

HOSTILE_UNIT = '南城区<img id="review11-markup" src="/static/duban.css">应急管理局'


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """The leadership tests' city, 南城区's name typed with markup (as an administrator may paste it),
    served to Chromium."""
    import shutil
    if shutil.which("chromium") is None:
        pytest.skip("Debian chromium is not installed (run scripts/setup-browser)")
    from playwright.sync_api import sync_playwright
    from tests.leadership_support import build_world
    from tests.ui_support import LiveServer, launch_chromium
    w = build_world(tmp_path_factory.mktemp("review11-city"))
    w.engine.directory.rename_org("south", HOSTILE_UNIT, by="admin_zhou")
    with LiveServer(w.app) as server, sync_playwright() as p:
        browser = launch_chromium(p)
        yield w, server, browser
        browser.close()
    w.engine.dispose()


@pytest.mark.browser
def test_a_unit_name_typed_with_markup_is_shown_as_text_in_the_risk_maps_tooltip(city, tmp_path):
    """风险分布图's tooltip (ECharts, HTML) wrote the unit's name into the page as markup: an 区 named
    「南城区<img …>应急管理局」 put an element of the administrator's making into every leader's page
    (the CSP stops scripts, not elements: an image, a form, a link over the map). Now its name is
    text there, as on every page drawn by the templates."""
    import json
    from playwright.sync_api import expect
    from tests.ui_support import PASSWORD, close_context
    _w, server, browser = city
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = ctx.new_page()
        page.goto(server.url + "/login")
        page.fill("input[name=username]", "admin_zhou")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(server.url + "/leadership/map")
        shapes = [("东城区应急管理局", [[0, 0], [2, 0], [2, 1], [0, 1], [0, 0]]),
                  ("西城区应急管理局", [[0, 1], [2, 1], [2, 2], [0, 2], [0, 1]]),
                  ("北城区应急管理局", [[2, 0], [3, 0], [3, 2], [2, 2], [2, 0]]),
                  (HOSTILE_UNIT, [[0, -1], [3, -1], [3, 0], [0, 0], [0, -1]])]
        geo = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
            for name, ring in shapes]}
        path = tmp_path / "城区边界.geojson"
        path.write_text(json.dumps(geo, ensure_ascii=False), encoding="utf-8")
        page.set_input_files("#boundary-upload input[type=file]", str(path))
        page.click("#boundary-upload button[type=submit]")
        expect(page.locator("[data-map][data-ready='1'] svg")).to_have_count(1)
        orange = page.locator("[data-map] svg path[fill='#ef6c00']").bounding_box()
        page.mouse.move(orange["x"] + orange["width"] / 2, orange["y"] + orange["height"] / 2)
        tip = page.locator("[data-map] div", has_text="在办重大隐患").last   # ECharts' tooltip
        expect(tip).to_contain_text('南城区<img id="review11-markup"')            # the name, as typed
        assert page.locator("#review11-markup").count() == 0
        # 通报排名's bars and 领导驾驶舱's charts (ECharts' own tooltips) name the units as text too
        for url, chart in (("/leadership/ranking", "[data-ranking]"), ("/leadership/?org=city", "[data-chart]")):
            page.goto(server.url + url)
            expect(page.locator(f"{chart}[data-ready='1'] svg").first).to_be_visible()
            for box in [b for b in (c.bounding_box() for c in page.locator(f"{chart} svg path").all()[:40]) if b]:
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            assert page.locator("#review11-markup").count() == 0, url
    finally:
        close_context(ctx)


# --- a hostile assessor: another firm's claimed task ------------------------------------------------

@pytest.fixture(scope="module")
def firms(tmp_path_factory, module_database_url):
    """Two 评估机构 accounts of 东城区 (安泰, 华安) and a 重大事故隐患 whose 第三方评估整改效果 waits in
    their unit's pool (原总局令第16号第十八条)."""
    from tests.ui_support import make_world, major_case_at, open_task
    w = make_world(tmp_path_factory.mktemp("review11-firms"),
                   None if module_database_url.startswith("sqlite") else module_database_url)
    password = w.engine.directory.user("zhang").password_hash
    for username, name in (("antai", "安泰评估"), ("huaan", "华安评估")):
        w.engine.directory.add_user(username, org="east", roles=["assessor"], name=name, password_hash=password)
    case = major_case_at(w.engine, "rectify", title="甲化工储罐区隐患（评估中）")
    w.engine.complete(open_task(w.engine, case.id, "rectify").id, "acme",
                      {"rectify_action": "整改完成", "rectify_summary": "防火堤已建成，报警装置已更换",
                       "assessment_mode": "委托第三方评估", "attachments": []})
    w.case, w.task = case.id, open_task(w.engine, case.id, "third_party_assess").id
    yield w
    w.engine.dispose()


def test_an_assessor_reads_and_works_no_task_another_firms_account_claimed(firms):
    """安泰 claims the pool's 第三方评估整改效果. 华安's account — another firm, same unit, same role —
    then read that task whole through GET /api/tasks/<id> (200: the case's title, the hazard, 安泰's
    account name), though the case and the task page refuse it, and posting it was answered
    「任务已被 antai 认领」. The policy read 「holds the task's role in its unit」 as enough for a third
    party too; now a third party works no task another account claimed: 403, nothing of the task
    said. 安泰 still reads and works it; the unit's inspector still reads it."""
    w = firms
    w.engine.claim(w.task, "antai")
    other = api_client(w.app, w.engine, "huaan")
    shown = other.get(f"/api/tasks/{w.task}")
    assert shown.status_code == 403, shown.get_json()
    assert "评估中" not in shown.get_data(as_text=True)
    posted = other.post(f"/api/tasks/{w.task}/complete", json={"data": {"assessment_conclusion": "隐患已消除"}})
    assert posted.status_code == 403 and "antai" not in posted.get_data(as_text=True)
    assert other.post(f"/api/tasks/{w.task}/claim").status_code == 403
    assert not w.engine.may_work(w.task, "huaan") and not w.engine.can_view(w.case, "huaan")
    assert api_client(w.app, w.engine, "antai").get(f"/api/tasks/{w.task}").status_code == 200
    assert w.engine.may_work(w.task, "antai")
    assert api_client(w.app, w.engine, "zhang").get(f"/api/tasks/{w.task}").status_code == 200
