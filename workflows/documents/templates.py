"""The document templates (文书模板) and how each is filled from case data."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .format import BLANK, cn_date, cn_datetime, joined, money, money_upper, numbered, or_blank


@dataclass(frozen=True)
class Document:
    key: str
    title: str
    process: str
    template: str
    context: Callable[[dict], dict]
    ready_when: tuple[str, ...]      # data keys that must be set before the document can be issued
    # 行文方向 (GB/T 9704-2012 7.2.4): a 上行文, sent up to a higher authority, names its 签发人.
    direction: str = "下行文"

    def ready(self, data: dict) -> bool:
        return all(data.get(k) not in (None, "", []) for k in self.ready_when)


HAZARD_NOTICE = """{issuer}
重大事故隐患挂牌督办通知书
{notice_no}

{responsible_unit}：
    经检查，你单位{location}存在重大事故隐患：{description}。判定依据：{grade_basis}。
    根据《中华人民共和国安全生产法》第四十一条第二款、第三款和《安全生产事故隐患排查治理暂行规定》（原国家安全生产监督管理总局令第16号）等规定，现对该重大事故隐患实行{listing_level}。
    一、督办期限：你单位应于{rectify_deadline}前完成整改。
    二、整改要求：{requirements}
    三、你单位应于{plan_due}前制定隐患治理方案（包括治理的目标和任务、采取的方法和措施、经费和物资的落实、负责治理的机构和人员、治理的时限和要求、安全措施和应急预案），报送我局，并向职工大会或者职工代表大会报告。
    四、{stop_production}
    五、治理完成后，你单位应当组织对治理情况进行评估，或委托具备相应资质的安全评价机构进行评估；评估合格后向我局提出书面销号申请。我局自收到申请之日起10日内进行现场复查。
    六、确需延期的，应当在督办期限届满10个工作日前提出书面申请。
    七、逾期未完成整改的，我局将依法采取约谈警示、公开曝光、责令停产停业整顿并处罚款、按日连续处罚、停止供电等措施，直至提请人民政府予以关闭。

                                        {issuer}
                                        {issued_on}
（案号：{case_no}）
"""


def _hazard_notice(d: dict) -> dict:
    return {
        "notice_no": d.get("notice_no"), "responsible_unit": d.get("responsible_unit") or d.get("enterprise_name"),
        "location": d.get("location"), "description": d.get("description"), "grade_basis": d.get("grade_basis"),
        "listing_level": d.get("listing_level"), "rectify_deadline": cn_date(d.get("rectify_deadline")),
        "requirements": d.get("requirements"), "plan_due": cn_date(d.get("plan_due")),
        "stop_production": ("治理期间，你单位应当停止使用相关设施、设备，局部或者全部停产停业，并采取有效的安全防范措施。"
                            if d.get("stop_production") else "治理期间，你单位应当采取有效的安全防范和监控措施，防止事故发生。"),
        "issued_on": cn_date(d.get("listed_at")), "case_no": d.get("case_no"),
    }


ACCIDENT_REPORT = """{accident_title}调查报告（提纲）

一、事故基本情况
    事故发生单位：{enterprise_name}
    发生时间：{occurred_at}      地点：{location}
    事故类别：{category}／{accident_type}
二、事故发生经过和事故救援情况
    {report_summary}
三、事故造成的人员伤亡和直接经济损失
    死亡{deaths}人，重伤{serious_injuries}人，直接经济损失{direct_loss}。
四、事故等级与调查
    本起事故为{accident_grade}生产安全事故，由{jurisdiction}负责调查。调查组组长：{team_leader}。
五、事故发生的原因和事故性质
    （一）直接原因：{direct_cause}
    （二）技术原因：{technical_causes}
    （三）管理原因：{management_causes}
    （四）事故性质：{accident_nature}
六、事故责任的认定以及对事故责任者的处理建议
    （一）责任人员
{persons}
    （二）责任单位
{units}
七、事故防范和整改措施
{measures}
八、“四不放过”核验
    {four_nots}
九、调查组成员签名
    {signed_by}
