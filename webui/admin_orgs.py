"""组织机构: the administrator's page for the org-unit tree (省 › 市 › 区县 › 乡镇).

The tree is shown with each unit's level, its users and its running cases; a unit is added under a
parent picked from the tree, renamed (name and level), moved under another parent with everything
below it, or deleted — refused, with the reason in Chinese, while it has units below it, users,
cases or enterprises on its register. Changes go through the engine's directory, which audits them.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine.errors import InvalidData, NotFound
from engine.schema import Case, User
from workflows.enterprises.models import Enterprise

from . import admin, admin_queries
from .auth import engine

bp = Blueprint("admin_orgs", __name__, url_prefix="/admin/orgs")
bp.before_request(admin.only_admins)

CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


@bp.get("")
def index():
    eng = engine()
    with eng.db.read() as s:
        users = dict(s.execute(sa.select(User.org_code, sa.func.count()).where(User.active.is_(True))
                               .group_by(User.org_code)).all())
        cases = dict(s.execute(sa.select(Case.org_code, sa.func.count()).where(Case.status == "running")
                               .group_by(Case.org_code)).all())
    return render_template("admin/orgs.html", orgs=admin.org_choices(), users=users, cases=cases,
                           levels=admin.LEVELS, history=admin_queries.directory_history(eng, org=None, limit=20),
                           values=request.args)


@bp.post("/add")
def add():
    code = (request.form.get("code") or "").strip().lower()
    name = (request.form.get("name") or "").strip()
    parent = request.form.get("parent") or None
    level = request.form.get("level") or None
    problem = ""
    known = {o.code for o in admin.org_choices()}
    if not name:
        problem = "请填写新机构的名称"
    elif not CODE.match(code):
        problem = "机构代码应为小写字母开头的 2–64 位小写字母、数字或下划线（拼音缩写），如 dongcheng_heping"
    elif code in known:
        problem = f"机构代码 {code} 已被使用"
    elif level not in admin.LEVELS:
        problem = "请选择层级（省、市、区县、乡镇、村）"
    elif parent is None and known:
        problem = "请选择上级机构"
    if problem:
        flash(problem, "error")
        return redirect(url_for("admin_orgs.index", code=code, name=name, parent=parent or "", level=level or ""))
    engine().directory.add_org(code, name, parent=parent, level=level, by=g.user.username)
    flash(f"已新增组织机构：{name}", "ok")
    return redirect(url_for("admin_orgs.index"))


@bp.post("/<code>/rename")
def rename(code: str):
    level = request.form.get("level") or None
    try:
        if level is not None and level not in admin.LEVELS:
            raise InvalidData({"level": "请选择层级（省、市、区县、乡镇、村）"})
        changes = engine().directory.rename_org(code, request.form.get("name") or "", level=level, by=g.user.username)
    except InvalidData as exc:
        flash("；".join(exc.errors.values()), "error")
    else:
        if "name" in changes:
            flash(f"已将“{changes['name'][0]}”改名为“{changes['name'][1]}”", "ok")
        elif changes:
            flash("已修改层级", "ok")
    return redirect(url_for("admin_orgs.index"))


@bp.post("/<code>/move")
def move(code: str):
    parent = request.form.get("parent") or ""
    names = {o.code: o.name for o in admin.org_choices()}
    try:
        engine().directory.move_org(code, parent, by=g.user.username)
    except (InvalidData, NotFound) as exc:
        flash("；".join(exc.errors.values()) if isinstance(exc, InvalidData) else str(exc), "error")
    else:
        flash(f"已将“{names.get(code, code)}”移至“{names.get(parent, parent)}”之下", "ok")
    return redirect(url_for("admin_orgs.index"))


@bp.post("/<code>/delete")
def delete(code: str):
    eng = engine()
    names = {o.code: o.name for o in admin.org_choices()}
    with eng.db.read() as s:
        registered = s.execute(sa.select(sa.func.count()).select_from(Enterprise)
                               .where(Enterprise.org_unit == code)).scalar()
    try:
        eng.directory.delete_org(code, by=g.user.username,
                                 more_reasons=[f"管辖 {registered} 家企业"] if registered else [])
    except (InvalidData, NotFound) as exc:
        flash("；".join(exc.errors.values()) if isinstance(exc, InvalidData) else str(exc), "error")
    else:
        flash(f"已删除组织机构：{names.get(code, code)}", "ok")
    return redirect(url_for("admin_orgs.index"))
