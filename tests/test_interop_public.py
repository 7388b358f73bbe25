"""Constructs found in real public models (Camunda's and Flowable's examples and test resources,
Activiti's converter tests, Zeebe's engine tests; bench/interop.py --dir runs the collection) that
Duban crashed on, refused wrongly or refused without saying what to change. Each is drawn again here
as its tool saves it, with Chinese names (tests/bpmn/interop/), and run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from engine.errors import IncidentRaised, InvalidData, InvalidModel
from engine.schema import Incident
from tests.interop_support import CORPUS, corpus_engine, drive  # noqa: F401 (corpus_engine: the module fixture)


def _open(engine, case_id):
    return sorted(t.spec_id for t in engine.case(case_id).tasks)


def _work(engine, case_id, spec_id, data=None, user="zhang"):
    (task,) = [t for t in engine.case(case_id).tasks if t.spec_id == spec_id]
    engine.complete(task.id, user, data or {})


def _incidents(engine, case_id):
    import sqlalchemy as sa
    with engine.db.read() as s:
        return s.execute(sa.select(Incident.message).where(Incident.case_id == case_id)).scalars().all()


def test_elements_named_start_end_and_root_run_as_drawn(engine):
    """Camunda's hand-written test models name their events Start and End — SpiffWorkflow's names
    for its own task specs (a case could not start: "No output task connected"); a task named
    Root would be dropped when the case is saved. They get free ids, noted on the element."""
    out = drive(engine, "camunda7_reserved_ids")
    assert out.status == "completed", out
    assert sorted(t.spec_id for t in out.tasks) == ["Root_1", "exitCheck", "storeCheck"]
    assert [t.name for t in out.tasks][-1] == "出具复查意见"
    pf = engine.models.validate((CORPUS / "camunda7_reserved_ids.bpmn").read_bytes(), "camunda7_reserved_ids.bpmn")
    notes = [w.message for w in pf.warnings if "引擎内部名称" in w.message]
    assert notes == ["开始事件「开始复查」(Start_1) 原标识「Start」与引擎内部名称相同，已改为「Start_1」",
                     "用户任务「出具复查意见」(Root_1) 原标识「Root」与引擎内部名称相同，已改为「Root_1」",
                     "结束事件「复查结束」(End_1) 原标识「End」与引擎内部名称相同，已改为「End_1」"]


@pytest.mark.parametrize("data, task", [({"type": "危化品", "input": 3, "id": "JB-0002"}, "chemicalCheck"),
                                        ({"type": "危化品", "input": 1, "id": "JB-0001"}, "fireCheck"),
                                        ({"type": "其他", "input": 5, "id": "JB-0003"}, "generalCheck")])
def test_case_variables_named_like_python_builtins_are_read_as_the_case_data(engine, data, task):
    """``${type == '危化品' && input > 2}``: type, input and id are case variables in a Camunda model
    (deploying refused them as builtins); calling such a builtin is still refused."""
    out = drive(engine, "camunda7_builtin_names", data=data)
    assert out.status == "completed" and [t.spec_id for t in out.tasks] == [task], out


def test_calling_an_unavailable_builtin_is_still_refused_naming_it(engine):
    xml = (CORPUS / "camunda7_builtin_names.bpmn").read_text(encoding="utf-8").replace(
        "${type == '消防' || id == 'JB-0001'}", "type(id) == str")
    with pytest.raises(InvalidModel) as err:
        engine.deploy(xml.encode(), by="boss", filename="builtin_call.bpmn")
    assert "不允许使用内置函数 'type'" in str(err.value)


def test_a_conditional_event_waits_until_its_juel_condition_holds(engine):
    """条件事件: ``${rectified == true && score >= 60}`` on an intermediate conditional event is
    translated like any JUEL condition, and waits while the case has no ``rectified`` yet (the case
    failed the moment it reached the event); it fires once a task sets what it reads."""
    case = engine.start("camunda7_conditional_wait", by="zhang", org="east", data={})
    assert engine.case(case.id).status == "running" and not _incidents(engine, case.id)
    assert _open(engine, case.id) == ["Activity_0recheck"]
    _work(engine, case.id, "Activity_0recheck", {"rectified": "是", "score": "８５"})
    assert engine.case(case.id).status == "completed"


def test_a_conditional_event_nothing_can_satisfy_is_said_to_stall(engine):
    case = engine.start("camunda7_conditional_wait", by="zhang", org="east", data={})
    with pytest.raises(IncidentRaised) as err:
        _work(engine, case.id, "Activity_0recheck", {"rectified": "否", "score": "40"})
    assert "流程停滞：案件停在中间捕获事件「整改到位」(Event_0rectified)，等待的条件不成立" in str(err.value)


def test_a_loop_with_no_gateway_to_leave_it_is_refused_naming_its_parallel_gateway(engine):
    """A branch drawn back before its parallel gateway goes round forever (SpiffWorkflow's look-ahead
    recursed until RecursionError): refused, saying what to draw instead."""
    with pytest.raises(InvalidModel) as err:
        engine.deploy(CORPUS / "zeebe_endless_loop.bpmn", by="boss")
    (problem,) = [p for p in err.value.problems if p["severity"] == "error"]
    assert problem["element_id"] == "Gateway_0again"
    assert "中间捕获事件「等到次日」(Event_0daily)→并行网关「再来一轮」(Gateway_0again)" in problem["message"]
    assert problem["message"].endswith("请在环路上加一个带条件的排他网关决定何时退出循环，需要定期重复的工作请改用循环定时开始事件（如 R/P1D）")


@pytest.mark.parametrize("data, task", [({"recheck_date": "2026-12-20"}, "Activity_0recheck"),
                                        ({"recheck_date": "2026-12-20", "waived": True}, "Activity_0schedule"),
                                        ({}, "Activity_0schedule")])
def test_feel_is_defined_tells_whether_the_case_has_a_variable(engine, data, task):
    out = drive(engine, "zeebe_is_defined", data=data)
    assert out.status == "completed" and [t.spec_id for t in out.tasks] == [task], out


def test_an_activiti_form_property_writes_its_variable_and_a_read_only_one_is_not_required(engine):
    """``activiti:formProperty`` with ``variable``: the value goes to that case variable (the
    gateway reads ``hazard_level``); ``writable="false"`` with ``required="true"`` is shown, never
    required (the task could not be completed), and what is submitted for it is not written."""
    case = engine.start("activiti_form_properties", by="zhang", org="east", data={"enterprise": "东方化工有限公司"})
    with pytest.raises(InvalidData) as err:
        _work(engine, case.id, "usertask1", {"fine_amount": "5,000"})
    assert err.value.errors == {"hazard_level": "「隐患等级」为必填项"}
    _work(engine, case.id, "usertask1", {"hazard_level": "major", "fine_amount": "5,000", "enterprise": "别的公司"})
    assert _open(engine, case.id) == ["usertask2"]
    data = engine.case(case.id).data
    assert (data["enterprise"], data["hazard_level"], data["fine_amount"]) == ("东方化工有限公司", "major", 5000)


def test_a_model_without_lanes_is_told_what_to_do_in_the_designers_panel(engine):
    """The no-lane warning says what the designer does in the properties panel (a lane and its
    「泳道角色」), not a model property the panel does not offer."""
    pf = engine.models.validate((CORPUS / "zeebe_is_defined.bpmn").read_bytes(), "zeebe_is_defined.bpmn")
    (warning,) = [w.message for w in pf.warnings if "没有泳道" in w.message]
    assert warning == ("流程「复查安排」(zeebe_is_defined) 没有泳道，其中的任务将由发起人办理；如需交给某一角色办理，"
                       "请添加泳道，并在属性面板的「泳道角色」中选择角色")


def test_a_countersign_completes_on_its_camunda_counters(engine):
    """会签: ``${nrOfCompletedInstances/nrOfInstances >= 0.5}`` ends the experts' countersign once half
    have signed (the others' tasks are withdrawn); a sequential review reads ``loopCounter`` and
    ``nrOfActiveInstances``. The counters Camunda, Flowable and Activiti give a completion condition
    were unknown names (an incident at the first completion)."""
    case = engine.start("flowable_countersign_half", by="zhang", org="east",
                        data={"experts": ["zhang", "eastboss", "boss", "li"]})  # officials of the case's branch: an
    # enterprise's account or another district's official is not named (engine/projection.may_be_named)
    assert sorted(t.assignee for t in engine.case(case.id).tasks) == ["boss", "eastboss", "li", "zhang"]
    for user in ("zhang", "eastboss"):
        (task,) = [t for t in engine.case(case.id).tasks if t.assignee == user]
        engine.complete(task.id, user, {})
    assert _open(engine, case.id) == ["sid-review"]
    _work(engine, case.id, "sid-review", {"passed": True})
    assert _open(engine, case.id) == ["sid-review"]  # loopCounter 0: once more
    _work(engine, case.id, "sid-review", {"passed": True})
    assert engine.case(case.id).status == "completed"


@pytest.mark.parametrize("data, task", [({"hazmat": True, "employees": 20}, "sid-key"),
                                        ({"hazmat": False, "employees": 150}, "sid-routine")])
def test_a_flowable_decision_task_runs_its_decision_table(engine, data, task):
    """决策任务: Flowable saves it as ``serviceTask flowable:type="dmn"`` with the decision's key in a
    field; it waited as a task for a person (the decision never ran). It runs the deployed table."""
    out = drive(engine, "flowable_decision_task", data=data)
    assert out.status == "completed" and [t.spec_id for t in out.tasks] == [task], out
    pf = engine.models.validate((CORPUS / "flowable_decision_task.bpmn").read_bytes(), "flowable_decision_task.bpmn")
    assert not [w.message for w in pf.warnings if "字段注入" in w.message]


def test_a_task_with_two_unconditioned_outgoing_flows_takes_both(engine):
    """A bpmn.io sketch (and the BPMN MIWG reference A.4.1) draws a task with two outgoing flows and
    no gateway: BPMN takes both at once. SpiffWorkflow refused the model ("more than one outgoing
    sequence flow"); a parallel gateway is put after the task, noted on it."""
    case = engine.start("bpmnio_implicit_split", by="zhang", org="east", data={})
    _work(engine, case.id, "Activity_accept")
    assert _open(engine, case.id) == ["Activity_records", "Activity_site"]
    _work(engine, case.id, "Activity_site")
    assert _open(engine, case.id) == ["Activity_records"]
    _work(engine, case.id, "Activity_records")
    _work(engine, case.id, "Activity_reply")
    assert engine.case(case.id).status == "completed"
    pf = engine.models.validate((CORPUS / "bpmnio_implicit_split.bpmn").read_bytes(), "bpmnio_implicit_split.bpmn")
    assert [w.message for w in pf.warnings if "出口连线" in w.message] == [
        "任务「受理举报」(Activity_accept) 有 2 条出口连线且都没有条件，按 BPMN 的规定同时走全部连线（本系统在其后加了一个并行网关）"]


@pytest.mark.parametrize("urgent", [True, False])
def test_a_task_with_a_condition_on_one_of_its_outgoing_flows_takes_the_flows_that_hold(engine, urgent):
    """条件连线 from a task: BPMN (and Camunda 7, Flowable) takes the flows whose condition holds and
    those without one (tests/test_interop_probe3.py). Drawn into this sketch's parallel split, a
    condition that does not hold leaves the parallel join waiting for a branch that never comes:
    Camunda 7 keeps such a case waiting without a word, Duban raises 流程停滞 naming the join."""
    xml = (CORPUS / "bpmnio_implicit_split.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:sequenceFlow id="Flow_c" sourceRef="Activity_accept" targetRef="Activity_records" />',
        '<bpmn:sequenceFlow id="Flow_c" sourceRef="Activity_accept" targetRef="Activity_records">'
        '<bpmn:conditionExpression>${urgent}</bpmn:conditionExpression></bpmn:sequenceFlow>')
    model = engine.deploy(xml.encode(), by="boss", filename="conditional_split.bpmn")
    case = engine.start(model.key, by="zhang", org="east", data={"urgent": urgent})
    _work(engine, case.id, "Activity_accept")
    assert _open(engine, case.id) == (["Activity_records", "Activity_site"] if urgent else ["Activity_site"])
    if urgent:
        return
    with pytest.raises(IncidentRaised, match="流程停滞：案件停在并行网关 Gateway_join"):
        _work(engine, case.id, "Activity_site")


def test_a_subprocess_without_an_end_event_ends_where_its_path_ends(engine):
    """Camunda's test models draw subprocesses, and event subprocesses, with no end event: BPMN ends
    the path at the last activity. SpiffWorkflow refused the model ("A SubWorkflow Must contain an
    End event"); an end event is put after each such activity, noted on it."""
    out = drive(engine, "camunda7_implicit_end")
    assert out.status == "completed" and [t.spec_id for t in out.tasks] == ["register", "recheck", "archive"], out
    pf = engine.models.validate((CORPUS / "camunda7_implicit_end.bpmn").read_bytes(), "camunda7_implicit_end.bpmn")
    assert [w.message for w in pf.warnings if "没有结束事件" in w.message] == [
        "用户任务「登记整改情况」(register) 之后没有连线，所在子流程「登记」(registerSub)没有结束事件，"
        "按 BPMN 的规定该路径在此结束（本系统在其后加了一个结束事件）",
        "用户任务「催办复查」(urge) 之后没有连线，所在子流程「催办」(urgeSub)没有结束事件，"
        "按 BPMN 的规定该路径在此结束（本系统在其后加了一个结束事件）"]


def test_an_error_event_subprocess_inside_a_sub_process_waits_for_its_error(engine):
    """Camunda's ErrorEventSubProcessTest shape inside a sub-process (a catch-all error start, drawn
    isInterrupting="false" though an error start always interrupts): SpiffWorkflow read an error
    start as a plain one, so the handler ran the moment its subprocess was entered (催办复查 on every
    case) and the deploy refused it. Read as an error start (engine/interrupting.py) and started by
    an error of its scope only (engine/scoped_events.py), it never runs when no error comes."""
    xml = (CORPUS / "camunda7_implicit_end.bpmn").read_text(encoding="utf-8").replace(
        """<timerEventDefinition>
            <timeDuration>P1D</timeDuration>
          </timerEventDefinition>""", "<errorEventDefinition />").replace(
        'id="camunda7_implicit_end"', 'id="camunda7_implicit_end_error"')
    engine.deploy(xml.encode(), by="boss", filename="camunda7_implicit_end_error.bpmn")
    case = engine.start("camunda7_implicit_end_error", by="zhang", org="east", data={})
    _work(engine, case.id, "register")
    assert _open(engine, case.id) == ["recheck"]
    _work(engine, case.id, "recheck")
    _work(engine, case.id, "archive")
    assert engine.case(case.id).status == "completed"


@pytest.mark.parametrize("data, reviews", [({"fire_risk": True, "pollution": False}, ["Activity_0fire", "Activity_0safety"]),
                                           ({"fire_risk": False, "pollution": False}, ["Activity_0safety"]),
                                           ({"fire_risk": True, "pollution": True},
                                            ["Activity_0env", "Activity_0fire", "Activity_0safety"])])
def test_an_inclusive_gateways_branch_without_a_condition_is_always_taken(engine, data, reviews):
    """包容网关: Camunda's InclusiveGatewayTest and Flowable draw a branch with no condition beside
    conditional ones — Camunda 7, Flowable and Activiti always take it. SpiffWorkflow refused the
    model saying 「排他网关的分支缺少条件」 of an inclusive gateway; the branch gets ``True``, noted."""
    case = engine.start("camunda7_inclusive_always", by="zhang", org="east", data={})
    _work(engine, case.id, "Activity_0register", data)
    assert _open(engine, case.id) == reviews
    for spec_id in reviews:
        _work(engine, case.id, spec_id)
    _work(engine, case.id, "Activity_0opinion")
    assert engine.case(case.id).status == "completed"


def test_the_always_taken_inclusive_branch_is_noted_for_the_designer(engine):
    pf = engine.models.validate((CORPUS / "camunda7_inclusive_always.bpmn").read_bytes(), "camunda7_inclusive_always.bpmn")
    assert [w.message for w in pf.warnings if "包容网关" in w.message] == [
        "包容网关「哪些科室会审？」(Gateway_0which) 的分支连线「每次都审」(Flow_0safety)没有条件，按 BPMN 的规定总是走这条分支；"
        "如只在某些情况下走，请为它填写条件"]


_BACK = '<bpmn:sequenceFlow id="Flow_0end" sourceRef="Activity_0opinion" targetRef="Event_0done" />'


def test_a_loop_through_inclusive_branches_taken_every_time_is_refused_as_endless(engine):
    """Camunda's testLoopingInclusiveGateways draws inclusive gateways round a loop with no condition
    on any branch: each round sends the case round again (SpiffWorkflow's look-ahead then recursed
    until RecursionError, an incident). Refused, naming the gateways; a condition on the branch back
    decides, and the model deploys."""
    back = _BACK + '<bpmn:sequenceFlow id="Flow_0back" name="补充会审" sourceRef="Gateway_0joined" targetRef="Activity_0register" />'
    xml = (CORPUS / "camunda7_inclusive_always.bpmn").read_text(encoding="utf-8").replace(_BACK, back)
    with pytest.raises(InvalidModel) as err:
        engine.deploy(xml.encode(), by="boss", filename="inclusive_round.bpmn")
    assert ("上的包容网关「哪些科室会审？」(Gateway_0which)、包容网关「会审完毕」(Gateway_0joined)总有一条没有条件的分支"
            "（每次都走）回到环路，也没有排他网关或事件网关，流程每走完一圈都会无条件地再走一圈") in str(err.value)
    decided = xml.replace(back, _BACK + '<bpmn:sequenceFlow id="Flow_0back" name="补充会审" sourceRef="Gateway_0joined" '
                          'targetRef="Activity_0register"><bpmn:conditionExpression>${again}</bpmn:conditionExpression>'
                          '</bpmn:sequenceFlow>')
    assert engine.deploy(decided.encode(), by="boss", filename="inclusive_round_decided.bpmn")


def test_a_completion_condition_that_does_not_parse_is_refused_naming_its_task(engine):
    """SpiffWorkflow's own test model writes a placeholder (``test completion``) as a multi-instance
    task's completion condition: the code check's refusal read 「完成条件: 语法错误: invalid syntax」,
    naming neither the task nor the fault in Chinese."""
    xml = (CORPUS / "flowable_countersign_half.bpmn").read_text(encoding="utf-8").replace(
        "${nrOfCompletedInstances/nrOfInstances &gt;= 0.5}", "半数 通过")
    with pytest.raises(InvalidModel) as err:
        engine.deploy(xml.encode(), by="boss", filename="countersign_placeholder.bpmn")
    (problem,) = [p for p in err.value.problems if p["severity"] == "error"]
    assert problem["message"] == "用户任务「专家会签」(sid-experts) 的完成条件: 语法错误 (第 1 行) (脚本安全检查)"


@pytest.mark.parametrize("data, grade", [({"industry": "烟花爆竹", "employees": 5}, "重点"),
                                         ({"industry": "冶金", "employees": 150}, "一般"),
                                         ({"industry": "冶金", "employees": 20}, "简易"),
                                         ({"industry": "矿山", "employees": 20}, "专项")])
def test_a_negated_decision_table_entry_matches_what_it_does_not_name(engine, data, grade):
    """FEEL's ``not("危险化学品","烟花爆竹")`` and ``not(>= 100)`` in a DMN input entry (Camunda 8's
    riskRating example writes ``not("X3")``): SpiffWorkflow compared the input with Python's
    ``not "X3"`` (False), so such a rule never matched and the table answered a later rule, silently
    (冶金 with 150 people graded 专项); ``not(>= 100)`` was refused at deploy as a syntax error. Now
    they hold when none of the tests inside do."""
    case = engine.start("zeebe_enterprise_grade", by="zhang", org="east", data=data)
    assert _open(engine, case.id) == ["Activity_0confirm"]
    assert engine.case(case.id).data["grade"] == grade


def test_a_decision_table_cell_that_does_not_parse_is_refused_naming_its_decision_and_rule(engine):
    """The code check named only the kind of cell (「决策规则条件: 语法错误: invalid syntax」): which of
    the tables, which row?"""
    xml = (CORPUS / "zeebe_enterprise_grade.dmn").read_text(encoding="utf-8").replace(
        "<text>not(&gt;= 100)</text>", "<text>&gt;= 100 人</text>")
    with pytest.raises(InvalidModel) as err:
        engine.deploy(xml.encode(), by="boss", filename="grade_typo.dmn")
    assert err.value.problems[0]["message"] == (
        "决策「企业监管分级」的规则 (DecisionRule_0sim003) 的决策规则条件: 语法错误 (第 1 行) (脚本安全检查)")


def _grade_variant(key: str, dmn: str) -> tuple[bytes, bytes]:
    """zeebe_enterprise_grade as ``key``, calling its own copy of the decision (the corpus's stays)."""
    bpmn = (CORPUS / "zeebe_enterprise_grade.bpmn").read_text(encoding="utf-8").replace(
        'id="zeebe_enterprise_grade"', f'id="{key}"').replace('decisionId="Decision_0grade"', f'decisionId="{key}_table"')
    return bpmn.encode(), dmn.replace('id="Decision_0grade"', f'id="{key}_table"').encode()


@pytest.mark.parametrize("drawn, feel, python", [
    ('<text>"一般"</text>', 'if count(hazards) &gt; 1 then "一般" else "简易"',
     '("一般" if (None if (hazards) is None else len(hazards)) > 1 else "简易")'),
    ("<text>&gt;= 100</text>", "&gt;= count(limits)", ">= (None if (limits) is None else len(limits))")])
def test_a_feel_function_in_a_decision_table_cell_is_translated_and_decides_as_feel_means(engine, drawn, feel, python):
    """``count(...)`` in a Camunda DMN cell (DMN 1.3, 10.3.4.4: the list's size): kept as it was, the
    table deployed and every case reaching it stopped with an incident (count is no Python name);
    then it was refused with the cell's Python to write. Now the deploy writes that Python itself
    (``len``), and the table decides as the FEEL meant."""
    from engine import dialects

    dmn = (CORPUS / "zeebe_enterprise_grade.dmn").read_text(encoding="utf-8").replace(drawn, f"<text>{feel}</text>", 1)
    kind = "outputEntry" if '"一般"' in drawn else "inputEntry"
    assert dialects._dmn_cell(kind, feel.replace("&gt;", ">")) == python
    key = "zeebe_enterprise_grade_" + ("hazards" if "hazards" in feel else "limits")
    bpmn, table = _grade_variant(key, dmn)
    engine.deploy(table, by="boss", filename=f"{key}.dmn")
    engine.deploy(bpmn, by="boss", filename=f"{key}.bpmn")
    data = {"industry": "冶金", "employees": 150, "hazards": ["动火作业", "有限空间"], "limits": list(range(120))}
    case = engine.start(key, by="zhang", org="east", data=data)
    assert engine.case(case.id).data["grade"] == "一般"  # two hazards; 150 people, no fewer than 120 limits


def test_a_feel_function_the_advice_does_not_know_is_refused_with_the_rule_for_a_cell(engine):
    dmn = (CORPUS / "zeebe_enterprise_grade.dmn").read_text(encoding="utf-8").replace(
        "<text>&gt;= 100</text>", '<text>&gt;= floor(limit)</text>', 1)
    with pytest.raises(InvalidModel) as err:
        engine.deploy(dmn.encode(), by="boss", filename="grade_floor.dmn")
    assert err.value.problems[0]["message"].endswith(
        "请改写为 Python 表达式。决策表的单元格直接写 Python：输入表达式和结果写表达式，如 len(hazards)、\"A类\"；"
        "规则条件写本列输入要等于的值，或写比较，用 ? 代表本列的输入值，如 \"重大\"、>= 100、len(?) > 2")


def test_a_compensation_boundary_event_nothing_throws_to_deploys_and_undoes_nothing(engine):
    """Camunda 8's compensation examples attach a compensation boundary event and an undo task
    (isForCompensation): refused before (SpiffWorkflow has no such catch event), it now deploys
    (engine/compensation.py); with no compensation throw event the undo task never opens and the
    case ends as drawn, as in Camunda."""
    undo = ('<bpmn:boundaryEvent id="Event_0undo" name="撤回意见" attachedToRef="Activity_0opinion">'
            '<bpmn:compensateEventDefinition id="CompensateEventDefinition_0undo" /></bpmn:boundaryEvent>'
            '<bpmn:userTask id="Activity_0withdraw" name="撤回会审意见" isForCompensation="true" />'
            '<bpmn:association id="Association_0undo" associationDirection="One" sourceRef="Event_0undo" '
            'targetRef="Activity_0withdraw" />')
    xml = (CORPUS / "camunda7_inclusive_always.bpmn").read_text(encoding="utf-8").replace(_BACK, _BACK + undo).replace(
        '<bpmn:process id="camunda7_inclusive_always"', '<bpmn:process id="inclusive_undo"')
    engine.deploy(xml.encode(), by="boss", filename="inclusive_undo.bpmn")
    case = engine.start("inclusive_undo", by="zhang", org="east", data={})
    _work(engine, case.id, "Activity_0register", {"fire_risk": False, "pollution": False})
    assert _open(engine, case.id) == ["Activity_0safety"]
    _work(engine, case.id, "Activity_0safety")
    _work(engine, case.id, "Activity_0opinion")
    assert engine.case(case.id).status == "completed"


def test_an_activiti_message_expression_names_the_message_the_event_waits_for(engine):
    """Activiti's modeler writes a message event's message as ``activiti:messageExpression`` (no
    ``messageRef``): the case crashed writing a wait with no name (NOT NULL, event_wait.name); it
    now waits for the message of that name, and goes on when it is sent."""
    # about acme's enterprise: a message reaches only a case its sender may see (engine/messages.py)
    case = engine.start("activiti_message_expression", by="zhang", org="east", data={}, party="91110000000000001H")
    assert engine.case(case.id).status == "running" and not _open(engine, case.id)
    engine.correlate_message("整改报告", by="acme", case_id=case.id, data={"report_no": "ZG-7"})
    assert _open(engine, case.id) == ["UserTask_0recheck"]
    _work(engine, case.id, "UserTask_0recheck")
    assert engine.case(case.id).status == "completed"


@pytest.mark.parametrize("drawn, what", [("<messageEventDefinition />", "消息"), ("<signalEventDefinition />", "信号")])
def test_a_catch_event_drawn_without_its_message_or_signal_is_refused_naming_it(engine, drawn, what):
    """bpmn.io adds the event definition and leaves the message (signal) to the properties panel; a
    model deployed so crashed at the first case to reach the event. Refused, saying what to choose."""
    xml = (CORPUS / "activiti_message_expression.bpmn").read_text(encoding="utf-8").replace(
        '<messageEventDefinition activiti:messageExpression="整改报告" />', drawn)
    with pytest.raises(InvalidModel) as err:
        engine.deploy(xml.encode(), by="boss", filename="rectify_unnamed.bpmn")
    assert str(err.value).endswith(f"中间捕获事件「收到整改报告」(IntermediateCatchEvent_0report) 没有选择{what}，本系统不知道它等待"
                                   f"哪个{what}；请在属性面板中为它选择或新建一个{what}（发送方按{what}名称发送）")


def test_an_ad_hoc_sub_process_without_a_completion_condition_is_refused_naming_it(engine):
    """Activiti's AdhocSubProcessTest draws an ad-hoc sub-process with no completion condition (Activiti
    and Flowable then wait for an API call): the case stopped at it with an English incident
    (「compile() arg 1 must be a string」)."""
    xml = (CORPUS / "camunda7_inclusive_always.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:userTask id="Activity_0safety" name="安全生产科审查">',
        '<bpmn:adHocSubProcess id="Activity_0safety" name="安全生产科审查">'
        '<bpmn:userTask id="Activity_0files" name="查阅台账" /><bpmn:userTask id="Activity_0site" name="现场核查" />'
    ).replace('<bpmn:outgoing>Flow_0safetyDone</bpmn:outgoing>\n    </bpmn:userTask>',
              '<bpmn:outgoing>Flow_0safetyDone</bpmn:outgoing>\n    </bpmn:adHocSubProcess>')
    with pytest.raises(InvalidModel) as err:
        engine.deploy(xml.encode(), by="boss", filename="inclusive_adhoc.bpmn")
    assert ("子流程「安全生产科审查」(Activity_0safety) 是自由子流程，没有完成条件，本系统不知道何时结束它，案件会停在这里；"
            "请为它填写完成条件（Python 表达式，如 复查完成 == True），或改为普通子流程") in str(err.value)


def test_a_decision_input_missing_from_the_case_data_reads_as_null_as_camunda_reads_it(engine):
    """A decision table reading an input the case has no value for (``employees`` never filled):
    Camunda 7 and 8 read it as null and go on matching — ``>= 100`` and ``not(>= 100)`` over null
    are null, not true (DMN 1.3, 10.3.2), so the rules testing it are not hit and the catch-all rule
    answers 专项. Before (9fc8700) the case stopped with an incident naming the input."""
    key = "zeebe_enterprise_grade_missing"
    bpmn, table = _grade_variant(key, (CORPUS / "zeebe_enterprise_grade.dmn").read_text(encoding="utf-8"))
    engine.deploy(table, by="boss", filename=f"{key}.dmn")
    engine.deploy(bpmn, by="boss", filename=f"{key}.bpmn")
    case = engine.start(key, by="zhang", org="east", data={"industry": "冶金"})
    assert engine.case(case.id).data["grade"] == "专项"


