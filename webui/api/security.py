"""App-wide hardening installed with the API: security headers, clean 413/500 pages, login limits.

These touch the pages as well as the API, so each one defers to the page layer where it has its
own answer: headers are only set when the response has none of that name, and the 413/500 pages
here are fallbacks used only when the app registered no error handler of its own.

- Headers: ``nosniff``, no framing by other sites, referrer only to ourselves; the API also gets a
  CSP that allows nothing at all (it serves JSON, never script) and ``Cache-Control: no-store``.
- Errors: every HTTP error of an API request is answered as JSON (errors.py); a page's error goes to
  the page layer's handler, or here to a plain Chinese page — a 500 with an error id whose
  traceback is in the log only.
- Login lockout is webui/login_limits.py's (Flask-Limiter), for the pages and the API alike.
"""
from __future__ import annotations

import logging
import uuid

from flask import Flask, current_app, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException, default_exceptions

from .. import headers
from ..request_hooks import not_for_api
from . import errors

log = logging.getLogger("duban.webui")

API_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
PAGE_HEADERS = headers.PAGE_HEADERS  # the pages' CSP lives in webui/headers.py
COMMON_HEADERS = headers.COMMON_HEADERS


def install(app: Flask, *, login_endpoint: str = "auth.login") -> None:
    # First of all hooks: an /api URL that matches no route is a JSON 404/405 at once, before the
    # page layer's hooks (login redirect, form CSRF check) take it for one of their pages.
    app.before_request_funcs.setdefault(None, []).insert(0, _api_routing_error)
    app.after_request(_security_headers)
    # Code-specific handlers win over class-level ones whatever the registration order, so API
    # errors stay JSON even if the page layer registers its HTTPException handler later.
    for code in sorted(default_exceptions):
        if code >= 400:
            app.register_error_handler(code, _http_error)


@not_for_api  # a request routed to the API's blueprint has matched a route: nothing to do
def _api_routing_error():
    if request.routing_exception is not None and errors.is_api_request():
        raise request.routing_exception


API_ALL_HEADERS = {**COMMON_HEADERS, **API_HEADERS}
PAGE_ALL_HEADERS = {**COMMON_HEADERS, **PAGE_HEADERS}


def _security_headers(response):
    wanted = API_ALL_HEADERS if errors.is_api_request() else PAGE_ALL_HEADERS
    present = {name.lower() for name, _ in response.headers}  # one pass, not one scan per header
    for name, value in wanted.items():
        if name.lower() not in present:
            response.headers.add(name, value)
    return response


def _page(status: int, title: str, message: str):
    html = (f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>{escape(title)} - 督办</title>"
            f"<h1>{escape(title)}</h1><p>{escape(message)}</p><p><a href='/'>返回首页</a></p></html>")
    return html, status, {"Content-Type": "text/html; charset=utf-8"}


def _app_handler_for(app: Flask, exc_class):
    """The page layer's own handler for ``exc_class`` (registered for a class, not a code), if any."""
    handlers = app.error_handler_spec.get(None, {}).get(None, {})
    for cls in exc_class.__mro__:
        if not issubclass(cls, HTTPException):
            break  # an Exception handler is for crashes, not for a 404 or 413
        if cls in handlers:
            return handlers[cls]
    return None


def _http_error(error):
    """API requests get JSON; pages get the page layer's own handler, else a plain Chinese page."""
    if errors.is_api_request():
        return errors.http_error(error)
    handler = _app_handler_for(current_app, type(error))
    if handler is not None:
        return handler(error)
    if error.code == 413:
        limit = request.max_content_length
        size = f"（单次不超过 {limit // (1024 * 1024)} MB）" if limit else ""
        return _page(413, "上传的内容过大", f"上传的文件或提交的内容过大{size}，请压缩或分批上传。")
    if error.code >= 500:
        error_id = uuid.uuid4().hex[:12]
        original = getattr(error, "original_exception", None) or error
        log.error("unexpected error %s on %s %s", error_id, request.method, request.path,
                  exc_info=(type(original), original, original.__traceback__))
        return _page(500, "系统错误", f"系统内部错误，请稍后重试或联系管理员（错误编号 {error_id}）。")
    return error
