"""Case context per task form (办理依据): what a step shows above its form, declared once per form.

An approver decides on something: the proposal (挂牌建议), the plan (整改方案), the requested date
(延期申请), the facts and the fine (法制审核). ``CONTEXT`` names, per form key, the case-data fields the
step shows (``facts``), the files of earlier steps it shows (``files``: (form key, attachment field)
— a file belongs to the field it was uploaded to and is shown under that field's label only), the
case variable a loop-back gate fills with what is missing (``gate``), and the fields of this form
filled in advance from what the request already says (``prefill``: this form's field <- case key).

Every step also shows the chain of opinions so far and, when it is done again, why it came back —
those are computed from the audit log in ``webui.taskcontext``; the rules for what counts as an
opinion and as a return are here (``is_opinion``, ``RETURN_VALUES``).

``FACT_LABELS`` names the variables the process computes (grade, 管辖, 迟报, 上报对象…), which no form
labels; ``INTERNAL`` marks what an enterprise never reads (internal opinions and votes); ``HIDDEN``
the bookkeeping variables no page shows.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Context:
    facts: tuple[str, ...] = ()
    files: tuple[tuple[str, str], ...] = ()
    gate: str | None = None
    prefill: tuple[tuple[str, str], ...] = ()
    penalty_cases: bool = False  # shows the 行政处罚案件 opened from the case (the fine a reward rests on)


# --- what the processes compute (no form labels them) -------------------------------------------

FACT_LABELS = {
    # 挂牌督办
    "hazard_grade": "隐患等级", "grade_basis": "隐患判定依据", "listing_level": "挂牌级别",
    "listed_at": "挂牌时间", "plan_due": "整改方案报送期限", "overdue_count": "累计逾期次数",
    "overdue_rung_name": "逾期处置措施", "close_applied_at": "销号申请时间", "review_due": "现场复查期限",
    "delisted_at": "销号时间", "closure_due": "已符合提请关闭条件（180日内3次或1年内4次受到行政处罚）",
    "penalty_decisions": "行政处罚决定记录（决定日期、文号）",
    # 事故调查
    "accident_grade": "事故等级", "jurisdiction": "管辖（负责调查的人民政府）", "report_to": "上报对象",
    "late_report": "迟报", "report_deadline": "逐级上报时限", "approval_days": "批复期限（日）",
    "supplement_due": "伤亡补报截止日期", "report_due": "调查报告提交期限", "extension_used": "已申请调查延期",
    "four_nots_missing": "四不放过核验未通过项", "submitted_at": "调查报告提交时间", "approval_due": "批复期限",
    "approval_extended": "已延长批复期限", "approved_at": "批复日期", "approval_late": "批复逾期（超过条例第三十二条的期限）", "publish_due": "公开期限",
    "crime_transfers": "移送涉嫌犯罪",
    # 执法案件
    "received_at": "登记时间", "precheck_due": "初步核查期限", "precheck_extended": "已延长核查期限",
    "filed_at": "立案时间", "case_due": "办案期限", "statement_days": "陈述申辩期限（工作日）",
    "severe_measure": "涉及停产停业等较重处罚", "hearing_eligible": "符合听证条件",
    "collective_required": "须集体讨论决定", "hearing_basis": "听证和集体讨论依据",
    "hearing_fine_threshold": "听证告知的较大数额罚款标准（元，判定之日适用）", "statement_due": "陈述申辩截止日期",
    "statement_late": "陈述申辩逾期提交（仍予复核）",
    "decided_at": "处罚决定时间", "serve_due": "决定书送达期限", "payment_due": "缴款期限", "late_penalty": "加处罚款（元）",
    "vote_summary": "表决结果", "handling_opinion": "办理意见",
    # 结案后评估
    "accident_title": "事故名称", "closed_at": "事故结案时间", "organised_by": "组织评估的人民政府",
    "assessment_start": "评估开始日期", "assessment_due": "评估完成期限",
    # 12350 举报
    "verify_due": "核查期限", "verify_legal_due": "法定核查期限（含延长）", "verify_limit_exceeded": "超过法定核查期限", "reply_due": "答复期限", "reward_eligible": "符合奖励条件", "reward_proposed": "拟奖励金额（元）",
    "verified_at": "核查完成时间",
    # 执法案卷评查
    "review_total": "评查总分", "review_grade": "评查等次", "correction_due": "整改期限",
    "reviewed_case_no": "被评查案卷案号",
    # 事故查处挂牌督办
    "accident_case_no": "督办的事故案件", "listed_at": "挂牌时间", "next_report_due": "下次报送进展期限",
    "deaths": "死亡人数（含失踪）", "occurred_at": "事故发生时间",
    # 双随机一公开
    "publication_text": "公示内容", "publish_late": "逾期公示（超过检查之日起20个工作日）",
    "drawn_count": "抽中企业数", "draw_result": "抽取结果（抽中的企业及其检查人员）",
    # 严重失信主体名单
    "listing_ends_on": "管理期限届满之日（3年）", "removed_on": "移出日期",
    # 隐患排查治理情况统计分析表 (16号令第十四条)
    "report_period_label": "统计期", "report_kind": "报表类别", "period_from": "统计期起始日",
    "period_to": "统计期截止日", "statistics_due": "统计分析表报送期限",
    "ledger_found_total": "隐患台账：本期发现隐患（项）", "ledger_found_major": "隐患台账：其中重大事故隐患（项）",
    "ledger_rectified_total": "隐患台账：截至期末已整改（项）", "ledger_rectified_major": "隐患台账：重大事故隐患已整改（项）",
    "ledger_open_total": "隐患台账：截至期末未整改（项）", "ledger_overdue_total": "隐患台账：其中逾期未整改（项）",
    "ledger_rectify_cost": "隐患台账：整改资金（元）", "submitted_on": "报送日期", "first_submitted_on": "首次报送日期",
    "report_late": "逾期报送（首次报送晚于报送期限）", "report_overdue": "报送期限届满时未报送",
    "report_differs": "填报数据与隐患台账不一致", "received_on": "签收日期", "returned_for_correction": "已退回补正",
    "next_round_at": "下次生成报送案件时间",
    "opened_count": "本次生成报送案件数",
    # 领导带队督查检查 (seed 004)
    "leader_name": "带队领导", "hazards_opened": "转入隐患排查治理（件）", "items_closed_on": "督办事项办结日期",
    "reminder_text": "进度提醒", "period_label": "提醒季度", "reminders_opened": "本次生成进度提醒数",
}

# Amounts in yuan a process computes rather than a money field asks (加处罚款 by 《行政处罚法》第七十二条,
# 拟奖励金额 by 安监总财〔2018〕19号): shown as money like a money field's (5,000,000.00, its label says 元),
# not as the script stored them ("1500.00").
COMPUTED_AMOUNTS = frozenset({"late_penalty", "reward_proposed"})

# The columns of a table a process computes (no form's table field names them): the 双随机 draw's picks,
# one row an enterprise, its inspectors by 姓名 (webui/display.value).
COMPUTED_COLUMNS = {
    "draw_result": (("name", "企业名称"), ("credit_code", "统一社会信用代码"), ("sector", "行业"),
                    ("risk_level", "风险等级"), ("org_unit", "属地"), ("inspectors", "检查人员")),
}

# The law and article each computed deadline comes from, shown beside it (期限及其法律依据).
FACT_BASIS = {  # as docs/processes.md's table of deadlines names them
    "overdue_rung_name": "逾期未整改的督办措施：责令停产停业整顿并处罚款见《安全生产法》第一百零二条，"
                         "按日连续处罚见第一百一十二条，停止供电见第七十条；约谈警示、公开曝光及各次逾期的措施先后为本地规则",
    "review_due": "原总局令第16号第二十三条：收到销号申请后10日内现场复查",
    "precheck_due": "应急管理部令第18号、《行政处罚法》第五十四条：5个工作日内核查并决定是否立案",
    "case_due": "《行政处罚法》第六十条、应急管理部令第18号：自立案之日起90日内作出处罚决定"
                "（经批准延长的按延长后的期限；2026年2月1日前立案的适用原办法）",
    "statement_due": "应急管理部令第18号、《行政处罚法》第四十五条：告知书送达后5个工作日内陈述申辩"
                     "（2026年2月1日前立案的为3日）",
    "serve_due": "《行政处罚法》第六十一条、第八十五条：当事人不在场的，7个工作日内送达决定书",
    "payment_due": "《行政处罚法》第六十七条：收到决定书之日起15日内缴纳罚款",
    "report_deadline": "国务院令第493号第九条、第十一条：单位负责人1小时内报告，每级上报不超过2小时",
    "supplement_due": "国务院令第493号第十三条：伤亡人数变化的30日内补报（道路交通、火灾7日内）",
    "report_due": "国务院令第493号第二十九条：自事故发生之日起60日内提交调查报告",
    "approval_due": "国务院令第493号第三十二条：收到调查报告之日起15日内批复（特别重大事故30日）",
    "assessment_due": "《安全生产法》第八十六条：批复事故调查报告后一年内评估",
    "statistics_due": "原国家安全监管总局令第16号第十四条：季度统计分析表下一季度15日前、年度统计分析表下一年1月31日前报送（含当日）",
}

# The computed results each process shows as labelled facts at the top of its case page.
KEY_FACTS = {
    "hazard_supervision": ("hazard_grade", "grade_basis", "listing_level", "listed_at", "plan_due", "rectify_deadline",
                           "overdue_count", "overdue_rung_name", "delisted_at"),
    "accident_investigation": ("accident_grade", "jurisdiction", "report_to", "late_report", "report_deadline",
                               "supplement_due", "report_due", "approval_due", "four_nots_missing"),
    "enforcement_case": ("hearing_eligible", "collective_required", "hearing_basis", "case_due", "statement_due",
                         "payment_due", "late_penalty"),
    "post_case_assessment": ("accident_title", "accident_grade", "closed_at", "organised_by", "assessment_start",
                             "assessment_due"),
    "leader_inspection": ("leader_name", "visited_on", "hazards_opened", "items_closed_on"),
    "joint_meeting": ("met_on", "items_closed_on"),
    "joint_inspection": ("inspected_on", "hazards_opened"),
    "hazard_statistics_report": ("report_period_label", "statistics_due", "first_submitted_on", "report_late",
                                 "report_overdue", "received_on"),
}

# Bookkeeping no page shows (ranks, counters, who votes next, the party's code…).
HIDDEN = frozenset({
    "case_no", "org_code", "party", "accident_grade_rank", "jurisdiction_rank", "listing_rank", "penalty_cases_opened", "penalty_decision_dates", "ladder",
    "member", "member_count", "votes", "vote_result", "case_extension", "assessment_stage", "overdue_rung",
    "credit_code_checked", "delist_returned",
    "report_period", "report_year", "report_quarter", "report_targets",  # 统计分析表: keys the labels above say,
    "round_org", "opened_periods",                                        # the case's unit, its statistics periods
    "reminder_to", "reminder_lines", "hazard_findings", "notice_items", "visit_year", "notice_issued_on",  # 领导带队督查:
    "pace_reminders", "reminded_periods", "item_answers",                 # what the texts above and the notice say
    "inspection_year",                                                    # 联合检查执法: the year it counts in
})

# What an enterprise (当事企业) never reads on its own case: the bureau's internal opinions and votes.
INTERNAL_PREFIXES = ("listing_review_", "listing_approval_", "legal_review_", "head_", "vote_", "filing_",
                     "intake_", "precheck_extension_", "transfer_", "close_approval_", "meeting_", "minutes",
                     "case_extension_", "assessment_review_")
INTERNAL = frozenset({"votes", "vote_result", "vote_summary", "committee_members", "attendees", "proposal_reason",
                      "proposal_opinion", "discretion_standard", "discretion_level", "statement_review_opinion",
                      "fix_overdue_opinion", "order_opinion", "supervise_opinion"})


def is_internal(name: str) -> bool:
    return name in INTERNAL or name.startswith(INTERNAL_PREFIXES)


# Fields only one role reads, whoever else sees the case: the whistleblower's identity (举报人身份) is for
# the 举报受理员 alone (《安全生产领域举报奖励办法》: 不得泄露举报人的信息).
RESTRICTED = {name: "intake" for name in ("whistleblower_name", "whistleblower_phone", "whistleblower_id_number")}


def may_read(name: str, roles) -> bool:
    role = RESTRICTED.get(name)
    return role is None or role in set(roles or ())


def redact(value, roles):
    """``value`` (case data, an audit detail…) without the fields ``roles`` may not read, at any depth
    (a copy: new dicts and lists)."""
    held = set(roles or ())
    return _without(value, frozenset(name for name, role in RESTRICTED.items() if role not in held))


def _without(value, hidden: frozenset):
    # The names hidden from these roles worked out once: a case's data and history are walked key by
    # key, and asking may_read for each key built a set of the roles each time.
    if isinstance(value, dict):
        return {k: _without(v, hidden) for k, v in value.items() if k not in hidden}
    if isinstance(value, list):
        return [_without(v, hidden) for v in value]
    return value


# A decision that sends the work back (退回、不批准…) and the opinion fields that say why.
RETURN_VALUES = frozenset({"退回", "退回补充", "不批准", "不同意", "不通过", "不予延长"})
_OPINION_NAMES = frozenset({"vote_choice", "fix_passed", "review_passed", "review_findings", "statement_adopted",
                            "closure_decision", "proposed_outcome", "intake_proposal", "legal_review_points"})


def is_opinion(name: str) -> bool:
    """Decisions and opinions (审批意见、审核意见、表决…) that make up a case's chain of opinions."""
    return name.endswith(("_decision", "_opinion")) or name in _OPINION_NAMES


