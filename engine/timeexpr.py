"""ISO 8601 timer values as BPMN timer events use them.

A BPMN ``timerEventDefinition`` holds one of three things:

* ``timeDate``     – a moment, e.g. ``2026-12-01T09:00:00+08:00``;
* ``timeDuration`` – a span from "now", e.g. ``P10D`` or ``PT36H``;
* ``timeCycle``    – a repeating interval, e.g. ``R3/P7D``.

The engine turns each into a :class:`TimerPlan`: an aware UTC ``due`` time plus,
for cycles, how to compute the following occurrences. Everything here is pure
(no clock reads, no I/O): the caller passes ``now``.

Time-zone rules, chosen because every user of Duban works in China:

* a date-time **without** a zone offset is Asia/Shanghai wall-clock time (+08:00);
* a bare date such as ``2026-12-01`` means 00:00 Shanghai time on that day;
* calendar arithmetic (months, years, days) is done on the Shanghai calendar,
  so "P1M from 31 January" ends on the last day of February in China.

Models written for SpiffWorkflow wrap literals in quotes (``"P10D"``) because
Spiff evaluates them as Python; Camunda Modeler writes them bare (``P10D``).
Both spellings are accepted everywhere; :func:`looks_like_iso_literal` tells the
engine which of the two it is facing versus a real Python expression.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from dateutil.relativedelta import relativedelta

from .excerpt import excerpt
from . import typed_input

from .clock import SHANGHAI  # one zone for the whole project

TIMER_KINDS = ("date", "duration", "cycle")


class TimerExpressionError(ValueError):
    """A timer value that cannot be understood; the message (Chinese) names the bad text and says what
    to write instead. Callers put the element's name in front (engine/timers.py, engine/validation.py)."""


# Each kind in the designer's words (engine/modeldiff.FIELD_LABELS: 定时器（到期时间）…), and what to write.
KIND_LABELS = {"date": "到期时间", "duration": "时长", "cycle": "周期"}
EXAMPLES = {
    "date": "如 2026-12-31T09:00:00+08:00、2026-12-31T01:00:00Z 或 2026-12-31（北京时间当日 0 点）",
    "duration": "如 P5D（5 天）、PT2H（2 小时）、P2W（2 周）或 P1Y2M3DT4H（1 年 2 个月 3 天 4 小时）",
    "cycle": "如 R3/PT1H（每小时一次，共 3 次）、R/P1D（每天，不限次数）、"
             "R3/2026-12-01T09:00:00+08:00/P1D（从该时间起每天一次，共 3 次）",
}


def what_to_write(kind: str) -> str:
    """「请填写时长，如 P5D（5 天）…」: the hint every refusal of a ``kind`` timer ends with."""
    return f"请填写{KIND_LABELS[kind]}，{EXAMPLES[kind]}"


def _quoted(text: Any) -> str:
    return f"「{excerpt(str(text).strip())}」"


