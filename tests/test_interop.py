"""Models drawn in other tools deploy as designers expect and run to their end (issue 16).

The corpus under tests/bpmn/interop/ is drawn as Camunda Modeler 7, bpmn.io, Flowable and Signavio
draw: non-executable partner pools, lanes named after no role or not named at all, plain and
manual tasks, ``camunda:``/``flowable:`` attributes, JUEL conditions, a service task without a
handler, processes of one file calling each other. Each runs on SQLite and PostgreSQL, worked by
the people the engine puts the tasks in front of; a model that can only stall is an incident.
"""
from __future__ import annotations

import re

import pytest

from engine.errors import IncidentRaised, InvalidData, InvalidModel
from tests.interop_support import CORPUS, REFUSED_FILES, corpus_engine, drive, raw_walk  # noqa: F401 (the fixture)


def test_camunda7_export_with_partner_pool_foreign_lane_and_camunda_attributes_runs_to_its_end(engine):
    pf = engine.models.validate((CORPUS / "camunda7_purchase.bpmn").read_bytes(), "camunda7_purchase.bpmn")
    assert pf.keys == ["camunda7_purchase"]  # the vendor's non-executable pool is ignored
    assert {"from": "${amount gt 10000 && !urgent}",  # JUEL compares a number typed as text as a number
            "to": "(False if amount is None else (duban_el_coerce(amount, 'long', 'amount') if amount is True or amount is False "
                  "or str(amount) == amount else amount) > 10000) and "  # and reads text as a yes/no
                  "(not (urgent in ('true', 'True', 'TRUE') if str(urgent) == urgent else urgent if urgent is True or "
                  "urgent is False or urgent is None else duban_el_coerce(urgent, 'boolean', 'urgent')))",
            "element_id": "Flow_big"} in pf.dialect.translations
    warned = {w.element_id: w.message for w in pf.warnings}
    assert warned["Lane_clerk"].startswith("泳道「Clerk」(Lane_clerk) 未对应任何角色")
    out = drive(engine, "camunda7_purchase", starter="li", data_by_task={"Activity_request": {"amount": "20,000"}})
    assert out.status == "completed", out.message
    request, approve, order, notify = out.tasks
    assert (request.name, request.assignee, request.role_code, request.priority) == ("填写采购单", "li", None, 60)
    assert (approve.role_code, approve.assignee) == ("supervisor", None)  # camunda:candidateGroups
    assert approve.due_at.isoformat() == "2026-12-31T09:00:00+00:00"  # camunda:dueDate, Beijing time
    assert (order.name, order.assignee) == ("电话下单", "li")  # manual task in the role-less lane: the starter
    assert (notify.name, notify.role_code) == ("通知申请人", "supervisor")  # no handler: a person does it


def test_camunda_form_fields_are_required_typed_and_defaulted(engine):
    out = drive(engine, "camunda7_purchase", starter="li")  # completed with nothing: 金额 is required
    assert out.status == "error" and "「采购金额（元）」为必填项" in out.message
    with pytest.raises(InvalidData) as err:
        engine.complete(out.tasks[0].id, "li", {"amount": "两万多"})
    assert err.value.errors == {"amount": "「采购金额（元）」须为整数"}
    engine.complete(out.tasks[0].id, "li", {"amount": "５,000"})  # full-width digits, thousands separator
    data = engine.case(out.case_id).data
    assert (data["amount"], data["urgent"]) == (5000, False)  # urgent: the form's default


def test_small_amount_takes_the_default_flow(engine):
    out = drive(engine, "camunda7_purchase", starter="li", data_by_task={"Activity_request": {"amount": 500}})
    assert out.status == "completed" and [t.spec_id for t in out.tasks] == [
        "Activity_request", "Activity_order", "Activity_notify"]


def test_bpmnio_sketch_without_executable_flag_or_lanes_goes_to_the_starter(engine):
    out = drive(engine, "bpmnio_simple", starter="li")
    assert out.status == "completed"
    assert sorted(t.name for t in out.tasks) == ["当事人签字", "拍照取证", "现场检查"]
    assert {t.assignee for t in out.tasks} == {"li"}


def test_flowable_model_candidate_group_by_chinese_name_initiator_and_print(engine):
    out = drive(engine, "flowable_review", starter="li", data_by_task={"review": {"passed": False}})
    assert out.status == "too_many_steps" or out.tasks[1].spec_id == "again"
    again = out.tasks[1]
    assert again.assignee == "li"  # flowable:assignee="#{initiator}" with flowable:initiator on the start
    done = drive(engine, "flowable_review", starter="li", data_by_task={"review": {"passed": True}})
    assert done.status == "completed"
    (review,) = done.tasks
    assert (review.role_code, review.priority) == ("inspector", 80)  # flowable:candidateGroups="执法人员"
    history = engine.case(done.case_id).history
    assert [h["detail"]["text"] for h in history if h["action"] == "script_output"] == ["复查合格 合格"]


