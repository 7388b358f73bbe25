"""A fifteenth batch of public-style models, driven through the served REST API as the hidden probes
drive them (``POST /api/models`` multipart by a designer, ``POST /api/cases``, ``GET /api/cases/{id}``,
``POST /api/tasks/{id}/complete``), with data typed as a tired official types it. Drawn again as each
tool saves it, with our own names and Chinese labels (tests/bpmn/interop/), reaching for what batches
1–14 had not: a Bizagi Modeler export (GUID ids, ``bizagi:BizagiExtensions`` on every element, plain
tasks in lanes named by role, a parallel split and join, not executable) and its gateway whose named
branches have no condition (refused with advice), a Bonita Studio export (``model:`` prefix,
``expressionLanguage`` Groovy, Groovy flow conditions, a process ``ioSpecification``), Camunda 8.6's
``zeebe:versionTag`` and a call activity bound by ``bindingType="versionTag"``, Camunda 8.8's
``zeebe:taskListeners`` beside a FEEL ``zeebe:taskSchedule`` due date, Camunda 7.22's ``timeout`` task
listeners (a timer inside ``extensionElements``), an inclusive join reached by a sub-process's
error boundary path, Camunda 7.12's ``camunda:errorEventDefinition`` on an external task, a timer cycle
with its own start date and offset (``R3/2026-11-24T09:00:00+08:00/P1D``), Camunda 8.5's compensation
and escalation events, Camunda 8.4's external form reference, and spiff-arena's connector-proxy
command (``http/GetRequestV2``). Run on SQLite and PostgreSQL: one world a module (the models deployed once
through the API).
"""
from __future__ import annotations

import pytest

from tests.api_probe_support import deploy_notes as _notes, served_models, walk as _walk, walk_to_the_end
from tests.api_probe_support import at as _at, case as _case, complete, deploy as _deploy, done as _done, fire as _fire
from tests.api_probe_support import open_specs as _open, served_world, start as _start, task as _task

FIRST = ("zeebe_version_tag_child.bpmn",)  # before the model that calls it
MODELS = FIRST + (
    "zeebe_version_tag_parent.bpmn", "zeebe_task_listeners.bpmn", "camunda7_task_listener_timeout.bpmn",
    "camunda7_inclusive_join_after_error.bpmn", "bizagi_rectify_recheck.bpmn", "bonita_rectify_review.bpmn",
    "camunda7_external_error_event.bpmn", "zeebe_compensation_seizure.bpmn",
    "zeebe_escalation_overdue.bpmn", "zeebe_external_form_reference.bpmn", "spiff_arena_service_operator.bpmn")
BIZAGI = "Id_1f2e3d4c-5b6a-4978-8d9c-0b1a2f3e4d5c"  # Bizagi's process id: a GUID
BONITA = "_h7Lk8lgkEeSJ0M3M9Bd4xg"  # Bonita's: an EMF id


world = served_models("probe15", MODELS)


# -- Bizagi Modeler ---------------------------------------------------------------------------------

def test_bizagi_export_with_guid_ids_lanes_and_a_parallel_split_runs_by_the_lanes(world):
    """Bizagi's 隐患整改复查: plain tasks in lanes 执法人员 and 生产经营单位 (the roles' names), the
    enterprise's two tasks at once after the parallel split, joined before 提交整改报告; ids are GUIDs
    and the process is drawn not executable (Bizagi Modeler's default), as a Bizagi file is."""
    case_id = _start(world, BIZAGI)
    _walk(world, case_id, [("Id_a1b2c3d4-0002-4000-8000-000000000002", {})])
    assert _open(world, case_id) == ["Id_a1b2c3d4-0004-4000-8000-000000000004", "Id_a1b2c3d4-0005-4000-8000-000000000005"]
    plan = _task(world, case_id, "Id_a1b2c3d4-0004-4000-8000-000000000004")
    assert plan["name"] == "制定整改方案" and world.engine.may_work(plan["id"], "acme")
    assert not world.engine.may_work(plan["id"], "zhang")  # the enterprise's lane, not the inspector's
    complete(world, case_id, "Id_a1b2c3d4-0005-4000-8000-000000000005")
    assert _open(world, case_id) == ["Id_a1b2c3d4-0004-4000-8000-000000000004"]  # the join waits
    complete(world, case_id, "Id_a1b2c3d4-0004-4000-8000-000000000004")
    _walk(world, case_id, [("Id_a1b2c3d4-0009-4000-8000-000000000009", {}), ("Id_a1b2c3d4-0006-4000-8000-000000000006", {})])
    _done(world, case_id)


