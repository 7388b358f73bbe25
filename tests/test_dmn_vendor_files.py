"""Decision tables as other tools save them, typed into the interop corpus and run from a process:
Flowable Open Source Modeler (DMN 1.2, inputs and rules without ids, CDATA cells ``== "已整改"``,
``!= true``, single-quoted outputs, input and output values; a ``serviceTask flowable:type="dmn"``),
Camunda 7's DMN 1.1 files with JUEL (``expressionLanguage="juel"``: ``${month}``, an input entry
``${cellInput <= 2 || cellInput == 12}``, an output ``${"防暑降温"}``) beside FEEL ranges
``[3..4],[10..11]``. And a decision whose logic is a literal expression. SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from tests.interop_support import drive, corpus_engine  # noqa: F401 (corpus_engine: the module fixture)


@pytest.mark.parametrize("data, expected", [
    ({"rectified": "已整改", "first_offence": True}, "不予处罚"),  # 《行政处罚法》第三十三条 first offence, corrected
    ({"rectified": "已整改", "first_offence": False}, "从轻"),  # 第三十二条
    ({"rectified": "已整改", "first_offence": "否"}, "从轻"),  # a yes/no typed as 否
    ({"rectified": "未整改"}, "一般"),
    ({}, "一般"),  # null != "已整改": no rectification recorded
])
def test_a_flowable_modeler_table_without_ids_runs_from_its_decision_task(engine, data, expected):
    """Flowable's modeler writes ``<input label="…">`` and ``<rule>`` without ids; SpiffWorkflow's
    parser stopped on them (「模型结构无法识别」 when the process was deployed)."""
    out = drive(engine, "flowable_fine_reduction", data=data)
    assert out.status == "completed", out.message
    assert engine.case(out.case_id).data["reduction"] == expected


@pytest.mark.parametrize("data, expected", [
    ({"month": 1}, "防火防冻"), ({"month": 12, "outdoor": True}, "防火防冻"), ({"month": 7, "outdoor": True}, "防暑降温"),
    ({"month": 7, "outdoor": False}, "防汛"), ({"month": "８"}, "防汛"), ({"month": 11}, "日常检查"),
    ({"month": 3}, "日常检查")])
def test_a_camunda7_dmn11_table_with_juel_runs(engine, data, expected):
    """JUEL in a DMN 1.1 table (Camunda 7 before FEEL was its default): the input expression, an input
    entry over ``cellInput`` (the column's value) and an output, translated at deploy; before, the
    deploy refused ``${month}`` as a Python syntax error. A full-width ８ in the integer column reads as 8."""
    out = drive(engine, "camunda7_season_juel", data=data)
    assert out.status == "completed", out.message
    assert engine.case(out.case_id).data["检查重点"] == expected


def test_a_cell_that_cannot_compare_the_input_is_an_incident_naming_table_row_input_and_value(engine):
    """``8月`` typed into the month (integer) column is no number: the first rule's ``<= 2`` cannot
    compare it. The incident says so in Chinese, naming the table, the row, the input and the value
    (the page shows it as it is); before, SpiffWorkflow's English, and 9fc8700's guess blamed an
    input the case lacked (露天作业), which reads as null now and was not the cause."""
    from webui import labels

    out = drive(engine, "camunda7_season_juel", data={"month": "8月"})
    assert out.status == "incident"
    assert "决策表「季度检查重点」第 1 条规则对输入「月份」的条件「" in out.message and "无法计算（输入的值为「'8月'」）" in out.message
    assert "露天作业" not in out.message
    shown = labels.incident_explanation(out.message.partition(": ")[2])
    assert shown.startswith("环节“确定检查重点”出错：决策表「季度检查重点」第 1 条规则对输入「月份」的条件"), shown


@pytest.mark.parametrize("days, rate", [(0, 0), (1, 3), (33, 99), (34, 100), ("40天", 100), (None, None)])
def test_a_trisotech_export_with_prefixed_elements_runs(engine, days, rate):
    """Trisotech's Decision Modeler writes every DMN element with the prefix ``semantic:``, item
    definitions, input data, an annotation column and ``typeRef="feel:number"``: SpiffWorkflow's parser
    looked for ``dmn:`` and failed with an XPath error when a process called the decision. The
    surcharge of 《行政处罚法》第七十二条 (3% a day, never above the fine itself)."""
    out = drive(engine, "trisotech_overdue_penalty", data={} if days is None else {"overdue_days": days})
    assert out.status == "completed", out.message
    assert engine.case(out.case_id).data["surcharge_rate"] == rate


def test_a_feel_name_with_spaces_as_an_input_expression_reads_the_case_data_by_that_name(engine):
    """Trisotech names inputs as FEEL allows, with spaces (``Overdue Days``, ``Fine Notice.Overdue Days``);
    no Python name can hold one. As a whole input expression (and output) it is read by its keys.
    Before: refused as a syntax error."""
    from tests.interop_support import CORPUS

    xml = (CORPUS / "trisotech_overdue_penalty.dmn").read_text(encoding="utf-8").replace(
        "<semantic:text>overdue_days</semantic:text>", "<semantic:text>Fine Notice.Overdue Days</semantic:text>").replace(
        "overdue_days * 3", "surcharge per day").replace('id="_penalty_decision"', 'id="_penalty_spaced"').replace(
        'id="_overdue"', 'id="_overdue_spaced"').replace('dmnElementRef="_penalty_decision"', 'dmnElementRef="_penalty_spaced"')
    engine.deploy(xml.encode(), by="boss", filename="trisotech_spaced.dmn")
    bpmn = (CORPUS / "trisotech_overdue_penalty.bpmn").read_text(encoding="utf-8").replace(
        "_penalty_decision", "_penalty_spaced").replace('id="trisotech_overdue_penalty"', 'id="trisotech_spaced"').replace(
        'bpmnElement="trisotech_overdue_penalty"', 'bpmnElement="trisotech_spaced"')
    engine.deploy(bpmn.encode(), by="boss", filename="trisotech_spaced.bpmn")
    for data, rate in [({"Fine Notice": {"Overdue Days": 2}, "surcharge per day": 6}, 6),
                       ({"Fine Notice": {"Overdue Days": 50}}, 100), ({}, None)]:
        case = engine.start("trisotech_spaced", by="zhang", org="east", data=data)
        assert engine.case(case.id).data["surcharge_rate"] == rate, data


@pytest.mark.parametrize("where, language", [("inputEntry", "javascript"), ("inputExpression", "groovy"),
                                             ("decisionTable", "jruby")])
def test_a_cell_in_another_script_language_is_refused_naming_the_decision(engine, where, language):
    """Camunda 7 also runs JavaScript, Groovy and JRuby in DMN cells; read as Python they meant
    something else without a word. Refused at deploy naming the decision and the rule or input."""
    from engine.errors import InvalidModel
    from tests.interop_support import CORPUS

    xml = (CORPUS / "camunda7_season_juel.dmn").read_text(encoding="utf-8").replace(
        'id="definitions_season"', 'id="definitions_season_js"').replace('id="season_focus"', 'id="season_focus_js"')
    xml = {"inputEntry": xml.replace('<inputEntry id="UnaryTests_s1">', f'<inputEntry id="UnaryTests_s1" expressionLanguage="{language}">'),
           "inputExpression": xml.replace('typeRef="boolean">', f'typeRef="boolean" expressionLanguage="{language}">'),
           "decisionTable": xml.replace('hitPolicy="FIRST">', f'hitPolicy="FIRST" expressionLanguage="{language}">')}[where]
    with pytest.raises(InvalidModel) as err:
        engine.deploy(xml.encode(), by="boss", filename="season_js.dmn")
    assert "决策「季度检查重点」的" in str(err.value) and f"使用「{language}」表达式，本系统不支持" in str(err.value)
