"""节假日日历: the administrator enters the next year's 放假调休 notice (workflows/calendar.py).

A refused notice shows the page again with everything typed in its fields and the reason beside it
(status 400), so a long list of dates copied from the 国务院办公厅 notice is not typed twice."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine import typed_input, workdays
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
    return _page()


def _page(typed: dict | None = None, error: str | None = None):
    today = parties.today()
    years = [(y, workdays.is_known_year(y)) for y in range(today.year - 1, today.year + 3)]
    page = render_template("admin/calendar.html", years=years, entered=calendar.entered(engine().db.engine),
                           warning=calendar.provisional_notice(today), next_year=today.year + 1,
                           typed=typed or {}, error=error)
    return (page, 400) if error else page


_FIELDS = ("year", "holidays", "makeup_workdays", "note")


@bp.post("")
def add():
    text = typed_input.fold(request.form.get("year") or "")  # ２０２７年, pasted with a zero-width space
    try:
        year = int(text.rstrip("年"))
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        return _page({k: request.form.get(k, "") for k in _FIELDS}, "年份：应为四位数字，如 2027")
    try:
        calendar.enter_year(engine().db.engine, year, request.form.get("holidays", ""),
                            request.form.get("makeup_workdays", ""), by=g.user.username,
                            now=engine().clock.now(), note=request.form.get("note", ""))
    except ValueError as exc:
        return _page({k: request.form.get(k, "") for k in _FIELDS}, str(exc))
    changed = calendar.recompute(engine(), year, by=g.user.username)  # pending deadlines counted before
    flash(f"已录入{year}年放假调休安排，工作日期限自即日起按此计算"
          + (f"；已按新日历重新计算{len(changed)}件在办案件的期限" if changed else ""), "ok")
    return redirect(url_for("calendar.index"))
