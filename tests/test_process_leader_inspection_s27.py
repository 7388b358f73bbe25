"""领导带队督查检查 walked through the engine API (SQLite and PostgreSQL), one world per module.

Rule: 下原镇2019年安全生产工作计划 (seed 004) 三（一）1 — 「建立健全党、政领导定期带队督查检查安全生产工作机制、全年
不少于4次」, 「党委对安全生产……落实情况的检查督办，全年不得少于两次」; 《地方党政领导干部安全生产责任制规定》
(厅字〔2018〕13号) 第二条第二款 (乡镇（街道）党政领导干部参照执行).

The scenarios run in the order written on one world whose clock only moves forward: a visit planned and recorded
on 28 September 2026 (a 重大事故隐患 passed on, a 督办事项 due 13 October); a reminder round set up for 东城区 wakes
on 1 October; a leader at 3 and then 4 visits in the fourth quarter; the 督办事项 overdue from 14 October; visits of
31 December 2026 and 1 January 2027 recorded on 2 January 2027.
"""
from __future__ import annotations

import datetime as dt
import io

import docx
import pytest

from engine import InvalidData
from engine.errors import Forbidden
from engine.clock import SHANGHAI
from workflows import leader_inspection as li
from workflows.demo import CHEMICAL, MACHINERY, register_enterprises
from workflows.documents import render
from workflows.documents.docx import render_docx
from tests.process_support import process_world, reached_by_every_scenario

START = dt.datetime(2026, 9, 28, 9, 0, tzinfo=SHANGHAI)   # Monday, third quarter
PLAN, RECORD, ANSWER, REMIND = "制定领导带队督查计划", "记录督查情况", "答复督办事项", "安排领导带队督查"
DONGCHENG = ["dongcheng", "dongcheng_heping", "dongcheng_qinghe"]


def world(database_url):
    for w in process_world(database_url, li.PROCESS, None, START):
        register_enterprises(w.engine)
        yield w


@pytest.fixture(scope="module")
def w(module_database_url):
    yield from world(module_database_url)


def at(w, year, month, day, hour=9, minute=0):
    """Move the clock forward to that moment in Shanghai and fire what came due."""
    w.clock.set(dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI))
    w.engine.run_due_timers()


def visit(w, leader: str, visited_on: str, kind: str = li.LEAD, recorder: str | None = None, **record) -> int:
    case = w.desk.start(li.PROCESS, by="dc_aw", org="dongcheng", title=f"督查{visited_on}")
    w.desk.do(case.id, PLAN, user="dc_aw", inspection_kind=kind, leader=leader, team=["zhang_san"],
              planned_on=w.desk.today().isoformat(), visited_enterprises=[{"credit_code": MACHINERY}],
              topic="安全生产督查")   # recorded after the visit: a plan is never for a day gone (s28)
    w.desk.do(case.id, RECORD, user=recorder or leader, visited_on=visited_on,
              **{"findings": [], "supervision_items": [], **record})
    return case.id


def row(w, who: str, year: int) -> dict:
    return next(r for r in li.leader_rows(w.engine, DONGCHENG, year) if r["username"] == who)


