"""安全生产（专项整治）联席会议 and 联合检查执法, and each unit's yearly count of them, under 下原镇2019年安全生产工作计划
(seed 004) 三（一）3 「建立健全安全生产联席会议制度」 and 三（二）1 「各专项整治牵头部门……建立专项整治联席会议制度，
全年召开整治工作联席会议不少于4次，联合检查执法活动不少于4次」.

- a meeting (``joint_meeting``) counts in the year of its 召开日期 (``met_on``), a joint inspection
  (``joint_inspection``) in that of its 检查日期 (``inspected_on``), both recorded afterwards: one on 31 December
  counts for that year, one on 1 January for the next (``workflows.yearly_count``). A plan is not a meeting;
  cancelled cases never count. Each counts for the unit that convened or led it (the case's unit).
- the count (``unit_rows``): per unit of the subtree viewed that has a 安委会办公室 official or held one of them
  this year, each kind against 4, with its months and its standing (``yearly_count.standing``).
- the reminders: a standing round per unit (``joint_round``, set up once) wakes at 00:00 of each quarter's first
  day and for each unit of its subtree below the even pace (1, 2, 3 at the starts of the second, third and fourth
  quarters) opens a ``joint_reminder`` case in that unit, whose task goes to its 安委会办公室 (none: 科室负责人).
- 议定事项 (``open_items``): each answered by its 责任人 in a task due at the end of its 办结期限; an open one past
  that day is 逾期 — the leader inspection's 督办事项 read the same way (``leader_inspection.open_items``).
- a joint inspection's 事故隐患 open hazard cases as a leader's visit's do (``leader_inspection.open_finding_hazards``).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from engine.clock import today_in_china
from engine.schema import Case, User, UserRole
from workflows import leader_inspection as li, yearly_count
from workflows.yearly_count import count, counted_year, expected_by, org_names, quarter_of

MEETING, INSPECTION = "joint_meeting", "joint_inspection"
ROUND, REMINDER = "joint_round", "joint_reminder"
REMINDERS = yearly_count.Round(ROUND, REMINDER, "联席会议和联合检查执法")
MEETING_NAME, INSPECTION_NAME = "联席会议", "联合检查执法"
DAY_FIELD = {MEETING: "met_on", INSPECTION: "inspected_on"}
KINDS = {MEETING: MEETING_NAME, INSPECTION: INSPECTION_NAME}
TARGET = 4  # 种子004 三（二）1: 全年召开整治工作联席会议不少于4次，联合检查执法活动不少于4次
BASIS = ("《下原镇2019年安全生产工作计划》（种子004）三（二）1：各专项整治牵头部门建立专项整治联席会议制度，全年召开"
         "整治工作联席会议不少于4次，联合检查执法活动不少于4次；三（一）3：建立健全安全生产联席会议制度")


def events(engine, org_codes: list[str] | None, year: int) -> list[dict]:
    """The meetings and joint inspections of ``year`` (by the day held) led by ``org_codes`` (None: all)."""
    where = [Case.process_key.in_(tuple(KINDS)), Case.status != "cancelled"]
    if org_codes is not None:
        where.append(Case.org_code.in_(org_codes))
    with engine.db.read() as s:
        rows = s.execute(sa.select(Case.id, Case.case_no, Case.process_key, Case.org_code, Case.data).where(*where)).all()
    out = []
    for case_id, case_no, key, org, data in rows:
        day = (data or {}).get(DAY_FIELD[key])
        if counted_year(day) != year:
            continue
        out.append({"case_id": case_id, "case_no": case_no, "kind": key, "org_code": org, "day": day,
                    "month": int(day[5:7])})
    out.sort(key=lambda e: (e["day"], e["case_id"]))
    return out


def _offices(engine, org_codes: list[str] | None) -> set[str]:
    """Units with an active 安委会办公室 official: the ones expected to convene and lead."""
    q = (sa.select(User.org_code).join(UserRole, UserRole.username == User.username)
         .where(UserRole.role_code == "safety_office", User.active.is_(True), User.party.is_(None)).distinct())
    if org_codes is not None:
        q = q.where(User.org_code.in_(org_codes))
    with engine.db.read() as s:
        return set(s.scalars(q))


def unit_rows(engine, org_codes: list[str] | None, year: int, today: dt.date | None = None) -> list[dict]:
    """Per unit: the year's 联席会议 and 联合检查执法 each against 4, their months and standing."""
    today = today or today_in_china(engine.clock)
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for e in events(engine, org_codes, year):
        by_unit[e["org_code"]].append(e)
    names = org_names(engine)
    out = []
    for unit in sorted(set(by_unit) | _offices(engine, org_codes), key=lambda u: (names.get(u, u), u)):
        row: dict = {"org_code": unit, "org_name": names.get(unit, unit)}
        for key in KINDS:
            mine = [e for e in by_unit.get(unit, []) if e["kind"] == key]
            row[key] = {**count(len(mine), TARGET, year, today), "months": sorted({e["month"] for e in mine})}
        out.append(row)
    return out


def open_items(engine, org_codes: list[str] | None) -> list[dict]:
    """议定事项 not yet answered, overdue first (``leader_inspection.open_items`` over ``joint_meeting``)."""
    return li.open_items(engine, org_codes, MEETING)


# --- the joint inspection's service and script --------------------------------------------------------

def facts_handler(engine):
    """Service ``joint_inspection_facts``: the findings that are 事故隐患, with their enterprise's name."""
    def handler(data: dict, **_params) -> dict:
        return {"inspection_year": counted_year(data.get("inspected_on")),
                "hazard_findings": li.named_hazards(engine, li.hazard_rows(data.get("findings")))}
    return handler


def open_joint_hazards(findings, inspected_on, topic) -> int:
    """Each 事故隐患 a joint inspection found becomes a ``hazard_supervision`` case (not host-safe)."""
    return li.open_finding_hazards(findings, inspected_on, topic, INSPECTION_NAME)


# --- the round: units behind the pace -------------------------------------------------------------------

def behind_on(engine, org_codes: list[str] | None, today: dt.date) -> list[dict]:
    """Per unit below the pace at ``today``'s quarter start, one reminder (none in the first quarter)."""
    quarter = quarter_of(today)
    if quarter == 1:
        return []
    need = expected_by(TARGET, quarter)
    with engine.db.read() as s:
        return [REMINDERS.reminder(s, row["org_code"], today, lines) for row in unit_rows(engine, org_codes, today.year, today)
                if (lines := [f"{name}已完成{row[key]['done']}次（到本季度初应完成{need}次，全年不少于{TARGET}次）"
                              for key, name in KINDS.items() if row[key]["done"] < need])]


# one ``joint_reminder`` case per unit behind, in that unit (the round's script); the round for a unit
open_joint_reminders, open_round = REMINDERS.open_reminders, REMINDERS.open


def install(engine) -> None:
    """The services the models call: the joint inspection's facts and the round's pace."""
    services = {"joint_inspection_facts": facts_handler(engine), "joint_pace": REMINDERS.pace_handler(engine, behind_on)}
    for name, handler in services.items():
        engine.register_service(name, handler)
