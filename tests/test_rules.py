"""Local rules by effective date (workflows/rules.py) and the administrator's page (webui/rules.py).

A case uses the version in force on the day its clock started: a hazard listed before a new
rectification-plan rule keeps 15 days, one listed from its first day gets the new value.
"""
from __future__ import annotations

import datetime as dt

import pytest

from workflows import rules
from workflows.demo import CHEMICAL
from tests.process_support import advance, process_world
from tests.ui_support import client_login, make_world
from webui.rules import parse_day

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
TO_PLAN = ["登记隐患", "提出挂牌督办建议", "审核挂牌建议", "批准挂牌督办"]


@pytest.fixture
def w(database_url):
    yield from process_world(database_url, "hazard_supervision", set(), START)


def listed(w) -> dict:
    c = w.desk.start("hazard_supervision", by="zhang_san", org="dongcheng", party=CHEMICAL).id
    for step in TO_PLAN:
        w.desk.do(c, step)
    return w.engine.case(c).data


def test_a_case_keeps_the_plan_period_in_force_when_it_was_listed(w):
    store = w.engine.rule_store
    store.add("hazard.plan_due_days", dt.date(2026, 5, 12), "２０", by="admin", note="示范省挂牌督办办法修订")
    assert listed(w)["plan_due"] == "2026-05-26"                 # listed 05-11: old rule, 15 days
    advance(w, days=1)
    assert listed(w)["plan_due"] == "2026-06-01"                 # listed 05-12: new rule, 20 days


def test_penalty_rules_change_on_2026_02_01_as_two_versions_of_one_rule():
    assert rules.in_force("penalty.case_limit_days", "2026-01-31")["base"] == 30
    assert rules.in_force("penalty.case_limit_days", "2026-02-01")["base"] == 90
    assert "第18号" in rules.source("penalty.statement_workdays", "2026-02-01")


def test_national_rules_are_not_editable_and_values_are_checked(w):
    store = w.engine.rule_store
    with pytest.raises(ValueError, match="不能在本系统修改"):
        store.add("penalty.case_limit_days", dt.date(2027, 1, 1), 60, by="admin")
    with pytest.raises(ValueError, match="应为整数"):
        store.add("hazard.plan_due_days", dt.date(2027, 1, 1), "半个月", by="admin")
    with pytest.raises(ValueError, match="分数"):
        store.add("enforcement.quorum", dt.date(2027, 1, 1), "三分之二", by="admin")
    row = store.add("enforcement.quorum", dt.date(2027, 1, 1), "３／４", by="admin")
    assert (row.old_value, row.value) == ('"2/3"', '"3/4"')


def rectifying(w, **propose) -> int:
    c = w.desk.start("hazard_supervision", by="zhang_san", org="dongcheng", party=CHEMICAL).id
    for step in TO_PLAN + ["下达挂牌督办通知书并公开", "提交整改方案（双报告）", "审查整改方案"]:
        w.desk.do(c, step, **(propose if step == "提出挂牌督办建议" else {}))
    return c


def test_overdue_ladder_order_is_a_local_rule_checked_against_art70_and_art112(w):
    """The order of the first five measures is local (地方挂牌督办办法); a case keeps the order in force on
    the day it was listed; an order that cuts power or fines daily before 责令停产停业整顿并处罚款 is refused."""
    store = w.engine.rule_store
    with pytest.raises(ValueError, match="第七十条"):
        store.add("hazard.ladder_order", dt.date(2026, 5, 12), "约谈警示、停止供电、责令停产停业整顿并处罚款", by="admin")
    with pytest.raises(ValueError, match="第一百一十二条"):
        store.add("hazard.ladder_order", dt.date(2026, 5, 12), "按日连续处罚、责令停产停业整顿并处罚款", by="admin")
    with pytest.raises(ValueError, match="未知的升级措施：罚站"):
        store.add("hazard.ladder_order", dt.date(2026, 5, 12), "罚站", by="admin")
    row = store.add("hazard.ladder_order", dt.date(2026, 5, 12), "公开曝光，约谈警示，责令停产停业整顿并处罚款",
                    by="admin", note="示范省挂牌督办办法修订")
    assert row.value == '"公开曝光、约谈警示、责令停产停业整顿并处罚款"'
    before = rectifying(w, rectify_deadline=(w.desk.today() + dt.timedelta(days=10)).isoformat())  # 05-11
    advance(w, days=1)
    after = rectifying(w, rectify_deadline=(w.desk.today() + dt.timedelta(days=9)).isoformat())    # 05-12
    advance(w, days=10)                                          # both deadlines (05-21) lapsed
    assert w.engine.case(before).data["overdue_rung"] == "interview" and "约谈企业主要负责人" in w.desk.names(before)
    assert w.engine.case(after).data["overdue_rung"] == "expose" and "公开曝光" in w.desk.names(after)


