"""Driving a model drawn elsewhere to its end, the way a user of Duban would: start a case, work
every open task as whoever may work it, until the case ends, waits on something nobody here sends,
or raises an incident. Shared by tests/test_interop.py, bench/interop.py and bench/throughput.py
(``--model``: who works a task, what its drawn form gets, how a waiting timer is fired)."""
from __future__ import annotations

import ast
import builtins
import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree

from engine.clock import as_utc
from engine import dialects
from engine.dialects import VENDOR_NS, ZEEBE_NS, B
from engine import restricted
from engine.errors import EngineError, IncidentRaised
from engine.validation import readable

CORPUS = Path(__file__).resolve().parent / "bpmn" / "interop"
ROLE_USERS = {"inspector": "zhang", "supervisor": "eastboss", "enterprise": "acme"}
ACME = "91110000000000001H"  # acme's 统一社会信用代码: the case is about its enterprise, so acme may work its tasks


# Corpus files Duban refuses on purpose (tests/bpmn/interop/): the element the refusal names and
# what it says. Deploying the corpus skips them; tests/test_interop_corpus.py checks the refusal.
REFUSED_FILES = {
    "activiti_compensate_completed_subprocess.bpmn": (
        "compensationintermediatethrowevent1", "中间抛出事件「撤销处置」(compensationintermediatethrowevent1) 要补偿的子流程"
                                               "「现场处置」(subprocess1)本身没有补偿边界事件，补偿边界事件画在它里面的用户任务"
                                               "「查封设备」(usertask1)上"),
    "activiti_groovy.bpmn": ("scripttask1", "脚本任务「计算罚款金额」(scripttask1) 的脚本语言「groovy」不受支持"),
    "camunda7_script_javascript.bpmn": ("Activity_0discretion", "脚本任务「自动\n裁量基准」(Activity_0discretion) 的脚本语言"
                                                               "「javascript」不受支持"),
    "zeebe_endless_loop.bpmn": ("Gateway_0again", "并行网关「再来一轮」(Gateway_0again) 所在的环路（"),
    "activiti_pass_variable.bpmn": ("flow3", "连线「通过」(flow3) 的条件使用 JUEL 表达式「${pass == true}」，用到的变量「pass」"
                                             "与 Python 的保留字同名，本系统无法读取它；请把变量「pass」和填写它的表单字段改用别的名字"
                                             "（如「passed」）"),
    "camunda7_cron_cycle.bpmn": ("StartEvent_0daily", "开始事件「每天早八点」(StartEvent_0daily) 的定时器（周期）无效："
                                                     "「0 0 8 * * ?」是 cron 定时表达式，本系统不支持这种写法；它的意思是每天 08:00，"
                                                     "请改写为 R/2026-01-01T08:00:00+08:00/P1D（"),
    "camunda7_message_name_expression.bpmn": ("Event_0report", "中间捕获事件「收到整改报告」(Event_0report) 的消息名称"
                                                               "「整改报告-${enterpriseCode}」含表达式"),
    "camunda7_called_element_expression.bpmn": ("Activity_0review", "调用活动「按类别审查」(Activity_0review) 的被调用流程"
                                                                    "「${reviewProcess}」是表达式"),
    "flowable_bean_countersign_collection.bpmn": ("Activity_0sign", "用户任务「科室负责人会签」(Activity_0sign) 的多实例集合使用 JUEL "
                                                                    "表达式「${wfMultiInstanceHandler.getList(execution)}」，调用了原系统"
                                                                    "程序中的 Java 对象（Spring bean）「wfMultiInstanceHandler」"),
    "jbpm_task_property_mapping.bpmn": ("_recheck", "用户任务「现场复查」(_recheck) 的数据关联读取流程属性「hazardNo」、写入流程属性"
                                                    "「rectified」（jBPM 的流程变量写法），本系统不按数据输入输出"
                                                    "（ioSpecification）传递流程属性"),
    "jbpm_script_without_format.bpmn": ("_2", "脚本任务「登记上报时间」(_2) 没有写脚本语言（scriptFormat）：jBPM 按 Java 运行这样的"
                                              "脚本，本系统只能运行 Python 脚本"),
    "signavio_branch_probability.bpmn": ("sid-F-0003", "连线「属实」(sid-F-0003) 的条件「0.3」是一个数字（Signavio 等工具为仿真"
                                                      "记下的分支概率），不是条件"),
    "camunda7_transaction_cancel.bpmn": ("Event_0comp", "未命名边界事件 (Event_0comp) 画在事务子流程「查封扣押」(Activity_0seal)中："
                                                        "取消事务时的补偿本系统暂不支持"),
    "signavio_complex_gateway.bpmn": ("sid-G2", "复杂网关「两位专家同意」(sid-G2) 按激活条件（activationCondition，如「两位专家同意」）"
                                                "汇合或分支，本系统不支持复杂网关"),
    "camunda7_javascript_condition_listener.bpmn": ("Flow_0big", "连线「五万元以上」(Flow_0big) 的条件使用「javascript」语言"),
    "jbpm_rest_work_item.bpmn": ("_push", "任务「推送企业端」(_push) 的数据关联写入流程属性「pushResult」（jBPM 的流程变量写法）"),
    "bizagi_recheck_decision.bpmn": ("Id_a1b2c3d4-0010-4000-8000-000000000010", "排他网关「复查是否合格？」"
                                     "(Id_a1b2c3d4-0010-4000-8000-000000000010) 的分支缺少条件或默认流：连线「合格」"),
    "zeebe_called_decision_expression.bpmn": ("Activity_0benchmark", "规则任务「套用罚款基准」(Activity_0benchmark) 的决策表编号"
                                                                     "「=\"fine_\" + kind」是表达式"),
    "bizagi_empty_timer_lanes.bpmn": ("Id_d18293a4-4567-4708-1920-314253647586",
                                      "中间捕获事件「等待10日」(Id_d18293a4-4567-4708-1920-314253647586) 的定时器没有设置时间"),
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


def models_engine(url: str, models, setup=None):
    """An engine on ``url`` (SQLite or PostgreSQL) with the corpus files ``models`` deployed, after
    ``setup(engine)`` (users a probe's models name): the module fixture of the probe tests
    (tests/test_interop_probe*.py), as a generator to ``yield from``."""
    from tests.support import make_engine

    eng = make_engine(url)
    if setup is not None:
        setup(eng)
    for name in models:
        eng.deploy(CORPUS / name, by="boss")
    yield eng
    eng.dispose()


def open_specs(engine, case_id) -> list[str]:
    """The element ids of a case's open tasks, sorted."""
    return sorted(t.spec_id for t in engine.case(case_id).tasks)


def complete_at(engine, case_id, spec_id, data=None) -> None:
    """Complete the case's open task of element ``spec_id`` as one who may (``user_for``)."""
    task = next(t for t in engine.case(case_id).tasks if t.spec_id == spec_id)
    engine.complete(task.id, user_for(engine, task), dict(data or {}))


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
        root = etree.fromstring(readable(path.read_bytes()))  # as the deploy reads it
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
        for definition in root.iter(f"{{{ZEEBE_NS}}}formDefinition"):  # a Camunda 8 form embedded in the file
            owner = definition.getparent().getparent()
            for f in dialects._form_fields(owner):
                if not f.get("id") or f.get("readonly"):
                    continue
                choices = [v for v, _name in f.get("values") or []]
                value = f["default"] if f.get("default") not in (None, "") else (
                    [choices[0]] if f.get("multiple") and choices else choices[0] if choices else {
                        "boolean": True, "long": 1, "double": 1.0, "date": today.isoformat(), "time": "09:30",
                        "datetime": f"{today.isoformat()}T09:30"}.get(f["type"], "基准测试"))
                found.setdefault(owner.get("id"), {})[f["id"]] = value
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


# -- the data a model reads (bench/throughput.py --model: every case walked to its end) -------------
DEMO_COLLECTION = ["zhang", "li"]  # a multi-instance collection: two inspectors of the test directory
MI_BUILTINS = {"loopCounter", "nrOfInstances", "nrOfActiveInstances", "nrOfCompletedInstances"}
MI_MIDWAY = {"loopCounter": 0, "nrOfInstances": 2, "nrOfActiveInstances": 1, "nrOfCompletedInstances": 0}


class _Unknown(Exception):
    """The mini-evaluator below meets something it does not evaluate (a call, an attribute...)."""


_COMPARE = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
            ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
            ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
            ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}
