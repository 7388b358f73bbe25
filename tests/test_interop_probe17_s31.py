"""A seventeenth batch of public-style models, driven through the served REST API as the hidden probes
drive them (``POST /api/models`` multipart by a designer, ``POST /api/cases``, ``GET /api/cases/{id}``,
``POST /api/tasks/{id}/complete``, ``POST /api/signals``, the engine's clock for timers). Drawn as
each tool saves it (its namespaces, extension elements, ids and diagram, or none), with our own names
and Chinese labels (tests/bpmn/interop/), reaching for what batches 1–16 had not: Camunda Modeler 5.29
for Camunda 7.22 (an ``http-connector`` with a map header and a JUEL payload, ``camunda:formData``
with required/min/max/minlength/maxlength constraints, a ``camunda:taskListener`` expression and
class, ``asyncBefore``/``asyncAfter``; a sub-process whose terminate end event ends it alone while a
parallel branch is open, a link throw/catch pair and a conditional catch with ``variableName``),
Camunda 8.6 (a signal start, ``zeebe:userTask`` with a linked ``formId``, ``zeebe:taskSchedule``, an
output mapping, an escalation end event caught on its sub-process), Flowable 7 (``initiator``, a
``datePattern`` of 年月日, ``skipExpression`` with ``_FLOWABLE_SKIP_EXPRESSION_ENABLED``,
``flowable:assignee="${initiator}"``, a non-interrupting timer event sub-process), jBPM 7's Business
Central (``KieFunctions`` conditions, ``drools:`` metadata, ``bpsim`` relationship, ``potentialOwner``),
Signavio (no diagram, lanes, a default flow), ARIS (``ID_`` ids, a collaboration, a message start that
names no message, nothing executable), Bizagi (its empty timer), Yaoqiang (``_2`` ids, page format, a
data object reference written by a task), a 钉钉-style approval exported with Chinese ids throughout,
and RuoYi-Flowable's (若依) ``multiInstanceHandler.getUserIds(execution)`` 会签 with
``flowable:dataType``/``flowable:text``. Run on SQLite and PostgreSQL: one world a module.

Guards (ran before this batch's engine changes, kept so they keep running, marked 「(Guard.)」): the
Camunda 7 connector model, the terminate/link/conditional model, the Camunda 8 job/decision/external
form model, Flowable's timer event sub-process and its skip expression when not enabled, Signavio's,
Yaoqiang's, and Bizagi's refused empty timer. The rest failed before (12 of 24 on SQLite).
"""
from __future__ import annotations

import pytest

from tests.api_probe_support import deploy_notes as _notes, served_models, walk as _walk, who_may as _who
from tests.api_probe_support import case as _case, complete, deploy as _deploy, done as _done, fire as _fire
from tests.api_probe_support import may, open_specs as _open, start as _start, task as _task

MODELS = (
    "zeebe_risk_group.dmn",  # before the model that calls it
    "zeebe_job_decision_external_form.bpmn", "camunda7_connector_form_listener.bpmn", "camunda7_subprocess_terminate_link_conditional.bpmn",
    "zeebe_signal_start_escalation.bpmn", "flowable7_initiator_skip_timer_esp.bpmn",
    "jbpm7_kie_functions_conditions.bpmn", "signavio_no_di_lanes_default.bpmn", "aris_export_di_only.bpmn",
    "yaoqiang_rectify_notice.bpmn", "dingtalk_style_chinese_ids.bpmn", "ruoyi_flowable_initiator_users.bpmn",
    # last session's models whose incidents reached people in SpiffWorkflow's English
    "camunda7_mi_map_collection_completion.bpmn", "spiff_arena_service_operator.bpmn")

world = served_models("probe17", MODELS)



# -- Camunda Modeler 5.29 for Camunda 7.22 (guards) -------------------------------------------------

