"""The demo's 安全生产联席会议 and 联合检查执法 (下原镇2019年安全生产工作计划, seed 004 三（二）1: 全年召开整治工作联席会议
不少于4次，联合检查执法活动不少于4次), each recorded after the fact by its unit's 安委会办公室: 东城区安委办 — 东城区
convened four meetings (March, June, September, November: 4/4, 已达标) and led three joint inspections (April, July,
October: 3/4, in December 第四季度未达标); 和平镇's 林主任 — two meetings (May, September: 2/4) and one joint inspection
(August: 1/4). Each is planned on the day it is entered (a plan is for days to come) and counted by the day it was held.
The November meeting left one 议定事项 with 东城区安委办, due in ten days. Meetings and inspections fall only on days
already past, so on an early-in-the-year clock there are fewer."""
from __future__ import annotations

import datetime as dt

from workflows.demo import CHEMICAL, MACHINERY, Desk
from workflows.joint_mechanisms import INSPECTION, MEETING

# each unit's 安委会办公室 convenes and leads its own (清河镇's and 西城区's have held none yet this year: 0/4)
OFFICES = {"dongcheng": "dc_aw", "dongcheng_heping": "hp_aw", "dongcheng_qinghe": "qh_aw", "xicheng": "xc_aw"}
EVENTS = [  # kind, unit, month, topic
    (MEETING, "dongcheng", 3, "涉爆粉尘专项整治联席会议"),
    (INSPECTION, "dongcheng", 4, "涉爆粉尘企业联合检查执法"),
    (MEETING, "dongcheng_heping", 5, "人员密集场所消防安全整治联席会议"),
    (MEETING, "dongcheng", 6, "安全生产月和汛期安全联席会议"),
    (INSPECTION, "dongcheng", 7, "餐饮场所燃气安全联合检查执法"),
    (INSPECTION, "dongcheng_heping", 8, "“三合一”场所联合检查执法"),
    (MEETING, "dongcheng", 9, "危险化学品专项整治联席会议"),
    (MEETING, "dongcheng_heping", 9, "国庆节前安全生产联席会议"),
    (INSPECTION, "dongcheng", 10, "特种设备联合检查执法"),
    (MEETING, "dongcheng", 11, "冬季消防和岁末年初安全联席会议"),
]


def load_joint_mechanisms(engine, desk: Desk) -> dict[str, int]:
    today = desk.today()
    out: dict[str, int] = {}
    for kind, org, month, topic in EVENTS:
        day = dt.date(today.year, month, 15)
        if day > today:
            continue
        office = OFFICES[org]
        case = desk.start(kind, by=office, org=org, title=f"{topic}（{month}月）")
        # recorded after the event: planned today (a plan is for days to come), counted by the day it was held
        if kind == MEETING:
            items = [{"matter": "各专项整治牵头部门报送岁末年初隐患排查整治清单", "responsible_org": "dongcheng",
                      "owner": "dc_aw", "item_due": (today + dt.timedelta(days=10)).isoformat()}] if month == 11 else []
            desk.do(case.id, "安排联席会议", user=office, meeting_topic=topic, planned_on=today.isoformat(),
                    joining_units=[{"joined_org": org}], other_departments="区市场监管局、区消防救援大队")
            desk.do(case.id, "记录会议纪要", user=office, met_on=day.isoformat(), agreed_items=items,
                    minutes_summary=f"{topic}：通报整治进展，研究部署下一阶段工作")
        else:
            firm = CHEMICAL if month % 2 else MACHINERY
            inspector = "zhang_san" if org == "dongcheng" else "zhao_liu"  # an inspector of the leading unit
            desk.do(case.id, "制定联合检查执法计划", user=office, topic=topic, planned_on=today.isoformat(),
                    joining_units=[{"joined_org": org}], other_departments="区市场监管局",
                    inspected_enterprises=[{"credit_code": firm}], team=[inspector])
            desk.do(case.id, "记录联合检查执法情况", user=inspector, inspected_on=day.isoformat(),
                    findings=[{"problem": "应急疏散指示标志损坏", "finding_kind": "一般问题", "credit_code": firm}],
                    inspection_summary=f"{topic}：现场检查重点部位，当场责令改正一般问题")
        out[f"joint_{kind}_{org}_{month}"] = case.id
    return out
