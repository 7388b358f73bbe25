"""JUEL's operators (运算符) over values whose kinds are known only when the case runs, as EL coerces them.

EL (JSR 245, EL 2.2 §1.7–1.8, §1.18; Camunda 7's and Flowable's JUEL, ``BooleanOperations``,
``NumberOperations``, ``TypeConverterImpl``) compares ``A < B`` (``> <= >=``, ``lt gt le ge``)
after coercing both sides by what they are:

- the same value on both sides (null and null): ``<=``/``>=`` true, ``<``/``>`` false;
- null on one side: false (no error: ``${amount > limit}`` with amount null is simply not true);
- a floating number (Java's Double) on either side: both as Double — text through
  ``Double.valueOf`` (blanks around it allowed, ``1e3``; ASCII digits only), the empty text 0;
- else a whole number (Long) on either side: both as Long — text through ``Long.valueOf`` (digits
  with an optional sign, nothing else: 「5000.5」, 「 5000」 and 「5,000」 stop), the empty text 0;
- else text on either side: both as text, compared character by character (a yes/no as
  ``true``/``false``);
- else two yes/no values: false before true; anything else stops.

``A == B`` (``!= eq ne``, §1.8.2) the same way but for null (equal only to null) and yes/no: a
Double or a Long on either side compares as numbers (``${x == '5'}`` holds for the number 5), else a
yes/no on either side as yes/no (text through ``Boolean.valueOf``: 「同意」 is no), else text as text.
Arithmetic (§1.7) reads null and the empty text as 0 and text as the number it spells (``.``, ``e``
or ``E``: a Double, else a Long); ``/`` and ``div`` divide as Doubles (by zero: Infinity, 0/0 NaN);
``%`` and ``mod`` keep the dividend's sign (Java's remainder: -7 % 3 is -1, Python's 2), a whole
number modulo zero stops. Where a yes/no is wanted (``!``, ``&&``, ``||``, ``?:``) null is no and
text is read by ``Boolean.valueOf``; a number stops.

A yes/no is no number to EL (coercing one to Long or Double stops). What stops is an error in
Chinese naming the data (``JuelMethodError``, shown by the case's incident as engine/juel_methods'
errors are).

engine/expressions.py writes the common comparison of a variable with a number written out
(``${amount > 1000}``) as plain Python the host evaluates by itself while the value is a number,
calling ``coerce`` only for text and yes/no (``compare`` is its reference; tests/test_juel_coercion.py
checks both agree); any other ordering comparison that reads case data (``${amount > limit}``)
becomes a call of ``compare`` (``duban_el_compare(amount, '>', limit, 'amount', 'limit')``), and so
does an equality with text written out when the value is not text. Host-safe: pure, on the values alone.

EL's ``[]`` (§1.6: ``${orders[1].price}``, ``${approvers[0]}``, ``${form['amount']}``) is ``index``:
null on either side null; a list by a whole number (text through ``Integer.valueOf``; 0 the first
item; past either end null, as EL's ``List.get`` caught); a map by its key (a key it lacks null); text,
a number or a yes/no stops (a bean property Java would look up: never a Python attribute here).
A path step after a bracket (``[1].price``) is the same operator.
"""
from __future__ import annotations

import math
import re

from .el_text import el_text
from .evaluator import host_safe
from .expressions import EL_ARITHMETIC as ARITHMETIC_HELPER
from .expressions import EL_COERCE as COERCE_HELPER
from .expressions import EL_COMPARE as HELPER
from .expressions import EL_INDEX as INDEX_HELPER
from .expressions import EL_STORED as STORED_HELPER
from .juel_methods import JuelMethodError

ORDERING = ("<", ">", "<=", ">=")
EQUALITY = ("==", "!=")

_LONG = re.compile(r"[+-]?\d{1,19}")  # Long.valueOf (Character.digit: any Unicode decimal digit, as \d)
# Double.valueOf (FloatingDecimal: ASCII digits only); no two repeats can share a digit
# (``\d+\.?\d*`` backtracked quadratically: 27 s on 20,000 digits and an x)
_DOUBLE = re.compile(r"[+-]?(?:NaN|Infinity|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)")
_LONG_MIN, _LONG_MAX = -(2 ** 63), 2 ** 63 - 1


def _said(name: str, value) -> str:
    shown = str(value)[:40]
    return f"「{str(name)[:40]}」的值「{shown}」" if name else f"值「{shown}」"


