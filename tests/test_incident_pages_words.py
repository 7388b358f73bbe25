"""The incident page (异常事件) and its retry form as a 科室负责人 meets them, with models drawn elsewhere.

A model from Camunda Modeler, Flowable or Zeebe has no form of ours; when its step fails, the retry
form asks for the values the failure needs. Each box is labelled in Chinese — the model's own label
of the value (a Camunda ``formField``'s label), else what the value is to the failed step
(「复查 整改情况」用到的数据) — never the variable name, which stays in the box's tooltip for a
designer. A gateway with no way out and a case stalled at a conditional event ask for the values
their conditions read, 是/否 where the condition reads one; a timer whose expression cannot be
computed says so (not 条件); an incident with nothing to correct shows no empty form; a drawn form's
required field left empty is refused by its label alone. Real engine (workflows.runtime), real SQLite file, the corpus files of
tests/bpmn/interop, Flask's test client.
"""
from __future__ import annotations

import re

import pytest

from engine.errors import IncidentRaised
from tests.interop_support import CORPUS
from tests.ui_support import client_login, make_world, open_task


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path)
    yield w
    w.engine.dispose()


def visible(html: str) -> str:
    """What a person reads: no tags, attributes (the tooltips), scripts, nor the administrators' raw
    error text."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<details class="admin-only">.*?</details>', " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def incident_row(html: str, incident_id: int) -> str:
    return re.search(rf'<tr data-incident="{incident_id}">(.*?)</tr>', html, re.S).group(1)


def box_labels(row: str) -> dict[str, tuple[str, str]]:
    """Input name -> (the label a person reads, its tooltip)."""
    found = {}
    for m in re.finditer(r'<label class="label" for="f-([^"]+)"(?: title="([^"]*)")?>(.*?)</label>', row, re.S):
        found[m.group(1)] = (visible(m.group(3)).rstrip("*").strip(), m.group(2) or "")
    return found


def submitted_empty(world, filename: str, element: str):
    """Deploy the corpus file, start a case of it in 东城 and submit ``element`` empty, which fails:
    (the case, its incident, 钱科长 logged in, the incident's row on his 异常事件 page)."""
    e = world.engine
    key = filename.removesuffix(".bpmn")
    e.deploy(CORPUS / filename, by="zhao")
    case = e.start(key, by="zhang", org="east", title="甲公司" + key)
    with pytest.raises(IncidentRaised):
        e.complete(open_task(e, case.id, element).id, "zhang", {})
    (incident,) = e.incidents(case_id=case.id)
    qian = client_login(world.app, "qian")
    return case, incident, qian, incident_row(qian.get("/supervise/incidents").get_data(as_text=True), incident.id)


def retried(qian, incident, **values) -> str:
    response = qian.post(f"/supervise/incidents/{incident.id}/retry", data={"_csrf": qian.csrf, **values},
                         follow_redirects=True)
    return visible(response.get_data(as_text=True))


def test_a_stalled_case_asks_for_the_values_its_event_waits_on_by_their_drawn_labels(world):
    """camunda7_conditional_wait: 整改到位 waits on ``${rectified == true && score >= 60}``; 复查整改情况
    submitted empty leaves the case stalled. The retry form asks 是否整改到位 (是/否) and 复查得分 — the
    labels of the task's Camunda form — and the retry with them (full-width digits as typed) ends the case."""
    case, incident, qian, row = submitted_empty(world, "camunda7_conditional_wait.bpmn", "Activity_0recheck")
    assert box_labels(row) == {"rectified": ("是否整改到位", ""), "score": ("复查得分", "")}
    assert 'type="radio" name="rectified" value="true"' in row  # asked as 是/否, not typed
    assert not re.search(r"rectified|score", visible(row))
    assert "已重试成功" in retried(qian, incident, rectified="true", score="８５")
    assert world.engine.case(case.id).status == "completed"


def test_a_value_nothing_labels_is_described_by_its_step_and_named_only_in_the_tooltip(world):
    """camunda7_io_shadowing starts with 复查整改情况, whose input reads ``deadline_days``: started
    without it, the start fails. No form, data object or input of the model labels it, so the box says
    what it is to the step that failed; the variable name is only the tooltip. The retry with 30 typed
    in full-width digits starts the case."""
    e = world.engine
    e.deploy(CORPUS / "camunda7_io_shadowing.bpmn", by="zhao")
    with pytest.raises(IncidentRaised):
        e.start("camunda7_io_shadowing", by="zhang", org="east", title="乙公司复查")
    (incident,) = [i for i in e.incidents() if i.action == "start"]
    qian = client_login(world.app, "qian")
    row = incident_row(qian.get("/supervise/incidents").get_data(as_text=True), incident.id)
    assert box_labels(row) == {"deadline_days": ("「复查 整改情况」用到的数据", "模型中的名称：deadline_days")}
    assert "deadline_days" not in visible(row) and "模型中名为" not in row
    assert "已重试成功" in retried(qian, incident, deadline_days="３０")
    (case,) = e.cases(process_key="camunda7_io_shadowing")
    # the task's input (deadline_days + 15) read the 30 as a number; the open task shows its own value
    assert e.case(case.id).data["deadline_days"] == 45 and not e.incidents()


def test_a_condition_that_cannot_be_evaluated_asks_for_what_it_reads_as_yes_or_no(world):
    """errors_escalation (bpmn.io): 企业配合？ reads ``refused == True``; 进入现场 submitted empty leaves it
    unreadable. The form asks for ``refused`` — nothing in the model labels it: by the gateway's name,
    as 是/否 since the condition reads it so; 是 takes 拒绝检查, whose error ends the subprocess into 拒检立案."""
    case, incident, qian, row = submitted_empty(world, "errors_escalation.bpmn", "enter")
    assert box_labels(row) == {"refused": ("「企业配合？」用到的数据", "模型中的名称：refused")}
    assert 'type="radio" name="refused" value="true"' in row and "refused" not in visible(row)
    assert "已重试成功" in retried(qian, incident, refused="true")
    assert [t.spec_id for t in world.engine.case(case.id).tasks] == ["penalty"]


def test_a_camunda8_task_whose_form_stays_local_asks_nothing_it_could_not_pass_on(world):
    """zeebe_null_and_ranges: 登记隐患信息 maps only ``phone`` out (zeebe:output), so what its form
    sets never reaches the case; 隐患等级？ has no way out without start data. The row explains, and
    offers 重试 without boxes for the gateway's values, which a retry of that task could not set."""
    _, _, _, row = submitted_empty(world, "zeebe_null_and_ranges.bpmn", "Activity_0h4j5k6")
    assert "排他网关「隐患等级？」的条件都不成立" in visible(row)
    assert box_labels(row) == {} and "修正提交数据" not in row


def test_an_incident_with_nothing_to_correct_offers_no_empty_form(world):
    """flowable_leave: the countersign's collection of approvers is missing (a list of people, not a
    value typed in a box): the row explains and offers 重试, without an empty 修正提交数据 section."""
    _, _, _, row = submitted_empty(world, "flowable_leave.bpmn", "sid-4F1C2A7B-3D5E-4B8A-9C1D-2E3F4A5B6C7D")
    assert "重试" in visible(row) and "多实例任务「科室负责人会签」的集合没有值" in visible(row)
    assert "修正提交数据" not in row


def test_a_timer_whose_duration_cannot_be_computed_says_it_is_the_timer_and_asks_for_a_time(world):
    """camunda7_boundary_timers with 逾期10日's duration drawn as ``${rectify_days}`` (a JUEL expression
    Camunda Modeler writes): started without it, the start fails at the timer. The row says the
    timer's 期限 could not be computed — not a 条件 — and asks for the value in a text box (a duration
    is no 是/否); P5D typed there starts the case with its overdue timer armed."""
    e = world.engine
    drawn = (CORPUS / "camunda7_boundary_timers.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P10D<', '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${rectify_days}<')
    e.deploy(drawn.encode(), by="zhao", filename="overdue_by_days.bpmn")
    with pytest.raises(IncidentRaised):
        e.start("camunda7_boundary_timers", by="zhang", org="east", title="戊公司限期整改")
    (incident,) = e.incidents()
    qian = client_login(world.app, "qian")
    row = incident_row(qian.get("/supervise/incidents").get_data(as_text=True), incident.id)
    assert ("环节“逾期10日”出错：定时器的期限无法计算：用到的数据在案件中没有值；请补充数据后重试，"
            "或请流程设计员检查模型中的期限设置") in visible(row)
    assert box_labels(row) == {"rectify_days": ("「逾期10日」用到的数据", "模型中的名称：rectify_days")}
    assert 'type="radio"' not in row
    assert "已重试成功" in retried(qian, incident, rectify_days="P5D")
    (case,) = e.cases(process_key="camunda7_boundary_timers")
    assert len(e.case(case.id).timers) == 2  # 每日催办 and 逾期10日


def test_a_required_field_of_a_drawn_form_left_empty_is_refused_by_its_label_alone(world):
    """camunda7_purchase: 填写采购单's Camunda form requires 采购金额（元）; submitted with an opinion only,
    the page says which field by its label, next to that field (the form drawn in the model is shown:
    webui/drawn_form.py), the variable name nowhere a person reads."""
    e = world.engine
    e.deploy(CORPUS / "camunda7_purchase.bpmn", by="zhao")
    case = e.start("camunda7_purchase", by="zhang", org="east", title="采购")
    zhang = client_login(world.app, "zhang")
    response = zhang.post(f"/tasks/{open_task(e, case.id, 'Activity_request').id}",
                          data={"_csrf": zhang.csrf, "_data": "已填"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "「采购金额（元）」为必填项" in visible(html)
    assert "amount" not in visible(html)
    assert '<p class="field-error" id="err-amount" role="alert">「采购金额（元）」为必填项</p>' in html


def test_the_case_page_names_the_missing_value_by_the_label_the_model_gives_it(world):
    """camunda7_hazard_gateways with 隐患等级's default removed and the field made read-only (shown, not
    filled in, so nothing gives it): 登记隐患信息 leaves 重大隐患？'s ``${level > 2}`` unreadable. (A
    field the clerk could have filled in but left blank is refused instead: test_drawn_form_blank_yes_no.)
    The inspector's case page (its incident box and the timeline) names the value as the Camunda form
    labels it, as the incident page does."""
    e = world.engine
    drawn = (CORPUS / "camunda7_hazard_gateways.bpmn").read_text(encoding="utf-8").replace(
        'label="隐患等级（1-4）" type="long" defaultValue="3"/>',
        'label="隐患等级（1-4）" type="long"><camunda:validation><camunda:constraint name="readonly"/>'
        '</camunda:validation></camunda:formField>')
    e.deploy(drawn.encode(), by="zhao", filename="hazard_gateways.bpmn")
    case = e.start("camunda7_hazard_gateways", by="zhang", org="east", title="己公司隐患")
    with pytest.raises(IncidentRaised):
        e.complete(open_task(e, case.id, "Activity_0b1x2c3").id, "zhang", {})
    page = visible(client_login(world.app, "zhang").get(f"/cases/{case.id}").get_data(as_text=True))
    said = "条件无法计算：条件用到的数据（“隐患等级（1-4）”）在案件中没有值"
    assert page.count(said) == 2, page  # the incident box and the timeline
    assert "level" not in page


def yes_no_box(row: str, name: str) -> str:
    return re.search(rf'<span class="choices" id="f-{name}">.*?</span>', row, re.S).group(0)


def test_a_yes_no_box_the_failed_condition_needs_cannot_be_retried_unset(world):
    """errors_escalation (bpmn.io): 企业配合？ reads ``refused == True``, never given. Its 是/否 box
    offers 不填 too, chosen at first (a value never given is not turned into 否), and is not marked
    required; but a retry that leaves it 不填 would fail at the gateway again (a second incident, as
    it was until 2026-12-05): it is refused on the retry form naming the box and the step that needs
    it, nothing run, the incident still open. Saying 是 goes on."""
    case, incident, qian, row = submitted_empty(world, "errors_escalation.bpmn", "enter")
    box = yes_no_box(row, "refused")
    assert re.search(r'<input type="radio" name="refused" value="" checked> 不填', box)
    assert not re.search(r'value="(true|false)" checked', box)
    assert not re.search(r'<label class="label" for="f-refused"[^>]*>.*?<span class="req"', row, re.S)
    response = qian.post(f"/supervise/incidents/{incident.id}/retry", data={"_csrf": qian.csrf, "refused": ""})
    assert response.status_code == 422
    row = incident_row(response.get_data(as_text=True), incident.id)
    label = box_labels(row)["refused"][0]
    assert f"请选择“{label}”：是或否（「企业配合？」要用到）" in visible(row)
    assert "refused" not in world.engine.case(case.id).data  # not turned into 否
    assert [i.id for i in world.engine.incidents(case_id=case.id)] == [incident.id]  # no second incident
    assert "已重试成功" in retried(qian, incident, refused="true")
    assert [t.spec_id for t in world.engine.case(case.id).tasks] == ["penalty"]


def test_a_yes_no_that_was_submitted_is_asked_again_as_yes_no_and_retried_as_one(world):
    """camunda7_conditional_wait: 复查整改情况 submitted with 是否整改到位 = 是 but no 复查得分: the
    condition cannot be read. The retry form shows 是否整改到位 as 是/否 with 是 chosen (not a text box
    holding "True", which a retry sent back as the text "True": ``rectified == true`` was then false
    and the case waited for ever), and 不填 among its choices."""
    e = world.engine
    e.deploy(CORPUS / "camunda7_conditional_wait.bpmn", by="zhao")
    case = e.start("camunda7_conditional_wait", by="zhang", org="east", title="甲公司复查")
    with pytest.raises(IncidentRaised):
        e.complete(open_task(e, case.id, "Activity_0recheck").id, "zhang", {"rectified": True})
    (incident,) = e.incidents(case_id=case.id)
    qian = client_login(world.app, "qian")
    row = incident_row(qian.get("/supervise/incidents").get_data(as_text=True), incident.id)
    box = yes_no_box(row, "rectified")
    assert 'value="true" checked> 是' in box and 'value=""' in box and "不填" in box
    assert "True" not in visible(row)
    assert "已重试成功" in retried(qian, incident, rectified="true", score="８５")
    assert e.case(case.id).data["rectified"] is True
    assert e.case(case.id).status == "completed"
