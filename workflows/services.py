"""Service task handlers (服务任务处理程序) the workflows layer registers with the engine.

A model's service task names one (``spiffworkflow:serviceTaskOperator id="lookup_enterprise"``, or
Camunda's ``camunda:class="...LookupEnterprise"`` / ``delegateExpression="${lookupEnterprise}"``,
mapped by the names below). A handler gets the case data and the operator's parameters and
returns what joins the case data; what it raises becomes an incident with its message
(engine/service_tasks.py).

- ``lookup_enterprise``: the enterprise of the case (``credit_code`` parameter, else the case's
  party) from the registry (一企一档): name, sector, risk level, 失信 flag.
- ``penalty_decisions``: the penalties decided against the case's enterprise (行政处罚决定记录,
  ``workflows/penalty_record.py``) for the 安全生产法第一百一十三条 count.
"""
from __future__ import annotations

from engine import Engine


def lookup_enterprise(registry):
    def handler(data: dict, credit_code=None, **_params) -> dict:
        code = (credit_code or data.get("credit_code") or data.get("party") or "").strip()
        if not code:
            raise ValueError("查询企业：案件没有当事企业的统一社会信用代码")
        ent = registry.get(code)
        if ent is None:
            raise ValueError(f"查询企业：企业库中没有统一社会信用代码为 {code} 的企业")
        return {"enterprise_name": ent.name, "enterprise_sector": getattr(ent.sector, "value", str(ent.sector)),
                "enterprise_risk_level": getattr(ent.risk_level, "value", None),
                "enterprise_dishonest": bool(ent.dishonest)}
    return handler


def install(engine: Engine) -> None:
    from workflows.enterprises.registry import EnterpriseRegistry
    registry = EnterpriseRegistry(engine.db.engine, clock=engine.clock.now, read=engine.db.read)
    handler = lookup_enterprise(registry)
    for name in ("lookup_enterprise", "LookupEnterprise", "lookupEnterprise"):  # ours, camunda:class, ${bean}
        engine.register_service(name, handler)
    from workflows import penalty_record
    engine.register_service("penalty_decisions", penalty_record.handler(engine.db.engine))
    from workflows import hazard_reports  # 统计分析表: the ledger's figures, the enterprises a round opens reports for
    hazard_reports.install(engine)
    from workflows import leader_inspection  # 领导带队督查 (seed 004): names for the 督办通知, the round's pace
    leader_inspection.install(engine)
    from workflows import joint_mechanisms  # 联席会议、联合检查执法 (seed 004): hazards' names, the round's pace
    joint_mechanisms.install(engine)