def test_a_visit_is_planned_recorded_and_its_hazard_passed_on_seed004_leader_inspection(w):
    """The 安委办 plans (the leader by picker), the leader's team records after the visit: the 重大事故隐患 found
    becomes a hazard case against its enterprise; the 督办事项 goes to its 责任人, due at the end of its day; the
    督办通知 names the unit, the person and the day; the answer ends the case."""
    case = w.desk.start(li.PROCESS, by="dc_aw", org="dongcheng", title="危化企业督查")
    w.desk.do(case.id, PLAN, user="dc_aw", leader="zheng_fj", team=["zhang_san"])
    task = w.desk.task(case.id, RECORD)
    assert task.role_code == "leader"
    w.desk.do(case.id, RECORD, user="zhang_san", findings=[
        {"problem": "液化烃储罐未设置紧急切断装置", "finding_kind": "重大事故隐患", "credit_code": CHEMICAL},
        {"problem": "值班记录不全", "finding_kind": "一般问题", "credit_code": None}])   # a team member records
    data = w.engine.case(case.id).data
    assert data["leader_name"] == "郑副局长" and data["hazards_opened"] == 1 and data["visit_year"] == 2026
    hazards = [c for c in w.engine.cases(process_key="hazard_supervision", limit=100) if c.parent_case_id == case.id]
    assert len(hazards) == 1 and hazards[0].party == CHEMICAL
    hazard = w.engine.case(hazards[0].id)
    assert hazard.data["source"] == "监督检查发现" and hazard.data["enterprise_name"] == "示范市甲化工有限公司"
    assert "液化烃储罐" in hazard.data["description"] and hazard.data["found_on"] == "2026-09-28"
    answer = w.desk.task(case.id, ANSWER)
    assert answer.assignee == "qian_ke" and answer.item_label == "督促企业清理消防通道并建立巡查制度"
    assert answer.due_at.astimezone(SHANGHAI) == dt.datetime(2026, 10, 14, tzinfo=SHANGHAI)   # all of 13 October
    text = render("leader_inspection.notice", data, issuer="示范市东城区应急管理局")
    assert "责任单位：东城区；责任人：钱科长；办结期限：2026年10月13日" in text and "郑副局长带队" in text
    assert "液化烃储罐未设置紧急切断装置（重大事故隐患）" in text
    notice = docx.Document(io.BytesIO(render_docx("leader_inspection.notice", data, issuer="示范市东城区应急管理局")))
    body = "\n".join(p.text for p in notice.paragraphs)
    assert "督办通知" in body and "督促企业清理消防通道并建立巡查制度" in body
    w.answer_case = case.id


def test_a_hazard_without_its_enterprise_or_a_visit_to_come_is_refused_naming_the_field_seed004(w):
    case = w.desk.start(li.PROCESS, by="dc_aw", org="dongcheng", title="补录")
    w.desk.do(case.id, PLAN, user="dc_aw", leader="feng_jz")
    task = w.desk.task(case.id, RECORD)
    base = {"visited_on": "2026-09-28", "visit_summary": "督查", "supervision_items": [], "visit_record": []}
    with pytest.raises(InvalidData) as refused:
        w.engine.complete(task.id, "feng_jz", {**base, "findings": [
            {"problem": "配电箱破损", "finding_kind": "一般事故隐患", "credit_code": None}]})
    assert "第1行是事故隐患，请选择所在企业" in str(refused.value.errors["findings"])
    with pytest.raises(InvalidData) as refused:
        w.engine.complete(task.id, "feng_jz", {**base, "findings": [], "visited_on": "2026年10月1日"})
    assert "不能晚于今天" in str(refused.value.errors["visited_on"])
    with pytest.raises(Forbidden):
        w.engine.complete(task.id, "li_si", {**base, "findings": []})   # neither the leader nor his team
    assert w.desk.task(case.id, RECORD).id == task.id
    w.engine.complete(task.id, "feng_jz", {**base, "findings": [], "visited_on": "２０２６年９月２８日"})
    assert w.engine.case(case.id).status == "completed"   # no 督办事项: done at once


def test_a_round_reminds_the_units_behind_at_the_quarters_first_day_seed004_four_a_year(w):
    """By the fourth quarter's start three visits are due at an even pace: 冯局长 with three is not behind,
    郑副局长 with one is; 东城区安委办 gets one reminder task naming him; the district's round and the city's
    over the same units open one reminder per unit."""
    visit(w, "feng_jz", "2026-03-10")
    visit(w, "feng_jz", "2026-06-10")
    round_case = li.open_round(w.engine, "dongcheng", by="dc_aw")
    li.open_round(w.engine, "shifan", by="shi_ke")
    first = [c.id for c in w.engine.cases(process_key=li.REMINDER, limit=100)]   # third quarter, at set-up
    at(w, 2026, 10, 1, 0, 5)
    new = [c for c in w.engine.cases(process_key=li.REMINDER, limit=100) if c.id not in first]
    # 西城区's 秦副局长 (in the demo since session 31) with none is behind too: the city's round reminds 西城区
    assert sorted(c.org_code for c in new) == ["dongcheng", "shifan", "xicheng"]
    dc = w.engine.case(next(c.id for c in new if c.org_code == "dongcheng"))
    assert dc.title == "领导带队督查进度提醒（2026年第四季度）" and dc.data["reminder_to"] == ["dc_aw"]
    assert "郑副局长领导带队督查检查已完成1次（到本季度初应完成3次，全年不少于4次）" in dc.data["reminder_text"]
    assert "冯局长领导带队督查检查" not in dc.data["reminder_text"]
    assert "冯局长党委检查督办已完成0次（到本季度初应完成1次" in dc.data["reminder_text"]
    task = w.desk.task(dc.id, REMIND)
    w.desk.do(dc.id, REMIND, user="dc_aw")
    assert w.engine.case(dc.id).status == "completed" and task.name == REMIND
    assert w.engine.case(round_case.id).status == "running"


