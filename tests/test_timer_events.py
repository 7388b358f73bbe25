"""Timer events on the engine clock reach SpiffWorkflow by subclass and serializer configuration,
never by patching SpiffWorkflow on import; and a broken domain module is an error, not a silent
switch-off (workflows/runtime.py)."""
from __future__ import annotations

import importlib
import json

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

import engine  # noqa: F401  (importing the engine must change nothing in SpiffWorkflow)
from engine import timers
from engine.parser import DubanParser
from engine.state import _registry, to_json
from tests.support import BPMN


def test_importing_the_engine_leaves_spiffworkflow_timer_classes_alone():
    for cls, method in ((spiff_timer.TimeDateEventDefinition, "has_fired"),
                        (spiff_timer.DurationTimerEventDefinition, "has_fired"),
                        (spiff_timer.CycleTimerEventDefinition, "cycle_complete")):
        assert getattr(cls, method).__module__ == spiff_timer.__name__


_SNAPSHOT = """
import importlib, pkgutil, sys, SpiffWorkflow
for info in pkgutil.walk_packages(SpiffWorkflow.__path__, prefix="SpiffWorkflow."):
    try:
        importlib.import_module(info.name)
    except ImportError:  # optional parts (celery, lxml extras) not installed
        pass

def snapshot():
    seen = {}
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "SpiffWorkflow" or module is None:
            continue
        for attr, value in vars(module).items():
            seen[(name, attr)] = id(value)
            if isinstance(value, type) and value.__module__ == name:
                for key, member in vars(value).items():
                    seen[(name, attr, key)] = id(member)
    return seen

before = snapshot()
import engine, workflows.runtime, webui.app  # everything a server imports
after = snapshot()
changed = sorted(str(k) for k in before if after.get(k) != before[k])
added = sorted(str(k) for k in after if k not in before and k[0] in {n for n, *_ in before})
print("\\n".join(changed + added))
"""


def test_importing_engine_workflows_and_webui_changes_no_spiffworkflow_module_or_class():
    """Every SpiffWorkflow module imported first, every module attribute and class member noted;
    then the engine, the domain and the web app imported: nothing of SpiffWorkflow was replaced or
    added (a patched method, a swapped class, a new attribute) — in a fresh interpreter, so the
    snapshot is taken before anything of ours ran."""
    import os
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-c", _SNAPSHOT], capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, PYTHONPATH=os.getcwd()))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "", result.stdout[:2000]


def _timer_definitions(spec):
    return [ts.event_definition for ts in spec.task_specs.values()
            if isinstance(getattr(ts, "event_definition", None), spiff_timer.TimerEventDefinition)]


def test_parsed_and_stored_timers_are_the_engine_clock_ones():
    parser = DubanParser()
    parser.add_bpmn_file(str(BPMN / "timers_misc.bpmn"))
    spec = parser.get_spec("wait_then_work")
    (parsed,) = _timer_definitions(spec)
    assert type(parsed) is timers.DurationTimerEventDefinition
    stored = json.loads(to_json(_registry.convert(spec)))
    assert "DurationTimerEventDefinition" in json.dumps(stored)  # the name SpiffWorkflow stores
    (restored,) = _timer_definitions(_registry.restore(stored))
    assert type(restored) is timers.DurationTimerEventDefinition and restored.expression == parsed.expression


def test_a_broken_forms_module_stops_the_engine_from_starting(monkeypatch, sqlite_url):
    import sys
    from workflows import runtime
    monkeypatch.setitem(sys.modules, "workflows.forms", None)  # as if its import failed
    with pytest.raises(ImportError):
        runtime.build_engine(sqlite_url, deploy=False)
    importlib.invalidate_caches()


def test_saved_state_is_stamped_with_its_format_and_unstamped_state_is_migrated_on_load(sqlite_url):
    """A case saved before formats were stamped loads after a restart and is stamped by its next step;
    state of an unknown (newer) format is refused with a clear message, never half-read."""
    import sqlalchemy as sa
    from engine import Engine, ManualClock
    from engine.schema import WorkflowRow
    from engine.state import FORMAT_VERSION, StateFormatError
    from tests.support import START, deploy, make_engine

    e = make_engine(sqlite_url, clock=ManualClock(START))
    deploy(e, "approval.bpmn")
    case = e.start("approval", by="zhang", org="east")

    def top_meta():
        with e.db.engine.connect() as conn:
            return json.loads(conn.execute(sa.select(WorkflowRow.content).where(
                WorkflowRow.case_id == case.id, WorkflowRow.wf_key == "top")).scalar())

    def rewrite(meta):
        with e.db.engine.begin() as conn:
            conn.execute(sa.update(WorkflowRow).where(WorkflowRow.case_id == case.id, WorkflowRow.wf_key == "top")
                         .values(content=json.dumps(meta)))

    assert top_meta()["format"] == FORMAT_VERSION
    meta = top_meta()
    del meta["format"]  # as written before this change
    rewrite(meta)
    e.dispose()
    e = Engine(sqlite_url, clock=ManualClock(START))
    (task,) = e.case(case.id).tasks
    e.complete(task.id, "zhang", {})
    assert [t.name for t in e.case(case.id).tasks] == ["审批"]
    assert top_meta()["format"] == FORMAT_VERSION
    rewrite({**top_meta(), "format": "duban-9/spiff-9.9"})
    e.dispose()
    e = Engine(sqlite_url, clock=ManualClock(START))
    (task,) = e.case(case.id).tasks
    with pytest.raises(StateFormatError, match="duban-9"):
        e.complete(task.id, "boss", {"approved": True})
    e.dispose()


def test_no_module_of_ours_swallows_an_import_error():
    """``except ImportError`` in engine/, workflows/ or webui/ turns a broken module into a feature
    silently switched off (no form validation, no documents, no inspection rate): none is left."""
    import ast
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    found = []
    for package in ("engine", "workflows", "webui"):
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ExceptHandler) and node.type is not None:
                    names = {getattr(n, "id", getattr(n, "attr", None))
                             for n in (node.type.elts if isinstance(node.type, ast.Tuple) else [node.type])}
                    if names & {"ImportError", "ModuleNotFoundError"}:
                        found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert found == []
