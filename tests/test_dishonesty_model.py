"""The serious-dishonesty list model (bpmn/dishonesty_list.bpmn): how it is built, and that the file
is schema-valid, deployable, bound to role lanes, fully formed and drawn cleanly.

The builder lives here (not in bpmn/tools/, which belongs to the first four processes) so the
file and its source stay together. Regenerate with ``.venv/bin/python tests/test_dishonesty_model.py``;
once a designer edits the model in the browser, the file is the source of truth and the
``matches_the_builder`` test says so.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from bpmn.tools.layout import Process  # noqa: E402
from engine.timers import check_timer_expression  # noqa: E402
from engine.validation import check_bpmn, read_file  # noqa: E402
from workflows.forms import registry  # noqa: E402
from workflows.forms.dishonesty import FORMS  # noqa: E402
from workflows.roles import ROLES  # noqa: E402

PATH = ROOT / "bpmn" / "dishonesty_list.bpmn"
REVOKE_MESSAGE = "revoke_early_removal"  # 撤销提前移出: the case action's message (the case page sends it)
I, S, L, E = "执法人员", "科室负责人", "分管领导", "生产经营单位"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}

INIT = """
try:
    objection_workdays = int(objection_workdays)
except Exception:
    objection_workdays = 5
try:
    publish_workdays = int(publish_workdays)
except Exception:
    publish_workdays = 20
try:
    term_months = int(term_months)
except Exception:
    term_months = 36
try:
    repair_months = int(repair_months)
except Exception:
    repair_months = 12
