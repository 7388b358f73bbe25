"""Forms of 安全生产（专项整治）联席会议 (bpmn/joint_meeting.bpmn), 联合检查执法 (bpmn/joint_inspection.bpmn) and
their quarterly reminder (bpmn/joint_reminder.bpmn).

下原镇2019年安全生产工作计划 (seed 004) 三（一）3 「建立健全安全生产联席会议制度，指导督促、协调解决涉及全镇安全生产
工作中的重点难点问题」 and 三（二）1 「各专项整治牵头部门……建立专项整治联席会议制度，全年召开整治工作联席会议不少于
4次，联合检查执法活动不少于4次」. The convening unit's 安委会办公室 arranges a meeting (participating units picked
from the directory; departments not in it — 移送、协作部门 — typed, as 移送部门 is), records its 会议纪要 and the
议定事项, each with the unit and the person who answer for it and by when. A 联合检查执法 is planned by the lead unit
(units taking part, enterprises picked from the registry, date); its findings' 事故隐患 go on into the hazard process.
A plan is for days to come: 计划召开日期 and 计划检查日期 may not be before today (``fields.deadline``); what counts is
the day held (召开日期, 检查日期), recorded afterwards and never after today (``fields.lived_day``) — a meeting held
before it was entered is planned today and recorded with its real day.
"""
from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, validates_schema

from . import fields as f
from .fields import FormSchema
from .leader_inspection import HAZARD_KINDS, OFFICIAL_ROLES, Finding, SupervisionItem, VisitedEnterprise

SEED = "《下原镇2019年安全生产工作计划》（种子004）"
MEETING_BASIS = f"{SEED}三（一）3、三（二）1：全年召开整治工作联席会议不少于4次"
JOINT_BASIS = f"{SEED}三（二）1：联合检查执法活动不少于4次"
ITEM_DUE = f"{SEED}三（一）3：联席会议议定事项协调解决重点难点问题；办结期限由会议确定，不能是已过去的日子"
OTHERS_HELP = "不在本系统单位名录中的部门（如移送、协作部门），多个用顿号分隔"
PLANNED_MEETING = (f"{SEED}三（一）3、三（二）1：建立健全安全生产联席会议制度——安排是对今后会议的计划，计划召开日期不能是"
                   "已过去的日子；已召开的会议按“记录会议纪要”中的召开日期计数")
PLANNED_JOINT = (f"{SEED}三（二）1：联合检查执法活动不少于4次——计划是对今后检查的安排，计划检查日期不能是已过去的日子；"
                 "已开展的检查按“记录联合检查执法情况”中的检查日期计数")


class JoiningUnit(FormSchema):
    joined_org = f.org_unit("参加单位")


def _some_unit(data: dict) -> None:
    if not data.get("joining_units") and not (data.get("other_departments") or "").strip():
        raise ValidationError({"joining_units": ["请至少选择一个参加单位，或填写不在名录中的参加部门"]})


class MeetingPlan(FormSchema):
    """安排联席会议"""
    meeting_topic = f.text("会议议题", max_len=200)
    planned_on = f.deadline("计划召开日期", PLANNED_MEETING,
                            help="安排今后召开的会议，不能早于今天；会议已经召开的，填今天，实际召开日期在“记录会议纪要”中填写")
    joining_units = f.table("参会单位", JoiningUnit, required=False)
    other_departments = f.text("其他参会部门", max_len=300, required=False, help=OTHERS_HELP)
    meeting_notes = f.text("会议准备", long=True, required=False)

    @validates_schema
    def _somebody(self, data, **_):
        _some_unit(data)


class AgreedItem(SupervisionItem):
    matter = f.text("议定事项", max_len=500)
    item_due = f.deadline("办结期限", ITEM_DUE)


class Minutes(FormSchema):
    """记录会议纪要"""
    met_on = f.lived_day("召开日期", MEETING_BASIS,
                         help="按召开日期计入当年的联席会议次数（12月31日召开的计入当年，1月1日的计入下一年）")
    minutes_summary = f.text("会议纪要", long=True)
    agreed_items = f.table("议定事项", AgreedItem, required=False,
                           help="每项写明责任单位、责任人和办结期限，由责任人逐项答复")
    minutes_file = f.attachments("会议纪要文件、签到表")


