"""隐患排查治理情况统计分析表: the enterprise's quarterly and annual report (``hazard_statistics_report``) and
the standing round that opens one per enterprise each period (``hazard_report_round``), as models for
``layout.Process``.

Source: 原国家安全监管总局令第16号《安全生产事故隐患排查治理暂行规定》第十四条 — 生产经营单位应当每季度、每年
对本单位事故隐患排查治理情况进行统计分析，并分别于下一季度15日前和下一年1月31日前向安全监管监察部门和有关部门
报送书面统计分析表；统计分析表应当由生产经营单位主要负责人签字. Periods, due days and the figures:
``workflows/hazard_reports.py``.
"""
from __future__ import annotations

from .layout import Process
from .standing_round import standing_round

E, I, S = "生产经营单位", "执法人员", "科室负责人"
NEVER = "'2999-12-31T00:00:00+08:00'"


def build_report() -> Process:
    p = Process(
        "hazard_statistics_report", "隐患排查治理情况统计分析表报送", [E, I],
        doc=("原国家安全监管总局令第16号第十四条：生产经营单位每季度、每年对本单位事故隐患排查治理情况进行统计分析，"
             "分别于下一季度15日前和下一年1月31日前报送书面统计分析表，统计分析表由主要负责人签字。每期由报送安排"
             "为每家生产经营单位生成一件；数据按隐患台账预填，企业核对、说明差异、记录主要负责人签字并上传签字的"
             "统计分析表后报送；所在单位执法人员签收或退回补正。「15日前」「1月31日前」含当日：4月15日报送为按时，"
             "4月16日为逾期。"),
        props={"caseNumberPrefix": "HSS"})  # 隐患统计: not HSR, the initials 隐患自查自报 numbers by too
    p.start("start", "统计期结束", E, 0)
    p.service("figures", "汇总本期隐患台账数据", E, 1, operator="hazard_report_figures",
              doc="按隐患台账统计本期发现、整改、未整改、逾期隐患和整改资金，截至统计期最后一日（与隐患排查治理季度统计同一口径）。")
    p.user("fill", "填报统计分析表", E, 2, form="hazard_report.fill", due="deadline_at(statistics_due)",
           doc=("原国家安全监管总局令第16号第十四条：季度统计分析表于下一季度15日前、年度统计分析表于下一年1月31日前报送，"
                "由主要负责人签字；期限含当日，到期日逢休息日不顺延（规章规定的日期，不是按日计算的期间）。"))
    p.timer("remind_3", "报送期限前3个工作日", "fill", "reminder_at(statistics_due, 3, now())", interrupting=False)
    p.timer("remind_1", "报送期限前1个工作日", "fill", "reminder_at(statistics_due, 1, now())", interrupting=False)
    p.timer("late", "报送期限届满未报送", "fill",
            f"deadline_at(statistics_due) if not first_submitted_on else {NEVER}", interrupting=False)
    p.script("send_reminder", "发送报送提醒", E, 2, row=1,
             code="reminder = report_period_label + '隐患排查治理情况统计分析表应于' + cn_date(statistics_due) + '前报送'")
    p.end("end_reminder", "已提醒", E, 3, row=1)
    p.script("note_late", "记为逾期未报", E, 2, row=2, code="report_overdue = True",
             doc="原国家安全监管总局令第16号第十四条规定的报送日期已过仍未报送的，记为逾期未报，列入科室负责人的逾期未报名单。")
    p.end("end_late", "已记逾期", E, 3, row=2)
    p.script("record_submission", "记录报送", E, 3, code=(
        "submitted_on = iso_day(now())\n"
        "first_submitted_on = first_submitted_on or submitted_on\n"
        "report_late = first_submitted_on > statistics_due\n"
        "returned_for_correction = False\n"
        "report_differs = ((found_total, found_major, rectified_total, rectified_major, open_total, overdue_total, "
        "rectify_cost or '0.00') != (ledger_found_total, ledger_found_major, ledger_rectified_total, "
        "ledger_rectified_major, ledger_open_total, ledger_overdue_total, ledger_rectify_cost))"),
        doc="首次报送日期晚于报送期限的记为逾期报送；退回补正后再次报送不改变首次报送日期。")
    p.user("receive", "签收统计分析表", I, 4, form="hazard_report.receive",
           doc="法律、规章未规定签收时限，本任务不设办理期限；签收前核对填报数据与隐患台账是否一致、主要负责人是否签字。")
    p.xor("received", "签收？", I, 5)
    p.script("record_receipt", "记录签收", I, 6, code="received_on = iso_day(now())")
    p.end("end", "已签收", I, 7, terminate=True)
    p.script("record_return", "退回补正", I, 6, row=1, code="returned_for_correction = True")
    p.chain("start", "figures", "fill", "record_submission", "receive", "received")
    p.flow("remind_3", "send_reminder")
    p.flow("remind_1", "send_reminder")
    p.flow("send_reminder", "end_reminder")
    p.flow("late", "note_late")
    p.flow("note_late", "end_late")
    p.flow("received", "record_receipt", "签收", cond="receive_decision == '签收'")
    p.flow("received", "record_return", "退回补正", default=True)
    p.flow("record_receipt", "end")
    p.flow("record_return", "fill")
    return p


def build_round() -> Process:
    return standing_round(
        "hazard_report_round", "隐患排查治理情况统计分析表报送安排", S,
        doc=("原国家安全监管总局令第16号第十四条。科室负责人为本单位建立一次，长期有效：每季度第一日为本单位及下级单位"
             "的每家生产经营单位生成上一季度的统计分析表报送案件，1月1日同时生成上一年度的；已有同期报送案件的企业不再生成。"
             "建立时上一期报送期限未过的，当即生成。"),
        start="建立报送安排",
        look=("targets", "确定本期应报送企业", "hazard_report_targets", "本单位及下级单位企业库中的生产经营单位（不含安全评价检测检验机构）。"),
        act=("open", "生成统计分析表报送案件", "opened_count = open_hazard_reports(report_targets)\nreport_targets = []"))
