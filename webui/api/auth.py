"""Who is calling the API: a bearer token (API clients) or the browser's login session.

Tokens are random (256 bits) and stored only as SHA-256 hashes, so a leaked database does not
leak usable tokens; a fast hash suffices because the secret is not guessable like a password. The
table has its own metadata (the engine's schema knows nothing of the web layer) and is created on
first use. A token is resolved on every request, in one statement, to its username — refused when
revoked, expired, its password changed or the account deactivated — and the directory counter;
the ``Principal`` then comes from the engine's per-process cache at that counter
(engine/directory.py), so a changed role takes effect at once, as on the pages, without a
directory lookup per request.

A browser calling the API with its session cookie must send the page's CSRF token in the
``X-CSRF-Token`` header for anything but GET: the cookie alone never changes data (the same rule
webui/csrf.py applies to forms). Bearer tokens are not sent by browsers on their own, so they need
no CSRF check.

A token remembers a fingerprint of its user's password hash when issued: once the password
changes, every token issued before stops working (as do the user's login sessions), and
``webui.accounts.revoke_user`` revokes them all at once. Issuing and revoking are audited.
"""
from __future__ import annotations

import hashlib
import secrets
import weakref
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, request, session
from flask_smorest import abort
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine import sqlexec
from engine.directory import version_column
from engine.errors import NotFound
from engine.schema import User, UTCDateTime

from .. import owed_writes

TOKEN_PREFIX = "dbn_"
SESSION_USER_KEYS = ("user", "username")  # webui/auth.py stores "user"; "username" kept for others
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PUBLIC_ENDPOINTS = {"api.create_token"}
LAST_USED_EVERY = timedelta(minutes=10)  # how stale last_used_at may get (saves a write per request)


class TokenBase(DeclarativeBase):
    pass


class ApiToken(TokenBase):
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    name: Mapped[str] = mapped_column(sa.String(128), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    credential: Mapped[str | None] = mapped_column(sa.String(64))  # password-hash fingerprint at issue


_ready: "weakref.WeakSet" = weakref.WeakSet()


def ensure_table(engine) -> None:
    """Create the token table on this engine's database if it is not there yet."""
    if engine.db in _ready:
        return
    from engine.migrate import upgrade  # one path for every table: the Alembic revisions
    upgrade(engine.db.engine)
    _ready.add(engine.db)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine, username: str, name: str = "", ttl: timedelta | None = None, by: str | None = None) -> str:
    """Issue a token for ``username`` and return it; only its hash is kept, so show it once.

    Raises NotFound for an unknown or deactivated user. Without ``ttl`` the token lives until
    revoked (service accounts, ``duban user token NAME``).
    """
    from ..accounts import record
    from ..sessions import credential_of
    ensure_table(engine)
    engine.directory.principal(username)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = engine.clock.now()
    with engine.db.write() as s:
        password_hash = s.get(User, username).password_hash
        row = ApiToken(token_hash=_digest(token), username=username, name=name[:128], created_at=now,
                       expires_at=now + ttl if ttl else None, credential=credential_of(password_hash))
        s.add(row)
        s.flush()
        token_id = row.id
    record(engine, by or username, "token_issued", {"username": username, "token_id": token_id, "name": name[:128],
                                                    "expires_at": (now + ttl).isoformat() if ttl else None})
    return token


def revoke_token(engine, token: str, by: str | None = None) -> bool:
    from ..accounts import record
    ensure_table(engine)
    with engine.db.write() as s:
        row = s.execute(sa.select(ApiToken).where(ApiToken.token_hash == _digest(token))).scalar_one_or_none()
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at = engine.clock.now()
        username, token_id = row.username, row.id
    record(engine, by or username, "token_revoked", {"username": username, "token_id": token_id})
    return True


def revoke_user_tokens(engine, username: str) -> int:
    """Revoke every token of a user (a lost laptop, a user leaving); webui.accounts.revoke_user
    does this together with ending the user's sessions, and audits it."""
    ensure_table(engine)
    with engine.db.write() as s:
        return s.execute(sa.update(ApiToken).where(ApiToken.username == username, ApiToken.revoked_at.is_(None))
                         .values(revoked_at=engine.clock.now())).rowcount


def _holder_statement() -> sa.Select:
    t, u = ApiToken.__table__, User.__table__
    return (sa.select(t.c.id, t.c.username, t.c.expires_at, t.c.last_used_at, t.c.revoked_at, t.c.credential,
                      u.c.password_hash, u.c.active, version_column())
            .select_from(t.outerjoin(u, u.c.username == t.c.username))
            .where(t.c.token_hash == sa.bindparam("digest")))


# Rendered once per dialect and run on the DBAPI cursor (engine/sqlexec.py): no ORM session, and
# none of SQLAlchemy's per-statement compile-cache lookup and result machinery on every request.
_HOLDER = sqlexec.Sql(_holder_statement())


def token_holder(engine, token: str) -> tuple[str, int] | None:
    """The username a live token of an active account belongs to and the directory counter, read in
    one statement (the principal then comes from the engine's cache at that counter); or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
        return None
    ensure_table(engine)
    digest = _digest(token)
    now = engine.clock.now()
    from ..sessions import credential_of
    rows = sqlexec.read_alone(engine.db.engine, _HOLDER, {"digest": digest})  # one SELECT, autocommit
    found = rows[0] if rows else None
    if found is None:
        return None
    token_id, username, expires_at, last_used_at, revoked_at, credential, password_hash, active, version = found
    if revoked_at is not None or (expires_at is not None and expires_at <= now) or not active:
        return None
    if credential is not None and credential != credential_of(password_hash):
        return None  # the password changed since the token was issued
    if last_used_at is None or now - last_used_at > LAST_USED_EVERY:  # owed, not waited for (webui/owed_writes.py)
        touch = sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
        owed_writes.owe(engine, ("token", token_id), lambda s: s.execute(touch))
    return username, version or 0


def _unauthorized(message: str):
    abort(401, message=message, headers={"WWW-Authenticate": 'Bearer realm="duban"'})


def authenticate() -> None:
    """before_request of the API blueprint: set ``g.api_principal`` or answer 401/403."""
    req = request._get_current_object()  # one context lookup each, not one per use
    if req.endpoint in PUBLIC_ENDPOINTS:
        return
    engine = current_app.extensions["duban_engine"]
    ctx_g = g._get_current_object()
    header = req.headers.get("Authorization")
    if header is not None:
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            _unauthorized("认证方式无效，请使用 Authorization: Bearer <令牌>")
        ctx_g.api_token = token = value.strip()
        holder = token_holder(engine, token)
        if holder is None:
            _unauthorized("访问令牌无效、已过期或已吊销")
        name, version = holder
        ctx_g.api_auth = "token"
    else:
        name = next((session.get(k) for k in SESSION_USER_KEYS if session.get(k)), None)
        if not isinstance(name, str):
            _unauthorized("请先登录，或提供访问令牌")
        ctx_g.api_auth = "session"
        version = getattr(session, "directory_version", None)  # read with the session row
        if req.method not in SAFE_METHODS:
            from flask_wtf.csrf import ValidationError, validate_csrf
            try:
                validate_csrf(req.headers.get(CSRF_HEADER))  # the pages' token (Flask-WTF, webui/csrf.py)
            except ValidationError:
                abort(403, message="CSRF 校验失败：通过登录会话调用接口时须提供 X-CSRF-Token 请求头")
    ctx_g.api_directory_version = version  # the counter the principal is read at (None: not read)
    try:
        ctx_g.api_principal = engine.directory.principal_at(name, version)
    except NotFound:
        _unauthorized("用户不存在或已停用")
