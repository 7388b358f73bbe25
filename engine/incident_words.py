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
from collections.abc import Callable
from typing import NamedTuple

FIX_DATA = "请补填数据后重试，或请流程设计员修改模型"
FIX_MODEL = "请流程设计员修改模型"

# Kinds of values by Python's type names, as a person calls them (a table's 「上下文」 is FEEL's word).
KIND_WORDS = {"str": "文字", "int": "数字", "float": "数字", "Decimal": "数字", "bool": "是/否", "NoneType": "空值",
              "list": "列表", "tuple": "列表", "dict": "上下文（键值对）"}
_NUMBER = frozenset({"int", "float"})


def kind_words(type_name: str) -> str:
    return KIND_WORDS.get(type_name, "其他值")


class Failure(NamedTuple):
    """One kind of failure Python's words say: how to read them (``pattern``; its groups ``a`` and
    ``b`` the kinds of the values, ``op`` the operator, ``name`` the data named) and the failure in
    Chinese words (``words``: what could not be done, without the subject or the remedy)."""
    name: str
    pattern: re.Pattern
    words: Callable[[re.Match], str]


# The one table of Python's failures of a model's code and their Chinese words: plain_cause (an
# incident's sentence) and engine/feel_errors.said (a translated FEEL expression's reason) both read
# it, each in its order of preference.
FAILURES = {f.name: f for f in (
    Failure("zero", re.compile(r"\bZeroDivisionError\b|division by zero|division or modulo by zero"),
            lambda m: "除数为零"),
    Failure("undefined", re.compile(r"\bname '(?P<name>[^']+)' is not defined"),
            lambda m: f"数据「{m['name']}」在案件中没有值"),
    Failure("ordered", re.compile(r"'(?P<op>[<>]=?)' not supported between instances of '(?P<a>\w+)' and '(?P<b>\w+)'"),
            lambda m: f"{kind_words(m['a'])}与{kind_words(m['b'])}不能比较大小"),
    Failure("arithmetic", re.compile(r"unsupported operand type\(s\) for (?P<op>[^:]+): '(?P<a>\w+)' and '(?P<b>\w+)'"),
            lambda m: f"{kind_words(m['a'])}与{kind_words(m['b'])}不能做「{m['op'].strip()}」运算"),
    Failure("concatenate", re.compile(r'can only concatenate (?P<a>\w+) \(not "(?P<b>\w+)"\) to \w+'),
            lambda m: f"{kind_words(m['a'])}与{kind_words(m['b'])}不能相加"),
    # int("五千"), float("五千元"): text read as a number (Python quotes it: '五千')
    Failure("not_a_number", re.compile(r"invalid literal for int\(\) with base \d+: '(?P<int_text>[^']*)'"
                                       r"|could not convert string to float: '(?P<float_text>[^']*)'"),
            lambda m: f"无法把「{(m['int_text'] if m['int_text'] is not None else m['float_text'])[:40]}」读成数字"),
    Failure("list_by_name", re.compile(r"list indices must be integers"), lambda m: "按名称从列表中取值"),
    Failure("text_by_name", re.compile(r"string indices must be integers"), lambda m: "按名称从文字中取值（文字不是上下文）"),
    Failure("not_container", re.compile(r"argument of type '(?P<a>\w+)' is not iterable"),
            lambda m: f"在{kind_words(m['a'])}中查找（它不是列表或文字）"),
    Failure("not_subscriptable", re.compile(r"'(?P<a>\w+)' object is not subscriptable"),
            lambda m: f"从{kind_words(m['a'])}中取值（它不是列表或上下文）"),
    Failure("not_iterable", re.compile(r"'(?P<a>\w+)' object is not iterable"),
            lambda m: f"{kind_words(m['a'])}不是列表，不能逐项计算"),
    Failure("unary", re.compile(r"bad operand type for unary (?P<op>.): '(?P<a>\w+)'"), lambda m: f"{kind_words(m['a'])}不能取负"),
    Failure("not_callable", re.compile(r"'(?P<a>\w+)' object is not callable"), lambda m: "调用的方法或函数不存在"),
    Failure("key", re.compile(r"\bKeyError\s*:\s*['\"]?(?P<name>[^'\"\s.]+)"), lambda m: f"数据项「{m['name']}」不存在"),
    Failure("attribute", re.compile(r"object has no attribute '(?P<name>[^']+)'"), lambda m: f"数据项「{m['name']}」不存在"),
    Failure("index", re.compile(r"\bIndexError\b|index out of range"), lambda m: "列表没有那么多项"),
    # SpiffWorkflow's refusal of case data named like what the script is also given: asked now only
    # for data also given as external context (loopCounter: engine/evaluator.check_for_overwrite);
    # input named like a function is refused where it comes in (engine/step.refuse_function_names)
    Failure("shadowed", re.compile(r"overwrites a predefined function\(s\)\..*?: \{(?P<names>[^}]*)\}"),
            lambda m: "、".join(f"「{n}」" for n in re.findall(r"'([^']+)'", m["names"])) + "与系统函数同名"),
)}


