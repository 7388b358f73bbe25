"""A thirteenth batch of public-style models, driven through the served REST API as the hidden probes
drive them (``POST /api/models`` multipart by a designer, ``POST /api/cases``, ``GET /api/cases/{id}``,
``POST /api/tasks/{id}/complete``, ``/api/messages``, ``/api/signals``, ``/api/external-tasks``,
``/api/timers``), with data typed as a tired official types it. Each model is drawn again as its tool
saves it (Camunda Modeler 7 and 8, Flowable Modeler, Activiti Designer, Signavio without DI, jBPM's
designer, bpmn.io) with our own names and Chinese labels (tests/bpmn/interop/), reaching for what
batches 1–12 had not: asynchronous continuations and failed-job retry cycles, a signal throw passing
variables (``camunda:in``) to the case its signal starts, an error end event in a called process
caught on the call activity with ``errorCodeVariable``/``errorMessageVariable``, a non-interrupting
message boundary event caught twice, an escalation end event caught by a non-interrupting boundary on
its sub-process, input/output parameters on events, timers with a zone, ``P1DT2H`` and ``R3/PT1H``,
a PRIORITY decision table, Zeebe job retries, FEEL list and context functions, a Zeebe signal end
event's variables, FEEL candidate groups, execution listeners, an event-based gateway with a
correlation key, Flowable due dates and a Chinese date pattern, a triggerable service task, an
event-registry start, Activiti 5's form keys and cycle, Signavio's collaboration, jBPM's MVEL
condition and nested lanes in a bpmn.io collaboration. Run on SQLite and PostgreSQL: one world a
module (the app, the engine, the models deployed once through the API).
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.api_probe_support import at as _at, case as _case, complete as _do, done as _done, fire as _fire
from tests.api_probe_support import deploy, open_specs as _open, served_world, start as _start, task as _task
from tests.interop_support import CORPUS
from tests.test_api_helpers import PARTY_A

DECISIONS = ("camunda7_accident_grade_priority.dmn",)
CALLED = ("camunda7_signal_payload_start.bpmn", "camunda7_error_call_child.bpmn")  # deployed before the models that reach them
MODELS = DECISIONS + CALLED + (
    "camunda7_signal_payload_throw.bpmn", "zeebe_signal_end_variables.bpmn",
    "bpmnio_nested_lanes_collab.bpmn", "camunda7_accident_grade_priority.bpmn", "camunda7_async_daily_fine.bpmn",
    "camunda7_escalation_end_nonint_subprocess.bpmn", "camunda7_message_boundary_supplements.bpmn",
    "camunda7_timers_zone_duration.bpmn", "flowable_due_date_candidates.bpmn", "flowable_event_registry_start.bpmn",
    "flowable_form_chinese_date_pattern.bpmn", "flowable_triggerable_service.bpmn", "jbpm_mvel_gateway_assignments.bpmn",
    "signavio_collab_no_di.bpmn", "zeebe_event_gateway_correlation.bpmn", "zeebe_execution_listener.bpmn",
    "zeebe_job_retries.bpmn", "zeebe_feel_list_context.bpmn", "camunda7_error_call_parent.bpmn", "camunda7_io_on_events.bpmn",
    "zeebe_candidate_groups_feel.bpmn", "activiti5_form_key_cycle.bpmn")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = served_world(module_database_url, tmp_path_factory.mktemp("probe13"))
    engine = w.engine
    w.deployed = {name: _deploy(w, name) for name in MODELS}
    yield w
    engine.dispose()


def _deploy(world, name: str) -> dict:
    r = deploy(world, name)
    assert r.status_code == 201, (name, r.get_json())
    return r.get_json()


# -- Camunda 7 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("daily, days, then, total", [("5,000", "１２", "Activity_0decide", 60000),
                                                       ("１０,０００", "15", "Activity_0collective", 150000)])
def test_camunda7_async_continuations_run_through_daily_fine_anquanfa_112(world, daily, days, then, total):
    """按日连续处罚（《安全生产法》第一百一十二条）drawn with asyncBefore/asyncAfter, exclusive false and
    failedJobRetryTimeCycle R3/PT5M: Camunda runs it as drawn, the async points only transaction
    boundaries. The JUEL script's result 「dailyFine * days」 over 「5,000」×「１２」 decides the path."""
    case_id = _start(world, "async_daily_fine")
    _do(world, case_id, "Activity_0facts", {"dailyFine": daily, "days": days})
    assert _open(world, case_id) == [then]
    assert _case(world, case_id)["data"]["totalFine"] == total
    _do(world, case_id, then)
    _done(world, case_id)


