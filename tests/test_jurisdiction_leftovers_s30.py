"""属地管理's leftovers of s29 (issue 15), on a real SQLite file and on PostgreSQL, with the real processes.

1. A case model code opens (``start_case(party=...)``) is held to the territory rule a person's start is
   (《中华人民共和国行政处罚法》第二十二条: 行政处罚由违法行为发生地的行政机关管辖): the new case is opened in the
   enterprise's unit or one above it. Without ``org`` it goes to the enterprise's own unit when the case's unit
   has no territory over it (移送有管辖权的机关: 东城区's 联合检查执法 finding a 重大事故隐患 at 西城区's enterprise opens
   the hazard case in 西城区, 和平镇's at 东城区's enterprise in 东城区 — before, both stayed with the inspecting unit);
   a unit the model names that has no territory over the enterprise is an incident in those words.
2. One rule for every start a person makes (``Policy.check_start``): a town's (镇) inspector registers a case
   for the district it belongs to (《中华人民共和国安全生产法》第九条第二款: the town's work-safety body 协助 the
   district's department) through ``POST /api/cases`` as through ``Engine.start`` — the API refused it 403
   (「无权查看其他组织机构的案件」, the case-view rule); 发起案件 opens in the user's own unit and refuses the
   district's enterprise there in the same words as the API and the engine.
3. 清河镇 and 西城区 have their own 安委会办公室 in the demo (郭主任, 西城区安委办): their 联席会议 and 联合检查执法
   (seed 004 三（二）1) are walked there, and their reminders go to them.
4. 东城区安委办 no longer holds 和平镇's 进度提醒 (a task the town's model addressed to the town's office,
   ``candidateUsers``): not in its queue, 组待办 or 审批, nor claimable; a town task naming nobody stays within
   the district's supervisory reach as before.
"""
from __future__ import annotations

import datetime as dt

import pytest

from engine import InvalidData
from engine.clock import SHANGHAI
from engine.errors import Forbidden
from tests.process_support import enterprise_world
from tests.ui_support import api_client, client_login, make_world
from tests.ui_support import _password_hash as ui_password_hash
from workflows import joint_mechanisms as jm
from workflows.demo import BUILDING, CHEMICAL, MACHINERY, USERS
from workflows.enterprises import EnterpriseRegistry
from workflows.enterprises.credit_code import complete

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI)   # Monday of the fourth quarter
I_PLAN, I_RECORD = "制定联合检查执法计划", "记录联合检查执法情况"
M_PLAN, MINUTES = "安排联席会议", "记录会议纪要"
REMIND = "安排联席会议和联合检查执法"
LAW = "《中华人民共和国行政处罚法》第二十二条"


def _own_database(module_database_url: str, folder, pg_admin_url):
    """One more empty database of the module's kind: each world below has its own directory."""
    from tests.conftest import _database
    yield from _database("sqlite" if module_database_url.startswith("sqlite") else "postgresql", folder, pg_admin_url)


@pytest.fixture(scope="module")
def w(module_database_url):
    yield from enterprise_world(module_database_url, jm.INSPECTION, NOW)


def _joint(w, office: str, org: str, inspector: str, firm: str) -> int:
    """A 联合检查执法 of ``org`` led by ``office`` that finds a 重大事故隐患 at ``firm``: the case id."""
    case = w.desk.start(jm.INSPECTION, by=office, org=org, title="联合检查执法")
    w.desk.do(case.id, I_PLAN, user=office, team=[inspector], inspected_enterprises=[{"credit_code": firm}],
              joining_units=[{"joined_org": org}])
    w.desk.do(case.id, I_RECORD, user=inspector, inspected_on="2026-10-12", findings=[
        {"problem": "液化烃储罐未设置紧急切断装置", "finding_kind": "重大事故隐患", "credit_code": firm}])
    return case.id


def _hazards_of(w, case_id: int) -> list:
    return [c for c in w.engine.cases(process_key="hazard_supervision", limit=500) if c.parent_case_id == case_id]


# --- 1. start_case(party=...) under 属地管理 -------------------------------------------------------------

