"""A fourth batch of public models nobody here had tried (camunda-bpm-platform's own engine test
resources: terminate, error and escalation events, multi-instance; bench/interop.py --walk --dir runs
such a folder): what Duban ran down a path the engine they were drawn for would not take. Each is drawn
again as that source writes them (hand-written Camunda 7 files), with Chinese names
(tests/bpmn/interop/), and run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

import sqlalchemy as sa

from engine.errors import NotFound
from engine.schema import Timer
from tests.interop_support import CORPUS, fire_waiting_timers, models_engine

MODELS = ("camunda7_error_sibling_subprocesses.bpmn", "camunda7_escalation_nested.bpmn", "camunda7_signal_end_event.bpmn",
          "flowable_countersign_veto_subprocess.bpmn", "flowable_rectify_urge_nonint.bpmn", "camunda7_escalation_mi_nonint.bpmn")


@pytest.fixture(scope="module")
def engine(module_database_url):
    yield from models_engine(module_database_url, MODELS)


def _work(engine, case_id, data_by_task, order=()):
    """Work the case's open tasks, those named in ``order`` first, each with its data; the worked ids."""
    worked = []
    for _ in range(20):
        view = engine.case(case_id)
        if view.status != "running" or not view.tasks:
            return worked, view
        task = min(view.tasks, key=lambda t: (order.index(t.spec_id) if t.spec_id in order else len(order), t.spec_id))
        engine.complete(task.id, "zhang", dict(data_by_task.get(task.spec_id, {})))
        worked.append(task.spec_id)
    return worked, engine.case(case_id)


@pytest.mark.parametrize("complete, expected", [
    (False, ["reviewDocs", "checkSite", "noticeSupplement"]),
    (True, ["reviewDocs", "checkSite"]),
])
def test_an_error_is_caught_on_the_sub_process_that_threw_it_not_on_the_one_beside_it(engine, complete, expected):
    """联合检查 (Camunda's BoundaryErrorEventTest shape): 材料审查 and 现场核查 run side by side, each
    with an error boundary for 材料不全. 材料审查's error end is caught on 材料审查 only (BPMN 2.0
    §10.5.2; Camunda 7, Flowable and Zeebe): 通知企业补正材料, while 现场核查 goes on. SpiffWorkflow
    threw the error to every waiting catcher of the case: 现场核查 was interrupted too and
    「调取现场材料后重新核查」 opened — the 现场核查 the official was doing (《安全生产法》第六十五条
    现场检查) thrown away."""
    case = engine.start("camunda7_error_sibling_subprocesses", by="zhang", org="east")
    worked, view = _work(engine, case.id, {"reviewDocs": {"docsComplete": complete}}, order=("reviewDocs",))
    assert view.status == "completed"
    assert worked == expected


@pytest.mark.parametrize("major, expected", [
    (True, ["registerHazard", "planRectification", "reportDistrict"]),
    (False, ["registerHazard", "planRectification"]),
])
def test_an_escalation_is_caught_by_the_nearest_boundary_only(engine, major, expected):
    """隐患督办 (Camunda's EscalationEventTest.testThrowEscalationEventHierarchical shape): 隐患排查
    inside 督办, a non-interrupting 重大事故隐患 boundary on each. The escalation thrown in 隐患排查
    is caught by the boundary on 隐患排查 and goes no further (Camunda 7: "and not the boundary event
    on process"): 报告区应急管理局 only (重大事故隐患 reported per 《安全生产法》第四十一条第二款 to the district
    authority the enterprise reports to). Caught at every level, it opened 报告市应急管理局 as well."""
    case = engine.start("camunda7_escalation_nested", by="zhang", org="east")
    worked, view = _work(engine, case.id, {"registerHazard": {"major": major}},
                         order=("registerHazard", "planRectification"))
    assert view.status == "completed"
    assert worked == expected


def test_a_signal_end_event_sends_its_signal(engine):
    """执法检查 (Camunda's SignalEndEventTest shape): 现场检查 ends with the signal end event
    现场检查结束, and the branch beside it waits on that signal before 告知企业检查结果. SpiffWorkflow's
    parser read a signal end event as a none end event: the signal was never sent, and the case waited
    for ever at the intermediate catch event after 制作现场检查记录 (《安全生产法》第六十五条 现场检查)."""
    case = engine.start("camunda7_signal_end_event", by="zhang", org="east")
    worked, view = _work(engine, case.id, {})
    assert worked == ["recordInspection", "informResult"]
    assert view.status == "completed"


DRAFT_V, OPINION_V, REVISE_V, URGE_V, SERVE_V = ("sid-1A7C-draft", "sid-4C2D-opinion", "sid-9F3A-revise",
                                                 "sid-9F3A-urge", "sid-9F3A-serve")


def _countersign(engine):
    """A 处罚决定集体会审 case with 起草 done: li's and eastboss's 审查意见 open."""
    case = engine.start("flowable_countersign_veto_subprocess", by="zhang", org="east",
                        data={"reviewers": ["li", "eastboss"]})
    draft = engine.case(case.id).tasks[0]
    engine.complete(draft.id, "zhang", {})
    view = engine.case(case.id)
    assert sorted((t.spec_id, t.assignee) for t in view.tasks) == [(OPINION_V, "eastboss"), (OPINION_V, "li")]
    return case, view


