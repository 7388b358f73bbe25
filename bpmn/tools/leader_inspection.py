"""领导带队督查检查: a visit led by a party or government leader (``leader_inspection``), the standing round that
looks at each quarter's start for leaders behind the year's pace (``leader_inspection_round``) and the reminder it
opens for the unit (``leader_inspection_reminder``), as models for ``layout.Process``.

Source: 下原镇2019年安全生产工作计划 (seed 004) 三（一）1 — 「确保党委对安全生产"党政同责、一岗双责、齐抓共管、
失职追责"落实情况的检查督办，全年不得少于两次」「建立健全党、政领导定期带队督查检查安全生产工作机制、全年不少于
4次」「重点督促协调解决安全生产工作中存在的薄弱环节」; 《地方党政领导干部安全生产责任制规定》(厅字〔2018〕13号)
第二条第二款 (乡镇（街道）党政领导干部参照执行), 第三条 (综合运用巡查督查、考核考察、激励惩戒等措施). Counts, pace
and the reminders: ``workflows/leader_inspection.py``.
"""
from __future__ import annotations

from .layout import Process
from .standing_round import answered_items, hazards_passed_on, reminder, standing_round

O, L = "安委会办公室", "分管领导"
SEED = "《下原镇2019年安全生产工作计划》（种子004）三（一）1"


def build() -> Process:
    p = Process(
        "leader_inspection", "领导带队督查检查", [O, L],
        doc=(f"{SEED}：建立健全党、政领导定期带队督查检查安全生产工作机制、全年不少于4次；党委对安全生产“党政同责、"
             "一岗双责、齐抓共管、失职追责”落实情况的检查督办，全年不得少于两次；重点督促协调解决安全生产工作中存在的"
             "薄弱环节。《地方党政领导干部安全生产责任制规定》（厅字〔2018〕13号）第二条第二款：乡镇（街道）党政领导"
             "干部参照执行。安委会办公室制定计划（带队领导、日期、督查对象、主题），督查组督查后记录发现问题和督办事项；"
             "事故隐患转入隐患排查治理，督办事项由责任单位逐项答复后办结。按督查日期计入当年次数。"))
    p.start("start", "安排督查", O, 0)
    p.user("plan", "制定领导带队督查计划", O, 1, form="leader_inspection.plan",
           doc=f"{SEED}：党、政领导定期带队督查检查，全年不少于4次；党委检查督办全年不少于两次。")
    p.user("record", "记录督查情况", L, 2, form="leader_inspection.record",
           props={"candidateUsers": "[leader] + list(team or [])"},
           doc=("带队领导或督查组成员在督查后记录：督查日期（计入当年次数，12月31日督查计入当年，1月1日计入下一年）、"
                "发现的问题（事故隐患转入隐患排查治理）和督办事项（责任单位、责任人、办结期限）。"))
    hazards_passed_on(p, L, 3, ("整理督查结果", "leader_inspection_facts",
                                "带队领导姓名、督办事项的责任单位和责任人姓名（督办通知用）、转入隐患排查治理的事故隐患及其企业名称。"),
                      "open_leader_hazards(hazard_findings, visited_on, topic)")
    p.chain("start", "plan", "record", "facts", "open_hazards")
    answered_items(p, "open_hazards", O, 5, items="supervision_items", form="leader_inspection.answer",
                   gate=("有督办事项？", L), names=("答复督办事项", "督办事项办结", "督查办结"),
                   doc=(f"{SEED}：督查发现的薄弱环节重点督促协调解决。督办事项由责任人按督查组确定的办结期限答复办理情况；"
                        "期限届满未答复的列为逾期督办事项（本地规定）。"))
    return p


def build_round() -> Process:
    return standing_round(
        "leader_inspection_round", "领导带队督查进度提醒安排", O,
        doc=(f"{SEED}：党、政领导带队督查检查全年不少于4次，党委检查督办全年不少于两次。安委会办公室为本单位建立一次，"
             "长期有效：每季度第一日查看本单位及下级单位每位领导本年已完成的次数，低于进度（第二季度初1次、第三季度初2次、"
             "第四季度初3次；党委检查督办第三季度初1次）的，为该单位生成一件进度提醒。"),
        start="建立提醒安排",
        look=("pace", "查看带队督查进度", "leader_inspection_pace", "按督查日期统计本年每位领导的带队督查和党委检查督办次数，与进度比较。"),
        act=("remind", "生成进度提醒", "reminders_opened = open_leader_reminders(pace_reminders)\npace_reminders = []"))


def build_reminder() -> Process:
    # 进度提醒 (pace reminder) LPR: not LIR, the initials of its 提醒安排 (leader_inspection_round)
    return reminder(
        "leader_inspection_reminder", "领导带队督查进度提醒", O,
        (f"{SEED}：党、政领导带队督查检查全年不少于4次，党委检查督办全年不少于两次。进度提醒安排在季度初为有领导"
         "低于进度的单位生成，由该单位安委会办公室（没有时为科室负责人）安排本季度的带队督查。"),
        ("安排领导带队督查", "leader_inspection.remind",
         "提醒事项写明进度落后的领导、本年已完成次数和到本季度初应完成次数。法律、规章未规定办理时限，本任务不设"
         "办理期限；安排后请在发起案件中制定领导带队督查计划。"), "LPR")
