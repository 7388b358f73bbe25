"""Driving a model drawn elsewhere to its end, the way a user of Duban would: start a case, work
every open task as whoever may work it, until the case ends, waits on something nobody here sends,
or raises an incident. Shared by tests/test_interop.py, bench/interop.py and bench/throughput.py
(``--model``: who works a task, what its drawn form gets, how a waiting timer is fired)."""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree

from engine.clock import as_utc
from engine.dialects import VENDOR_NS, B
from engine.errors import EngineError, IncidentRaised

CORPUS = Path(__file__).resolve().parent / "bpmn" / "interop"
ROLE_USERS = {"inspector": "zhang", "supervisor": "eastboss", "enterprise": "acme"}
ACME = "91110000000000001X"  # acme's 统一社会信用代码: the case is about its enterprise, so acme may work its tasks


# Corpus files Duban refuses on purpose (tests/bpmn/interop/): the element the refusal names and
# what it says. Deploying the corpus skips them; tests/test_interop_corpus.py checks the refusal.
REFUSED_FILES = {
    "activiti_groovy.bpmn": ("scripttask1", "脚本任务「计算罚款金额」(scripttask1) 的脚本语言「groovy」不受支持"),
    "camunda7_script_javascript.bpmn": ("Activity_0discretion", "脚本任务「自动\n裁量基准」(Activity_0discretion) 的脚本语言"
                                                               "「javascript」不受支持"),
    "zeebe_endless_loop.bpmn": ("Gateway_0again", "并行网关「再来一轮」(Gateway_0again) 所在的环路（"),
    "camunda7_cron_cycle.bpmn": ("StartEvent_0daily", "开始事件「每天早八点」(StartEvent_0daily) 的定时器（周期）无效："
                                                     "「0 0 8 * * ?」是 cron 定时表达式，本系统不支持这种写法；它的意思是每天 08:00，"
                                                     "请改写为 R/2026-01-01T08:00:00+08:00/P1D（"),
}


@pytest.fixture(scope="module", name="engine")
def corpus_engine(module_database_url):
    """The module fixture of tests/test_interop*.py: an engine on SQLite or PostgreSQL with every
    corpus file deployed (decisions first; REFUSED_FILES skipped)."""
    from tests.support import make_engine

    eng = make_engine(module_database_url)
    for f in sorted(CORPUS.glob("*.dmn")) + sorted(CORPUS.glob("*.bpmn")):
        if f.name not in REFUSED_FILES:
            eng.deploy(f, by="boss")
    yield eng
    eng.dispose()


def open_task_data(engine, case_id: int, element_id: str) -> dict:
    """The data an open task of the case holds, read from the case's stored workflow (a called
    process's task too): what the model code of that task sees."""
    found = open_tasks_data(engine, case_id, element_id)
    if not found:
        raise LookupError(f"no open task {element_id} in case {case_id}")
    return found[0]


def open_tasks_data(engine, case_id: int, element_id: str) -> list[dict]:
    """The data of every open task of the element (each instance of a multi-instance task), in the
    order the workflow holds them."""
    from SpiffWorkflow.util.task import TaskState

    from engine import state
    from engine.schema import Case

    with engine.db.read() as s:
        spec, subprocess_specs = engine.models.specs(s, s.get(Case, case_id).bundle_hash)
        workflow = state.restore(s, case_id, spec, subprocess_specs, engine.script_engine).workflow
    return [dict(task.data) for w in state.all_workflows(workflow) for task in w.tasks.values()
            if task.task_spec.bpmn_id == element_id and task.has_state(TaskState.READY | TaskState.STARTED)]


@contextlib.contextmanager
def restored_engine(engine, case_id: int, how: str):
    """The engine to go on working the case with: ``cached`` the same, ``evicted`` the same with the
    case's workflow dropped from its cache, ``restarted`` a second Engine on the same database
    (disposed after; the first then forgets its cached workflow). The latter two read the case
    back from its rows, as after an engine restart."""
    from engine import Engine

    if how == "evicted":
        engine._evict(case_id)
    worker = Engine(engine.db.url, clock=engine.clock) if how == "restarted" else engine
    try:
        yield worker
    finally:
        if worker is not engine:
            worker.dispose()
            engine._evict(case_id)


@dataclass
class Outcome:
    status: str  # completed | waiting | incident | error
    tasks: list = field(default_factory=list)  # the HumanTask rows worked, in order
    message: str = ""
    case_id: int | None = None


