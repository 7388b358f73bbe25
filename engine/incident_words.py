"""Incident words (异常说明): what a Python error of the model's own code means, said in Chinese a
person can act on.

A script, a mapping or a condition that fails stops with Python's words (``NameError: name
'reviewDays' is not defined``, ``ZeroDivisionError: division by zero``, ``TypeError: 'int' object
is not subscriptable``). ``plain_cause`` reads the error's text and gives one Chinese sentence: what
went wrong in plain words, the data it concerns in 「」, and what to do (补填数据后重试, or 请流程设计员
修改模型). engine/incidents.py puts it first in the incident's text, the technical text behind it
(for the designer and the administrator: the page shows it under 「技术详情」). None when the error is
not one of these kinds (the engine's own Chinese says it already).
"""
from __future__ import annotations

import difflib
import re

FIX_DATA = "请补填数据后重试，或请流程设计员修改模型"
FIX_MODEL = "请流程设计员修改模型"

_NAME = re.compile(r"\bname '([^']+)' is not defined")
_KEY = re.compile(r"\bKeyError\s*:\s*['\"]?([^'\"\s.]+)")
_ATTRIBUTE = re.compile(r"object has no attribute '([^']+)'")
_NONE_ORDERED = re.compile(r"'[<>]=?' not supported between instances of '(?:NoneType' and '\w+|\w+' and 'NoneType)'")
_TEXT_ORDERED = re.compile(r"'[<>]=?' not supported between instances of '(?:str' and '(?:int|float)|(?:int|float)' and 'str)'")
_TEXT_ARITHMETIC = re.compile(r"can only concatenate str|unsupported operand type\(s\) for [^:]+: '(?:str' and '(?:int|float)"
                              r"|(?:int|float)' and 'str)'")
_NONE_ARITHMETIC = re.compile(r"unsupported operand type\(s\) for [^:]+: '(?:NoneType|\w+' and 'NoneType)'")
_NOT_SUBSCRIPTABLE = re.compile(r"'(int|float|bool|NoneType)' object is not subscriptable")
_NOT_CALLABLE = re.compile(r"'(\w+)' object is not callable")
# int("五千"), float("五千元"): text read as a number (Python quotes it: '五千')
_NOT_A_NUMBER = re.compile(r"invalid literal for int\(\) with base \d+: '([^']*)'|could not convert string to float: '([^']*)'")
_INDEX = re.compile(r"\bIndexError\b|index out of range")
_ZERO = re.compile(r"\bZeroDivisionError\b|division by zero|division or modulo by zero")
# how every sentence here ends: webui/labels.py shows a sentence of ours in place of its generic words
ENDINGS = (FIX_DATA, FIX_MODEL)
_KINDS = {"int": "数字", "float": "数字", "bool": "是/否", "NoneType": "空值（没有值）"}


def plain_cause(text: str, data: dict | None = None, what: str = "脚本") -> str | None:
    """The Chinese sentence for the Python error ``text`` says, or None. ``data``: the failed task's
    case data (to suggest the name meant: 「reviewDays」 for 「review_days」); ``what``: the model's
    code that failed, as a person calls it (脚本, 条件, 输入输出映射, 定时器的期限)."""
    if _ZERO.search(text):
        return f"计算时除数为零，请检查提交的数值（如天数、人数不能为 0）后重试，或{FIX_MODEL}"
    name = _NAME.search(text)
    if name:
        meant = _meant(name.group(1), data)
        hint = f"（也许应为「{meant}」）" if meant else ""
        return f"{what}用到的数据「{name.group(1)}」在案件中没有值{hint}；{FIX_DATA}"
    if _NONE_ORDERED.search(text) or _NONE_ARITHMETIC.search(text):
        return f"{what}用到的一项数据是空的（没有填写），不能与数字比较或计算；{FIX_DATA}"
    if _TEXT_ORDERED.search(text):
        return f"{what}把文字与数字比较（如「五千」与 5000）；请把该数据改为数字后重试，或{FIX_MODEL}"
    if _TEXT_ARITHMETIC.search(text):
        return f"{what}把文字与数字相加或计算（如「五千」加 100）；请把该数据改为数字后重试，或{FIX_MODEL}"
    number = _NOT_A_NUMBER.search(text)
    if number:
        typed = (number.group(1) if number.group(1) is not None else number.group(2))[:40]
        return f"{what}无法把「{typed}」读成数字；请改为数字（如 5000）后重试，或{FIX_MODEL}"
    subscript = _NOT_SUBSCRIPTABLE.search(text)
    if subscript:
        kind = _KINDS.get(subscript.group(1), "单个值")
        return f"{what}从一个{kind}中取其中一项，但它不是列表或表格；请检查提交的数据，或{FIX_MODEL}"
    if _NOT_CALLABLE.search(text):
        return f"{what}调用的方法或函数不存在（或该数据不能这样调用）；{FIX_MODEL}"
    key = _KEY.search(text)
    if key:
        return f"{what}要取的数据项「{key.group(1)}」不存在；{FIX_DATA}"
    attribute = _ATTRIBUTE.search(text)
    if attribute:
        return f"{what}要取的数据项「{attribute.group(1)}」不存在；{FIX_DATA}"
    if _INDEX.search(text):
        return f"{what}要取列表中的某一项，但列表没有那么多项；请检查提交的数据，或{FIX_MODEL}"
    return None


def absent(what: str, names: list[str], data: dict | None = None) -> str:
    """An expression (a condition, a timer's period) reading case data the case does not have."""
    meant = _meant(names[0], data)
    hint = f"（也许应为「{meant}」）" if meant else ""
    return f"{what}用到的数据「{names[0]}」在案件中没有值{hint}；{FIX_DATA}"


def no_output_item(item: str | None) -> str:
    """A multi-instance task one of whose instances was completed without the result it gathers
    (Camunda 8's ``outputElement``, BPMN's ``outputDataItem``): SpiffWorkflow says 「Expected an output
    item」."""
    what = f"结果数据「{item}」" if item else "结果数据"
    return f"这项多人（多份）办理的任务要收集每一份的{what}，但有一份办理时没有给出；{FIX_DATA}"


def _meant(name: str, data: dict | None) -> str | None:
    """The case-data key ``name`` was likely meant to be (reviewDays → review_days: the same letters
    but for case and underscores, else a close spelling); None when none is close."""
    keys = [k for k in (data or {}) if isinstance(k, str) and k != name]
    plain = name.replace("_", "").lower()
    for key in keys:
        if key.replace("_", "").lower() == plain:
            return key
    close = difflib.get_close_matches(name, keys, n=1, cutoff=0.8)
    return close[0] if close else None
