"""不计入期限的时间: one rule for the accident investigation and the penalty case.

《生产安全事故报告和调查处理条例》第二十七条 leaves 技术鉴定所需时间 out of the 60-day investigation
(第二十九条); 应急管理部令第18号 with 《行政处罚法》第六十条 leaves 听证、检测检验鉴定、公告 out of the
办案期限. Before, the accident model pushed its date back by ``days_between`` of each appraisal on its
own (two overlapping appraisals counted their common days twice) and the penalty case by every day
a period covered, both ends included (06-01–06-10: 10 days where the accident counted 9).
``workflows.decisions.excluded_days`` is now the one rule: a period counts as 《民法典》第二百零一条
counts any period (the day it began not counted), and a day covered twice counts once.
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.process_support import process_world
from workflows import decisions
from workflows.demo import CHEMICAL

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai


@pytest.mark.parametrize("periods, days", [
    ([("2026-06-01", "2026-06-10")], 9),                                  # 06-02 … 06-10
    ([("2026-06-05", "2026-06-05")], 0),                                  # begun and ended the same day
    ([("2026-06-05", "2026-06-06")], 1),                                  # the boundary: one day more
    ([("2026-06-01", "2026-06-12"), ("2026-06-10", "2026-06-17")], 16),   # overlap counted once
    ([("2026-06-10", "2026-06-17"), ("2026-06-01", "2026-06-12")], 16),   # in any order
    ([("2026-06-01", "2026-06-05"), ("2026-06-05", "2026-06-08")], 7),    # adjoining: 06-02 … 06-08
    ([("2026-06-01", "2026-06-20"), ("2026-06-03", "2026-06-04")], 19),   # one inside another
    ([], 0),
])
def test_excluded_days_count_from_the_day_after_each_period_begins_civil_code_art201(periods, days):
    rows = [{"started_on": a, "ended_on": b} for a, b in periods]
    assert decisions.excluded_days(rows) == days


def test_hearing_and_appraisal_push_the_case_limit_back_by_the_civil_code_count_admin_penalty_law_art60():
    """Filed 2026-05-11: 90 days end on 08-09; a hearing 06-01–06-12 and an appraisal 06-10–06-17 take
    06-02 … 06-17, 16 days: the decision is due 08-25 (08-26 counted both first days, and the
    overlap's)."""
    periods = [{"kind": "听证", "started_on": "2026-06-01", "ended_on": "2026-06-12"},
               {"kind": "检测检验鉴定", "started_on": "2026-06-10", "ended_on": "2026-06-17"}]
    assert decisions.case_due("2026-05-11").isoformat() == "2026-08-09"
    assert decisions.case_due("2026-05-11", None, periods).isoformat() == "2026-08-25"
    one = [{"kind": "听证", "started_on": "2026-06-01", "ended_on": "2026-06-10"}]
    assert decisions.case_due("2026-05-11", None, one).isoformat() == "2026-08-18"     # 9 days, not 10


@pytest.fixture
def w(database_url):
    yield from process_world(database_url, "accident_investigation", None, START)


def investigating(w) -> int:
    c = w.desk.start("accident_investigation", by="sun_qi", org="dongcheng", party=CHEMICAL,
                     title="甲化工“5·11”爆炸事故").id
    w.desk.do(c, "事故信息接报")
    w.desk.do(c, "逐级上报事故信息")
    w.desk.do(c, "成立事故调查组")
    assert w.desk.names(c) == ["调查取证"]
    return c


def test_overlapping_technical_appraisals_extend_the_investigation_once_per_day_regulation_art27(w):
    """An appraisal 06-01–06-10 moves the report's day by 9; a second, 06-05–06-12, adds only 06-11 and
    06-12 (it moved it by 7 more before); one inside those adds nothing; the same rule as the penalty
    case's (``excluded_days``)."""
    c = investigating(w)
    due = dt.date.fromisoformat(w.engine.case(c).data["report_due"])
    assert due == dt.date(2026, 7, 10)                                   # 条例第二十九条: 60 days
    for (start, end), moved in [(("2026-06-01", "2026-06-10"), 9), (("2026-06-05", "2026-06-12"), 11),
                                (("2026-06-03", "2026-06-08"), 11)]:
        w.desk.do(c, "调查取证", investigate_action="技术鉴定", appraisal_started_on=start, appraisal_ended_on=end)
        data = w.engine.case(c).data
        assert data["report_due"] == (due + dt.timedelta(days=moved)).isoformat()
    assert [(p["started_on"], p["ended_on"]) for p in data["appraisal_periods"]] == [
        ("2026-06-01", "2026-06-10"), ("2026-06-05", "2026-06-12"), ("2026-06-03", "2026-06-08")]
    assert "appraisals" not in data
    assert w.desk.task(c, "调查取证").due_at == dt.datetime(2026, 7, 22, tzinfo=dt.timezone(dt.timedelta(hours=8)))