_ARITH = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
          ast.Div: lambda a, b: a / b, ast.Mod: lambda a, b: a % b, ast.FloorDiv: lambda a, b: a // b}


def _value(node: ast.AST, env: dict):
    """A condition's value for the names in ``env``: comparisons, and/or/not, constants, a ternary and
    arithmetic only; anything else (a call, an attribute, a subscript) is not evaluated (``_Unknown``).
    The model's text is never run: this walks its syntax tree."""
    if isinstance(node, ast.Expression):
        return _value(node.body, env)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        if node.id not in env:
            raise _Unknown(node.id)
        return env[node.id]
    if isinstance(node, ast.BoolOp):
        values = (_value(v, env) for v in node.values)
        if isinstance(node.op, ast.And):
            out = True
            for out in values:
                if not out:
                    return out
            return out
        out = False
        for out in values:
            if out:
                return out
        return out
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        v = _value(node.operand, env)
        return (not v) if isinstance(node.op, ast.Not) else -v
    if isinstance(node, ast.IfExp):
        return _value(node.body, env) if _value(node.test, env) else _value(node.orelse, env)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [_value(e, env) for e in node.elts]
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        return _ARITH[type(node.op)](_value(node.left, env), _value(node.right, env))
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords
            and node.func.id in ("float", "str") and len(node.args) == 1):  # JUEL's number coercion
        return {"float": float, "str": str}[node.func.id](_value(node.args[0], env))  # (engine/expressions.py)
    if isinstance(node, ast.Compare):
        left = _value(node.left, env)
        for op, comparator in zip(node.ops, node.comparators):
            right = _value(comparator, env)
            if type(op) not in _COMPARE or not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    raise _Unknown(type(node).__name__)


