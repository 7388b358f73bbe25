"""领导带队督查检查, the leftovers of s27, on SQLite and PostgreSQL (the real process, the demo directory).

下原镇2019年安全生产工作计划 (seed 004) 三（一）1: 「建立健全党、政领导定期带队督查检查安全生产工作机制、全年不少于4次」
— the unit's mechanism, its 党、政 leaders together: the unit row counts all their visits against the one 4 and, past
it, reads 「已完成 4/4（共 6 次）」, never 「已完成 6/4」. A plan is for days to come: a 计划督查日期 before today (the
engine's clock, Beijing) is refused naming the field; a visit that already took place is recorded with its real, past
督查日期 and counts by it.
"""
from __future__ import annotations

import datetime as dt

import pytest

from engine import InvalidData
from engine.clock import SHANGHAI
from tests.process_support import process_world
from workflows import leader_inspection as li
from workflows.demo import MACHINERY, register_enterprises

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)   # Monday, fourth quarter
PLAN, RECORD = "制定领导带队督查计划", "记录督查情况"
DONGCHENG = ["dongcheng", "dongcheng_heping", "dongcheng_qinghe"]
PLANNED = {"inspection_kind": li.LEAD, "team": ["zhang_san"], "visited_enterprises": [{"credit_code": MACHINERY}],
           "topic": "安全生产督查"}


@pytest.fixture(scope="module")
def w(module_database_url):
    for made in process_world(module_database_url, li.PROCESS, None, NOW):
        register_enterprises(made.engine)
        yield made


def _visit(w, leader: str, visited_on: str) -> int:
    case = w.desk.start(li.PROCESS, by="dc_aw", org="dongcheng", title=f"督查{visited_on}")
    w.desk.do(case.id, PLAN, user="dc_aw", leader=leader, planned_on="2026-12-07", **PLANNED)
    w.desk.do(case.id, RECORD, user=leader, visited_on=visited_on, findings=[], supervision_items=[])
    return case.id


def test_a_planned_day_before_today_is_refused_naming_the_field_a_past_visit_is_recorded_seed004(w):
    case = w.desk.start(li.PROCESS, by="dc_aw", org="dongcheng", title="补录的督查")
    task = w.desk.task(case.id, PLAN)
    plan = {**PLANNED, "leader": "feng_jz", "plan_notes": ""}
    for typed in ("2026-12-06", "2026年11月1日"):
        with pytest.raises(InvalidData) as refused:
            w.engine.complete(task.id, "dc_aw", {**plan, "planned_on": typed})
        assert refused.value.errors == {"planned_on": "「计划督查日期」不能早于今天（2026年12月7日）"}
    assert w.desk.task(case.id, PLAN).id == task.id and "planned_on" not in w.engine.case(case.id).data
    w.engine.complete(task.id, "dc_aw", {**plan, "planned_on": "２０２６年１２月７日"})   # today, typed full-width
    assert w.engine.case(case.id).data["planned_on"] == "2026-12-07"
    # the visit took place before it was planned in the system: its real day is recorded, and counts
    w.desk.do(case.id, RECORD, user="feng_jz", visited_on="2026年11月20日", findings=[], supervision_items=[])
    assert w.engine.case(case.id).data["visited_on"] == "2026-11-20"
    leader = next(r for r in li.leader_rows(w.engine, DONGCHENG, 2026) if r["username"] == "feng_jz")
    assert leader[li.LEAD]["months"] == [11] and leader[li.LEAD]["done"] == 1


def test_a_unit_past_four_reads_four_of_four_and_the_visits_made_never_six_of_four_seed004_four_a_year(w):
    for day in ("2026-02-10", "2026-05-10", "2026-08-10"):
        _visit(w, "feng_jz", day)                        # with November's above: 冯局长 4
    _visit(w, "zheng_fj", "2026-04-10")
    _visit(w, "zheng_fj", "2026-09-10")                  # 郑副局长 2: the unit 6
    unit = next(r for r in li.unit_rows(w.engine, DONGCHENG, 2026) if r["org_code"] == "dongcheng")[li.LEAD]
    assert (unit["done"], unit["label"], unit["state"]) == (6, "已完成 4/4（共 6 次）", "已达标")
    assert unit["months"] == [2, 4, 5, 8, 9, 11]
    rows = {r["username"]: r[li.LEAD] for r in li.leader_rows(w.engine, DONGCHENG, 2026)}
    assert (rows["feng_jz"]["label"], rows["feng_jz"]["state"]) == ("已完成 4/4", "已达标")
    assert (rows["zheng_fj"]["label"], rows["zheng_fj"]["state"]) == ("已完成 2/4", "第四季度未达标")
    _visit(w, "feng_jz", "2026-12-01")
    rows = {r["username"]: r[li.LEAD] for r in li.leader_rows(w.engine, DONGCHENG, 2026)}
    assert rows["feng_jz"]["label"] == "已完成 4/4（共 5 次）"
    assert li.done_label(0, 2) == "已完成 0/2" and li.done_label(3, 2) == "已完成 2/2（共 3 次）"
