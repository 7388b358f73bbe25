"""A form drawn in the model, on the task page (模型内表单).

A task from Camunda Modeler (``camunda:formData``) or Flowable/Activiti (``formProperty``) that
names no form of ours carries its fields in the model: engine/dialects.py copies them into the
task's ``formFields`` property, engine/model_forms.py reads them (``fields_of``) and checks a
completion against them (``check``: defaults, required, numbers as typed, 是/否, enum values). This
module only turns those fields into the field dicts the task page's macros render
(webui/templates/tasks/fields.html), so that each is shown by its Chinese label with the input its
type asks for; what is posted goes to ``engine.complete`` as typed and ``model_forms.check`` does
the reading and the errors.
"""
from __future__ import annotations

import sqlalchemy as sa

from engine import model_forms, projection
from engine.schema import Case

from . import formspec, model_data

# the model's field type -> the input kind of fields.html
KINDS = {"long": "integer", "integer": "integer", "int": "integer", "short": "integer",
         "double": "number", "float": "number", "decimal": "number", "number": "number",
         "boolean": "boolean", "date": "date", "enum": "enum"}
UNNAMED = "未命名字段"


def fields(engine, task, model_id: int | None) -> list[dict] | None:
    """The fields drawn in the model for ``task`` (a HumanTask row), as the page renders them; None
    when the task has a form of ours or its model draws none."""
    if task.form_key:
        return None
    drawn = model_forms.fields_of(_properties(engine, task.case_id, model_id, task.spec_id))
    if not drawn:
        return None
    labels = model_data.data_labels(engine, model_id)
    out = []
    for f in drawn:
        fid = f.get("id")
        if not fid:
            continue
        kind = KINDS.get((f.get("type") or "string").lower(), "text")
        options = [(str(v), str(n)) for v, n in f.get("values") or []]
        if kind == "enum" and not options:
            kind = "text"
        required, default = bool(f.get("required")), f.get("default")
        out.append({"name": fid, "label": f.get("label") or labels.get(fid) or UNNAMED, "type": kind,
                    "required": required, "readonly": bool(f.get("readonly")),
                    "default": default, "options": options, "option_names": dict(options),
                    "drawn": True,
                    # how its day is typed: the model's datePattern (Activiti/Flowable) if it has one
                    "placeholder": ("如 " + model_forms.date_spellings(f.get("datePattern")).removeprefix("日期，如 ")
                                    if kind == "date" else None),
                    # a 是/否 the model neither requires nor defaults may stay not given (不填)
                    "unset": kind == "boolean" and not required and default in (None, "")})
    return out or None


def start_values(drawn: list[dict], values: dict, case_data: dict) -> dict:
    """The values the form opens with: what was already filled in (``values``), else the model's
    default; a read-only field always shows the case's value (else its default)."""
    out = dict(values)
    shown = formspec.prefill(drawn, case_data)
    for f in drawn:
        name = f["name"]
        if f["readonly"]:
            out[name] = shown.get(name, "" if f["default"] is None else str(f["default"]))
        elif out.get(name) in (None, "", []) and f["default"] not in (None, ""):
            out[name] = str(f["default"])
    return out


def readonly_values(drawn: list[dict], case_data: dict) -> dict:
    """What the read-only fields show again after a refused submit (they post nothing)."""
    return {k: v for k, v in start_values(drawn, {}, case_data).items()
            if any(f["name"] == k and f["readonly"] for f in drawn)}


# (engine, model id, element id) -> the properties of a task of the model's own process: a version's
# process is the same in every case of it (a called process's tasks are not kept: the bundle of each
# case names the version of the called model it took)
_OWN: dict[tuple, dict] = {}
_OWN_CAP = 4096


def _properties(engine, case_id: int, model_id: int | None, spec_id: str) -> dict:
    """The task spec's properties, from the case's frozen spec bundle (kept in memory once read)."""
    key = (engine, model_id, spec_id)  # the engine itself, as model_data's cache: an id could be reused
    known = _OWN.get(key)
    if known is not None:
        return known
    with engine.db.read() as s:
        bundle = s.execute(sa.select(Case.bundle_hash).where(Case.id == case_id)).scalar_one_or_none()
        if bundle is None:
            return {}
        spec, subprocess_specs = engine.models.specs(s, bundle)
    task_spec = spec.task_specs.get(spec_id)
    if task_spec is not None and model_id is not None:
        if len(_OWN) >= _OWN_CAP:
            _OWN.clear()
        _OWN[key] = projection.task_properties(task_spec)
    if task_spec is not None:
        return projection.task_properties(task_spec)
    for process in subprocess_specs.values():
        task_spec = process.task_specs.get(spec_id)
        if task_spec is not None:
            return projection.task_properties(task_spec)
    return {}