@pytest.mark.parametrize("first, then, expected", [
    (False, None, REVISE_V),
    (True, False, REVISE_V),
    (True, True, SERVE_V),
])
def test_a_veto_in_a_parallel_countersign_sub_process_ends_the_countersign(engine, first, then, expected):
    """处罚决定集体会审 (Flowable Modeler 6.8; Camunda's BoundaryErrorEventTest.
    testCatchErrorOnParallelMultiInstance shape): a parallel multi-instance sub-process, one 审查意见
    per reviewer; a 否决 ends that instance with the error 一票否决, whose interrupting boundary on the
    sub-process ends the whole 会审 — the other reviewer's 审查意见 withdrawn — and sends the case to
    修改处罚决定书 (《安全生产违法行为行政处罚办法》第二十八条 审查). SpiffWorkflow dropped the other
    instances from the tree but not their sub-processes, and went on to them in the same pass: the
    veto failed with 「A task with id … was not found」 (an incident in English, the 否决 undone)."""
    case, view = _countersign(engine)
    li = next(t for t in view.tasks if t.assignee == "li")
    engine.complete(li.id, "li", {"approved": first})
    if then is not None:
        other = engine.case(case.id).tasks[0]
        assert (other.spec_id, other.assignee) == (OPINION_V, "eastboss")
        engine.complete(other.id, "eastboss", {"approved": then})
    view = engine.case(case.id)
    assert [(t.spec_id, t.assignee) for t in view.tasks] == [(expected, "zhang")]
    engine.complete(view.tasks[0].id, "zhang", {})
    assert engine.case(case.id).status == "completed"
    assert not timers_of(engine, case.id)


def test_a_deadline_on_a_parallel_countersign_sub_process_withdraws_every_instance(engine):
    """The 会审超期 timer (P10D, interrupting) on the same sub-process: when it fires with eastboss's
    审查意见 still open, the 会审 ends and 会审超期督办 opens (the 十日 kept for 《行政处罚法》第六十条's
    九十日). The timer sweep failed with the same English incident and the case stayed in 会审."""
    case, view = _countersign(engine)
    li = next(t for t in view.tasks if t.assignee == "li")
    engine.complete(li.id, "li", {"approved": True})
    assert fire_waiting_timers(engine, timers_of(engine, case.id)) == 1
    view = engine.case(case.id)
    assert [(t.spec_id, t.assignee) for t in view.tasks] == [(URGE_V, "zhang")]
    engine.complete(view.tasks[0].id, "zhang", {})
    assert engine.case(case.id).status == "completed"


RECTIFY_U, RECORD_U, RECHECK_U = "sid-2D1E-rectify", "sid-5B6C-record", "sid-7D8E-recheck"


def test_a_non_interrupting_message_boundary_catches_every_message_while_its_task_runs(engine):
    """隐患整改催办 (Flowable Modeler 6.8): a non-interrupting 整改催办 message boundary on 企业整改.
    Each 催办 opens one more 记录催办情况 while 企业整改 goes on (BPMN 2.0 §10.5.4; Flowable, Camunda
    7/8 keep the boundary armed while the task runs). SpiffWorkflow armed it once: the second 催办 was
    refused (「没有等待消息「整改催办」…的案件」) and not recorded. Once 企业整改 is done the boundary
    is gone: a later 催办 is refused (企业整改 under 《安全生产法》第七十条)."""
    case = engine.start("flowable_rectify_urge_nonint", by="zhang", org="east")
    for _ in range(2):
        engine.correlate_message("整改催办", by="zhang", case_id=case.id)
    view = engine.case(case.id)
    assert sorted(t.spec_id for t in view.tasks) == [RECTIFY_U, RECORD_U, RECORD_U]
    rectify = next(t for t in view.tasks if t.spec_id == RECTIFY_U)
    engine.complete(rectify.id, "zhang", {})
    with pytest.raises(NotFound):
        engine.correlate_message("整改催办", by="zhang", case_id=case.id)
    worked, view = _work(engine, case.id, {})
    assert sorted(worked) == [RECORD_U, RECORD_U, RECHECK_U]
    assert view.status == "completed"


def test_a_non_interrupting_escalation_boundary_catches_every_instance(engine):
    """Camunda's EscalationEventTest.testNonInterruptingEscalationBoundaryEventOnMultiInstanceSubprocess
    shape, drawn in 隐患督办's 隐患排查: each of the 重大事故隐患 its instances raise is caught — one
    报告 per 隐患, not one for the first and none for the rest."""
    case = engine.start("camunda7_escalation_mi_nonint", by="zhang", org="east", data={"hazards": ["配电箱", "消防通道", "危化品库"]})
    view = engine.case(case.id)
    assert sorted(t.spec_id for t in view.tasks) == ["planRectification"] * 3 + ["reportMajor"] * 3


def timers_of(engine, case_id):
    with engine.db.read() as s:
        return s.execute(sa.select(Timer).where(Timer.case_id == case_id)).scalars().all()
