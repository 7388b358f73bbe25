"""Restricted model code (受限脚本): how model code is compiled, what it may name, how its data travels.

Scripts, conditions and every other expression a process designer writes are compiled by
RestrictedPython (the maintained restricted-Python compiler, not a list of shapes of our own):
names and attributes starting with ``_`` are refused, attribute access goes through ``_getattr_``
(which refuses ``str.format``/``format_map`` — their field syntax reads attributes by name, also in
nested format specifications — and the frame/generator/code attributes of known escapes), item
writes go through ``_write_`` (only dicts and lists), ``match`` statements (class patterns read
attributes directly), ``try/except*``, ``async``, ``import`` and ``class`` are refused at compile
time. Builtins are an allow-list (``SAFE_BUILTIN_NAMES``): no ``open``, ``__import__``,
``getattr``, ``type``, ``eval``.

This module is shared by the deploy check (engine/code_locations.py), the host side of evaluation
(engine/evaluator.py) and the isolated worker process (engine/evaluator_worker.py). It therefore
imports only the standard library and RestrictedPython — never the ``engine`` package — so the
worker can load it without loading the database layer. Values cross the process boundary as JSON
with a few tagged types (dates, moments, durations, decimals); ``decode`` builds nothing else, so a
compromised worker cannot make the host construct arbitrary objects.
"""
from __future__ import annotations

import ast
import contextlib
import datetime as _dt
import decimal
import importlib
import math
import operator
import sys
import threading
import types

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence, safer_getattr
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import RestrictingNodeTransformer

SAFE_BUILTIN_NAMES = (
    "abs", "all", "any", "bool", "dict", "divmod", "enumerate", "filter", "float", "format", "int",
    "isinstance", "len", "list", "map", "max", "min", "range", "reversed", "round", "set", "sorted",
    "str", "sum", "tuple", "zip", "True", "False", "None", "ValueError", "KeyError", "Exception",
)


def _public_module(module) -> types.ModuleType:
    """A module of ``module``'s public names only: ``str(math)`` said where the host's Python lives
    (「<module 'math' from '/root/.pyenv/versions/3.11.7/lib/python3.11/lib-dynload/math.cpython-…so'>」)
    until 2026-12-07; this one is 「<module 'math'>」."""
    public = types.ModuleType(module.__name__)
    public.__dict__.update({k: v for k, v in vars(module).items() if not k.startswith("_")})
    return public


# Classes and modules every piece of model code sees (in the worker and in-process alike).
STANDARD_GLOBALS = {"datetime": _dt.datetime, "date": _dt.date, "timedelta": _dt.timedelta,
                    "Decimal": decimal.Decimal, "math": _public_module(math)}
MAX_RANGE = 1_000_000


class ModelCodeRefused(Exception):
    """Model code that the restricted compiler refuses; ``problems`` are Chinese, one per construct."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("模型代码未通过安全检查: " + "；".join(problems))


# Builtins outside the allow-list that reach outside or look attributes up by name. At run time
# they simply do not exist; the deploy check names them so the designer learns why.
UNAVAILABLE_BUILTINS = frozenset({
    "open", "eval", "exec", "compile", "globals", "locals", "vars", "dir", "getattr", "setattr", "delattr",
    "hasattr", "input", "breakpoint", "help", "exit", "quit", "memoryview", "type", "object", "super",
    "classmethod", "staticmethod", "property", "BaseException", "SystemExit", "KeyboardInterrupt",
    "GeneratorExit", "__import__", "id", "iter", "next", "aiter", "anext", "bytearray", "bytes", "callable",
})


# Of those, the ones that are also everyday names of case data in a model drawn elsewhere
# (``${input == 1}``, ``${type == 'A'}``, ``=id``): refused where they are called, read anywhere
# else as the case's variable of that name (a builtin of that name is not there at run time).
DATA_NAMES = frozenset({"input", "type", "id", "object", "next", "iter", "property", "bytes", "help", "dir",
                        "vars", "callable", "memoryview", "bytearray", "super", "exit", "quit",
                        "classmethod", "staticmethod", "aiter", "anext", "compile", "open", "locals", "globals"})


class DubanPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus what model code never needs: imports, classes, and the
    builtins that are not there at run time (named at deploy instead of failing later)."""

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in UNAVAILABLE_BUILTINS - DATA_NAMES:
            self.error(node, f"builtin '{node.id}' is not available")
        return super().visit_Name(node)

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id in DATA_NAMES:
            self.error(node, f"builtin '{node.func.id}' is not available")
        return super().visit_Call(node)

    def visit_Import(self, node):
        self.error(node, "import is not allowed")
        return node

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node):
        self.error(node, "class definitions are not allowed")
        return node


# RestrictedPython reports in English; the designer reads Chinese.
_TRANSLATIONS = (
    ("import is not allowed", "不允许导入模块 (import)"),
    ("is not available", "不允许使用内置函数"),
    ("class definitions are not allowed", "脚本中不允许定义类"),
    ("because it starts with \"_\"", "不允许使用下划线开头的名称或属性"),
    ("is a restricted name", "不允许访问解释器内部属性"),
    ("Match statements are not allowed", "不允许使用 match 语句"),
    ("TryStar statements are not allowed", "不允许使用 except*"),
    ("Async", "脚本中不允许使用异步语法"),
    ("Await", "脚本中不允许使用异步语法"),
    ("Exec calls are not allowed", "不允许调用 exec"),
    ("Eval calls are not allowed", "不允许调用 eval"),
    ("is a reserved name", "使用了保留名称"),
    ("SyntaxError", "语法错误"),
)


def _translate(message: str) -> str:
    line = ""
    if message.startswith("Line "):
        head, _, rest = message.partition(":")
        line, message = head[5:].strip(), rest.strip()
    text = next((zh for en, zh in _TRANSLATIONS if en in message), f"不允许的写法: {message}")
    if text in ("不允许使用下划线开头的名称或属性", "不允许访问解释器内部属性", "不允许使用内置函数"):
        quoted = message.replace("'", '"').split('"')
        if len(quoted) >= 2:
            text += f" '{quoted[1]}'"
    return f"{text} (第 {line} 行)" if line else text


