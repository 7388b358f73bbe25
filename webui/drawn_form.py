"""A form drawn in the model, on the task page (模型内表单).

A task from Camunda Modeler (``camunda:formData``; a Camunda 8 form-js form embedded in the model,
engine/camunda_forms.py) or Flowable/Activiti (``formProperty``) that names no form of ours carries
its fields in the model: engine/dialects.py copies them into the
task's ``formFields`` property, engine/model_forms.py reads them (``fields_of``) and checks a
completion against them (``check``: defaults, required, numbers as typed, 是/否, enum values). This
module only turns those fields into the field dicts the task page's macros render
(webui/templates/tasks/fields.html), so that each is shown by its Chinese label with the input its
type asks for; what is posted goes to ``engine.complete`` as typed and ``model_forms.check`` does
the reading and the errors. A 是/否 the model neither requires nor defaults is offered with 不填,
chosen at first — unless a condition of the gateway right after the task reads it (``_gateway_reads``):
there a completion without it is refused, so the page asks 是/否 alone, neither chosen.
"""
from __future__ import annotations

import ast

import sqlalchemy as sa

from engine import model_forms, projection, restricted
from engine.errors import InvalidModel, NotFound
from engine.schema import Case

from . import formspec, model_data

# the model's field type -> the input kind of fields.html
KINDS = {"long": "integer", "integer": "integer", "int": "integer", "short": "integer",
         "double": "number", "float": "number", "decimal": "number", "number": "number",
         "boolean": "boolean", "date": "date", "enum": "enum",
         "textarea": "textarea", "datetime": "datetime", "time": "time"}  # the last three: Camunda 8 forms
UNNAMED = "未命名字段"
RADIO_MAX = 8  # more choices than this: a select, whatever the model draws


def fields(engine, task, model_id: int | None, case_data: dict | None = None) -> list[dict] | None:
    """The fields drawn in the model for ``task`` (a HumanTask row), as the page renders them; None
    when the task has a form of ours or its model draws none. ``case_data``: the case's data, for
    choices a Camunda 8 field takes from it (``valuesKey``: a select, radio or checklist of them)."""
    if task.form_key:
        return None
    props, gateway_reads = _spec_facts(engine, task.case_id, model_id, task.spec_id)
    return _field_dicts(engine, model_forms.fields_of(props), model_id, gateway_reads, case_data)


def start_fields(engine, model) -> list[dict] | None:
    """The start form drawn in ``model`` (the process's latest version, as 发起案件 starts it: a
    Camunda ``formField`` / Flowable ``formProperty`` on the start event a start runs from), as the
    page renders it; None when it draws none. Read from the same spec, by the same function, as
    engine/step.py checks what is posted (engine/model_forms.py ``start_form``; the spec through
    ``engine.models.start_spec``, read-only). A 是/否 that the gateway right after the start event
    reads is offered without 不填: a start without it is refused (``model_forms.blank_refusal``)."""
    drawn, gateway_reads = _start_drawn(engine, model)
    return _field_dicts(engine, drawn, model.id, gateway_reads)


def has_start_form(engine, model) -> bool:
    """Does ``model`` draw a start form (发起案件 then shows it once the process is chosen)? Read
    from the model file, not its spec (``engine.models.draws_start_form``): the page asks it of every
    process and parses the spec of the chosen one only (``start_fields``)."""
    return engine.models.draws_start_form(model)


def _start_drawn(engine, model) -> tuple[list[dict], frozenset[str]]:
    """(the start form's fields, what the gateway after the start event reads), kept per version."""
    key = (engine, model.id)  # a model version's file never changes
    found = _START.get(key)
    if found is None:
        try:
            spec = engine.models.start_spec(model.id)
        except (NotFound, InvalidModel):  # a called process gone since: the start is refused anyway
            return [], frozenset()
        event = model_forms.start_event(spec)
        found = (model_forms.fields_of(model_forms.start_form(spec)),
                 _gateway_reads(event) if event is not None else frozenset())
        if len(_START) >= _OWN_CAP:
            _START.clear()
        _START[key] = found
    return found


def _field_dicts(engine, drawn: list[dict], model_id: int | None, gateway_reads: frozenset[str],
                 case_data: dict | None = None) -> list[dict] | None:
    return field_dicts(drawn, model_data.data_labels(engine, model_id) if drawn else {}, gateway_reads, case_data)