def test_bizagi_gateway_whose_named_branches_have_no_condition_is_refused_with_advice(world):
    """Bizagi Modeler draws 复查是否合格？ with branches 合格 / 不合格 and writes no condition (Bizagi
    Studio keeps them elsewhere): refused once, naming the gateway and both branches in Chinese, and
    saying to write conditions or mark a default branch."""
    r = _deploy(world, "bizagi_recheck_decision.bpmn")
    assert r.status_code == 422, r.get_json()
    errors = [p for p in r.get_json()["problems"] if p["severity"] == "error"]
    assert [p["element_id"] for p in errors] == ["Id_a1b2c3d4-0010-4000-8000-000000000010"], errors
    said = errors[0]["message"]
    assert "排他网关「复查是否合格？」" in said and "连线「合格」、连线「不合格」" in said and "请为这些分支填写条件" in said
    assert "默认分支" in said


# -- Bonita Studio ----------------------------------------------------------------------------------

@pytest.mark.parametrize("approved, fine, then", [
    (True, 80000, ["_h7Lk-1gkEeSJ0M3M9Bd4xg", "_h7Lk_FgkEeSJ0M3M9Bd4xg"]),
    (True, 3000, ["_h7Lk_FgkEeSJ0M3M9Bd4xg"]),
    (False, 0, [])])
def test_bonita_groovy_conditions_are_read_as_the_juel_they_are(world, approved, fine, then):
    """Bonita's export writes each flow condition in Groovy (``approved && fineAmount >= 50000``,
    ``approved``; the definitions' expressionLanguage Groovy too): one expression of names and
    operators means what the same JUEL means, so it is read so, noted on the flow. Before, the deploy
    was refused 「使用「http://groovy.apache.org/」语言」 on both flows."""
    case_id = _start(world, BONITA)
    complete(world, case_id, "_h7Lk-VgkEeSJ0M3M9Bd4xg", {"approved": approved, "fineAmount": fine})
    assert walk_to_the_end(world, case_id) == then
    _done(world, case_id)
    notes = _notes(world, "bonita_rectify_review.bpmn")
    assert "是 Groovy 表达式（Bonita 的写法），与 JUEL 的写法相同，按 JUEL 计算" in notes["_h7LlBVgkEeSJ0M3M9Bd4xg"][0]


def test_a_groovy_condition_juel_cannot_say_stays_refused_naming_the_flow(world):
    """A Groovy-only operator (the Elvis ``?:``) or a closure is not JUEL: still refused for its
    language, naming the flow, with nothing run."""
    from tests.interop_support import CORPUS
    xml = (CORPUS / "bonita_rectify_review.bpmn").read_text("utf-8").replace(
        ">approved</model:conditionExpression>", ">(approved ?: false)</model:conditionExpression>").replace(
        'id="_h7Lk8lgkEeSJ0M3M9Bd4xg" name="整改复核"', 'id="bonita_elvis" name="整改复核"')
    r = world.call("POST", "/api/models", "des", data={"file": (__import__("io").BytesIO(xml.encode()), "bonita_elvis.bpmn")},
                   content_type="multipart/form-data")
    assert r.status_code == 422, r.get_json()
    errors = [p for p in r.get_json()["problems"] if p["severity"] == "error"]
    assert [p["element_id"] for p in errors] == ["_h7LlBlgkEeSJ0M3M9Bd4xg"], errors
    assert "连线「同意」的条件使用「http://groovy.apache.org/」语言" in errors[0]["message"]


# -- Camunda 8.6 / 8.8 ------------------------------------------------------------------------------

def test_zeebe_call_bound_by_version_tag_runs_the_tagged_version(world):
    """转区县复核 calls zeebe_version_tag_child with bindingType="versionTag" versionTag="2026-v2" and
    maps verdict and fineAdvice out; 登记举报's output mapping joins district and text with FEEL's
    ``string join``. The child's form-js number takes 「５,０００」. The version tagged 2026-v2 is
    called, as Zeebe does (engine/call_binding.py; tests/test_call_activity_binding_s30.py: a later
    version is not); until 2026-12-07 the latest was, and a note said so."""
    case_id = _start(world, "zeebe_version_tag_parent")
    complete(world, case_id, "Activity_0register", {"district": "东城区", "hazardText": "配电房电缆沟积水"})
    assert _case(world, case_id)["data"]["summary"] == "东城区：配电房电缆沟积水"
    complete(world, case_id, "Activity_0recheck", {"verdict": "confirmed", "fineAdvice": "５,０００"})
    data = _case(world, case_id)["data"]
    assert (data["verdict"], data["fineAdvice"]) == ("confirmed", 5000)
    _walk(world, case_id, [("Activity_0order", {})])
    _done(world, case_id)
    notes = _notes(world, "zeebe_version_tag_parent.bpmn")
    assert "Activity_0handover" not in notes
    assert "zeebe_version_tag_parent" not in notes or not any("versionTag" in n for n in notes["zeebe_version_tag_parent"])


