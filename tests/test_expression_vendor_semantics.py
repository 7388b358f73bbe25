"""JUEL and FEEL in other vendors' models evaluate as the vendor's engine does, or the case stops
with a Chinese incident — never a silently different answer or Python's English error
(engine/gateways._holds, engine/expressions.py, engine/feel_null.py, engine/dialects.py), on a real
SQLite file and real PostgreSQL, with models drawn as Flowable's modeler and Camunda Modeler 5 save them.

- A bare JUEL condition ``${approved}`` over null or a number: Camunda 7 and Flowable stop
  (``UelExpressionCondition``: "condition expression returns null" / "returns non-Boolean");
  Python read null and 0 as no, 5 as yes. Inside ``&&``/``||`` EL reads null as false (EL 3.0
  §1.23.2), so ``${approved && urgent}`` with approved null is simply not true.
- A bare FEEL condition ``=rectified`` over the text 'true' or a number: Zeebe stops (the result's
  type is not BOOLEAN: "Expected result of the expression ... to be 'BOOLEAN'"); the text 'true' was
  read as yes. Null stays not true (the default flow), as before.
- A Zeebe task's output mapping over an empty field: FEEL's ``hazard_count > 3`` and
  ``hazard_count + major_count`` are null (DMN 1.3 §10.3.2), ``if null`` takes its else branch;
  Python raised ``TypeError`` in English.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import IncidentRaised
from tests.interop_support import user_for
from tests.support import make_engine

CORPUS = Path(__file__).parent / "bpmn" / "interop"
MODELS = {key: (CORPUS / f"{key}.bpmn").read_text(encoding="utf-8")
          for key in ("flowable_bare_condition", "zeebe_condition_types", "flowable_review_methods")}


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.deployed_here = set()
    yield eng
    eng.dispose()


def start(engine, key: str, data: dict | None = None):
    """A case of the model ``key``, deployed by the first test that needs it (each test fails on its own)."""
    if key not in engine.deployed_here:
        engine.deploy(MODELS[key], by="boss", filename=f"{key}.bpmn")
        engine.deployed_here.add(key)
    return engine.start(key, by="zhang", org="east", data=data or {})


def complete_first(engine, key: str, data: dict):
    """The case, once its first task is completed with ``data``."""
    case = start(engine, key)
    (task,) = engine.case(case.id).tasks
    engine.complete(task.id, user_for(engine, task), data)
    return engine.case(case.id)


def incident_on_first(engine, key: str, data: dict) -> str:
    """The incident completing the case's first task with ``data`` raises; the task stays open."""
    case = start(engine, key)
    (task,) = engine.case(case.id).tasks
    with pytest.raises(IncidentRaised) as raised:
        engine.complete(task.id, user_for(engine, task), data)
    assert [t.name for t in engine.case(case.id).tasks] == [task.name]  # nothing lost: the task is still open
    return raised.value.message


# --- 1. a bare JUEL condition over null or a number (《安全生产法》第一百零二条 停产整顿审批) ----------------

@pytest.mark.parametrize("data, opened", [
    ({"approved": True, "urgent": True}, ["立即责令停产"]),
    ({"approved": True, "urgent": False}, ["制发整顿指令书"]),
    ({"approved": True, "urgent": None}, ["制发整顿指令书"]),  # EL: null && … is false
    ({"approved": False, "urgent": True}, ["退回补充材料"]),
])
def test_a_juel_condition_over_yes_or_no_takes_its_branch(engine, data, opened):
    assert [t.name for t in complete_first(engine, "flowable_bare_condition", data).tasks] == opened


def test_a_bare_juel_condition_over_null_stops_as_flowable_does(engine):
    """Flowable: "condition expression returns null"; Python read null as no and sent the case to
    退回补充材料 (``${!approved}``). ``${approved && urgent}`` before it is not true (EL's null is
    false inside &&), the bare ``${approved}`` is the incident."""
    message = incident_on_first(engine, "flowable_bare_condition", {"approved": None, "urgent": True})
    assert message == (
        "排他网关「是否同意」(approvedGateway) 通往「制发整顿指令书」的连线：案件数据「approved」没有值（空），"
        "不是“是/否”，无法判断走不走这条分支（Camunda、Flowable 同样停在这里）；请把该数据改为是或否后重试，"
        "或请流程设计员把条件改为比较（如 approved == \"同意\"）")