term_months = min(term_months, 36)
repair_months = min(repair_months, 12)
repair_refusals = 0
listing_status = '拟列入'
"""


def build() -> Process:
    p = Process(
        "dishonesty_list", "安全生产严重失信主体名单管理", [I, S, L, E],
        doc=("《安全生产严重失信主体名单管理办法》（应急管理部令第11号）。拟列入呈批、告知（事由、依据和陈述申辩"
             "权利）、异议期（默认5个工作日，case data objection_workdays）、复核异议（成立则不予列入）、列入决定、"
             "送达列入决定书、公开（默认决定后20个工作日内，case data publish_workdays，各地规定不同）、管理期限"
             "3年（自作出列入决定之日起计，不自公开之日起：《信用修复管理办法》（国家发展改革委，2026-04-01施行）公示期限自行政公务文书认定之日起计算，取对当事人有利的起点；期满自动移出）、列入决定满12个月后可申请信用修复提前移出，经核查审批同意后移出；"
             "提前移出系隐瞒真实情况、弄虚作假取得的，撤销提前移出决定，恢复列入状态至原管理期限届满。"
             "列入程序在本局对该单位作出行政处罚决定后启动（第三条受到行政处罚；第四条第二款谁处罚、谁决定、谁负责）。"))

    # 呈批、告知、异议
    p.start("start", "拟列入线索", I, 0)
    p.script("init", "登记列入线索", I, 1, code=INIT)
    p.user("propose", "拟列入呈批", I, 2, form="dishonesty.propose")
    p.user("review_proposal", "审核拟列入", S, 3, form="dishonesty.proposal_review")
    p.xor("proposal_ok", "同意？", S, 4)
    p.user("notify", "送达拟列入告知书", I, 5, form="dishonesty.notice")
    p.script("open_objection", "异议期限起算", I, 6,
             code="objection_due = workday_after(notice_served_on, objection_workdays)")
    p.user("object", "陈述申辩（提出异议）", E, 7, doc="应急管理部令第11号：作出列入严重失信主体名单决定前，告知当事人列入的事由、依据和依法享有的陈述、申辩权利。提出异议的期限为本局设定的工作日数（默认5个工作日，自告知书送达之日起计算）。",
           form="dishonesty.objection",
           due="deadline_at(objection_due)")
    p.timer("objection_closed", "异议期限届满", "object", "deadline_at(objection_due)",
            props={"escalate": "false"})  # a lapsed window is a waiver, not an escalation
    p.script("no_objection", "逾期视为无异议", E, 8, row=1,
             code="objection_choice = '逾期未提出'\nobjection_text = None")
    p.xor("objection_gw", "提出异议？", E, 9)
    p.user("review_objection", "复核异议", S, 10, form="dishonesty.objection_review")
    p.xor("objection_upheld", "异议成立？", S, 11)
    p.chain("start", "init", "propose", "review_proposal", "proposal_ok")
    p.flow("proposal_ok", "notify", "同意", cond="proposal_review_decision == '同意'")
    p.chain("notify", "open_objection", "object", "objection_gw")
    p.flow("objection_closed", "no_objection")
    p.flow("no_objection", "objection_gw")
    p.flow("objection_gw", "review_objection", "提出异议", cond="objection_choice == '提出异议'")
    p.flow("review_objection", "objection_upheld")

    # 决定、决定书、公开
    p.user("decide", "作出列入决定", L, 12, form="dishonesty.decision")
    p.xor("decided", "列入？", L, 13)
    p.user("issue_decision", "制作并送达列入决定书", I, 14, form="dishonesty.issue_decision")
    p.script("publish_clock", "公开期限起算", I, 15,
             code="publish_due = workday_after(decided_on, publish_workdays)\nlisting_status = '已决定'")
    p.user("publish", "公开严重失信主体信息", I, 16, doc="应急管理部令第11号：列入决定作出后，通过国家有关信用信息共享平台、国家企业信用信息公示系统和部门政府网站公示严重失信主体信息。公示期限为本局设定（默认自决定之日起20个工作日内）。",
           form="dishonesty.publish", due="deadline_at(publish_due)")
    p.timer("publish_late", "公开期限届满", "publish", "deadline_at(publish_due)", interrupting=False)
    p.script("note_publish_late", "记录公开逾期", I, 16, row=1, code="publish_late = True")
    p.end("end_publish_late", "已记录", I, 17, row=1)
    p.flow("objection_gw", "decide", "无异议", default=True)
    p.flow("objection_upheld", "decide", "异议不成立", default=True)
    p.flow("decide", "decided")
    p.flow("decided", "issue_decision", "列入", cond="listing_decision == '列入'")
    p.chain("issue_decision", "publish_clock", "publish")
    p.flow("publish_late", "note_publish_late")
    p.flow("note_publish_late", "end_publish_late")

    # 不予列入
    p.xor("to_not_listed", "", S, 14, row=1)
    p.script("not_listed", "不予列入", S, 15, row=1, code="listing_status = '不予列入'")
    p.end("end_not_listed", "不予列入", S, 16, row=1)
    p.flow("proposal_ok", "to_not_listed", "不同意", default=True)
    p.flow("objection_upheld", "to_not_listed", "异议成立", cond="objection_result == '异议成立'")
    p.flow("decided", "to_not_listed", "不予列入", default=True)
    p.chain("to_not_listed", "not_listed", "end_not_listed")

    # 管理期限：3年期满自动移出。One branch, not two in parallel: each step that waits during the term
    # carries the term's end as a boundary timer, so the step that ends the listing sees what the steps
    # before it recorded (an early removal, its revocation) — parallel branches each hold their own copy
    # of the case data, and the term's branch overwrote an early removal's day and reason.
    term_end = "day_start(listing_ends_on)"
    quiet = {"escalate": "false"}  # the term ending is not an escalation
    p.script("start_term", "起算管理期限", I, 17, code=(
        "listed_from = published_on\n"
        "listing_ends_on = months_after(decided_on, term_months)\n"
        "repair_allowed_from = months_after(decided_on, repair_months)\n"
        "listing_status = '公开中'"))
    p.script("expire", "期满移出", S, 32, code=(
        "removed_on = listing_ends_on\n"
        "removal_reason = '管理期限届满'\n"
        "listing_status = '已移出'"),
        doc="应急管理部令第11号：管理期限3年，期满移出并停止公示（自列入决定之日起计，届满之日零时移出）。")
    p.end("end_expired", "期满移出", S, 33)
    p.flow("publish", "start_term")

    # 信用修复：满12个月方可申请，核查、审批同意后提前移出
    p.xor("to_apply", "", E, 18)
    p.user("apply_repair", "申请信用修复（提前移出）", E, 19, form="dishonesty.repair_application")
    p.script("check_repair_time", "核对列入时间", E, 20,
             code="repair_too_early = not is_past(day_start(repair_allowed_from), now())")
    p.xor("repair_time_ok", "列入满12个月？", E, 21)
    p.script("refuse_early", "不予受理", E, 20, row=1, code=(
        "repair_refusals = repair_refusals + 1\n"
        "repair_refusal_reason = '列入未满' + str(repair_months) + '个月，' + repair_allowed_from "
        "+ '起方可申请提前移出'"))
    p.user("verify_repair", "核查信用修复申请", I, 22, form="dishonesty.repair_verification")
    p.user("decide_repair", "审批提前移出", L, 23, form="dishonesty.repair_decision")
    p.xor("repair_ok", "同意？", L, 24)
    p.script("remove_early", "提前移出", L, 25, code=(
        "removed_on = iso_day(now())\n"
        "removal_reason = '信用修复提前移出'\n"
        "revoke_found_by = None\n"
        "listing_status = '已移出'"))
    p.script("refuse_repair", "不予提前移出", L, 25, row=1, code=(
        "repair_refusals = repair_refusals + 1\n"
        "repair_refusal_reason = repair_opinion"))
    for task in ("apply_repair", "verify_repair", "decide_repair"):
        p.timer(f"{task}_term", "管理期限届满", task, term_end, props=quiet)
        p.flow(f"{task}_term", "expire")
    p.chain("start_term", "to_apply", "apply_repair", "check_repair_time", "repair_time_ok")
    p.flow("repair_time_ok", "refuse_early", "未满", cond="repair_too_early")
    p.flow("refuse_early", "to_apply")
    p.flow("repair_time_ok", "verify_repair", "已满", default=True)
    p.chain("verify_repair", "decide_repair", "repair_ok")
    p.flow("repair_ok", "remove_early", "同意", cond="repair_decision == '同意'")
    p.flow("repair_ok", "refuse_repair", "不同意", default=True)
    p.flow("refuse_repair", "to_apply")

    # 弄虚作假取得的提前移出：撤销，恢复列入状态（至原管理期限届满）. Nothing waits in a pool meanwhile: the
    # case waits for the message 撤销提前移出, which the case page offers as a button to the 执法人员 of the case's
    # unit (caseAction, docs/engine.md); the one who presses it gets the 呈批.
    p.receive("watch_revoke", "撤销提前移出", I, 26, message=REVOKE_MESSAGE,
              props={"caseAction": "inspector", "caseActionBy": "revoke_found_by", "senderRoles": "inspector"},
              doc=("应急管理部令第11号（山西省应急管理厅《安全生产严重失信主体名单管理制度》2024年照录）：发现被列入对象"
                   "申请提前移出存在隐瞒真实情况、弄虚作假情形的，应当撤销提前移出决定，恢复列入状态。提前移出后至原管理"
                   "期限届满之日（listing_ends_on）零时，本案件页向本单位执法人员提供「撤销提前移出」操作，不进入任何人的"
                   "待办；届时自动结束，提前移出的日期和理由不变。无法定办理期限。"))
    p.user("propose_revoke", "撤销提前移出呈批", I, 27,
           doc=("应急管理部令第11号（山西省应急管理厅《安全生产严重失信主体名单管理制度》2024年照录）：发现被列入对象"
                "申请提前移出存在隐瞒真实情况、弄虚作假情形的，应当撤销提前移出决定，恢复列入状态。由在案件页发起"
                "「撤销提前移出」的执法人员呈批，分管领导（作出提前移出决定的同一层级）决定撤销。无法定办理期限。"),
           form="dishonesty.revoke_proposal", props={"assignee": "revoke_found_by"})
    p.user("decide_revoke", "撤销提前移出决定", L, 28, form="dishonesty.revoke_decision",
           doc="应急管理部令第11号：撤销提前移出决定，恢复列入状态；由作出提前移出决定的分管领导决定。")
    p.xor("revoke_ok", "撤销？", L, 29)
    p.script("restore_listing", "恢复列入状态", L, 30, code=(
        "revoked_removal_on = removed_on\n"
        "revoked_on = iso_day(now())\n"
        "removed_on = None\n"
        "removal_reason = None\n"
        "listing_status = '公开中'"),
        doc=("应急管理部令第11号：恢复列入状态；管理期限仍至原定的 listing_ends_on 届满（不重新计算，未见规定），"
             "届满时期满移出；恢复后不再受理本案的提前移出申请。"))
    p.wait("restored_term_ends", "管理期限届满", L, 31, expr=term_end)
    p.script("keep_early_removal", "提前移出维持", S, 29, code="revocation_window_closed = True",
             doc="原管理期限届满，未发现弄虚作假：提前移出维持，移出日期和理由不变。")
    p.end("end_repaired", "提前移出", S, 30)
    for task in ("watch_revoke", "propose_revoke", "decide_revoke"):
        p.timer(f"{task}_term", "管理期限届满", task, term_end, props=quiet)
        p.flow(f"{task}_term", "keep_early_removal")
    p.chain("remove_early", "watch_revoke", "propose_revoke", "decide_revoke", "revoke_ok")
    p.flow("revoke_ok", "restore_listing", "撤销", cond="revoke_decision == '同意'")
    p.flow("revoke_ok", "watch_revoke", "不撤销", default=True)
    p.chain("restore_listing", "restored_term_ends", "expire", "end_expired")
    p.flow("keep_early_removal", "end_repaired")
    return p


# --- the file ---------------------------------------------------------------------------------

def root():
    return etree.parse(str(PATH)).getroot()


def test_model_matches_the_builder():
    assert PATH.read_text(encoding="utf-8") == build().to_xml()


def test_engine_deploy_checks_pass():
    pf = read_file(PATH.read_bytes(), PATH.name)
    lane_roles = {c for c, _ in ROLES} | {n for _, n in ROLES}
    assert check_bpmn(pf, lane_roles=lane_roles, form_exists=registry.has) == []


def test_every_form_is_used_and_registered():
    used = set(etree.XPath("//*[local-name()='property'][@name='formSchema']/@value")(root()))
    assert used == set(FORMS)
    assert all(registry.has(k) for k in used)


def test_lanes_are_roles_and_names_are_chinese():
    role_names = {n for _, n in ROLES}
    proc = root().find("bpmn:process", NS)
    lanes = proc.findall(".//bpmn:lane", NS)
    assert [la.get("name") for la in lanes] == [I, S, L, E] and set(la.get("name") for la in lanes) <= role_names
    for el in proc.iter():
        if etree.QName(el).localname in ("userTask", "scriptTask", "startEvent", "endEvent", "boundaryEvent",
                                         "intermediateCatchEvent"):
            assert any("\u4e00" <= ch <= "\u9fff" for ch in el.get("name") or ""), el.get("id")


def test_timer_expressions_are_valid():
    timers = root().findall(".//bpmn:timerEventDefinition", NS)
    assert len(timers) == 9
    for t in timers:
        for child in t:
            assert check_timer_expression(etree.QName(child).localname, child.text.strip()) is None


def _boxes(r):
    shapes = {}
    for s in r.iterfind(".//bpmndi:BPMNShape", NS):
        b = s.find("dc:Bounds", NS)
        shapes[s.get("bpmnElement")] = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
    return shapes


def test_every_element_has_a_shape_and_no_two_shapes_overlap():
    r = root()
    proc = r.find("bpmn:process", NS)
    shapes = _boxes(r)
    edges = {e.get("bpmnElement") for e in r.iterfind(".//bpmndi:BPMNEdge", NS)}
    nodes = [el.get("id") for el in proc if el.get("id") and etree.QName(el).localname not in
             ("laneSet", "sequenceFlow", "documentation")]
    assert set(nodes) <= set(shapes)
    assert {f.get("id") for f in proc.iterfind("bpmn:sequenceFlow", NS)} <= edges
    attached = {el.get("id"): el.get("attachedToRef") for el in proc.iterfind("bpmn:boundaryEvent", NS)}
    flow_nodes = [n for n in nodes if n not in attached]
    for i, a in enumerate(flow_nodes):
        for b in flow_nodes[i + 1:]:
            (ax, ay, aw, ah), (bx, by, bw, bh) = shapes[a], shapes[b]
            assert not (ax < bx + bw + 5 and bx < ax + aw + 5 and ay < by + bh + 5 and by < ay + ah + 5), (a, b)


def test_edges_are_orthogonal_and_cross_no_other_shape():
    r = root()
    proc = r.find("bpmn:process", NS)
    shapes = _boxes(r)
    attached = {el.get("id"): el.get("attachedToRef") for el in proc.iterfind("bpmn:boundaryEvent", NS)}
    flows = {f.get("id"): f for f in proc.iterfind("bpmn:sequenceFlow", NS)}
    lanes = {la.get("id") for la in proc.iterfind(".//bpmn:lane", NS)} | {f"Participant_{proc.get('id')}"}
    for edge in r.iterfind(".//bpmndi:BPMNEdge", NS):
        flow = flows[edge.get("bpmnElement")]
        ends = {flow.get("sourceRef"), flow.get("targetRef"), attached.get(flow.get("sourceRef"))}
        pts = [(float(p.get("x")), float(p.get("y"))) for p in edge.iterfind("di:waypoint", NS)]
        for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
            assert x1 == x2 or y1 == y2, flow.get("id")
            for sid, (bx, by, bw, bh) in shapes.items():
                if sid in ends or sid in attached or sid in lanes:
                    continue
                if x1 == x2:
                    crosses = bx < x1 < bx + bw and min(y1, y2) < by + bh and max(y1, y2) > by
                else:
                    crosses = by < y1 < by + bh and min(x1, x2) < bx + bw and max(x1, x2) > bx
                assert not crosses, (flow.get("id"), sid)


def test_every_step_that_waits_during_the_term_ends_with_it():
    """No parallel branch for the term (each would hold its own copy of the case data): every task
    open while listed carries the term's end as an interrupting boundary timer (应急管理部令第11号)."""
    proc = root().find("bpmn:process", NS)
    assert proc.find("bpmn:parallelGateway", NS) is None
    attached = {b.get("attachedToRef") for b in proc.iterfind("bpmn:boundaryEvent", NS) if b.get("name") == "管理期限届满"}
    assert attached == {"apply_repair", "verify_repair", "decide_repair", "watch_revoke", "propose_revoke",
                        "decide_revoke"}


if __name__ == "__main__":
    PATH.write_text(build().to_xml(), encoding="utf-8")
    print(f"wrote {PATH.relative_to(ROOT)}")
