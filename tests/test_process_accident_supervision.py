"""事故查处挂牌督办 walked through the engine (SQLite and PostgreSQL), one world per module. Sources: 常州
2012 (seed 001) "分级挂牌督办", "警示通报、诫勉约谈和现场分析制度"; 下原镇 2019 (seed 004) "事故挂牌督办、警示通报、
诫勉约谈制度"; 国务院令第493号第二十九条 (调查报告60日)."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import Conflict, Forbidden
from workflows.accident_supervision import list_accident
from workflows.demo import CHEMICAL
from workflows.documents import render
from tests.process_support import advance, day, process_world, user_tasks, reached_by_every_scenario

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
PROCESS = "accident_supervision"


def world(database_url):
    yield from process_world(database_url, PROCESS, None, START)


@pytest.fixture(scope="module")
def w(module_database_url):
    yield from world(module_database_url)


def listed(w, deaths=3) -> int:
    accident = w.desk.start("accident_investigation", by="sun_qi", org="dongcheng", party=CHEMICAL).id
    w.desk.do(accident, "事故信息接报", deaths=deaths)
    c = list_accident(w.engine, "shi_jz", accident).id
    task = w.desk.task(c, "决定挂牌督办")
    assert task.assignee == "shi_jz"                          # the superior bureau decides the listing
    with pytest.raises((Forbidden, Conflict)):                 # not the district's own director
        w.engine.complete(task.id, "feng_jz", {})
    w.desk.do(c, "决定挂牌督办")
    return c


def test_a_serious_accident_is_listed_reported_on_warned_about_and_its_principals_admonished_seed_001_004(w):
    c = listed(w, deaths=3)
    data = w.engine.case(c).data
    assert data["accident_grade"] == "较大" and data["warning_required"] is True
    report = w.desk.task(c, "报送调查进展")
    assert report.role_code == "investigator" and report.org_code == "dongcheng"
    assert report.due_at == dt.datetime.fromisoformat(f"{day(w, 16)}T00:00:00+08:00")   # every 15 days
    w.desk.do(c, "报送调查进展")
    assert w.desk.names(c) == ["报送调查进展"] and w.engine.case(c).data["reports_made"] == 1
    w.desk.do(c, "报送调查进展", investigation_approved=True, approved_on=day(w), approval_no="示政函〔2026〕5号")
    w.desk.do(c, "发布事故警示通报")
    notice = render("accident_supervision.warning", w.engine.case(c).data, issuer="示范市应急管理局")
    assert "较大生产安全事故" in notice and "3人死亡" in notice and "示应急督〔2026〕3号" in notice
    interview = w.desk.task(c, "诫勉约谈企业主要负责人")
    assert interview.role_code == "leader"
    w.desk.do(c, "诫勉约谈企业主要负责人")
    assert "约谈纪要" not in w.engine.case(c).data and w.engine.case(c).data["interview_minutes"]
    w.desk.do(c, "审核摘牌")
    assert w.engine.case(c).status == "completed"


def test_a_missed_progress_report_goes_to_the_superior_as_for_hazards(w):
    c = listed(w, deaths=1)
    assert w.engine.case(c).data["warning_required"] is False     # 一般: no 警示通报
    advance(w, days=15)
    assert w.desk.names(c) == ["报送调查进展"]                    # the 15th day is still in time
    advance(w, days=1)
    view = w.engine.case(c)
    assert w.desk.names(c) == ["督促报送调查进展"] and view.escalation_level == 1
    assert w.desk.task(c, "督促报送调查进展").assignee == "shi_jz"
    w.desk.do(c, "督促报送调查进展")
    assert w.desk.task(c, "报送调查进展").due_at == dt.datetime.fromisoformat(f"{day(w, 4)}T00:00:00+08:00")
    w.desk.do(c, "报送调查进展", investigation_approved=True, approved_on=day(w), approval_no="示政函〔2026〕5号")
    assert w.desk.names(c) == ["诫勉约谈企业主要负责人"]


def test_every_user_task_of_the_model_is_reached_by_a_test(request, w):
    """Stands on its own: any scenario above not yet run on this database is walked on a world of its
    own first (alone, after a subset, in any order; tests/process_support.py)."""
    assert user_tasks(PROCESS) - reached_by_every_scenario(request, w, world, PROCESS) == set()
