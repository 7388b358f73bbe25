"""Interoperability: of the models raw SpiffWorkflow 3.2 accepts and runs, how many Duban deploys and
runs to their end — and does any case stop without saying so?

For every .bpmn file of the corpus (default tests/bpmn/interop/, or ``--dir``):
- **raw accepted**: SpiffWorkflow's own ``BpmnParser``, ``CamundaParser`` or ``SpiffBpmnParser`` parses
  the file and builds the spec of its (first) executable process;
- **raw ran**: that spec, run in memory, completing every ready manual task with no data, ends;
- **deployed**: ``Engine.deploy`` takes the file (with its sibling files, for called processes, and
  the corpus's .dmn decisions); **refused on purpose**: of those not deployed, the files listed in
  ``tests/interop_support.REFUSED_FILES`` (a Groovy or JavaScript script: refused naming the task);
- **ran to end**: a case started and worked by the people its tasks go to (tests/interop_support.py)
  completes; otherwise it waits on an event nobody here sends, or it raised an incident;
- **deployed ran to end**: the same, over every deployed file (raw SpiffWorkflow runs few of them:
  it knows no JUEL/FEEL, no bare ISO timers, no form defaults); **crashed**: the case raised
  something other than an engine error (an engine bug);
- **stalled silently**: a running case with no open task, timer, message/signal wait, external
  task or incident — must be 0.

``--walk`` works each case as a clerk would rather than with no data: the fields drawn on a task's
form filled (its default, a choice, today, 1, a line of text: ``tests/interop_support.drawn_form_data``),
the data its gateways, decision tables and scripts read given at the start (``model_reads``), and a
case waiting on timers only moved on the engine clock past them. Without it the walk gives no data
(a required drawn field refuses the completion, counted as not ran to end): the figures of earlier
sessions.

    python bench/interop.py --json [--dir DIR] [--walk]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from lxml import etree  # noqa: E402
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser  # noqa: E402
from SpiffWorkflow.spiff.parser import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from engine.errors import EngineError  # noqa: E402
from engine.schema import EventWait, ExternalTask, HumanTask, Incident, Timer  # noqa: E402
from engine.validation import readable  # noqa: E402
from tests.interop_support import (  # noqa: E402
    REFUSED_FILES, Outcome, drawn_form_data, drive, fire_waiting_timers, model_reads)
from tests.support import make_engine  # noqa: E402

CORPUS = ROOT / "tests" / "bpmn" / "interop"
MAX_STEPS = 60


def raw_spec(path: Path):
    """(parser name, spec, subprocess specs) from the first parser that builds the file, or None."""
    for parser_class in (BpmnParser, CamundaParser, SpiffBpmnParser):
        try:
            parser = parser_class()
            parser.add_bpmn_file(str(path))
            ids = parser.get_process_ids()
            if not ids:
                continue
            key = _first_executable(path) or ids[0]
            return parser_class.__name__, parser.get_spec(key), parser.get_subprocess_specs(key)
        except Exception:
            continue
    return None


def _first_executable(path: Path) -> str | None:
    root = etree.fromstring(readable(path.read_bytes()))  # as the deploy reads it
    for p in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}process"):
        if p.get("isExecutable", "true") != "false":
            return p.get("id")
    return None


def raw_runs(spec, subprocess_specs) -> bool:
    try:
        workflow = BpmnWorkflow(spec, subprocess_specs)
        for _ in range(MAX_STEPS):
            workflow.do_engine_steps()
            if workflow.is_completed():
                return True
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                return False
            ready[0].run()
        return False
    except Exception:
        return False


def silent(engine, case_id: int) -> bool:
    with engine.db.read() as s:
        for table, cond in ((HumanTask, HumanTask.state == "open"), (Timer, sa.true()), (EventWait, sa.true()),
                            (ExternalTask, sa.true()), (Incident, Incident.resolved_at.is_(None))):
            if s.execute(sa.select(sa.func.count()).select_from(table).where(table.case_id == case_id, cond)).scalar():
                return False
    return True


def _name(folder: Path, path: Path) -> str:
    """A file's key in per_file: its name, or its path under ``folder`` for a file in a subfolder."""
    return path.name if path.parent == folder else path.relative_to(folder).as_posix()


def _count_source(result: dict, source: str, entry: dict) -> None:
    counts = result.setdefault("per_source", {}).setdefault(source, dict.fromkeys(
        ("files", "raw_accepted", "deployed", "raw_ran", "ran_to_end", "deployed_ran_to_end", "crashed", "stalled_silently"), 0))
    counts["files"] += 1
    counts["raw_accepted"] += entry["raw_accepted"]
    counts["deployed"] += entry["raw_accepted"] and entry["deployed"]
    counts["raw_ran"] += entry["raw_ran"]
    counts["ran_to_end"] += entry["raw_ran"] and entry.get("outcome") == "completed"
    counts["deployed_ran_to_end"] += entry.get("outcome") == "completed"
    counts["crashed"] += entry.get("outcome") == "crashed"
    counts["stalled_silently"] += bool(entry.get("stalled_silently"))


