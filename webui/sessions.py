"""Server-side login sessions (会话): a random id in the cookie, everything else in a table.

Flask's default session is a signed cookie: it cannot be revoked (logout only forgets it in one
browser; a copied cookie stays valid) and lives as long as the signing key. Here the cookie holds
only a random 256-bit id; the ``web_session`` table keeps the SHA-256 of that id (a leaked
database holds no usable cookie), the data, who is logged in and when the session started and was
last used. A session therefore ends for good when

- the user logs out (the row is deleted),
- it has been idle longer than ``DUBAN_SESSION_IDLE_MINUTES`` (default 30) or is older than
  ``DUBAN_SESSION_MAX_HOURS`` (default 12) — both in wall-clock time,
- the user's password changes (the row remembers a fingerprint of the password hash it was opened
  with) or the account is deactivated — checked on every request, in the same query (which
  also reads the directory counter, so the user's principal comes from the engine's cache),
- someone calls ``revoke_user(engine, username)`` (webui/accounts.py does, for a password change
  or deactivation from the admin pages), which also revokes the user's API tokens.

Why our own interface rather than Flask-Session: Flask-Session's SQL backend needs
Flask-SQLAlchemy (we use SQLAlchemy through the engine), and it has neither a per-user index to
revoke every session of one user nor an absolute lifetime; both are what the 等保 review asks for.
The interface is Flask's own ``SessionInterface``, so views use ``flask.session`` as before.
"""
from __future__ import annotations

import hashlib
import logging
import random
import secrets
import weakref
from datetime import datetime, timedelta, timezone

import flask
import sqlalchemy as sa
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSession, SessionInterface
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine.database import unavailable
from engine.directory import version_column
from engine.schema import User, UTCDateTime

from . import owed_writes

log = logging.getLogger("duban.sessions")

IDLE_DEFAULT = timedelta(minutes=30)
ABSOLUTE_DEFAULT = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)  # how stale last_seen_at may get (saves a write per click)
USER_KEY = "user"  # webui/auth.py keeps the username under this key


class SessionBase(DeclarativeBase):
    pass


