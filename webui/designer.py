"""The process designer (流程设计): list models, edit them in bpmn-js, validate, test-run, compare and
deploy versions.

Only designers (流程设计员) and administrators get here. The browser edits and draws; every decision
about a model is the engine's: ``engine.models.validate`` says what is wrong and where (the page
marks those elements), ``engine.deploy`` stores a new version only if it passes the same checks as
``duban deploy`` and the REST API — an invalid model never replaces the current version — and
``engine.dry_run`` walks a draft on a throw-away database. Running cases stay on the version they
started on; the pages show how many there are on each version.

The JSON endpoints under ``/designer/api/`` answer errors as JSON (the page shows them on the
diagram); the pages answer with the usual error pages.
"""
from __future__ import annotations

import json
import logging
import re
from urllib.parse import quote

from flask import (Blueprint, Response, abort, g, jsonify, render_template, request, url_for)

from engine import modeldiff, validation
from engine.errors import EngineError, Forbidden, InvalidModel, NotFound

from . import designer_companions as companions
from . import designer_dryrun
from . import designer_queries as queries
from . import errors, labels
from .auth import engine
from .headers import DOWNLOAD_CSP

log = logging.getLogger("duban.webui.designer")

bp = Blueprint("designer", __name__, url_prefix="/designer")

# A new model starts as one pool with one lane, so its first user task already has a role.
BLANK_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_new" \
targetNamespace="http://duban.local/bpmn">
  <bpmn:collaboration id="Collaboration_new">
    <bpmn:participant id="Participant_new" name="新流程" processRef="new_process" />
  </bpmn:collaboration>
  <bpmn:process id="new_process" name="新流程" isExecutable="true">
    <bpmn:laneSet id="LaneSet_new">
      <bpmn:lane id="Lane_new" name="执法人员">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="开始" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_new">
    <bpmndi:BPMNPlane id="Plane_new" bpmnElement="Collaboration_new">
      <bpmndi:BPMNShape id="Participant_new_di" bpmnElement="Participant_new" isHorizontal="true">
        <dc:Bounds x="120" y="80" width="700" height="220" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_new_di" bpmnElement="Lane_new" isHorizontal="true">
        <dc:Bounds x="150" y="80" width="670" height="220" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="212" y="172" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

SAFE_FILENAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


BPMN_DEFAULTS = {"cancelActivity": "true"}  # attributes bpmn-js leaves out when they have this value


def model_diff(old: str | bytes, new: str | bytes) -> dict:
    """``engine.modeldiff.diff`` (forms named by their titles) less what only differs in spelling:
    bpmn-js leaves out attributes at their BPMN default (``cancelActivity="true"``), so a file saved
    by the editor must not show every interrupting boundary event as changed."""
    forms = engine().forms
    result = modeldiff.diff(old, new, form_title=forms.title if forms is not None else None)
    kept = []
    for entry in result["changed"]:
        changes = {f: c for f, c in entry["changes"].items()
                   if not (f in BPMN_DEFAULTS and {c["old"], c["new"]} <= {None, BPMN_DEFAULTS[f]})}
        if changes:
            kept.append({**entry, "changes": changes,
                         "text": f"修改{entry['title']}：" + "；".join(c["text"] for c in changes.values())})
    return {**result, "changed": kept}


def _is_api() -> bool:
    return request.path.startswith(bp.url_prefix + "/api/")


@bp.before_request
def _only_designers():
    engine().policy.check_design(g.user)


@bp.errorhandler(EngineError)
def _engine_error(exc):
    """JSON for the page's scripts; the application's error pages for everything else."""
    status = {Forbidden: 403, NotFound: 404, InvalidModel: 422}.get(type(exc), 409)
    if not _is_api():
        return errors.page(status, labels.refusal(exc))
    body = {"ok": False, "error": labels.refusal(exc)}
    if isinstance(exc, InvalidModel):
        body["problems"] = _said(exc.problems)
    return jsonify(body), status


def _said(findings: list[dict]) -> list[dict]:
    """Problems and warnings for the page: every element a message names by its name (else its
    kind), not only the one the row is about; the row's ``element_id`` stays for the diagram."""
    return [{**f, "message": labels.without_element_ids(str(f.get("message") or ""))} for f in findings]


# --- pages ----------------------------------------------------------------------------------------

@bp.get("/")
def index():
    eng = engine()
    models = eng.models.list()
    return render_template("designer/index.html", models=models, running=queries.running_by_key(eng))


