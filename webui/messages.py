"""The message centre pages (消息中心): the user's messages, mark read, channel settings, and the
unread count in the top bar.

Before a page is drawn, the producer catches up with the audit log if it is behind (two index
lookups when it is not), so a message about a step the user just took or that a colleague took a
moment ago is there without waiting for the worker's next sweep.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for

from engine.schema import AuditEvent
from workflows.messages import inbox, producer
from workflows.messages.models import CHANNELS, KINDS, Message, MessageCursor

from . import auth, owed_writes
from .auth import engine
from .paging import paged
from .request_hooks import not_for_api

bp = Blueprint("messages", __name__, url_prefix="/messages")


@bp.get("/")
def index():
    unread_only = request.args.get("show") != "all"
    kind = request.args.get("kind") or None
    rows, page, more = paged(lambda limit, offset: inbox.messages(
        engine(), g.user.username, unread_only=unread_only, kind=kind if kind in KINDS else None,
        limit=limit, offset=offset))
    return render_template("messages/index.html", messages=rows, page=page, more=more, kinds=KINDS,
                           kind=kind, unread_only=unread_only)


@bp.post("/read")
def read():
    if request.form.get("all"):
        n = inbox.mark_read(engine(), g.user.username)
    else:
        ids = [int(v) for v in request.form.getlist("id") if v.isdigit()]
        n = inbox.mark_read(engine(), g.user.username, ids)
    flash(f"已将 {n} 条消息标为已读", "ok")
    target = request.form.get("next") or ""
    return redirect(auth._safe_next(target) if target else url_for("messages.index"))


@bp.get("/<int:message_id>")
def open_message(message_id: int):
    """Go to the message's task (if still open to the user) or its case, changing nothing: a link to
    it from a mail or another site's page must not mark it read (a GET writes nothing)."""
    msg = _own_message(message_id)
    return redirect(_target(msg) if msg is not None else url_for("messages.index"))


@bp.post("/<int:message_id>")
def open_and_read(message_id: int):
    """打开 a message from the list (a form with the CSRF token): mark it read, then go where it points."""
    msg = _own_message(message_id)
    if msg is None:
        return redirect(url_for("messages.index"))
    inbox.mark_read(engine(), g.user.username, [msg.id])
    return redirect(_target(msg))


def _own_message(message_id: int):
    found = [m for m in inbox.messages(engine(), g.user.username, limit=1000) if m.id == message_id]
    return found[0] if found else None


def _target(msg) -> str:
    eng = engine()
    if msg.task_id and msg.kind != "case_closed":
        try:
            if eng.may_work(msg.task_id, g.user.username):
                return url_for("tasks.show", task_id=msg.task_id)
        except Exception:  # noqa: BLE001 - a task gone since: show the case instead
            pass
    if msg.case_id:
        return url_for("cases.show", case_id=msg.case_id)
    return url_for("messages.index")


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    pref = inbox.preference(engine(), g.user.username)
    errors: dict = {}
    values = {"email": pref.email or "", "phone": pref.phone or "", "email_on": pref.email_on,
              "sms_on": pref.sms_on, "kinds": list(pref.kinds) if pref.kinds is not None else list(KINDS)}
    if request.method == "POST":
        values = {"email": request.form.get("email", ""), "phone": request.form.get("phone", ""),
                  "email_on": bool(request.form.get("email_on")), "sms_on": bool(request.form.get("sms_on")),
                  "kinds": request.form.getlist("kinds")}
        errors = inbox.save_preference(engine(), g.user.username, **values)
        if not errors:
            flash("提醒方式已保存", "ok")
            return redirect(url_for("messages.settings"))
    return render_template("messages/settings.html", values=values, errors=errors, kinds=KINDS,
                           channels=CHANNELS), (422 if errors else 200)


def _read_with_session(name: str):
    """What the session row brought along for this user (webui/sessions.py add_column), else None."""
    user = g.get("user")
    if user is None or getattr(session, "row_username", None) != user.username:
        return None
    return getattr(session, "extras", {}).get(name)


def install(app) -> None:
    app.register_blueprint(bp)
    # Read with the session row, in the statement every request sends anyway: the producer's cursor
    # and the audit log's last id (producer.behind's two lookups), and the user's unread count.
    interface = app.session_interface
    if hasattr(interface, "add_column"):
        interface.add_column("message_cursor", lambda _username: sa.select(MessageCursor.event_id).where(
            MessageCursor.name == producer.CURSOR).scalar_subquery())
        interface.add_column("audit_last", lambda _username: sa.select(sa.func.max(AuditEvent.id)).scalar_subquery())
        interface.add_column("unread_messages", lambda username: sa.select(sa.func.count()).select_from(Message).where(
            inbox.unread(username)).scalar_subquery())

    @app.before_request
    @not_for_api  # nothing for the API: no menu with an unread count
    def _catch_up():
        if g.get("user") is None or request.endpoint in (None, "static") or request.blueprint in auth.API_BLUEPRINTS:
            return
        eng = engine()
        last = _read_with_session("audit_last")
        behind = (last or 0) > (_read_with_session("message_cursor") or 0) if last is not None else producer.behind(eng)
        if behind:  # at once if the database is free, else by the owed writes' thread (webui/owed_writes.py)
            now = eng.clock.now()
            if owed_writes.owe(eng, "messages", lambda s: producer.produce_in(s, now, policy=eng.policy)):
                g.messages_produced = True  # the count read with the session may be short now

    @app.context_processor
    def _unread():
        user = g.get("user")
        if user is None:
            return {"unread_messages": 0}
        count = _read_with_session("unread_messages")
        # The count read with the session row holds while this request changed no messages: a page
        # drawn for a GET after no catch-up; anything else counts afresh.
        if count is None or g.get("messages_produced") or request.method not in ("GET", "HEAD"):
            count = inbox.unread_count(engine(), user.username)
        return {"unread_messages": count}
