"""Probe 6: what the engines public models were drawn for run and Duban refused (probe 5's leftovers:
tests/test_interop_probe5.py), each drawn again as its tool saves it, with our own names and Chinese
labels (tests/bpmn/interop/), run on SQLite and PostgreSQL down the path the vendor's own tests take.
"""
from __future__ import annotations

import pytest

from engine import IncidentRaised

from tests.interop_support import CORPUS, open_tasks_data, user_for
from tests.support import make_engine

MODELS = ("flowable_composite_assignee.bpmn", "camunda7_juel_script_rounds.bpmn", "zeebe_literal_collection.bpmn",
          "flowable_vars_functions.bpmn", "camunda7_error_rethrown_from_handler.bpmn",
          "camunda7_potential_owner.bpmn", "camunda7_due_date_from_data.bpmn",
          "flowable_candidate_groups_from_data.bpmn")
GRID_USERS = ("grid_0", "grid_1", "grid_2", "east_leader", "east_clerk")


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    for username in GRID_USERS:
        eng.directory.add_user(username, org="east", roles=["inspector"], name=f"网格员{username}")
    for name in MODELS:
        eng.deploy(CORPUS / name, by="boss")
    yield eng
    eng.dispose()


def _open(engine, case_id) -> list:
    return sorted(engine.case(case_id).tasks, key=lambda t: (t.spec_id, t.assignee or ""))


def test_an_assignee_mixing_text_and_expressions_is_joined_as_flowable_joins_it(engine):
    """网格化分片检查 (Flowable's NestedMultiInstanceTasks shape, activiti:assignee="kermit_${loopCounter}"):
    Flowable evaluates an assignee with words around ``${...}`` as one composite expression — the
    words kept, each ``${...}`` replaced by its value as text (JSR 245 §1.2.1.1) — so the three
    instances of 分片检查 go to grid_0, grid_1 and grid_2 (Flowable's loopCounter counts from 0);
    ``${brigade}_leader,wang`` makes two candidate users and ``${brigade}_clerk`` the 归档 clerk.
    The deploy refused it 「夹杂在文字中」. wang (王五) is 西城区's: on 东城区's case he is not named
    (engine/projection.may_be_named)."""
    case = engine.start("flowable_composite_assignee", by="zhang", org="east",
                        data={"districts": ["东城片区", "西城片区", "南城片区"], "brigade": "east"}).id
    tasks = _open(engine, case)
    assert [(t.name, t.assignee) for t in tasks] == [("分片检查", "grid_0"), ("分片检查", "grid_1"), ("分片检查", "grid_2")]
    for task in tasks:
        engine.complete(task.id, task.assignee, {})
    (review,) = _open(engine, case)
    assert review.name == "检查结果审核" and review.assignee is None
    assert engine.may_work(review.id, "east_leader") and not engine.may_work(review.id, "wang")
    assert not engine.may_work(review.id, "li")
    engine.complete(review.id, "east_leader", {})
    (archive,) = _open(engine, case)
    assert (archive.name, archive.assignee) == ("归档", "east_clerk")
    engine.complete(archive.id, "east_clerk", {})
    assert engine.case(case).status == "completed"


def test_a_composite_assignee_with_a_null_part_joins_it_as_empty_text(engine):
    """JUEL coerces null to "" in a composite (JSR 245 §1.18.2): no 大队 given, ``${brigade}_clerk`` is
    ``_clerk``. The 审核's ``${brigade}_leader,wang`` is ``_leader`` (no user) and 西城区's wang, not
    named on 东城区's case: it went to the case's starter without a word; now the step is an incident
    naming both (engine/assignment.py, tests/test_assignment_nobody_s27.py)."""
    case = engine.start("flowable_composite_assignee", by="zhang", org="east",
                        data={"districts": ["东城片区"], "brigade": None}).id
    (task,) = _open(engine, case)
    assert task.assignee == "grid_0"
    with pytest.raises(IncidentRaised, match="候选人「_leader」、「wang」在本系统中找不到对应的人员"):
        engine.complete(task.id, "grid_0", {})
    assert [t.id for t in _open(engine, case)] == [task.id]