def field_dicts(drawn: list[dict], labels: dict | None = None, gateway_reads: frozenset[str] = frozenset(),
                case_data: dict | None = None) -> list[dict] | None:
    """The fields drawn in a model as the page's macros render them (``labels``: the case data's
    Chinese names, for a field the model leaves unlabelled; ``case_data``: for choices taken from
    the case, engine/model_forms.choices_from — the same list the engine checks the value against);
    None when none are drawn. Also the designer's test-run's forms of a draft (webui/designer_dryrun.py)."""
    if not drawn:
        return None
    labels = labels or {}
    kinds = {f["id"]: "multichoice" if f.get("multiple") else KINDS.get((f.get("type") or "string").lower(), "text")
             for f in drawn if f.get("id")}
    out = []
    for position, f in enumerate(drawn):
        fid = f.get("id")
        if not fid:
            if f.get("display"):  # a Camunda 8 form's text or group title: shown, posts nothing
                out.append({"name": f"_shown_{position}", "label": "", "type": "note", "text": f["display"],
                            "heading": bool(f.get("heading")), "required": False, "readonly": False,
                            "default": None, "options": [], "option_names": {}, "drawn": True, "unset": False})
            continue
        kind = KINDS.get((f.get("type") or "string").lower(), "text")
        from_case = None if f.get("values") else model_forms.choices_from(f, case_data)
        values = f.get("values") or from_case or []
        options = [(str(v), str(n)) for v, n in values]
        if kind == "enum" and not options:
            kind = "text"
        # the case holds the list the choices come from, empty: nothing can be chosen — shown, not filled
        # (a required one is refused at submit with the same reason: engine/model_forms.empty_choices)
        empty = from_case == [] and f.get("valuesFrom")
        if f.get("multiple"):  # a Camunda 8 checklist/taglist: several of its choices (or typed, split at commas)
            kind = "multichoice" if options else "text"
        # a field its condition may hide (Camunda 8's conditional.hide) is asked for only while shown:
        # the server decides on the values posted (engine/model_forms.check), the page marks no *
        required, default = bool(f.get("required")) and not f.get("hide"), f.get("default")
        out.append({"name": fid, "label": f.get("label") or labels.get(fid) or UNNAMED, "type": kind,
                    "required": required, "readonly": bool(f.get("readonly")) or bool(empty),
                    "help": model_forms.empty_choices(None, f["valuesFrom"], labels.get(f["valuesFrom"]))
                    if empty else None,
                    "default": default, "options": options, "option_names": dict(options),
                    "drawn": True,
                    # how its day is typed: the model's datePattern (Activiti/Flowable) if it has one
                    "placeholder": ("如 " + model_forms.date_spellings(f.get("datePattern")).removeprefix("日期，如 ")
                                    if kind == "date" else "如 09:30" if kind == "time"
                                    else "多项请用逗号分隔" if f.get("multiple") and kind == "text" else None),
                    # a 是/否 the model neither requires nor defaults may stay not given (不填) — unless
                    # the gateway right after the task reads it: a completion without it is refused
                    # (engine/model_forms.blank_refusal), so the page offers 是/否 alone, neither chosen
                    "unset": kind == "boolean" and not required and default in (None, "")
                    and fid not in gateway_reads,
                    "hide_when": _hide_when(f.get("hide"), kinds),
                    # a Camunda 8 radio group: its choices as round buttons, as form-js draws them
                    "radio": bool(f.get("radio")) and kind == "enum" and len(options) <= RADIO_MAX})
    return out or None