def test_camunda7_non_interrupting_message_boundary_opens_a_task_each_time(world):
    """补充材料 sent twice while 企业整改 is open: two 审阅补充材料 tasks, 企业整改 stays; the material's
    data reaches the case."""
    case_id = _start(world, "rectify_with_supplements")
    for n, what in enumerate(("消防设施检测报告", "电气线路改造照片"), 1):
        r = world.call("POST", "/api/messages", "insp", json={"name": "补充材料", "case_id": case_id, "data": {"材料": what}})
        assert r.status_code == 200, r.get_json()
        assert _open(world, case_id) == ["Activity_0read"] * n + ["Activity_0rectify"]
    assert _case(world, case_id)["data"]["材料"] == "电气线路改造照片"
    _do(world, case_id, "Activity_0read")
    _do(world, case_id, "Activity_0read")
    _do(world, case_id, "Activity_0rectify")
    _do(world, case_id, "Activity_0recheck")
    _done(world, case_id)


def test_camunda7_signal_throw_starts_the_signal_start_case_with_its_in_variables(world):
    """寒潮预警 thrown by 发布寒潮预警's intermediate throw event, its definition carrying ``camunda:in
    source="area" target="warnArea"`` and the level: Camunda 7 starts 企业防冻自查 (a signal start event)
    with warnArea and level, and nothing else of the thrower's (内部备注 stays). Before, a thrown signal
    started no case (only one sent from outside did), and camunda:in was dropped without a word."""
    case_id = _start(world, "cold_wave_warning", user="sup")
    _do(world, case_id, "Activity_0issue", {"warnLevel": "orange", "area": "东城区沿河片区", "internalNote": "勿外传"})
    assert _open(world, case_id) == ["Activity_0summary"]
    started = world.call("GET", "/api/cases?process_key=cold_wave_selfcheck", "adm").get_json()["items"]
    assert len(started) == 1, started
    data = _case(world, started[0]["id"])["data"]
    assert (data.get("warnArea"), data.get("level")) == ("东城区沿河片区", "orange"), data
    assert "internalNote" not in data and "area" not in data, data
    assert [t["name"] for t in _case(world, started[0]["id"])["tasks"]] == ["开展防冻防凝自查"]
    thrown = [e for e in _case(world, case_id)["history"] if e["action"] == "signal_thrown"]
    assert thrown[-1]["detail"]["started"] == [started[0]["id"]]


@pytest.mark.parametrize("overdue, then", [(True, ["Activity_0listing", "Activity_0rectify"]), (False, ["Activity_0rectify"])])
def test_camunda7_escalation_end_event_caught_by_non_interrupting_boundary_on_its_subprocess(world, overdue, then):
    case_id = _start(world, "overdue_escalation_sub")
    _do(world, case_id, "Activity_0track", {"overdue": overdue})
    assert _open(world, case_id) == then
    if overdue:
        assert _case(world, case_id)["data"].get("escalated") == "RECTIFY_OVERDUE"
        _do(world, case_id, "Activity_0listing")
    _do(world, case_id, "Activity_0rectify")
    assert _open(world, case_id) == ["Activity_0recheck"]
    _do(world, case_id, "Activity_0recheck")
    _done(world, case_id)


