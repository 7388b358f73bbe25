"""一年内评估 walked through the engine API: started by the 批复 of the investigation report (安全生产法 Art 86),
run 10–12 months after it."""
from __future__ import annotations

import datetime as dt

import pytest

from workflows.demo import CHEMICAL
from tests.process_support import (advance, day, process_world, reached_by_each_scenario, scenario_world,
                                   user_tasks)


START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
PROCESS = "post_case_assessment"
REACHED: dict[tuple, set[str]] = {}   # (database kind, scenario) → user tasks it reached
ACCIDENT_STEPS = ["事故信息接报", "逐级上报事故信息", "成立事故调查组", "调查取证", "起草事故调查报告", "批复事故调查报告",
                  "落实处分和移送司法"]


def world(database_url):
    yield from process_world(database_url, PROCESS, None, START)


@pytest.fixture
def w(database_url):
    yield from scenario_world(database_url, PROCESS, REACHED, START)


def assessment_of_approved_accident(w) -> int:
    """The accident's report is 批复'd on 2026-05-11; its measures are still open (no 结案 yet)."""
    c = w.desk.start("accident_investigation", by="sun_qi", org="dongcheng", party=CHEMICAL).id
    for step in ACCIDENT_STEPS:
        w.desk.do(c, step)
    (a,) = w.engine.cases(process_key=PROCESS)
    assert w.engine.case(c).status == "running"
    return a.id


def started(w, **seed) -> int:
    data = {"accident_title": "甲化工“5·11”爆炸事故", "enterprise_name": "示范市甲化工有限公司", "accident_grade": "一般",
            "approved_at": START.isoformat(), "organised_by": "县级人民政府",
            "measures": [{"measure": "全面校验安全阀", "owner": "示范市甲化工有限公司", "due_date": "2026-06-30"}],
            "responsible_persons": [{"name": "钱大成", "proposed_handling": "行政处罚"}], "responsible_units": []}
    data.update(seed)
    return w.desk.start(PROCESS, by="dc_gov", org="dongcheng", party=CHEMICAL, **data).id


def in_window(w, c):
    assert w.desk.names(c) == []
    advance(w, days=303)                                 # 2027-03-10: not yet ten months
    assert w.desk.names(c) == []
    advance(w, days=1)                                   # 2027-03-11
    assert w.desk.names(c) == ["组建评估组"]


def test_one_year_assessment_anchored_on_the_approval_of_the_report_art86(w):
    e, desk = w.engine, w.desk
    c = assessment_of_approved_accident(w)
    data = e.case(c).data
    assert data["assessment_start"] == "2027-03-11" and data["assessment_due"] == "2027-05-11"
    in_window(w, c)
    team = desk.task(c, "组建评估组")
    assert team.role_code == "government"
    assert team.due_at == dt.datetime.fromisoformat("2027-05-12T00:00:00+08:00")
    desk.do(c, "组建评估组")
    assert desk.task(c, "核查整改和防范措施落实情况").role_code == "evaluator"
    desk.do(c, "核查整改和防范措施落实情况")
    desk.do(c, "核查责任追究落实情况")
    assert e.case(c).data["accountability_items"] == []
    desk.do(c, "起草评估报告")
    assert desk.task(c, "审定评估报告").role_code == "government"
    desk.do(c, "审定评估报告")
    desk.do(c, "公开评估报告")
    view = e.case(c)
    assert view.status == "completed" and view.escalation_level == 0


def test_unimplemented_measures_are_referred_to_discipline_or_appointing_bodies_with_receipt(w):
    e, desk = w.engine, w.desk
    c = started(w)
    in_window(w, c)
    desk.do(c, "组建评估组")
    desk.do(c, "核查整改和防范措施落实情况", measure_checks=[
        {"measure": "全面校验安全阀", "owner": "示范市甲化工有限公司", "status": "部分落实", "evidence": "仅校验一半"}])
    desk.do(c, "核查责任追究落实情况", accountability_checks=[
        {"name": "钱大成", "proposed_handling": "行政处罚", "carried_out": "未落实", "notes": "罚款未缴"}])
    assert [i["kind"] for i in e.case(c).data["accountability_items"]] == ["整改措施未落实", "责任追究未落实"]
    desk.do(c, "起草评估报告")
    desk.do(c, "审定评估报告", assessment_review_decision="退回", assessment_review_opinion="问题分析不深")
    assert desk.names(c) == ["起草评估报告"]
    desk.do(c, "起草评估报告")
    desk.do(c, "审定评估报告")
    tasks = [t for t in e.case(c).tasks if t.name == "移送问责线索"]
    assert len(tasks) == 2 and {t.role_code for t in tasks} == {"government"}
    desk.do(c, "移送问责线索", which=0)
    with pytest.raises(Exception) as early:
        desk.do(c, "移送问责线索", which=0, referred_to="任免机关", receipt_on=day(w, -1))
    assert "回执日期" in str(early.value)
    desk.do(c, "移送问责线索", which=0, referred_to="任免机关", referral_no="东政评移〔2026〕2号")
    results = e.case(c).data["accountability_results"]
    assert sorted(r["referred_to"] for r in results) == ["任免机关", "纪检监察机关"]
    assert all(r["receipt_on"] and r["referral_no"] for r in results)
    desk.do(c, "公开评估报告")
    assert e.case(c).status == "completed"


def test_overdue_assessment_escalates_to_the_safety_office_and_resumes_where_it_stopped(w):
    e, desk = w.engine, w.desk
    c = started(w)
    in_window(w, c)
    desk.do(c, "组建评估组")
    w.clock.set(dt.datetime(2027, 5, 11, 15, 59, tzinfo=dt.timezone.utc))  # 2027-05-11 23:59: one year
    w.engine.run_due_timers()
    assert desk.names(c) == ["核查整改和防范措施落实情况"]
    w.clock.set(dt.datetime(2027, 5, 11, 16, 0, tzinfo=dt.timezone.utc))
    w.engine.run_due_timers()
    assert desk.names(c) == ["评估逾期督办"]
    assert desk.task(c, "评估逾期督办").role_code == "safety_office"
    assert e.case(c).escalation_level == 1
    desk.do(c, "评估逾期督办")
    assert e.case(c).data["assessment_due"] == day(w, 30)
    assert desk.names(c) == ["核查整改和防范措施落实情况"]
    desk.do(c, "核查整改和防范措施落实情况")
    advance(w, days=31)
    assert desk.names(c) == ["评估逾期督办"] and e.case(c).escalation_level == 2
    desk.do(c, "评估逾期督办")
    assert desk.names(c) == ["核查责任追究落实情况"]
    desk.do(c, "核查责任追究落实情况")
    advance(w, days=31)
    desk.do(c, "评估逾期督办")
    assert desk.names(c) == ["起草评估报告"] and e.case(c).escalation_level == 3


def test_team_not_formed_in_time_escalates_too(w):
    c = started(w)
    in_window(w, c)
    advance(w, days=62)
    assert w.desk.names(c) == ["评估逾期督办"]
    w.desk.do(c, "评估逾期督办")
    assert w.desk.names(c) == ["组建评估组"]


def test_every_user_task_of_the_model_is_reached_by_a_test(request, database_url):
    """Stands on its own: any scenario above not yet run on this kind of database is run first, each on a
    fresh database (alone, after a subset, in any order; tests/process_support.py)."""
    assert user_tasks(PROCESS) - reached_by_each_scenario(request, REACHED, world, PROCESS) == set()