def test_camunda7_connector_constraints_and_listeners_run_with_the_connector_worked_by_a_person(world):
    """登记检查结果 checks its formData constraints (发现隐患数 required, 0..99; 检查情况 4..200 characters),
    the http-connector task 推送执法信息系统 is a person's (the call out is not made: said), the task
    listeners are said ignored; asyncBefore/asyncAfter change nothing a person sees. (Guard.)"""
    case_id = _start(world, "camunda7_inspection_push")
    complete(world, case_id, "Activity_0record", {"hazardCount": 120, "findings": "配电室未设置警示标志"}, status=422)
    complete(world, case_id, "Activity_0record", {"hazardCount": 2, "findings": "无"}, status=422)
    _walk(world, case_id, [("Activity_0record", {"hazardCount": 2, "findings": "配电室未设置警示标志"}),
                           ("Activity_0push", {})])
    assert "eastboss" in _who(world, case_id, "Activity_0review") and "zhang" not in _who(world, case_id, "Activity_0review")
    _walk(world, case_id, [("Activity_0review", {})])
    assert _done(world, case_id)["data"]["hazardCount"] == 2
    said = _notes(world, "camunda7_connector_form_listener.bpmn")
    assert any("连接器「http-connector」在本系统中不会调用外部系统" in m for m in said["Activity_0push"]), said
    assert any("任务监听器在本系统中不会执行" in m for m in said["Activity_0record"]), said


@pytest.mark.parametrize("major, then", [(True, ["Activity_0rectify"]), (False, ["Activity_0evidence"])])
def test_camunda7_terminate_end_ends_its_sub_process_only_then_link_and_conditional_catch(world, major, then):
    """现场检查 forks 检查作业场所 and 拍照取证; 发现重大事故隐患 ends the sub-process at 立即停止检查 (a
    terminate end event: 拍照取证 is cancelled, 《安全生产法》第六十五条 责令暂时停产停业) and the case goes
    on through the link 转整改 to the enterprise; otherwise 拍照取证 is still to be done. The conditional
    catch 整改完成 passes at once when 已整改完毕 is true, as Camunda 7 does. (Guard.)"""
    case_id = _start(world, "camunda7_onsite_stop_work")
    assert _open(world, case_id) == ["Activity_0check", "Activity_0evidence"]
    complete(world, case_id, "Activity_0check", {"majorHazard": major})
    assert _open(world, case_id) == then
    if not major:
        _walk(world, case_id, [("Activity_0evidence", {})])
    assert "acme" in _who(world, case_id, "Activity_0rectify")
    _walk(world, case_id, [("Activity_0rectify", {"rectified": True}), ("Activity_0recheck", {})])
    _done(world, case_id)


# -- Camunda 8.6 (guard) --------------------------------------------------------------------------------

def test_camunda8_signal_start_and_escalation_end_caught_on_the_sub_process(world):
    """``POST /api/signals`` 重大隐患预警 starts 重大隐患预警核查; 现场核查 (a ``zeebe:userTask`` linked to a
    form not deployed: said) is due in three days; its output mapping ``=level`` → hazardLevel; 重大 ends
    the sub-process at the escalation end event 上报, caught on it (interrupting): 报告市应急管理局 is the
    section head's, and hazardLevel, which 现场核查 wrote inside the sub-process, is still the case's, as in
    Zeebe (variables live on the process instance); before, the boundary's path lost it."""
    started = []
    for level in ("重大", "一般"):
        r = world.call("POST", "/api/signals", "insp", json={"name": "重大隐患预警", "org": "east", "data": {"预警来源": "在线监测"}})
        assert r.status_code == 200, r.get_json()
        (case_id,) = r.get_json()["started"]
        started.append(case_id)
        verify = _task(world, case_id, "Activity_0verify")
        assert verify["due_at"], verify
        complete(world, case_id, "Activity_0verify", {"level": level})
        assert _case(world, case_id)["data"].get("hazardLevel") == level, (_case(world, case_id)["data"], _open(world, case_id))
        if level == "重大":
            assert _open(world, case_id) == ["Activity_0reportUp"]
            assert "eastboss" in _who(world, case_id, "Activity_0reportUp")
            _walk(world, case_id, [("Activity_0reportUp", {})])
        else:
            _walk(world, case_id, [("Activity_0archive", {})])
        _done(world, case_id)
    assert len(set(started)) == 2