def test_signavio_unnamed_lanes_use_the_process_default_role(engine):
    pf = engine.models.validate((CORPUS / "signavio_lanes.bpmn").read_bytes(), "signavio_lanes.bpmn")
    lane_warning = next(w.message for w in pf.warnings if w.element_id == "sid-A1B2C3D4-0001")
    assert lane_warning.startswith("泳道 (sid-A1B2C3D4-0001) 没有名称") and "提示" in lane_warning
    out = drive(engine, "signavio_lanes")
    assert out.status == "completed" and {t.role_code for t in out.tasks} == {"inspector"}


def test_processes_of_one_file_calling_each_other_deploy_and_start(engine):
    out = drive(engine, "multi_main", starter="li")
    assert out.status == "completed" and [t.name for t in out.tasks] == ["子流程检查"]


def test_a_case_that_can_only_stall_is_an_incident_naming_the_join(engine):
    out = drive(engine, "stalls", data_by_task={"check": {"passed": True}})
    assert out.status == "incident"
    assert "流程停滞" in out.message and "并行网关「汇总」(join)" in out.message
    (incident,) = engine.incidents(case_id=out.case_id)
    assert incident.element_id == "join"
    view = engine.case(out.case_id)
    assert view.status == "running" and [t.spec_id for t in view.tasks] == ["check"]  # the step rolled back


def test_the_default_branch_does_not_stall_either_the_join_still_waits(engine):
    out = drive(engine, "stalls", data_by_task={"check": {"passed": False}})
    assert out.status == "incident" and "流程停滞" in out.message


def test_dry_run_reports_the_stall(engine):
    result = engine.dry_run((CORPUS / "stalls.bpmn").read_bytes(), "stalls.bpmn", {"check": {"passed": True}})
    assert result["ok"] is False and "流程停滞" in result["error"] and result["element_id"] == "join"


REFUSED = {
    "groovy": ('<bpmn:scriptTask id="calc" name="计算罚款" scriptFormat="groovy"><bpmn:script>fine = 1</bpmn:script>'
               '</bpmn:scriptTask>', "calc", "脚本任务「计算罚款」(calc) 的脚本语言「groovy」不受支持"),
    "juel_method": ('<bpmn:scriptTask id="calc" name="计算罚款"><bpmn:script>fine = 1</bpmn:script></bpmn:scriptTask>'
                    '<bpmn:sequenceFlow id="cond" sourceRef="calc" targetRef="end">'
                    '<bpmn:conditionExpression>${execution.getVariable("x") > 1}</bpmn:conditionExpression>'
                    '</bpmn:sequenceFlow>', "cond", "使用 JUEL 表达式"),
    "javascript_condition": ('<bpmn:scriptTask id="calc" name="计算罚款"><bpmn:script>fine = 1</bpmn:script>'
                             '</bpmn:scriptTask><bpmn:sequenceFlow id="cond" sourceRef="calc" targetRef="end">'
                             '<bpmn:conditionExpression language="javascript">fine &gt; 1</bpmn:conditionExpression>'
                             '</bpmn:sequenceFlow>', "cond", "使用「javascript」语言"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refusals_are_chinese_first_name_the_element_and_carry_no_english(engine, case):
    body, element, expected = REFUSED[case]
    xml = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
           ' id="d" targetNamespace="t"><bpmn:process id="refused" isExecutable="true">'
           '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="calc"/>'
           f'{body}<bpmn:sequenceFlow id="f9" sourceRef="calc" targetRef="end"/><bpmn:endEvent id="end"/>'
           '</bpmn:process></bpmn:definitions>')
    with pytest.raises(InvalidModel) as err:
        engine.deploy(xml, by="boss", filename="refused.bpmn")
    problem = err.value.problems[0]
    assert problem["element_id"] == element and expected in problem["message"]
    assert re.match(r"[\u4e00-\u9fff]", problem["message"])  # Chinese first
    assert not re.search(r"[。，：；]{2}|\.\.|。\.", problem["message"])  # no doubled punctuation
    assert "Error" not in problem["message"] and "must" not in problem["message"]


def test_a_spiffworkflow_parser_error_is_reported_in_chinese_with_the_element(engine):
    xml = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">'
           '<bpmn:process id="nostart" isExecutable="true"><bpmn:callActivity id="call" name="调用"/>'
           '</bpmn:process></bpmn:definitions>')
    with pytest.raises(InvalidModel) as err:
        engine.deploy(xml, by="boss", filename="nostart.bpmn")
    message = err.value.problems[0]["message"]
    assert re.match(r"[\u4e00-\u9fff]", message) and not re.search(r"[A-Za-z]{5,} [a-z]{3,}", message), message


