"""Login and logout (登录), and who the current user is.

Passwords are checked against the werkzeug hash stored in the directory; the session keeps only the
username. Each request reads the user's ``Principal`` afresh from the directory, so a changed role,
org unit or a deactivated account takes effect on the next click, not at the next login.
Every page needs a login except those marked ``public``.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (Blueprint, Flask, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from werkzeug.security import check_password_hash

from engine.errors import NotFound

bp = Blueprint("auth", __name__)

_PUBLIC_ENDPOINTS = {"static", "auth.login"}
API_BLUEPRINTS = {"api", "api-docs"}


def public(endpoint: str) -> None:
    """Let an endpoint be reached without login (health checks, the login page)."""
    _PUBLIC_ENDPOINTS.add(endpoint)


def engine():
    return current_app.extensions["duban_engine"]


def _load_user() -> None:
    g.user = None
    if request.endpoint == "static":
        return  # stylesheets and scripts need no directory lookup
    username = session.get("user")
    if username:
        try:
            g.user = engine().directory.principal(username)
        except NotFound:  # deleted or deactivated meanwhile
            session.pop("user", None)


def _require_login():
    if request.endpoint in _PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if (request.blueprint or "").split(".")[0] in API_BLUEPRINTS:
        return None  # the REST API authenticates itself (tokens or this session) and answers 401 as JSON
    if g.user is None:
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    return None


def install(app: Flask) -> None:
    app.before_request(_load_user)
    app.before_request(_require_login)


def _safe_next(target: str | None) -> str:
    """Only redirect within this site after login (no open redirect to another host)."""
    if not target:
        return url_for("tasks.mine")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("tasks.mine")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        user = _find_user(username)
        if user is None or not user.active or not user.password_hash or not check_password_hash(
                user.password_hash, password):
            error = "用户名或密码错误"
        else:
            csrf_token = session.get("_csrf")
            session.clear()  # a fresh session at login (no fixation)
            if csrf_token:
                session["_csrf"] = csrf_token
            session["user"] = user.username
            flash(f"欢迎，{user.name or user.username}", "ok")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", error=error, username=username), (401 if error else 200)


def _find_user(username: str):
    if not username:
        return None
    try:
        return engine().directory.user(username)
    except NotFound:
        return None


@bp.post("/logout")
def logout():
    session.clear()
    flash("已退出登录", "ok")
    return redirect(url_for("auth.login"))
