"""An exclusive gateway takes the path Camunda 7, Flowable and Zeebe take, or the case stops with a
Chinese incident — never a silent other path (engine/gateways.py, engine/dialects.py), on a real
SQLite file and real PostgreSQL, with models drawn as Camunda Modeler 5 and Flowable's modeler save them.

- The flows are looked at in the order the file lists them, the first whose condition holds taken
  (Camunda 7's and Flowable's ``ExclusiveGatewayActivityBehavior``; Zeebe likewise). SpiffWorkflow's
  parser ordered them by how high their targets are drawn: of two conditions that held, the upper
  branch was taken.
- A branch without a condition that is not the default: Camunda 7 deploys one (a warning) when the
  gateway has no default and takes it when its turn comes, Flowable deploys any number (a warning);
  Camunda 7 refuses two or a default beside one, Zeebe refuses every one. Every deploy refused them.
- A condition giving text (``${passed}`` over a text field holding 「不同意」): Camunda 7 and Flowable
  stop with "condition expression returns non-Boolean"; Python read any other text than 'true' as no
  and took the other branch. It is an incident naming the gateway, the flow and the data; the text
  'true'/'false' stays yes/no (the yes/no form properties of Activiti's demos).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import IncidentRaised, InvalidModel
from tests.interop_support import user_for
from tests.support import make_engine

CORPUS = Path(__file__).parent / "bpmn" / "interop"
ORDER = (CORPUS / "camunda7_gateway_flow_order.bpmn").read_text(encoding="utf-8")
OVERLAP = (CORPUS / "flowable_gateway_overlapping_conditions.bpmn").read_text(encoding="utf-8")
TEXT = (CORPUS / "camunda7_text_condition.bpmn").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.deployed_here = set()
    yield eng
    eng.dispose()


MODELS = {"camunda7_gateway_flow_order": ORDER, "flowable_gateway_overlapping_conditions": OVERLAP,
          "camunda7_text_condition": TEXT}


def start(engine, key: str):
    """A case of the model ``key``, deployed by the first test that needs it (each test fails on its own)."""
    if key not in engine.deployed_here:
        engine.deploy(MODELS[key], by="boss", filename=f"{key}.bpmn")
        engine.deployed_here.add(key)
    return engine.start(key, by="zhang", org="east", data={})


def after_first_task(engine, key: str, data: dict) -> list[str]:
    """The names of the tasks open once the case's first task is completed with ``data``."""
    case = start(engine, key)
    (task,) = engine.case(case.id).tasks
    engine.complete(task.id, user_for(engine, task), data)
    return [t.name for t in engine.case(case.id).tasks]


@pytest.mark.parametrize("days, opened", [(45, ["报请审批"]), (10, ["直接整改"])])
def test_a_camunda7_branch_without_a_condition_is_taken_when_its_turn_comes(engine, days, opened):
    """安全生产法 第六十五条 (责令限期整改): a term over 30 days goes to 报请审批 (the conditional branch,
    listed first), any other to 直接整改 (no condition, drawn above it). Before, the deploy was refused."""
    assert after_first_task(engine, "camunda7_gateway_flow_order", {"days": days}) == opened


def test_the_branch_without_a_condition_is_said_at_deploy(engine):
    pf = engine.models.validate(ORDER, "camunda7_gateway_flow_order.bpmn")
    assert [w.message for w in pf.warnings if "Flow_0plain" in w.message] == [
        "排他网关「整改期限」(Gateway_0days) 的分支未命名连线 (Flow_0plain)没有条件，也不是默认分支：本系统与 Camunda 7、"
        "Flowable 一样，按文件中连线的先后顺序逐条判断，轮到这条时总是走它（排在它后面的分支不再判断）；"
        "如它是「其余情况」的去向，请在属性面板中把它设为默认分支"]