def _candidates(tree: ast.AST, name: str) -> list:
    """Values worth trying for ``name`` in a condition: the constants it is compared with (a number
    and its neighbours), then yes, no, one, a line of text, a list of two users, and no value."""
    found: list = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        if not any(isinstance(n, ast.Name) and n.id == name for o in operands for n in ast.walk(o)):
            continue  # the name itself, or read through JUEL's number coercion (engine/expressions.py)
        for o in operands:
            if isinstance(o, ast.Constant) and o.value is not None:
                v = o.value
                found.extend([v, v + 1, v - 1] if isinstance(v, (int, float)) and not isinstance(v, bool) else [v])
            elif isinstance(o, (ast.List, ast.Tuple, ast.Set)):
                found.extend(e.value for e in o.elts if isinstance(e, ast.Constant))
    out = []
    for v in [*found, True, False, 1, "基准测试", list(DEMO_COLLECTION), None]:
        if not any(v == w and type(v) is type(w) for w in out):
            out.append(v)
    return out


def solve(condition: str, fixed: dict, want: bool = True, functions=frozenset()) -> dict | None:
    """Values for the names ``condition`` (Python, as engine/dialects.py leaves it) reads that make
    it ``want``, keeping those already ``fixed``; None when no small search finds any (or the
    condition calls something, reads an attribute...)."""
    import itertools

    try:
        tree = ast.parse(condition.strip(), mode="eval")
    except SyntaxError:
        return None
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    names = sorted(n for n in restricted.names_read(condition.strip()) - MI_BUILTINS - set(functions) - called
                   if n not in ("True", "False", "None"))
    free = [n for n in names if n not in fixed]
    if len(free) > 4:
        return None
    for values in itertools.islice(itertools.product(*(_candidates(tree, n) for n in free)), 5000):
        env = {**fixed, **dict(zip(free, values))}
        try:
            if bool(_value(tree, env)) == want:
                return dict(zip(free, values))
        except _Unknown:
            return None
        except Exception:  # noqa: BLE001 - e.g. None > 2: these values do not do
            continue
    return None


def _first_uses(tree: ast.AST) -> dict[str, str]:
    """Name -> "load" or "store": how a script first uses it, statement by statement in order (an
    assignment's value read before its target written). engine/dialects.py's lines saving and restoring
    a variable an input mapping shadows (``duban_...``) and probing whether it exists do not count."""
    first: dict[str, str] = {}

    def visit(stmts) -> None:
        for stmt in stmts:
            if isinstance(stmt, ast.Try) and len(stmt.body) == 1 and isinstance(stmt.body[0], ast.Expr) \
                    and isinstance(stmt.body[0].value, ast.Name):
                continue  # ``try: x / except: x = None``: engine/dialects.py's absent-is-None probe
            inner = [getattr(stmt, k) for k in ("body", "orelse", "finalbody") if isinstance(getattr(stmt, k, None), list)]
            inner += [h.body for h in getattr(stmt, "handlers", [])]
            if inner and not isinstance(stmt, (ast.FunctionDef, ast.ClassDef)):
                for part in ("test", "iter"):
                    if getattr(stmt, part, None) is not None:
                        for n in ast.walk(getattr(stmt, part)):
                            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and not n.id.startswith("duban_"):
                                first.setdefault(n.id, "load")
                if isinstance(stmt, ast.For):
                    for n in ast.walk(stmt.target):
                        if isinstance(n, ast.Name):
                            first.setdefault(n.id, "store")
                for body in inner:
                    visit(body)
                continue
            names = [n for n in ast.walk(stmt) if isinstance(n, ast.Name)]
            if any(n.id.startswith("duban_") for n in names):
                continue  # engine/dialects.py saving or restoring a shadowed variable
            for n in names:
                if isinstance(n.ctx, ast.Load):
                    first.setdefault(n.id, "load")
            for n in names:
                if not isinstance(n.ctx, ast.Load):
                    first.setdefault(n.id, "store")

    visit(getattr(tree, "body", []))
    return first


