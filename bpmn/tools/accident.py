"""事故调查处理（四不放过） (DESIGN §3.2) as a model for ``layout.Process``."""
from __future__ import annotations

from .layout import Process

INV, S, L, G, SO, I = "事故调查人员", "科室负责人", "分管领导", "人民政府", "安委会办公室", "执法人员"

FOUR_NOTS_CALL = (
    "four_nots_missing = four_nots_reasons(direct_cause, technical_causes, management_causes, "
    "responsible_persons, responsible_units, measures, education_done, education_record, "
    "team_members, signed_by)")


def build() -> Process:
    p = Process(
        "accident_investigation", "事故调查处理（四不放过）", [INV, S, L, G, SO, I],
        doc=("《生产安全事故报告和调查处理条例》（国务院令第493号）；《安全生产法》第八十六条。"
             "接报、分级、逐级上报、属地或提级调查、组成调查组、60日内提交报告（可延长一次不超过60日，"
             "技术鉴定时间不计入）、四不放过核验、15日内批复（特别重大30日，仅特别重大可延长不超过30日，条例第三十二条）、"
             "批复下达即启动一年内评估（安全生产法第八十六条）、落实处罚处分和整改措施、公开报告、结案。"))

    # 接报、分级、上报
    p.start("start", "接到事故报告", INV, 0)
    p.user("receive", "事故信息接报", INV, 1, form="accident.receive")
    p.rule("grade", "事故分级", INV, 2, decision="accident_grade")
    p.rule("jurisdiction", "确定管辖", INV, 3, decision="accident_jurisdiction")
    p.script("start_reporting", "核定报告时限", INV, 4, code=(
        "report_deadline = upward_report_due(reported_at, now())\n"
        "late_report = reported_late(occurred_at, reported_at, head_informed_at)\n"
        "supplement_due = day_after(occurred_at, supplement_days(category))"),
        doc=("《生产安全事故报告和调查处理条例》第九条：单位负责人接到报告后1小时内报告，超过即为迟报（自单位负责人"
             "接到报告时起算，未填写的按事故发生时间计）；第十一条：逐级上报每级不超过2小时，自接到事故报告时起算；"
             "第十三条：补报期限自事故发生之日起30日（道路交通、火灾7日）。"))
    p.chain("start", "receive", "grade", "jurisdiction", "start_reporting")
    p.user("report_up", "逐级上报事故信息", S, 5, doc="《生产安全事故报告和调查处理条例》第十一条：安全生产监督管理部门逐级上报事故情况，每级上报的时间不得超过2小时，自接到事故报告时起计算（接报时填写的事故单位报告时间，不是录入接报的时间）；超时提交分管领导督办。",
           form="accident.report_up", due="report_deadline")
    p.timer("report_overdue", "2小时内未上报", "report_up", "report_deadline")
    p.user("report_up_escalated", "超时上报督办", L, 6, form="accident.report_up")
    p.xor("handover_gw", "本级调查？", S, 7)
    p.user("hand_over", "移交上级人民政府调查", L, 9, form="accident.hand_over", doc=(
        "《生产安全事故报告和调查处理条例》第十九条：事故按等级由相应的人民政府负责调查；第二十条：上级人民政府认为必要时，可以调查由下级人民政府负责调查的事故（提级调查）。由分管领导移交。"))
    p.end("end_handed_over", "移交上级调查", L, 10)
    p.flow("start_reporting", "report_up")
    p.flow("report_up", "handover_gw")
    p.flow("report_overdue", "report_up_escalated")
    p.flow("report_up_escalated", "handover_gw")
    p.flow("handover_gw", "hand_over", "超出本级管辖或提级",
           cond="jurisdiction_rank > level_rank(local_level) or take_over")
    p.flow("hand_over", "end_handed_over")

    # 调查组、调查
    p.user("form_team", "成立事故调查组", G, 8, form="accident.team", doc=(
        "《生产安全事故报告和调查处理条例》第十九条：负责调查的人民政府组织事故调查组；第二十二条：调查组的组成；第二十四条：事故调查组组长由负责事故调查的人民政府指定。"))
    p.script("start_clock", "开始调查计时", G, 9, code=(
        "report_due = day_after(occurred_at, 60)\n"
        "extension_used = False\n"
        "appraisal_periods = []\n"
        "crime_transfers = []"))
    p.xor("to_investigate", "", INV, 10)
    p.user("investigate", "调查取证", INV, 11, doc="《生产安全事故报告和调查处理条例》第二十九条：事故调查组自事故发生之日起60日内提交事故调查报告，特殊情况下经负责事故调查的人民政府批准可延长，延长最长不超过60日；第二十七条：技术鉴定所需时间不计入调查期限。",
           form="accident.investigate", due="deadline_at(report_due)")
    p.timer("investigation_remind", "报告期限前10个工作日", "investigate",
            "reminder_at(report_due, 10, now())", interrupting=False)
    p.timer("supplement_closed", "补报期限届满", "investigate", "deadline_at(supplement_due)",
            interrupting=False)
    p.timer("investigation_overdue", "60日报告期限届满", "investigate", "deadline_at(report_due)")
    p.script("remind_report", "提醒提交调查报告", INV, 11, row=1,
             code="reminder = '事故调查报告应于' + report_due + '前提交'")
    p.end("end_remind", "已提醒", INV, 11, row=2)
    p.script("close_supplement", "补报期限届满", INV, 12, row=2, code="supplement_window_closed = True",
             doc="条例第十三条：自事故发生之日起30日内（道路交通、火灾事故7日内）伤亡人数变化的，应当及时补报。")
    p.end("end_supplement", "不再补报", INV, 13, row=2)
    p.flow("handover_gw", "form_team", "本级调查", default=True)
    p.chain("form_team", "start_clock", "to_investigate", "investigate")
    p.flow("investigation_remind", "remind_report")
    p.flow("remind_report", "end_remind")
    p.flow("supplement_closed", "close_supplement")
    p.flow("close_supplement", "end_supplement")
    p.user("overdue_order", "调查超期督办", G, 12, row=1, form="accident.overdue_order")
    p.flow("investigation_overdue", "overdue_order")
    p.flow("overdue_order", "to_investigate")

    p.xor("investigate_action", "调查进展？", INV, 12)
    p.flow("investigate", "investigate_action")
    # 申请延期（一次，不超过60日，人民政府批准）
    p.user("decide_extension", "审批调查期限延长", G, 13, form="accident.extension_decision", doc=(
        "《生产安全事故报告和调查处理条例》第二十九条：特殊情况下，经负责事故调查的人民政府批准，提交事故调查报告的期限可以适当延长，但延长的期限最长不超过60日（只延长一次）。"))
    p.xor("extension_gw", "批准延长？", G, 14)
    p.script("extend_investigation", "延长调查期限", G, 15, code=(
        "report_due = day_after(report_due, min(int(extension_days or 0), 60))\n"
        "extension_used = True"))
    p.script("refuse_second_extension", "不得再次延长", INV, 13, row=1, code=(
        "extension_decision = '不批准'\n"
        "extension_opinion = '调查期限只能延长一次，已延长过'"))
    p.flow("investigate_action", "decide_extension", "申请延期",
           cond="investigate_action == '申请延期' and not extension_used")
    p.flow("investigate_action", "refuse_second_extension", "再次申请延期",
           cond="investigate_action == '申请延期' and extension_used")
    p.flow("decide_extension", "extension_gw")
    p.flow("extension_gw", "extend_investigation", "批准", cond="extension_decision == '批准'")
    p.flow("extension_gw", "to_investigate", "不批准", default=True)
    p.flow("extend_investigation", "to_investigate")
    p.flow("refuse_second_extension", "to_investigate")
    # 技术鉴定（不计入调查期限）
    p.script("exclude_appraisal", "扣除技术鉴定时间", INV, 14, row=1, code=(
        "appraisals = appraisal_periods + [{'kind': '技术鉴定', 'started_on': appraisal_started_on, "
        "'ended_on': appraisal_ended_on}]\n"
        "report_due = day_after(report_due, excluded_days(appraisals) - excluded_days(appraisal_periods))\n"
        "appraisal_periods = appraisals\n"
        "del appraisals"),
        doc=("《生产安全事故报告和调查处理条例》第二十七条：技术鉴定所需时间不计入事故调查期限。鉴定期间按"
             "《民法典》第二百零一条计算（开始当日不计入），几次鉴定重叠的日子只计一次；与行政处罚案件的"
             "听证、鉴定期间同一规则（workflows.decisions.excluded_days）。"))
    p.flow("investigate_action", "exclude_appraisal", "技术鉴定", cond="investigate_action == '技术鉴定'")
    p.flow("exclude_appraisal", "to_investigate")
    # 移送涉嫌犯罪
    p.script("record_transfer", "移送涉嫌犯罪线索", INV, 15, row=1, code=(
        "crime_transfers = crime_transfers + [{'suspects': transfer_suspects, "
        "'organ': transfer_organ, 'on': iso_day(now())}]"))
    p.flow("investigate_action", "record_transfer", "移送涉嫌犯罪",
           cond="investigate_action == '移送涉嫌犯罪'")
    p.flow("record_transfer", "to_investigate")
    # 补报伤亡变化（30日内，道路交通、火灾7日内）
    p.xor("in_window", "补报期限内？", INV, 13, row=3)
    p.script("apply_supplement", "更新伤亡情况", INV, 14, row=3, code=(
        "deaths = new_deaths\n"
        "serious_injuries = new_serious_injuries\n"
        "direct_loss = new_direct_loss or direct_loss"))
    p.rule("regrade", "重新分级", INV, 15, row=3, decision="accident_grade")
    p.rule("rejurisdiction", "重新确定管辖", INV, 16, row=3, decision="accident_jurisdiction")
    p.xor("still_local", "仍属本级？", INV, 17, row=3)
    p.script("late_supplement", "逾期补报不改变等级", INV, 14, row=4, code=(
        "supplement_note = '超过补报期限，伤亡变化记录在案，不再调整事故等级'"))
    p.flow("investigate_action", "in_window", "补报伤亡", cond="investigate_action == '补报伤亡变化'")
    p.flow("in_window", "apply_supplement", "是", cond="supplement_in_window(occurred_at, category, now())")
    p.flow("in_window", "late_supplement", "否", default=True)
    p.chain("apply_supplement", "regrade", "rejurisdiction", "still_local")
    p.flow("still_local", "hand_over", "升级移交", cond="jurisdiction_rank > level_rank(local_level)")
    p.flow("still_local", "to_investigate", "仍属本级", default=True)
    p.flow("late_supplement", "to_investigate")

    # 起草报告、四不放过
    p.user("draft_report", "起草事故调查报告", INV, 17, doc="《生产安全事故报告和调查处理条例》第二十九条：事故调查报告自事故发生之日起60日内提交（经批准延长的，延长最长不超过60日；技术鉴定时间不计入，第二十七条）；第三十条：报告的内容。",
           form="accident.report", due="deadline_at(report_due)")
    p.timer("draft_overdue", "报告期限届满", "draft_report", "deadline_at(report_due)")
    p.script("check_four_nots", "四不放过核验", INV, 18, code=FOUR_NOTS_CALL)
    p.xor("four_nots_gate", "四不放过？", INV, 19)
    p.flow("investigate_action", "draft_report", "提交调查报告", default=True)
    p.flow("draft_overdue", "overdue_order")
    p.chain("draft_report", "check_four_nots", "four_nots_gate")
    p.flow("four_nots_gate", "draft_report", "未达到", default=True)

    # 批复
    p.script("submit_report", "报送调查报告", G, 20, code=(
        "submitted_at = now().isoformat()\n"
        "approval_due = day_after(submitted_at, approval_days)\n"
        "approval_extended = False"))
    p.user("approve_report", "批复事故调查报告", G, 21, doc="《生产安全事故报告和调查处理条例》第三十二条：重大、较大、一般事故自收到事故调查报告之日起15日内批复；特别重大事故30日内批复，特殊情况下可延长，延长最长不超过30日。",
           form="accident.approval", due="deadline_at(approval_due)")
    p.timer("approval_overdue", "批复期限届满", "approve_report", "deadline_at(approval_due)")
    p.user("approval_supervise", "批复超期督办", SO, 22, form="accident.approval_supervise")
    p.xor("approval_gw", "批复意见？", G, 22)
    p.script("extend_approval", "延长批复期限", G, 22, row=1, code=(
        "approval_due = approval_due if approval_extended else "
        "day_after(approval_due, min(int(approval_extension_days or 0), 30))\n"
        "approval_extended = True"),
        doc="条例第三十二条：特别重大事故30日内批复，特殊情况下可以适当延长，延长最长不超过30日（仅一次）。")
    p.script("refuse_approval_extension", "不得延长批复期限", G, 23, row=2, code=(
        "approval_extension_refused = '条例第三十二条仅允许特别重大事故延长批复期限；' + accident_grade "
        "+ '事故应自收到调查报告之日起15日内批复'"),
        doc="条例第三十二条：重大、较大、一般事故自收到事故调查报告之日起15日内批复，不得延长。")
    p.flow("four_nots_gate", "submit_report", "全部达到", cond="not four_nots_missing")
    p.chain("submit_report", "approve_report", "approval_gw")
    p.flow("approval_overdue", "approval_supervise")
    p.flow("approval_supervise", "approve_report")
    p.flow("approval_gw", "draft_report", "退回补充", cond="approval_decision == '退回补充'")
    p.flow("approval_gw", "extend_approval", "延长批复期限（特别重大）",
           cond="approval_decision == '延长批复期限' and accident_grade == '特别重大'")
    p.flow("approval_gw", "refuse_approval_extension", "延长批复期限（不得延长）",
           cond="approval_decision == '延长批复期限' and accident_grade != '特别重大'")
    p.flow("extend_approval", "approve_report")
    p.flow("refuse_approval_extension", "approve_report")

    # 批复日期：期限自批复之日起算
    p.xor("approval_date_gw", "批复日期无误？", G, 23, row=3)
    p.script("refuse_approval_date", "批复日期有误", G, 22, row=3, code=(
        "approval_date_problems = approval_date_problems_of(approved_on, submitted_at)"),
        doc="批复不能早于收到事故调查报告之日（条例第三十二条：批复期限自收到调查报告之日起计）。")
    p.flow("approval_gw", "approval_date_gw", "批复", default=True)
    p.flow("approval_date_gw", "refuse_approval_date", "早于收到报告",
           cond="approval_date_problems_of(approved_on, submitted_at)")
    p.flow("refuse_approval_date", "approve_report")
    p.flow("approval_date_gw", "record_approval", "无误", default=True)

    # 执行批复
    p.script("record_approval", "批复下达", G, 23, code=(
        "approved_at = approved_on\n"
        "approval_date_problems = []\n"
        "approval_late = approved_on > approval_due\n"
        "publish_due = day_after(approved_at, local_rule('accident.publish_days', approved_at))\n"
        "start_case('post_case_assessment', assessment_seed(accident_title, enterprise_name, "
        "accident_grade, approved_at, measures, responsible_persons, responsible_units, jurisdiction))"),
        doc=("批复下达：以人民政府填写的批复日期（批复文件上的日期，不是录入的时间）为准：启动行政处罚立案"
             "（批复之日起5个工作日内）、处分和整改措施落实；《安全生产法》第八十六条：事故调查报告批复之日起"
             "一年内组织评估（不等结案）；公开期限自批复之日起算；批复晚于条例第三十二条的期限的记为批复逾期。"))
    p.par("execute", "执行批复", S, 24)
    p.script("open_penalty_cases", "启动行政处罚立案", S, 25, code=(
        "for seed in penalty_case_seeds(responsible_units, responsible_persons, enterprise_name, "
        "accident_title, approved_at):\n"
        "    own_unit = seed['party_type'] == '单位' and seed['party_name'] == enterprise_name\n"
        "    start_case('enforcement_case', seed, party=seed.get('credit_code') or (party if own_unit else None),\n"
        "               title=(seed.get('party_name') or '') + '行政处罚案')\n"
        "penalty_cases_opened = True"))
    p.user("sanctions", "落实处分和移送司法", S, 25, row=1, form="accident.sanctions")
    p.user("track_measure", "跟踪整改措施落实", I, 25, doc="《生产安全事故报告和调查处理条例》第三十三条：事故发生单位落实防范和整改措施，安全生产监督管理部门对落实情况进行监督检查。每项措施的期限为批复确定的完成日期。",
           form="accident.measure_done",
           due="deadline_at(measure['due_date'])", props={"itemLabel": "measure['measure']"},
           multi={"input": "measures", "item": "measure", "output": "measure_results",
                  "output_item": "measure_result", "scripts_on_instances": True},
           post=("measure_result = {'measure': measure['measure'], 'owner': measure['owner'], "
                 "'completed_on': completed_on, 'evidence': evidence}"))
    p.par("executed", "", S, 26)
    p.flow("record_approval", "execute")
    p.flow("execute", "open_penalty_cases")
    p.flow("execute", "sanctions")
    p.flow("execute", "track_measure")
    p.flow("open_penalty_cases", "executed")
    p.flow("sanctions", "executed")
    p.flow("track_measure", "executed")

    # 公开、结案
    p.user("publish_report", "公开事故调查报告", S, 25, row=2, form="accident.publish", due="deadline_at(publish_due)",
           doc=("《安全生产法》第八十六条第一款、《生产安全事故报告和调查处理条例》第三十四条：事故调查报告依法及时向社会公布。"
                "自批复下达之日起公开（本地规定，默认30日，可在规则配置中调整），与处分、整改措施落实"
                "并行，不等执行完毕。"))
    p.timer("publish_late", "公开期限届满", "publish_report", "deadline_at(publish_due)", interrupting=False)
    p.script("note_publish_late", "记录公开逾期", S, 26, row=3, code="publish_late = True")
    p.end("end_publish_late", "已提醒", S, 27, row=3)
    p.user("close_case", "结案审批", L, 28, form="accident.close")
    p.script("close_and_assess", "结案", L, 29, code="closed_at = now().isoformat()")
    p.end("end_closed", "结案", L, 30)
    p.flow("execute", "publish_report")
    p.flow("publish_report", "executed")
    p.flow("publish_late", "note_publish_late")
    p.flow("note_publish_late", "end_publish_late")
    p.chain("executed", "close_case", "close_and_assess", "end_closed")
    return p
