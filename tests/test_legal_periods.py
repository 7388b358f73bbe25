"""Periods in calendar days that the law gives the party (当事人), at their boundary days.

《民法典》第二百零一条: the day the period starts from is not counted. 第二百零三条第一款: a period whose
last day is a 法定休假日 ends on the day after the holiday (《民事诉讼法》第八十五条 says the same for the
periods of 行政复议 and 行政诉讼, 《行政复议法》第八十八条、《行政诉讼法》第一百零一条). Holidays and 调休
are those of the State Council's 2026 notice (chinese-calendar): 国庆 10-01…10-07, 调休上班 09-20 (Sun)
and 10-10 (Sat); 端午 06-19…06-21.
"""
from __future__ import annotations

import datetime as dt

import pytest

from workflows.decisions import court_application_window, party_period_end
from workflows.demo import CHEMICAL
from tests.process_support import advance, process_world


@pytest.mark.parametrize("served, last_day", [
    ("2026-09-15", "2026-09-30"),   # day 15 a working day (Wed): unchanged
    ("2026-09-16", "2026-10-08"),   # day 15 is 国庆 10-01: the first day after the holiday
    ("2026-09-22", "2026-10-08"),   # day 15 is 10-07, the holiday's last day
    ("2026-09-23", "2026-10-08"),   # day 15 is 10-08, a working day: unchanged
    ("2026-09-25", "2026-10-10"),   # day 15 is the 调休 Saturday 10-10, a working day: unchanged
    ("2026-09-05", "2026-09-20"),   # day 15 is the 调休 Sunday 09-20: unchanged
    ("2026-06-04", "2026-06-22"),   # day 15 is 端午 06-19 (Fri): Monday 06-22
    ("2026-05-15", "2026-06-01"),   # day 15 is Saturday 05-30: Monday 06-01
])
def test_fine_payment_period_of_15_days_civil_code_art201_art203(served, last_day):
    """《行政处罚法》第六十七条: 15 days from receiving the decision, counted as 《民法典》第二百零一、二百零三条 say."""
    assert party_period_end(served, 15) == last_day


def test_review_and_suit_periods_ending_on_a_holiday_delay_the_court_application_civil_procedure_art85():
    """《行政强制法》第五十三条: the court is applied to only after the periods of 复议 (60 days) and 诉讼
    (6 months) have ended. Served 2026-04-01: 6 months end on 国庆 10-01, so the suit period ends
    10-08 (《民事诉讼法》第八十五条) and the court opens 10-09; the bureau's own 3 months still count from
    10-01 (the stricter reading for the bureau): due 2027-01-01."""
    window = court_application_window("2026-04-01")
    assert window["review_period_end"] == "2026-06-01"     # 60 days end Sun 05-31 → Mon 06-01
    assert window["suit_period_end"] == "2026-10-08"
    assert window["court_opens_on"] == "2026-10-09"
    assert window["court_due"] == "2027-01-01"


SERVED_BEFORE_NATIONAL_DAY = dt.datetime(2026, 9, 16, 1, 0, tzinfo=dt.timezone.utc)   # Wed 09:00 in China


@pytest.fixture
def w(database_url):
    yield from process_world(database_url, "enforcement_case", None, SERVED_BEFORE_NATIONAL_DAY)


def test_fine_served_before_national_day_is_due_after_the_holiday_and_no_late_penalty_runs_over_it_civil_code_art203(w):
    """A decision served Wed 2026-09-16: day 15 is 10-01 (国庆). The fine is due when 10-08 ends; at
    10-08 23:59 nothing is late, and at 10-09 00:00 the 加处罚款 is one day (3%), not eight."""
    e, desk = w.engine, w.desk
    c = desk.start("enforcement_case", by="zhang_san", org="dongcheng", party=CHEMICAL,
                   title="甲化工重大危险源监控案").id
    for name in ("初步核查", "立案审批", "调查取证", "案件处理呈批", "法制审核", "送达行政处罚告知书"):
        desk.do(c, name)
    desk.do(c, "陈述申辩或申请听证", user="jia_qy")
    desk.do(c, "负责人审批")
    desk.do(c, "送达行政处罚决定书")
    data = e.case(c).data
    assert (data["decision_served_on"], data["payment_due"]) == ("2026-09-16", "2026-10-08")
    pay = desk.task(c, "缴纳罚款")
    assert pay.due_at == dt.datetime.fromisoformat("2026-10-09T00:00:00+08:00")
    w.clock.set(dt.datetime(2026, 10, 8, 15, 59, tzinfo=dt.timezone.utc))        # 10-08 23:59 in China
    e.run_due_timers()
    assert [t.name for t in e.case(c).tasks] == ["缴纳罚款"] and e.case(c).escalation_level == 0
    advance(w, minutes=1)                                                         # 10-09 00:00
    assert "催告当事人履行" in [t.name for t in e.case(c).tasks]
    assert e.case(c).data["late_penalty"] == "1500.00"                            # one day: 3% of 50000


TIPOFF_RECEIVED = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)     # Mon 09:00 in China


@pytest.fixture
def tipoffs(database_url):
    yield from process_world(database_url, "tipoff_12350", None, TIPOFF_RECEIVED)


