"""Flowable's variable functions (变量函数) in JUEL: ``${vars:equals(decision, 'goUp')}`` and its family.

Flowable 6 registers functions under the prefixes ``variables:``, ``vars:`` and ``var:`` whose first
argument names a case variable — bare (``decision``) or quoted (``'decision'``) — and which answer
without failing when the variable is absent or null (Flowable's ``AbstractFlowableVariableExpressionFunction``
and its subclasses, "Expression functions" in the Flowable user guide):

- ``get(v)`` its value (null when absent); ``getOrDefault(v, d)`` its value, ``d`` when null;
- ``exists(v)`` whether it has a value (here: is not null — the case keeps no absent-but-declared);
- ``isEmpty``/``empty``: null, ``""`` or an empty list; ``isNotEmpty``/``notEmpty`` the opposite;
- ``equals``/``eq``, ``notEquals``/``ne``: numbers by value, anything else only if the same kind and
  equal (Java's ``Objects.equals``: true is not 1, "1" is not 1); null equals only null;
- ``lowerThan``/``lessThan``/``lt``, ``lowerThanOrEquals``/``lessThanOrEquals``/``lte``,
  ``greaterThan``/``gt``, ``greaterThanOrEquals``/``gte``: false when either side is null; numbers by
  value, texts by their order; anything else is an error (Java's ``compareTo`` refuses it);
- ``contains(v, a, b…)``: a text containing every given text, or a list holding every value;
  ``containsAny`` one of them; false for null or any other kind.

``masked`` replaces each such call of a JUEL text with a placeholder name (engine/dialects.py
translates the rest and puts back each call's Python: ``duban_flowable_var('equals', decision, 'goUp')``);
``call`` is that helper, host-safe (pure, on the values alone). A function not in this family
(``vars:base64``) or a first argument that is no variable name is refused naming it.
"""
from __future__ import annotations

import re

from .evaluator import host_safe
from .expressions import JUEL, Untranslatable, closing, split_top_level, translate
from .juel_methods import JuelMethodError  # what Java stops on, said in Chinese in the incident

HELPER = "duban_flowable_var"
_CALL = re.compile(r"\b(?:variables|vars|var):([A-Za-z]\w*)\s*\(")
_QUOTED = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\"""")
_NAME = re.compile(r"""^(?:([A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*)|'([A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*)'|"([A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*)")$""")

# Flowable's local names -> (our function, how many arguments after the variable: exact or at least)
FUNCTIONS = {
    "get": ("get", 0), "getOrDefault": ("getOrDefault", 1), "exists": ("exists", 0),
    "isEmpty": ("isEmpty", 0), "empty": ("isEmpty", 0), "isNotEmpty": ("isNotEmpty", 0), "notEmpty": ("isNotEmpty", 0),
    "equals": ("equals", 1), "eq": ("equals", 1), "notEquals": ("notEquals", 1), "ne": ("notEquals", 1),
    "lowerThan": ("lt", 1), "lessThan": ("lt", 1), "lt": ("lt", 1),
    "lowerThanOrEquals": ("lte", 1), "lessThanOrEquals": ("lte", 1), "lte": ("lte", 1),
    "greaterThan": ("gt", 1), "gt": ("gt", 1), "greaterThanOrEquals": ("gte", 1), "gte": ("gte", 1),
    "contains": ("contains", -1), "containsAny": ("containsAny", -1),
}


def has_calls(text: str) -> bool:
    return bool(_CALL.search(_QUOTED.sub("''", text or "")))


def masked(text: str, calls: dict[str, str], said_as: dict[str, str] | None = None,
           placeholder: str = "duban_call_{}") -> tuple[str, set[str]]:
    """``text`` (a whole JUEL expression) with each variable function call replaced by a placeholder
    whose Python goes in ``calls``; and the variables the calls name. Raises Untranslatable."""
    original = text.strip()
    plain = _QUOTED.sub(lambda m: "'" + " " * (len(m.group()) - 2) + "'", text)
    out, at, names = [], 0, set()
    while (m := _CALL.search(plain, at)):
        said = text[m.start():m.end() - 1].strip()
        if m.group(1) not in FUNCTIONS:
            known = "、".join(sorted({k for k in FUNCTIONS}))
            raise Untranslatable(JUEL, original, f"使用了 Flowable 的变量函数「{said}」，本系统只支持 {known}")
        close = closing(text, m.end() - 1)
        if close is None:
            raise Untranslatable(JUEL, original, f"中「{said}(」的括号不配对")
        args = [a.strip() for a in split_top_level(text[m.end():close])] if text[m.end():close].strip() else []
        function, more = FUNCTIONS[m.group(1)]
        name = _NAME.match(args[0]) if args else None
        if name is None:
            raise Untranslatable(JUEL, original, f"中「{said}」的第一个参数应是流程变量名（如 {said}(decision, …)）")
        if (more >= 0 and len(args) - 1 != more) or (more < 0 and len(args) < 2):
            raise Untranslatable(JUEL, original, f"中「{said}」的参数个数不对")
        variable = next(g for g in name.groups() if g)
        names.add(variable)
        python = [repr(function), variable]
        for arg in args[1:]:
            inner_calls: dict[str, str] = {}
            inner, inner_names = masked(arg, inner_calls, placeholder="duban_inner_{}")
            names |= inner_names
            value = translate("${" + inner + "}")
            for key, code in inner_calls.items():
                value = re.sub(rf"\b{key}\b", lambda _m, c=code: c, value)
            python.append(value)
        key = placeholder.format(len(calls))
        calls[key] = f"{HELPER}({', '.join(python)})"
        if said_as is not None:
            said_as[key] = f"{said}({variable})"
        out += [text[at:m.start()], key]
        at = close + 1
    return "".join(out) + text[at:], names


_PIECE = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|duban_call_\d+""")


