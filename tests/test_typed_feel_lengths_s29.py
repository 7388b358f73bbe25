"""A range or a list a model's code makes that is too long says so, naming the element (incident texts, issue 15).

Data typed with extra zeros (a 会签人数 of 100000) makes the model's code walk a range or build a list
past what the engine computes: FEEL's ``for i in 1..n`` (engine/feel_lists.MAX_RANGE, 10,000 numbers),
a list one of FEEL's list functions makes (engine/feel_collections.MAX_ITEMS, 100,000 items; new here:
before, such a list ran on to the script's CPU bound, or was refused as the value of
「duban_feel_collection」, a name no designer wrote), a Python script's ``range``
(engine/restricted.MAX_RANGE, 1,000,000). The case stopped, and the incident page (webui/labels.py
``incident_explanation``) said something else: a FEEL range in a multi-instance collection read
「条件无法计算：条件用到的数据在案件中没有值」 (it is no condition, and nothing is missing), in a script task
the generic 「流程执行出错……请管理员查看错误详情」 (the reason began with the Latin word FEEL), and a
script's range 「无法把提交的内容读成数值或日期」 (its ValueError). Now each says what is wrong: the range
or list is too long, how long it is, the most it may be, after the element's name.

Real models on the engine, a SQLite file and PostgreSQL.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import IncidentRaised
from tests.support import make_engine
from webui.labels import incident_explanation

ZEEBE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
    xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn"
    exporter="Camunda Modeler" exporterVersion="5.30.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">
  <bpmn:process id="{key}" name="会签意见汇总" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="发起会签"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    {element}
    <bpmn:endEvent id="Event_0end"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0work" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0work" targetRef="Event_0end" />
  </bpmn:process>
</bpmn:definitions>"""
SIGNING = """<bpmn:userTask id="Activity_0work" name="会签">
      <bpmn:extensionElements><zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="inspector" /></bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>
        <zeebe:loopCharacteristics inputCollection="=for i in 1..signers return i" inputElement="seat" />
      </bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>"""
SCRIPT = """<bpmn:scriptTask id="Activity_0work" name="汇总会签人员">
      <bpmn:extensionElements><zeebe:script expression="{expression}" resultVariable="seats" /></bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:scriptTask>"""
PYTHON = (Path(__file__).parent / "bpmn" / "start_script.bpmn").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.deploy(ZEEBE.format(key="feel_range_signing", element=SIGNING), by="boss", filename="feel_range_signing.bpmn")
    eng.deploy(ZEEBE.format(key="feel_range_script", element=SCRIPT.format(expression="=for i in 1..signers return i")),
               by="boss", filename="feel_range_script.bpmn")
    eng.deploy(ZEEBE.format(key="feel_list_script", element=SCRIPT.format(expression="=concatenate(names, names)")),
               by="boss", filename="feel_list_script.bpmn")
    eng.deploy(PYTHON.replace("daily = total / days", "seats = list(range(signers))").replace(
        'id="fine_on_start"', 'id="python_range_script"'), by="boss", filename="python_range_script.bpmn")
    yield eng
    eng.dispose()


def _stopped(engine, key: str, data: dict) -> tuple[str, str]:
    """(the incident's message, what the incident page shows) of a case of ``key`` started with ``data``."""
    with pytest.raises(IncidentRaised) as raised:
        engine.start(key, by="zhang", org="east", data=data)
    message = raised.value.message
    return message, incident_explanation(message)


def test_a_feel_range_too_long_in_a_multi_instance_collection_says_so_not_a_condition(engine):
    message, shown = _stopped(engine, "feel_range_signing", {"signers": 100000})
    said = "表达式的范围「1..100000」太长：有 100,000 个数，超过上限 10,000 个"
    assert said in message
    assert shown.startswith("环节“会签”出错：" + said), shown
    assert "条件" not in shown and "没有值" not in shown and "FEEL" not in shown


def test_a_feel_range_too_long_in_a_script_task_says_so_not_the_generic_words(engine):
    _message, shown = _stopped(engine, "feel_range_script", {"signers": 20000})
    assert shown.startswith("环节“汇总会签人员”出错：表达式的范围「1..20000」太长：有 20,000 个数，超过上限 10,000 个；"), shown
    assert "请管理员查看错误详情" not in shown


def test_a_list_a_feel_function_makes_too_long_names_the_function_not_ours(engine):
    names = list(range(50001))
    message, shown = _stopped(engine, "feel_list_script", {"names": names})
    said = "函数「concatenate」得到的列表太长：有 100,002 项，超过上限 100,000 项"
    assert said in message and "duban_feel_collection" not in message.split(" — ")[0]
    assert shown.startswith("环节“汇总会签人员”出错：" + said), shown


def test_a_scripts_range_too_long_says_so_not_that_input_is_no_number(engine):
    message, shown = _stopped(engine, "python_range_script", {"signers": 2_000_000})
    assert shown.startswith("环节“计算每日罚款”出错：脚本生成的数列太长：有 2,000,000 个数，超过上限 1,000,000 个；"), shown
    assert "读成数值或日期" not in shown
