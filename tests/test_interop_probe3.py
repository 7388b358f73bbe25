"""A third batch of public models nobody here had tried (yudao / ruoyi-vue-pro's BPM test models,
the Chinese Flowable 请假/会签 tutorials, camunda-8-examples; bench/interop.py --walk --dir runs such
a folder): what Duban ran down a path the engine they were drawn for would not take, or refused
though that engine runs it. Each is drawn again as its tool saves it, with Chinese names
(tests/bpmn/interop/), and run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from engine.errors import InvalidData, InvalidModel
from engine.expressions import translate

from tests.interop_support import CORPUS, drive, open_task_data, models_engine

MODELS = ("flowable_empty_opinion.bpmn", "flowable_countersign_rework.bpmn", "activiti_task_conditional_flows.bpmn",
          "camunda7_form_constraints.bpmn", "flowable_skip_expression.bpmn", "zeebe_feel_functions.bpmn",
          "camunda7_list_map_parameters.bpmn")


@pytest.fixture(scope="module")
def engine(module_database_url):
    yield from models_engine(module_database_url, MODELS)


@pytest.mark.parametrize("opinion, level, worked", [
    ("", "major", "sid-8E5A90C3-archive"),
    (None, "major", "sid-8E5A90C3-archive"),
    ("消防通道堵塞，立即清理", "major", "sid-1F7C22D8-order"),
    ("消防通道堵塞，立即清理", "general", "sid-4A9E63B0-track"),
    ("false", "major", "sid-1F7C22D8-order"),
])
def test_juel_empty_tests_for_no_text_not_for_a_no(engine, opinion, level, worked):
    """``${empty opinion}`` holds for null and the empty text (EL 3.0 §1.10), in Flowable as in
    Camunda 7. It was translated as ``not opinion`` and then read text as a yes/no (JUEL's
    Boolean.valueOf where a Boolean is wanted): an official's 整改意见 「消防通道堵塞…」 read as no,
    so ``empty`` held and the case went to 检查记录归档 — no 整改指令 (《安全生产法》第六十五条第一款
    第三项) was given."""
    out = drive(engine, "flowable_empty_opinion",
                data_by_task={"sid-3C0F7E21-opinion": {"opinion": opinion, "hazardLevel": level}})
    assert out.status == "completed", out
    assert [t.spec_id for t in out.tasks] == ["sid-3C0F7E21-opinion", worked], out


@pytest.mark.parametrize("value, holds", [
    (None, True), ("", True), ([], True), ({}, True),
    ("需整改", False), ("false", False), (0, False), (False, False), (["隐患"], False), ({"a": 1}, False),
])
def test_empty_is_els_empty(value, holds):
    """EL's ``empty``: null, "", an empty list or map — not 0, not false, not the text 'false'."""
    for expression, expected in (("${empty x}", holds), ("${!empty x}", not holds), ("${not empty (x)}", not holds),
                                 ("${empty x && true}", holds)):
        python = translate(expression, condition=True)
        assert bool(eval(python, {}, {"x": value})) is expected, (expression, python)  # noqa: S307 - our own translation


DRAFT, SIGN, SERVE = "sid-2B7E1D40-draft", "sid-5C9A3E71-sign", "sid-9E1C6A53-serve"


def _work_all(engine, case_id, answers):
    """Work the case's open tasks, one at a time, 会签 answered from ``answers`` in turn; the worked ids."""
    worked = []
    for _ in range(20):
        view = engine.case(case_id)
        if view.status != "running" or not view.tasks:
            return worked
        task = view.tasks[0]
        data = {"approved": answers.pop(0)} if task.spec_id == SIGN else {}
        engine.complete(task.id, task.assignee or "zhang", data)
        worked.append((task.spec_id, task.assignee))
    return worked


@pytest.mark.parametrize("given", [{}, {"assignee": "zhao"}])
def test_a_countersign_drawn_in_a_rework_loop_runs_again_each_time_round(engine, given):
    """会签驳回重审: 科室负责人会签 over ${assigneeList} (elementVariable ``assignee``); one 驳回 ends the
    会签 (``approved == false``) and sends the case back to 起草处罚决定书, then to 会签 again. Flowable
    keeps each instance's ``assignee`` local to it; SpiffWorkflow merged it into the case and refused
    the second 会签 ("Multiinstance input item assignee already exists"): an incident, the case
    stuck after its first 驳回. A case variable named like the item (``assignee`` given at the start)
    stopped the first 会签 the same way; it is the case's again after the 会签."""
    case = engine.start("flowable_countersign_rework", by="zhang", org="east",
                        data={"assigneeList": ["li", "eastboss"], **given})
    worked = _work_all(engine, case.id, [True, False, True, True])
    assert worked == [(DRAFT, "zhang"), (SIGN, "li"), (SIGN, "eastboss"), (DRAFT, "zhang"), (SIGN, "li"), (SIGN, "eastboss"),
                      (SERVE, "zhang")]
    view = engine.case(case.id)
    assert view.status == "completed" and view.data["approved"] is True
    assert view.data.get("assignee") == given.get("assignee")


