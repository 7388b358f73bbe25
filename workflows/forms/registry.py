"""The form registry (表单注册表): form key -> schema, validation to JSON-safe data.

``validate`` returns data ready to store in a case: dates and times as ISO 8601 strings (times
always with an offset), amounts as strings of yuan with two decimals (``"12000.00"``), nested rows
as dicts. Errors come back as ``{field: reason}`` in Chinese; rows of a table are reported as
``measures.2.owner``.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable

from marshmallow import Schema, ValidationError, fields as mfields

from . import deadlines


class FormError(Exception):
    """Submitted data failed a form. ``errors`` maps field (or ``table.row.field``) to a reason."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("；".join(f"{k}：{v}" for k, v in self.errors.items()))


def _flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "_schema"
            out.update(_flatten(value, name))
    elif isinstance(messages, list):
        texts = [m for m in messages if isinstance(m, str)]
        if texts:
            out[prefix or "_schema"] = "；".join(texts)
        for m in messages:
            if not isinstance(m, str):
                out.update(_flatten(m, prefix))
    else:
        out[prefix or "_schema"] = str(messages)
    return out


def to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


def describe(schema: Schema) -> list[dict]:
    """The fields of a schema as the UI needs them."""
    out = []
    for name, field in schema.fields.items():
        meta = field.metadata
        entry = {
            "name": name,
            "label": meta.get("label", name),
            "type": meta.get("kind", "text"),
            "required": bool(field.required),
            "choices": list(meta.get("choices", [])),
        }
        if meta.get("help"):
            entry["help"] = meta["help"]
        if meta.get("roles"):
            entry["roles"] = list(meta["roles"])
        if meta.get("reach_above") is not None:  # people.reach_above: a field held to its units near the case's
            entry["reach_above"] = meta["reach_above"]
        if meta.get("party_code"):
            entry["party_code"] = True
        if deadlines.FROM_TODAY in meta:
            entry[deadlines.FROM_TODAY] = True
        if meta.get("shown_when"):  # fields.shown_when: the page's data-hide tree, as drawn_form writes it
            on, values, asked = meta["shown_when"]
            entry["hide_when"] = {"not": {"or": [{"var": on, "kind": "choice", "cmp": "==", "value": v}
                                                 for v in values]}}
            entry["asked_when_shown"] = asked
        if meta.get("kind") == "table":
            entry["columns"] = describe(meta["row_schema"]())
        out.append(entry)
    return out


class FormRegistry:
    def __init__(self) -> None:
        self._schemas: dict[str, type[Schema]] = {}
        self._titles: dict[str, str] = {}
        # One loading instance per form, built on first use: a marshmallow schema deep-copies its
        # declared fields when instantiated, and ``load`` keeps no state on the instance, so one
        # instance serves every submit of every thread. A key is registered once and never replaced.
        self._loaders: dict[str, Schema] = {}
        self._described: dict[str, list[dict]] = {}
        self._names: dict[str, frozenset[str]] = {}
        self._with_deadlines: dict[str, bool] = {}

    def register(self, key: str, schema: type[Schema], title: str = "") -> None:
        if key in self._schemas:
            raise ValueError(f"form {key!r} registered twice")
        self._schemas[key] = schema
        self._titles[key] = title or (schema.__doc__ or key).strip().splitlines()[0]

    def register_all(self, forms: dict[str, type[Schema]]) -> None:
        for key, schema in forms.items():
            self.register(key, schema)

    def has(self, key: str) -> bool:
        return key in self._schemas

    def keys(self) -> list[str]:
        return sorted(self._schemas)

    def title(self, key: str) -> str:
        return self._titles[key]

    def schema(self, key: str) -> Schema:
        try:
            return self._schemas[key]()
        except KeyError:
            raise KeyError(f"unknown form {key!r}") from None

    def fields(self, key: str) -> list[dict]:
        """name, label, type, required, choices (and columns for tables) of each field.

        Described once per form (every task and case page asks, often for a dozen forms) and handed
        out as a fresh copy, so a caller may change what it gets."""
        described = self._described.get(key)
        if described is None:
            described = self._described.setdefault(key, describe(self.schema(key)))
        return _copy(described)

    def validate(self, key: str, data: dict | None,
                 today: dt.date | Callable[[], dt.date] | None = None) -> dict:
        """Cleaned, JSON-safe data, or ``FormError`` with Chinese reasons per field. ``today``: the
        day on the engine's clock, before which a deadline field (``fields.deadline``) is refused
        (workflows/forms/deadlines.py), or a function returning it, called only for a form with such
        a field (the engine's clock read costs ~5 µs); None: not checked (a form read with no case)."""
        schema = self._loaders.get(key)
        if schema is None:
            schema = self._loaders.setdefault(key, self.schema(key))
        check = today is not None and self._has_deadline(key, schema)
        if check and callable(today):
            today = today()
        try:
            loaded = schema.load(dict(data or {}))
        except ValidationError as exc:  # a past deadline is named with the rest, all at once
            past = deadlines.before_today(schema.fields, exc.valid_data or {}, today) if check else {}
            raise FormError({**past, **_flatten(exc.messages)}) from None
        if check:
            past = deadlines.before_today(schema.fields, loaded, today)
            if past:
                raise FormError(past)
        return to_json(loaded)

    def _has_deadline(self, key: str, schema: Schema) -> bool:
        """Does form ``key`` have a deadline field? Worked out once per form."""
        has = self._with_deadlines.get(key)
        if has is None:
            has = self._with_deadlines.setdefault(
                key, deadlines.has_deadline(schema.fields))
        return has

    def field_names(self, key: str) -> frozenset[str]:
        """The names of the fields ``key`` declares (what a case's start may bring for its first task)."""
        names = self._names.get(key)
        if names is None:
            names = self._names.setdefault(key, frozenset(self.schema(key).fields))
        return names

    def check_given(self, key: str, data: dict) -> tuple[dict, dict[str, str]]:
        """The fields of ``data`` the form declares, each read as the form reads it when typed on the
        page (its kind, its choices; a 统一社会信用代码's check character): (what was taken, JSON-safe
        as ``validate`` stores it; {field: reason} naming each refused one by its Chinese label).
        Nothing is required and the form's checks across fields are not run: what a case's start
        brings for its first task (engine/first_forms.py), which asks for the rest when worked."""
        schema = self._loaders.get(key)
        if schema is None:
            schema = self._loaders.setdefault(key, self.schema(key))
        taken: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name, value in data.items():
            field = schema.fields.get(name)
            if field is None or field.dump_only:
                continue
            try:
                taken[name] = to_json(field.deserialize(value, name, data))
            except ValidationError as exc:
                label = field.metadata.get("label", name)
                for where, reason in _flatten(exc.messages, name).items():
                    errors[where] = reason if label in reason else f"「{label}」{reason}"
        return taken, errors


def _copy(value: Any) -> Any:
    """A copy of described fields (dicts and lists of plain values), much cheaper than deepcopy."""
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def blank_fields(schema: Schema) -> dict:
    """Every field of ``schema`` set to None: the shape of a form nobody filled."""
    return {name: None for name in schema.fields if not isinstance(schema.fields[name], mfields.Constant)}
