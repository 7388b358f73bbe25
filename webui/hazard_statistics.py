"""隐患排查治理季度统计 (16号令第十四条): hazards found and rectified per enterprise and per district in a
quarter, from ``workflows.hazard_ledger.quarterly_statistics``, within the official's org units; the
districts and the total on every page, the enterprises fifty a page in the order of their key.
Enterprise users have their own 隐患清单 on their file instead."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request, session

from engine.errors import Forbidden
from workflows.hazard_ledger import quarterly_statistics

from . import parties
from .auth import engine
from .paging import PAGE_SIZE

bp = Blueprint("hazard_statistics", __name__, url_prefix="/hazards")


def _int(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int((request.args.get(name) or "").strip().translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    except ValueError:
        return default
    return value if low <= value <= high else default


@bp.get("/statistics")
def quarterly():
    if g.user.party:
        raise Forbidden("企业用户请在本企业档案中查看隐患清单")
    today = parties.today()
    this_quarter = (today.month - 1) // 3 + 1
    year = _int("year", today.year, 2000, 2100)
    quarter = _int("quarter", this_quarter, 1, 4)
    after = request.args.get("after") or None  # 按企业 pages on by key: where the previous page ended
    stats = quarterly_statistics(engine(), year, quarter, parties.org_scope(g.user), after=after, limit=PAGE_SIZE,
                                 directory_version=getattr(session, "directory_version", None))
    return render_template("hazards/statistics.html", stats=stats, after=after,
                           years=range(today.year - 4, today.year + 1))
