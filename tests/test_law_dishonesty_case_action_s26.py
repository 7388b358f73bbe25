"""撤销提前移出 as a case action (fifth legal audit, 2026-12-07; 应急管理部令第11号, as 山西省应急管理厅《安全生产
严重失信主体名单管理制度》2024 copies it: 发现申请提前移出存在隐瞒真实情况、弄虚作假情形的，应当撤销提前移出决定，
恢复列入状态).

Until the original term ends — up to two years after an early removal — the case may be revoked, and usually
never is. Before, 撤销提前移出呈批 sat all that time in the 组待办 of every 执法人员 of the unit, with no due date.
Now the case waits for the message 撤销提前移出 (a receive task marked ``caseAction``, webui/case_actions.py):
no pool holds anything, the case page offers the button to the 执法人员 of the case's own unit, and the one
who presses it (confirmed, POST with CSRF) gets the 呈批; the 分管领导's decision follows as before
(tests/test_law_dishonesty_order11_s25.py walks it through the engine).
"""
from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from engine.clock import SHANGHAI
from tests.ui_support import ACME, LiveServer, browser, client_login, close_context, logged_in_page, make_world  # noqa: F401
from workflows.demo import Desk
from workflows.forms.dishonesty import GROUNDS, example
from workflows.forms.samples import sample

BUTTON = 'data-action="watch_revoke"'


def _do(w, case_id: int, name: str, user: str | None = None, **changes) -> None:
    task = w.desk.task(case_id, name)
    today = w.desk.today()
    data = example(task.form_key, today) if task.form_key.startswith("dishonesty.") else sample(task.form_key, today)
    data.update(changes)
    w.engine.complete(task.id, user or w.desk.user_for(task), data)


def _at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), SHANGHAI)


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    url = module_database_url
    w = make_world(tmp_path_factory.mktemp("case-action"), url=None if url.startswith("sqlite") else url)
    yield SimpleNamespace(engine=w.engine, clock=w.clock, app=w.app, desk=Desk(w.engine))
    w.engine.dispose()


def _removed_early(w) -> int:
    """A listing of 甲化工 in 东区 (east) decided 2026-11-23, removed early on 2027-11-23."""
    w.clock.set(_at("2026-11-23"))
    c = w.engine.start("dishonesty_list", by="zhang", org="east", party=ACME, title="甲化工拟列入严重失信主体名单",
                       data={"ground": GROUNDS[0], "credit_code": ACME}).id
    for step in ("拟列入呈批", "审核拟列入", "送达拟列入告知书", "陈述申辩（提出异议）", "复核异议", "作出列入决定",
                 "制作并送达列入决定书", "公开严重失信主体信息"):
        _do(w, c, step, **({"credit_code": ACME} if step == "拟列入呈批" else {}))
    w.clock.set(_at("2027-11-23"))
    for step in ("申请信用修复（提前移出）", "核查信用修复申请", "审批提前移出"):
        _do(w, c, step)
    view = w.engine.case(c)
    assert (view.status, view.data["listing_status"], view.data["removed_on"]) == ("running", "已移出", "2027-11-23")
    return c