@pytest.mark.parametrize("found, then", [({"staff_count": 300, "uses_hazmat": True}, ["Activity_0keySupervision"]),
                                         ({"staff_count": 20, "uses_hazmat": False}, [])])
def test_camunda8_job_with_retries_then_called_decision_then_external_form(world, found, then):
    """企业风险分级评估: 查询企业基础信息 is a job (``zeebe:taskDefinition type="enterprise-lookup" retries="3"``,
    a task header) a worker fetches through ``/api/external-tasks``; what it returns feeds the decision
    Decision_0riskGroup (``zeebe:calledDecision``, result ``rating``); 红 goes to 列入重点监管, a
    ``zeebe:userTask`` whose form is an ``externalReference`` (a URL: the generic form here, said).
    (Guard.)"""
    case_id = _start(world, "zeebe_enterprise_risk_rating")
    body = {"topic": "enterprise-lookup", "worker": "w17", "lease": 60}
    (job,) = world.call("POST", "/api/external-tasks/fetch-and-lock", "adm", json=body).get_json()["items"]
    assert job["retries"] == 3 and job["case_id"] == case_id, job
    r = world.call("POST", f"/api/external-tasks/{job['id']}/complete", "adm", json={"worker": "w17", "data": found})
    assert r.status_code in (200, 204), r.get_json()
    assert _case(world, case_id)["data"]["rating"]["group"] == ("红" if then else "绿")
    assert _open(world, case_id) == then
    for spec in then:
        assert "eastboss" in _who(world, case_id, spec)
        complete(world, case_id, spec)
    _done(world, case_id)


# -- Flowable 7 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, worked", [
    ({"reporterIsStaff": True, "_FLOWABLE_SKIP_EXPRESSION_ENABLED": True}, ["sid-1D8C-VERIFY"]),
    ({"reporterIsStaff": False, "_FLOWABLE_SKIP_EXPRESSION_ENABLED": True}, ["sid-0C7B-TRIAGE", "sid-1D8C-VERIFY"]),
    ({"reporterIsStaff": True}, ["sid-0C7B-TRIAGE", "sid-1D8C-VERIFY"]),
])
def test_flowable7_skip_expression_passes_the_task_by_only_when_enabled(world, data, worked):
    """科室初审 has ``flowable:skipExpression="${reporterIsStaff}"``: Flowable passes it by when the case
    has ``_FLOWABLE_SKIP_EXPRESSION_ENABLED`` true and the expression holds (yudao sets the switch on
    every case), and works it otherwise; so does Duban now — before, it was worked every time.
    核查举报事项 is the starter's (``flowable:assignee="${initiator}"``), its 核查日期 typed 年月日."""
    case_id = _start(world, "flowable7_tipoff_verify", {"receivedOn": "2026-12-01", **data})
    walked = []
    while (now := [s for s in _open(world, case_id) if s != "sid-84F3-URGE"]):
        walked.append(now[0])
        if now[0] == "sid-1D8C-VERIFY":
            assert _who(world, case_id, now[0]) == ["insp"], _who(world, case_id, now[0])
        complete(world, case_id, now[0], {"verdict": "属实", "verifiedOn": "2026年12月3日"} if now[0] == "sid-1D8C-VERIFY" else {})
    assert walked == worked
    read = _done(world, case_id)
    assert read["data"]["verdict"] == "属实"


