"""The Flask application factory (网页应用).

``create_app(engine)`` wires one engine into server-rendered pages: each area is a blueprint of its
own (auth, tasks, cases, supervisor, attachments), and everything cross-cutting — login, the CSRF
check, error pages, time and label filters, the navigation — is installed here once, so a view
only does its own job. The engine is the only way pages reach the data; ``webui.queries`` adds a
few read-only queries the engine does not offer yet.
"""
from __future__ import annotations

import os
import secrets
from inspect import iscoroutinefunction
from pathlib import Path
from types import FunctionType

from flask import Flask, redirect, request, url_for
from flask.globals import request_ctx
from werkzeug.routing import IntegerConverter

from . import auth, csrf, display, errors, headers, login_limits, nav, request_hooks, sessions
from .typed_text import PageRequest

DEFAULT_INSTANCE = Path(__file__).resolve().parent.parent / "var" / "instance"


def create_app(engine, *, secret_key: str | None = None, testing: bool = False,
               instance_path: str | os.PathLike | None = None, plain_http: bool | None = None,
               config: dict | None = None) -> Flask:
    """A web app on ``engine``. ``instance_path`` holds uploads and the generated secret key
    (default: ``DUBAN_INSTANCE_PATH``, else ``var/instance`` beside the default database, git-ignored).

    Session cookies are ``Secure`` (sent over HTTPS only) unless ``plain_http`` — or
    ``DUBAN_PLAIN_HTTP=1`` — says the app is served over plain HTTP for development (``duban serve
    --dev`` / ``--demo``). ``config`` overrides settings such as ``DUBAN_SESSION_IDLE_MINUTES``,
    ``DUBAN_SESSION_MAX_HOURS``, ``DUBAN_LOGIN_ACCOUNT_LIMIT``, ``DUBAN_LOGIN_ADDRESS_LIMIT`` and
    ``DUBAN_TRUSTED_PROXIES`` (webui/login_limits.trust_proxies)."""
    if plain_http is None:
        plain_http = os.environ.get("DUBAN_PLAIN_HTTP") == "1"
    instance_path = Path(instance_path or os.environ.get("DUBAN_INSTANCE_PATH") or DEFAULT_INSTANCE).resolve()
    app = DubanFlask(__name__, instance_path=str(instance_path))
    app.request_class = PageRequest  # a page's text without control characters (webui/typed_text.py)
    app.url_map.converters["int"] = RowId  # before any route: /cases/<int:…> past the column's range is a 404
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(
        SECRET_KEY=secret_key or os.environ.get("DUBAN_SECRET_KEY") or _stored_secret(Path(app.instance_path)),
        TESTING=testing,
        MAX_CONTENT_LENGTH=50 * 1024 * 1024,  # attachments (照片、扫描件) up to 50 MB per submit
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not plain_http,
        ATTACHMENT_DIR=str(Path(app.instance_path) / "attachments"),
        DUBAN_PLAIN_HTTP=plain_http,
        DUBAN_SESSION_IDLE_MINUTES=float(os.environ.get("DUBAN_SESSION_IDLE_MINUTES", 30)),
        DUBAN_SESSION_MAX_HOURS=float(os.environ.get("DUBAN_SESSION_MAX_HOURS", 12)),
    )
    for name in ("DUBAN_LOGIN_ACCOUNT_LIMIT", "DUBAN_LOGIN_ADDRESS_LIMIT", "DUBAN_TRUSTED_PROXIES"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    app.config.update(config or {})
    login_limits.trust_proxies(app)  # behind a reverse proxy: the client's address, not the proxy's
    app.extensions["duban_engine"] = engine
    app.json.ensure_ascii = False
    sessions.install(app, engine)  # server-side, revocable, idle and absolute limits

    from . import attachments, cases, designer, formspec, supervisor, tasks
    for bp in (auth.bp, tasks.bp, cases.bp, supervisor.bp, attachments.bp, designer.bp):
        app.register_blueprint(bp)
    from . import enterprises, parties  # 企业档案 and the 当事企业 names and 失信 flags on every page
    app.register_blueprint(enterprises.bp)
    from . import hazard_statistics  # 隐患排查治理季度统计 (16号令)
    app.register_blueprint(hazard_statistics.bp)
    from . import hazard_reports  # 统计分析表报送情况、逾期未报 (16号令第十四条)
    app.register_blueprint(hazard_reports.bp)
    from . import inspection_completion  # 双随机抽查计划完成率
    app.register_blueprint(inspection_completion.bp)
    from . import leader_inspection  # 领导带队督查 per leader and unit (seed 004: 全年不少于4次)
    app.register_blueprint(leader_inspection.bp)
    from . import admin, admin_audit, admin_demo, admin_orgs, admin_units, admin_users, calendar, rules  # 系统管理, administrators only
    for bp in (admin.bp, admin_users.bp, admin_orgs.bp, admin_units.bp, admin_demo.bp, rules.bp, calendar.bp,
               admin_audit.bp):
        app.register_blueprint(bp)
    admin_demo.install(app)  # a demo database's clock shift, re-read by every process
    parties.install(app)
    from . import document_files  # 公文 .docx / PDF downloads of a case's documents
    document_files.install(app)

    auth.install(app)
    csrf.install(app)
    errors.install(app)
    display.install(app)
    nav.install(app)
    from . import messages  # 消息中心; after auth.install, whose before_request sets g.user
    messages.install(app)
    from . import leadership  # 领导驾驶舱, 通报排名
    leadership.install(app)
    attachments.install_filters(app)
    app.jinja_env.filters["shown"] = formspec.shown
    app.jinja_env.filters["money"] = formspec.money_cell  # 5,000,000.00 (its heading or label says 元)

    @app.after_request
    @request_hooks.not_for_api
    def _headers(response):
        # CSP (scripts from this site only), nosniff, no framing by other sites: webui/headers.py.
        # API responses get theirs (a superset: nothing may be framed or run) from webui/api/security.py.
        api = (request.blueprint or "").split(".")[0] in auth.API_BLUEPRINTS
        return response if api else headers.apply(response)

    @app.get("/")
    def index():
        from flask import g
        user = g.get("user")
        if user is not None and not nav.works_tasks(user):  # no queue: straight to their own tools
            if nav.can_design(user) and "admin" not in user.roles:
                return redirect(url_for("designer.index"))
            if "admin" in user.roles:
                return redirect(url_for("admin.index"))
        return redirect(url_for("tasks.mine"))

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    auth.public("healthz")
    _install_api(app)
    login_limits.install(app, engine, endpoints=("auth.login", "api.create_token", login_limits.PASSWORD_CHANGE))
    return app


class DubanFlask(Flask):
    """Flask, which asks ``inspect.iscoroutinefunction`` of every hook and view it calls, on every
    request (``ensure_sync``: an API completion calls it 16 times, ~960 bytecodes of its ~26,700 on
    SQLite). A plain function found not to be a coroutine function is remembered in the app (its
    hooks and views, a fixed set) and handed back at once after; anything else — an ``async def``,
    a bound method, a partial — goes through Flask's own check as before.

    A REST API request (its blueprint one of ``auth.API_BLUEPRINTS``) runs only the hooks that have
    something to do for it: ``webui/request_hooks.py`` leaves out those marked ``not_for_api`` (the
    pages' user, login redirect, form CSRF check, message catch-up and headers), in Flask's order
    otherwise; a page runs Flask's own ``preprocess_request``/``process_response``."""

    def __init__(self, *args, **kwargs):
        self._plain_functions: set = set()
        self._api_hooks: dict = {}  # blueprint -> (before, after): request_hooks.api_hooks
        super().__init__(*args, **kwargs)

    def _hooks_of(self, blueprint: str) -> tuple:
        """Made at a blueprint's first request: Flask refuses a hook added after the first request."""
        made = self._api_hooks.get(blueprint)
        if made is None:
            made = self._api_hooks[blueprint] = request_hooks.api_hooks(self, blueprint)
        return made

    def preprocess_request(self):
        blueprint = request.blueprint
        if blueprint not in auth.API_BLUEPRINTS or self.url_value_preprocessors:
            return super().preprocess_request()
        for hook in self._hooks_of(blueprint)[0]:
            answer = hook()
            if answer is not None:
                return answer
        return None

    def process_response(self, response):
        ctx = request_ctx._get_current_object()
        blueprint = ctx.request.blueprint
        if blueprint not in auth.API_BLUEPRINTS or ctx._after_request_functions:
            return super().process_response(response)
        for hook in self._hooks_of(blueprint)[1]:
            response = hook(response)
        if not self.session_interface.is_null_session(ctx._session):
            self.session_interface.save_session(self, ctx._session, response)
        return response

    def ensure_sync(self, func):
        if type(func) is FunctionType:
            if func in self._plain_functions:
                return func
            if not iscoroutinefunction(func):
                self._plain_functions.add(func)
                return func
        return super().ensure_sync(func)


class RowId(IntegerConverter):
    """``<int:…>`` in a URL: at most a database INTEGER (2³¹−1), so a huge id is a 404, not an
    overflow in the database driver (a 500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=2_147_483_647, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _install_api(app: Flask) -> None:
    """The REST API (``webui.api``: its own blueprint, auth and JSON errors) goes on last, after the
    pages' hooks, as it asks."""
    from .api import init_api
    init_api(app)
    csrf.exempt_blueprint(app, "api")  # the API checks its own: bearer tokens, or the header for sessions


def _stored_secret(folder: Path) -> str:
    """A secret kept in the instance folder, so every worker process of one host signs sessions
    with the same key and a restart does not log everybody out."""
    path = folder / "secret_key"
    if not path.exists():
        tmp = folder / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # atomic: the first process to get here wins, the others read its key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
