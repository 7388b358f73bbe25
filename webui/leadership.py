"""Leadership pages (领导驾驶舱、通报排名): figures for an org subtree and a period, charts drawn by
Apache ECharts (served from static/vendor, no CDN), every chart clicking through to the cases behind it.

Who: holders of a supervisory role (科室负责人、分管领导、局长) and administrators, for their own org
unit and below (``?org=`` picks a unit inside that subtree; anything else is refused). The figures
come from ``workflows.leadership``; pages carry their data in a ``<script type="application/json">``
block or fetch it from the JSON endpoint, as the CSP (script-src 'self') allows no inline script.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, g, jsonify, render_template, request, session

from engine.errors import Forbidden
from engine import queries as engine_queries
from engine.queries import Scope as ReadScope
from engine.schema import Case, OrgUnit
from engine import typed_input
from workflows.leadership import dashboard as figures
from workflows.leadership import period as periods
from workflows.leadership import ranking as ranking_rules
from workflows.leadership import statistics as monthly_statistics
from workflows.leadership import xlsx as stat_xlsx
from workflows.leadership import scope as scopes

from . import display, nav, parties
from .auth import engine
from .paging import paged

bp = Blueprint("leadership", __name__, url_prefix="/leadership")


@bp.before_request
def _only_leaders():
    if not nav.can_supervise(g.get("user")):
        raise Forbidden("只有负责人可以查看领导驾驶舱")


# The org subtree a leader views, and the units they may pick, per engine and directory counter: every
# change of the directory (by any process) moves the counter each request reads with its session row,
# so a new, renamed or moved unit shows on the next view, and a view reads no org unit while nothing
# changed.
_SCOPES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # engine -> [counter, {key: scope}]
_SCOPES_LOCK = threading.Lock()


def _org_scope(eng, wanted: str):
    """(whether ``wanted`` is in the user's subtree, its scope, the units the user may pick)."""
    version = getattr(session, "directory_version", None)
    key = (g.user.org_path, wanted)
    cached = _SCOPES.get(eng)
    if version is not None and cached is not None and cached[0] == version and key in cached[1]:
        return cached[1][key]
    with eng.db.read() as s:
        allowed = scopes.org_in_scope(s, g.user.org_path, wanted)
        found = (allowed, scopes.load(s, wanted) if allowed else None,
                 list(s.execute(sa.select(OrgUnit.code, OrgUnit.name, OrgUnit.path)
                                .where(OrgUnit.path.startswith(g.user.org_path)).order_by(OrgUnit.path).limit(500))))
    if version is not None:
        with _SCOPES_LOCK:  # a newer counter seen by another thread meanwhile wins
            cached = _SCOPES.get(eng)
            if cached is None or cached[0] < version:
                cached = _SCOPES[eng] = [version, {}]
            if cached[0] == version and len(cached[1]) < 1000:
                cached[1][key] = found
    return found


def _scope_and_period(default_period: str | None = None):
    eng = engine()
    wanted = (request.args.get("org") or "").strip() or g.user.org_code
    allowed, scope, choices = _org_scope(eng, wanted)
    if not allowed:
        raise Forbidden("只能查看本单位及下级单位的统计")
    try:
        period = periods.parse(request.args.get("period") or default_period, display.now())
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
    scope, period, _choices = _scope_and_period()
    if metric not in figures.METRIC_TITLES:
        # A bare or mistyped link: the figures there are to choose from, each opening its cases (an
        # unknown one still answers 404, with the same choice and a sentence saying why).
        return render_template("leadership/cases_choose.html", scope=scope, period=period,
                               metrics=figures.METRIC_TITLES, unknown=bool(metric)), (404 if metric else 200)
    params = {k: request.args.get(k) for k in ("unit", "grade", "level", "stage", "ontime", "month") if request.args.get(k)}
    if params.get("unit") and params["unit"] not in scope.rollup:
        raise Forbidden("只能查看本单位及下级单位的统计")
    eng = engine()

    def fetch(limit, offset):
        with eng.db.read() as s:
            ids = figures.case_ids(s, metric, scope, period, display.now(), params)
            visible = ReadScope(s, g.user, eng.policy).cases()  # the engine's read policy, as everywhere
            return list(s.execute(sa.select(Case).where(Case.id.in_(ids), visible)
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
    deadlines = _rectify_deadlines(rows) if metric in HAZARD_METRICS else None
    return render_template("leadership/cases.html", cases=rows, page=page, more=more, described=described,
                           scope=scope, period=period, metric=metric, deadlines=deadlines)


# The figures about 重大事故隐患 under 挂牌督办: their lists show each hazard's 整改期限 (as the 督办通知 set
# it, extensions included) and, while it is not 销号, how many days it is past it — what a leader asks first.
HAZARD_METRICS = frozenset({"hazards_open", "listings_overdue", "rectified"})


@dataclass(frozen=True)
class Deadline:
    day: str
    late_days: int  # days past the 整改期限 (Beijing) while the hazard is open; 0 otherwise


def _rectify_deadlines(rows) -> dict[int, Deadline]:
    today = parties.today()
    out = {}
    for c in rows:
        text = (c.data or {}).get("rectify_deadline")
        try:
            day = date.fromisoformat(str(text)[:10]) if text else None
        except ValueError:
            day = None
        if day is not None:
            late = (today - day).days if c.status == "running" and today > day else 0
            out[c.id] = Deadline(day.isoformat(), late)
    return out


def install(app) -> None:
    from . import overdue

    app.register_blueprint(bp)
    app.jinja_env.filters["listing_level"] = overdue.level_name
    app.jinja_env.globals["soon_days"] = engine_queries.SOON_DAYS


# --- 挂牌督办 by unit and 挂牌层级: the cases behind a count of the 逾期督办 board ------------------------------

@bp.get("/listings")
def listings():
    """The open 挂牌督办 hazards behind one count of the 逾期督办 board's 挂牌督办 table: ``unit`` (an org unit
    of the user's subtree; none: all), ``level`` (a 挂牌层级; ``-``: none recorded; none: any), ``when``
    (``overdue`` 已逾期, ``soon`` 7日内到期, ``open`` 在办). The same conditions as the count
    (engine/queries.py ``listing_cases``)."""
    from . import overdue

    eng = engine()
    below = overdue.units_below(eng, g.user)
    unit = (request.args.get("unit") or "").strip() or None
    if unit is not None and unit not in below:
        raise Forbidden("只能查看本单位及下级单位的挂牌督办案件")
    when = (request.args.get("when") or "open").strip()
    if when not in engine_queries.LISTING_WINDOWS:
        abort(400, "“期限”参数不正确：应为已逾期、7日内到期或在办")
    raw_level = request.args.get("level")
    level = None if raw_level is None else engine_queries.UNSET_LEVEL if raw_level.strip() == "-" else raw_level.strip()
    today = parties.today()
    rows, page, more = paged(lambda limit, offset: engine_queries.listing_cases(
        eng, g.user, today, org=unit, level=level, window=when, limit=limit, offset=offset, below=below))
    parties.prime(c.party for c in rows)
    described = ["挂牌督办重大事故隐患", display.org_name(unit) if unit else "", overdue.level_name(level) if level is not None else "",
                 overdue.WINDOW_NAMES[when]]
    deadlines = _rectify_deadlines(rows)
    left = {i: (date.fromisoformat(d.day) - today).days for i, d in deadlines.items()}
    return render_template("leadership/listings.html", cases=rows, page=page, more=more, described=described,
                           deadlines=deadlines, left=left)


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
             "last": [r.last for r in rows], "nothing": [r.nothing_counted for r in rows]}
    return render_template("leadership/ranking.html", rows=rows, scope=scope, period=quarter, org_choices=choices,
                           periods=periods.recent_quarters(display.now(), 8), held=held, chart=chart,
                           names=ranking_rules.INDICATOR_NAMES, weights=ranking_rules.WEIGHTS,
                           shown=ranking_rules.shown, nothing_counted=ranking_rules.NOTHING_COUNTED)


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
        held_on = typed_input.parse_day(text)
    except ValueError:
        flash(f"约谈日期格式不正确：{text}（例如 2026年12月20日 或 2026-12-20）", "error")
        return back
    try:
        ranking_rules.record_interview(engine(), quarter, rows[org], held_on, request.form.get("note", "").strip(),
                                       by=g.user.username)
    except ValueError as exc:
        flash(str(exc), "error")
        return back
    flash(f"已登记{rows[org].name}的约谈", "ok")
    return back


# --- 统计报表 ----------------------------------------------------------------------------------------

def _xlsx(content: bytes, name: str):
    from urllib.parse import quote

    from flask import Response

    response = Response(content, mimetype=stat_xlsx.XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@bp.get("/statistics")
def statistics():
    """执法监管月度统计 per unit (a month by default; any period), as a page or .xlsx (?format=xlsx)."""
    local = display.now().astimezone(periods.SHANGHAI)
    scope, period, choices = _scope_and_period(default_period=f"{local.year}-{local.month:02d}")
    table = monthly_statistics.monthly(engine(), scope, period)
    if request.args.get("format") == "xlsx":
        content = stat_xlsx.workbook([{
            "title": "执法监管统计", "heading": f"{scope.root_name}执法监管统计表",
            "subheading": f"统计期间：{period.label}（{period.first_day.isoformat()} 至 "
                          f"{(period.end_day - timedelta(days=1)).isoformat()}）",
            "columns": [("name", "单位"), *table["columns"]], "rows": table["rows"], "total": table["total"],
            "money": monthly_statistics.MONEY}])
        return _xlsx(content, f"{scope.root_name}执法监管统计表（{period.label}）.xlsx")
    now = display.now()
    months = [periods.Period("month", y, m) for y, m in _last_months(now, 12)]
    return render_template("leadership/statistics.html", table=table, scope=scope, period=period,
                           org_choices=choices, periods=[*months, *periods.recent_quarters(now, 4)])


def _last_months(now, count):
    local = now.astimezone(periods.SHANGHAI)
    y, m = local.year, local.month
    for _ in range(count):
        yield y, m
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)


@bp.get("/statistics/hazards.xlsx")
def hazard_statistics_xlsx():
    """The 16号令第十四条 quarterly hazard tables (``workflows.hazard_ledger``) as .xlsx."""
    from workflows.hazard_ledger import quarterly_statistics

    now = display.now().astimezone(periods.SHANGHAI)
    try:
        year = int(request.args.get("year") or now.year)
        quarter = int(request.args.get("quarter") or (now.month - 1) // 3 + 1)
        if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
            raise ValueError
    except ValueError:
        abort(400, "年度或季度不正确")
    stats = quarterly_statistics(engine(), year, quarter, parties.org_scope(g.user))
    columns = [("found", "发现隐患"), ("found_major", "其中重大"), ("rectified", "已整改"), ("rectified_major", "重大已整改"),
               ("rate", "整改率"), ("open", "未整改"), ("overdue", "逾期"), ("rectify_cost", "整改资金（元）")]
    for row in [*stats["districts"], *stats["enterprises"], stats["total"]]:
        row["rectify_cost"] = float(row["rectify_cost"])
    sub = f"统计期间：{stats['from']} 至 {stats['to']}；报送期限：{stats['report_due']}前（原国家安全监管总局令第16号第十四条）"
    heading = f"{year}年第{quarter}季度隐患排查治理情况统计表"
    content = stat_xlsx.workbook([
        {"title": "按区县", "heading": heading + "（按区县）", "subheading": sub,
         "columns": [("name", "区县"), *columns], "rows": stats["districts"], "total": {"name": "合计", **stats["total"]},
         "money": {"rectify_cost"}},
        {"title": "按企业", "heading": heading + "（按企业）", "subheading": sub,
         "columns": [("name", "企业"), ("party", "统一社会信用代码"), *columns], "rows": stats["enterprises"],
         "money": {"rectify_cost"}},
    ])
    return _xlsx(content, f"{heading}.xlsx")


# --- 风险分布图 --------------------------------------------------------------------------------------

@bp.get("/map")
def risk_map():
    from engine.policy import ADMIN_ROLE
    from workflows.leadership import riskmap

    scope, period, choices = _scope_and_period()
    area_rows = riskmap.areas(engine(), scope)
    shapes = riskmap.boundaries(engine(), [a["org"] for a in area_rows])
    drawn = bool(area_rows) and all(a["org"] in shapes for a in area_rows)
    geo = {"type": "FeatureCollection", "features": [shapes[a["org"]] for a in area_rows]} if drawn else None
    return render_template("leadership/map.html", areas=area_rows, geo=geo, scope=scope, period=period,
                           org_choices=choices, levels=riskmap.LEVELS, is_admin=ADMIN_ROLE in g.user.roles)


@bp.post("/map/boundaries")
def upload_boundaries():
    from flask import flash, redirect, url_for

    from engine.policy import ADMIN_ROLE
    from workflows.leadership import riskmap

    if ADMIN_ROLE not in g.user.roles:
        raise Forbidden("只有系统管理员可以上传行政区划边界")
    upload = request.files.get("geojson")
    back = redirect(url_for("leadership.risk_map", org=request.args.get("org") or None))
    if upload is None or not upload.filename:
        flash("请选择 GeoJSON 文件", "error")
        return back
    with engine().db.read() as s:
        allowed = riskmap.org_names(s, g.user.org_path)
    saved, errors = riskmap.save_boundaries(engine(), upload.read(), allowed, g.user.username)
    if errors:
        flash("边界未保存：" + "；".join(errors[:10]), "error")
    else:
        flash(f"已保存 {len(saved)} 个区域的边界", "ok")
    return back
