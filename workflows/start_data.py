"""What a process needs in its case data before its first step (发起数据), by process key.

Most processes start empty and ask their first task for everything. A few need a snapshot taken at
start: the 双随机抽查计划 records the registry and the inspectors its draw will use, so that the draw
can be re-run by an auditor from the case alone (``workflows.inspection_plans.snapshot``). Every way
of starting a case (the 发起案件 page, the REST API) asks here first.

Some processes are started only by another case, with that case's data (``STARTED_BY_ANOTHER_CASE``):
the 发起案件 page does not offer them (started empty, their first step failed at once and left an
incident: 「决定挂牌督办」出错: Error evaluating expression 'superior'). The REST API still starts them
for a client that gives that data — a 执法案卷评查 with the closed penalty case it reviews
(``reviewed_case_id``), whose unit and 承办人 the review takes from that case (workflows/case_review).
"""
from __future__ import annotations

#: process key -> how such a case comes to be (shown when one is asked for on the 发起案件 page)
STARTED_BY_ANOTHER_CASE = {
    "accident_supervision": "事故查处挂牌督办由上级局在事故调查案件上挂牌时发起，不能在此直接发起",
    "case_file_review": "执法案卷评查由评查抽取已结案的执法案件时发起，不能在此直接发起",
    "hazard_statistics_report": "隐患排查治理情况统计分析表报送案件由报送安排每季度为每家企业生成，不能在此直接发起",
    "joint_reminder": "联席会议和联合检查执法进度提醒由进度提醒安排在季度初为进度落后的单位生成，不能在此直接发起",
    "leader_inspection_reminder": "领导带队督查进度提醒由进度提醒安排在季度初为进度落后的单位生成，不能在此直接发起",
    "post_case_assessment": "事故整改和防范措施落实情况评估在事故调查报告批复时自动发起，不能在此直接发起",
    "random_inspection": "双随机现场检查由双随机抽查计划抽取企业后发起，不能在此直接发起",
}


#: what the system takes at start (``start_data``), by its Chinese name: never the starter's to give
SYSTEM_TAKEN = {"draw_pool": "抽查企业名录", "draw_inspectors": "执法检查人员名录", "last_inspectors": "企业上次的检查人员",
                "round_org": "报送安排所属单位"}


def start_data_with(engine, process_key: str, org: str, given: dict) -> dict:
    """The case data a start opens with: what the starter gives and what the system takes
    (``start_data``). A value the system takes given by the starter too is refused, naming it: a
    双随机 draw from an enterprise list or an inspector list the starter typed would draw whom he
    chose, and the case, which keeps the draw's inputs so that an auditor can draw again from it,
    would prove it random (国务院办公厅《关于推广随机抽查规范事中事后监管的通知》国办发〔2015〕58号:
    随机抽取检查对象，随机选派执法检查人员)."""
    if process_key == "case_file_review":  # the reviewed file's facts from its case (workflows/case_review)
        from workflows.case_review import checked_start_data
        given = checked_start_data(engine, given or {})
    taken = start_data(engine, process_key, org)
    given_too = sorted(k for k in taken if k in (given or {}))
    if given_too:
        from engine.errors import InvalidData
        raise InvalidData({k: f"「{SYSTEM_TAKEN.get(k, k)}」由系统在发起时从企业库和人员名录中取得，不能由发起人提供，请删去该项"
                           for k in given_too})
    return {**(given or {}), **taken}


def start_data(engine, process_key: str, org: str) -> dict:
    if process_key == "inspection_plan":
        from workflows.inspection_plans import snapshot
        return snapshot(engine, org)
    if process_key in ("hazard_report_round", "leader_inspection_round", "joint_round"):  # standing rounds: the unit they cover
        return {"round_org": org}
    return {}
