"""属地管理's leftovers of s30 (issue 15), on a real SQLite file and on PostgreSQL, with the real processes.

1. One condition for "a supervising role does not get a lower unit's task whose model named people for it"
   (《中华人民共和国安全生产法》第九条第二款: the town's own 安全生产监督管理工作机构 works what its model addressed to
   it): ``engine.policy.reach_below``, which the pools (``queries.Scope.pool_below``: 组待办, 审批, the queue) put
   in SQL and ``Policy.check_task`` evaluates on the task's row. It was written twice; here each pool and each
   claim decision is compared, task by task, so either use drifting fails.
2. 西城区 has a leader in the demo (秦副局长), so its 领导带队督查检查 (seed 004 三（一）1: 全年不少于4次) is walked
   there; ``duban serve --demo`` prints one account a role, not all of them.
"""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from engine import queries
from engine.clock import SHANGHAI
from engine.schema import OPEN, HumanTask, TaskCandidate
from tests.process_support import enterprise_world
from workflows import joint_mechanisms as jm
from workflows import leader_inspection as li
from workflows.demo import BUILDING, CHEMICAL, USERS

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI)   # Monday of the fourth quarter
PEOPLE = ("dc_aw", "hp_aw", "qh_aw", "xc_aw", "qian_ke", "zheng_fj", "zhang_san")


@pytest.fixture(scope="module")
def w(module_database_url):
    yield from enterprise_world(module_database_url, jm.INSPECTION, NOW)


@pytest.fixture(scope="module")
def towns(w):
    """The towns' 进度提醒 (named for the town's 安委会办公室) and a 联席会议 plan naming nobody, open together."""
    jm.open_round(w.engine, "xicheng", by="xc_aw")
    jm.open_round(w.engine, "dongcheng", by="dc_aw")
    w.clock.set(dt.datetime(2027, 1, 1, 0, 5, tzinfo=SHANGHAI))   # the rounds wake at the quarter's first day
    w.engine.run_due_timers()
    w.desk.start(jm.MEETING, by="hp_aw", org="dongcheng_heping", title="联席会议")
    w.desk.start(jm.MEETING, by="xc_aw", org="xicheng", title="联席会议")
    return w


def _open_unclaimed(w) -> list:
    with w.engine.db.read() as s:
        return list(s.execute(sa.select(HumanTask.id, HumanTask.role_code, HumanTask.org_code,
                                         sa.exists().where(TaskCandidate.task_id == HumanTask.id).label("named"))
                              .where(HumanTask.state == OPEN, HumanTask.assignee.is_(None))).all())


def _candidate_of(w, user: str) -> set[str]:
    with w.engine.db.read() as s:
        return set(s.execute(sa.select(TaskCandidate.task_id).where(TaskCandidate.username == user)).scalars())


def test_work_safety_law_art9_2_the_pools_and_a_claim_hold_one_condition_for_a_lower_units_named_task(towns):
    from engine.policy import reach_below   # the one condition (before: written in policy and in queries)
    w = towns
    tasks = _open_unclaimed(w)
    assert any(t.named and t.org_code == "dongcheng_heping" for t in tasks)        # the town's 进度提醒
    assert any(not t.named and t.org_code == "dongcheng_heping" for t in tasks)    # its 联席会议 plan
    compared = 0
    for user in PEOPLE:
        p = w.engine.directory.principal(user)
        with w.engine.db.read() as s:
            scope = queries.Scope(s, p)
            for role in p.roles:
                # the pools' condition is the policy's, not a copy of it
                assert str(scope.pool_below(role).compile(s.bind)) == str(reach_below(p, role).compile(s.bind))
        named_for_me = _candidate_of(w, user)
        pools = {role: {t.id for t in queries.group_queue(w.engine, p, role, limit=1000)} for role in p.roles}
        for t in tasks:
            if t.role_code not in p.roles or t.id in named_for_me:
                continue
            # what the role's pool lists is what a claim allows, task by task
            assert (t.id in pools[t.role_code]) == w.engine.may_work(t.id, user), (user, t)
            compared += 1
    assert compared >= 10


# --- 2. the demo ---------------------------------------------------------------------------------------------

PLAN, RECORD = "制定领导带队督查计划", "记录督查情况"


