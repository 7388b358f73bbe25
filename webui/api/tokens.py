"""/api/tokens — sign in with a password to get an access token, and revoke it.

The only API call reachable without authentication, so it is the one guarded by the login limiter
(``LOGIN_FAILURES`` failures per username and address a minute → 429 with Retry-After). Tokens
issued here expire after ``PASSWORD_TOKEN_TTL``; long-lived tokens for service accounts come from
``duban user token NAME`` (auth.create_token).
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, g, request
from flask_smorest import abort
from werkzeug.security import check_password_hash, generate_password_hash

from engine.errors import NotFound

from . import auth, schemas
from .blueprint import bp, engine

TAG = ["tokens"]
PASSWORD_TOKEN_TTL = timedelta(hours=12)
LIMITER_KEY = "duban_login_limiter"


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(generate_password_hash(secrets.token_hex(16)))
    return _DUMMY[0]


def limiter():
    return current_app.extensions[LIMITER_KEY]


@bp.route("/tokens", methods=["POST"], endpoint="create_token", tags=TAG)
@bp.doc(security=[])
@bp.arguments(schemas.Login)
@bp.response(201, schemas.IssuedToken)
@bp.alt_response(429, response="TOO_MANY_REQUESTS")
def create_token(body):
    """用户名和密码换取访问令牌（12 小时有效）。连续失败过多时暂时拒绝（429）。"""
    eng = engine()
    name, address = body["username"], request.remote_addr or ""
    wait = limiter().retry_after(name, address)
    if wait:
        abort(429, message=f"登录失败次数过多，请 {wait} 秒后再试", headers={"Retry-After": str(wait)})
    try:
        user = eng.directory.user(name)
    except NotFound:
        user = None
    stored = user.password_hash if user is not None and user.active and user.password_hash else None
    # Check a hash even for unknown users, so the answer's timing does not tell which names exist.
    if not check_password_hash(stored or _dummy_hash(), body["password"]) or stored is None:
        limiter().failed(name, address)
        abort(401, message="用户名或密码错误")
    limiter().succeeded(name, address)
    token = auth.create_token(eng, user.username, name=body["name"] or "password", ttl=PASSWORD_TOKEN_TTL)
    return {"token": token, "username": user.username, "expires_at": eng.clock.now() + PASSWORD_TOKEN_TTL}


@bp.route("/tokens/current", methods=["DELETE"], tags=TAG)
@bp.response(204)
def revoke_current():
    """吊销本次请求所用的访问令牌（退出）。"""
    if g.api_auth != "token":
        abort(400, message="本次请求未使用访问令牌")
    auth.revoke_token(engine(), g.api_token)
    return None