def test_zeebe_task_listeners_are_said_and_the_feel_due_date_is_kept(world):
    """Camunda 8.8's ``zeebe:taskListeners`` (job workers at creating/completing/assigning) are not run:
    said on each task as 任务监听器; the task's FEEL ``zeebe:taskSchedule`` due date (today + 5 days,
    17:00 Beijing) is its 办理期限; 验收 「否」 typed as text is not true, so the default flow loops."""
    case_id = _start(world, "zeebe_task_listeners")
    report = _task(world, case_id, "Activity_0report")
    assert _at(report["due_at"]).astimezone(_at("2026-01-01T08:00:00+08:00").tzinfo) is not None
    assert report["due_at"].startswith(str(world.engine.clock.now().date() + __import__("datetime").timedelta(days=5)))
    _walk(world, case_id, [("Activity_0report", {}), ("Activity_0accept", {"accepted": "否"}),
                           ("Activity_0report", {}), ("Activity_0accept", {"accepted": True})])
    _done(world, case_id)
    notes = _notes(world, "zeebe_task_listeners.bpmn")
    for element in ("Activity_0report", "Activity_0accept"):
        assert any("的任务监听器（作业类型）在本系统中不会执行" in n for n in notes[element]), notes


# -- Camunda 7.22 -----------------------------------------------------------------------------------

def test_camunda7_timeout_task_listeners_are_said_and_their_timers_never_fire(world):
    """企业落实整改 has two ``event="timeout"`` task listeners, each holding a timerEventDefinition inside
    its extensionElements (PT48H, R2/P1D): not run, said naming the class and the expression; no timer
    of theirs fires (the task is still open after 49 hours); 「1,200」 typed into the long field."""
    case_id = _start(world, "camunda7_task_listener_timeout")
    _fire(world, hours=49)
    assert _open(world, case_id) == ["Activity_0rectify"]
    complete(world, case_id, "Activity_0rectify", {"measures": "更换破损电缆并加装盖板", "cost": "1,200"})
    assert _case(world, case_id)["data"]["cost"] == 1200
    _walk(world, case_id, [("Activity_0recheck", {"passed": "否"}), ("Activity_0rectify", {"measures": "补做接地"}),
                           ("Activity_0recheck", {"passed": "是"})])
    _done(world, case_id)
    said = _notes(world, "camunda7_task_listener_timeout.bpmn")["Activity_0rectify"]
    assert any("任务监听器在本系统中不会执行" in n and "cn.gov.safety.RemindListener" in n for n in said), said
    assert "用户任务「企业落实整改」(Activity_0rectify) 的超时任务监听器（时长 PT48H）在本系统中不会触发，到期不会催办或改派；" \
           "如需到期催办，请在该任务上加一个非中断的定时边界事件，其后画催办的任务" in said, said
    assert any("的超时任务监听器（周期 R2/P1D）" in n for n in said), said


@pytest.mark.parametrize("plan, leak, then", [
    ({"fireCheck": "是", "hazmatCheck": "是"}, "是", ["Activity_0evacuate", "Activity_0fire"]),
    ({"fireCheck": "否", "hazmatCheck": "是"}, "否", []),
    ({"fireCheck": "是", "hazmatCheck": "否"}, None, ["Activity_0fire"]),
    ({"fireCheck": "否", "hazmatCheck": "否"}, None, ["Activity_0basic"])])
def test_camunda7_inclusive_join_waits_for_the_error_boundary_path(world, plan, leak, then):
    """检查哪些项目 (inclusive, default 仅基础项) sends 消防 and/or 危化品; 危化品专项检查 throws 危化品泄漏
    from its error end event when 发现泄漏, caught on its boundary: 责令撤人并封控 then goes on to the
    inclusive join 汇总, which waits for it and 消防设施检查 alike before 出具联合检查意见书."""
    case_id = _start(world, "camunda7_inclusive_join_after_error")
    complete(world, case_id, "Activity_0plan", plan)
    if leak is not None:
        complete(world, case_id, "Activity_0tank", {"leak": leak})
    assert _open(world, case_id) == (then or ["Activity_0report"])
    for spec in then:
        assert "Activity_0report" not in _open(world, case_id)  # the join still waits
        complete(world, case_id, spec)
    _walk(world, case_id, [("Activity_0report", {})])
    _done(world, case_id)


