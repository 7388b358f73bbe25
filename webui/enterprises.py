"""Enterprise pages (企业档案): the searchable list, the one-page file (一企一档), risk grading, and the
spreadsheet import and export of the registry.

The file is ``workflows.enterprises.standing.enterprise_file`` laid out: the page adds only who may
see it and links. Officials see the enterprises of their org unit and the units below it, an
enterprise user its own file only (``webui.parties``); grading and the spreadsheets are for holders
of a supervisory role and administrators, checked by the engine's policy like every supervision act.
The list searches through the registry with a count limit, so a fragment such as 有限 that matches
most of a city stays fast on PostgreSQL.
"""
from __future__ import annotations

import io
from datetime import date
from urllib.parse import quote

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for

from engine.errors import Conflict, Forbidden, NotFound
from engine.policy import NONE_KEPT
from engine.queries import Scope
from engine.schema import Case
from workflows.enterprises import EnterpriseInvalid, RiskLevel, Sector, credit_code
from workflows.enterprises.spreadsheet import SpreadsheetError, export_enterprises
from workflows.enterprises.standing import case_ids, enterprise_file, for_reader
from workflows.enterprises.terms import UnitKind
from workflows.hazard_ledger import hazard_list

from . import enterprise_import, nav, parties, redaction
from .admin import is_admin
from .auth import engine
from .paging import page_number

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")

PER_PAGE = 50
COUNT_LIMIT = 10_000  # past this a total reads "10000+": counting every match is what costs
SECTORS = [s.value for s in Sector]
RISKS = [r.value for r in RiskLevel]


def _check_manage() -> None:
    """Grading and spreadsheets: a supervisory role or an administrator (the engine's policy)."""
    eng = engine()
    with eng.db.read() as s:
        eng.policy.check_supervise(s, g.user, None)


def _visible(code: str):
    """The enterprise ``code`` if the user may open its file: 403 before 404 for an enterprise user,
    so another enterprise's code reveals nothing."""
    _no_third_parties()
    norm = credit_code.normalize(code)
    if g.user.party and norm != g.user.party:
        raise Forbidden("企业用户只能查看本企业的档案")
    ent = parties.registry().get(norm)
    if ent is None:
        raise NotFound(f"未找到统一社会信用代码为{norm}的企业")
    if not parties.may_view(g.user, ent.credit_code, ent.org_unit):
        raise Forbidden("无权查看其他单位管辖的企业")
    return ent


def _units_under(org: str, scope: list[str] | None) -> list[str]:
    """The org unit picked in the filter and the units below it, within the user's own."""
    eng = engine()
    with eng.db.read() as s:
        try:
            below = eng.directory.org_codes_below(s, eng.directory.org_path(s, org))
        except NotFound:
            abort(404)
    if scope is not None and org not in scope:
        raise Forbidden("无权查看其他单位管辖的企业")
    return below


def _org_choices(scope: list[str] | None) -> list:
    return [o for o in engine().directory.orgs() if scope is None or o.code in scope]


def _no_third_parties() -> None:
    if nav.is_external(g.user):
        raise Forbidden("第三方机构不能查阅企业档案")


@bp.get("/")
def search():
    if g.user.party:
        return redirect(url_for(".mine"))
    _no_third_parties()
    scope = parties.org_scope(g.user)
    f = {k: (request.args.get(k) or "").strip() for k in ("q", "org", "sector", "risk")}
    orgs = _units_under(f["org"], scope) if f["org"] else scope
    result = parties.registry().search(
        f["q"] or None, org=orgs, sector=f["sector"] if f["sector"] in SECTORS else None,
        risk=f["risk"] if f["risk"] in RISKS else None, page=page_number(), per_page=PER_PAGE,
        count_limit=COUNT_LIMIT)
    parties.prime(e.credit_code for e in result.items)
    more = len(result.items) == PER_PAGE and (result.page < result.pages or not result.exact)
    return render_template("enterprises/search.html", result=result, more=more, filters=f, sectors=SECTORS,
                           risks=RISKS, orgs=_org_choices(scope), can_manage=nav.can_supervise(g.user))


@bp.get("/mine")
def mine():
    """本企业档案: an enterprise user's own file; officials have the list instead."""
    if not g.user.party:
        return redirect(url_for(".search"))
    return redirect(url_for(".show", code=_visible(g.user.party).credit_code))


def _readable_cases(ids: set[int]) -> set[int]:
    """Of ``ids``, the cases the user may open: the engine's read policy (engine.queries.Scope), the
    rule the case page itself applies."""
    if not ids:
        return set()
    eng = engine()
    with eng.db.read() as s:
        return set(s.scalars(sa.select(Case.id).where(Case.id.in_(sorted(ids)), Scope(s, g.user, eng.policy).cases())))