def _format_refusals(tree: ast.AST) -> list[str]:
    """``.format``/``.format_map`` look attributes up by name inside the template (``"{0.__class__}"``,
    nested in a spec ``"{0:{1.__class__}}"``); the runtime refuses them on strings, the check refuses
    the attribute everywhere so the designer learns it at deploy: use an f-string."""
    return [f"不允许使用 '.{n.attr}()'，请改用 f-string (第 {n.lineno} 行)" for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and n.attr in ("format", "format_map")]


# How deep model code may nest (an operand inside an operator inside …: ``a + b + c`` is 3 deep,
# ``not not x`` 3). RestrictedPython's checker walks the tree recursively and Python's own compiler
# too: ~250 chained terms (``备注 + 备注 + …``, ``not not … x``) raised RecursionError at deploy, in
# English, and 100,000 nested brackets stop Python's parser. Past this depth the code is refused with
# ``TOO_DEEP`` naming the element (the caller's prefix); 100 chained terms (a long sum) still compile.
MAX_NESTING = 200
TOO_DEEP = f"表达式嵌套过深（超过 {MAX_NESTING} 层），请拆分为几个较短的表达式或脚本步骤"


_HEADROOM_LOCK = threading.Lock()


@contextlib.contextmanager
def _compiler_headroom():
    """Python frames enough for RestrictedPython's checker over code nested ``MAX_NESTING`` deep
    (~3 frames a level) wherever the compile is called from: a designer's deploy in a request, a
    gateway deep in SpiffWorkflow, the worker (which keeps model code to 400 frames). The limit is
    raised for the compile only (code already known to be within ``MAX_NESTING``), one at a time."""
    with _HEADROOM_LOCK:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(limit + 4 * MAX_NESTING)
        try:
            yield
        finally:
            sys.setrecursionlimit(limit)


def nesting(tree: ast.AST) -> int:
    """How deep ``tree`` nests (its longest path from the root), walked without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def compile_code(source: str, mode: str = "exec", filename: str = "<string>"):
    """The restricted code object of ``source`` (``mode`` exec for scripts, eval for expressions),
    and the names it uses. Raises ModelCodeRefused with Chinese problems."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg) or "too complex" in str(exc.msg):
            raise ModelCodeRefused([TOO_DEEP]) from None
        raise ModelCodeRefused([f"语法错误: {exc.msg} (第 {exc.lineno} 行)"]) from None
    except (RecursionError, MemoryError):  # nested past Python's parser
        raise ModelCodeRefused([TOO_DEEP]) from None
    except ValueError as exc:  # NUL bytes
        raise ModelCodeRefused([f"代码无法解析: {exc}"]) from None
    if nesting(tree) > MAX_NESTING:
        raise ModelCodeRefused([TOO_DEEP])
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    try:
        with _compiler_headroom():
            result = compiler(source, filename=filename, policy=DubanPolicy)
    except (RecursionError, MemoryError):  # not expected within MAX_NESTING: refused all the same
        raise ModelCodeRefused([TOO_DEEP]) from None
    problems = [_translate(e) for e in result.errors] + _format_refusals(tree)
    if problems or result.code is None:
        raise ModelCodeRefused(problems or ["代码无法编译"])
    # RestrictedPython counts names read, not names deleted nor the target of ``x += 1`` (which it
    # rewrites to ``x = _inplacevar_("+=", x, 1)``, a read it does not count): both must be given ``x``
    # too (until 2026-12 ``n += 1`` always failed with NameError).
    deleted = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Del)}
    updated = {n.target.id for n in ast.walk(tree) if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)}
    return result.code, frozenset(result.used_names) | deleted | updated


def problems(source: str, mode: str = "exec") -> list[str]:
    """[] when ``source`` compiles under the restricted policy, else the Chinese problems."""
    try:
        compile_code(source, mode)
    except ModelCodeRefused as refused:
        return refused.problems
    return []


# --- FEEL's null: a variable the case lacks ------------------------------------------------------

# Model code translated from FEEL (Camunda 8, engine/dialects.py) starts with this comment naming
# the variables its FEEL reads: one the case lacks reads as None there (FEEL's null, as Zeebe
# evaluates it) instead of failing. Our own Python and translated JUEL carry no such line.
ABSENT_AS_NULL = "# absent-as-null:"


def absent_as_null(source: str) -> frozenset[str]:
    """The variables ``source``'s first line says read as None when absent (none without the line)."""
    if not source.startswith(ABSENT_AS_NULL):
        return frozenset()
    first = source.partition("\n")[0][len(ABSENT_AS_NULL):]
    return frozenset(n for n in first.split() if n.isidentifier() and not n.startswith("_"))


def mark_absent_as_null(source: str, names) -> str:
    """``source`` with its first line naming ``names`` (and those it named already); unchanged when
    there are none."""
    names = set(names) | absent_as_null(source)
    if source.startswith(ABSENT_AS_NULL):
        source = source.partition("\n")[2]
    return f"{ABSENT_AS_NULL} {' '.join(sorted(names))}\n{source}" if names else source


