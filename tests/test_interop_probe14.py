"""A fourteenth batch of public-style models, driven through the served REST API as the hidden probes
drive them (``POST /api/models`` multipart by a designer, ``POST /api/cases``, ``GET /api/cases/{id}``,
``POST /api/tasks/{id}/complete``, ``/api/messages``, timers on the engine's clock), with data typed as
a tired official types it. Each model is drawn again as its tool saves it (Camunda Modeler 7 and 8,
Flowable Modeler, Activiti Designer, jBPM's process modeler, bpmn-js) with our own names and Chinese
labels (tests/bpmn/interop/), reaching for what batches 1–13 had not: a multi-instance over a list of
maps with a completion condition dividing ``nrOfCompletedInstances`` by ``nrOfInstances``, a call
activity passing ``variables="all"`` both ways with a business key, link events of the same name in a
sub-process and at the top, a JavaScript condition and listener, compensation of a multi-instance
task, FEEL date arithmetic (``today()``, ``now()``, ``string()``, a day less a day, ``years and months
duration``, ``day of week``, a duration's ``.days``), ``zeebe:calledDecision`` with a decision id
computed by FEEL, a Zeebe assignee and candidate users as FEEL, a terminate end event inside one
instance of a multi-instance sub-process, an event-based gateway looped back to, Flowable candidate
users from a variable (typed with a Chinese comma), a boundary timer at a date typed on a form with a
date pattern, Activiti's ``activiti:expression`` service tasks with ``resultVariableName``, jBPM's REST
work item, and a bpmn-js drawing whose collapsed sub-process has its own diagram. Run on SQLite and
PostgreSQL: one world a module (the app, the engine, the models deployed once through the API).
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.api_probe_support import at as _at, case as _case, complete, deploy as _deploy, done as _done, fire as _fire
from tests.api_probe_support import may as _may, open_specs as _open, served_world, start as _start, task as _task
from tests.test_api_helpers import PARTY_A

FIRST = ("zeebe_fine_by_kind.dmn", "camunda7_call_all_variables_child.bpmn")  # before the models that reach them
MODELS = FIRST + (
    "camunda7_call_all_variables_parent.bpmn", "camunda7_mi_map_collection_completion.bpmn",
    "camunda7_link_same_name_scopes.bpmn", "zeebe_feel_date_arithmetic.bpmn", "zeebe_assignee_candidate_users_feel.bpmn",
    "zeebe_mi_subprocess_terminate.bpmn", "zeebe_event_gateway_reminder_loop.bpmn", "flowable_candidate_users_variable.bpmn",
    "flowable_boundary_timer_date_form.bpmn", "activiti_expression_service_result.bpmn", "bpmnio_collapsed_subprocess_plane.bpmn")
REFUSED = ("camunda7_javascript_condition_listener.bpmn", "jbpm_rest_work_item.bpmn", "zeebe_called_decision_expression.bpmn")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = served_world(module_database_url, tmp_path_factory.mktemp("probe14"))
    engine = w.engine
    for name in MODELS:
        r = _deploy(w, name)
        assert r.status_code == 201, (name, r.get_json())
    yield w
    engine.dispose()


def _do(world, case_id: int, spec_id: str, data: dict | None = None, status: int = 200, task: dict | None = None):
    return complete(world, case_id, spec_id, data, status, which=task)


def _refusal(world, name: str) -> tuple[list[dict], list[dict]]:
    r = _deploy(world, name)
    assert r.status_code == 422, r.get_json()
    problems = r.get_json()["problems"]
    return [p for p in problems if p["severity"] == "error"], [p for p in problems if p["severity"] != "error"]


# -- Camunda 7 --------------------------------------------------------------------------------------

def test_camunda7_multi_instance_over_maps_completes_at_two_thirds(world):
    """检查${point.area} for each check point (a list of maps: area and inspector), assignee
    ${point.inspector}, completionCondition ${nrOfCompletedInstances/nrOfInstances >= 0.6} (EL divides
    as Doubles): three tasks by name and person; after the second is done the third is cancelled and
    汇总检查结果 opens, as in Camunda 7."""
    points = [{"area": "配电房", "inspector": "zhang"}, {"area": "仓库", "inspector": "insp"},
              {"area": "车间", "inspector": "zhang"}]
    case_id = _start(world, "joint_points_inspection", {"checkPoints": points})
    tasks = _case(world, case_id)["tasks"]
    assert sorted((t["name"], t["assignee"]) for t in tasks) == [("检查仓库", "insp"), ("检查车间", "zhang"), ("检查配电房", "zhang")]
    _do(world, case_id, "Activity_0point", {"finding": "灭火器过期"}, task=next(t for t in tasks if t["name"] == "检查配电房"))
    assert _open(world, case_id) == ["Activity_0point", "Activity_0point"]
    _do(world, case_id, "Activity_0point", {"finding": "无"}, task=next(t for t in tasks if t["name"] == "检查仓库"))
    assert _open(world, case_id) == ["Activity_0summary"]
    _do(world, case_id, "Activity_0summary")
    _done(world, case_id)


@pytest.mark.parametrize("confirmed, then", [("是", ["Activity_0list"]), ("否", [])])
def test_camunda7_call_activity_passes_all_variables_both_ways(world, confirmed, then):
    """区县核查 called with camunda:in variables="all" (and businessKey), camunda:out variables="all":
    the child's task name reads hazardDesc, its max constraint 50000 refuses 「60,000」 naming the field,
    and what it sets (confirmed, suggestedFine typed 「30,000」) decides the parent's gateway."""
    case_id = _start(world, "hazard_handover_all")
    _do(world, case_id, "Activity_0register", {"hazardDesc": "配电房电缆沟积水", "fineCap": "５０,０００"})
    task = _task(world, case_id, "Activity_0onsite")
    assert task["name"] == "现场核查：配电房电缆沟积水"
    body = _do(world, case_id, "Activity_0onsite", {"confirmed": confirmed, "suggestedFine": "60,000"}, status=422)
    assert "建议罚款" in str(body), body
    _do(world, case_id, "Activity_0onsite", {"confirmed": confirmed, "suggestedFine": "30,000"})
    data = _case(world, case_id)["data"]
    assert (data["confirmed"], data["suggestedFine"], data["fineCap"]) == (confirmed == "是", 30000, 50000)
    assert _open(world, case_id) == then
    for spec in then:
        _do(world, case_id, spec)
    _done(world, case_id)


