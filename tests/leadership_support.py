"""The city the leadership tests share (领导驾驶舱, 通报排名, browser): four districts, one with a town; a
real hazard case still listed and one walked to 销号, plus cases as the bureau's data has them (bulk rows
in the engine's tables, the way bench/pages.py fills a database)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from engine.schema import Case
from tests.ui_support import _password_hash, major_case_at, make_world, open_task

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)


def add_cases(engine, rows):
    """Cases as they are after their steps ran: process, org unit, status, data (bulk rows)."""
    with engine.db.write() as s:
        base = s.execute(sa.select(Case).order_by(Case.id)).scalars().first()
        n = s.execute(sa.select(sa.func.count()).select_from(Case)).scalar()
        s.execute(sa.insert(Case), [{
            "case_no": f"T-{n + i:05d}", "process_key": r["process"], "model_id": base.model_id,
            "bundle_hash": base.bundle_hash, "org_code": r["org"], "title": r.get("title", "测试案件"), "party": None,
            "status": r.get("status", "running"), "escalation_level": r.get("level", 0), "version": 1,
            "data": r.get("data", {}), "started_by": "zhang", "started_at": r.get("started", NOW - timedelta(days=10)),
            "updated_at": NOW, "ended_at": r.get("ended")} for i, r in enumerate(rows)])


def build_world(folder, url=None):
    """The test city: 东/西/北/南城区 (东城区 with a town), real hazard cases and bulk rows."""
    w = make_world(folder, url)
    d = w.engine.directory
    d.add_org("north", "北城区应急管理局", parent="city", level="区")
    d.add_org("south", "南城区应急管理局", parent="city", level="区")
    d.add_org("east_town", "东城区青山镇", parent="east", level="镇")
    listed = major_case_at(w.engine, "submit_plan", title="甲化工储罐区隐患")  # 重大, listed, due 2027-02-26
    closed = major_case_at(w.engine, "approve_close", title="甲化工仓库隐患")
    for element, user, data in (("approve_close", "qian", {"close_approval_decision": "同意"}),
                                ("publish_delist", "zhang", {"delist_published_on": "2026-11-23",
                                                             "delist_channel": "区政府门户网站"})):
        w.engine.complete(open_task(w.engine, closed.id, element).id, user, data)
    q4 = datetime(2026, 10, 20, tzinfo=timezone.utc)
    q3 = datetime(2026, 8, 20, tzinfo=timezone.utc)
    q2 = datetime(2026, 5, 20, tzinfo=timezone.utc)
    add_cases(w.engine, [
        # west: a listing past its 督办期限, and a 重大 hazard closed a day late
        {"process": "hazard_supervision", "org": "west", "data": {"hazard_grade": "重大", "listed_at": "2026-08-01",
                                                                   "rectify_deadline": "2026-11-20"}},
        {"process": "hazard_supervision", "org": "west", "status": "completed", "ended": NOW - timedelta(days=1),
         "data": {"hazard_grade": "重大", "rectify_deadline": "2026-11-20", "delisted_at": "2026-11-20T16:00:00+00:00"}},
        # east's town: a general hazard, counted for 东城区
        {"process": "hazard_supervision", "org": "east_town", "data": {"hazard_grade": "一般"}},
        # accidents: 较大 in north in November, 一般 in south in October; north also in Q3 and Q2
        {"process": "accident_investigation", "org": "north", "started": NOW - timedelta(days=3),
         "data": {"accident_grade": "较大"}},
        {"process": "accident_investigation", "org": "south", "started": q4, "data": {"accident_grade": "一般"}},
        {"process": "accident_investigation", "org": "north", "started": q3, "data": {"accident_grade": "重大"}},
        {"process": "accident_investigation", "org": "north", "started": q2, "data": {"accident_grade": "重大"}},
        {"process": "accident_investigation", "org": "south", "started": q3, "data": {"accident_grade": "较大"}},
        {"process": "accident_investigation", "org": "south", "started": q2, "data": {"accident_grade": "较大"}},
        # enforcement: south decided after 100 days (late), east within 30
        {"process": "enforcement_case", "org": "south", "status": "completed", "started": NOW - timedelta(days=100),
         "data": {"decided_at": "2026-11-20"}},
        {"process": "enforcement_case", "org": "east", "status": "completed", "started": NOW - timedelta(days=30),
         "data": {"decided_at": "2026-11-20"}},
        # 双随机 inspections drawn by a plan in November: one done, one not yet
        {"process": "random_inspection", "org": "east", "status": "completed", "ended": NOW},
        {"process": "random_inspection", "org": "east"},
        # escalated cases
        {"process": "hazard_supervision", "org": "north", "level": 2, "data": {"hazard_grade": "重大"}},
    ])
    add_enterprises(w.engine, [("south", "橙"), ("south", "蓝"), ("south", "蓝"), ("east_town", "红")])
    d.add_user("admin_zhou", org="city", roles=["admin"], name="周管理员", password_hash=_password_hash())
    w.listed_id, w.closed_id = listed.id, closed.id
    return w


def add_enterprises(engine, places):
    """Enterprises of the registry with a risk level (红橙黄蓝) at an org unit."""
    from workflows.enterprises import Enterprise
    from workflows.enterprises.samples import fake_enterprises
    from workflows.enterprises.search_index import bulk_insert
    rows = []
    for values, (org, level) in zip(fake_enterprises(len(places), seed=18), places):
        values.update(org_unit=org, risk_level=level, last_inspected_on=NOW.date(), dishonest=False,
                      dishonest_from=None, dishonest_until=None)
        rows.append(Enterprise.insert_values(values, NOW))
    with engine.db.engine.begin() as conn:
        bulk_insert(conn, Enterprise.__table__, rows)