def names_read(source: str, mode: str = "eval") -> set[str]:
    """The variable names ``source`` reads (not those it only assigns)."""
    return {n.id for n in ast.walk(ast.parse(source, mode=mode))
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


# --- plain expressions: safe to evaluate in the host process --------------------------------------

_PLAIN_NODES = (ast.Expression, ast.Name, ast.Load, ast.Constant, ast.Compare, ast.BoolOp, ast.And, ast.Or,
                ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.IfExp, ast.Subscript, ast.List, ast.Tuple,
                ast.BinOp, ast.Add, ast.Sub, ast.Div, ast.FloorDiv,
                ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot)


# Builtins a plain expression may call, with one positional argument: conversions a decision
# table's input or a condition applies to a value (``bool(major_criterion)``, ``int(deaths or 0)``,
# ``len(items)``): each costs at most a pass over the value, which is case data the step already
# holds, and none calls back into model code (int() of a long text stops at Python's digit limit).
PLAIN_CALLS = frozenset({"bool", "int", "float", "str", "len", "abs"})


def is_plain(source: str) -> bool:
    """An expression that only names values, compares, combines with and/or/not and adds, and
    converts a value (``PLAIN_CALLS``): no other call, no attribute, no loop, no multiplication —
    nothing that can run long, allocate much or reach an object's insides. The common gateway
    condition (``approved == True and score >= 60``) and a decision table's rule test
    (``int(deaths or 0) >= 30``) are; they are evaluated in the host, everything else in an isolated
    worker (engine/evaluator.py). A case variable named like a conversion (``int``) sends the
    expression to the worker (``calls_shadowed``)."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return False
    return _plain_tree(tree)


def guarded_expression(source: str):
    """The host's code for an expression that is plain but for ``*`` or a dict display
    (``fine * 2 > cap``, a parameter mapping's ``${fine * 2}``), or plain and adding
    (``label + "（复查）"``): compiled with ``*`` as ``guarded_mul`` and ``+`` as ``guarded_add``, as
    in a plain script, so a product or sum past the bound is refused before it is computed and the
    worker evaluates the expression (``TooLarge``); None for any other expression."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return None
    if not _plain_tree(tree, script=True) or (_plain_tree(tree) and not adds(tree)):
        return None
    return _plain_eval_code(source)


def adds(tree: ast.AST | str) -> bool:
    """Does ``tree`` (or the expression it is parsed from) add (``a + b``)? A plain expression that
    does is run in the host with ``+`` as ``guarded_add`` (or, if that cannot be compiled, in the
    worker); one that does not (``approved == True and score >= 60``) as it is."""
    if isinstance(tree, str):
        try:
            tree = ast.parse(tree.strip(), mode="eval")
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return True
    return any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add) for n in ast.walk(tree))


def helper_expression(source: str):
    """(code, helpers called, names read as values) of an expression that is plain (as in a plain
    script: ``*`` guarded, dict displays) but for calls of helpers (``_plain_tree``'s ``helpers``:
    ``level_rank(local_level)``, ``deadline_at(measure['due_date'])``,
    ``every_days(local_rule('hazard.progress_report_days', listed_at))``), or None for any other
    expression and for one without a helper call. The host runs it only if every helper it calls is
    declared host-safe (engine/evaluator.py)."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if not _plain_tree(tree, script=True, helpers=True):
        return None
    called = helpers_called(tree)
    if not called:
        return None
    code = _plain_eval_code(source)
    return None if code is None else (code, called, _values_read(tree))


def _plain_eval_code(expression: str | ast.expr):
    """The host's code of a plain expression (a source, or the ``ast`` test of an ``if``): compiled
    under the restricted policy with ``*`` as ``guarded_mul`` (``_PlainScriptPolicy``); None if refused."""
    if isinstance(expression, ast.expr):
        expression = ast.Expression(body=expression)  # type: ignore[assignment]
    try:
        result = compile_restricted_eval(expression, filename="<string>", policy=_PlainScriptPolicy)
    except (RecursionError, MemoryError):  # nested past the compiler's depth: the worker's to answer
        return None
    return None if result.errors or result.code is None else result.code


# The one attribute a helper's result may be asked for in the host, called without arguments:
# ``now().isoformat()`` (a datetime or date the helper returned, as the worker would have decoded it).
HELPER_RESULT_METHODS = frozenset({"isoformat"})


def _helper_call(node: ast.Call) -> bool:
    """``helper(<args>)``: a call of a name that is not a conversion (``PLAIN_CALLS``), nor ``_``-prefixed,
    nor reserved (``print``...), with positional and named arguments (no ``*args``/``**kwargs``); whether
    the name is a host-safe helper is decided where it runs (engine/evaluator.py)."""
    return isinstance(node.func, ast.Name) and node.func.id not in PLAIN_CALLS \
        and not node.func.id.startswith("_") and node.func.id not in _RESERVED_NAMES \
        and not any(isinstance(a, ast.Starred) for a in node.args) \
        and all(k.arg is not None and not k.arg.startswith("_") for k in node.keywords)


def _result_method(node: ast.Call) -> bool:
    """``helper(...).isoformat()``: ``HELPER_RESULT_METHODS`` of a helper call's result, no arguments."""
    return isinstance(node.func, ast.Attribute) and node.func.attr in HELPER_RESULT_METHODS \
        and not node.args and not node.keywords \
        and isinstance(node.func.value, ast.Call) and _helper_call(node.func.value)


def helpers_called(tree: ast.AST) -> frozenset[str]:
    """The names ``tree`` calls that are not conversions (``PLAIN_CALLS``) nor ``print``."""
    return frozenset(n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                     and n.func.id not in PLAIN_CALLS and n.func.id != "print")


# The operations one plain expression (or one statement of a plain script) may hold to be run in the
# host: an arithmetic operator, a comparison (``a < b < c`` is two), a call. Each is bounded on its
# own (``guarded_add``, ``guarded_mul``: at most ``PLAIN_SCRIPT_UNITS`` units made) but costs up to a
# pass over a value that big — ~1.4 ms for a list of a million items on this machine, ~0.1 ms for a
# text — so 40 of them hold the host at most ~50 ms; ``备注 + 备注 + …`` written 1,000 times over
# 500 KB texts held it ~1 s. A longer expression is the worker's, under its CPU bound. Ordinary
# conditions hold a few (``approved == True and score >= 60``: 2; a JUEL yes/no read: 4).
PLAIN_OPERATIONS = 40