@pytest.mark.parametrize("reviews, expected", [
    ([{"passed": False, "major": False}, {"passed": True, "major": False}],
     ["usertask1", "usertask2", "usertask1", "usertask2", "usertask3"]),
    ([{"passed": True, "major": True}], ["usertask1", "usertask2", "usertask3", "usertask4"]),
    ([{"passed": "false", "major": "false"}, {"passed": "true", "major": "false"}], ["usertask1", "usertask2", "usertask1", "usertask2", "usertask3"]),
])
def test_conditional_flows_and_a_default_flow_leaving_a_task(engine, reviews, expected):
    """条件连线 drawn straight from 复查 (Activiti Designer; the Chinese Activiti and Flowable
    tutorials draw 通过/驳回 so), its 不合格 flow the task's default: Activiti, Flowable and Camunda 7
    take every flow whose condition holds, the default only when none does. Duban refused the
    model (「该类型的任务不能有多条出口连线，请在其后加网关」). 复查不合格 goes back to 企业整改;
    合格 and 重大 goes to 归档 and to 分管领导销号 both (《安全生产事故隐患排查治理暂行规定》第二十三条)."""
    case = engine.start("activiti_task_conditional_flows", by="zhang", org="east")
    answers, worked = [dict(r) for r in reviews], []
    for _ in range(10):
        view = engine.case(case.id)
        if view.status != "running":
            break
        task = view.tasks[0]
        engine.complete(task.id, "zhang", answers.pop(0) if task.spec_id == "usertask2" else {})
        worked.append(task.spec_id)
    assert engine.case(case.id).status == "completed"
    assert worked == expected
    pf = engine.models.validate((CORPUS / "activiti_task_conditional_flows.bpmn").read_bytes(),
                                "activiti_task_conditional_flows.bpmn")
    assert ("用户任务「复查」(usertask2) 的 3 条出口连线带有条件，按 BPMN 的规定走条件成立的连线和没有条件的连线，"
            "都不成立时走默认连线（本系统在其后加了一个包容网关）") in [w.message for w in pf.warnings]


FINE = "Activity_0fine"


@pytest.mark.parametrize("typed, refused", [
    ({"fine": "-1", "reason": "未消除隐患"}, {"fine": "「罚款金额（元）」不能小于 0"}),
    ({"fine": "60000", "reason": "未消除隐患"}, {"fine": "「罚款金额（元）」不能大于 50000"}),
    ({"fine": "20000", "reason": "隐患"}, {"reason": "「处罚理由」至少填写 4 个字"}),
    ({"fine": "20000", "reason": "未" * 201}, {"reason": "「处罚理由」最多填写 200 个字"}),
    ({"fine": "５００００", "reason": "未消除事故隐患"}, None),
    ({"fine": 0, "reason": "未消除事故隐患", "hazards": -3}, None),
])
def test_camunda7_form_field_constraints_are_checked(engine, typed, refused):
    """camunda:formField validation constraints (min/max of a number, minlength/maxlength of a text),
    as Camunda 7 checks them when the task is completed: 罚款金额 is drawn 0 to 50000 (处五万元以下的
    罚款, 《安全生产法》第一百零二条). Only ``required`` and ``readonly`` were read: a tired official's
    -1 or 60000 went into the case. A bound written as an expression (``${minHazards}``) is noted
    and not checked."""
    case = engine.start("camunda7_form_constraints", by="zhang", org="east")
    (task,) = engine.case(case.id).tasks
    if refused is None:
        engine.complete(task.id, "zhang", typed)
        assert [t.spec_id for t in engine.case(case.id).tasks] == ["Activity_0serve"]
        assert engine.case(case.id).data["fine"] == int(str(typed["fine"]).translate(str.maketrans("０１２３４５６７８９", "0123456789")))
        return
    with pytest.raises(InvalidData) as err:
        engine.complete(task.id, "zhang", typed)
    assert err.value.errors == refused
    assert [t.spec_id for t in engine.case(case.id).tasks] == [FINE]


def test_a_constraint_bound_that_is_no_number_is_said(engine):
    pf = engine.models.validate((CORPUS / "camunda7_form_constraints.bpmn").read_bytes(), "camunda7_form_constraints.bpmn")
    assert "表单字段「隐患项数」的校验「min」的值「${minHazards}」不是数字，本系统不检查它" in [w.message for w in pf.warnings]