def _shown(moment: datetime) -> str:
    """A moment as a person in China reads it: 2026-11-27 10:00（北京时间）."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M（北京时间）")


# --------------------------------------------------------------------------- Duration

_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION_RE = re.compile(
    rf"""
    P
    (?:(?P<years>{_NUMBER})Y)?
    (?:(?P<months>{_NUMBER})M)?
    (?:(?P<weeks>{_NUMBER})W)?
    (?:(?P<days>{_NUMBER})D)?
    (?:T
        (?:(?P<hours>{_NUMBER})H)?
        (?:(?P<minutes>{_NUMBER})M)?
        (?:(?P<seconds>{_NUMBER})S)?
    )?
    """,
    re.VERBOSE,
)
_TIME_PARTS = ("hours", "minutes", "seconds")


@dataclass(frozen=True)
class Duration:
    """An ISO 8601 duration, kept field by field.

    Years and months are not a fixed number of seconds (P1M is 28 to 31 days),
    so they cannot live in a ``timedelta``; they are applied on the calendar by
    :meth:`add_to`. Years and months must be whole numbers for that reason;
    the other fields may be fractional.
    """

    years: int = 0
    months: int = 0
    weeks: float = 0
    days: float = 0
    hours: float = 0
    minutes: float = 0
    seconds: float = 0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"Duration.{f.name} must be a number, got {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"Duration.{f.name} must be finite and >= 0, got {value!r}")
        for name in ("years", "months"):
            if float(getattr(self, name)) != int(getattr(self, name)):
                raise ValueError(f"Duration.{name} must be a whole number: a fraction of a "
                                 f"calendar {name[:-1]} has no fixed length")

    @classmethod
    def from_timedelta(cls, delta: timedelta) -> Duration:
        """A fixed-length Duration, for values computed by Python expressions."""
        if delta < timedelta(0):
            raise ValueError(f"a timer duration cannot be negative: {delta}")
        seconds: float = delta.seconds
        if delta.microseconds:
            seconds += delta.microseconds / 1_000_000
        return cls(days=delta.days, seconds=seconds)

    @property
    def is_zero(self) -> bool:
        return all(getattr(self, f.name) == 0 for f in fields(self))

    @property
    def has_calendar_part(self) -> bool:
        """True when years or months are set, i.e. the length depends on the start."""
        return bool(self.years or self.months)

    def fixed_part(self) -> timedelta:
        """The weeks..seconds part, which has a fixed length."""
        return timedelta(weeks=self.weeks, days=self.days, hours=self.hours,
                         minutes=self.minutes, seconds=self.seconds)

    def add_to(self, dt: datetime) -> datetime:
        """``dt`` moved forward by this duration.

        Years and months go first and clamp to the month's end (2026-01-31 + P1M
        = 2026-02-28), then the fixed part is added. Arithmetic happens on the
        wall clock of ``dt``'s own tzinfo; :func:`plan_timer` passes Shanghai
        time so that days and months follow the Chinese calendar.
        """
        return dt + self._calendar_delta() + self.fixed_part()

    def subtract_from(self, dt: datetime) -> datetime:
        """``dt`` moved back by this duration (months first, like :meth:`add_to`)."""
        return dt - self._calendar_delta() - self.fixed_part()

    def scaled(self, factor: int) -> Duration:
        """This duration ``factor`` times over.

        Cycle occurrences are computed as ``start + interval * k`` rather than by
        repeated addition, so a monthly cycle starting on the 31st goes back to
        the 31st after a short month instead of drifting to the 28th.
        """
        if isinstance(factor, bool) or not isinstance(factor, int) or factor < 0:
            raise ValueError(f"scale factor must be an int >= 0, got {factor!r}")
        return Duration(**{f.name: getattr(self, f.name) * factor for f in fields(self)})

    def isoformat(self) -> str:
        """The ISO 8601 text, e.g. ``P1Y2M3DT4H5M6S``; parses back to an equal Duration."""
        date_part = "".join(f"{_format_number(v)}{unit}" for v, unit in (
            (self.years, "Y"), (self.months, "M"), (self.weeks, "W"), (self.days, "D")) if v)
        time_part = "".join(f"{_format_number(v)}{unit}" for v, unit in (
            (self.hours, "H"), (self.minutes, "M"), (self.seconds, "S")) if v)
        if not date_part and not time_part:
            return "PT0S"
        return "P" + date_part + (f"T{time_part}" if time_part else "")

    __str__ = isoformat

    def _calendar_delta(self) -> relativedelta:
        return relativedelta(years=int(self.years), months=int(self.months))


def _format_number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def parse_duration(text: str) -> Duration:
    """Parse ``P10D``, ``PT36H``, ``P1Y2M3DT4H5M6S``, ``P2W`` (quotes allowed).

    Accepts a decimal fraction (``.`` or ``,``) on the smallest unit only, as
    ISO 8601 does, and not on years or months (see :class:`Duration`).
    """
    literal = _unquote(text)
    match = _DURATION_RE.fullmatch(literal.upper())
    if not match or _has_no_component(match) or literal.upper().endswith("T"):
        raise TimerExpressionError(f"{_quoted(text)}不是时长的写法；{what_to_write('duration')}")
    parts = {name: value for name, value in match.groupdict().items() if value is not None}
    _check_fraction_placement(text, parts)
    if any(_is_fraction(parts.get(name, "")) for name in ("years", "months")):
        raise TimerExpressionError(f"{_quoted(text)}中的年、月须为整数（一个月的天数不固定）；"
                                   "请改用天数，如 P45D（45 天）")
    try:
        return Duration(**{name: _to_number(value) for name, value in parts.items()})
    except (ValueError, OverflowError):  # more digits than Python converts (4,300), or a float's range
        raise TimerExpressionError(f"{_quoted(text)}中的数字过大；{what_to_write('duration')}") from None


def _has_no_component(match: re.Match) -> bool:
    return all(value is None for value in match.groupdict().values())


def _check_fraction_placement(text: str, parts: dict[str, str]) -> None:
    """ISO 8601 allows a fraction only on the last (smallest) unit written."""
    names = list(parts)
    for name in names[:-1]:
        if _is_fraction(parts[name]):
            raise TimerExpressionError(
                f"{_quoted(text)}中只有最后一个单位可以带小数；请改写，如 PT1H30M（1 小时 30 分钟）")


def _is_fraction(value: str) -> bool:
    return "." in value or "," in value


def _to_number(value: str) -> int | float:
    if _is_fraction(value):
        return float(value.replace(",", "."))
    return int(value)


# --------------------------------------------------------------------------- date-times

def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date-time or date into an aware datetime (quotes allowed).

    A value without a zone offset is Asia/Shanghai time: ``2026-12-01T09:00``
    is 09:00 in Beijing, i.e. 01:00Z. A bare date ``2026-12-01`` is 00:00
    Shanghai on that day. ``Z`` and explicit offsets are kept as given.
    """
    literal = _unquote(text)
    typed = _as_typed(literal)  # 2026年12月20日, ２０２６-12-20 9:30 from a case's data (Activiti's #{dueDate})
    if typed is not None:
        literal = typed
    if not literal or literal[0] not in "0123456789":
        raise _bad_datetime(text)
    try:
        parsed = datetime.fromisoformat(literal)
    except ValueError:
        raise _bad_datetime(text) from None
    return _as_shanghai_if_naive(parsed)