def test_camunda7_timers_with_zone_day_and_hours_and_hourly_cycle(world):
    """企业整改 with an interrupting P1DT2H boundary and a non-interrupting R3/PT1H 催办; 听证日 a timeDate
    2026-11-25T09:00:00+08:00 (Beijing). Due times as Camunda computes them from the start (Monday
    2026-11-23 09:00 Beijing)."""
    case_id = _start(world, "timers_zone_duration")
    start = _at(_case(world, case_id)["started_at"])
    due = {t["element_id"]: _at(t["due_at"]) for t in _case(world, case_id)["timers"]}
    assert due["Event_0late"] - start == dt.timedelta(days=1, hours=2)
    assert due["Event_0urge"] - start == dt.timedelta(hours=1)
    assert due["Event_0hearing"] == dt.datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)
    r = world.call("GET", f"/api/timers?case_id={case_id}", "adm")
    assert sorted(t["element_id"] for t in r.get_json()["items"]) == ["Event_0hearing", "Event_0late", "Event_0urge"]
    for hour in range(1, 4):
        _fire(world, hours=1)
        assert _open(world, case_id).count("Activity_0urge") == hour
    _fire(world, hours=24)
    assert "Activity_0overdue" in _open(world, case_id) and "Activity_0rectify" not in _open(world, case_id)
    assert _open(world, case_id).count("Activity_0urge") == 3
    _fire(world, days=1)
    assert "Activity_0hear" in _open(world, case_id)
    for spec in _open(world, case_id):
        _do(world, case_id, spec)
    _done(world, case_id)


@pytest.mark.parametrize("deaths, injured, loss, grade, then", [
    ("4", "0", "60,000,000", "重大", "Activity_0city"),
    ("１", "12", "3,000,000", "较大", "Activity_0city"),
    ("0", "2", "500万", "一般", "Activity_0county"),
    ("31", "0", "0", "特别重大", "Activity_0city")])
def test_camunda7_priority_decision_grades_the_accident_tiaoli_article_3(world, deaths, injured, loss, grade, then):
    """《生产安全事故报告和调查处理条例》第三条 as a PRIORITY decision table: several rules match (4 deaths
    are 较大, a loss of 6,000 万 is 重大); Camunda answers the output value listed first (重大)."""
    case_id = _start(world, "accident_grade_priority")
    _do(world, case_id, "Activity_0facts", {"deaths": deaths, "injured": injured, "loss": loss})
    assert _case(world, case_id)["data"]["grade"] == grade
    assert _open(world, case_id) == [then]


# -- Camunda 8 --------------------------------------------------------------------------------------

def test_zeebe_job_retries_from_the_task_definition(world):
    """推送至企业端 with ``zeebe:taskDefinition retries="2"``: the job is offered with 2 retries; the
    worker's first failure leaves 1, the second an incident (Zeebe: retries 0 raises an incident)."""
    case_id = _start(world, "notice_push_retries")
    body = {"topic": "push-enterprise", "worker": "w1", "lease": 60}
    (job,) = world.call("POST", "/api/external-tasks/fetch-and-lock", "adm", json=body).get_json()["items"]
    assert job["retries"] == 2, job
    r = world.call("POST", f"/api/external-tasks/{job['id']}/failure", "adm", json={"worker": "w1", "message": "企业端无响应"})
    assert r.get_json()["retries"] == 1 and r.get_json()["incident_id"] is None, r.get_json()
    (job,) = world.call("POST", "/api/external-tasks/fetch-and-lock", "adm", json=body).get_json()["items"]
    r = world.call("POST", f"/api/external-tasks/{job['id']}/failure", "adm", json={"worker": "w1", "message": "企业端无响应"})
    assert r.get_json()["retries"] == 0 and r.get_json()["incident_id"], r.get_json()
    assert _case(world, case_id)["incidents"]


