"""调用活动变量的类型转换: Flowable 7's ``targetType`` on a call activity's ``flowable:in`` (and the
type on its ``flowable:out``: ``sourceType``, as Flowable's CallActivityTypeConversionTest writes it,
or ``targetType``) — the value converted on its way: ``string``, ``integer``/``long`` (a whole
number), ``double``, ``boolean``, ``date`` (a moment), ``localdate`` (a day), ``json``/``array`` (text
read as JSON). A value is read as the pages read what a tired official types (engine/typed_input.py:
「5,000,000」, 「５０００」, 「500万」, 「五万五」, 「伍仟元」, 「3人」, 「是」/「否」, 「2026年11月1日」 — a number by
``typed_input.number_text``, the reader of our forms and of forms drawn in a model); what cannot be read so stops in
Chinese naming the variable and the type, and the data behind it. Null stays null.

``duban_as_type(value, type, label)`` is a host-safe helper (engine/evaluator.host_safe): pure, on
the value alone.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from .evaluator import host_safe
from .juel_methods import JuelMethodError  # what stops, said in Chinese in the incident
from .typed_input import OTHER_DIGITS, iso_day, iso_moment, number_text, other_digit, truth

HELPER = "duban_as_type"
_LONG_MIN, _LONG_MAX = -(2 ** 63), 2 ** 63 - 1  # Java's Long
_EXPONENT = 308  # a Double's largest power of ten (Double.MAX_VALUE is 1.8e308)
TYPES = {"string": "文字", "integer": "整数", "long": "整数", "double": "数字", "boolean": "是/否",
         "date": "日期时间", "localdate": "日期", "json": "JSON 对象", "array": "JSON 列表"}


def _refused(value, kind: str, label: str, advice: str) -> JuelMethodError:
    return JuelMethodError(f"{label}要求转换为{TYPES[kind]}（{kind}），其值「{str(value)[:40]}」无法转换；{advice}")


def _number(value, kind: str, label: str) -> Decimal:
    if isinstance(value, bool):
        raise _refused(value, kind, label, "请补填为数字后重试")
    if isinstance(value, str):
        try:  # the one reader of our forms and of forms drawn in a model: 五万五, 伍仟元, 5,000,000, 3人
            text = number_text(value)
        except ValueError as exc:  # 十万五, 1,5, ١٣٨: why, as the forms say it
            raise _refused(value, kind, label, f"{exc}，补填后重试") from None
    else:
        text = str(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _refused(value, kind, label, "请补填为数字（如 5000 或 5,000）后重试") from None
    # Java's Long and Double hold nothing past these: 「1e999999999」 (or NaN) is no number Flowable
    # converts, and ``int`` of it would compute a billion digits in the host (3 s for 1e200000)
    if not number.is_finite() or not -_EXPONENT <= number.adjusted() <= _EXPONENT:
        raise _refused(value, kind, label, "数值超出范围；请补填为数字（如 5000 或 5,000）后重试")
    return number


def _whole(value, kind: str, label: str) -> int:
    number = _number(value, kind, label)
    if isinstance(value, str) and number != number.to_integral_value():
        raise _refused(value, kind, label, "请补填为整数后重试")
    if not _LONG_MIN <= number <= _LONG_MAX:
        raise _refused(value, kind, label, "超出整数的范围；请补填为整数后重试")
    return int(number)  # a double's whole part, as Java's intValue()


def _moment(value, kind: str, label: str) -> str:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    text = str(value).strip()
    digit = other_digit(text)
    if digit is not None:  # ٢٠٢٦-١١-٠١: read by int() as 2026-11-01, by nobody who reads the record
        raise _refused(value, kind, label, OTHER_DIGITS.format(digit=digit) + "，补填后重试")
    found = iso_moment(text)
    if found:
        return found
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        return iso_day(text, label)
    except ValueError:
        raise _refused(value, kind, label, "请补填为日期（如 2026年11月1日 或 2026-11-01）后重试") from None


def _day(value, kind: str, label: str) -> str:
    moment = _moment(value, kind, label)
    return moment[:10]


def _json(value, kind: str, label: str):
    wanted = dict if kind == "json" else list
    if isinstance(value, wanted):
        return value
    try:
        read = json.loads(value) if isinstance(value, str) else None
    except (ValueError, RecursionError):  # 「[[[[…」 nested past Python's stack: no words of ours before
        read = None
    if not isinstance(read, wanted):
        raise _refused(value, kind, label, "请流程设计员检查传入的数据")
    return read


@host_safe
def as_type(value, kind: str, label: str):
    if value is None:
        return None
    if kind == "string":
        return ("true" if value else "false") if isinstance(value, bool) else str(value)
    if kind in ("integer", "long"):
        return _whole(value, kind, label)
    if kind == "double":
        return float(_number(value, kind, label))
    if kind == "boolean":
        said = truth(value)
        if said is None:
            raise _refused(value, kind, label, "请补填为「是」或「否」后重试")
        return said
    if kind == "date":
        return _moment(value, kind, label)
    if kind == "localdate":
        return _day(value, kind, label)
    return _json(value, kind, label)
