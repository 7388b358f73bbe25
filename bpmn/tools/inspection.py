"""双随机一公开: the inspection plan with its random draw (``inspection_plan``) and the inspection each
drawn enterprise gets (``random_inspection``), as models for ``layout.Process``.

Sources: 国发〔2019〕5号 (随机抽取检查对象、随机选派执法检查人员, 抽查结果自产生之日起20个工作日内公示);
柴桑区实施意见 (seed 003) "实施'双随机、一公开'"; 武进 2017 (seed 000) "严格执行执法计划…网上跟踪，确保完成率
达到100%"; 下原镇 2019 (seed 004) "四不两直…明查与暗访".
"""
from __future__ import annotations

from .layout import Process

S, L, I = "科室负责人", "分管领导", "执法人员"


def build_plan() -> Process:
    p = Process(
        "inspection_plan", "双随机抽查计划", [S, L],
        doc=("国发〔2019〕5号；柴桑区实施意见（种子003）“实施‘双随机、一公开’”；武进2017（种子000）“严格执行执法计划，"
             "确保完成率达到100%”。编制季度/年度抽查计划（行业配额、回避声明），分管领导审批后由系统按记录的种子"
             "随机抽取企业（风险越高权重越大）和每组不少于2名执法人员（回避上次检查人员和有利害关系人员），每个"
             "抽中企业生成一件检查案件；计划期满后总结完成率并公开。"))
    p.start("start", "制定执法计划", S, 0)
    p.user("plan", "编制双随机抽查计划", S, 1, form="inspection_plan.plan")
    p.user("approve", "审批抽查计划", L, 2, form="inspection_plan.approve")
    p.xor("approved", "批准？", L, 3)
    p.script("draw", "随机抽取检查对象和执法人员", S, 4, code=(
        "draw_seed = case_no + '|' + now().isoformat()\n"
        "draw_result = inspection_draw(draw_seed, draw_pool, draw_inspectors, quota_map(quotas), "
        "draw_conflicts(last_inspectors, avoidances), team_size)\n"
        "drawn_count = len(draw_result)\n"
        "open_inspections(draw_result, case_no, plan_name, period_end)"),
        doc=("抽取只在此处进行一次，在分管领导批准计划时由其指定的抽取监督人员见证（draw_witnesses）；种子、候选名单、"
             "见证人和结果记入案件数据和审计链，审计人员可用相同输入复现（国办发〔2015〕58号 抽查过程全程记录、"
             "责任可追溯）。"))
    p.wait("until_end", "计划期满", S, 5, expr="deadline_at(period_end)")
    p.user("summary", "总结并公开计划执行情况", S, 6, form="inspection_plan.summary",
           due="deadline_at(workday_after(period_end, 20))",
           doc="国发〔2019〕5号：抽查检查结果自产生之日起20个工作日内公示；完成率应达到100%（种子000）。")
    p.end("end", "计划办结", S, 7)
    p.chain("start", "plan", "approve", "approved")
    p.flow("approved", "draw", "同意", cond="plan_approval_decision == '同意'")
    p.flow("approved", "plan", "退回", default=True)
    p.chain("draw", "until_end", "summary", "end")
    return p


def build_inspection() -> Process:
    p = Process(
        "random_inspection", "双随机现场检查", [I, S],
        doc=("国发〔2019〕5号；种子003“双随机、一公开”。抽中的执法人员在计划期内现场检查，记录检查情况；发现重大事故隐患"
             "转挂牌督办，发现违法行为立案查处；检查结果自产生之日起20个工作日内公示。逾期未检查的由科室负责人督办。"))
    p.start("start", "抽中检查对象", I, 0)
    p.user("inspect", "现场检查", I, 1, form="random_inspection.inspect", due="deadline_at(inspect_due)",
           props={"assignee": "inspectors[0]"},
           doc="国发〔2019〕5号（双随机、一公开）：按抽查计划实施检查，在抽查计划期内完成（期限为计划截止日）；由抽中的第一名执法人员办理，第二名共同检查。")
    p.timer("inspect_overdue", "计划期满未检查", "inspect", "deadline_at(inspect_due)")
    p.user("urge", "抽查逾期督办", S, 2, form="random_inspection.overdue",
           doc="法律、规章未规定抽查逾期督办的办理时限，本任务不设办理期限（限期完成检查日期不能早于当日）。")
    p.script("set_due", "重新确定检查期限", S, 3, code="inspect_due = new_inspect_due")
    p.xor("result", "检查结果？", I, 2)
    p.script("to_listing", "转挂牌督办", I, 3, row=1, code=(
        "start_case('hazard_supervision', inspection_hazard_seed(name, credit_code, inspection_findings, inspected_on), "
        "title=name + '抽查发现重大隐患')"))
    p.script("to_penalty", "转立案查处", I, 3, row=2, code=(
        "start_case('enforcement_case', inspection_penalty_seed(name, credit_code, inspection_findings, case_no), "
        "title=name + '抽查发现违法行为')"))
    p.xor("merge", "", I, 4)
    p.script("compose", "生成公示内容", I, 5, code=(
        "publish_due = workday_after(inspected_on, 20)\n"
        "publication_text = ('抽查计划：' + (plan_name or '') + '（' + (plan_no or '') + '）'\n"
        "    + '；检查对象：' + name + '（统一社会信用代码：' + (credit_code or '无') + '）'\n"
        "    + '；检查日期：' + cn_date(inspected_on)\n"
        "    + '；检查人员：' + str(len(inspectors_present or [])) + '名执法人员'\n"
        "    + '；检查结果：' + inspection_result\n"
        "    + ('；处理：责令限期整改，整改期限' + cn_date(fix_deadline) if inspection_result == '发现一般隐患责令整改' "
        "else '；处理：依法挂牌督办' if inspection_result == '发现重大事故隐患' "
        "else '；处理：依法立案查处' if inspection_result == '发现违法行为' else ''))"),
        doc=("公示内容由检查记录生成：抽查计划、检查对象及统一社会信用代码、检查日期、检查人员数、检查结果及处理"
             "（国发〔2019〕5号 抽查检查结果公示；执法人员姓名和举报人等个人信息不公示）；日期写作2026年11月23日"
             "（GB/T 9704—2012 年、月、日标全，月、日不编虚位）。"))
    p.user("publish", "公示抽查结果", I, 6, form="random_inspection.publish",
           due="deadline_at(publish_due)",
           doc="国发〔2019〕5号：抽查检查结果自产生之日起20个工作日内通过国家企业信用信息公示系统等公示；逾期公示的写明原因并记为逾期。")
    p.script("record_publication", "记录公示", I, 7, code=(
        "publish_late = iso_day(result_published_on) > publish_due"),
        doc="公示日期晚于检查之日起第20个工作日的记为逾期公示（国发〔2019〕5号）。")
    p.end("end", "检查办结", I, 8)
    p.chain("start", "inspect", "result")
    p.flow("inspect_overdue", "urge")
    p.chain("urge", "set_due")
    p.flow("set_due", "inspect")
    p.flow("result", "to_listing", "重大事故隐患", cond="inspection_result == '发现重大事故隐患'")
    p.flow("result", "to_penalty", "违法行为", cond="inspection_result == '发现违法行为'")
    p.flow("result", "merge", "无问题或一般隐患", default=True)
    p.flow("to_listing", "merge")
    p.flow("to_penalty", "merge")
    p.chain("merge", "compose", "publish", "record_publication", "end")
    return p