def test_camunda7_external_task_error_event_definition_throws_its_error_on_completion(world):
    """推送至信用平台 (camunda:type="external", topic credit-push) holds
    ``<camunda:errorEventDefinition errorRef="Error_0rejected" expression="${pushStatus == 'REJECTED'}"/>``:
    completed by a worker through ``/api/external-tasks`` with pushStatus REJECTED it throws 信用平台退回,
    caught by the boundary 平台退回 (errorCodeVariable rejectCode), so 核对并补录处罚信息 opens, as in
    Camunda 7.12+; with OK the case goes on to 公示处罚信息. Before, the definition was passed over with a
    note and a rejected push was published."""
    for status, then in (("REJECTED", "Activity_0fix"), ("OK", "Activity_0publicize")):
        case_id = _start(world, "camunda7_external_error_event")
        r = world.call("POST", "/api/external-tasks/fetch-and-lock", "adm", json={"topic": "credit-push", "worker": "w1", "lease": 60})
        (item,) = [i for i in r.get_json()["items"] if i["case_id"] == case_id]
        assert (item["element_id"], item["name"]) == ("Activity_0push", "推送至信用平台")
        r = world.call("POST", f"/api/external-tasks/{item['id']}/complete", "adm", json={"worker": "w1", "data": {"pushStatus": status}})
        assert r.status_code == 200, r.get_json()
        assert _open(world, case_id) == [then]
        if status == "REJECTED":
            assert _case(world, case_id)["data"]["rejectCode"] == "CREDIT_REJECTED"
        _walk(world, case_id, [(then, {})])
        _done(world, case_id)
    said = _notes(world, "camunda7_external_error_event.bpmn")["Activity_0push"]
    assert said == ["服务任务「推送至信用平台」(Activity_0push) 的错误事件定义（camunda:errorEventDefinition）：外部任务完成时，"
                    "表达式「${pushStatus == 'REJECTED'}」成立即抛出错误「信用平台退回」（错误代码 CREDIT_REJECTED），"
                    "与 Camunda 7 相同，由边界事件或事件子流程捕获"]


def test_camunda7_timer_cycle_with_its_own_start_date_fires_from_that_date(module_database_url, fresh_database, tmp_path):
    """R3/2026-11-24T09:00:00+08:00/P1D, non-interrupting on 企业停产整顿 (cases start 2026-11-23 09:00
    Beijing): nothing after 23 hours, the first 巡查 at 09:00 the next day, three in all, none after;
    the enterprise's 已申请复产 (default 是) then goes on to 复产验收 while the patrols stay open. A world
    of its own: the module's clock has moved on past that date."""
    world = served_world(fresh_database("sqlite" if module_database_url.startswith("sqlite") else "postgresql"), tmp_path)
    assert _deploy(world, "camunda7_cycle_from_start_date.bpmn").status_code == 201
    case_id = _start(world, "camunda7_cycle_from_start_date")
    _fire(world, hours=23)
    assert _open(world, case_id) == ["Activity_0suspend"]
    _fire(world, hours=1, seconds=1)
    assert _open(world, case_id) == ["Activity_0patrol", "Activity_0suspend"]
    for count in (2, 3, 3):  # a day at a time, as a worker sweeps
        _fire(world, days=1)
        assert _open(world, case_id).count("Activity_0patrol") == count
    complete(world, case_id, "Activity_0suspend", {"resumeApplied": "是"})
    assert sorted(set(_open(world, case_id))) == ["Activity_0patrol", "Activity_0resume"]
    walk_to_the_end(world, case_id)
    _done(world, case_id)
    world.engine.dispose()


@pytest.mark.parametrize("lawful, then", [(False, ["Activity_0release"]), (True, [])])
def test_zeebe_compensation_throw_undoes_the_seizure(world, lawful, then):
    """Camunda 8.5 compensation: 查封危险设备 with a compensation boundary to 解除查封并告知企业; 法制审核
    finding it not lawful throws compensation, so the release opens; lawful ends without it."""
    case_id = _start(world, "zeebe_compensation_seizure")
    _walk(world, case_id, [("Activity_0seal", {}), ("Activity_0review", {"lawful": lawful})])
    assert _open(world, case_id) == then
    for spec in then:
        complete(world, case_id, spec)
    _done(world, case_id)