def _render_show(ent, risk_form: dict | None = None, risk_errors: dict | None = None, status: int = 200):
    """The file as this user may see it: a case they may not open (another district's, a higher
    unit's) is neither listed nor named, only counted (``standing.for_reader``)."""
    eng = engine()
    unnamed = NONE_KEPT
    if g.user.party:  # a case kept from the enterprise (partyReads 否: a 12350 举报) is not even counted for it
        with eng.db.read() as s:
            unnamed = eng.policy.kept_from_party(s)
    file = enterprise_file(eng, parties.registry(), ent.credit_code, unnamed=unnamed)
    hazards = hazard_list(engine(), ent.credit_code)
    readable = _readable_cases(case_ids(file) | {h["id"] for h in hazards["items"]})
    file = for_reader(file, readable, date.fromisoformat(file["as_of"]))
    if g.user.party:   # its cases opened from a 举报 kept from it name it not (webui/redaction.py)
        file = redaction.entries_without_hidden_parents(eng, g.user.username, file)
    items = [h for h in hazards["items"] if h["id"] in readable]
    hazards = {**hazards, "items": items, "counts": {status: sum(1 for h in items if h["status"] == status)
                                                     for status in hazards["counts"]}}
    parties.prime([ent.credit_code])
    return render_template("enterprises/show.html", file=file, e=file["enterprise"], code=ent.credit_code,
                           hazards=hazards, can_grade=nav.can_supervise(g.user), risks=RISKS,
                           can_mark=is_admin(g.user), kinds=[k.value for k in UnitKind],
                           risk_form=risk_form or {}, risk_errors=risk_errors or {}), status


@bp.get("/<code>")
def show(code: str):
    return _render_show(_visible(code))


@bp.post("/<code>/risk")
def set_risk(code: str):
    """调整风险等级: the level and a reason; the registry keeps who, when and why."""
    ent = _visible(code)
    _check_manage()
    form = {k: (request.form.get(k) or "").strip() for k in ("risk_level", "reason")}
    try:
        parties.registry().set_risk_level(ent.credit_code, form["risk_level"], by=g.user.username,
                                          reason=form["reason"])
    except EnterpriseInvalid as exc:
        flash("风险等级未调整，请按提示修改。", "error")
        return _render_show(ent, form, exc.errors, 422)
    flash(f"已将风险等级调整为{form['risk_level']}", "ok")
    return redirect(url_for(".show", code=ent.credit_code) + "#risk")


# --- spreadsheets ------------------------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
def import_file():
    """Upload → dry run: every bad row with its line, column and reason; a clean file can be confirmed."""
    _check_manage()
    if request.method == "GET":
        return render_template("enterprises/import.html", report=None, staged=None, error=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("enterprises/import.html", report=None, staged=None, error="请选择要导入的文件"), 422
    fmt = enterprise_import.format_of(upload.filename)
    if fmt is None:
        return render_template("enterprises/import.html", report=None, staged=None,
                               error="请上传 CSV 或 xlsx 格式的文件"), 422
    content = upload.read()
    try:
        report = enterprise_import.check(parties.registry(), content, fmt, parties.org_scope(g.user))
    except SpreadsheetError as exc:
        return render_template("enterprises/import.html", report=None, staged=None, error=str(exc)), 422
    staged = enterprise_import.stage(upload.filename, content, fmt) if report.ok else None
    return render_template("enterprises/import.html", report=report, staged=staged, filename=upload.filename,
                           error=None), (200 if report.ok else 422)


@bp.post("/import/confirm")
def import_confirm():
    _check_manage()
    staged = enterprise_import.staged(request.form.get("token", ""))
    if staged is None:
        raise Conflict("待导入的文件已失效，请重新上传")
    content = staged.path.read_bytes()
    report = enterprise_import.run(parties.registry(), content, staged.fmt, parties.org_scope(g.user),
                                   by=g.user.username, filename=staged.filename)
    enterprise_import.discard(staged)
    if not report.ok:  # the registry changed since the dry run: show what is wrong now
        return render_template("enterprises/import.html", report=report, staged=None, filename=staged.filename,
                               error=None), 422
    flash(f"{staged.filename}：{report}", "ok")
    return redirect(url_for(".search"))


@bp.get("/export")
def export():
    """下载 the enterprises of the user's org units (or an empty template) as xlsx or CSV."""
    _check_manage()
    fmt = request.args.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        abort(404)
    template = request.args.get("template") == "1"
    org = [] if template else parties.org_scope(g.user)
    buffer = io.BytesIO()
    if fmt == "csv":
        text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
        export_enterprises(parties.registry(), text, fmt="csv", org=org)
        text.flush()
        text.detach()
    else:
        export_enterprises(parties.registry(), buffer, fmt="xlsx", org=org)
    if not template:  # who took the registry out of the system, and which part (等保: 数据导出审计)
        from .accounts import record
        record(current_app.extensions["duban_engine"], g.user.username, "exported",
               {"what": "enterprises", "format": fmt, "orgs": "all" if org is None else sorted(org)})
    name = "企业名录模板" if template else f"企业名录-{parties.today():%Y%m%d}"
    mimetype = ("text/csv" if fmt == "csv" else
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response(buffer.getvalue(), mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name + '.' + fmt)}"})