@pytest.mark.parametrize("found, major, then", [
    ("是", "是", ["Activity_0onsiteOrder", "Activity_0orderNotice", "Activity_0archive"]),
    ("是", "否", ["Activity_0onsiteOrder", "Activity_0archive"]),
    ("否", "否", ["Activity_0record", "Activity_0archive"])])
def test_camunda7_link_events_of_one_name_stay_in_their_scope(world, found, major, then):
    """转整改 is a link thrown and caught inside 现场检查 and another pair at the top: Camunda 7 links
    a throw to the catch of its own scope; the sub-process's throw never reaches 下达整改指令书."""
    case_id = _start(world, "inspection_link_scopes")
    _do(world, case_id, "Activity_0check", {"hazardFound": found, "major": major})
    walked = []
    while (open_now := _open(world, case_id)):
        assert len(open_now) == 1, open_now
        walked.append(open_now[0])
        _do(world, case_id, open_now[0])
    assert walked == then
    _done(world, case_id)


def test_camunda7_javascript_condition_is_refused_naming_the_flow_and_language(world):
    """A JavaScript condition (language="javascript") on 五万元以上 and a JavaScript execution listener:
    Camunda 7 runs both; here the deploy refuses the condition naming the flow and the language, and
    what to write instead (execution.getVariable("fine") >= 50000 is fine >= 50000: before, only 「只支持
    Python 表达式」); says the listener is not run. Nothing is deployed."""
    errors, warnings = _refusal(world, "camunda7_javascript_condition_listener.bpmn")
    assert [(p["element_id"], p["message"]) for p in errors] == [
        ("Flow_0big", "连线「五万元以上」的条件使用「javascript」语言，只支持 Python 表达式；请把该条件改写为 Python 表达式"
                      "「fine >= 50000」，并去掉语言设置（language）")]
    assert any(p["element_id"] == "Activity_0facts" and "执行监听器在本系统中不会执行" in p["message"] for p in warnings)
    r = world.call("POST", "/api/cases", "insp", json={"process_key": "fine_discretion_js", "org": "east", "data": {}})
    assert r.status_code in (404, 422), r.get_json()