def _plain_tree(tree: ast.AST, script: bool = False, helpers: bool = False) -> bool:
    """Every node of ``tree`` is of a plain expression (``is_plain``); ``script``: of a plain script's
    expression, which may also multiply (the host runs ``*`` through ``guarded_mul``) and build a
    dict (``{"subject": subject, "on": day}``); ``helpers``: and call helpers (``_helper_call``), and
    ``.isoformat()`` of a helper's result (``_result_method``). At most ``PLAIN_OPERATIONS``
    operations in all."""
    methods: set[int] = set()
    operations = 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.BinOp, ast.Call, ast.Compare)):
            operations += len(node.ops) if isinstance(node, ast.Compare) else 1
            if operations > PLAIN_OPERATIONS:
                return False
        if isinstance(node, ast.Call):
            if helpers and _result_method(node):
                methods.add(id(node.func))
                continue
            if not (isinstance(node.func, ast.Name) and node.func.id in PLAIN_CALLS and len(node.args) == 1
                    and not node.keywords and not isinstance(node.args[0], ast.Starred)) \
                    and not (helpers and _helper_call(node)):
                return False
            continue
        if helpers and (isinstance(node, ast.keyword) or id(node) in methods):
            continue
        if not isinstance(node, _PLAIN_NODES) and not (script and isinstance(node, (ast.Mult, ast.Dict))):
            return False
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return False
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)) and len(node.value) > 10_000:
            return False
    return True


# --- plain scripts: assignments of plain expressions, also run in the host ----------------------

# A value a plain script run in the host assigns may hold at most this many units (a character of
# a text, an item of a list, a key or value of a dict, counted again wherever the same object is
# referenced again, as the worker's JSON would repeat it) and be nested this deep; ``guarded_mul``
# refuses a product past them (an int: bits). Past them the script goes to the worker.
PLAIN_SCRIPT_UNITS = 1_000_000
PLAIN_SCRIPT_DEPTH = 100
PLAIN_SCRIPT_BITS = 100_000
# The items the host may walk to check a script's values, all its statements together (a few ms):
# a script of ever larger lists goes to the worker rather than walk them again after each statement.
PLAIN_SCRIPT_STEPS = 100_000
# The time a plain script may take in the host, all its statements together (wall clock, checked
# after each statement; one statement costs at most a few passes over the values it names):
# ``a = x in big_list`` written thousands of times goes to the worker and its CPU bound.
PLAIN_SCRIPT_SECONDS = 0.05


class HostFunctionError(Exception):
    """A helper model code called raised: its ``TypeName: message`` as the model's error. The worker
    raises its own class of this name (engine/evaluator_worker.py); a helper called by code the host
    runs (engine/evaluator.py ``_HostCall``) raises this one, so both report the same type name."""


class TooLarge(Exception):
    """A plain script run in the host would make a value past the host's bound (``PLAIN_SCRIPT_*``):
    it is abandoned before allocating it, and the worker runs the script from the start."""


def _check_product(a, b) -> None:
    """Raise TooLarge if ``a * b`` would pass the host's bound (see ``guarded_mul``)."""
    if isinstance(a, int) and isinstance(b, int):
        if a.bit_length() + b.bit_length() > PLAIN_SCRIPT_BITS:
            raise TooLarge
    elif isinstance(b, int) and isinstance(a, (str, list, tuple)):
        _check_repeat(a, b)
    elif isinstance(a, int) and isinstance(b, (str, list, tuple)):
        _check_repeat(b, a)


def _check_repeat(seq, times: int) -> None:
    """Raise TooLarge if ``times`` copies of ``seq`` would hold more than ``PLAIN_SCRIPT_UNITS``
    units: of a list, what its items hold too (``[["x" * 1000] * 1000] * 100`` is 100 items of a list
    holding a million characters: its ``str()`` would be 100 MB in the host, within the same
    statement, before any walk). The walk stops past the bound's share of one copy."""
    if times <= 0:
        return
    if len(seq) * times > PLAIN_SCRIPT_UNITS:
        raise TooLarge
    if isinstance(seq, str):
        return
    limit = PLAIN_SCRIPT_UNITS // times  # units one copy may hold
    units, stack = 0, list(seq)
    while stack:
        item = stack.pop()
        units += 1
        if isinstance(item, str):
            units += len(item)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            units += len(item)
            stack.extend(item.values())
        if units > limit:
            raise TooLarge


def guarded_mul(a, b):
    """``a * b`` in a plain script run in the host, refused (``TooLarge``) before the product would
    pass the bound: a text or list repeated past ``PLAIN_SCRIPT_UNITS`` units (a list's items' own
    units counted, ``_check_repeat``), an int product past
    ``PLAIN_SCRIPT_BITS`` bits (``a = a * a`` squares). Everything else multiplies as ``*`` does
    (floats, decimals and durations have a fixed size; other types raise ``*``'s own TypeError)."""
    _check_product(a, b)
    return a * b


def guarded_add(a, b):
    """``a + b`` in plain code run in the host (a plain expression or script), refused (``TooLarge``)
    before a text, list or tuple would pass ``PLAIN_SCRIPT_UNITS`` items: ``a + a + … + a`` of a
    long text is a copy of all that came before at every ``+`` — 200 terms of a 1 MB field held the
    host 36 s (9 s of CPU) and, drawn as a balanced sum, would fill its memory. The worker then
    evaluates it under its CPU and memory bounds. Numbers add as ``+`` does."""
    if isinstance(a, (str, list, tuple)) and isinstance(b, (str, list, tuple)) \
            and len(a) + len(b) > PLAIN_SCRIPT_UNITS:
        raise TooLarge
    return a + b


def guarded_int(value, *rest):
    """``int`` in a plain script or plain expression run in the host: a decimal of more than 4,300 digits (the limit
    Python puts on ``int`` of a text) is refused (``TooLarge``) — ``int(Decimal("1e99999"))`` takes
    a second, one more digit of exponent minutes — and goes to the worker and its CPU bound."""
    if isinstance(value, decimal.Decimal) and value.is_finite() and value.adjusted() > 4300:
        raise TooLarge
    return int(value, *rest)


