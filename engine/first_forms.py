"""What a case is started with, checked against the forms of its first tasks (首个任务表单).

A case started without a start form — a plain start event started through the REST API with data, a
message start from the 消息网关 whose event draws no form — brings data nothing had checked: a
``source`` of 「随便」 where the first task's form offers 监督检查发现/群众举报/…, a 「十二天」 where it
asks an integer, was stored and then shown as typed on the case page and in that task's form. The
data a start brings is the data its first tasks show and complete, so each value given for a field
one of them declares is checked as that form checks it when a person types it on the page: its
kind (number, day, yes/no, credit code…) and its choices, and stored as that form stores it
(``１２`` as 12, ``2026年12月1日`` as ``2026-12-01``). A field left out or blank is not asked for: the
task asks for it when it is worked. The refusal names the field by its Chinese label
(「隐患来源」应为以下之一：…), and nothing is started.

The first tasks of a start event are the user tasks reached from it through gateways, throw events and
timer waits only: a script, a rule, a service task, a message wait or a sub-process between them may
change the data, so a form after one is not the start's. Their forms are ours (``formSchema``:
``check_given`` of the form registry, workflows/forms/registry.py) or drawn in the model
(``formFields``: ``model_forms.check`` on the fields given, none of them required, read-only ones
too — a read-only field is how a first task shows what the start brought). When several first
tasks declare one field (after an exclusive gateway), a value any of them takes is taken.
A field the start event's own form declares is that form's (``skip``), checked before.
"""
from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn.specs.control import SimpleBpmnTask, StartEventJoin
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import (
    EventBasedGateway, IntermediateCatchEvent, IntermediateThrowEvent)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from . import model_forms
from .errors import InvalidData
from .spec_facts import per_spec

_PASSED = (ExclusiveGateway, InclusiveGateway, ParallelGateway, EventBasedGateway, IntermediateThrowEvent,
           StartEvent, SimpleBpmnTask, StartEventJoin)
"""What the data goes through unchanged on its way to the first tasks."""

Form = tuple[str, str, frozenset]
"""("schema", a form registry key, {}) or ("drawn", the fields as JSON, each optional and writable,
their ids)."""


def _passes(task_spec) -> bool:
    if isinstance(task_spec, IntermediateCatchEvent):  # a timer waits; a message's payload may change the data
        return isinstance(getattr(task_spec, "event_definition", None), TimerEventDefinition)
    return isinstance(task_spec, _PASSED)


def _form_of(task_spec) -> Form | None:
    props = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    if props.get("formSchema"):
        return ("schema", str(props["formSchema"]), frozenset())
    fields = model_forms.fields_of(props)
    if not fields:
        return None
    loose = [{k: v for k, v in f.items() if k not in ("required", "readonly", "hide", "default")} for f in fields]
    return ("drawn", json.dumps(loose, ensure_ascii=False, sort_keys=True),
            frozenset(f["id"] for f in loose if f.get("id")))


def _declared(form: Form, forms) -> frozenset[str] | set[str]:
    if form[0] == "drawn":
        return form[2]
    names = getattr(forms, "field_names", None)
    return names(form[1]) if names is not None and forms.has(form[1]) else set()


@per_spec
def _first_forms(spec) -> dict[str, tuple[Form, ...]]:
    """Start event name -> the forms of its first tasks (see the module), in the order reached."""
    out: dict[str, tuple[Form, ...]] = {}
    for start in model_forms.start_events(spec):
        found: list[Form] = []
        seen: set[str] = set()
        todo = list(start.outputs)
        while todo:
            ts = todo.pop(0)
            if ts.name in seen:
                continue
            seen.add(ts.name)
            if isinstance(ts, UserTask):
                form = _form_of(ts)
                if form is not None and form not in found:
                    found.append(form)
            elif _passes(ts):
                todo.extend(ts.outputs)
        out[start.name] = tuple(found)
    return out


def check(forms, spec, start, data: dict, skip: frozenset[str] | set[str] = frozenset()) -> dict:
    """``data`` with each value a first form of ``start`` (a start event spec; None: the start a
    plain start runs from) declares checked and stored as that form stores it; InvalidData naming
    each refused field by its label. ``forms``: the engine's form registry (None: ours unchecked)."""
    if not data:
        return data
    if start is None:
        start = model_forms.start_event(spec)
        if start is None:
            return data
    first = _first_forms(spec).get(start.name, ())
    if not first:
        return data
    result = dict(data)
    refused: dict[str, str] = {}
    taken: set[str] = set()
    for form in first:
        given = {k: data[k] for k in _declared(form, forms) if k in data and k not in skip and k not in taken
                 and not _blank(data[k])}
        if not given:
            continue
        cleaned, errors = _check_one(forms, form, given, data)
        for name, value in cleaned.items():
            if name not in errors:
                result[name] = value
                taken.add(name)
                refused.pop(name, None)
        for name, reason in errors.items():
            refused.setdefault(name.split(".")[0] if name.split(".")[0] in given else name, reason)
    refused = {k: v for k, v in refused.items() if k.split(".")[0] not in taken}
    if refused:
        raise InvalidData(refused)
    return result


def _blank(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _check_one(forms, form: Form, given: dict, data: dict) -> tuple[dict, dict[str, str]]:
    """(the values the form took, stored as it stores them; {field: reason} of those it refused)."""
    if form[0] == "drawn":
        cleaned, errors = {}, {}
        for name, value in given.items():  # one at a time: a refused one does not hide the others' readings
            try:
                cleaned.update(model_forms.check({"formFields": form[1]}, {name: value}, case_data=data))
            except InvalidData as exc:
                errors.update(exc.errors)
        return cleaned, errors
    check_given = getattr(forms, "check_given", None)
    if check_given is None:
        return {}, {}
    return check_given(form[1], given)