@pytest.mark.parametrize("number", [1, 0, 2.5])
def test_a_bare_juel_condition_over_a_number_stops_as_flowable_does(engine, number):
    """Flowable: "condition expression returns non-Boolean"; Python read 1 as yes (制发整顿指令书)
    and 0 as no (退回补充材料)."""
    message = incident_on_first(engine, "flowable_bare_condition", {"approved": number, "urgent": False})
    assert message.startswith("排他网关「是否同意」(approvedGateway) 通往「")  # 0 && …: EL cannot read 0 either
    assert f"的连线：案件数据「approved」的值是数字 {number}，不是“是/否”" in message
    assert "approved > 0" in message


# --- 2. a bare FEEL condition over text or a number (《安全生产法》第六十五条 复查) ---------------------------

@pytest.mark.parametrize("rectified, opened", [(True, ["复查结案"]), (False, ["督促整改"]), (None, ["督促整改"])])
def test_a_feel_condition_over_yes_no_or_null_takes_its_branch(engine, rectified, opened):
    """Null is not true: the gateway's default flow (督促整改), as before."""
    case = complete_first(engine, "zeebe_condition_types", {"rectified": rectified, "hazard_count": 1, "major_count": 0})
    assert [t.name for t in case.tasks] == opened


@pytest.mark.parametrize("value, said", [("true", "的值是文字「true」"), ("TRUE", "的值是文字「TRUE」"),
                                         ("已整改", "的值是文字「已整改」"), (1, "的值是数字 1")])
def test_a_feel_condition_over_text_or_a_number_stops_as_zeebe_does(engine, value, said):
    """FEEL does not read text as a boolean: Zeebe stops ("Expected result of the expression
    'rectified' to be 'BOOLEAN', but was 'STRING'"); the text 'true' was read as yes."""
    message = incident_on_first(engine, "zeebe_condition_types",
                                {"rectified": value, "hazard_count": 1, "major_count": 0})
    assert message.startswith(
        f"排他网关「已整改？」(Gateway_0done) 通往「复查结案」的连线：案件数据「rectified」{said}，不是“是/否”，"
        "无法判断走不走这条分支（Camunda 8 同样停在这里）")


# --- 5. FEEL's null in a Zeebe task's output mappings -----------------------------------------------------

@pytest.mark.parametrize("counts, level, total", [
    ({"hazard_count": None, "major_count": 1}, "低", None),  # if null … takes else; null + 1 is null
    ({"hazard_count": 5, "major_count": None}, "高", None),
    ({"hazard_count": 5, "major_count": 1}, "高", 6),
    ({"hazard_count": 2, "major_count": 0}, "低", 2),
])
def test_a_zeebe_output_mapping_over_an_empty_field_gives_feels_null(engine, counts, level, total):
    case = complete_first(engine, "zeebe_condition_types", {"rectified": True, **counts})
    assert [t.name for t in case.tasks] == ["复查结案"]
    assert (case.data["risk_level"], case.data["total_hazards"]) == (level, total)



@pytest.mark.parametrize("unit, supervision, name", [
    (None, "一般督办", None),                                  # a path on null is null; if null takes else
    ({"name": "某某化工有限公司", "level": "重大"}, "挂牌督办", "某某化工有限公司"),
])
def test_a_zeebe_output_mapping_reading_a_path_on_null_gives_null(engine, unit, supervision, name):
    """FEEL: unit.name with unit null is null (Python raised TypeError: 'NoneType' object is not subscriptable)."""
    case = complete_first(engine, "zeebe_condition_types", {"rectified": True, "hazard_count": 1, "major_count": 0,
                                                            "unit": unit})
    assert (case.data["supervision"], case.data["unit_name"]) == (supervision, name)