def test_third_party_assessment_required_by_local_rule_art18_order16(w):
    """原总局令第16号第十八条: the enterprise may assess itself; a local rule may require a third party."""
    w.engine.rule_store.add("hazard.assessment_mode", dt.date(2026, 5, 11), "一律委托第三方评估", by="admin")
    with pytest.raises(ValueError, match="企业自行选择或一律委托第三方评估"):
        w.engine.rule_store.add("hazard.assessment_mode", dt.date(2026, 6, 1), "随便", by="admin")
    c = rectifying(w)
    w.desk.do(c, "实施整改", assessment_mode="自行评估")
    assert w.desk.names(c) == ["第三方评估整改效果"]


@pytest.mark.parametrize("text, day", [("2026-11-01", dt.date(2026, 11, 1)), ("2026年11月1日", dt.date(2026, 11, 1)),
                                       ("２０２６／１１／０１", dt.date(2026, 11, 1))])
def test_effective_dates_as_officials_type_them(text, day):
    assert parse_day(text) == day


def test_rules_page_for_administrators_with_audited_changes(tmp_path):
    from werkzeug.security import generate_password_hash
    world = make_world(tmp_path)
    try:
        world.engine.directory.add_user("root", org="city", roles=["admin"], name="系统管理员",
                                        password_hash=generate_password_hash("anquan-2026"))
        admin = client_login(world.app, "root")
        page = admin.get("/admin/rules").get_data(as_text=True)
        assert "整改方案报送期限（挂牌后）" in page and "办案期限（立案至作出处罚决定）" in page and ">hazard." not in page   # keys only in attributes
        response = admin.post("/admin/rules", data={"key": "hazard.plan_due_days", "effective_from": "2027年1月1日",
                                                    "value": "20", "note": "省办法修订", "_csrf": admin.csrf})
        assert response.status_code == 302
        page = admin.get("/admin/rules").get_data(as_text=True)
        assert "15 → 20" in page and "系统管理员" in page and "2027年1月1日" in page
        bad = admin.post("/admin/rules", data={"key": "hazard.plan_due_days", "effective_from": "明年",
                                               "value": "20", "_csrf": admin.csrf}, follow_redirects=True)
        assert "生效日期格式" in bad.get_data(as_text=True)
        # 输入有误不丢数据: the page again (400) with the rule chosen and everything typed kept
        bad = admin.post("/admin/rules", data={"key": "hearing.large_fine_unit", "effective_from": "2027年1月1日",
                                               "value": "五万左右", "note": "示范省听证办法第三条", "_csrf": admin.csrf})
        body = bad.get_data(as_text=True)
        assert bad.status_code == 400 and "未保存" in body
        assert 'value="hearing.large_fine_unit" selected' in body
        assert 'value="五万左右"' in body and 'value="2027年1月1日"' in body and 'value="示范省听证办法第三条"' in body
        assert "100,000 元" in body and "100000" not in body.split('id="rules"')[1].split("</table>")[0]
        inspector = client_login(world.app, "zhang")
        assert inspector.get("/admin/rules").status_code == 403
    finally:
        world.engine.dispose()