def test_after_an_early_removal_no_pool_holds_the_revocation_and_only_the_units_inspectors_are_offered_it_order11(
        world):
    c = _removed_early(world)
    assert world.engine.case(c).tasks == []
    for who in ("zhang", "li", "qian", "sun"):                      # nobody's 待办 holds it, for two years
        assert [t for t in world.engine.queue(who, limit=500) if t.case_id == c] == []

    # the 执法人员 of the case's unit (东区) are offered it on the case page, with a confirmation
    page = client_login(world.app, "zhang").get(f"/cases/{c}").get_data(as_text=True)
    assert BUTTON in page and "确认撤销提前移出" in page and "确定要对本案件发起「撤销提前移出」吗" in page
    assert "revoke_early_removal" not in page and "inspector" not in page   # no message name nor role key shown
    assert BUTTON in client_login(world.app, "li").get(f"/cases/{c}").get_data(as_text=True)
    # not to the section head or leader of the unit, nor to the city's supervisor above it, nor the enterprise
    for who in ("qian", "sun", "zhao", "acme"):
        response = client_login(world.app, who).get(f"/cases/{c}")
        assert response.status_code in (200, 403, 404) and BUTTON not in response.get_data(as_text=True), who
    # another unit's inspector cannot open the case at all
    assert client_login(world.app, "wang").get(f"/cases/{c}").status_code in (403, 404)

    # pressing it without the right role is refused in Chinese and changes nothing
    qian = client_login(world.app, "qian")
    refused = qian.post(f"/cases/{c}/actions/watch_revoke", data={"_csrf": qian.csrf})
    assert refused.status_code == 403 and "本单位相应岗位" in refused.get_data(as_text=True)
    assert world.engine.case(c).tasks == []
    # nor without the form's token
    li = client_login(world.app, "li")
    assert li.post(f"/cases/{c}/actions/watch_revoke", data={}).status_code in (400, 403)
    assert world.engine.case(c).tasks == []


