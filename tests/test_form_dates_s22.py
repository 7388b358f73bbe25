"""A deadline a person sets is not a day already past (SQLite and PostgreSQL; page, API, engine).

整改期限, 督办期限, 限期… were accepted as any day: a 科长 who typed 「2026年11月1日」 as 新的整改期限 on
一般隐患逾期督促 set a deadline already missed, and the hazard was overdue again at the next sweep. The
forms had no clock. Now form validation is given the engine's clock (never the host's): a deadline
field (``fields.deadline``) before today is refused naming the field and today, on the page (what was
typed kept) and through the API (422). Today is the deadline's earliest day: an order to remove a
hazard reads 立即消除或者限期消除 (《安全生产法》第一百零二条), and 立即 is today.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from engine.clock import SHANGHAI
from tests.ui_support import (ACME as ACME_CODE, REGISTER_MAJOR, api_client, ROOT, START, client_login, csrf_of, make_world, open_task,
                              overdue_general_hazard, start_hazard)
from workflows.forms import FormError, registry
from workflows.forms.deadlines import FROM_TODAY

TODAY = "今天（2026年11月28日）"  # START (2026-11-23) + 5 days, in Beijing


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    yield w
    w.engine.dispose()


def _box(page: str, name: str) -> str:
    box = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>([^<]*)', page)
    assert box, f"no {name} box"
    value = re.search(r'value="([^"]*)"', box.group(0))
    return value.group(1) if value else box.group(1)


def test_a_past_new_rectify_deadline_typed_on_the_page_is_refused_and_nothing_is_lost(world):
    case_id = overdue_general_hazard(world)
    task = open_task(world.engine, case_id, "fix_overdue_review")
    client = client_login(world.app, "qian")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    refused = client.post(f"/tasks/{task.id}", data={
        "_csrf": csrf_of(page), "fix_overdue_decision": "继续限期整改", "fix_deadline": "2026年11月1日",
        "fix_overdue_opinion": "请于新的期限内完成整改"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert f"「新的整改期限」不能早于{TODAY}" in html
    assert _box(html, "fix_deadline") == "2026年11月1日"          # what was typed, kept
    assert "请于新的期限内完成整改" in html                          # and the opinion with it
    assert open_task(world.engine, case_id, "fix_overdue_review").state == "open"
    assert world.engine.case(case_id).data["fix_deadline"] == "2026-11-25"  # the missed one, unchanged


def test_a_past_deadline_through_the_api_is_a_422_naming_the_field(world):
    case_id = overdue_general_hazard(world)
    task = open_task(world.engine, case_id, "fix_overdue_review")
    client = api_client(world.app, world.engine, 'qian')
    refused = client.post(f"/api/tasks/{task.id}/complete", json={"data": {
        "fix_overdue_decision": "继续限期整改", "fix_deadline": "２０２６年１１月２７日"}})
    assert refused.status_code == 422, refused.get_json()
    assert f"「新的整改期限」不能早于{TODAY}" in str(refused.get_json())
    done = client.post(f"/api/tasks/{task.id}/complete", json={"data": {
        "fix_overdue_decision": "继续限期整改", "fix_deadline": "2026年12月5日"}})
    assert done.status_code == 200, done.get_json()
    assert world.engine.case(case_id).data["fix_deadline"] == "2026-12-05"


def test_art102_rectify_deadline_today_is_accepted_yesterday_refused_in_beijing_days(world):
    """《安全生产法》第一百零二条 立即消除或者限期消除: the earliest deadline is today (立即). Today is
    Beijing's day on the engine's clock: at 00:30 in Beijing on 11-29 it is still 11-28 in UTC, and
    11-28 is yesterday."""
    case_id = overdue_general_hazard(world)
    world.clock.set(datetime(2026, 11, 28, 16, 30, tzinfo=timezone.utc))  # 2026-11-29 00:30 Beijing
    task = open_task(world.engine, case_id, "fix_overdue_review")
    with pytest.raises(Exception) as refused:
        world.engine.complete(task.id, "qian", {"fix_overdue_decision": "继续限期整改", "fix_deadline": "2026-11-28"})
    assert refused.value.errors == {"fix_deadline": "「新的整改期限」不能早于今天（2026年11月29日）"}
    world.engine.complete(task.id, "qian", {"fix_overdue_decision": "继续限期整改", "fix_deadline": "2026-11-29"})
    assert world.engine.case(case_id).data["fix_deadline"] == "2026-11-29"


def test_today_is_the_engines_clock_not_the_hosts(world):
    """The world's clock stands at 2026-11-23 whatever day the host is on: 11-30 is ahead; moved to
    2027-03-01, 2027-02-26 (ahead of the host) is behind."""
    case = start_hazard(world.engine, title="东城配电箱防护缺失")
    register = open_task(world.engine, case.id, "register")
    general = dict(REGISTER_MAJOR, major_criterion=None, requires_shutdown=False)
    world.clock.set(datetime(2027, 3, 1, 1, 0, tzinfo=timezone.utc))
    with pytest.raises(Exception) as refused:
        world.engine.complete(register.id, "zhang", dict(general, fix_deadline="2027-02-26"))
    assert refused.value.errors == {"fix_deadline": "「一般隐患整改期限」不能早于今天（2027年3月1日）"}
    world.clock.set(START)
    world.engine.complete(register.id, "zhang", dict(general, fix_deadline="2026-11-30"))
    assert world.engine.case(case.id).data["fix_deadline"] == "2026-11-30"


# --- the forms themselves (no database) -------------------------------------------------------------

def test_a_past_deadline_is_named_with_the_forms_other_errors_at_once():
    with pytest.raises(FormError) as refused:
        registry.validate("hazard.propose", {"rectify_deadline": "2026年11月1日"}, today=date(2026, 12, 6))
    assert refused.value.errors["rectify_deadline"] == "「督办期限（整改完成时限）」不能早于今天（2026年12月6日）"
    assert refused.value.errors["responsible_unit"] == "此项为必填项"


def test_a_hearing_is_not_scheduled_for_a_day_past():
    """《行政处罚法》第六十四条第（二）项: the hearing's time is notified seven days before it."""
    data = {"hearing_host": "chu_tz", "hearing_place": "区应急管理局听证室", "hearing_notice_served_on": "2026-11-20"}
    with pytest.raises(FormError) as refused:
        registry.validate("enforcement.hearing_schedule", {**data, "hearing_at": "2026年12月5日 9:30"},
                          today=date(2026, 12, 6))
    assert refused.value.errors == {"hearing_at": "「听证时间」不能早于今天（2026年12月6日）"}
    kept = registry.validate("enforcement.hearing_schedule", {**data, "hearing_at": "2026年12月14日 9:30"},
                             today=date(2026, 12, 6))
    assert kept["hearing_at"] == "2026-12-14T09:30:00+08:00"


