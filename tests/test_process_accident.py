"""事故调查处理（四不放过） walked through the engine API with real users and roles."""
from __future__ import annotations

import datetime as dt

import pytest

from engine.clock import SHANGHAI
from workflows.demo import CHEMICAL
from workflows.forms.samples import TEAM
from tests.process_support import (advance, day, process_world, reached_by_each_scenario, scenario_world,
                                   user_tasks)


START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
PROCESS = "accident_investigation"
REACHED: dict[tuple, set[str]] = {}   # (database kind, scenario) → user tasks it reached


def world(database_url):
    yield from process_world(database_url, PROCESS, None, START)


@pytest.fixture
def w(database_url):
    yield from scenario_world(database_url, PROCESS, REACHED, START)


def shanghai_day(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(SHANGHAI).date().isoformat()


def reported(w, **receive) -> int:
    c = w.desk.start(PROCESS, by="sun_qi", org="dongcheng", party=CHEMICAL, title="甲化工“5·11”爆炸事故").id
    w.desk.do(c, "事故信息接报", **receive)
    return c


def investigating(w, **receive) -> int:
    c = reported(w, **receive)
    w.desk.do(c, "逐级上报事故信息")
    w.desk.do(c, "成立事故调查组")
    assert w.desk.names(c) == ["调查取证"]
    return c


def test_accident_investigated_approved_executed_published_and_closed(w):
    e, desk = w.engine, w.desk
    c = reported(w)
    data = e.case(c).data
    assert (data["accident_grade"], data["jurisdiction"], data["report_to"]) == ("一般", "县级人民政府", "设区的市级应急管理部门")
    assert data["late_report"] is False and data["supplement_due"] == day(w, 30)
    report_up = desk.task(c, "逐级上报事故信息")
    assert report_up.role_code == "supervisor"
    assert report_up.due_at == START + dt.timedelta(minutes=100)   # the sample's report came in at 08:40
    desk.do(c, "逐级上报事故信息")
    assert desk.task(c, "成立事故调查组").role_code == "government"
    desk.do(c, "成立事故调查组")
    investigate = desk.task(c, "调查取证")
    assert investigate.role_code == "investigator"
    assert investigate.due_at == dt.datetime.fromisoformat(f"{day(w, 61)}T00:00:00+08:00")
    desk.do(c, "调查取证")
    desk.do(c, "起草事故调查报告")
    assert e.case(c).data["four_nots_missing"] == []
    approve = desk.task(c, "批复事故调查报告")
    assert approve.role_code == "government"
    assert approve.due_at == dt.datetime.fromisoformat(f"{day(w, 16)}T00:00:00+08:00")
    desk.do(c, "批复事故调查报告")
    assert sorted(desk.names(c)) == ["公开事故调查报告", "落实处分和移送司法", "跟踪整改措施落实", "跟踪整改措施落实"]
    measures = [t for t in e.case(c).tasks if t.name == "跟踪整改措施落实"]
    assert {t.role_code for t in measures} == {"inspector"}
    assert sorted(shanghai_day(t.due_at) for t in measures) == [day(w, 31), day(w, 46)]
    children = e.cases(process_key="enforcement_case")
    assert len(children) == 2 and all(x.parent_case_id == c for x in children)
    seeds = sorted((e.case(x.id).data["party_name"], e.case(x.id).data["party_type"]) for x in children)
    assert seeds == [("示范市甲化工有限公司", "单位"), ("钱大成", "个人")]
    # The case against the person is not the enterprise's: its users must not see it.
    by_name = {e.case(x.id).data["party_name"]: x for x in children}
    assert by_name["钱大成"].party is None and by_name["钱大成"].title == "钱大成行政处罚案"
    assert by_name["示范市甲化工有限公司"].party == e.case(c).party
    # Each measure's tracking task says which measure it is about (itemLabel).
    assert all(t.item_label for t in measures) and len({t.item_label for t in measures}) == 2
    filing_due = e.case(children[0].id).data["filing_due"]
    assert filing_due == "2026-05-18"                               # 5 working days after the 批复
    assert e.case(children[0].id).data["precheck_due"] == filing_due
    desk.do(c, "落实处分和移送司法")
    desk.do(c, "跟踪整改措施落实", which=0)
    publish = desk.task(c, "公开事故调查报告")        # published while the measures run, not after
    assert publish.role_code == "supervisor"
    desk.do(c, "公开事故调查报告")
    assert "结案审批" not in desk.names(c)
    desk.do(c, "跟踪整改措施落实", which=0)
    assert len(e.case(c).data["measure_results"]) == 2
    assert desk.task(c, "结案审批").role_code == "leader"
    desk.do(c, "结案审批")
    view = e.case(c)
    assert view.status == "completed" and view.escalation_level == 0
    assessments = e.cases(process_key="post_case_assessment")
    assert len(assessments) == 1 and assessments[0].parent_case_id == c
    seed = e.case(assessments[0].id).data
    assert seed["approved_at"] == view.data["approved_at"] and len(seed["measures"]) == 2
    assert seed["organised_by"] == "县级人民政府"


def test_grade_above_the_district_is_handed_up(w):
    c = reported(w, deaths=3, serious_injuries=0)
    assert w.engine.case(c).data["accident_grade"] == "较大"
    w.desk.do(c, "逐级上报事故信息")
    hand_over = w.desk.task(c, "移交上级人民政府调查")
    assert hand_over.role_code == "leader"
    w.desk.do(c, "移交上级人民政府调查")
    view = w.engine.case(c)
    assert view.status == "completed" and "report_due" not in view.data


def test_a_city_case_may_keep_a_larger_accident(w):
    c = reported(w, deaths=3, local_level="设区的市")
    w.desk.do(c, "逐级上报事故信息")
    assert w.desk.names(c) == ["成立事故调查组"]


def test_upper_level_may_take_over_any_case(w):
    c = reported(w)
    w.desk.do(c, "逐级上报事故信息", take_over=True)
    assert w.desk.names(c) == ["移交上级人民政府调查"]


def test_late_upward_report_escalates_to_the_leader(w):
    c = reported(w)
    advance(w, hours=2)
    assert w.desk.names(c) == ["超时上报督办"]
    assert w.desk.task(c, "超时上报督办").role_code == "leader"
    assert w.engine.case(c).escalation_level == 1
    w.desk.do(c, "超时上报督办")
    assert w.desk.names(c) == ["成立事故调查组"]


def test_unit_reporting_after_one_hour_is_flagged_late(w):
    c = reported(w, reported_at=f"{day(w)}T09:30:00+08:00")
    assert w.engine.case(c).data["late_report"] is True


def test_four_nots_gate_blocks_the_report_and_names_what_is_missing(w):
    c = investigating(w)
    w.desk.do(c, "调查取证")
    w.desk.do(c, "起草事故调查报告", education_done=False, education_record=None, signed_by=TEAM[:3],
              measures=[{"measure": "全面校验安全阀", "owner": None, "due_date": None}])
    assert w.desk.names(c) == ["起草事故调查报告"]
    missing = w.engine.case(c).data["four_nots_missing"]
    assert len(missing) == 3
    assert "整改措施未落实不放过：全面校验安全阀 缺少责任单位或完成时限" in missing
    assert "有关人员未受到教育不放过：警示教育尚未开展或无记录" in missing
    assert f"调查组成员未签名：{TEAM[3]}" in missing
    w.desk.do(c, "起草事故调查报告")
    assert w.engine.case(c).data["four_nots_missing"] == []
    assert w.desk.names(c) == ["批复事故调查报告"]


def test_one_extension_of_at_most_sixty_days_approved_by_the_government(w):
    c = investigating(w)
    first_due = w.engine.case(c).data["report_due"]
    w.desk.do(c, "调查取证", investigate_action="申请延期", extension_days=40, extension_reason="技术分析复杂")
    assert w.desk.task(c, "审批调查期限延长").role_code == "government"
    w.desk.do(c, "审批调查期限延长", extension_days=30)
    data = w.engine.case(c).data
    assert data["report_due"] == (dt.date.fromisoformat(first_due) + dt.timedelta(days=30)).isoformat()
    w.desk.do(c, "调查取证", investigate_action="申请延期", extension_days=20, extension_reason="还需时间")
    data = w.engine.case(c).data
    assert w.desk.names(c) == ["调查取证"]
    assert data["extension_decision"] == "不批准" and "只能延长一次" in data["extension_opinion"]


def test_extension_refused_keeps_the_sixty_days(w):
    c = investigating(w)
    due = w.engine.case(c).data["report_due"]
    w.desk.do(c, "调查取证", investigate_action="申请延期", extension_days=40, extension_reason="技术分析复杂")
    w.desk.do(c, "审批调查期限延长", extension_decision="不批准", extension_days=None, extension_opinion="无正当理由")
    assert w.engine.case(c).data["report_due"] == due and w.engine.case(c).data["extension_used"] is False


def test_technical_appraisal_time_is_excluded_and_crimes_are_transferred(w):
    c = investigating(w)
    due = dt.date.fromisoformat(w.engine.case(c).data["report_due"])
    w.desk.do(c, "调查取证", investigate_action="技术鉴定", appraisal_started_on=day(w, 5), appraisal_ended_on=day(w, 25))
    assert w.engine.case(c).data["report_due"] == (due + dt.timedelta(days=20)).isoformat()
    w.desk.do(c, "调查取证", investigate_action="移送涉嫌犯罪", transfer_suspects=["王某"], transfer_organ="东城公安分局")
    transfers = w.engine.case(c).data["crime_transfers"]
    assert transfers == [{"suspects": ["王某"], "organ": "东城公安分局", "on": day(w)}]
    assert w.desk.names(c) == ["调查取证"]


def test_overdue_investigation_is_ordered_by_the_government(w):
    c = investigating(w)
    advance(w, days=61)
    assert w.desk.names(c) == ["调查超期督办"]
    assert w.desk.task(c, "调查超期督办").role_code == "government"
    assert w.engine.case(c).escalation_level == 1
    w.desk.do(c, "调查超期督办")
    assert w.engine.case(c).data["report_due"] == day(w, 10)
    assert w.desk.names(c) == ["调查取证"]
    w.desk.do(c, "调查取证")
    advance(w, days=11)                                  # the report is late too
    assert w.desk.names(c) == ["调查超期督办"] and w.engine.case(c).escalation_level == 2


def test_investigation_reminder_and_supplement_window_do_not_escalate(w):
    c = investigating(w)                                 # report due 07-10: reminder 06-26 09:00
    advance(w, days=46)
    view = w.engine.case(c)
    timers = [ev["detail"]["timer"] for ev in view.history if ev["action"] == "reminded"]
    assert sorted(timers) == ["investigation_remind", "supplement_closed"]
    assert view.escalation_level == 0 and w.desk.names(c) == ["调查取证"]


def test_supplementary_report_within_thirty_days_can_raise_the_grade_and_hand_up(w):
    c = investigating(w)
    advance(w, days=20)
    w.desk.do(c, "调查取证", investigate_action="补报伤亡变化", new_deaths=3, new_serious_injuries=2)
    data = w.engine.case(c).data
    assert (data["deaths"], data["accident_grade"], data["jurisdiction"]) == (3, "较大", "设区的市级人民政府")
    assert w.desk.names(c) == ["移交上级人民政府调查"]


def test_supplementary_report_within_window_without_grade_change_continues(w):
    c = investigating(w)
    w.desk.do(c, "调查取证", investigate_action="补报伤亡变化", new_deaths=2, new_serious_injuries=2)
    assert w.engine.case(c).data["accident_grade"] == "一般"
    assert w.desk.names(c) == ["调查取证"]


def test_change_after_the_seven_day_window_for_road_accidents_keeps_the_grade(w):
    c = investigating(w, category="道路交通", accident_type="车辆伤害")
    advance(w, days=8)
    w.desk.do(c, "调查取证", investigate_action="补报伤亡变化", new_deaths=4, new_serious_injuries=2)
    data = w.engine.case(c).data
    assert data["accident_grade"] == "一般" and data["deaths"] == 1 and "超过补报期限" in data["supplement_note"]
    assert w.desk.names(c) == ["调查取证"]


def test_approval_extension_only_for_especially_serious_accidents_art32(w):
    """一般事故: 批复 within 15 days of receiving the report (submitted Mon 05-11 → 05-26); asking to
    extend is refused and the date stays; the 批复 becomes overdue when 05-26 ends."""
    c = investigating(w)
    w.desk.do(c, "调查取证")
    w.desk.do(c, "起草事故调查报告")
    assert w.engine.case(c).data["approval_due"] == "2026-05-26"
    w.desk.do(c, "批复事故调查报告", approval_decision="延长批复期限", approval_doc_no=None, approval_text=None,
              approval_extension_days=30, approval_opinion="需征求意见")
    data = w.engine.case(c).data
    assert data["approval_due"] == "2026-05-26" and "特别重大" in data["approval_extension_refused"]
    w.clock.set(dt.datetime(2026, 5, 26, 15, 59, tzinfo=dt.timezone.utc))
    w.engine.run_due_timers()
    assert w.desk.names(c) == ["批复事故调查报告"]
    w.clock.set(dt.datetime(2026, 5, 26, 16, 0, tzinfo=dt.timezone.utc))
    w.engine.run_due_timers()
    assert w.desk.names(c) == ["批复超期督办"]


def test_approval_returned_extended_once_and_escalated_when_late(w):
    """特别重大 (investigated at the 国务院 level): 30 days, one extension of at most 30 (条例 Art 32)."""
    c = investigating(w, deaths=30, local_level="国务院")
    assert w.engine.case(c).data["accident_grade"] == "特别重大"
    w.desk.do(c, "调查取证")
    w.desk.do(c, "起草事故调查报告")
    assert w.engine.case(c).data["approval_due"] == day(w, 30)
    w.desk.do(c, "批复事故调查报告", approval_decision="退回补充", approval_doc_no=None, approval_text=None,
              approval_opinion="补充技术分析")
    assert w.desk.names(c) == ["起草事故调查报告"]
    w.desk.do(c, "起草事故调查报告")
    due = w.engine.case(c).data["approval_due"]
    w.desk.do(c, "批复事故调查报告", approval_decision="延长批复期限", approval_doc_no=None, approval_text=None,
              approval_extension_days=30, approval_opinion="需征求意见")
    data = w.engine.case(c).data
    assert data["approval_due"] == (dt.date.fromisoformat(due) + dt.timedelta(days=30)).isoformat()
    w.desk.do(c, "批复事故调查报告", approval_decision="延长批复期限", approval_doc_no=None, approval_text=None,
              approval_extension_days=30, approval_opinion="再延")
    assert w.engine.case(c).data["approval_due"] == data["approval_due"]      # only once
    advance(w, days=61)
    assert w.desk.names(c) == ["批复超期督办"]
    assert w.desk.task(c, "批复超期督办").role_code == "safety_office"
    assert w.engine.case(c).escalation_level == 1
    w.desk.do(c, "批复超期督办")
    assert w.desk.names(c) == ["批复事故调查报告"]
    assert w.engine.case(c).data["approval_due"] == day(w, 5)


def test_late_publication_is_recorded(w):
    c = investigating(w)
    for step in ("调查取证", "起草事故调查报告", "批复事故调查报告", "落实处分和移送司法"):
        w.desk.do(c, step)
    w.desk.do(c, "跟踪整改措施落实", which=0)
    w.desk.do(c, "跟踪整改措施落实", which=0)
    advance(w, days=31)
    view = w.engine.case(c)
    assert "publish_late" in [ev["detail"]["timer"] for ev in view.history if ev["action"] == "reminded"]
    assert view.data.get("publish_late") is None or view.data["publish_late"] is True


def at_shanghai(day_text: str, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day_text}T{hh:02d}:{mm:02d}:00+08:00")


@pytest.mark.parametrize("minutes, late", [(60, False), (61, True)])
def test_unit_reports_within_one_hour_of_the_accident_art9(w, minutes, late):
    """条例第九条: the unit's head reports to the county bureau within 1 hour; later is 迟报 (recorded)."""
    occurred = at_shanghai(day(w), 8)
    c = reported(w, occurred_at=occurred.isoformat(),
                 reported_at=(occurred + dt.timedelta(minutes=minutes)).isoformat())
    assert w.engine.case(c).data["late_report"] is late


def test_each_level_reports_up_within_two_hours_art11(w):
    """条例第十一条: each level reports up within 2 hours of receiving the report; at 2 hours the leader steps in.
    (Received at 09:00, entered at once; tests/test_law_accident_regulation_art11.py: received earlier.)"""
    c = reported(w, occurred_at=at_shanghai(day(w), 8).isoformat(), reported_at=START.isoformat())
    task = w.desk.task(c, "逐级上报事故信息")
    assert task.due_at == START + dt.timedelta(hours=2)
    advance(w, minutes=119)
    assert w.desk.names(c) == ["逐级上报事故信息"] and w.engine.case(c).escalation_level == 0
    advance(w, minutes=1)
    assert w.desk.names(c) == ["超时上报督办"] and w.engine.case(c).escalation_level == 1


def test_investigation_report_due_60_days_after_the_accident_art29(w):
    """条例第二十九条: the report within 60 days of the accident (its day not counted): 05-11 → 07-10."""
    c = investigating(w)
    assert w.engine.case(c).data["report_due"] == "2026-07-10"
    w.clock.set(at_shanghai("2026-07-10", 23, 59))
    w.engine.run_due_timers()
    assert w.desk.names(c) == ["调查取证"] and w.engine.case(c).escalation_level == 0
    w.clock.set(at_shanghai("2026-07-11", 0))
    w.engine.run_due_timers()
    assert w.desk.names(c) == ["调查超期督办"] and w.engine.case(c).escalation_level == 1


def test_approval_within_15_days_of_receiving_the_report_art32(w):
    """条例第三十二条: 重大、较大、一般事故 approved within 15 days of receiving the report (05-11 → 05-26);
    the next day the 安委会办公室 supervises."""
    c = investigating(w)
    w.desk.do(c, "调查取证")
    w.desk.do(c, "起草事故调查报告")
    assert w.engine.case(c).data["approval_due"] == "2026-05-26"
    w.clock.set(at_shanghai("2026-05-26", 23, 59))
    w.engine.run_due_timers()
    assert w.desk.names(c) == ["批复事故调查报告"]
    w.clock.set(at_shanghai("2026-05-27", 0))
    w.engine.run_due_timers()
    assert w.desk.names(c) == ["批复超期督办"] and w.engine.case(c).escalation_level == 1


def test_report_published_within_30_days_of_the_approval_local_rule(w):
    """Publication of the approved report (local rule accident.publish_days, 30 days from 批复下达): the day
    after the 30th the lateness is recorded (a reminder, not an escalation)."""
    c = investigating(w)
    for step in ("调查取证", "起草事故调查报告", "批复事故调查报告"):
        w.desk.do(c, step)
    assert w.engine.case(c).data["publish_due"] == "2026-06-10"
    late = lambda: [ev for ev in w.engine.case(c).history  # noqa: E731
                    if ev["action"] == "reminded" and ev["detail"]["timer"] == "publish_late"]
    w.clock.set(at_shanghai("2026-06-10", 23, 59))
    w.engine.run_due_timers()
    assert late() == []
    w.clock.set(at_shanghai("2026-06-11", 0))
    w.engine.run_due_timers()
    assert len(late()) == 1 and w.engine.case(c).escalation_level == 0


def test_every_user_task_of_the_model_is_reached_by_a_test(request, database_url):
    """Stands on its own: any scenario above not yet run on this kind of database is run first, each on a
    fresh database (alone, after a subset, in any order; tests/process_support.py)."""
    assert user_tasks(PROCESS) - reached_by_each_scenario(request, REACHED, world, PROCESS) == set()