def test_a_variable_named_like_a_python_keyword_is_refused_saying_so(engine):
    """审核是否通过 kept in ``pass`` (``${pass == true}``: the Chinese Activiti
    tutorials' 审批通过 flag). Activiti runs it; Python cannot name a variable ``pass``, so the
    deploy refuses it — saying that, not 「无法翻译为 Python 表达式；请改写为 Python 表达式」 (whose
    Python would fail the same way), and what to name it instead."""
    with pytest.raises(InvalidModel) as err:
        engine.deploy(CORPUS / "activiti_pass_variable.bpmn", by="boss")
    errors = [(p["element_id"], p["message"]) for p in err.value.problems if p["severity"] == "error"]
    assert errors == [
        ("flow3", "连线「通过」(flow3) 的条件使用 JUEL 表达式「${pass == true}」，用到的变量「pass」与 Python 的保留字同名，"
                  "本系统无法读取它；请把变量「pass」和填写它的表单字段改用别的名字（如「passed」），并在条件中使用新名字")]
    renamed = (CORPUS / "activiti_pass_variable.bpmn").read_text(encoding="utf-8").replace(
        'id="pass"', 'id="passed"').replace("${pass == true}", "${passed == true}")
    model = engine.deploy(renamed.encode(), by="boss", filename="activiti_pass_variable.bpmn")
    out = drive(engine, model.key, data_by_task={"usertask1": {"passed": "false"}})
    assert [t.spec_id for t in out.tasks] == ["usertask1", "usertask3"], out


def test_a_skip_expression_passes_the_task_by_when_flowable_would(engine):
    """flowable:skipExpression (yudao's 审批人与发起人相同时自动跳过; here 举报人为本局工作人员时跳过科室初审):
    Flowable passes the task by when the expression holds and the case has
    _FLOWABLE_SKIP_EXPRESSION_ENABLED. Duban worked the task every time and said so on deploy; since
    probe 17 (tests/test_interop_probe17_s31.py) it skips it as Flowable does, and says that."""
    pf = engine.models.validate((CORPUS / "flowable_skip_expression.bpmn").read_bytes(), "flowable_skip_expression.bpmn")
    assert ("用户任务「科室初审」(sid-61D2A0B7-triage) 的跳过条件（skipExpression）「${reporterIsStaff}」按 Flowable 的规则计算："
            "案件数据「_FLOWABLE_SKIP_EXPRESSION_ENABLED」为 true 且条件成立时跳过该任务，否则照常办理") in [w.message for w in pf.warnings]
    out = drive(engine, "flowable_skip_expression", data={"reporterIsStaff": True, "_FLOWABLE_SKIP_EXPRESSION_ENABLED": True})
    assert out.status == "completed" and [t.spec_id for t in out.tasks] == ["sid-93C4E5F1-leader"]
    out = drive(engine, "flowable_skip_expression", data={"reporterIsStaff": True})
    assert out.status == "completed" and [t.spec_id for t in out.tasks] == ["sid-61D2A0B7-triage", "sid-93C4E5F1-leader"]


@pytest.mark.parametrize("typed, worked, kept", [
    ({"hazards": ["消防通道堵塞", "储罐区未设防火堤"], "majorHazards": ["储罐区未设防火堤"], "fines": [20000, 30000],
      "unitCode": "hz-001"}, "Activity_0report", {"hazardCount": 2, "totalFine": 50000, "unitCode": "HZ-001"}),
    ({"hazards": ["消防通道堵塞"], "majorHazards": [], "fines": [5000], "unitCode": "hz-002"},
     "Activity_0rectify", {"hazardCount": 1, "totalFine": 5000, "unitCode": "HZ-002"}),
    ({"hazards": [], "fines": [], "unitCode": "whp-007"}, "Activity_0report", {"hazardCount": 0, "totalFine": 0}),
    ({"hazards": ["消防通道堵塞"], "fines": [5000]}, "Activity_0rectify", {"hazardCount": 1, "unitCode": None}),
])
def test_feel_built_in_functions_in_a_camunda8_condition_and_mappings(engine, typed, worked, kept):
    """Camunda 8 (Zeebe) runs FEEL's built-in functions in a condition and an output mapping —
    ``=count(hazards)``, ``=sum(fines)``, ``=upper case(unitCode)``, ``=count(majorHazards) > 0 or
    contains(unitCode, "WHP")`` — and so does Duban now, with the translation its decision tables'
    cells had (engine/dialects._translate_with_feel_calls). The deploy refused every call but list
    contains and is defined. A list the form left out is null, as in FEEL: count(null) > 0 is not
    true, the default flow (限期整改) is taken; 重大事故隐患 goes to 报告 (《安全生产法》第四十一条第二款)."""
    out = drive(engine, "zeebe_feel_functions", data_by_task={"Activity_0register": typed})
    assert out.status == "completed", out
    assert [t.spec_id for t in out.tasks] == ["Activity_0register", worked], out
    data = engine.case(out.case_id).data
    assert {k: data.get(k) for k in kept} == kept


