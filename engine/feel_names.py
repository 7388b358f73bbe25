"""The arguments of the functions model code calls, named in Chinese (函数参数的中文名称).

A FEEL call of a Camunda 8 model (``append(items, x)``) is translated to a helper of ours
(``duban_feel_collection('append', items, x)``, engine/feel_collections.py; ``sum`` to
``duban_feel_sum``…), and a Python script calls a domain function by its own name. When an argument
cannot be handed to the function (engine/restricted.encode_arguments: a number past 10^300, which a
figure typed with extra zeros makes; a ``range`` or a set a script made), the incident named it by
the path the encoding walked: 「变量「duban_feel_collection[2]」的值不能保存为案件数据 (类型 int)」 — a
name of ours no designer wrote, an index that counts the FEEL function's name as an argument, and
the Latin word that made the incident page show only 「流程执行出错…请管理员查看错误详情」. Here it is
「函数「append」的第2个参数是超出范围的整数…」, after the element's name (「汇总会签人员」出错:).
"""
from __future__ import annotations

COLLECTION = "duban_feel_collection"  # engine/feel_collections.CALL: the FEEL name is its first argument
FEEL_FUNCTIONS = {
    "duban_feel_sum": "sum", "duban_feel_min": "min", "duban_feel_max": "max",
    "duban_feel_substring": "substring", "duban_feel_date": "date", "duban_feel_date_time": "date and time",
    "duban_feel_duration": "duration", "duban_feel_string": "string",
    "duban_feel_years_months": "years and months duration", "duban_feel_day_of_week": "day of week",
    "duban_feel_month_of_year": "month of year",
}
"""Our helpers that are one FEEL function each (engine/feel_functions.py, engine/feel_lists.py), by
the name the model wrote."""
_OURS = {"duban_as_type": "调用活动的变量类型转换", "duban_feel_range": "表达式的范围"}
"""Helpers of ours that are no function the model wrote, by what they do."""
_KINDS = {"range": "数列", "set": "集合", "frozenset": "集合", "bytes": "字节串", "bytearray": "字节串",
          "function": "函数", "builtin_function_or_method": "函数", "method": "函数", "generator": "生成器",
          "complex": "复数", "type": "类型名"}


def function(helper: str, args: tuple | list) -> str:
    """The function the model called, in Chinese: 「函数「append」」 for ``duban_feel_collection('append', …)``,
    「函数「sum」」, 「函数「add_workdays」」; 「表达式中的一步计算」 for a helper that is an operator or a
    path of ours (no function the model wrote)."""
    if helper == COLLECTION and args and isinstance(args[0], str):
        return f"函数「{args[0]}」"
    name = FEEL_FUNCTIONS.get(helper)
    if name is None and helper.startswith("duban_"):
        return _OURS.get(helper, "表达式中的一步计算")
    return f"函数「{name or helper}」"


def argument(helper: str, args: tuple | list, index: int | None, key: str | None = None,
             inner: bool = False, result: bool = False) -> str:
    """``args[index]`` (or the keyword argument ``key``, or with ``result`` what it gave back) of the call
    of ``helper`` in Chinese: 「函数「append」的第2个参数」 (the FEEL function's own count: its name is not
    one), 「函数「add_workdays」的参数「days」」, 「函数「sum」的结果」; ``inner``: the fault lies inside it."""
    where = "中的一项" if inner else ""
    called = function(helper, args)
    if result:
        return f"{called}的结果{where}"
    if not called.startswith("函数"):
        return f"{called}用到的一个值{where}"
    if key is not None:
        return f"{called}的参数「{key}」{where}"
    shift = 0 if helper == COLLECTION and args and isinstance(args[0], str) else 1
    return f"{called}的第{(index or 0) + shift}个参数{where}"


def kind(value, largest_exponent: int, key: bool = False) -> str:
    """What ``value`` is, for a person: 超出范围的整数, 数列, 集合… (a type's Latin name only in 「」);
    ``key``: ``value`` is a key (not text) of a dict, which is what is said (字典，其键「2026」不是文字)."""
    if key:
        return f"字典，其键「{str(value)[:40]}」不是文字"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10 ** largest_exponent:
        return f"超出范围的整数（绝对值须在 10 的 {largest_exponent} 次方以内）"
    if value is None or isinstance(value, (bool, int, float, str)):  # a value that crosses: a dict's key
        return f"字典，其键「{str(value)[:40]}」不是文字"
    name = type(value).__name__
    return _KINDS.get(name) or f"「{name}」类型的值"


def not_passed(helper: str, args: tuple | list, index: int | None, key: str | None, inner: bool, value,
               largest_exponent: int, result: bool = False) -> str:
    """Why an argument could not be handed to the function (or its result back), in Chinese, for the incident."""
    said = "无法保存" if result else "无法交给函数计算"
    return (f"{argument(helper, args, index, key, inner, result)}是{kind(value, largest_exponent)}，{said}；"
            "请核对数据是否填写有误后重试，或请流程设计员修改模型（函数只接受文字、数字、真假值、列表、字典、日期和时间）")