def test_composite_text_is_translated_part_by_part():
    from engine.el_text import composite, el_text
    from engine.expressions import Untranslatable
    assert composite("kermit_${loopCounter}") == "'kermit_' + duban_el_text(loopCounter)"
    assert composite("${dept}_科长") == "duban_el_text(dept) + '_科长'"
    assert composite("${dept}") is None and composite("wang") is None
    assert [el_text(v) for v in (None, True, 3, 1.5, "东城")] == ["", "true", "3", "1.5", "东城"]
    with pytest.raises(Untranslatable, match="右花括号"):
        composite("grid_${loopCounter")


def _walk_rounds(engine, planned) -> tuple[list[str], dict]:
    case = engine.start("camunda7_juel_script_rounds", by="zhang", org="east", data={"plannedRounds": planned}).id
    labels = []
    while engine.case(case).tasks:
        view = engine.case(case)
        labels.append(view.data["roundLabel"])
        (task,) = view.tasks
        engine.complete(task.id, user_for(engine, task), {})
    view = engine.case(case)
    assert view.status == "completed" and not view.incidents
    return labels, view.data


@pytest.mark.parametrize("planned", [3, "3"])
def test_juel_script_tasks_store_their_value_in_the_result_variable(engine, planned):
    """分轮复查 (Camunda's ExclusiveGatewayTest.testBigLoop shape: scriptFormat="juel" with
    camunda:resultVariable): the script is one EL text evaluated as a value — 轮次归零's ``0`` the
    text "0", 轮次加一's ``${round + 1}`` a number (JUEL's + reads "0" as 0), 写轮次名称's
    ``第${round}轮复查（共${plannedRounds}轮）`` a composite — stored in the result variable; the loop
    back runs while ``${round < plannedRounds}``, three rounds of 现场复查 as in Camunda (a planned
    count typed as text is compared as a number, as JUEL does). The deploy refused the language."""
    labels, data = _walk_rounds(engine, planned)
    assert labels == ["第1轮复查（共3轮）", "第2轮复查（共3轮）", "第3轮复查（共3轮）"]
    assert data["round"] == 3


def test_a_juel_script_we_cannot_translate_is_refused_naming_the_task_and_what_to_write(engine, tmp_path):
    drawn = (CORPUS / "camunda7_juel_script_rounds.bpmn").read_text(encoding="utf-8")
    broken = drawn.replace("${round + 1}", "${round.getClass().getName()}")
    assert broken != drawn
    with pytest.raises(Exception) as refused:
        engine.models.validate(broken.encode("utf-8"), "camunda7_juel_script_rounds.bpmn")
    said = str(refused.value)
    assert "脚本任务「轮次加一」(Activity_0count) 的 JUEL 脚本「${round.getClass().getName()}」" in said
    assert "请把脚本语言改为 Python，脚本写作「round = 计算式」" in said


def test_a_zeebe_multi_instance_over_a_feel_list_written_out_runs_one_instance_an_item(engine):
    """节前安全检查 (Zeebe's automated-tests.bpmn shape: inputCollection="= [\"ubuntu\", \"windows\",
    \"macos\"]"): 行业检查 runs once for each of 危险化学品, 烟花爆竹, 工贸 in order, each instance's
    ``industry`` the item — read by its input mapping too (``industryName``) — and its ``finding``
    gathered into ``findings`` in instance order (outputCollection/outputElement); 分组复核 over
    ``=[1,2,3]`` opens three instances with groupNo 1, 2, 3. The deploy refused both 「不是流程变量名」."""
    case = engine.start("zeebe_literal_collection", by="zhang", org="east").id
    seen = []
    for _ in range(3):
        (task,) = engine.case(case).tasks
        (data,) = [d for d in open_tasks_data(engine, case, "Activity_0industry") if d.get("industry")]
        seen.append((data["industry"], data["industryName"]))
        engine.complete(task.id, user_for(engine, task), {"finding": f"{data['industry']}：未发现重大隐患"})
    assert seen == [("危险化学品", "危险化学品行业"), ("烟花爆竹", "烟花爆竹行业"), ("工贸", "工贸行业")]
    groups = engine.case(case).tasks
    assert [t.name for t in groups] == ["分组复核"] * 3
    assert sorted(d["groupNo"] for d in open_tasks_data(engine, case, "Activity_0group") if d.get("groupNo")) == [1, 2, 3]
    for task in groups:
        engine.complete(task.id, user_for(engine, task), {})
    view = engine.case(case)
    assert view.status == "completed" and not view.incidents
    assert view.data["findings"] == ["危险化学品：未发现重大隐患", "烟花爆竹：未发现重大隐患", "工贸：未发现重大隐患"]
    assert "industry" not in view.data