# --- the context of each step ---------------------------------------------------------------------

_HAZARD = ("description", "location", "hazard_grade", "grade_basis", "major_criterion")
_PROPOSAL = ("rectify_deadline", "responsible_unit", "responsible_person", "requirements", "supervision_level",
             "listing_level", "cross_region", "stop_production", "proposal_opinion")
_PLAN = ("plan_goals", "plan_methods", "plan_funds", "plan_staff", "plan_timeline", "plan_safety",
         "reported_to_regulator_on", "reported_to_workers_on")
# a measure for an overdue hazard (约谈, 曝光, 停产停业, 按日处罚, 停电) names the hazard it is for, first
_LADDER = ("description", "location", "requirements", "rectify_deadline", "overdue_count", "overdue_rung_name",
           "penalty_summary")
_ACCIDENT = ("accident_title", "occurred_at", "enterprise_name", "location", "accident_type", "deaths",
             "serious_injuries", "direct_loss", "summary", "accident_grade", "jurisdiction", "report_to",
             "late_report", "report_deadline")
_REPORT = ("report_summary", "direct_cause", "technical_causes", "management_causes", "accident_nature",
           "responsible_persons", "responsible_units", "measures", "education_done", "education_record",
           "four_nots_missing")
_CASE = ("party_name", "violation_facts", "legal_basis")
# 办案期限: who decides a penalty case decides within it (《行政处罚法》第六十条, 应急管理部令第18号)
_PERIOD = ("filed_at", "case_due")
_PENALTY = ("facts_found", "proposed_outcome", "violation", "legal_basis", "penalty_basis", "discretion_standard",
            "discretion_level", "penalty_types", "fine_amount", "confiscation_amount", "proposal_reason",
            "hearing_basis")
