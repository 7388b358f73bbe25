"""Login and logout (登录), and who the current user is.

Passwords are checked against the werkzeug hash stored in the directory; the session (server-side,
webui/sessions.py) keeps only the username. Logins, failures and logouts are audited
(webui/accounts.py); lockouts are webui/login_limits.py's. Each request takes the user's ``Principal``
from the engine's per-process cache at the directory counter read with the session row (a
deactivated account or changed password ends the session in that same query; any directory
change, by any process, bumps the counter), so a changed role, org unit or a deactivated account
takes effect on the next click, not at the next login — without a directory lookup per click.
Every page needs a login except those marked ``public``.
"""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from werkzeug.security import check_password_hash, generate_password_hash

from engine.errors import NotFound

from . import accounts, csrf, login_limits, sessions
from .request_hooks import not_for_api

bp = Blueprint("auth", __name__)

_PUBLIC_ENDPOINTS = {"static", "auth.login"}
ENDED = {"idle": "长时间未操作，已自动退出，请重新登录。", "expired": "登录已超过最长时限，请重新登录。",
         "revoked": "登录已失效（已退出、密码已修改或账号已停用），请重新登录。"}
API_BLUEPRINTS = {"api", "api-docs"}
TYPED_START_KEY = "typed_start"  # a start form posted after its session ended (webui/cases.keep_typed_start)


def public(endpoint: str) -> None:
    """Let an endpoint be reached without login (health checks, the login page)."""
    _PUBLIC_ENDPOINTS.add(endpoint)


def engine():
    return current_app.extensions["duban_engine"]


@not_for_api  # the API's own: g.api_principal (webui/api/auth.py)
def _load_user() -> None:
    ctx_g = g._get_current_object()  # the context's objects looked up once each, not at every use
    ctx_g.user = None
    if request.endpoint == "static":
        return  # stylesheets and scripts need no directory lookup
    own = session._get_current_object()
    ended = getattr(own, "ended", None)
    if ended:  # the cookie named a session that has ended: say why on the login page
        flash(ENDED.get(ended, ENDED["revoked"]), "error")
    username = own.get("user")
    if username:
        try:  # from the principal cache at the directory version read with the session row
            ctx_g.user = engine().directory.principal_at(username, getattr(own, "directory_version", None))
        except NotFound:  # deleted or deactivated meanwhile
            own.pop("user", None)


@not_for_api  # the REST API authenticates itself and answers 401 as JSON
def _require_login():
    req = request._get_current_object()
    endpoint = req.endpoint
    if endpoint in _PUBLIC_ENDPOINTS or endpoint is None:
        return None
    if (req.blueprint or "").split(".")[0] in API_BLUEPRINTS:
        return None  # the REST API authenticates itself (tokens or this session) and answers 401 as JSON
    if g.user is None:
        target = request.full_path if request.query_string else request.path
        if request.method == "POST" and request.endpoint == "cases.start":  # typed before the session ended
            from .cases import keep_typed_start
            target = keep_typed_start(request.form, getattr(session, "ended_username", None))
        return redirect(url_for("auth.login", next=target))
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
    """The login form. A failure answers 401 (counted by webui/login_limits.py); success opens a
    new server-side session bound to the password it was opened with (webui/sessions.py)."""
    error = None
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        user = _find_user(username)
        stored = user.password_hash if user is not None and user.active and user.password_hash else None
        # A hash is checked even for unknown names, so the answer's timing does not tell which exist.
        if not check_password_hash(stored or dummy_hash(), password) or stored is None:
            error = "用户名或密码错误"
            accounts.record(engine(), username[:64] or "anonymous", "login_failed",
                            {"username": username[:64], "address": request.remote_addr or "", "via": "page"})
        else:
            typed = session.get(TYPED_START_KEY)
            session.clear()  # the form token too: a token known before the login is worthless after it
            g.pop(csrf.FIELD, None)
            csrf.token()  # the new session's own (webui/csrf.py; the next page's forms carry it)
            if isinstance(typed, dict) and typed.get("by") == user.username:  # typed by this user, no other
                session[TYPED_START_KEY] = typed
            session["user"] = user.username
            sessions.rotate(session, sessions.credential_of(stored))  # a fresh session id (no fixation)
            accounts.record(engine(), user.username, "login", {"address": request.remote_addr or "", "via": "page"})
            flash(f"欢迎，{user.name or user.username}", "ok")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", error=error, username=username), (401 if error else 200)


_DUMMY: list[str] = []


def dummy_hash() -> str:
    """A password hash of nothing anyone knows, checked for unknown names (uniform timing)."""
    if not _DUMMY:
        _DUMMY.append(generate_password_hash(secrets.token_hex(16)))
    return _DUMMY[0]


def _find_user(username: str):
    if not username or len(username) > 64:
        return None
    try:
        return engine().directory.user(username)
    except NotFound:
        return None


@bp.post("/logout")
def logout():
    """Ends this session for good: its row is deleted, the cookie is worthless afterwards."""
    if g.user is not None:
        accounts.record(engine(), g.user.username, "logout", {"address": request.remote_addr or ""})
    session.clear()
    sessions.rotate(session, None)  # the old id is deleted with its row; a new anonymous one carries the notice
    flash("已退出登录", "ok")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """修改密码: the current password, then a new one that passes the policy; every session and
    API token of the user ends (this one too), so the next step is logging in again."""
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        user = _find_user(g.user.username)
        current = request.form.get("current", "")
        new, confirm = request.form.get("new", ""), request.form.get("confirm", "")
        if user is None or not user.password_hash or not check_password_hash(user.password_hash, current):
            errors.append("当前密码不正确")
            g.setdefault(login_limits.GUESS_FAILED, True)  # counted as a failed sign-in (webui/login_limits.py)
            accounts.record(engine(), g.user.username, "password_change_failed", {"address": request.remote_addr or ""})
        elif new != confirm:
            errors.append("两次输入的新密码不一致")
        elif new == current:
            errors.append("新密码不能与当前密码相同")
        else:
            errors = accounts.password_problems(new, g.user.username)
        if not errors:
            accounts.set_password(engine(), g.user.username, new, by=g.user.username)
            session.clear()
            sessions.rotate(session, None)
            flash("密码已修改，请用新密码重新登录。", "ok")
            return redirect(url_for("auth.login"))
        status = 422
    return render_template("auth/password.html", errors=errors), status

