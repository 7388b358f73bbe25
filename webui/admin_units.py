"""单位类别: the administrator's page to register a 安全评价检测检验机构 or mark a registered unit one.

The 评估机构名称 of 第三方评估整改效果 is picked among the registry's 安全评价检测检验机构 (revision
0026), whose 资质 the bureau recognises (《安全评价检测检验机构管理办法》, 应急管理部令第1号第三条);
which units those are is the administrator's to say, with the reason (a 资质证书编号, a recognition
document) kept on the system audit chain. The page lists the registered bodies, registers a new one
(信用代码, 名称, 属地, 规模), and changes a registered unit's kind — also from the unit's own file
(企业档案), where an administrator sees the kind with a form beside it. A 生产经营单位 only is
drawn for 双随机 inspections (``workflows.inspection_plans``); spreadsheets set the kind with their
单位类别 column (``workflows.enterprises.spreadsheet``).
"""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from workflows.enterprises import DuplicateEnterprise, EnterpriseInvalid, EnterpriseNotFound, credit_code
from workflows.enterprises import assessors
from workflows.enterprises.schemas import FIELD_LABELS
from workflows.enterprises.terms import Size, UnitKind

from . import admin, parties
from .auth import engine

bp = Blueprint("admin_units", __name__, url_prefix="/admin/units")
bp.before_request(admin.only_admins)

KINDS = [k.value for k in UnitKind]
SIZES = [s.value for s in Size]
FIELDS = ("credit_code", "kind", "reason", "name", "org_unit", "size", "address", "qualification_no")
LABELS = {**FIELD_LABELS, "name": "单位名称", "org_unit": "属地", "qualification_no": "资质证书编号"}


def _page(values: dict | None = None, errors: dict | None = None, status: int = 200):
    bodies = parties.registry().search(kind=UnitKind.ASSESSOR, per_page=200)
    return render_template("admin/units.html", bodies=bodies, kinds=KINDS, sizes=SIZES, orgs=admin.org_choices(),
                           values=values or {}, errors=errors or {}, labels=LABELS), status


@bp.get("")
def index():
    return _page()


@bp.post("")
def save():
    """登记或标记: a known code changes kind; an unknown one is registered with name, 属地 and 规模."""
    form = {k: (request.form.get(k) or "").strip() for k in FIELDS}
    back = request.form.get("back") == "enterprise"
    code = form["credit_code"]
    try:
        known = parties.registry().get(code) if code else None
        if not code:
            raise EnterpriseInvalid({"credit_code": "请填写统一社会信用代码"})
        if known is not None:
            ent = assessors.set_kind(engine(), parties.registry(), known.credit_code, form["kind"],
                                     by=g.user.username, reason=form["reason"])
        else:
            try:
                credit_code.validate(code)
            except credit_code.CreditCodeError as exc:
                raise EnterpriseInvalid({"credit_code": str(exc)}) from None
            missing = {k: f"该信用代码尚未登记，登记新单位须填写{LABELS[k]}" for k in ("name", "org_unit", "size")
                       if not form[k]}
            if form["org_unit"] and form["org_unit"] not in {o.code for o in admin.org_choices()}:
                missing["org_unit"] = "请从列表中选择属地"
            if missing:
                raise EnterpriseInvalid(missing)
            ent = assessors.register(engine(), parties.registry(), {
                "credit_code": code, "name": form["name"], "org_unit": form["org_unit"], "size": form["size"],
                "address": form["address"], "sector": "其他", "kind": form["kind"] or UnitKind.ASSESSOR.value},
                by=g.user.username, reason=form["reason"])
    except (EnterpriseInvalid, DuplicateEnterprise, EnterpriseNotFound) as exc:
        errors = getattr(exc, "errors", None) or {"credit_code": str(exc)}
        if back and code and parties.registry().get(code) is not None:
            flash("单位类别未修改：" + "；".join(f"{LABELS.get(k, k)}：{m}" for k, m in errors.items()), "error")
            return redirect(url_for("enterprises.show", code=credit_code.normalize(code)) + "#unit-kind")
        flash("未保存，请按提示修改。", "error")
        return _page(form, errors, 422)
    if form["qualification_no"] and UnitKind(ent.kind) == UnitKind.ASSESSOR:  # filled into its assessors' forms
        assessors.set_qualification(engine(), ent.credit_code, form["qualification_no"], by=g.user.username)
    flash(f"{ent.name}：单位类别为{UnitKind(ent.kind).value}", "ok")
    if back:
        return redirect(url_for("enterprises.show", code=ent.credit_code) + "#unit-kind")
    return redirect(url_for(".index"))
