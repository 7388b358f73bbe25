"""领导带队督查检查 and the leaders' yearly count, under 下原镇2019年安全生产工作计划 (seed 004) 三（一）1:
「确保党委对安全生产……落实情况的检查督办，全年不得少于两次」「建立健全党、政领导定期带队督查检查安全生产工作机制、
全年不少于4次」.

- a visit (``leader_inspection``) counts in the year of its 督查日期 (``visited_on``, recorded after the visit):
  one on 31 December counts for that year, one on 1 January for the next. Only recorded visits count (a plan
  is not a visit), cancelled cases never.
- the count (``leader_rows``, ``unit_rows``): per unit (the unit whose 安委会办公室 organised the visit) — what the
  seed counts: 「建立健全党、政领导定期带队督查检查安全生产工作机制、全年不少于4次」 is the unit's mechanism, its 党、政
  领导 together, so all its leaders' visits count against the one 4 (and 党委检查督办 against 2) — and per leader, each
  one's part (the active holders of 分管领导 or 局长 in the units viewed, with none yet shown as 0), with the months
  they fell in. Past the target the label stops at it: 「已完成 4/4（共 6 次）」 (``done_label``), never 「已完成 6/4」.
- the standing (``standing``): 已达标 once the target is met; else after the year 全年未达标, in its fourth
  quarter 第四季度未达标 (flagged: the last quarter to make it up), and earlier 进度落后 when below the pace of
  an even spread — at the start of quarter q, ⌊target × (q − 1) / 4⌋ done (领导带队 1, 2, 3 at the starts of
  the second, third and fourth quarters; 党委检查督办 1 at the third's) — else 进行中.
- the reminders: a standing round per unit (``leader_inspection_round``, set up once, as the 统计分析表 报送安排
  is) wakes at 00:00 of each quarter's first day, and for each unit of its subtree with a leader below that
  pace opens a ``leader_inspection_reminder`` case in that unit, whose task goes to the unit's 安委会办公室
  (none there: its 科室负责人) — a 新待办 in their message centre (workflows/messages/producer.py).
- 督办事项 (``open_items``): each one answered by its 责任人 in a task due at the end of its 办结期限; an open
  one past that day is 逾期.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from engine.clock import today_in_china
from engine.schema import Case, HumanTask, OrgUnit, User, UserRole
from workflows import yearly_count
from workflows.forms.leader_inspection import SEED
from workflows.yearly_count import (count, counted_year, day_due as _day_due, done_label,  # noqa: F401 (done_label: its label)
                                    expected_by, org_names as _org_names, quarter_of)

PROCESS, ROUND, REMINDER = "leader_inspection", "leader_inspection_round", "leader_inspection_reminder"
LEAD, PARTY = "领导带队督查检查", "党委检查督办"
REMINDERS = yearly_count.Round(ROUND, REMINDER, "领导带队督查")
TARGETS = {LEAD: 4, PARTY: 2}  # 种子004 三（一）1: 全年不少于4次 / 全年不得少于两次
LEAD_CLAUSE = "建立健全党、政领导定期带队督查检查安全生产工作机制、全年不少于4次"
PARTY_CLAUSE = "党委对安全生产落实情况的检查督办，全年不得少于两次"
TARGET_BASIS = {LEAD: f"{SEED}：{LEAD_CLAUSE}；不分主要负责人和分管负责人", PARTY: f"{SEED}：{PARTY_CLAUSE}"}
LEADER_ROLES = ("leader", "director")
BASIS = f"{SEED}：{LEAD_CLAUSE}；{PARTY_CLAUSE}"


def target_notes() -> list[str]:
    """「领导带队督查检查年度目标 4 次（依据…）」 per kind: what each leader's row is held to, as the 按领导 table says.

    《下原镇2019年安全生产工作计划》（种子004）三（一）1 sets one number for all the 党、政 leaders — 「建立健全党、政领导
    定期带队督查检查安全生产工作机制、全年不少于4次」, 「党委……检查督办，全年不得少于两次」 — and no different count
    by post; no other seed sets a count per post (seeds 000–003 name 主要负责人 and 分管负责人 only for 责任, 考核 and 约谈).
    So a 局长 (``director``, the unit's 主要负责人) and a 分管领导 (``leader``, a 分管负责人) alike are held to
    ``TARGETS`` — the rows, their standing and the quarterly reminders all read it there."""
    return [f"{kind}年度目标 {TARGETS[kind]} 次（依据{TARGET_BASIS[kind]}）" for kind in TARGETS]


def _today(engine) -> dt.date:
    return today_in_china(engine.clock)


# --- the visits and the count --------------------------------------------------------------------------

def visits(engine, org_codes: list[str] | None, year: int) -> list[dict]:
    """The recorded visits of ``year`` (by 督查日期) organised by the units ``org_codes`` (None: all)."""
    where = [Case.process_key == PROCESS, Case.status != "cancelled"]
    if org_codes is not None:
        where.append(Case.org_code.in_(org_codes))
    with engine.db.read() as s:
        rows = s.execute(sa.select(Case.id, Case.case_no, Case.org_code, Case.data).where(*where)).all()
    out = []
    for case_id, case_no, org, data in rows:
        d = data or {}
        if counted_year(d.get("visited_on")) != year:
            continue
        out.append({"case_id": case_id, "case_no": case_no, "org_code": org, "leader": d.get("leader"),
                    "kind": d.get("inspection_kind") or LEAD, "visited_on": d["visited_on"],
                    "month": int(d["visited_on"][5:7]), "topic": d.get("topic") or ""})
    out.sort(key=lambda v: (v["visited_on"], v["case_id"]))
    return out


def leaders(engine, org_codes: list[str] | None) -> list[dict]:
    """The active holders of 分管领导 or 局长 in ``org_codes`` (None: all): username, name, org_code."""
    q = (sa.select(User.username, User.name, User.org_code).join(UserRole, UserRole.username == User.username)
         .where(UserRole.role_code.in_(LEADER_ROLES), User.active.is_(True), User.party.is_(None)).distinct())
    if org_codes is not None:
        q = q.where(User.org_code.in_(org_codes))
    with engine.db.read() as s:
        return [{"username": u, "name": n or u, "org_code": o} for u, n, o in s.execute(q.order_by(User.org_code, User.username))]


def _counts(vs: list[dict], today: dt.date, year: int) -> dict:
    out = {}
    for kind, target in TARGETS.items():
        mine = [v for v in vs if v["kind"] == kind]
        out[kind] = {**count(len(mine), target, year, today), "months": sorted({v["month"] for v in mine}),
                     "cases": [{"case_id": v["case_id"], "case_no": v["case_no"], "visited_on": v["visited_on"]}
                               for v in mine]}
    return out


def leader_rows(engine, org_codes: list[str] | None, year: int, today: dt.date | None = None) -> list[dict]:
    """Per leader of ``org_codes``: the year's counts of each kind against its target, the months, the standing."""
    today = today or _today(engine)
    by_leader: dict[str, list[dict]] = defaultdict(list)
    for v in visits(engine, org_codes, year):
        by_leader[v["leader"]].append(v)
    names = _org_names(engine)
    return [{**p, "org_name": names.get(p["org_code"], p["org_code"]), **_counts(by_leader.get(p["username"], []), today, year)}
            for p in leaders(engine, org_codes)]


def unit_rows(engine, org_codes: list[str] | None, year: int, today: dt.date | None = None) -> list[dict]:
    """Per unit that has leaders or visits: the year's counts of each kind against its target."""
    today = today or _today(engine)
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for v in visits(engine, org_codes, year):
        by_unit[v["org_code"]].append(v)
    units = set(by_unit) | {p["org_code"] for p in leaders(engine, org_codes)}
    names = _org_names(engine)
    return [{"org_code": u, "org_name": names.get(u, u), **_counts(by_unit.get(u, []), today, year)}
            for u in sorted(units, key=lambda u: (names.get(u, u), u))]


def open_items(engine, org_codes: list[str] | None, process: str = PROCESS) -> list[dict]:
    """督办事项 (or a 联席会议's 议定事项, ``process`` joint_meeting) not yet answered: the matter, who answers, the
    办结期限, 逾期 N 天 once past it; overdue first. The answering task is ``answer`` in both."""
    where = [HumanTask.process_key == process, HumanTask.spec_id == "answer", HumanTask.state == "open"]
    with engine.db.read() as s:
        q = (sa.select(HumanTask.case_id, HumanTask.case_no, HumanTask.case_title, HumanTask.item_label,
                       HumanTask.assignee, HumanTask.due_at, Case.org_code)
             .join(Case, Case.id == HumanTask.case_id).where(*where))
        if org_codes is not None:
            q = q.where(Case.org_code.in_(org_codes))
        rows = s.execute(q).all()
        people = dict(s.execute(sa.select(User.username, User.name)
                                .where(User.username.in_({r.assignee for r in rows if r.assignee}))).all()) if rows else {}
    today = today_in_china(engine.clock)
    out = []
    for r in rows:
        due = _day_due(r.due_at)
        overdue_days = (today - due).days if due and due < today else 0
        out.append({"case_id": r.case_id, "case_no": r.case_no, "case_title": r.case_title, "matter": r.item_label or "",
                    "owner": people.get(r.assignee, r.assignee or ""), "item_due": due.isoformat() if due else None,
                    "overdue_days": overdue_days, "org_code": r.org_code})
    out.sort(key=lambda i: (-i["overdue_days"], i["item_due"] or "", i["case_id"]))
    return out


# --- the visit's service: names for the notice, hazards to pass on -------------------------------------

def facts_handler(engine):
    """Service ``leader_inspection_facts``: the leader's name, each 督办事项 with its unit's and person's names
    (the 督办通知 prints them), and the findings that are 事故隐患 with their enterprise's registered name."""
    def handler(data: dict, **_params) -> dict:
        items = data.get("supervision_items") or []
        hazards = hazard_rows(data.get("findings"))
        with engine.db.read() as s:
            people = dict(s.execute(sa.select(User.username, User.name).where(User.username.in_(
                {data.get("leader")} | {i.get("owner") for i in items}))).all())
            units = dict(s.execute(sa.select(OrgUnit.code, OrgUnit.name).where(OrgUnit.code.in_(
                {i.get("responsible_org") for i in items}))).all())
        return {"leader_name": people.get(data.get("leader"), data.get("leader") or ""),
                "visit_year": counted_year(data.get("visited_on")), "notice_issued_on": _today(engine).isoformat(),
                "notice_items": [{"matter": i.get("matter"), "unit_name": units.get(i.get("responsible_org"), ""),
                                  "owner_name": people.get(i.get("owner"), ""), "item_due": i.get("item_due")}
                                 for i in items],
                "hazard_findings": named_hazards(engine, hazards)}
    return handler


def hazard_rows(findings) -> list[dict]:
    """The findings that are 事故隐患 with their enterprise chosen (the forms ask for it)."""
    from workflows.forms.leader_inspection import HAZARD_KINDS
    return [f for f in findings or [] if f.get("finding_kind") in HAZARD_KINDS and f.get("credit_code")]


def named_hazards(engine, hazards: list[dict]) -> list[dict]:
    """``hazards`` with their enterprise's registered name, as the hazard cases they open are titled."""
    from workflows.enterprises.models import Enterprise
    with engine.db.read() as s:
        firms = dict(s.execute(sa.select(Enterprise.credit_code, Enterprise.name).where(Enterprise.credit_code.in_(
            {f["credit_code"] for f in hazards}))).all()) if hazards else {}
    return [{"credit_code": f["credit_code"], "enterprise_name": firms.get(f["credit_code"], ""),
             "problem": f.get("problem"), "finding_kind": f.get("finding_kind")} for f in hazards]


def hazard_seed(finding: dict, visited_on: str, topic: str, mechanism: str = "领导带队督查") -> dict:
    """Start data of the hazard case a visit's (or a 联合检查执法's) 事故隐患 opens (登记隐患 opens with it, as for
    a 双随机 inspection)."""
    return {"source": "监督检查发现", "enterprise_name": finding.get("enterprise_name"),
            "credit_code": finding.get("credit_code"),
            "description": f"{finding.get('problem') or ''}（{mechanism}：{topic or ''}）",
            "found_on": visited_on, "hazard_grade": "重大" if finding.get("finding_kind") == "重大事故隐患" else "一般"}


def open_leader_hazards(findings, visited_on, topic) -> int:
    """Each 事故隐患 a visit found becomes a ``hazard_supervision`` case against its enterprise (``start_case``,
    once the step is done); how many. Not host-safe (it asks the engine to start cases)."""
    return open_finding_hazards(findings, visited_on, topic, "领导带队督查")


def open_finding_hazards(findings, day, topic, mechanism: str) -> int:
    """Each 事故隐患 ``mechanism`` found on ``day`` becomes a ``hazard_supervision`` case against its enterprise."""
    from engine.scripting import start_case
    for f in findings or []:
        start_case("hazard_supervision", hazard_seed(f, day, topic, mechanism), party=f.get("credit_code"),
                   title=f"{f.get('enterprise_name') or ''}{mechanism}发现隐患")
    return len(findings or [])


# --- the round: units with leaders behind the pace ------------------------------------------------------

def behind_on(engine, org_codes: list[str] | None, today: dt.date) -> list[dict]:
    """Per unit, the leaders below the pace at ``today``'s quarter start, as one reminder each (none in the
    first quarter: nothing is due yet, and last year's shortfall is on the leaders' page)."""
    quarter = quarter_of(today)
    if quarter == 1:
        return []
    by_unit: dict[str, list[str]] = defaultdict(list)
    for row in leader_rows(engine, org_codes, today.year, today):
        for kind, target in TARGETS.items():
            need = expected_by(target, quarter)
            if row[kind]["done"] < need:
                by_unit[row["org_code"]].append(f"{row['name']}{kind}已完成{row[kind]['done']}次（到本季度初应完成{need}次，"
                                                f"全年不少于{target}次）")
    with engine.db.read() as s:
        return [REMINDERS.reminder(s, org, today, lines) for org, lines in sorted(by_unit.items())]


def open_leader_reminders(reminders) -> int:
    """One ``leader_inspection_reminder`` case per unit with a leader behind (``start_case``), in that unit."""
    return REMINDERS.open_reminders(reminders)


open_round = REMINDERS.open  # (engine, org, by): the round for a unit, as 发起案件 sets it up


def install(engine) -> None:
    engine.register_service("leader_inspection_facts", facts_handler(engine))
    engine.register_service("leader_inspection_pace", REMINDERS.pace_handler(engine, behind_on))