def drive(engine, key: str, starter: str = "zhang", org: str = "east", data: dict | None = None,
          data_by_task: dict | None = None, max_steps: int = 40, party: str | None = ACME) -> Outcome:
    data_by_task = data_by_task or {}
    try:
        case = engine.start(key, by=starter, org=org, data=dict(data or {}), party=party)
    except IncidentRaised as exc:
        return Outcome("incident", message=str(exc))
    except EngineError as exc:
        return Outcome("error", message=str(exc))
    worked = []
    for _ in range(max_steps):
        view = engine.case(case.id)
        if view.status != "running":
            return Outcome(view.status, worked, case_id=case.id)
        if not view.tasks:
            return Outcome("waiting", worked, case_id=case.id)
        task = view.tasks[0]
        user = user_for(engine, task, starter)
        worked.append(task)
        try:
            engine.complete(task.id, user, dict(data_by_task.get(task.spec_id, {})))
        except IncidentRaised as exc:
            return Outcome("incident", worked, str(exc), case.id)
        except EngineError as exc:
            return Outcome("error", worked, str(exc), case.id)
    return Outcome("too_many_steps", worked, case_id=case.id)


def user_for(engine, task, starter: str = "zhang") -> str:
    """Who works ``task``: its assignee; else a holder of its role who may work it (the test
    directory's ROLE_USERS first, then any in the engine's directory), else one of ROLE_USERS who
    may; else the starter."""
    if task.assignee:
        return task.assignee
    known = ROLE_USERS.get(task.role_code)
    if known is not None and _may_work(engine, task, known):
        return known
    holders = engine.directory.users_with_role(task.role_code) if task.role_code else []
    for username in [*holders, *ROLE_USERS.values()]:  # then a candidate group's (camunda:candidateGroups)
        if username != known and _may_work(engine, task, username):
            return username
    return starter


def _may_work(engine, task, username: str) -> bool:
    try:
        return engine.may_work(task.id, username)
    except EngineError:  # no such user in this engine's directory
        return False


def drawn_form_data(paths, today: dt.date) -> dict[str, dict]:
    """Element id -> what a clerk fills in the form drawn on it (Camunda ``formData``, Flowable
    ``formProperty``): its default, else the first choice of a list, today for a date, yes, 1, or a
    line of Chinese text. Every field, not only the required ones: gateways test the others; and
    the output item of a multi-instance task (each instance's answer)."""
    found: dict[str, dict] = {}
    for path in paths:
        root = etree.parse(str(path)).getroot()
        for ns in VENDOR_NS:
            for f in root.iter(f"{{{ns}}}formField", f"{{{ns}}}formProperty"):
                owner = f.getparent()
                while owner is not None and etree.QName(owner).localname in ("formData", "extensionElements"):
                    owner = owner.getparent()
                if owner is None or not f.get("id"):
                    continue
                kind = (f.get("type") or "string").lower()
                choices = [v.get("id") for v in f if etree.QName(v).localname == "value" and v.get("id")]
                default = f.get("defaultValue") or f.get("default")
                value = default if default not in (None, "") else choices[0] if choices else {
                    "boolean": True, "long": 1, "integer": 1, "int": 1, "double": 1.0,
                    "date": today.isoformat()}.get(kind, "基准测试")
                key = (f.get("variable") or "").strip() or f.get("id")  # Activiti: the case variable it writes
                found.setdefault(owner.get("id"), {})[key] = value
        for item in root.iter(f"{B}outputDataItem"):  # each instance of a multi-instance task gives its item
            owner = item.getparent().getparent()
            if item.get("name") and owner is not None and owner.get("id"):
                found.setdefault(owner.get("id"), {}).setdefault(item.get("name"), "同意")
    return found


def fire_waiting_timers(engine, timers) -> int:
    """A case waits on timers only: move the engine's clock (a ManualClock) to the latest of their
    due times and run the timer sweep, as the worker would then. Returns how many fired."""
    if not timers or not hasattr(engine.clock, "set"):
        return 0
    due = max(as_utc(t.due_at) for t in timers)
    if due > engine.clock.now():
        engine.clock.set(due)
    return engine.run_due_timers()


def raw_walk(path, key: str, data_by_task: dict | None = None, max_steps: int = 40):
    """The same walk on raw SpiffWorkflow 3.2, in memory: (completed?, element ids worked, sorted).
    None if no SpiffWorkflow parser builds the file."""
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser import SpiffBpmnParser
    from SpiffWorkflow.util.task import TaskState

    data_by_task = data_by_task or {}
    for parser_class in (SpiffBpmnParser, BpmnParser):
        try:
            parser = parser_class()
            parser.add_bpmn_file(str(path))
            workflow = BpmnWorkflow(parser.get_spec(key), parser.get_subprocess_specs(key))
            break
        except Exception:
            continue
    else:
        return None
    worked = []
    for _ in range(max_steps):
        workflow.do_engine_steps()
        if workflow.is_completed():
            return True, sorted(worked)
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            return False, sorted(worked)
        task = ready[0]
        worked.append(task.task_spec.bpmn_id)
        task.set_data(**data_by_task.get(task.task_spec.bpmn_id, {}))
        task.run()
    return False, sorted(worked)
