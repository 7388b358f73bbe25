"""Security review 16 (安全复查十六) — through the served REST API (tests/api_probe_support.served_world), on a
real SQLite file and a real PostgreSQL database, with real BPMN and real evaluator workers.

Findings
--------

Hundreds of megabytes from one started case (一步之内脚本写入的数据). A worker's reply is bounded (32 MiB,
engine/evaluator.MAX_MESSAGE) but not how many replies a step takes in: a loop of one script task writing
``x = "y" * 10_000_000`` twenty times before its user task held 700 MB of the server for 25 s and wrote
808 MB into the SQLite file (each pass's task keeps its own data), from one ``POST /api/cases`` by an
inspector of a designer's model. Now the scripts of one step may write 8,000,000 characters in all
(engine/evaluator.STEP_WRITE_UNITS, counted as the reply is applied, before it reaches the case): past it
the step is an incident naming the element and the limit, the case as it was (the same model: 155 MB,
1 MB written, 1.8 s).

Case data without end (案件数据上限). Within each step's budget, a model writing a new 3 MB variable at each
completion grew its case's data by as much every step, without end: every step writes the whole text and
every script is sent what it reads of it. Now a case's data may hold 8,000,000 characters of JSON
(engine/unstorable.MAX_DATA_CHARS, one ``len`` per step); past it the step is an incident naming the
largest variables, nothing of the case lost.

Tried, and held (no change)
---------------------------

A timer cycle ``R/PT0S`` (refused at deploy: at least 1 minute, tests/test_ops_timers.py); a
multi-instance ``loopCardinality`` of 10^9 (engine/parser.MAX_INSTANCES, 1,000); a DMN of 20,000 rules
(validation: 3,000 rules and cells); FEEL ``matches()`` with a catastrophic pattern — there is no
regular-expression function among the FEEL or JUEL helpers the host runs, so no pattern of a model
reaches ``re`` in the server; deep JSON nesting from a worker (its recursion limit of 400 stops
``json.dumps`` there; a reply the host cannot parse is a crashed worker, replaced).

Left alone: an expression's result (``{"ok": …}``: a multi-instance collection, a mapping) is not
charged against the step's budget, only scripts' writes; the worker's 32 MiB bounds each.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.api_probe_support import deploy_source, served_world

LANE = '<bpmn:laneSet id="ls"><bpmn:lane id="L" name="inspector">{refs}</bpmn:lane></bpmn:laneSet>'
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'id="d" targetNamespace="http://bpmn.io/schema/bpmn">\n<bpmn:process id="{key}" name="{name}" isExecutable="true">\n')
TAIL = '</bpmn:process>\n</bpmn:definitions>\n'


def _model(key: str, name: str, elements: list[tuple[str, str]], body: str) -> bytes:
    refs = "".join(f"<bpmn:flowNodeRef>{e}</bpmn:flowNodeRef>" for e, _ in elements)
    return (HEAD.format(key=key, name=name) + LANE.format(refs=refs) + body + TAIL).encode()


def loop_model(chars: int, passes: int) -> bytes:
    """立案 → 初始化 (i = 0) → 写大文本 (i += 1, x = "y" * chars) → back while i < passes → 复核."""
    elements = [("s", ""), ("init", ""), ("body", ""), ("gw", ""), ("review", ""), ("e", "")]
    body = f'''<bpmn:startEvent id="s" name="立案"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="init"/>
<bpmn:scriptTask id="init" name="初始化" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>i = 0</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f2" sourceRef="init" targetRef="body"/>
<bpmn:scriptTask id="body" name="写大文本" scriptFormat="python"><bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>back</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing><bpmn:script>i = i + 1
x = "y" * {chars}</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f3" sourceRef="body" targetRef="gw"/>
<bpmn:exclusiveGateway id="gw" name="是否写完" default="out"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>back</bpmn:outgoing><bpmn:outgoing>out</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:sequenceFlow id="back" sourceRef="gw" targetRef="body"><bpmn:conditionExpression>i &lt; {passes}</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="out" sourceRef="gw" targetRef="review"/>
<bpmn:userTask id="review" name="复核"><bpmn:incoming>out</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
<bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="e"/>
<bpmn:endEvent id="e"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
'''
    return _model("big_loop", "循环写大文本", elements, body)


def steps_model(chars: int, rounds: int) -> bytes:
    """立案 → (材料k: mk = "y" * chars → 登记k) × rounds → 结束: each completion writes one new variable."""
    elements, body, previous = [("s", ""), ("e", "")], ['<bpmn:startEvent id="s" name="立案"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>'], "s"
    for k in range(1, rounds + 1):
        elements += [(f"m{k}", ""), (f"u{k}", "")]
        body.append(f'<bpmn:sequenceFlow id="f{k - 1}" sourceRef="{previous}" targetRef="m{k}"/>')
        body.append(f'<bpmn:scriptTask id="m{k}" name="生成材料{k}" scriptFormat="python"><bpmn:incoming>f{k - 1}</bpmn:incoming>'
                    f'<bpmn:outgoing>g{k}</bpmn:outgoing><bpmn:script>m{k} = "y" * {chars}</bpmn:script></bpmn:scriptTask>')
        body.append(f'<bpmn:sequenceFlow id="g{k}" sourceRef="m{k}" targetRef="u{k}"/>')
        body.append(f'<bpmn:userTask id="u{k}" name="登记{k}"><bpmn:incoming>g{k}</bpmn:incoming><bpmn:outgoing>f{k}</bpmn:outgoing></bpmn:userTask>')
        previous = f"u{k}"
    body.append(f'<bpmn:sequenceFlow id="f{rounds}" sourceRef="{previous}" targetRef="e"/>')
    body.append(f'<bpmn:endEvent id="e"><bpmn:incoming>f{rounds}</bpmn:incoming></bpmn:endEvent>')
    return _model("big_steps", "逐步写大材料", elements, "\n".join(body) + "\n")


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = served_world(module_database_url, tmp_path_factory.mktemp("review16"))
    yield w
    w.engine.dispose()


def _start(world, key: str):
    return world.call("POST", "/api/cases", "insp", json={"process_key": key, "org": "east", "data": {}})


def _cases(world, key: str) -> int:
    with world.engine.db.read() as s:
        return s.execute(sa.text("SELECT count(*) FROM case_instance WHERE process_key = :k"), {"k": key}).scalar_one()


# -- 1. what a step's scripts may write -----------------------------------------------------------------

def test_a_loop_of_scripts_writes_no_hundreds_of_megabytes_in_one_step(world):
    """A designer's model whose script task loops five times before the first user task, each pass
    writing a text of 5,000,000 characters: 25,000,000 characters into one step (before, twenty passes of
    10 MB held 700 MB of the server and wrote 808 MB to the database). Now the second pass passes the step's
    8,000,000 and the start is an incident naming the element and the limit; no case is kept."""
    r = deploy_source(world, loop_model(5_000_000, 5), "循环写大文本.bpmn")
    assert r.status_code == 201, r.get_json()
    before = _cases(world, "big_loop")
    r = _start(world, "big_loop")
    body = r.get_json()
    assert r.status_code == 422 and body.get("incident_id"), (r.status_code, str(body)[:300])
    incident = next(i for i in world.engine.incidents() if i.id == body["incident_id"])
    assert "「写大文本」出错" in incident.message and "8,000,000 个字符" in incident.message, incident.message
    assert _cases(world, "big_loop") == before
    from webui.labels import incident_explanation
    said = incident_explanation(incident.message)
    assert said.startswith("环节“写大文本”出错：流程脚本在一步之内写入案件的数据过大"), said
    # the same loop writing ordinary values runs: the budget is the step's, not a pass's
    r = deploy_source(world, loop_model(2_000, 500), "循环写大文本.bpmn")
    assert r.status_code == 201, r.get_json()
    r = _start(world, "big_loop")
    assert r.status_code == 201, str(r.get_json())[:300]
    data = world.engine.case(r.get_json()["id"]).data
    assert data["i"] == 500 and len(data["x"]) == 2_000


# -- 2. what a case's data may hold ---------------------------------------------------------------------

def test_case_data_stops_growing_at_its_limit_and_the_case_keeps_its_place(world):
    """Each completion's script writes a new variable of 3,000,000 characters — within a step's budget —
    so the case's data grew by as much at every step, without end. The third step would hold 9,000,000
    characters, past the case's 8,000,000: an incident naming the step and the largest variables, the
    task 登记2 still open and the data of the two steps before kept."""
    r = deploy_source(world, steps_model(3_000_000, 3), "逐步写大材料.bpmn")
    assert r.status_code == 201, r.get_json()
    r = _start(world, "big_steps")
    assert r.status_code == 201, str(r.get_json())[:300]
    case_id = r.get_json()["id"]
    task = next(t for t in world.engine.case(case_id).tasks if t.spec_id == "u1")
    r = world.call("POST", f"/api/tasks/{task.id}/complete", "insp", json={"data": {}})
    assert r.status_code == 200, str(r.get_json())[:300]
    task = next(t for t in world.engine.case(case_id).tasks if t.spec_id == "u2")
    r = world.call("POST", f"/api/tasks/{task.id}/complete", "insp", json={"data": {}})
    body = r.get_json()
    assert r.status_code == 422 and body.get("incident_id"), (r.status_code, str(body)[:300])
    incident = next(i for i in world.engine.incidents() if i.id == body["incident_id"])
    assert "案件数据过大" in incident.message and "8,000,000 个字符" in incident.message, incident.message[:300]
    assert "变量「m3」" in incident.message, incident.message[:300]
    view = world.engine.case(case_id)
    assert [t.spec_id for t in view.tasks] == ["u2"] and view.status == "running"
    assert sorted(k for k in view.data if k.startswith("m")) == ["m1", "m2"]
    assert len(view.data["m2"]) == 3_000_000