def test_camunda7_list_and_map_parameters_are_built_as_camunda_builds_them(engine):
    """camunda:inputParameter holding a camunda:list (检查项: 消防通道, 危化品储存, ${extraItem}) and a
    camunda:map (被检查单位: name ${unitName}, grade 重点, contacts a nested list): Camunda 7 builds a
    List and a Map, local to the task; outputs copy them to the case. Duban refused the model
    (「使用了列表，本系统不支持」). A script inside a parameter is still refused."""
    case = engine.start("camunda7_list_map_parameters", by="zhang", org="east",
                        data={"extraItem": "特种设备", "unitName": "东城化工"})
    inside = open_task_data(engine, case.id, "Activity_0inspect")
    assert inside["checkItems"] == ["消防通道", "危化品储存", "特种设备"]
    assert inside["inspectedUnit"] == {"name": "东城化工", "grade": "重点", "contacts": ["安全员", "负责人"]}
    (task,) = engine.case(case.id).tasks
    engine.complete(task.id, "zhang", {})
    view = engine.case(case.id)
    assert view.status == "completed"
    assert view.data["checklist"] == ["消防通道", "危化品储存", "特种设备"]
    assert view.data["unitRecord"]["contacts"] == ["安全员", "负责人"]
    assert "checkItems" not in view.data and "inspectedUnit" not in view.data
    scripted = (CORPUS / "camunda7_list_map_parameters.bpmn").read_text(encoding="utf-8").replace(
        "<camunda:value>消防通道</camunda:value>",
        '<camunda:value><camunda:script scriptFormat="groovy">return "消防通道"</camunda:script></camunda:value>')
    with pytest.raises(InvalidModel) as err:
        engine.deploy(scripted.encode(), by="boss", filename="scripted.bpmn")
    assert [(p["element_id"], p["message"]) for p in err.value.problems if p["severity"] == "error"] == [
        ("Activity_0inspect", "用户任务「现场检查」(Activity_0inspect) 的输入参数「checkItems」使用了 Groovy 脚本，本系统不支持；"
                              "请改为文本值、${...} 表达式、列表或映射，或改用脚本任务")]


def test_a_camunda8_script_task_expression_calls_feel_functions_as_a_mapping_does(engine):
    """zeebe:script ``=if count(hazards) > 1 then "重大" else "一般"`` (a script task's FEEL expression and
    result variable): translated with the same FEEL functions as a condition or mapping."""
    xml = (CORPUS / "zeebe_hazard_triage.bpmn").read_text("utf-8").replace(
        '=if list contains(hazards, &#34;有限空间&#34;) then &#34;重大&#34; else &#34;一般&#34;',
        '=if count(hazards) &gt; 1 then &#34;重大&#34; else &#34;一般&#34;')
    engine.deploy(CORPUS / "zeebe_triage.dmn", by="boss")
    pf = engine.models.validate(xml.encode(), "zeebe_hazard_triage.bpmn")
    assert {"element_id": "Activity_0d5f6g7", "from": '=if count(hazards) > 1 then "重大" else "一般"',
            "to": 'risk = ("重大" if (None if (hazards) is None else len(hazards)) > 1 else "一般")'} \
        in pf.dialect.translations


@pytest.mark.parametrize("expression, python", [
    ('=opinions[1] = "同意"', 'duban_feel_item(opinions, 1) == "同意"'),
    ("=unit.contacts[1] != null", "duban_feel_item(unit['contacts'], 1) != None"),
])
def test_a_feel_index_is_feels_not_pythons(engine, expression, python):
    """FEEL's ``opinions[1]`` is the first item (主审意见); Python's ``opinions[1]`` is the second item.
    Translated as written (before probe 3), 复核意见 ["不同意", "同意"] read 主审 as 同意 and the case went
    to 签发; probe 3 refused it; now it is FEEL's index (engine/feel_lists.feel_item, the routing on
    zeebe_feel_list_index.bpmn: tests/test_feel_index_context.py). A filter (``votes[item = true]``)
    is translated as FEEL reads it (tests/test_expression_vendor_semantics.py)."""
    assert translate(expression, condition=True) == python
    assert translate('=x in ["同意", "基本同意"] and y = [1]') == 'x in ["同意", "基本同意"] and y == [1]'