def _not_a_number(value, name: str, doing: str, kind: str = "数字") -> JuelMethodError:
    """EL's refusal to read ``value`` as a number, in the incident's words (engine/incidents.py,
    webui/labels.py shows the form field's label in place of the data's name): 「JUEL 表达式把案件数据
    「days」当作数字比较，但它的值「五天」不是数字…」."""
    shown = "是" if value is True else "否" if value is False else str(value)[:40]
    who, but = (f"案件数据「{str(name)[:40]}」", f"但它的值「{shown}」不是{kind}") if name else (f"「{shown}」", f"但它不是{kind}")
    if value is True or value is False:
        hint = "（是“是/否”）"
    elif isinstance(value, str) and any(c in value for c in " ,，\t\u3000"):
        hint = "（数字中不能有空格或逗号）"
    elif isinstance(value, str) and any("０" <= c <= "９" for c in value):  # Double.valueOf reads ASCII digits only
        hint = "（须用半角数字 0-9）"
    else:
        hint = ""
    return JuelMethodError(f"JUEL 表达式把{who}{doing}，{but}{hint}（Camunda、Flowable 同样停在这里）；"
                           f"请改为{kind}后重试，或请流程设计员把该表单字段设为数字类型")


def as_long(value, name: str = "", doing: str = "比较"):
    """``value`` as EL coerces it to a whole number (Long); raises JuelMethodError where EL stops.
    ``doing``: what the expression does with it (比较, 计算), for the error."""
    if value is None or value == "":
        return 0
    if value is True or value is False:
        raise _not_a_number(value, name, f"当作数字{doing}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else value  # Number.longValue: toward zero
    if isinstance(value, str):
        if len(value) <= 20 and _LONG.fullmatch(value) and _LONG_MIN <= int(value) <= _LONG_MAX:
            return int(value)
        if doing == "比较" and len(value) <= 400 and _DOUBLE.fullmatch(value):  # 「5000.5」 against a Long
            raise _not_a_number(value, name, "与整数比较", "整数")
        raise _not_a_number(value, name, f"当作数字{doing}")
    raise _not_a_number(value, name, f"当作数字{doing}")


def as_double(value, name: str = "", doing: str = "比较"):
    """``value`` as EL coerces it to a floating number (Double); raises JuelMethodError where EL stops."""
    if value is None or value == "":
        return 0.0
    if value is True or value is False:
        return as_long(value, name, doing)  # the same refusal
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip(" \t\n\r\x0b\x0c")  # Double.valueOf trims what String.trim trims
        if _DOUBLE.fullmatch(text):
            return float(text.rstrip("fFdD").replace("Infinity", "inf").replace("NaN", "nan"))
    raise _not_a_number(value, name, f"当作数字{doing}")


def as_number(value, name: str = ""):
    """An operand of EL's arithmetic (§1.7.1): null and the empty text 0, text with ``.``, ``e`` or
    ``E`` a Double, other text a Long, a number as it is; a yes/no or anything else stops."""
    if value is None:
        return 0
    if isinstance(value, str) and any(c in value for c in ".eE"):
        return as_double(value, name, "计算")
    if isinstance(value, float):
        return value
    return as_long(value, name, "计算")


def as_boolean(value, name: str = ""):
    """``value`` where EL wants a yes/no (§1.18.5): null and the empty text no, text by
    ``Boolean.valueOf`` (``true`` in any case is yes, other text no), a yes/no as it is; a number or
    anything else stops."""
    if value is None:
        return False
    if value is True or value is False:
        return value
    if isinstance(value, str):
        return value.lower() == "true"
    said = f"案件数据「{str(name)[:40]}」" if name else "值"
    what = f"数字 {value}" if isinstance(value, (int, float)) else _noun(value)
    raise JuelMethodError(f"{said}的值是{what}，不是“是/否”，无法判断是或否（JUEL 只把是/否、true/false 当作是/否；"
                          "Camunda、Flowable 同样停在这里）；"
                          f"请把该数据改为是或否后重试，或请流程设计员把条件改为比较（如 {str(name)[:40] or 'x'} > 0）")


def _noun(value) -> str:
    if isinstance(value, (int, float)):
        return "数字"
    if isinstance(value, (list, tuple)):
        return "一个列表"
    if isinstance(value, dict):
        return "一组数据"
    return "其他值"


_COERCIONS = {"long": as_long, "double": as_double, "number": as_number, "boolean": as_boolean}


@host_safe
def coerce(value, kind: str, name: str = ""):
    """``value`` as EL coerces it to ``kind`` (``long``/``double`` for a comparison with a number written
    out, ``number`` for arithmetic, ``boolean``); ``name``: the data as the model wrote it, for the error."""
    if kind not in _COERCIONS:
        raise JuelMethodError(f"不支持的转换「{str(kind)[:10]}」")
    return _COERCIONS[kind](value, name)


_DOTTED = (".", "e", "E")


def _doubles(value) -> bool:
    """Whether EL's ``+ - * %`` compute in Doubles because of ``value`` (§1.7.1): a floating number or
    text containing ``.``, ``e`` or ``E``."""
    return isinstance(value, float) or isinstance(value, str) and any(c in value for c in _DOTTED)


@host_safe
def arithmetic(left, operator: str, right, left_name: str = "", right_name: str = ""):
    """EL's ``left operator right`` for ``+ - * / %`` (``div``, ``mod``; §1.7): both null 0; ``/`` of
    Doubles (by zero Infinity or NaN, as Java's); the others of Doubles if either side is a floating
    number or text with ``.``, ``e`` or ``E`` (text through ``Double.valueOf``, blanks around it
    allowed), else of Longs (text through ``Long.valueOf``); ``%`` keeps the dividend's sign (Java's
    remainder), a whole number modulo zero stops, a Double modulo zero is NaN."""
    if operator not in ("+", "-", "*", "/", "%"):
        raise JuelMethodError(f"不支持的运算「{str(operator)[:4]}」")
    if left is None and right is None:
        return 0
    if operator == "/" or _doubles(left) or _doubles(right):
        a, b = as_double(left, left_name, "计算"), as_double(right, right_name, "计算")
    else:
        a, b = as_long(left, left_name, "计算"), as_long(right, right_name, "计算")
    if operator == "+":
        return a + b
    if operator == "-":
        return a - b
    if operator == "*":
        return a * b
    if operator == "/":
        if b == 0:
            return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1.0, b)
        return a / b
    if isinstance(a, float):
        return math.nan if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b) else math.fmod(a, b)
    if b == 0:
        raise JuelMethodError(f"JUEL 表达式求{_said(left_name, left)}除以{_said(right_name, right)}的余数，除数为零："
                              "Camunda、Flowable 同样停在这里（整数不能除以零求余）；请补正数据或请流程设计员改写该表达式")
    remainder = abs(a) % abs(b)
    return -remainder if a < 0 else remainder


