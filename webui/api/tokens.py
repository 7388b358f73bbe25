"""/api/tokens — sign in with a password to get an access token, and revoke it.

The only API call reachable without authentication, so it shares the login page's lockout
(webui/login_limits.py: failures per account and per address → 429 with Retry-After). Tokens
issued here expire after ``PASSWORD_TOKEN_TTL``; long-lived tokens for service accounts come from
``duban user token NAME`` (auth.create_token).
"""
from __future__ import annotations

from datetime import timedelta

from flask import g, request
from flask_smorest import abort
from werkzeug.security import check_password_hash

from engine.errors import NotFound

from ..accounts import record
from ..auth import dummy_hash
from . import auth, schemas
from .blueprint import bp, engine

TAG = ["tokens"]
PASSWORD_TOKEN_TTL = timedelta(hours=12)


@bp.route("/tokens", methods=["POST"], endpoint="create_token", tags=TAG)
@bp.doc(security=[])
@bp.arguments(schemas.Login)
@bp.response(201, schemas.IssuedToken)
@bp.alt_response(429, response="TOO_MANY_REQUESTS")
def create_token(body):
    """用户名和密码换取访问令牌（12 小时有效）。连续失败过多时暂时拒绝（429）。"""
    eng = engine()
    name = body["username"]
    try:
        user = eng.directory.user(name) if len(name) <= 64 else None
    except NotFound:
        user = None
    stored = user.password_hash if user is not None and user.active and user.password_hash else None
    # Check a hash even for unknown users, so the answer's timing does not tell which names exist.
    if not check_password_hash(stored or dummy_hash(), body["password"]) or stored is None:
        record(eng, name[:64] or "anonymous", "login_failed",
               {"username": name[:64], "address": request.remote_addr or "", "via": "api"})
        abort(401, message="用户名或密码错误")
    record(eng, user.username, "login", {"address": request.remote_addr or "", "via": "api"})
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
