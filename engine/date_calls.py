"""Trivial date-helper calls evaluated in the host (日期函数表达式的快速路径).

Most timer and ``dueDate`` expressions of our process models are one call of a date helper on case
data, literals and the clock: ``deadline_at(report_due)``, ``days_after(now(), 15)``,
``reminder_at(rectify_deadline, 3, now())``, ``deadline_at(workday_after(period_end, 20))``. Sent
to an isolated worker (engine/evaluator.py) each costs a round trip of about 0.65 ms, and the worker
does almost nothing: it reads the names, then calls the helper back **in the host** over the pipe.
The timer sweep fires one such expression per timer, so that round trip was a third of a timer's
cost (issue 15).

This module evaluates exactly those expressions in the host, and nothing else. Why that is safe:

* **Only a strict AST whitelist is accepted** (``plan``): the whole expression is a call of a name in
  ``DATE_HELPERS``; its arguments (positional or keyword) are such calls again, names of case data,
  or literals — short strings, bounded numbers (a minus sign allowed), ``True``/``False``/``None``.
  No attribute, subscript, operator, lambda, comprehension, ``*args``, f-string or any other node is
  accepted, nor a name starting with ``_``. Nothing here is ``eval``'d or compiled: the accepted
  tree is walked by ``evaluate``, which can only read a variable and call a whitelisted helper.
  Whatever is not accepted goes to the sandbox as before, unchanged.
* **It does in the host only what the sandbox does in the host anyway.** In the worker, a helper
  is a stub that sends its JSON-encoded arguments back to the host, where the real helper runs on
  the decoded values. Here the same helper (the script environment's own, looked up the same way)
  runs on the same values, passed through the same encoding — ``restricted.encode``, JSON text,
  ``restricted.decode`` — so a result is the sandbox's to the type and time zone, e.g. ``now()``
  arrives as the datetime the worker would have seen. The helpers are pure date arithmetic.
* **Any failure goes to the sandbox** (``Fallback``): a name that is not case data, a helper that
  raises, a value that cannot be encoded. The sandbox then gives the answer or the error it always
  gave, with its message, type and incident — the fast path never invents an error of its own.
  (The helpers are pure; the one that notes provisional working-day spans notes into a set, so a
  second call changes nothing.)

tests/test_date_calls.py checks hostile expressions (attribute access, dunder names, lambdas,
comprehensions, huge exponents) are not accepted, and that every accepted form gives the sandbox's
result (a hypothesis property test against a real worker).
"""
from __future__ import annotations

import ast
import functools
import json
import math
from datetime import date, datetime
from typing import Any

from . import restricted

# The date helpers of the script environment (engine/scripting.py, workflows/functions.py): pure
# arithmetic on dates, moments and working days, no database, no side effects.
DATE_HELPERS = frozenset({
    "now", "today", "days_after", "workdays_after", "workdays_before", "workdays_between", "parse_datetime",
    "deadline_at", "day_start", "day_after", "workday_after", "reminder_at", "hours_after", "months_after",
    "days_between", "iso_day", "is_past", "every_days",
})
MAX_TEXT = 256          # a literal string longer than this goes to the sandbox
MAX_NUMBER = 10 ** 6    # so does a literal number beyond ±this
MAX_NODES = 64          # and an expression with more nodes than this
MAX_DEPTH = 4           # or calls nested deeper
MAX_VALUE_BYTES = 1 << 18  # a value whose JSON is larger than this: the sandbox decides (its pipe takes 32 MiB)
MAX_TEXT_ACROSS = 4096


class Fallback(Exception):
    """The fast path does not answer this one: evaluate it in the sandbox."""


# A plan is a tree of tuples: ("const", value) | ("name", id) | ("call", helper, args, kwargs).
Plan = tuple


@functools.lru_cache(maxsize=4096)
def plan(source: str) -> Plan | None:
    """The accepted tree of ``source``, or None when it is not a trivial date-helper call."""
    if not isinstance(source, str) or len(source) > 4 * MAX_TEXT:
        return None
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES or not isinstance(tree.body, ast.Call):
        return None
    try:
        return _accept(tree.body, 0)
    except Fallback:
        return None


