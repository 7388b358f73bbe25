"""Model code runs fenced in: imports and file access are refused at deploy, and an endless loop
becomes an incident on the case instead of a hung worker."""
from __future__ import annotations

import time

import pytest

from engine import IncidentRaised, InvalidModel
from tests.support import BPMN, HELD_AT_MOST_S, deploy, evaluator_ready, make_engine


@pytest.fixture
def engine(sqlite_url):
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


def model_with_script(script: str) -> str:
    return (BPMN / "failing_script.bpmn").read_text(encoding="utf-8").replace(
        "<bpmn:script>daily = total / days</bpmn:script>", f"<bpmn:script>{script}</bpmn:script>")


@pytest.mark.parametrize("script", ["os = __import__('os')", "text = open('/etc/passwd').read()",
                                    "import os", "x = ().__class__.__mro__[1].__subclasses__()"])
def test_scripts_reaching_outside_are_refused_at_deploy(engine, script):
    with pytest.raises(InvalidModel) as err:
        engine.deploy(model_with_script(script), by="boss", filename="evil.bpmn")
    assert err.value.element_id == "calc" and err.value.line
    with pytest.raises(Exception):
        engine.models.latest("fine_calc")


def test_an_endless_loop_is_stopped_and_leaves_an_incident(engine):
    engine.script_engine.environment.seconds = 0.5
    engine.deploy(model_with_script("while True:\n    pass"), by="boss", filename="loop.bpmn")
    case = engine.start("fine_calc", by="zhang", org="east")
    (task,) = engine.queue("zhang")
    evaluator_ready()
    started = time.monotonic()
    with pytest.raises(IncidentRaised):
        engine.complete(task.id, "zhang", {})
    assert time.monotonic() - started < HELD_AT_MOST_S
    assert [t.id for t in engine.case(case.id).tasks] == [task.id]
    (incident,) = engine.incidents(case_id=case.id)
    assert incident.element_id == "calc" and "超过 0.5 秒" in incident.message  # stopped by its bound


def test_a_huge_range_is_refused_while_running(engine):
    engine.deploy(model_with_script("total = sum(range(10**12))"), by="boss", filename="big.bpmn")
    engine.start("fine_calc", by="zhang", org="east")
    (task,) = engine.queue("zhang")
    with pytest.raises(IncidentRaised, match="数列太长"):
        engine.complete(task.id, "zhang", {})


@pytest.mark.parametrize("limit", ["RLIMIT_CPU", "RLIMIT_AS"])
def test_model_code_runs_under_a_hard_limit_the_server_inherited(tmp_path, limit):
    """A server started under systemd ``LimitCPU=``/``LimitAS=`` or ``ulimit -t``/``-v`` hands its
    evaluator workers a hard limit they may not raise: each worker keeps within it instead of dying
    (which made every expression of every model an incident), and an endless loop is still stopped."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    probe = tmp_path / "probe.py"
    probe.write_text(f"""
import resource, sys
sys.path.insert(0, {str(root)!r})
hard = 3600 if {limit!r} == "RLIMIT_CPU" else 700 * 1024 ** 2  # below the worker's own 768 MiB
resource.setrlimit(resource.{limit}, (hard - 1, hard))
from engine import evaluator
print(evaluator.pool().run("eval", "1 + 2", {{}}, {{}}, 2.0))
try:
    evaluator.pool().run("exec", "while True:\\n    pass", {{}}, {{}}, 0.5)
except evaluator.ScriptTimeout:
    print("stopped")
evaluator.pool().shutdown()
""", encoding="utf-8")
    out = subprocess.run([sys.executable, str(probe)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["{'ok': 3}", "stopped"]