def test_seed004_3_1_1_xicheng_has_a_leader_and_walks_its_leader_led_inspection(w):
    """下原镇2019年安全生产工作计划（种子004）三（一）1: 领导带队督查检查全年不少于4次 — 西城区安委办 plans one led by
    西城区's own 分管领导 (before: none in the demo), who records it; it counts for him and for 西城区."""
    leaders = {x["username"]: x["org_code"] for x in li.leaders(w.engine, ["xicheng"])}
    assert leaders == {"qin_fj": "xicheng"}
    case = w.desk.start(li.PROCESS, by="xc_aw", org="xicheng", title="丙建材安全督查")
    w.desk.do(case.id, PLAN, user="xc_aw", inspection_kind=li.LEAD, leader="qin_fj", team=["wang_wu"],
              planned_on=w.desk.today().isoformat(), visited_enterprises=[{"credit_code": BUILDING}], topic="安全督查")
    w.desk.do(case.id, RECORD, user="qin_fj", visited_on=w.desk.today().isoformat(), supervision_items=[],
              findings=[], visit_summary="听取企业汇报，现场检查重点部位")
    assert w.engine.case(case.id).status == "completed"
    row = next(r for r in li.leader_rows(w.engine, ["xicheng"], w.desk.today().year, w.desk.today())
               if r["username"] == "qin_fj")
    assert (row["name"], row["org_name"], len(row[li.LEAD]["cases"])) == ("秦副局长", "西城区", 1)


def test_the_quick_start_prints_one_demo_account_a_role_in_chinese(w):
    from workflows.demo import account_lines
    lines = account_lines(w.engine)
    roles = {code for _u, _n, _o, codes, _p in USERS for code in codes}
    assert len(lines) == len(roles) < len(USERS)   # before: a line per account
    text = "\n".join(lines)
    assert "  执法人员：zhang_san  张三（东城区）" in lines, text
    assert "  分管领导：zheng_fj  郑副局长（东城区）" in lines, text
    assert "dongcheng" not in text and "inspector" not in text


# --- 3. an enterprise account: its own unit, its own enterprise, whichever path -----------------------------

@pytest.fixture(scope="module")
def ui(module_database_url, tmp_path_factory, pg_admin_url):
    from tests.test_jurisdiction_leftovers_s30 import _own_database
    from tests.ui_support import _password_hash, make_world
    folder = tmp_path_factory.mktemp("party_paths")
    own = _own_database(module_database_url, folder, pg_admin_url)
    url = next(own)
    world = make_world(folder, None if url.startswith("sqlite") else url)
    d = world.engine.directory
    d.add_user("bolt", org="east", roles=["enterprise"], name="乙机械有限公司", party=OTHER,
               password_hash=_password_hash())
    d.add_org("east_heping", "和平镇", parent="east", level="镇")
    d.add_user("zhou_town", org="east_heping", roles=["inspector"], name="周镇", password_hash=_password_hash())
    yield world
    world.engine.dispose()
    own.close()


OTHER = "91110101MA0J1B0031"


def test_an_enterprise_account_opens_a_case_only_in_its_own_unit_by_the_engine_as_by_the_api(ui):
    """The API refused an enterprise account's case in another unit; ``Engine.start`` (and so 发起案件 and a
    message it sends) opened it there. Now ``Policy.check_start`` refuses it, in the same words, on every path."""
    from engine.errors import Forbidden
    from engine.policy import PARTY_OWN_UNIT
    from tests.ui_support import ACME, api_client
    with pytest.raises(Forbidden, match=PARTY_OWN_UNIT):   # before: opened in 西城区
        ui.engine.start("hazard_self_report", by="acme", org="west", party=ACME, title="静电接地线断开")
    r = api_client(ui.app, ui.engine, "acme").post("/api/cases", json={
        "process_key": "hazard_self_report", "title": "静电接地线断开", "org": "west"})
    assert r.status_code == 403 and r.get_json()["message"] == PARTY_OWN_UNIT, r.get_json()
    assert ui.engine.start("hazard_self_report", by="acme", party=ACME, title="静电接地线断开").org_code == "east"


def test_an_enterprise_account_does_not_open_another_enterprises_case_or_task_by_its_address(ui):
    """乙机械's account typing the address of 甲化工's case or task: the page and the API say it is not there."""
    from tests.ui_support import ACME, api_client, client_login
    case = ui.engine.start("hazard_self_report", by="acme", party=ACME, title="静电接地线断开")
    task = ui.engine.case(case.id).tasks[0]
    client, api = client_login(ui.app, "bolt"), api_client(ui.app, ui.engine, "bolt")
    for address in (f"/cases/{case.id}", f"/tasks/{task.id}"):
        page = client.get(address)
        assert page.status_code in (403, 404) and "甲化工" not in page.get_data(as_text=True), address
    for address in (f"/api/cases/{case.id}", f"/api/tasks/{task.id}"):
        r = api.get(address)
        assert r.status_code in (403, 404) and "甲化工" not in r.get_data(as_text=True), address