@pytest.mark.parametrize("levels, then", [(["一般", "重大"], "Activity_0listing"), (["一般"], "Activity_0order")])
def test_zeebe_feel_list_and_context_functions(world, levels, then):
    """检查结果汇总 (Camunda Modeler 5.30 for 8.6): zeebe:script and output mappings calling FEEL's
    string join, distinct values, count, append, concatenate, index of, sublist, reverse, context put,
    get value and list contains, as feel-scala computes them. The deploy refused every one but count
    and list contains, naming half of each (「join(...)」 for string join, 「values(...)」 for distinct values)."""
    case_id = _start(world, "notice_feel_lists", {
        "inspectors": ["张三", "李四"], "areas": ["配电房", "仓库", "配电房", "车间"], "levels": levels,
        "notice": {"no": "东应急责改〔2026〕7号"}})
    data = _case(world, case_id)["data"]
    assert data["inspectorLine"] == "张三、李四"
    assert (data["areaList"], data["areaCount"]) == (["配电房", "仓库", "车间"], 3)
    assert data["withRecheck"] == ["配电房", "仓库", "车间", "复查"]
    assert data["withFile"] == ["配电房", "仓库", "车间", "档案"]
    assert data["majorAt"] == ([2] if "重大" in levels else [])
    assert data["firstTwo"] == ["配电房", "仓库"]
    assert data["reversed"] == ["车间", "仓库", "配电房"]
    assert data["notice"] == {"no": "东应急责改〔2026〕7号", "status": "待送达"}
    assert data["noticeNo"] == "东应急责改〔2026〕7号"
    assert _open(world, case_id) == [then]


def test_zeebe_feel_string_join_of_a_number_stops_in_chinese_naming_it(world):
    """A tired integrator sends the inspectors' badge numbers as numbers: string join takes text only
    (feel-scala gives no text); the start stops in Chinese naming the function and the value."""
    r = world.call("POST", "/api/cases", "insp", json={"process_key": "notice_feel_lists", "org": "east", "party": PARTY_A,
                                                       "data": {"inspectors": [110101, "李四"], "areas": [], "levels": [],
                                                                "notice": {}}})
    assert r.status_code == 422, r.get_json()
    message = r.get_json()["message"]
    assert "函数「string join」的列表项「110101」不是文字" in message and "Error" not in message, message


def test_zeebe_signal_end_event_inputs_are_the_signal_variables(world):
    """汛情预警 thrown by a Camunda 8 signal end event whose input mappings (floodRiver, and alertTitle
    ``="汛情" + level + "级"``) are the signal's variables: the case the signal starts (企业防汛排查) has
    them. Before, no case started and the mappings were noted as not done."""
    case_id = _start(world, "flood_alert_broadcast", {"river": "清水河", "level": "Ⅲ"}, user="sup")
    _do(world, case_id, "Activity_0issue")
    _done(world, case_id)
    started = world.call("GET", "/api/cases?process_key=flood_alert_check", "adm").get_json()["items"]
    assert len(started) == 1, started
    data = _case(world, started[0]["id"])["data"]
    assert (data.get("floodRiver"), data.get("alertTitle")) == ("清水河", "汛情Ⅲ级"), data
    assert "river" not in data
    assert _open(world, started[0]["id"]) == ["Activity_0check"]


def test_zeebe_event_gateway_message_by_correlation_key_or_three_days(world):
    first = _start(world, "statement_or_deadline", {"caseNo": "东应急罚〔2026〕31号"})
    second = _start(world, "statement_or_deadline", {"caseNo": "东应急罚〔2026〕32号"})
    r = world.call("POST", "/api/messages", "insp", json={"name": "申辩书", "correlation": {"caseNo": "东应急罚〔2026〕32号"},
                                                          "data": {"申辩意见": "已整改"}})
    assert r.status_code == 200, r.get_json()
    assert _open(world, second) == ["Activity_0hear"] and _open(world, first) == []
    (timer,) = _case(world, first)["timers"]
    assert _at(timer["due_at"]) - _at(_case(world, first)["started_at"]) == dt.timedelta(days=3)
    _fire(world, days=3, minutes=1)
    assert _open(world, first) == ["Activity_0decide"]


