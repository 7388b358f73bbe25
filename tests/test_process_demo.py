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
                           "case_file_review", "accident_supervision", "hazard_statistics_report", "hazard_report_round",
                           "leader_inspection", "joint_meeting", "joint_inspection"}
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
    _read_as_a_section_head_would_safety_law_art28_art97_art43_art101(engine, cases)


def _read_as_a_section_head_would_safety_law_art28_art97_art43_art101(engine, cases) -> None:
    """The demo's cases read as one bureau's (session 25): each listed hazard's facts, 整改要求 and
    整改方案 are about its own place and its own enterprise (the 液氨储罐区's 整改要求 named 二号罐区,
    乙机械's 涂装线 was 甲化工's 液化烃储罐 — the forms' one example hazard repeated); 紧急切断 is item 5
    of the chemical standard (not 12, its gas alarms); the training case cites 《安全生产法》第二十八条第一款
    and 第九十七条第（三）项, the hot-work case 第四十三条 and 第一百零一条第（三）项 (not 第四十条, 重大危险源);
    every accident's summary matches its type."""
    names = {code: name for code, name in ENTERPRISES.items()}
    for label in ("hazard_overdue", "hazard_plan_review", "hazard_rectifying", "hazard_assessing", "hazard_delisted",
                  "hazard_general_overdue"):
        case = engine.case(cases[label])
        data = case.data
        assert data["enterprise_name"] == names[case.party], label
        if label != "hazard_plan_review":  # only the 二号罐区 hazard's papers name it
            assert "二号罐区" not in " ".join(str(data.get(k) or "") for k in ("location", "requirements", "plan_goals",
                                                                           "plan_safety")), label
        if (data.get("major_criterion") or "").startswith("《化工"):
            assert data["major_criterion"].endswith("第五项") == ("紧急切断" in data["description"]), label
    assert "二号罐区" not in str(engine.case(cases["hazard_rectifying"]).data)
    training = engine.case(cases["enforcement_statement"]).data
    assert (training["legal_basis"], training["penalty_basis"]) == ("《安全生产法》第二十八条第一款",
                                                                   "《安全生产法》第九十七条第（三）项")
    assert "培训" in training["violation_facts"] and "培训" in training["facts_found"]
    hot_work = engine.case(cases["enforcement_vote"]).data
    assert (hot_work["legal_basis"], hot_work["penalty_basis"]) == ("《安全生产法》第四十三条",
                                                                   "《安全生产法》第一百零一条第（三）项")
    for label, word in (("accident_overdue", "坍塌"), ("accident_gate_blocked", "窒息"), ("accident_closed", "碱液"),
                        ("accident_reported", "冲床")):
        data = engine.case(cases[label]).data
        assert word in data["summary"] and "反应釜超压" not in data.get("direct_cause", ""), label


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