# --- 4. 发起案件's 办理单位 ------------------------------------------------------------------------------------------

def _options(html: str, name: str) -> list[str]:
    import re
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r">([^<]+)</option>", select.group(1)) if select else []


def test_work_safety_law_art9_2_start_page_picks_the_unit_a_case_is_opened_in(ui):
    """《中华人民共和国安全生产法》第九条第二款 (a town's body 协助 the district's department; the district's inspector
    assists the town): 东城区's inspector picks 办理单位 among the units he may open a case in — the city's, his own
    (chosen), 和平镇 — never 西城区's; the case is opened in the unit picked (before: no field, always his own)."""
    from tests.ui_support import client_login
    client = client_login(ui.app, "zhang")
    html = client.get("/cases/new").get_data(as_text=True)
    assert _options(html, "org") == ["示范市应急管理局", "东城区应急管理局", "和平镇"], html
    assert '<option value="east" selected>' in html
    sent = {"_csrf": client.csrf, "process": "hazard_supervision", "title": "和平镇储罐区隐患", "org": "east_heping"}
    r = client.post("/cases/new", data=sent)
    assert r.status_code == 302, r.get_data(as_text=True)
    case = ui.engine.case(int(r.headers["Location"].rsplit("/", 1)[1]))
    assert (case.org_code, case.title) == ("east_heping", "和平镇储罐区隐患")
    # another branch, typed into the request: named in Chinese on the field, nothing opened
    before = len(ui.engine.cases(limit=1000))
    r = client.post("/cases/new", data={**sent, "org": "west", "title": "西城区隐患"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "办理单位：只能在本单位、上级或下级单位发起案件" in body and "第九条第二款" in body
    assert len(ui.engine.cases(limit=1000)) == before
    # the town's inspector assists the district: his picker has 东城区 (and the city), his own chosen
    town = client_login(ui.app, "zhou_town").get("/cases/new").get_data(as_text=True)
    assert _options(town, "org") == ["示范市应急管理局", "东城区应急管理局", "和平镇"]
    assert '<option value="east_heping" selected>' in town
    # an enterprise account picks nothing: its own unit (Policy.check_start)
    assert _options(client_login(ui.app, "acme").get("/cases/new").get_data(as_text=True), "org") == []


# --- 5. 移送 said in both cases' 办理记录 ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def app(w, tmp_path_factory):
    from werkzeug.security import generate_password_hash

    from tests.ui_support import PASSWORD
    from webui.app import create_app
    for user in ("dc_aw", "wang_wu"):
        w.engine.directory.set_password_hash(user, generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    return create_app(w.engine, secret_key="test", testing=True, instance_path=tmp_path_factory.mktemp("instance"))


def test_administrative_penalty_law_art22_a_transferred_hazard_case_says_so_in_both_histories(w, app):
    """东城区's 联合检查执法 finds a 重大事故隐患 at 丙建材 (西城区's): the hazard case opened in 西城区 (step.check_spawn_org)
    reads 「由东城区移送（《中华人民共和国行政处罚法》第二十二条）」 in its 办理记录, and the joint inspection's reads
    「移送至西城区（…）」 by the derived case (before: only 派生案件 and its 案号)."""
    from tests.test_jurisdiction_leftovers_s30 import LAW, _hazards_of, _joint
    from tests.ui_support import client_login
    parent = _joint(w, "dc_aw", "dongcheng", "zhang_san", BUILDING)
    (child,) = _hazards_of(w, parent)
    assert child.org_code == "xicheng"
    sent = client_login(app, "dc_aw").get(f"/cases/{parent}").get_data(as_text=True)
    assert f'<span class="transfer">移送至西城区（{LAW}）</span>' in sent
    came = client_login(app, "wang_wu").get(f"/cases/{child.id}").get_data(as_text=True)
    assert f'<span class="transfer">由东城区移送（{LAW}）</span>' in came
    # a hazard found at 东城区's own enterprise stays in 东城区: no 移送 said
    own = _joint(w, "dc_aw", "dongcheng", "zhang_san", CHEMICAL)
    assert "transfer" not in client_login(app, "dc_aw").get(f"/cases/{own}").get_data(as_text=True)