def walk(engine, key: str, path: Path, decisions: list[Path]) -> Outcome:
    """``drive`` with a clerk's data (``--walk``): drawn form fields filled, what the model reads given
    at the start, and timers moved past when the case waits on nothing else."""
    by_task = drawn_form_data([path], engine.clock.now().date())
    # what a drawn form fills is the form's to give, typed as it types it: the start gives the rest
    # (a start bringing a later form's field is checked as that form reads it: engine/first_forms.py)
    reads = model_reads([path, *decisions], given={name for fields in by_task.values() for name in fields})
    starts = {el.get("id") for el in etree.fromstring(readable(path.read_bytes())).iter("{*}startEvent")}
    drawn_start = {k: v for sid in starts for k, v in by_task.get(sid, {}).items()}  # a start form's fields
    out = drive(engine, key, data={**drawn_start, **reads.start}, data_by_task=by_task, max_steps=MAX_STEPS)
    worked = list(out.tasks)
    for _ in range(MAX_STEPS):
        if out.status != "waiting" or out.case_id is None:
            break
        with engine.db.read() as s:
            timers = s.execute(sa.select(Timer).where(Timer.case_id == out.case_id)).scalars().all()
        if not timers or not fire_waiting_timers(engine, timers):
            break
        out = _go_on(engine, out.case_id, by_task)
        worked += out.tasks
    out.tasks = worked
    return out


def _go_on(engine, case_id: int, by_task: dict) -> Outcome:
    """Work a started case's open tasks (as ``drive`` does after its start)."""
    from engine.errors import IncidentRaised
    from tests.interop_support import user_for

    worked = []
    for _ in range(MAX_STEPS):
        view = engine.case(case_id)
        if view.status != "running":
            return Outcome(view.status, worked, case_id=case_id)
        if not view.tasks:
            return Outcome("waiting", worked, case_id=case_id)
        task = view.tasks[0]
        worked.append(task)
        try:
            engine.complete(task.id, user_for(engine, task), dict(by_task.get(task.spec_id, {})))
        except IncidentRaised as exc:
            return Outcome("incident", worked, str(exc), case_id)
        except EngineError as exc:
            return Outcome("error", worked, str(exc), case_id)
    return Outcome("too_many_steps", worked, case_id=case_id)


def measure(folder: Path, walk_cases: bool = False) -> dict:
    files = sorted([*folder.rglob("*.bpmn"), *folder.rglob("*.bpmn20.xml")])  # Flowable/Activiti name theirs .bpmn20.xml
    result = {"files": len(files), "raw_accepted": 0, "deployed": 0, "refused_on_purpose": 0, "raw_ran": 0, "ran_to_end": 0,
              "deployed_ran_to_end": 0, "crashed": 0,
              "waiting_on_event": 0, "incidents": 0, "stalled_silently": 0, "per_file": {}}
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'interop.sqlite'}")
        try:
            for path in sorted(folder.rglob("*.dmn")):  # the decisions business rule tasks call
                try:
                    engine.deploy(path, by="boss")
                except EngineError as exc:
                    result.setdefault("dmn_refused", {})[_name(folder, path)] = str(exc)[:300]
            for path in files:  # called processes first: deploy what can be deployed, twice
                try:
                    engine.deploy(path, by="boss")
                except EngineError:
                    pass
            for path in files:
                entry = {}
                raw = raw_spec(path)
                entry["raw_accepted"] = raw is not None
                entry["raw_ran"] = bool(raw and raw_runs(raw[1], raw[2]))
                try:
                    model = engine.deploy(path, by="boss")
                    entry["deployed"] = True
                except EngineError as exc:
                    entry["deployed"], entry["refused"] = False, str(exc)[:300]
                    result["refused_on_purpose"] += path.name in REFUSED_FILES
                    model = None
                if model is not None:
                    try:
                        out = (walk(engine, model.key, path, sorted(folder.rglob("*.dmn"))) if walk_cases
                               else drive(engine, model.key, max_steps=MAX_STEPS))
                    except Exception as exc:  # an engine bug (not an EngineError): counted, the bench goes on
                        out = Outcome("crashed", message=f"{type(exc).__name__}: {exc}")
                    entry["outcome"] = out.status
                    if out.message:
                        entry["message"] = out.message[:300]
                    if out.case_id is not None and out.status not in ("completed",) and silent(engine, out.case_id):
                        entry["stalled_silently"] = True
                        result["stalled_silently"] += 1
                result["per_file"][_name(folder, path)] = entry
                if path.parent != folder:  # a folder per source (owner__repo): its own counts
                    _count_source(result, path.relative_to(folder).parts[0], entry)
                if entry["raw_accepted"]:
                    result["raw_accepted"] += 1
                    result["deployed"] += entry["deployed"]
                if entry["raw_ran"]:
                    result["raw_ran"] += 1
                    result["ran_to_end"] += entry.get("outcome") == "completed"
                result["deployed_ran_to_end"] += entry.get("outcome") == "completed"
                result["crashed"] += entry.get("outcome") == "crashed"
                result["waiting_on_event"] += entry.get("outcome") == "waiting"
                result["incidents"] += entry.get("outcome") == "incident"
        finally:
            engine.dispose()
    result["deploy_rate"] = round(result["deployed"] / result["raw_accepted"], 3) if result["raw_accepted"] else None
    result["run_rate"] = round(result["ran_to_end"] / result["raw_ran"], 3) if result["raw_ran"] else None
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=CORPUS)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--walk", action="store_true", help="work the cases with a clerk's data (see the docstring)")
    args = ap.parse_args()
    result = measure(args.dir, args.walk)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        for key in ("files", "raw_accepted", "deployed", "refused_on_purpose", "raw_ran", "ran_to_end", "deployed_ran_to_end", "crashed", "waiting_on_event", "incidents",
                    "stalled_silently", "deploy_rate", "run_rate"):
            print(f"{key:18} {result[key]}")


if __name__ == "__main__":
    main()
