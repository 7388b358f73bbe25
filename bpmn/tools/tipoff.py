"""12350 举报核查 (tip-offs and their rewards) as a model for ``layout.Process``.

Sources: 《安全生产法》第七十三、七十四条 (举报, 奖励); 《安全生产领域举报奖励办法》(安监总财〔2018〕19号):
核查自受理之日起60日内办结, 情况复杂的经上一级部门批准可延长不超过30日; 奖励实名举报人: 重大事故隐患、
违法生产经营建设按行政处罚金额的15%, 最低3000元, 最高30万元; 瞒报谎报事故按查实人数每人3/4/5/6万元
(一般/较大/重大/特别重大), 最高30万元; 不得泄露举报人信息, 核查结束后10日内向举报人反馈. 柴桑区实施意见 (seed
003) "建立安全生产'12350'专线…统一接报、分类处置".
"""
from __future__ import annotations

from .layout import Process

K, S, I, L = "举报受理员", "科室负责人", "执法人员", "分管领导"


def build() -> Process:
    p = Process(
        "tipoff_12350", "12350举报核查", [K, S, I, L],
        doc=("《安全生产法》第七十三、七十四条；《安全生产领域举报奖励办法》（安监总财〔2018〕19号）；柴桑区实施意见（种子003）"
             "“建立安全生产‘12350’专线，统一接报、分类处置”。电话、网络、信件等渠道受理（可匿名），举报人身份仅受理"
             "岗位可见；分类交办，按属地移交有管辖权的单位；核查自受理起60日内办结（经上级批准可延长不超过30日）；"
             "核查结束后10日内答复举报人；查实的转挂牌督办或立案查处；对实名举报人按办法核定、审批、发放奖励。"))
    # partyReads 否: the enterprise reported (the case's party) neither lists, opens nor hears of the
    # 举报 (engine/policy.PARTY_READS): its 举报内容 and 交办意见 would warn it before the check and may
    # point at the whistleblower.
    p.start("start", "接到举报", K, 0, props={"partyReads": "否"},
            doc=("被举报企业（案件的当事企业）看不到本举报案件：不列出、不能打开、不发消息，一企一档不计数。依据"
                 "《国家安全监管总局关于保护生产安全事故和事故隐患举报人的意见》（2013年6月8日）第五条第（一）项"
                 "（不得泄露可能导致举报人信息泄露的举报内容）、第（二）项（不得将举报材料私自转给被举报单位、"
                 "被举报人）。"))
    p.script("init", "判断来源", K, 1, code=(
        "try:\n"
        "    handed_over = bool(handed_over_from)\n"
        "except Exception:\n"
        "    handed_over = False"))
    p.xor("entry", "移交而来？", K, 2)
    p.user("intake", "受理登记举报", K, 3, form="tipoff.intake")
    p.script("register", "登记受理", K, 4, code=(
        "received_at = now().isoformat()\n"
        "verify_due = day_after(received_at, 60)\n"
        "verify_extended = False"),
        doc="《安全生产领域举报奖励办法》：自受理之日起60日内办结。")
    p.chain("start", "init", "entry")
    p.flow("entry", "intake", "新举报", default=True)
    p.chain("intake", "register")

    # 分类交办
    p.user("classify", "分类交办", S, 5, form="tipoff.classify")
    p.xor("how", "处置方式？", S, 6)
    p.script("hand_over", "移交属地单位", S, 7, row=1, code=(
        "start_case('tipoff_12350', tipoff_handover_seed(case_no, org_code, received_at, verify_due, channel, "
        "anonymous, whistleblower_name, whistleblower_phone, whistleblower_id_number, tipoff_content, "
        "enterprise_name, credit_code, tipoff_address, tipoff_category), org=handling_org, "
        "title='12350举报（移交）：' + (enterprise_name or tipoff_address))\n"
        "reply_due = day_after(now(), 10)\n"
        "reply_basis = '已移交有管辖权的单位核查处理'\n"
        "reward_eligible = False"),
        doc="按属地移交有管辖权的单位，并告知举报人（举报奖励办法；种子003“分类处置”）。")
    p.script("decline", "告知不予受理或移送", S, 7, row=2, code=(
        "reply_due = day_after(now(), 10)\n"
        "reply_basis = '已移送' + (transfer_department or '有关部门') if handling == '移送其他部门' "
        "else '不属于本部门受理范围，不予受理'\n"
        "reward_eligible = False"))
    p.flow("register", "classify")
    p.flow("classify", "how")
    p.flow("how", "hand_over", "移交属地", cond="handling == '移交属地单位核查'")
    p.flow("how", "decline", "移送或不予受理", cond="handling in ('移送其他部门', '不予受理')")

    # 核查
    p.user("verify", "核查举报事项", I, 8, form="tipoff.verify", due="deadline_at(verify_due)",
           doc="《安全生产领域举报奖励办法》：核查自受理之日起60日内办结。")
    p.timer("verify_overdue", "60日核查期限届满", "verify", "deadline_at(verify_due)")
    p.user("verify_extension", "核查超期督办", L, 9, form="tipoff.extension",
           doc=("《安全生产领域举报奖励办法》：情况复杂的，经上一级部门批准可延长核查时间，延长不超过30日，并告知举报人"
                "延期理由。延长只有一次：再次超期的，督办只定督办日期，法定核查期限（verify_legal_due）不变，"
                "案件记为超过法定核查期限（verify_limit_exceeded）。"))
    p.script("extend", "延长核查期限", L, 10, code=(
        "if verify_extended or not upper_approval_no:\n"
        "    verify_legal_due = verify_legal_due if verify_extended else verify_due\n"
        "    verify_limit_exceeded = True\n"
        "    verify_due = day_after(now(), extension_days)\n"
        "else:\n"
        "    verify_legal_due = day_after(verify_due, extension_days)\n"
        "    verify_due = verify_legal_due\n"
        "verify_extended = True"),
        doc=("延长一次、不超过30日，须经上一级部门批准（安监总财〔2018〕19号）：填写了上一级部门批准文号的，法定核查期限"
             "延长；未经上一级批准的，只定督办日期，法定核查期限不变并记为超过法定核查期限；第二次起为督办日期，不是法定延长。"))
    p.script("follow_up", "转交后续处置", I, 9, code=(
        "verified_at = now().isoformat()\n"
        "reply_due = day_after(verified_at, 10)\n"
        "reply_basis = '核查' + verified_result + '：' + verify_findings\n"
        "reward_eligible = tipoff_reward_eligible(anonymous, verified_result, finding_type)\n"
        "if follow_up == '挂牌督办':\n"
        "    start_case('hazard_supervision', tipoff_hazard_seed(enterprise_name, credit_code, tipoff_address, "
        "verify_findings, received_at), party=credit_code or party, title=enterprise_name + '重大事故隐患挂牌督办')\n"
        "elif follow_up == '立案查处':\n"
        "    start_case('enforcement_case', tipoff_penalty_seed(enterprise_name, credit_code, verify_findings, case_no), "
        "party=credit_code or party, title=enterprise_name + '涉嫌安全生产违法行为')"),
        doc=("查实的重大事故隐患转挂牌督办，违法行为转立案查处（DESIGN §3.1、§3.3）。派生案件的标题和数据不提举报、不写举报件案号："
             "被举报企业可查看派生案件，《国家安全监管总局关于保护生产安全事故和事故隐患举报人的意见》第五条（一）（二）不得泄露举报内容、"
             "不得将举报材料转给被举报单位。"))
    p.flow("how", "verify", "本单位核查", default=True)
    p.flow("entry", "verify", "移交而来", cond="handed_over")
    p.flow("verify_overdue", "verify_extension")
    p.chain("verify_extension", "extend")
    p.flow("extend", "verify")
    p.chain("verify", "follow_up")

    # 答复与奖励
    p.xor("to_reply", "", K, 10)
    p.user("reply", "答复举报人", K, 11, form="tipoff.reply", due="deadline_at(reply_due)",
           doc="《安全生产领域举报奖励办法》（安监总财〔2018〕19号）：核查结束后10日内向举报人反馈核查结果（无法联系的匿名举报除外）。")
    p.xor("reward_gw", "符合奖励条件？", K, 12)
    p.user("assess_reward", "核定举报奖励", S, 13, form="tipoff.reward",
           doc=("《安全生产领域举报奖励办法》：重大事故隐患、违法生产经营建设按行政处罚金额15%计，最低3000元、"
                "最高30万元；瞒报谎报事故按查实人数每人3/4/5/6万元，最高30万元；仅奖励实名举报人。"))
    p.script("compute_reward", "计算奖励金额", S, 14, code=(
        "reward_proposed = tipoff_reward(finding_type, fine_amount, concealed_accident_grade, concealed_deaths)"))
    p.user("approve_reward", "审批举报奖励", L, 15, form="tipoff.reward_approval")
    p.xor("reward_ok", "批准？", L, 16)
    p.user("pay_reward", "发放举报奖励", K, 17, form="tipoff.payment")
    p.end("end_paid", "奖励已发放", K, 18)
    p.end("end_closed", "办结", K, 13, row=1)
    p.flow("hand_over", "to_reply")
    p.flow("decline", "to_reply")
    p.flow("follow_up", "to_reply")
    p.chain("to_reply", "reply", "reward_gw")
    p.flow("reward_gw", "assess_reward", "是", cond="reward_eligible")
    p.flow("reward_gw", "end_closed", "否", default=True)
    p.chain("assess_reward", "compute_reward", "approve_reward", "reward_ok")
    p.flow("reward_ok", "pay_reward", "同意", cond="reward_approval_decision == '同意'")
    p.flow("reward_ok", "assess_reward", "退回", default=True)
    p.flow("pay_reward", "end_paid")
    return p