def guarded_inplacevar(op, x, y):
    """``_inplacevar_`` of a plain script run in the host: ``*=`` within ``guarded_mul``'s bound."""
    if op == "*=":
        _check_product(x, y)
    elif op == "+=" and isinstance(x, (str, list, tuple)) and isinstance(y, (str, list, tuple)) \
            and len(x) + len(y) > PLAIN_SCRIPT_UNITS:
        raise TooLarge
    return _INPLACE[op](x, y)


def within_plain_bounds(value, steps: int = PLAIN_SCRIPT_STEPS) -> int:
    """What is left of ``steps`` after walking ``value``, or -1 when it holds more than
    ``PLAIN_SCRIPT_UNITS`` units, is nested deeper than ``PLAIN_SCRIPT_DEPTH`` or the walk would take
    more than ``steps`` steps (an item or a key of a container is a step, a text one however long):
    the walk stops as soon as it knows, so a script's walks together cost at most the steps it is given."""
    if value is None or isinstance(value, (bool, int, float)):
        return steps
    if isinstance(value, str):
        return steps if len(value) <= PLAIN_SCRIPT_UNITS else -1
    units, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        units += 1
        steps -= 1
        if isinstance(item, str):
            units += len(item)
        elif isinstance(item, (list, tuple)):
            units += len(item)
            steps -= len(item)
            if depth >= PLAIN_SCRIPT_DEPTH or units > PLAIN_SCRIPT_UNITS or steps < 0:
                return -1
            stack.extend([(x, depth + 1) for x in item])
        elif isinstance(item, dict):
            units += 2 * len(item)
            steps -= 2 * len(item)
            if depth >= PLAIN_SCRIPT_DEPTH or units > PLAIN_SCRIPT_UNITS or steps < 0:
                return -1
            for k, x in item.items():
                if isinstance(k, str):
                    units += len(k)
                stack.append((x, depth + 1))
        if units > PLAIN_SCRIPT_UNITS or steps < 0:
            return -1
    return steps


class _PlainScriptPolicy(DubanPolicy):
    """The restricted policy, and ``a * b`` compiled as ``_mul_(a, b)`` (``guarded_mul``): the
    name is made here, after the check that refuses model code's own ``_`` names."""

    def visit_BinOp(self, node):
        node = super().visit_BinOp(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add)):
            guard = "_mul_" if isinstance(node.op, ast.Mult) else "_add_"  # guarded_mul, guarded_add
            name = ast.copy_location(ast.Name(guard, ast.Load()), node)
            return ast.copy_location(ast.Call(func=name, args=[node.left, node.right], keywords=[]), node)
        return node


def _plain_target(node: ast.AST) -> bool:
    """A name a plain script may assign or delete: not a conversion it may call (``PLAIN_CALLS``), so
    ``str = start_case`` then ``str(x)`` cannot make a plain script call anything else; nor a name
    RestrictedPython or a handler gives a meaning (``print``, ``printed``, ``Exception``)."""
    return isinstance(node, ast.Name) and node.id not in PLAIN_CALLS and node.id not in _RESERVED_NAMES


# Names a plain script may not assign nor read as a value: ``print``/``printed`` (RestrictedPython
# makes them its print collector) and ``Exception`` (``except Exception`` is answered by the host).
_RESERVED_NAMES = frozenset({"print", "printed", "Exception"})
# The keywords ``print(...)`` may take in a plain script (no ``file``, no ``flush``).
_PRINT_KEYWORDS = frozenset({"sep", "end"})


def _item_target(node: ast.AST, helpers: bool = False) -> bool:
    """``name[<plain>] = ...``: an item of a dict or list a name holds (``_write_`` refuses anything
    else at run time), the key a plain expression (no slice)."""
    return isinstance(node, ast.Subscript) and _plain_target(node.value) and not node.value.id.startswith("_") \
        and _plain_tree(node.slice, script=True, helpers=helpers)  # type: ignore[attr-defined]


