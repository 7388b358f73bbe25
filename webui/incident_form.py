"""The retry form of an incident (修正数据后重试): the failed step's data as a labelled form, never JSON.

A failed submit (``complete``) or start (``start``) is retried with its data corrected. When the task has a registered
form, the form is shown again with what was submitted; a task without one (a model drawn elsewhere)
gets one text box per value it submitted and per value the error says was missing, each under its
Chinese label from the case's forms or the computed facts. Numbers typed there ("30,000", "３０")
are read as numbers, so a script dividing by them works.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from workflows import typed_input
from workflows.forms.context import FACT_LABELS

from . import formspec, labels, queries

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class RetryForm:
    form: formspec.Form
    generic: bool  # one box per value (a task without a registered form)


def case_labels(eng, case) -> dict[str, str]:
    """Chinese labels of a case's data: its forms' fields, then what the process computed."""
    keys = queries.case_form_keys(eng, case.id, case.history)
    return {**{k: v for k, v in FACT_LABELS.items()}, **formspec.data_labels(eng.forms, keys)}


def build(eng, incident, names: dict[str, str]) -> RetryForm | None:
    """The form a supervisor corrects the failed submit in; None for what is retried as it was
    (a timer, a message)."""
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
    if generic:
        keys = list(dict.fromkeys([*submitted, *labels.missing_keys(incident.message)]))
        fields = [{"name": k, "label": names.get(k) or _unlabelled(k), "type": "text", "required": False,
                   "choices": []} for k in keys if k != formspec.GENERIC_OPINION] + \
            ([{"name": formspec.GENERIC_OPINION, "label": "办理意见", "type": "textarea", "required": False,
               "choices": []}] if formspec.GENERIC_OPINION in submitted else [])
    else:
        fields = [f for f in fields if f["type"] != "attachments"]  # files stay as submitted
    org = task.org_code if task is not None else (incident.payload or {}).get("org")
    title = task.name if task is not None else "发起案件"
    form = formspec.Form(fields, title=title, people=formspec.people_options(eng.directory, fields, org),
                         orgs=formspec.org_options(eng.directory, fields))
    form.values = formspec.prefill(fields, submitted)
    if not generic:  # the decision too: the retry repeats the choice made
        for f in fields:
            if f["name"] in submitted and "decision" in f["name"]:
                form.values[f["name"]] = str(submitted[f["name"]])
    return RetryForm(form, generic)


def _unlabelled(key: str) -> str:
    return f"数据项（模型中名为 {key}）"


def read(retry: RetryForm, incident, posted) -> tuple[dict, dict]:
    """(data to retry with, errors): the submitted data with the corrections over it."""
    data = dict((incident.payload or {}).get("data") or {})
    fields = retry.form.fields or []
    for f in fields:  # a box emptied is a value removed
        if f["type"] not in ("attachments",):
            data.pop(f["name"], None)
    read_data, values, errors = formspec.read(fields, _without_action(posted))
    retry.form.values, retry.form.errors = values, errors
    if retry.generic:
        read_data = {k: _typed(v) for k, v in read_data.items()}
    data.update(read_data)
    return data, errors


def _without_action(posted):
    from werkzeug.datastructures import MultiDict
    return MultiDict([(k, v) for k, v in posted.items(multi=True) if k != formspec.ACTION])


def _typed(value):
    """A number typed in a generic box as a number (30,000 → 30000), anything else as typed."""
    if not isinstance(value, str):
        return value
    plain = typed_input.plain_number(value)
    if _NUMBER.match(plain):
        return int(plain) if "." not in plain else float(plain)
    return value