def test_a_zeebe_collection_reading_variables_stays_refused_naming_the_task(engine):
    drawn = (CORPUS / "zeebe_literal_collection.bpmn").read_text(encoding="utf-8")
    # =[groupA, groupB] runs since session 23 (computed when the task starts: tests/test_vendor_gaps_s23.py)
    broken = drawn.replace('inputCollection="=[1,2,3]"', 'inputCollection="=for a in groupA, b in groupB return a"')
    assert broken != drawn
    with pytest.raises(Exception) as refused:
        engine.models.validate(broken.encode("utf-8"), "zeebe_literal_collection.bpmn")
    assert "用户任务「分组复核」(Activity_0group) 的多实例集合使用 FEEL 表达式" in str(refused.value)


REVIEW = "sid-A1B2C3D4-0001-4E5F-8A9B-0C1D2E3F4A01"


@pytest.mark.parametrize("data, next_task", [
    ({"decision": "立案"}, "立案审批"),
    ({"decision": "移送", "amount": 60000}, "移送司法机关"),
    ({"decision": "移送", "amount": 50000}, "移送司法机关"),
    ({"decision": "移送", "amount": 49999.5}, "不予立案告知"),
    ({"decision": "移送"}, "不予立案告知"),
    ({}, "补充审查意见"),
    ({"decision": ""}, "补充审查意见"),
    ({"decision": "不予立案"}, "不予立案告知"),
])
def test_flowable_variable_functions_route_as_flowable_routes(engine, data, next_task):
    """线索审查分流 (Flowable's InclusiveGatewayTest.testMergeWithEndedExecution writes
    ``${vars:equals(decision, 'goUp')}``): Flowable's variable functions answer without failing
    when the variable is absent — vars:equals false, variables:greaterThanOrEquals false (no
    涉案金额: not 移送司法机关), vars:isEmpty true (no 审查意见, or an empty one: 补充审查意见) —
    and compare numbers by value (50000 and 50000.0 alike). The deploy refused them, quoting
    「:equals(decision, 'g」."""
    case = engine.start("flowable_vars_functions", by="zhang", org="east").id
    (task,) = engine.case(case).tasks
    engine.complete(task.id, user_for(engine, task), data)
    view = engine.case(case)
    assert [t.name for t in view.tasks] == [next_task] and not view.incidents


def test_a_flowable_comparison_of_text_with_a_number_stops_in_chinese_as_flowable_stops(engine):
    """Flowable's comparator functions compare a variable as stored: 涉案金额 typed as the text
    「60000」 against 50000 is Java's ClassCastException there; here an incident naming the gateway,
    the flow and both values, the task left open."""
    from engine.errors import IncidentRaised
    case = engine.start("flowable_vars_functions", by="zhang", org="east").id
    (task,) = engine.case(case).tasks
    with pytest.raises(IncidentRaised):
        engine.complete(task.id, user_for(engine, task), {"decision": "移送", "amount": "60000"})
    view = engine.case(case)
    assert [t.name for t in view.tasks] == ["线索审查"]
    (incident,) = view.incidents
    assert "排他网关「审查意见」" in incident.message and "通往「移送司法机关」的连线" in incident.message
    assert "变量函数不能比较「60000」与「50000」的大小" in incident.message


