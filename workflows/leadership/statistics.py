"""The bureau's monthly case statistics (执法监管月度统计): per unit below an org, for a month (or any
period), what was registered, listed, closed, investigated and decided — the figures a bureau reports
upward each month (武进 2017, seed 000: "加强跟踪调度和统计分析").

Counted from case data by the day each thing happened (in China's time), not by when the case opened:
a hazard listed in November counts in November's 挂牌 even if found in October.

| column | counted when | from |
| --- | --- | --- |
| 隐患登记 (一般 / 重大) | the case opened | ``hazard_supervision`` (+ ``hazard_self_report``), ``hazard_grade`` |
| 挂牌督办 / 销号 | ``listed_at`` / ``delisted_at`` | ``hazard_supervision`` |
| 事故起数、死亡、重伤、直接经济损失 | the case opened (接报) | ``accident_investigation``: ``deaths``, ``serious_injuries``, ``direct_loss`` |
| 执法立案 / 作出处罚决定 / 罚款金额 | the case opened / ``decided_at`` | ``enforcement_case``: ``fine_amount`` of the decided |
| 办结案件 | ``ended_at`` of any case | all processes |
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from engine.schema import Case

from .dashboard import ACCIDENT, ENFORCEMENT, HAZARD, _local_date
from .period import SHANGHAI, Period
from .scope import Scope

SELF_REPORT = "hazard_self_report"
COLUMNS = [
    ("hazards_general", "一般隐患登记"), ("hazards_major", "重大隐患登记"), ("listed", "挂牌督办"), ("delisted", "销号"),
    ("accidents", "事故起数"), ("deaths", "死亡人数"), ("injuries", "重伤人数"), ("loss", "直接经济损失（元）"),
    ("filed", "执法立案"), ("decided", "处罚决定"), ("fines", "罚款金额（元）"), ("closed", "办结案件"),
]
MONEY = {"loss", "fines"}


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _money(value) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def monthly(engine, scope: Scope, period: Period) -> dict:
    """Rows per unit below ``scope.root`` (and its own 本级 when it has cases), plus the total."""
    start, end = period.first_day, period.end_day

    def within(value) -> bool:
        day = _local_date(value)
        return day is not None and start <= day < end

    with engine.db.read() as s:
        rows = s.execute(sa.select(Case.org_code, Case.process_key, Case.started_at, Case.ended_at, Case.data)
                         .where(Case.org_code.in_(scope.codes), Case.updated_at >= period.start,
                                Case.started_at < period.end)).all()
    table: dict[str, dict] = defaultdict(lambda: defaultdict(lambda: 0))
    for org, process, started_at, ended_at, data in rows:
        unit = table[scope.rollup.get(org, scope.root)]
        data = data or {}
        opened = start <= started_at.astimezone(SHANGHAI).date() < end
        if process in (HAZARD, SELF_REPORT) and opened:
            unit["hazards_major" if data.get("hazard_grade") == "重大" else "hazards_general"] += 1
        if process == HAZARD:
            unit["listed"] += within(data.get("listed_at"))
            unit["delisted"] += within(data.get("delisted_at"))
        if process == ACCIDENT and opened:
            unit["accidents"] += 1
            unit["deaths"] += _int(data.get("deaths"))
            unit["injuries"] += _int(data.get("serious_injuries"))
            unit["loss"] += _money(data.get("direct_loss"))
        if process == ENFORCEMENT:
            unit["filed"] += opened
            if within(data.get("decided_at")):
                unit["decided"] += 1
                unit["fines"] += _money(data.get("fine_amount"))
        if ended_at is not None and start <= ended_at.astimezone(SHANGHAI).date() < end:
            unit["closed"] += 1
    units = list(scope.units) + ([scope.root] if scope.root in table else [])
    out = [{"org": u, "name": scope.name(u), **{k: _shown(k, table[u][k]) for k, _ in COLUMNS}} for u in units]
    total = {"org": "", "name": "合计", **{k: _shown(k, sum((table[u][k] for u in units), Decimal(0) if k in MONEY else 0))
                                         for k, _ in COLUMNS}}
    return {"period": period.code, "period_label": period.label, "org_name": scope.root_name,
            "columns": COLUMNS, "rows": out, "total": total}


def _shown(key, value):
    return float(value) if key in MONEY else int(value)
