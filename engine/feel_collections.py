"""FEEL's list and context functions (列表与上下文函数) a Camunda 8 expression calls, computed when the
case runs as Zeebe's FEEL (feel-scala; DMN 1.3 §10.3.4.4 list functions, §10.3.4.10 context
functions, and feel-scala's ``string join``): ``string join(inspectors, "、")``, ``distinct
values(areas)``, ``append(items, "复查")``, ``concatenate(a, b)``, ``index of(levels, "重大")``,
``sublist(items, 1, 2)``, ``reverse``, ``flatten``, ``union``, ``remove``, ``insert before``,
``mean``, ``product``, ``all``, ``any``, ``context put(notice, "status", "待送达")``, ``get
value(notice, "no")``, ``get entries``, ``context merge``.

engine/dialects.py translates each call into this module's one helper (``duban_feel_collection('distinct
values', areas)``); the deploy refused every one of them (「调用了函数「values(...)」」, naming half the function).
Each is host-safe (engine/evaluator.host_safe): pure, on the values alone, never a Python attribute.

Null as FEEL has it: a null list or context gives null (``count(null)`` is null, as the other
translated functions); ``string join`` leaves null items out (DMN 1.4). What FEEL would not compute —
a list function given text, a position of 0 or past the end, ``get value`` of a list — stops the case
with an incident in Chinese naming the function and the value (``JuelMethodError``'s words), never
an answer Zeebe might not give.
"""
from __future__ import annotations

from .evaluator import host_safe
from .juel_methods import JuelMethodError
from .restricted import DECIMAL_EXPONENT, PLAIN_SCRIPT_UNITS

CALL = "duban_feel_collection"
JOINED_MAX = PLAIN_SCRIPT_UNITS
"""The longest text ``string join`` makes (a plain script's bound, 1,000,000 characters): it
runs in the server's process, and its result is the items times the separator — 100,000 empty items and a
separator of 2,000 characters made 200,000,000 characters there (1.6 GB traced) until 2026-12-07
(tests/test_security_review15_s29.py)."""

# FEEL name -> (fewest, most) arguments (None: any number)
ARITY = {
    "string join": (1, 2), "distinct values": (1, 1), "append": (2, None), "concatenate": (1, None),
    "index of": (2, 2), "sublist": (2, 3), "reverse": (1, 1), "flatten": (1, 1), "union": (1, None),
    "remove": (2, 2), "insert before": (3, 3), "mean": (1, None), "product": (1, None), "all": (1, None),
    "any": (1, None), "context put": (3, 3), "get value": (2, 2), "get entries": (1, 1), "context merge": (1, 1),
}


def _shown(value) -> str:
    return "空值" if value is None else f"「{str(value)[:40]}」"


def _list(name: str, value) -> list:
    if not isinstance(value, list):
        raise JuelMethodError(f"函数「{name}」的参数{_shown(value)}不是列表")
    return value


def _context(name: str, value) -> dict:
    if not isinstance(value, dict):
        raise JuelMethodError(f"函数「{name}」的参数{_shown(value)}不是上下文（一组数据）")
    return value


def _whole(name: str, value, what: str) -> int:
    if isinstance(value, bool) or not (isinstance(value, int) or isinstance(value, float) and value.is_integer()):
        raise JuelMethodError(f"函数「{name}」的{what}{_shown(value)}不是整数")
    return int(value)


def _items(name: str, args: tuple) -> list | None:
    """A function of a list or of the values given (``mean([1, 2])``, ``mean(1, 2)``)."""
    if len(args) == 1 and (args[0] is None or isinstance(args[0], list)):
        return args[0]
    return list(args)


def _numbers(name: str, items: list) -> list:
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            raise JuelMethodError(f"函数「{name}」的列表项{_shown(item)}不是数字")
    return items


def _yes_no(name: str, items: list):
    for item in items:
        if item is not None and not isinstance(item, bool):
            raise JuelMethodError(f"函数「{name}」的列表项{_shown(item)}不是是/否")
    return items


def _position(name: str, items: list, start) -> int:
    """A 1-based FEEL position (negative: from the end) as a Python index; past either end stops."""
    at = _whole(name, start, "位置")
    if at == 0 or abs(at) > len(items) + (1 if name == "insert before" else 0):
        raise JuelMethodError(f"函数「{name}」的位置 {at} 超出列表（共 {len(items)} 项；第一项是 1，倒数第一项是 -1）")
    return at - 1 if at > 0 else len(items) + at


# What a call may compare at most: the items of ``distinct values``/``union`` that are lists or
# contexts (not hashable) each against those kept before. Each call is a host function, computed in
# the host, which checks its CPU time only between calls: before (2026-12-07) each item was compared
# with every item kept (``item not in out``), so ``distinct values`` of 20,000 numbers took 2 s of the
# server thread's CPU and of the million items ``range`` gives hours, in one call.
MAX_COMPARISONS = 2_000_000
# 列表长度上限: the most items a list one of these functions makes may hold (ten times the longest
# range an iteration walks, feel_lists.MAX_RANGE). Past it the case stops saying so, naming the
# function: before, a longer list ran on until the script's CPU bound or was refused as the value of
# 「duban_feel_collection」, a name of ours no designer wrote.
MAX_ITEMS = 100_000
_LARGEST = 10 ** DECIMAL_EXPONENT