@pytest.mark.parametrize("level, opened", [(3, ["区级督办"]), (1, ["镇级督办"]), (0, ["一般处理"])])
def test_flowable_takes_the_first_branch_in_the_file_whose_condition_holds(engine, level, opened):
    """隐患排查治理暂行规定 第十条 (督办级别): at level 3 both 二级及以上 and 一级及以上 hold; the file
    lists 区级督办's first (drawn lowest). SpiffWorkflow took the branch drawn highest."""
    assert after_first_task(engine, "flowable_gateway_overlapping_conditions", {"level": level}) == opened


@pytest.mark.parametrize("variant, why", [
    # Camunda 7 refuses a second branch without a condition (BpmnParse.validateExclusiveGateway)
    (lambda xml: xml.replace('<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${days &gt; 30}'
                             '</bpmn:conditionExpression>', ""), "two"),
    # … and one beside a default
    (lambda xml: xml.replace('name="整改期限">', 'name="整改期限" default="Flow_0long">').replace(
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${days &gt; 30}</bpmn:conditionExpression>', ""),
     "default"),
    # Zeebe refuses every one ("Must have a condition or be default flow")
    (lambda xml: xml.replace('xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
                             'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
                             'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"').replace(
        'modeler:executionPlatform="Camunda Platform"', 'modeler:executionPlatform="Camunda Cloud"'), "zeebe"),
])
def test_where_the_vendor_refuses_the_branch_without_a_condition_so_do_we(engine, variant, why):
    with pytest.raises(InvalidModel) as refused:
        engine.models.validate(variant(ORDER), f"refused_{why}.bpmn")
    assert "排他网关「整改期限」(Gateway_0days) 的分支缺少条件或默认流" in str(refused.value)
    assert "请为这些分支填写条件，或在属性面板中把「其余情况」的一条设为默认分支" in str(refused.value)


@pytest.mark.parametrize("passed, opened", [(True, ["结案"]), (False, ["责令重新整改"]),
                                            ("true", ["结案"]), ("FALSE", ["责令重新整改"])])
def test_a_yes_no_condition_over_yes_no_data_takes_its_branch(engine, passed, opened):
    assert after_first_task(engine, "camunda7_text_condition", {"passed": passed}) == opened


@pytest.mark.parametrize("text", ["不同意", "同意", "已整改"])
def test_a_condition_that_reads_text_stops_the_case_with_an_incident_naming_the_flow_and_the_data(engine, text):
    """《安全生产法》第六十五条 复查: 「不同意」 typed into the text field went to 责令重新整改 and
    「同意」 too (any text but 'true' was no) — Camunda 7 stops on either."""
    case = start(engine, "camunda7_text_condition")
    (task,) = engine.case(case.id).tasks
    with pytest.raises(IncidentRaised) as raised:
        engine.complete(task.id, user_for(engine, task), {"passed": text})
    assert raised.value.message == (
        f"排他网关「复查通过？」(Gateway_0passed) 通往「结案」的连线：案件数据「passed」的值是文字「{text}」，不是“是/否”，"
        "无法判断走不走这条分支（Camunda、Flowable 同样停在这里）；请把该数据改为是或否后重试，"
        "或请流程设计员把条件改为比较（如 passed == \"同意\"）")
    assert [t.name for t in engine.case(case.id).tasks] == ["复查意见"]  # nothing lost: the task is still open


def test_a_condition_written_in_python_keeps_pythons_truth_of_text(engine):
    """Our own dialect: bpmn/enforcement_case.bpmn's 有陈述申辩？ is ``statement_text`` (there is a
    statement when the text is not empty), as raw SpiffWorkflow reads it; only conditions translated
    from JUEL or FEEL want yes or no."""
    xml = TEXT.replace("${passed}", "passed").replace("${!passed}", "not passed").replace(
        'id="camunda7_text_condition"', 'id="python_text_condition"').replace(
        'bpmnElement="camunda7_text_condition"', 'bpmnElement="python_text_condition"')
    engine.deploy(xml, by="boss", filename="python_text_condition.bpmn")
    case = engine.start("python_text_condition", by="zhang", org="east", data={})
    (task,) = engine.case(case.id).tasks
    engine.complete(task.id, user_for(engine, task), {"passed": "罚款过高，请求减轻"})
    assert [t.name for t in engine.case(case.id).tasks] == ["结案"]
