"""The joint processes' and the leaders' leftovers of s28, on SQLite and PostgreSQL (the real processes, the demo
directory, the leaders' page through Flask).

- A plan is for days to come: 下原镇2019年安全生产工作计划 (seed 004) 三（一）3、三（二）1 — the 安委会办公室 安排联席会议 and
  制定联合检查执法计划 ahead; a meeting or an inspection is counted by the day it was held, recorded afterwards. A
  计划召开日期 / 计划检查日期 before today on the case's clock (Beijing) is refused naming the field, the task left open
  and nothing written; today is allowed. The day held (召开日期, 检查日期) may be past, never to come.
- 和平镇 has its own 安委会办公室 in the demo (林主任): its joint reminder goes to it, not to 东城区's through the lane.
- Seed 004 三（一）1 sets one yearly count for all the 党、政 leaders — 4 领导带队督查检查, 2 党委检查督办 — not one by
  post: the 局长 (主要负责人) and a 分管领导 are each held to it, and the page says so: 「年度目标 4 次（依据…）」.
- The leaders' tab shows the visits and the joint meetings: it reads 「督查与联席」 in every leadership view.
"""
from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.security import generate_password_hash

from engine import InvalidData
from engine.clock import SHANGHAI
from tests.process_support import enterprise_world
from tests.ui_support import PASSWORD, client_login
from workflows import joint_mechanisms as jm, leader_inspection as li
from workflows.demo import MACHINERY

NOW = dt.datetime(2026, 12, 7, 0, 5, tzinfo=SHANGHAI)   # Monday 00:05 in Beijing: still 6 December in UTC
M_PLAN, MINUTES = "安排联席会议", "记录会议纪要"
I_PLAN, I_RECORD = "制定联合检查执法计划", "记录联合检查执法情况"
DONGCHENG = ["dongcheng", "dongcheng_heping", "dongcheng_qinghe"]
MEETING = {"meeting_topic": "岁末年初专项整治", "joining_units": [{"joined_org": "dongcheng"}], "other_departments": "",
           "meeting_notes": ""}
JOINT = {"topic": "燃气安全联合检查", "joining_units": [{"joined_org": "dongcheng"}], "other_departments": "",
         "inspected_enterprises": [{"credit_code": MACHINERY}], "team": ["zhang_san"]}


@pytest.fixture(scope="module")
def w(module_database_url):
    yield from enterprise_world(module_database_url, jm.MEETING, NOW)


def _refused(w, task, user: str, data: dict) -> dict:
    with pytest.raises(InvalidData) as refused:
        w.engine.complete(task.id, user, data)
    return refused.value.errors


def test_a_meeting_planned_before_today_is_refused_today_is_allowed_seed004_3_1_3_and_3_2_1(w):
    case = w.desk.start(jm.MEETING, by="dc_aw", org="dongcheng", title="岁末年初专项整治联席会议")
    task = w.desk.task(case.id, M_PLAN)
    for typed in ("2026-12-06", "2026年12月6日", "2026年11月1日"):   # yesterday in Beijing (today in UTC), a month ago
        assert _refused(w, task, "dc_aw", {**MEETING, "planned_on": typed}) == {
            "planned_on": "「计划召开日期」不能早于今天（2026年12月7日）"}
    assert w.desk.task(case.id, M_PLAN).id == task.id and "planned_on" not in w.engine.case(case.id).data
    w.engine.complete(task.id, "dc_aw", {**MEETING, "planned_on": "２０２６年１２月７日"})   # today, typed full-width
    assert w.engine.case(case.id).data["planned_on"] == "2026-12-07"
    minutes = w.desk.task(case.id, MINUTES)
    record = {"minutes_summary": "通报整治进展", "agreed_items": [], "minutes_file": []}
    assert _refused(w, minutes, "dc_aw", {**record, "met_on": "2026-12-08"}) == {
        "met_on": "「召开日期」不能晚于今天（2026年12月7日）"}
    # held before it was entered: its real, past day is recorded and counts
    w.engine.complete(minutes.id, "dc_aw", {**record, "met_on": "2026年11月20日"})
    row = next(r for r in jm.unit_rows(w.engine, DONGCHENG, 2026) if r["org_code"] == "dongcheng")
    assert (row[jm.MEETING]["done"], row[jm.MEETING]["months"]) == (1, [11])


