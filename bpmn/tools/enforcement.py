"""执法案件 一案一审、集体决策 (DESIGN §3.3) as a model for ``layout.Process``."""
from __future__ import annotations

from .layout import Process

E, I, S, LR, H, C, D = "生产经营单位", "执法人员", "科室负责人", "法制审核员", "听证主持人", "集体讨论成员", "局长"


def build() -> Process:
    p = Process(
        "enforcement_case", "行政处罚案件办理（一案一审、集体决策）", [E, I, S, LR, H, C, D],
        doc=("《安全生产违法行为行政处罚办法》（应急管理部令第18号，2026年2月1日施行；此前立案的案件适用"
             "原总局令第15号/第77号）；《行政处罚法》第四十五、五十六、五十七、六十、六十二、六十四条；"
             "《行政强制法》第四十五、五十三、五十四、六十九条。"
             "初查5个工作日（可延长5个）、负责人立案审批、调查取证、先行登记保存经负责人批准并7个工作日内处理、"
             "处理呈批、法制审核（每案必审）、告知（陈述申辩5个工作日，申请听证5个工作日）、听证（申请后15日内，"
             "提前7个工作日通知）、不予听证书面告知理由、负责人集体讨论（法定人数、过半数、会议记录）、"
             "决定书7个工作日内送达、15日内缴纳罚款、逾期每日加处3%（不超过罚款数额）、催告10个工作日、"
             "复议（60日）和诉讼（6个月）期限届满之日起3个月内申请法院强制执行、10个工作日内结案；"
             "办案期限自立案至作出处罚决定90日（负责人批准120日，上级批准180日，听证、鉴定等期间不计入）。"))

    # 初查与立案
    p.start("start", "案件线索", I, 0)
    p.script("init_case", "登记线索", I, 1, code=(
        "received_at = now().isoformat()\n"
        "filing_late_explained = False\n"
        "try:\n"
        "    precheck_due = filing_due or workday_after(received_at, 5)\n"
        "except Exception:\n"
        "    precheck_due = workday_after(received_at, 5)\n"
        "precheck_extended = False\n"
        "proposer = None"))
    p.xor("to_intake", "", I, 2)
    p.user("intake", "初步核查", I, 3, doc="应急管理部令第18号；《行政处罚法》第五十四条：对违法线索自登记之日起5个工作日内初步核查并决定是否立案，特殊情况经负责人批准可延长5个工作日。",
           form="enforcement.intake", due="deadline_at(precheck_due)")
    p.timer("precheck_overdue", "核查期限届满", "intake", "deadline_at(precheck_due)")
    p.user("precheck_escalated", "初查超期督办", S, 4, row=1, form="enforcement.overdue_order",
           due="deadline_at(precheck_due if precheck_extended else workday_after(precheck_due, 5))",
           doc=("应急管理部令第18号；《行政处罚法》第五十四条：初步核查5个工作日，特殊情况经负责人批准可延长5个工作日。"
                "科室负责人督办的办理期限为延长后的期限届满之日（原期限后第5个工作日；已延长过的，为延长后的期限）。"))
    p.xor("intake_action", "核查意见？", I, 4)
    p.user("approve_precheck_extension", "审批延长核查期限", S, 5, row=1, form="enforcement.precheck_extension")
    p.script("extend_precheck", "延长核查期限", S, 6, row=1, code=(
        "precheck_due = precheck_due if precheck_extended or precheck_extension_decision != '同意' "
        "else workday_after(precheck_due, 5)\n"
        "precheck_extended = precheck_extended or precheck_extension_decision == '同意'"))
    p.user("approve_filing", "立案审批", D, 5, form="enforcement.filing",
           due="deadline_at(precheck_due)",
           doc=("《行政处罚法》第五十四条；应急管理部令第18号：由行政机关负责人决定是否立案，"
                "自发现线索或收到材料之日起5个工作日内（经批准延长5个工作日）。"))
    p.timer("filing_overdue", "立案期限届满", "approve_filing",
            "'2999-12-31T00:00:00+08:00' if filing_late_explained else deadline_at(precheck_due)")
    p.user("explain_filing_late", "立案超期情况说明", I, 6, row=1, form="enforcement.filing_overdue",
           post="filing_late_explained = True")
    p.xor("filing_gw", "立案？", D, 6)
    p.end("end_not_filed", "不予立案", D, 7, row=1)
    p.script("file_case", "立案", D, 7, code=(
        "filed_at = now().isoformat()\n"
        "case_extension = None\n"
        "suspensions = []\n"
        "decided_at = None\n"
        "case_due = case_due_on(filed_at, case_extension, suspensions)\n"
        "statement_days = statement_period_days(filed_at)\n"
        "hearing_days = hearing_request_days(filed_at)"),
        doc="办案期限、陈述申辩期限按立案之日有效的规则确定（2026年2月1日前立案的适用原办法）。")
    p.par("split_clock", "启动办案期限", S, 8)
    p.chain("start", "init_case", "to_intake", "intake", "intake_action")
    p.flow("precheck_overdue", "precheck_escalated")
    p.flow("precheck_escalated", "to_intake")
    p.flow("intake_action", "approve_precheck_extension", "申请延长",
           cond="intake_proposal == '申请延长核查期限'")
    p.flow("approve_precheck_extension", "extend_precheck")
    p.flow("extend_precheck", "to_intake")
    p.flow("intake_action", "approve_filing", "呈请立案审批", default=True)
    p.flow("approve_filing", "filing_gw")
    p.flow("filing_overdue", "explain_filing_late")
    p.flow("explain_filing_late", "approve_filing")
    p.flow("filing_gw", "file_case", "立案", cond="filing_decision == '立案'")
    p.flow("filing_gw", "end_not_filed", "不予立案", default=True)
    p.flow("file_case", "split_clock")

    # 办案期限（并行分支：届满前审查、延长、扣除听证鉴定期间；作出决定即停止）
    stopped = "case_value('decided_at')"
    stop_doc = ("《行政处罚法》第六十条：办案期限自立案至作出行政处罚决定（含不予处罚、移送司法的决定），"
                "作出决定即停止计算（case_value 读取主流程中的决定时间）。")
    p.wait("case_limit_warning", "届满前10日", S, 9, row=2, expr="day_start(day_after(case_due, -10))")
    p.xor("clock_decided", "已作出决定？", S, 10, row=2, doc=stop_doc)
    p.end("end_clock_decided", "办案期限停止计算", S, 11, row=3)
    p.xor("to_limit_review", "", S, 11, row=2)
    p.user("case_limit_review", "办案期限审查", I, 12, row=2, form="enforcement.case_limit_review")
    p.xor("extension_requested", "申请延长？", I, 13, row=2)
    p.user("approve_case_extension", "审批延长办案期限", D, 14, row=1, form="enforcement.case_extension",
           doc="应急管理部令第18号：负责人批准延长至120日，上一级批准延长至180日（2026年2月1日前立案的为90日、180日）；"
               "延长至180日由上一级应急管理部门决定，本局记录其批准文号和日期。")
    p.script("apply_case_extension", "延长办案期限", D, 15, row=1, code=(
        "case_extension = case_extension if case_extension_decision == '不予延长' "
        "else case_extension_decision"))
    p.xor("to_recompute", "", I, 15, row=2)
    p.script("recompute_case_due", "计算办案期限", I, 16, row=2, code=(
        "case_due = case_due_on(filed_at, case_extension, suspensions)"),
        doc="立案日＋立案时有效的期限（90/120/180日，2026年2月1日前立案为30/90/180日）＋听证、鉴定等中止期间（按起止日期）。")
    p.xor("limit_passed", "已届满？", I, 17, row=2)
    p.end("end_limit_decided", "办案期限停止计算", I, 18, row=3)
    p.wait("case_limit_reached", "办案期限届满", I, 18, row=2, expr="deadline_at(case_due)")
    p.script("mark_case_overdue", "记录办案超期", I, 17, row=4, code="case_overdue = True")
    p.user("explain_overdue", "办案超期情况说明", I, 18, row=4, form="enforcement.overdue_explanation")
    p.end("end_clock", "已说明", I, 19, row=4)
    p.flow("split_clock", "case_limit_warning")
    p.flow("case_limit_warning", "clock_decided")
    p.flow("clock_decided", "end_clock_decided", "已作出决定", cond=stopped)
    p.flow("clock_decided", "to_limit_review", "未作出决定", default=True)
    p.chain("to_limit_review", "case_limit_review", "extension_requested")
    p.flow("extension_requested", "approve_case_extension", "申请延长",
           cond="case_extension_request != '无需延长'")
    p.flow("extension_requested", "to_recompute", "无需延长", default=True)
    p.chain("approve_case_extension", "apply_case_extension", "to_recompute")
    p.chain("to_recompute", "recompute_case_due", "limit_passed")
    p.flow("limit_passed", "end_limit_decided", "已作出决定", cond=stopped)
    p.flow("limit_passed", "mark_case_overdue", "已届满",
           cond=f"not {stopped} and is_past(deadline_at(case_due), now())")
    p.flow("limit_passed", "case_limit_reached", "未届满", default=True)
    p.flow("case_limit_reached", "clock_decided")
    p.chain("mark_case_overdue", "explain_overdue", "end_clock")

    # 调查取证、先行登记保存
    p.user("investigate", "调查取证", I, 9, form="enforcement.investigate", doc=(
        "《行政处罚法》第五十四条：全面、客观、公正地调查，收集有关证据；第五十五条：执法人员不得少于两人，出示执法证件。"))
    p.xor("has_preservation", "先行登记保存？", I, 10)
    p.user("approve_preservation", "审批先行登记保存", D, 10, row=1, form="enforcement.preservation_approval",
           doc="《行政处罚法》第五十六条：证据可能灭失或以后难以取得时，经行政机关负责人批准，可以先行登记保存，"
               "并应当在7日（工作日）内及时作出处理决定。")
    p.xor("preservation_approved", "批准？", D, 11, row=1)
    p.script("start_preservation", "保存期限起算", I, 11, row=1,
             code="preservation_due = workday_after(now().isoformat(), 7)")
    p.user("decide_preservation", "先行登记保存处理决定", I, 12, row=1, doc="《行政处罚法》第五十六条：先行登记保存证据的，应当在7日内及时作出处理决定；第八十五条：该期限为工作日。",
           form="enforcement.preservation",
           due="deadline_at(preservation_due)")
    p.timer("preservation_overdue", "7个工作日内未处理", "decide_preservation", "deadline_at(preservation_due)")
    p.user("preservation_escalated", "保存物品处理超期督办", S, 13, row=1, form="enforcement.preservation",
           doc="《行政处罚法》第五十六条的7日处理期限已届满；法律未规定超期后的时限，本任务不设办理期限。")
    p.xor("to_propose", "", I, 13)
    p.flow("split_clock", "investigate")
    p.flow("investigate", "has_preservation")
    p.flow("has_preservation", "approve_preservation", "是", cond="preservation")
    p.flow("approve_preservation", "preservation_approved")
    p.flow("preservation_approved", "start_preservation", "批准", cond="preservation_approval_decision == '批准'")
    p.flow("preservation_approved", "to_propose", "不批准", default=True)
    p.flow("start_preservation", "decide_preservation")
    p.flow("preservation_overdue", "preservation_escalated")
    p.flow("decide_preservation", "to_propose")
    p.flow("preservation_escalated", "to_propose")
    p.flow("has_preservation", "to_propose", "否", default=True)

    # 呈批、法制审核
    p.user("propose", "案件处理呈批", I, 14, form="enforcement.proposal",
           props={"completerVariable": "proposer", "assignee": "proposer"}, doc=(
               "承办人提出处理意见呈批。第一次呈批由本单位执法人员认领；法制审核、负责人审批退回（以及集体讨论未通过、"
               "不批准移送、陈述申辩后改变处罚的）回到本环节时，交还上次提交呈批的承办人本人，"
               "退回原因显示在表单上方；该承办人已不在本单位或已停用的，仍由本单位执法人员认领。"
               "《行政处罚法》第五十八条（法制审核）、第五十七条（负责人审查决定）。"))
    p.rule("classify", "听证与集体讨论判定", I, 15, decision="hearing_and_collective", pre=(
        "hearing_fine_threshold = local_rule('hearing.large_fine_individual' if party_type == '个人' "
        "else 'hearing.large_fine_unit', now())"), doc=(
        "《行政处罚法》第六十三条第一款第（一）项：较大数额罚款为省、自治区、直辖市规定的数额，省级未规定的适用"
        "国务院部门的规定。本局所在省的数额在系统管理 › 规则配置（hearing.large_fine_individual、"
        "hearing.large_fine_unit，默认对个人2万元、对单位10万元，以上含本数）录入；判定时取当日有效的数额，"
        "记入案件（hearing_fine_threshold），此后规则变更不改变已判定案件的听证告知。"))
    p.user("legal_review", "法制审核", LR, 16, form="enforcement.legal_review", doc=(
        "《行政处罚法》第五十八条：涉及重大公共利益、直接关系当事人重大权益经过听证、案件情况疑难复杂等的，作出决定前须经法制审核；本局每案都经法制审核（一案一审，本地规则：武进区2017年安全生产工作要点，seed 000），由法制审核员审核，不通过的退回。"))
    p.xor("legal_ok", "审核通过？", LR, 17)
    p.xor("outcome_route", "拟处理意见？", LR, 18)
    p.chain("to_propose", "propose", "classify", "legal_review", "legal_ok")
    p.flow("legal_ok", "outcome_route", "通过", cond="legal_review_decision == '通过'")
    p.flow("legal_ok", "to_propose", "退回", default=True)

    # 告知、陈述申辩、听证
    p.user("notify", "送达行政处罚告知书", I, 19, form="enforcement.notify", doc=(
        "《行政处罚法》第四十四条：作出行政处罚决定前，告知拟作出的行政处罚内容及事实、理由、依据和陈述、申辩、要求听证的权利；第六十三条：符合听证条件的告知听证权利。"))
    p.script("start_statement", "陈述申辩期限起算", I, 20, code=(
        "statement_due = workday_after(notification_served_on, statement_days)\n"
        "hearing_request_due = workday_after(notification_served_on, hearing_days)\n"
        "response_due = max(statement_due, hearing_request_due)"),
        doc=("陈述申辩：立案时有效的办法（2026年2月1日起5个工作日，此前3日）；申请听证：告知后5日内"
             "（《行政处罚法》第六十四条第（一）项，第八十五条为工作日）。"))
    p.user("statement", "陈述申辩或申请听证", E, 21, form="enforcement.statement",
           due="deadline_at(response_due)",
           post="statement_late = bool(statement_text) and is_past(deadline_at(statement_due), now())",
           doc=("陈述申辩期限届满后、作出决定前提交的陈述申辩仍予听取和复核（《行政处罚法》第四十五条、第六十二条），"
                "记录为逾期提交（statement_late）：2026年2月1日前立案的案件陈述申辩3个工作日，申请听证仍为5个工作日。"))
    p.timer("statement_expired", "陈述申辩期限届满", "statement", "deadline_at(response_due)",
            props={"escalate": "false"})
    p.script("waive", "逾期视为放弃", E, 22, row=1, code="party_response = '放弃'")
    p.xor("party_gw", "当事人意见？", E, 23)
    p.flow("outcome_route", "notify", "处罚", cond="proposed_outcome == '处罚'")
    p.chain("notify", "start_statement", "statement", "party_gw")
    p.flow("statement_expired", "waive")
    p.flow("waive", "party_gw")
    p.script("hearing_requested", "听证期限起算", S, 24, code=(
        "hearing_requested_at = now().isoformat()\n"
        "hearing_latest = day_after(hearing_requested_at, 15)"))
    p.user("schedule_hearing", "指定主持人并通知听证", S, 25, form="enforcement.hearing_schedule", doc=(
        "《行政处罚法》第六十四条：听证由行政机关指定的非本案调查人员主持，听证的七日前（工作日，第八十五条）通知当事人听证的时间、地点；由科室负责人安排。"))
    p.script("check_schedule", "核对听证安排", S, 26, code=(
        "hearing_problems = hearing_schedule_problems(hearing_host, officers, hearing_at, "
        "hearing_notice_served_on, hearing_latest)"))
    p.xor("schedule_ok", "安排合规？", S, 27)
    p.wait("until_hearing", "听证日期", H, 28, expr="hearing_at")
    p.user("hold_hearing", "举行听证并制作听证报告", H, 29, form="enforcement.hearing_report", doc=(
        "《行政处罚法》第六十四条：听证主持人非本案调查人员，制作笔录；第六十五条：听证结束后，行政机关根据听证笔录依照第五十七条作出决定。"))
    p.user("review_statement", "复核陈述申辩意见", I, 24, row=1, form="enforcement.statement_review",
           doc="《行政处罚法》第四十五条：当事人有权陈述申辩，行政机关必须充分听取，对其事实、理由和证据进行复核。")
    p.user("refuse_hearing", "书面告知不予听证理由", I, 22, row=2, form="enforcement.hearing_refusal",
           doc=("《行政处罚法》第六十三条、第六十四条：不属于听证范围的申请不予组织听证，应书面告知理由；"
                "当事人的陈述申辩仍应听取和复核（第四十五条、第六十二条）。"))
    p.xor("has_statement", "有陈述申辩？", I, 23, row=2)
    p.xor("statement_gw", "改变处理意见？", I, 25, row=1)
    p.xor("to_collective", "", S, 30)
    p.flow("party_gw", "hearing_requested", "申请听证",
           cond="party_response == '申请听证' and hearing_eligible")
    p.chain("hearing_requested", "schedule_hearing", "check_schedule", "schedule_ok")
    p.flow("schedule_ok", "until_hearing", "合规", cond="not hearing_problems")
    p.flow("schedule_ok", "schedule_hearing", "重新安排", default=True)
    p.chain("until_hearing", "hold_hearing", "to_collective")
    p.flow("party_gw", "refuse_hearing", "申请听证（不符合条件）",
           cond="party_response == '申请听证' and not hearing_eligible")
    p.flow("refuse_hearing", "has_statement")
    p.flow("has_statement", "review_statement", "有", cond="statement_text")
    p.flow("has_statement", "to_collective", "无", default=True)
    p.flow("party_gw", "review_statement", "陈述申辩", cond="party_response == '陈述申辩'")
    p.flow("review_statement", "statement_gw")
    p.flow("statement_gw", "to_propose", "改变", cond="penalty_changed")
    p.flow("statement_gw", "to_collective", "维持", default=True)
    p.flow("party_gw", "to_collective", "放弃", default=True)
    p.flow("outcome_route", "to_collective", "不予处罚或须集体讨论", default=True)

    # 集体讨论 / 负责人审批
    p.xor("needs_collective", "集体讨论？", S, 31)
    p.user("convene", "组织集体讨论", S, 32, form="enforcement.convene",
           doc="《行政处罚法》第五十七条：情节复杂或者重大违法行为给予行政处罚，行政机关的负责人应当集体讨论决定。",
           post=("require_roles(committee_members, ['director', 'leader'], "
                 "'集体讨论组成人员须为本机关负责人（《行政处罚法》第五十七条）', 'committee_members')"))
    p.script("open_vote", "开始表决", S, 33, code="votes = []\nmember_count = len(committee_members)")
    p.user("vote", "集体讨论表决", C, 34, form="enforcement.vote", props={"assignee": "member"},
           multi={"input": "attendees", "item": "member", "output": "votes", "output_item": "ballot",
                  "scripts_on_instances": True},
           post="ballot = {'member': member, 'choice': vote_choice, 'opinion': vote_opinion}")
    p.script("count_votes", "计票", S, 35,
             code="vote_result = tally(votes, member_count, local_rule('enforcement.quorum', filed_at))",
             doc="法定到会比例为地方规则（默认三分之二，workflows/rules.py 按立案之日取值），过半数同意通过。")
    p.xor("vote_gw", "表决结果？", S, 36)
    p.user("minutes", "形成集体讨论记录", S, 37, form="enforcement.minutes")
    p.user("head_approval", "负责人审批", D, 32, form="enforcement.head_approval", doc=(
        "《行政处罚法》第五十七条：调查终结，行政机关负责人对调查结果进行审查，作出给予处罚、不予处罚或移送司法的决定（情节复杂或者重大违法的须集体讨论，见集体讨论表决）。"))
    p.xor("head_ok", "同意？", D, 33)
    p.xor("decided_route", "决定类型？", I, 38)
    p.flow("to_collective", "needs_collective")
    p.flow("needs_collective", "convene", "是", cond="collective_required")
    p.flow("needs_collective", "head_approval", "否", default=True)
    p.chain("convene", "open_vote", "vote", "count_votes", "vote_gw")
    p.flow("vote_gw", "convene", "不足法定人数", cond="not vote_result['quorum_met']")
    p.flow("vote_gw", "minutes", "通过", cond="vote_result['passed']")
    p.flow("vote_gw", "to_propose", "未通过", default=True)
    p.flow("minutes", "decided_route")
    p.flow("head_approval", "head_ok")
    p.flow("head_ok", "decided_route", "同意", cond="head_decision == '同意'")
    p.flow("head_ok", "to_propose", "退回", default=True)

    # 移送司法（3日内决定，24小时内移送）
    p.script("transfer_requested", "移送审批期限起算", D, 19,
             code="transfer_decision_due = day_after(now().isoformat(), 3)")
    p.user("decide_transfer", "审批移送司法", D, 20, doc="《行政执法机关移送涉嫌犯罪案件的规定》（国务院令第310号）第五条：对移送涉嫌犯罪案件的书面报告，自接到之日起3日内作出批准或者不批准移送的决定。",
           form="enforcement.transfer_decision",
           due="deadline_at(transfer_decision_due)")
    p.timer("transfer_decision_late", "3日内未决定", "decide_transfer",
            "deadline_at(transfer_decision_due)", interrupting=False)
    p.script("remind_transfer", "提醒审批移送", D, 20, row=1, code="transfer_reminder = True")
    p.end("end_remind_transfer", "已提醒", D, 21, row=1)
    p.xor("transfer_ok", "批准移送？", D, 21)
    p.script("transfer_window", "移送时限起算", I, 22, row=3, code=(
        "transfer_due = hours_after(now().isoformat(), 24)\n"
        "decided_at = decided_at or now().isoformat()"))
    p.user("transfer", "移送司法机关", I, 23, row=3, doc="《行政执法机关移送涉嫌犯罪案件的规定》（国务院令第310号）第五条：决定批准移送的，在24小时内向同级公安机关移送。",
           form="enforcement.transfer", due="transfer_due")
    p.timer("transfer_overdue", "24小时内未移送", "transfer", "transfer_due")
    p.user("transfer_escalated", "移送超时督办", S, 24, row=3, form="enforcement.transfer",
           doc="移送时限（24小时）已届满；法律未规定超时后的时限，本任务不设办理期限。")
    p.flow("outcome_route", "transfer_requested", "移送司法",
           cond="proposed_outcome == '移送司法' and not collective_required")
    p.flow("transfer_requested", "decide_transfer")
    p.flow("transfer_decision_late", "remind_transfer")
    p.flow("remind_transfer", "end_remind_transfer")
    p.flow("decide_transfer", "transfer_ok")
    p.flow("transfer_ok", "transfer_window", "批准", cond="transfer_decision == '批准'")
    p.flow("transfer_ok", "to_propose", "不批准", default=True)
    p.flow("transfer_window", "transfer")
    p.flow("transfer_overdue", "transfer_escalated")

    # 决定、送达、执行
    p.script("decided", "作出处罚决定", I, 39, code=(
        "decided_at = now().isoformat()\n"
        "penalty_decided_on = iso_day(decided_at)\n"
        "serve_due = workday_after(decided_at, 7)"),
        doc=("作出处罚决定：办案期限（《行政处罚法》第六十条）至此停止计算；决定日期记入企业的行政处罚决定记录"
             "（penalty_decided_on），《安全生产法》第一百一十三条按此计数。"))
    p.user("serve_decision", "送达行政处罚决定书", I, 40, doc="《行政处罚法》第六十一条：行政处罚决定书当场交付当事人；当事人不在场的，在7日内送达；第八十五条：该期限为工作日。",
           form="enforcement.serve_decision",
           due="deadline_at(serve_due)")
    p.timer("serve_overdue", "7个工作日内未送达", "serve_decision", "deadline_at(serve_due)")
    p.user("serve_escalated", "决定书送达超期督办", S, 41, form="enforcement.serve_decision",
           doc="决定书送达期限（《行政处罚法》第六十一条）已届满；法律未规定超期后的时限，本任务不设办理期限。")
    p.script("start_payment", "缴款期限起算", I, 42, code=(
        "payment_due = party_period_end(decision_served_on, 15)\n"
        "court_window = court_application_window(decision_served_on)"),
        doc=("《行政处罚法》第六十七条：收到决定书之日起15日内缴纳罚款；期间按《民法典》第二百零一条（送达当日不计入）、"
             "第二百零三条（最后一日是法定休假日的，以休假日结束的次日为最后一日）计算。"))
    p.xor("has_fine", "有罚款？", I, 43)
    p.user("pay_fine", "缴纳罚款", E, 44, doc="《行政处罚法》第六十七条：当事人自收到行政处罚决定书之日起15日内缴纳罚款；期间按《民法典》第二百零一条、第二百零三条计算，送达当日不计入，最后一日是法定休假日的顺延至休假日后的第一个工作日。",
           form="enforcement.payment", due="deadline_at(payment_due)")
    p.timer("payment_overdue", "15日内未缴纳", "pay_fine", "deadline_at(payment_due)")
    p.script("compute_late", "计算加处罚款", I, 44, row=1,
             code="late_penalty = late_penalty_for(fine_amount, payment_due, now())")
    p.user("urge_payment", "催告当事人履行", I, 45, row=1, form="enforcement.urge", doc=(
        "《行政强制法》第三十五条：申请强制执行前书面催告当事人履行；第五十四条：催告书送达十日后（工作日，第六十九条）仍未履行的，可以申请人民法院强制执行。"))
    p.script("urge_period", "催告期限起算", I, 46, row=1, code=(
        "urge_due = workday_after(urged_on, 10)\n"
        "court_window = court_application_window(decision_served_on, urge_due)\n"
        "court_opens_on = court_window['court_opens_on']\n"
        "court_due = court_window['court_due']"),
        doc=("《行政强制法》第五十四条、第六十九条：催告书送达10个工作日后仍未履行的，可以申请强制执行；"
             "第五十三条：自行政复议（60日）、行政诉讼（6个月）期限届满之日起3个月内申请人民法院强制执行。"))
    p.user("pay_after_urge", "缴纳罚款及加处罚款", E, 47, row=1, doc="《行政强制法》第五十四条：催告书送达10日后仍未履行的，可以申请人民法院强制执行；第六十九条：10日以内的期限为工作日；《行政处罚法》第七十二条：到期不缴纳罚款的，每日按罚款数额的3%加处罚款，加处罚款的数额不得超出罚款的数额。",
           form="enforcement.payment",
           due="deadline_at(urge_due)")
    p.timer("urge_expired", "催告期满未履行", "pay_after_urge", "deadline_at(urge_due)", interrupting=False)
    p.script("note_urge_lapsed", "记录催告期满", E, 47, row=2, code="urge_lapsed = True")
    p.end("end_urge_lapsed", "已记录", E, 48, row=2)
    p.timer("periods_ended", "复议诉讼期限届满", "pay_after_urge", "day_start(court_opens_on)")
    p.script("final_late", "核定加处罚款", I, 48, row=2,
             code="late_penalty = late_penalty_for(fine_amount, payment_due, now())")
    p.user("apply_court", "申请人民法院强制执行", D, 49, form="enforcement.court_application",
           due="deadline_at(court_due)",
           doc="《行政强制法》第五十三条：复议、诉讼期限届满之日起3个月内申请；由行政机关负责人批准（第五十五条）。")
    p.timer("court_reminder", "申请期限前10个工作日", "apply_court", "reminder_at(court_due, 10, now())",
            interrupting=False)
    p.script("remind_court", "提醒申请强制执行", D, 49, row=1, code="court_reminder_sent = True")
    p.end("end_remind_court", "已提醒", D, 50, row=1)
    p.script("court_settled", "法院受理", D, 50, code="settled_on = court_accepted_on")
    p.script("paid", "罚款已缴纳", E, 48, code="settled_on = paid_on")
    p.script("no_penalty_settled", "执行完毕", I, 50, row=1, code="settled_on = iso_day(now())")
    p.script("decided_no_penalty", "作出不予处罚决定", I, 38, row=1, code="decided_at = now().isoformat()")
    p.user("no_penalty", "送达不予行政处罚决定书", I, 39, row=1, form="enforcement.no_penalty", doc=(
        "《行政处罚法》第五十七条第一款第（二）项、第（三）项：违法行为轻微依法可以不予处罚或违法事实不能成立的，不予行政处罚；第六十一条：决定书送达。"))
    p.flow("decided_route", "decided", "处罚", cond="proposed_outcome == '处罚'")
    p.flow("decided_route", "transfer_requested", "移送司法", cond="proposed_outcome == '移送司法'")
    p.flow("decided_route", "decided_no_penalty", "不予处罚", default=True)
    p.flow("decided_no_penalty", "no_penalty")
    p.flow("decided", "serve_decision")
    p.flow("serve_overdue", "serve_escalated")
    p.flow("serve_decision", "start_payment")
    p.flow("serve_escalated", "start_payment")
    p.flow("start_payment", "has_fine")
    p.flow("has_fine", "pay_fine", "是", cond="float(fine_amount or 0) > 0")
    p.flow("has_fine", "no_penalty_settled", "否", default=True)
    p.flow("payment_overdue", "compute_late")
    p.chain("compute_late", "urge_payment", "urge_period", "pay_after_urge")
    p.flow("urge_expired", "note_urge_lapsed")
    p.flow("note_urge_lapsed", "end_urge_lapsed")
    p.flow("periods_ended", "final_late")
    p.flow("final_late", "apply_court")
    p.flow("court_reminder", "remind_court")
    p.flow("remind_court", "end_remind_court")
    p.flow("apply_court", "court_settled")
    p.flow("pay_fine", "paid")
    p.flow("pay_after_urge", "paid")
    p.flow("no_penalty", "no_penalty_settled")
    p.flow("transfer", "no_penalty_settled")
    p.flow("transfer_escalated", "no_penalty_settled")

    # 结案
    p.xor("to_close", "", S, 51)
    p.script("start_close", "结案期限起算", S, 52, code="close_due = workday_after(settled_on, 10)")
    p.user("close_case", "结案审批", S, 53, doc="应急管理部令第18号：执行完毕（缴清罚款，或人民法院受理强制执行申请）后10个工作日内结案审批；逾期提交局长督办。",
           form="enforcement.close", due="deadline_at(close_due)")
    p.timer("close_overdue", "10个工作日内未结案", "close_case", "deadline_at(close_due)")
    p.user("close_escalated", "结案超期督办", D, 54, form="enforcement.close")
    p.end("end_closed", "结案", S, 55, terminate=True)
    p.flow("paid", "to_close")
    p.flow("court_settled", "to_close")
    p.flow("no_penalty_settled", "to_close")
    p.chain("to_close", "start_close", "close_case", "end_closed")
    p.flow("close_overdue", "close_escalated")
    p.flow("close_escalated", "end_closed")
    return p
