"""The retry form of an incident (修正数据后重试): the failed step's data as a labelled form, never JSON.

A failed submit (``complete``) or start (``start``) is retried with its data corrected. When the task has a registered
form, the form is shown again with what was submitted; a task without one (a model drawn elsewhere)
gets one text box per value it submitted and per value the error says was missing, each under its
Chinese label from the case's forms or the computed facts. Numbers typed there ("30,000", "３０")
are read as numbers, so a script dividing by them works. A 是/否 box offers 不填 (a value never
given stays not given), but the value whose absence is what failed (``_needed``: the one a failed
condition reads that the case lacks, a script's undefined name) cannot be retried 不填 or empty: the
retry would fail again into a second incident, so it is refused on the form naming the box and the
step (「请选择“企业是否拒绝检查”：是或否（「企业配合？」要用到）」). A task whose form is drawn in the
model gets the same refusal from the engine (engine/model_forms.blank_refusal).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from engine import model_forms, typed_input
from workflows.forms.context import FACT_LABELS, may_read

from . import formspec, labels, model_data, queries

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class RetryForm:
    form: formspec.Form
    generic: bool  # one box per value (a task without a registered form)


def case_labels(eng, case) -> dict[str, str]:
    """Chinese labels of a case's data: what the process computed, what its model says of its data
    (a model drawn elsewhere: ``model_data``), then its forms' fields."""
    keys = queries.case_form_keys(eng, case.id, case.history)
    return {**FACT_LABELS, **model_data.data_labels(eng, case.model_id), **formspec.data_labels(eng.forms, keys)}


def incident_labels(eng, incident) -> dict[str, str]:
    """``case_labels`` of the incident's case; for a start that failed (no case yet), what the model
    it started says of its data."""
    if incident.case_id:
        return case_labels(eng, eng.case(incident.case_id))
    return {**FACT_LABELS, **model_data.data_labels(eng, _started_model(eng, incident))}


def _started_model(eng, incident) -> int | None:
    """The model version a failed start ran (the latest of its process, as a retry runs it again)."""
    try:
        return eng.models.latest((incident.payload or {}).get("process_key") or "").id
    except Exception:  # noqa: BLE001 - a process gone since
        return None


def build(eng, incident, names: dict[str, str], step: str | None = None, roles=()) -> RetryForm | None:
    """The form a supervisor corrects the failed submit in; None for what is retried as it was
    (a timer, a message). ``step``: the failed element's name, to describe a value nothing labels.
    ``roles``: the reader's; a field only another role reads (the whistleblower's identity, for the
    举报受理员) gets no box — ``read`` keeps its value as submitted, so the retry loses nothing."""
    submitted = dict((incident.payload or {}).get("data") or {})
    if incident.action == "start":  # a case that failed while opening: its start data
        task = None
    elif incident.action == "complete" and incident.task_id:
        try:
            task = eng.task(incident.task_id)
        except Exception:  # noqa: BLE001 - a task gone since: nothing to correct
            return None
    else:
        return None
    fields = formspec.fields_for(eng.forms, task.form_key) if task is not None else None
    generic = fields is None
    title = task.name if task is not None else "发起案件"
    if generic:
        fields = _generic_fields(eng, incident, task, submitted, names, step, title)
    else:
        fields = [f for f in fields if f["type"] != "attachments"]  # files stay as submitted
    fields = [f for f in fields if may_read(f["name"], roles)]
    # the case's unit and the task's, as the completion retried checks the people named (forms/people.py)
    org = eng.case(task.case_id).org_code if task is not None else (incident.payload or {}).get("org")
    form = formspec.Form(fields, title=title, people=formspec.people_options(
                             eng.directory, fields, org, task.org_code if task is not None else None),
                         orgs=formspec.org_options(eng.directory, fields))
    form.values = formspec.prefill(fields, submitted)
    form.values.update({f["name"]: formspec.shown(_truth(submitted[f["name"]])) for f in fields
                        if f.get("unset") and f["name"] in submitted})  # 是 typed as 是, not as text
    if not generic:  # the decision too: the retry repeats the choice made
        for f in fields:
            if f["name"] in submitted and "decision" in f["name"]:
                form.values[f["name"]] = str(submitted[f["name"]])
    return RetryForm(form, generic)


