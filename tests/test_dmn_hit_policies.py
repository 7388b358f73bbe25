"""Decision tables drawn as Camunda Modeler 5 writes them, run through the engine: each hit policy
and aggregation against what DMN 1.3 (8.2.11 hit policies, 10.3.2 null) and Camunda's documentation
say, and a missing input read as null (Camunda 7 and 8) instead of stopping the case.

Expected values are the DMN specification's and Camunda's documented answers for the same table and
data; engine/dmn.py is ours. SQLite and PostgreSQL."""
from __future__ import annotations

import itertools

import pytest

from engine.errors import IncidentRaised, InvalidModel
from webui import labels

_keys = itertools.count(1)

DMN_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
            'xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" '
            'xmlns:modeler="http://camunda.org/schema/modeler/1.0" xmlns:camunda="http://camunda.org/schema/1.0/dmn" '
            'id="Definitions_{key}" name="DRD" namespace="http://camunda.org/schema/1.0/dmn" exporter="Camunda Modeler" '
            'exporterVersion="5.22.0" modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.21.0">\n')


def table_xml(key: str, name: str, inputs: list[tuple[str, str, str]], outputs: list[tuple[str, str, str]],
              rules: list[tuple[list[str], list[str]]], hit_policy: str = "UNIQUE", aggregation: str | None = None,
              output_values: dict[str, str] | None = None) -> bytes:
    """A one-decision DMN file as Camunda Modeler 5 saves it: inputs (label, expression, typeRef),
    outputs (label, name, typeRef), rules (input entries, output entries), the DMNDI shape."""
    aggregation_attr = f' aggregation="{aggregation}"' if aggregation else ""
    policy_attr = "" if hit_policy == "UNIQUE" else f' hitPolicy="{hit_policy}"'
    parts = [DMN_HEAD.format(key=key),
             f'  <decision id="{key}" name="{name}">\n    <decisionTable id="DecisionTable_{key}"{policy_attr}{aggregation_attr}>\n']
    for i, (label, expression, type_ref) in enumerate(inputs):
        parts.append(f'      <input id="Input_{i}" label="{label}" camunda:inputVariable="input">\n'
                     f'        <inputExpression id="InputExpression_{i}" typeRef="{type_ref}">\n'
                     f'          <text>{expression}</text>\n        </inputExpression>\n      </input>\n')
    for i, (label, out_name, type_ref) in enumerate(outputs):
        values = (output_values or {}).get(out_name)
        inner = (f'\n        <outputValues id="UnaryTests_ov{i}">\n          <text>{values}</text>\n        </outputValues>\n      '
                 if values else "")
        parts.append(f'      <output id="Output_{i}" label="{label}" name="{out_name}" typeRef="{type_ref}">{inner}</output>\n')
    for r, (ins, outs) in enumerate(rules):
        parts.append(f'      <rule id="DecisionRule_{r}">\n')
        parts.extend(f'        <inputEntry id="UnaryTests_{r}_{i}">\n          <text>{t}</text>\n        </inputEntry>\n'
                     for i, t in enumerate(ins))
        parts.extend(f'        <outputEntry id="LiteralExpression_{r}_{i}">\n          <text>{t}</text>\n        </outputEntry>\n'
                     for i, t in enumerate(outs))
        parts.append("      </rule>\n")
    parts.append('    </decisionTable>\n  </decision>\n  <dmndi:DMNDI>\n    <dmndi:DMNDiagram id="DMNDiagram_1">\n'
                 f'      <dmndi:DMNShape id="DMNShape_1" dmnElementRef="{key}">\n'
                 '        <dc:Bounds height="80" width="180" x="160" y="100" />\n      </dmndi:DMNShape>\n'
                 '    </dmndi:DMNDiagram>\n  </dmndi:DMNDI>\n</definitions>\n')
    return "".join(parts).encode()


def process_xml(key: str, decision: str, attributes: str = "", extension: str = "") -> bytes:
    """A Camunda 7 process: start, a business rule task (``camunda:decisionRef`` unless ``extension``
    calls the decision, as Zeebe's ``zeebe:calledDecision``), end."""
    called = "" if extension else f' camunda:decisionRef="{decision}"'
    inner = f"<bpmn:extensionElements>{extension}</bpmn:extensionElements>" if extension else ""
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_p{key}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.22.0">
  <bpmn:process id="{key}" name="规则判定" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="Activity_0rule" name="判定"{called}{attributes}>{inner}
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="Event_0end"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0rule" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0rule" targetRef="Event_0end" />
  </bpmn:process>
