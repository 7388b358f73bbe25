"""严重失信主体名单 walked through the engine: notice, objection, decision, publication, the 3-year
term on the engine clock, early removal after credit repair, and the listed flag all along."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from engine import InvalidData, ManualClock
from engine.clock import SHANGHAI
from workflows.demo import CHEMICAL, ENTERPRISES, Desk, load_directory
from workflows.enterprises import EnterpriseRegistry
from workflows.enterprises.dishonesty import is_listed, listed_codes
from workflows.forms.dishonesty import GROUNDS, example
from workflows.forms.samples import sample
from workflows.runtime import build_engine

START = dt.datetime(2026, 6, 1, 1, 0, tzinfo=dt.timezone.utc)   # Monday 2026-06-01, 09:00 in Shanghai
PROCESS = "dishonesty_list"


@pytest.fixture
def w(database_url):
    clock = ManualClock(START)
    engine = build_engine(database_url, clock=clock)
    load_directory(engine)
    registry = EnterpriseRegistry(engine.db.engine, clock=clock.now)
    for code, name in ENTERPRISES.items():
        registry.add({"credit_code": code, "name": name, "org_unit": "dongcheng", "sector": "危化", "size": "中型"})
    yield SimpleNamespace(engine=engine, clock=clock, desk=Desk(engine), registry=registry)
    engine.dispose()


def do(w, case_id: int, name: str, user: str | None = None, which: int | None = None, **changes):
    """Complete the open task ``name`` with its form's example data, changed by ``changes``."""
    task = w.desk.task(case_id, name, which)
    today = w.desk.today()
    data = example(task.form_key, today) if task.form_key.startswith("dishonesty.") else sample(task.form_key, today)
    data.update(changes)
    w.engine.complete(task.id, user or w.desk.user_for(task), data)
    return task


def day(w, offset: int = 0) -> str:
    return (w.desk.today() + dt.timedelta(days=offset)).isoformat()


def at_shanghai(day_text: str, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day_text), dt.time(hour, minute), SHANGHAI)


def started(w, **data) -> int:
    return w.engine.start(PROCESS, by="zhang_san", org="dongcheng", party=CHEMICAL, title="甲化工拟列入严重失信主体名单",
                          data={"ground": GROUNDS[0], "credit_code": CHEMICAL, **data}).id


def notified(w, **data) -> int:
    c = started(w, **data)
    do(w, c, "拟列入呈批", credit_code=CHEMICAL)
    do(w, c, "审核拟列入")
    do(w, c, "送达拟列入告知书")
    return c


def published(w) -> int:
    c = notified(w)
    do(w, c, "陈述申辩（提出异议）")
    do(w, c, "复核异议")
    do(w, c, "作出列入决定")
    do(w, c, "制作并送达列入决定书")
    do(w, c, "公开严重失信主体信息")
    return c


def listed(w) -> bool:
    return is_listed(w.engine, CHEMICAL)


def test_upheld_objection_ends_the_case_without_a_listing(w):
    c = notified(w)
    objection = w.desk.task(c, "陈述申辩（提出异议）")
    assert objection.role_code == "enterprise" and w.desk.user_for(objection) == "jia_qy"
    do(w, c, "陈述申辩（提出异议）")
    review = w.desk.task(c, "复核异议")
    assert review.role_code == "supervisor"
    do(w, c, "复核异议", objection_result="异议成立", objection_review_opinion="事故责任认定已被撤销")
    view = w.engine.case(c)
    assert view.status == "completed" and view.data["listing_status"] == "不予列入"
    assert not listed(w)
    assert not w.registry.get(CHEMICAL).dishonest


