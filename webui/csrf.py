"""A CSRF token for every POST (跨站请求伪造防护), without a new dependency.

One random token per session, put into each form by ``{{ csrf_field() }}`` and checked before any
POST, PUT, PATCH or DELETE reaches a view. A session cookie alone therefore never suffices to change
anything: another site can make the browser send the cookie, but cannot read the token.
Blueprints with their own scheme (the REST API, which uses tokens in headers) are exempted by name.
"""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session
from markupsafe import Markup

FIELD = "_csrf"
HEADER = "X-CSRF-Token"
SESSION_KEY = "_csrf"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
EXEMPT_BLUEPRINTS = {"api"}


def token() -> str:
    """This session's token, created on first use."""
    value = session.get(SESSION_KEY)
    if not value:
        value = session[SESSION_KEY] = secrets.token_urlsafe(32)
    return value


def field() -> Markup:
    return Markup('<input type="hidden" name="%s" value="%s">') % (FIELD, token())


def check() -> None:
    """Refuse an unsafe request whose token is missing or wrong (400, with a Chinese message)."""
    if request.method not in UNSAFE or request.blueprint in EXEMPT_BLUEPRINTS:
        return
    expected = session.get(SESSION_KEY)
    sent = request.form.get(FIELD) or request.headers.get(HEADER)
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        abort(400, description="页面已过期或请求来源无效（CSRF 校验失败），请刷新页面后重试。")


def install(app: Flask) -> None:
    app.before_request(check)
    app.jinja_env.globals.update(csrf_token=token, csrf_field=field)
