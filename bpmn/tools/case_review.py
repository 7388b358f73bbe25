"""执法案卷评查 (review of closed penalty case files) as a model for ``layout.Process``.

Sources: 武进 2017 (seed 000) "执行'一案一审、集体决策'制度，开展执法案卷评查工作"; DESIGN §3.3 "案卷评查
samples closed cases"; 《行政处罚法》第七十五条 (行政机关应当建立健全对行政处罚的监督制度). One case per
reviewed file: the handler hands the file in, a reviewer who did not handle it scores it (``notCompletedBy``,
``notRoleOfCase``; in a 交叉检查 the review case belongs to the other unit, so the handling unit's officers
are out of scope anyway), the organiser confirms, a 评查结果通报 is issued, and files scored below 合格
go back to the handler for correction (整改) within 30 days (local rule), checked by the organiser. Every
file's result goes back to its handler (签收评查结果: score, each deduction with its reason, the problems),
who signs for it and may state his view.
"""
from __future__ import annotations

from .layout import Process

S, I = "科室负责人", "执法人员"


def build() -> Process:
    p = Process(
        "case_file_review", "执法案卷评查", [S, I],
        doc=("武进2017（种子000）“开展执法案卷评查工作”，“通过交叉检查、集中评查、个案抽查”；《行政处罚法》第七十五条。"
             "抽取已结案的行政处罚案卷，承办人提交案卷，由未参与办理的执法人员按评查标准逐项打分，科室负责人审定，"
             "印发评查结果通报；不合格的案卷限期30日整改（本地规定）并复核。评查得分计入单位季度考核。"))
    p.start("start", "抽取案卷", S, 0)
    p.user("submit_file", "提交被评查案卷", I, 1, form="case_review.submit",
           props={"assignee": "case_handler", "assigneeUnit": "reviewed_org"},
           doc="由原承办人提交案卷目录和卷宗。交叉检查时承办人属被评查单位（reviewed_org），"
               "不属评查单位：assigneeUnit 准许指派该单位的承办人（武进2017“通过交叉检查、集中评查、个案抽查”）。")
    p.user("score", "案卷评查打分", I, 2, form="case_review.score",
           props={"notCompletedBy": "submit_file", "notRoleOfCase": "生产经营单位"},
           doc="评查人员回避：提交案卷的承办人不得评查本案卷（notCompletedBy）；交叉评查时评查案件属评查单位。")
    p.script("total", "计算得分", I, 3, code=(
        "review_total = review_total_of(score_items)\n"
        "review_grade = review_grade_of(review_total)\n"
        "needs_correction = review_total < 80 or bool(review_problems)"))
    p.user("confirm", "审定评查结果", S, 4, form="case_review.confirm")
    p.xor("confirmed", "审定通过？", S, 5)
    p.user("notice", "印发评查结果通报", S, 6, form="case_review.notice")
    p.user("feedback", "签收评查结果", I, 7, form="case_review.feedback",
           props={"assignee": "case_handler", "assigneeUnit": "reviewed_org"},
           doc=("评查结果反馈承办人：承办人阅知评查得分、逐项扣分理由和存在的问题并签收，可写明说明（《行政处罚法》第七十五条"
                "行政处罚监督制度；武进2017（种子000）“规范执法文书和卷宗制作，定期开展行政执法案卷评查”）。本任务不设"
                "办理期限（法律、规章未规定）。"))
    p.xor("correct", "需要整改？", S, 8)
    p.script("set_due", "确定整改期限", S, 9, row=1,
             code="correction_due = day_after(now(), local_rule('case_review.correction_days', now()))",
             doc=("整改期限为本局规定（系统管理 › 规则 case_review.correction_days，默认30日），自承办人签收评查结果"
                  "之日起按自然日计算，签收当日不计入（《民法典》第二百零一条）；《行政处罚法》第七十五条未规定期限。"))
    p.user("rectify", "案卷问题整改", I, 10, doc="《行政处罚法》第七十五条（行政处罚监督制度）；评查发现问题的整改期限为本局规定（系统管理 › 规则，默认30日），自承办人签收评查结果之日起计算，签收当日不计入（《民法典》第二百零一条），没有上位法规定的期限；期限届满当日仍在期限内，逾期记录不升级。",
           form="case_review.rectify", props={"assignee": "case_handler", "assigneeUnit": "reviewed_org"},
           due="deadline_at(correction_due)")
    p.timer("rectify_overdue", "整改期限届满", "rectify", "deadline_at(correction_due)", interrupting=False)
    p.script("note_late", "记录整改逾期", I, 10, row=1, code="correction_late = True")
    p.end("end_late", "已记录", I, 11, row=1)
    p.user("recheck", "整改复核", S, 11, form="case_review.recheck")
    p.xor("recheck_ok", "整改到位？", S, 12)
    p.end("end", "评查办结", S, 13)
    p.chain("start", "submit_file", "score", "total", "confirm", "confirmed")
    p.flow("confirmed", "notice", "同意", cond="review_confirm_decision == '同意'")
    p.flow("confirmed", "score", "退回重评", default=True)
    p.chain("notice", "feedback", "correct")
    p.flow("correct", "set_due", "是", cond="needs_correction")
    p.flow("correct", "end", "否", default=True)
    p.chain("set_due", "rectify", "recheck", "recheck_ok")
    p.flow("rectify_overdue", "note_late")
    p.flow("note_late", "end_late")
    p.flow("recheck_ok", "end", "到位", cond="recheck_passed")
    p.flow("recheck_ok", "rectify", "未到位", default=True)
    return p