TEXT_VALUE = "基准测试"  # what a script's read of a name gets when nothing says it is a number or a list


def _script_value(tree: ast.AST, name: str):
    """A value for ``name``, read by a script, after how the script uses it: arithmetic (or JUEL's
    reading of text as a number, ``int(x)``) -> 1, joined to text -> a line of text, iterated or
    measured -> two users, subscripted by text -> a dict of those keys; else a line of text."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp):
            sides = (node.left, node.right)
            if any(isinstance(s, ast.Name) and s.id == name for s in sides):
                other = node.right if isinstance(node.left, ast.Name) and node.left.id == name else node.left
                if isinstance(other, ast.Constant) and isinstance(other.value, str):
                    return TEXT_VALUE
                return 1
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("int", "float") \
                and any(isinstance(a, ast.Name) and a.id == name for a in node.args):
            return 1  # JUEL arithmetic reads text as the number it spells (engine/expressions.py as_operand)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "duban_el_coerce" \
                and len(node.args) > 1 and isinstance(node.args[0], ast.Name) and node.args[0].id == name \
                and isinstance(node.args[1], ast.Constant) and node.args[1].value in ("number", "long", "double"):
            return 1  # JUEL coerces it to a number (engine/juel_operators.py): text that spells none stops there
        if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.iter, ast.Name) and node.iter.id == name:
            return list(DEMO_COLLECTION)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("len", "sum", "sorted") \
                and any(isinstance(a, ast.Name) and a.id == name for a in node.args):
            return list(DEMO_COLLECTION)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == name:
            keys = [s.slice.value for s in ast.walk(tree) if isinstance(s, ast.Subscript)
                    and isinstance(s.value, ast.Name) and s.value.id == name
                    and isinstance(s.slice, ast.Constant) and isinstance(s.slice.value, str)]
            return {k: TEXT_VALUE for k in keys} if keys else list(DEMO_COLLECTION)
    return TEXT_VALUE


@dataclass
class ModelReads:
    """What a model's conditions, collections and scripts read that nothing gives: ``start`` the case
    data to start with, ``solved`` the names a condition was solved for (a form field of that name
    gets this value rather than its drawn default, so the gateway takes the flow chosen)."""
    start: dict = field(default_factory=dict)
    solved: dict = field(default_factory=dict)
    unsolved: list = field(default_factory=list)  # conditions no small search satisfied, for the report


def model_reads(paths, functions=frozenset(), given=frozenset()) -> ModelReads:
    """The data a bench gives a model drawn elsewhere so that its cases walk to their end, found in
    the model as the engine runs it (engine/dialects.py's rewrite: JUEL and FEEL already Python):
    for each gateway, in the file's order, its first non-default flow whose condition some small set
    of values makes true (the constants it is compared with and their neighbours, yes/no, one...);
    a conditional event's condition true; a standard loop's condition false (the loop ends); a
    multi-instance collection two users; a decision table's inputs as its first rule wants them; a
    name a script reads and nothing gives, a value after how the script uses it. ``functions``:
    names the engine's script environment defines (not data); ``given``: names the drawn forms give."""
    from engine import dialects

    out = ModelReads()
    fixed = out.solved
    skip = set(functions) | MI_BUILTINS
    items: set[str] = set()
    scripts: list[str] = []
    for path in paths:
        root = etree.fromstring(readable(Path(path).read_bytes()))  # as the deploy reads it
        if etree.QName(root).namespace and "DMN" in etree.QName(root).namespace.upper():
            _decision_reads(root, fixed)
            continue
        root = dialects.normalize(root).root
        for el in root.iter(f"{B}inputDataItem", f"{B}outputDataItem"):
            items.add(el.get("name") or el.get("id") or "")
        flows: dict[str, list] = {}
        for flow in root.iter(f"{B}sequenceFlow"):
            cond = flow.find(f"{B}conditionExpression")
            if cond is not None and (cond.text or "").strip():
                flows.setdefault(flow.get("sourceRef"), []).append((flow.get("id"), cond.text))
        defaults = {el.get("id"): el.get("default") for el in root.iter() if el.get("default")}
        for source, conds in flows.items():
            for flow_id, text in conds:
                if flow_id == defaults.get(source):
                    continue
                found = solve(text, fixed, True, skip)
                if found is not None:
                    fixed.update(found)
                    break
            else:
                out.unsolved.append(source)
        for el in root.iter(f"{B}condition"):
            if (el.text or "").strip():
                found = solve(el.text, fixed, True, skip)
                fixed.update(found or {})
        for el in root.iter(f"{B}completionCondition"):  # the instances all run (it stays false mid-way)
            if (el.text or "").strip():
                found = solve(el.text, {**MI_MIDWAY, **fixed}, False, skip)
                fixed.update(found or {})
        for el in root.iter(f"{B}loopCondition"):
            if (el.text or "").strip():
                found = solve(el.text, fixed, False, skip)
                fixed.update(found or {})
        for el in root.iter(f"{B}loopDataInputRef"):
            name = (el.text or "").strip()
            if name.isidentifier() and name not in fixed:
                out.start[name] = list(DEMO_COLLECTION)
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            if etree.QName(el).localname in ("script", "preScript", "postScript") and (el.text or "").strip():
                scripts.append(el.text)
            elif etree.QName(el).localname == "input" and (el.get("expression") or "").strip():
                scripts.append(el.get("expression"))  # a call activity's input mapping reads the case's data
    trees = []
    for text in scripts:
        with contextlib.suppress(SyntaxError):
            trees.append(ast.parse(text))
    firsts = [_first_uses(tree) for tree in trees]
    defined = set(given) | items | {n for first in firsts for n, use in first.items() if use == "store"}
    for tree, first in zip(trees, firsts):  # read before any script writes it, and no form gives it
        read = {n for n, use in first.items() if use == "load"}
        for name in sorted(read - skip - defined - set(fixed) - set(out.start) - set(dir(builtins))):
            # another script may say how it is used where this one only reads it (an input mapping's
            # ${deadline_days + 15} beside the output mapping's ${deadline_days})
            out.start[name] = next((v for v in (_script_value(t, name) for t in [tree, *trees]) if v != TEXT_VALUE),
                                   TEXT_VALUE)
    out.start.update(fixed)
    return out


def _decision_reads(root, fixed: dict) -> None:
    """A DMN decision table's inputs (plain names) as its first rule's entries want them (true/false,
    a number a comparison or range takes, a quoted text); an input that rule leaves open ("-") a value
    the other rules' entries do not take (SpiffWorkflow evaluates every rule)."""
    def local(el) -> str:
        return etree.QName(el).localname if isinstance(el.tag, str) else ""

    for table in root.iter():
        if local(table) != "decisionTable":
            continue
        names = []
        for inp in table:
            if local(inp) == "input":
                text = "".join(inp.itertext()).strip()
                names.append(text if text.isidentifier() else None)
        rules = [[("".join(e.itertext()).strip()) for e in r if local(e) == "inputEntry"]
                 for r in table if local(r) == "rule"]
        for i, name in enumerate(names):
            if not name or name in fixed or not rules:
                continue
            cells = [r[i] for r in rules if i < len(r) and r[i] not in ("", "-")]
            first = rules[0][i] if i < len(rules[0]) else "-"
            value = _cell_value(first) if first not in ("", "-") else _cell_value(cells[0], miss=True) if cells else None
            if value is not None:
                fixed[name] = value


def _cell_value(cell: str, miss: bool = False):
    """A value the DMN input entry ``cell`` takes (or, ``miss``, does not)."""
    low = cell.lower()
    if low in ("true", "false"):
        return (low == "true") != miss
    if cell[:1] in "\"'" and cell[-1:] == cell[:1]:
        return "基准测试" if miss else cell[1:-1]
    m = re.fullmatch(r"(>=|<=|>|<|=)?\s*(-?\d+(?:\.\d+)?)", cell)
    if m:
        n = float(m.group(2)) if "." in m.group(2) else int(m.group(2))
        op = m.group(1) or "="
        if miss:
            return {">": n, ">=": n - 1, "<": n, "<=": n + 1}.get(op, n + 1)
        return {">": n + 1, "<": n - 1}.get(op, n)
    m = re.fullmatch(r"[\[\]\(](-?\d+)\s*\.\.\s*(-?\d+)[\[\]\)]", cell)
    if m:
        return int(m.group(1)) - 1 if miss else int(m.group(1)) + (cell[0] != "[")
    return None
