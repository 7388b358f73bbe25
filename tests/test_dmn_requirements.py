"""Decision requirements diagrams (决策需求图, DRD) as Camunda Modeler draws them: a decision table
requiring another decision's output (``informationRequirement/requiredDecision``), in one file with
input data shapes and requirement edges (tests/bpmn/interop/camunda7_inspection_drd.dmn). Camunda 7
evaluates the required decision first and gives its outputs to the requiring one by output name
(Camunda 8: by the required decision's id). Before: SpiffWorkflow refused a file with two decisions
(shown as 「一个决策只能有一张决策表」). What cannot run is refused at deploy naming the decision.
SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from engine.errors import InvalidModel
from tests.interop_support import CORPUS, corpus_engine, drive  # noqa: F401 (corpus_engine: the module fixture)
from tests.test_dmn_hit_policies import process_xml

DRD = CORPUS / "camunda7_inspection_drd.dmn"


@pytest.mark.parametrize("data, risk, frequency", [
    ({"industry": "烟花爆竹", "hazard_count": 0, "credit": "A"}, "高", 4),
    ({"industry": "机械制造", "hazard_count": 5, "credit": "D"}, "中", 3),
    ({"industry": "机械制造", "hazard_count": 5, "credit": "A"}, "中", 2),
    ({"industry": "机械制造", "hazard_count": 1}, "低", 1),
    ({"industry": "机械制造"}, None, 1),  # no hazard count: neither >= 3 nor < 3 holds (null); risk null
])
def test_a_camunda7_drd_evaluates_the_required_decision_first(engine, data, risk, frequency):
    out = drive(engine, "camunda7_inspection_drd", data=data)
    assert out.status == "completed", out.message
    found = engine.case(out.case_id).data
    assert found["frequency"] == frequency  # 风险等级 ``risk`` decided first, read by its output name
    assert "risk" not in found  # as in Camunda, the result is the called decision's only
    alone = engine.start("p_drd_risk", by="zhang", org="east", data=data)  # the required decision called alone
    assert engine.case(alone.id).data["risk"] == risk


@pytest.fixture(scope="module", autouse=True)
def risk_alone(engine):
    engine.deploy(process_xml("p_drd_risk", "Decision_0risk"), by="boss", filename="p_drd_risk.bpmn")


def test_a_camunda8_drd_reads_the_required_decision_by_its_id(engine):
    """Camunda 8 (Zeebe's DMN engine) gives the required decision's result under its decision id."""
    xml = DRD.read_text(encoding="utf-8").replace("<text>risk</text>", "<text>Decision_0risk</text>").replace(
        'id="Decision_1frequency"', 'id="Decision_1frequency8"').replace(
        'dmnElementRef="Decision_1frequency"', 'dmnElementRef="Decision_1frequency8"').replace(
        'id="Definitions_0inspection"', 'id="Definitions_0inspection8"').replace(
        'id="Decision_0risk"', 'id="Decision_0risk8"').replace('href="#Decision_0risk"', 'href="#Decision_0risk8"').replace(
        "<text>Decision_0risk</text>", "<text>Decision_0risk8</text>").replace(
        'dmnElementRef="Decision_0risk"', 'dmnElementRef="Decision_0risk8"')
    engine.deploy(xml.encode(), by="boss", filename="drd8.dmn")
    engine.deploy(process_xml("p_drd8", "Decision_1frequency8"), by="boss", filename="p_drd8.bpmn")
    case = engine.start("p_drd8", by="zhang", org="east", data={"industry": "机械制造", "hazard_count": 5, "credit": "C"})
    assert engine.case(case.id).data["frequency"] == 3


def test_every_decision_of_a_drd_is_listed_for_the_designer(engine):
    listed = {d["id"]: d["name"] for d in engine.models.decisions()}
    assert listed["Decision_1frequency"] == "年度检查频次" and listed["Decision_0risk"] == "风险等级"


def _drd_with(engine, old: str, new: str):
    xml = DRD.read_text(encoding="utf-8")
    assert old in xml
    return xml.replace(old, new).encode()


def test_a_decision_requiring_one_outside_the_file_is_refused_naming_both(engine):
    with pytest.raises(InvalidModel) as err:
        engine.deploy(_drd_with(engine, 'href="#Decision_0risk"', 'href="#Decision_9gone"'), by="boss",
                      filename="drd_missing.dmn")
    assert "决策「年度检查频次」依赖的决策「Decision_9gone」不在此文件中" in str(err.value)


def test_decisions_requiring_each_other_are_refused_naming_the_cycle(engine):
    cyclic = _drd_with(engine, '<informationRequirement id="InformationRequirement_0h">',
                       '<informationRequirement id="InformationRequirement_0x"><requiredDecision href="#Decision_1frequency" />'
                       '</informationRequirement>\n    <informationRequirement id="InformationRequirement_0h">')
    with pytest.raises(InvalidModel) as err:
        engine.deploy(cyclic, by="boss", filename="drd_cycle.dmn")
    assert "的依赖形成了环：「年度检查频次」→「风险等级」→「年度检查频次」" in str(err.value)


def test_a_literal_expression_decision_runs_and_may_require_a_table(engine):
    """A decision whose logic is a literal expression (Camunda 7 and 8: ``<variable name="plan"/>``
    and ``<literalExpression>``), here requiring 风险等级, runs as Camunda evaluates it. Before: the
    DRD was refused, and a file of one such decision failed when a process called it."""
    xml = DRD.read_text(encoding="utf-8").replace(
        'id="Definitions_0inspection"', 'id="Definitions_0plan"').replace(
        'id="Decision_1frequency"', 'id="Decision_1frequency_p"').replace(
        'id="Decision_0risk"', 'id="Decision_0risk_p"').replace('href="#Decision_0risk"', 'href="#Decision_0risk_p"')
    xml = xml.replace('<decision id="Decision_0risk_p" name="风险等级">',
                      '<decision id="Decision_0plan" name="检查周期"><variable id="InformationItem_1" name="plan" '
                      'typeRef="string" /><informationRequirement id="InformationRequirement_0p">'
                      '<requiredDecision href="#Decision_0risk_p" /></informationRequirement>'
                      '<literalExpression id="LiteralExpression_0p"><text>if risk = "高" then "每季度" else "每年"</text>'
                      '</literalExpression></decision>\n  <decision id="Decision_0risk_p" name="风险等级">').encode()
    engine.deploy(xml, by="boss", filename="drd_literal.dmn")
    engine.deploy(process_xml("p_drd_plan", "Decision_0plan"), by="boss", filename="p_drd_plan.bpmn")
    for industry, plan in [("矿山", "每季度"), ("机械制造", "每年")]:
        case = engine.start("p_drd_plan", by="zhang", org="east", data={"industry": industry, "hazard_count": 0})
        assert engine.case(case.id).data["plan"] == plan


def test_a_decision_drawn_as_another_boxed_expression_is_refused_naming_it(engine):
    xml = _drd_with(engine, '<decision id="Decision_0risk" name="风险等级">',
                    '<decision id="Decision_0ctx" name="检查安排"><variable id="InformationItem_2" name="ctx" />'
                    '<context id="Context_0"><contextEntry><variable id="V_1" name="a" /><literalExpression id="L_1">'
                    '<text>1</text></literalExpression></contextEntry></context></decision>\n'
                    '  <decision id="Decision_0risk" name="风险等级">')
    with pytest.raises(InvalidModel) as err:
        engine.deploy(xml, by="boss", filename="drd_context.dmn")
    assert "决策「检查安排」是决策表以外的形式，本系统只能运行决策表" in str(err.value)
