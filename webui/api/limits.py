"""Limits on what an API request may carry, checked before any view or parser sees it.

Why here and not in each schema: the failures these prevent happen *below* our validation —
Python's JSON parser accepts ``NaN``, a number past a float's range as infinity (``1e999``) and lone surrogates (``"\\ud800"``) and overflows the stack on
deeply nested arrays, PostgreSQL refuses NUL characters in text — and each would surface as a 500.
Rejecting them once, for every JSON body and query string, keeps the views simple.

Sizes: a model upload may be ``MODEL_UPLOAD_BYTES`` (a .bpmn/.dmn file of 5 MB, as
engine.validation.MAX_MODEL_BYTES, plus multipart overhead); any other API request ``JSON_BYTES``.
"""
from __future__ import annotations

import json
import math
import re

from flask import g, request
from flask_smorest import abort

MODEL_UPLOAD_BYTES = 5 * 1024 * 1024 + 64 * 1024
JSON_BYTES = 1024 * 1024
UPLOAD_ENDPOINTS = {"api.deploy_model"}
MAX_DEPTH = 20
MAX_NODES = 20_000
# One C-level search a string instead of a Python step a character (a form of 6 kB: the guard took
# ~0.4 ms). Free text in form data may have line breaks and tabs; a query parameter may not.
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_BAD_IN_BODY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
BODY_KEY = "api_body"  # g.api_body: the body as parsed here, read by the arguments' parser (blueprint.py)


class _BadBody(ValueError):
    pass


def guard_request() -> None:
    """before_request of the API blueprint (after authentication)."""
    req = request._get_current_object()  # one context lookup, not one per use (~45 bytecodes each)
    req.max_content_length = MODEL_UPLOAD_BYTES if req.endpoint in UPLOAD_ENDPOINTS else JSON_BYTES
    if req.query_string:  # most POSTs have none: no query arguments parsed for nothing
        for key, value in req.args.items(multi=True):
            if _has_control(key) or _has_control(value):
                abort(422, errors={key[:64]: "查询参数包含不允许的控制字符"})
    if req.method in ("POST", "PUT", "PATCH", "DELETE") and _is_json(req.mimetype):
        raw = req.get_data(cache=True)  # 413 past the limit
        if not raw.strip():
            return
        try:  # UTF-8 only, as webargs reads a JSON body (UTF-16 or a BOM: not JSON here either)
            value = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
        except (ValueError, RecursionError):
            abort(400, message="请求体不是有效的 JSON")
        try:
            _walk(value)
        except _BadBody as exc:
            abort(422, message="请求体包含不允许的内容", errors={"_schema": str(exc)})
        setattr(g, BODY_KEY, value)  # parsed once: the view's arguments are loaded from this value


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def _no_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def _has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def _check_string(text: str) -> None:
    if _BAD_IN_BODY.search(text) is None:
        return
    if "\x00" in text:  # the reasons in this order, whichever comes first in the text
        raise _BadBody("文本中不允许出现 NUL 字符")
    if _SURROGATE.search(text):  # a lone surrogate: UTF-8 cannot carry it
        raise _BadBody("文本中包含无效的 Unicode 字符")
    raise _BadBody("文本中不允许出现控制字符")


def _walk(value) -> None:
    """Depth, size and string content of a parsed JSON value, without recursion of our own."""
    stack = [(value, 1)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise _BadBody(f"数据项过多（上限 {MAX_NODES}）")
        if depth > MAX_DEPTH:
            raise _BadBody(f"嵌套层数过深（上限 {MAX_DEPTH}）")
        if isinstance(item, str):
            _check_string(item)
        elif isinstance(item, dict):
            for k, v in item.items():
                _check_string(k)
                stack.append((v, depth + 1))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, float) and not math.isfinite(item):  # 1e999: no database keeps infinity
            raise _BadBody("数值超出范围（不能是无穷大）")
