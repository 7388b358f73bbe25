"""/api/models — process models (流程模型): list, deploy a .bpmn/.dmn file, versions, source.

Officials read models (a case page shows its diagram); only designers and administrators deploy
(``Policy.check_design``), a new version of an existing process only a designer of the unit it
belongs to or of one above (the engine's ``ModelStore.check_reach``: 403; docs/designer.md 部署权限).
An upload goes through the engine's own deploy validation — the same checks as ``duban deploy`` and
the designer — so the API adds only what HTTP needs: a size limit (limits.MODEL_UPLOAD_BYTES), a
file name check, and refusing non-UTF-8 files before the engine tries to store them as text.
"""
from __future__ import annotations

import logging
import os

from flask import Response
from flask_smorest import abort

from engine.errors import EngineError, Forbidden, InvalidModel

from ..designer import PARSER_FAILURES, unparsable
from . import schemas
from .blueprint import bp, engine, principal

log = logging.getLogger("duban.api")
TAG = ["models"]
ALLOWED_SUFFIXES = (".bpmn", ".dmn", ".bpmn20.xml")


def _officials_only() -> None:
    if principal().party:
        raise Forbidden("企业用户无权查看流程模型")


@bp.route("/models", methods=["GET"], tags=TAG)
@bp.response(200, schemas.ModelList)
def list_models():
    """流程模型列表：每个模型的最新版本。"""
    _officials_only()
    return {"items": engine().models.list()}


@bp.route("/models", methods=["POST"], endpoint="deploy_model", tags=TAG)
@bp.arguments(schemas.DeployForm, location="files")
@bp.response(201, schemas.Model)
def deploy_model(form):
    """部署模型：上传 .bpmn 或 .dmn 文件（multipart/form-data，字段名 file）。

    Camunda 8 模型以 formId 链接的表单（.form 文件）可同时上传（字段名 forms，可多个），嵌入该版本。

    内容未变则返回现有版本；有变化则成为新版本，运行中的案件不受影响。
    """
    eng = engine()
    eng.policy.check_design(principal())
    upload = form["file"]
    filename = _clean_filename(upload.filename or "")
    content = upload.read()
    if not content:
        abort(422, message="上传的文件为空", errors={"file": "文件为空"})
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        abort(422, message="模型文件必须是 UTF-8 编码", errors={"file": "不是 UTF-8 编码"})
    forms = []
    for upload_form in form.get("forms") or []:  # Camunda 8 .form files its tasks link by formId
        name = os.path.basename((upload_form.filename or "").replace("\\", "/")).strip()[:200]
        if not name.lower().endswith(".form"):
            abort(422, message="表单文件须为 .form 文件", errors={"forms": f"「{name}」不是 .form 文件"})
        forms.append((name, upload_form.read()))
    try:
        return eng.deploy(content, by=principal().username, filename=filename, forms=forms)
    except EngineError:
        raise
    except PARSER_FAILURES as exc:
        raise unparsable(filename, exc) from None


def _clean_filename(name: str) -> str:
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable())[:200]
    if not base.lower().endswith(ALLOWED_SUFFIXES):
        abort(422, message="只能上传 .bpmn 或 .dmn 文件", errors={"file": "文件扩展名须为 .bpmn 或 .dmn"})
    return base


@bp.route("/models/<key:key>/versions", methods=["GET"], tags=TAG)
@bp.response(200, schemas.ModelList)
def model_versions(key):
    """一个模型的全部版本，从旧到新。"""
    _officials_only()
    versions = engine().models.versions(key)
    if not versions:
        abort(404, message=f"流程模型不存在: {key}")
    return {"items": versions}


@bp.route("/models/<key:key>/source", methods=["GET"], tags=TAG)
@bp.arguments(schemas.VersionArgs, location="query")
@bp.response(200, {"type": "string"}, content_type="application/xml",
             description="模型文件原文（BPMN/DMN XML）")
def model_source(args, key):
    """模型文件原文，缺省为最新版本。"""
    _officials_only()
    eng = engine()
    if args.get("version") is None:
        model = eng.models.latest(key)
    else:
        model = next((m for m in eng.models.versions(key) if m.version == args["version"]), None)
        if model is None:
            abort(404, message=f"流程模型 {key} 没有版本 {args['version']}")
    return Response(model.content, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{model.key}.v{model.version}.xml"'})
