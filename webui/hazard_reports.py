"""统计分析表报送情况 (原国家安全监管总局令第16号第十四条): per unit of the official's scope, the enterprises'
quarterly and annual 隐患排查治理情况统计分析表 due, reported on time or late, signed for, and the
逾期未报 list the section head urges — from ``workflows.hazard_reports``."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request

from engine.errors import Forbidden
from workflows import hazard_reports

from . import parties
from .auth import engine

bp = Blueprint("hazard_reports", __name__, url_prefix="/hazards")


@bp.get("/reports")
def overview():
    if g.user.party:
        raise Forbidden("企业用户请在我的待办中填报本企业的统计分析表")
    eng, scope = engine(), parties.org_scope(g.user)
    periods = hazard_reports.period_keys(eng, scope)
    known = dict(periods)
    key = request.args.get("period") or (periods[0][0] if periods else None)
    if key not in known:
        key = periods[0][0] if periods else None
    rows = hazard_reports.unit_summary(eng, scope, key) if key else []
    overdue = hazard_reports.overdue_reports(eng, scope, key) if key else []
    parties.prime([r["party"] for r in overdue])
    return render_template("hazards/reports.html", periods=periods, key=key, label=known.get(key, ""),
                           rows=rows, overdue=overdue)
