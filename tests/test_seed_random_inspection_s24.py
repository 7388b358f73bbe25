"""双随机一公开: the draw witnessed and recorded for audit, and what the 公示 says and when, on SQLite and
PostgreSQL.

Seeds: 柴桑区实施意见 (seed 003) "实施'双随机、一公开'"; 武进 2017 (seed 000) "执法计划实施过程实行网上跟踪". The law:
国发〔2019〕5号 (随机抽取检查对象、随机选派执法检查人员; 抽查检查结果自产生之日起20个工作日内公示) and 国办发〔2015〕58号
(抽查过程全程记录、责任可追溯).
"""
from __future__ import annotations

import datetime as dt

import pytest

from engine import InvalidData
from workflows.functions import workday_after
from workflows.inspection_plans import audit_draw, start_plan
from tests.process_support import advance, day
from tests.test_process_inspection import QUOTAS, drawn_plan, world


@pytest.fixture(scope="module")
def w(module_database_url):
    yield from world(module_database_url)


def test_the_draw_is_witnessed_and_the_witness_is_recorded_beside_the_seed_guoban_2015_58(w):
    c = start_plan(w.engine, "qian_ke", "dongcheng").id
    w.desk.do(c, "编制双随机抽查计划", quotas=QUOTAS)
    with pytest.raises(InvalidData) as refused:                        # nobody named to witness the draw
        w.desk.do(c, "审批抽查计划", draw_witnesses=[])
    assert set(refused.value.errors) == {"draw_witnesses"} and "抽取监督人员" in str(refused.value.errors)
    with pytest.raises(InvalidData) as refused:                        # an inspector who may be drawn: no witness
        w.desk.do(c, "审批抽查计划", draw_witnesses=["zhang_san"])
    assert set(refused.value.errors) == {"draw_witnesses"}
    assert w.desk.names(c) == ["审批抽查计划"] and "draw_seed" not in w.engine.case(c).data   # nothing drawn
    w.desk.do(c, "审批抽查计划", draw_witnesses=["chen_fz"])
    data = w.engine.case(c).data
    assert data["draw_witnesses"] == ["chen_fz"] and data["draw_seed"].startswith(w.engine.case(c).case_no)
    assert audit_draw(data) == data["draw_result"]                      # the auditor re-runs it from the case
    # 退回 needs no witness: nothing is drawn
    again = start_plan(w.engine, "qian_ke", "dongcheng").id
    w.desk.do(again, "编制双随机抽查计划", quotas=QUOTAS)
    w.desk.do(again, "审批抽查计划", plan_approval_decision="退回", plan_approval_opinion="补充检查重点",
              draw_witnesses=[])
    assert w.desk.names(again) == ["编制双随机抽查计划"]


def test_the_publication_says_who_was_inspected_with_what_result_and_its_20th_working_day_is_in_time_guofa_2019_5(w):
    _, kids = drawn_plan(w)
    on_time, late = kids
    inspected = day(w)
    w.desk.do(on_time.id, "现场检查", inspection_result="发现一般隐患责令整改", fix_deadline=day(w, 10),
              inspection_findings="配电柜前堆放杂物")
    w.desk.do(late.id, "现场检查")
    data = w.engine.case(on_time.id).data
    text = data["publication_text"]
    assert data["name"] in text and data["credit_code"] in text and data["plan_no"] in text
    assert "发现一般隐患责令整改" in text and f"整改期限{chinese_day(day(w, 10))}" in text and "2名执法人员" in text
    assert "zhang_san" not in text and "li_si" not in text              # the officers' accounts are not published
    due = workday_after(inspected, 20)
    assert data["publish_due"] == due
    assert w.desk.task(on_time.id, "公示抽查结果").due_at == dt.datetime.fromisoformat(
        f"{dt.date.fromisoformat(due) + dt.timedelta(days=1)}T00:00:00+08:00")
    advance(w, days=(dt.date.fromisoformat(due) - w.desk.today()).days)
    w.desk.do(on_time.id, "公示抽查结果", result_published_on=due)
    assert w.engine.case(on_time.id).data["publish_late"] is False      # the 20th working day is in time
    next_day = workday_after(due, 1)
    advance(w, days=(dt.date.fromisoformat(next_day) - w.desk.today()).days)
    w.desk.do(late.id, "公示抽查结果", result_published_on=next_day, publish_late_reason="公示系统维护")
    late_data = w.engine.case(late.id).data
    assert late_data["publish_late"] is True and late_data["publish_late_reason"] == "公示系统维护"
    assert w.engine.case(late.id).status == "completed"


def chinese_day(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def test_the_publication_writes_its_dates_in_chinese_as_a_published_notice_does_guofa_2019_5(w):
    """A 公示 is a published notice: 检查日期 and 整改期限 read 2026年11月23日, not 2026-11-23 (GB/T 9704—2012
    7.3.5 年、月、日标全，月、日不编虚位; 国发〔2019〕5号 抽查检查结果公示). The data the model
    compares (inspected_on, publish_due) stay ISO days."""
    _, kids = drawn_plan(w)
    w.desk.do(kids[0].id, "现场检查", inspection_result="发现一般隐患责令整改", fix_deadline=day(w, 10),
              inspection_findings="消防通道堵塞")
    data = w.engine.case(kids[0].id).data
    text = data["publication_text"]
    assert f"检查日期：{chinese_day(data['inspected_on'])}" in text
    assert f"整改期限{chinese_day(day(w, 10))}" in text
    assert data["inspected_on"] not in text and day(w, 10) not in text    # no 2026-11-23 left in the notice
    assert dt.date.fromisoformat(data["publish_due"]) and dt.date.fromisoformat(data["inspected_on"])


def test_the_publication_records_where_it_can_be_checked_guofa_2019_5(w):
    _, kids = drawn_plan(w)
    kid = kids[0]
    w.desk.do(kid.id, "现场检查")
    with pytest.raises(InvalidData) as refused:
        w.desk.do(kid.id, "公示抽查结果", result_link="")
    assert set(refused.value.errors) == {"result_link"} and "必填" in str(refused.value.errors["result_link"])
    assert w.desk.names(kid.id) == ["公示抽查结果"]
    w.desk.do(kid.id, "公示抽查结果")
    assert w.engine.case(kid.id).data["result_link"].startswith("国家企业信用信息公示系统")