def found(text: str, names: tuple[str, ...]):
    """Each failure of ``names`` (in that order) that ``text`` says, with what its words matched."""
    for name in names:
        for match in FAILURES[name].pattern.finditer(text):
            yield name, match


# how every sentence here ends: webui/labels.py shows a sentence of ours in place of its generic words
ENDINGS = (FIX_DATA, FIX_MODEL)
_INCIDENT_ORDER = ("shadowed", "zero", "undefined", "ordered", "arithmetic", "concatenate", "not_a_number", "not_subscriptable",
                   "not_callable", "key", "attribute", "index")
_SUBSCRIPTED = {"int": "数字", "float": "数字", "bool": "是/否", "NoneType": "空值（没有值）"}


def plain_cause(text: str, data: dict | None = None, what: str = "脚本") -> str | None:
    """The Chinese sentence for the Python error ``text`` says, or None. ``data``: the failed task's
    case data (to suggest the name meant: 「reviewDays」 for 「review_days」); ``what``: the model's
    code that failed, as a person calls it (脚本, 条件, 输入输出映射, 定时器的期限)."""
    for name, m in found(text, _INCIDENT_ORDER):
        said = _sentence(name, m, data, what)
        if said is not None:
            return said
    return None


def _sentence(name: str, m: re.Match, data: dict | None, what: str) -> str | None:
    """The incident's sentence for failure ``name`` (``FAILURES``), or None when it is none of ours
    (a list ordered against a number: the technical text says it)."""
    kinds = (m["a"], m["b"]) if name in ("ordered", "arithmetic", "concatenate") else ()
    if name == "shadowed":
        return f"案件数据{FAILURES[name].words(m)}，{what}无法运行（数据不能用系统函数的名字）；{FIX_MODEL}"
    if name == "zero":
        return f"计算时除数为零，请检查提交的数值（如天数、人数不能为 0）后重试，或{FIX_MODEL}"
    if name == "undefined":
        meant = _meant(m["name"], data)
        hint = f"（也许应为「{meant}」）" if meant else ""
        return f"{what}用到的数据「{m['name']}」在案件中没有值{hint}；{FIX_DATA}"
    if name in ("ordered", "arithmetic") and "NoneType" in kinds:
        return f"{what}用到的一项数据是空的（没有填写），不能与数字比较或计算；{FIX_DATA}"
    text_and_number = "str" in kinds and bool(_NUMBER & set(kinds))
    if name == "ordered" and text_and_number:
        return f"{what}把文字与数字比较（如「五千」与 5000）；请把该数据改为数字后重试，或{FIX_MODEL}"
    if (name == "arithmetic" and text_and_number) or (name == "concatenate" and kinds[0] == "str"):
        return f"{what}把文字与数字相加或计算（如「五千」加 100）；请把该数据改为数字后重试，或{FIX_MODEL}"
    if name == "not_a_number":
        return f"{what}{FAILURES[name].words(m)}；请改为数字（如 5000）后重试，或{FIX_MODEL}"
    if name == "not_subscriptable" and m["a"] in _SUBSCRIPTED:
        return f"{what}从一个{_SUBSCRIPTED[m['a']]}中取其中一项，但它不是列表或表格；请检查提交的数据，或{FIX_MODEL}"
    if name == "not_callable":
        return f"{what}调用的方法或函数不存在（或该数据不能这样调用）；{FIX_MODEL}"
    if name in ("key", "attribute"):
        return f"{what}要取的{FAILURES[name].words(m)}；{FIX_DATA}"
    if name == "index":
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
