"""FEEL's built-in functions (内置函数) over case data that a Camunda 8 expression or a decision table's
cell calls, computed when the case runs as Zeebe's FEEL (feel-scala; DMN 1.3 §10.3.4) computes them.

engine/dialects.py translates ``sum``, ``min``, ``max``, ``substring`` and ``date``/``date and time``
of a value the case decides into a call of one of these (``duban_feel_sum(fines)``,
``duban_feel_substring(unit, 1, 2)``, ``duban_feel_date(reportDay)``); the deploy refused ``min``,
``max``, ``substring`` and a date of a variable, which Zeebe evaluates. Each is host-safe
(engine/evaluator.host_safe): pure, on the values alone.

- ``sum``, ``min``, ``max`` of a list or of several values: null when the list is null; ``min``/``max``
  of no value null (DMN 1.3: ``max([])`` is null); ``sum([])`` 0 as before.
- ``substring(string, start position[, length])``: the first character is 1, a negative start counts
  from the end (``substring("foobar", -2, 1)`` is "a"); null on null.
- ``date(x)`` of the text 「2026-11-01」 is that day as ISO text, as engine/dialects writes
  ``date("2026-11-01")``, so the two compare as the days they are; ``date and time(x)`` of
  「2026-11-01T09:00:00」 likewise; null on null.

What the functions cannot read — an item that is null or no number in a sum, a start position of 0,
「2026年11月1日」 or 「2026-13-01」 for a day — stops the case with an incident in Chinese naming the
value (``JuelMethodError``'s words, as engine/juel_methods' errors are shown), never an answer
Zeebe might not give.
"""
from __future__ import annotations

import datetime as dt
import re

from .evaluator import host_safe
from .juel_methods import JuelMethodError  # what stops, said in Chinese in the incident

SUM = "duban_feel_sum"
MIN = "duban_feel_min"
MAX = "duban_feel_max"
SUBSTRING = "duban_feel_substring"
DATE = "duban_feel_date"
DATE_TIME = "duban_feel_date_time"

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _shown(value) -> str:
    return "空值" if value is None else f"「{str(value)[:40]}」"


def _items(name: str, values: tuple):
    """The values a list function reads: the list given alone, or the values given; None for a null list."""
    if len(values) == 1 and (values[0] is None or isinstance(values[0], list)):
        return values[0]
    return list(values)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@host_safe
def feel_sum(*values):
    items = _items("sum", values)
    if items is None:
        return None
    for i, item in enumerate(items, 1):
        if not _number(item):
            raise JuelMethodError(f"FEEL 函数 sum(...) 的第 {i} 项{_shown(item)}不是数字，无法求和；"
                                  "请补正该项数据后重试，或请流程设计员先筛去空值（如 sum(fines[item != null])）")
    return sum(items)


def _extreme(name: str, values: tuple, pick):
    items = _items(name, values)
    if not items:
        return None
    if all(_number(item) for item in items) or all(isinstance(item, str) for item in items):
        return pick(items)
    odd = next(item for item in items if not (_number(item) if _number(items[0]) else isinstance(item, str)))
    raise JuelMethodError(f"FEEL 函数 {name}(...) 的值{_shown(odd)}与其他值不能比较大小（须都是数字或都是文字）；"
                          "请补正该数据后重试")


@host_safe
def feel_min(*values):
    return _extreme("min", values, min)


@host_safe
def feel_max(*values):
    return _extreme("max", values, max)


def _whole(value, what: str) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise JuelMethodError(f"FEEL 函数 substring(...) 的{what}{_shown(value)}不是整数")
    return value


@host_safe
def feel_substring(text, start, length=None):
    if text is None or start is None:
        return None
    if not isinstance(text, str):
        raise JuelMethodError(f"FEEL 函数 substring(...) 的第一个参数{_shown(text)}不是文字")
    start = _whole(start, "起始位置")
    if start == 0:
        raise JuelMethodError("FEEL 函数 substring(...) 的起始位置是 0：第一个字是 1，倒数第一个字是 -1")
    begin = start - 1 if start > 0 else max(len(text) + start, 0)
    if length is None:
        return text[begin:]
    length = _whole(length, "长度")
    if length < 0:
        raise JuelMethodError(f"FEEL 函数 substring(...) 的长度 {length} 是负数")
    return text[begin:begin + length]


@host_safe
def feel_date(value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise JuelMethodError(f"FEEL 函数 date(...) 读不出日期{_shown(value)}：须是 2026-11-01 这样的日期（Zeebe 也只读这种写法）；"
                          "请改正该数据后重试，或请流程设计员把该表单字段设为日期类型")


@host_safe
def feel_date_time(value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str) and _DAY.match(value) and "T" in value:
        try:
            return dt.datetime.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise JuelMethodError(f"FEEL 函数 date and time(...) 读不出时间{_shown(value)}：须是 2026-11-01T09:00:00 这样的时间"
                          "（Zeebe 也只读这种写法）；请改正该数据后重试，或请流程设计员把该表单字段设为日期时间类型")


FUNCTIONS = {SUM: feel_sum, MIN: feel_min, MAX: feel_max, SUBSTRING: feel_substring, DATE: feel_date,
             DATE_TIME: feel_date_time}
