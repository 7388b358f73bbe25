"""What the case data is after a parallel or inclusive join (并行/包容汇合): each branch's own writes,
as Camunda 7, Flowable and Zeebe keep process variables (engine/join_data.py), on a real SQLite file
and real PostgreSQL, with models drawn as Camunda Modeler 5 and Flowable's modeler save them.

- A branch that never touched a variable does not overwrite another branch's write: SpiffWorkflow
  laid the branches' whole copies of the data one over another, the branch that arrived last on
  top, so what that branch had carried unchanged from the fork won (or not, by completion order).
- Both branches wrote it: the write made later stands (Camunda's and Flowable's answer: one
  process variable, written twice), whichever branch reaches the join last.
- The same with the case reloaded from its rows between the two branches' completions.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import Engine
from tests.interop_support import user_for
from tests.support import make_engine

CORPUS = Path(__file__).parent / "bpmn" / "interop"
FILES = ("camunda7_joint_recheck.bpmn", "flowable_joint_opinion.bpmn", "zeebe_inclusive_recheck.bpmn")


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    for name in FILES:
        eng.deploy(CORPUS / name, by="boss")
    yield eng
    eng.dispose()


def open_names(engine, case_id: int) -> list[str]:
    return sorted(t.name for t in engine.case(case_id).tasks)


def work(engine, case_id: int, name: str, data: dict | None = None) -> None:
    """Complete the case's open task called ``name`` as the person it is for."""
    (task,) = [t for t in engine.case(case_id).tasks if t.name == name]
    engine.complete(task.id, user_for(engine, task), data or {})


ONSITE, LEGAL = ("现场复查", {"rectified": True}), ("法制审核", {"legal_opinion": "同意"})


@pytest.mark.parametrize("order", [(ONSITE, LEGAL), (LEGAL, ONSITE)], ids=["onsite_first", "legal_first"])
def test_joint_recheck_passes_when_both_pass_whichever_finishes_last(engine, order):
    """安全生产法 第六十五条 (限期改正后复查) and 行政处罚法 第五十八条 (法制审核): the case already
    has both variables (the last round's 「未整改」 and 「不同意」, here given at the start); 执法人员
    records 已整改 and 法制审核 同意, one after the other. 复查结论 reads both: 复查合格销号. Before, the
    branch finishing last carried the old value of the other's variable over it, and the case went
    back to 责令继续整改 — in either order."""
    case = engine.start("camunda7_joint_recheck", by="zhang", org="east",
                        data={"report_no": "东应急整改〔2026〕7号", "rectified": False, "legal_opinion": "不同意"})
    for name, data in order:
        work(engine, case.id, name, data)
    assert open_names(engine, case.id) == ["复查合格销号"]
    view = engine.case(case.id)
    assert (view.data["rectified"], view.data["legal_opinion"]) == (True, "同意")


@pytest.mark.parametrize("order", [(ONSITE, LEGAL), (LEGAL, ONSITE)], ids=["onsite_first", "legal_first"])
def test_the_second_round_of_a_joint_recheck_reads_this_rounds_answers(engine, order):
    """The usual way a variable is there before the fork: a 驳回 round. Round one: not rectified,
    legal review agrees → 责令继续整改; round two: rectified, legal review agrees again (the same
    value: no change) → 复查合格销号, in either order."""
    case = engine.start("camunda7_joint_recheck", by="zhang", org="east", data={"report_no": "东应急整改〔2026〕8号"})
    work(engine, case.id, "现场复查", {"rectified": False})
    work(engine, case.id, "法制审核", {"legal_opinion": "同意"})
    work(engine, case.id, "责令继续整改", {"report_no": "东应急整改〔2026〕8-1号"})
    for name, data in order:
        work(engine, case.id, name, data)
    assert open_names(engine, case.id) == ["复查合格销号"]


def test_a_write_one_branch_made_survives_the_other_branch_arriving_last_unchanged(engine):
    """Not rectified (还未整改), and 法制审核 then agrees: the branch that wrote nothing on
    ``rectified`` does not bring back the value from before the fork either way."""
    case = engine.start("camunda7_joint_recheck", by="zhang", org="east",
                        data={"report_no": "东应急整改〔2026〕9号", "rectified": True, "legal_opinion": "同意"})
    work(engine, case.id, "现场复查", {"rectified": False})
    work(engine, case.id, "法制审核", {"legal_opinion": "同意"})
    assert open_names(engine, case.id) == ["责令继续整改"]
    assert engine.case(case.id).data["rectified"] is False