@bp.get("/models/<key>")
def versions(key):
    eng = engine()
    rows = eng.models.versions(key)
    if not rows:
        raise NotFound(f"流程模型不存在: {key}")
    tables = companions.decision_tables(eng) if rows[-1].kind == "bpmn" else []
    return render_template("designer/versions.html", key=key, versions=list(reversed(rows)),
                           latest=rows[-1], counts=queries.case_counts(eng),
                           companions={v.version: companions.of_version(eng, v, tables) for v in rows})


@bp.get("/new")
def new():
    return _editor(None)


@bp.get("/models/<key>/edit")
def edit(key):
    model = queries.version_of(engine(), key, request.args.get("version", type=int))
    if model is None:
        raise NotFound(f"流程模型不存在: {key}")
    if model.kind != "bpmn":
        raise NotFound("决策表（DMN）不能在流程设计器中编辑，请下载后修改再部署")
    return _editor(model)


def _editor(model):
    eng = engine()
    latest = eng.models.latest(model.key) if model is not None else None
    return render_template("designer/edit.html", model=model, latest=latest,
                           choices=queries.choices(eng), blank=BLANK_MODEL)


@bp.get("/models/<key>/compare")
def compare(key):
    eng = engine()
    rows = eng.models.versions(key)
    if not rows:
        raise NotFound(f"流程模型不存在: {key}")
    new_v = request.args.get("new", type=int) or rows[-1].version
    old_v = request.args.get("old", type=int) or max(new_v - 1, 1)
    old, new_ = queries.version_of(eng, key, old_v), queries.version_of(eng, key, new_v)
    if old is None or new_ is None:
        raise NotFound(f"流程模型 {key} 没有所选版本")
    return render_template("designer/compare.html", key=key, versions=rows, old=old, new=new_,
                           diff=model_diff(old.content, new_.content))


@bp.get("/models/<key>/versions/<int:version>/source")
def source(key, version):
    """The file of one version: shown to the editor, or downloaded (``?download=1``) to edit in
    Camunda Modeler or keep under version control."""
    model = queries.version_of(engine(), key, version)
    if model is None:
        raise NotFound(f"流程模型 {key} 没有版本 {version}")
    # the editor reads this XML; opened by itself it is a file, never a page (headers.DOWNLOAD_CSP)
    headers = {"Cache-Control": "no-store", "Content-Security-Policy": DOWNLOAD_CSP}
    if request.args.get("download"):
        suffix = ".dmn" if model.kind == "dmn" else ".bpmn"
        name = f"{model.key}.v{model.version}{suffix}"  # an XML name: no quote, but may be Chinese (隐患督办)
        # a header is Latin-1: a Chinese name goes as RFC 6266's filename*, with an ASCII one for old clients
        headers["Content-Disposition"] = (f'attachment; filename="{name}"' if name.isascii() else
                                          f"attachment; filename=\"model{suffix}\"; filename*=UTF-8''{quote(name)}")
    return Response(model.content, mimetype="application/xml", headers=headers)


@bp.get("/models/<key>/versions/<int:version>/companions/<name>")
def companion(key, version, name):
    """One companion file of a deployed version (a form embedded in it, a decision table it calls),
    downloaded to edit in Camunda Modeler or deploy elsewhere (webui/designer_companions.py)."""
    model = queries.version_of(engine(), key, version)
    if model is None:
        raise NotFound(f"流程模型 {key} 没有版本 {version}")
    found = next((c for c in companions.of_version(engine(), model) if c["filename"] == name), None)
    if found is None:
        raise NotFound(f"流程模型 {key} 第 {version} 版没有附带文件「{name}」")
    mimetype = "application/json" if found["kind"] == "form" else "application/xml"
    return Response(found["content"], mimetype=mimetype, headers={
        "Cache-Control": "no-store", "Content-Security-Policy": DOWNLOAD_CSP,
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found['filename'])}"})


# --- JSON endpoints for the editor ----------------------------------------------------------------