@pytest.mark.parametrize("feel, data, value", [
    ("= unit.name", {"unit": None}, None),
    ("= unit.staff > 100", {"unit": None}, None),
    ("= unit.staff > 100", {"unit": {"staff": 150}}, True),
    ("= a.b.c + 1", {"a": {"b": None}}, None),
    ("= a.b.c + 1", {"a": {"b": {"c": 1}}}, 2),
])
def test_a_feel_path_on_null_is_null_and_stays_plain(feel, data, value):
    from engine import restricted
    from engine.expressions import translate
    from engine.feel_null import null_propagating
    from engine.feel_lists import GET, feel_get
    python = null_propagating(translate(feel))
    # still evaluated in the host: plain, or (a path of two steps or more) calling a host-safe helper
    assert restricted.is_plain(python) or restricted.helper_expression(python) and GET in python
    assert eval(python, {"__builtins__": {}, GET: feel_get}, data) == value  # noqa: S307 — our own text

# --- 3. Java's String and Collection methods in JUEL (《安全生产法》第六十五条 复查) ---------------------------

REVIEW = "flowable_review_methods"


@pytest.mark.parametrize("result, opinion, opened", [
    ("驳回", "", ["责令重新整改"]),                 # result.equals("驳回")
    ("同意", "部分隐患未整改，驳回", ["责令重新整改"]),  # opinion.contains("驳回")
    ("同意", "现场已整改到位", ["复查结案"]),          # result.equals('同意') && !opinion.isEmpty()
    ("同意", "", ["补充复查意见"]),                  # the default flow
    ("同 意", "现场已整改到位", ["补充复查意见"]),       # equals is exact, as Java's
])
def test_a_flowable_condition_calling_string_methods_takes_the_branch_java_takes(engine, result, opinion, opened):
    """Before, the deploy refused 「调用了方法「result.equals(...)」」."""
    case = complete_first(engine, REVIEW, {"result": result, "opinion": opinion})
    assert [t.name for t in case.tasks] == opened


def test_a_string_method_on_null_stops_as_flowable_does(engine):
    """JUEL's AstMethod: "base expression resolved to null" (PropertyNotFoundException)."""
    message = incident_on_first(engine, REVIEW, {"result": None, "opinion": "现场已整改到位"})
    assert message == (
        "排他网关「复查结论」(resultGateway) 通往「责令重新整改」的连线：JUEL 表达式调用 result.equals(...)，"
        "但「result」没有值（空）：Camunda、Flowable 同样停在这里；请补充该数据后重试，或请流程设计员先判断它不为空"
        "（如 ${result != null && result.equals(...)}）")


def test_a_string_method_on_a_number_stops_as_flowable_does(engine):
    """Java: a Long has no contains (MethodNotFoundException)."""
    message = incident_on_first(engine, REVIEW, {"result": "同意", "opinion": 5})
    assert message == (
        "排他网关「复查结论」(resultGateway) 通往「责令重新整改」的连线：JUEL 表达式调用 opinion.contains(...)，"
        "但「opinion」的值是数字，没有 contains 方法：Camunda、Flowable 同样停在这里；请流程设计员改写该表达式")


@pytest.mark.parametrize("juel, data, value", [
    ("${users.size() == approvedCount}", {"users": ["张三", "李四"], "approvedCount": 2}, True),
    ("${users.contains(assignee)}", {"users": ["张三", "李四"], "assignee": "王五"}, False),
    ("${opinion.length() > 4}", {"opinion": "同意结案"}, False),
    ("${unit.name.startsWith('某某')}", {"unit": {"name": "某某化工有限公司"}}, True),
    ("${unit.name.endsWith(\"公司\")}", {"unit": {"name": "某某化工有限公司"}}, True),
    ("${level.equalsIgnoreCase('MAJOR')}", {"level": "major"}, True),
    ("${approved.equals(true)}", {"approved": 1}, False),  # Java: Long(1).equals(Boolean.TRUE) is false
    ("${result != null && result.equals('同意')}", {"result": None}, False),  # the null-safe idiom
    ("${empty hazards || hazards.isEmpty()}", {"hazards": []}, True),
])
def test_each_method_answers_as_java(juel, data, value):
    from engine.expressions import translate
    from engine.juel_methods import juel_call
    python = translate(juel, condition=True)
    assert eval(python, {"__builtins__": {}, "duban_juel_call": juel_call}, data) is value  # noqa: S307 — our own text


