"""A sixteenth batch of public-style models, driven through the served REST API as the hidden probes
drive them (``POST /api/models`` multipart by a designer, ``POST /api/cases``, ``GET /api/cases/{id}``,
``POST /api/tasks/{id}/complete``, ``POST /api/messages``), with data typed as a tired official types it.
Drawn again as each tool saves it, with our own names and Chinese labels (tests/bpmn/interop/),
reaching for what batches 1–15 had not: Flowable 7's form properties of type enum/date/long with a
composite ``P${rectifyDays}D`` due date and a ternary in ``flowable:candidateGroups``, Flowable 7's
multi-instance ``flowable:variableAggregation``, an event-registry intermediate catch event
(``flowable:eventType`` with out and correlation parameters), ``flowable:async`` and an async HTTP
task, Activiti 6's ``candidateStarterGroups``/``initiator``/``dueDate``/``priority`` expressions,
jBPM 7's ``tns:`` (drools) namespace with ``metaData elementname`` and a ``GroupId`` task input,
Signavio's ``signavioMetaData`` and a collapsed sub-process of plain tasks, an ADONIS export
(``semantic:`` prefix, ``import`` elements, dotted ids, no diagram), a Visual Paradigm export
(its own extension namespace, a data store, a data object with a state, a text annotation, a group
and its category), an Enterprise Architect collaboration (``EAID_`` ids, a black-box pool, send and
receive tasks on message flows, no diagram), Camunda 8.8's ad-hoc sub-process with a completion
condition, ``cancelRemainingInstances`` and ``outputCollection``/``outputElement``, Camunda 7's
``camunda:script`` inside input/output parameters beside lists and maps, and bpmn.io's two
executable pools joined by message flows with a default flow. Run on SQLite and PostgreSQL: one
world a module (the models deployed once through the API).
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.api_probe_support import deploy_notes as _notes, served_models, walk as _walk, who_may as _who, walk_to_the_end
from tests.api_probe_support import at as _at, case as _case, complete, done as _done
from tests.api_probe_support import open_specs as _open, start as _start, task as _task

MODELS = (
    "flowable7_enum_date_long_form.bpmn", "flowable7_countersign_aggregation.bpmn",
    "flowable7_event_registry_catch.bpmn", "flowable7_async_http_task.bpmn", "activiti6_starter_groups_due.bpmn",
    "jbpm7_metadata_tns.bpmn", "signavio_collapsed_subprocess.bpmn", "adonis_hazard_report.bpmn",
    "visual_paradigm_inspection.bpmn", "ea_collaboration_notice.bpmn", "zeebe88_ad_hoc_completion.bpmn",
    "camunda7_io_script_list_map.bpmn", "bpmnio_two_pools_message_flow.bpmn")


world = served_models("probe16", MODELS)



# -- Signavio, ADONIS, Visual Paradigm, Enterprise Architect ----------------------------------------

SIGNAVIO = "sid-0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D"


def test_signavio_collapsed_subprocess_of_plain_tasks_runs_in_the_lanes(world):
    """Signavio's 执法检查: plain tasks with ``signavioMetaData`` in lanes 执法人员 and 科室负责人, the
    sub-process 现场检查 drawn collapsed (``isExpanded="false"``, no shapes for its content), the
    process not executable (Signavio's default); its tasks are worked by the sub-process's lane."""
    case_id = _start(world, SIGNAVIO)
    _walk(world, case_id, [("sid-PLAN", {})])
    assert "eastboss" in _who(world, case_id, "sid-APPROVE") and "zhang" not in _who(world, case_id, "sid-APPROVE")
    _walk(world, case_id, [("sid-APPROVE", {}), ("sid-SUB-CHECK", {})])
    assert "zhang" in _who(world, case_id, "sid-SUB-RECORD")
    _walk(world, case_id, [("sid-SUB-RECORD", {})])
    _done(world, case_id)
    assert _notes(world, "signavio_collapsed_subprocess.bpmn") == {}


@pytest.mark.parametrize("verified, then", [(True, ["obj.c_100244", "obj.c_100245"]), (False, ["obj.c_100245"])])
def test_adonis_export_with_imports_dotted_ids_and_no_diagram_runs(world, verified, then):
    """ADONIS's 隐患举报核查: every element ``semantic:``-prefixed, ids ``obj.c_100234``, two ``import``
    elements (an XSD and another BPMN file nobody has), the process's ``adonis:attribute`` settings,
    HTML documentation, no diagram; 不属实 is the gateway's default."""
    case_id = _start(world, "obj.c_100235")
    complete(world, case_id, "obj.c_100242", {"verified": verified})
    assert walk_to_the_end(world, case_id) == then
    _done(world, case_id)


def test_visual_paradigm_export_with_data_store_annotation_and_group_runs(world):
    """Visual Paradigm's 现场检查: its own ``vp:`` extension namespace, a data store 隐患台账 written and
    read (arrows only), a data object 现场照片 with a state, a text annotation citing 《安全生产法》第六十五条
    and a group with its category: documentation, the tasks go by lane."""
    case_id = _start(world, "_PvN1M6GAqACBAQfs")
    _walk(world, case_id, [("_task_check", {"检查情况": "配电室未设置警示标志"})])
    assert "acme" in _who(world, case_id, "_task_sign") and "zhang" not in _who(world, case_id, "_task_sign")
    _walk(world, case_id, [("_task_sign", {}), ("_task_record", {})])
    _done(world, case_id)


def test_enterprise_architect_collaboration_sends_and_waits_for_the_reply(world):
    """Enterprise Architect's 整改通知: ``EAID_`` ids, a black-box pool 生产经营单位, a send task on a
    message flow to it and a receive task waiting for 整改回复 from it, no diagram. The receive task
    waits until the reply comes through ``/api/messages``."""
    case_id = _start(world, "EAID_PR_AUTHORITY")
    _walk(world, case_id, [("EAID_DRAFT", {})])
    assert _open(world, case_id) == []
    r = world.call("POST", "/api/messages", "insp", json={"name": "整改回复", "case_id": case_id, "data": {"回复": "已整改"}})
    assert r.status_code == 200, r.get_json()
    _walk(world, case_id, [("EAID_RECHECK", {})])
    assert _done(world, case_id)["data"]["回复"] == "已整改"


def test_bpmnio_two_pools_joined_by_message_flows_run_as_two_cases(world):
    """bpmn.io's collaboration: 应急管理局 throws 整改指令书 to the enterprise's pool, whose message start
    begins its case; its message end event 报送整改报告 reaches the bureau's waiting catch; 复查合格？'s
    default flow 合格 ends it."""
    case_id = _start(world, "bpmnio_rectify_bureau")
    _walk(world, case_id, [("Activity_0order", {})])
    assert _open(world, case_id) == []
    firm = [c for c in world.call("GET", "/api/cases", "adm").get_json()["items"] if c["process_key"] == "bpmnio_rectify_firm"]
    assert len(firm) == 1, firm
    _walk(world, firm[0]["id"], [("Activity_0fix", {})])
    _done(world, firm[0]["id"])
    _walk(world, case_id, [("Activity_0recheck", {"passed": True})])
    _done(world, case_id)


# -- jBPM 7, Activiti 6 --------------------------------------------------------------------------------

def test_jbpm7_tns_metadata_names_and_group_input_run(world):
    """jBPM 7's 重大隐患销号 with the drools namespace under the prefix ``tns:`` (``tns:packageName``,
    ``tns:metaData name="elementname"``), a ``GroupId`` task input from a constant, a Java and an MVEL
    ``return`` condition: 审核销号 is the supervisor's; 继续整改 goes round."""
    case_id = _start(world, "safety.hazard_close")
    _walk(world, case_id, [("_check", {})])
    assert "eastboss" in _who(world, case_id, "_review") and "zhang" not in _who(world, case_id, "_review")
    _walk(world, case_id, [("_review", {"closed": False}), ("_check", {}), ("_review", {"closed": True})])
    _done(world, case_id)


def test_activiti6_initiator_due_date_and_priority_expressions(world):
    """Activiti 6's 约谈通知: the starter (``activiti:initiator="applyUser"``) drafts, 签发 is due on the
    day typed on the form (``activiti:dueDate="${interviewDate}"``) with ``${urgent ? 80 : 50}`` as its
    priority; the enterprise confirms. ``activiti:candidateStarterGroups`` (执法人员、科室负责人) is said and enforced (insp is an inspector)."""
    case_id = _start(world, "activiti6_interview_notice")
    assert _who(world, case_id, "usertask1") == ["insp"]  # the starter
    assert _task(world, case_id, "usertask1")["assignee"] == "insp"
    complete(world, case_id, "usertask1", {"interviewDate": "2027年1月8日", "urgent": "是"})
    sign = _task(world, case_id, "usertask2")
    assert sign["due_at"].startswith("2027-01-0"), sign
    _walk(world, case_id, [("usertask2", {}), ("usertask3", {"attendee": "王厂长"})])
    _done(world, case_id)
    said = _notes(world, "activiti6_starter_groups_due.bpmn")["activiti6_interview_notice"]
    assert any(n.startswith("流程「约谈通知」(activiti6_interview_notice) 的候选发起组「inspector,supervisor」限制谁能发起："
                            "组按本系统角色（代码或名称）对应") for n in said), said  # enforced: tests/test_candidate_starters_s31.py


# -- Flowable 7 ------------------------------------------------------------------------------------

def test_flowable7_async_http_task_waits_for_a_person_and_says_so(world):
    """``flowable:async`` on a user task and an async HTTP task with a retry cycle: the HTTP call is not
    made, a person marks 推送信用中国 done; the deploy says so."""
    case_id = _start(world, "flowable7_credit_push")
    _walk(world, case_id, [("register", {"decisionNo": "东应急罚〔2026〕41号"}), ("push", {}), ("archive", {})])
    _done(world, case_id)


def test_flowable7_event_registry_catch_waits_for_its_event(world):
    """收到整改报告 is a Flowable event-registry catch (``flowable:eventType`` rectifyReported, correlated
    by creditCode, out parameters reportText → rectifyReport): the case waits for the event, as
    Flowable does, and what the event brings reaches the case under the mapped names."""
    case_id = _start(world, "flowable7_rectify_event_wait")
    _walk(world, case_id, [("order", {"creditCode": "91110000000000001H"})])
    assert _open(world, case_id) == []
    other = _start(world, "flowable7_rectify_event_wait")
    _walk(world, other, [("order", {"creditCode": "91110000000000002X"})])
    r = world.call("POST", "/api/messages", "insp", json={"name": "rectifyReported", "correlation": {"creditCode": "91110000000000001H"},
                                                          "data": {"reportText": "已更换配电柜", "finishedOn": "2026-12-01"}})
    assert r.status_code == 200, r.get_json()
    assert _open(world, case_id) == ["recheck"] and _open(world, other) == []  # the other enterprise's waits on
    data = _case(world, case_id)["data"]
    assert data["rectifyReport"] == "已更换配电柜" and data["finishedOn"] == "2026-12-01" and "reportText" not in data
    _walk(world, case_id, [("recheck", {})])
    _done(world, case_id)
    said = _notes(world, "flowable7_event_registry_catch.bpmn")["waitReport"]
    assert said == ["中间捕获事件「收到整改报告」(waitReport) 是 Flowable 事件注册表的事件（事件类型「rectifyReported」）：等待名为"
                    "「rectifyReported」的消息（/api/messages），事件数据随消息送达，「reportText」→「rectifyReport」 按事件输出参数写入案件数据"], said


def test_flowable7_variable_aggregation_collects_each_reviewers_opinion(world):
    """会签 over reviewers [zhang, eastboss] with ``flowable:variableAggregation target="reviews"``: each
    instance's opinion and approved (as agreed) gathered into reviews in the order of the collection,
    as Flowable 7 does."""
    case_id = _start(world, "flowable7_case_review_aggregation", {"reviewers": ["zhang", "eastboss"]})
    _walk(world, case_id, [("prepare", {})])
    reviews = [t for t in _case(world, case_id)["tasks"] if t["spec_id"] == "review"]
    assert len(reviews) == 2
    by = {t["assignee"]: t for t in reviews}
    from tests.api_probe_support import complete as _c
    _c(world, case_id, "review", {"opinion": "同意", "approved": True}, which=by["eastboss"])
    _c(world, case_id, "review", {"opinion": "建议从轻", "approved": "否"}, which=by["zhang"])
    data = _case(world, case_id)["data"]
    assert sorted(data["reviews"], key=lambda r: r["opinion"]) == sorted([{"opinion": "建议从轻", "agreed": False},
                                                       {"opinion": "同意", "agreed": True}], key=lambda r: r["opinion"]), data
    assert "opinion" not in data and "approved" not in data
    _walk(world, case_id, [("decide", {"decision": "罚款三万元"})])
    _done(world, case_id)


# -- Camunda 8.8 ------------------------------------------------------------------------------------

def test_zeebe88_ad_hoc_ends_on_its_condition_and_cancels_the_rest(world):
    """落实整改措施 activates the measures listed (=measures); once 企业自查复核 sets rectified the
    completion condition holds and, with ``cancelRemainingInstances``, the measure not done is
    cancelled. Camunda 8.8's ``outputCollection``/``outputElement`` are not written: said on the
    sub-process, alone (before, the whole ``zeebe:adHoc`` was said to be ignored, though its
    activeElementsCollection is run)."""
    case_id = _start(world, "zeebe88_rectify_measures")
    _walk(world, case_id, [("Activity_0plan", {"measures": ["Activity_0equipment", "Activity_0training", "Activity_0selfcheck"]})])
    assert _open(world, case_id) == ["Activity_0equipment", "Activity_0selfcheck", "Activity_0training"]
    complete(world, case_id, "Activity_0equipment", {"measureResult": "已更换"})
    complete(world, case_id, "Activity_0selfcheck", {"rectified": True})
    assert _open(world, case_id) == ["Activity_0accept"]
    assert "Activity_0training" not in [t["spec_id"] for t in _case(world, case_id)["tasks"]]
    _walk(world, case_id, [("Activity_0accept", {})])
    _done(world, case_id)
    notes = _notes(world, "zeebe88_ad_hoc_completion.bpmn")["Activity_0measures"]
    assert notes == ["子流程「落实整改措施」(Activity_0measures) 的输出集合「measureResults」（outputCollection，每项办结时追加 "
                     "outputElement「={措施: measureName, 结果: measureResult}」）在本系统中不会写入；其中各项任务写入的数据直接进入案件数据。"
                     "需要汇总的，请在子流程之后画一个脚本任务，由案件数据算出这个列表"], notes


@pytest.mark.parametrize("level, fine, reviewer", [("重大隐患", "８０,０００", "eastboss"), ("major", "20000", "zhang")])
def test_flowable7_enum_date_long_form_ternary_group_and_composite_due_date(world, level, fine, reviewer):
    """登记隐患's Flowable 7 form: 隐患等级 an enum (typed as its name 重大隐患 or its id major), 发现日期 a
    date (``yyyy-MM-dd``, typed 2026年12月1日), 拟罚款金额 a long typed ８０,０００. 审核重大隐患 goes to
    ``${fineAmount >= 50000 ? 'supervisor' : 'inspector'}``; 退回补正 loops once. 企业整改's
    ``flowable:dueDate="P${rectifyDays}D"`` is the text P30D (the default 30), due 30 days after it
    opens, as Flowable evaluates a composite expression; before, the deploy was refused 「夹杂在文字中」."""
    case_id = _start(world, "flowable7_hazard_grading")
    form = {"hazardLevel": level, "foundDate": "2026年12月1日", "fineAmount": fine}
    complete(world, case_id, "sid-7A1C0F2E-REGISTER", form)
    assert reviewer in _who(world, case_id, "sid-REVIEW") and (reviewer == "zhang" or "zhang" not in _who(world, case_id, "sid-REVIEW"))
    _walk(world, case_id, [("sid-REVIEW", {"reviewResult": "back"}), ("sid-7A1C0F2E-REGISTER", form),
                           ("sid-REVIEW", {"reviewResult": "agree"})])
    rectify = _task(world, case_id, "sid-RECTIFY")
    assert _at(rectify["due_at"]) - _at(rectify["created_at"]) == dt.timedelta(days=30), rectify
    complete(world, case_id, "sid-RECTIFY", {"rectifiedOn": "05-12-2026"})
    data = _done(world, case_id)["data"]
    assert (data["foundDate"], data["fineAmount"], data["rectifiedOn"]) == ("2026-12-01", int(fine.replace(",", "").replace("８", "8").replace("０", "0").replace("，", "")), "2026-12-05")


def test_flowable7_general_hazard_takes_the_default_flow_to_the_enterprise(world):
    """一般隐患 is the gateway's default flow: straight to 企业整改, 20 days when typed so."""
    case_id = _start(world, "flowable7_hazard_grading")
    complete(world, case_id, "sid-7A1C0F2E-REGISTER", {"hazardLevel": "一般隐患", "foundDate": "2026-12-02",
                                                       "fineAmount": "0", "rectifyDays": "20"})
    rectify = _task(world, case_id, "sid-RECTIFY")
    assert _at(rectify["due_at"]) - _at(rectify["created_at"]) == dt.timedelta(days=20), rectify
    complete(world, case_id, "sid-RECTIFY", {"rectifiedOn": "10-12-2026"})
    _done(world, case_id)


# -- Camunda 7 parameters ---------------------------------------------------------------------------

@pytest.mark.parametrize("base, days, total, hearing", [("60,000", "2", 62000, "听证"), ("5000", "0", 5000, "无")])
def test_camunda7_script_parameters_written_as_juel_are_read_beside_lists_and_maps(world, base, days, total, hearing):
    """送达处罚告知书's input totalFine is a Groovy ``camunda:script`` (``baseFine + days * 1000``), its
    output noticeFine a JavaScript one (``totalFine``), beside a list (陈述、申辩 and a JUEL ternary) and a
    map holding a list: each script is one expression JUEL writes the same way, read so and said;
    before, the deploy was refused 「使用了脚本，本系统不支持」."""
    case_id = _start(world, "camunda7_penalty_notice_params")
    _walk(world, case_id, [("Activity_0amount", {"baseFine": base, "days": days}), ("Activity_0notice", {})])
    data = _done(world, case_id)["data"]
    assert data["noticeFine"] == total and data["noticeRights"] == ["陈述", "申辩", hearing]
    assert data["noticeDoc"] == {"文书": "行政处罚告知书", "期限": ["3", "工作日"]}
    assert "totalFine" not in data and "rights" not in data  # input parameters are the task's own
    said = _notes(world, "camunda7_io_script_list_map.bpmn")["Activity_0notice"]
    assert any("的输入参数「totalFine」是 Groovy 脚本「baseFine + days * 1000」，写法与 JUEL 相同，按 JUEL 计算" in n for n in said), said


@pytest.mark.parametrize("script, language, words", [
    ('def t = baseFine; t * 2', "groovy", " Groovy 脚本"),
    ("baseFine === 0 ? 1 : 2", "javascript", " JavaScript 脚本"),
    ("fine = 1", "python", " Python 脚本"),
    ('"罚款" + baseFine + "元"', "groovy", " Groovy 脚本")])
def test_a_script_parameter_that_is_no_expression_stays_refused_naming_its_language(world, script, language, words):
    """A script of statements, a JavaScript-only operator, a Python statement or text joined with ``+``
    (Groovy joins it, JUEL would add it as numbers and stop) is still refused, naming the task, the
    parameter and now the script's language, with advice; nothing is deployed."""
    from tests.api_probe_support import deploy_source
    from tests.interop_support import CORPUS
    xml = (CORPUS / "camunda7_io_script_list_map.bpmn").read_text("utf-8").replace(
        '<camunda:script scriptFormat="groovy">baseFine + days * 1000</camunda:script>',
        f'<camunda:script scriptFormat="{language}">{script}</camunda:script>').replace(
        'id="camunda7_penalty_notice_params"', 'id="camunda7_penalty_notice_refused"')
    r = deploy_source(world, xml.encode(), "refused.bpmn")
    assert r.status_code == 422, r.get_json()
    errors = [p for p in r.get_json()["problems"] if p["severity"] == "error"]
    assert [p["element_id"] for p in errors] == ["Activity_0notice"], errors
    assert errors[0]["message"] == (f"用户任务「送达处罚告知书」的输入参数「totalFine」使用了{words}，本系统不支持；"
                                    "请改为文本值、${...} 表达式、列表或映射，或改用脚本任务"), errors