def _print_call(node: ast.AST, helpers: bool = False) -> bool:
    """``print(<plain>, ..., sep=<plain>, end=<plain>)`` as a statement: RestrictedPython sends it to
    the script's print collector (the host's keeps the first ``PRINTED_CHARS`` characters, as the
    worker's reply does)."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print" \
        and all(not isinstance(a, ast.Starred) and _plain_tree(a, script=True, helpers=helpers) for a in node.args) \
        and all(k.arg in _PRINT_KEYWORDS and _plain_tree(k.value, script=True, helpers=helpers) for k in node.keywords)


def _plain_statement(stmt: ast.stmt, helpers: bool = False) -> tuple[tuple[str, ...], bool] | None:
    """The names ``stmt`` assigns, deletes or changes in place if it is a plain script's simple
    statement, and whether it may change a value in place (``x += [1]`` on a list, ``d["k"] = v``):
    values other names hold may then have grown too. None for any other statement."""
    if isinstance(stmt, ast.Assign):
        if _plain_tree(stmt.value, script=True, helpers=helpers):
            if all(_plain_target(t) for t in stmt.targets):
                return tuple(t.id for t in stmt.targets), False  # type: ignore[attr-defined]
            if len(stmt.targets) == 1 and _item_target(stmt.targets[0], helpers):
                return (stmt.targets[0].value.id,), True  # type: ignore[attr-defined]
            if len(stmt.targets) == 1 and _parallel_assignment(stmt.targets[0], stmt.value):
                return tuple(t.id for t in stmt.targets[0].elts), False  # type: ignore[attr-defined]
    elif isinstance(stmt, ast.AugAssign):
        if _plain_target(stmt.target) and isinstance(stmt.op, (ast.Add, ast.Sub, ast.Div, ast.FloorDiv, ast.Mult)) \
                and _plain_tree(stmt.value, script=True, helpers=helpers):
            return (stmt.target.id,), True  # type: ignore[attr-defined]
    elif isinstance(stmt, ast.Delete):
        if all(_plain_target(t) for t in stmt.targets):
            return (), False
    elif isinstance(stmt, ast.Pass):
        return (), False
    elif isinstance(stmt, ast.Expr):  # ``days_left`` (is it there?), ``print("复查合格", conclusion)``
        if _print_call(stmt.value, helpers) or _plain_tree(stmt.value, script=True, helpers=helpers):
            return (), False
    return None


def _parallel_assignment(target: ast.AST, value: ast.AST) -> bool:
    """``a, b = (x, y)``: names given the items of a tuple display of as many plain values, at once —
    how engine/dialects.py writes a task's output parameters (each read before any is set, as
    Camunda maps them). Each name is a ``_plain_target``; a starred name or a value that is not such
    a display (``a, b = pair``: an unpacking that may fail) is not plain."""
    return (isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List))
            and len(target.elts) == len(value.elts) > 0 and all(_plain_target(t) for t in target.elts))


def _compiled_statement(stmt: ast.stmt):
    result = compile_restricted_exec(ast.Module(body=[stmt], type_ignores=[]), filename="<string>",
                                     policy=_PlainScriptPolicy)
    return None if result.errors or result.code is None else result.code


def _plain_block(body: list[ast.stmt], helpers: bool = False) -> tuple | None:
    """The steps of a plain script's block (see ``plain_script``), or None."""
    steps: list[tuple] = []
    for stmt in body:
        if isinstance(stmt, ast.If):
            then, orelse = _plain_block(stmt.body, helpers), _plain_block(stmt.orelse, helpers)
            if then is None or orelse is None or not _plain_tree(stmt.test, script=True, helpers=helpers):
                return None
            loads = _values_read(stmt.test)  # before compiling: RestrictedPython rewrites the tree
            test = _plain_eval_code(stmt.test)
            if test is None:
                return None
            steps.append(("if", test, loads, then, orelse))
        elif isinstance(stmt, ast.Try) and type(stmt) is ast.Try:  # not ``try/except*``
            if len(stmt.handlers) != 1 or stmt.orelse or stmt.finalbody:
                return None
            handler = stmt.handlers[0]
            if handler.name is not None or not (isinstance(handler.type, ast.Name) and handler.type.id == "Exception"):
                return None
            tried, caught = _plain_block(stmt.body, helpers), _plain_block(handler.body, helpers)
            if tried is None or caught is None:
                return None
            steps.append(("try", tried, caught))
        else:
            shape = _plain_statement(stmt, helpers)
            if shape is None:
                return None
            loads = _values_read(stmt)  # before compiling: RestrictedPython rewrites the tree
            code = _compiled_statement(stmt)
            if code is None:
                return None
            steps.append(("do", code, shape[0], loads, shape[1]))
    return tuple(steps)


def plain_script(source: str, helpers: bool = False) -> tuple | None:
    """A *plain script*, as the steps the host runs (engine/evaluator.py), or None for any other script.
    Its statements: ``a = <plain>``, ``a = b = <plain>``, ``a += <plain>`` (``+ - / // *``),
    ``d[<plain>] = <plain>`` (an item of a dict or list), ``del a``, ``pass``, a plain expression
    (``days_left``), ``print(<plain>, ...)``, ``if <plain>: ... elif ... else ...`` and
    ``try: ... except Exception: ...`` of such statements — where <plain> is a plain expression
    (``is_plain``) that may also multiply and build a dict; no name read as a value is ``print``,
    ``printed`` or ``Exception``. Each step is
    ``("do", code, names assigned or changed, names read as values, may change a value in place)``,
    ``("if", test code, names the test reads, steps, else steps)`` or ``("try", steps, handler steps)``,
    one restricted code object per simple statement.
    ``verified = True``, ``conclusion = "区级已核查"``, ``fine = amount * rate``,
    ``登记 = 登记 + str(loopCounter)``, the parameter mappings engine/dialects.py writes
    (``try:\\n    duban_shadowed_by_inputs['amount'] = amount\\nexcept Exception:\\n    pass``) are plain."""
    try:
        tree = ast.parse(source, mode="exec")
    except (SyntaxError, ValueError):
        return None
    if not tree.body:
        return None
    calls = {id(n.value.func) for n in ast.walk(tree) if isinstance(n, ast.Expr) and _print_call(n.value, helpers)}
    handlers = {id(n.type) for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler)}
    for node in ast.walk(tree):  # ``print`` only as a print statement's callee, ``Exception`` only in ``except``
        if isinstance(node, ast.Name) and node.id in _RESERVED_NAMES and id(node) not in calls \
                and id(node) not in handlers:
            return None
    return _plain_block(tree.body, helpers)


def helper_script(source: str) -> tuple[tuple, frozenset[str]] | None:
    """(steps, helpers called) of a script that is plain (``plain_script``) but for calls of helpers
    and ``.isoformat()`` of a helper's result in its expressions (``_plain_tree``'s ``helpers``):
    ``received_at = now().isoformat()``, ``repair_too_early = not is_past(day_start(allowed_from), now())``;
    None for any other script and for one that calls no helper (``plain_script`` decides those). The
    host runs it only if every helper it calls is declared host-safe (engine/evaluator.py)."""
    try:
        tree = ast.parse(source, mode="exec")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    called = helpers_called(tree)
    if not called:
        return None
    steps = plain_script(source, helpers=True)
    return None if steps is None else (steps, called)


def _values_read(node: ast.AST) -> tuple[str, ...]:
    """The names ``node`` (a statement or a test) reads as values (not the function a call names),
    the target of ``x += 1`` too: at run time each must be case data or a value the script made,
    never a global (``now``, ``range``, ``datetime``) — those go to the worker (engine/evaluator.py), so
    a host object (``str(now)`` would show its address) never becomes a value in the host."""
    calls = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    names = [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
             and id(n) not in calls]
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        names.append(node.target.id)
    return tuple(dict.fromkeys(names))


