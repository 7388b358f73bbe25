"""Errors as API clients see them: a status, a Chinese message, and never a stack trace.

Every error body has the same shape (``ErrorSchema``): ``code``, ``status``, ``message``, and where
it helps ``errors`` (field → reason), the model problem (``file``/``line``/``element_id``/
``problems``), the ``incident_id`` of a failed step, or the ``error_id`` of an unexpected failure —
the id is in the server log with the traceback, so support can find it without the client seeing
internals.

    Forbidden → 403   NotFound → 404   Conflict → 409   InvalidData → 422 {"errors": {...}}
    InvalidModel → 422 with file/line/element_id/problems   IncidentRaised → 422 with incident_id, element_id
    the database away or busy → 503 (engine.database.unavailable), Retry-After

Messages are Chinese and name a model's elements by name (webui/labels: as the pages do); ids stay
in the machine fields.
"""
from __future__ import annotations

import logging
import re
import uuid

import marshmallow as ma
import sqlalchemy as sa
from flask import request
from werkzeug.exceptions import HTTPException

from engine.database import unavailable
from engine.errors import (Conflict, EngineError, Forbidden, IncidentRaised, InvalidData, InvalidModel,
                           NotFound)

from .. import labels
from ..incident_form import case_labels

log = logging.getLogger("duban.api")

API_PREFIX = "/api"


def is_api_request() -> bool:
    return is_api_path(request.path)


def is_api_path(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


class ProblemSchema(ma.Schema):
    message = ma.fields.String(required=True, metadata={"description": "中文说明，按名称（无名称时按类型）称呼元素"})
    element_id = ma.fields.String(allow_none=True, metadata={"description": "元素标识（给程序用）"})
    line = ma.fields.Integer(allow_none=True)
    severity = ma.fields.String(metadata={"description": "error 阻止部署；warning 仅提示"})


class ErrorSchema(ma.Schema):
    """The body of every error response."""
    code = ma.fields.Integer(required=True, metadata={"description": "HTTP 状态码"})
    status = ma.fields.String(required=True, metadata={"description": "HTTP 状态名"})
    message = ma.fields.String(metadata={"description": "给用户看的中文说明"})
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(),
                            metadata={"description": "字段 → 错误原因"})
    file = ma.fields.String(allow_none=True)
    line = ma.fields.Integer(allow_none=True)
    element_id = ma.fields.String(allow_none=True, metadata={"description": "出问题的元素标识（给程序用）"})
    problems = ma.fields.List(ma.fields.Nested(ProblemSchema))
    incident_id = ma.fields.Integer(metadata={"description": "流程执行失败时记录的异常事件编号"})
    error_id = ma.fields.String(metadata={"description": "意外错误的编号，服务器日志中有详情"})


_STATUS_NAMES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                 405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large",
                 415: "Unsupported Media Type", 422: "Unprocessable Content", 429: "Too Many Requests",
                 500: "Internal Server Error", 503: "Service Unavailable"}

_DEFAULT_MESSAGES = {400: "请求无效", 401: "需要登录或访问令牌", 403: "无权执行该操作", 404: "请求的资源不存在",
                     405: "不支持该请求方法", 409: "操作冲突", 413: "请求体过大", 415: "不支持的内容类型",
                     422: "提交的数据有误", 429: "请求过于频繁，请稍后再试", 500: "系统内部错误"}


def body(code: int, message: str | None = None, **extra) -> dict:
    out = {"code": code, "status": _STATUS_NAMES.get(code, "Error"),
           "message": message or _DEFAULT_MESSAGES.get(code, "请求失败")}
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


