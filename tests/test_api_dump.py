"""The API's responses dumped by webui/api/dump.py: the same JSON as marshmallow's own ``dump``,
without its per-field layers, on the real app (SQLite and PostgreSQL) and on every response schema
with awkward values (None, missing attributes, dicts, named tuples, objects, nesting, ``many``)."""
from __future__ import annotations

import datetime as dt
import inspect
from collections import namedtuple
from types import SimpleNamespace

import marshmallow as ma
import pytest
from marshmallow import fields

from webui.api import schemas
from webui.api.blueprint import bp
from webui.api.dump import fast_dump

pytest_plugins = ["tests.test_api_helpers"]  # world, module_database_url


def _response_schemas() -> list[type[ma.Schema]]:
    return [cls for _, cls in inspect.getmembers(schemas, inspect.isclass)
            if issubclass(cls, ma.Schema) and cls.__module__ == schemas.__name__
            and not any(f.load_only for f in cls().fields.values()) and cls is not schemas.Schema]


WHEN = dt.datetime(2026, 12, 4, 20, 5, 7, 123456, tzinfo=dt.timezone.utc)


def _value_for(field: fields.Field, variant: int, depth: int):
    """A value of the field's kind; variant 0 full, 1 None, 2 odd but valid."""
    if variant == 1:
        return None
    if isinstance(field, fields.Nested):
        return _object(field.schema, variant, depth + 1) if depth < 3 else None
    if isinstance(field, fields.List):
        item = _value_for(field.inner, variant, depth)
        return [item, item] if variant == 0 else []
    if isinstance(field, fields.DateTime):
        return WHEN if variant == 0 else WHEN.replace(tzinfo=None)
    if isinstance(field, fields.Integer):
        return 7 if variant == 0 else True
    if isinstance(field, fields.Boolean):
        return True if variant == 0 else 0
    if isinstance(field, fields.Dict):
        return {"意见": "同意", "n": [1, {"a": None}]} if variant == 0 else {}
    if isinstance(field, fields.String):
        return "现场检查" if variant == 0 else 12
    return {"raw": [1, 2]} if variant == 0 else "x"


def _object(schema: ma.Schema, variant: int, depth: int = 0):
    values = {name: _value_for(f, variant, depth) for name, f in schema.dump_fields.items()}
    if variant == 2:  # some attributes missing altogether
        values = {k: v for i, (k, v) in enumerate(values.items()) if i % 3}
    kind = depth % 3
    if kind == 0:
        return dict(values)
    if kind == 1 and values:
        return namedtuple("Row", list(values))(**values)
    return SimpleNamespace(**values)


@pytest.mark.parametrize("schema_class", _response_schemas(), ids=lambda c: c.__name__)
def test_fast_dump_equals_marshmallow_on_every_response_schema(schema_class):
    schema = schema_class()
    fast = fast_dump(schema)
    assert fast is not None, f"{schema_class.__name__} is not compiled"
    for variant in (0, 1, 2):
        obj = _object(schema, variant)
        _same(fast, schema, obj)
        _same(fast, schema, [obj, obj], many=True)
    for obj in (None, {}, SimpleNamespace()):
        _same(fast, schema, obj)


def _outcome(call):
    try:
        return "value", call()
    except Exception as exc:  # e.g. a dict without "items": its method is found, as marshmallow finds it
        return "raised", type(exc)


def _same(fast, schema, obj, many=None):
    assert _outcome(lambda: fast(obj, many=many)) == _outcome(lambda: ma.Schema.dump(schema, obj, many=many))


def test_a_schema_fast_dump_cannot_reproduce_is_left_to_marshmallow():
    class Hooked(ma.Schema):
        name = fields.String()

        @ma.post_dump
        def upper(self, data, **kwargs):
            return {k: v.upper() for k, v in data.items()}

    class Computed(ma.Schema):
        name = fields.Method("make")

        def make(self, obj):
            return "made"

    class Holder(ma.Schema):
        inner = fields.Nested(Hooked)
        dotted = fields.String(attribute="a.b")
        renamed = fields.Integer(data_key="n", dump_default=3)

    assert fast_dump(Hooked()) is None and fast_dump(Computed()) is None
    holder = Holder()
    fast = fast_dump(holder)  # its nested schema dumps through marshmallow, the rest here
    obj = {"inner": {"name": "x"}, "a": {"b": "deep"}}
    assert fast(obj) == ma.Schema.dump(holder, obj) == {"inner": {"name": "X"}, "dotted": "deep", "n": 3}


def test_every_api_response_schema_dumps_through_the_fast_path():
    """Each schema a route of the API blueprint answers with has its ``dump`` replaced."""
    import webui.api as api_package
    seen = set()
    for module_name in ("cases", "tasks", "models", "supervision", "directory", "tokens", "events", "external",
                        "outbox"):
        for _, func in inspect.getmembers(getattr(api_package, module_name), inspect.isfunction):
            for responses in getattr(func, "_apidoc", {}).get("response", {}).get("responses", {}).values():
                for resp in responses if isinstance(responses, list) else []:
                    schema = resp.get("schema") if isinstance(resp, dict) else None
                    if isinstance(schema, ma.Schema):
                        assert "dump" in vars(schema), f"{type(schema).__name__} dumps through marshmallow"
                        seen.add(type(schema).__name__)
    assert {"CaseDetail", "CompleteResult", "QueuePage", "Task", "CasePage"} <= seen


def test_the_case_page_and_a_completion_give_marshmallows_json(world, monkeypatch):
    """Through the real app and engine: what the API sends is what marshmallow's dump of the same
    objects gives, and marshmallow's per-field serialization is not called on the way."""
    from engine.schema import Case
    from webui.api.supervision import timer_dict
    from webui.redaction import case_for
    eng = world.engine
    case_id = world.start("own_org")
    task = world.task(case_id, "inspect")
    calls = []
    real = ma.Schema._serialize
    monkeypatch.setattr(ma.Schema, "_serialize", lambda self, *a, **k: calls.append(self) or real(self, *a, **k))
    detail = world.call("GET", f"/api/cases/{case_id}", "insp")
    assert detail.status_code == 200 and calls == [], detail.get_json()
    monkeypatch.undo()
    view = case_for(eng, case_id, eng.directory.principal("insp"))
    view.timers = [timer_dict(t) for t in view.timers]
    assert detail.get_json() == _json(ma.Schema.dump(schemas.CaseDetail(), view))
    assert detail.get_json()["tasks"] and detail.get_json()["history"] and detail.get_json()["timers"]

    monkeypatch.setattr(ma.Schema, "_serialize", lambda self, *a, **k: calls.append(self) or real(self, *a, **k))
    done = world.call("POST", f"/api/tasks/{task}/complete", "insp", json={"data": {"result": "合格"}})
    assert done.status_code == 200 and calls == [], done.get_json()
    monkeypatch.undo()
    with eng.db.read() as s:
        row = s.get(Case, case_id)
        assert done.get_json() == _json(ma.Schema.dump(schemas.CompleteResult(),
                                                       {"case": row, "next_tasks": eng.next_tasks(case_id, "insp")}))
    assert done.get_json()["next_tasks"], "the dump compared must hold a next task"


def _json(value):
    """What jsonify makes of a dump (datetimes are already ISO strings there)."""
    import json
    return json.loads(json.dumps(value, ensure_ascii=False))