def test_zeebe_execution_listeners_are_said_at_deploy_not_run(world):
    """复产审查 with Camunda 8.6's execution listeners (start: check-permit, end: archive-review): Zeebe
    makes a job of each that a worker must complete. They are not run here; the deploy says so on the
    task, and the task opens as drawn."""
    pf = world.engine.models.validate((CORPUS / "zeebe_execution_listener.bpmn").read_bytes(), "zeebe_execution_listener.bpmn")
    assert any("(Activity_0review) 的扩展设置「zeebe:executionListeners」在本系统中不会执行" in w.message for w in pf.warnings)
    case_id = _start(world, "permit_check_listener")
    assert [t["name"] for t in _case(world, case_id)["tasks"]] == ["复产审查"]


# -- Flowable, Activiti -----------------------------------------------------------------------------

def test_flowable_due_dates_duration_and_expression(world):
    """flowable:dueDate="P3D" (a duration from the task's creation), "${deadline}" (the date typed
    2026年12月1日 on the form before) and "PT48H"."""
    case_id = _start(world, "flowable_due_dates")
    created = _at(_task(world, case_id, "sid-plan")["created_at"])
    assert _at(_task(world, case_id, "sid-plan")["due_at"]) - created == dt.timedelta(days=3)
    _do(world, case_id, "sid-plan", {"deadline": "2026年12月1日"})
    due = _at(_task(world, case_id, "sid-rectify")["due_at"]).astimezone(SHANGHAI)
    assert due.date() == dt.date(2026, 12, 1)
    _do(world, case_id, "sid-rectify")
    task = _task(world, case_id, "sid-recheck")
    assert _at(task["due_at"]) - _at(task["created_at"]) == dt.timedelta(hours=48)
    _do(world, case_id, "sid-recheck")
    _done(world, case_id)


@pytest.mark.parametrize("until, workers, scope, then", [("2026年12月31日", "１２０", "whole", "sid-whole"),
                                                          ("2026-12-31", "1,200", "part", "sid-part")])
def test_flowable_chinese_date_pattern_and_long(world, until, workers, scope, then):
    case_id = _start(world, "flowable_cn_date_pattern")
    _do(world, case_id, "sid-order", {"until": until, "workers": workers, "scope": scope})
    data = _case(world, case_id)["data"]
    assert data["until"] == "2026-12-31" and data["workers"] in (120, 1200)
    assert _open(world, case_id) == [then]


def test_flowable_chinese_date_pattern_refuses_a_day_it_cannot_read(world):
    case_id = _start(world, "flowable_cn_date_pattern")
    body = _do(world, case_id, "sid-order", {"until": "下月底", "workers": "5", "scope": "part"}, status=422)
    assert "整顿截止日期" in str(body), body


def test_flowable_triggerable_service_task_waits(world):
    case_id = _start(world, "flowable_push_triggerable")
    assert _open(world, case_id) == ["sid-push"]
    _do(world, case_id, "sid-push")
    assert _open(world, case_id) == ["sid-archive"]


def test_flowable_event_registry_start_is_said_at_deploy_and_starts_plainly(world):
    """收到隐患上报事件: a Flowable start event on the event registry (flowable:eventType hazardReported,
    eventOutParameter, channelKey). No event registry here: each setting is named at deploy as not
    done, and the case is started plainly with the data given."""
    pf = world.engine.models.validate((CORPUS / "flowable_event_registry_start.bpmn").read_bytes(), "f.bpmn")
    said = " ".join(w.message for w in pf.warnings)
    assert "「flowable:eventType」在本系统中不会执行" in said and "「flowable:eventOutParameter」在本系统中不会执行" in said
    case_id = _start(world, "flowable_hazard_event_start", {"hazardDesc": "配电房漏水"})
    assert _open(world, case_id) == ["sid-verify"]


