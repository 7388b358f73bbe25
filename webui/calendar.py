"""节假日日历: the administrator enters the next year's 放假调休 notice (workflows/calendar.py)."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine import workdays
from engine.errors import Forbidden
from workflows import calendar

from . import parties
from .auth import engine

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")


@bp.before_request
def _only_admins():
    user = g.get("user")
    if user is None or user.party or "admin" not in user.roles:
        raise Forbidden("只有系统管理员可以录入节假日日历")


@bp.get("")
def index():
    today = parties.today()
    years = [(y, workdays.is_known_year(y)) for y in range(today.year - 1, today.year + 3)]
    return render_template("admin/calendar.html", years=years, entered=calendar.entered(engine().db.engine),
                           warning=calendar.provisional_notice(today), next_year=today.year + 1)


@bp.post("")
def add():
    text = (request.form.get("year") or "").strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    try:
        year = int(text.rstrip("年"))
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        flash("年份应为四位数字，如 2027", "error")
        return redirect(url_for("calendar.index"))
    try:
        calendar.enter_year(engine().db.engine, year, request.form.get("holidays", ""),
                            request.form.get("makeup_workdays", ""), by=g.user.username,
                            now=engine().clock.now(), note=request.form.get("note", ""))
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("calendar.index"))
    changed = calendar.recompute(engine(), year, by=g.user.username)  # pending deadlines counted before
    flash(f"已录入{year}年放假调休安排，工作日期限自即日起按此计算"
          + (f"；已按新日历重新计算{len(changed)}件在办案件的期限" if changed else ""), "ok")
    return redirect(url_for("calendar.index"))
