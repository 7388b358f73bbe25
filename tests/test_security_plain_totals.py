"""A plain expression cannot hold the host by the number of its operations (engine/restricted.py
``PLAIN_OPERATIONS``).

Plain expressions (gateway conditions, decision rule tests, mappings) run in the host, not in the
bounded worker (docs/sandbox.md). Each ``+`` and ``*`` there is bounded on its own (``guarded_add``:
at most a million items made, test_security_plain_sums.py), but not all of them together: a designer's
condition ``len(备注 + 备注) + len(备注 + 备注) + …`` written 2,000 times over a pasted text of 500,000
characters makes 2,000 texts of a million, each within the bound: 0.13 s of the host's CPU on each
evaluation (compiled), ~1.4 ms a term over a list of 500,000 items (seconds).
Now an expression of more than ``PLAIN_OPERATIONS`` operations is the worker's, under its CPU bound:
the same answer, the host free. On a real SQLite file and real PostgreSQL through a real BPMN model,
and at the evaluator.
"""
from __future__ import annotations

import pytest

from engine import ManualClock, restricted
from engine.scripting import DubanScriptEngine
from tests.support import START, make_engine, open_task_id, thread_cpu

TERMS = 2000
TEXT = "😀" * 500_000  # a pasted text, 4 bytes a character


def _balanced(terms: list[str]) -> str:
    """``(t + t) + (t + t)``: a sum nested no deeper than needed (a chain of 300 terms passes the
    compiler's depth, test_security_nesting.py)."""
    if len(terms) == 1:
        return terms[0]
    middle = len(terms) // 2
    return f"({_balanced(terms[:middle])} + {_balanced(terms[middle:])})"


TOTAL = _balanced(["len(note + note)"] * TERMS)  # each term: a text of a million characters

MODEL = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_total"
    targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.17.0">
  <bpmn:process id="plain_total" name="备注长度核对" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="fill" name="填写备注"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="g" name="备注很长？" default="f4"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="fill" />
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="g" />
    <bpmn:sequenceFlow id="f3" name="多" sourceRef="g" targetRef="e_many">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{TOTAL} &gt; 1000</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="g" targetRef="e_few" />
    <bpmn:endEvent id="e_many"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e_few"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture(scope="module")
def env():
    return DubanScriptEngine(ManualClock(START), {}).environment


def test_many_bounded_sums_in_one_expression_are_the_workers(env):
    env.evaluate(f"{TOTAL} > 1000", {"note": ""})  # compiled once (a deploy's cost, not the step's)
    before = dict(env.evaluations)
    with thread_cpu() as spent:
        assert env.evaluate(f"{TOTAL} > 1000", {"note": TEXT}) is True
    assert env.evaluations["host"] == before["host"]          # not run in the host
    assert env.evaluations["worker"] == before["worker"] + 1    # the worker answered
    assert spent.seconds < 0.05, spent.seconds                  # 0.13 s in the host before


def test_an_ordinary_condition_stays_in_the_host(env):
    before = dict(env.evaluations)
    assert env.evaluate("approved == True and score >= 60", {"approved": True, "score": 75}) is True
    assert env.evaluate('label + "（复查）" == "现场检查（复查）"', {"label": "现场检查"}) is True
    edge = " + ".join(["a"] * restricted.PLAIN_OPERATIONS) + " > 0"  # 40 operations: at the bound
    assert env.evaluate(edge, {"a": 1}) is True
    assert env.evaluations["host"] == before["host"] + 3
    assert env.evaluations["worker"] == before["worker"]


def test_a_plain_script_statement_of_many_sums_goes_to_the_worker(env):
    before = dict(env.evaluations)
    env.execute(f"total = {TOTAL}", {"note": ""})  # compiled once
    data = {"note": TEXT}
    with thread_cpu() as spent:
        env.execute(f"total = {TOTAL}", data)
    assert data["total"] == TERMS * 2 * len(TEXT)
    assert env.evaluations["host_script"] == before["host_script"]
    # before, the host ran the statement to its end (0.13 s) and only then, past its 50 ms for a
    # script (PLAIN_SCRIPT_SECONDS), gave it to the worker to run again
    assert spent.seconds < 0.05, spent.seconds


def test_a_gateway_condition_of_many_sums_leaves_the_host_free(database_url):
    engine = make_engine(database_url)
    try:
        engine.deploy(MODEL.encode(), by="boss", filename="plain_total.bpmn")
        case = engine.start("plain_total", by="zhang", org="east", data={})
        task_id = open_task_id(engine, case.id)
        environment = engine.script_engine.environment
        before = dict(environment.evaluations)
        engine.complete(task_id, "zhang", {"note": TEXT})
        assert "e_many" in engine.case_elements(case.id)["completed"]  # the same answer
        assert environment.evaluations["worker"] == before["worker"] + 1  # from the worker
        assert environment.evaluations["host"] == before["host"]
    finally:
        engine.dispose()
