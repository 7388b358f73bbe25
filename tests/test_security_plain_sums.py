"""A sum in plain model code cannot hold the host (engine/restricted.py ``guarded_add``).

Plain expressions (gateway conditions, decision rule tests, mappings) and plain scripts run in the
host, not in a bounded worker (docs/sandbox.md). ``+`` was not guarded there: a designer's condition
``备注 + 备注 + … + 备注 == ""`` (200 terms, 803 characters) over a 1 MB text an official pasted held
the host 36 s (9 s of its CPU) on one evaluation; drawn as a balanced sum it would fill the host's
memory. Now a sum past the host's bound (``PLAIN_SCRIPT_UNITS``) is abandoned before it is made, and
the worker evaluates the code under its CPU and memory bounds — the same answer, the host free.
On a real SQLite file and real PostgreSQL through a real BPMN model, and at the evaluator.
"""
from __future__ import annotations

import pytest

from engine import IncidentRaised, ManualClock
from engine.scripting import DubanScriptEngine
from tests.support import START, make_engine, open_task_id, thread_cpu

BIG = "隐" * 1_000_000  # a 1 MB field, as pasted from a report
TERMS = 30  # within PLAIN_OPERATIONS: the host may run it (test_security_plain_totals.py: past it, never)
SUM = " + ".join(["note"] * TERMS)
LONG_SUM = " + ".join(["note"] * 100)  # the gateway's: 100 terms, 403 characters

MODEL = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_sum"
    targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.17.0">
  <bpmn:process id="plain_sum" name="备注长度核对" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="fill" name="填写备注"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="g" name="备注为空？" default="f4"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="fill" />
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="g" />
    <bpmn:sequenceFlow id="f3" name="空" sourceRef="g" targetRef="e_empty">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{LONG_SUM} == ""</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="g" targetRef="e_note" />
    <bpmn:endEvent id="e_empty"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e_note"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture(scope="module")
def env():
    return DubanScriptEngine(ManualClock(START), {}).environment


def test_a_long_sum_of_a_big_text_is_evaluated_in_the_worker_not_the_host(env):
    before = dict(env.evaluations)
    with thread_cpu() as spent:
        assert env.evaluate(f"{SUM} == ''", {"note": "隐" * 100_000}) is False
    assert env.evaluations["host"] == before["host"]                  # abandoned past the bound
    assert env.evaluations["worker"] == before["worker"] + 1            # and answered by the worker
    assert spent.seconds < 0.5, spent.seconds
    # the same expression over short values still answers in the host
    assert env.evaluate(f"{SUM} == ''", {"note": ""}) is True
    assert env.evaluations["host"] == before["host"] + 1


def test_a_plain_script_growing_a_text_by_sums_goes_to_the_worker(env):
    before = dict(env.evaluations)
    data = {"note": "隐" * 100_000}
    env.execute(f"total = {SUM}\nsize = len(total)", data)
    assert data["size"] == TERMS * 100_000
    assert env.evaluations["host_script"] == before["host_script"]
    data = {"note": "短"}
    env.execute(f"total = {SUM}\nnote += note", data)
    assert data["total"] == "短" * TERMS and data["note"] == "短短"
    assert env.evaluations["host_script"] == before["host_script"] + 1


def test_a_gateway_condition_summing_a_pasted_megabyte_leaves_the_host_free(database_url):
    """100 copies of a 1 MB note: the worker stops the sum within its bounds (an incident on the case, the
    step rolled back); before, the host made it (10 GB copied) and held the request for seconds."""
    engine = make_engine(database_url)
    try:
        engine.deploy(MODEL.encode(), by="boss", filename="plain_sum.bpmn")
        case = engine.start("plain_sum", by="zhang", org="east", data={})
        task_id = open_task_id(engine, case.id)
        with thread_cpu() as spent, pytest.raises(IncidentRaised):
            engine.complete(task_id, "zhang", {"note": BIG})
        assert spent.seconds < 1.0, spent.seconds
        assert open_task_id(engine, case.id) == task_id                  # the task is still open
        engine.complete(task_id, "zhang", {"note": "已核对"})             # a note of a normal size
        assert "e_note" in engine.case_elements(case.id)["completed"]
    finally:
        engine.dispose()
