"""演示时间: the administrator's button that moves a demo database's clock forward
(workflows/demo_clock.py), so a trainer shows reminders and escalation in minutes, not days.

Outside a demo database the page says so and a request to move the clock is refused (403). Each web
process picks up a shift made elsewhere (``duban demo advance`` in a shell, another worker) within
``REFRESH_SECONDS`` (``install``).
"""
from __future__ import annotations

import time

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, url_for

from engine.clock import SHANGHAI
from workflows import demo_clock

from . import admin
from .auth import engine

bp = Blueprint("admin_demo", __name__, url_prefix="/admin/demo")
bp.before_request(admin.only_admins)

STEPS = [("1h", "1小时"), ("1d", "1天"), ("3d", "3天"), ("10d", "10天"), ("1w", "1周"), ("30d", "30天")]
REFRESH_SECONDS = 5.0


@bp.get("")
def index():
    eng = engine()
    return render_template("admin/demo.html", demo=demo_clock.is_demo(eng), steps=STEPS,
                           offset=demo_clock.stored_offset(eng), demo_now=eng.clock.now())


@bp.post("")
def advance():
    eng = engine()
    step = request.form.get("step") or request.form.get("custom") or ""
    try:
        moved = demo_clock.advance(eng, step, by=g.user.username)
    except demo_clock.DemoTimeRefused as exc:
        flash(str(exc), "error")
        status = 403 if not demo_clock.is_demo(eng) else 400
        return render_template("admin/demo.html", demo=demo_clock.is_demo(eng), steps=STEPS,
                               offset=demo_clock.stored_offset(eng), demo_now=eng.clock.now()), status
    flash(f"演示时间已拨至 {moved.after.astimezone(SHANGHAI):%Y年%-m月%-d日 %H:%M}，"
          f"触发定时事件 {moved.fired} 个（催办、逾期督办等已按新时间处理）", "ok")
    return redirect(url_for("admin_demo.index"))


def install(app: Flask) -> None:
    """In a demo database, re-read the stored shift at most every ``REFRESH_SECONDS`` per process."""
    eng = app.extensions["duban_engine"]
    if not demo_clock.is_demo(eng):
        return
    last = [time.monotonic()]

    @app.before_request
    def _demo_clock():
        if time.monotonic() - last[0] >= REFRESH_SECONDS:
            last[0] = time.monotonic()
            demo_clock.refresh(eng)
