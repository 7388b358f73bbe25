"""Forms of 领导带队督查检查 (bpmn/leader_inspection.bpmn) and its quarterly reminder
(bpmn/leader_inspection_reminder.bpmn).

下原镇2019年安全生产工作计划 (seed 004) 三（一）1: 「建立健全党、政领导定期带队督查检查安全生产工作机制、全年不少于
4次」 and 「党委对安全生产……落实情况的检查督办，全年不得少于两次」. The 安委会办公室 plans a visit (who leads it, when,
whom it visits, on what), the leader's team records what it found after it — each 事故隐患 goes on into the hazard
process — and the 督办事项 it sets, each with the unit and the person who answer for it and by when.
"""
from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, validates_schema

from . import fields as f
from .fields import FormSchema

KINDS = ["领导带队督查检查", "党委检查督办"]
FINDING_KINDS = ["一般问题", "一般事故隐患", "重大事故隐患"]
HAZARD_KINDS = ("一般事故隐患", "重大事故隐患")
LEADER_ROLES = ("leader", "director")
OFFICIAL_ROLES = ("inspector", "supervisor", "leader", "director", "safety_office", "investigator")
SEED = "《下原镇2019年安全生产工作计划》（种子004）三（一）1"
ITEM_DUE = f"{SEED}：督查发现的问题重点督促协调解决；督办期限由督查组确定，不能是已过去的日子"
PLANNED = (f"{SEED}：建立健全党、政领导定期带队督查检查安全生产工作机制——计划是对今后督查的安排，计划督查日期不能是"
           "已过去的日子；已开展的督查按“记录督查情况”中的督查日期计数")
VISITED = "督查检查的日期，按此日期计入当年的带队督查次数（种子004：全年不少于4次）"


class VisitedEnterprise(FormSchema):
    credit_code = f.enterprise("企业")


class VisitedUnit(FormSchema):
    visited_org = f.org_unit("村（居）或部门")


class Plan(FormSchema):
    """制定领导带队督查计划"""
    inspection_kind = f.choice("督查类别", KINDS,
                               help="党、政领导带队督查检查全年不少于4次；党委检查督办全年不少于2次（种子004）")
    leader = f.person("带队领导", roles=LEADER_ROLES)
    team = f.people("督查组成员", roles=OFFICIAL_ROLES, required=False)
    planned_on = f.deadline("计划督查日期", PLANNED,
                            help="计划安排今后的督查，不能早于今天；督查已经开展的，填今天，实际督查日期在“记录督查情况”中填写")
    visited_enterprises = f.table("督查企业", VisitedEnterprise, required=False)
    visited_units = f.table("督查村（居）或部门", VisitedUnit, required=False)
    topic = f.text("督查主题", max_len=200)
    plan_notes = f.text("督查重点", long=True, required=False)

    @validates_schema
    def _somewhere(self, data, **_):
        if not data.get("visited_enterprises") and not data.get("visited_units"):
            raise ValidationError({"visited_enterprises": ["请至少选择一家督查企业或一个村（居）、部门"]})


class Finding(FormSchema):
    problem = f.text("发现问题", max_len=500)
    finding_kind = f.choice("问题类别", FINDING_KINDS, help="事故隐患转入隐患排查治理（登记隐患）")
    credit_code = f.enterprise("所在企业", required=False)


class SupervisionItem(FormSchema):
    matter = f.text("督办事项", max_len=500)
    responsible_org = f.org_unit("责任单位")
    owner = f.person("责任人", roles=OFFICIAL_ROLES)
    item_due = f.deadline("办结期限", ITEM_DUE)


class Record(FormSchema):
    """记录督查情况"""
    visited_on = f.lived_day("督查日期", VISITED)
    findings = f.table("发现问题", Finding, required=False)
    supervision_items = f.table("督办事项", SupervisionItem, required=False)
    visit_summary = f.text("督查情况", long=True)
    visit_record = f.attachments("督查记录（照片、签到表）")

    @validates_schema
    def _hazards_name_their_enterprise(self, data, **_):
        errors: dict[str, list[str]] = {}
        for number, row in enumerate(data.get("findings") or []):
            if row.get("finding_kind") in HAZARD_KINDS and not row.get("credit_code"):
                errors.setdefault("findings", []).append(
                    f"「发现问题」第{number + 1}行是事故隐患，请选择所在企业（转入隐患排查治理）")
        if errors:
            raise ValidationError(errors)


class Answer(FormSchema):
    """答复督办事项"""
    item_reply = f.text("办理情况", long=True)
    item_done_on = f.lived_day("办结日期", f"{SEED}：督办事项逐项答复，按办结日期判断是否逾期")
    item_evidence = f.attachments("佐证材料")


class Remind(FormSchema):
    """安排领导带队督查（进度提醒）"""
    reminder_arrangement = f.text("安排意见", long=True,
                                  help="写明本季度为进度落后的领导安排带队督查的计划，或不能安排的原因")


FORMS = {
    "leader_inspection.plan": Plan,
    "leader_inspection.record": Record,
    "leader_inspection.answer": Answer,
    "leader_inspection.remind": Remind,
}


def _d(today: dt.date, days: int) -> str:
    return (today + dt.timedelta(days=days)).isoformat()


SAMPLES = {
    "leader_inspection.plan": lambda t: {
        "inspection_kind": "领导带队督查检查", "leader": "feng_jz", "team": ["zhang_san"], "planned_on": t.isoformat(),
        "visited_enterprises": [{"credit_code": "91110101MA00000018"}], "visited_units": [],
        "topic": "岁末年初危险化学品安全督查", "plan_notes": "重点检查动火作业和重大危险源监控"},
    "leader_inspection.record": lambda t: {
        "visited_on": t.isoformat(), "findings": [{"problem": "消防通道堆放杂物", "finding_kind": "一般问题",
                                                   "credit_code": None}],
        "supervision_items": [{"matter": "督促企业清理消防通道并建立巡查制度", "responsible_org": "dongcheng",
                               "owner": "qian_ke", "item_due": _d(t, 15)}],
        "visit_summary": "听取企业汇报，检查罐区和消防设施", "visit_record": []},
    "leader_inspection.answer": lambda t: {
        "item_reply": "已督促企业清理消防通道，建立每日巡查记录", "item_done_on": t.isoformat(), "item_evidence": []},
    "leader_inspection.remind": lambda t: {
        "reminder_arrangement": "本季度第二个月安排带队督查城镇燃气和有限空间作业"},
}
