"""安全生产联席会议 and 联合检查执法 walked through the engine API (SQLite and PostgreSQL), one world per module.

Rule: 下原镇2019年安全生产工作计划 (seed 004) 三（二）1 — 「各专项整治牵头部门……建立专项整治联席会议制度，全年召开
整治工作联席会议不少于4次，联合检查执法活动不少于4次」; 三（一）3 「建立健全安全生产联席会议制度，指导督促、协调解决
涉及全镇安全生产工作中的重点难点问题」.

The scenarios run in the order written on one world whose clock only moves forward: a meeting and a joint inspection
on 28 September 2026 (a 议定事项 due 13 October; a 重大事故隐患 passed on); a reminder round set up for 东城区 wakes on
1 October; 东城区 at 3 and then 4 meetings in the fourth quarter; the 议定事项 overdue from 14 October; meetings of
31 December 2026 and 1 January 2027 recorded on 2 January 2027.
"""
from __future__ import annotations

import datetime as dt

import pytest

from engine import InvalidData
from engine.clock import SHANGHAI
from workflows import joint_mechanisms as jm
from workflows.demo import CHEMICAL, MACHINERY
from tests.process_support import at, enterprise_world, reached_by_every_scenario

START = dt.datetime(2026, 9, 28, 9, 0, tzinfo=SHANGHAI)   # Monday, third quarter
M_PLAN, MINUTES, ANSWER = "安排联席会议", "记录会议纪要", "答复议定事项"
I_PLAN, I_RECORD, REMIND = "制定联合检查执法计划", "记录联合检查执法情况", "安排联席会议和联合检查执法"
DONGCHENG = ["dongcheng", "dongcheng_heping", "dongcheng_qinghe"]


def world(database_url):
    yield from enterprise_world(database_url, jm.MEETING, START)


@pytest.fixture(scope="module")
def w(module_database_url):
    yield from world(module_database_url)


def meeting(w, met_on: str, **minutes) -> int:
    case = w.desk.start(jm.MEETING, by="dc_aw", org="dongcheng", title=f"联席会议{met_on}")
    w.desk.do(case.id, M_PLAN, user="dc_aw")   # recorded afterwards: planned today, counted by its 召开日期
    w.desk.do(case.id, MINUTES, user="dc_aw", met_on=met_on, **{"agreed_items": [], **minutes})
    return case.id


def joint(w, inspected_on: str, **record) -> int:
    case = w.desk.start(jm.INSPECTION, by="dc_aw", org="dongcheng", title=f"联合检查{inspected_on}")
    w.desk.do(case.id, I_PLAN, user="dc_aw", team=["zhang_san"],   # planned today, counted by its 检查日期
              inspected_enterprises=[{"credit_code": MACHINERY}])
    w.desk.do(case.id, I_RECORD, user="zhang_san", inspected_on=inspected_on, **{"findings": [], **record})
    return case.id


def unit(w, year: int) -> dict:
    return next(u for u in jm.unit_rows(w.engine, DONGCHENG, year) if u["org_code"] == "dongcheng")


def test_a_meeting_records_its_minutes_and_each_agreed_item_goes_to_its_owner_seed004_joint_meeting(w):
    """The 安委办 convenes (units by picker; a department not in the directory typed), records the minutes; each
    议定事项 goes to its 责任人, due at the end of its day. Neither a unit nor a typed department: refused."""
    case = w.desk.start(jm.MEETING, by="dc_aw", org="dongcheng", title="涉爆粉尘专项整治联席会议")
    assert case.case_no.startswith("LXH-2026-")   # 3 letters: 联席会
    task = w.desk.task(case.id, M_PLAN)
    with pytest.raises(InvalidData) as refused:
        w.engine.complete(task.id, "dc_aw", {"meeting_topic": "整治推进", "planned_on": "2026-09-28",
                                             "joining_units": [], "other_departments": "  "})
    assert "请至少选择一个参加单位" in str(refused.value.errors["joining_units"])
    w.desk.do(case.id, M_PLAN, user="dc_aw", joining_units=[{"joined_org": "dongcheng_heping"}],
              other_departments="区市场监管局、区消防救援大队")
    w.desk.do(case.id, MINUTES, user="dc_aw", met_on="2026年9月28日", agreed_items=[
        {"matter": "督促涉爆粉尘企业完成除尘系统改造", "responsible_org": "dongcheng", "owner": "qian_ke",
         "item_due": "2026-10-13"}])
    data = w.engine.case(case.id).data
    assert data["met_on"] == "2026-09-28" and data["other_departments"] == "区市场监管局、区消防救援大队"
    answer = w.desk.task(case.id, ANSWER)
    assert answer.assignee == "qian_ke" and answer.item_label == "督促涉爆粉尘企业完成除尘系统改造"
    assert answer.due_at.astimezone(SHANGHAI) == dt.datetime(2026, 10, 14, tzinfo=SHANGHAI)   # all of 13 October
    w.answer_case = case.id