@pytest.mark.parametrize("condition, said", [
    ("${vars:base64(decision)}", "使用了 Flowable 的变量函数「vars:base64」，本系统只支持"),
    ("${vars:equals(case.decision, '立案')}", "「vars:equals」的第一个参数应是流程变量名"),
    ("${vars:equals(decision)}", "「vars:equals」的参数个数不对"),
])
def test_a_flowable_variable_function_we_do_not_run_is_refused_naming_it(engine, condition, said):
    drawn = (CORPUS / "flowable_vars_functions.bpmn").read_text(encoding="utf-8")
    broken = drawn.replace("${vars:equals(decision, '立案')}", condition)
    assert broken != drawn
    with pytest.raises(Exception) as refused:
        engine.models.validate(broken.encode("utf-8"), "flowable_vars_functions.bpmn")
    assert "连线「立案」" in str(refused.value) and said in str(refused.value)


@pytest.mark.parametrize("blocked, worked", [(True, ["调取证据", "协调调取证据", "上报处置"]), (False, ["调取证据"])])
def test_an_error_rethrown_by_a_subprocess_handler_goes_to_the_subprocess_boundary(engine, blocked, worked):
    """现场取证（受阻上报） (Camunda's ErrorEventSubProcessTest.testThrowErrorInLoop shape): 取证受阻
    thrown inside 现场取证 starts that sub-process's own event sub-process 协调取证 (not the boundary);
    its end throws 取证受阻 again, which the same handler does not catch a second time — it leaves
    the sub-process for the boundary 取证受阻 and 上报处置, as Camunda's test expects
    (ErrorHandlingUserTask after WaitState). Refused at deploy before dac6acf (nested event
    sub-process); the path checked here."""
    case = engine.start("camunda7_error_rethrown_from_handler", by="zhang", org="east").id
    done = []
    while engine.case(case).tasks:
        (task,) = engine.case(case).tasks
        done.append(task.name)
        engine.complete(task.id, user_for(engine, task), {"blocked": blocked})
    view = engine.case(case)
    assert done == worked and view.status == "completed" and not view.incidents


def test_bpmn_potential_owner_and_human_performer_assign_as_camunda_assigns(engine):
    """专家会审 (probe 6: Camunda's TaskAssignmentExtensionsTest.testMixedCandidateUserDefinition,
    camunda:candidateUsers="kermit" beside potentialOwner "user(fozzie), user(gonzo)"): the
    standard's resource roles add to the vendor attribute — li and eastboss may work 专家会审 (wang
    too, were he not 西城区's on 东城区's case: engine/projection.may_be_named), zhang (the starter) may not; a bare name in potentialOwner is a group (负责人签批 queued for
    supervisor); humanPerformer is the assignee (归档 to li). Both were dropped silently: every task
    went to the starter."""
    case = engine.start("camunda7_potential_owner", by="zhang", org="east").id
    (review,) = engine.case(case).tasks
    assert review.assignee is None
    assert [engine.may_work(review.id, u) for u in ("li", "wang", "eastboss", "zhang")] == [True, False, True, False]
    engine.complete(review.id, "li", {})
    (sign,) = engine.case(case).tasks
    assert sign.role_code == "supervisor" and engine.may_work(sign.id, "eastboss") and not engine.may_work(sign.id, "zhang")
    engine.complete(sign.id, "eastboss", {})
    (archive,) = engine.case(case).tasks
    assert (archive.name, archive.assignee) == ("归档", "li")
    engine.complete(archive.id, "li", {})
    assert engine.case(case).status == "completed"


