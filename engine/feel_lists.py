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

Both are host-safe (engine/evaluator.host_safe): pure, on the values alone; the field is read with
``dict`` indexing only, never as an attribute.
"""
from __future__ import annotations

from .evaluator import host_safe
from .juel_methods import JuelMethodError  # what stops, said in Chinese in the incident

LIST = "duban_feel_list"
GET = "duban_feel_get"
FIELD = "duban_feel_field"
ITEM = "duban_feel_item"


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