def test_camunda7_compensation_of_a_multi_instance_task_releases_each_site_sealed(world):
    """撤销查封 on the multi-instance 查封场所 (one instance a site): Camunda runs 解除查封 once for
    each site sealed (docs.camunda.io/docs/components/modeler/bpmn/compensation-handler: "If an activity
    has been completed more than once, the compensation handler is invoked for the same amount"), as
    here since 2026-12-07 through the REST API: 撤销 opens one 解除查封 a site, the case ends when all
    are done (《行政强制法》第二十八条). Until then the deploy refused the boundary event."""
    r = _deploy(world, "camunda7_mi_compensation.bpmn")
    assert r.status_code == 201, r.get_json()
    case_id = _start(world, "seizure_sites_revocable", {"sites": ["一号仓库", "二号车间"]})
    for sealed in _case(world, case_id)["tasks"]:
        _do(world, case_id, "Activity_0seal", task=sealed)
    _do(world, case_id, "Activity_0review", {"revoked": True})
    assert _open(world, case_id) == ["Activity_0release", "Activity_0release"]
    for released in _case(world, case_id)["tasks"]:
        _do(world, case_id, "Activity_0release", task=released)
    _done(world, case_id)


# -- Camunda 8 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("days, licensed_months_ago, years, then", [(30, 83, 6, "Activity_0track"),
                                                                  ("１５", 84, 7, "Activity_0late")])
