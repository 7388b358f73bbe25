"""Login lockout (登录失败锁定) through Flask-Limiter, counted in the database all workers share.

Two limits guard both ways to sign in (the login page and ``POST /api/tokens``) and 修改密码, whose
current password is a guess too (a session left open on an office PC tried it without end), and
only *failed* attempts count (Flask-Limiter's ``deduct_when``):

- per account, across all addresses: ``DUBAN_LOGIN_ACCOUNT_LIMIT`` (default ``10 per 15 minutes``)
  — password guessing against one name from many machines;
- per address, across all accounts: ``DUBAN_LOGIN_ADDRESS_LIMIT`` (default ``30 per 15 minutes``)
  — one machine spraying a common password over many names.

Past a limit every attempt is refused with 429 and ``Retry-After`` before the password is looked
at, the same way for names that exist and names that do not (the password check itself hashes a
dummy for unknown names, so its timing does not tell either). Lockouts are audited (``login_locked``).

Behind a reverse proxy (nginx in front of gunicorn) every request comes from the proxy's address:
one machine's 30 failures locked every login out. ``DUBAN_TRUSTED_PROXIES`` (default 0: no proxy,
the header is ignored, since anyone can send it) is the number of proxies in front that append to
``X-Forwarded-For``; with it, werkzeug's ``ProxyFix`` takes the client's address from that many
entries from the right, so addresses a client writes into the header itself are not believed
(``trust_proxies``; docs/admin.md, 运维).

Why a storage of our own: Flask-Limiter counts through the ``limits`` library, whose shared
storages are Redis, Memcached, MongoDB and etcd — services Duban does not run. Its in-memory
storage counts per process, so N gunicorn workers would allow N times the attempts. ``SqlStorage``
is a small ``limits`` storage on the engine's own database (SQLite or PostgreSQL): one row per key
with its count and window end, updated under the database's write lock (SQLite) or a row lock
(PostgreSQL), so every worker and host sees the same counts.
"""
from __future__ import annotations

import time

import sqlalchemy as sa
from flask import current_app, g, jsonify, render_template, request
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from limits.storage import Storage
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ACCOUNT_LIMIT = "10 per 15 minutes"
ADDRESS_LIMIT = "30 per 15 minutes"
EXTENSION = "duban_login_limits"
PASSWORD_CHANGE = "auth.change_password"  # its account: the session's user, whose password it checks
GUESS_FAILED = "duban_password_guess_failed"  # g: the view found the current password wrong


class LimitBase(DeclarativeBase):
    pass


class RateCounter(LimitBase):
    __tablename__ = "rate_limit_counter"
    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    count: Mapped[int] = mapped_column(sa.Integer, default=0)
    expires_at: Mapped[float] = mapped_column(sa.Float, index=True)  # epoch seconds: limits' own time base