# -- marshmallow / webargs messages in Chinese -----------------------------------------------------
_EXACT = {
    "Missing data for required field.": "必填项",
    "Field may not be null.": "不能为空",
    "Unknown field.": "未知字段",
    "Not a valid string.": "必须是字符串",
    "Not a valid integer.": "必须是整数",
    "Not a valid number.": "必须是数字",
    "Not a valid boolean.": "必须是布尔值",
    "Not a valid mapping type.": "必须是对象",
    "Not a valid list.": "必须是列表",
    "Not a valid datetime.": "不是有效的日期时间",
    "Invalid input type.": "输入类型无效",
    "Invalid value.": "取值无效",
    "String does not match expected pattern.": "格式不正确",
    "Invalid JSON body.": "请求体不是有效的 JSON",
    "Not a valid UUID.": "不是有效的编号",
}
_PATTERNS = [
    (re.compile(r"Longer than maximum length (\d+)\."), r"长度不能超过 \1"),
    (re.compile(r"Shorter than minimum length (\d+)\."), r"长度不能少于 \1"),
    (re.compile(r"Length must be between (\d+) and (\d+)\."), r"长度须在 \1 到 \2 之间"),
    (re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."), r"须在 \1 到 \2 之间"),
    (re.compile(r"Must be greater than or equal to (\S+)\."), r"不能小于 \1"),
    (re.compile(r"Must be less than or equal to (\S+)\."), r"不能大于 \1"),
    (re.compile(r"Must be one of: (.*)\."), r"须为以下之一: \1"),
]


def chinese(message: str) -> str:
    if message in _EXACT:
        return _EXACT[message]
    for pattern, replacement in _PATTERNS:
        if pattern.fullmatch(message):
            return pattern.sub(replacement, message)
    return message


def flatten(messages, prefix: str = "") -> dict[str, str]:
    """webargs' ``{"json": {"data": {"x": ["..."]}}}`` → ``{"data.x": "..."}`` in Chinese."""
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            key = str(key)
            if not prefix and key in ("json", "query", "form", "files", "headers", "cookies", "view_args"):
                out.update(flatten(value, ""))
            else:
                out.update(flatten(value, f"{prefix}.{key}" if prefix else key))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            out[prefix or "_schema"] = "; ".join(chinese(m) for m in messages)
        else:
            for i, m in enumerate(messages):
                out.update(flatten(m, f"{prefix}.{i}" if prefix else str(i)))
    else:
        out[prefix or "_schema"] = chinese(str(messages))
    return out


# -- handlers --------------------------------------------------------------------------------------
def http_error(error: HTTPException):
    """An HTTPException (abort(), webargs validation, 404/405 routing, 413) as our JSON body."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = {k: v for k, v in error.get_headers() if k.lower() in ("allow", "retry-after", "www-authenticate")}
    headers.update(data.get("headers") or {})
    errors = data.get("errors") or data.get("messages")
    message = data.get("message")
    if not message and error.description and error.description != type(error).description:
        message = error.description  # abort(400, description="...") by the page layer
    if errors is not None:
        errors = flatten(errors)
        message = message or _DEFAULT_MESSAGES.get(code)
    if code == 413 and not message:
        limit = request.max_content_length
        message = f"请求体过大（上限 {limit // (1024 * 1024)} MB）" if limit else _DEFAULT_MESSAGES[413]
    if code >= 500:
        return unexpected(error)
    return body(code, message, errors=errors), code, headers


def engine_error(exc: EngineError):
    """The message names elements by name (else by kind: 「未命名的并行网关」), never by id; the ids go
    in their own fields (``element_id``, ``problems[].element_id``) for programs."""
    if isinstance(exc, InvalidData):
        return body(422, getattr(exc, "said", None) or "提交的数据有误",  # said: a form's refusal by its labels
                    errors={str(k): str(v) for k, v in exc.errors.items()}), 422
    if isinstance(exc, InvalidModel):
        return body(422, labels.refusal(exc), file=exc.filename, line=exc.line, element_id=exc.element_id,
                    problems=[{"message": labels.without_element_ids(str(p.get("message"))), "element_id": p.get("element_id"),
                               "line": p.get("line"), "severity": p.get("severity") or "error"}
                              for p in exc.problems]), 422
    if isinstance(exc, IncidentRaised):
        return body(422, labels.refusal(exc, _case_labels(exc.case_id)), incident_id=exc.incident_id,
                    element_id=exc.element_id), 422
    # NotFound first: a case its reader may not know of (engine/policy.CaseHidden) is both, and is
    # answered as a case that is not there
    code = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, Forbidden) else \
        409 if isinstance(exc, Conflict) else 422
    return body(code, labels.refusal(exc) or None), code


def _case_labels(case_id: int | None) -> dict[str, str]:
    """The labels of the failed case's data, so a missing value is named as its form names it."""
    if case_id is None:
        return {}
    from .blueprint import engine  # blueprint.py installs this module's handlers: imported when used
    eng = engine()
    return case_labels(eng, eng.case(case_id))


def database_error(exc: sa.exc.SQLAlchemyError):
    """Values the database refuses (too long, out of range) are the client's data, not our bug."""
    if isinstance(exc, sa.exc.DataError):
        log.warning("database refused request data on %s %s: %s", request.method, request.path, exc.orig)
        return body(422, "提交的数据超出允许的范围或格式"), 422
    if isinstance(exc, sa.exc.IntegrityError):
        log.warning("integrity error on %s %s: %s", request.method, request.path, exc.orig)
        return body(409, "数据与现有记录冲突"), 409
    return unexpected(exc)


def unexpected(exc: BaseException):
    """Anything else: a generic message and an id; the traceback goes to the log only. The database
    away or busy (a driver's error too, raised before SQLAlchemy wraps it): 503, rolled back, the
    client may send the same request again."""
    original = getattr(exc, "original_exception", None) or exc
    message = unavailable(original)
    if message:
        log.warning("database unavailable on %s %s: %s", request.method, request.path,
                    str(original).splitlines()[0] if str(original) else type(original).__name__)
        return body(503, message), 503, {"Retry-After": "5"}
    error_id = uuid.uuid4().hex[:12]
    log.error("unexpected error %s on %s %s", error_id, request.method, request.path,
              exc_info=(type(original), original, original.__traceback__))
    return body(500, f"系统内部错误，请稍后重试或联系管理员（错误编号 {error_id}）", error_id=error_id), 500


def install_on(bp) -> None:
    bp.register_error_handler(EngineError, engine_error)
    bp.register_error_handler(HTTPException, http_error)
    bp.register_error_handler(sa.exc.SQLAlchemyError, database_error)
    bp.register_error_handler(Exception, unexpected)