class ItemAnswer(FormSchema):
    """答复议定事项"""
    item_reply = f.text("落实情况", long=True)
    item_done_on = f.lived_day("办结日期", f"{SEED}三（一）3：议定事项逐项答复，按办结日期判断是否逾期")
    item_evidence = f.attachments("佐证材料")


class InspectionPlan(FormSchema):
    """制定联合检查执法计划"""
    topic = f.text("检查主题", max_len=200, help="如涉爆粉尘、人员密集场所、餐饮场所燃气安全等专项整治")
    planned_on = f.deadline("计划检查日期", PLANNED_JOINT,
                            help="安排今后的检查，不能早于今天；检查已经开展的，填今天，实际检查日期在“记录联合检查执法情况”中填写")
    joining_units = f.table("参加单位", JoiningUnit, required=False)
    other_departments = f.text("其他参加部门", max_len=300, required=False, help=OTHERS_HELP)
    inspected_enterprises = f.table("检查企业", VisitedEnterprise)
    team = f.people("检查人员", roles=OFFICIAL_ROLES, help="检查后由检查人员记录检查情况")

    @validates_schema
    def _somebody(self, data, **_):
        _some_unit(data)


class InspectionRecord(FormSchema):
    """记录联合检查执法情况"""
    inspected_on = f.lived_day("检查日期", JOINT_BASIS,
                               help="按检查日期计入当年的联合检查执法次数（12月31日的计入当年，1月1日的计入下一年）")
    findings = f.table("发现问题", Finding, required=False)
    inspection_summary = f.text("检查情况", long=True)
    inspection_record = f.attachments("检查记录（照片、执法文书）")

    @validates_schema
    def _hazards_name_their_enterprise(self, data, **_):
        lines = [f"「发现问题」第{n + 1}行是事故隐患，请选择所在企业（转入隐患排查治理）"
                 for n, row in enumerate(data.get("findings") or [])
                 if row.get("finding_kind") in HAZARD_KINDS and not row.get("credit_code")]
        if lines:
            raise ValidationError({"findings": lines})


class Remind(FormSchema):
    """安排联席会议、联合检查执法（进度提醒）"""
    reminder_arrangement = f.text("安排意见", long=True,
                                  help="写明本季度召开联席会议、开展联合检查执法的安排，或不能安排的原因")


FORMS = {f"{process}.{task}": schema for process, tasks in (
    ("joint_meeting", (("plan", MeetingPlan), ("minutes", Minutes), ("answer", ItemAnswer))),
    ("joint_inspection", (("plan", InspectionPlan), ("record", InspectionRecord))),
    ("joint_reminder", (("remind", Remind),))) for task, schema in tasks}


SAMPLES = {
    "joint_meeting.plan": lambda t: {
        "meeting_topic": "涉爆粉尘专项整治推进", "planned_on": t.isoformat(), "joining_units": [{"joined_org": "dongcheng"}],
        "other_departments": "区市场监管局、区消防救援大队", "meeting_notes": "通报上季度整治进展"},
    "joint_meeting.minutes": lambda t: {
        "met_on": t.isoformat(), "minutes_summary": "通报整治进展，研究粉尘涉爆企业除尘系统改造",
        "agreed_items": [{"matter": "督促涉爆粉尘企业完成除尘系统改造", "responsible_org": "dongcheng", "owner": "qian_ke",
                          "item_due": (t + dt.timedelta(days=15)).isoformat()}], "minutes_file": []},
    "joint_meeting.answer": lambda t: {"item_reply": "已督促三家企业完成改造并复查", "item_done_on": t.isoformat(),
                                       "item_evidence": []},
    "joint_inspection.plan": lambda t: {
        "topic": "餐饮场所燃气安全联合检查", "planned_on": t.isoformat(), "joining_units": [{"joined_org": "dongcheng"}],
        "other_departments": "区市场监管局", "inspected_enterprises": [{"credit_code": "91110101MA00000018"}],
        "team": ["zhang_san"]},
    "joint_inspection.record": lambda t: {
        "inspected_on": t.isoformat(), "findings": [{"problem": "燃气管道未设置泄漏报警装置", "finding_kind": "一般问题",
                                                     "credit_code": None}],
        "inspection_summary": "检查燃气管道、报警装置和应急处置", "inspection_record": []},
    "joint_reminder.remind": lambda t: {"reminder_arrangement": "本季度第二个月召开联席会议并开展一次联合检查执法"},
}