def _as_typed(literal: str) -> str | None:
    """A day or a moment as an official types it (engine/typed_input.py: 2026年12月20日, 2026/12/20 9时30分,
    full-width digits) in ISO, or None when the text is not so typed (ISO itself, or nothing of the kind)."""
    moment = typed_input.iso_moment(literal)
    if moment is not None:
        return moment
    try:
        return typed_input.iso_day(literal)
    except ValueError:
        return None


def _bad_datetime(text: str) -> TimerExpressionError:
    return TimerExpressionError(f"{_quoted(text)}不是日期时间的写法；{what_to_write('date')}")


def _as_shanghai_if_naive(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        return dt.replace(tzinfo=SHANGHAI)
    return dt


def _moment(value: date | datetime) -> datetime:
    """An aware datetime for a date or datetime, with the Shanghai rules above."""
    if isinstance(value, datetime):
        return _as_shanghai_if_naive(value)
    return datetime.combine(value, time(0), tzinfo=SHANGHAI)


# --------------------------------------------------------------------------- cycles

@dataclass(frozen=True)
class Cycle:
    """A repeating interval (ISO 8601 ``R[n]/...``).

    ``repetitions`` is the total number of firings, ``None`` for unbounded
    (``R/...``). ``start`` is the first firing; without it the first firing is
    one ``interval`` after the timer is set up. ``end`` is a stop time: no
    firing happens after it (Flowable's ``R3/PT10H/${EndDate}`` reading).
    """

    repetitions: int | None
    interval: Duration
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        if self.repetitions is not None and (
                isinstance(self.repetitions, bool) or not isinstance(self.repetitions, int)
                or self.repetitions < 1):
            raise TimerExpressionError(
                f"周期的次数须至少为 1（R1、R3…），而不是「{self.repetitions}」；{what_to_write('cycle')}")
        if self.interval.is_zero:
            raise TimerExpressionError(f"周期的间隔为零，定时器会不停触发；{what_to_write('cycle')}")
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and (value.tzinfo is None or value.utcoffset() is None):
                raise ValueError(f"Cycle.{name} must be an aware datetime, got {value!r}")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise TimerExpressionError(
                f"周期的结束时间 {_shown(self.end)} 早于开始时间 {_shown(self.start)}；请把结束时间改到开始之后")


_REPEAT_RE = re.compile(r"R(\d*)", re.IGNORECASE)


def parse_cycle(text: str) -> Cycle:
    """Parse an ISO 8601 repeating interval (quotes allowed).

    Forms: ``R3/P7D``, ``R/P1D`` (unbounded), ``R3/<start>/P1D``,
    ``R2/P1D/<end>`` and ``R3/<start>/<end>`` (the interval is end - start).
    Cron expressions, which Camunda also accepts in ``timeCycle``, are not
    supported.
    """
    literal = _unquote(text)
    parts = literal.split("/")
    if len(parts) not in (2, 3):
        raise TimerExpressionError(f"{_quoted(text)}不是周期的写法；{what_to_write('cycle')}")
    repetitions = _parse_repetitions(text, parts[0])
    try:
        return _build_cycle(repetitions, parts[1:])
    except TimerExpressionError as exc:
        raise TimerExpressionError(f"周期{_quoted(text)}有误：{exc}") from None


def _parse_repetitions(text: str, head: str) -> int | None:
    match = _REPEAT_RE.fullmatch(head.strip())
    if re.fullmatch(r"R\s*-\s*\d+", head.strip(), re.IGNORECASE):  # "for ever" in some engines
        raise TimerExpressionError(f"周期{_quoted(text)}的「{head.strip()}」不是次数的写法；不限次数请不写次数"
                                   f"（如 R/P1D：每天，不限次数），有限次数写 R 加次数（如 R3/P1D：每天一次，共 3 次）")
    if not match:
        raise TimerExpressionError(
            f"周期{_quoted(text)}须以 R 或 R 加次数开头（如 R3/P1D），而不是「{head.strip()}」；{what_to_write('cycle')}")
    if match.group(1) == "":
        return None
    count = int(match.group(1))
    if count < 1:
        raise TimerExpressionError(f"周期{_quoted(text)}的 R{count} 表示一次也不触发；请写 R1 或更多次，"
                                   f"或写 R 表示不限次数，{EXAMPLES['cycle']}")
    return count


def _build_cycle(repetitions: int | None, pieces: list[str]) -> Cycle:
    first = pieces[0].strip()
    if len(pieces) == 1:
        return Cycle(repetitions, parse_duration(first))
    second = pieces[1].strip()
    if _is_duration_text(first):
        if _is_duration_text(second):
            raise TimerExpressionError("写了两个时长，缺少开始或结束时间；请写成 R3/P1D 或 "
                                       "R3/2026-12-01T09:00:00+08:00/P1D")
        return Cycle(repetitions, parse_duration(first), end=parse_datetime(second))
    start = parse_datetime(first)
    if _is_duration_text(second):
        return Cycle(repetitions, parse_duration(second), start=start)
    finish = parse_datetime(second)
    if finish <= start:
        raise TimerExpressionError(f"结束时间「{second}」不晚于开始时间「{first}」；请把结束时间改到开始之后")
    return Cycle(repetitions, Duration.from_timedelta(finish - start), start=start)


def _is_duration_text(piece: str) -> bool:
    return piece[:1].upper() == "P"


# --------------------------------------------------------------------------- plans

@dataclass(frozen=True)
class TimerPlan:
    """When a timer fires next, and for cycles how it continues.

    ``due`` is aware UTC. ``remaining`` is the number of firings left after this
    one: 0 for a date or duration timer or the last firing of a cycle, ``None``
    for an unbounded cycle without an end time. ``interval`` is the cycle interval (None for
    single timers).

    ``anchor`` (the first occurrence of the cycle) and ``index`` (which
    occurrence ``due`` is, counting from 0) let :meth:`next` compute occurrence
    ``k`` as ``anchor + interval * k`` so monthly cycles do not drift. ``end``
    is the cycle's stop time, if any. Use :meth:`to_dict` / :meth:`from_dict`
    to store a plan as JSON.
    """

    due: datetime
    remaining: int | None = 0
    interval: Duration | None = None
    anchor: datetime | None = None
    index: int = 0
    end: datetime | None = None

    def __post_init__(self) -> None:
        if self.due.tzinfo is None or self.due.utcoffset() is None:
            raise ValueError(f"TimerPlan.due must be aware, got {self.due!r}")
        object.__setattr__(self, "due", self.due.astimezone(timezone.utc))

    @property
    def is_cycle(self) -> bool:
        return self.interval is not None

    def next(self, now: datetime | None = None) -> TimerPlan | None:
        """The plan after this one fires, or ``None`` when the timer is done.

        With ``now`` (aware), occurrences already in the past are skipped, so
        an engine that was down does not fire a burst of stale reminders; when
        every remaining occurrence is past, the last one is returned once
        (due in the past, to fire immediately) so a bounded cycle still ends
        with its final firing.
        """
        if self.interval is None or self.remaining == 0:
            return None
        schedule = _Schedule(self.anchor or self.due, self.interval, self.end,
                             _last_index(self.index, self.remaining))
        return schedule.plan_from(self.index + 1, _require_aware_or_none(now))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (ISO strings) for storing the plan with a timer job."""
        return {
            "due": self.due.isoformat(),
            "remaining": self.remaining,
            "interval": self.interval.isoformat() if self.interval else None,
            "anchor": self.anchor.isoformat() if self.anchor else None,
            "index": self.index,
            "end": self.end.isoformat() if self.end else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimerPlan:
        return cls(
            due=parse_datetime(data["due"]),
            remaining=data.get("remaining", 0),
            interval=parse_duration(data["interval"]) if data.get("interval") else None,
            anchor=parse_datetime(data["anchor"]) if data.get("anchor") else None,
            index=data.get("index", 0),
            end=parse_datetime(data["end"]) if data.get("end") else None,
        )


def _last_index(index: int, remaining: int | None) -> int | None:
    return None if remaining is None else index + remaining


@dataclass(frozen=True)
class _Schedule:
    """Occurrences ``anchor + interval * k`` for k = 0..last_index, none after ``end``."""

    anchor: datetime
    interval: Duration
    end: datetime | None
    last_index: int | None  # None: unbounded

    def occurrence(self, k: int) -> datetime:
        local = self.anchor.astimezone(SHANGHAI)
        return self.interval.scaled(k).add_to(local).astimezone(timezone.utc)

    def plan_from(self, first: int, now: datetime | None) -> TimerPlan | None:
        """The plan for the first usable occurrence at index >= ``first``."""
        limit = self._limit()
        if limit is not None and first > limit:
            return None
        k = first
        if now is not None:
            k = max(first, self._first_index_at_or_after(now))
            if limit is not None and k > limit:
                k = limit
        return self._plan(k)

    def _plan(self, k: int) -> TimerPlan:
        limit = self._limit()
        remaining = None if limit is None else limit - k
        return TimerPlan(due=self.occurrence(k), remaining=remaining, interval=self.interval,
                         anchor=self.anchor.astimezone(timezone.utc), index=k, end=self.end)

    def _limit(self) -> int | None:
        """Highest usable index, combining the repetition count and the end time."""
        limit = self.last_index
        if self.end is not None:
            by_end = self._last_index_at_or_before(self.end)
            limit = by_end if limit is None else min(limit, by_end)
        return limit

    def _last_index_at_or_before(self, moment: datetime) -> int:
        k = self._first_index_at_or_after(moment)
        return k if self.occurrence(k) == moment else k - 1

    def _first_index_at_or_after(self, moment: datetime) -> int:
        """Smallest k with occurrence(k) >= moment (0 if the anchor is not before it)."""
        if self.anchor >= moment:
            return 0
        if self.interval.has_calendar_part:
            k = self._estimate_calendar_index(moment)
        else:
            step = self.interval.fixed_part()
            k = max(0, math.floor((moment - self.anchor) / step) - 1)
        while self.occurrence(k) < moment:
            k += 1
        return k

    def _estimate_calendar_index(self, moment: datetime) -> int:
        """A safe lower bound for month/year intervals, so the walk stays short."""
        longest_days = (self.interval.years * 366 + self.interval.months * 31
                        + self.interval.fixed_part() / timedelta(days=1))
        elapsed_days = (moment - self.anchor) / timedelta(days=1)
        return max(0, math.floor(elapsed_days / longest_days) - 1)


def _require_aware_or_none(now: datetime | None) -> datetime | None:
    if now is None:
        return None
    return _require_aware(now)


def _require_aware(now: datetime) -> datetime:
    if not isinstance(now, datetime):
        raise TypeError(f"now must be a datetime, got {type(now).__name__}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be an aware datetime (got naive {now.isoformat()}); "
                         f"pass e.g. datetime.now(timezone.utc)")
    return now


def plan_timer(kind: str, value: Any, now: datetime) -> TimerPlan:
    """Turn a BPMN timer value into a :class:`TimerPlan`.

    ``kind`` is ``"date"``, ``"duration"`` or ``"cycle"`` (timeDate,
    timeDuration, timeCycle). ``value`` is either the ISO text from the model,
    bare or quoted, or what a Python expression evaluated to:

    * date: a ``datetime`` (naive = Shanghai) or ``date`` (00:00 Shanghai);
    * duration: a ``timedelta`` or :class:`Duration`, added to ``now``;
    * cycle: a :class:`Cycle`.

    A due time in the past is returned as is; the scheduler should fire it at
    once. Cycles skip occurrences before ``now`` (see :meth:`TimerPlan.next`).
    ``now`` must be aware.
    """
    now = _require_aware(now)
    if kind not in TIMER_KINDS:
        raise ValueError(f"timer kind must be one of {TIMER_KINDS}, got {kind!r}")
    if isinstance(value, str):
        value = _parse_for_kind(kind, value)
    try:
        return _PLANNERS[kind](value, now)
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, TimerExpressionError):
            raise
        raise TimerExpressionError(f"{KIND_LABELS[kind]}{_quoted(value)}超出可计算的日期范围；"
                                   f"{what_to_write(kind)}") from None


def _parse_for_kind(kind: str, text: str) -> Any:
    if kind == "date":
        return parse_datetime(text)
    if kind == "duration":
        return parse_duration(text)
    return parse_cycle(text)


def _plan_date(value: Any, now: datetime) -> TimerPlan:
    if not isinstance(value, date):
        raise _wrong_type("date", value, "a datetime, a date or ISO date-time text")
    return TimerPlan(due=_moment(value))


def _plan_duration(value: Any, now: datetime) -> TimerPlan:
    if isinstance(value, timedelta):
        if value < timedelta(0):
            raise TimerExpressionError(f"时长不能为负（表达式得到 {_describe_value(value)}）；请检查表达式，"
                                       f"或{what_to_write('duration')}")
        return TimerPlan(due=now + value)
    if isinstance(value, Duration):
        check_span("duration", value)
        return TimerPlan(due=value.add_to(now.astimezone(SHANGHAI)))
    raise _wrong_type("duration", value, "a timedelta, a Duration or ISO duration text")


# The shortest interval a cycle timer may have. A cycle fires a step of the case (a database
# transaction, audit events) each time; ``R/PT0.001S`` would keep a timer worker busy with one case
# for ever. Supervision reminders run on days; one minute leaves room for tests and drills.
MIN_CYCLE_INTERVAL = timedelta(minutes=1)


def check_cycle_interval(cycle: Cycle) -> None:
    """Refuse a cycle whose interval is shorter than MIN_CYCLE_INTERVAL (TimerExpressionError)."""
    if not cycle.interval.has_calendar_part and cycle.interval.fixed_part() < MIN_CYCLE_INTERVAL:
        raise TimerExpressionError(f"周期定时器的间隔 {cycle.interval.isoformat()} 短于最小间隔 1 分钟；"
                                   "请填写至少 1 分钟的间隔，如 R/PT5M（每 5 分钟）、R/P1D（每天）")


# The longest one wait of a timer may be, and the longest a counted cycle may take to fire all its
# times (最长定时): a technical bound, not a rule of law — no supervision time limit comes near it, and
# past it the date arithmetic soon leaves the calendar (year 9999), so such a timer failed only when
# it was set or fired (an incident hours or years after the deploy). A cycle meant to go on for ever
# is written without a count (R/P1D).
MAX_SPAN_YEARS = 100
_DAYS_A_YEAR, _DAYS_A_MONTH = 365.2425, 30.436875


def _days(duration: Duration) -> float:
    """About how many days ``duration`` is (float arithmetic: no overflow, whatever its numbers)."""
    return (duration.years * _DAYS_A_YEAR + duration.months * _DAYS_A_MONTH + duration.weeks * 7 + duration.days
            + duration.hours / 24 + duration.minutes / 1440 + duration.seconds / 86400)


def _years(days: float) -> str:
    return f"约 {days / _DAYS_A_YEAR:,.0f} 年"


def check_span(kind: str, value: Any) -> None:
    """Refuse (TimerExpressionError) a duration or a cycle that cannot run: one wait longer than
    ``MAX_SPAN_YEARS``, or a counted cycle whose firings would take longer (``R999999999/PT1M``)."""
    limit = MAX_SPAN_YEARS * _DAYS_A_YEAR
    if kind == "duration" and isinstance(value, Duration) and _days(value) > limit:
        raise TimerExpressionError(f"时长「{value.isoformat()}」（{_years(_days(value))}）超过 {MAX_SPAN_YEARS} 年，"
                                   f"定时器无法计时；{what_to_write('duration')}")
    if kind != "cycle" or not isinstance(value, Cycle):
        return
    interval = _days(value.interval)
    if interval > limit:
        raise TimerExpressionError(f"周期的间隔「{value.interval.isoformat()}」（{_years(interval)}）超过 "
                                   f"{MAX_SPAN_YEARS} 年，定时器无法计时；{what_to_write('cycle')}")
    if value.repetitions is not None and value.end is None and value.repetitions * interval > limit:
        raise TimerExpressionError(
            f"周期「R{value.repetitions}/{value.interval.isoformat()}」要{_years(value.repetitions * interval)}"
            f"才触发完，超过 {MAX_SPAN_YEARS} 年；不限次数请不写次数，如 R/{value.interval.isoformat()}，"
            f"或写实际需要的次数，如 R3/{value.interval.isoformat()}")


def _plan_cycle(value: Any, now: datetime) -> TimerPlan:
    if not isinstance(value, Cycle):
        raise _wrong_type("cycle", value, "a Cycle or ISO repeating-interval text")
    check_cycle_interval(value)
    check_span("cycle", value)
    anchor = value.start or value.interval.add_to(now.astimezone(SHANGHAI))
    last = None if value.repetitions is None else value.repetitions - 1
    schedule = _Schedule(anchor, value.interval, value.end, last)
    plan = schedule.plan_from(0, now)
    if plan is None:
        raise TimerExpressionError(
            f"周期「{_describe_cycle(value)}」一次也不会触发：第一次的时间 {_shown(anchor)} "
            f"晚于结束时间 {_shown(value.end)}；请把结束时间改晚，或去掉结束时间")
    return plan


def _describe_cycle(cycle: Cycle) -> str:
    count = "" if cycle.repetitions is None else str(cycle.repetitions)
    pieces = [f"R{count}"]
    if cycle.start:
        pieces.append(cycle.start.isoformat())
    pieces.append(cycle.interval.isoformat())
    if cycle.end:
        pieces.append(cycle.end.isoformat())
    return "/".join(pieces)


_PLANNERS = {"date": _plan_date, "duration": _plan_duration, "cycle": _plan_cycle}


def _wrong_type(kind: str, value: Any, expected: str) -> TimerExpressionError:
    """``expected`` is for the code's readers; a person reads what to write instead."""
    return TimerExpressionError(
        f"{KIND_LABELS[kind]}定时器的表达式得到的是{_describe_value(value)}，不是{KIND_LABELS[kind]}；"
        f"{what_to_write(kind)}")


_TYPE_NAMES = {bool: "是/否", int: "数字", float: "数字", str: "文字", list: "列表", tuple: "列表", dict: "字典",
               datetime: "日期时间", date: "日期", timedelta: "时长", Duration: "时长", Cycle: "周期"}


def _describe_value(value: Any) -> str:
    """「5」（数字）: a value as a person reads it, its type in Chinese."""
    if value is None:
        return "空值（没有值）"
    if isinstance(value, timedelta):  # as the ISO text the model's author writes: -P1D, not "-1 day, 0:00:00"
        sign = "-" if value < timedelta(0) else ""
        return f"「{sign}{Duration.from_timedelta(abs(value)).isoformat()}」（时长）"
    return f"{_quoted(value)}（{_TYPE_NAMES.get(type(value), '其他类型')}）"


# --------------------------------------------------------------------------- literals

def looks_like_iso_literal(kind: str, text: Any) -> bool:
    """True when ``text`` is a bare or quoted ISO literal valid for ``kind``.

    The engine uses this to decide between taking a timer value literally and
    evaluating it as a Python expression (``due_date - timedelta(days=3)``).
    Bare ISO text is mostly not valid Python (``P10D`` is a name, ``2026-12-01``
    would subtract integers), so it must not reach the evaluator.
    """
    if not isinstance(text, str) or kind not in TIMER_KINDS:
        return False
    try:
        _parse_for_kind(kind, text)
    except TimerExpressionError:
        return False
    return True


def _unquote(text: Any) -> str:
    """Strip whitespace and one pair of matching outer quotes (Spiff-style literals)."""
    if not isinstance(text, str):
        raise TimerExpressionError(f"定时器须是文字，而表达式得到的是{_describe_value(text)}")
    stripped = text.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] and stripped[0] in "\"'":
        stripped = stripped[1:-1].strip()
    return stripped