def test_administrative_penalty_law_art22_a_districts_joint_inspection_hands_another_districts_hazard_to_it(w):
    """东城区's 联合检查执法 finds a 重大事故隐患 at 丙建材 (西城区's): the hazard case is 西城区's (before: 东城区's,
    a unit with no territory over the enterprise); one at 甲化工 (东城区's own) stays in 东城区."""
    west = _hazards_of(w, _joint(w, "dc_aw", "dongcheng", "zhang_san", BUILDING))
    assert [(c.org_code, c.party) for c in west] == [("xicheng", BUILDING)]
    own = _hazards_of(w, _joint(w, "dc_aw", "dongcheng", "zhang_san", CHEMICAL))
    assert [(c.org_code, c.party) for c in own] == [("dongcheng", CHEMICAL)]


def test_administrative_penalty_law_art22_a_towns_joint_inspection_hands_the_districts_enterprise_up(w):
    """和平镇's 联合检查执法 (林主任, 赵六) finds one at 乙机械, registered at 东城区: opened in 东城区, not in 和平镇."""
    found = _hazards_of(w, _joint(w, "hp_aw", "dongcheng_heping", "zhao_liu", MACHINERY))
    assert [(c.org_code, c.party) for c in found] == [("dongcheng", MACHINERY)]


@pytest.fixture(scope="module")
def served(module_database_url, tmp_path_factory, pg_admin_url):
    from tests.api_probe_support import served_world
    from workflows.enterprises.models import create_tables
    from workflows.runtime import register_party_check
    folder = tmp_path_factory.mktemp("spawn_territory")
    own = _own_database(module_database_url, folder, pg_admin_url)
    w = served_world(next(own), folder)
    create_tables(w.engine.db.engine)
    registry = EnterpriseRegistry(w.engine.db.engine)
    registry.add({"credit_code": EAST_FIRM, "name": "东城宏达机械有限公司", "org_unit": "east", "sector": "工贸",
                  "size": "小型"})
    registry.add({"credit_code": WEST_FIRM, "name": "西城鑫源化工有限公司", "org_unit": "west", "sector": "危化",
                  "size": "中型"})
    register_party_check(w.engine)
    w.engine.directory.add_user("city_des", org="city", roles=["designer"], name="市设计员")
    yield w
    w.engine.dispose()
    own.close()


EAST_FIRM = complete("91110101MA0J1D001")
WEST_FIRM = complete("91110102MA0J1X002")


def _spawning(served, script: str, key: str, by: str):
    from tests.api_probe_support import deploy_source, script_model
    assert deploy_source(served, script_model(script, key=key), f"{key}.bpmn", by).status_code == 201
    return served.call("POST", "/api/cases", "insp", json={"process_key": key, "org": "east", "party": EAST_FIRM,
                                                            "data": {"total": 1, "days": 1}})


def test_administrative_penalty_law_art22_model_code_naming_a_unit_within_reach_is_taken(served):
    """东城区's model asks for a case in 和平镇 about 东城区's enterprise: the unit it names is taken (within the
    model's reach). 第二十二条 is the place of the violation, which the registry does not know: a 12350 举报 is
    handed to the unit where the reported site lies by a person's choice (tests/test_ui_work.py)."""
    from tests.api_probe_support import deploy_source, script_model
    assert deploy_source(served, script_model("pass", key="spawn_target", name="被开启的案件"), "spawn_target.bpmn",
                         "city_des").status_code == 201
    r = _spawning(served, f'start_case("spawn_target", {{}}, party="{EAST_FIRM}", org="east_town")',
                  "spawn_to_town", "des")
    body = r.get_json()
    assert r.status_code == 201, body
    assert [c.org_code for c in served.engine.cases(process_key="spawn_target", limit=50)
            if c.parent_case_id == body["id"]] == ["east_town"]


def test_administrative_penalty_law_art22_the_citys_model_hands_a_west_enterprise_case_to_west(served):
    """The city's model (reach: the whole city) on 东城区's case opens one about 西城区's enterprise: in 西城区
    (before: in 东城区)."""
    from tests.api_probe_support import deploy_source, script_model
    assert deploy_source(served, script_model("pass", key="spawn_target", name="被开启的案件"), "spawn_target.bpmn",
                         "city_des").status_code == 201
    r = _spawning(served, f'start_case("spawn_target", {{"total": 1, "days": 1}}, party="{WEST_FIRM}")',
                  "spawn_west", "city_des")
    assert r.status_code == 201, r.get_json()
    kids = [c for c in served.engine.cases(process_key="spawn_target", limit=50) if c.parent_case_id == r.get_json()["id"]]
    assert [(c.org_code, c.party) for c in kids] == [("west", WEST_FIRM)]