def restored(python: str, calls: dict[str, str], said_as: dict[str, str]) -> str:
    """``python`` with each placeholder back as its call's Python; inside a quoted text (a name an
    error message says) as the call as written, ``vars:equals(decision)``."""
    def put(m):
        piece = m.group()
        if piece[0] in "'\"":
            return re.sub(r"duban_call_\d+", lambda k: said_as.get(k.group(), "vars"), piece)
        return calls[piece]
    return _PIECE.sub(put, python)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equals(value, other) -> bool:
    if _number(value) and _number(other):
        return value == other
    return type(value) is type(other) and value == other if value is not None else other is None


def _compare(value, other, op: str) -> bool:
    if value is None or other is None:
        return False
    if not ((_number(value) and _number(other)) or (isinstance(value, str) and isinstance(other, str))):
        raise JuelMethodError(f"变量函数不能比较「{value}」与「{other}」的大小：一个是数字，一个是文字（Flowable 同样报错）；请让表单把该字段填为数字")
    return {"lt": value < other, "lte": value <= other, "gt": value > other, "gte": value >= other}[op]


def _holds(value, item) -> bool:
    if isinstance(value, str):
        if not isinstance(item, str):
            raise JuelMethodError(f"变量函数 contains 在文字中只能查找文字，不能查找「{item}」")
        return item in value
    return any(_equals(v, item) for v in value)


@host_safe
def call(function: str, value, *args):
    """The value of Flowable's variable function ``function`` on the variable's ``value``."""
    if function == "get":
        return value
    if function == "getOrDefault":
        return args[0] if value is None else value
    if function == "exists":
        return value is not None
    if function in ("isEmpty", "isNotEmpty"):
        empty = value is None or (isinstance(value, (str, list)) and len(value) == 0)
        return empty if function == "isEmpty" else not empty
    if function in ("equals", "notEquals"):
        same = _equals(value, args[0])
        return same if function == "equals" else not same
    if function in ("lt", "lte", "gt", "gte"):
        return _compare(value, args[0], function)
    if function in ("contains", "containsAny"):
        if not isinstance(value, (str, list)):
            return False
        found = (_holds(value, item) for item in args)
        return all(found) if function == "contains" else any(found)
    raise JuelMethodError(f"不支持的变量函数「{function}」")