MAX_HIDE_NODES = 64  # a condition bigger than this is left to the server (the field always shown)
_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
            ast.Is: "==", ast.IsNot: "!="}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _hide_when(condition: str | None, kinds: dict[str, str] | None = None) -> dict | None:
    """A Camunda 8 field's ``conditional.hide`` (Python, engine/camunda_forms.py) as a tree the page
    evaluates as the official types (webui/static/forms.js), or None for a condition it cannot (the
    field then always shown; the server decides on what is posted either way, engine/model_forms.hidden):
    ``{"and": [...]}``, ``{"or": [...]}``, ``{"not": node}``, ``{"var": name, "kind": ...}`` (its truth)
    and ``{"cmp": "==" | "!=" | "<" | "<=" | ">" | ">=", "var": name, "kind": ..., "value": constant}``
    (a string, number, true/false or null: ``x``, ``not(x)``, ``x = "a"``, ``金额 > 5000000``,
    ``x = true``, ``x = null``, ``is defined(x)``, ranges ``1 <= x <= 10``, joined by and/or).
    ``kinds``: the input kind of each field of the form, so the page reads a number as a number."""
    if not condition:
        return None
    try:
        tree = ast.parse(condition.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if sum(1 for _ in ast.walk(tree)) > MAX_HIDE_NODES:
        return None
    return _hide_node(tree, kinds or {})


def _hide_node(node, kinds: dict[str, str]) -> dict | None:
    if isinstance(node, ast.Name):
        return {"var": node.id, "kind": kinds.get(node.id, "text")}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _hide_node(node.operand, kinds)
        return {"not": inner} if inner is not None else None
    if isinstance(node, ast.BoolOp):
        items = [_hide_node(v, kinds) for v in node.values]
        if any(i is None for i in items):
            return None
        return {"and" if isinstance(node.op, ast.And) else "or": items}
    if isinstance(node, ast.Compare):
        terms = [node.left, *node.comparators]
        pairs = []
        for left, op, right in zip(terms, node.ops, terms[1:]):
            pair = _comparison(left, op, right, kinds)
            if pair is None:
                return None
            pairs.append(pair)
        return pairs[0] if len(pairs) == 1 else {"and": pairs}
    return None


def _comparison(left, op, right, kinds: dict[str, str]) -> dict | None:
    """One comparison of a field with a constant (either side), as the page's tree has it."""
    symbol = _COMPARE.get(type(op))
    if symbol is None:
        return None
    if isinstance(right, ast.Name) and isinstance(left, ast.Constant):
        left, right, symbol = right, left, _FLIPPED[symbol]
    if not (isinstance(left, ast.Name) and isinstance(right, ast.Constant)):
        return None
    value = right.value
    if isinstance(op, (ast.Is, ast.IsNot)) and value is not None:
        return None
    if not (value is None or isinstance(value, (str, bool, int, float))):
        return None
    if symbol not in ("==", "!=") and (value is None or isinstance(value, bool)):
        return None  # an ordering of null or of 是/否 fails on the server: nothing hidden, left to it
    return {"cmp": symbol, "var": left.id, "kind": kinds.get(left.id, "text"), "value": value}


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


def _gateway_reads(task_spec) -> frozenset[str]:
    """The variables the conditions of a gateway right after the task read where a value not given
    fails the step: a Camunda 7/Flowable/Activiti condition (JUEL, translated to Python); not one that
    reads it as null on purpose (FEEL, engine/restricted.ABSENT_AS_NULL), nor a conditional event
    (it waits until the value comes)."""
    read: set[str] = set()
    for out in getattr(task_spec, "outputs", ()):
        for operator, _target in getattr(out, "cond_task_specs", ()):
            condition = (getattr(operator, "args", None) or [None])[0]  # SpiffWorkflow's _BpmnCondition
            if not isinstance(condition, str):
                continue
            try:
                read |= restricted.names_read(condition) - restricted.absent_as_null(condition)
            except (SyntaxError, ValueError):
                continue
    return frozenset(read)


# (engine, model id, element id) -> (the properties of a task of the model's own process, what the
# gateway after it reads): a version's process is the same in every case of it (a called process's
# tasks are not kept: the bundle of each case names the version of the called model it took)
_OWN: dict[tuple, tuple[dict, frozenset[str]]] = {}
_OWN_CAP = 4096
_NOTHING: tuple[dict, frozenset[str]] = ({}, frozenset())
# (engine, model id) -> (the start form's fields drawn in it, what the gateway after its start event reads)
_START: dict[tuple, tuple[list[dict], frozenset[str]]] = {}


def _spec_facts(engine, case_id: int, model_id: int | None, spec_id: str) -> tuple[dict, frozenset[str]]:
    """(the task spec's properties, ``_gateway_reads``), from the case's frozen spec bundle (kept in
    memory once read)."""
    key = (engine, model_id, spec_id)  # the engine itself, as model_data's cache: an id could be reused
    known = _OWN.get(key)
    if known is not None:
        return known
    with engine.db.read() as s:
        bundle = s.execute(sa.select(Case.bundle_hash).where(Case.id == case_id)).scalar_one_or_none()
        if bundle is None:
            return _NOTHING
        spec, subprocess_specs = engine.models.specs(s, bundle)
    task_spec = spec.task_specs.get(spec_id)
    if task_spec is not None:
        facts = (projection.task_properties(task_spec), _gateway_reads(task_spec))
        if model_id is not None:
            if len(_OWN) >= _OWN_CAP:
                _OWN.clear()
            _OWN[key] = facts
        return facts
    for process in subprocess_specs.values():
        task_spec = process.task_specs.get(spec_id)
        if task_spec is not None:
            return projection.task_properties(task_spec), _gateway_reads(task_spec)
    return _NOTHING
