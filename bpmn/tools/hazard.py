"""重大事故隐患挂牌督办 (DESIGN §3.1) as a model for ``layout.Process``."""
from __future__ import annotations

from .layout import Process

E, A, I, S, L, D, G = "生产经营单位", "第三方评估机构", "执法人员", "科室负责人", "分管领导", "局长", "人民政府"


# 挂牌层级决定由哪一级审批：市级、省级挂牌督办的批准、延期和销号交由该级组织机构（org tree 的层级）。
BY_LEVEL = {"orgLevel": "listing_org_level(listing_rank)"}


LADDER_LOCAL_RULE = ("本地规则，不是国家法律：九江市柴桑区人民政府《关于进一步加强安全生产工作的实施意见》"
                     "第（二十一）项——严格落实重大隐患挂牌督办制度，对整改和督办不力的，实行约谈告诫、公开曝光。")


def build() -> Process:
    p = Process(
        "hazard_supervision", "重大事故隐患挂牌督办", [E, A, I, S, L, D, G],
        doc=("《安全生产法》第四十一、七十、一百零二、一百一十二、一百一十三条；原国家安全监管总局令第16号。"
             "一般隐患立即整改、复核闭环；重大隐患挂牌督办、整改方案（双报告）、限期整改、延期、评估、"
             "销号，逾期按约谈、曝光（本地规则）、停产停业整顿、按日连续处罚、停止供电、提请关闭逐级升级。"))

    # 登记与分级
    p.start("start", "发现隐患", I, 0)
    p.user("register", "登记隐患", I, 1, form="hazard.register")
    p.rule("grade", "隐患分级", I, 2, decision="hazard_grade")
    p.xor("is_major", "隐患等级？", I, 3)
    p.chain("start", "register", "grade", "is_major")

    # 一般隐患：立即整改、复核
    p.user("fix_now", "立即整改一般隐患", E, 4, doc="原总局令第16号第十五条：一般事故隐患由生产经营单位负责人或者有关人员立即组织整改；不能当场整改的，在登记时确定的整改期限内完成，期限届满未整改到位的提交科室负责人处理。",
           form="hazard.fix_now", due="deadline_at(fix_deadline)")
    p.timer("fix_overdue", "整改期限届满", "fix_now", "deadline_at(fix_deadline)")
    p.user("confirm_fix", "复核整改结果", I, 5, row=1, form="hazard.confirm_fix")
    p.xor("fix_ok", "整改到位？", I, 6, row=1)
    p.end("end_general", "一般隐患闭环", I, 7, row=1, terminate=True)
    p.user("fix_overdue_review", "一般隐患逾期督促", S, 5, row=1, form="hazard.fix_overdue",
           doc="办理期限：法律、规章未规定一般隐患逾期督促的办理时限，本任务不设办理期限（新的整改期限不能早于当日）。")
    p.xor("fix_overdue_choice", "处理方式？", S, 6, row=1)
    p.script("upgrade", "升级为重大隐患", S, 7, row=1,
             code="hazard_grade = '重大'\ngrade_basis = '一般隐患逾期未整改，升级挂牌督办'")
    p.flow("is_major", "fix_now", "一般", default=True)
    p.chain("fix_now", "confirm_fix", "fix_ok")
    p.flow("fix_ok", "end_general", "到位", cond="fix_passed")
    p.flow("fix_ok", "fix_now", "未到位", default=True)
    p.flow("fix_overdue", "fix_overdue_review")
    p.flow("fix_overdue_review", "fix_overdue_choice")
    p.flow("fix_overdue_choice", "upgrade", "升级挂牌", cond="fix_overdue_decision == '升级挂牌督办'")
    p.flow("fix_overdue_choice", "fix_now", "继续整改", default=True)

    # 重大隐患：挂牌
    p.user("propose", "提出挂牌督办建议", I, 4, form="hazard.propose")
    p.rule("level", "确定挂牌层级", I, 5, decision="listing_level")
    p.user("review_listing", "审核挂牌建议", S, 6, form="hazard.review_listing")
    p.xor("review_ok", "审核意见？", S, 7)
    p.user("approve_listing", "批准挂牌督办", L, 8, form="hazard.approve_listing", props=BY_LEVEL,
           doc="挂牌层级决定批准机关：市级、省级挂牌督办由该级负有安全监管职责的部门批准（地方挂牌督办办法）。")
    p.xor("approve_ok", "批准？", L, 9)
    p.script("list_hazard", "挂牌", I, 10, code=(
        "listed_at = now().isoformat()\n"
        "rectify_deadline = listing_deadline or rectify_deadline\n"
        "plan_due = day_after(listed_at, local_rule('hazard.plan_due_days', listed_at))\n"
        "overdue_count = 0\n"
        "penalty_cases_opened = []\n"
        "suspension_ordered = False\n"
        "power_cut_done = False"))
    p.user("issue_notice", "下达挂牌督办通知书并公开", I, 11, form="hazard.issue_notice")
    p.flow("is_major", "propose", "重大", cond="hazard_grade == '重大'")
    p.flow("upgrade", "propose")
    p.chain("propose", "level", "review_listing", "review_ok")
    p.flow("review_ok", "approve_listing", "同意", cond="listing_review_decision == '同意'")
    p.flow("review_ok", "propose", "退回", default=True)
    p.flow("approve_listing", "approve_ok")
    p.flow("approve_ok", "list_hazard", "批准", cond="listing_approval_decision == '同意'")
    p.flow("approve_ok", "propose", "退回", default=True)
    p.flow("list_hazard", "issue_notice")

    # 整改方案（双报告）
    p.user("submit_plan", "提交整改方案（双报告）", E, 12, doc="《安全生产法》第四十一条第二款：重大事故隐患排查治理情况向负有安全生产监督管理职责的部门和职工大会或者职工代表大会报告（双报告）；原总局令第16号第十五条：由主要负责人组织制定并实施治理方案。报送期限自挂牌之日起15日（本地规定，可在规则配置中调整）。",
           form="hazard.plan", due="deadline_at(plan_due)")
    p.timer("plan_late", "方案报送期限届满", "submit_plan", "deadline_at(plan_due)", interrupting=False)
    p.script("note_plan_late", "记录方案逾期", E, 12, row=1, code="plan_late = True")
    p.end("end_plan_late", "已提醒", E, 13, row=1)
    p.user("review_plan", "审查整改方案", I, 13, form="hazard.review_plan")
    p.xor("plan_ok", "方案可行？", I, 14)
    p.flow("issue_notice", "submit_plan")
    p.flow("plan_late", "note_plan_late")
    p.flow("note_plan_late", "end_plan_late")
    p.chain("submit_plan", "review_plan", "plan_ok")
    p.flow("plan_ok", "submit_plan", "退回修改", default=True)

    # 限期整改
    p.user("rectify", "实施整改", E, 15, doc="原总局令第16号第十五条：重大事故隐患按治理方案限期整改；《安全生产法》第四十一条第三款：负有安全生产监督管理职责的部门督办重大事故隐患的治理。整改期限为挂牌督办通知书确定的督办期限，经批准延期的按批准的期限。",
           form="hazard.rectify", due="deadline_at(rectify_deadline)")
    p.timer("progress_due", "每30日报送进展", "rectify",
            "every_days(local_rule('hazard.progress_report_days', listed_at))", kind="timeCycle",
            interrupting=False)
    p.timer("remind_10", "到期前10个工作日", "rectify", "reminder_at(rectify_deadline, 10, now())",
            interrupting=False)
    p.timer("remind_3", "到期前3个工作日", "rectify", "reminder_at(rectify_deadline, 3, now())",
            interrupting=False)
    p.timer("rectify_overdue", "督办期限届满", "rectify", "deadline_at(rectify_deadline)")
    p.user("report_progress", "报送整改进展", E, 15, row=1, form="hazard.progress")
    p.end("end_progress", "进展已报送", E, 15, row=2)
    p.script("send_reminder", "发送到期提醒", E, 16, row=1,
             code="reminder = '督办期限' + rectify_deadline + '即将届满，请抓紧整改'")
    p.end("end_reminder", "已提醒", E, 17, row=1)
    p.xor("rectify_action", "整改情况？", E, 16)
    p.xor("to_rectify", "", E, 14)
    p.flow("plan_ok", "to_rectify", "通过", cond="plan_review_decision == '同意'")
    p.flow("to_rectify", "rectify")
    p.flow("progress_due", "report_progress")
    p.flow("report_progress", "end_progress")
    p.flow("remind_10", "send_reminder")
    p.flow("remind_3", "send_reminder")
    p.flow("send_reminder", "end_reminder")
    p.flow("rectify", "rectify_action")

    # 延期
    p.script("record_extension", "登记延期申请", S, 16, code=(
        "extension_applied_at = now().isoformat()\n"
        "extension_decision_due = workday_after(extension_applied_at, 5)\n"
        "extension_ok = extension_in_time(rectify_deadline, extension_applied_at)"))
    p.xor("ext_in_time", "提前10个工作日？", S, 17)
    p.user("decide_extension", "审批延期申请", S, 18, form="hazard.extension_decision",
           due="deadline_at(extension_decision_due)", props=BY_LEVEL,
           doc="原总局令第16号：挂牌督办的部门审批延期；市级、省级挂牌的由该级审批。")
    p.timer("ext_overdue", "5个工作日内未审批", "decide_extension", "deadline_at(extension_decision_due)")
    p.user("decide_extension_escalated", "延期申请超期审批", L, 19, form="hazard.extension_decision", props=BY_LEVEL,
           due="deadline_at(rectify_deadline)",
           doc=("原总局令第16号；地方挂牌督办办法（本地规定）：延期申请在督办期限届满10个工作日前提出、5个工作日内审批，"
                "超期的由分管领导审批。办理期限为督办期限届满之日：延期须在原期限届满前决定（本局设定）。"))
    p.xor("ext_granted", "批准延期？", S, 20)
    p.script("move_deadline", "延长督办期限", S, 21, code="rectify_deadline = approved_deadline")
    p.script("refuse_late_extension", "逾期不予受理", S, 18, row=1, code=(
        "extension_decision = '不批准'\n"
        "extension_opinion = '延期申请应在督办期限届满10个工作日前提出，本次申请已逾期，不予受理'"))
    p.flow("rectify_action", "record_extension", "申请延期", cond="rectify_action == '申请延期'")
    p.flow("record_extension", "ext_in_time")
    p.flow("ext_in_time", "decide_extension", "是", cond="extension_ok")
    p.flow("ext_in_time", "refuse_late_extension", "否", default=True)
    p.flow("refuse_late_extension", "to_rectify")
    p.flow("decide_extension", "ext_granted")
    p.flow("ext_overdue", "decide_extension_escalated")
    p.flow("decide_extension_escalated", "ext_granted")
    p.flow("ext_granted", "move_deadline", "批准", cond="extension_decision == '批准'")
    p.flow("ext_granted", "to_rectify", "不批准", default=True)
    p.flow("move_deadline", "to_rectify")

    # 评估、销号申请、复查、销号
    p.xor("assess_mode", "评估方式？", E, 17,
          doc=("原总局令第16号第十八条：有条件的生产经营单位自行评估，其他的委托安全评价机构评估；"
               "地方规则 hazard.assessment_mode 为“一律委托第三方评估”时，不论企业如何选择均委托第三方。"))
    p.user("third_party_assess", "第三方评估整改效果", A, 18, form="hazard.assessment")
    p.user("apply_close", "提交销号申请", E, 19, form="hazard.close_application")
    p.script("record_application", "登记销号申请", I, 20, code=(
        "close_applied_at = now().isoformat()\n"
        "review_due = day_after(close_applied_at, 10)"))
    p.user("onsite_review", "现场复查", I, 21, doc="原总局令第16号第二十三条：收到生产经营单位的销号（恢复生产）申请后10日内进行现场审查，自申请之日起按自然日计算；逾期未复查的提交科室负责人督办。",
           form="hazard.onsite_review", due="deadline_at(review_due)")
    p.timer("review_overdue", "10日内未复查", "onsite_review", "deadline_at(review_due)")
    p.user("review_escalated", "复查超期督办", S, 22, row=1, form="hazard.onsite_review",
           doc="原总局令第16号第二十三条的10日复查期限已届满；法律、规章未规定超期后的复查时限，本任务不设办理期限。")
    p.xor("review_passed_gw", "复查合格？", I, 22)
    p.script("reorder", "下达新的整改指令", I, 22, row=1, code="rectify_deadline = new_deadline")
    p.user("approve_close", "审批销号", S, 23, form="hazard.approve_close", props=BY_LEVEL,
           doc="原总局令第16号第二十三条：挂牌督办的部门审查同意后销号；市级、省级挂牌的由该级审批。")
    p.xor("close_ok", "同意销号？", S, 24)
    p.script("delist", "销号摘牌", I, 25, code="delisted_at = now().isoformat()")
    p.user("publish_delist", "公告摘牌", I, 26, form="hazard.publish_delist")
    p.end("end_delisted", "隐患销号", I, 27, terminate=True)
    p.flow("rectify_action", "assess_mode", "整改完成", default=True)
    p.flow("assess_mode", "third_party_assess", "委托第三方",
           cond=("assessment_mode == '委托第三方评估' or "
                 "local_rule('hazard.assessment_mode', listed_at) == '一律委托第三方评估'"))
    p.flow("assess_mode", "apply_close", "自行评估", default=True)
    p.flow("third_party_assess", "apply_close")
    p.chain("apply_close", "record_application", "onsite_review", "review_passed_gw")
    p.flow("review_overdue", "review_escalated")
    p.flow("review_escalated", "review_passed_gw")
    p.xor("stopped_gw", "曾停产停业？", S, 22, row=2)
    p.user("resume_production", "审查同意恢复生产经营", D, 22, form="hazard.resume_production",
           doc=("原总局令第16号第二十三条：停产停业治理的重大事故隐患，经复查合格，方可恢复生产经营；"
                "对经整改验收合格的，由作出停产停业决定的部门批准恢复。"))
    p.xor("power_gw", "曾停止供电？", S, 23, row=2)
    p.user("restore_power", "通知供电企业恢复供电", I, 23, row=3, form="hazard.restore_power",
           doc="《安全生产法》第七十条第二款：生产经营单位依法履行行政决定、采取措施消除事故隐患的，应当及时解除停止供电措施。")
    p.xor("to_approve_close", "", S, 23, row=1)
    p.flow("review_passed_gw", "stopped_gw", "合格", cond="review_passed")
    p.flow("stopped_gw", "resume_production", "是", cond="stop_production or suspension_ordered")
    p.flow("stopped_gw", "power_gw", "否", default=True)
    p.flow("resume_production", "power_gw")
    p.flow("power_gw", "restore_power", "是", cond="power_cut_done")
    p.flow("power_gw", "to_approve_close", "否", default=True)
    p.flow("restore_power", "to_approve_close")
    p.flow("to_approve_close", "approve_close")
    p.flow("review_passed_gw", "reorder", "不合格", default=True)
    p.flow("reorder", "to_rectify")
    p.flow("approve_close", "close_ok")
    p.flow("close_ok", "delist", "同意", cond="close_approval_decision == '同意'")
    p.flow("close_ok", "onsite_review", "退回", default=True)
    p.chain("delist", "publish_delist", "end_delisted")

    # 逾期升级
    p.service("penalty_record", "查询行政处罚决定记录", I, 14, row=1, operator="penalty_decisions",
              doc=("《安全生产法》第一百一十三条：按作出的行政处罚决定计数（不是移送立案的案件数）："
                   "读取当事企业各行政处罚案件的决定日期（workflows/penalty_record.py）。"))
    p.script("count_overdue", "累计逾期次数", I, 15, row=1, code=(
        "overdue_count = overdue_count + 1\n"
        "closure_due = closure_warranted(penalty_decision_dates, now(), found_on)\n"
        "ladder = ladder_step(local_rule('hazard.ladder_order', listed_at), overdue_count)"),
        doc=("存在重大事故隐患，180日内3次、1年内4次受到行政处罚（《安全生产法》第一百一十三条第（一）项）：任一180日或1年期间内的处罚决定，"
             "自发现隐患之日起计；期间按《民法典》第二百零一、二百零二条计算（首次决定当日不计入）。"))
    p.rule("rung", "确定升级措施", I, 16, row=1, decision="overdue_rung")
    p.xor("which_rung", "升级措施？", I, 17, row=1)
    p.user("interview", "约谈企业主要负责人", L, 18, row=1, form="hazard.interview", doc=(
        "约谈警示：" + LADDER_LOCAL_RULE + "由分管领导约谈企业主要负责人；本局无此规定的，"
        "在规则配置的逾期升级措施顺序（hazard.ladder_order）中去掉此项。"))
    p.user("expose", "公开曝光", D, 18, form="hazard.expose", doc=(
        "公开曝光：" + LADDER_LOCAL_RULE + "本局无此规定的，在规则配置的逾期升级措施顺序（hazard.ladder_order）"
        "中去掉此项。（《安全生产法》第七十八条对情节严重的违法行为向社会公告，不是逾期升级措施。）"))
    p.user("suspend", "责令停产停业整顿并处罚款", D, 18, row=1, form="hazard.penalty", doc=(
        "《安全生产法》第一百零二条：未采取措施消除事故隐患的，责令立即消除或者限期消除，处罚款；拒不执行的，责令停产停业整顿，并处罚款。由局长决定，移送立案查处（行政处罚案件程序）。"))
    p.user("daily_fine", "按日连续处罚", D, 18, row=2, form="hazard.penalty", doc=(
        "《安全生产法》第一百一十二条：被责令改正且受到罚款处罚，拒不改正的，可以自作出责令改正之日的次日起，按照原处罚数额按日连续处罚。由局长决定，移送立案查处。"))
    p.user("power_cut", "决定停止供电", D, 18, row=3, form="hazard.power_cut", doc=(
        "《安全生产法》第七十条：对存在重大事故隐患作出停产停业等决定，生产经营单位拒不执行、有发生生产安全事故的现实危险的，经本部门主要负责人（局长）批准，可以通知有关单位停止供电；除有危及生产安全的紧急情形外，提前二十四小时通知生产经营单位。"))
    p.wait("notice_24h", "提前24小时通知", D, 19, row=3, kind="timeDuration", expr="PT24H")
    p.user("execute_power_cut", "通知供电企业停止供电", I, 20, row=2, form="hazard.execute_power_cut", doc=(
        "《安全生产法》第七十条：通知应当采用书面形式，有关单位应当予以配合；生产经营单位依法履行决定、采取相应措施消除事故隐患的，及时解除停止供电的措施（见通知供电企业恢复供电）。"),
           post="power_cut_done = True")
    p.user("propose_closure", "研究提请关闭", D, 18, row=4, form="hazard.closure_proposal",
           doc=("《安全生产法》第一百一十三条：存在重大事故隐患，180日内3次或1年内4次受到行政处罚的（第（一）项），"
                "经停产停业整顿仍不具备安全生产条件的（第（二）项），或拒不执行停产停业整顿决定的（第（四）项），"
                "由负有安全生产监督管理职责的部门提请地方人民政府予以关闭。"))
    p.xor("closure_proposed", "提请？", D, 19, row=4)
    p.user("close_request", "作出关闭决定", G, 18, form="hazard.close_decision",
           doc="《安全生产法》第一百一十三条：有关地方人民政府作出关闭决定（部门提请，人民政府决定）。")
    p.xor("close_decided", "予以关闭？", G, 19)
    p.end("end_closed", "依法关闭", G, 20, terminate=True)
    p.script("open_enforcement", "移送立案查处", D, 19, row=1, code=(
        "suspension_ordered = suspension_ordered or overdue_rung == 'suspend'\n"
        "penalty_cases_opened = penalty_cases_opened + [iso_day(now())]\n"
        "start_case('enforcement_case', hazard_enforcement_seed("
        "enterprise_name, credit_code, description, overdue_rung_name))"))
    p.script("set_new_deadline", "更新督办期限", I, 21, row=2, code="rectify_deadline = new_deadline")
    p.chain("rectify_overdue", "penalty_record", "count_overdue")
    p.chain("count_overdue", "rung", "which_rung")
    p.flow("which_rung", "interview", "约谈", default=True)
    p.flow("which_rung", "expose", "曝光", cond="overdue_rung == 'expose'")
    p.flow("which_rung", "suspend", "停产整顿", cond="overdue_rung == 'suspend'")
    p.flow("which_rung", "daily_fine", "按日处罚", cond="overdue_rung == 'daily_fine'")
    p.flow("which_rung", "power_cut", "停止供电", cond="overdue_rung == 'power_cut'")
    p.flow("which_rung", "propose_closure", "研究提请关闭", cond="overdue_rung == 'propose_closure'")
    p.flow("propose_closure", "closure_proposed")
    p.flow("closure_proposed", "close_request", "提请", cond="closure_proposal_decision == '提请人民政府予以关闭'")
    p.flow("closure_proposed", "set_new_deadline", "暂不提请", default=True)
    p.flow("suspend", "open_enforcement")
    p.flow("daily_fine", "open_enforcement")
    p.chain("power_cut", "notice_24h", "execute_power_cut")
    p.flow("close_request", "close_decided")
    p.flow("close_decided", "end_closed", "关闭", cond="closure_decision == '予以关闭'")
    p.flow("close_decided", "set_new_deadline", "暂不关闭", default=True)
    p.flow("interview", "set_new_deadline")
    p.flow("expose", "set_new_deadline")
    p.flow("open_enforcement", "set_new_deadline")
    p.flow("execute_power_cut", "set_new_deadline")
    p.flow("set_new_deadline", "to_rectify")
    return p