# --- model code never reaches the host through a method (docs/sandbox.md) ---------------------------------

PROBES = [
    "${''.getClass().forName('javax.script.ScriptEngineManager').newInstance().getEngineByName('js').eval('1')}",
    "${flag.getClass().forName('java.lang.Runtime')}",
    "${flag.equals('驳回').getClass()}",
    "${flag.equals(flag.getClass())}",
    "${flag.class.forName('java.lang.Runtime')}",
    "${flag.__class__.__subclasses__()}",
    "${duban_juel_call(flag, '__class__', 'flag')}",
    "${execution.getVariable('flag').equals('驳回')}",
    "${flag.trim().isEmpty()}",
]


@pytest.mark.parametrize("juel", PROBES)
def test_a_method_probe_is_refused_at_deploy_in_chinese(engine, juel):
    from engine.errors import InvalidModel
    xml = MODELS[REVIEW].replace('${result.equals("驳回") || opinion.contains("驳回")}', juel)
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(xml, by="boss", filename="probe.bpmn")
    text = str(refused.value)
    assert "JUEL 表达式" in text and "Error" not in text and "Traceback" not in text


def test_the_helper_reaches_no_attribute_of_a_value():
    """A Python script may call the helper by name: a method outside its own table is refused, never looked up."""
    from engine.juel_methods import JuelMethodError, juel_call
    for method in ("__class__", "__init__", "getClass", "format", "__subclasses__"):
        with pytest.raises(JuelMethodError, match="不支持的 JUEL 方法"):
            juel_call("驳回", method, "flag")


# --- 4. FEEL filters, some/every and for (《行政处罚法》第五十七条第二款 集体讨论) ------------------------------

VOTES = "zeebe_collective_votes"
MODELS[VOTES] = (CORPUS / f"{VOTES}.bpmn").read_text(encoding="utf-8")
HAZARDS = [{"name": "配电箱无漏电保护", "level": "一般", "overdue_days": 10, "rectified": True},
           {"name": "动火作业无审批", "level": "重大", "overdue_days": 75, "rectified": False}]


@pytest.mark.parametrize("votes, opened, agreed", [
    ([True, True, False], ["作出处罚决定"], 2),   # count(votes[item = true]) > count(votes) / 2
    ([True, False], ["不予处罚"], 1),             # one of two is no majority
    ([True, None, True], ["作出处罚决定"], 2),     # a vote left empty is not true
    (None, ["不予处罚"], None),                   # null list: count is null, the condition null, the default flow
])
def test_a_zeebe_majority_counted_with_a_filter_takes_the_branch_zeebe_takes(engine, votes, opened, agreed):
    """Before, the deploy refused 「对列表取下标或筛选（如 votes[1]、votes[item = true]），本系统不支持」."""
    case = complete_first(engine, VOTES, {"votes": votes, "hazards": HAZARDS})
    assert [t.name for t in case.tasks] == opened
    assert case.data["agreed"] == agreed


@pytest.mark.parametrize("hazards, outputs", [
    (HAZARDS, {"major_hazards": [HAZARDS[1]], "seriously_overdue": True, "all_rectified": False,
               "hazard_names": ["配电箱无漏电保护", "动火作业无审批"]}),
    ([], {"major_hazards": [], "seriously_overdue": False, "all_rectified": True, "hazard_names": []}),
    (None, {"major_hazards": None, "seriously_overdue": None, "all_rectified": None, "hazard_names": None}),
])
def test_zeebe_output_mappings_with_filters_quantifiers_and_for_give_feels_values(engine, hazards, outputs):
    """hazards[level = "重大"] reads each hazard's own level; some/every over [] are false/true (DMN 1.3
    §10.3.2.8); over null every one is null."""
    case = complete_first(engine, VOTES, {"votes": [True], "hazards": hazards})
    assert {key: case.data[key] for key in outputs} == outputs


