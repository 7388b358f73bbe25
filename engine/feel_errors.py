"""A translated FEEL expression that Python could not compute, said in Chinese (FEEL 表达式无法计算).

A Camunda 8 model's FEEL is translated to Python at deploy (engine/expressions.py, engine/feel_null.py).
Where the case's data is of a kind the expression does not expect — 「三十」 typed where ``= reviewDays >
30`` compares a number, text where a list is summed — Python stops with its own English words
(``'>' not supported between instances of 'str' and 'int'``), which reached the incident as they
were. ``said`` turns such an error into the Chinese an official and the process designer read: the
expression as the model wrote it (``with_source`` keeps it as a comment line of the translated
condition), the kinds of the values, and what to do. ``engine/evaluator.py`` raises it in the words
of the engine's other expression stops (``JuelMethodError``: the gateway names its flow with them,
the incident says them first).
"""
from __future__ import annotations

import ast

from . import incident_words
from .excerpt import excerpt

SOURCE = "# FEEL: "  # the line of a translated FEEL condition that holds the expression as written
ERRORS = (TypeError, KeyError, ValueError, ZeroDivisionError, IndexError, AttributeError, OverflowError)

# FEEL's reasons, in the words of the one table of Python's failures (engine/incident_words.FAILURES)
_FEEL_ORDER = ("ordered", "arithmetic", "concatenate", "list_by_name", "text_by_name", "not_container",
               "not_subscriptable", "not_iterable", "unary")


def with_source(python: str, feel: str) -> str:
    """``python`` (a translated FEEL condition, its first line perhaps the absent-as-null one) with a
    line holding ``feel`` as written (quoted by ``repr``: one line, nothing of it read as code)."""
    line = f"{SOURCE}{excerpt(feel.strip())!r}"
    first, newline, rest = python.partition("\n")
    if first.startswith("#") and newline:
        return f"{first}\n{line}\n{rest}"
    return f"{line}\n{python}"


def source_of(python: str) -> str | None:
    """The FEEL expression ``with_source`` kept in ``python``, or None."""
    at = python.find(SOURCE)
    if at < 0:
        return None
    try:
        value = ast.literal_eval(python[at + len(SOURCE):].partition("\n")[0])
    except (SyntaxError, ValueError):
        return None
    return value if isinstance(value, str) else None


def type_name_and_message(exc: BaseException) -> tuple[str, str] | None:
    """(type name, message) of a Python error a FEEL expression raised — in the host, or reported
    by the worker (engine/evaluator.ModelCodeError) — or None for any other failure."""
    if isinstance(exc, ERRORS):
        return type(exc).__name__, str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    name = getattr(exc, "type_name", None)
    if name in {e.__name__ for e in ERRORS}:
        return name, str(exc).split(": ", 1)[-1]
    return None


def said(exc: BaseException, python: str, target: str | None = None, data=None) -> str | None:
    """The Chinese of ``exc`` raised by the translated FEEL ``python`` (``target``: the variable a
    mapping was computing; ``data``: the case data it read, to name a text ordered against a number),
    or None when it is no Python error of the data."""
    error = type_name_and_message(exc)
    if error is None:
        return None
    type_name, message = error
    if type_name == "ZeroDivisionError":
        reason = "除数为零"
    elif type_name == "KeyError":
        reason = f"上下文中没有「{excerpt(message.strip(chr(39)))}」"
    else:
        reason = next((incident_words.FAILURES[name].words(m) for name, m in incident_words.found(message, _FEEL_ORDER)),
                      "案件数据的类型与表达式不符")
        name = text_ordered_against_number(python, data) if isinstance(data, dict) and "'str'" in message else None
        if name is not None:  # as JUEL's and Python's conditions say it (engine/incidents.py; webui/labels reads it)
            subject = "表达式" if target else "条件"
            reason = f"{subject}把案件数据「{name}」当作数字比较，但它的值「{excerpt(data[name])}」不是数字（是文字）"
    feel = source_of(python)
    what = f"FEEL 表达式「{excerpt(feel)}」" if feel else (f"计算「{excerpt(target)}」的 FEEL 表达式" if target else "FEEL 表达式")
    return (f"{what}无法计算：{reason}；请补正该数据后重试，"
            "或请流程设计员检查该表达式和填写这些数据的表单字段的类型")


_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def text_ordered_against_number(expression: str, data: dict) -> str | None:
    """The case-data name ``expression`` orders (<, <=, >, >=) against a number while its value is text
    (``deaths_risk >= 3`` with "3"; not ``major == True`` with "true" beside it, which is no error)."""
    try:
        tree = ast.parse("\n".join(line for line in expression.splitlines() if not line.lstrip().startswith("#")).strip(),
                         mode="eval")
    except SyntaxError:
        return None

    def number(node: ast.AST) -> bool:
        value = node.value if isinstance(node, ast.Constant) else \
            data.get(node.id) if isinstance(node, ast.Name) else None
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands, operands[1:]):
            if not isinstance(op, _ORDERING):
                continue
            for text, other in ((left, right), (right, left)):
                if isinstance(text, ast.Name) and isinstance(data.get(text.id), str) and number(other):
                    return text.id
    return None
