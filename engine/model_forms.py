"""Forms drawn in the model (模型内表单): Camunda ``camunda:formData``, Flowable ``flowable:formProperty``
and Camunda 8 forms (form-js, embedded in the model: engine/camunda_forms.py reads them into the same fields).

Models drawn in Camunda Modeler or Flowable carry their form in the task: fields with an id, label,
type, default value and a ``required`` constraint. engine/dialects.py copies them into the task's
``formFields`` property; when such a task is completed without one of our marshmallow forms, the
submitted data is checked here: defaults fill missing fields, required fields must be given (the
error names the field by its label), a read-only field (Camunda's ``readonly``, Activiti's
``writable="false"``) is not written, numbers, days and yes/no values are read as a tired official
types them ("5,000,000", "５", "2026年12月1日", "是"), an enum's value must be one of its ids (or the
name shown for one).
A date field's day is stored as ``2026-12-01`` whichever way it was typed — ``01/12/2026``
(Camunda 7's own dd/MM/yyyy), ``2026年12月1日``, ``２０２６-１２-０１`` — because that is what the
model's expressions read it as: a task's ``dueDate`` or a timer's ``timeDate`` of ``${checked_on}``
is parsed as ISO 8601 (engine/timeexpr.py), the script helpers (``days_after``, ``workdays_after``)
take ISO text, and two such days compare in JUEL (``${rectify_by > checked_on}``) as their dates do;
case data is JSON, so a date object would reach the sandbox as this same text anyway.
An Activiti/Flowable field drawn with ``datePattern="dd-MM-yyyy"`` (Java's SimpleDateFormat letters
y, M, d, H, m, s) takes the day typed that way (``05-12-2026``; ``MM/dd/yyyy``: ``12/05/2026`` is 5
December, not Camunda 7's day-first reading), year-first and Chinese days still; a pattern with a
time of day stores the moment in Beijing (``2026-12-05T09:30:00+08:00``); the error and the box's
placeholder give the pattern's spelling (``patterned_day``, ``date_spellings``).
The task page shows these fields when the task has no form of ours (webui/drawn_form.py): each by
its label, a 是/否 choice for a boolean, a select of the names for an enum, read-only ones shown but
not editable; what is posted is checked here, and the errors come back next to the fields.
A 是/否, number, day or choice left blank (不填, ``""`` or null) is not given: dropped, not stored blank.
When the step then fails because it reads that field (``${qualified}`` at the gateway after the task:
a NameError of it), the completion is refused naming the field instead of becoming an incident
(``blank_refusal``, called by engine/tasks.py on the step's failure: no cost on a step that does
not fail); a blank nothing reads, or one the model reads as absent on purpose, goes through.
A start form (the fields drawn on the start event a start runs from: ``start_event``, its none start
event) is checked the same way (engine/step.py ``start_in``), and a blank the first gateway or task
reads refuses the start the same way (``blank_refusal`` on the start's failure: nothing started, no
incident); 发起案件 reads the form from the same spec (webui/drawn_form.py ``start_fields``).

A Camunda 8 form adds what form-js checks: ``min``/``max`` of a number and ``minLength``/``maxLength``
of a text (「拟罚款金额（元）」不能小于 0), a checklist's several values (``multiple``: a list, each one of
its choices), a date and time (the moment in Beijing, ``moment_of``) or a time of day (``09:30``,
``time_of``), and a field that a ``conditional.hide`` hides while the values posted make its
condition true is neither asked for nor stored (what was posted for it is dropped) (``hidden``: a plain expression, evaluated in the host as a
gateway condition is, a name not given read as None; a condition that fails hides nothing). About
11 µs of CPU for the nine fields of zeebe_embedded_form's 现场检查 (a completion there ~1.2 ms).

Choices from the case (a form-js ``valuesKey``, or a ``valuesExpression`` that is a variable or a
path ``a.b``: ``valuesFrom``): the list the case data holds there when the task is done —
strings, numbers, or ``{label, value}`` as form-js defines — is the field's choices (``choices_from``),
and the value submitted must be one of them (``check``'s ``case_data``; engine/tasks.py gives the
task's data). While the case holds no list there, the field is a text box and is not checked. While
it holds an EMPTY list there, nothing can be chosen: the page shows the field as not fillable with
the note 「可选项来自案件数据「X」，目前为空，请先在此前环节填写」 (``empty_choices``); left blank, an optional
field is accepted (not stored), a required one is refused with that reason, and any value is.

Written here, not with marshmallow: the fields are data in the model, known only at run time, and
the rules are the handful Camunda's generated forms have.
"""
from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from datetime import date, datetime