# --- 2. one rule for the three paths of a person's start ---------------------------------------------------

TOWN_FIRM = complete("91110101MA0J1H003")


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory, pg_admin_url):
    folder = tmp_path_factory.mktemp("start_paths")
    own = _own_database(module_database_url, folder, pg_admin_url)
    url = next(own)
    w = make_world(folder, None if url.startswith("sqlite") else url)
    d = w.engine.directory
    d.add_org("east_heping", "和平镇", parent="east", level="镇")
    d.add_user("zhou_town", org="east_heping", roles=["inspector"], name="周镇", password_hash=ui_password_hash())
    registry = EnterpriseRegistry(w.engine.db.engine, clock=w.clock.now)
    for code, name, unit in ((EAST_FIRM, "东城宏达机械有限公司", "east"), (TOWN_FIRM, "和平镇兴旺建材有限公司", "east_heping")):
        registry.add({"credit_code": code, "name": name, "org_unit": unit, "sector": "工贸", "size": "小型"}, by="seed")
    yield w
    w.engine.dispose()
    own.close()


def _api(world, user: str, party: str, org: str | None = None):
    body = {"process_key": "hazard_supervision", "title": "储罐区隐患", "party": party, **({"org": org} if org else {})}
    return api_client(world.app, world.engine, user).post("/api/cases", json=body)


def test_work_safety_law_art9_and_administrative_penalty_law_art22_one_rule_for_the_api_the_engine_and_the_page(world):
    r = _api(world, "zhou_town", EAST_FIRM, org="east")   # before: 403 「无权查看其他组织机构的案件」
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["org_code"], r.get_json()["party"]) == ("east", EAST_FIRM)
    case = world.engine.start("hazard_supervision", by="zhou_town", org="east", party=EAST_FIRM, title="储罐区隐患")
    assert case.org_code == "east"
    # another branch is refused by both, in the engine's words
    r = _api(world, "zhou_town", EAST_FIRM, org="west")
    assert r.status_code == 403 and r.get_json()["message"] == "只能在本单位、上级或下级单位发起案件", r.get_json()
    with pytest.raises(Forbidden, match="只能在本单位、上级或下级单位发起案件"):
        world.engine.start("hazard_supervision", by="zhou_town", org="west", party=EAST_FIRM, title="储罐区隐患")
    # in his own unit (发起案件 names no other): the three paths refuse the district's enterprise alike
    words = (f"当事企业：东城宏达机械有限公司属于东城区应急管理局，不在和平镇的管辖范围内，应由东城区应急管理局或其上级单位立案"
             f"（{LAW}）")
    r = _api(world, "zhou_town", EAST_FIRM)
    assert r.status_code == 422 and r.get_json()["errors"] == {"party": words}
    with pytest.raises(InvalidData) as refused:
        world.engine.start("hazard_supervision", by="zhou_town", party=EAST_FIRM, title="储罐区隐患")
    assert refused.value.errors == {"party": words}
    client = client_login(world.app, "zhou_town")
    page = client.post("/cases/new", data={"_csrf": client.csrf, "process": "hazard_supervision",
                                           "title": "宏达储罐区隐患", "party": EAST_FIRM})
    assert page.status_code == 422 and words in page.get_data(as_text=True)
    # the town's own enterprise: opened by each path in the town
    assert _api(world, "zhou_town", TOWN_FIRM).get_json()["org_code"] == "east_heping"
    assert world.engine.start("hazard_supervision", by="zhou_town", party=TOWN_FIRM, title="隐患").org_code == "east_heping"
    opened = client.post("/cases/new", data={"_csrf": client.csrf, "process": "hazard_supervision",
                                             "title": "兴旺建材隐患", "party": TOWN_FIRM})
    assert opened.status_code == 302, opened.get_data(as_text=True)




# --- 3. the demo's 安委会办公室 of 清河镇 and 西城区 -------------------------------------------------------------