def test_a_registered_service_handler_runs_and_a_failing_one_is_an_incident_with_its_message(engine):
    calls = []

    def notify(data, **params):
        calls.append(data["amount"])
        if data["amount"] < 0:
            raise ValueError("申请人手机号为空，短信未发出")
        return {"notified": True}

    engine.register_service("NotifyRequester", notify)
    try:
        out = drive(engine, "camunda7_purchase", starter="li", data_by_task={"Activity_request": {"amount": 1}})
        assert out.status == "completed" and [t.spec_id for t in out.tasks] == ["Activity_request", "Activity_order"]
        assert engine.case(out.case_id).data["notified"] is True and calls == [1]
        failed = drive(engine, "camunda7_purchase", starter="li", data_by_task={"Activity_request": {"amount": -1}})
        assert failed.status == "incident" and "申请人手机号为空" in failed.message
        (incident,) = engine.incidents(case_id=failed.case_id)
        assert incident.element_id == "Activity_notify"
    finally:
        engine.service_handlers.pop("NotifyRequester")


def test_dry_run_says_what_a_case_waits_for_when_nobody_here_sends_it(engine):
    result = engine.dry_run((CORPUS / "camunda_external.bpmn").read_bytes(), "camunda_external.bpmn")
    assert result["ok"] is True and result["status"] == "waiting_on_event"
    assert result["events"] == [{"element": "send_sms", "kind": "external", "name": "sms"}]


def test_camunda8_model_with_zeebe_assignment_feel_condition_and_job_worker(engine):
    pf = engine.models.validate((CORPUS / "camunda8_zeebe.bpmn").read_bytes(), "camunda8_zeebe.bpmn")
    assert {"element_id": "z3", "from": "= deaths_risk >= 3 or major = true",
            "to": "deaths_risk >= 3 or major == True"} in pf.dialect.translations
    local = drive(engine, "camunda8_zeebe", starter="li", data_by_task={"assess": {"deaths_risk": 1, "major": False}})
    assert local.status == "completed"
    assert [(t.spec_id, t.role_code, t.assignee) for t in local.tasks] == [
        ("assess", "inspector", None), ("handle", "inspector", "li")]  # zeebe candidateGroups; assignee "= initiator"
    city = drive(engine, "camunda8_zeebe", starter="li", data_by_task={"assess": {"deaths_risk": 3, "major": False}})
    assert city.status == "waiting"  # the zeebe job type is an external task
    (job,) = [j for j in engine.fetch_and_lock("city-report", "w8", 60, by="boss") if j["case_id"] == city.case_id]
    engine.complete_external(job["id"], "w8", {"reported": True}, by="boss")
    assert engine.case(city.case_id).status == "completed"


@pytest.mark.parametrize("refused, expected", [(True, ["enter", "penalty"]), (False, ["enter", "note_late"])])
def test_error_end_event_and_escalation_reach_their_boundary_events(engine, refused, expected):
    out = drive(engine, "errors_escalation", data_by_task={"enter": {"refused": refused}})
    assert out.status == "completed" and [t.spec_id for t in out.tasks] == expected


# Differential: wherever raw SpiffWorkflow runs a corpus model, Duban ends it the same way, having
# put the same tasks in front of people.
DIFFERENTIAL = [
    ("multi_process.bpmn", "multi_main", {}),
    ("signal_throw.bpmn", "signal_throw", {}),
    ("errors_escalation.bpmn", "errors_escalation", {"enter": {"refused": True}}),
    ("errors_escalation.bpmn", "errors_escalation", {"enter": {"refused": False}}),
]


@pytest.mark.parametrize("filename, key, data_by_task", DIFFERENTIAL, ids=lambda v: v if isinstance(v, str) else "")
def test_duban_walks_like_raw_spiffworkflow(engine, filename, key, data_by_task):
    raw = raw_walk(CORPUS / filename, key, data_by_task)
    assert raw is not None and raw[0] is True, "raw SpiffWorkflow runs this model to its end"
    out = drive(engine, key, data_by_task=data_by_task)
    assert out.status == "completed"
    assert sorted(t.spec_id for t in out.tasks) == raw[1]