class WebSession(SessionBase):
    __tablename__ = "web_session"
    id_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    username: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    credential: Mapped[str | None] = mapped_column(sa.String(64))  # fingerprint of the password hash at login
    data: Mapped[str] = mapped_column(sa.Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


_ready: "weakref.WeakSet" = weakref.WeakSet()


def ensure_table(engine) -> None:
    if engine.db in _ready:
        return
    from engine.migrate import upgrade
    upgrade(engine.db.engine, SessionBase.metadata)
    _ready.add(engine.db)


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def credential_of(password_hash: str | None) -> str:
    """A fingerprint of the user's current password hash: changes whenever the password does."""
    return hashlib.sha256((password_hash or "").encode("utf-8")).hexdigest()


def revoke_sessions(engine, username: str) -> int:
    """End every session of ``username``; returns how many there were."""
    ensure_table(engine)
    with engine.db.write() as s:
        return s.execute(sa.delete(WebSession).where(WebSession.username == username)).rowcount


def count_sessions(engine, username: str) -> int:
    ensure_table(engine)
    with engine.db.read() as s:
        return s.execute(sa.select(sa.func.count()).select_from(WebSession)
                         .where(WebSession.username == username)).scalar_one()


class ServerSession(SecureCookieSession):
    """``flask.session``: a dict whose changes are saved to the table after the response."""

    def __init__(self, initial=None, sid: str | None = None, new: bool = True, credential: str | None = None):
        super().__init__(initial or {})
        self.sid = sid
        self.new = new
        self.credential = credential  # fingerprint the session was opened with (after login)
        self.rotate = False  # a new id at the next save (login: no session fixation)
        self.ended = None  # why an earlier session was dropped on this request: "idle", "expired", "revoked"
        self.ended_username: str | None = None  # whose it was, when its row said (idle, expired, revoked)
        # The database could not be read (engine.database.unavailable's Chinese message): the request is
        # answered 503 before any view, and nothing of this session is saved or its cookie dropped.
        self.unavailable: str | None = None
        # The directory counter read with the session row: webui/auth.py takes the user's principal
        # from the engine's cache at this version (engine/directory.py), no lookup per request.
        self.directory_version: int | None = None
        # What other modules asked to read with the row (DatabaseSessionInterface.add_column), and
        # whose row it was: only a session opened from a stored row has them.
        self.extras: dict = {}
        self.row_username: str | None = None


def _api_path(path: str) -> bool:
    from .api.errors import is_api_path
    return is_api_path(path)


def rotate(session, credential: str | None) -> None:
    """Give the session a new id when it is saved (call at login) and bind it to the password."""
    session.rotate = True
    session.credential = credential
    session.modified = True


class DatabaseSessionInterface(SessionInterface):
    serializer = TaggedJSONSerializer()

    def __init__(self, engine, idle: timedelta = IDLE_DEFAULT, absolute: timedelta = ABSOLUTE_DEFAULT):
        self.engine = engine
        # Wall-clock time, not the engine's business clock: a session is idle when a person has
        # not clicked for 30 real minutes, whatever date the cases' deadlines are computed on.
        self.now = lambda: datetime.now(timezone.utc)
        self.idle = idle
        self.absolute = absolute
        self.extra_columns: dict = {}  # name -> column(username) read with the session row (add_column)
        self._select = None
        ensure_table(engine)

    # -- Flask's hooks --------------------------------------------------------------------------
    def open_session(self, app, request):
        if "HTTP_AUTHORIZATION" in request.environ and _api_path(request.path):
            # An API request with an Authorization header is that header's, never the cookie's
            # (webui/api/auth.authenticate): no query for a session it does not use, and nothing of
            # that session — its last click, a flash about its end, a new cookie — touched by it.
            return ServerSession()
        sid = request.cookies.get(self.get_cookie_name(app))
        if not sid or len(sid) > 128:
            return ServerSession()
        if app.static_url_path and request.path.startswith(app.static_url_path + "/"):
            return ServerSession()  # scripts and stylesheets need no session: no query for them
        now = self.now()
        # One statement, no snapshot to share: on PostgreSQL outside a transaction (no BEGIN/ROLLBACK).
        try:
            with self.engine.db.read() as s:
                row = s.execute(self._statement(), {"id_hash": _digest(sid)}).first()
        except Exception as exc:  # Flask opens the session outside the app's error handlers
            message = unavailable(exc)
            if message is None:
                raise
            away = ServerSession()
            away.unavailable = message
            return away
        if row is None:
            fresh = ServerSession()
            fresh.ended = "revoked"
            return fresh
        ws, password_hash, active, directory_version, *extras = row
        ended = None
        if now - ws.created_at > self.absolute:
            ended = "expired"
        elif now - ws.last_seen_at > self.idle:
            ended = "idle"
        elif ws.username is not None and (not active or ws.credential != credential_of(password_hash)):
            ended = "revoked"  # password changed or account deactivated since login
        if ended:
            self._delete(ws.id_hash)
            fresh = ServerSession()
            fresh.ended, fresh.ended_username = ended, ws.username
            return fresh
        try:
            data = self.serializer.loads(ws.data)
        except ValueError:
            data = {}
        session = ServerSession(data, sid=sid, new=False, credential=ws.credential)
        session.last_seen_at = ws.last_seen_at
        session.directory_version = directory_version or 0
        session.row_username = ws.username
        session.extras = dict(zip(self.extra_columns, extras))
        return session

    def add_column(self, name: str, column) -> None:
        """Read ``column(username)`` with the session row on every request (``session.extras[name]``):
        ``username`` is the session row's username column, for a correlated subquery. Other per-request
        facts ride in the one statement a request sends anyway instead of one statement each."""
        self.extra_columns[name] = column
        self._select = None

    def _statement(self):
        if self._select is None:
            self._select = (
                sa.select(WebSession, User.password_hash, User.active, version_column(),
                          *(column(WebSession.username).label(name) for name, column in self.extra_columns.items()))
                .outerjoin(User, User.username == WebSession.username)
                .where(WebSession.id_hash == sa.bindparam("id_hash")))
        return self._select

    def save_session(self, app, session, response):
        name = self.get_cookie_name(app)
        domain, path = self.get_cookie_domain(app), self.get_cookie_path(app)
        if not isinstance(session, ServerSession) or session.unavailable:
            return
        now = self.now()
        if not session:  # emptied (logout) or never used
            if session.sid and not session.new:
                self._delete(_digest(session.sid))
                response.delete_cookie(name, domain=domain, path=path, secure=self.get_cookie_secure(app),
                                       httponly=self.get_cookie_httponly(app),
                                       samesite=self.get_cookie_samesite(app))
            return
        if session.rotate or session.new or not session.sid:
            if session.sid and not session.new:
                self._delete(_digest(session.sid))
            session.sid = secrets.token_urlsafe(32)
            self._insert(session, now)
        elif session.modified:
            self._update(session, now, data=True)
        elif now - getattr(session, "last_seen_at", now) > TOUCH_EVERY:
            self._update(session, now, data=False)
            return
        else:
            return
        response.set_cookie(name, session.sid, domain=domain, path=path, secure=self.get_cookie_secure(app),
                            httponly=self.get_cookie_httponly(app), samesite=self.get_cookie_samesite(app))
        response.vary.add("Cookie")

    # -- storage ---------------------------------------------------------------------------------
    def _insert(self, session: ServerSession, now: datetime) -> None:
        with self.engine.db.write() as s:
            s.add(WebSession(id_hash=_digest(session.sid), username=session.get(USER_KEY),
                             credential=session.credential, data=self.serializer.dumps(dict(session)),
                             created_at=now, last_seen_at=now))
            if random.random() < 0.02:  # now and then, forget sessions nobody can use any more
                s.execute(sa.delete(WebSession).where(sa.or_(WebSession.last_seen_at < now - self.idle,
                                                             WebSession.created_at < now - self.absolute)))
        session.rotate, session.new = False, False

    def _update(self, session: ServerSession, now: datetime, data: bool) -> None:
        values = {"last_seen_at": now}
        id_hash = _digest(session.sid)
        statement = sa.update(WebSession).where(WebSession.id_hash == id_hash)
        if not data:  # only the last click: owed, not waited for (webui/owed_writes.py)
            owed_writes.owe(self.engine, ("session", id_hash), lambda s: s.execute(statement.values(**values)))
            return
        values.update(data=self.serializer.dumps(dict(session)), username=session.get(USER_KEY),
                      credential=session.credential)
        with self.engine.db.write() as s:
            s.execute(statement.values(**values))

    def _delete(self, id_hash: str) -> None:
        with self.engine.db.write() as s:
            s.execute(sa.delete(WebSession).where(WebSession.id_hash == id_hash))


def install(app, engine) -> None:
    """Server-side sessions with the idle and absolute limits from the app's config."""
    idle = timedelta(minutes=float(app.config.get("DUBAN_SESSION_IDLE_MINUTES", 30)))
    absolute = timedelta(hours=float(app.config.get("DUBAN_SESSION_MAX_HOURS", 12)))
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", absolute)
    app.session_interface = DatabaseSessionInterface(engine, idle=idle, absolute=absolute)

    @app.before_request
    def _database_unavailable():
        """The session could not be read (the database away): 503 in Chinese, before anything else."""
        message = getattr(flask.session, "unavailable", None)
        if not message:
            return None
        from .api.errors import body, is_api_request
        from .errors import page
        if is_api_request():
            return body(503, message), 503, {"Retry-After": "5"}
        return page(503, message)