def test_rejected_objection_goes_on_to_decision_publication_and_the_listed_flag(w):
    c = notified(w)
    assert w.engine.case(c).data["objection_due"] == "2026-06-08"           # 5 working days
    do(w, c, "陈述申辩（提出异议）")
    do(w, c, "复核异议")
    decide = w.desk.task(c, "作出列入决定")
    assert decide.role_code == "leader"
    do(w, c, "作出列入决定")
    assert not listed(w)                                  # a decision is not yet a publication
    do(w, c, "制作并送达列入决定书")
    publish = w.desk.task(c, "公开严重失信主体信息")
    assert publish.role_code == "inspector"
    assert w.engine.case(c).data["publish_due"] == "2026-06-30"   # 20 working days (default; 端午 06-19)
    assert publish.due_at == at_shanghai("2026-07-01")
    do(w, c, "公开严重失信主体信息")
    view = w.engine.case(c)
    assert view.status == "running" and view.data["listing_status"] == "公开中"
    assert (view.data["listed_from"], view.data["listing_ends_on"]) == ("2026-06-01", "2029-06-01")
    assert view.data["repair_allowed_from"] == "2027-06-01"
    assert listed(w) and is_listed(w.engine, CHEMICAL, on=dt.date(2028, 1, 1))
    ent = w.registry.get(CHEMICAL)
    assert (ent.dishonest, ent.dishonest_from, ent.dishonest_until) == (True, dt.date(2026, 6, 1), dt.date(2029, 6, 1))
    with w.engine.db.read() as s:
        assert listed_codes(s, list(ENTERPRISES)) == {CHEMICAL}
    assert w.desk.names(c) == ["申请信用修复（提前移出）"]
    assert view.escalation_level == 0


def test_publication_deadline_is_case_data(w):
    c = notified(w, publish_workdays=7)
    do(w, c, "陈述申辩（提出异议）", objection_choice="无异议", objection_text=None)
    do(w, c, "作出列入决定")
    do(w, c, "制作并送达列入决定书")
    assert w.engine.case(c).data["publish_due"] == "2026-06-10"


def test_silence_closes_the_objection_window_after_five_working_days(w):
    c = notified(w)
    w.clock.set(at_shanghai("2026-06-08", 23, 59))
    assert w.engine.run_due_timers() == 0
    assert w.desk.names(c) == ["陈述申辩（提出异议）"]
    w.clock.set(at_shanghai("2026-06-09", 0, 1))
    assert w.engine.run_due_timers() == 1
    assert w.desk.names(c) == ["作出列入决定"]
    assert w.engine.case(c).data["objection_choice"] == "逾期未提出"


def ended_with_the_term(w, c: int, listed_on_last_day: bool = True):
    """The case of a listing decided 2026-06-01 on its term's last minute (2029-05-31 23:59: still listed,
    or not, as ``listed_on_last_day``) and just after (2029-06-01 00:01: ended, nothing open); its view."""
    w.clock.set(at_shanghai("2029-05-31", 23, 59))
    w.engine.run_due_timers()
    assert listed(w) is listed_on_last_day and w.engine.case(c).status == "running"
    w.clock.set(at_shanghai("2029-06-01", 0, 1))
    assert w.engine.run_due_timers() == 1
    view = w.engine.case(c)
    assert view.status == "completed" and view.tasks == [] and view.timers == []
    assert not listed(w)
    return view


def test_listing_ends_by_itself_after_three_years(w):
    c = published(w)
    view = ended_with_the_term(w, c)
    assert (view.data["listing_status"], view.data["removal_reason"], view.data["removed_on"]) == (
        "已移出", "管理期限届满", "2029-06-01")
    ent = w.registry.get(CHEMICAL)
    assert (ent.dishonest, ent.dishonest_from, ent.dishonest_until) == (False, dt.date(2026, 6, 1), dt.date(2029, 6, 1))