class BoundedPrint(PrintCollector):
    """The print collector of a plain script run in the host: what the worker's reply would carry
    (its first ``PRINTED_CHARS`` characters) and no more, however often a script prints a value."""

    def __init__(self, _getattr_=None):
        super().__init__(_getattr_)
        self.size = 0

    def write(self, text: str) -> None:
        if self.size < PRINTED_CHARS:
            self.txt.append(text[:PRINTED_CHARS - self.size])
            self.size += len(self.txt[-1])

    def text(self) -> str:
        return "".join(self.txt)[:PRINTED_CHARS]


_NOT_GLOBAL = object()  # ``script_reply``: a name the globals lack

# What the worker's reply carries of the text a script printed (engine/evaluator_worker.py).
PRINTED_CHARS = 2000


def script_reply(scope: dict, base: dict, inputs: dict, kept=(), received=None) -> dict:
    """What a script run in ``scope`` (globals ``base`` plus the decoded ``inputs``) hands back: the
    variables it set to a value other than the one it got (encoded), and the inputs it deleted. The
    worker's reply (engine/evaluator_worker.py), and a plain script's in the host the same way.
    ``kept``: inputs the caller knows still hold the very value decoded for them, unchanged (a plain
    script in the host that changed nothing in place): left out without being encoded again.
    ``received``: the encoded form of each such unchanged value by its identity (``id``), for a
    variable the script set to one of them (``checklist = checkItems``): given, not encoded again."""
    changed, deleted = {}, [k for k in inputs if k not in scope]
    for name, value in scope.items():
        if base.get(name, _NOT_GLOBAL) is value or name.startswith("_") or name in kept or callable(value) \
                or type(value).__name__ == "module":
            continue
        encoded = received.get(id(value), _NOT_GLOBAL) if received else _NOT_GLOBAL
        if encoded is _NOT_GLOBAL:
            encoded = encode(value, name)
        if name not in inputs or inputs[name] != encoded:
            changed[name] = encoded
    return {"set": changed, "del": deleted}


def error_reply(exc: BaseException) -> dict:
    """How an error model code raised is reported: its type name, message and line (the last frame
    of the model's code, ``<string>``)."""
    try:
        message = str(exc)[:2000]
    except BaseException:  # noqa: BLE001 — a str() that itself fails
        message = ""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<string>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return {"type": type(exc).__name__, "message": message, "line": line}


# --- the guards RestrictedPython's compiled code calls ---------------------------------------------

def _getattr(obj, name, default=None):
    return safer_getattr(obj, name, default)


def _write(obj):
    if type(obj) in (dict, list):
        return obj
    raise TypeError(f"不允许修改 {type(obj).__name__} 对象的属性或元素")


_INPLACE = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
            "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
            ">>=": operator.irshift, "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand,
            "@=": operator.imatmul}


def _inplacevar(op, x, y):
    return _INPLACE[op](x, y)


def _apply(fn, *args, **kwargs):
    return fn(*args, **kwargs)


def bounded_range(*args):
    """``range`` for model code: ``sum(range(10**12))`` would run in C for hours."""
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise ValueError(f"脚本生成的数列太长：有 {len(r):,} 个数，超过上限 {MAX_RANGE:,} 个；"  # no Latin word: shown (webui/labels.py)
                         "请核对数据是否填写有误后重试，或请流程设计员修改模型")
    return r


# What the C code of ``datetime`` imports through the builtins of the code calling it: ``time`` for
# ``strftime``/``timetuple`` (also ``f"{day:%Y年%m月%d日}"``), ``_strptime`` for ``strptime``. Without an
# ``__import__`` among the builtins they failed with 「KeyError: '__import__'」, which the incident read as
# case data named ``__import__`` missing (「请补填数据后重试」) until 2026-12-07. Imported here, at load,
# so the worker opens no file for them under its limits.
_DATETIME_IMPORTS = {name: importlib.import_module(name) for name in ("time", "_strptime")}


def _datetime_import(name, globals=None, locals=None, fromlist=(), level=0):
    """The builtins' ``__import__`` for model code: only ``_DATETIME_IMPORTS``. Model code itself can
    never call it — the restricted compile refuses ``import`` and every name starting with ``_``."""
    if level == 0 and name in _DATETIME_IMPORTS:
        return _DATETIME_IMPORTS[name]
    raise ImportError(f"不允许导入模块 {str(name)[:40]}")


def safe_builtins() -> dict:
    import builtins
    found = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}
    found["range"] = bounded_range
    found["__import__"] = _datetime_import
    return found


def restricted_globals(extra: dict | None = None) -> dict:
    """Globals for restricted code: allow-listed builtins, the guards, the standard classes."""
    g = {"__builtins__": safe_builtins(), "__name__": "model_code",
         "_getattr_": _getattr, "_getitem_": operator.getitem, "_getiter_": iter, "_write_": _write,
         "_inplacevar_": _inplacevar, "_apply_": _apply, "_print_": PrintCollector,
         "_iter_unpack_sequence_": guarded_iter_unpack_sequence, "_unpack_sequence_": guarded_unpack_sequence,
         "_add_": guarded_add}  # ``+`` of plain code run in the host (``_PlainScriptPolicy``)
    g.update(STANDARD_GLOBALS)
    if extra:
        g.update(extra)
    return g


# --- values across the process boundary ------------------------------------------------------------

TAG = "$duban"


class NotSerializable(Exception):
    """A value model code produced or needs that cannot be stored as case data, said in Chinese
    (engine/feel_names.kind): 「变量「daily」的值是超出范围的整数（绝对值须在 10 的 300 次方以内）…」,
    「变量「登记」的值是字典，其键「2026」不是文字…」 (``key``: ``value`` is a key of the dict at ``path``).
    Until 2026-12-08 it said 「(类型 int)」, and the incident page showed only 「流程执行出错…请管理员查看
    错误详情」 for a result a figure typed with extra zeros made, or a dict a script keyed by year."""

    def __init__(self, path: str, value, key: bool = False):
        self.path = path
        what = _feel_names().kind(value, DECIMAL_EXPONENT, key=key)
        super().__init__(f"变量「{path}」的值是{what}，不能保存为案件数据；请核对数据是否填写有误后重试，"
                         "或请流程设计员修改模型（案件数据只能是文字、数字、真假值、列表、字典、日期和时间）")