_FOR_PARTY = ("violation", "legal_basis", "penalty_basis", "penalty_types", "fine_amount", "hearing_eligible",
              "statement_due")
_TIPOFF = ("channel", "received_at", "enterprise_name", "tipoff_address", "tipoff_content")
_VERIFIED = ("verified_on", "verifiers", "verified_result", "finding_type", "verify_findings", "follow_up")
_LISTED_ACCIDENT = ("accident_case_no", "accident_title", "accident_grade", "occurred_at", "enterprise_name",
                    "deaths", "report_due")
_LISTING_PROPOSAL = ("enterprise_name", "credit_code", "ground", "facts", "basis", "source_case_no", "proposal_opinion")
_ASSESSED = ("accident_title", "accident_grade", "closed_at", "measures", "responsible_persons", "assessment_due")

CONTEXT: dict[str, Context] = {
    # 重大事故隐患挂牌督办
    "hazard.fix_now": Context(("description", "location", "fix_deadline", "fix_opinion")),
    "hazard.confirm_fix": Context(("description", "fix_deadline", "measures_taken", "completed_on"),
                                  files=(("hazard.fix_now", "attachments"),)),
    "hazard.fix_overdue": Context(("description", "location", "fix_deadline", "measures_taken")),
    "hazard.propose": Context(_HAZARD + ("requires_shutdown", "long_rectification", "external_factors"),
                              files=(("hazard.register", "attachments"),)),
    "hazard.review_listing": Context(_HAZARD + _PROPOSAL, files=(("hazard.register", "attachments"),)),
    "hazard.approve_listing": Context(_HAZARD + _PROPOSAL, files=(("hazard.register", "attachments"),)),
    "hazard.issue_notice": Context(("description", "rectify_deadline", "responsible_unit", "requirements",
                                    "listing_level", "listing_deadline")),
    "hazard.plan": Context(("description", "rectify_deadline", "requirements", "plan_due")),
    "hazard.review_plan": Context(("description", "rectify_deadline", "requirements") + _PLAN,
                                  files=(("hazard.plan", "attachments"),)),
    "hazard.rectify": Context(("description", "rectify_deadline", "requirements", "plan_methods")),
    "hazard.progress": Context(("rectify_deadline", "requirements")),
    "hazard.extension_decision": Context(("description", "rectify_deadline", "requested_deadline", "extension_reason",
                                          "rectify_summary"),
                                         files=(("hazard.rectify", "attachments"),),
                                         prefill=(("approved_deadline", "requested_deadline"),)),
    "hazard.assessment": Context(("description", "requirements", "rectify_summary"),
                                 files=(("hazard.rectify", "attachments"),)),
    "hazard.close_application": Context(("rectify_summary", "assessment_mode", "assessment_conclusion")),
    "hazard.onsite_review": Context(("description", "requirements", "rectify_summary", "assessment_conclusion",
                                     "assessment_report", "close_statement", "self_assessment", "review_due"),
                                    files=(("hazard.assessment", "attachments"),
                                           ("hazard.close_application", "attachments"))),
    "hazard.approve_close": Context(("description", "rectify_summary", "assessment_conclusion", "close_statement",
                                     "review_passed", "reviewed_on", "reviewers", "review_findings"),
                                    files=(("hazard.assessment", "attachments"),
                                           ("hazard.close_application", "attachments"))),
    "hazard.publish_delist": Context(("description", "delisted_at")),
    "hazard.interview": Context(_LADDER + ("responsible_person",)),
    "hazard.expose": Context(_LADDER),
    "hazard.penalty": Context(_LADDER),
    "hazard.power_cut": Context(_LADDER),
    "hazard.execute_power_cut": Context(("power_cut_decided_on", "power_supplier", "notice_served_at")),
    # the 提请关闭 the bureau considers (安全生产法第一百一十三条), with the penalties decided
    "hazard.closure_proposal": Context(_LADDER + ("closure_due", "penalty_decisions")),
    "hazard.close_decision": Context(_LADDER + ("closure_due", "penalty_decisions", "closure_basis",
                                                "closure_proposal_opinion")),
    # 事故调查处理
    "accident.report_up": Context(_ACCIDENT),
    "accident.hand_over": Context(_ACCIDENT + ("reported_to", "take_over")),
    "accident.team": Context(_ACCIDENT),
    "accident.investigate": Context(("accident_title", "accident_grade", "report_due", "team_leader", "team_members")),
    "accident.report": Context(("accident_title", "accident_grade", "report_due", "progress_note"),
                               gate="four_nots_missing"),
    "accident.approval": Context(("accident_title", "accident_grade", "submitted_at", "approval_due") + _REPORT,
                                 files=(("accident.report", "attachments"),), gate="approval_date_problems"),
    "accident.approval_supervise": Context(("accident_title", "approval_due", "submitted_at")),
    "accident.overdue_order": Context(("accident_title", "report_due", "progress_note")),
    "accident.extension_decision": Context(("accident_title", "report_due", "extension_days", "extension_reason",
                                            "progress_note"),
                                           prefill=(("extension_days", "extension_days"),)),
    "accident.sanctions": Context(("accident_title", "responsible_persons", "responsible_units", "approval_text")),
    "accident.measure_done": Context(("accident_title", "measures")),
    "accident.publish": Context(("accident_title", "approved_at", "publish_due")),
    # 结案: the 批复 carried out — 处分、移送司法 (条例第三十二条), 整改措施 (第三十三条), 警示教育 (四不放过)
    "accident.close": Context(("accident_title", "accident_grade", "deaths", "approval_doc_no", "approval_text",
                               "disciplinary_handled", "judicial_handled", "sanctions_summary", "crime_transfers",
                               "measures", "education_done", "report_published_on"),
                              files=(("accident.sanctions", "attachments"),)),
    # 执法案件
    "enforcement.intake": Context(_CASE),
    "enforcement.overdue_order": Context(_CASE + ("precheck_due",)),
    "enforcement.precheck_extension": Context(_CASE + ("precheck_due", "intake_opinion")),
    "enforcement.filing": Context(_CASE + ("party_type", "intake_proposal", "intake_opinion")),
    "enforcement.case_limit_review": Context(("case_cause", "filed_at", "case_due")),
    "enforcement.case_extension": Context(("case_cause", "filed_at", "case_due", "case_extension_request",
                                           "suspensions", "suspension_note")),
    "enforcement.overdue_explanation": Context(("case_cause", "filed_at", "case_due")),
    "enforcement.investigate": Context(_CASE + ("case_cause", "officers")),
    "enforcement.preservation": Context(("case_cause", "preservation_items")),
    "enforcement.proposal": Context(("case_cause", "facts_found", "investigators")),
    "enforcement.legal_review": Context(("case_cause", "party_name", "investigators") + _PENALTY + _PERIOD,
                                       files=(("enforcement.investigate", "evidence"),
                                              ("enforcement.investigate", "transcripts"))),
    "enforcement.notify": Context(_FOR_PARTY),
    "enforcement.statement": Context(_FOR_PARTY),
    "enforcement.statement_review": Context(_PENALTY + ("party_response", "statement_text", "statement_late"),
                                            files=(("enforcement.statement", "attachments"),)),
    "enforcement.hearing_schedule": Context(("party_name", "hearing_basis", "investigators")),
    "enforcement.hearing_report": Context(_PENALTY + ("hearing_host", "hearing_at", "hearing_place")),
    "enforcement.convene": Context(("case_cause", "party_name") + _PENALTY),
    "enforcement.vote": Context(("case_cause", "party_name") + _PENALTY + ("party_response", "statement_text",
                                                                          "hearing_report", "meeting_topic") + _PERIOD),
    "enforcement.minutes": Context(("case_cause", "meeting_topic", "vote_summary")),
    "enforcement.head_approval": Context(("case_cause", "party_name") + _PENALTY + ("party_response",
                                                                                   "statement_text") + _PERIOD,
                                         files=(("enforcement.investigate", "evidence"),)),
    "enforcement.transfer_decision": Context(("case_cause", "party_name") + _PENALTY + _PERIOD),
    "enforcement.transfer": Context(("case_cause", "facts_found", "transfer_opinion")),
    "enforcement.serve_decision": Context(_FOR_PARTY[:-2]),
    "enforcement.payment": Context(("fine_amount", "decision_no", "payment_due", "late_penalty")),
    "enforcement.urge": Context(("fine_amount", "payment_due", "late_penalty")),
    "enforcement.court_application": Context(("fine_amount", "late_penalty", "urged_on")),
    "enforcement.no_penalty": Context(("case_cause", "facts_found", "proposal_reason")),
    "enforcement.close": Context(("case_cause", "decision_no", "fine_amount", "paid_amount", "paid_on")),
    "enforcement.filing_overdue": Context(_CASE + ("intake_proposal", "intake_opinion", "received_at")),
    "enforcement.preservation_approval": Context(("case_cause", "facts_found", "preservation_items"),
                                                 files=(("enforcement.investigate", "evidence"),)),
    "enforcement.hearing_refusal": Context(_FOR_PARTY + ("party_response", "hearing_basis")),
    # 严重失信主体名单
    "dishonesty.proposal_review": Context(_LISTING_PROPOSAL, files=(("dishonesty.propose", "attachments"),)),
    "dishonesty.decision": Context(_LISTING_PROPOSAL + ("objection_choice", "objection_text", "objection_result",
                                                        "objection_review_opinion"),
                                   files=(("dishonesty.propose", "attachments"),)),
    "dishonesty.notice": Context(_LISTING_PROPOSAL),
    "dishonesty.objection": Context(("enterprise_name", "ground", "facts", "basis", "notice_no")),
    "dishonesty.objection_review": Context(("enterprise_name", "ground", "facts", "basis", "objection_choice",
                                            "objection_text"),
                                           files=(("dishonesty.objection", "attachments"),)),
    "dishonesty.issue_decision": Context(("enterprise_name", "ground", "basis", "listing_decision")),
    "dishonesty.publish": Context(("enterprise_name", "ground", "decision_no", "decided_on")),
    "dishonesty.repair_verification": Context(("enterprise_name", "ground", "decided_on", "penalty_fulfilled",
                                               "harm_removed", "no_new_dishonesty", "commitment_made",
                                               "repair_statement"),
                                              files=(("dishonesty.repair_application", "attachments"),)),
    "dishonesty.repair_decision": Context(("enterprise_name", "ground", "decided_on", "repair_statement",
                                           "repair_verified", "verify_opinion"),
                                          files=(("dishonesty.repair_application", "attachments"),)),
    "dishonesty.revoke_proposal": Context(("enterprise_name", "ground", "decided_on", "listing_ends_on",
                                           "removed_on", "repair_statement", "verify_opinion"),
                                          files=(("dishonesty.repair_application", "attachments"),)),
    "dishonesty.revoke_decision": Context(("enterprise_name", "ground", "decided_on", "listing_ends_on",
                                           "removed_on", "repair_statement", "fraud_facts", "fraud_found_on"),
                                          files=(("dishonesty.revoke_proposal", "attachments"),
                                                 ("dishonesty.repair_application", "attachments"))),
    # 企业自查上报隐患
    "self_report.spot_check": Context(("enterprise_name", "location", "description", "fix_deadline",
                                       "measures_taken", "completed_on"),
                                      files=(("self_report.rectify", "attachments"),)),
    "self_report.closure_review": Context(("enterprise_name", "location", "description", "planned_measures",
                                           "measures_taken", "completed_on", "rectify_cost"),
                                          files=(("self_report.rectify", "attachments"),)),
    "self_report.overdue": Context(("enterprise_name", "description", "fix_deadline", "responsible_person")),
    "self_report.rectify": Context(("description", "planned_measures", "fix_deadline", "spot_check_findings")),
    # 结案后一年内评估
    "assessment.team": Context(_ASSESSED),
    "assessment.check_measures": Context(_ASSESSED),
    "assessment.check_accountability": Context(_ASSESSED),
    "assessment.report": Context(("accident_title", "measures_summary", "accountability_summary")),
    "assessment.review": Context(("accident_title", "assessment_conclusion", "findings", "recommendations"),
                                 files=(("assessment.report", "attachments"),)),
    "assessment.accountability": Context(("accident_title", "findings")),
    "assessment.publish": Context(("accident_title", "assessment_conclusion")),
    "assessment.overdue": Context(("accident_title", "assessment_due")),
    # 12350 举报 (《安全生产领域举报奖励办法》)
    "tipoff.classify": Context(_TIPOFF, files=(("tipoff.intake", "intake_attachments"),)),
    "tipoff.verify": Context(_TIPOFF + ("tipoff_category", "handling", "classify_opinion", "verify_due"),
                             files=(("tipoff.intake", "intake_attachments"),)),
    "tipoff.extension": Context(_TIPOFF + ("verify_due", "verify_legal_due")),
    "tipoff.reply": Context(_TIPOFF + _VERIFIED),
    "tipoff.reward": Context(_TIPOFF + _VERIFIED + ("reward_eligible",), penalty_cases=True),
    "tipoff.reward_approval": Context(("enterprise_name", "tipoff_content") + _VERIFIED + (
        "fine_amount", "concealed_accident_grade", "concealed_deaths", "penalty_decision_no", "reward_basis",
        "reward_proposed"), files=(("tipoff.verify", "verify_attachments"),), penalty_cases=True),
    "tipoff.payment": Context(("enterprise_name", "reward_proposed", "reward_basis")),
    # 执法案卷评查
    "case_review.score": Context(("file_index", "volumes"), files=(("case_review.submit", "file_attachments"),)),
    "case_review.confirm": Context(("review_total", "review_grade", "score_items", "review_problems", "reviewers"),
                                   files=(("case_review.submit", "file_attachments"),)),
    "case_review.feedback": Context(("reviewed_case_no", "review_total", "review_grade", "score_items",
                                     "review_problems", "notice_no")),
    "case_review.rectify": Context(("review_total", "review_grade", "review_problems", "correction_due")),
    "case_review.recheck": Context(("review_problems", "handler_statement", "correction_measures", "corrected_on")),
    # 双随机一公开
    "inspection_plan.approve": Context(("plan_name", "plan_kind", "period_start", "period_end", "quotas",
                                        "team_size", "avoidances", "plan_notes")),
    "inspection_plan.summary": Context(("plan_name", "period_start", "period_end")),
    "random_inspection.overdue": Context(("inspection_findings", "inspection_result", "fix_deadline")),
    "random_inspection.publish": Context(("publication_text", "publish_due", "inspected_on", "inspectors_present",
                                          "inspection_findings",
                                          "inspection_result"),
                                         files=(("random_inspection.inspect", "inspection_record"),)),
    # 隐患排查治理情况统计分析表 (16号令第十四条)
    "hazard_report.fill": Context(("report_period_label", "period_from", "period_to", "statistics_due",
                                   "ledger_found_total", "ledger_found_major", "ledger_rectified_total",
                                   "ledger_rectified_major", "ledger_open_total", "ledger_overdue_total",
                                   "ledger_rectify_cost")),
    "hazard_report.receive": Context(("report_period_label", "statistics_due", "first_submitted_on", "report_late",
                                      "report_differs", "ledger_found_total", "ledger_found_major",
                                      "ledger_rectified_total", "ledger_rectified_major", "ledger_open_total",
                                      "ledger_overdue_total", "ledger_rectify_cost", "difference_note",
                                      "principal_name", "principal_signed"),
                                     files=(("hazard_report.fill", "signed_table"),)),
    # 领导带队督查检查 (seed 004)
    "leader_inspection.record": Context(("inspection_kind", "leader", "team", "planned_on", "visited_enterprises",
                                         "visited_units", "topic", "plan_notes")),
    "leader_inspection.answer": Context(("leader_name", "visited_on", "topic", "visit_summary", "findings"),
                                        files=(("leader_inspection.record", "visit_record"),)),
    "leader_inspection.remind": Context(("reminder_text",)),
    # 联席会议、联合检查执法 (seed 004)
    "joint_meeting.minutes": Context(("meeting_topic", "planned_on", "joining_units", "other_departments",
                                      "meeting_notes")),
    "joint_meeting.answer": Context(("meeting_topic", "met_on", "minutes_summary"),
                                    files=(("joint_meeting.minutes", "minutes_file"),)),
    "joint_inspection.record": Context(("topic", "planned_on", "joining_units", "other_departments",
                                        "inspected_enterprises", "team")),
    "joint_reminder.remind": Context(("reminder_text",)),
    # 事故查处挂牌督办
    "accident_supervision.list": Context(_LISTED_ACCIDENT),
    "accident_supervision.progress": Context(("accident_title", "supervision_requirements", "next_report_due")),
    "accident_supervision.urge": Context(("accident_title", "supervision_requirements", "next_report_due", "progress")),
    "accident_supervision.warning": Context(_LISTED_ACCIDENT + ("progress",)),
    "accident_supervision.interview": Context(_LISTED_ACCIDENT + ("progress", "lessons")),
    "accident_supervision.delist": Context(("accident_title", "supervision_requirements", "progress",
                                            "investigation_approved", "approved_on", "approval_no"),
                                           files=(("accident_supervision.progress", "progress_attachments"),)),
}


def context_for(form_key: str | None) -> Context:
    return CONTEXT.get(form_key or "", Context())