from SpiffWorkflow.bpmn.specs.control import StartEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent

from . import evaluator, restricted
from .spec_facts import per_spec

from .clock import SHANGHAI
from .errors import InvalidData
from . import typed_input
from .typed_input import iso_day

TRUE = {"true", "yes", "y", "1", "是", "对", "同意", "on"}
FALSE = {"false", "no", "n", "0", "否", "不", "不同意", "off"}
INTEGER_KINDS = frozenset({"long", "integer", "int", "short"})
DECIMAL_KINDS = frozenset({"double", "float", "decimal", "number"})
NUMBER_KINDS = INTEGER_KINDS | DECIMAL_KINDS
TYPED_KINDS = NUMBER_KINDS | {"boolean", "date", "enum", "datetime", "time"}
# A field for a file: Camunda 8's filepicker (engine/camunda_forms.py), a Camunda 7 formField or a
# Flowable/Activiti formProperty typed file/upload/attachment. A required one left empty says what our
# forms say (workflows.forms.fields.files_missing, 5a1e1a4): 请上传<label>, page and API alike.
FILE_KINDS = frozenset({"file", "files", "upload", "filepicker", "attachment", "attachments"})


def missing(f: dict, label: str) -> str:
    """What a required field left empty says: 请上传<label> for a file, else 「<label>」为必填项."""
    if (f.get("type") or "").strip().lower() in FILE_KINDS:
        return f"请上传{label}"
    return f"「{label}」为必填项"
DATE_SPELLINGS = "日期，如 2026年12月1日、2026-12-01 或 01/12/2026（日/月/年）"


def fields_of(props: dict) -> list[dict]:
    """The model's form fields (read, never changed: ``check`` only looks at them)."""
    raw = props.get("formFields")
    if not raw:
        return []
    if isinstance(raw, str):
        return list(_parsed(raw))
    try:
        return list(json.loads(raw))
    except (ValueError, TypeError):
        return []


@functools.lru_cache(maxsize=512)
def _parsed(raw: str) -> tuple:
    """A task's ``formFields`` text parsed once, not on every completion of the task."""
    try:
        return tuple(json.loads(raw))
    except (ValueError, TypeError):
        return ()


_PLAIN = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


class Said(ValueError):
    """A value refused with a reason a person reads (``无法确定金额，请写成数字，如 55000 或 5.5万``,
    ``须写明年份，如 2026年11月1日``): ``check`` puts the field's label before it, in place of the
    kind's bare 「…」须为整数."""


def _number(value, integer: bool):
    """A number as typed, read as our own forms read an amount (engine/typed_input, as
    workflows/forms/fields.OfficialDecimal reads it): ``5,000,000``, ``5，000，000``, ``５０００``,
    ``500万``, ``1.2亿``, ``5000元``, Chinese numerals (``伍仟元``, ``三人``) and spoken shorthand (``五万五``
    = 55,000, ``1万5``). Refused saying why (``Said``): shorthand that says two amounts (``十万五``) and
    ``1,5`` or ``1.000.000`` (1.5 or 15? — the comma was dropped wherever it stood: ``1,5`` was 15);
    refused as no number: ``1e3``, ``inf``, and for a whole number (``long``) a fraction (``5.5``)."""
    if isinstance(value, str):
        try:
            text = typed_input.number_text(value)
        except ValueError as exc:
            raise Said(str(exc)) from None
        if not _PLAIN.fullmatch(text):
            raise ValueError(value)
    else:
        text = str(value)
    number = float(text)
    if not math.isfinite(number):  # 400 digits are infinity to a float, and no database keeps one
        raise ValueError(text)
    if integer:
        if number != int(number):
            raise ValueError(text)
        return int(number)
    return number


