"""FEEL's lists in translated Camunda 8 expressions: the two steps of a filter or an iteration that
Python has no plain words for (engine/expressions.py ``_feel_filter``, ``_feel_iteration``), and its index.

- ``duban_feel_list(value)``: FEEL iterates a value that is no list as the list of it (DMN 1.3
  §10.3.2.5: ``5[item > 3]`` is ``[5]``); a Python ``for`` would iterate a text by its characters.
- ``duban_feel_item(value, n)``: FEEL's index ``opinions[1]`` (DMN 1.3 §10.3.2.5, feel-scala): the
  first item is 1, ``-1`` the last; an index past either end, 0, or a list that is null gives null;
  a value that is no list is the list of it. Python's ``opinions[1]`` is the second item.
- ``duban_feel_get(value, label, key, …)``: a FEEL path (``order.customer.name``; a one-step path
  when its plain form failed, engine/feel_null.projected): null on null or on a key the context lacks
  (Camunda's FEEL language guide: ``{a: 1}.b.c`` is null); over a list FEEL's projection (DMN 1.3
  §10.3.2.2: ``orders.price`` is the list of each order's price, null for an item without it); over
  a number or a text it stops in Chinese.
- ``duban_feel_field(item, name, outside)``: in a filter's condition a name is the item's field of
  that name when the item is a context that has it (``hazards[level = "重大"]``), else the name
  outside (the case's variable).
- ``duban_feel_range(first, last)``: the whole numbers ``for i in 1..3`` walks (DMN 1.3 §10.3.2.7:
  from the first end to the last, counting down when the first is greater); null at a null end; an
  end that is no whole number, or more than ``MAX_RANGE`` numbers, stops in Chinese (「表达式的范围「1..100000」太长：
  有 100,000 个数，超过上限 10,000 个」, the element named before it by the incident).

All are host-safe (engine/evaluator.host_safe): pure, on the values alone; the field is read with
``dict`` indexing only, never as an attribute.
"""
from __future__ import annotations

from .evaluator import host_safe
from .juel_methods import JuelMethodError  # what stops, said in Chinese in the incident

LIST = "duban_feel_list"
GET = "duban_feel_get"
FIELD = "duban_feel_field"
ITEM = "duban_feel_item"
RANGE = "duban_feel_range"

# 范围取值上限: what one ``for i in 1..n`` may walk (a 会签人数 typed with extra zeros made a
# multi-instance of 300,000; engine/parser.MAX_INSTANCES bounds instances, this the list before them).
MAX_RANGE = 10000


@host_safe
def feel_list(value):
    return value if isinstance(value, list) else [value]


@host_safe
def feel_field(item, name, outside):
    return item[name] if isinstance(item, dict) and isinstance(name, str) and name in item else outside


@host_safe
def feel_item(value, n):
    if value is None or not isinstance(n, int) or isinstance(n, bool):
        return None
    items = feel_list(value)
    if 1 <= n <= len(items):
        return items[n - 1]
    if -len(items) <= n <= -1:
        return items[n]
    return None


def _projected(items: list, key):
    """A path step over a list (FEEL's projection, DMN 1.3 §10.3.2.2 path expressions): each item's
    entry, null for an item that is no context or lacks it."""
    return [item.get(key) if isinstance(item, dict) else None for item in items]


@host_safe
def feel_get(value, label: str, *keys):
    """``value.k1.k2…`` (``label``: the variable as written, for the error); over a list, the list of
    its items' entries (``orders.price``)."""
    for step, key in enumerate(keys):
        if value is None:
            return None
        if isinstance(value, list):
            value = _projected(value, key)
            continue
        if not isinstance(value, dict):
            kind = "列表" if isinstance(value, list) else "文字" if isinstance(value, str) else "数字或是/否"
            raise JuelMethodError(f"FEEL 表达式取「{'.'.join(str(k) for k in (label, *keys[:step + 1]) if k)[:80]}」，但取到「{str(key)[:40]}」之前的值是"
                                  f"{kind}，不是上下文（键值对）：本系统无法取其中的「{str(key)[:40]}」；请流程设计员检查该路径")
        value = value.get(key)
    return value


def _whole(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:  # Decimal
        return int(value) if value == int(value) else None
    except (TypeError, ValueError, ArithmeticError):
        return None


@host_safe
def feel_range(first, last):
    if first is None or last is None:
        return None
    ends = (_whole(first), _whole(last))
    for end, given in zip(ends, (first, last)):
        if end is None:
            raise JuelMethodError(f"FEEL 表达式的范围「{str(first)[:40]}..{str(last)[:40]}」的端点「{str(given)[:40]}」"
                                  "不是整数：本系统无法逐一取值；请补填为整数后重试")
    low, high = ends
    if abs(high - low) + 1 > MAX_RANGE:  # said without a Latin word, so the incident page shows it (webui/labels.py)
        raise JuelMethodError(f"表达式的范围「{low}..{high}」太长：有 {abs(high - low) + 1:,} 个数，超过上限 {MAX_RANGE:,} 个；"
                              "请核对数据（如人数、份数）是否填写有误后重试，或请流程设计员修改模型")
    return list(range(low, high + 1)) if low <= high else list(range(low, high - 1, -1))
