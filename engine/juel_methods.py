"""JUEL method calls (方法调用) of Camunda 7, Flowable and Activiti models, evaluated as Java does.

Chinese Flowable models write gateway conditions with the methods of Java's String and Collection:
``${flag.equals('驳回')}``, ``${opinion.contains("驳回")}``, ``${approvedCounter == users.size()}``,
``${!comment.isEmpty()}``. engine/expressions.py translates a call of one of ``METHODS`` on a
variable (or a field of one) into ``duban_juel_call(flag, 'equals', 'flag', '驳回')`` (the value, the
method, the variable as written, the arguments); any other
method (``getClass``, ``forName``, a chain such as ``a.trim().isEmpty()``) is refused at deploy
naming it. The call runs here, in the host, on the values alone: the method is looked up in this
module's own table, never as an attribute of a value, so model code reaches nothing of Python's.

As JUEL does (``AstMethod.invoke``), a call on null stops: "base expression resolved to null"
(PropertyNotFoundException), and a method the value's class lacks (``length()`` of a number, a
``contains`` on a map) stops too (MethodNotFoundException); both are errors in Chinese here, naming
the variable and the method, which the case's incident shows.
"""
from __future__ import annotations

import re

from .evaluator import host_safe
from .expressions import JUEL_HELPER, JUEL_METHODS


class JuelMethodError(ValueError):
    """A JUEL method call Java would refuse: on null, or a method the value does not have."""


def said_of(exc: BaseException) -> str | None:
    """The Chinese words of a ``JuelMethodError`` behind ``exc`` (SpiffWorkflow's "Error evaluating
    expression", raised while the helper's error, crossed as the worker's, was being handled), or None."""
    seen = 0
    while exc is not None and seen < 5:
        text = str(exc)
        if f"{JuelMethodError.__name__}: " in text:
            said = text.split(f"{JuelMethodError.__name__}: ", 1)[1]
            # the worker's line and what SpiffWorkflow adds after it (". Error occurred in the Post-Script")
            return re.sub(r" \(第 \d+ 行\).*$", "", said, flags=re.S)
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _kind(value) -> str:
    if isinstance(value, bool):
        return "是/否"
    if isinstance(value, (int, float)):
        return "数字"
    if isinstance(value, str):
        return "文字"
    if isinstance(value, (list, tuple)):
        return "列表"
    if isinstance(value, dict):
        return "对象"
    return "值"


def _equals(receiver, other) -> bool:
    """``Object.equals``: the same kind of value and equal (Java's ``Boolean.TRUE.equals(1)`` is false)."""
    return _kind(receiver) == _kind(other) and receiver == other


def _text(receiver, argument, method: str) -> str:
    if not isinstance(argument, str):
        raise JuelMethodError(f"方法 {method}(...) 的参数须是文字，得到的是{_kind(argument) if argument is not None else '空值'}")
    return argument


# method name -> (the kinds of value that have it, the number of arguments, what it computes)
METHODS = {
    "equals": (("文字", "数字", "是/否", "列表", "对象"), 1, _equals),
    "equalsIgnoreCase": (("文字",), 1, lambda s, t: isinstance(t, str) and s.casefold() == t.casefold()),
    "contains": (("文字", "列表"), 1, lambda s, t: (_text(s, t, "contains") in s) if isinstance(s, str) else t in s),
    "startsWith": (("文字",), 1, lambda s, t: s.startswith(_text(s, t, "startsWith"))),
    "endsWith": (("文字",), 1, lambda s, t: s.endswith(_text(s, t, "endsWith"))),
    "length": (("文字",), 0, len),
    "size": (("列表", "对象"), 0, len),
    "isEmpty": (("文字", "列表", "对象"), 0, lambda s: len(s) == 0),
}
assert {name: count for name, (_, count, _) in METHODS.items()} == JUEL_METHODS


@host_safe
def juel_call(receiver, method: str, name: str, *arguments):
    """``receiver.method(arguments)`` as Java computes it; ``name``: the variable as the model wrote it."""
    if method not in METHODS:  # only engine/expressions.py writes the name; a Python script may call this too
        raise JuelMethodError(f"不支持的 JUEL 方法「{str(method)[:40]}」")
    kinds, count, compute = METHODS[method]
    said = f"「{name}」" if name else "对象"
    if receiver is None:
        raise JuelMethodError(f"JUEL 表达式调用 {name}.{method}(...)，但{said}没有值（空）："
                              "Camunda、Flowable 同样停在这里；请补充该数据后重试，或请流程设计员先判断它不为空"
                              f"（如 ${{{name} != null && {name}.{method}(...)}}）")
    kind = _kind(receiver)
    if kind not in kinds:
        raise JuelMethodError(f"JUEL 表达式调用 {name}.{method}(...)，但{said}的值是{kind}，没有 {method} 方法："
                              "Camunda、Flowable 同样停在这里；请流程设计员改写该表达式")
    if len(arguments) != count:
        raise JuelMethodError(f"JUEL 表达式调用 {name}.{method}(...) 的参数个数不对：须有 {count} 个")
    return compute(receiver, *arguments)