def _feel_names():
    if __package__:
        from . import feel_names
    else:  # in the worker, which imports this module by path (engine/evaluator_worker.py)
        import feel_names  # type: ignore[import-not-found, no-redef]
    return feel_names


class HelperArgumentError(NotSerializable):
    """An argument of a call model code makes of a host function that cannot be handed to it (or the
    value it gives back), named as the model wrote the call (engine/feel_names.py: 「函数「append」的第2个
    参数是超出范围的整数…」, 「函数「sum」的结果…」), not as the path of our helper's arguments
    (「变量「duban_feel_collection[2]」…」, 「变量「duban_feel_sum」…」)."""

    def __init__(self, helper: str, args, index: int | None, key: str | None, fault: "_Unencodable",
                 result: bool = False):
        self.path = helper
        Exception.__init__(self, _feel_names().not_passed(helper, args, index, key, bool(fault.steps), fault.value,
                                                          DECIMAL_EXPONENT, result))


def encode_result(helper: str, args, value):
    """``encode(value)`` of what the host function ``helper`` gave back; HelperArgumentError naming
    the function as the model called it when it cannot be given."""
    try:
        return _encode(value)
    except _Unencodable as fault:
        raise HelperArgumentError(helper, args, None, None, fault, result=True) from None


def function_named(helper: str, args) -> str:
    """The function the model called, in Chinese (「函数「sum」」: engine/feel_names.function)."""
    return _feel_names().function(helper, args)


def encode_arguments(helper: str, args, kwargs: dict) -> tuple[list, dict]:
    """The arguments of a call of the host function ``helper`` as ``encode`` gives them (a list, a
    dict); HelperArgumentError naming the argument that cannot be given."""
    sent = []
    for index, value in enumerate(args):
        try:
            sent.append(_encode(value))
        except _Unencodable as fault:
            raise HelperArgumentError(helper, args, index, None, fault) from None
    named = {}
    for key, value in kwargs.items():
        try:
            named[key] = _encode(value)
        except _Unencodable as fault:
            raise HelperArgumentError(helper, args, None, key, fault) from None
    return sent, named


def encode(value, path: str = "值"):
    """JSON-ready form of ``value``; raises NotSerializable naming the variable at fault (its path:
    ``登记.单位[2]``, written only when something is at fault — not one text per item of every
    value that crosses)."""
    try:
        return _encode(value)
    except _Unencodable as fault:
        raise NotSerializable(path + "".join(reversed(fault.steps)), fault.value, fault.key) from None


class _Unencodable(Exception):
    """A value ``_encode`` cannot give; ``steps``: where it lies, innermost first; ``key``: the value
    is a key (not text) of the dict the steps lead to."""

    def __init__(self, value, step: str = "", key: bool = False):
        super().__init__()
        self.value, self.steps, self.key = value, [step] if step else [], key


def _encode(value):
    if value is None or isinstance(value, (bool, str, float)):
        return value
    if isinstance(value, int):
        if abs(value) > 10 ** 300:
            raise _Unencodable(value)
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise _Unencodable(k, key=True)
            try:
                out[k] = _encode(v)
            except _Unencodable as fault:
                fault.steps.append(f".{k}")
                raise
        if TAG in out:
            out = {TAG: "dict", "v": out}
        return out
    if isinstance(value, (list, tuple)):
        try:
            return [_encode(v) for v in value]
        except _Unencodable as fault:
            for i, v in enumerate(value):  # which item (the first at fault, as the walk met it)
                try:
                    _encode(v)
                except _Unencodable:
                    fault.steps.append(f"[{i}]")
                    break
            raise
    if isinstance(value, _dt.datetime):
        return {TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, _dt.date):
        return {TAG: "date", "v": value.isoformat()}
    if isinstance(value, _dt.timedelta):
        return {TAG: "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, decimal.Decimal):
        return {TAG: "decimal", "v": str(value)}
    raise _Unencodable(value)


DECIMAL_EXPONENT = 300
"""A helper called by model code in the worker is given decimals within 10^±300, as whole numbers cross
within 10^300 (``_encode``): the host computing for the worker's call ``int()`` of
``Decimal("1e999999999")`` would take hours, outside the worker's bounds
(``duban_feel_range(Decimal("1e200000"), 1)`` took 3 s of the host's CPU), and ``format(…, "f")`` of
it is a billion characters."""


def oversized_decimal(value) -> decimal.Decimal | None:
    """The first decimal in ``value`` (decoded: lists and dicts walked) past 10^±``DECIMAL_EXPONENT``."""
    if isinstance(value, decimal.Decimal):
        exponent = value.adjusted() if value.is_finite() and not value.is_zero() else 0
        return value if not -DECIMAL_EXPONENT <= exponent <= DECIMAL_EXPONENT else None
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        found = oversized_decimal(item)
        if found is not None:
            return found
    return None


def decode(value):
    """The inverse of ``encode``; builds only plain data, dates, durations and decimals."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        tag = value.get(TAG)
        if tag is None:
            return {k: decode(v) for k, v in value.items()}
        v = value.get("v")
        if tag == "datetime":
            return _dt.datetime.fromisoformat(v)
        if tag == "date":
            return _dt.date.fromisoformat(v)
        if tag == "timedelta":
            return _dt.timedelta(days=v[0], seconds=v[1], microseconds=v[2])
        if tag == "decimal":
            return decimal.Decimal(v)
        if tag == "dict":
            return {k: decode(x) for k, x in v.items()}
        raise ValueError(f"unknown tagged value {tag!r}")
    return value