def test_zeebe_feel_date_arithmetic_today_now_string_and_durations(world, days, licensed_months_ago, years, then):
    """计算期限 (Camunda Modeler 5.31 for 8.6), as feel-scala computes it on the engine's clock (the
    module's first day: Monday 2026-11-23 09:00 Beijing): today() + duration("P" + string(rectifyDays)
    + "D"), string(deadline), deadline + P10D, now() + PT48H, (today() - date(orderedOn)).days,
    years and months duration(licensedOn, today()).years, day of week(deadline), a date compared with
    today(); 跟踪整改 due string(deadline) + "T17:00:00+08:00". The deploy refused string(), day of week,
    years and months duration (naming duration(...) as a function of one argument) and .days.
    「１５」 typed in full-width digits is read as 15, as officials type it."""
    today = world.engine.clock.now().astimezone(SHANGHAI).date()
    ordered = today - dt.timedelta(days=21)
    month = today.year * 12 + today.month - 1 - licensed_months_ago
    licensed = dt.date(month // 12, month % 12 + 1, min(today.day, 28))
    case_id = _start(world, "rectify_dates_feel", {"rectifyDays": days, "orderedOn": ordered.isoformat(),
                                                   "licensedOn": licensed.isoformat()})
    data = _case(world, case_id)["data"]
    deadline = today + dt.timedelta(days=int(str(days).translate(str.maketrans("０１２３４５６７８９", "0123456789"))))
    assert (data["deadline"], data["deadlineText"]) == (deadline.isoformat(), deadline.isoformat())
    assert data["recheckBy"] == (deadline + dt.timedelta(days=10)).isoformat()
    assert _at(data["replyBefore"]) == _at(_case(world, case_id)["started_at"]) + dt.timedelta(hours=48)
    assert (data["daysSinceOrder"], data["yearsLicensed"]) == (21, years)
    assert data["deadlineWeekday"] == deadline.strftime("%A")
    assert data["overdue"] is (then == "Activity_0late")
    assert _open(world, case_id) == [then]
    if then == "Activity_0track":
        due = dt.datetime.combine(deadline, dt.time(17), tzinfo=SHANGHAI)
        assert _at(_task(world, case_id, then)["due_at"]) == due


def test_zeebe_assignee_and_candidate_users_as_feel(world):
    """核查举报 assignee "=handler"; 审核核查结论 candidateUsers "=reviewers" (a FEEL list from the data);
    答复举报人 candidateUsers "zhang, eastboss" written out."""
    case_id = _start(world, "report_review_users", {"handler": "zhang", "reviewers": ["eastboss", "insp"]})
    task = _task(world, case_id, "Activity_0verify")
    assert (task["assignee"], _may(world, task)) == ("zhang", ["zhang"])
    _do(world, case_id, "Activity_0verify")
    assert sorted(_may(world, _task(world, case_id, "Activity_0review"))) == ["eastboss", "insp"]
    _do(world, case_id, "Activity_0review")
    assert sorted(_may(world, _task(world, case_id, "Activity_0reply"))) == ["eastboss", "zhang"]
    _do(world, case_id, "Activity_0reply")
    _done(world, case_id)


def test_zeebe_terminate_end_inside_a_multi_instance_ends_only_its_instance(world):
    """逐企检查 for 甲化工 and 乙仓储: 甲's 核实经营状态 finds it closed and reaches the terminate end,
    which ends 甲's instance (its 现场检查 is cancelled), not 乙's (Camunda 8's terminate events page,
    docs.camunda.io/docs/8.3/components/modeler/bpmn/terminate-events: "only the element instances of
    the current iteration"; BPMN 2.0.2 §13.5.6 alike); when 乙 is done, 汇总整治情况 opens."""
    case_id = _start(world, "special_campaign_per_enterprise", {"enterprises": [{"name": "甲化工"}, {"name": "乙仓储"}]})
    assert _open(world, case_id) == ["Activity_0site", "Activity_0site", "Activity_0status", "Activity_0status"]
    _do(world, case_id, "Activity_0status", {"closed": True})
    assert _open(world, case_id) == ["Activity_0site", "Activity_0status"]
    _do(world, case_id, "Activity_0status", {"closed": False})
    assert _open(world, case_id) == ["Activity_0site"]
    _do(world, case_id, "Activity_0site")
    assert _open(world, case_id) == ["Activity_0summary"]
    _do(world, case_id, "Activity_0summary")
    _done(world, case_id)


def test_zeebe_event_gateway_looped_back_to_waits_again_for_message_or_a_day(world):
    """整改报告 or 24 hours: each day without it 电话催报 (calls counted by an output mapping), then the
    gateway waits anew, its timer a day from then; the report correlated by noticeNo ends the wait."""
    case_id = _start(world, "rectify_report_reminders", {"noticeNo": "东应急责改〔2026〕9号"})
    for n in (1, 2):
        (timer,) = _case(world, case_id)["timers"]
        assert _open(world, case_id) == []
        _fire(world, hours=24, seconds=1)
        assert _open(world, case_id) == ["Activity_0call"]
        _do(world, case_id, "Activity_0call")
        assert _case(world, case_id)["data"]["calls"] == n
    (timer,) = _case(world, case_id)["timers"]
    assert _at(timer["due_at"]) == world.engine.clock.now().astimezone(dt.timezone.utc) + dt.timedelta(hours=24)
    r = world.call("POST", "/api/messages", "insp", json={"name": "整改报告", "correlation": {"noticeNo": "东应急责改〔2026〕9号"},
                                                          "data": {"报告": "已更换电缆"}})
    assert r.status_code == 200, r.get_json()
    case = _case(world, case_id)
    assert [t["spec_id"] for t in case["tasks"]] == ["Activity_0review"] and not case["timers"]
    assert case["data"]["报告"] == "已更换电缆"


# -- Flowable, Activiti, jBPM, bpmn.io ---------------------------------------------------------------

@pytest.mark.parametrize("typed", ["zhang,eastboss", "zhang，eastboss", "zhang、eastboss", ["zhang", "eastboss"]])
def test_flowable_candidate_users_from_a_variable(world, typed):
    """审查隐患材料 with flowable:candidateUsers="${reviewers}", the reviewers typed on 指定审查人员's form:
    a list, or text split at the comma as Flowable does — and at the Chinese comma or 、 an official
    types: kept whole, 「zhang，eastboss」 named one user nobody is, and the task went to the case's
    starter (insp) without a word."""
    case_id = _start(world, "flowable_joint_review_users", {"signers": ["eastboss"]})
    assert _task(world, case_id, "sid-assign")["assignee"] == "insp"  # ${initiator}
    _do(world, case_id, "sid-assign", {"reviewers": typed, "level": "重大隐患"})
    task = _task(world, case_id, "sid-review")
    assert (task["assignee"], sorted(_may(world, task))) == (None, ["eastboss", "zhang"])
    assert _case(world, case_id)["data"]["level"] == "major"
    _do(world, case_id, "sid-review")
    assert _may(world, _task(world, case_id, "sid-sign")) == ["eastboss"]


@pytest.mark.parametrize("typed, day", [("2027年3月1日", "2027-03-01"), ("2027-04-01", "2027-04-01")])
def test_flowable_boundary_timer_at_a_date_typed_with_a_pattern_anquanfa_102(world, typed, day):
    """《安全生产法》第一百零二条 限期消除: 整改期限 (type date, datePattern yyyy-MM-dd) typed 2027年3月1日
    sets the interrupting boundary timer ${rectifyUntil} on 企业整改 (async, exclusive false) at that
    day's start, Beijing; when it passes, 责令停产停业整顿 replaces 企业整改."""
    case_id = _start(world, "flowable_rectify_until_date")
    _do(world, case_id, "sid-order", {"rectifyUntil": typed, "measures": "更换老化电缆"})
    assert _case(world, case_id)["data"]["rectifyUntil"] == day
    (timer,) = _case(world, case_id)["timers"]
    assert _at(timer["due_at"]) == dt.datetime.combine(dt.date.fromisoformat(day), dt.time(0), tzinfo=SHANGHAI)
    world.engine.clock.advance(seconds=_seconds_until(world, timer) + 1)
    world.engine.run_due_timers()
    assert _open(world, case_id) == ["sid-suspend"]


def _seconds_until(world, timer: dict) -> float:
    return max((_at(timer["due_at"]) - world.engine.clock.now().astimezone(dt.timezone.utc)).total_seconds(), 0)


def test_flowable_date_pattern_refuses_a_day_it_cannot_read(world):
    case_id = _start(world, "flowable_rectify_until_date")
    body = _do(world, case_id, "sid-order", {"rectifyUntil": "下个月", "measures": "x"}, status=422)
    assert "整改期限" in str(body) and _open(world, case_id) == ["sid-order"]


@pytest.mark.parametrize("daily, days, total, then", [("5,000", "２１", 105000, "usertask2"), ("１,０００", "7", 7000, "usertask3")])
def test_activiti_expression_service_tasks_store_their_results_anquanfa_112(world, daily, days, total, then):
    """《安全生产法》第一百一十二条 按日连续处罚: 计算连续处罚总额 activiti:expression="${dailyFine * days}"
    resultVariableName="totalFine", 判断是否集体讨论 "${totalFine >= 100000}" into needCollective, 标记办理阶段
    "${execution.setVariable('stage', '待决定')}": Activiti evaluates each and goes on. Each was taken for
    a handler's name and waited in the inspector's queue as a task (「计算连续处罚总额」), the fine never computed."""
    case_id = _start(world, "activiti_daily_fine_expression")
    _do(world, case_id, "usertask1", {"dailyFine": daily, "days": days})
    data = _case(world, case_id)["data"]
    assert (data.get("totalFine"), data.get("needCollective"), data.get("stage")) == (total, total >= 100000, "待决定"), data
    assert _open(world, case_id) == [then]


def test_jbpm_rest_work_item_is_said_not_called(world):
    """推送企业端, jBPM's REST work item (drools:taskName="Rest", Url with #{noticeNo}, Method POST, Result
    into the property pushResult): refused for the property mapping, as any jBPM task's, and said to be
    jBPM's REST call that is not made here, with what to draw instead."""
    errors, warnings = _refusal(world, "jbpm_rest_work_item.bpmn")
    assert [p["element_id"] for p in errors] == ["_push"]
    said = [p["message"] for p in warnings if p["element_id"] == "_push"]
    assert said and "jBPM 的 REST 工作项（drools:taskName=\"Rest\"），本系统不会发出 HTTP 请求" in said[0], warnings


def test_zeebe_called_decision_id_as_feel_is_refused_saying_what_to_draw(world):
    """zeebe:calledDecision decisionId="=&quot;fine_&quot; + kind" (Zeebe evaluates it when the task
    activates: docs.camunda.io/docs/components/modeler/bpmn/business-rule-tasks, "it can also be defined
    as an expression"): with both decisions deployed, the deploy said 「找不到决策表「="fine_" + kind」，请先部署它」.
    Now it says the id is an expression chosen when the case runs, and to draw a gateway to a business
    rule task per decision."""
    errors, _ = _refusal(world, "zeebe_called_decision_expression.bpmn")
    assert [p["element_id"] for p in errors] == ["Activity_0benchmark"]
    assert "决策表编号「=\"fine_\" + kind」是表达式" in errors[0]["message"]
    assert "用排他网关分到各自的规则任务" in errors[0]["message"] and "请先部署" not in errors[0]["message"]


def test_bpmnio_collapsed_subprocess_with_its_own_diagram_runs_its_tasks(world):
    """demo.bpmn.io (bpmn-js 17) saves a collapsed sub-process's content on a second BPMNDiagram: every
    task a plain task, a none intermediate throw event inside; each plain task is a manual task the
    starter marks done, in order, the sub-process's too."""
    case_id = _start(world, "Process_0pl14m")
    walked = []
    while (open_now := _case(world, case_id)["tasks"]):
        assert len(open_now) == 1
        walked.append(open_now[0]["name"])
        _do(world, case_id, open_now[0]["spec_id"])
    assert walked == ["核实事故信息", "指导救援", "保护现场、收集证据", "上报事故情况"]
    _done(world, case_id)