def _draft() -> tuple[bytes, str, dict]:
    """The model XML the page sends, its file name, and the rest of the request body."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str) or not body["xml"].strip():
        abort(Response('{"ok": false, "error": "请求中没有模型内容"}', 400, mimetype="application/json"))
    return body["xml"].encode("utf-8"), _filename(body.get("filename")), body


def _with_companions() -> tuple[bytes, str, dict, list]:
    """The draft as ``_draft`` reads it, its companion forms embedded where its tasks link them and
    its companion decision tables checked (webui/designer_companions.py); the companions last."""
    content, filename, body = _draft()
    try:
        given = companions.read(body)
    except companions.CompanionError as exc:
        abort(Response(json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False), 400,
                       mimetype="application/json"))
    companions.check_decisions(engine(), given)
    return companions.linked(content, filename, given), filename, body, given


def _filename(name) -> str:
    base = str(name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = SAFE_FILENAME.sub("_", base)[:120]
    if not base.lower().endswith((".bpmn", ".bpmn20.xml")):
        base = (base or "model") + ".bpmn"
    return base


def unparsable(filename: str, exc: BaseException) -> InvalidModel:
    """The file passed the XML checks but a parser below tripped over it: still the file's fault,
    said in Chinese (the designer, the REST API); the parser's own error goes to the log."""
    log.warning("model %s could not be parsed: %r", filename, exc, exc_info=True)
    return InvalidModel("模型无法解析：文件中有本系统读不懂的结构，请在建模工具中检查后重新导出", filename=filename)


PARSER_FAILURES = (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError, IndexError)


@bp.post("/api/validate")
def api_validate():
    content, filename, _, given = _with_companions()
    try:
        pf = engine().models.validate(content, filename, strict=True, decisions=companions.decisions(given))
    except PARSER_FAILURES as exc:
        raise unparsable(filename, exc) from None
    translations = pf.dialect.translations if pf.dialect is not None else []  # ${...} shown as the Python it became
    return jsonify({"ok": True, "keys": pf.keys, "problems": [], "warnings": _said([w.as_dict() for w in pf.warnings]),
                    "translations": translations})


@bp.post("/api/deploy")
def api_deploy():
    """Deploy the draft as the next version. Identical content is no new version (``unchanged``)."""
    eng = engine()
    content, filename, _, given = _with_companions()
    before = {m.key: m.version for m in eng.models.list()}
    tables = companions.decisions(given)
    try:
        # every file checked before any is deployed: the decision tables, then the model with them
        eng.models.check_reach(g.user.username, content, filename)  # before its checks and any table deployed
        eng.models.validate(content, filename, strict=True, decisions=tables)
        deployed_tables = [eng.deploy(dmn, by=g.user.username, filename=name) for name, dmn in tables]
        model = eng.deploy(content, by=g.user.username, filename=filename, strict=True)
    except PARSER_FAILURES as exc:
        raise unparsable(filename, exc) from None
    unchanged = before.get(model.key) == model.version
    return jsonify({"ok": True, "key": model.key, "version": model.version, "id": model.id,
                    "unchanged": unchanged, "filename": model.filename,
                    "decisions": [{"key": t.key, "version": t.version, "filename": t.filename,
                                   "unchanged": before.get(t.key) == t.version} for t in deployed_tables],
                    "edit_url": url_for(".edit", key=model.key, version=model.version),
                    "versions_url": url_for(".versions", key=model.key)}), (200 if unchanged else 201)


@bp.post("/api/deploy/preview")
def api_deploy_preview():
    """What a deploy of the draft would do, for the page to show and ask before deploying: the same
    checks as the deploy (422 with the problems), then per process of the file its current version,
    the next one, the cases running on it (they stay on their version) and the diff in Chinese; the
    warnings the model deploys with (提示: vendor extensions ignored, data stores that only document)."""
    eng = engine()
    content, filename, _, given = _with_companions()
    try:
        eng.models.check_reach(g.user.username, content, filename)  # told before the page asks to confirm
        pf = eng.models.validate(content, filename, strict=True, decisions=companions.decisions(given))
    except PARSER_FAILURES as exc:
        raise unparsable(filename, exc) from None
    running = queries.running_by_key(eng)
    text = content.decode("utf-8")
    declared = validation.case_prefixes(pf)
    models = []
    for key in pf.keys:
        current = queries.version_of(eng, key, None)
        entry = {"key": key, "name": pf.names.get(key) or key, "running": running.get(key, 0),
                 "current": current.version if current else None,
                 "next": current.version + 1 if current else 1,
                 "unchanged": current is not None and current.content == text,
                 # the 案号 its next case gets, and who else numbers alike (two that declare nothing)
                 "numbering": queries.case_numbering(eng, key, declared.get(key))}
        if current is not None:
            entry["diff"] = model_diff(current.content, content)
        models.append(entry)
    tables = []
    for name, dmn in companions.decisions(given):
        key = eng.models.validate(dmn, name).keys[0]
        current = queries.version_of(eng, key, None)
        tables.append({"filename": name, "key": key, "current": current.version if current else None,
                       "next": current.version + 1 if current else 1,
                       "unchanged": current is not None and current.content == dmn.decode("utf-8")})
    return jsonify({"ok": True, "models": models, "decisions": tables,
                    "forms": [c.filename for c in given if c.kind == "form"],
                    "warnings": _said([w.as_dict() for w in pf.warnings])})