</bpmn:definitions>'''.encode()


@pytest.fixture(scope="module", name="engine")
def dmn_engine(module_database_url):
    from tests.support import make_engine

    eng = make_engine(module_database_url)
    yield eng
    eng.dispose()


def decide(engine, dmn: bytes, key: str, data: dict) -> dict:
    """Deploy the table and a process calling it, run one case with ``data``: the case's data after."""
    engine.deploy(dmn, by="boss", filename=f"{key}.dmn")
    engine.deploy(process_xml(f"p_{key}", key), by="boss", filename=f"p_{key}.bpmn")
    case = engine.start(f"p_{key}", by="zhang", org="east", data=data)
    return engine.case(case.id).data


def key() -> str:
    return f"Decision_t{next(_keys)}"


# 隐患整改期限 (《安全生产事故隐患排查治理暂行规定》第十五条: 重大隐患 a plan; the days are the table's)
DEADLINE_RULES = [(['"重大"', "-"], ['"挂牌督办"', "30"]),
                  (['"一般"', "&gt;= 100"], ['"限期整改"', "15"]),
                  (['"一般"', "-"], ['"立即整改"', "7"])]
DEADLINE_INPUTS = [("隐患等级", "level", "string"), ("从业人数", "employees", "integer")]
DEADLINE_OUTPUTS = [("处理方式", "handling", "string"), ("期限（天）", "days", "integer")]


@pytest.mark.parametrize("policy, data, expected", [
    ("FIRST", {"level": "一般", "employees": 150}, {"handling": "限期整改", "days": 15}),
    ("FIRST", {"level": "一般", "employees": 20}, {"handling": "立即整改", "days": 7}),
    ("RULE ORDER", {"level": "一般", "employees": 150}, {"handling": ["限期整改", "立即整改"], "days": [15, 7]}),
    ("COLLECT", {"level": "一般", "employees": 150}, {"handling": ["限期整改", "立即整改"], "days": [15, 7]}),
    ("COLLECT", {"level": "无"}, {"handling": [], "days": []}),
    ("FIRST", {"level": "无", "employees": 3}, {"handling": None, "days": None}),
])
def test_hit_policies_answer_as_dmn_13_section_8_2_11(engine, policy, data, expected):
    """FIRST: the first matching rule in rule order; RULE ORDER and COLLECT: every matching rule's
    outputs, a list per output; a single-hit table no rule matches answers null (Camunda's empty
    result), a multiple-hit one empty lists. Before: RULE ORDER answered only its first match."""
    k = key()
    out = decide(engine, table_xml(k, "隐患整改期限", DEADLINE_INPUTS, DEADLINE_OUTPUTS, DEADLINE_RULES, policy), k, data)
    assert {name: out.get(name) for name in expected} == expected


def test_unique_with_two_matching_rules_is_an_incident_naming_the_table_and_the_rules(engine):
    """UNIQUE (the default) allows one matching rule; two are a violation (DMN 1.3, 8.2.11; Camunda:
    「the Unique hit policy is violated」). SpiffWorkflow answered the first without a word."""
    k = key()
    with pytest.raises(IncidentRaised) as err:
        decide(engine, table_xml(k, "隐患整改期限", DEADLINE_INPUTS, DEADLINE_OUTPUTS, DEADLINE_RULES), k,
               {"level": "一般", "employees": 150})
    assert "决策表「隐患整改期限」的命中策略为「UNIQUE（唯一）」，只能有一条规则匹配，但第 2、3 条规则同时匹配" in err.value.message
    assert labels.incident_explanation(err.value.message) == (
        "环节“判定”出错：决策表「隐患整改期限」的命中策略为「UNIQUE（唯一）」，只能有一条规则匹配，但第 2、3 条规则同时匹配；"
        "请修改这些规则的条件，或在建模工具中改用「FIRST（首个）」或「COLLECT（收集）」命中策略")


def test_unique_with_one_matching_rule_answers_it(engine):
    k = key()
    out = decide(engine, table_xml(k, "隐患整改期限", DEADLINE_INPUTS, DEADLINE_OUTPUTS, DEADLINE_RULES), k,
                 {"level": "重大", "employees": 5})
    assert (out["handling"], out["days"]) == ("挂牌督办", 30)


def test_any_answers_when_the_matching_rules_agree_and_is_an_incident_when_they_differ(engine):
    rules = [(['"重大"', "-"], ['"挂牌督办"']), (["-", "&gt;= 1000"], ['"挂牌督办"']), (["-", "&lt; 10"], ['"约谈"'])]
    inputs, outputs = DEADLINE_INPUTS, [("处理方式", "handling", "string")]
    k = key()
    assert decide(engine, table_xml(k, "督办方式", inputs, outputs, rules, "ANY"), k,
                  {"level": "重大", "employees": 2000})["handling"] == "挂牌督办"
    k = key()
    with pytest.raises(IncidentRaised) as err:
        decide(engine, table_xml(k, "督办方式", inputs, outputs, rules, "ANY"), k, {"level": "重大", "employees": 5})
    assert "命中策略为「ANY（任一）」，匹配的规则须给出相同的结果，但第 1、3 条规则同时匹配" in err.value.message


RISK_RULES = [(["&gt;= 10"], ['"低"']), (["&gt;= 50"], ['"中"']), (["&gt;= 80"], ['"高"'])]


@pytest.mark.parametrize("policy, score, expected", [
    ("PRIORITY", 90, "高"), ("PRIORITY", 60, "中"), ("PRIORITY", 5, None),
    ("OUTPUT ORDER", 90, ["高", "中", "低"]), ("OUTPUT ORDER", 55, ["中", "低"])])
def test_priority_and_output_order_follow_the_order_of_the_output_values(engine, policy, score, expected):
    """PRIORITY answers the matching rule whose output comes first in the output values
    (``"高","中","低"``); OUTPUT ORDER lists all of them in that order (DMN 1.3, 8.2.11)."""
    k = key()
    dmn = table_xml(k, "风险等级", [("风险分值", "score", "integer")], [("风险等级", "risk", "string")], RISK_RULES,
                    policy, output_values={"risk": '"高","中","低"'})
    out = decide(engine, dmn, k, {"score": score})
    assert out["risk"] == (expected if policy == "PRIORITY" else expected)


def test_priority_without_output_values_is_refused_at_deploy_naming_the_output(engine):
    k = key()
    with pytest.raises(InvalidModel) as err:
        engine.deploy(table_xml(k, "风险等级", [("风险分值", "score", "integer")], [("风险等级", "risk", "string")],
                                RISK_RULES, "PRIORITY"), by="boss", filename=f"{k}.dmn")
    assert "决策「风险等级」的命中策略为「PRIORITY（优先级）」，须在输出「风险等级」中列出输出值的先后" in str(err.value)


FINE_RULES = [(['"未按规定培训"', "-"], ["20000"]), (["-", "true"], ["50000"]), (["-", "-"], ["null"])]


@pytest.mark.parametrize("aggregation, expected", [("SUM", 70000), ("MIN", 20000), ("MAX", 50000), ("COUNT", 2)])
def test_collect_aggregations_skip_null_outputs(engine, aggregation, expected):
    """COLLECT with SUM/MIN/MAX/COUNT (C+, C<, C>, C#) answers one value; the catch-all rule's null
    output is not counted (Camunda's aggregators ignore null). Before: a list, aggregation dropped."""
    k = key()
    dmn = table_xml(k, "罚款合计", [("违法行为", "violation", "string"), ("屡查屡犯", "repeated", "boolean")],
                    [("罚款", "fine", "integer")], FINE_RULES, "COLLECT", aggregation)
    assert decide(engine, dmn, k, {"violation": "未按规定培训", "repeated": True})["fine"] == expected


def test_collect_count_of_no_match_is_zero_and_sum_is_null(engine):
    rules = [(['"未按规定培训"'], ["20000"])]
    k = key()
    assert decide(engine, table_xml(k, "罚款合计", [("违法行为", "violation", "string")], [("罚款", "fine", "integer")],
                                    rules, "COLLECT", "COUNT"), k, {"violation": "无"})["fine"] == 0
    k = key()
    assert decide(engine, table_xml(k, "罚款合计", [("违法行为", "violation", "string")], [("罚款", "fine", "integer")],
                                    rules, "COLLECT", "SUM"), k, {"violation": "无"})["fine"] is None


# Null (空值): a missing input, a null cell, comparisons over null (DMN 1.3, 10.3.2; Camunda 7 and 8)
NULL_RULES = [(["null"], ['"未填写"']), (["&gt;= 100"], ['"大型"']), (["[10..100)"], ['"中型"']),
              (["not(&gt;= 10)"], ['"小型"']), (["-"], ['"其他"'])]


@pytest.mark.parametrize("data, expected", [
    ({}, "未填写"), ({"employees": None}, "未填写"), ({"employees": 150}, "大型"), ({"employees": 10}, "中型"),
    ({"employees": 3}, "小型"), ({"employees": "5,000"}, "大型"), ({"employees": "３０人"}, "中型")])
def test_a_missing_input_reads_as_null_and_only_null_and_any_cells_match_it(engine, data, expected):
    """An input the case lacks is null: ``null`` matches it, ``>= 100``, ``[10..100)`` and
    ``not(>= 10)`` over null are null and do not match (FIRST: the null rule answers). Before: an
    incident (9fc8700). A count typed as text (``5,000``, ``３０人``) is read as the number its
    integer column says (engine/typed_input)."""
    k = key()
    out = decide(engine, table_xml(k, "企业规模", [("从业人数", "employees", "integer")], [("规模", "size", "string")],
                                   NULL_RULES, "FIRST"), k, data)
    assert out["size"] == expected


def test_without_a_null_rule_a_missing_input_falls_through_to_the_rule_that_does_not_test_it(engine):
    k = key()
    out = decide(engine, table_xml(k, "企业规模", [("从业人数", "employees", "integer")], [("规模", "size", "string")],
                                   NULL_RULES[1:], "FIRST"), k, {})
    assert out["size"] == "其他"


def test_a_path_into_a_context_reads_null_when_a_step_is_missing(engine):
    """FEEL's path ``企业.从业人数`` reads a field of the case's 企业 (a dict); a missing 企业 or field is null."""
    k = key()
    dmn = table_xml(k, "企业规模", [("从业人数", "企业.从业人数", "integer")], [("规模", "size", "string")],
                    NULL_RULES, "FIRST")
    engine.deploy(dmn, by="boss", filename=f"{k}.dmn")
    engine.deploy(process_xml(f"p_{k}", k), by="boss", filename=f"p_{k}.bpmn")
    for data, expected in [({"企业": {"从业人数": 300}}, "大型"), ({"企业": {}}, "未填写"), ({}, "未填写")]:
        case = engine.start(f"p_{k}", by="zhang", org="east", data=data)
        assert engine.case(case.id).data["size"] == expected, data


def _rules(outputs: int) -> list:
    return [(ins, outs[:outputs]) for ins, outs in DEADLINE_RULES]


# The business rule task's result variable (Camunda 7 ``camunda:resultVariable`` + ``mapDecisionResult``,
# Camunda 8 ``zeebe:calledDecision resultVariable``): named unlike the outputs, as Camunda's examples do.
@pytest.mark.parametrize("mapping, policy, data, expected", [
    ("singleEntry", "FIRST", {"level": "重大"}, "挂牌督办"),
    ("singleResult", "FIRST", {"level": "重大"}, {"handling": "挂牌督办", "days": 30}),
    (None, "FIRST", {"level": "重大"}, [{"handling": "挂牌督办", "days": 30}]),  # resultList, Camunda 7's default
    ("resultList", "RULE ORDER", {"level": "一般", "employees": 150},
     [{"handling": "限期整改", "days": 15}, {"handling": "立即整改", "days": 7}]),
    ("singleResult", "FIRST", {"level": "无"}, None),
    ("resultList", "FIRST", {"level": "无"}, []),
])
def test_camunda7_result_variable_holds_the_result_as_map_decision_result_says(engine, mapping, policy, data, expected):
    k = key()
    outputs = 1 if mapping == "singleEntry" else 2
    dmn = table_xml(k, "隐患整改期限", DEADLINE_INPUTS, DEADLINE_OUTPUTS[:outputs], _rules(outputs), policy)
    engine.deploy(dmn, by="boss", filename=f"{k}.dmn")
    mapped = f' camunda:mapDecisionResult="{mapping}"' if mapping else ""
    engine.deploy(process_xml(f"p_{k}", k, f' camunda:resultVariable="结论"{mapped}'), by="boss", filename=f"p_{k}.bpmn")
    case = engine.start(f"p_{k}", by="zhang", org="east", data=data)
    assert engine.case(case.id).data["结论"] == expected


@pytest.mark.parametrize("outputs, policy, aggregation, data, expected", [
    (1, "UNIQUE", None, {"level": "重大"}, "挂牌督办"),
    (2, "FIRST", None, {"level": "重大"}, {"handling": "挂牌督办", "days": 30}),
    (1, "COLLECT", None, {"level": "一般", "employees": 150}, ["限期整改", "立即整改"]),
    (2, "RULE ORDER", None, {"level": "一般", "employees": 150},
     [{"handling": "限期整改", "days": 15}, {"handling": "立即整改", "days": 7}]),
    (1, "FIRST", None, {"level": "无"}, None),
    (1, "COLLECT", None, {"level": "无"}, []),
    (1, "COLLECT", "COUNT", {"level": "一般", "employees": 150}, 2),
])
def test_camunda8_result_variable_holds_the_decision_result(engine, outputs, policy, aggregation, data, expected):
    """Zeebe: a single-hit table's result is its one output's value or a context of its outputs (null
    when no rule matches); a multiple-hit table's a list of them."""
    k = key()
    dmn = table_xml(k, "隐患整改期限", DEADLINE_INPUTS, DEADLINE_OUTPUTS[:outputs], _rules(outputs), policy, aggregation)
    engine.deploy(dmn, by="boss", filename=f"{k}.dmn")
    called = f'<zeebe:calledDecision decisionId="{k}" resultVariable="结论" />'
    engine.deploy(process_xml(f"p_{k}", k, extension=called), by="boss", filename=f"p_{k}.bpmn")
    case = engine.start(f"p_{k}", by="zhang", org="east", data=data)
    assert engine.case(case.id).data["结论"] == expected


def test_a_path_over_a_list_reads_each_items_field(engine):
    """FEEL's path over a list (``隐患.等级``, 隐患 a list of contexts) is the list of each item's field;
    ``list contains(?, "重大")`` tests it. Before: the path read an attribute of the list and failed."""
    k = key()
    dmn = table_xml(k, "督办判定", [("隐患等级", "隐患.等级", "string")], [("处理方式", "handling", "string")],
                    [(['list contains(?, "重大")'], ['"挂牌督办"']), (["-"], ['"常规"'])], "FIRST")
    assert decide(engine, dmn, k, {"隐患": [{"等级": "一般"}, {"等级": "重大"}]})["handling"] == "挂牌督办"
    assert engine.case(engine.start(f"p_{k}", by="zhang", org="east", data={"隐患": [{"等级": "一般"}]}).id
                       ).data["handling"] == "常规"
    assert engine.case(engine.start(f"p_{k}", by="zhang", org="east", data={}).id  # list contains(null, …): null
                       ).data["handling"] == "常规"


TEMPLATE = '''<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_{key}" name="DRD" namespace="http://camunda.org/schema/1.0/dmn" exporter="Camunda Modeler" exporterVersion="5.22.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.5.0">
  <decision id="{key}" name="Decision 1">{logic}
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram>
      <dmndi:DMNShape dmnElementRef="{key}">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>'''
TEMPLATE_TABLE = '''
    <decisionTable id="DecisionTable_{key}">
      <input id="Input_1">
        <inputExpression id="InputExpression_1" typeRef="string">
          <text></text>
        </inputExpression>
      </input>
      <output id="Output_1" typeRef="string" />{rules}
    </decisionTable>'''


@pytest.mark.parametrize("rules, expected", [
    ("", None),
    ('<rule id="DecisionRule_1"><inputEntry id="UnaryTests_1"><text></text></inputEntry>'
     '<outputEntry id="LiteralExpression_1"><text>"已分派"</text></outputEntry></rule>', "已分派")])
def test_camunda_modelers_new_table_deploys_and_its_unnamed_output_is_the_result(engine, rules, expected):
    """Camunda Modeler 5's new decision: an input without an expression, an output without a name or
    label, rules not yet (or one) drawn. It deploys; Zeebe's result variable gets the output's value
    (null without a rule). Before: the value went into the case data under the empty name ''."""
    k = key()
    dmn = TEMPLATE.format(key=k, logic=TEMPLATE_TABLE.format(key=k, rules=rules))
    engine.deploy(dmn.encode(), by="boss", filename=f"{k}.dmn")
    called = f'<zeebe:calledDecision decisionId="{k}" resultVariable="结果" />'
    engine.deploy(process_xml(f"p_{k}", k, extension=called), by="boss", filename=f"p_{k}.bpmn")
    data = engine.case(engine.start(f"p_{k}", by="zhang", org="east", data={}).id).data
    assert data["结果"] == expected and "" not in data


def test_a_decision_without_logic_is_refused_naming_it(engine):
    k = key()
    with pytest.raises(InvalidModel) as err:
        engine.deploy(TEMPLATE.format(key=k, logic="").encode(), by="boss", filename=f"{k}.dmn")
    assert "决策「Decision 1」还没有决策逻辑；请在建模工具中为它画出决策表后再部署" in str(err.value)


def test_priority_finds_a_number_output_among_output_values_written_as_text(engine):
    """Flowable's modeler writes a number output's values quoted (``"20","10","5","0"``): PRIORITY
    reads ``20`` as the first of them, not as unlisted."""
    k = key()
    dmn = table_xml(k, "从重比例", [("违法次数", "count", "integer")], [("加重百分比", "extra", "integer")],
                    [(["&gt;= 1"], ["5"]), (["&gt;= 3"], ["20"]), (["&gt;= 2"], ["10"])], "PRIORITY",
                    output_values={"extra": '"20","10","5","0"'})
    assert decide(engine, dmn, k, {"count": 3})["extra"] == 20
