"""The test-run's forms (试运行表单): a draft's user tasks offered by their Chinese names, each with its
form filled from the form's sample values (workflows.forms.samples), and what the designer posts
back read and validated as a real submit would be.

A designer tries a draft by choosing what each step answers — 同意 or 退回, a date, the members of a
vote — not by typing JSON keyed by element ids. The fields are drawn by the same macros as a task
page (templates/tasks/fields.html), read back by ``webui.formspec.read`` and checked by the form
registry, so a test-run walks on the data a real case would carry. A task whose form is drawn in
the model (a Camunda 8 form embedded, or linked and imported with the draft; Camunda 7's
``formField``, Flowable's ``formProperty``) is offered with those fields (webui/drawn_form.py) and
checked as its task page would be (engine/model_forms.check). Element ids stay inside the page's
markup, never shown.
"""
from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from engine import model_forms
from engine.clock import SHANGHAI
from engine.errors import InvalidData
from engine.validation import BPMN_NS, NS, read_file
from workflows.forms import samples
from workflows.forms.registry import FormError

from . import drawn_form, formspec


@dataclass
class Step:
    """One user task of the draft as the test-run offers it."""
    id: str
    name: str
    lane: str
    form_key: str | None
    form: formspec.Form | None = None
    drawn: str | None = None  # the fields drawn in the model (``formFields``), when it names no form of ours


def steps_of(content: bytes, filename: str, forms) -> list[Step]:
    """The draft's user tasks in the order a case meets them: breadth-first from the start events
    along sequence flows (a boundary event follows its task), then any the walk did not reach."""
    root = read_file(content, filename, forms.has if forms is not None else None).root
    lane_of = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            lane_of[(ref.text or "").strip()] = (lane.get("name") or "").strip()
    after: dict[str, list[str]] = {}
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        after.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    for event in root.iter(f"{{{BPMN_NS}}}boundaryEvent"):
        after.setdefault(event.get("attachedToRef"), []).append(event.get("id"))
    order: list[str] = []
    queue = deque(el.get("id") for el in root.iter(f"{{{BPMN_NS}}}startEvent"))
    seen = set(queue)
    while queue:
        node = queue.popleft()
        order.append(node)
        for nxt in after.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    rank = {eid: i for i, eid in enumerate(order)}
    tasks = sorted(root.iter(f"{{{BPMN_NS}}}userTask"), key=lambda t: rank.get(t.get("id"), len(rank)))
    found = []
    for task in tasks:
        props = {p.get("name"): p.get("value") for p in task.iterfind(
            "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS)}
        found.append(Step(task.get("id"), (task.get("name") or "").strip() or "未命名任务",
                          lane_of.get(task.get("id"), ""), props.get("formSchema"),
                          drawn=None if props.get("formSchema") else props.get("formFields")))
    return found


def offer(steps: list[Step], forms, directory, org_code: str | None, today: dt.date) -> list[Step]:
    """Each step's form with its sample values, as a task page would show it (people by name, and a
    lane named by a role's code, as Camunda Modeler files often are, by the role's name)."""
    role_names = {r.code: r.name for r in directory.roles()}
    for step in steps:
        step.lane = role_names.get(step.lane, step.lane)
        if step.drawn:
            shown = drawn_form.field_dicts(model_forms.fields_of({"formFields": step.drawn}))
            step.form = formspec.Form(shown, title="模型中绘制的表单")
            if shown is not None:
                step.form.values = drawn_form.start_values(shown, {}, {})
            continue
        fields = formspec.fields_for(forms, step.form_key)
        form = formspec.Form(fields, title=formspec.title_for(forms, step.form_key),
                             people=formspec.people_options(directory, fields, org_code),
                             orgs=formspec.org_options(directory, fields))
        if fields is not None:
            form.values = _sample_values(step.form_key, fields, form.people, form.orgs, today)
        step.form = form
    return steps


def _sample_values(form_key: str, fields: list[dict], people: dict, orgs: list, today: dt.date) -> dict:
    """The form's sample values as its inputs show them; people and units among those the pickers
    offer here (a sample names the demo's accounts, which another directory may not have)."""
    try:
        sample = samples.sample(form_key, today)
    except KeyError:
        return {}
    values = formspec.prefill(fields, sample)
    for f in fields:
        name, value = f["name"], sample.get(f["name"])
        if value is None:
            continue
        if "decision" in name or name in formspec.DECISIONS:
            values[name] = str(value)  # prefill leaves decisions to the person; a test-run needs one
        elif f["type"] == "date":
            values[name] = _chinese_day(str(value))
        elif f["type"] in ("person", "org"):
            options = [code for code, _ in (orgs if f["type"] == "org" else people.get(name, []))]
            values[name] = str(value) if str(value) in options else (options[0] if options else str(value))
        elif f["type"] == "people":
            # demo choices: the sample's people if they may be picked here, else as many who may
            options = [u for u, _ in people.get(name, [])]
            picked = [u for u in values.get(name, []) if u in options]
            values[name] = picked or options[:max(1, len(values.get(name, [])))]
    return values


def _chinese_day(iso: str) -> str:
    """2026-11-23 as an official writes it: 2026年11月23日."""
    try:
        day = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{day.year}年{day.month}月{day.day}日"


def read_posted(steps: list[Step], posted: dict, forms) -> tuple[dict, list[dict]]:
    """(data by task for ``engine.dry_run``, errors as {step, field, message} in Chinese). ``posted``
    maps a step to the [name, value] pairs of its inputs, as the page serialises them."""
    data_by_task: dict[str, dict] = {}
    errors: list[dict] = []
    for step in steps:
        pairs = posted.get(step.id)
        if step.drawn:
            if isinstance(pairs, list):
                data_by_task[step.id] = _read_drawn(step, pairs, errors)
            continue
        fields = formspec.fields_for(forms, step.form_key)
        if fields is None or not isinstance(pairs, list):
            continue
        multi = MultiDict([(str(p[0]), str(p[1])) for p in pairs if isinstance(p, (list, tuple)) and len(p) == 2])
        data, _values, problems = formspec.read(fields, multi)
        if not problems:
            try:
                data = forms.validate(step.form_key, data)
            except FormError as exc:
                problems = exc.errors
        labels = {f["name"]: f.get("label") or f["name"] for f in fields}
        for name, message in problems.items():
            head = name.split(".", 1)[0]
            errors.append({"step": step.name, "element": step.id, "field_name": head,
                           "field": labels.get(head, "表单"), "message": message})
        data_by_task[step.id] = data
    return data_by_task, errors


def _read_drawn(step: Step, pairs: list, errors: list[dict]) -> dict:
    """A drawn form's posted inputs read as its task page reads them, checked by the engine's own
    check of a completion (defaults, required unless hidden, numbers and days as typed, choices)."""
    drawn = model_forms.fields_of({"formFields": step.drawn})
    shown = drawn_form.field_dicts(drawn) or []
    multi = MultiDict([(str(p[0]), str(p[1])) for p in pairs if isinstance(p, (list, tuple)) and len(p) == 2])
    data, _values, problems = formspec.read(shown, multi)
    if not problems:
        try:
            data = model_forms.check({"formFields": step.drawn}, data)
        except InvalidData as exc:
            problems = exc.errors
    labels = {f["id"]: f.get("label") or f["id"] for f in drawn if f.get("id")}
    for name, message in problems.items():
        errors.append({"step": step.name, "element": step.id, "field_name": name,
                       "field": labels.get(name, "表单"), "message": message})
    return data


def today_of(engine) -> dt.date:
    return engine.clock.now().astimezone(SHANGHAI).date()
