"""Task forms as HTML (任务表单): which fields a task's form has, and the posted form read back as data.

The fields come from the forms registry (``engine.forms``: ``fields(key)`` gives name, label, type,
required, choices and, for tables, columns); validation stays with the engine, which runs the same
registry inside ``complete`` and raises ``InvalidData`` with Chinese reasons per field. This module
only translates between HTML inputs and the plain data the registry expects, so that:

- a field left empty is left *out* (the schema says whether that is allowed, in Chinese);
- a failed submit can be shown again exactly as typed (``values`` keep the raw input);
- a task without a registered form still works, through the generic 办理 form (an opinion and 办理完成).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from werkzeug.datastructures import MultiDict

from engine.clock import SHANGHAI
from engine import typed_input
from workflows.forms.fields import NAME_LIST_SPLIT

from . import case_data

GENERIC = "_data"          # the opinion box of a task without a known form
GENERIC_OPINION = "handling_opinion"  # ...stored as 办理意见
ACTION = "_action"         # which submit button was pressed
RETURN_ACTION = "return"   # 退回
RETURN_CHOICE = "退回"
DECISIONS = {"vote_choice"}  # decisions not named *_decision
MISMATCH = "所选意见与所按按钮不一致，请重新选择后提交"
_LIST_SPLIT = NAME_LIST_SPLIT  # names typed in one box: split as the forms split a string sent so


@dataclass
class Form:
    """What the template renders: the fields (or None for the generic box), values and errors."""
    fields: list[dict] | None
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    title: str = ""
    people: dict = field(default_factory=dict)  # people field -> [(username, 姓名)] to pick from
    orgs: list = field(default_factory=list)    # [(code, 单位名称)] for org fields
    enterprises: list = field(default_factory=list)  # [(credit code, 企业名称)] for enterprise fields
    assessors: list = field(default_factory=list)  # [名称] of the registered 安全评价检测检验机构 (评估机构名称)
    held: dict = field(default_factory=dict)  # attachments field -> [attachments.Held] of a refused submit (暂存)

    @property
    def generic(self) -> bool:
        return self.fields is None

    @property
    def multipart(self) -> bool:
        return any(f["type"] == "attachments" for f in self.fields or [])

    @property
    def decision(self) -> dict | None:
        """The form's decision (审批意见、批复意见、表决意见), if it has one: rendered as one submit button
        per choice, so the choice and the button pressed cannot disagree (``read`` refuses a post where
        they do)."""
        return decision_field(self.fields)

    @property
    def other_fields(self) -> list[dict]:
        """The fields rendered as inputs: all but the decision, which is the buttons."""
        d = self.decision
        return [f for f in self.fields or [] if d is None or f["name"] != d["name"]]

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    def table_errors(self, name: str) -> list[str]:
        """Errors of a table as a whole ("至少填写1行")."""
        return [v for k, v in self.errors.items() if k == name]

    def cell_error(self, name: str, row: int, column: str) -> str | None:
        return self.errors.get(f"{name}.{row}.{column}") or self.errors.get(f"{name}.{row}")

    def wrong_labels(self) -> list[str]:
        """The labels of the fields a refused submit must correct, in the form's order (a table's once,
        whichever of its cells is wrong)."""
        heads = {key.split(".", 1)[0] for key in self.errors}
        return [f["label"] for f in self.fields or [] if f["name"] in heads and f.get("label")]

    def other_errors(self) -> list[tuple[str, str]]:
        """Errors not tied to a field shown on the page (the whole form, or an unknown field)."""
        names = {f["name"] for f in self.fields or []}
        out = []
        for key, reason in self.errors.items():
            head = key.split(".", 1)[0]
            if key == GENERIC and self.generic:
                continue
            if head not in names:
                out.append((key, reason))
        return out


def decision_field(fields: list[dict] | None) -> dict | None:
    for f in fields or []:
        if f["type"] == "choice" and f["required"] and (f["name"].endswith("_decision") or f["name"] in DECISIONS):
            return f
    return None


def refusal_named(fields: list[dict] | None, errors: dict[str, str]) -> str:
    """A form's refusal said as a person reads it, each field by its Chinese label (a table's cell as
    「责任人员」第1行「姓名」): 「提交的数据有误：「举报人身份证号」身份证号校验码不符……」. What a REST client
    is told beside ``errors`` (keyed by field name, for programs), so the person behind it learns which
    box to mend — the page shows the same reasons beside the labelled fields."""
    by_name = {f["name"]: f for f in fields or []}
    said = []
    for where, reason in errors.items():
        name, _, rest = str(where).partition(".")
        field = by_name.get(name)
        if field is None:
            said.append(str(reason))
            continue
        label = f"「{field['label']}」"
        row, _, column = rest.partition(".")
        if row.isdigit():
            cell = next((c for c in field.get("columns") or [] if c["name"] == column), None)
            label += f"第{int(row) + 1}行" + (f"「{cell['label']}」" if cell else "")
        said.append(str(reason) if field["label"] in str(reason) else label + str(reason))
    return "提交的数据有误：" + "；".join(said) if said else "提交的数据有误"


def fields_for(registry, form_key: str | None) -> list[dict] | None:
    """The registry's fields for ``form_key``, or None when there is no registry or no such form."""
    if registry is None or not form_key:
        return None
    has = getattr(registry, "has", None)
    if has is not None and not has(form_key):
        return None
    try:
        return [dict(f) for f in registry.fields(form_key)]
    except (KeyError, LookupError):
        return None


