"""The Flask application factory (网页应用)."""
from __future__ import annotations

from flask import Flask


def create_app(engine, *, secret_key: str | None = None, testing: bool = False) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=secret_key or "dev-not-secret", TESTING=testing)
    app.extensions["duban_engine"] = engine

    @app.get("/")
    def index():
        models = engine.models.list()
        items = "".join(f"<li>{m.key} v{m.version} {m.name}</li>" for m in models)
        return f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>督办</title><h1>督办</h1><ul>{items}</ul></html>"

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    return app
