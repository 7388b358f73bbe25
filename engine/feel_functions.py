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
def feel_date_time(value, time=None):
    """``date and time(x)`` of a moment's text (with ``T``; an offset, ``Z`` or ``@`` a zone id as
    Zeebe writes one), or ``date and time(day, time)`` of a day and a time of day ("09:00:00")."""
    if value is None:
        return None
    if time is not None:
        day = feel_date(value)
        if not isinstance(time, str) or not re.fullmatch(r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}|@[A-Za-z][\w/+\-]{0,40})?", time):
            raise JuelMethodError(f"FEEL 函数 date and time(日期, 时间) 读不出时间{_shown(time)}：须是 09:00:00 这样的时间；"
                                  "请改正该数据后重试")
        return feel_date_time(f"{day}T{time}")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str) and len(value) <= 80:
        moment = _moment(value.strip())
        if moment is not None:
            return moment.isoformat()
    raise JuelMethodError(f"FEEL 函数 date and time(...) 读不出时间{_shown(value)}：须是 2026-11-01T09:00:00 这样的时间"
                          "（Zeebe 也只读这种写法）；请改正该数据后重试，或请流程设计员把该表单字段设为日期时间类型")


DURATION = "duban_feel_duration"
NOW = "duban_feel_now"  # registered with the engine's clock by engine/scripting.py
TODAY = "duban_feel_today"  # the same
UUID = "duban_feel_uuid"

# ISO 8601 durations as FEEL reads them (days and time: P3D, PT2H30M, P1DT12H; years and months: P1Y2M;
# weeks: P2W), a sign before them allowed
_DURATION = re.compile(r"-?P(?=\d|T\d)(?:\d{1,9}Y)?(?:\d{1,9}M)?(?:\d{1,9}W)?(?:\d{1,9}D)?"
                       r"(?:T(?=\d)(?:\d{1,9}H)?(?:\d{1,9}M)?(?:\d{1,9}(?:\.\d{1,9})?S)?)?")
_ZONED = re.compile(r"(.+)@([A-Za-z][\w/+\-]{0,40})")


@host_safe
def feel_duration(value):
    """``duration(x)``: the ISO 8601 duration x spells (「P3D」, 「PT2H」, 「p3d」 as typed), as its text;
    null on null. Timers and due dates read it as they read a duration written in the model."""
    if value is None:
        return None
    if isinstance(value, str) and len(value) <= 60 and _DURATION.fullmatch(value.strip().upper()):
        return value.strip().upper()
    raise JuelMethodError(f"FEEL 函数 duration(...) 读不出期间{_shown(value)}：须是 P3D（3 天）、PT2H（2 小时）、"
                          "P1DT12H（1 天 12 小时）这样的 ISO 8601 写法（Zeebe 也只读这种写法）；请改正该数据后重试")


def _moment(text: str):
    """A date and time as Zeebe's FEEL reads one: ISO with ``T``, an offset or ``Z``, or a zone id
    after ``@`` (「2026-11-01T09:00:00@Asia/Shanghai」); None if it is none."""
    zone = None
    zoned = _ZONED.fullmatch(text)
    if zoned:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
        try:
            zone = ZoneInfo(zoned.group(2))
        except (ZoneInfoNotFoundError, ValueError):
            return None
        text = zoned.group(1)
    if not (_DAY.match(text) and "T" in text):
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if zone is not None:
        if moment.tzinfo is not None:
            return None
        moment = moment.replace(tzinfo=zone)
    return moment


def now_text(clock) -> str:
    """FEEL's ``now()`` on the engine's clock (not the host's): the moment in Beijing time, as ISO text
    with its offset, as ``date and time(x)`` gives one."""
    from .workdays import SHANGHAI
    return clock.now().astimezone(SHANGHAI).isoformat(timespec="seconds")


def today_text(clock) -> str:
    """FEEL's ``today()`` on the engine's clock: the day in Beijing, as ISO text (as ``date(x)``)."""
    from .clock import today_in_china
    return today_in_china(clock).isoformat()


@host_safe
def feel_uuid() -> str:
    """Zeebe's ``uuid()``: a random UUID as text."""
    import uuid
    return str(uuid.uuid4())


STRING = "duban_feel_string"
YEARS_MONTHS = "duban_feel_years_months"
DAY_OF_WEEK = "duban_feel_day_of_week"
MONTH_OF_YEAR = "duban_feel_month_of_year"
PROPERTY = "duban_feel_property"  # engine/expressions.py writes (a - b).days and a call's .years as a call of it