@bp.post("/api/diff")
def api_diff():
    """The draft against a deployed version (the one the editor opened, by default the latest)."""
    content, _, body = _draft()
    base = queries.version_of(engine(), str(body.get("key") or ""), body.get("version"))
    if base is None:
        raise NotFound("没有可比较的已部署版本")
    return jsonify({"ok": True, "key": base.key, "version": base.version, **model_diff(base.content, content)})


@bp.get("/api/models/<key>/diff")
def api_version_diff(key):
    eng = engine()
    old = queries.version_of(eng, key, request.args.get("old", type=int))
    new_ = queries.version_of(eng, key, request.args.get("new", type=int))
    if old is None or new_ is None:
        raise NotFound(f"流程模型 {key} 没有所选版本")
    return jsonify({"ok": True, "key": key, "old": old.version, "new": new_.version,
                    **model_diff(old.content, new_.content)})


@bp.post("/api/dry-run/forms")
def api_dry_run_forms():
    """The test-run's forms: each user task of the draft by its name, its form filled with sample
    values (webui/designer_dryrun.py), as HTML for the 试运行 tab."""
    eng = engine()
    content, filename, _, _given = _with_companions()
    try:
        steps = designer_dryrun.steps_of(content, filename, eng.forms)
    except PARSER_FAILURES as exc:
        raise unparsable(filename, exc) from None
    designer_dryrun.offer(steps, eng.forms, eng.directory, g.user.org_code, designer_dryrun.today_of(eng))
    return jsonify({"ok": True, "steps": len(steps),
                    "html": render_template("designer/dry_run_forms.html", steps=steps)})


@bp.post("/api/dry-run")
def api_dry_run():
    """试运行: the draft on a throw-away database. Each task submits what the designer chose on its
    form (``steps``: a task's [name, value] inputs, read and validated as a real submit) — or, for
    scripts, ``data_by_task`` as JSON keyed by element id."""
    eng = engine()
    content, filename, body, given = _with_companions()
    start_data, data_by_task = body.get("start_data") or {}, body.get("data_by_task") or {}
    if not isinstance(start_data, dict) or not isinstance(data_by_task, dict):
        return jsonify({"ok": False, "error": "试运行数据须为 JSON 对象"}), 400
    if isinstance(body.get("steps"), dict):
        try:
            steps = designer_dryrun.steps_of(content, filename, eng.forms)
        except PARSER_FAILURES as exc:
            raise unparsable(filename, exc) from None
        data_by_task, form_errors = designer_dryrun.read_posted(steps, body["steps"], eng.forms)
        if form_errors:
            first = form_errors[0]
            return jsonify({"ok": False, "status": "form_error", "form_errors": form_errors,
                            "error": f"「{first['step']}」的{first['field']}：{first['message']}"}), 422
    try:
        result = eng.dry_run(content, filename, data_by_task=data_by_task, start_data=start_data,
                             by=g.user.username, decisions=companions.decisions(given))
    except PARSER_FAILURES as exc:
        raise unparsable(filename, exc) from None
    roles = {r.code: r.name for r in eng.directory.roles()}
    for entry in result.get("trace") or []:
        entry["role_name"] = roles.get(entry.get("role"), entry.get("role") or "")
    _said_in_chinese(result)
    return jsonify(_jsonable(result))


_INCIDENT_PREFIX = re.compile(r"^incident #\d+:\s*")


def _said_in_chinese(result: dict) -> None:
    """The dry run's ``error`` as the page shows it (试运行未完成：…): a step's failure as the incident
    page says it (labels.incident_explanation), never ``incident #1: … NameError: name 'total' is not
    defined. Did you mean …``, which stays in ``detail``; a walk that does not end in Chinese."""
    status, error = result.get("status"), result.get("error")
    if not error or result.get("ok"):
        return
    if status == "incident":
        raw = _INCIDENT_PREFIX.sub("", str(error))
        result["detail"], result["error"] = raw, labels.incident_explanation(raw)
    elif status == "too_many_steps":
        result["detail"], result["error"] = error, f"走了 {len(result.get('trace') or [])} 步仍未结束，模型中可能有没有出口的循环"


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
