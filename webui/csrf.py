"""CSRF protection (跨站请求伪造防护) through Flask-WTF's ``CSRFProtect``.

Every POST, PUT, PATCH and DELETE of the pages must carry the session's token, signed with the
app's key: forms put it in with ``{{ csrf_field() }}`` (a hidden ``_csrf`` field), scripts send
``csrf_token()`` in the ``X-CSRF-Token`` header. A session cookie alone therefore never suffices:
another site can make the browser send the cookie but cannot read the token. The token lives as
long as the login session (no separate time limit, so a form left open for an afternoon still
submits; the session's own idle limit ends it). The REST API is exempt here and checks the header
itself for browser sessions (webui/api/auth.py); bearer tokens need no CSRF check.
"""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf, validate_csrf  # noqa: F401 (validate_csrf: API)
from markupsafe import Markup

from .request_hooks import not_for_api

FIELD = "_csrf"
HEADER = "X-CSRF-Token"
MESSAGE = "页面已过期或请求来源无效（安全校验未通过），请刷新页面后重试。"


def token() -> str:
    return generate_csrf()


def field() -> Markup:
    return Markup('<input type="hidden" name="%s" value="%s">') % (FIELD, generate_csrf())


def install(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_FIELD_NAME", FIELD)
    app.config.setdefault("WTF_CSRF_HEADERS", [HEADER, "X-CSRFToken"])
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # as long as the session lasts
    protect = CSRFProtect(app)
    app.extensions["duban_csrf"] = protect
    # Flask-WTF's check (its before_request, just added) exempts the REST API by its blueprint
    # (exempt_blueprint): an API request skips it outright (webui/request_hooks.py), and the API
    # checks the header itself for a login session (webui/api/auth.py)
    not_for_api(app.before_request_funcs[None][-1])
    app.jinja_env.globals.update(csrf_token=token, csrf_field=field)

    @app.errorhandler(CSRFError)
    def _refused(exc):
        from .errors import page
        return page(400, MESSAGE)


def exempt_blueprint(app: Flask, name: str) -> None:
    bp = app.blueprints.get(name)
    if bp is not None:
        app.extensions["duban_csrf"].exempt(bp)