def test_tipoff_verification_extended_once_by_at_most_30_days_reward_measures_2018_19(tipoffs):
    """《安全生产领域举报奖励办法》(安监总财〔2018〕19号): 60 days from 受理, one extension of at most 30 days
    approved a level up. Received 2026-05-11: 60 days end 07-10, the extension 08-09. A second overdue
    督办 sets a 督办 date, not a second lawful extension: the legal limit stays 08-09 and the case is
    marked as past it."""
    w = tipoffs
    e, desk = w.engine, w.desk
    c = desk.start("tipoff_12350", by="he_sl", org="dongcheng", party=CHEMICAL, title="12350举报：甲化工违规动火").id
    desk.do(c, "受理登记举报")
    desk.do(c, "分类交办")
    assert e.case(c).data["verify_due"] == "2026-07-10"
    advance(tipoffs, days=61)                                                     # 07-11 09:00
    desk.do(c, "核查超期督办", extension_days=30)
    data = e.case(c).data
    assert (data["verify_due"], data["verify_legal_due"]) == ("2026-08-09", "2026-08-09")
    assert not data.get("verify_limit_exceeded")
    w.clock.set(dt.datetime(2026, 8, 9, 15, 59, tzinfo=dt.timezone.utc))         # 08-09 23:59: in time
    e.run_due_timers()
    assert desk.names(c) == ["核查举报事项"]
    advance(tipoffs, minutes=1)                                                   # 08-10 00:00
    assert desk.names(c) == ["核查超期督办"]
    desk.do(c, "核查超期督办", extension_days=30)
    data = e.case(c).data
    assert data["verify_legal_due"] == "2026-08-09"                               # no second extension
    assert data["verify_limit_exceeded"] is True
    assert data["verify_due"] == "2026-09-09"                                     # the 督办 date
    assert desk.names(c) == ["核查举报事项"]


def test_dishonesty_term_and_repair_count_from_the_listing_decision_not_publication_order11(database_url):
    """应急管理部令第11号: a 3-year term and early removal after 12 months of listing. Decided Mon
    2026-06-01, published on 06-26 (within the 20 working days): the term ends 2029-06-01 and repair may
    be asked from 2027-06-01 — counted from the decision (列入决定之日), not 25 days later from the
    publication, the reading that protects the party (docs/dishonesty.md)."""
    from tests import test_dishonesty_process as dp
    gen = dp.w.__wrapped__(database_url)
    w = next(gen)
    try:
        c = dp.notified(w)
        dp.do(w, c, "陈述申辩（提出异议）")
        dp.do(w, c, "复核异议")
        dp.do(w, c, "作出列入决定")
        dp.do(w, c, "制作并送达列入决定书")
        assert w.engine.case(c).data["decided_on"] == "2026-06-01"
        advance(w, days=25)
        dp.do(w, c, "公开严重失信主体信息")
        data = w.engine.case(c).data
        assert data["listed_from"] == "2026-06-26"
        assert (data["listing_ends_on"], data["repair_allowed_from"]) == ("2029-06-01", "2027-06-01")
    finally:
        next(gen, None)


def test_dishonesty_term_never_beyond_3_years_nor_repair_later_than_12_months_order11(database_url):
    """应急管理部令第11号 fixes the term (3 years) and the wait for credit repair (12 months): start data
    asking 48 and 24 months is held to 36 and 12; a shorter local term is kept."""
    from tests import test_dishonesty_process as dp
    gen = dp.w.__wrapped__(database_url)
    w = next(gen)
    try:
        long_term = dp.started(w, term_months=48, repair_months=24)
        short_term = dp.started(w, term_months="24", repair_months=6)
        assert [(w.engine.case(c).data["term_months"], w.engine.case(c).data["repair_months"])
                for c in (long_term, short_term)] == [(36, 12), (24, 6)]
    finally:
        next(gen, None)


@pytest.mark.parametrize("start, n, expected", [
    ("2026-12-31", 1, "2027-01-04"),   # 元旦 2027-01-01 (Fri) is off before the 2027 notice is known
    ("2027-04-30", 1, "2027-05-03"),   # 劳动节 05-01, 05-02 fall on the weekend; Monday 05-03 works
    ("2027-09-30", 1, "2027-10-04"),   # 国庆 10-01 (Fri)
    ("2027-09-29", 2, "2027-10-04"),
    ("2027-10-04", 1, "2027-10-05"),   # the rest of the week is the notice's to say (provisional)
])
def test_fixed_statutory_holidays_are_not_working_days_before_the_notice_holiday_measures_art2(start, n, expected):
    """《全国年节及纪念日放假办法》第二条 (国务院令第798号): 元旦 1 January, 劳动节 1–2 May and 国庆节 1–3 October
    are days off every year; 《行政处罚法》第八十五条 counts working days without them. Until a year's
    放假调休 notice is entered its dates stay provisional, but those days are never counted as working."""
    from engine import workdays
    workdays.forget_year(2027)
    assert workdays.is_provisional(dt.date.fromisoformat(expected))
    assert workdays.workdays_after(dt.date.fromisoformat(start), n).isoformat() == expected
