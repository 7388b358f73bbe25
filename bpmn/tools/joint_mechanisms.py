"""安全生产（专项整治）联席会议 (``joint_meeting``) and 联合检查执法 (``joint_inspection``), the standing round that
looks at each quarter's start for units behind the year's pace (``joint_round``) and the reminder it opens for the
unit (``joint_reminder``), as models for ``layout.Process``.

Source: 下原镇2019年安全生产工作计划 (seed 004) 三（一）3 「建立健全安全生产联席会议制度，指导督促、协调解决涉及全镇
安全生产工作中的重点难点问题」 and 三（二）1 「各专项整治牵头部门……建立专项整治联席会议制度，全年召开整治工作联席会议
不少于4次，联合检查执法活动不少于4次」; seed 000 (建立联合执法机制，加强部门联动) and seed 003 (十四：探索实行联合执法)
name the same mechanism. Counts, pace and the reminders: ``workflows/joint_mechanisms.py``.
"""
from __future__ import annotations

from .layout import Process
from .standing_round import answered_items, hazards_passed_on, reminder, standing_round

O, I = "安委会办公室", "执法人员"
SEED = "《下原镇2019年安全生产工作计划》（种子004）"
MEETING = f"{SEED}三（一）3、三（二）1：建立健全安全生产联席会议制度，全年召开整治工作联席会议不少于4次"
JOINT = f"{SEED}三（二）1：各专项整治牵头部门联合检查执法活动不少于4次"
YEAR_RULE = "按{day}计入当年次数（12月31日的计入当年，1月1日的计入下一年）。"
MEETING_DOC = (f"{MEETING}；指导督促、协调解决涉及全镇安全生产工作中的重点难点问题。召集单位安委会办公室安排会议（议题、"
               "日期、参会单位，名录外的移送、协作部门可直接填写），会后记录会议纪要和议定事项；议定事项由责任人逐项答复后"
               "办结，期限届满未答复的列为逾期（本地规定）。" + YEAR_RULE.format(day="召开日期"))
ROUND_DOC = (f"{MEETING}；{JOINT}。安委会办公室为本单位建立一次，长期有效：每季度第一日查看本单位及下级单位本年已召开的"
             "联席会议和已开展的联合检查执法次数，低于进度（第二季度初1次、第三季度初2次、第四季度初3次）的，为该单位"
             "生成一件进度提醒。")
REMINDER_DOC = (f"{MEETING}；{JOINT}。进度提醒安排在季度初为低于进度的单位生成，由该单位安委会办公室（没有时为"
                "科室负责人）安排本季度的联席会议和联合检查执法。")
JOINT_DOC = (f"{JOINT}。《下原镇2019年安全生产工作计划》三（二）1 专项整治；种子000 建立联合执法机制，加强部门联动。"
             "牵头单位制定计划（参加单位、检查企业、日期、检查人员），检查后记录发现问题；事故隐患转入隐患排查治理"
             "（原国家安全监管总局令第16号）。" + YEAR_RULE.format(day="检查日期"))


def _planned(p: Process, start: str, plan: tuple[str, str, str]) -> None:
    """The start (``start``: its name) and the 安委会办公室's first task ``plan`` (its name, form, documentation)."""
    name, form, doc = plan
    p.start("start", start, O, 0)
    p.user("plan", name, O, 1, form=form, doc=doc)
    p.flow("start", "plan")


def build_meeting() -> Process:
    p = Process("joint_meeting", "安全生产联席会议", [O], doc=MEETING_DOC, props={"caseNumberPrefix": "LXH"})  # 联席会
    _planned(p, "召集联席会议", ("安排联席会议", "joint_meeting.plan", MEETING + "。"))
    p.user("minutes", "记录会议纪要", O, 2, form="joint_meeting.minutes",
           doc="会后记录召开日期（计入当年次数）、会议纪要和议定事项（责任单位、责任人、办结期限）。")
    p.chain("plan", "minutes")
    answered_items(p, "minutes", O, 3, items="agreed_items", form="joint_meeting.answer", gate=("有议定事项？", O),
                   names=("答复议定事项", "议定事项办结", "会议事项办结"),
                   doc=(f"{SEED}三（一）3：联席会议协调解决重点难点问题。议定事项由责任人按会议确定的办结期限答复落实情况；"
                        "期限届满未答复的列为逾期议定事项（本地规定）。"))
    return p


def build_inspection() -> Process:
    p = Process("joint_inspection", "联合检查执法", [O, I], doc=JOINT_DOC, props={"caseNumberPrefix": "LHJ"})  # 联合检
    _planned(p, "牵头组织", ("制定联合检查执法计划", "joint_inspection.plan", JOINT + "。"))
    p.user("record", "记录联合检查执法情况", I, 2, form="joint_inspection.record",
           props={"candidateUsers": "list(team or [])"},
           doc="检查人员在检查后记录检查日期（计入当年次数）和发现的问题（事故隐患转入隐患排查治理）。")
    hazards_passed_on(p, I, 3, ("整理检查结果", "joint_inspection_facts", "转入隐患排查治理的事故隐患及其企业名称。"),
                      "open_joint_hazards(hazard_findings, inspected_on, topic)")
    p.end("end", "检查办结", I, 5)
    p.chain("plan", "record", "facts", "open_hazards", "end")
    return p


def build_round() -> Process:
    return standing_round("joint_round", "联席会议和联合检查执法进度提醒安排", O, doc=ROUND_DOC, start="建立提醒安排",
                          look=("pace", "查看联席会议和联合检查执法进度", "joint_pace", "按召开日期和检查日期统计本年各单位次数，与进度比较。"),
                          act=("remind", "生成进度提醒", "reminders_opened = open_joint_reminders(pace_reminders)\npace_reminders = []"),
                          props={"caseNumberPrefix": "LJA"})  # 联检安排


def build_reminder() -> Process:
    task_doc = ("提醒事项写明本年已召开、已开展的次数和到本季度初应完成的次数。法律、规章未规定办理时限，本任务不设办理"
                "期限；安排后请发起“安全生产联席会议”或“联合检查执法”。")
    return reminder("joint_reminder", "联席会议和联合检查执法进度提醒", O, REMINDER_DOC,
                    ("安排联席会议和联合检查执法", "joint_reminder.remind", task_doc), "LJT")  # 联检提醒
