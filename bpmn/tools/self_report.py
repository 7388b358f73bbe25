"""隐患自查自报 (企业自查自改自报闭环) as a model for ``layout.Process``.

Sources: 原国家安全监管总局令第16号《安全生产事故隐患排查治理暂行规定》第八、十、十四、十五条;
柴桑区实施意见 (seed 003) "实行自查自改自报闭环管理"; 下原镇 2019 (seed 004) "企业自查、上报、治理和政府部门督办,
销号全过程闭环". The start event carries ``startableBy = 生产经营单位``: the engine lets an enterprise
user open a case of this process (about its own enterprise only).
"""
from __future__ import annotations

from .layout import Process

E, I = "生产经营单位", "执法人员"


def build() -> Process:
    p = Process(
        "hazard_self_report", "隐患自查自报", [E, I],
        doc=("原国家安全监管总局令第16号第八、十、十四、十五条；柴桑区实施意见（种子003）“实行自查自改自报闭环管理”；"
             "下原镇2019（种子004）“企业自查、上报、治理和政府部门督办，销号全过程闭环”。企业自查发现隐患后上报；"
             "一般隐患由企业限期整改并报告销号，监管部门可在备案期内现场抽查；重大隐患（第三条）转入重大事故隐患"
             "挂牌督办；逾期未整改的由执法人员督促，可转挂牌督办。"))
    p.start("start", "企业自查发现隐患", E, 0, props={"startableBy": E})
    p.user("report", "自查上报隐患", E, 1, form="self_report.report",
           doc="16号令第十四条：企业对排查出的事故隐患登记建档并按规定报送。")
    p.rule("grade", "隐患分级", E, 2, decision="hazard_grade")
    p.xor("is_major", "隐患等级？", E, 3)
    p.chain("start", "report", "grade", "is_major")

    # 一般隐患：企业自改、自报销号
    p.user("rectify", "整改并报告销号", E, 4, form="self_report.rectify", due="deadline_at(fix_deadline)",
           doc="原总局令第16号第十五条：一般事故隐患由生产经营单位立即组织整改；整改期限为企业自定并报备的日期。")
    p.timer("rectify_overdue", "整改期限届满", "rectify", "deadline_at(fix_deadline)")
    p.script("record_rectified", "登记销号报告", E, 5, code=(
        "rectified_at = now().isoformat()\n"
        "spot_check_passed = None\n"
        "spot_check_due = workday_after(rectified_at, 5)"))
    p.user("closure_review", "销号备案审查", I, 6, form="self_report.closure_review",
           due="deadline_at(spot_check_due)",
           doc=("备案期5个工作日（本地配置，依柴桑区实施意见（种子003）“自查自改自报闭环”及原总局令第16号第二十三条监督检查）："
                "期内可决定现场抽查，期满未抽查即按企业报告销号。"))
    p.timer("review_lapsed", "备案期届满", "closure_review", "deadline_at(spot_check_due)",
            props={"escalate": "false"})
    p.xor("review_choice", "是否抽查？", I, 7)
    p.user("spot_check", "现场抽查整改情况", I, 8, form="self_report.spot_check")
    p.xor("spot_ok", "整改到位？", I, 9)
    p.end("end_closed", "隐患销号", I, 10, terminate=True)
    p.end("end_filed", "期满销号备案", I, 7, row=1, terminate=True)
    p.flow("is_major", "rectify", "一般", default=True)
    p.chain("rectify", "record_rectified", "closure_review", "review_choice")
    p.flow("review_lapsed", "end_filed")
    p.flow("review_choice", "spot_check", "现场抽查", cond="closure_review_decision == '现场抽查'")
    p.flow("review_choice", "end_closed", "确认销号", default=True)
    p.flow("spot_check", "spot_ok")
    p.flow("spot_ok", "end_closed", "到位", cond="spot_check_passed")
    p.flow("spot_ok", "rectify", "未到位", default=True)

    # 逾期督促
    p.user("urge_overdue", "督促整改逾期隐患", I, 5, row=1, form="self_report.overdue",
           doc="原总局令第16号第二十三条：监管部门对逾期未整改的隐患督促整改；可转挂牌督办（种子004“政府部门督办”）。")
    p.xor("overdue_choice", "处理方式？", I, 6, row=1)
    p.flow("rectify_overdue", "urge_overdue")
    p.flow("urge_overdue", "overdue_choice")
    p.flow("overdue_choice", "rectify", "继续限期整改", default=True)

    # 重大隐患：转挂牌督办
    p.script("to_listing", "转入挂牌督办", I, 4, code=(
        "listing_reason = grade_basis if hazard_grade == '重大' else '自报隐患逾期未整改，转挂牌督办'\n"
        "start_case('hazard_supervision', self_report_listing_seed(enterprise_name, credit_code, sector, "
        "location, description, found_on, major_criterion, requires_shutdown, long_rectification, "
        "external_factors, attachments, hazard_grade != '重大'), title=enterprise_name + '自报重大隐患：' + location)\n"
        "listing_started_at = now().isoformat()"),
        doc="原总局令第16号第十五条：重大事故隐患由企业报告监管部门，纳入挂牌督办（DESIGN §3.1）。")
    p.end("end_listed", "已转挂牌督办", I, 5, terminate=True)
    p.flow("is_major", "to_listing", "重大", cond="hazard_grade == '重大'")
    p.flow("overdue_choice", "to_listing", "转挂牌督办", cond="overdue_decision == '转挂牌督办'")
    p.flow("to_listing", "end_listed")
    return p
