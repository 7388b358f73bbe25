"""The script sandbox (脚本沙箱): what model code may say, and how long it may run.

Scripts, gateway conditions, timer expressions, task properties such as ``dueDate`` and DMN cells
are Python written by process designers and run inside the engine's process, next to the database
connection. Two defences keep a careless or hostile model from reaching the host:

1. ``check_code`` / ``check_model`` — a static check at deploy time. Builtins are already an
   allow-list (``scripting.SAFE_BUILTINS``), but Python offers ways round a missing builtin:
   attribute walks (``().__class__.__subclasses__()``, a generator's ``gi_frame.f_back.f_globals``),
   ``str.format`` field lookups (``"{0.__globals__}"``), attribute access by name (``getattr``). The
   check rejects those shapes outright, so a model that tries is refused with the element and line
   at fault instead of failing months later on a live case.
2. ``run_limited`` — a time bound while the code runs. A ``while True: pass`` in a condition would
   otherwise hold a web worker and a database transaction forever. It traces only frames compiled
   from model code (file name ``<string>``, as SpiffWorkflow's ``eval``/``exec`` give them) at
   opcode granularity — line events alone miss a one-line loop or comprehension — and, once the
   deadline has passed, interrupts it; the caller gets ``ScriptTimeout`` (an ordinary Exception,
   so the engine turns it into an incident). It works in any thread, needs no signals, and costs
   a few microseconds for a typical one-line script (see ``measure_overhead``). The two defences
   lean on each other: the interruption can be caught only by ``except:``, ``except
   BaseException`` or ``finally``, which the static check refuses.

What neither can stop: a single long-running C operation (``sum(range(10**12))``,
``"x" * 10**10``) gives the tracer no chance to run. ``bounded_range`` caps the commonest such
shape; hard isolation would need a separate process per evaluation, which the per-step cost of the
engine does not allow.
"""
from __future__ import annotations

import ast
import string
import sys
import threading
import time
from typing import Any, Callable, Iterator

from lxml import etree
from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment

# --- static check ------------------------------------------------------------------------------

# Builtins and names that reach outside the sandbox or get attributes by name.
FORBIDDEN_NAMES = frozenset({
    "__import__", "__builtins__", "__build_class__", "__loader__", "__spec__",
    "BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit",  # would catch the time bound
    "open", "eval", "exec", "compile", "globals", "locals", "vars", "dir",
    "getattr", "setattr", "delattr", "hasattr", "input", "breakpoint", "help", "exit", "quit",
    "memoryview", "type", "object", "super", "classmethod", "staticmethod", "property", "pow",
})

# Attributes of frames, generators, coroutines, code objects and tracebacks: each is a step of a
# known walk from a harmless object to the interpreter's globals.
FORBIDDEN_ATTRIBUTES = frozenset({
    "gi_frame", "gi_code", "gi_yieldfrom", "gi_running", "gi_suspended",
    "cr_frame", "cr_code", "cr_await", "cr_origin", "ag_frame", "ag_code", "ag_await",
    "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "f_trace", "f_lineno",
    "tb_frame", "tb_next", "func_globals", "func_code", "mro", "with_traceback",
})

FORMAT_METHODS = frozenset({"format", "format_map"})
MAX_EXPONENT = 100


def check_code(source: str, mode: str = "exec") -> list[str]:
    """Problems (Chinese, one per offending construct) with one script or expression; [] if fine.

    ``mode`` is ``"exec"`` for scripts (script tasks, pre/post scripts) and ``"eval"`` for
    expressions (conditions, timer expressions, properties, DMN cells). A syntax error is a problem
    too, so a caller can hand over any model text without compiling it first.
    """
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return [f"语法错误: {exc.msg} (第 {exc.lineno} 行)"]
    except ValueError as exc:  # NUL bytes and the like
        return [f"代码无法解析: {exc}"]
    checker = _Checker()
    checker.visit(tree)
    return checker.problems