def test_the_inspector_who_presses_it_gets_the_proposal_and_the_decision_follows_as_before_order11(world):
    c = _removed_early(world)
    world.clock.set(_at("2028-03-15"))
    li = client_login(world.app, "li")
    response = li.post(f"/cases/{c}/actions/watch_revoke", data={"_csrf": li.csrf}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "已发起「撤销提前移出」" in page and BUTTON not in page
    task = world.desk.task(c, "撤销提前移出呈批")
    assert (task.role_code, task.assignee) == ("inspector", "li")    # the one who found the fraud
    assert BUTTON not in client_login(world.app, "zhang").get(f"/cases/{c}").get_data(as_text=True)
    # pressed again (a second tab) once the case no longer waits: refused, nothing doubled
    again = li.post(f"/cases/{c}/actions/watch_revoke", data={"_csrf": li.csrf})
    assert again.status_code == 403 and len(world.engine.case(c).tasks) == 1

    _do(world, c, "撤销提前移出呈批", user="li")
    _do(world, c, "撤销提前移出决定", revoke_decision="不同意", revoke_opinion="证据不足，继续核查")
    assert world.engine.case(c).tasks == []                          # back to the watch, still nobody's 待办
    assert BUTTON in client_login(world.app, "zhang").get(f"/cases/{c}").get_data(as_text=True)
    zhang = client_login(world.app, "zhang")
    zhang.post(f"/cases/{c}/actions/watch_revoke", data={"_csrf": zhang.csrf})
    assert world.desk.task(c, "撤销提前移出呈批").assignee == "zhang"
    _do(world, c, "撤销提前移出呈批", user="zhang")
    _do(world, c, "撤销提前移出决定")
    view = world.engine.case(c)
    assert (view.data["listing_status"], view.data["revoked_removal_on"]) == ("公开中", "2027-11-23")
    assert view.data["listing_ends_on"] == "2029-11-23" and view.tasks == []
    assert not re.search(BUTTON, client_login(world.app, "zhang").get(f"/cases/{c}").get_data(as_text=True))


def test_the_button_asks_before_it_sends_in_the_browser_order11(world, browser, module_database_url):
    """In Chromium: 「撤销提前移出」 opens the confirmation; only 「确认撤销提前移出」 sends the message."""
    if not module_database_url.startswith("sqlite"):
        pytest.skip("the page is the same on PostgreSQL; the engine's side is tested above on both")
    from playwright.sync_api import expect

    c = _removed_early(world)
    with LiveServer(world.app) as server:
        page = logged_in_page(browser, server, "zhang", 1280)
        try:
            page.goto(f"{server.url}/cases/{c}")
            action = page.locator('details.case-action[data-action="watch_revoke"]')
            confirm = action.get_by_role("button", name="确认撤销提前移出")
            expect(confirm).to_be_hidden()
            action.locator("summary").click()                       # opening it sends nothing
            expect(confirm).to_be_visible()
            assert world.engine.case(c).tasks == []
            confirm.click()
            expect(page.get_by_text("已发起「撤销提前移出」")).to_be_visible()
            expect(page.locator("details.case-action")).to_have_count(0)
            assert world.desk.task(c, "撤销提前移出呈批").assignee == "zhang"
        finally:
            close_context(page.context)


GENERAL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="Definitions_case_action" targetNamespace="http://duban.local/test">
  <bpmn:process id="case_action_esp" name="补充证据操作" isExecutable="true">
    <bpmn:startEvent id="Start" name="立案"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Inquire" name="调查取证" camunda:candidateGroups="inspector">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="End" name="结案"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Inquire" />
    <bpmn:sequenceFlow id="F2" sourceRef="Inquire" targetRef="End" />
    <bpmn:subProcess id="Extra" name="补充证据" triggeredByEvent="true">
      <bpmn:startEvent id="ExtraStart" name="提交补充证据" isInterrupting="false">
        <bpmn:extensionElements><spiffworkflow:properties>
          <spiffworkflow:property name="caseAction" value="执法人员" />
          <spiffworkflow:property name="caseActionBy" value="extra_by" />
        </spiffworkflow:properties></bpmn:extensionElements>
        <bpmn:outgoing>F3</bpmn:outgoing>
        <bpmn:messageEventDefinition id="ExtraMessage" messageRef="Message_extra" />
      </bpmn:startEvent>
      <bpmn:userTask id="Check" name="核查补充证据" camunda:assignee="${extra_by}">
        <bpmn:incoming>F3</bpmn:incoming><bpmn:outgoing>F4</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="ExtraEnd" name="核查完毕"><bpmn:incoming>F4</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="F3" sourceRef="ExtraStart" targetRef="Check" />
      <bpmn:sequenceFlow id="F4" sourceRef="Check" targetRef="ExtraEnd" />
    </bpmn:subProcess>
  </bpmn:process>
  <bpmn:message id="Message_extra" name="extra_evidence" />
</bpmn:definitions>
"""


def test_any_model_may_offer_a_waiting_message_event_subprocess_as_a_case_action(world):
    """The mechanism is the model's, not the dishonesty list's: a non-interrupting message event sub-process
    marked caseAction = 执法人员 (a role's Chinese name) is offered while the case runs, and pressing it starts
    the sub-process for the one who pressed it, as often as it is pressed."""
    world.engine.deploy(GENERAL.encode("utf-8"), by="zhao", filename="case_action_esp.bpmn")
    c = world.engine.start("case_action_esp", by="zhang", org="east", title="补充证据操作").id
    zhang = client_login(world.app, "zhang")
    page = zhang.get(f"/cases/{c}").get_data(as_text=True)
    assert 'data-action="ExtraStart"' in page and "确认提交补充证据" in page
    assert 'data-action="ExtraStart"' not in client_login(world.app, "qian").get(f"/cases/{c}").get_data(as_text=True)
    for _ in range(2):
        assert zhang.post(f"/cases/{c}/actions/ExtraStart", data={"_csrf": zhang.csrf}).status_code == 302
    checks = [t for t in world.engine.case(c).tasks if t.name == "核查补充证据"]
    assert [t.assignee for t in checks] == ["zhang", "zhang"]
    # once the case has ended it waits for nothing: no button, and a press is refused
    world.engine.complete(world.desk.task(c, "调查取证").id, "li", {})
    for t in checks:
        world.engine.complete(t.id, "zhang", {})
    assert world.engine.case(c).status == "completed"
    assert 'data-action="ExtraStart"' not in zhang.get(f"/cases/{c}").get_data(as_text=True)
    assert zhang.post(f"/cases/{c}/actions/ExtraStart", data={"_csrf": zhang.csrf}).status_code == 403
