"""规则配置: the administrator's page for the local rules (``workflows/rules.py``).

Every rule is listed with its versions and legal source; national rules (laws, 部门规章) are shown
but not editable. An administrator adds a version of a local rule with the day it takes effect; the
store records who entered it, when, and the value it replaced, shown below as the change history.
Cases whose clock started before that day keep the old value. A refused version shows the page
again (400) with what was typed and the reason; amounts in 元 read with thousands separators.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine.errors import Forbidden
from engine import typed_input
from workflows import rules

from .auth import engine

bp = Blueprint("rules", __name__, url_prefix="/admin/rules")


@bp.app_template_filter("rule_value")
def rule_value(stored, unit: str | None = None) -> str:
    """A stored (JSON) rule value as an administrator reads it: 2/3, 15, 约谈警示、公开曝光…, an amount
    in 元 as 100,000 — never JSON."""
    import json
    try:
        value = json.loads(stored) if isinstance(stored, str) else stored
    except ValueError:
        return str(stored)
    if isinstance(value, dict):  # 办案期限: 90日，负责人批准120日，上级批准180日
        names = {"base": "", "head": "负责人批准", "upper": "上级批准"}
        return "，".join(f"{names.get(k, k)}{v}" for k, v in value.items())
    if unit == "元" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return "" if value is None else str(value)


def _store() -> rules.RuleStore:
    return engine().rule_store


@bp.before_request
def _only_admins():
    user = g.get("user")
    if user is None or user.party or "admin" not in user.roles:
        raise Forbidden("只有系统管理员可以配置规则")


def parse_day(text: str) -> dt.date:
    """The effective-from day as officials type it (engine.typed_input)."""
    return typed_input.parse_day(text, "生效日期")


@bp.get("")
def index():
    return _page()


def _page(typed: dict | None = None, error: str | None = None):
    store = _store()
    today = engine().clock.now().date()
    listed = []
    for key, r in rules.RULES.items():
        versions = store.versions(key)
        current = rules._in_force(key, today, store)
        listed.append({"key": key, "rule": r, "versions": versions, "current": current})
    labels = {k: r.label for k, r in rules.RULES.items()}
    page = render_template("admin/rules.html", rules=listed, history=store.history(), labels=labels,
                           typed=typed or {}, error=error)
    return (page, 400) if error else page


@bp.post("")
def add():
    key = request.form.get("key", "")
    try:
        r = rules.rule(key)
        day = parse_day(request.form.get("effective_from", ""))
        row = _store().add(key, day, request.form.get("value", ""), by=g.user.username,
                           note=request.form.get("note", ""))
    except (LookupError, ValueError) as exc:
        typed = {k: request.form.get(k, "") for k in ("key", "effective_from", "value", "note")}
        return _page(typed, str(exc).strip("'\""))
    flash(f"已保存：{r.label}自{row.effective_from.isoformat()}起为 {rule_value(row.value, r.unit)}"
          f"（原为 {rule_value(row.old_value, r.unit)}）", "ok")
    return redirect(url_for("rules.index"))