@pytest.mark.parametrize("overdue, interview", [("３", True), ("0", False)])
def test_zeebe_escalation_from_a_subprocess_starts_the_interview_beside_it(world, overdue, interview):
    """Camunda 8.5 escalation: 逾期上报 thrown inside 企业整改 (overdueDays 「３」 typed full-width) is caught
    non-interrupting on the sub-process: 约谈企业主要负责人 opens while 完成整改 goes on to 复查销号."""
    case_id = _start(world, "zeebe_escalation_overdue")
    complete(world, case_id, "Activity_0progress", {"overdueDays": int(overdue.translate(str.maketrans("０１２３", "0123")))})
    assert _open(world, case_id) == (["Activity_0finish", "Activity_0interview"] if interview else ["Activity_0finish"])
    complete(world, case_id, "Activity_0finish")
    assert "Activity_0recheck" in _open(world, case_id)
    walk_to_the_end(world, case_id)
    _done(world, case_id)


def test_zeebe_external_form_reference_is_said_and_the_task_gets_the_generic_form(world):
    """Camunda 8.4's ``zeebe:formDefinition externalReference`` (an address, or FEEL building one): the
    task is worked with the generic form, and the deploy says the form is an outside page not opened
    here, naming it — before, only 「没有表单」, as though none had been drawn."""
    case_id = _start(world, "zeebe_external_form_reference")
    _walk(world, case_id, [("Activity_0selfcheck", {"hazards": "２"}), ("Activity_0confirm", {})])
    _done(world, case_id)
    said = _notes(world, "zeebe_external_form_reference.bpmn")
    assert any("的表单是外部页面「https://forms.example.gov.cn/self-check?case={{caseNo}}」" in n
               for n in said["Activity_0selfcheck"]), said
    assert any("本系统不打开外部页面" in n for n in said["Activity_0confirm"]), said


@pytest.mark.parametrize("listed, then", [(True, ["Activity_0restrict"]), (False, [])])
def test_spiff_arena_connector_command_waits_for_a_person_who_gives_its_result(world, listed, then):
    """spiff-arena's 查询企业信用记录 calls its connector proxy's ``http/GetRequestV2`` into
    credit_response: not called here, the task is worked by a person, who gives the result through the
    API; the gateway reads it. The deploy says so, naming the command and the result variable."""
    case_id = _start(world, "spiff_arena_service_operator", {"credit_code": "91110101MA00000A1J"})
    assert _case(world, case_id)["data"]["query_url"].endswith("/91110101MA00000A1J")
    complete(world, case_id, "Activity_0lookup", {"credit_response": {"listed": listed}})
    assert _open(world, case_id) == then
    for spec in then:
        complete(world, case_id, spec)
    _done(world, case_id)
    said = _notes(world, "spiff_arena_service_operator.bpmn")["Activity_0lookup"]
    assert any("spiff-arena 连接器代理的命令「http/GetRequestV2」" in n and "结果变量「credit_response」不会被设置" in n
               for n in said), said


def test_camunda7_call_bound_to_a_version_is_honoured_and_an_unknown_binding_is_said(world):
    """Camunda 7's ``camunda:calledElementBinding="version" camunda:calledElementVersion="2"`` on
    区级核查 deploys without a word: that version is started (tests/test_call_activity_binding_s30.py;
    until 2026-12-07 the latest was, and a note said so). A binding neither Camunda knows
    (``"newest"``) is said on the call activity, and the latest is started."""
    from tests.interop_support import CORPUS
    assert _deploy(world, "camunda7_call_child.bpmn").status_code == 201
    drawn = (CORPUS / "camunda7_call_parent.bpmn").read_text("utf-8")
    for binding, expected in (('camunda:calledElementBinding="version" camunda:calledElementVersion="2"', []),
                              ('camunda:calledElementBinding="newest"',
                               ["调用活动「区级核查\n（子流程）」(Activity_0call) 的绑定方式「newest」无法识别（Camunda 支持 latest、"
                                "deployment、version、versionTag），本系统调用被调用流程最新部署的版本"])):
        bound = drawn.replace('camunda:calledElementBinding="latest"', binding)
        said = [p.message for p in world.engine.models.validate(bound, "camunda7_call_parent.bpmn").warnings
                if p.element_id == "Activity_0call" and "绑定方式" in p.message]
        assert said == expected, said