class _Checker(ast.NodeVisitor):
    def __init__(self):
        self.problems: list[str] = []

    def _add(self, node: ast.AST, message: str) -> None:
        line = getattr(node, "lineno", None)
        self.problems.append(f"{message} (第 {line} 行)" if line else message)

    def visit_Import(self, node):
        self._add(node, "不允许导入模块 (import)")

    def visit_ImportFrom(self, node):
        self._add(node, "不允许导入模块 (from ... import)")

    def visit_Name(self, node):
        if node.id in FORBIDDEN_NAMES or node.id.startswith("__"):
            self._add(node, f"不允许使用 '{node.id}'")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        attr = node.attr
        if attr.startswith("_"):
            self._add(node, f"不允许访问下划线开头的属性 '.{attr}'")
        elif attr in FORBIDDEN_ATTRIBUTES or attr.startswith(("gi_", "cr_", "ag_", "f_", "tb_", "co_")):
            self._add(node, f"不允许访问解释器内部属性 '.{attr}'")
        elif attr in FORMAT_METHODS:
            self._check_format(node)
        self.generic_visit(node)

    def _check_format(self, node: ast.Attribute) -> None:
        """``"{0.__globals__}".format(f)`` reads attributes by name: allow literal, plain templates."""
        target = node.value
        if not (isinstance(target, ast.Constant) and isinstance(target.value, str)):
            self._add(node, f"'.{node.attr}()' 只能用于字符串字面量，请改用 f-string")
            return
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(target.value) if f]
        except ValueError:
            self._add(node, "格式字符串无效")
            return
        if any("." in f or "[" in f for f in fields):
            self._add(node, "格式字符串中不允许访问属性或下标")

    def visit_BinOp(self, node):
        if isinstance(node.op, ast.Pow):
            self._check_exponent(node, node.right)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        if isinstance(node.op, ast.Pow):
            self._check_exponent(node, node.value)
        self.generic_visit(node)

    def _check_exponent(self, node, exponent) -> None:
        """``2 ** 10 ** 10`` runs in C for hours where no time bound can interrupt it."""
        value = exponent
        if isinstance(value, ast.UnaryOp) and isinstance(value.op, (ast.USub, ast.UAdd)):
            value = value.operand
        if not (isinstance(value, ast.Constant) and isinstance(value.value, (int, float))
                and not isinstance(value.value, bool) and abs(value.value) <= MAX_EXPONENT):
            self._add(node, f"乘方的指数必须是不超过 {MAX_EXPONENT} 的数字常量，请改用 math.pow")

    def visit_Try(self, node):
        """The time bound stops a script by raising once; a catch-all would swallow that."""
        for handler in node.handlers:
            if handler.type is None:
                self._add(handler, "不允许使用不指明异常类型的 except，请写 except Exception")
            elif any(isinstance(n, ast.Name) and n.id == "BaseException" for n in ast.walk(handler.type)):
                self._add(handler, "不允许捕获 BaseException，请写 except Exception")
        if node.finalbody:
            self._add(node.finalbody[0], "脚本中不允许使用 finally")
        self.generic_visit(node)

    visit_TryStar = visit_Try

    def visit_ClassDef(self, node):
        self._add(node, "脚本中不允许定义类")

    def _no_async(self, node):
        self._add(node, "脚本中不允许使用异步语法")

    visit_AsyncFunctionDef = visit_AsyncFor = visit_AsyncWith = visit_Await = _no_async


# --- the code in a model file ------------------------------------------------------------------

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
TIMER_KINDS = {"timeDate": "date", "timeDuration": "duration", "timeCycle": "cycle"}
# Task properties the engine evaluates as expressions (engine/projection.py, engine/assignment.py).
EVALUATED_PROPERTIES = frozenset({"dueDate", "assignee", "candidateUsers"})


