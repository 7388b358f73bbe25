"""The REST API (接口) under /api, described by an OpenAPI document at /api/openapi.json.

``init_api(app)`` plugs it into a Flask app built by ``webui.app.create_app``; the engine is taken
from ``app.extensions["duban_engine"]``. Call it last in ``create_app``, after the page layer's
own hooks. See docs/api.md for clients; modules, one concern each:

- blueprint — the ``api`` blueprint and the order every request goes through
- auth — bearer tokens (hashed, own table) and browser sessions; ``create_token`` for the CLI
- limits — request sizes and JSON content checked before parsing
- errors — engine errors to statuses, one JSON error shape, no stack traces
- security — security headers, 413/500 pages, login rate limiting (pages and API)
- json_body — the JSON text of API responses (msgspec; pages' JSON stays Flask's)
- models, cases, tasks, supervision, directory, tokens — the resources
"""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from werkzeug.routing import BaseConverter

from . import errors, json_body, security
from .auth import create_token, ensure_table, revoke_token, revoke_user_tokens  # noqa: F401  (public API)
from .blueprint import bp
from .schemas import KEY_PATTERN

# Importing the resource modules attaches their routes to ``bp``.
from . import cases, directory, events, external, models, outbox, supervision, tasks, tokens  # noqa: E402,F401

class ModelKeyConverter(BaseConverter):
    """A process/decision key in a URL: an XML id, so no NUL, slash or dot-dot can pass."""
    regex = r"[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]{0,127}"  # schemas.KEY_PATTERN: Chinese ids too


class DubanApi(Api):
    """flask-smorest's Api with our error shape, and without its app-wide HTTPException handler
    (security.install registers per-status handlers that answer JSON on /api only)."""

    ERROR_SCHEMA = errors.ErrorSchema

    def _register_error_handlers(self):
        pass


def init_api(app: Flask) -> Api:
    engine = app.extensions["duban_engine"]
    ensure_table(engine)
    outbox.ensure_tables(engine)
    app.config.setdefault("API_TITLE", "督办 Duban API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "督办：安全生产监管案件办理引擎的 REST 接口。认证：Authorization: Bearer <令牌>，"
                                "或浏览器登录会话（非 GET 请求须带 X-CSRF-Token）。"},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer",
                           "description": "POST /api/tokens 或 duban user token 得到的令牌"},
            "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session", "description": "网页登录会话"},
        }},
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
    })
    app.url_map.converters.setdefault("key", ModelKeyConverter)
    api = DubanApi(app)
    api.register_converter(ModelKeyConverter, lambda converter: {
        "type": "string", "pattern": KEY_PATTERN, "minLength": 1, "maxLength": 128})
    api.register_blueprint(bp)
    security.install(app)
    json_body.install(app)
    app.extensions["duban_api"] = api
    return api

