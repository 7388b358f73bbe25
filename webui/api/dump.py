"""Response schemas dumped without marshmallow's per-field layers (响应序列化快路径).

flask-smorest answers every API request with ``schema.dump(result)``. For each field of each
object marshmallow then goes through ``Field.serialize`` → ``Field.get_value`` →
``Schema.get_attribute`` → ``utils.get_value`` → ``obj[key]`` (a ``TypeError`` caught for every
attribute of a named tuple or row) → ``getattr``, and only then the field's own ``_serialize``. A
case page (``GET /api/cases/<id>``: the case, its tasks, history, incidents, timers) is about 90
fields, and those layers were ~6% of a web worker's CPU under bench/http_load.py (cProfile inside
the gunicorn workers), the field's own ``_serialize`` a small part of it.

``fast_dump(schema)`` returns a function giving the same result as ``schema.dump(obj)``: the value
is looked up as ``utils.get_value`` would (a dict's key, else the attribute; a tuple's ``obj[key]``
always fails, so it goes straight to the attribute), a missing value takes the field's
``dump_default`` or is left out, and every value is then converted by the field's own
``_serialize`` — the conversion is marshmallow's, only the way to it is shorter. ``Nested`` and
``List(Nested)`` fields call the nested schema's fast dump the way ``Nested._serialize`` calls its
``dump``. A schema with ``pre_dump``/``post_dump`` hooks, its own ``get_attribute`` or dict class, or
a field that reads no attribute (``Method``, ``Function``) is not compiled: ``fast_dump`` returns
None and marshmallow dumps it. tests/test_api_dump.py compares both on every response schema.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import marshmallow as ma
from marshmallow import fields
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import get_value, missing

_tuple_getitem = tuple.__getitem__
_dict_getitem = dict.__getitem__


def _value(obj: Any, key: str) -> Any:
    """``marshmallow.utils.get_value(obj, key)`` for a key without a dot."""
    kind = type(obj)
    if kind is dict:
        try:
            return obj[key]
        except KeyError:
            return getattr(obj, key, missing)
    getitem = getattr(kind, "__getitem__", None)
    if getitem is None:
        return getattr(obj, key, missing)
    if getitem is _tuple_getitem:  # a named tuple: obj["name"] is a TypeError, then the attribute
        return getattr(obj, key, missing)
    try:
        return obj[key]
    except (KeyError, IndexError, TypeError, AttributeError):
        return getattr(obj, key, missing)


def _dotted(path: str) -> Callable[[Any, str], Any]:
    return lambda obj, _key: get_value(obj, path)


def _compilable(schema: ma.Schema) -> bool:
    return (not schema._hooks[PRE_DUMP] and not schema._hooks[POST_DUMP]
            and type(schema).get_attribute is ma.Schema.get_attribute and schema.dict_class is dict
            and all(f._CHECK_ATTRIBUTE for f in schema.dump_fields.values()))


def _nested(field: fields.Nested, memo: dict) -> Callable | None:
    """``Nested._serialize``: None stays None, else the nested schema's dump (``many`` as it says)."""
    schema = field.schema
    inner = _compile(schema, memo)
    if inner is None:
        return None
    many = bool(schema.many or field.many)

    def serialize(value, _attr, _obj):
        if value is None:
            return None
        return inner(value, many)
    return serialize


# What a field's ``_serialize`` returns at once for a value of one exact type, checked in the loop
# without a call: None for these field classes (each returns None for None), a ``str`` for
# ``String``, an ``int`` for ``Integer`` (``int(v)``), a ``datetime``'s ``isoformat()`` for an ISO
# ``DateTime``. Any other value goes through the field's ``_serialize``.
_NONE_IS_NONE = (fields.String, fields.Integer, fields.DateTime, fields.Boolean, fields.Dict, fields.List,
                 fields.Nested, fields.Raw)
_PLAIN, _STR, _INT, _ISO = 0, 1, 2, 3


def _shortcut(field: fields.Field) -> tuple[bool, int]:
    kind = type(field)
    none_is_none = kind in _NONE_IS_NONE
    if kind is fields.String:
        return none_is_none, _STR
    if kind is fields.Integer and not field.as_string:
        return none_is_none, _INT
    if (kind is fields.DateTime and (field.format or field.DEFAULT_FORMAT) in ("iso", "iso8601")
            and field.SERIALIZATION_FUNCS.get(field.format or field.DEFAULT_FORMAT) is dt.datetime.isoformat):
        return none_is_none, _ISO
    return none_is_none, _PLAIN


def _serializer(field: fields.Field, memo: dict) -> Callable:
    if type(field) is fields.Nested:
        nested = _nested(field, memo)
        if nested is not None:
            return nested
    elif type(field) is fields.List and type(field.inner) is fields.Nested:
        nested = _nested(field.inner, memo)
        if nested is not None:
            def each(value, attr, obj):  # ``List._serialize``
                if value is None:
                    return None
                return [nested(item, attr, obj) for item in value]
            return each
    return field._serialize