def test_a_joint_inspection_planned_before_today_is_refused_today_is_allowed_seed004_3_2_1(w):
    case = w.desk.start(jm.INSPECTION, by="dc_aw", org="dongcheng", title="燃气安全联合检查执法")
    task = w.desk.task(case.id, I_PLAN)
    assert _refused(w, task, "dc_aw", {**JOINT, "planned_on": "2026-12-06"}) == {
        "planned_on": "「计划检查日期」不能早于今天（2026年12月7日）"}
    assert "planned_on" not in w.engine.case(case.id).data
    w.engine.complete(task.id, "dc_aw", {**JOINT, "planned_on": "2026-12-07"})
    record = w.desk.task(case.id, I_RECORD)
    done = {"findings": [], "inspection_summary": "检查燃气管道", "inspection_record": []}
    assert _refused(w, record, "zhang_san", {**done, "inspected_on": "2026-12-08"}) == {
        "inspected_on": "「检查日期」不能晚于今天（2026年12月7日）"}
    w.engine.complete(record.id, "zhang_san", {**done, "inspected_on": "2026-12-07"})
    assert w.engine.case(case.id).data["inspected_on"] == "2026-12-07"


def test_heping_has_its_own_safety_office_and_its_joint_reminder_goes_to_it_seed004_3_2_1(w):
    """The demo's 和平镇 has 林主任 of its 安委会办公室; a round set up for 东城区 in the fourth quarter reminds 和平镇
    (no meeting, no joint inspection this year) and the task is named to 林主任, in 我的待办."""
    office = w.engine.directory.user("hp_aw")
    assert (office.name, office.org_code) == ("林主任", "dongcheng_heping")
    assert "hp_aw" in w.engine.directory.users_with_role("safety_office")
    assert "dongcheng_heping" in {r["org_code"] for r in jm.unit_rows(w.engine, DONGCHENG, 2026)}   # listed, 0 shown
    jm.open_round(w.engine, "dongcheng", by="dc_aw")
    heping = next(c for c in w.engine.cases(process_key=jm.REMINDER, limit=100) if c.org_code == "dongcheng_heping")
    assert w.engine.case(heping.id).data["reminder_to"] == ["hp_aw"]
    task = w.desk.task(heping.id, "安排联席会议和联合检查执法")
    assert w.engine.may_work(task.id, "hp_aw")
    assert task.id in {t.id for t in w.engine.queue("hp_aw")}


def test_the_director_and_a_deputy_are_each_held_to_the_seeds_one_yearly_count_seed004_3_1_1(w):
    """Seed 004 三（一）1 gives one number for the 党、政 leaders, not one by post: 冯局长 (局长, 主要负责人) and 郑副局长
    (分管领导) each read 「已完成 0/4」 and 「已完成 0/2」, and the reminders ask the same of both."""
    rows = {r["username"]: r for r in li.leader_rows(w.engine, DONGCHENG, 2026)}
    for leader in ("feng_jz", "zheng_fj"):
        assert (rows[leader][li.LEAD]["target"], rows[leader][li.PARTY]["target"]) == (4, 2)
    assert li.target_notes() == [
        "领导带队督查检查年度目标 4 次（依据《下原镇2019年安全生产工作计划》（种子004）三（一）1：建立健全党、政领导定期带队"
        "督查检查安全生产工作机制、全年不少于4次；不分主要负责人和分管负责人）",
        "党委检查督办年度目标 2 次（依据《下原镇2019年安全生产工作计划》（种子004）三（一）1：党委对安全生产落实情况的检查督办，"
        "全年不得少于两次）"]
    lines = li.behind_on(w.engine, DONGCHENG, dt.date(2026, 10, 1))[0]["reminder_lines"]
    assert "冯局长领导带队督查检查已完成0次（到本季度初应完成3次，全年不少于4次）" in lines
    assert "郑副局长领导带队督查检查已完成0次（到本季度初应完成3次，全年不少于4次）" in lines


@pytest.fixture(scope="module")
def client(w, tmp_path_factory):
    from webui.app import create_app
    w.engine.directory.set_password_hash("qian_ke", generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    app = create_app(w.engine, secret_key="test", testing=True, instance_path=tmp_path_factory.mktemp("instance"))
    return client_login(app, "qian_ke")


def test_the_leaders_tab_reads_what_it_shows_and_the_page_says_each_leaders_target_and_basis_seed004_3_1_1(client):
    for path in ("/leadership/", "/leadership/ranking", "/leadership/statistics", "/leadership/map",
                 "/leadership/visits/"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert "督查与联席</a></nav>" in html and ">带队督查<" not in html, path
    page = client.get("/leadership/visits/").get_data(as_text=True)
    assert "<h1>领导带队督查和联席会议" in page
    assert "领导带队督查检查年度目标 4 次（依据《下原镇2019年安全生产工作计划》（种子004）三（一）1" in page
    assert "不分主要负责人和分管负责人）" in page and "党委检查督办年度目标 2 次（依据" in page