def _distinct(name: str, lists: list[list]) -> list:
    """The items of ``lists`` in order, each kept once (FEEL's equality as Python's ``==``, as before):
    numbers, texts, days… through a set; lists and contexts against those kept, up to ``MAX_COMPARISONS``."""
    out: list = []
    seen: set = set()
    unhashable: list = []
    compared = 0
    for items in lists:
        for item in items:
            try:
                if item in seen:
                    continue
                seen.add(item)
            except TypeError:  # a list or a context: equal only to a list or a context
                compared += len(unhashable)
                if compared > MAX_COMPARISONS:
                    raise JuelMethodError(f"函数「{name}」的列表中各不相同的子列表或上下文过多（逐一比较超过 "
                                          f"{MAX_COMPARISONS:,} 次），请先缩小列表") from None
                if item in unhashable:
                    continue
                unhashable.append(item)
            out.append(item)
    return out


@host_safe
def feel_collection(name: str, *args):
    """FEEL's ``name(args…)`` (ARITY's names only); a list it makes holds at most ``MAX_ITEMS`` items."""
    made = _computed(name, args)
    if isinstance(made, list) and len(made) > MAX_ITEMS:
        raise JuelMethodError(f"函数「{name}」得到的列表太长：有 {len(made):,} 项，超过上限 {MAX_ITEMS:,} 项；"
                              "请核对数据是否填写有误后重试，或请流程设计员修改模型")
    return made


def _computed(name: str, args: tuple):
    if name in ("mean", "product", "all", "any"):
        items = _items(name, args)
        if items is None:
            return None
        if name in ("all", "any"):
            _yes_no(name, items)
            if name == "all":
                return False if False in items else (None if None in items else True)
            return True if True in items else (None if None in items else False)
        _numbers(name, items)
        if name == "mean":
            return None if not items else sum(items) / len(items)
        out = 1
        for item in items:
            out *= item
            if isinstance(out, int) and abs(out) > _LARGEST:  # each step's cost grows with the digits
                raise JuelMethodError(f"函数「product」的乘积超出数值范围（绝对值须在 10 的 {DECIMAL_EXPONENT} 次方以内）")
        return None if not items else out
    if args and args[0] is None and name not in ("concatenate", "union"):
        return None  # a null list or context: null
    if name == "string join":
        items = _list(name, args[0])
        if any(item is not None and not isinstance(item, str) for item in items):
            bad = next(item for item in items if item is not None and not isinstance(item, str))
            raise JuelMethodError(f"函数「string join」的列表项{_shown(bad)}不是文字")
        sep = args[1] if len(args) > 1 else ""
        if sep is None:
            sep = ""
        if not isinstance(sep, str):
            raise JuelMethodError(f"函数「string join」的分隔符{_shown(sep)}不是文字")
        kept = [item for item in items if item is not None]
        if sum(map(len, kept)) + len(sep) * max(len(kept) - 1, 0) > JOINED_MAX:
            raise JuelMethodError(f"函数「string join」的结果超过 {JOINED_MAX} 个字；请核对要连接的列表和分隔符")
        return sep.join(kept)
    if name == "distinct values":
        return _distinct(name, [_list(name, args[0])])
    if name == "append":
        return [*_list(name, args[0]), *args[1:]]
    if name in ("concatenate", "union"):
        if any(value is None for value in args):
            return None
        lists = [_list(name, value) for value in args]
        return [item for items in lists for item in items] if name == "concatenate" else _distinct(name, lists)
    if name == "index of":
        return [i + 1 for i, item in enumerate(_list(name, args[0])) if item == args[1]]
    if name == "sublist":
        items = _list(name, args[0])
        start = _position(name, items, args[1])
        if len(args) < 3:
            return items[start:]
        length = _whole(name, args[2], "长度")
        if length < 0 or start + length > len(items):
            raise JuelMethodError(f"函数「sublist」的长度 {length} 超出列表（共 {len(items)} 项）")
        return items[start:start + length]
    if name == "reverse":
        return list(reversed(_list(name, args[0])))
    if name == "flatten":
        def flat(items):
            for item in items:
                if isinstance(item, list):
                    yield from flat(item)
                else:
                    yield item
        return list(flat(_list(name, args[0])))
    if name == "remove":
        items = _list(name, args[0])
        at = _position(name, items, args[1])
        return items[:at] + items[at + 1:]
    if name == "insert before":
        items = _list(name, args[0])
        at = _position(name, items, args[1])
        return [*items[:at], args[2], *items[at:]]
    if name == "context put":
        context = _context(name, args[0])
        if not isinstance(args[1], str):
            raise JuelMethodError(f"函数「context put」的键{_shown(args[1])}不是文字")
        return {**context, args[1]: args[2]}
    if name == "get value":
        context = _context(name, args[0])
        return context.get(args[1]) if isinstance(args[1], str) else None
    if name == "get entries":
        return [{"key": k, "value": v} for k, v in _context(name, args[0]).items()]
    if name == "context merge":
        out = {}
        for context in _list(name, args[0]):
            out.update(_context(name, context))
        return out
    raise JuelMethodError(f"函数「{name}」本系统不支持")


FUNCTIONS = {CALL: feel_collection}