def _as_text(value) -> str:
    return el_text(value)


def _kind(value) -> str:
    if value is True or value is False:
        return "boolean"
    if isinstance(value, float):
        return "double"
    if isinstance(value, int):
        return "long"
    if isinstance(value, str):
        return "text"
    return "other"


@host_safe
def compare(left, operator: str, right, left_name: str = "", right_name: str = "") -> bool:
    """``left operator right`` as EL computes it (the module's docstring); ``*_name``: each side as
    the model wrote it, for the error."""
    if operator in EQUALITY:
        same = _equal(left, right, left_name, right_name)
        return same if operator == "==" else not same
    if operator not in ORDERING:
        raise JuelMethodError(f"不支持的比较「{str(operator)[:4]}」")
    if left is None and right is None:
        return operator in ("<=", ">=")
    if left is None or right is None:
        return False
    kinds = (_kind(left), _kind(right))
    if "double" in kinds:
        a, b = as_double(left, left_name), as_double(right, right_name)
    elif "long" in kinds:
        a, b = as_long(left, left_name), as_long(right, right_name)
    elif "text" in kinds:
        a, b = _as_text(left), _as_text(right)
        # Java's String.compareTo compares UTF-16 units: as Python's str for text within the BMP
        return _ordered(a, operator, b)
    elif kinds == ("boolean", "boolean"):
        a, b = left, right
    else:
        raise JuelMethodError(f"JUEL 表达式比较{_said(left_name, left)}与{_said(right_name, right)}的大小，"
                              "这两种值不能比较：Camunda、Flowable 同样停在这里；请流程设计员改写该表达式")
    return _ordered(a, operator, b)