def test_flowable7_timer_event_subprocess_urges_after_fifteen_days_without_ending_the_case(world):
    """受理满15日 (a non-interrupting timer start of the event sub-process 逾期督办): after 15 days the
    section head is asked to urge (《安全生产领域举报奖励办法》), the verification stays open. (Guard.)"""
    case_id = _start(world, "flowable7_tipoff_verify", {"receivedOn": "2026-12-01", "reporterIsStaff": False})
    _fire(world, days=16)
    assert _open(world, case_id) == ["sid-0C7B-TRIAGE", "sid-84F3-URGE"]
    assert "eastboss" in _who(world, case_id, "sid-84F3-URGE")
    complete(world, case_id, "sid-84F3-URGE")
    _walk(world, case_id, [("sid-0C7B-TRIAGE", {}), ("sid-1D8C-VERIFY", {"verdict": "不属实"})])
    _done(world, case_id)


# -- jBPM 7 Business Central ---------------------------------------------------------------------------

@pytest.mark.parametrize("data, then", [
    ({"fineAmount": 60000, "hazardLevel": "一般", "rectified": True}, "_7E8F9A0B-REVIEW"),
    ({"fineAmount": 20000, "hazardLevel": "重大", "rectified": False}, "_1C2D3E4F-TRANSFER"),
    ({"fineAmount": 20000, "hazardLevel": "重大", "rectified": True}, None),
])
def test_jbpm7_kie_functions_conditions_choose_as_jbpm_does(world, data, then):
    """The condition editor of Business Central writes ``return KieFunctions.greaterOrEqualThan(fineAmount,
    "50000");``, ``KieFunctions.equalsTo(hazardLevel, "重大") && KieFunctions.isFalse(rectified)``: read
    with jBPM's meaning (a number given as text compared as a number, a variable without a value never
    true). Before, the deploy refused every such flow for the method it calls."""
    case_id = _start(world, "safety.fine_review")
    assert "zhang" in _who(world, case_id, "_9C0D1E2F-DRAFT")
    complete(world, case_id, "_9C0D1E2F-DRAFT", data)
    if then is not None:
        assert _open(world, case_id) == [then]
        assert "eastboss" in _who(world, case_id, then)
        _walk(world, case_id, [(then, {})])
    _done(world, case_id)
    said = _notes(world, "jbpm7_kie_functions_conditions.bpmn")["_A1B2C3D4-0003-4E5F-8A9B-0C1D2E3F4A5B"]
    assert any("KieFunctions" in m and "(fineAmount != null && fineAmount >= 50000)" in m for m in said), said


# -- Signavio, ARIS, Bizagi, Yaoqiang -------------------------------------------------------------------

@pytest.mark.parametrize("verdict, then", [("仍未整改", "sid-ORDER-04"), ("已整改", "sid-CLOSE-05")])
def test_signavio_export_without_diagram_runs_by_its_lanes_and_default_flow(world, verdict, then):
    """Signavio's 复查销案 exported without any diagram: plain tasks in the lanes 执法人员 and 科室负责人,
    the analyst's condition 复查结论 == "仍未整改" and 已整改 the default. (Guard.)"""
    case_id = _start(world, "sid-PROC-2E4F6A8B")
    assert "zhang" in _who(world, case_id, "sid-RECHECK-02")
    complete(world, case_id, "sid-RECHECK-02", {"复查结论": verdict})
    assert _open(world, case_id) == [then]
    who = _who(world, case_id, then)
    assert ("eastboss" in who and "zhang" not in who) if then == "sid-ORDER-04" else "zhang" in who
    _walk(world, case_id, [(then, {})])
    _done(world, case_id)