"""


def _accident_report(d: dict) -> dict:
    def who(rows):
        return numbered([f"{r.get('name')}（{r.get('position') or r.get('credit_code') or ''}）："
                         f"{r.get('responsibility') or BLANK}；处理建议：{r.get('proposed_handling') or BLANK}"
                         for r in rows or []], indent="        ")
    missing = d.get("four_nots_missing")
    if missing is None:
        four_nots = "尚未核验"
    elif missing:
        four_nots = "未通过：" + "；".join(missing)
    else:
        four_nots = "事故原因已查清、责任人员已提出处理建议、整改措施已明确责任单位和时限、有关人员已受到教育，核验通过。"
    return {
        "accident_title": d.get("accident_title") or d.get("enterprise_name") or "生产安全事故",
        "enterprise_name": d.get("enterprise_name"), "occurred_at": cn_datetime(d.get("occurred_at")),
        "location": d.get("location"), "category": d.get("category"), "accident_type": d.get("accident_type"),
        "report_summary": d.get("report_summary") or d.get("summary"), "deaths": or_blank(d.get("deaths")),
        "serious_injuries": or_blank(d.get("serious_injuries")), "direct_loss": money(d.get("direct_loss")),
        "accident_grade": d.get("accident_grade"), "jurisdiction": d.get("jurisdiction"),
        "team_leader": d.get("team_leader"), "direct_cause": d.get("direct_cause"),
        "technical_causes": d.get("technical_causes"), "management_causes": d.get("management_causes"),
        "accident_nature": d.get("accident_nature"),
        "persons": who(d.get("responsible_persons")), "units": who(d.get("responsible_units")),
        "measures": numbered([f"{m.get('measure')}（责任单位：{m.get('owner') or BLANK}；完成时限：{cn_date(m.get('due_date'))}）"
                              for m in d.get("measures") or []]),
        "four_nots": four_nots, "signed_by": joined(d.get("signed_by")),
    }


def _penalty_text(d: dict) -> str:
    parts = []
    for kind in d.get("penalty_types") or []:
        if kind == "罚款":
            parts.append(f"罚款{money_upper(d.get('fine_amount'))}（¥{money(d.get('fine_amount'))}）")
        elif kind == "没收违法所得":
            parts.append(f"没收违法所得{money_upper(d.get('confiscation_amount'))}")
        else:
            parts.append(kind)
    return "；".join(parts) if parts else BLANK


PENALTY_NOTICE = """{issuer}
行政处罚告知书
{notification_no}

{party_name}：
    经查，你（单位）{violation}。
    以上事实违反了{legal_basis}的规定。依据{penalty_basis}的规定，参照{discretion_standard}，本机关拟对你（单位）作出如下行政处罚：{penalty_text}。
    根据《中华人民共和国行政处罚法》第四十四条、第四十五条{hearing_articles}的规定，你（单位）有权进行陈述和申辩{hearing_right}。你（单位）应当自收到本告知书之日起{statement_days}个工作日内向本机关提出，逾期未提出的，视为放弃上述权利。

                                        {issuer}
                                        {served_on}
（案号：{case_no}）
"""


def _penalty_notice(d: dict) -> dict:
    hearing = bool(d.get("hearing_eligible"))
    return {
        "notification_no": d.get("notification_no"), "party_name": d.get("party_name"), "violation": d.get("violation"),
        "legal_basis": d.get("legal_basis"), "penalty_basis": d.get("penalty_basis"),
        "discretion_standard": d.get("discretion_standard"), "penalty_text": _penalty_text(d),
        "hearing_articles": "、第六十三条、第六十四条" if hearing else "",
        "hearing_right": "，并有权要求举行听证" if hearing else "",
        "statement_days": or_blank(d.get("statement_days")),
        "served_on": cn_date(d.get("notification_served_on")), "case_no": d.get("case_no"),
    }


PENALTY_DECISION = """{issuer}
行政处罚决定书
{decision_no}

被处罚人：{party_name}
统一社会信用代码（身份证号码）：{credit_code}
    经查，你（单位）{violation}。{facts_found}
    以上事实有{evidence_text}等证据证实。
    以上事实违反了{legal_basis}的规定。{procedure}
    依据{penalty_basis}的规定，本机关决定给予你（单位）以下行政处罚：{penalty_text}。
    罚款限你（单位）自收到本决定书之日起十五日内缴至指定银行或者通过电子支付系统缴纳。到期不缴纳罚款的，本机关将每日按罚款数额的百分之三加处罚款，加处罚款的数额不超过罚款的数额。
    你（单位）如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼，但本决定不停止执行，法律另有规定的除外。逾期不申请行政复议、不提起行政诉讼又不履行本决定的，本机关将依法申请人民法院强制执行。

                                        {issuer}
                                        {decided_on}