def test_a_record_of_what_happened_may_be_a_past_day():
    """复查日期 and 听证日期 record a day already lived (现场复查, 听证会): not deadlines."""
    reach = registry.schema("hazard.onsite_review").fields
    assert FROM_TODAY not in reach["reviewed_on"].metadata
    assert FROM_TODAY not in registry.schema("enforcement.hearing_report").fields["hearing_held_on"].metadata


def test_every_deadline_field_of_every_form_is_held_to_today():
    """A date field labelled as a deadline (期限, 限期, 延长至) in any form: a new one added without
    ``fields.deadline`` fails here. Each names its basis (its law or rule)."""
    unmarked, marked = [], 0
    for key in registry.keys():
        for name, field in registry.schema(key).fields.items():
            label = field.metadata.get("label", "")
            if field.metadata.get("kind") != "date" or not re.search("期限|限期|延长至", label):
                continue
            basis = field.metadata.get(FROM_TODAY)
            if not basis:
                unmarked.append(f"{key}.{name} {label}")
            else:
                marked += 1
                assert "《" in basis or "令第" in basis or "督办" in basis, basis
    assert not unmarked
    assert marked >= 20


# --- an escalation's own 办理期限 (bpmn/: the 督办 tasks of a section head) ------------------------

def test_precheck_escalation_has_its_own_deadline_order18_five_more_working_days(world):
    """应急管理部令第18号；《行政处罚法》第五十四条: 初步核查 in 5 working days, 5 more with approval. The
    科室负责人's 初查超期督办 had no 办理期限 (the queue showed —, the board never listed it): now it is
    due when the 5 more working days run out (11-30 + 5 working days = 12-07), on the queue and,
    once missed, on the board."""
    case = world.engine.start("enforcement_case", by="zhang", party=ACME_CODE, title="甲化工未按规定检测报警装置案")
    assert open_task(world.engine, case.id, "intake").due_at is not None
    world.clock.advance(days=8)                      # 2026-12-01: the 5 working days (to 11-30) have run out
    world.engine.run_due_timers()
    task = open_task(world.engine, case.id, "precheck_escalated")
    assert task.role_code == "supervisor"
    assert task.due_at.astimezone(SHANGHAI) == datetime(2026, 12, 8, tzinfo=SHANGHAI)  # the end of 12-07
    client = client_login(world.app, "qian")
    queue = client.get("/tasks/group?role=supervisor").get_data(as_text=True)
    row = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*初查超期督办(?:(?!</tr>).)*</tr>', queue, re.S).group(0)
    assert "2026年12月7日" in row, row
    world.clock.advance(days=7)                      # 2026-12-08: missed
    board = client.get("/supervise/overdue").get_data(as_text=True)
    listed = re.search(r'id="overdue-tasks".*?</table>', board, re.S).group(0)
    assert "初查超期督办" in listed and "2026年12月7日" in listed


def test_an_escalation_no_law_times_says_so_and_has_no_deadline():
    """一般隐患逾期督促, 复查超期督办…: no law gives them a period of their own; their documentation says
    so, and they carry no dueDate (the walk of tests/test_deadline_documentation.py)."""
    from lxml import etree
    b = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    root = etree.parse(str(ROOT / "bpmn" / "hazard_supervision.bpmn")).getroot()
    for element in ("fix_overdue_review", "review_escalated"):
        task = next(t for t in root.iter(f"{b}userTask") if t.get("id") == element)
        assert "不设办理期限" in task.find(f"{b}documentation").text
        assert not any(p.get("name") == "dueDate" for p in task.iter())


def test_a_measures_completion_deadline_is_named_by_its_row():
    """条例第三十三条: the report's 整改和防范措施 are carried out after it; a row's 完成时限 already past
    is refused naming the table, the row and the column, with the other rows kept."""
    from workflows.forms.samples import sample
    data = sample("accident.report", date(2026, 12, 6))
    data["measures"] = [{"measure": "全面校验安全阀", "owner": "甲化工有限公司", "due_date": "2026年12月31日"},
                        {"measure": "开展全员安全培训", "owner": "甲化工有限公司", "due_date": "2026年12月5日"}]
    with pytest.raises(FormError) as refused:
        registry.validate("accident.report", data, today=date(2026, 12, 6))
    assert refused.value.errors == {"measures.1.due_date": "「整改和防范措施」第2行「完成时限」不能早于今天（2026年12月6日）"}
    data["measures"][1]["due_date"] = "2026-12-06"
    assert registry.validate("accident.report", data, today=date(2026, 12, 6))["measures"][1]["due_date"] == "2026-12-06"