def test_aris_message_start_that_names_no_message_is_started_by_a_person(world):
    """ARIS's 事故信息报告 (nothing executable, ``ID_`` ids, a collaboration of one pool): its start
    event 接到事故报告 is drawn as a message start without a message — the trigger as the analyst names
    it. Read as the start a person makes, said; before, the deploy refused it for a message nobody could
    send. 上报 within the hours of 《生产安全事故报告和调查处理条例》第十一条 is the section head's lane."""
    case_id = _start(world, "ID_8e2a5f43-3b1c-11ef-7d8e-0050569a1b2c")
    _walk(world, case_id, [("ID_8e2a5f51-3b1c-11ef-7d8e-0050569a1b2c", {"事故概况": "仓库叉车碰撞，1人轻伤"})])
    up = "ID_8e2a5f52-3b1c-11ef-7d8e-0050569a1b2c"
    assert "eastboss" in _who(world, case_id, up) and "zhang" not in _who(world, case_id, up)
    _walk(world, case_id, [(up, {})])
    _done(world, case_id)
    said = _notes(world, "aris_export_di_only.bpmn")["ID_8e2a5f50-3b1c-11ef-7d8e-0050569a1b2c"]
    assert said == ["开始事件「接到事故报告」(ID_8e2a5f50-3b1c-11ef-7d8e-0050569a1b2c) 画作消息开始事件，但没有选择消息"
                    "（描述性模型，未标记为可执行）：按普通开始事件读取，由人员发起案件"], said


def test_bizagi_timer_without_its_time_is_refused_naming_the_event(world):
    """Bizagi Modeler exports the timer 等待10日 as an empty ``timerEventDefinition`` (its time is a
    Bizagi property not written to BPMN): nothing says when it fires, so the deploy refuses it naming
    the event, in Chinese. (Guard.)"""
    r = _deploy(world, "bizagi_empty_timer_lanes.bpmn")
    assert r.status_code == 422, r.get_json()
    body = r.get_json()
    text = str(body)
    assert "中间捕获事件「等待10日」" in text and "定时器没有设置时间" in text, body


def test_yaoqiang_export_with_page_format_and_data_object_goes_round_when_sent_back(world):
    """Yaoqiang BPMN Editor's 整改通知 (``_2`` ids, ``yaoqiang:pageFormat``, a data object 整改通知书
    written by 起草整改通知书, ``${approved == true}`` on 同意, 退回 the default back to the draft). (Guard.)"""
    case_id = _start(world, "PROCESS_1")
    _walk(world, case_id, [("_4", {}), ("_8", {"approved": False}), ("_4", {})])
    assert "eastboss" in _who(world, case_id, "_8")
    _walk(world, case_id, [("_8", {"approved": True}), ("_10", {})])
    _done(world, case_id)


# -- Chinese low-code exports ---------------------------------------------------------------------------

@pytest.mark.parametrize("days, opinion, walked", [
    (45, "同意", ["执法人员审批", "科室负责人审批", "抄送企业"]),
    (20, "同意", ["执法人员审批", "抄送企业"]),
    (20, "驳回", ["执法人员审批"]),
])
def test_dingtalk_style_approval_with_chinese_ids_throughout(world, days, opinion, walked):
    """A 钉钉-style approval exported to BPMN with Chinese ids for the process, every task, gateway and
    flow, and Chinese variable names in its JUEL (``${初审意见 == '同意' && 延期天数 > 30}``): 延期超过30天
    goes to the section head, 30 天以内 straight to the enterprise's copy, 驳回 is the default. The engine
    deployed it; ``POST /api/cases`` refused the key 「流程标识格式不正确」 (ASCII only) until now."""
    case_id = _start(world, "隐患整改延期审批", {"延期天数": days, "延期理由": "设备采购周期长"})
    seen = []
    while (now := _open(world, case_id)):
        seen.append(now[0])
        complete(world, case_id, now[0], {"初审意见": opinion} if now[0] == "执法人员审批" else {})
    assert seen == walked
    _done(world, case_id)


