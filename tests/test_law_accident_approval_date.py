"""批复日期: the day the 人民政府 approved the accident investigation report, typed by the official.

《生产安全事故报告和调查处理条例》第三十二条: 自收到事故调查报告之日起15日内批复 (特别重大 30日).
《安全生产法》第八十六条: 批复事故调查报告后一年内 the 整改和防范措施 are assessed. The penalty cases it
orders are to be 立案 within 5 working days of it, and the report is published from it (local rule).
Before, the model took the moment the 批复 was *entered* (``now()``) as the 批复: a 批复 signed on 05-26 and
typed in on 06-05 started the one-year assessment, the 立案 and the publication ten days late, and a
批复 signed after its 15 days but typed in time looked on time. The form now asks 批复日期 (not after
today), the model refuses a day before the report was received, anchors every follow-up on it, and
records ``approval_late`` when it is past the 第三十二条 day.
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.process_support import process_world
from workflows.demo import CHEMICAL
from workflows.forms import registry
from workflows.forms.registry import FormError

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
APPROVAL = {"approval_decision": "批复", "approval_doc_no": "东政复〔2026〕8号",
            "approval_text": "同意调查报告对事故原因、性质和责任的认定及处理建议"}


def test_approval_date_is_required_and_not_after_today_regulation_art32():
    today = dt.date(2026, 5, 26)
    with pytest.raises(FormError) as missing:
        registry.validate("accident.approval", APPROVAL, today=today)
    assert set(missing.value.errors) == {"approved_on"}
    with pytest.raises(FormError) as future:
        registry.validate("accident.approval", {**APPROVAL, "approved_on": "2026年5月27日"}, today=today)
    assert future.value.errors == {"approved_on": "「批复日期」不能晚于今天（2026年5月26日）"}
    assert registry.validate("accident.approval", {**APPROVAL, "approved_on": "2026-05-26"},
                             today=today)["approved_on"] == "2026-05-26"
    returned = {"approval_decision": "退回补充", "approval_opinion": "补充技术原因分析"}
    assert registry.validate("accident.approval", returned, today=today)["approved_on"] is None


@pytest.fixture
def w(database_url):
    yield from process_world(database_url, "accident_investigation", None, START)


def reported_to_government(w) -> int:
    """The report goes to the 人民政府 on Monday 2026-05-11: the 批复 is due 05-26 (15 days)."""
    c = w.desk.start("accident_investigation", by="sun_qi", org="dongcheng", party=CHEMICAL,
                     title="甲化工“5·11”爆炸事故").id
    for name in ("事故信息接报", "逐级上报事故信息", "成立事故调查组", "调查取证", "起草事故调查报告"):
        w.desk.do(c, name)
    data = w.engine.case(c).data
    assert data["submitted_at"][:10] == "2026-05-11" and data["approval_due"] == "2026-05-26"
    return c


def test_follow_ups_count_from_the_typed_approval_date_not_its_entry_work_safety_law_art86_regulation_art32(w):
    """Signed 05-26, typed in on 06-05: the assessment, the 立案 and the publication count from 05-26."""
    c = reported_to_government(w)
    w.clock.advance(days=25)                                     # 06-05; the 批复 timer is not swept here
    w.desk.do(c, "批复事故调查报告", approved_on="2026-05-26")
    data = w.engine.case(c).data
    assert data["approved_at"] == "2026-05-26" and data["approval_late"] is False
    assert data["publish_due"] == "2026-06-25"                   # local rule accident.publish_days: 30
    assessment = w.engine.cases(process_key="post_case_assessment")
    assert len(assessment) == 1
    a = w.engine.case(assessment[0].id).data
    assert a["approved_at"] == "2026-05-26" and a["assessment_due"] == "2027-05-26"   # 安全生产法第八十六条
    penalties = w.engine.cases(process_key="enforcement_case")
    assert penalties and {w.engine.case(p.id).data["filing_due"] for p in penalties} == {"2026-06-02"}


@pytest.mark.parametrize("approved_on, late", [("2026-05-26", False), ("2026-05-27", True)])
def test_approval_on_the_15th_day_is_on_time_and_the_16th_late_regulation_art32(w, approved_on, late):
    c = reported_to_government(w)
    w.clock.advance(days=16)                                     # 05-27 09:00
    w.desk.do(c, "批复事故调查报告", approved_on=approved_on)
    assert w.engine.case(c).data["approval_late"] is late


def test_approval_dated_before_the_report_was_received_is_refused_with_the_reason_regulation_art32(w):
    c = reported_to_government(w)
    w.clock.advance(days=2)
    w.desk.do(c, "批复事故调查报告", approved_on="2026-05-10")
    data = w.engine.case(c).data
    assert w.desk.names(c) == ["批复事故调查报告"] and "approved_at" not in data
    assert data["approval_date_problems"] == [
        "「批复日期」（2026年5月10日）早于收到事故调查报告之日（2026年5月11日），请按批复文件核对"
        "（条例第三十二条：批复期限自收到调查报告之日起计）"]
    w.desk.do(c, "批复事故调查报告", approved_on="2026-05-11")   # the day it was received: accepted
    data = w.engine.case(c).data
    assert data["approved_at"] == "2026-05-11" and data["approval_date_problems"] == []
