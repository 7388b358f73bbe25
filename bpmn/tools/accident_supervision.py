"""事故查处挂牌督办, 警示通报 and 诫勉约谈 as a model for ``layout.Process``.

Sources: 常州 2012 (seed 001) "分级挂牌督办", "警示通报、诫勉约谈和现场分析制度"; 下原镇 2019 (seed 004)
"认真落实事故挂牌督办、警示通报、诫勉约谈制度"; 《生产安全事故报告和调查处理条例》(国务院令第493号) 第二十九条
(调查报告60日内提交, 延长不超过60日). A superior bureau lists an accident investigation; the investigating
unit reports progress every ``report_every_days`` days (set at listing: local rule) until the report is
批复; a missed report goes to the superior (escalation level +1, as for hazards); a 较大 or worse accident
gets a 警示通报; the enterprise's principals are called to a 诫勉约谈 whose minutes are recorded.
The listing is lifted (摘牌) only when the 批复's 责任追究 and 防范整改措施 are carried out and the handling
is published (条例 第三十二条第二款、第三十三条、第三十四条); the lifting is published as the listing was
(《重大事故查处挂牌督办办法》安委〔2010〕6号 第三条、第四条). 暂不摘牌 sends the investigating unit back to report
by a date the superior sets, without a second 警示通报 or 约谈.
"""
from __future__ import annotations

from .layout import Process

D, V, L = "局长", "事故调查人员", "分管领导"


def build() -> Process:
    p = Process(
        "accident_supervision", "事故查处挂牌督办", [D, V, L],
        doc=("常州2012（种子001）“分级挂牌督办”“警示通报、诫勉约谈和现场分析制度”；下原镇2019（种子004）“事故挂牌督办、"
             "警示通报、诫勉约谈制度”；国务院令第493号第二十九条。上级局对事故调查挂牌督办，调查单位按期报送进展，"
             "逾期报上级督促；较大及以上事故发布警示通报；对企业主要负责人诫勉约谈并记录纪要；调查报告批复且责任追究、"
             "防范整改措施落实并向社会公布后摘牌（条例第三十二条第二款、第三十三条、第三十四条），摘牌同挂牌一样公告"
             "（安委〔2010〕6号第三条、第四条）；条件未满足的暂不摘牌，限期报送落实情况。"))
    p.start("start", "事故列入督办", D, 0)
    p.user("list", "决定挂牌督办", D, 1, form="accident_supervision.list", props={"assignee": "superior"})
    p.script("set_schedule", "确定报送周期", D, 2, code=(
        "listed_at = now().isoformat()\n"
        "next_report_due = day_after(listed_at, report_every_days)\n"
        "warning_required = accident_grade in ('较大', '重大', '特别重大')\n"
        "reports_made = 0\n"
        "delist_returned = False"))
    p.user("report", "报送调查进展", V, 3, form="accident_supervision.progress",
           due="deadline_at(next_report_due)",
           doc="报送周期在挂牌时确定（本地规定，种子001“分级挂牌督办”）；调查报告应于事故发生之日起60日内提交（《生产安全事故报告和调查处理条例》第二十九条）。")
    p.timer("report_overdue", "进展报送逾期", "report", "deadline_at(next_report_due)")
    p.user("urge", "督促报送调查进展", D, 4, row=1, form="accident_supervision.urge", props={"assignee": "superior"})
    p.script("next_due", "下一报送期限", V, 4, code=(
        "reports_made = reports_made + 1\n"
        "next_report_due = day_after(now(), report_every_days)"))
    p.xor("approved", "调查报告已批复？", V, 5)
    p.xor("needs_warning", "较大及以上？", D, 6)
    p.user("warning", "发布事故警示通报", D, 7, form="accident_supervision.warning",
           doc="较大及以上事故发布警示通报（种子001、004）。")
    p.xor("to_interview", "", L, 8)
    p.user("interview", "诫勉约谈企业主要负责人", L, 9, form="accident_supervision.interview",
           doc="诫勉约谈企业主要负责人，记录约谈纪要和整改承诺（种子001、004）。")
    p.user("delist", "审核摘牌", D, 10, form="accident_supervision.delist", props={"assignee": "superior"},
           doc=("摘牌条件：调查报告已批复；事故责任单位和责任人已按批复处理（《生产安全事故报告和调查处理条例》第三十二条"
                "第二款）；防范和整改措施已落实（第三十三条）；事故处理情况已向社会公布（第三十四条）。摘牌同挂牌一样公告"
                "（《重大事故查处挂牌督办办法》安委〔2010〕6号第三条第（二）项、第四条督办解除方式和程序）。条件未满足的"
                "暂不摘牌，限期报送落实情况（期限由上级局确定，不能早于当日）。"))
    p.xor("delisted", "同意摘牌？", D, 11)
    p.script("back_to_report", "限期报送落实情况", V, 11, row=1, code="delist_returned = True")
    p.end("end", "督办销号", D, 12)
    p.chain("start", "list", "set_schedule", "report", "next_due", "approved")
    p.flow("report_overdue", "urge")
    p.flow("urge", "report")
    p.flow("approved", "report", "继续报送", default=True)
    p.flow("approved", "needs_warning", "已批复", cond="investigation_approved and not delist_returned")
    p.flow("approved", "delist", "落实情况已报送", cond="delist_returned")
    p.flow("needs_warning", "warning", "是", cond="warning_required")
    p.flow("needs_warning", "to_interview", "否", default=True)
    p.flow("warning", "to_interview")
    p.chain("to_interview", "interview", "delist", "delisted")
    p.flow("delisted", "end", "同意摘牌", cond="delist_decision == '同意摘牌'")
    p.flow("delisted", "back_to_report", "暂不摘牌", default=True)
    p.flow("back_to_report", "report")
    return p
