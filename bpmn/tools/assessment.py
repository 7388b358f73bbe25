"""结案后一年内评估 (DESIGN §3.4) as a model for ``layout.Process``."""
from __future__ import annotations

from .layout import Process

G, V, SO = "人民政府", "评估组成员", "安委会办公室"

STAGES = [("form_team", "team"), ("check_measures", "measures"),
          ("check_accountability", "accountability"), ("draft_report", "report")]


def build() -> Process:
    p = Process(
        "post_case_assessment", "事故整改和防范措施落实情况评估", [G, V, SO],
        doc=("《安全生产法》第八十六条；安委办〔2021〕4号《生产安全事故防范和整改措施落实情况评估办法》。"
             "事故调查报告批复后一年内（第八十六条），由负责事故调查的人民政府组织评估（谁调查谁评估），"
             "核查整改和防范措施、责任追究落实情况；对履职不到位的公职人员，将问责线索移送纪检监察机关或"
             "任免机关并记录移送和回执，公开评估报告；逾期向安委会办公室升级督办。"))
    p.start("start", "事故调查报告批复", G, 0)
    p.script("plan_assessment", "确定评估时间", G, 1, code=(
        "assessment_start = months_after(approved_at, local_rule('assessment.start_months', approved_at))\n"
        "assessment_due = months_after(approved_at, 12)\n"
        "assessment_stage = 'team'"),
        doc="《安全生产法》第八十六条：批复事故调查报告后一年内评估；开始时间为地方规则（默认批复后10个月）。")
    p.wait("until_window", "批复后10个月", G, 2, expr="day_start(assessment_start)")
    p.xor("resume_stage", "", G, 3)
    p.user("form_team", "组建评估组", G, 4, doc="《安全生产法》第八十六条第三款：负责事故调查处理的人民政府在批复事故调查报告后一年内，组织有关部门对事故整改和防范措施落实情况进行评估，并及时向社会公开评估结果；期限自批复之日起12个月。",
           form="assessment.team", due="deadline_at(assessment_due)",
           post="assessment_stage = 'measures'")
    p.user("check_measures", "核查整改和防范措施落实情况", V, 5, doc="《安全生产法》第八十六条第三款：负责事故调查处理的人民政府在批复事故调查报告后一年内，组织有关部门对事故整改和防范措施落实情况进行评估，并及时向社会公开评估结果；期限自批复之日起12个月。",
           form="assessment.check_measures",
           due="deadline_at(assessment_due)", post="assessment_stage = 'accountability'")
    p.user("check_accountability", "核查责任追究落实情况", V, 6, doc="《安全生产法》第八十六条第三款：负责事故调查处理的人民政府在批复事故调查报告后一年内，组织有关部门对事故整改和防范措施落实情况进行评估，并及时向社会公开评估结果；期限自批复之日起12个月。",
           form="assessment.check_accountability",
           due="deadline_at(assessment_due)", post="assessment_stage = 'report'")
    p.script("summarize", "汇总评估发现", V, 7, code=(
        "accountability_items = accountability_items_from(measure_checks, accountability_checks)"))
    p.user("draft_report", "起草评估报告", V, 8, doc="《安全生产法》第八十六条第三款：负责事故调查处理的人民政府在批复事故调查报告后一年内，组织有关部门对事故整改和防范措施落实情况进行评估，并及时向社会公开评估结果；期限自批复之日起12个月。",
           form="assessment.report", due="deadline_at(assessment_due)")
    p.user("review_report", "审定评估报告", G, 9, form="assessment.review")
    p.xor("review_ok", "审定通过？", G, 10)
    p.xor("has_accountability", "需要问责？", G, 11)
    p.user("accountability", "移送问责线索", G, 12, row=1, form="assessment.accountability",
           doc=("对未落实整改措施、未履行职责的公职人员的问责，由组织评估的人民政府移送纪检监察机关或任免机关"
                "依法处理，记录移送和接收回执；对生产经营单位的违法行为移送负有安全监管职责的部门。"),
           props={"itemLabel": "item['subject'] + '：' + item['detail']"},
           multi={"input": "accountability_items", "item": "item", "output": "accountability_results",
                  "output_item": "accountability_result", "scripts_on_instances": True},
           post=("accountability_result = {'subject': item['subject'], 'detail': item['detail'], "
                 "'referred_to': referred_to, 'referral_no': referral_no, 'referred_on': referred_on, "
                 "'receipt_on': receipt_on}"))
    p.xor("to_publish", "", G, 13)
    p.user("publish", "公开评估报告", G, 14, form="assessment.publish")
    p.end("end_published", "评估完成", G, 15)
    p.chain("start", "plan_assessment", "until_window", "resume_stage")
    p.flow("resume_stage", "form_team", "组建评估组", default=True)
    p.flow("resume_stage", "check_measures", "核查措施", cond="assessment_stage == 'measures'")
    p.flow("resume_stage", "check_accountability", "核查追责", cond="assessment_stage == 'accountability'")
    p.flow("resume_stage", "draft_report", "起草报告", cond="assessment_stage == 'report'")
    p.chain("form_team", "check_measures", "check_accountability", "summarize", "draft_report",
            "review_report", "review_ok")
    p.flow("review_ok", "draft_report", "退回", default=True)
    p.flow("review_ok", "has_accountability", "通过", cond="assessment_review_decision == '同意'")
    p.flow("has_accountability", "accountability", "是", cond="len(accountability_items) > 0")
    p.flow("has_accountability", "to_publish", "否", default=True)
    p.flow("accountability", "to_publish")
    p.chain("to_publish", "publish", "end_published")

    # 逾期升级至安委会办公室
    p.user("assessment_overdue", "评估逾期督办", SO, 6, form="assessment.overdue")
    p.script("set_assessment_due", "重新确定评估期限", SO, 7, code="assessment_due = new_due")
    for task, stage in STAGES:
        p.timer(f"{task}_overdue", "评估期限届满", task, "deadline_at(assessment_due)")
        p.flow(f"{task}_overdue", "assessment_overdue")
    p.flow("assessment_overdue", "set_assessment_due")
    p.flow("set_assessment_due", "resume_stage")
    return p