@pytest.mark.parametrize("feel, data, value", [
    ("= votes[item = true]", {"votes": [True, False, True]}, [True, True]),
    ("= count(votes[item])", {"votes": [True, False, None]}, 1),
    ("= scores[item > limit]", {"scores": [1, 5, 9], "limit": 4}, [5, 9]),
    ("= scores[item > 3]", {"scores": 5}, [5]),                        # a value that is no list: the list of it
    ("= names[item = \"张\"]", {"names": "张三"}, []),                  # a text is one item, not its characters
    ("= hazards[level = \"重大\"]", {"hazards": [{"level": "重大"}, {"level": "一般"}], "level": "一般"},
     [{"level": "重大"}]),                                              # the item's field before the case's variable
    ("= some x in scores satisfies x > 3", {"scores": [1, None]}, None),  # none true, not all false: null
    ("= every x in scores satisfies x > 3", {"scores": [4, None]}, None),
    ("= every x in scores satisfies x > 3", {"scores": [4, 1, None]}, False),
    ("= for x in scores return x * 2", {"scores": [1, None]}, [2, None]),
])
def test_each_construct_answers_as_feel(feel, data, value):
    from engine import feel_lists
    from engine.dialects import _feel_null, _translate_with_feel_calls
    from engine.dmn import data_names
    python = _translate_with_feel_calls(feel)
    scope = {"__builtins__": {"len": len, "any": any, "all": all},
             feel_lists.LIST: feel_lists.feel_list, feel_lists.FIELD: feel_lists.feel_field}
    scope.update({name: None for name in data_names(python)})
    scope.update(data)
    code = _feel_null(python).partition("\n")[2] or _feel_null(python)
    assert eval(code, scope) == value  # noqa: S307 — our own text


@pytest.mark.parametrize("feel, reason", [
    ("= votes[n]", "方括号中只有名称「n」"),
    ("= {a: [1], b: a[item > 0]}", "上下文中「b」的值在筛选或循环中引用了前面的项「a」"),  # votes[1], {a: 1}.a: tests/test_feel_index_context.py
    ("= some x in a, y in b satisfies x > y", "不支持在一个「some … in … satisfies」中同时逐一取多个列表"),
    ("= for i in [1..3] return i", "不支持对范围「[1..3]」逐一取值"),  # a bare 1..3 runs: tests/test_vendor_gaps_s23.py
])
def test_what_is_not_translated_is_refused_naming_the_construct(feel, reason):
    from engine.expressions import Untranslatable, translate
    with pytest.raises(Untranslatable) as refused:
        translate(feel)
    assert reason in str(refused.value)


FEEL_PROBES = [
    "=count(votes[item.__class__ = 1]) > 0",
    "=count(votes[item.getClass() = 1]) > 0",
    "=some x in votes satisfies x.__class__.__subclasses__() = 1",
    "=some x in votes satisfies x.getClass().forName(\"java.lang.Runtime\") = 1",
    "=count(for x in votes return x.__class__) > 0",
    "=count(votes[duban_feel_field(item, \"__class__\", 1) = 1]) > 0",
    "=count(votes[item = true]) > 0 and votes.__class__ = 1",
]


@pytest.mark.parametrize("feel", FEEL_PROBES)
def test_a_feel_probe_through_a_filter_or_a_quantifier_is_refused_at_deploy_in_chinese(engine, feel):
    from engine.errors import InvalidModel
    xml = MODELS[VOTES].replace("=count(votes[item = true]) &gt; count(votes) / 2", feel.replace(">", "&gt;").replace('"', "&#34;"))
    assert xml != MODELS[VOTES]
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(xml, by="boss", filename="probe.bpmn")
    text = str(refused.value)
    assert "FEEL 表达式" in text and "Error" not in text and "Traceback" not in text


def test_the_feel_helpers_read_a_field_only_by_dict_indexing():
    from engine.feel_lists import feel_field, feel_list
    assert feel_field("驳回", "__class__", "外") == "外"
    assert feel_field({"__class__": 1}, "__class__", "外") == 1  # a key of the case's own data, nothing else
    assert feel_field([1], 0, "外") == "外"
    assert feel_list("真") == ["真"]


# --- a JUEL method outside a gateway: a 会签's count from the signers' list ----------------------------