def test_ruoyi_countersign_collection_is_the_tasks_chosen_users(world):
    """RuoYi-Flowable's 法制审核 (``flowable:dataType="USERS"``, ``candidateUsers="eastboss,zhang"``,
    ``flowable:text`` their names) is a 会签 over ``${multiInstanceHandler.getUserIds(execution)}``,
    RuoYi's Spring bean returning those users: one instance each, ``assignee`` its user; one approval
    ends it (``nrOfCompletedInstances > 0``). 填写文书 is the starter's (``${INITIATOR}``). Before, the
    deploy refused the bean."""
    case_id = _start(world, "Process_1733059200000")
    assert _who(world, case_id, "Activity_0q9w8e7") == ["insp"]
    _walk(world, case_id, [("Activity_0q9w8e7", {})])
    reviews = [t for t in _case(world, case_id)["tasks"] if t["spec_id"] == "Activity_1p0o9i8"]
    assert sorted(t["assignee"] for t in reviews) == ["eastboss", "zhang"], reviews
    mine = next(t for t in reviews if t["assignee"] == "eastboss")
    r = world.call("POST", f"/api/tasks/{mine['id']}/complete", "eastboss", json={"data": {"审核意见": "同意"}})
    assert r.status_code == 200, r.get_json()
    _done(world, case_id)


# -- what reached people in SpiffWorkflow's English last time (bench/interop.py --walk) ----------------

def _incident(world, case_id: int, user: str = "adm") -> dict:
    r = world.call("GET", f"/api/incidents?case_id={case_id}", user)
    assert r.status_code == 200, r.get_json()
    (item,) = r.get_json()["items"]
    return item


def test_a_countersign_over_names_where_maps_are_read_says_so_naming_the_task(world):
    """联合执法分片检查's 检查${point.area} takes its assignee from ``${point.inspector}`` of each item of
    checkPoints; given a list of names (as bench/interop --walk gave it) each item is text. The incident
    said 「「检查（未填写）」出错: Error evaluating expression 'point['inspector']'.」 and nothing else (the
    page: 条件无法计算 — there is no condition); now the task, the attribute, the data and the entry, in
    Chinese, the technical text behind it for the designer; the page's words name no variable or user."""
    r = world.call("POST", "/api/cases", "insp", json={"process_key": "joint_points_inspection", "org": "east",
                                                       "data": {"checkPoints": ["zhang", "eastboss"]}})
    assert r.status_code == 422, r.get_json()
    incidents = world.call("GET", "/api/incidents", "adm").get_json()["items"]
    item = next(i for i in incidents if (i.get("payload") or {}).get("process_key") == "joint_points_inspection"
                or "检查（未填写）" in i["detail"])
    assert item["detail"].startswith("「检查（未填写）」出错: 办理人取自案件数据「point」的「inspector」，但「point」的值「zhang」"
                                     "不是含「inspector」的数据项；"), item["detail"]
    assert item["message"] == ("环节“检查（未填写）”出错：办理人取自案件数据中的一项，但它不含所需的内容（如会签名单的每一项都应写明"
                               "办理人）；请检查提交的数据后重试，或请流程设计员修改该任务的办理人"), item["message"]


def test_a_gateway_reading_a_result_nobody_gave_says_so_without_spiffworkflows_suggestions(world):
    """spiff-arena's 是否列入严重失信名单 reads credit_response.get("listed"); when 查询企业信用记录 is completed
    without it, the stored text ended with SpiffWorkflow's 「Did you mean one of '['credit_code', 'score',
    'party']'?」 — the case's variable names in English, for the designer too. The Chinese sentence named
    the data already; the suggestion is gone, the failed expression stays behind it."""
    case_id = _start(world, "spiff_arena_service_operator", {"credit_code": "91110101MA00000A1J"})
    complete(world, case_id, "Activity_0lookup", {}, status=422)
    item = _incident(world, case_id)
    assert "Did you mean" not in item["detail"], item["detail"]
    assert item["detail"].startswith("「是否列入严重失信名单」出错: 条件用到的数据「credit_response」在案件中没有值；"), item["detail"]
    assert item["message"].startswith("环节“是否列入严重失信名单”出错："), item["message"]
