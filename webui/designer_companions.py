"""A draft's companion files (附带文件): the Camunda 8 forms (``.form``) and decision tables (``.dmn``)
a designer imports with a model, validated, test-run and deployed together with it.

The page keeps them beside the draft and sends them with every request (``companions``: a list of
``{filename, content}``); ``read`` checks them (a ``.form`` or ``.dmn`` file, UTF-8, not too many
nor too big) and ``linked`` embeds the forms where the model's tasks link them by ``formId``
(engine/camunda_forms.link_forms, as the REST API and ``duban deploy`` do).

A deployed version's companions are read back from what was stored (``of_version``), as Zeebe
keeps a deployment's resources: the forms embedded in its file (``zeebe:userTaskForm``, each as the
``.form`` file it came from, named by its form id), and the decision tables its business rule
tasks call, in the version that was current when it was deployed (a DMN file deployed with the
model is deployed just before it).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine import camunda_forms
from engine.dialects import ZEEBE_NS
from engine.errors import InvalidModel
from engine.validation import BPMN_NS, NS, read_file, safe_xml

MAX_FILES = 50  # as the REST API's ``forms`` field
MAX_BYTES = 2 * 1024 * 1024
KINDS = {".form": "form", ".dmn": "dmn"}
SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Companion:
    filename: str
    kind: str  # "form" | "dmn"
    content: bytes


class CompanionError(ValueError):
    """A companion file refused: the message names it, in Chinese."""


def read(body: dict) -> list[Companion]:
    """The companion files of a request body (``companions``), checked; CompanionError otherwise."""
    given = body.get("companions") or []
    if not isinstance(given, list):
        raise CompanionError("附带文件的格式不对，请重新导入")
    if len(given) > MAX_FILES:
        raise CompanionError(f"附带文件过多（{len(given)} 个，上限 {MAX_FILES} 个）")
    found: list[Companion] = []
    seen: set[str] = set()
    for item in given:
        if not isinstance(item, dict) or not isinstance(item.get("content"), str):
            raise CompanionError("附带文件的格式不对，请重新导入")
        name = filename(item.get("filename"))
        kind = next((k for suffix, k in KINDS.items() if name.lower().endswith(suffix)), None)
        if kind is None:
            raise CompanionError(f"附带文件「{name}」不是表单（.form）或决策表（.dmn）文件")
        content = item["content"].encode("utf-8")
        if len(content) > MAX_BYTES:
            raise CompanionError(f"附带文件「{name}」过大（上限 {MAX_BYTES // 1024 // 1024} MB）")
        if name.lower() in seen:
            raise CompanionError(f"附带文件「{name}」重复，请移除其中一个")
        seen.add(name.lower())
        found.append(Companion(name, kind, content))
    return found


def filename(name) -> str:
    base = str(name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return SAFE_NAME.sub("_", base)[:120] or "未命名文件"


def forms(companions: list[Companion]) -> list[tuple[str, bytes]]:
    return [(c.filename, c.content) for c in companions if c.kind == "form"]


def decisions(companions: list[Companion]) -> list[tuple[str, bytes]]:
    return [(c.filename, c.content) for c in companions if c.kind == "dmn"]


def linked(content: bytes, filename_: str, companions: list[Companion]) -> bytes:
    """The model with its companion forms embedded where its tasks link them (``formId``);
    InvalidModel naming a form file that is none or that nothing in the model links."""
    given = forms(companions)
    if not given:
        return content
    try:
        return camunda_forms.link_forms(content, given)
    except camunda_forms.FormError as exc:
        raise InvalidModel(str(exc), filename=filename_) from None


def check_decisions(engine, companions: list[Companion]) -> None:
    """Each companion decision table passes a deploy's checks; InvalidModel naming the file."""
    for name, content in decisions(companions):
        try:
            pf = engine.models.validate(content, name)
        except InvalidModel as exc:
            problems = [{**p, "message": f"决策表文件「{name}」：{p.get('message')}", "element_id": None}
                        for p in exc.problems]
            raise InvalidModel(problems[0]["message"], filename=name, problems=problems) from None
        if pf.kind != "dmn":
            raise InvalidModel(f"决策表文件「{name}」不是 DMN 决策表（是流程模型），请单独导入它", filename=name)


# --- a deployed version's companions --------------------------------------------------------------

def of_version(engine, model, tables: list[dict] | None = None) -> list[dict]:
    """{filename, kind, label, content} of each companion of a deployed BPMN version (see above).
    ``tables``: ``decision_tables(engine)``, read once for a page listing several versions."""
    if model.kind != "bpmn":
        return []
    raw = model.content.encode("utf-8")
    found = _embedded_forms(raw, model.filename)
    called = _called_decisions(engine, raw, model.filename)
    if called:
        found += _decision_files(called, model.deployed_at, tables if tables is not None else decision_tables(engine))
    return found


def decision_tables(engine) -> list[dict]:
    """Every deployed DMN version (oldest first per key) with the decisions it holds."""
    out = []
    for model in engine.models.list(content=False):
        if model.kind != "dmn":
            continue
        for version in engine.models.versions(model.key):
            root = safe_xml(version.content.encode("utf-8"), version.filename)
            out.append({"model": version, "ids": {d.get("id") for d in root
                                                  if isinstance(d.tag, str) and etree.QName(d).localname == "decision"}})
    return out


def _embedded_forms(raw: bytes, name: str) -> list[dict]:
    root = safe_xml(raw, name)
    out, names = [], set()
    for form in root.iter(f"{{{ZEEBE_NS}}}userTaskForm"):
        text = form.text or ""
        try:
            schema = json.loads(text)
        except ValueError:
            continue
        form_id = str(schema.get("id") or form.get("id") or "form") if isinstance(schema, dict) else str(form.get("id"))
        fname = filename(form_id) + ".form"
        if fname in names:
            continue
        names.add(fname)
        out.append({"filename": fname, "kind": "form", "label": "表单", "content": text})
    return out


def _called_decisions(engine, raw: bytes, name: str) -> set[str]:
    root = read_file(raw, name, engine.forms.has if engine.forms is not None else None).root
    return {(el.text or "").strip() for el in root.iter(f"{{{BPMN_NS}}}businessRuleTask")
            for el in el.iterfind("bpmn:extensionElements/spiffworkflow:calledDecisionId", NS)} - {""}


def _decision_files(called: set[str], deployed_at, tables: list[dict]) -> list[dict]:
    """The DMN version holding each called decision that was current when the model was deployed."""
    current: dict[str, Any] = {}
    for table in tables:
        version = table["model"]
        if version.deployed_at <= deployed_at and table["ids"] & called:
            current[version.key] = version  # oldest first: the last one kept is the one current then
    return [{"filename": filename(v.filename or f"{v.key}.dmn"), "kind": "dmn",
             "label": f"决策表（v{v.version}）", "content": v.content} for v in current.values()]