@pytest.mark.parametrize("rectified, then", [("否", "Activity_0listing"), ("是", "Activity_0close")])
def test_camunda7_error_end_in_a_called_process_sets_the_error_code_and_message_variables(world, rectified, then):
    """区县现场复查, called by 隐患整改复查交办 (camunda:in/out variables="all"): the child's error end event
    (NOT_RECTIFIED, its error's camunda:errorMessage 逾期未完成整改) leaves the call activity by its error
    boundary; Camunda 7 sets the boundary's errorCodeVariable and errorMessageVariable. The message
    variable was dropped without a word (failMsg had no value)."""
    case_id = _start(world, "recheck_by_district")
    child = [c for c in world.call("GET", "/api/cases?process_key=district_recheck", "adm").get_json()["items"]
             if c["parent_case_id"] == case_id]
    _do(world, child[0]["id"] if child else case_id, "Activity_0recheck", {"rectified": rectified})
    assert _open(world, case_id) == [then]
    data = _case(world, case_id)["data"]
    if rectified == "否":
        assert (data.get("failCode"), data.get("failMsg")) == ("NOT_RECTIFIED", "逾期未完成整改"), data
    else:
        assert "failMsg" not in data, data
    _do(world, case_id, then)
    _done(world, case_id)


def test_camunda7_input_output_parameters_on_a_throw_event_run(world):
    """设定复查安排, a none intermediate throw event with camunda:inputOutput (an input base =
    ${rectifyDays}, outputs ${base + 10}, a list with a JUEL ?: item and a map): Camunda 7 runs
    parameters on events; the case gets recheckWithin, checkItems and notice, not the input base. They
    were noted as not done and the case went on without them. 「４５」 typed in the long field."""
    case_id = _start(world, "io_on_events")
    _do(world, case_id, "Activity_0report", {"rectifyDays": "４５"})
    data = _case(world, case_id)["data"]
    assert data.get("recheckWithin") == 55, data
    assert data.get("checkItems") == ["消防通道", "电气线路", "专家论证"], data
    assert data.get("notice") == {"文书": "整改复查意见书", "期限": 55}, data
    assert "base" not in data
    _do(world, case_id, "Activity_0recheck")
    assert "closing" not in _done(world, case_id)["data"]


@pytest.mark.parametrize("fine, role", [(60000, "supervisor"), (5000, "inspector")])
def test_zeebe_candidate_groups_as_a_feel_expression(world, fine, role):
    """审核罚款 with ``candidateGroups="=if fine >= 50000 then ["supervisor"] else ["inspector"]"`` and a
    due date ``=hearingDay + "T17:00:00+08:00"``: the group computed when the task opens, as Zeebe does."""
    case_id = _start(world, "fine_review_by_amount", {"fine": fine, "hearingDay": "2026-12-01"})
    (task,) = _case(world, case_id)["tasks"]
    assert task["role_code"] == role
    assert _at(task["due_at"]) == dt.datetime(2026, 12, 1, 17, 0, tzinfo=SHANGHAI)


def test_zeebe_candidate_groups_over_text_stops_naming_the_text(world):
    r = world.call("POST", "/api/cases", "insp", json={"process_key": "fine_review_by_amount", "org": "east",
                                                       "party": PARTY_A, "data": {"fine": "５,０００", "hearingDay": "2026-12-01"}})
    assert r.status_code == 422, r.get_json()
    assert "「５,０００」不是数字" in r.get_json()["message"], r.get_json()


@pytest.mark.parametrize("passed, then", [("是", "usertask2"), ("否", "usertask3")])
def test_activiti5_candidate_users_form_key_and_hourly_reminders(world, passed, then):
    """现场复查 from Activiti Designer 5 (activiti: namespace): candidateUsers zhang,eastboss, a formKey that
    is no form here (noted, the drawn formProperty used), a non-interrupting R3/PT1H boundary timer whose
    path runs an async JUEL script task; it fires three times and no fourth. 销号/再次责令整改 go to the
    initiator (activiti:initiator)."""
    pf = world.engine.models.validate((CORPUS / "activiti5_form_key_cycle.bpmn").read_bytes(), "a.bpmn")
    assert any("「forms/recheck.form」不是本系统的表单" in w.message for w in pf.warnings)
    case_id = _start(world, "activiti_recheck_reminders", {"reminded": 0})
    task = _task(world, case_id, "usertask1")
    assert world.engine.may_work(task["id"], "zhang") and world.engine.may_work(task["id"], "eastboss")
    for _ in range(4):
        _fire(world, hours=1, seconds=1)
    case = _case(world, case_id)
    assert [e["action"] for e in case["history"]].count("reminded") == 3 and not case["timers"], case["history"]
    _do(world, case_id, "usertask1", {"passed": passed})
    assert _open(world, case_id) == [then]
    assert _task(world, case_id, then)["assignee"] == "insp"


