"""Forms drawn in the model (模型内表单): Camunda ``camunda:formData`` and Flowable ``flowable:formProperty``.

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
The task page shows these fields when the task has no form of ours (webui/drawn_form.py): each by
its label, a 是/否 choice for a boolean, a select of the names for an enum, read-only ones shown but
not editable; what is posted is checked here, and the errors come back next to the fields.
A 是/否, number, day or choice left blank (不填, ``""`` or null) is not given: dropped, not stored blank.
When the step then fails because it reads that field (``${qualified}`` at the gateway after the task:
a NameError of it), the completion is refused naming the field instead of becoming an incident
(``blank_refusal``, called by engine/tasks.py on the step's failure: no cost on a step that does
not fail); a blank nothing reads, or one the model reads as absent on purpose, goes through.

Written here, not with marshmallow: the fields are data in the model, known only at run time, and
the rules are the handful Camunda's generated forms have.
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from datetime import date, datetime

from .clock import SHANGHAI
from .errors import InvalidData
from .typed_input import iso_day

TRUE = {"true", "yes", "y", "1", "是", "对", "同意", "on"}
FALSE = {"false", "no", "n", "0", "否", "不", "不同意", "off"}
INTEGER_KINDS = frozenset({"long", "integer", "int", "short"})
DECIMAL_KINDS = frozenset({"double", "float", "decimal", "number"})
NUMBER_KINDS = INTEGER_KINDS | DECIMAL_KINDS
TYPED_KINDS = NUMBER_KINDS | {"boolean", "date", "enum"}
DATE_SPELLINGS = "日期，如 2026-12-01、2026年12月1日 或 01/12/2026（日/月/年）"


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


def _number(value, integer: bool):
    text = unicodedata.normalize("NFKC", str(value)).replace(",", "").replace("，", "").strip()
    number = float(text)
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


def _convert(kind: str, value):
    kind = (kind or "string").lower()
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
        day = day_of(value)
        if day is None:
            raise ValueError(value)
        return day
    return value


def _choice(f: dict, value):
    """An enum field's value: one of its ids, or the name shown for one (typed as the form shows it)."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for vid, name in f["values"]:
        if text in (vid, unicodedata.normalize("NFKC", name or "").strip()):
            return vid
    raise ValueError(text)


def check(props: dict, data: dict) -> dict:
    """The submitted data with defaults filled and values converted; InvalidData naming each field."""
    fields = fields_of(props)
    if not fields:
        return data
    result = dict(data)
    errors = {}
    for f in fields:
        fid, label = f.get("id"), f.get("label") or f.get("id")
        if not fid:
            continue
        if f.get("readonly"):  # shown, not changed: what was submitted for it is not written
            result.pop(fid, None)
            continue
        value = result.get(fid)
        if value in (None, "") and f.get("default") not in (None, ""):
            value = f["default"]
        if value in (None, ""):
            if f.get("required"):
                errors[fid] = f"「{label}」为必填项"
            elif fid in result and (f.get("values") or (f.get("type") or "string").lower() in TYPED_KINDS):
                # 不填: a yes/no, number, day or choice left blank ("" or null) is not given, not
                # stored blank (a blank read as 否 by ``!qualified`` took the 不合格 flow)
                result.pop(fid, None)
            continue
        try:
            result[fid] = _choice(f, value) if f.get("values") else _convert(f.get("type"), value)
        except (ValueError, TypeError):
            kind = (f.get("type") or "").lower()
            kind = ("整数" if kind in INTEGER_KINDS else "数字" if kind in DECIMAL_KINDS else "是或否" if kind == "boolean"
                    else DATE_SPELLINGS if kind == "date" else "有效的值")
            if f.get("values"):
                kind = "以下之一：" + "、".join(name for _id, name in f["values"])
            errors[fid] = f"「{label}」须为{kind}"
    if errors:
        raise InvalidData(errors)
    return result


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