（案号：{case_no}）
"""


def _penalty_decision(d: dict) -> dict:
    steps = ["本案经法制审核"]
    if d.get("party_response") == "陈述申辩":
        steps.append("当事人进行了陈述和申辩，本机关已予复核")
    elif d.get("party_response") == "放弃":
        steps.append("当事人在规定期限内未提出陈述、申辩")
    if d.get("hearing_report"):
        steps.append("应当事人要求举行了听证")
    if (d.get("vote_result") or {}).get("passed"):
        steps.append("经本机关负责人集体讨论决定")
    elif d.get("head_decision") == "同意":
        steps.append("经本机关负责人批准")
    evidence = len(d.get("evidence") or []) + len(d.get("transcripts") or [])
    return {
        "decision_no": d.get("decision_no"), "party_name": d.get("party_name"), "credit_code": d.get("credit_code"),
        "violation": d.get("violation"), "facts_found": d.get("facts_found") or "",
        "evidence_text": f"现场检查笔录、询问笔录等{evidence}份" if evidence else BLANK,
        "legal_basis": d.get("legal_basis"), "procedure": "，".join(steps) + "。",
        "penalty_basis": d.get("penalty_basis"), "penalty_text": _penalty_text(d),
        "decided_on": cn_date(d.get("decided_at")), "case_no": d.get("case_no"),
    }


ASSESSMENT_REPORT = """{accident_title}
防范和整改措施落实情况评估报告

一、评估工作开展情况
    根据《中华人民共和国安全生产法》第八十六条和《生产安全事故防范和整改措施落实情况评估办法》，{organised_by}组织开展本次评估。评估组组长：{evaluation_leader}；成员：{evaluators}；参加单位：{evaluation_units}。
二、事故基本情况
    {enterprise_name}发生{accident_grade}生产安全事故，事故调查报告于{approved_on}批复。
三、整改和防范措施落实情况
{measure_checks}
四、责任追究落实情况
{accountability_checks}
五、总体评估结论
    {assessment_conclusion}
六、存在的问题
    {findings}
七、问责情况
{accountability}
八、意见建议
    {recommendations}
"""


def _assessment_report(d: dict) -> dict:
    results = d.get("accountability_results") or []
    items = d.get("accountability_items") or []
    if results:
        accountability = numbered([f"{r.get('subject')}：{r.get('detail')}——已移送{r.get('referred_to')}"
                                   f"（{r.get('referral_no')}，{cn_date(r.get('referred_on'))}移送，"
                                   f"{cn_date(r.get('receipt_on'))}回执）" for r in results])
    elif items:
        accountability = numbered([f"{i.get('subject')}：{i.get('detail')}——待问责" for i in items])
    else:
        accountability = "    未发现需要问责的情形。"
    return {
        "accident_title": d.get("accident_title") or "生产安全事故", "organised_by": d.get("organised_by"),
        "evaluation_leader": d.get("evaluation_leader"), "evaluators": joined(d.get("evaluators")),
        "evaluation_units": joined(d.get("evaluation_units")), "enterprise_name": d.get("enterprise_name"),
        "accident_grade": d.get("accident_grade"), "approved_on": cn_date(d.get("approved_at")),
        "measure_checks": numbered([f"{m.get('measure')}（{m.get('owner') or BLANK}）：{m.get('status')}"
                                    + (f"，{m['evidence']}" if m.get("evidence") else "")
                                    for m in d.get("measure_checks") or []]),
        "accountability_checks": numbered([f"{a.get('name')}（{a.get('proposed_handling') or BLANK}）：{a.get('carried_out')}"
                                           for a in d.get("accountability_checks") or []]),
        "assessment_conclusion": d.get("assessment_conclusion"), "findings": d.get("findings"),
        "accountability": accountability, "recommendations": d.get("recommendations"),
    }


DOCUMENTS = [
    Document("hazard.notice", "重大事故隐患挂牌督办通知书", "hazard_supervision", HAZARD_NOTICE, _hazard_notice,
             ("listed_at",)),
    # 上行文: the 事故调查报告 goes up to the 人民政府 responsible for the investigation, which 批复 it
    # (《生产安全事故报告和调查处理条例》第三十二条).
    Document("accident.report", "事故调查报告（提纲）", "accident_investigation", ACCIDENT_REPORT, _accident_report,
             ("report_summary",), direction="上行文"),
    Document("enforcement.notice", "行政处罚告知书", "enforcement_case", PENALTY_NOTICE, _penalty_notice,
             ("legal_review_decision",)),
    Document("enforcement.decision", "行政处罚决定书", "enforcement_case", PENALTY_DECISION, _penalty_decision,
             ("decided_at",)),
    # 上行文: the 评估 (《安全生产法》第八十六条) is reported up to the 本级人民政府 that 批复 the investigation report.
    Document("assessment.report", "事故防范和整改措施落实情况评估报告", "post_case_assessment", ASSESSMENT_REPORT,
             _assessment_report, ("assessment_conclusion",), direction="上行文"),
]