@host_safe
def feel_string(value):
    """FEEL's ``string(x)`` (DMN 1.3 §10.3.4.1): text as it is; a number as feel-scala writes it (15, 1.5,
    a whole Double without its .0); true/false; a date, a moment and a duration are held as their ISO
    text already; null on null. A list or a context as FEEL shows one ([1, 2], {a: 1})."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_shown_in_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown_in_string(v)}" for k, v in value.items()) + "}"
    return str(value)


def _shown_in_string(value) -> str:
    if isinstance(value, str):
        return '"' + value + '"'
    return "null" if value is None else feel_string(value)


def _day_of(value, function: str) -> dt.date:
    if isinstance(value, str):
        moment = _as_moment(value)
        if moment is not None:
            return moment[0].date()
    raise JuelMethodError(f"FEEL 函数 {function}(...) 读不出日期{_shown(value)}：须是 2026-11-01 这样的日期或 "
                          "2026-11-01T09:00:00 这样的时间；请改正该数据后重试")


@host_safe
def feel_years_months(start, end):
    """``years and months duration(from, to)``: the whole calendar months from one day to the other, as
    the ISO text of a years and months duration (「P5Y2M」, 「-P1M」, 「P0M」), as feel-scala gives it."""
    if start is None or end is None:
        return None
    a, b = _day_of(start, "years and months duration"), _day_of(end, "years and months duration")
    months = (b.year - a.year) * 12 + b.month - a.month
    if months > 0 and b.day < a.day:
        months -= 1
    elif months < 0 and b.day > a.day:
        months += 1
    sign, months = ("-" if months < 0 else ""), abs(months)
    years, rest = divmod(months, 12)
    return f"{sign}P{years}Y{rest}M" if years and rest else f"{sign}P{years}Y" if years else f"{sign}P{rest}M"


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


@host_safe
def feel_day_of_week(value):
    """``day of week(date)``: its English name (「Monday」), as FEEL gives it; null on null."""
    return None if value is None else _WEEKDAYS[_day_of(value, "day of week").weekday()]


@host_safe
def feel_month_of_year(value):
    """``month of year(date)``: its English name (「December」), as FEEL gives it; null on null."""
    return None if value is None else _MONTHS[_day_of(value, "month of year").month - 1]


_DAYS_TIME = re.compile(r"(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")
_YEARS_MONTHS = re.compile(r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?")


@host_safe
def feel_property(value, name: str):
    """A property of a FEEL value (DMN 1.3 §10.3.2.1): a date's ``year``, ``month``, ``day``, ``weekday``
    (1 is Monday), a moment's also ``hour``, ``minute``, ``second``; a days and time duration's
    ``days``, ``hours``, ``minutes``, ``seconds`` (``(today() - date(orderedOn)).days``), a years and
    months duration's ``years``, ``months``; a context's entry. Null where the value has none, as FEEL."""
    if isinstance(value, dict):
        return value.get(name)
    if not isinstance(value, str) or len(value) > 80:
        return None
    text = value.strip()
    moment = _as_moment(text)
    if moment is not None:
        when, day = moment
        parts = {"year": when.year, "month": when.month, "day": when.day, "weekday": when.isoweekday()}
        if not day:
            parts.update(hour=when.hour, minute=when.minute, second=when.second)
        return parts.get(name)
    upper = text.upper()
    ym = _YEARS_MONTHS.fullmatch(upper)
    if ym and upper.rstrip("-") not in ("P", ""):
        sign = -1 if ym.group(1) else 1
        months = int(ym.group(2) or 0) * 12 + int(ym.group(3) or 0)
        return {"years": sign * (months // 12), "months": sign * (months % 12)}.get(name)
    dtm = _DAYS_TIME.fullmatch(upper)
    if dtm and _DURATION.fullmatch(upper):
        sign = -1 if dtm.group(1) else 1
        seconds = ((int(dtm.group(2) or 0) * 7 + int(dtm.group(3) or 0)) * 86400 + int(dtm.group(4) or 0) * 3600
                   + int(dtm.group(5) or 0) * 60 + float(dtm.group(6) or 0))
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        whole = {"days": days, "hours": hours, "minutes": minutes, "seconds": secs}
        if name in whole:
            number = whole[name] * sign
            return int(number) if float(number).is_integer() else number
    return None


def _between(left: str, right: str):
    """``left - right`` of two days or two moments (FEEL: a days and time duration, 「P30D」, 「PT2H30M」,
    「-P3D」), or None when either is neither."""
    a, b = _as_moment(left), _as_moment(right)
    if a is None or b is None:
        return None
    (x, x_day), (y, y_day) = a, b
    if x_day != y_day:
        if x_day:
            x = x.replace(tzinfo=y.tzinfo)
        else:
            y = y.replace(tzinfo=x.tzinfo)
    if (x.tzinfo is None) != (y.tzinfo is None):
        raise JuelMethodError(f"FEEL 表达式把{_shown(left)}与{_shown(right)}相减：一个带时区、一个不带，无法比较；请补正该数据后重试")
    seconds = int((x - y).total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    if not days and not time:
        return "PT0S"
    return f"{sign}P{f'{days}D' if days else ''}{'T' + time if time else ''}"


PLUS = "duban_feel_plus"
_DATED = frozenset({DATE, DATE_TIME, DURATION, NOW, TODAY, YEARS_MONTHS})


def _as_moment(text: str):
    """(moment, is a day) of a date's or a date and time's ISO text, or None."""
    if _DAY.fullmatch(text):
        try:
            return dt.datetime.fromisoformat(text), True
        except ValueError:
            return None
    moment = _moment(text) if len(text) <= 80 else None
    return None if moment is None else (moment, False)


@host_safe
def feel_plus(left, operator: str, right):
    """FEEL's ``+``/``-`` where a side is a date, a date and time or a duration (``now() +
    duration("P3D")``, ``date(reportDay) - duration(grace)``): the day or moment moved by the duration
    on the calendar (a month is a calendar month: 2026-01-31 + P1M is 2026-02-28), as ISO text like
    ``date(x)``'s; null on null. Other values as Python's ``+``/``-`` of numbers; what has no sum stops
    in Chinese (Python's ``'2026-11-01' + 'P3D'`` was a text nobody meant)."""
    from .timeexpr import TimerExpressionError, parse_duration

    if left is None or right is None:
        return None
    if operator not in ("+", "-"):
        raise JuelMethodError(f"不支持的运算「{str(operator)[:4]}」")
    if _number(left) and _number(right):
        return left + right if operator == "+" else left - right
    if operator == "-" and isinstance(left, str) and isinstance(right, str):  # a day or moment less another
        between = _between(left.strip(), right.strip()) if len(left) <= 80 and len(right) <= 80 else None
        if between is not None:
            return between
    for moment_side, duration_side in ((left, right), (right, left)):
        if operator == "-" and moment_side is right:
            break
        if not (isinstance(moment_side, str) and isinstance(duration_side, str)):
            continue
        moment = _as_moment(moment_side)
        if moment is None or not _DURATION.fullmatch(duration_side.upper()):
            continue
        negative = duration_side.startswith("-")
        try:
            period = parse_duration(duration_side.lstrip("-"))
        except TimerExpressionError:
            continue
        value, day = moment
        forward = (operator == "+") != negative
        try:
            moved = period.add_to(value) if forward else period.subtract_from(value)
        except (OverflowError, ValueError):
            raise JuelMethodError(f"FEEL 表达式把{_shown(moment_side)}{operator}{_shown(duration_side)}，结果超出日期范围") from None
        only_days = not (period.hours or period.minutes or period.seconds)
        return moved.date().isoformat() if day and only_days else moved.isoformat()
    raise JuelMethodError(f"FEEL 表达式计算{_shown(left)} {operator} {_shown(right)}，这两个值不能{'相加' if operator == '+' else '相减'}"
                          "（日期或时间只能加减 duration(\"P3D\") 这样的期间）；请补正该数据后重试，或请流程设计员检查该表达式")


def dated_arithmetic(python: str) -> str:
    """``python`` with each ``+``/``-`` one of whose sides is a date, a date and time, a duration,
    ``now()`` or ``today()`` (a call of the helpers above) a call of ``feel_plus``; unchanged without one."""
    import ast

    if not any(name in python for name in _DATED):
        return python
    tree = ast.parse(python, mode="eval")

    def dated(node) -> bool:
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _DATED
                or isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == PLUS)

    class Plus(ast.NodeTransformer):
        def visit_BinOp(self, node):
            self.generic_visit(node)
            if isinstance(node.op, (ast.Add, ast.Sub)) and (dated(node.left) or dated(node.right)):
                return ast.Call(ast.Name(PLUS, ast.Load()),
                                [node.left, ast.Constant("+" if isinstance(node.op, ast.Add) else "-"), node.right], [])
            return node

    return ast.unparse(ast.fix_missing_locations(Plus().visit(tree)))


FUNCTIONS = {PLUS: feel_plus, SUM: feel_sum, MIN: feel_min, MAX: feel_max, SUBSTRING: feel_substring, DATE: feel_date,
             DATE_TIME: feel_date_time, DURATION: feel_duration, UUID: feel_uuid, STRING: feel_string,
             YEARS_MONTHS: feel_years_months, DAY_OF_WEEK: feel_day_of_week, MONTH_OF_YEAR: feel_month_of_year,
             PROPERTY: feel_property}
