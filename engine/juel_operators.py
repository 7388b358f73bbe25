"""JUEL's ordering comparisons (大小比较) of values whose kinds are known only when the case runs.

EL (JSR 245, EL 2.2 §1.8.1; Camunda 7's and Flowable's JUEL, ``BooleanOperations``) compares
``A < B`` (``> <= >=``, ``lt gt le ge``) after coercing both sides by what they are:

- the same value on both sides (null and null): ``<=``/``>=`` true, ``<``/``>`` false;
- null on one side: false (no error: ``${amount > limit}`` with amount null is simply not true);
- a floating number (Java's Double) on either side: both as Double — text through
  ``Double.valueOf`` (blanks around it allowed, ``1e3``), the empty text 0;
- else a whole number (Long) on either side: both as Long — text through ``Long.valueOf`` (digits
  with an optional sign, nothing else: 「5000.5」 and 「5,000」 stop), the empty text 0;
- else text on either side: both as text, compared character by character (a yes/no as
  ``true``/``false``);
- else two yes/no values: false before true; anything else stops.

A yes/no is no number to EL (coercing one to Long or Double stops). What stops is an error in
Chinese naming the data (``JuelMethodError``, shown by the case's incident as engine/juel_methods'
errors are).

engine/expressions.py writes the common comparison of a variable with a number written out
(``${amount > 1000}``) as plain Python the host evaluates by itself, computing the same answer for
what a form or an API client sends (``compare`` is its reference; tests/test_juel_coercion.py checks
both agree); any other ordering comparison that reads case data (``${amount > limit}``) becomes a
call of ``compare`` (``duban_el_compare(amount, '>', limit, 'amount', 'limit')``). Host-safe: pure,
on the values alone.
"""
from __future__ import annotations

import re

from .evaluator import host_safe
from .expressions import EL_COMPARE as HELPER
from .juel_methods import JuelMethodError

ORDERING = ("<", ">", "<=", ">=")

_LONG = re.compile(r"[+-]?\d{1,19}")  # Long.valueOf (Character.digit: any Unicode decimal digit, as \d)
# Double.valueOf; no two repeats can share a digit (``\d+\.?\d*`` backtracked quadratically: 27 s on
# 20,000 digits and an x)
_DOUBLE = re.compile(r"[+-]?(?:NaN|Infinity|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)")
_LONG_MIN, _LONG_MAX = -(2 ** 63), 2 ** 63 - 1


def _said(name: str, value) -> str:
    shown = str(value)[:40]
    return f"「{str(name)[:40]}」的值「{shown}」" if name else f"值「{shown}」"


def as_long(value, name: str = ""):
    """``value`` as EL coerces it to a whole number (Long); raises JuelMethodError where EL stops."""
    if value is None or value == "":
        return 0
    if value is True or value is False:
        raise JuelMethodError(f"JUEL 表达式把{_said(name, '是' if value else '否')}当作数字比较，是/否不能当作数字："
                              "Camunda、Flowable 同样停在这里；请流程设计员改写该表达式")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)  # Number.longValue: toward zero
    if isinstance(value, str):
        if len(value) <= 20 and _LONG.fullmatch(value) and _LONG_MIN <= int(value) <= _LONG_MAX:
            return int(value)
        raise JuelMethodError(f"JUEL 表达式把{_said(name, value)}与整数比较，但它不是整数（只能是数字，不含小数点、空格或逗号）："
                              "Camunda、Flowable 同样停在这里；请改为整数后重试，或请流程设计员把该表单字段设为数字类型")
    raise JuelMethodError(f"JUEL 表达式把{_said(name, value)}当作数字比较，它不是数字：Camunda、Flowable 同样停在这里")


def as_double(value, name: str = ""):
    """``value`` as EL coerces it to a floating number (Double); raises JuelMethodError where EL stops."""
    if value is None or value == "":
        return 0.0
    if value is True or value is False:
        return as_long(value, name)  # the same refusal
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip(" \t\n\r\x0b\x0c")  # Double.valueOf trims what String.trim trims
        if _DOUBLE.fullmatch(text):
            return float(text.rstrip("fFdD").replace("Infinity", "inf").replace("NaN", "nan"))
        raise JuelMethodError(f"JUEL 表达式把{_said(name, value)}当作数字比较，但它不是数字："
                              "Camunda、Flowable 同样停在这里；请改为数字后重试，或请流程设计员把该表单字段设为数字类型")
    raise JuelMethodError(f"JUEL 表达式把{_said(name, value)}当作数字比较，它不是数字：Camunda、Flowable 同样停在这里")


def _as_text(value) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return str(value)


def _kind(value) -> str:
    if value is True or value is False:
        return "boolean"
    if isinstance(value, float):
        return "double"
    if isinstance(value, int):
        return "long"
    if isinstance(value, str):
        return "text"
    return "other"


@host_safe
def compare(left, operator: str, right, left_name: str = "", right_name: str = "") -> bool:
    """``left operator right`` as EL computes it (the module's docstring); ``*_name``: each side as
    the model wrote it, for the error."""
    if operator not in ORDERING:
        raise JuelMethodError(f"不支持的比较「{str(operator)[:4]}」")
    if left is None and right is None:
        return operator in ("<=", ">=")
    if left is None or right is None:
        return False
    kinds = (_kind(left), _kind(right))
    if "double" in kinds:
        a, b = as_double(left, left_name), as_double(right, right_name)
    elif "long" in kinds:
        a, b = as_long(left, left_name), as_long(right, right_name)
    elif "text" in kinds:
        a, b = _as_text(left), _as_text(right)
        # Java's String.compareTo compares UTF-16 units: as Python's str for text within the BMP
        return _ordered(a, operator, b)
    elif kinds == ("boolean", "boolean"):
        a, b = left, right
    else:
        raise JuelMethodError(f"JUEL 表达式比较{_said(left_name, left)}与{_said(right_name, right)}的大小，"
                              "这两种值不能比较：Camunda、Flowable 同样停在这里；请流程设计员改写该表达式")
    return _ordered(a, operator, b)


def _ordered(a, operator: str, b) -> bool:
    if operator == "<":
        return a < b
    if operator == ">":
        return a > b
    if operator == "<=":
        return not a > b  # EL's le is "not gt": NaN <= 1 is true, as in Java's !(a > b)
    return not a < b
