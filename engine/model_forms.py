"""Forms drawn in the model (模型内表单): Camunda ``camunda:formData`` and Flowable ``flowable:formProperty``.

Models drawn in Camunda Modeler or Flowable carry their form in the task: fields with an id, label,
type, default value and a ``required`` constraint. engine/dialects.py copies them into the task's
``formFields`` property; when such a task is completed without one of our marshmallow forms, the
submitted data is checked here: defaults fill missing fields, required fields must be given (the
error names the field by its label), a read-only field (Camunda's ``readonly``, Activiti's
``writable="false"``) is not written, numbers and yes/no values are read as a tired official types
them ("5,000,000", "５", "是"), an enum's value must be one of its ids (or the name shown for one).
The task page shows these fields when the task has no form of ours (webui/drawn_form.py): each by
its label, a 是/否 choice for a boolean, a select of the names for an enum, read-only ones shown but
not editable; what is posted is checked here, and the errors come back next to the fields.

Written here, not with marshmallow: the fields are data in the model, known only at run time, and
the rules are the handful Camunda's generated forms have.
"""
from __future__ import annotations

import functools
import json
import unicodedata

from .errors import InvalidData

TRUE = {"true", "yes", "y", "1", "是", "对", "同意", "on"}
FALSE = {"false", "no", "n", "0", "否", "不", "不同意", "off"}
INTEGER_KINDS = frozenset({"long", "integer", "int", "short"})
DECIMAL_KINDS = frozenset({"double", "float", "decimal", "number"})
NUMBER_KINDS = INTEGER_KINDS | DECIMAL_KINDS


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
            continue
        try:
            result[fid] = _choice(f, value) if f.get("values") else _convert(f.get("type"), value)
        except (ValueError, TypeError):
            kind = {"long": "整数", "integer": "整数", "boolean": "是或否", "double": "数字"}.get(
                (f.get("type") or "").lower(), "有效的值")
            if f.get("values"):
                kind = "以下之一：" + "、".join(name for _id, name in f["values"])
            errors[fid] = f"「{label}」须为{kind}"
    if errors:
        raise InvalidData(errors)
    return result
