"""The larger interop corpus (tests/bpmn/interop/): models drawn as Camunda Modeler 5 (Camunda 7 and
8), bpmn.io, Flowable/Activiti, Signavio and spiff-arena save them, with the constructs a real
process uses — event-based gateways, boundary and event sub-process timers, multi-instance over a
collection, call activities, due dates written as durations. Each is deployed, started and worked by
the people its lanes and assignments name, on SQLite and PostgreSQL; timers are moved on the
engine clock. What Duban refuses, it refuses naming the element, in Chinese.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine.errors import InvalidModel
from engine.schema import EventWait, Timer
from tests.interop_support import (  # noqa: F401 (corpus_engine: the module fixture)
    ACME, CORPUS, REFUSED_FILES, corpus_engine, drive, open_task_data, open_tasks_data, restored_engine, user_for)


def _open(engine, case_id):
    return sorted(t.spec_id for t in engine.case(case_id).tasks)


def _work(engine, case_id, spec_id, user, data=None):
    (task,) = [t for t in engine.case(case_id).tasks if t.spec_id == spec_id]
    engine.complete(task.id, user, data or {})


def _fire(engine, **delta):
    engine.clock.advance(**delta)
    engine.run_due_timers()


def test_event_based_gateway_waits_for_its_message_or_its_timer(engine):
    """事件网关: the case waits on the message and the 15-day timer after the gateway — both are
    projected (a timer row, an event_wait row), so neither the sweep nor a sender misses it."""
    by_message = drive(engine, "camunda7_event_gateway")
    assert by_message.status == "waiting" and [t.spec_id for t in by_message.tasks] == ["Activity_0notice"]
    with engine.db.read() as s:
        waits = s.execute(sa.select(EventWait.kind, EventWait.name, EventWait.element_id)
                          .where(EventWait.case_id == by_message.case_id)).all()
        timers = s.execute(sa.select(Timer.element_id, Timer.due_at).where(Timer.case_id == by_message.case_id)).all()
    assert [tuple(w) for w in waits] == [("message", "整改报告", "Gateway_0wait01")]
    assert [t.element_id for t in timers] == ["Gateway_0wait01"]
    engine.correlate_message("整改报告", by="acme", case_id=by_message.case_id, data={"report_no": "ZG-1"})
    assert _open(engine, by_message.case_id) == ["Activity_0review"]
    _work(engine, by_message.case_id, "Activity_0review", "zhang")
    assert engine.case(by_message.case_id).status == "completed"

    by_timer = drive(engine, "camunda7_event_gateway")
    _fire(engine, days=15, seconds=1)
    assert _open(engine, by_timer.case_id) == ["Activity_0revisit"]
    with engine.db.read() as s:  # the message is no longer awaited
        assert not s.execute(sa.select(EventWait.id).where(EventWait.case_id == by_timer.case_id)).all()
    _work(engine, by_timer.case_id, "Activity_0revisit", "zhang")
    assert engine.case(by_timer.case_id).status == "completed"


def test_a_due_date_written_as_a_duration_runs_from_when_the_task_opens(engine):
    """camunda:dueDate="P10D" (Camunda and Flowable read an ISO duration from the task's creation)."""
    out = drive(engine, "camunda7_boundary_timers", max_steps=0)
    (task,) = engine.case(out.case_id).tasks
    assert task.due_at == engine.clock.now() + timedelta(days=10)


def test_a_due_date_that_is_no_date_is_an_incident_naming_the_task(engine):
    xml = (CORPUS / "camunda7_boundary_timers.bpmn").read_text("utf-8").replace(
        'camunda:dueDate="P10D"', 'camunda:dueDate="${deadline}"').replace(
        'id="camunda7_boundary_timers"', 'id="due_not_a_date"')
    engine.deploy(xml, by="boss", filename="due_not_a_date.bpmn")
    out = drive(engine, "due_not_a_date", data={"deadline": "下周一"})
    assert out.status == "incident", out
    assert "任务「企业整改」(Activity_0rectify) 的期限「下周一」不是日期" in out.message


def test_boundary_timers_remind_without_interrupting_then_interrupt(engine):
    """R2/P1D non-interrupting: a 电话催办 each day, the task stays; P10D interrupting: 立案处罚."""
    out = drive(engine, "camunda7_boundary_timers", max_steps=0)
    _fire(engine, days=1, seconds=1)
    assert _open(engine, out.case_id) == ["Activity_0rectify", "Activity_0urge"]
    _work(engine, out.case_id, "Activity_0urge", "zhang")
    _fire(engine, days=9)
    assert _open(engine, out.case_id) == ["Activity_0punish"]
    _work(engine, out.case_id, "Activity_0punish", "eastboss")
    assert engine.case(out.case_id).status == "completed"


def test_camunda_collection_multi_instance_gives_each_inspector_a_task(engine):
    """camunda:collection="${inspectors}" camunda:elementVariable="inspector": one 分头检查 for each,
    assigned by camunda:assignee="${inspector}"; then three sequential 复核 by loopCardinality."""
    out = drive(engine, "camunda7_multi_instance")
    assert out.status == "completed", out.message
    assert [(t.spec_id, t.assignee or t.role_code) for t in out.tasks] == [
        ("Activity_0check", "zhang"), ("Activity_0check", "li"),
        ("Activity_0sign", "supervisor"), ("Activity_0sign", "supervisor"), ("Activity_0sign", "supervisor")]


def test_camunda7_gateways_lanes_and_form_defaults_run_to_the_end(engine):
    out = drive(engine, "camunda7_hazard_gateways")
    assert out.status == "completed", out.message
    # 重大 (level 3 by the form's default) -> parallel 会商 + 企业方案; inclusive: 消防 (4 台) and 环境
    assert sorted((t.spec_id, t.role_code) for t in out.tasks) == [
        ("Activity_0b1x2c3", "inspector"), ("Activity_0envi01", "inspector"), ("Activity_0expert", "supervisor"),
        ("Activity_0fire01", "inspector"), ("Activity_1plan00", "enterprise")]
    assert out.tasks[0].name == "登记\n隐患信息"
    general = drive(engine, "camunda7_hazard_gateways",
                    data_by_task={"Activity_0b1x2c3": {"level": 1, "count": 1, "needs_env": False}})
    assert general.status == "completed" and [t.spec_id for t in general.tasks] == [
        "Activity_0b1x2c3", "Activity_1g8h9j0"]


def test_call_activity_to_a_sibling_file_returns_the_child_data(engine):
    out = drive(engine, "camunda7_call_parent")
    assert out.status == "completed", out.message
    assert [t.spec_id for t in out.tasks] == ["Activity_0assign", "Activity_0verify", "Activity_0close"]
    assert engine.case(out.case_id).data["conclusion"] == "区级已核查"


@pytest.mark.parametrize("refused, expected", [(False, "Activity_0opinion"), (True, "Activity_0police")])
def test_boundary_error_on_an_embedded_subprocess(engine, refused, expected):
    out = drive(engine, "camunda7_subprocess_error", data_by_task={"Activity_0record": {"refused": refused}})
    assert out.status == "completed" and [t.spec_id for t in out.tasks] == ["Activity_0record", expected]


@pytest.mark.parametrize("filename", sorted(REFUSED_FILES))
def test_a_script_in_another_language_is_refused_once_naming_the_task_in_chinese(engine, filename):
    """Groovy (Activiti) and JavaScript (Camunda): one error, the language's — not a second one
    for the script not being Python syntax."""
    element, expected = REFUSED_FILES[filename]
    with pytest.raises(InvalidModel) as err:
        engine.deploy(CORPUS / filename, by="boss")
    errors = [p for p in err.value.problems if p["severity"] == "error"]
    assert [(p["element_id"], p["message"].startswith(expected)) for p in errors] == [(element, True)], errors


def test_camunda8_called_element_script_and_loop_characteristics(engine):
    """zeebe:calledElement processId (no calledElement attribute), zeebe:script expression +
    resultVariable (FEEL, translated), zeebe:loopCharacteristics over a collection, FEEL condition."""
    out = drive(engine, "zeebe_permit", data={"experts": ["zhang", "li"]})
    assert out.status == "completed", out.message
    assert [(t.spec_id, t.assignee or t.role_code) for t in out.tasks] == [
        ("Activity_1accept", "inspector"), ("Activity_0review", "zhang"), ("Activity_0review", "li"),
        ("Activity_0check", "inspector"), ("Activity_0license", "supervisor")]
    data = engine.case(out.case_id).data
    assert (data["expert_total"], data["risk"], data["qualified"]) == (2, 3, True)


def test_bpmnio_sketch_with_data_store_send_receive_signal_and_terminate(engine):
    """bpmn.io: a data store drawn as documentation (its associations noted and dropped), a send
    task, a receive task, a signal thrown, and a terminate end event in one parallel branch that
    ends the case while the other still waits for a message."""
    pf = engine.models.validate((CORPUS / "bpmnio_notify.bpmn").read_bytes(), "bpmnio_notify.bpmn")
    assert any("数据存储「隐患台账」的关联仅作说明" in w.message for w in pf.warnings)
    out = drive(engine, "bpmnio_notify")
    assert out.status == "waiting" and out.tasks == []
    engine.correlate_message("企业回执", by="acme", case_id=out.case_id)
    view = engine.case(out.case_id)
    assert [t.spec_id for t in view.tasks] == ["Activity_0revisit"]
    with engine.db.read() as s:
        assert s.execute(sa.select(EventWait.name).where(EventWait.case_id == out.case_id)).scalars().all() == [
            "整改完成报告"]
    _work(engine, out.case_id, "Activity_0revisit", "zhang")
    assert engine.case(out.case_id).status == "completed"  # terminated: the message is no longer awaited
    with engine.db.read() as s:
        assert not s.execute(sa.select(EventWait.id).where(EventWait.case_id == out.case_id)).all()


def test_a_condition_nothing_can_make_true_is_a_stall_not_a_silent_wait(engine):
    """条件事件 are supported — tested whenever the case steps — but a case left waiting on a
    condition alone has nothing that could step it: an incident naming the event."""
    stuck = drive(engine, "bpmnio_conditional", data={"oxygen": 20.9, "ventilated": False})
    assert stuck.status == "incident"
    assert "流程停滞：案件停在中间捕获事件「通风合格」(Event_0safe)，等待的条件不成立" in stuck.message
    ok = drive(engine, "bpmnio_conditional", data={"oxygen": 20.9, "ventilated": True})
    assert ok.status == "completed" and [t.spec_id for t in ok.tasks] == ["Activity_0measure", "Activity_0work"]


def test_standard_loop_repeats_while_its_condition_holds_up_to_its_maximum(engine):
    three = drive(engine, "bpmnio_standard_loop", data_by_task={"Activity_0supply": {"complete": False}})
    assert three.status == "completed" and [t.spec_id for t in three.tasks] == ["Activity_0supply"] * 3 + [
        "Activity_0accept"]
    once = drive(engine, "bpmnio_standard_loop", data_by_task={"Activity_0supply": {"complete": True}})
    assert once.status == "completed" and [t.spec_id for t in once.tasks] == ["Activity_0supply", "Activity_0accept"]


def test_timer_start_event_case_waits_for_its_first_occurrence(engine):
    out = drive(engine, "bpmnio_timer_start")
    assert out.status == "waiting" and out.tasks == []
    _fire(engine, days=1)
    assert _open(engine, out.case_id) == ["Activity_0patrol"]


def test_flowable_collection_countersign_and_chinese_candidate_group(engine):
    out = drive(engine, "flowable_leave", starter="li", data={"approvers": ["eastboss", "boss"]})
    assert out.status == "completed", out.message
    assert [(t.spec_id, t.assignee or t.role_code) for t in out.tasks] == [
        ("sid-4F1C2A7B-3D5E-4B8A-9C1D-2E3F4A5B6C7D", "li"), ("sid-countersign", "eastboss"),
        ("sid-countersign", "boss"), ("sid-record", "supervisor")]  # flowable:candidateGroups="科室负责人"


def test_signavio_pool_lanes_long_names_and_python_conditions(engine):
    out = drive(engine, "signavio_hazmat", data_by_task={"sid-T-record-11AA": {"major_hazard": True}})
    assert out.status == "completed", out.message
    assert [(t.spec_id, t.role_code) for t in out.tasks] == [
        ("sid-T-record-11AA", "inspector"), ("sid-T-order-44DD", "supervisor"), ("sid-T-review-33CC", "inspector")]
    assert out.tasks[0].name.startswith("依据《中华人民共和国安全生产法》第六十五条")


def test_spiff_arena_pre_and_post_scripts_and_a_decision_table(engine):
    out = drive(engine, "spiff_arena_hazard")
    assert out.status == "completed", out.message
    assert [(t.spec_id, t.role_code) for t in out.tasks] == [
        ("Activity_0selfcheck", "enterprise"), ("Activity_0verify", "inspector")]
    assert (engine.case(out.case_id).data["score"], engine.case(out.case_id).data["grade"]) == (70, "较大")


def test_escalation_from_a_subprocess_and_a_terminate_end_event(engine):
    out = drive(engine, "camunda7_escalation_terminate",
                data_by_task={"Activity_0scene": {"deaths": 3}, "Activity_0close": {"withdrawn": True}})
    assert out.status == "completed", out.message
    assert sorted(t.spec_id for t in out.tasks) == ["Activity_0city", "Activity_0close", "Activity_0report",
                                                   "Activity_0scene"]


@pytest.mark.parametrize("facts, category", [({}, "B类"), ({"hazmat": True}, "A类（重点监管）"),
                                             ({"employees": 20}, "C类")])
def test_camunda_decision_table_with_feel_cells(engine, facts, category):
    """Camunda Modeler's DMN: FEEL ``true`` and a range ``[100..100000)`` in the cells, ``-`` for any;
    camunda:decisionRef + resultVariable on the business rule task. Defaults: 120 staff, no 危化品."""
    out = drive(engine, "camunda7_dmn_rule", data_by_task={"Activity_0facts": facts})
    assert out.status == "completed", out.message
    assert engine.case(out.case_id).data["category"] == category


@pytest.mark.parametrize("key, data, expected", [
    ("flowable_leave", {}, "多实例任务「科室负责人会签」(sid-countersign) 的集合「approvers」没有值"),
    ("flowable_leave", {"approvers": "eastboss"}, "多实例任务「科室负责人会签」(sid-countersign) 的集合「approvers」不是列表"),
    ("zeebe_permit", {}, "多实例任务「专家\n书面评审」(Activity_0review) 的集合「experts」没有值")])
def test_a_multi_instance_without_its_collection_is_an_incident_naming_the_task(engine, key, data, expected):
    out = drive(engine, key, data=data)
    assert out.status == "incident" and expected in out.message, out.message
    (incident,) = engine.incidents(case_id=out.case_id)
    assert incident.element_id in expected


def test_a_case_whose_flow_ended_ends_though_a_timer_event_subprocess_still_waits(engine):
    """事件子流程 live as long as their process: the 90-day 办案超期 timer event sub-process does not
    keep a case whose 处罚决定 was served running (and later report a finished case as overdue)."""
    out = drive(engine, "camunda7_event_subprocess")
    assert out.status == "completed", out
    assert [t.spec_id for t in out.tasks] == ["Activity_0inquire", "Activity_0decide"]
    with engine.db.read() as s:
        assert not s.execute(sa.select(Timer.id).where(Timer.case_id == out.case_id)).all()


def test_an_interrupting_timer_event_subprocess_takes_the_case_out_of_its_flow(engine):
    """办案超期 (立案满90日, isInterrupting absent: interrupting, as Camunda 7 runs it): when it fires,
    the open 调查询问 is cancelled and the case ends with 超期报告 (engine/interrupting.py; before, the
    deploy warned 「本系统按非中断执行」 and the case went on both ways). The deploy notes what it does."""
    pf = engine.models.validate((CORPUS / "camunda7_event_subprocess.bpmn").read_bytes(), "x.bpmn")
    (warning,) = [w for w in pf.warnings if w.element_id == "Event_0tstart"]
    assert warning.message.startswith("子流程「办案超期」(Activity_0timeout) 的开始事件「立案满90日」(Event_0tstart) 为中断型：事件发生时，"
                                      "所在流程正在办理的任务都将取消")
    assert not [w for w in pf.warnings if w.element_id == "Event_0dstart"]  # isInterrupting="false"
    out = drive(engine, "camunda7_event_subprocess", max_steps=0)
    _fire(engine, days=90, seconds=1)
    assert _open(engine, out.case_id) == ["Activity_0report"]
    _work(engine, out.case_id, "Activity_0report", "eastboss")
    assert engine.case(out.case_id).status == "completed"


def test_a_message_event_subprocess_is_awaited_and_started_by_its_message(engine):
    """Non-interrupting message start (isInterrupting="false"): 申辩书 starts 听取陈述申辩 beside the
    flow, any number of times while the case runs; the case still ends with its flow."""
    out = drive(engine, "camunda7_event_subprocess", max_steps=0)
    with engine.db.read() as s:
        waits = s.execute(sa.select(EventWait.kind, EventWait.name, EventWait.element_id)
                          .where(EventWait.case_id == out.case_id)).all()
    assert [tuple(w) for w in waits] == [("message", "申辩书", "Event_0dstart")]
    engine.correlate_message("申辩书", by="acme", case_id=out.case_id, data={"defense": "已整改，请求从轻"})
    assert _open(engine, out.case_id) == ["Activity_0hear", "Activity_0inquire"]
    _work(engine, out.case_id, "Activity_0hear", "zhang")
    _work(engine, out.case_id, "Activity_0inquire", "zhang")
    _work(engine, out.case_id, "Activity_0decide", "eastboss")
    view = engine.case(out.case_id)
    assert view.status == "completed"
    (received,) = [h["detail"] for h in view.history if h["action"] == "message_received"]
    assert received["elements"] == ["Event_0dstart"] and received["data"] == {"defense": "已整改，请求从轻"}


def test_listeners_that_do_not_run_here_are_said_not_dropped_silently(engine):
    pf = engine.models.validate((CORPUS / "camunda7_hazard_gateways.bpmn").read_bytes(), "x.bpmn")
    said = {(w.element_id, w.message.split(" 的", 1)[1].split("在本系统", 1)[0]) for w in pf.warnings
            if "在本系统中不会执行" in w.message}
    assert said == {("Activity_0expert", "任务监听器"), ("Event_0end001", "执行监听器")}  # its inputOutput runs
    assert drive(engine, "camunda7_hazard_gateways").status == "completed"  # the model still runs


def test_an_incident_in_a_loop_condition_names_the_task(engine):
    out = drive(engine, "bpmnio_standard_loop")  # the form gives no 「complete」
    assert out.status == "incident" and "「企业补正材料」出错" in out.message, out.message
    (incident,) = engine.incidents(case_id=out.case_id)
    assert incident.element_id == "Activity_0supply"


CONTEXT = ("case_no", "org_code", "party")
MAPPED_IN = '<camunda:in source="hazard_no" target="hazard" />'


@pytest.mark.parametrize("key, first_task, child_task, child_sees, parent_gets", [
    # camunda:in source/target and sourceExpression="${fine * 2}", camunda:out source/target
    ("camunda7_mapped_parent", {}, "Activity_1q2w3e4", {"hazard": "YH-2026-0042", "fine_cap": 10000},
     {"district_verdict": "YH-2026-0042 已核查，罚款上限 10000"}),
    # flowable:in/out, the same child
    ("flowable_call_mapped", {}, "Activity_1q2w3e4", {"hazard": "GP-2026-007", "fine_cap": 21000},
     {"district_verdict": "GP-2026-007 已核查，罚款上限 21000"}),
    # zeebe:ioMapping input/output, propagateAllParentVariables/propagateAllChildVariables="false"
    ("zeebe_mapped_parent", {"notice_no": "ZG-2026-015", "days": 15, "internal_note": "企业曾两次逾期"},
     "Activity_0k9j8h7", {"notice": "ZG-2026-015", "deadline_days": 30, "days_left": 25},  # and the task's own input
     {"result": "ZG-2026-015：整改完毕"}),
])
def test_a_call_activity_passes_only_what_its_model_maps_in_and_out(engine, key, first_task, child_task, child_sees,
                                                                     parent_gets):
    """调用活动的变量传递: the called process sees the mapped variables (and the case's number,
    organisation and party), not the parent's 内部意见; the parent gets back the mapped outputs,
    keeps its own data, and none of the child's working variables."""
    first = drive(engine, key, max_steps=1, data_by_task={k: first_task for k in ("Activity_1z2x3c4",)})
    view = engine.case(first.case_id)
    assert [t.spec_id for t in view.tasks] == [child_task]
    seen = open_task_data(engine, first.case_id, child_task)
    assert {k: v for k, v in seen.items() if k not in CONTEXT} == child_sees
    assert seen["case_no"] == view.case_no
    parent_before = engine.case(first.case_id).data
    for _ in range(2):
        (task,) = engine.case(first.case_id).tasks
        engine.complete(task.id, user_for(engine, task), {})
    data = engine.case(first.case_id).data
    assert engine.case(first.case_id).status == "completed"
    assert data == {**parent_before, **parent_gets}


def test_a_business_key_of_a_call_activity_is_said_to_be_ignored_its_parameters_run(engine):
    """businessKey is not passed — warned on the call activity, not dropped silently; camunda:inputOutput
    on the call activity itself (its local variables) runs as Camunda runs it (tests/test_interop_probe9.py),
    so it is no longer warned as ignored."""
    xml = (CORPUS / "camunda7_mapped_parent.bpmn").read_text("utf-8").replace(
        MAPPED_IN, MAPPED_IN + '<camunda:inputOutput><camunda:inputParameter name="x">1</camunda:inputParameter>'
                              '</camunda:inputOutput>')
    pf = engine.models.validate(xml.encode("utf-8"), "x.bpmn")
    assert sorted(w.message for w in pf.warnings if w.element_id == "Activity_1c9v0b1") == [
        "调用活动「区级核查」(Activity_1c9v0b1) 的业务键传递 (businessKey) 在本系统中不使用，已忽略；被调用流程按本系统的案件编号办理"]


def test_camunda_input_and_output_parameters_are_local_to_their_task(engine):
    """输入输出参数 (camunda:inputOutput) on a user, a script and a service task: an input parameter
    (a text, or ${...}) is there while the task runs; an output parameter carries a value out;
    the inputs are gone once the task is done."""
    out = drive(engine, "camunda7_io_parameters", max_steps=0)
    (record,) = engine.case(out.case_id).tasks
    assert open_task_data(engine, out.case_id, "Activity_0f4g5h6")["checklist_title"] == "危险化学品企业安全检查表"
    engine.complete(record.id, "zhang", {})
    (notify,) = engine.case(out.case_id).tasks  # the service task without a handler: a person does it
    assert open_task_data(engine, out.case_id, "Activity_0n7m8b9")["channel"] == "短信"
    engine.complete(notify.id, "zhang", {})
    view = engine.case(out.case_id)
    assert view.status == "completed"
    data = {k: v for k, v in view.data.items() if k not in CONTEXT}
    assert data == {"enterprise_name": "东城化工有限公司", "amount": 50000, "record_title": "危险化学品企业安全检查表",
                    "penalty": 10000.0, "basis": "按违法所得 50000 元的 0.2 倍", "notified_by": "短信"}


@pytest.mark.parametrize("key, task, during, start, expected", [
    # a user task: an input shadows deadline_days, another is new, an output reads the local one;
    # then a script task whose input doubles amount for its script only
    ("camunda7_io_shadowing", "Activity_0r1e2v3", {"deadline_days": 30, "reviewer_note": "复查期限按延长后计算"},
     {"deadline_days": 15, "amount": 5000},
     {"deadline_days": 15, "amount": 5000, "review_deadline": 30, "review_result": "已按期整改", "fine": 10000,
      "fine_basis": "加倍处罚"}),
    ("zeebe_io_shadowing", "Activity_1d4f5g6", {"deadline_days": 30, "review_mode": "书面审核"},
     {"deadline_days": 15}, {"deadline_days": 15, "extended_days": 30}),
])
@pytest.mark.parametrize("restored", ["cached", "evicted", "restarted"])
def test_an_input_parameter_shadows_the_case_variable_of_its_name_until_the_task_is_done(
        engine, key, task, during, start, expected, restored):
    """输入参数遮蔽同名案件变量 (Camunda and Zeebe: an input is the task's local variable): while
    the task runs it sees the input; afterwards the case variable has its own value again, an
    input that named no case variable is gone, and the output carries the local value out — also
    when the case is read back from the database mid-task (cache evicted, engine restarted)."""
    out = drive(engine, key, data=start, max_steps=0)
    seen = open_task_data(engine, out.case_id, task)
    assert {k: seen[k] for k in during} == during
    with restored_engine(engine, out.case_id, restored) as worker:
        (open_task,) = worker.case(out.case_id).tasks
        worker.complete(open_task.id, user_for(worker, open_task), {})
        view = worker.case(out.case_id)
    assert view.status == "completed"
    assert {k: v for k, v in view.data.items() if k not in CONTEXT} == expected


def test_a_zeebe_input_reading_its_own_absent_variable_sees_null_and_leaves_it_absent(engine):
    """``review_mode = if review_mode = null then "书面审核" else review_mode``: the case has no
    review_mode, FEEL reads it as null, the task sees 书面审核, and the case still has none after."""
    key = "zeebe_io_own_null"
    xml = (CORPUS / "zeebe_io_shadowing.bpmn").read_text("utf-8").replace(
        'source="=&#34;书面审核&#34;"', 'source="=if review_mode = null then &#34;书面审核&#34; else review_mode"').replace(
        'id="zeebe_io_shadowing"', f'id="{key}"')
    engine.deploy(xml, by="boss", filename=f"{key}.bpmn")
    out = drive(engine, key, data={"deadline_days": 15}, max_steps=0)
    assert out.case_id is not None, out.message
    assert open_task_data(engine, out.case_id, "Activity_1d4f5g6")["review_mode"] == "书面审核"
    (task,) = engine.case(out.case_id).tasks
    engine.complete(task.id, user_for(engine, task), {})
    view = engine.case(out.case_id)
    assert view.status == "completed"
    assert {k: v for k, v in view.data.items() if k not in CONTEXT} == {"deadline_days": 15, "extended_days": 30}


@pytest.mark.parametrize("restored", ["cached", "evicted", "restarted"])
def test_what_a_form_sets_on_a_zeebe_task_with_output_mappings_stays_local(engine, restored):
    """Zeebe: a task with output mappings passes only them to the case. The supervisor's form sets
    approved, an opinion and (by mistake) deadline_days: the case gets extension_approved, keeps its
    own deadline_days, and has no opinion; the next task, without mappings, passes its form's values
    as always. Also when the case is read back from the database mid-task."""
    out = drive(engine, "zeebe_outputs_only", data={"deadline_days": 15, "enterprise": "东城化工"}, max_steps=0)
    assert out.case_id is not None, out.message
    with restored_engine(engine, out.case_id, restored) as worker:
        (review,) = worker.case(out.case_id).tasks
        worker.complete(review.id, user_for(worker, review),
                        {"approved": True, "opinion": "同意延期三十日", "deadline_days": "３０"})
        (notify,) = worker.case(out.case_id).tasks
        worker.complete(notify.id, user_for(worker, notify), {"notified_by": "短信"})
        view = worker.case(out.case_id)
    assert view.status == "completed"
    assert {k: v for k, v in view.data.items() if k not in CONTEXT} == {
        "deadline_days": 15, "enterprise": "东城化工", "extension_approved": True, "notified_by": "短信"}


RECORD, RECTIFY, HALT = "Activity_0h4j5k6", "Activity_0t7y8u9", "Activity_1n4m5q6"


@pytest.mark.parametrize("start, path, phone", [
    ({"risk_score": 75}, [RECORD, RECTIFY], None),  # no urgent: FEEL's null, not an incident
    ({"risk_score": 60, "contact_phone": "１３８００１３８０００"}, [RECORD, RECTIFY], "１３８００１３８０００"),  # [60..100]
    ({"risk_score": 59.5}, [RECORD], None),  # [0..60): 备案 without a second task
    ({"risk_score": 100, "urgent": True}, [RECORD, HALT], None),
])
def test_zeebe_feel_reads_a_variable_the_case_lacks_as_null_and_ranges_are_translated(engine, start, path, phone):
    """Camunda 8 (Zeebe) FEEL: a variable the case does not have is null — in a gateway condition
    (``urgent = true``, ``urgent != true``) and in a task's input (``=contact_phone``) — and does
    not appear in the case afterwards; ``x in [60..100]`` and ``x in [0..60)`` are ranges."""
    out = drive(engine, "zeebe_null_and_ranges", data=start)
    assert out.status == "completed", out.message
    assert [t.spec_id for t in out.tasks] == path
    data = {k: v for k, v in engine.case(out.case_id).data.items() if k not in CONTEXT}
    assert data == {**start, "callback_phone": phone}


def test_a_feel_gateway_whose_conditions_are_all_null_is_an_incident_in_chinese_naming_it(engine):
    """FEEL reads an absent risk_score as null, and ``null in [60..100]`` is null, not true (DMN 1.3,
    10.3.2): no flow of 隐患等级？ may be taken and it has no default, so the case stops with an
    incident saying so in Chinese (it was Python's TypeError on ``60 <= None``), without the line
    that tells the evaluator which variables read as null."""
    out = drive(engine, "zeebe_null_and_ranges", data={})
    assert out.status == "incident", out.message
    (incident,) = engine.incidents(case_id=out.case_id)
    assert incident.message == ("排他网关「隐患等级？」(Gateway_0c1v2b3) 的条件都不成立（条件用到的数据没有值时也不成立），"
                                "又没有默认分支，流程无法继续；请补充案件数据后重试，或请流程设计员为该网关设置默认分支")
    assert incident.element_id == "Gateway_0c1v2b3"


CHIEF, SECTION = "Activity_1chief", "Activity_0section"


@pytest.mark.parametrize("start, path, cap", [
    ({"金额": 6000000}, [CHIEF], 12000000),
    ({"金额": 5000000}, [SECTION], 10000000),
    ({}, [SECTION], None),  # the form never asked: 金额 reads as null
    ({"金额": None}, [SECTION], None),  # the form's field left empty
])
def test_a_zeebe_feel_condition_over_an_empty_amount_is_not_true_and_the_default_flow_is_taken(engine, start, path, cap):
    """Camunda 8 draws ``=金额 > 5000000`` on a flow and ``=金额 * 2`` as a script: with 金额 left
    empty both are null (DMN 1.3, 10.3.2: arithmetic and comparison with null give null), not an
    incident at the first operation; a null condition is not true, so 科长审批, the default, follows."""
    out = drive(engine, "zeebe_fine_threshold", data=start)
    assert out.status == "completed", out.message
    assert [t.spec_id for t in out.tasks] == path
    assert engine.case(out.case_id).data["罚款上限"] == cap


@pytest.mark.parametrize("gateway, kind", [("exclusiveGateway", "排他网关"), ("inclusiveGateway", "包容网关")])
def test_a_gateway_with_no_default_whose_feel_condition_is_null_is_an_incident_in_chinese(engine, gateway, kind):
    """The same model with its default flow removed (and drawn as an inclusive gateway): 金额 left
    empty, no flow may be taken; the incident names the gateway in Chinese (SpiffWorkflow's words were
    "No conditions satisfied for Gateway_1amount")."""
    text = (CORPUS / "zeebe_fine_threshold.bpmn").read_text(encoding="utf-8")
    text = text.replace('default="Flow_0section"', "").replace("exclusiveGateway", gateway).replace(
        'id="zeebe_fine_threshold" name="罚款金额分级审批"', f'id="fine_{gateway}" name="罚款金额分级审批"').replace(
        'bpmnElement="zeebe_fine_threshold"', f'bpmnElement="fine_{gateway}"').replace(
        '<bpmn:sequenceFlow id="Flow_0section" name="否" sourceRef="Gateway_1amount" targetRef="Activity_0section" />',
        '<bpmn:sequenceFlow id="Flow_0section" name="否" sourceRef="Gateway_1amount" targetRef="Activity_0section">'
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=金额 &lt;= 5000000</bpmn:conditionExpression>'
        '</bpmn:sequenceFlow>')
    engine.deploy(text.encode(), by="boss", filename=f"fine_{gateway}.bpmn")
    out = drive(engine, f"fine_{gateway}", data={"金额": None})
    assert out.status == "incident", out.message  # at the start: the gateway follows the script
    incident = max(engine.incidents(), key=lambda i: i.id)
    assert incident.message == (f"{kind}「金额超过\n500 万元？」(Gateway_1amount) 的条件都不成立（条件用到的数据没有值时也不成立），"
                                "又没有默认分支，流程无法继续；请补充案件数据后重试，或请流程设计员为该网关设置默认分支")


def test_loop_counter_inside_each_camunda7_instance_counts_from_zero(engine):
    """Camunda 7 (and Flowable, Activiti) give each instance of a multi-instance activity its own
    ``loopCounter``, its index from 0: a sequential script reads it (编号 0, 1, 2) and a parallel
    user task's input parameter ``${loopCounter + 1}`` numbers each reviewer. It stays local to the
    instance: the case never holds a loopCounter."""
    case = engine.start("camunda7_loop_counter", by="zhang", org="east", party=ACME)
    assert engine.case(case.id).data["登记"] == "012"
    instances = [d for d in open_tasks_data(engine, case.id, "Activity_0review") if "成员" in d]  # not the loop's own
    assert sorted((d["成员"], d["复查序号"]) for d in instances) == [
        ("li", 2), ("zhang", 1)]
    assert "loopCounter" not in engine.case(case.id).data


def test_loop_counter_inside_each_zeebe_instance_counts_from_one(engine):
    """Camunda 8 (Zeebe) counts its instances from 1: ``=loopCounter * 10`` per member, collected
    into the output collection."""
    out = drive(engine, "zeebe_loop_counter", data={"检查组": ["zhang", "li", "wang"]})
    assert out.status == "completed", out.message
    data = engine.case(out.case_id).data
    assert data["编号列表"] == [10, 20, 30] and "loopCounter" not in data


@pytest.mark.parametrize("condition", ["${urgent == true}", "urgent == True"])
def test_a_juel_or_python_condition_on_a_variable_the_case_lacks_stays_an_incident_naming_it(engine, condition):
    """Only FEEL reads an absent variable as null: the same flow in JUEL or in our Python fails,
    and the incident names the variable."""
    key = "zeebe_null_juel" if condition.startswith("$") else "zeebe_null_python"
    xml = (CORPUS / "zeebe_null_and_ranges.bpmn").read_text("utf-8").replace("=urgent = true", condition).replace(
        'id="zeebe_null_and_ranges"', f'id="{key}"')
    engine.deploy(xml, by="boss", filename=f"{key}.bpmn")
    out = drive(engine, key, data={"risk_score": 75})
    assert out.status == "incident" and "urgent" in out.message, out.message
    assert [t.spec_id for t in out.tasks] == [RECORD]


BASE_PARAMETER = '<camunda:inputParameter name="base">${amount}</camunda:inputParameter>'
CALL = "调用活动「区级核查」(Activity_1c9v0b1) 的"
FINE = "脚本任务「计算\n罚款金额」(Activity_1s2d3f4) 的"
RISK = '=if list contains(hazards, &#34;有限空间&#34;) then &#34;重大&#34; else &#34;一般&#34;'
GRADE = "脚本任务「判定风险等级」(Activity_0d5f6g7) 的脚本使用 FEEL 表达式"


@pytest.mark.parametrize("filename, drawn, changed, element, expected", [
    ("camunda7_mapped_parent", MAPPED_IN, '<camunda:in source="hazard-no" target="hazard" />',
     "Activity_1c9v0b1", CALL + "输入变量「hazard-no」不是流程变量名"),
    ("camunda7_mapped_parent", MAPPED_IN, '<camunda:in sourceExpression="${execution.getVariable(\'x\')}" target="x" />',
     "Activity_1c9v0b1", CALL + "输入变量使用 JUEL 表达式"),
    ("camunda7_mapped_parent", MAPPED_IN, '<camunda:out source="verdict" target="结论 文本" />',
     "Activity_1c9v0b1", CALL + "输出变量目标「结论 文本」不是有效的变量名"),
    ("camunda7_io_parameters", BASE_PARAMETER, '<camunda:inputParameter name="base"><camunda:script scriptFormat='
     '"groovy">def n = amount; n * 1</camunda:script></camunda:inputParameter>', "Activity_1s2d3f4",
     FINE + "输入参数「base」使用了 Groovy 脚本，本系统不支持"),
    ("camunda7_io_parameters", BASE_PARAMETER, '<camunda:inputParameter name="base"><camunda:list><camunda:value>'
     '<camunda:script scriptFormat="groovy">return 1</camunda:script></camunda:value></camunda:list></camunda:inputParameter>',
     "Activity_1s2d3f4", FINE + "输入参数「base」使用了 Groovy 脚本，本系统不支持"),
    ("camunda7_io_parameters", BASE_PARAMETER, '<camunda:inputParameter name="base">第${amount}元</camunda:inputParameter>',
     "Activity_1s2d3f4", FINE + "输入参数使用 JUEL 表达式「第${amount}元」"),
    ("zeebe_hazard_triage", RISK, '=if floor(score) &gt; 1 then &#34;重大&#34; else &#34;一般&#34;', "Activity_0d5f6g7",
     GRADE + '「=if floor(score) > 1 then "重大" else "一般"」，调用了函数「floor(...)」'),
    ("zeebe_hazard_triage", RISK, '=if list contains(hazards, &#34;有限空间&#34;) then &#34;重大&#34;', "Activity_0d5f6g7",
     GRADE + '「=if list contains(hazards, "有限空间") then "重大"」，「if … then … else」写法不完整'),
    ("zeebe_null_and_ranges", "[60..100]", "[60..]", "Flow_1rectify",
     '连线「60 分及以上」(Flow_1rectify) 的条件使用 FEEL 表达式「=urgent != true and risk_score in [60..]」，含有不支持的写法'),
    ("zeebe_triage.dmn", 'if risk = "重大" then', 'if floor(score) > 1 then', "DecisionRule_0r5t6y7",
     '决策「监管类别判定」 的规则 (DecisionRule_0r5t6y7) 使用 FEEL 表达式「if floor(score) > 1 then "A类（重点监管）" else '
     '"B类"」，调用了函数「floor(...)」'),
])
def test_a_mapping_or_parameter_that_cannot_run_is_refused_once_naming_its_element(engine, filename, drawn, changed,
                                                                                   element, expected):
    """Call activity mappings, task parameters, FEEL in a Camunda 8 script and in a decision table."""
    xml = (CORPUS / (filename if "." in filename else f"{filename}.bpmn")).read_text("utf-8")
    assert drawn in xml
    with pytest.raises(InvalidModel) as err:
        engine.deploy(xml.replace(drawn, changed), by="boss", filename=f"refused.{filename.partition('.')[2] or 'bpmn'}")
    errors = [p for p in err.value.problems if p["severity"] == "error"]
    assert [(p["element_id"], p["message"].startswith(expected)) for p in errors] == [(element, True)], errors


TRIAGE_INDUSTRY = 'source="=&#34;危险化学品&#34;"'
TRIAGE_HAZARDS = "=[&#34;动火作业&#34;, &#34;有限空间&#34;]"


@pytest.mark.parametrize("variant, industry, hazards, category, task", [
    (1, "危险化学品", None, "A类（重点监管）", "Activity_1l2m3n4"),
    (2, "烟花爆竹", None, "A类（重点监管）", "Activity_1l2m3n4"),  # the input entry's second alternative
    (3, "机械制造", None, "C类", "Activity_0p5q6r7"),
    (4, "危险化学品", "=[&#34;动火作业&#34;]", "B类", "Activity_0p5q6r7"),  # if … then … else: 一般
])
def test_feel_lists_list_contains_and_if_then_else_in_a_camunda8_model_and_its_decision(engine, variant, industry,
                                                                                        hazards, category, task):
    """FEEL as Camunda Modeler 5 writes it for Camunda 8: a list literal (zeebe:script), ``if …
    then … else`` over ``list contains`` (script, decision output), ``list contains`` in a gateway
    condition and a decision input expression, ``"危险化学品","烟花爆竹"`` (any of) in an input entry;
    zeebe:calledDecision; the rule task's zeebe:ioMapping input is gone after it."""
    key = f"zeebe_hazard_triage_{variant}"
    xml = (CORPUS / "zeebe_hazard_triage.bpmn").read_text("utf-8").replace(
        TRIAGE_INDUSTRY, f'source="=&#34;{industry}&#34;"').replace(TRIAGE_HAZARDS, hazards or TRIAGE_HAZARDS).replace(
        'id="zeebe_hazard_triage"', f'id="{key}"')
    engine.deploy(xml, by="boss", filename=f"{key}.bpmn")
    out = drive(engine, key)
    assert out.status == "completed", out.message
    assert [t.spec_id for t in out.tasks] == [task]
    data = engine.case(out.case_id).data
    assert data["category"] == category and "industry" not in data
    assert data["risk"] == ("一般" if hazards else "重大")