def test_a_joint_inspection_finding_a_hazard_opens_a_hazard_case_seed004_joint_inspection(w):
    """The lead unit plans (enterprises by picker, the inspectors), an inspector records: the 重大事故隐患 becomes a
    hazard case against its enterprise; a hazard without its enterprise is refused naming the row."""
    case = w.desk.start(jm.INSPECTION, by="dc_aw", org="dongcheng", title="餐饮场所燃气安全联合检查")
    assert case.case_no.startswith("LHJ-2026-")   # 联合检
    w.desk.do(case.id, I_PLAN, user="dc_aw", team=["zhang_san"], inspected_enterprises=[{"credit_code": CHEMICAL}])
    task = w.desk.task(case.id, I_RECORD)
    base = {"inspected_on": "2026-09-28", "inspection_summary": "联合检查", "inspection_record": []}
    with pytest.raises(InvalidData) as refused:
        w.engine.complete(task.id, "zhang_san", {**base, "findings": [
            {"problem": "燃气管道锈蚀", "finding_kind": "一般事故隐患", "credit_code": None}]})
    assert "第1行是事故隐患，请选择所在企业" in str(refused.value.errors["findings"])
    w.desk.do(case.id, I_RECORD, user="zhang_san", findings=[
        {"problem": "液化烃储罐未设置紧急切断装置", "finding_kind": "重大事故隐患", "credit_code": CHEMICAL},
        {"problem": "值班记录不全", "finding_kind": "一般问题", "credit_code": None}])
    data = w.engine.case(case.id).data
    assert data["hazards_opened"] == 1 and w.engine.case(case.id).status == "completed"
    hazards = [c for c in w.engine.cases(process_key="hazard_supervision", limit=100) if c.parent_case_id == case.id]
    assert len(hazards) == 1 and hazards[0].party == CHEMICAL
    hazard = w.engine.case(hazards[0].id)
    assert hazard.data["source"] == "监督检查发现" and "（联合检查执法：" in hazard.data["description"]
    assert hazard.data["found_on"] == "2026-09-28"


def test_a_round_reminds_a_unit_behind_at_the_quarters_first_day_seed004_four_a_year(w):
    """By the fourth quarter's start three of each are due: 东城区 with 3 meetings is not behind on them, with 1 joint
    inspection it is; its 安委办 gets one reminder task naming the count."""
    meeting(w, "2026-03-10")
    meeting(w, "2026-06-10")
    round_case = jm.open_round(w.engine, "dongcheng", by="dc_aw")
    first = [c.id for c in w.engine.cases(process_key=jm.REMINDER, limit=100)]   # third quarter, at set-up
    at(w, 2026, 10, 1, 0, 5)
    new = [c for c in w.engine.cases(process_key=jm.REMINDER, limit=100) if c.id not in first]
    dc = w.engine.case(next(c.id for c in new if c.org_code == "dongcheng"))
    assert dc.title == "联席会议和联合检查执法进度提醒（2026年第四季度）" and dc.data["reminder_to"] == ["dc_aw"]
    assert round_case.case_no.startswith("LJA-") and dc.case_no.startswith("LJT-")
    assert "联合检查执法已完成1次（到本季度初应完成3次，全年不少于4次）" in dc.data["reminder_text"]
    assert "联席会议已完成" not in dc.data["reminder_text"]
    w.desk.do(dc.id, REMIND, user="dc_aw")
    assert w.engine.case(dc.id).status == "completed" and w.engine.case(round_case.id).status == "running"


def test_three_meetings_by_the_fourth_quarter_are_flagged_and_four_meet_the_target_seed004_four_a_year(w):
    at(w, 2026, 10, 5)
    r = unit(w, 2026)[jm.MEETING]
    assert (r["done"], r["label"], r["state"], r["flagged"], r["months"]) == (3, "已完成 3/4", "第四季度未达标", True,
                                                                             [3, 6, 9])
    meeting(w, "2026-10-05")
    r = unit(w, 2026)[jm.MEETING]
    assert (r["done"], r["label"], r["state"], r["flagged"]) == (4, "已完成 4/4", "已达标", False)
    assert unit(w, 2026)[jm.INSPECTION]["label"] == "已完成 1/4"   # a meeting is not a joint inspection


def test_an_unanswered_agreed_item_is_overdue_from_the_day_after_its_due_day_seed004_joint_meeting(w):
    for moment, overdue in (((2026, 10, 13, 23, 30), 0), ((2026, 10, 16), 3)):   # its last minutes, then 3 days on
        at(w, *moment)
        mine = [i for i in jm.open_items(w.engine, DONGCHENG) if i["case_id"] == w.answer_case]
        assert [(i["item_due"], i["overdue_days"], i["owner"]) for i in mine] == [("2026-10-13", overdue, "钱科长")]
    w.desk.do(w.answer_case, ANSWER, user="qian_ke", item_done_on="2026-10-16")
    case = w.engine.case(w.answer_case)
    assert (case.status, case.data["item_answers"][0]["answered_late"]) == ("completed", True)
    assert w.answer_case not in {i["case_id"] for i in jm.open_items(w.engine, DONGCHENG)}


def test_a_meeting_on_31_december_counts_for_that_year_and_on_1_january_for_the_next_seed004(w):
    at(w, 2027, 1, 2)
    meeting(w, "2026-12-31")
    joint(w, "2026-12-31")
    meeting(w, "2027-01-01")
    last, this = unit(w, 2026), unit(w, 2027)
    assert (last[jm.MEETING]["done"], last[jm.MEETING]["months"][-1], last[jm.MEETING]["state"]) == (5, 12, "已达标")
    assert (last[jm.INSPECTION]["done"], last[jm.INSPECTION]["state"], last[jm.INSPECTION]["flagged"]) == (
        2, "全年未达标", True)
    assert (this[jm.MEETING]["done"], this[jm.MEETING]["months"], this[jm.MEETING]["state"]) == (1, [1], "进行中")


def test_every_user_task_of_the_models_is_reached_by_a_scenario(request, w):
    reached = reached_by_every_scenario(request, w, world, jm.MEETING, jm.INSPECTION, jm.REMINDER)
    assert reached >= {"plan", "minutes", "answer", "record", "remind"}