COUNTERSIGN_SIZE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.28.0">
  <bpmn:process id="countersign_size" name="会签人数取自名单" isExecutable="true">
    <bpmn:startEvent id="start" name="发起"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="list" name="提交会签名单"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="sign" name="会签"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">${signers.size()}</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:endEvent id="end" name="结束"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="list"/>
    <bpmn:sequenceFlow id="f2" sourceRef="list" targetRef="sign"/>
    <bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize("signers, said", [
    (None, "JUEL 表达式调用 signers.size(...)，但「signers」没有值（空）"),
    (5, "JUEL 表达式调用 signers.size(...)，但「signers」的值是数字，没有 size 方法"),
])
def test_a_method_in_a_countersign_count_stops_naming_the_variable_not_our_helper(engine, signers, said):
    """The count of a 会签 (``loopCardinality ${signers.size()}``) over null or a number: the incident
    said 「会签人数取自案件数据「duban_juel_call」，但案件中没有这个值」 — our translation's helper taken
    for a missing variable — where the gateway's incident already said the method's own words."""
    MODELS.setdefault("countersign_size", COUNTERSIGN_SIZE)
    message = incident_on_first(engine, "countersign_size", {"signers": signers})
    assert message.startswith(f"「会签」出错: {said}") and "duban_juel_call」" not in message


def test_a_method_in_a_countersign_count_over_a_list_opens_one_task_each(engine):
    MODELS.setdefault("countersign_size", COUNTERSIGN_SIZE)
    case = complete_first(engine, "countersign_size", {"signers": ["张三", "李四", "王五"]})
    assert [t.name for t in case.tasks] == ["会签"] * 3


# --- no flow's condition holds because a number or a yes/no came as text -----------------------------

TEXT_COMPARED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_2"
  targetNamespace="http://bpmn.io/schema/bpmn" exporter="bpmn-js (https://demo.bpmn.io)" exporterVersion="17.0.0">
  <bpmn:process id="fine_review_text" name="罚款审核" isExecutable="true">
    <bpmn:startEvent id="start" name="发起"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="法制审核"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="gw" name="罚款额度？"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>big</bpmn:outgoing><bpmn:outgoing>small</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="collective" name="集体讨论"><bpmn:incoming>big</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="decide" name="负责人审批"><bpmn:incoming>small</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end" name="结束"><bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="gw"/>
    <bpmn:sequenceFlow id="big" name="重大" sourceRef="gw" targetRef="collective">
      <bpmn:conditionExpression>major == True</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" name="一般" sourceRef="gw" targetRef="decide">
      <bpmn:conditionExpression>major == False</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="collective" targetRef="end"/>
    <bpmn:sequenceFlow id="f4" sourceRef="decide" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize("major, said", [
    ("true", "案件数据「major」的值是文字「true」，不是“是/否”"),
    ("是", "案件数据「major」的值是文字「是」，不是“是/否”"),
    ("1", "案件数据「major」的值是文字「1」，不是数字"),
])
def test_no_condition_holding_over_a_yes_or_no_sent_as_text_says_so(engine, major, said):
    """A bpmn.io model's Python conditions (``major == True``; a JUEL ``${major == true}`` coerces text
    as EL does, Boolean.valueOf) and a REST client sending the yes/no as text, which never matches:
    the incident says which data and why, not only that the data may have no value."""
    MODELS.setdefault("fine_review_text", TEXT_COMPARED)
    message = incident_on_first(engine, "fine_review_text", {"major": major})
    assert said in message and message.startswith("排他网关「罚款额度？」(gw) 的条件都不成立")


def test_no_condition_holding_over_missing_data_says_it_as_before(engine):
    MODELS.setdefault("fine_review_text", TEXT_COMPARED)
    message = incident_on_first(engine, "fine_review_text", {"major": None})
    assert "（条件用到的数据没有值时也不成立）" in message


@pytest.mark.parametrize("juel", ["${opinion.contains('驳回')()}", "${opinion.contains('驳回')[0]}",
                                  "${opinion.length().toString() == '3'}", "${users.size() ()}"])
def test_a_method_result_called_or_indexed_again_is_refused_at_translation(juel):
    """Python would call (or index) the method's yes/no or number — at run time, an English TypeError
    as the case's incident; refused here, naming the method (hsec4 noticed it)."""
    from engine.expressions import Untranslatable, translate
    with pytest.raises(Untranslatable, match="的结果之后又接了调用或取值"):
        translate(juel)
