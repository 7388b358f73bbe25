"""Leadership pages (领导驾驶舱、通报排名): figures for an org subtree and a period, charts drawn by
Apache ECharts (served from static/vendor, no CDN), every chart clicking through to the cases behind it.

Who: holders of a supervisory role (科室负责人、分管领导、局长) and administrators, for their own org
unit and below (``?org=`` picks a unit inside that subtree; anything else is refused). The figures
come from ``workflows.leadership``; pages carry their data in a ``<script type="application/json">``
block or fetch it from the JSON endpoint, as the CSP (script-src 'self') allows no inline script.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, g, jsonify, render_template, request

from engine.errors import Forbidden
from engine.schema import Case, OrgUnit
from workflows.leadership import dashboard as figures
from workflows.leadership import period as periods
from workflows.leadership import ranking as ranking_rules
from workflows.leadership import scope as scopes

from . import display, nav, parties
from .auth import engine
from .paging import paged

bp = Blueprint("leadership", __name__, url_prefix="/leadership")


@bp.before_request
def _only_leaders():
    if not nav.can_supervise(g.get("user")):
        raise Forbidden("只有负责人可以查看领导驾驶舱")


def _scope_and_period():
    eng = engine()
    wanted = (request.args.get("org") or "").strip() or g.user.org_code
    with eng.db.read() as s:
        if not scopes.org_in_scope(s, g.user.org_path, wanted):
            raise Forbidden("只能查看本单位及下级单位的统计")
        scope = scopes.load(s, wanted)
        choices = list(s.execute(sa.select(OrgUnit.code, OrgUnit.name, OrgUnit.path)
                                 .where(OrgUnit.path.startswith(g.user.org_path)).order_by(OrgUnit.path).limit(500)))
    try:
        period = periods.parse(request.args.get("period"), display.now())
    except ValueError as exc:
        abort(400, str(exc))
    return scope, period, choices


def _period_choices(current: periods.Period) -> list[periods.Period]:
    now = display.now()
    quarters = periods.recent_quarters(now, 8)
    year = periods.Period("year", periods.quarter_of(now).year, 0)
    months = [periods.Period("month", year.year, m) for m in range(1, 13)]
    out = [year, periods.Period("year", year.year - 1, 0), *quarters, *months]
    if current not in out:
        out.insert(0, current)
    return out


@bp.get("/")
def dashboard():
    scope, period, choices = _scope_and_period()
    data = figures.dashboard(engine(), scope, period, display.now())
    return render_template("leadership/dashboard.html", data=data, scope=scope, period=period,
                           org_choices=choices, periods=_period_choices(period))


@bp.get("/data.json")
def dashboard_json():
    scope, period, _choices = _scope_and_period()
    return jsonify(figures.dashboard(engine(), scope, period, display.now()))


@bp.get("/cases")
def cases():
    """The cases behind one figure (click-through from a chart or a KPI)."""
    metric = request.args.get("metric", "")
    if metric not in figures.METRIC_TITLES:
        abort(404)
    scope, period, _choices = _scope_and_period()
    params = {k: request.args.get(k) for k in ("unit", "grade", "level", "stage", "ontime", "month") if request.args.get(k)}
    if params.get("unit") and params["unit"] not in scope.rollup:
        raise Forbidden("只能查看本单位及下级单位的统计")
    eng = engine()

    def fetch(limit, offset):
        with eng.db.read() as s:
            ids = figures.case_ids(s, metric, scope, period, display.now(), params)
            return list(s.execute(sa.select(Case).where(Case.id.in_(ids))
                                  .order_by(Case.started_at.desc(), Case.id.desc()).limit(limit).offset(offset)).scalars())

    rows, page, more = paged(fetch)
    parties.prime(c.party for c in rows)
    described = [figures.METRIC_TITLES[metric]]
    if params.get("unit"):
        described.append(scope.name(params["unit"]))
    for key, label in (("grade", "等级"), ("stage", "环节"), ("month", "月份")):
        if params.get(key):
            described.append(f"{label}：{params[key]}")
    if params.get("level"):
        described.append(figures.ESCALATION_LEVELS.get(int(params["level"]), "") if params["level"].isdigit() else "")
    if params.get("ontime"):
        described.append("按期整改" if params["ontime"] == "1" else "逾期整改")
    return render_template("leadership/cases.html", cases=rows, page=page, more=more, described=described,
                           scope=scope, period=period, metric=metric)


def install(app) -> None:
    app.register_blueprint(bp)


# --- 通报排名 ----------------------------------------------------------------------------------------

def _quarter(period: periods.Period) -> periods.Period:
    if period.kind != "quarter":
        abort(400, "排名按季度统计，请选择季度（例如 2026Q4）")
    return period


@bp.get("/ranking")
def ranking():
    scope, period, choices = _scope_and_period()
    quarter = _quarter(period)
    rows = ranking_rules.rank(engine(), scope, quarter, display.now())
    held = ranking_rules.interviews(engine(), quarter)
    chart = {"categories": [r.name for r in rows], "codes": [r.org for r in rows], "scores": [r.score for r in rows],
             "last": [r.last for r in rows]}
    return render_template("leadership/ranking.html", rows=rows, scope=scope, period=quarter, org_choices=choices,
                           periods=periods.recent_quarters(display.now(), 8), held=held, chart=chart,
                           names=ranking_rules.INDICATOR_NAMES, weights=ranking_rules.WEIGHTS,
                           shown=ranking_rules.shown)


@bp.get("/ranking/notice.docx")
def ranking_notice():
    from urllib.parse import quote

    from flask import Response

    from workflows.documents.docx import DOCX_MIMETYPE, docx_from_text
    from workflows.leadership.notice import notice_text

    scope, period, _choices = _scope_and_period()
    quarter = _quarter(period)
    rows = ranking_rules.rank(engine(), scope, quarter, display.now())
    issuer = f"{scope.root_name}安全生产委员会办公室"
    text = notice_text(issuer, quarter, rows, display.now().astimezone(periods.SHANGHAI).date())
    name = f"{quarter.label}安全生产工作考核排名情况通报.docx"
    response = Response(docx_from_text(text, issuer), mimetype=DOCX_MIMETYPE)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@bp.post("/ranking/interview")
def record_interview():
    from datetime import date

    from flask import flash, redirect, url_for

    scope, period, _choices = _scope_and_period()
    quarter = _quarter(period)
    org = request.form.get("unit", "")
    rows = {r.org: r for r in ranking_rules.rank(engine(), scope, quarter, display.now())}
    back = redirect(url_for("leadership.ranking", org=scope.root, period=quarter.code))
    if org not in rows:
        flash("请选择本季度排名中的单位", "error")
        return back
    text = (request.form.get("held_on") or "").strip()
    try:
        held_on = date.fromisoformat(periods.normalize_date(text))
    except ValueError:
        flash(f"约谈日期格式不正确：{text}（例如 2026-12-20 或 2026年12月20日）", "error")
        return back
    try:
        ranking_rules.record_interview(engine(), quarter, rows[org], held_on, request.form.get("note", "").strip(),
                                       by=g.user.username)
    except ValueError as exc:
        flash(str(exc), "error")
        return back
    flash(f"已登记{rows[org].name}的约谈", "ok")
    return back
