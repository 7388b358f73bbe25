"""The demo's 领导带队督查检查 (下原镇2019年安全生产工作计划, seed 004 三（一）1: 全年不少于4次; 党委检查督办全年不得少于
两次): 东城区安委办 recorded this year's visits after the fact — 冯局长 led four (February, May, August, November:
4/4, 已达标) and one 党委检查督办 (June: 1/2), 郑副局长 two (April, September: 2/4, in December 第四季度未达标); the
November visit left one 督办事项 with 东城区安委办, due in ten days. Visits fall only on days already past, so
on an early-in-the-year clock there are fewer."""
from __future__ import annotations

import datetime as dt

from workflows.demo import CHEMICAL, MACHINERY, Desk
from workflows.leader_inspection import LEAD, PARTY, PROCESS

PLAN, RECORD = "制定领导带队督查计划", "记录督查情况"
VISITS = [  # leader, kind, month, enterprise, topic
    ("feng_jz", LEAD, 2, CHEMICAL, "节后复工复产安全督查"),
    ("zheng_fj", LEAD, 4, MACHINERY, "有限空间作业专项督查"),
    ("feng_jz", LEAD, 5, MACHINERY, "安全生产月前企业主体责任督查"),
    ("feng_jz", PARTY, 6, CHEMICAL, "党政同责、一岗双责落实情况检查督办"),
    ("feng_jz", LEAD, 8, CHEMICAL, "汛期危险化学品安全督查"),
    ("zheng_fj", LEAD, 9, CHEMICAL, "国庆节前安全督查"),
    ("feng_jz", LEAD, 11, MACHINERY, "冬季消防和用电安全督查"),
]


def load_leader_inspections(engine, desk: Desk) -> dict[str, int]:
    today = desk.today()
    out: dict[str, int] = {}
    for leader, kind, month, firm, topic in VISITS:
        day = dt.date(today.year, month, 12)
        if day > today:
            continue
        case = desk.start(PROCESS, by="dc_aw", org="dongcheng", title=f"{topic}（{month}月）")
        # recorded after the visit: planned today (a plan is for days to come), counted by its 督查日期
        desk.do(case.id, PLAN, user="dc_aw", inspection_kind=kind, leader=leader, team=["zhang_san"],
                planned_on=today.isoformat(), visited_enterprises=[{"credit_code": firm}], topic=topic)
        last = month == 11
        items = [{"matter": "督促企业对照督查问题清单逐项整改并报送整改报告", "responsible_org": "dongcheng",
                  "owner": "dc_aw", "item_due": (today + dt.timedelta(days=10)).isoformat()}] if last else []
        desk.do(case.id, RECORD, user=leader, visited_on=day.isoformat(), supervision_items=items,
                findings=[{"problem": "部分岗位安全操作规程未上墙", "finding_kind": "一般问题", "credit_code": firm}],
                visit_summary=f"{topic}：听取企业汇报，现场检查重点部位")
        out[f"leader_visit_{leader}_{month}"] = case.id
    return out