def test_credit_repair_is_refused_before_twelve_months_and_removes_early_after(w):
    c = published(w)
    w.clock.set(at_shanghai("2027-05-31", 10))
    do(w, c, "申请信用修复（提前移出）")
    view = w.engine.case(c)
    assert view.data["repair_refusals"] == 1
    assert view.data["repair_refusal_reason"] == "列入未满12个月，2027-06-01起方可申请提前移出"
    assert w.desk.names(c) == ["申请信用修复（提前移出）"] and listed(w)
    w.clock.set(at_shanghai("2027-06-01", 10))
    do(w, c, "申请信用修复（提前移出）")
    assert w.desk.task(c, "核查信用修复申请").role_code == "inspector"
    do(w, c, "核查信用修复申请")
    assert w.desk.task(c, "审批提前移出").role_code == "leader"
    assert listed(w)
    do(w, c, "审批提前移出")
    view = w.engine.case(c)
    # off the list, but revocable (弄虚作假) until the original term ends: tests/test_law_dishonesty_order11_s25.py
    assert view.status == "running" and view.tasks == []   # 撤销提前移出: an action on the case page, no task
    assert (view.data["removed_on"], view.data["removal_reason"]) == ("2027-06-01", "信用修复提前移出")
    assert not listed(w)
    assert w.registry.get(CHEMICAL).dishonest_until == dt.date(2027, 6, 1)


def test_a_refused_repair_goes_back_to_the_enterprise(w):
    c = published(w)
    w.clock.set(at_shanghai("2027-09-01", 10))
    do(w, c, "申请信用修复（提前移出）")
    do(w, c, "核查信用修复申请", repair_verified="不符合提前移出条件", verify_opinion="罚款尚未缴清")
    do(w, c, "审批提前移出", repair_decision="不同意", repair_opinion="罚款尚未缴清，不予提前移出")
    view = w.engine.case(c)
    assert view.data["repair_refusal_reason"] == "罚款尚未缴清，不予提前移出"
    assert w.desk.names(c) == ["申请信用修复（提前移出）"] and listed(w)
    w.clock.set(at_shanghai("2029-06-01", 0, 1))
    w.engine.run_due_timers()
    assert w.engine.case(c).status == "completed" and not listed(w)


def test_proposal_refused_or_decision_against_listing_lists_nobody(w):
    c = started(w)
    do(w, c, "拟列入呈批")
    do(w, c, "审核拟列入", proposal_review_decision="不同意", proposal_review_opinion="证据不足")
    assert w.engine.case(c).data["listing_status"] == "不予列入"
    c = notified(w)
    do(w, c, "陈述申辩（提出异议）", objection_choice="无异议", objection_text=None)
    do(w, c, "作出列入决定", listing_decision="不予列入", listing_opinion="情节轻微")
    view = w.engine.case(c)
    assert view.status == "completed" and view.data["listing_status"] == "不予列入" and not listed(w)


def test_withdrawing_a_published_listing_clears_the_flag(w):
    c = published(w)
    assert listed(w)
    w.engine.cancel(c, by="qian_ke", reason="列入决定被行政复议撤销")
    assert not listed(w)


def test_forms_refuse_what_the_rule_does_not_allow(w):
    c = started(w)
    do(w, c, "拟列入呈批")
    do(w, c, "审核拟列入")
    with pytest.raises(InvalidData) as err:
        do(w, c, "送达拟列入告知书", rights_stated=False)
    assert "陈述申辩" in err.value.errors["rights_stated"]
    do(w, c, "送达拟列入告知书")
    with pytest.raises(InvalidData) as err:
        do(w, c, "陈述申辩（提出异议）", objection_text=None)
    assert err.value.errors["objection_text"] == "提出异议须写明事实和理由"
    do(w, c, "陈述申辩（提出异议）")
    do(w, c, "复核异议")
    do(w, c, "作出列入决定")
    with pytest.raises(InvalidData) as err:
        do(w, c, "制作并送达列入决定书", decision_served_on=day(w, -1))
    assert err.value.errors["decision_served_on"] == "送达日期不能早于决定日期"
    do(w, c, "制作并送达列入决定书")
    do(w, c, "公开严重失信主体信息")
    w.clock.set(at_shanghai("2027-07-01", 10))
    with pytest.raises(InvalidData) as err:
        do(w, c, "申请信用修复（提前移出）", penalty_fulfilled=False)
    assert err.value.errors["penalty_fulfilled"] == "不符合此项条件的，不能申请提前移出"


def test_only_the_enterprise_itself_may_object(w):
    c = notified(w)
    task = w.desk.task(c, "陈述申辩（提出异议）")
    assert not w.engine.may_work(task.id, "yi_qy")
    assert w.engine.may_work(task.id, "jia_qy")