def day_of(value) -> str | None:
    """A date field's value as the day it means (``2026-12-01``); None when it is no day."""
    if isinstance(value, datetime):  # a moment (a caller's datetime): its day in Beijing
        return (value.astimezone(SHANGHAI) if value.tzinfo else value).date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if "T" in text:  # 2026-12-01T09:00:00+08:00, as an API client may send a day
        try:
            return day_of(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
        except ValueError:
            return None
    try:
        return iso_day(text, day_first=True)
    except ValueError:
        return None


_TIMED_KINDS = frozenset({"date", "datetime", "time"})


def _convert(kind: str, value, date_pattern: str | None = None):
    kind = (kind or "string").lower()
    if isinstance(value, str) and (kind in INTEGER_KINDS or kind in DECIMAL_KINDS or kind in _TIMED_KINDS):
        try:  # ٢٠٢٦-١١-٠١, ٠٩:٣٠: Python's \\d and int() read digits of any script
            typed_input.refuse_other_digits(value)
        except ValueError as exc:
            raise Said(str(exc)) from None
    if kind in INTEGER_KINDS:
        return _number(value, True)
    if kind in DECIMAL_KINDS:
        return _number(value, False)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = unicodedata.normalize("NFKC", str(value)).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise ValueError(text)
    if kind == "date":
        day = patterned_day(value, date_pattern) if date_pattern else day_of(value)
        if day is None:
            _no_day(value)
        return day
    if kind == "datetime":
        return moment_of(value)
    if kind == "time":
        return time_of(value)
    return value


def _no_day(value) -> None:
    """Why ``value`` is no day, raised: ``Said`` when it is one without its year (``11月1日``,
    ``十一月一日``: never guessed) or its day (``2026年11月``), one that does not exist
    (``2026年2月30日``) or one whose weekday typed after it is another's, as our forms say it;
    else ValueError (the field's spellings answer it)."""
    try:
        typed_input.iso_day(str(value), "")
    except ValueError as exc:
        said = str(exc)
        if "年份" in said or "哪一日" in said:  # 11月1日, 2026年11月: 「整改期限」须写明…
            raise Said(said.removeprefix("日期")) from None
        if "有效" in said or "星期" in said:  # 2026年11月1日（星期一）: that day is a Sunday
            raise Said(said) from None
    raise ValueError(value)


_MOMENT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(?:T|\s)\s*(.+)$")
_TIME = re.compile(r"^(上午|下午)?\s*(\d{1,2})\s*[:时点]\s*(\d{1,2})?\s*分?(?:\s*[:]\s*(\d{1,2})\s*秒?)?$")


def time_of(value) -> str:
    """A Camunda 8 form's time (``datetime`` of subtype time) as ``09:30``, typed ``9:30``, ``９：３０``,
    ``9点30分``, ``下午3点``; ValueError when it is no time of day."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    # _TIME's blanks around each part split a long run of blanks every which way before failing
    # (「9:」, 1,000 blanks and 「x」 took 5.7 s, 3,000 minutes): a run is one blank, and no time of
    # day is typed in more than 32 characters (「下午3点30分15秒」 has 10)
    found = _TIME.match(typed_input.one_blank(text)) if len(text) <= 32 else None
    if not found:
        raise ValueError(text)
    half, hour, minute = found.group(1), int(found.group(2)), int(found.group(3) or 0)
    if half == "下午" and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        raise ValueError(text)
    return f"{hour:02d}:{minute:02d}"


def moment_of(value) -> str:
    """A Camunda 8 form's date and time (``datetime`` of subtype datetime) as the moment in Beijing
    (``2026-12-01T09:30:00+08:00``), typed as the browser's picker posts it (``2026-12-01T09:30``),
    ISO with a zone, or ``2026年12月1日 9:30``; ValueError when it is no moment (a day alone is not)."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if not re.search(r"\d\s*[:时点]", text):
            raise ValueError(text)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            found = _MOMENT.match(text)
            if not found:
                raise ValueError(text) from None
            at = time_of(found.group(4))
            moment = datetime(int(found.group(1)), int(found.group(2)), int(found.group(3)), int(at[:2]), int(at[3:]))
    moment = moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment.astimezone(SHANGHAI)
    return moment.isoformat()


# Java's SimpleDateFormat letters a datePattern may use, as read here: (what it is, its Chinese)
_PATTERN_LETTERS = {"y": ("year", "年"), "M": ("month", "月"), "d": ("day", "日"), "H": ("hour", "时"),
                    "m": ("minute", "分"), "s": ("second", "秒")}
_SEPARATORS = "-/. "


@functools.lru_cache(maxsize=64)
def _date_pattern(pattern: str) -> tuple[re.Pattern, tuple[str, ...], str] | None:
    """Activiti/Flowable's ``datePattern`` (Java SimpleDateFormat: ``dd-MM-yyyy``, ``MM/dd/yyyy``,
    ``yyyyMMdd``, ``yyyy-MM-dd HH:mm``) as (a regular expression of a value typed that way, the
    parts its groups hold, an example in Chinese: ``01-12-2026（日-月-年）``); None for a pattern with
    letters not read here (a month's name ``MMM``, a weekday ``E``, 12-hour ``hh a``, a zone), or
    one without a year, month and day: such a field takes a day as any other date field does."""
    items: list[tuple[str, str]] = []  # ("token", "dd") or ("text", "-")
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch.isascii() and ch.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == ch:
                j += 1
            if ch not in _PATTERN_LETTERS or (ch == "M" and j - i > 2):
                return None
            items.append(("token", pattern[i:j]))
            i = j
        elif ch == "'":  # quoted text ('T', or '' for a quote)
            j = pattern.find("'", i + 1)
            if j < 0:
                return None
            items.append(("text", pattern[i + 1:j] or "'"))
            i = j + 1
        else:
            items.append(("text", ch))
            i += 1
    parts = tuple(_PATTERN_LETTERS[t[0]][0] for kind, t in items if kind == "token")
    if not {"year", "month", "day"} <= set(parts) or len(set(parts)) != len(parts):
        return None
    regex, example, order = [], [], []
    sample = {"year": "2026", "month": "12", "day": "01", "hour": "09", "minute": "30", "second": "00"}
    for n, (kind, text) in enumerate(items):
        if kind == "text":
            regex.append(r"\s*[-/.]\s*" if text in "-/." else r"\s+" if text.isspace() else
                         r"\s*" + re.escape(unicodedata.normalize("NFKC", text)) + r"\s*")
            example.append(text)
            order.append(text if not text.isspace() else " ")
            continue
        part = _PATTERN_LETTERS[text[0]][0]
        next_to_token = any(0 <= k < len(items) and items[k][0] == "token" for k in (n - 1, n + 1))
        if part == "year":
            regex.append(r"(\d{4})" if len(text) != 2 else r"(\d{2})")
            example.append(sample["year"] if len(text) != 2 else sample["year"][2:])
        else:
            regex.append(rf"(\d{{{len(text)}}})" if next_to_token else r"(\d{1,2})")
            example.append(sample[part] if len(text) > 1 or part in ("year",) else sample[part].lstrip("0") or "0")
        order.append(_PATTERN_LETTERS[text[0]][1])
    return re.compile("^" + "".join(regex) + "$"), parts, f"{''.join(example)}（{''.join(order)}）"


def patterned_day(value, pattern: str) -> str | None:
    """A date field drawn with Activiti/Flowable's ``datePattern``: the value typed the way the pattern
    says (``05-12-2026`` for ``dd-MM-yyyy``; full-width digits too) as the ISO day the model's
    expressions read (``2026-12-05``), or the moment in Beijing (``2026-12-05T09:30:00+08:00``) when the
    pattern has a time of day; failing that, a day as any date field takes it, year first
    (``2026-12-05``, ``2026年12月5日``) — never Camunda 7's day-first reading, which a ``MM/dd/yyyy``
    pattern would contradict. None when it is neither."""
    compiled = _date_pattern(pattern)
    if compiled is None:
        return day_of(value)
    if isinstance(value, (date, datetime)):
        return day_of(value)
    regex, parts, _example = compiled
    text = unicodedata.normalize("NFKC", str(value)).strip()
    found = regex.match(text)
    if found:
        got = dict(zip(parts, (int(g) for g in found.groups())))
        year = got["year"] + (2000 if got["year"] < 100 else 0)
        try:
            moment = datetime(year, got["month"], got["day"], got.get("hour", 0), got.get("minute", 0),
                              got.get("second", 0))
        except ValueError:
            return None
        if "hour" in got:
            return moment.replace(tzinfo=SHANGHAI).isoformat()
        return moment.date().isoformat()
    if "T" in text:
        return day_of(text)
    try:
        return iso_day(text)
    except ValueError:
        return None


def date_spellings(pattern: str | None) -> str:
    """How a date field asks to be typed (in its error and its box's placeholder): the day as people
    write it first (2026年12月1日), then the field's ``datePattern`` (``01-12-2026（日-月-年）``)."""
    compiled = _date_pattern(pattern) if pattern else None
    if compiled is None:
        return DATE_SPELLINGS
    if compiled[2].startswith("2026-12-01"):  # yyyy-MM-dd: the pattern is the ISO day
        return f"日期，如 2026年12月1日 或 {compiled[2]}"
    return f"日期，如 2026年12月1日、{compiled[2]} 或 2026-12-01"


def _choice(f: dict, value):
    """An enum field's value: one of its ids, or the name shown for one (typed as the form shows it). A
    JSON true/false (a REST client's) matches the id spelled ``true``/``false`` in any case, as Java's
    Boolean.toString spells it for an Activiti 同意/不同意 (Python's str gives "True")."""
    if isinstance(value, bool):
        said = "true" if value else "false"
        for vid, _name in f["values"]:
            if vid.lower() == said:
                return vid
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for vid, name in f["values"]:
        if text in (vid, unicodedata.normalize("NFKC", name or "").strip()):
            return vid
    raise ValueError(text)


def choices_from(f: dict, case_data: dict | None) -> list[list[str]] | None:
    """A field's choices from the case (``valuesFrom``: a variable or a path ``a.b``) as [[value,
    label], ...]; None when the field takes none from the case or the case holds no list there."""
    found = _case_choices(f, case_data)
    return None if found is None else [[value, label] for value, label, _original in found]


def _case_choices(f: dict, case_data: dict | None) -> list[tuple[str, str, object]] | None:
    """(value as text, label, the value as the case holds it) of each choice from the case."""
    path = f.get("valuesFrom")
    if not path or case_data is None:
        return None
    found = case_data
    for part in str(path).split("."):
        found = found.get(part) if isinstance(found, dict) else None
    if not isinstance(found, list):
        return None
    out: list[tuple[str, str, object]] = []
    for item in found:
        if isinstance(item, dict):
            original = item.get("value")
            label = item.get("label")
        else:
            original, label = item, None
        if original is None or isinstance(original, (dict, list)) or original == "":
            continue
        value = ("true" if original else "false") if isinstance(original, bool) else str(original)
        out.append((value, str(label) if label not in (None, "") and not isinstance(label, (dict, list)) else value,
                    original))
    return out


def empty_choices(label: str | None, source: str, named: str | None = None) -> str:
    """Why a field whose choices come from the case cannot be filled: the case holds that list, empty.
    ``named``: the case data's Chinese name for ``source``, where the caller knows it."""
    said = f"可选项来自案件数据「{named or source}」，目前为空，请先在此前环节填写"
    return f"「{label}」的{said}" if label else said


def _listed(f: dict) -> bool:
    """Must the value be one of the field's choices? Drawn ones, or the case's list (even empty)."""
    return bool(f.get("values")) or ("values" in f and bool(f.get("valuesFrom")))


def check(props: dict, data: dict, case_data: dict | None = None) -> dict:
    """The submitted data with defaults filled and values converted; InvalidData naming each field.
    ``case_data``: what the case holds when the task is done, for choices taken from it."""
    fields = fields_of(props)
    if not fields:
        return data
    result = dict(data)
    errors = {}
    unless_hidden: list[tuple[str, str, str]] = []
    for f in fields:
        originals = None
        empty = False  # the case holds the list the choices come from, and it is empty
        if f.get("valuesFrom") and not f.get("values"):
            found = _case_choices(f, case_data)
            if found is not None:  # the case's list: the value must be one of them, stored as it holds it (1, not "1")
                f = {**f, "values": [[value, label] for value, label, _o in found]}
                originals = {value: original for value, _l, original in found}
                empty = not found
        fid, label = f.get("id"), f.get("label") or f.get("id")
        if not fid:
            continue
        if f.get("readonly"):  # shown, not changed: what was submitted for it is not written
            result.pop(fid, None)
            continue
        value = result.get(fid)
        if value in (None, "") and f.get("default") not in (None, ""):
            value = f["default"]
        if value in (None, "", []):
            if f.get("required") and f.get("hide"):
                unless_hidden.append((fid, label, f["hide"]))  # decided once every value is read
            elif f.get("required"):
                errors[fid] = empty_choices(label, f["valuesFrom"]) if empty else missing(f, label)
            elif fid in result and (f.get("values") or f.get("multiple")
                                    or (f.get("type") or "string").lower() in TYPED_KINDS):
                # 不填: a yes/no, number, day or choice left blank ("" or null) is not given, not
                # stored blank (a blank read as 否 by ``!qualified`` took the 不合格 flow)
                result.pop(fid, None)
            continue
        refused = _none_word(f, value)
        if refused is not None:  # 无, 暂无, / in a box for a number or a day: what to do, as our forms say it
            errors[fid] = f"「{label}」{refused}"
            continue
        try:
            if f.get("multiple"):
                result[fid] = _several(f, value)
            else:
                result[fid] = (_choice(f, value) if _listed(f)
                               else _convert(f.get("type"), value, f.get("datePattern")))
            if originals:
                chosen = result[fid]
                result[fid] = ([originals.get(v, v) for v in chosen] if isinstance(chosen, list)
                               else originals.get(chosen, chosen))
        except (ValueError, TypeError) as exc:
            if empty:
                errors[fid] = empty_choices(label, f["valuesFrom"])
                continue
            if isinstance(exc, Said):
                errors[fid] = f"「{label}」{exc}"
                continue
            kind = (f.get("type") or "").lower()
            kind = ("整数" if kind in INTEGER_KINDS else "数字" if kind in DECIMAL_KINDS else "是或否" if kind == "boolean"
                    else date_spellings(f.get("datePattern")) if kind == "date"
                    else "日期和时间，如 2026年12月1日 9:30" if kind == "datetime"
                    else "时间，如 09:30" if kind == "time" else "有效的值")
            if f.get("values"):
                kind = "以下之一：" + "、".join(name for _id, name in f["values"])
            errors[fid] = f"「{label}」须为{kind}"
            continue
        said = _out_of_bounds(f, result[fid])
        if said:
            errors[fid] = f"「{label}」{said}"
    for fid, label, condition in unless_hidden:  # a Camunda 8 field hidden by its condition is not asked for
        if not hidden(condition, result):
            errors[fid] = missing(next(f for f in fields if f.get("id") == fid), label)
    # ... nor stored, nor refused for what was posted for it: form-js submits no hidden field, and the
    # page (webui/static/forms.js) disables its inputs; a client posting one anyway is not believed
    posted = dict(result)
    for f in fields:
        if f.get("hide") and f.get("id") in posted and hidden(f["hide"], posted):
            result.pop(f["id"], None)
            errors.pop(f["id"], None)
    if errors:
        raise InvalidData(errors)
    return result


_NONE_WHAT = {**dict.fromkeys(INTEGER_KINDS, "整数"), **dict.fromkeys(DECIMAL_KINDS, "数字"), "date": "日期",
              "datetime": "日期和时间", "time": "时间"}


def _none_word(f: dict, value) -> str | None:
    """What 「无」, 「暂无」 or 「/」 typed in a field for a number, a day or a time is told
    (engine/typed_input.none_refusal): 「应为整数，不要填写“无”：没有的请填 0 或留空」 — 填 0 where 0 is
    within its bounds, 留空 where it may be left empty — not 「须为整数」, as if a figure were mistyped;
    None for anything else (a field of choices says its choices)."""
    what = _NONE_WHAT.get((f.get("type") or "").strip().lower())
    if what is None or not isinstance(value, str) or _listed(f) or f.get("multiple"):
        return None
    zero = what in ("整数", "数字") and (f.get("min") is None or f["min"] <= 0) and (f.get("max") is None or f["max"] >= 0)
    return typed_input.none_refusal(value, what, ["填 0" if zero else "", "" if f.get("required") else "留空"])


def _several(f: dict, value) -> list:
    """A Camunda 8 checklist/taglist's values (a list; a text of them split at commas): each one of
    its choices when the form lists them."""
    items = value if isinstance(value, (list, tuple)) else re.split(r"[,，、;；\n]", str(value))
    picked = [item for item in items if str(item).strip()]
    if _listed(f):
        picked = [_choice(f, item) for item in picked]
    return list(dict.fromkeys(str(item).strip() if isinstance(item, str) else item for item in picked))


def _out_of_bounds(f: dict, value) -> str | None:
    """What a Camunda 8 form's ``validate`` bounds say of a value (min/max of a number, minLength/
    maxLength of a text), in Chinese; None when it is within them or none is drawn."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if f.get("min") is not None and value < f["min"]:
            return f"不能小于 {_shown(f['min'])}"
        if f.get("max") is not None and value > f["max"]:
            return f"不能大于 {_shown(f['max'])}"
    elif isinstance(value, str):
        if f.get("minLength") is not None and len(value.strip()) < f["minLength"]:
            return f"至少填写 {f['minLength']} 个字"
        if f.get("maxLength") is not None and len(value) > f["maxLength"]:
            return f"最多填写 {f['maxLength']} 个字"
    return None


def _shown(number) -> str:
    return str(int(number)) if isinstance(number, float) and number.is_integer() else str(number)


@functools.cache
def _hide_globals() -> dict:
    """The globals a hide condition is evaluated in, built once (allow-listed builtins, guards):
    copied per evaluation, as the host's gateway conditions are (evaluator._host_scope); a plain
    expression cannot assign, so the copy only keeps one evaluation's values from the next."""
    return restricted.restricted_globals({})


def hidden(condition: str, values: dict) -> bool:
    """Does a Camunda 8 field's ``conditional.hide`` (translated to a plain Python expression by
    engine/camunda_forms.py) hold on ``values``? A name not given reads as None (FEEL's null); an
    expression that fails (a comparison of None) does not hide: the field stays shown and checked."""
    try:
        code, names, plain = evaluator.compiled(condition, "eval")
    except Exception:  # noqa: BLE001 — refused code hides nothing
        return False
    if not plain:
        return False
    scope = dict(_hide_globals())
    scope.update({name: values.get(name) for name in names})
    try:
        return bool(eval(code, scope))  # noqa: S307 — a plain expression (restricted.is_plain), compiled restricted
    except Exception:  # noqa: BLE001
        return False


_NOT_DEFINED = re.compile(r"name '([^']+)' is not defined")


def missing_name(failure: BaseException | None) -> str | None:
    """The variable whose absence made the model's code fail: the name of a NameError in
    ``failure``'s chain (the sandbox worker's NameError carries it only in its text), else None."""
    for _ in range(8):
        if failure is None:
            return None
        if isinstance(failure, NameError):
            found = _NOT_DEFINED.search(str(failure))
            return getattr(failure, "name", None) or (found.group(1) if found else None)
        failure = failure.__cause__ or failure.__context__
    return None


def blank_refusal(props: dict, data: dict, failure: BaseException) -> InvalidData | None:
    """The refusal of a completion whose step failed because the model read a field of the drawn form
    that was left blank (不填): the field named by its label, 「请选择“是否合格”：是或否」; None when
    the failure is something else. Only such a failure refuses: a blank that nothing reads, or that
    the model reads as absent on purpose (a FEEL ``= qualified = null``, ``is defined``), does not fail
    and goes through."""
    name = missing_name(failure)
    if name is None or data.get(name) not in (None, ""):
        return None
    for f in fields_of(props):
        if f.get("id") == name and not f.get("readonly"):
            label = f.get("label") or name
            kind = (f.get("type") or "string").lower()
            said = (f"请选择“{label}”：是或否" if kind == "boolean"
                    else f"请选择“{label}”" if f.get("values") else f"请填写“{label}”")
            return InvalidData({name: said + "（流程的下一步要用到）"})
    return None


@per_spec
def start_form(spec) -> dict:
    """The properties of the start event a start of the process runs from (``start_event``) when it
    carries a form drawn in the model (Camunda ``formField``, Flowable/Activiti ``formProperty`` on a
    ``startEvent``: engine/dialects.py copies them into ``formFields`` as for a task), else {}: what
    the engine checks a start against (engine/step.py ``start_in``) and 发起案件 shows
    (webui/drawn_form.py ``start_fields``, from the same spec). ``spec``: the process spec a case
    starts on."""
    event = start_event(spec)
    props = _properties(event) if event is not None else {}
    return props if fields_of(props) else {}


def event_start_form(spec, catches) -> dict:
    """The form a case a message or signal starts is checked against (engine/messages.py): the form
    drawn on the start event that catches it (``catches(start_event)``), as a none start's form is
    checked on 发起案件; {} when that start event draws none. Before 2026-12-05 a message start beside
    a none start (camunda7_report_or_message: 收到群众举报 with its required 举报内容) was checked
    against nothing: only a process's only start event's form was; and earlier still against the
    none start's form (发起案件's, not what a message brings)."""
    for event in start_events(spec):
        if catches(event):
            return drawn_on(event)
    return {}


def drawn_on(task_spec) -> dict:
    """The form drawn on ``task_spec`` (its properties, ``formFields`` among them); {} when it draws none."""
    props = _properties(task_spec)
    return props if fields_of(props) else {}


def field_ids(props: dict) -> set[str]:
    """The ids of the fields drawn in ``props`` (a form from ``drawn_on``, ``start_form``; {}: none)."""
    return {f["id"] for f in fields_of(props) if f.get("id")} if props else set()


def start_events(spec) -> list:
    """The start events of ``spec``'s process, in file order: the outputs of SpiffWorkflow's Start,
    or of the split it puts before them when there are several (``StartEventSplit``)."""
    outputs = list(getattr(getattr(spec, "start", None), "outputs", ()))
    if len(outputs) == 1 and isinstance(outputs[0], StartEventSplit):
        outputs = list(outputs[0].outputs)
    return [ts for ts in outputs if isinstance(ts, StartEvent)]


def start_event(spec):
    """The start event a case of the process starts from when it is started (发起案件, the REST API,
    ``engine.start``): its none start event. SpiffWorkflow fires every none start event of a plain
    start and lets the first in the file go on (the join it puts after several start events cancels
    the rest); a message or timer start event then waits and is cancelled, so a message start's form
    is not a start's form. Camunda 7 and Flowable refuse a second none start event at deploy, as
    engine/validation.py does (``_check_start_events``); a version deployed before that still starts
    from the first. A process whose only start event has a trigger (a message start): that one.
    None when there is no start event. Not kept per spec: a task spec reaches its spec."""
    starts = start_events(spec)
    plain = [ts for ts in starts if isinstance(ts.event_definition, NoneEventDefinition)]
    if plain:
        return plain[0]
    return starts[0] if len(starts) == 1 else None


def _properties(task_spec) -> dict:
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {}