def test_three_visits_by_the_fourth_quarter_are_flagged_and_four_meet_the_target_seed004_four_a_year(w):
    at(w, 2026, 10, 5)
    r = row(w, "feng_jz", 2026)[li.LEAD]
    assert (r["done"], r["label"], r["state"], r["flagged"], r["months"]) == (3, "已完成 3/4", "第四季度未达标", True,
                                                                             [3, 6, 9])
    visit(w, "feng_jz", "2026-10-05")
    r = row(w, "feng_jz", 2026)[li.LEAD]
    assert (r["done"], r["label"], r["state"], r["flagged"]) == (4, "已完成 4/4", "已达标", False)
    unit = next(u for u in li.unit_rows(w.engine, DONGCHENG, 2026) if u["org_code"] == "dongcheng")
    assert unit[li.LEAD]["done"] == 5 and unit[li.LEAD]["state"] == "已达标"
    assert row(w, "feng_jz", 2026)[li.PARTY]["label"] == "已完成 0/2"
    visit(w, "feng_jz", "2026-10-05", kind=li.PARTY)
    assert row(w, "feng_jz", 2026)[li.PARTY]["label"] == "已完成 1/2"
    assert row(w, "feng_jz", 2026)[li.LEAD]["done"] == 4   # a 党委检查督办 is not a 带队督查


def test_an_unanswered_supervision_item_is_overdue_from_the_day_after_its_due_day_seed004(w):
    at(w, 2026, 10, 13, 23, 30)
    item = next(i for i in li.open_items(w.engine, DONGCHENG) if i["case_id"] == w.answer_case)
    assert (item["item_due"], item["overdue_days"], item["owner"]) == ("2026-10-13", 0, "钱科长")
    at(w, 2026, 10, 16)
    item = next(i for i in li.open_items(w.engine, DONGCHENG) if i["case_id"] == w.answer_case)
    assert item["overdue_days"] == 3
    w.desk.do(w.answer_case, ANSWER, user="qian_ke", item_done_on="2026-10-16")
    case = w.engine.case(w.answer_case)
    assert case.status == "completed" and case.data["item_answers"][0]["answered_late"] is True
    assert not [i for i in li.open_items(w.engine, DONGCHENG) if i["case_id"] == w.answer_case]


def test_a_visit_on_31_december_counts_for_that_year_and_on_1_january_for_the_next_seed004(w):
    at(w, 2027, 1, 2)
    visit(w, "zheng_fj", "2026-12-31")
    visit(w, "zheng_fj", "2027-01-01")
    last, this = row(w, "zheng_fj", 2026)[li.LEAD], row(w, "zheng_fj", 2027)[li.LEAD]
    assert (last["done"], last["months"], last["state"], last["flagged"]) == (2, [9, 12], "全年未达标", True)
    assert (this["done"], this["months"], this["state"]) == (1, [1], "进行中")
    assert row(w, "feng_jz", 2026)[li.LEAD]["state"] == "已达标"
    assert li.counted_year("2026-12-31") == 2026 and li.counted_year("2027-01-01") == 2027


def test_every_user_task_of_the_models_is_reached_by_a_scenario(request, w):
    reached = reached_by_every_scenario(request, w, world, li.PROCESS, li.REMINDER)
    assert reached >= {"plan", "record", "answer", "remind"}