@pytest.mark.parametrize("first, second", [("承办人意见", "科室负责人意见"), ("科室负责人意见", "承办人意见")])
def test_two_branches_writing_one_variable_the_later_write_stands(engine, first, second):
    """行政处罚法 第五十八条 (法制审核前的审查意见): 承办人 and 科室负责人 both write 审查意见
    (``opinion``); as in Flowable, where it is one process variable, the one written later is the
    case's."""
    case = engine.start("flowable_joint_opinion", by="zhang", org="east", data={"case_no": "东应急罚〔2026〕3号"})
    work(engine, case.id, first, {"opinion": f"{first}：同意处罚"})
    work(engine, case.id, second, {"opinion": f"{second}：同意处罚"})
    work(engine, case.id, "承办人签字确认", {"signed": True})
    assert open_names(engine, case.id) == ["呈报局长审批"]
    assert engine.case(case.id).data["opinion"] == f"{second}：同意处罚"


def test_the_later_write_stands_even_if_its_branch_reaches_the_join_first(engine):
    """承办人 writes first, 科室负责人 after; 承办人 then signs (no opinion), so the 承办人's branch
    reaches the join last. The later write, 科室负责人's, stands (Flowable: last write in time);
    SpiffWorkflow gave the branch that arrived last."""
    case = engine.start("flowable_joint_opinion", by="zhang", org="east", data={"case_no": "东应急罚〔2026〕4号"})
    work(engine, case.id, "承办人意见", {"opinion": "建议罚款二万元"})
    work(engine, case.id, "科室负责人意见", {"opinion": "建议罚款三万元"})
    work(engine, case.id, "承办人签字确认", {"signed": True})
    data = engine.case(case.id).data
    assert (data["opinion"], data["signed"]) == ("建议罚款三万元", True)


@pytest.mark.parametrize("order", [("现场核查", "资料审查"), ("资料审查", "现场核查")])
def test_an_inclusive_join_and_separate_end_events_keep_each_branchs_write(engine, order):
    """原总局令第16号 第二十三条 (整改后复查): 现场核查 and 资料审查 (both needed, an inclusive
    gateway), then 告知企业 and 录入系统 ending at end events of their own. Each branch's answer is
    the case's after the inclusive join and at the case's end, in either order."""
    case = engine.start("zeebe_inclusive_recheck", by="zhang", org="east",
                        data={"needs_onsite": True, "needs_documents": True, "onsite_ok": False, "documents_ok": False,
                              "notified": False, "entered": False})
    work(engine, case.id, order[0], {"onsite_ok": True} if order[0] == "现场核查" else {"documents_ok": True})
    work(engine, case.id, order[1], {"onsite_ok": True} if order[1] == "现场核查" else {"documents_ok": True})
    data = engine.case(case.id).data
    assert (data["onsite_ok"], data["documents_ok"]) == (True, True)
    ends = ("告知企业", "录入系统") if order[0] == "现场核查" else ("录入系统", "告知企业")
    for name in ends:
        work(engine, case.id, name, {"notified": True} if name == "告知企业" else {"entered": True})
    view = engine.case(case.id)
    assert view.status == "completed"
    assert {k: view.data[k] for k in ("onsite_ok", "documents_ok", "notified", "entered")} == dict.fromkeys(
        ("onsite_ok", "documents_ok", "notified", "entered"), True)


def test_an_inclusive_join_one_path_reached(engine):
    """Only 资料审查 is needed: the inclusive join passes on its write (one branch, nothing to merge)."""
    case = engine.start("zeebe_inclusive_recheck", by="zhang", org="east",
                        data={"needs_onsite": False, "needs_documents": True, "documents_ok": False})
    work(engine, case.id, "资料审查", {"documents_ok": True})
    assert engine.case(case.id).data["documents_ok"] is True
    assert open_names(engine, case.id) == ["告知企业", "录入系统"]