def _compile(schema: ma.Schema, memo: dict) -> Callable[[Any, bool], Any] | None:
    if id(schema) in memo:
        return memo[id(schema)]
    if not _compilable(schema):
        memo[id(schema)] = None
        return None
    memo[id(schema)] = None  # a schema nesting itself is left to marshmallow
    steps = []
    for name, field in schema.dump_fields.items():
        source = name if field.attribute is None else field.attribute
        getter = _dotted(source) if "." in source else _value
        key = field.data_key if field.data_key is not None else name
        steps.append((key, name, source, getter, _serializer(field, memo), field.dump_default, *_shortcut(field)))
    steps_t = tuple(steps)
    _str, _int, _datetime, isoformat = str, int, dt.datetime, dt.datetime.isoformat

    by_attribute = _attribute_reader(steps_t)

    def one(obj):
        kind = type(obj)
        if kind is not dict:
            getitem = getattr(kind, "__getitem__", None)
            if getitem is None or getitem is _tuple_getitem:  # every value an attribute: straight-line code
                return by_attribute(obj)
        out = {}
        for key, name, source, getter, serialize, default, none_is_none, shortcut in steps_t:
            value = getter(obj, source)
            if value is missing:
                value = default() if callable(default) else default
                if value is missing:
                    continue
            if value is None and none_is_none:
                out[key] = None
                continue
            kind = type(value)
            if shortcut == _STR and kind is _str or shortcut == _INT and kind is _int:
                out[key] = value
            elif shortcut == _ISO and kind is _datetime:
                out[key] = isoformat(value)
            else:
                out[key] = serialize(value, name, obj)
        return out

    def dump(obj, many: bool):
        if many and obj is not None:
            return [one(item) for item in obj]
        return one(obj)
    memo[id(schema)] = dump
    return dump


def _attribute_reader(steps: tuple) -> Callable[[Any], dict]:
    """``one`` of ``_compile`` for an object whose every value is an attribute (no ``__getitem__``, or a
    named tuple's), written out field by field: the loop's unpacking of each step, the call of
    ``_value`` and the tests of the field's kind are decided here once, not for every field of every
    object (a completion's answer, a case and its next task: 2,446 → ~1,000 bytecodes). The same
    steps, tests and order as the loop, so the same result."""
    names: dict[str, Any] = {"_missing": missing, "_getattr": getattr, "_str": str, "_int": int,
                             "_datetime": dt.datetime, "_isoformat": dt.datetime.isoformat, "_callable": callable}
    lines = ["def one(obj):", "    out = {}"]
    for i, (key, name, source, getter, serialize, default, none_is_none, shortcut) in enumerate(steps):
        names[f"_s{i}"], names[f"_d{i}"], names[f"_g{i}"] = serialize, default, getter
        get = f"_getattr(obj, {source!r}, _missing)" if getter is _value else f"_g{i}(obj, {source!r})"
        lines.append(f"    v = {get}")
        indent = "    "
        if default is missing:
            lines.append("    if v is not _missing:")
            indent = "        "
        else:
            lines.append(f"    if v is _missing:\n        v = _d{i}() if _callable(_d{i}) else _d{i}")
            lines.append("    if v is not _missing:")
            indent = "        "
        branches = []
        if none_is_none:
            branches.append(("v is None", "None"))
        if shortcut == _STR:
            branches.append(("type(v) is _str", "v"))
        elif shortcut == _INT:
            branches.append(("type(v) is _int", "v"))
        elif shortcut == _ISO:
            branches.append(("type(v) is _datetime", "_isoformat(v)"))
        word = "if"
        for test, value in branches:
            lines.append(f"{indent}{word} {test}:\n{indent}    out[{key!r}] = {value}")
            word = "elif"
        if branches:
            lines.append(f"{indent}else:\n{indent}    out[{key!r}] = _s{i}(v, {name!r}, obj)")
        else:
            lines.append(f"{indent}out[{key!r}] = _s{i}(v, {name!r}, obj)")
    lines.append("    return out")
    exec(compile("\n".join(lines), "<webui.api.dump attribute reader>", "exec"), names)  # noqa: S102 - our own text
    return names["one"]


def fast_dump(schema: ma.Schema) -> Callable[..., Any] | None:
    """A function with ``schema.dump``'s signature and result, or None (marshmallow's own then)."""
    compiled = _compile(schema, {})
    if compiled is None:
        return None
    default_many = bool(schema.many)

    def dump(obj, *, many: bool | None = None):
        return compiled(obj, default_many if many is None else bool(many))
    return dump