def test_a_task_name_expression_is_computed_and_the_completer_variable_is_written_as_flowable_writes_it(engine):
    """联合检查会签 (probe 6: Flowable's UserTaskTest.testTaskNameWithExpression and
    userTaskCompleterVariableName): Flowable computes ``name="${checkTitle}"`` and writes the
    completer's user name to ``taskCompleterVariableName``. The name is computed as the task opens
    (tests/test_event_task_name_expressions.py), so nothing is said of it. The completer variable was a
    note saying it is not written; since the engine has ``completerVariable`` (18626cd, the 退回 to the
    承办人) it is read as that: each 检查's completer is in the case's data after the join, as in Flowable."""
    pf = engine.models.validate((CORPUS / "flowable_task_words_not_computed.bpmn").read_bytes(),
                                "flowable_task_words_not_computed.bpmn")
    said = [w.message for w in pf.warnings]
    assert not any("的名称含表达式" in m or "taskCompleterVariableName" in m for m in said), said
    engine.deploy(CORPUS / "flowable_task_words_not_computed.bpmn", by="boss")
    case = engine.start("flowable_task_words_not_computed", by="zhang", org="east", data={"checkTitle": "消防检查"})
    for task, user in zip(sorted(engine.case(case.id).tasks, key=lambda t: t.name), ("grid_0", "grid_1")):
        engine.complete(task.id, user, {})
    done = engine.case(case.id)
    assert done.status == "completed"
    assert {done.data.get("fireChecker"), done.data.get("safetyChecker")} == {"grid_0", "grid_1"}, done.data


def test_a_due_date_read_from_absent_data_says_to_draw_a_fixed_period_not_a_person(engine):
    """限期整改复查 (probe 6: Camunda's TaskDueDateExtensionsTest.testRelativeDueDate, camunda:dueDate=
    "${dateVariable}"): Camunda stops the start when the variable is absent, and so does Duban —
    but its words told the designer to make the 办理期限 「固定的人员或角色」 (a person or role).
    They now say a fixed period. Given the 整改期限, the task's due date is that day, as Camunda's."""
    from engine.errors import IncidentRaised
    with pytest.raises(IncidentRaised) as stopped:
        engine.start("camunda7_due_date_from_data", by="zhang", org="east", data={"remindAt": "2026-12-20"})
    said = str(stopped.value)
    assert "办理期限取自案件数据「rectifyDeadline」，它在案件中没有值" in said
    assert "或请流程设计员把该任务的办理期限（dueDate）改为固定的期限（如 P5D，即 5 天）" in said
    assert "固定的人员或角色" not in said
    from webui.labels import incident_explanation
    shown = incident_explanation(said.split(": ", 1)[-1])
    assert "办理期限改为固定的期限" in shown and "固定的人员或角色" not in shown and "rectifyDeadline" not in shown
    case = engine.start("camunda7_due_date_from_data", by="zhang", org="east",
                        data={"rectifyDeadline": "2026-12-31", "remindAt": "2026-12-20"}).id
    (task,) = engine.case(case).tasks
    assert task.due_at is not None and task.due_at.date().isoformat() in ("2026-12-30", "2026-12-31")


@pytest.mark.parametrize("groups", ["supervisor", ["management", "supervisor"], "management，supervisor"])
def test_candidate_groups_written_as_an_expression_are_computed_when_the_task_opens(engine, groups):
    """分级审批 (probe 6: Flowable's TaskAssignmentExtensionsTest.testCandidateGroupsExpressionExtension,
    flowable:candidateGroups="${candidateGroupsVar}"): Flowable computes the groups when the task is
    created — a name, a list, or names separated by commas. The expression was kept as the text
    「${approverGroups}」, no role of that name, and 审批 went to the starter; the deploy called it
    「不是已有角色」. Now 审批 is queued for the first known role, supervisor."""
    case = engine.start("flowable_candidate_groups_from_data", by="zhang", org="east", data={"approverGroups": groups}).id
    (task,) = engine.case(case).tasks
    assert task.role_code == "supervisor" and task.assignee is None
    assert engine.may_work(task.id, "eastboss") and not engine.may_work(task.id, "zhang")


def test_candidate_groups_read_from_absent_data_stop_the_start_in_chinese(engine):
    from engine.errors import IncidentRaised
    with pytest.raises(IncidentRaised) as stopped:
        engine.start("flowable_candidate_groups_from_data", by="zhang", org="east")
    assert "候选组取自案件数据「approverGroups」，它在案件中没有值" in str(stopped.value)
    pf = engine.models.validate((CORPUS / "flowable_candidate_groups_from_data.bpmn").read_bytes(),
                                "flowable_candidate_groups_from_data.bpmn")
    assert not any("不是已有角色" in w.message for w in pf.warnings)