def model_code(root: etree._Element) -> Iterator[tuple[etree._Element, str, str]]:
    """Every piece of code in a BPMN or DMN document: (element, source, mode)."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        q = etree.QName(el)
        ns, name = q.namespace or "", q.localname
        text = (el.text or "").strip()
        if ns == BPMN_NS:
            if name == "script" and text:
                yield el, el.text, "exec"
            elif name in ("conditionExpression", "completionCondition", "loopCardinality") and text:
                yield el, text, "eval"
            elif name in TIMER_KINDS and text and not _iso_literal(TIMER_KINDS[name], text):
                yield el, text, "eval"
        elif ns == SPIFF_NS:
            if name in ("preScript", "postScript") and text:
                yield el, el.text, "exec"
            elif name == "property" and el.get("name") in EVALUATED_PROPERTIES and (el.get("value") or "").strip():
                yield el, el.get("value").strip(), "eval"
            elif name == "parameter" and (el.get("value") or "").strip():  # service task operator arguments
                yield el, el.get("value").strip(), "eval"
        elif ns.startswith(("https://www.omg.org/spec/DMN/", "http://www.omg.org/spec/DMN/")) and name == "text":
            parent = etree.QName(el.getparent()).localname if el.getparent() is not None else ""
            if not text or (parent == "inputEntry" and text == "-"):
                continue
            if parent == "inputEntry":
                yield el, _dmn_test_expression(text), "eval"
            elif parent in ("inputExpression", "outputEntry"):
                yield el, text, "eval"


def _dmn_test_expression(text: str) -> str:
    """SpiffWorkflow reads an input entry as an expression, or as ``value <entry>`` (``> 5``),
    with ``?`` standing for the input value; give the check the form that parses."""
    candidate = text.replace("?", "dmninputexpr")
    for form in (candidate, f"dmninputexpr {candidate}"):
        try:
            ast.parse(form, mode="eval")
            return form
        except SyntaxError:
            continue
    return candidate


def _iso_literal(kind: str, text: str) -> bool:
    from .timeexpr import looks_like_iso_literal
    return looks_like_iso_literal(kind, text)


def check_model(root: etree._Element) -> list[dict]:
    """Problems with the code of a whole model file, each ``{"message", "element_id", "line"}``.

    The dict keys match ``validation.Problem``, so deploy validation can take them as they are.
    Code that does not even parse is left to deploy validation's compile checks (one report each).
    """
    problems = []
    for el, source, mode in model_code(root):
        try:
            ast.parse(source, mode=mode)
        except (SyntaxError, ValueError):
            continue  # deploy validation reports code that does not compile, with its own message
        for message in check_code(source, mode):
            problems.append({"message": f"{_what(el)}: {message} (脚本安全检查)",
                             "element_id": _owner_id(el), "line": el.sourceline})
    return problems


def _owner_id(el) -> str | None:
    """The id of the shape the code belongs to (a timer's event, not its event definition)."""
    node = el
    while node is not None:
        if node.get("id") and not etree.QName(node).localname.endswith("EventDefinition"):
            return node.get("id")
        node = node.getparent()
    return None


def _what(el) -> str:
    name = etree.QName(el).localname
    if name == "text" and el.getparent() is not None:
        name = etree.QName(el.getparent()).localname
    return {"script": "脚本", "preScript": "前置脚本", "postScript": "后置脚本",
            "conditionExpression": "条件表达式", "property": f"属性 {el.get('name')}",
            "inputExpression": "决策输入表达式", "inputEntry": "决策规则条件", "outputEntry": "决策规则结果",
            }.get(name, f"表达式 <{name}>")


# --- bounded time ------------------------------------------------------------------------------

# File names model code is compiled under: SpiffWorkflow passes strings to eval/exec ("<string>").
SCRIPT_FILENAMES = frozenset({"<string>", "<script>", "<timer>"})
DEFAULT_SECONDS = 2.0
_CHECK_EVERY = 64  # opcodes between two clock reads


class ScriptTimeout(Exception):
    """Model code ran longer than allowed and was stopped; the engine records an incident."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"脚本运行超过 {seconds:g} 秒，已被终止 (ScriptTimeout)")


class _Deadline(BaseException):
    """Raised inside model code: not an Exception, so ``except Exception`` in a script or in
    SpiffWorkflow cannot swallow it; run_limited turns it into ScriptTimeout at the boundary."""


_active = threading.local()


def run_limited(fn: Callable[..., Any], seconds: float = DEFAULT_SECONDS, *args, **kwargs) -> Any:
    """Call ``fn(*args, **kwargs)``; model code it runs is stopped after ``seconds``.

    The stop is an exception raised at the model code's next step. It is a BaseException, so
    ``except Exception`` does not catch it; ``except:``, ``except BaseException`` and ``finally``
    could, and ``check_code`` refuses them for that reason (CPython uninstalls a trace function
    that raised, so the time bound cannot strike twice). Nested calls share the outer deadline
    (the shorter one wins). Whatever tracer was installed (a debugger, coverage) is restored
    afterwards; model code itself is not traced by it meanwhile.
    """
    deadline = time.monotonic() + seconds
    outer = getattr(_active, "deadline", None)
    if outer is not None and deadline >= outer:  # already bounded further up this thread's stack
        return fn(*args, **kwargs)
    previous_trace = sys.gettrace()
    _active.deadline = deadline
    countdown = _CHECK_EVERY
    finished = False

    def local_trace(frame, event, arg):
        nonlocal countdown
        if finished:  # a generator of model code resumed after the call: no longer ours to stop
            return None
        countdown -= 1
        if countdown <= 0:
            countdown = _CHECK_EVERY
            if time.monotonic() > deadline:
                raise _Deadline
        return local_trace

    def global_trace(frame, event, arg):
        if frame.f_code.co_filename in SCRIPT_FILENAMES:
            frame.f_trace_opcodes = True  # line events miss one-line loops and comprehensions
            return local_trace
        return None

    sys.settrace(global_trace)
    try:
        return fn(*args, **kwargs)
    except _Deadline:
        raise ScriptTimeout(seconds) from None
    finally:
        finished = True
        sys.settrace(previous_trace)
        _active.deadline = outer


class LimitedEnvironment(TaskDataEnvironment):
    """SpiffWorkflow's script environment with every evaluate/execute under ``run_limited``.

    Bounding the environment (not the script engine around it) lets SpiffWorkflow wrap a
    ScriptTimeout like any script error, with the task attached, so the incident names the
    element whose code ran too long.
    """

    def __init__(self, environment_globals=None, seconds: float = DEFAULT_SECONDS):
        super().__init__(environment_globals)
        self.seconds = seconds

    def evaluate(self, expression, context, external_context=None):
        return run_limited(super().evaluate, self.seconds, expression, context, external_context)

    def execute(self, script, context, external_context=None):
        return run_limited(super().execute, self.seconds, script, context, external_context)


MAX_RANGE = 1_000_000


def bounded_range(*args):
    """``range`` for the script builtins: a loop the tracer can stop is fine, but ``sum(range(10**12))``
    runs in C; refuse ranges longer than MAX_RANGE."""
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise ValueError(f"range 过大 (上限 {MAX_RANGE} 项)")
    return r


def measure_overhead(runs: int = 20000) -> dict:
    """Microseconds per run of a one-line script, plain and under run_limited, and the slowdown of
    a 10,000-iteration loop. Used by the tests and quoted in docs/api.md."""
    simple = compile("daily = total / days", "<string>", "exec")
    loop = compile("s = 0\nfor i in range(10000):\n    s += i * i", "<string>", "exec")

    def timed(fn, n):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - start) / n

    plain = timed(lambda: exec(simple, {"total": 10, "days": 3}), runs)
    limited = timed(lambda: run_limited(exec, 5.0, simple, {"total": 10, "days": 3}), runs)
    loop_plain = timed(lambda: exec(loop, {}), 5)
    loop_limited = timed(lambda: run_limited(exec, 5.0, loop, {}), 5)
    return {"simple_plain_us": plain * 1e6, "simple_limited_us": limited * 1e6,
            "loop_plain_ms": loop_plain * 1e3, "loop_limited_ms": loop_limited * 1e3}