def _equal(left, right, left_name: str, right_name: str) -> bool:
    """EL's ``==`` (§1.8.2)."""
    if left is None or right is None:
        return left is None and right is None
    kinds = (_kind(left), _kind(right))
    if "double" in kinds:
        return as_double(left, left_name) == as_double(right, right_name)
    if "long" in kinds:
        return as_long(left, left_name) == as_long(right, right_name)
    if "boolean" in kinds:
        return _as_yes_no(left, left_name) == _as_yes_no(right, right_name)
    if "text" in kinds:
        return _as_text(left) == _as_text(right)
    return bool(left == right)


def _as_yes_no(value, name: str) -> bool:
    """A side of ``==`` beside a yes/no: text through ``Boolean.valueOf``; a list or map stops."""
    if value is True or value is False or isinstance(value, str):
        return as_boolean(value, name)
    raise JuelMethodError(f"JUEL 表达式把{_said(name, value)}与是/否比较，它不是是/否：Camunda、Flowable 同样停在这里；"
                          "请流程设计员改写该表达式")


def _ordered(a, operator: str, b) -> bool:
    if operator == "<":
        return a < b
    if operator == ">":
        return a > b
    if operator == "<=":
        return not a > b  # EL's le is "not gt": NaN <= 1 is true, as in Java's !(a > b)
    return not a < b


_INT_MIN, _INT_MAX = -(2 ** 31), 2 ** 31 - 1


@host_safe
def index(value, key, said: str = ""):
    """EL's ``value[key]`` (§1.6); ``said``: the path as the model wrote it (``orders[1].price``), for
    the error. Only ``list`` indexing and ``dict`` lookups: nothing of Python's reached."""
    if value is None or key is None:
        return None
    if isinstance(value, dict):
        return value.get(key) if isinstance(key, str) else None  # a map's keys are texts (Camunda's variables)
    if isinstance(value, list):
        if key is True or key is False:
            raise JuelMethodError(f"JUEL 表达式「{str(said)[:80]}」用“是/否”作列表的下标：Camunda、Flowable 同样停在这里；"
                                  "下标须是从 0 起的整数，请流程设计员改写该表达式")
        if isinstance(key, float):
            position = int(key) if math.isfinite(key) else None  # Number.intValue: toward zero
        elif isinstance(key, int):
            position = key
        elif isinstance(key, str) and len(key) <= 11 and re.fullmatch(r"[+-]?\d{1,10}", key):
            position = int(key)  # Integer.valueOf
        else:
            raise JuelMethodError(f"JUEL 表达式「{str(said)[:80]}」的下标「{str(key)[:40]}」不是整数：Camunda、Flowable "
                                  "同样停在这里；列表的下标须是从 0 起的整数，请补正数据或请流程设计员改写该表达式")
        if position is None or not _INT_MIN <= position <= _INT_MAX or not 0 <= position < len(value):
            return None  # EL: an index past the list's end (or before its start) is null
        return value[position]
    kind = "文字" if isinstance(value, str) else "“是/否”" if value is True or value is False else (
        "数字" if isinstance(value, (int, float)) else "其他值")
    raise JuelMethodError(f"JUEL 表达式「{str(said)[:80]}」在{kind}「{str(value)[:40]}」上取「{str(key)[:40]}」，"
                          "它不是列表或一组数据（键值对），无法取其中的项：Camunda、Flowable 同样停在这里；"
                          "请补正数据或请流程设计员改写该表达式")


@host_safe
def stored(value, name: str = "", what: str = "", text: str = ""):
    """A JUEL input or output mapping's value as it is stored (``what``: 输入参数 or 输出参数, ``name``
    its variable, ``text`` the expression as written): EL's Double division by zero gives Infinity or
    NaN (``arithmetic``), which Camunda stores and our database cannot, so it stops here naming the
    mapping and saying 除数为零, rather than as the unstorable value after the step. Any other value as it is."""
    if isinstance(value, float) and not math.isfinite(value):
        kind = "非数（NaN）" if math.isnan(value) else "无穷大"
        raise JuelMethodError(f"{str(what)[:10] or '参数'}「{str(name)[:40]}」的 JUEL 表达式「{str(text)[:80]}」除数为零，计算得{kind}："
                              "Camunda 会存入 Infinity 或 NaN，本系统无法保存；请补正作除数的数据（不能为 0 或空）后重试，"
                              "或请流程设计员在该表达式中先判断除数（如 ${b == 0 ? null : a / b}）")
    return value
