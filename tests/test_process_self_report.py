"""隐患自查自报 walked through the engine API (SQLite and PostgreSQL), one world per module.

Rules and their sources: 原国家安全监管总局令第16号《安全生产事故隐患排查治理暂行规定》第三、十四、十五条;
柴桑区实施意见 (seed 003) "实行自查自改自报闭环管理"; 下原镇 2019 (seed 004) "企业自查、上报、治理和政府部门督办，
销号全过程闭环"."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import Forbidden
from workflows.demo import BUILDING, CHEMICAL, MACHINERY
from workflows.functions import workday_after
from tests.process_support import advance, day, process_world, user_tasks, reached_by_every_scenario

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
PROCESS = "hazard_self_report"
GENERAL = {"major_criterion": None, "requires_shutdown": False, "long_rectification": False}


def world(database_url):
    yield from process_world(database_url, PROCESS, None, START)


@pytest.fixture(scope="module")
def w(module_database_url):
    yield from world(module_database_url)


def reported(w, user="yi_qy", party=MACHINERY, org="dongcheng", **report) -> int:
    c = w.desk.start(PROCESS, by=user, org=org, party=party, title="冲床光电保护失灵").id
    w.desk.do(c, "自查上报隐患", user=user, **report)
    return c


def test_enterprise_user_starts_a_self_report_but_no_other_process_seed_003(w):
    """Only a model whose start event names 生产经营单位 (startableBy) may be started by an enterprise
    user, and only about its own enterprise (seed 003 自查自改自报; DESIGN §1: enterprises act on their own cases)."""
    c = w.desk.start(PROCESS, by="yi_qy", org="dongcheng", party=MACHINERY).id
    task = w.desk.task(c, "自查上报隐患")
    assert task.role_code == "enterprise" and task.party == MACHINERY
    queue = w.engine.queue("yi_qy")                   # its own enterprise's tasks only, whatever ran before
    assert task.id in [t.id for t in queue] and {t.party for t in queue} == {MACHINERY}
    with pytest.raises(Forbidden):
        w.engine.start(PROCESS, by="yi_qy", org="dongcheng", party=CHEMICAL)
    with pytest.raises(Forbidden):
        w.engine.start("hazard_supervision", by="yi_qy", org="dongcheng", party=MACHINERY)
    with pytest.raises(Forbidden):
        w.engine.complete(task.id, "jia_qy", {})
    assert w.engine.start(PROCESS, by="zhang_san", org="dongcheng", party=MACHINERY).id   # officials may too


def test_general_hazard_rectified_and_closed_by_the_enterprise_16hao_ling_art_15(w):
    """一般隐患: the enterprise fixes it and reports it closed (16号令第十五条); the bureau confirms."""
    c = reported(w)
    data = w.engine.case(c).data
    assert data["hazard_grade"] == "一般"
    fix = w.desk.task(c, "整改并报告销号")
    assert fix.due_at == dt.datetime.fromisoformat(f"{day(w, 8)}T00:00:00+08:00")
    w.desk.do(c, "整改并报告销号", user="yi_qy")
    review = w.desk.task(c, "销号备案审查")
    assert review.role_code == "inspector"
    assert w.engine.case(c).data["rectified_at"]
    w.desk.do(c, "销号备案审查", user="zhang_san")
    assert w.engine.case(c).status == "completed"


def test_closure_stands_when_the_five_day_filing_period_lapses_seed_003(w):
    """The bureau may spot-check; if it does not within 5 working days (local rule under seed 003) the
    enterprise's closure report stands, without raising the escalation level of anyone's work."""
    c = reported(w)
    w.desk.do(c, "整改并报告销号", user="yi_qy")
    data = w.engine.case(c).data
    due = data["spot_check_due"]                      # the 5th working day, whatever weekday it is now
    assert due == workday_after(data["rectified_at"], 5)
    last_minute = dt.datetime.fromisoformat(f"{due}T23:59:00+08:00")
    w.clock.set(last_minute)
    w.engine.run_due_timers()
    assert w.desk.names(c) == ["销号备案审查"]          # the 5th working day is still in the period
    w.clock.set(last_minute + dt.timedelta(minutes=1))
    w.engine.run_due_timers()
    view = w.engine.case(c)
    assert view.status == "completed" and view.tasks == [] and view.escalation_level == 0


def test_spot_check_failure_sends_the_hazard_back_with_a_new_deadline_seed_004(w):
    """政府部门督办 (seed 004): a failed spot check reopens rectification with a new deadline."""
    c = reported(w)
    w.desk.do(c, "整改并报告销号", user="yi_qy")
    w.desk.do(c, "销号备案审查", closure_review_decision="现场抽查")
    w.desk.do(c, "现场抽查整改情况", spot_check_passed=False, spot_check_findings="光电保护未接入控制回路",
              fix_deadline=day(w, 3))
    assert w.desk.names(c) == ["整改并报告销号"]
    data = w.engine.case(c).data
    assert data["fix_deadline"] == day(w, 3) and data["spot_check_passed"] is False   # 隐患清单: open again
    w.desk.do(c, "整改并报告销号", user="yi_qy")
    assert w.engine.case(c).data["spot_check_passed"] is None
    w.desk.do(c, "销号备案审查", closure_review_decision="现场抽查")
    w.desk.do(c, "现场抽查整改情况")
    assert w.engine.case(c).status == "completed"


def test_major_hazard_starts_the_listing_process_16hao_ling_art_3_and_15(w):
    """A 重大 hazard (16号令第三条: needs shutdown) is reported to the bureau and listed (第十五条):
    the self-report opens a hazard_supervision case in the same step, with the report's data."""
    c = reported(w, user="jia_qy", party=CHEMICAL, enterprise_name="示范市甲化工有限公司", sector="危化",
                 location="三号罐区", description="液化烃储罐区未设置紧急切断", requires_shutdown=True,
                 fix_deadline=None)
    view = w.engine.case(c)
    assert view.status == "completed" and view.data["hazard_grade"] == "重大"
    child = [x for x in w.engine.cases(process_key="hazard_supervision", limit=1000) if x.parent_case_id == c]
    assert len(child) == 1 and child[0].party == CHEMICAL
    listing = w.engine.case(child[0].id)
    assert listing.data["source"] == "企业自查上报" and listing.data["location"] == "三号罐区"
    assert w.desk.names(child[0].id) == ["登记隐患"]
    w.desk.do(child[0].id, "登记隐患", **{k: listing.data[k] for k in (
        "source", "enterprise_name", "credit_code", "sector", "location", "description", "found_on",
        "requires_shutdown", "long_rectification", "external_factors", "major_criterion", "attachments")},
              fix_deadline=None)
    assert w.engine.case(child[0].id).data["hazard_grade"] == "重大"


