"""双随机抽查计划 (inspection plans) as a service: starting a plan with the snapshot its draw needs, the
start data of the cases the draw opens, and the plan completion rate per plan and per unit (武进 2017,
seed 000: "执法计划实施过程实行网上跟踪，确保完成率达到100%").

A plan case started here, from the 发起案件 page or the API (``workflows.start_data``) records in the case the
enterprises of the unit and below (the draw pool, with sector and risk level from the registry), the
unit's inspectors, and who inspected each enterprise last in a 双随机 inspection (回避). The draw itself
runs later in the model's script task (``inspection_draw`` = ``random_inspection.draw_from_data``) with a
seed recorded beside its result, so an auditor re-runs it from the case data alone.
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from engine.schema import Case
from workflows.random_inspection import draw_from_data

PLAN, INSPECTION = "inspection_plan", "random_inspection"


def snapshot(engine, org: str) -> dict:
    """The draw's inputs as of now: enterprises and inspectors of ``org`` and below, last inspectors."""
    from workflows.enterprises.models import Enterprise as E
    from workflows.enterprises.terms import UnitKind
    with engine.db.read() as s:
        orgs = engine.directory.org_codes_below(s, engine.directory.org_path(s, org))
        rows = s.execute(sa.select(E.credit_code, E.name, E.sector, E.risk_level, E.org_unit)   # 生产经营单位 only
                         .where(E.org_unit.in_(orgs), E.kind == UnitKind.ENTERPRISE)).all()
        past = list(s.scalars(sa.select(Case).where(Case.process_key == INSPECTION).order_by(Case.started_at, Case.id)))
    users = engine.directory.users_with_role("inspector")
    staff = []
    for username in sorted(users):
        user = engine.directory.user(username)
        if user.org_code in orgs:
            staff.append({"username": username, "name": user.name or username, "conflicts": []})
    last: dict[str, list[str]] = {}
    for case in past:                   # oldest first (ties by id, the one opened later): the last one wins
        d = case.data or {}
        if d.get("credit_code"):
            last[d["credit_code"]] = list(d.get("inspectors") or [])
    pool = [{"credit_code": r.credit_code, "name": r.name, "sector": _value(r.sector),
             "risk_level": _value(r.risk_level), "org_unit": r.org_unit} for r in rows]
    return {"draw_pool": sorted(pool, key=lambda p: p["credit_code"]), "draw_inspectors": staff,
            "last_inspectors": last}


def _value(v):
    return getattr(v, "value", v)


def start_plan(engine, by: str, org: str, title: str = ""):
    """Open a plan case in ``org`` with the snapshot its draw needs."""
    return engine.start(PLAN, by=by, org=org, title=title or "双随机抽查计划", data=snapshot(engine, org))


def audit_draw(data: dict) -> list[dict]:
    """An auditor's re-run of a plan's recorded draw, from the case data alone."""
    return draw_from_data(data["draw_seed"], data["draw_pool"], data["draw_inspectors"], quota_map(data["quotas"]),
                          draw_conflicts(data.get("last_inspectors"), data.get("avoidances")), data["team_size"])


# --- functions for the models' scripts -----------------------------------------------------------

def quota_map(quotas) -> dict:
    out: dict[str, int] = defaultdict(int)
    for row in quotas or []:
        out[row["sector"]] += int(row["count"])
    return dict(out)


def draw_conflicts(last_inspectors, avoidances) -> dict:
    """Who may not inspect each enterprise: last time's inspectors plus declared conflicts (回避声明)."""
    out = {code: list(names) for code, names in (last_inspectors or {}).items()}
    for row in avoidances or []:
        out.setdefault(row["credit_code"], []).append(row["inspector"])
    return out


def inspection_seed(pick: dict, plan_no: str, plan_name: str, period_end) -> dict:
    return {"plan_no": plan_no, "plan_name": plan_name, "credit_code": pick["credit_code"], "name": pick["name"],
            "sector": pick.get("sector"), "risk_level": pick.get("risk_level"), "inspectors": list(pick["inspectors"]),
            "inspect_due": period_end}


def open_inspections(picks, plan_no: str, plan_name: str, period_end) -> int:
    """每个抽中企业生成一件检查案件: the plan's draw opens a 双随机现场检查 case per pick (``start_case``: once
    the step is done, in its transaction), against the drawn enterprise, with ``inspection_seed``'s data;
    how many. One call from the draw's script where a loop in it called ``inspection_seed`` and
    ``start_case`` once each per enterprise, each call a round trip between the script's isolated
    worker and the host (engine/evaluator.py): 2 per drawn enterprise, now 1 a draw. It asks the
    engine for something, so it is not host-safe (workflows/functions.py ``HOST_SAFE``)."""
    from engine.scripting import start_case
    for pick in picks or []:
        start_case(INSPECTION, inspection_seed(pick, plan_no, plan_name, period_end), party=pick["credit_code"],
                   title="双随机抽查：" + pick["name"])
    return len(picks or [])


def inspection_hazard_seed(name, credit_code, findings, inspected_on) -> dict:
    return {"source": "监督检查发现", "enterprise_name": name, "credit_code": credit_code, "description": findings,
            "found_on": inspected_on, "hazard_grade": "重大"}


def inspection_penalty_seed(name, credit_code, findings, case_no) -> dict:
    return {"source": "监督检查发现", "party_name": name, "party_type": "单位", "credit_code": credit_code,
            "violation_facts": f"{findings}（双随机抽查{case_no}）"}


# --- completion ------------------------------------------------------------------------------------

def plan_completion(engine, plan_case_id: int) -> dict:
    """Drawn, inspected (past 现场检查), published and the completion rate of one plan."""
    with engine.db.read() as s:
        kids = list(s.scalars(sa.select(Case).where(Case.parent_case_id == plan_case_id,
                                                    Case.process_key == INSPECTION)))
    inspected = sum(1 for c in kids if (c.data or {}).get("inspection_result"))
    published = sum(1 for c in kids if c.status == "completed")
    rate = f"{inspected * 100 / len(kids):.1f}%" if kids else "—"
    return {"drawn": len(kids), "inspected": inspected, "published": published, "rate": rate}


def completion_by_unit(engine) -> list[dict]:
    """Plan completion per org unit (执法计划完成率), over all its plans that have drawn."""
    with engine.db.read() as s:
        plans = list(s.scalars(sa.select(Case).where(Case.process_key == PLAN)))
    totals: dict[str, dict] = defaultdict(lambda: {"plans": 0, "drawn": 0, "inspected": 0})
    for plan in plans:
        c = plan_completion(engine, plan.id)
        if not c["drawn"]:
            continue
        t = totals[plan.org_code]
        t["plans"] += 1
        t["drawn"] += c["drawn"]
        t["inspected"] += c["inspected"]
    return [{"org_code": org, **t, "rate": f"{t['inspected'] * 100 / t['drawn']:.1f}%"}
            for org, t in sorted(totals.items())]