@pytest.mark.parametrize("order", [(ONSITE, LEGAL), (LEGAL, ONSITE)], ids=["onsite_first", "legal_first"])
def test_a_case_reloaded_between_the_branches_gives_the_same_answer(module_database_url, order):
    """The engine restarted between the two completions, no workflow kept in memory (``cache_size=0``):
    the case restored from its rows joins the same way."""
    eng = make_engine(module_database_url, cache_size=0)
    try:
        eng.deploy(CORPUS / "camunda7_joint_recheck.bpmn", by="boss")
        case = eng.start("camunda7_joint_recheck", by="zhang", org="east",
                         data={"report_no": "东应急整改〔2026〕10号", "rectified": False, "legal_opinion": "不同意"})
        (name, data), later = order
        work(eng, case.id, name, data)
        clock = eng.clock
        eng.dispose()
        eng = Engine(module_database_url, clock=clock, cache_size=0)
        work(eng, case.id, *later)
        assert open_names(eng, case.id) == ["复查合格销号"]
    finally:
        eng.dispose()


@pytest.mark.parametrize("order", [(ONSITE, LEGAL), (LEGAL, ONSITE)], ids=["onsite_first", "legal_first"])
def test_the_case_shows_a_branchs_write_while_the_other_branch_is_open(engine, order):
    """案件数据 between the two completions: what the finished branch recorded is the case's (the case
    page, the API and the case row show it), not the value from before the fork the open branch still
    carries — as Camunda shows a process variable as soon as it is set."""
    case = engine.start("camunda7_joint_recheck", by="zhang", org="east",
                        data={"report_no": "东应急整改〔2026〕11号", "rectified": False, "legal_opinion": "不同意"})
    (name, data), _ = order
    work(engine, case.id, name, data)
    view = engine.case(case.id)
    assert {k: view.data[k] for k in data} == data
    assert view.data["report_no"] == "东应急整改〔2026〕11号"


def test_the_case_shows_each_finished_branchs_write_of_three_open_ones(engine):
    """承办人 wrote the opinion and is now to sign; 科室负责人 has not written: the case's opinion is
    承办人's, whichever open task the data is read from."""
    case = engine.start("flowable_joint_opinion", by="zhang", org="east", data={"case_no": "东应急罚〔2026〕5号",
                                                                               "opinion": "（待审查）"})
    work(engine, case.id, "承办人意见", {"opinion": "建议罚款二万元"})
    assert open_names(engine, case.id) == ["承办人签字确认", "科室负责人意见"]
    assert engine.case(case.id).data["opinion"] == "建议罚款二万元"


def test_a_join_in_a_loop_run_105_times_passes_on_each_rounds_own_write(database_url):
    """并行复核循环 (tests/test_guards_s24.py's model): a split into 核查甲 (``a_seen``) and 核查乙
    (``b_seen``), each writing this round's count, a join, the count, and back — 105 rounds in the
    start's step, ~525 tasks above the last join. After every join each check's write is that
    round's: at the end both read 104. Before, past 500 ancestors (the 101st round on) the join merged
    as SpiffWorkflow does, the branch arriving last carrying 核查甲's value from before the fork, and
    ``a_seen`` stayed at 99. 105 rounds prove what 150 did (the bound is crossed at the 101st), and the
    join's own check no longer costs the square of the rounds (engine/gateways.py, 2026-12-07): 150
    rounds took ~80 s a database in CI; tests/test_loops_s25.py drives loops of 1,000 rounds."""
    from tests.test_guards_s24 import LOOPED_JOIN

    eng = make_engine(database_url)
    try:
        rounds = 105
        eng.deploy(LOOPED_JOIN.encode("utf-8"), by="boss", filename="looped_join.bpmn")
        case = eng.start("looped_join", by="zhang", org="east", data={"rounds": rounds})
        view = eng.case(case.id)
        assert [t.spec_id for t in view.tasks] == ["review"]
        assert (view.data["rounds_done"], view.data["a_seen"], view.data["b_seen"]) == (rounds, rounds - 1, rounds - 1)
        assert eng.incidents() == []
    finally:
        eng.dispose()