def _generic_fields(eng, incident, task, submitted: dict, names: dict[str, str], step: str | None,
                   title: str) -> list[dict]:
    """One box per value submitted and per value the failure needs that the case does not have: those
    the error names, those the conditions leaving the failed element read (a gateway with no way out,
    a conditional event). A value read as 是/否 (a drawn yes/no field, or a condition such as
    ``refused == True``; never a timer's expression, which is a time), or one submitted as 是/否, is
    asked as 是/否 with a third choice 不填 — chosen while the value was never given, so a retry leaves
    it not given unless someone says otherwise; the rest as text, numbers read as numbers (``_typed``).
    A Camunda 8 task whose form stays in the task (zeebe:output) gets no box for them: what is typed
    there would never reach the case."""
    case = eng.case(incident.case_id) if incident.case_id else None
    drawn = model_data.model_data(eng, case.model_id if case is not None else _started_model(eng, incident))
    read: dict[str, bool] = {}
    if task is None or task.spec_id not in drawn.outputs_only:
        read = dict.fromkeys(labels.missing_keys(incident.message), False)
        for condition in [*labels.failed_expressions(incident.message),
                          *drawn.conditions.get(incident.element_id or "", ())]:
            for key, as_truth in labels.names_read(condition).items():
                read[key] = read.get(key, False) or (as_truth and not labels.at_timer(incident.message))
    missing = [k for k in read if k not in submitted and (case is None or case.data.get(k) is None)]
    step = step or labels.failed_step(incident.message)
    needed = _needed(incident.message, set(missing))
    described = _described(submitted, missing, names, step, title)
    fields = []
    for key, label in described.items():
        if key in submitted:  # a 是/否 submitted stays one; anything else submitted is shown as typed
            yes_no = _truth(submitted[key]) is not None and (isinstance(submitted[key], bool) or key in drawn.yes_no)
        else:
            yes_no = key in missing and (key in drawn.yes_no or read.get(key))
        # 是 / 否 / 不填: a value never given stays not given (a condition may read its absence)
        fields.append({"name": key, "label": label, "hint": f"模型中的名称：{key}" if label != names.get(key) else "",
                       "type": "boolean" if yes_no else "text", "required": False, "unset": bool(yes_no),
                       "choices": [], "needed_by": (step or "流程的下一步") if key in needed else None})
    if formspec.GENERIC_OPINION in submitted:
        fields.append({"name": formspec.GENERIC_OPINION, "label": "办理意见", "type": "textarea", "required": False,
                       "choices": []})
    return fields


def _needed(message: str | None, missing: set[str]) -> set[str]:
    """The values among ``missing`` whose absence is what failed, so that a retry without them fails
    again for sure: a script's ``name 'x' is not defined``, or the one value a failed condition reads
    that the case does not have (a condition missing two might not read the second). Not a timer's."""
    if labels.at_timer(message):
        return set()
    needed = {m.group(1) for m in re.finditer(r"name '([^']+)' is not defined", message or "")} & missing
    for condition in labels.failed_expressions(message):
        lacking = [k for k in labels.names_read(condition) if k in missing]
        if len(lacking) == 1:
            needed.add(lacking[0])
    return needed


def _described(submitted: dict, missing: list[str], names: dict[str, str], step: str | None,
               title: str) -> dict[str, str]:
    """Key -> what the box is labelled: its Chinese label, else what it is to the step — 「计算每日罚款」用到的
    数据, 「录入罚款」提交的数据 — numbered when several share that; never the variable name (a designer
    finds it in the box's tooltip)."""
    submitted_desc = "发起案件时提交的数据" if title == "发起案件" else f"「{title}」提交的数据"
    wanted = f"「{step}」用到的数据" if step else "流程需要的数据"
    said = {k: names.get(k) or (submitted_desc if k in submitted else wanted)
            for k in [*submitted, *missing] if k != formspec.GENERIC_OPINION}
    shared: dict[str, list[str]] = {}
    for k, label in said.items():
        if label != names.get(k):
            shared.setdefault(label, []).append(k)
    for label, keys in shared.items():
        if len(keys) > 1:
            said.update({k: f"{label}（第 {n} 项）" for n, k in enumerate(keys, 1)})
    return said


def read(retry: RetryForm, incident, posted) -> tuple[dict, dict]:
    """(data to retry with, errors): the submitted data with the corrections over it."""
    data = dict((incident.payload or {}).get("data") or {})
    fields = retry.form.fields or []
    for f in fields:  # a box emptied is a value removed
        if f["type"] not in ("attachments",):
            data.pop(f["name"], None)
    read_data, values, errors = formspec.read(fields, _without_action(posted))
    if retry.generic:
        read_data = {k: _typed(v) for k, v in read_data.items()}
        for f in fields:  # 不填 where the failure needs it: the retry would fail again, a second incident
            if f.get("needed_by") and f["name"] not in read_data and f["name"] not in errors:
                why = f"（「{f['needed_by']}」要用到）" if f["needed_by"] != "流程的下一步" else "（流程的下一步要用到）"
                errors[f["name"]] = (f"请选择“{f['label']}”：是或否" if f["type"] == "boolean"
                                     else f"请填写“{f['label']}”") + why
    retry.form.values, retry.form.errors = values, errors
    data.update(read_data)
    return data, errors


def _without_action(posted):
    from werkzeug.datastructures import MultiDict
    return MultiDict([(k, v) for k, v in posted.items(multi=True) if k != formspec.ACTION])


def _truth(value) -> bool | None:
    """A 是/否 as submitted (True, "true", "是"…); None for anything else."""
    if isinstance(value, bool):
        return value
    text = typed_input.fold(str(value)).lower()
    return True if text in model_forms.TRUE else False if text in model_forms.FALSE else None


def _typed(value):
    """A number typed in a generic box as a number (30,000 → 30000), anything else as typed."""
    if not isinstance(value, str):
        return value
    plain = typed_input.plain_number(value)
    if _NUMBER.match(plain):
        return int(plain) if "." not in plain else float(plain)
    return value
