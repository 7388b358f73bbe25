"""督查与联席 (/leadership/visits): per leader and per unit of the viewer's subtree, the year's 领导带队督查检查
against 4 and 党委检查督办 against 2 (下原镇2019年安全生产工作计划, seed 004 三（一）1), the months they fell in,
who is behind (第四季度未达标 flagged), and the 督办事项 not yet answered — from ``workflows.leader_inspection``;
beside them each unit's 联席会议 and 联合检查执法 against 4 (三（二）1) and the 议定事项 not yet answered — from
``workflows.joint_mechanisms``.
A tab of the leaders' views (驾驶舱); the same people see it (负责人 and 安委会办公室, administrators)."""
from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request

from engine.clock import today_in_china
from engine.errors import Forbidden
from workflows import joint_mechanisms as jm, leader_inspection as li

from . import nav
from .auth import engine
from .leadership import _org_scope

bp = Blueprint("leader_inspection", __name__, url_prefix="/leadership/visits")


@bp.before_request
def _only_leaders():
    if not nav.can_supervise(g.get("user")):
        raise Forbidden("只有负责人和安委会办公室可以查看领导带队督查情况")


@bp.get("/")
def overview():
    eng = engine()
    wanted = (request.args.get("org") or "").strip() or g.user.org_code
    allowed, scope, choices = _org_scope(eng, wanted)
    if not allowed:
        raise Forbidden("只能查看本单位及下级单位的领导带队督查情况")
    today = today_in_china(eng.clock)
    years = [today.year - k for k in range(3)]
    typed = (request.args.get("year") or "").strip()
    try:
        year = int(typed.removesuffix("年")) if typed else today.year
    except ValueError:
        abort(400, f"年度“{typed}”无法识别，请从列表中选择")
    if year not in years:
        years.append(year)
    codes = list(scope.rollup)
    leaders = li.leader_rows(eng, codes, year, today)
    units = li.unit_rows(eng, codes, year, today)
    items = li.open_items(eng, codes)
    joint_units = jm.unit_rows(eng, codes, year, today)
    return render_template("leadership/visits.html", scope=scope, org_choices=choices, year=year, years=sorted(years, reverse=True),
                           leaders=leaders, units=units, items=items, LEAD=li.LEAD, PARTY=li.PARTY, basis=li.BASIS,
                           targets=li.target_notes(),
                           flagged=sum(1 for r in leaders if r[li.LEAD]["flagged"]),
                           joint_units=joint_units, joint_items=jm.open_items(eng, codes), MEETING=jm.MEETING,
                           INSPECTION=jm.INSPECTION, joint_basis=jm.BASIS,
                           joint_flagged=sum(1 for r in joint_units if r[jm.MEETING]["flagged"] or r[jm.INSPECTION]["flagged"]))
