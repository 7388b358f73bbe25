"""The periods of 一年内评估 (bpmn/post_case_assessment) and 执法案卷评查 (bpmn/case_file_review), fourth legal
audit (2026-12-07): each period's anchor, calendar days, the first day not counted (《民法典》第二百零一条),
the corresponding day and a month without one (第二百零二条), and the boundary days.

* 《安全生产法》第八十六条第三款: the assessment within one year of the 批复 — 12 months from the typed 批复日期
  to the corresponding day, in time that whole day; a 批复 of 29 February runs to 28 February.
* 案卷问题整改: a local period (系统管理 › 规则 ``case_review.correction_days``, 30 days by default; 《行政处罚法》
  第七十五条 sets none), from the day the handler signs the result, that day not counted.
"""
from __future__ import annotations

import datetime as dt

import pytest

from workflows import rules
from workflows.case_review import start_review
from workflows.demo import CHEMICAL
from workflows.documents import render
from workflows.forms.case_review import full_marks
from workflows.functions import months_after

from tests.process_support import process_world
from tests.test_process_case_review import closed_penalty

START = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.timezone.utc)   # Monday 2026-12-07, 09:00 in Shanghai
SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def w(database_url):
    yield from process_world(database_url, "post_case_assessment", None, START)


@pytest.mark.parametrize("approved, due", [
    ("2026-05-26", "2027-05-26"), ("2028-02-29", "2029-02-28"), ("2026-01-31", "2027-01-31"), ("2026-12-31", "2027-12-31"),
])
def test_one_year_runs_to_the_corresponding_day_work_safety_law_art86_civil_code_art201_art202(approved, due):
    assert months_after(approved, 12) == due


def assessment(w, approved_at: str) -> int:
    return w.desk.start("post_case_assessment", by="dc_gov", org="dongcheng", party=CHEMICAL,
                        accident_title="甲化工“5·26”爆炸事故", enterprise_name="示范市甲化工有限公司",
                        accident_grade="一般", approved_at=approved_at, organised_by="县级人民政府", measures=[],
                        responsible_persons=[], responsible_units=[]).id


def test_the_assessment_is_in_time_on_the_corresponding_day_and_late_after_it_work_safety_law_art86(w):
    w.clock.set(dt.datetime(2026, 5, 26, 9, tzinfo=SH))
    c = assessment(w, "2026-05-26")
    data = w.engine.case(c).data
    assert (data["assessment_start"], data["assessment_due"]) == ("2027-03-26", "2027-05-26")
    w.clock.set(dt.datetime(2027, 3, 26, 0, 1, tzinfo=SH))
    w.engine.run_due_timers()
    assert w.desk.names(c) == ["组建评估组"]
    assert w.desk.task(c, "组建评估组").due_at == dt.datetime(2027, 5, 27, tzinfo=SH)
    w.clock.set(dt.datetime(2027, 5, 26, 23, 59, tzinfo=SH))      # the last day of the year: still in time
    w.engine.run_due_timers()
    assert w.desk.names(c) == ["组建评估组"] and w.engine.case(c).escalation_level == 0
    w.clock.set(dt.datetime(2027, 5, 27, 0, 0, 1, tzinfo=SH))
    w.engine.run_due_timers()
    assert w.desk.names(c) == ["评估逾期督办"] and w.engine.case(c).escalation_level == 1


def test_a_leap_day_approval_is_assessed_by_28_february_civil_code_art202(w):
    w.clock.set(dt.datetime(2028, 2, 29, 9, tzinfo=SH))
    c = assessment(w, "2028-02-29")
    data = w.engine.case(c).data
    assert (data["assessment_start"], data["assessment_due"]) == ("2028-12-29", "2029-02-28")


@pytest.fixture
def review_world(database_url):
    yield from process_world(database_url, "case_file_review", None, START)


def signed_poor_review(w) -> int:
    penalty = w.engine.case(closed_penalty(w))
    c = start_review(w.engine, "qian_ke", "dongcheng", penalty, mode="集中评查").id
    w.desk.do(c, "提交被评查案卷")
    items = [dict(r, score=r["score"] // 2, deduction_reason="文书不全") for r in full_marks()]
    w.desk.do(c, "案卷评查打分", user="zhang_san", score_items=items, review_problems="送达回证缺失")
    w.desk.do(c, "审定评查结果")
    w.desk.do(c, "印发评查结果通报")
    w.clock.set(dt.datetime(2026, 12, 9, 10, tzinfo=SH))             # signed two days after the notice
    w.desk.do(c, "签收评查结果")
    return c


def test_the_correction_runs_30_days_from_the_signing_that_day_not_counted_local_rule_civil_code_art201(review_world):
    w = review_world
    c = signed_poor_review(w)
    assert w.engine.case(c).data["correction_due"] == "2027-01-08"
    assert w.desk.task(c, "案卷问题整改").due_at == dt.datetime(2027, 1, 9, tzinfo=SH)
    assert "自签收本通报之日起30日内整改" in render("case_review.notice", w.engine.case(c).data)
    w.clock.set(dt.datetime(2027, 1, 8, 23, 59, tzinfo=SH))       # the 30th day: in time
    w.engine.run_due_timers()
    assert not w.engine.case(c).data.get("correction_late")
    w.clock.set(dt.datetime(2027, 1, 9, 0, 0, 1, tzinfo=SH))
    w.engine.run_due_timers()
    assert w.engine.case(c).data["correction_late"] is True and w.engine.case(c).escalation_level == 0
    assert w.desk.names(c) == ["案卷问题整改"]


def test_the_correction_period_is_the_bureaus_rule_case_review_correction_days():
    rule = rules.RULES["case_review.correction_days"]
    assert rule.local and rules.in_force("case_review.correction_days", "2026-12-07") == 30
    assert "第七十五条" in rules.source("case_review.correction_days", "2026-12-07")
