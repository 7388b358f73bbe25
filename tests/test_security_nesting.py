"""Model code nested too deep is refused in Chinese naming the element, never a traceback
(engine/restricted.py ``MAX_NESTING``).

RestrictedPython's checker walks the code's tree recursively: a designer's condition of ~250 chained
terms (``备注 + 备注 + …``, ``not not … x``, ``- - … score``) made deploy raise Python's English
RecursionError, 100,000 unary minus signs a bare MemoryError, and 100,000 nested brackets came out as
「语法错误（too many nested parentheses）」. Now each is 「表达式嵌套过深（超过 200 层），请拆分…」 on the
sequence flow or script task at fault, at deploy and at run time, and the host goes on. On a real
SQLite file and real PostgreSQL through real BPMN models drawn as Camunda Modeler writes them.
"""
from __future__ import annotations

import pytest

from engine import InvalidModel, ManualClock, restricted
from engine.scripting import DubanScriptEngine
from tests.support import START, make_engine, open_task_id

DEEP = "表达式嵌套过深（超过 200 层）"


def _model(condition: str, script: str = "checked = True") -> bytes:
    condition = condition.replace("&", "&amp;").replace("<", "&lt;")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_deep"
    targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.17.0">
  <bpmn:process id="deep_condition" name="备注核对" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="calc" name="核对备注" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="fill" name="填写备注"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="g" name="备注为空？" default="f5"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing><bpmn:outgoing>f5</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="calc" />
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="fill" />
    <bpmn:sequenceFlow id="f3" sourceRef="fill" targetRef="g" />
    <bpmn:sequenceFlow id="f4" name="空" sourceRef="g" targetRef="e_empty">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f5" sourceRef="g" targetRef="e_note" />
    <bpmn:endEvent id="e_empty"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e_note"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
""".encode()


DEEP_CONDITIONS = {
    "chain_300": " + ".join(["note"] * 300) + ' == ""',
    "not_500": "not " * 500 + "note",
    "minus_100000": "-" * 100_000 + "score > 1",
    "brackets_100000": "(" * 100_000 + "note" + ")" * 100_000 + ' == ""',
    "lists_100000": "[" * 100_000 + "]" * 100_000 + " == note",
}


@pytest.mark.parametrize("shape", sorted(DEEP_CONDITIONS))
def test_a_condition_nested_too_deep_is_refused_naming_the_flow(database_url, shape):
    engine = make_engine(database_url)
    try:
        with pytest.raises(InvalidModel) as refused:
            engine.deploy(_model(DEEP_CONDITIONS[shape]), by="boss", filename="deep.bpmn")
        message = str(refused.value)
        assert "连线「空」(f4)" in message and DEEP in message, message[:300]
        assert "Recursion" not in message and "nested" not in message and "MemoryError" not in message
        # the host goes on: a model of ordinary depth deploys and runs in the same process
        engine.deploy(_model(" + ".join(["note"] * 100) + ' == ""'), by="boss", filename="ok.bpmn")
        case = engine.start("deep_condition", by="zhang", org="east", data={})
        engine.complete(open_task_id(engine, case.id), "zhang", {"note": ""})
        assert "e_empty" in engine.case_elements(case.id)["completed"]
    finally:
        engine.dispose()


def test_a_script_nested_too_deep_is_refused_naming_the_task(database_url):
    engine = make_engine(database_url)
    try:
        for script in ("total = " + " + ".join(["1"] * 300), "total = " + "(" * 100_000 + "1" + ")" * 100_000):
            with pytest.raises(InvalidModel) as refused:
                engine.deploy(_model("note == ''", script), by="boss", filename="deep_script.bpmn")
            message = str(refused.value)
            assert "「核对备注」" in message and DEEP in message, message[:300]
    finally:
        engine.dispose()


def test_at_run_time_a_too_deep_expression_is_a_chinese_refusal_not_a_recursion_error():
    env = DubanScriptEngine(ManualClock(START), {}).environment
    for source in (" + ".join(["a"] * 300) + " > 0", "not " * 500 + "a"):
        with pytest.raises(restricted.ModelCodeRefused) as refused:
            env.evaluate(source, {"a": 1})
        assert DEEP in str(refused.value)
    # 150 chained terms (within the bound) compile in the host and in the worker, whose own
    # recursion limit (400 frames) had stopped RestrictedPython's checker
    assert env.evaluate(" + ".join(["a"] * 150) + " > 0", {"a": 1}) is True
    assert env.evaluate(" + ".join(["str(a)"] * 150) + " == '1' * 150", {"a": 1}) is True


TIMER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    id="Defs_timer" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.17.0">
  <bpmn:process id="deep_timer" name="限期整改" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="w" name="整改期限"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">EXPR</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="w" />
    <bpmn:sequenceFlow id="f2" sourceRef="w" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize("expression", ["-" * 100_000 + "1", "(" * 100_000 + '"PT1H"' + ")" * 100_000,
                                        " + ".join(["x"] * 300)], ids=["minus", "brackets", "chain"])
def test_a_timer_expression_nested_too_deep_is_refused_naming_the_event(database_url, expression):
    """A timer's duration (《安全生产法》第六十五条 整改期限 as an expression): before, 100,000 minus
    signs made deploy raise a bare MemoryError (engine/timers.check_timer_expression's compile) and
    100,000 brackets quoted all 200 KB back in the refusal."""
    engine = make_engine(database_url)
    try:
        with pytest.raises(InvalidModel) as refused:
            engine.deploy(TIMER.replace("EXPR", expression).encode(), by="boss", filename="deep_timer.bpmn")
        message = str(refused.value)
        assert "「整改期限」" in message and DEEP in message and len(message) < 1_000, message[:300]
    finally:
        engine.dispose()