def _accept(node: ast.AST, depth: int) -> Plan:
    if isinstance(node, ast.Call):
        if depth >= MAX_DEPTH or not isinstance(node.func, ast.Name) or node.func.id not in DATE_HELPERS:
            raise Fallback
        args = tuple(_accept(a, depth + 1) for a in node.args)  # a Starred argument is refused below
        kwargs = []
        for keyword in node.keywords:
            if keyword.arg is None or keyword.arg.startswith("_"):  # **mapping
                raise Fallback
            kwargs.append((keyword.arg, _accept(keyword.value, depth + 1)))
        return ("call", node.func.id, args, tuple(kwargs))
    if isinstance(node, ast.Name):
        if node.id.startswith("_") or node.id in DATE_HELPERS:  # a helper passed, not called
            raise Fallback
        return ("name", node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = _literal(node.operand.value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Fallback
        return ("const", -value)
    if isinstance(node, ast.Constant):
        return ("const", _literal(node.value))
    raise Fallback


def _literal(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and len(value) <= MAX_TEXT:
        return value
    if isinstance(value, int) and abs(value) <= MAX_NUMBER:
        return value
    if isinstance(value, float) and math.isfinite(value) and abs(value) <= MAX_NUMBER:
        return value
    raise Fallback  # bytes, complex, Ellipsis, long text, big numbers


def _across(value: Any, path: str) -> Any:
    """``value`` as it comes out of the pipe to and from a worker (what the sandbox would hand on):
    ``restricted.encode``, JSON text in UTF-8, ``restricted.decode``. The common plain values take
    a shortcut with the same outcome (a datetime comes back with a fixed UTC offset, as from
    ``decode``); anything else makes the whole trip."""
    return crossed(value, path)[0]


def crossed(value: Any, path: str) -> tuple[Any, int]:
    """(``_across(value)``, about the bytes of JSON it took): engine/evaluator.py passes host-safe
    helpers' arguments and results this way, and charges the bytes to the run's budget."""
    kind = type(value)
    if kind is str and len(value) <= MAX_TEXT_ACROSS and value.isascii():
        return value, len(value) + 2
    if kind is int and abs(value) <= MAX_NUMBER or value is None or kind is bool:
        return value, 8
    if kind is datetime:
        return datetime.fromisoformat(value.isoformat()), 64
    if kind is date:
        return date.fromisoformat(value.isoformat()), 40
    text = json.dumps(restricted.encode(value, path), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if len(text) > MAX_VALUE_BYTES:
        raise Fallback
    return restricted.decode(json.loads(text)), len(text)


def evaluate(accepted: Plan, context: dict, external_context: dict | None, functions: dict) -> Any:
    """The value of an accepted expression; raises ``Fallback`` (or the failure itself, which the
    caller treats the same) when the sandbox must answer. ``functions`` are the environment's host
    functions, the same the sandbox calls back."""
    return _across(_value(accepted, context, external_context or {}, functions), "表达式结果")


def _value(node: Plan, context: dict, external: dict, functions: dict) -> Any:
    kind = node[0]
    if kind == "const":
        return node[1]
    if kind == "name":
        name = node[1]
        if name in context:  # the sandbox sends case data first, then the external context
            return _across(context[name], name)
        if name in external:
            return _across(external[name], name)
        raise Fallback  # a builtin, a standard class or an unknown name: the sandbox says what it is
    _, helper, args, kwargs = node
    function = functions.get(helper)
    if function is None or helper in context or helper in external:  # shadowed by data: not the helper
        raise Fallback
    positional = [_value(a, context, external, functions) for a in args]
    keywords = {k: _value(v, context, external, functions) for k, v in kwargs}
    sent_args = [_across(v, helper) for v in positional]  # a list crosses element by element
    sent_kwargs = {k: _across(v, helper) for k, v in keywords.items()}
    return _across(function(*sent_args, **sent_kwargs), helper)


__all__ = ["DATE_HELPERS", "Fallback", "crossed", "evaluate", "plan"]