def people_options(directory, fields: list[dict] | None, org_code: str | None,
                   task_org: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """For each people or person field (a table's columns too, under the column's name), who may be
    picked, by Chinese name: the active holders of its roles whom a case of ``org_code`` (a task
    handled at ``task_org``) may name (``workflows.forms.people.reachable``: the case's unit and
    those below it, the task's unit, and a supervising role's holders above) — exactly whom the
    submit accepts. Without a case unit (the designer's test run), every active holder."""
    from workflows.forms.people import reachable
    out = {}
    users = None
    wanted = [c for f in fields or [] for c in ([f] + list(f.get("columns") or []))
              if c["type"] in ("people", "person")]
    for f in wanted:
        if users is None:
            users = {u.username: u for u in directory.users() if getattr(u, "active", True)}
        roles = f.get("roles") or []
        if org_code:
            holders = reachable(directory, roles, org_code, task_org, f.get("reach_above"))
        else:
            holders = {u for r in roles for u in directory.users_with_role(r)} if roles else set(users)
        out[f["name"]] = sorted({(u, users[u].name or u) for u in holders if u in users}, key=lambda p: p[0])
    return out


# A list of names typed one a line (kind ``names``) that usually names people the case already knows:
# offered to be picked by name under the box (each pick adds or removes its line), the box still open
# for anyone else. field -> ("case", the case-data list they come from) or ("roles", roles held).
NAME_CHOICES: dict[str, tuple[str, Any]] = {
    "signed_by": ("case", "team_members"),          # 已签名的调查组成员: of the 调查组 formed earlier
    "team_members": ("roles", ("investigator",)),    # 调查组成员: other departments' members typed
    "interviewers": ("roles", ("leader", "director", "supervisor")),  # 约谈人: the bureau's heads
    "evaluators": ("roles", ("evaluator",)),         # 评估组成员
}


def name_choices(directory, fields: list[dict] | None, case_data: dict | None, org_code: str | None,
                 task_org: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """For each ``names`` field of ``NAME_CHOICES`` on the form: the names to pick from, as (name, name)
    pairs like ``people_options``' — the case's own list, or the Chinese names of the active holders of
    the roles a case of ``org_code`` may name (``workflows.forms.people.reachable``)."""
    from workflows.forms.people import reachable
    out: dict[str, list[tuple[str, str]]] = {}
    for f in fields or []:
        source = NAME_CHOICES.get(f["name"]) if f["type"] == "names" else None
        if source is None:
            continue
        kind, what = source
        if kind == "case":
            listed = (case_data or {}).get(what)
            names = [str(n).strip() for n in listed if str(n).strip()] if isinstance(listed, list) else []
        elif org_code:
            users = {u.username: u for u in directory.users() if getattr(u, "active", True)}
            names = sorted(users[u].name for u in reachable(directory, what, org_code, task_org, f.get("reach_above"))
                           if u in users and users[u].name)
        else:
            names = []
        if names:
            out[f["name"]] = [(n, n) for n in dict.fromkeys(names)]
    return out


def org_options(directory, fields: list[dict] | None) -> list[tuple[str, str]]:
    """The org units an ``org`` field picks from, as (code, name indented by level), in tree order;
    empty when the form has no such field."""
    if not any(c["type"] == "org" for f in fields or [] for c in ([f] + list(f.get("columns") or []))):
        return []
    return [(o.code, "\u3000" * max(0, o.path.count("/") - 2) + o.name) for o in directory.orgs()]


def has_kind(fields: list[dict] | None, kind: str) -> bool:
    """Does the form (or a table of it) have a field of ``kind``?"""
    return any(c["type"] == kind for f in fields or [] for c in ([f] + list(f.get("columns") or [])))


def names_enterprise(fields: list[dict] | None) -> bool:
    """Does the form have a text field for an enterprise's name (``parties.ENTERPRISE_NAME_FIELDS``)?"""
    from .parties import ENTERPRISE_NAME_FIELDS
    return any(f["type"] == "text" and f["name"] in ENTERPRISE_NAME_FIELDS for f in fields or [])


def title_for(registry, form_key: str | None) -> str:
    try:
        return registry.title(form_key) if registry is not None and form_key else ""
    except (KeyError, AttributeError):
        return ""


def data_labels(registry, form_keys: list[str]) -> dict[str, str]:
    """Chinese labels for case-data keys, in the order the case's forms were filled.

    Only the forms this case used are consulted (the same field name may mean different things in
    two processes: ``enterprise_name`` is 事故发生单位 in an accident report); a label that two of them
    share for different fields gets its form's title in front (审查整改方案·审查意见).
    """
    if registry is None:
        return {}
    seen: dict[str, tuple[str, str]] = {}
    for key in dict.fromkeys(form_keys):
        fields = fields_for(registry, key) or []
        title = title_for(registry, key) or key
        for f in fields:
            seen.setdefault(f["name"], (f.get("label") or f["name"], title))
    counts: dict[str, int] = {}
    for label, _title in seen.values():
        counts[label] = counts.get(label, 0) + 1
    return {name: (f"{title}·{label}" if counts[label] > 1 else label) for name, (label, title) in seen.items()}


def table_columns(registry, form_keys: list[str]) -> dict[str, list[tuple[str, str]]]:
    """For each table field of the case's forms, its columns as (name, label), to show rows under headers."""
    out: dict[str, list[tuple[str, str]]] = {}
    for key in dict.fromkeys(form_keys):
        for f in fields_for(registry, key) or []:
            if f["type"] == "table" and f["name"] not in out:
                out[f["name"]] = [(c["name"], c.get("label") or c["name"]) for c in f.get("columns", [])]
    return out


# --- posted form -> data --------------------------------------------------------------------------

def read(fields: list[dict] | None, form: MultiDict, attachments: dict[str, list[str]] | None = None
         ) -> tuple[dict, dict, dict]:
    """(data for the engine, values to show again, errors found while reading).

    ``attachments`` maps a field name to references of files uploaded with this submit.
    """
    if fields is None:
        return _read_generic(form.get(GENERIC, ""))
    attachments = attachments or {}
    data: dict = {}
    values: dict = {}
    for f in fields:
        name, kind = f["name"], f["type"]
        if kind == "table":
            rows = _read_rows(f, form)
            values[name] = rows
            cleaned = [{k: v for k, v in r.items() if v is not None} for r in rows]
            cleaned = [r for r in cleaned if r]
            if cleaned:
                data[name] = cleaned
            continue
        if kind == "attachments":
            refs = [r for r in form.getlist(name) if r.strip()] + attachments.get(name, [])
            values[name] = refs
            if refs:
                data[name] = refs
            continue
        raw = form.getlist(name) if kind in ("multichoice", "people") else form.get(name, "")
        values[name] = raw
        parsed = _scalar(kind, raw)
        if parsed is not None:
            data[name] = parsed
    decision = decision_field(fields)
    if decision is not None:
        # The decision is the button pressed. A client that also posts it as a field (or an old page
        # with a separate 退回 button) must agree with it, or nothing is submitted.
        name = decision["name"]
        posted = list(dict.fromkeys(v for v in form.getlist(name) if v.strip()))
        if form.get(ACTION) == RETURN_ACTION:
            posted.append(RETURN_CHOICE)
            posted = list(dict.fromkeys(posted))
        if len(posted) > 1:
            data.pop(name, None)
            values[name] = ""
            return data, values, {name: MISMATCH}
        if posted:
            data[name] = values[name] = posted[0]
    return data, values, {}


def _scalar(kind: str, raw):
    """One input's text as the registry expects it; None means "left empty"."""
    if kind in ("multichoice", "people"):
        picked = list(dict.fromkeys(v.strip() for v in raw if v.strip()))
        return picked or None
    text = (raw or "").strip()
    if not text:
        return None
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if kind == "names":
        return [n.strip() for n in _LIST_SPLIT.split(text) if n.strip()]
    if kind == "date":
        return chinese_date(text)
    return text


def chinese_date(text: str) -> str:
    """A date as officials type it (engine.typed_input) as YYYY-MM-DD; anything else is left for
    the form's own message (应为日期，如 2026年11月1日 或 2026-11-01)."""
    try:
        return typed_input.iso_day(text)
    except ValueError:
        return text


def _read_rows(f: dict, form: MultiDict) -> list[dict]:
    """Rows of a table field posted as ``name.<row>.<column>``; blank rows are dropped."""
    name = f["name"]
    columns = {c["name"]: c for c in f.get("columns", [])}
    by_row: dict[int, dict] = {}
    prefix = name + "."
    for key in form.keys():
        if not key.startswith(prefix):
            continue
        parts = key[len(prefix):].split(".", 1)
        if len(parts) != 2 or not parts[0].isdigit() or parts[1] not in columns:
            continue
        col = columns[parts[1]]
        raw = form.getlist(key) if col["type"] == "multichoice" else form.get(key, "")
        by_row.setdefault(int(parts[0]), {})[parts[1]] = _scalar(col["type"], raw)
    rows = []
    for index in sorted(by_row):
        row = by_row[index]
        if any(v is not None for v in row.values()):
            rows.append({c: row.get(c) for c in columns})
    return rows


def _read_generic(text: str) -> tuple[dict, dict, dict]:
    """A task whose model names no registered form gets the generic 办理 form: an optional opinion
    (办理意见) and the 办理完成 button — never a box for raw variable names."""
    values = {GENERIC: text}
    text = text.strip()
    return ({GENERIC_OPINION: text} if text else {}), values, {}


# --- data -> values (prefill) ---------------------------------------------------------------------

def prefill(fields: list[dict] | None, source: dict) -> dict:
    """Initial input values from case data (or a delegate's draft), so a form sent back for revision
    (退回修改) opens with what was submitted before. Decisions are never prefilled: each review
    decides afresh."""
    if fields is None:
        return {GENERIC: ""}
    values = {}
    for f in fields:
        name, kind = f["name"], f["type"]
        if "decision" in name or name not in source or source[name] is None:
            continue
        values[name] = _as_input(kind, source[name], f)
    return values


def _as_input(kind: str, value, f: dict):
    if kind == "table" and isinstance(value, list):
        cols = {c["name"]: c for c in f.get("columns", [])}
        return [{c: _as_input(cols[c]["type"], r.get(c), cols[c]) if r.get(c) is not None else None for c in cols}
                for r in value if isinstance(r, dict)]
    if kind in ("attachments", "multichoice", "people"):
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if kind == "names":
        return "\n".join(map(str, value)) if isinstance(value, list) else str(value)
    if kind == "boolean":
        return "true" if value is True else "false" if value is False else str(value)
    if kind == "money":
        return money_text(value)
    if kind == "datetime" and isinstance(value, str):
        try:
            return datetime.fromisoformat(value).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
        except ValueError:
            return value
    return str(value)


def money_text(value) -> str:
    """An amount as stored (``"5000000.00"``) as people write it: ``5,000,000.00`` — shown back on a
    form sent back for revision and among the facts a step decides on (the field's label says 元), and
    read again as the same amount when submitted (engine.typed_input)."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite() or amount.adjusted() > case_data.AMOUNT_DIGITS:
        return str(value)  # 1e999999999 written out is a billion digits
    return f"{amount:,.2f}"


def money_cell(value) -> str:
    """An amount shown in a table or among facts (the ``money`` filter): ``money_text``, — when none."""
    return "—" if value is None or value == "" else money_text(value)


def shown(value) -> str:
    """A value as an input's text (lists one per line, booleans as the radio values)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)
