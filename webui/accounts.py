"""Accounts (账号): the password policy, password changes, and ending a user's access.

Other code that changes who may log in calls these, never the directory's hash setter directly:

- ``password_problems(password, username, demo=False)`` — what is wrong with a password, in
  Chinese, empty when it passes: at least ``MIN_LENGTH`` (10) characters, at least three of the four
  kinds (upper case, lower case, digits, other characters — Chinese characters count as other), not
  containing the user name, and never the demo password outside demo mode (GB/T 22239 等保 2.0:
  口令复杂度). ``duban user add --password`` and ``set_password`` apply it.
- ``set_password(engine, username, password, by)`` — checks the policy, stores the hash, ends every
  session and API token of the user and audits ``password_changed``.
- ``revoke_user(engine, username, by, reason)`` — ends every session and API token of the user
  (logout everywhere); call it when deactivating an account (the admin pages do). Audited as
  ``access_revoked``. A deactivated account is refused on its next request anyway; this also
  removes what it left behind.
"""
from __future__ import annotations

from werkzeug.security import generate_password_hash

from engine import audit

from . import sessions

MIN_LENGTH = 10
DEMO_PASSWORD = "duban2026"
AUTH_CHAIN = "auth"  # login, lockout, token and session events: their own audit chain


def password_problems(password: str, username: str = "", demo: bool = False) -> list[str]:
    problems = []
    password = password or ""
    if len(password) < MIN_LENGTH:
        problems.append(f"密码至少 {MIN_LENGTH} 位")
    kinds = sum([any(c.isupper() for c in password), any(c.islower() for c in password),
                 any(c.isdigit() for c in password), any(not c.isalnum() or ord(c) > 127 for c in password)])
    if kinds < 3:
        problems.append("密码须包含大写字母、小写字母、数字、其他字符中的至少三类")
    if username and len(username) >= 3 and username.lower() in password.lower():
        problems.append("密码不能包含用户名")
    if not demo and password == DEMO_PASSWORD:
        problems.append("不能使用演示密码")
    return problems


class WeakPassword(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def check_password(password: str, username: str = "", demo: bool = False) -> None:
    problems = password_problems(password, username, demo)
    if problems:
        raise WeakPassword(problems)


def set_password(engine, username: str, password: str, by: str = "system", demo: bool = False) -> None:
    """Change ``username``'s password (policy checked) and end their sessions and tokens."""
    check_password(password, username, demo)
    engine.directory.user(username)  # NotFound for an unknown name
    engine.directory.set_password_hash(username, generate_password_hash(password))
    ended = _end_access(engine, username)
    record(engine, by, "password_changed", {"username": username, **ended})


def revoke_user(engine, username: str, by: str = "system", reason: str = "") -> dict:
    """End every login session and revoke every API token of ``username``; returns the counts."""
    ended = _end_access(engine, username)
    record(engine, by, "access_revoked", {"username": username, "reason": reason, **ended})
    return ended


def _end_access(engine, username: str) -> dict:
    from .api.auth import revoke_user_tokens
    return {"sessions": sessions.revoke_sessions(engine, username), "tokens": revoke_user_tokens(engine, username)}


def record(engine, actor: str, action: str, detail: dict) -> None:
    """An authentication event on the ``auth`` audit chain (logins, failures, lockouts, tokens)."""
    with engine.db.write() as s:
        audit.append(s, chain=AUTH_CHAIN, actor=actor or "anonymous", action=action, at=engine.clock.now(),
                     detail=detail)