# -- Signavio, jBPM, bpmn.io ------------------------------------------------------------------------

def test_signavio_collaboration_without_di_message_or_one_day_two_hours(world):
    """专项检查 exported from Signavio as a collaboration without DI: lanes by role, a collapsed
    生产经营单位 pool reached by message flows, a send task 发送检查通知 (its message goes out of the
    model, as the flow to the collapsed pool draws), then an event gateway: 整改报告 or 1 day 2 hours."""
    by_message = _start(world, "sid-proc-inspect")
    assert _open(world, by_message) == []
    r = world.call("POST", "/api/messages", "insp", json={"name": "整改报告", "case_id": by_message})
    assert r.status_code == 200, r.get_json()
    assert _open(world, by_message) == ["sid-T-review"]
    assert _task(world, by_message, "sid-T-review")["role_code"] == "supervisor"
    _do(world, by_message, "sid-T-review")
    _done(world, by_message)
    by_timer = _start(world, "sid-proc-inspect")
    (timer,) = _case(world, by_timer)["timers"]
    assert _at(timer["due_at"]) - _at(_case(world, by_timer)["started_at"]) == dt.timedelta(days=1, hours=2)
    _fire(world, days=1, hours=2, seconds=1)
    assert _open(world, by_timer) == ["sid-T-urge"]


@pytest.mark.parametrize("fine, workers, then", [(120000, 10, "_collective"), (5000, 80, "_collective"),
                                                 (5000, 10, "_decide")])
def test_jbpm_mvel_condition_and_task_parameters(world, fine, workers, then):
    """罚款审核 from jBPM's designer: the task's GroupId parameter (supervisor) queues it, the MVEL
    condition ``return fine >= 100000 || workers > 50;`` routes."""
    case_id = _start(world, "duban.fine_review_mvel")
    assert _task(world, case_id, "_review")["role_code"] == "supervisor"
    _do(world, case_id, "_review", {"fine": fine, "workers": workers})
    assert _open(world, case_id) == [then]


def test_jbpm_mvel_condition_over_text_is_an_incident_naming_the_text(world):
    """The same task has no drawn form: 「１２０,０００」 sent as text stays text, and the MVEL comparison
    with a number stops as jBPM stops, said in Chinese naming the text; the case stays at the task."""
    case_id = _start(world, "duban.fine_review_mvel")
    body = _do(world, case_id, "_review", {"fine": "１２０,０００", "workers": 10}, status=422)
    assert "「１２０,０００」不是数字" in body["message"], body
    assert _open(world, case_id) == ["_review"]


@pytest.mark.parametrize("passed, then", [(True, ["Activity_0file"]), (False, [])])
def test_bpmnio_nested_lanes_give_the_inner_lanes_role(world, passed, then):
    case_id = _start(world, "Process_nested_lanes")
    assert _task(world, case_id, "Activity_0inspect")["role_code"] == "inspector"
    _do(world, case_id, "Activity_0inspect")
    assert _task(world, case_id, "Activity_0review")["role_code"] == "supervisor"
    _do(world, case_id, "Activity_0review", {"passed": passed})
    assert _open(world, case_id) == then
    if then:
        assert _task(world, case_id, "Activity_0file")["role_code"] == "inspector"
        _do(world, case_id, "Activity_0file")
    _done(world, case_id)
