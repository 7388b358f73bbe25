"""事故查处挂牌督办 as a service: a superior bureau lists an accident investigation case for supervision
(分级挂牌督办, 常州 2012 seed 001; 柴桑 2022 seed 004). The supervision case belongs to the investigating
unit's org (its officers report progress there); the superior who lists it is recorded as ``superior`` and
gets the listing, urging and 摘牌 tasks by assignment."""
from __future__ import annotations

PROCESS = "accident_supervision"


def list_accident(engine, by: str, accident_case_id: int):
    """Open the supervision of the accident investigation ``accident_case_id`` by the superior ``by``."""
    accident = engine.case(accident_case_id)
    d = accident.data
    data = {"superior": by, "accident_case_no": accident.case_no,
            "accident_title": d.get("accident_title") or accident.title, "accident_grade": d.get("accident_grade"),
            "occurred_at": d.get("occurred_at"), "enterprise_name": d.get("enterprise_name"),
            "deaths": d.get("deaths"), "report_due": d.get("report_due")}
    return engine.start(PROCESS, by=by, org=accident.org_code, party=accident.party, data=data,
                        title=f"挂牌督办：{data['accident_title']}")