def test_seed004_3_2_1_qinghe_and_xicheng_have_their_own_safety_office_in_the_demo():
    offices = {u: (name, org) for u, name, org, roles, _party in USERS if "safety_office" in roles}
    assert offices["qh_aw"] == ("郭主任", "dongcheng_qinghe") and offices["xc_aw"] == ("西城区安委办", "xicheng")
    assert {org for _name, org in offices.values()} == {"dongcheng", "dongcheng_heping", "dongcheng_qinghe", "xicheng"}
    inspectors = {org for _u, _name, org, roles, _party in USERS if "inspector" in roles}
    assert {"dongcheng_qinghe", "xicheng"} <= inspectors   # each leads its 联合检查执法 with its own 检查人员


@pytest.mark.parametrize("office,org,inspector", [("qh_aw", "dongcheng_qinghe", "wu_jiu"),
                                                  ("xc_aw", "xicheng", "wang_wu")])
def test_seed004_3_2_1_the_joint_meeting_and_inspection_are_walked_in_qinghe_and_xicheng(w, office, org, inspector):
    meeting = w.desk.start(jm.MEETING, by=office, org=org, title="联席会议")
    w.desk.do(meeting.id, M_PLAN, user=office, joining_units=[{"joined_org": org}])
    w.desk.do(meeting.id, MINUTES, user=office, met_on="2026-10-12", agreed_items=[])
    joint = w.desk.start(jm.INSPECTION, by=office, org=org, title="联合检查执法")
    w.desk.do(joint.id, I_PLAN, user=office, team=[inspector], joining_units=[{"joined_org": org}],
              inspected_enterprises=[{"credit_code": BUILDING if org == "xicheng" else MACHINERY}])
    w.desk.do(joint.id, I_RECORD, user=inspector, inspected_on="2026-10-12", findings=[])
    assert {w.engine.case(meeting.id).status, w.engine.case(joint.id).status} == {"completed"}
    row = next(r for r in jm.unit_rows(w.engine, [org], 2026) if r["org_code"] == org)
    assert (row[jm.MEETING]["done"], row[jm.INSPECTION]["done"]) == (1, 1)


# --- 4. a town's reminder is its own office's --------------------------------------------------------------

def test_seed004_3_2_1_dongcheng_office_does_not_hold_the_towns_reminders(w):
    from engine import queries
    jm.open_round(w.engine, "xicheng", by="xc_aw")
    jm.open_round(w.engine, "dongcheng", by="dc_aw")
    w.clock.set(dt.datetime(2027, 1, 1, 0, 5, tzinfo=SHANGHAI))   # the rounds wake at the quarter's first day
    w.engine.run_due_timers()
    reminders = {c.org_code: c for c in w.engine.cases(process_key=jm.REMINDER, limit=100)
                 if c.status == "running"}
    assert {"dongcheng_heping", "dongcheng_qinghe", "xicheng"} <= set(reminders)
    town = {w.desk.task(reminders[org].id, REMIND).id: org for org in ("dongcheng_heping", "dongcheng_qinghe")}
    dc = w.engine.directory.principal("dc_aw")
    assert not set(town) & {t.id for t in w.engine.queue("dc_aw", limit=500)}   # before: both in it
    assert not set(town) & {t.id for t in queries.group_queue(w.engine, dc, "safety_office", limit=500)}
    assert not set(town) & {t.id for t in queries.approvals(w.engine, dc, limit=500)}
    for task_id in town:
        assert not w.engine.may_work(task_id, "dc_aw")
    with pytest.raises(Forbidden, match="该任务由其他单位（和平镇）办理"):
        w.engine.claim(next(t for t, org in town.items() if org == "dongcheng_heping"), "dc_aw")
    for office, org in (("hp_aw", "dongcheng_heping"), ("qh_aw", "dongcheng_qinghe"), ("xc_aw", "xicheng")):
        task = w.desk.task(reminders[org].id, REMIND)
        assert w.engine.case(reminders[org].id).data["reminder_to"] == [office]
        assert task.id in {t.id for t in w.engine.queue(office, limit=500)}, office
    # a town's task its model names nobody for is still within 东城区's supervisory reach, as before
    plan = w.desk.start(jm.MEETING, by="hp_aw", org="dongcheng_heping", title="联席会议")
    task = w.desk.task(plan.id, M_PLAN)
    assert task.id in {t.id for t in w.engine.queue("dc_aw", limit=500)} and w.engine.may_work(task.id, "dc_aw")