class SqlStorage(Storage):
    """A fixed-window ``limits`` storage in the engine's database (``duban-sql://``)."""

    STORAGE_SCHEME = ["duban-sql"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, engine=None, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if engine is None:
            raise ValueError("SqlStorage needs the Duban engine (storage_options={'engine': engine})")
        self.engine = engine
        from engine.migrate import upgrade
        upgrade(engine.db.engine, LimitBase.metadata)

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self.engine.db.write() as s:
            row = self._locked(s, key)
            if row is None:
                try:
                    with s.begin_nested():
                        row = RateCounter(key=key, count=0, expires_at=now + expiry)
                        s.add(row)
                except sa.exc.IntegrityError:  # another worker created it meanwhile
                    row = self._locked(s, key)
            if row.expires_at <= now:
                row.count, row.expires_at = 0, now + expiry
            row.count += amount
            return row.count

    def get(self, key: str) -> int:
        with self.engine.db.read() as s:
            row = s.get(RateCounter, key)
            return row.count if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        with self.engine.db.read() as s:
            row = s.get(RateCounter, key)
            return row.expires_at if row is not None and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        try:
            with self.engine.db.read() as s:
                s.execute(sa.select(1))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.db.write() as s:
            return s.execute(sa.delete(RateCounter)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.db.write() as s:
            s.execute(sa.delete(RateCounter).where(RateCounter.key == key))

    def _locked(self, s, key: str):
        q = sa.select(RateCounter).where(RateCounter.key == key)
        if not self.engine.db.is_sqlite:
            q = q.with_for_update()
        return s.execute(q).scalar_one_or_none()


TRUSTED_PROXIES = "DUBAN_TRUSTED_PROXIES"


def trust_proxies(app) -> int:
    """Wrap ``app`` in werkzeug's ``ProxyFix`` for ``DUBAN_TRUSTED_PROXIES`` proxies (0: none, the
    default); the number of proxies trusted."""
    raw = app.config.get(TRUSTED_PROXIES)
    text = str(raw if raw is not None else "0").strip()
    if not text.isascii() or not text.isdigit() or int(text) > 10:
        raise ValueError(f"{TRUSTED_PROXIES}（反向代理的层数）应为 0 到 10 的整数，而不是「{raw}」")
    count = int(text)
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
    return count


def submitted_username() -> str:
    """The name a login attempt is for: the page's form field or the API's JSON body (修改密码: the
    session's user)."""
    if request.endpoint == PASSWORD_CHANGE:
        user = g.get("user")
        return (getattr(user, "username", "") or "").lower()[:64]
    name = request.form.get("username")
    if name is None and request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    return (name if isinstance(name, str) else "").strip().lower()[:64]


def _account_key() -> str:
    return "login-account:" + submitted_username()


def _address_key() -> str:
    return "login-address:" + (request.remote_addr or "")


def _failed(response) -> bool:
    return response.status_code == 401 or bool(g.get(GUESS_FAILED))


def _locked_out(limit: RequestLimit):
    """Audit the lockout and answer 429 in Chinese (JSON on the API), with Retry-After."""
    from . import accounts
    from .api import errors as api_errors
    wait = max(1, int(limit.reset_at - time.time()))
    scope = "account" if "login-account:" in limit.key else "address"
    engine = current_app.extensions["duban_engine"]
    accounts.record(engine, submitted_username() or "anonymous", "login_locked",
                    {"username": submitted_username(), "address": request.remote_addr or "", "scope": scope,
                     "limit": str(limit.limit), "retry_after": wait})
    what = "当前密码输错" if request.endpoint == PASSWORD_CHANGE else "登录失败"
    message = f"{what}次数过多，请 {max(1, (wait + 59) // 60)} 分钟后再试"
    if api_errors.is_api_request():
        response = jsonify({"code": 429, "status": "Too Many Requests", "message": message})
        response.status_code = 429
    else:
        body, status = render_template("error.html", status=429, title="登录尝试过于频繁", message=message,
                                       details={}), 429
        response = current_app.make_response((body, status))
    response.headers["Retry-After"] = str(wait)
    return response


def install(app, engine, endpoints: tuple[str, ...]) -> Limiter:
    """A Limiter for this app (its counters in ``engine``'s database) guarding ``endpoints``."""
    limiter = Limiter(key_func=_address_key, app=app, storage_uri="duban-sql://",
                      storage_options={"engine": engine}, strategy="fixed-window",
                      default_limits=[], headers_enabled=False)
    account = app.config.get("DUBAN_LOGIN_ACCOUNT_LIMIT", ACCOUNT_LIMIT)
    address = app.config.get("DUBAN_LOGIN_ADDRESS_LIMIT", ADDRESS_LIMIT)
    guarded = frozenset(endpoints)

    @limiter.request_filter
    def _unguarded() -> bool:
        # Only the sign-in endpoints carry limits: every other request (each API call, each page)
        # skips Flask-Limiter's per-request resolution of limits at once.
        return request.endpoint not in guarded

    for endpoint in endpoints:
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        view = limiter.limit(account, key_func=_account_key, deduct_when=_failed, on_breach=_locked_out)(view)
        view = limiter.limit(address, key_func=_address_key, deduct_when=_failed, on_breach=_locked_out)(view)
        app.view_functions[endpoint] = view
    _hooks_only_for(app, limiter, guarded)
    app.extensions[EXTENSION] = limiter
    # Our Chinese page / JSON answer (built in _locked_out) rather than the app's generic 429.
    app.register_error_handler(RateLimitExceeded, lambda exc: exc.response or exc.get_response())
    return limiter


def _hooks_only_for(app, limiter: Limiter, guarded: frozenset) -> None:
    """Flask-Limiter's three app-wide hooks (before, after and teardown of every request) run only
    for the guarded endpoints; any other request has no limit to check (``_unguarded`` exempts it)
    and now skips them altogether instead of being exempted inside them.

    The request filter still answers inside the hooks, but only after Flask-Limiter resolved the
    endpoint, its blueprint's exemptions and an empty list of limits, built its per-request context
    and injected (no) headers: ~60 µs CPU a request in a gunicorn worker under bench/http_load.py
    (cProfile inside the worker; 3% of the web CPU), for every API call and page. The sign-ins are
    checked exactly as before: their view wrappers count and refuse, the after-request hook deducts
    a failed attempt (``deduct_when``), the teardown clears the context."""
    from functools import partial

    def wrap(hook):
        def only_guarded(*args):
            if request.endpoint in guarded:
                return hook(*args)
            return args[0] if args else None  # after_request: the response unchanged
        only_guarded.__wrapped__ = hook  # type: ignore[attr-defined]
        return only_guarded

    def is_after_hook(f) -> bool:
        return (isinstance(f, partial) and f.func is getattr(Limiter, "_Limiter__inject_headers", None)
                and f.args == (limiter,))

    before = app.before_request_funcs.get(None, [])
    after = app.after_request_funcs.get(None, [])
    teardown = app.teardown_request_funcs.get(None, [])
    for funcs, match in ((before, lambda f: f == limiter._check_request_limit),
                         (after, is_after_hook),
                         (teardown, lambda f: f == getattr(limiter, "_Limiter__release_context", None))):
        for i, f in enumerate(funcs):
            if match(f):
                funcs[i] = wrap(f)
