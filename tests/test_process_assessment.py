"""结案后一年内评估 walked through the engine API: started by the accident's closure, run 10–12 months after."""
from __future__ import annotations

import datetime as dt

import pytest

from workflows.demo import CHEMICAL
from workflows.runtime import BPMN_DIR
from tests.process_support import assert_every_user_task_reached, advance, day, process_world


START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
PROCESS = "post_case_assessment"
REACHED: set[str] = set()
ACCIDENT_STEPS = ["事故信息接报", "逐级上报事故信息", "成立事故调查组", "调查取证", "起草事故调查报告", "批复事故调查报告",
                  "落实处分和移送司法"]


@pytest.fixture
def w(database_url):
    yield from process_world(database_url, PROCESS, REACHED, START)


def assessment_of_closed_accident(w) -> int:
    c = w.desk.start("accident_investigation", by="sun_qi", org="dongcheng", party=CHEMICAL).id
    for step in ACCIDENT_STEPS:
        w.desk.do(c, step)
    w.desk.do(c, "跟踪整改措施落实", which=0)
    w.desk.do(c, "跟踪整改措施落实", which=0)
    w.desk.do(c, "公开事故调查报告")
    w.desk.do(c, "结案审批")
    (a,) = w.engine.cases(process_key=PROCESS)
    return a.id


def started(w, **seed) -> int:
    data = {"accident_title": "甲化工“5·11”爆炸事故", "enterprise_name": "示范市甲化工有限公司", "accident_grade": "一般",
            "closed_at": START.isoformat(), "organised_by": "县级人民政府",
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


def test_closing_an_accident_starts_the_assessment_ten_months_later(w):
    e, desk = w.engine, w.desk
    c = assessment_of_closed_accident(w)
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


def test_unimplemented_measures_become_accountability_tasks_for_leaders(w):
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
    tasks = [t for t in e.case(c).tasks if t.name == "问责处理"]
    assert len(tasks) == 2 and {t.role_code for t in tasks} == {"leader"}
    desk.do(c, "问责处理", which=0)
    desk.do(c, "问责处理", which=0, handling="通报批评", handling_detail="全区通报")
    results = e.case(c).data["accountability_results"]
    assert sorted(r["handling"] for r in results) == ["约谈", "通报批评"]
    desk.do(c, "公开评估报告")
    assert e.case(c).status == "completed"


def test_overdue_assessment_escalates_to_the_safety_office_and_resumes_where_it_stopped(w):
    e, desk = w.engine, w.desk
    c = started(w)
    in_window(w, c)
    desk.do(c, "组建评估组")
    advance(w, days=62)                                  # past 2027-05-11
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


def test_every_user_task_of_the_model_is_reached_by_a_test(request):
    assert_every_user_task_reached(request, BPMN_DIR / f"{PROCESS}.bpmn", REACHED)
