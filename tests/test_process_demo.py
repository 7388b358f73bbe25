"""The demo data: a city, two districts and their towns, a user for every role, cases at many stages."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import ManualClock
from workflows.demo import ENTERPRISES, ORGS, USERS, Desk, load_demo
from workflows.roles import ROLES
from workflows.runtime import build_engine

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def demo(database_url):
    engine = build_engine(database_url, clock=ManualClock(NOW))
    cases = load_demo(engine)
    yield engine, cases
    engine.dispose()


def test_directory_has_the_org_tree_and_a_user_for_every_role(demo):
    engine, _ = demo
    levels = {code: level for code, _, _, level in ORGS}
    assert sorted(set(levels.values())) == ["区", "市", "省", "镇"]     # 省 decides 省级挂牌督办
    assert {o.code for o in engine.directory.orgs()} >= set(levels)
    roles_with_users = {r for *_, roles, _ in USERS for r in roles}
    assert roles_with_users == {code for code, _ in ROLES}
    assert {u for u, *_ in USERS} <= {u.username for u in engine.directory.users()}


def test_cases_of_every_process_at_several_stages(demo):
    engine, cases = demo
    desk = Desk(engine)
    stages: dict[str, set] = {}
    for label, cid in cases.items():
        view = engine.case(cid)
        stages.setdefault(view.process_key, set()).add((view.status, tuple(desk.names(cid))))
    assert set(stages) == {"hazard_supervision", "accident_investigation", "enforcement_case", "post_case_assessment",
                           "hazard_self_report", "tipoff_12350", "inspection_plan", "random_inspection",
                           "case_file_review", "accident_supervision"}
    for process in ("hazard_supervision", "accident_investigation", "enforcement_case", "hazard_self_report",
                    "tipoff_12350"):
        assert len(stages[process]) >= 4, process
    assert engine.case(cases["hazard_delisted"]).status == "completed"
    assert engine.case(cases["accident_closed"]).status == "completed"
    spawned = [c for c in engine.cases(limit=1000) if c.parent_case_id == cases["accident_closed"]]
    assert sorted(c.process_key for c in spawned) == ["enforcement_case", "enforcement_case", "post_case_assessment"]


def test_overdue_cases_wait_on_escalation_tasks(demo):
    engine, cases = demo
    desk = Desk(engine)
    assert desk.names(cases["hazard_overdue"]) == ["约谈企业主要负责人"]
    assert desk.names(cases["hazard_general_overdue"]) == ["一般隐患逾期督促"]
    assert desk.names(cases["accident_overdue"]) == ["调查超期督办"]
    assert desk.names(cases["enforcement_unpaid"]) == ["催告当事人履行"]
    assert desk.names(cases["assessment_overdue"]) == ["评估逾期督办"]
    assert desk.names(cases["self_report_overdue"]) == ["督促整改逾期隐患"]
    spawned = [c for c in engine.cases(limit=1000) if c.parent_case_id == cases["self_report_major"]]
    assert [c.process_key for c in spawned] == ["hazard_supervision"]
    assert engine.case(cases["tipoff_paid"]).status == "completed"
    assert desk.names(cases["tipoff_reward"]) == ["核定举报奖励"]
    assert desk.names(cases["plan_to_approve"]) == ["审批抽查计划"]
    assert desk.names(cases["inspection_open"]) == ["现场检查"]
    assert desk.names(cases["inspection_publishing"]) == ["公示抽查结果"]
    assert desk.names(cases["review_scoring"]) == ["案卷评查打分"]
    assert engine.case(cases["review_notified"]).status == "completed"
    assert desk.names(cases["accident_listed"]) == ["报送调查进展"]
    assert desk.names(cases["accident_interview"]) == ["诫勉约谈企业主要负责人"]
    assert engine.case(cases["accident_gate_blocked"]).data["four_nots_missing"]


def test_overdue_cases_show_their_escalation_level(demo):
    engine, cases = demo
    for label in ("hazard_overdue", "hazard_general_overdue", "accident_overdue", "enforcement_unpaid"):
        assert engine.case(cases[label]).escalation_level >= 1, label


def test_queues_per_user(demo):
    engine, cases = demo
    names = lambda user: sorted(t.name for t in engine.queue(user, limit=200))   # noqa: E731
    assert "一般隐患逾期督促" in names("qian_ke")
    assert "约谈企业主要负责人" in names("zheng_fj")
    assert "评估逾期督办" in names("dc_aw")
    for user, code in (("jia_qy", list(ENTERPRISES)[0]), ("yi_qy", list(ENTERPRISES)[1])):
        tasks = engine.queue(user, limit=200)
        assert tasks and all(t.party == code for t in tasks)
    votes = [t for u in ("feng_jz", "zheng_fj", "jiang_wy", "shen_wy") for t in engine.queue(u, limit=200)
             if t.name == "集体讨论表决"]
    assert sorted(t.assignee for t in votes) == ["feng_jz", "jiang_wy", "shen_wy", "zheng_fj"]
    assert engine.queue("wang_wu") == []                  # another district's inspector