def test_overdue_self_reported_hazard_is_urged_then_handed_to_listing_16hao_ling_art_23(w):
    """Past the enterprise's own deadline the inspector urges it (escalation level rises); a second lapse
    may be handed over to 挂牌督办, graded 重大 as needing time to remove (16号令第三条)."""
    # 丙建材's account belongs to 西城区: its self-report is opened there (Policy.check_start, 084a839)
    c = reported(w, user="bing_qy", party=BUILDING, org="xicheng", enterprise_name="示范市丙建材有限公司",
                 fix_deadline=day(w, 2))
    advance(w, days=2)
    assert w.desk.names(c) == ["整改并报告销号"]
    advance(w, days=1)
    view = w.engine.case(c)
    assert view.escalation_level == 1 and w.desk.names(c) == ["督促整改逾期隐患"]
    w.desk.do(c, "督促整改逾期隐患", fix_deadline=day(w, 2))
    assert w.desk.names(c) == ["整改并报告销号"]
    advance(w, days=3)
    w.desk.do(c, "督促整改逾期隐患", overdue_decision="转挂牌督办", fix_deadline=None)
    view = w.engine.case(c)
    assert view.status == "completed" and view.escalation_level == 2
    child = [x for x in w.engine.cases(process_key="hazard_supervision", limit=1000) if x.parent_case_id == c]
    assert len(child) == 1 and w.engine.case(child[0].id).data["long_rectification"] is True


def test_report_form_needs_a_deadline_for_a_general_hazard_in_chinese(w):
    c = w.desk.start(PROCESS, by="yi_qy", org="dongcheng", party=MACHINERY).id
    from engine import InvalidData
    with pytest.raises(InvalidData) as exc:
        w.desk.do(c, "自查上报隐患", user="yi_qy", fix_deadline=None)
    assert "一般隐患须确定整改期限" in str(exc.value.errors)
    assert w.desk.names(c) == ["自查上报隐患"]


def test_every_user_task_of_the_model_is_reached_by_a_test(request, w):
    """Stands on its own: any scenario above not yet run on this database is walked on a world of its
    own first (alone, after a subset, in any order; tests/process_support.py)."""
    assert user_tasks(PROCESS) - reached_by_every_scenario(request, w, world, PROCESS) == set()
