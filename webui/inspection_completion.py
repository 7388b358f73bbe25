"""执法计划完成率 (武进 2017, seed 000: "执法计划实施过程实行网上跟踪，确保完成率达到100%"): the 双随机
plans of the official's org units with drawn, inspected and published counts per plan and per unit,
from ``workflows.inspection_plans``."""
from __future__ import annotations

from flask import Blueprint, g, render_template

from engine.errors import Forbidden
from workflows.inspection_plans import completion_by_unit

from . import parties
from .auth import engine

bp = Blueprint("inspection_completion", __name__, url_prefix="/inspections")


@bp.get("/completion")
def by_unit():
    if g.user.party:
        raise Forbidden("企业用户不能查看执法计划完成情况")
    scope = parties.org_scope(g.user)
    rows = [r for r in completion_by_unit(engine()) if scope is None or r["org_code"] in scope]
    return render_template("inspections/completion.html", rows=rows)
