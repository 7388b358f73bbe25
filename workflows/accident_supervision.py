"""事故查处挂牌督办 as a service: a superior bureau lists an accident investigation case for supervision
(分级挂牌督办, 常州 2012 seed 001; 下原镇 2019 seed 004). The supervision case belongs to the investigating
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
                        title=f"挂牌督办：{data['accident_title']}", parent_case_id=accident.id)


def may_list(engine, username: str, accident) -> bool:
    """May ``username`` list ``accident`` for supervision: a running accident investigation, of a unit
    below the user's own, by a 局长 or 分管负责人 of that superior unit (分级挂牌督办), not yet listed."""
    if accident.process_key != "accident_investigation" or accident.status != "running":
        return False
    user = engine.directory.principal(username)
    if user.party or not ({"director", "leader"} & set(user.roles)):
        return False
    theirs = {o.code: o.path for o in engine.directory.orgs()}.get(accident.org_code, "")
    if not (theirs.startswith(user.org_path) and theirs != user.org_path):
        return False
    return not listings(engine, accident.id, running_only=True)


def listings(engine, accident_case_id: int, running_only: bool = False) -> list:
    """The 挂牌督办 cases of an accident investigation."""
    from engine.queries import child_cases
    return [c for c in child_cases(engine, accident_case_id)
            if c.process_key == PROCESS and (c.status == "running" or not running_only)]
