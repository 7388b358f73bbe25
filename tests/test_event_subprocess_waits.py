"""Event sub-processes (事件子流程) that wait at a catch event, on a real database (engine/step.py).

A scope ends its idle event sub-processes when its flow is done (``step.end_idle_event_subprocesses``);
one that has started is under way and keeps the case running, even while it only waits at a timer of
its own; one that has not started stays ready for its start event while the flow waits elsewhere.
The model, tests/bpmn/defense_review_period.bpmn, is drawn as Camunda Modeler draws it: a 行政处罚 whose
flow waits out the 陈述申辩期 at an intermediate timer, and a 当事人申辩 message event sub-process
that waits out a 复核期 before the hearing.
"""
from __future__ import annotations

from engine import ManualClock
from tests.interop_support import ACME
from tests.support import START, deploy, make_engine

MODEL = "defense_review_period"


def _open(e, case_id) -> list[str]:
    return sorted(t.spec_id for t in e.case(case_id).tasks)


def _work(e, case_id, spec_id, data=None):
    (task,) = [t for t in e.case(case_id).tasks if t.spec_id == spec_id]
    e.complete(task.id, "zhang", data or {})


def test_a_defense_waiting_out_its_review_period_keeps_the_case_running_after_the_decision(database_url):
    """Guard (``step._untriggered_event_subprocess``: all the active tasks of an untriggered event
    sub-process are its start event, waiting): a 申辩书 received during the 陈述申辩期 starts 当事人申辩,
    which waits 5 days (复核期满) before the hearing. The 处罚决定 made meanwhile ends the main flow,
    but the case stays running with no task open; when the 复核期 is over the hearing opens, and
    once it is done the case ends (mutation testing: a started event sub-process that waits at a
    catch event counted as untriggered — it was cancelled with the main flow, unnoticed)."""
    e = make_engine(database_url, clock=ManualClock(START))
    deploy(e, f"{MODEL}.bpmn")
    case = e.start(MODEL, by="zhang", org="east", party=ACME)
    _work(e, case.id, "Activity_0notice", {"送达方式": "直接送达"})
    e.correlate_message("申辩书", by="acme", case_id=case.id, data={"申辩意见": "已整改，请求从轻处罚"})
    assert _open(e, case.id) == []
    e.clock.advance(days=3)
    assert e.run_due_timers(worker="w") == 1  # 陈述申辩期满; the 复核期 runs 2 days more
    assert _open(e, case.id) == ["Activity_0decide"]
    _work(e, case.id, "Activity_0decide", {"处罚金额": "5,000,000"})
    view = e.case(case.id)
    assert (view.status, view.tasks) == ("running", [])
    e.clock.advance(days=2, hours=1)
    assert e.run_due_timers(worker="w") == 1  # 复核期满
    assert _open(e, case.id) == ["Activity_0hear"]
    _work(e, case.id, "Activity_0hear", {"复核意见": "维持原决定"})
    assert e.case(case.id).status == "completed"
    e.dispose()


def test_the_overdue_report_still_comes_while_the_decision_waits_out_the_statement_period(database_url):
    """Guard (``step.end_idle_event_subprocesses``: only a scope whose *end* waits ends its idle event
    sub-processes): while the flow waits at 陈述申辩期满 (an intermediate timer: WAITING, like the
    scope's end once the flow is done), the untriggered 办案超期 stays armed; on day 31, with the
    处罚决定 still not made, it asks for the 超期情况书面报告 beside it, and the case ends when both
    are done (mutation testing: any waiting task taken for the scope's end cancelled 办案超期 as soon
    as the flow reached the timer, unnoticed)."""
    e = make_engine(database_url, clock=ManualClock(START))
    deploy(e, f"{MODEL}.bpmn")
    case = e.start(MODEL, by="zhang", org="east", party=ACME)
    _work(e, case.id, "Activity_0notice", {"送达方式": "邮寄送达"})
    e.clock.advance(days=3, hours=1)
    assert e.run_due_timers(worker="w") == 1  # 陈述申辩期满
    assert _open(e, case.id) == ["Activity_0decide"]
    e.clock.advance(days=28)
    assert e.run_due_timers(worker="w") == 1  # 立案满30日
    assert _open(e, case.id) == ["Activity_0decide", "Activity_0report"]
    _work(e, case.id, "Activity_0report", {"超期原因": "当事人申请延期听证"})
    assert e.case(case.id).status == "running"
    _work(e, case.id, "Activity_0decide", {"处罚金额": "３０００"})
    assert e.case(case.id).status == "completed"
    e.dispose()


def test_a_defense_in_one_case_does_not_keep_later_cases_of_the_version_running(database_url):
    """Guard (``step._starts_event_subprocess`` asked afresh, not cached): a scope whose only event
    sub-process has a message start (tests/bpmn/defense_message_only.bpmn, 当事人申辩 on 申辩书) is not
    linked to its start until a 申辩书 first arrives — and SpiffWorkflow then links it on the spec
    every case of the version shares. A case without a 申辩书 ends with its 处罚决定, before and after
    another case of the same version received one and heard it (with the answer cached from the first
    case, the third stayed running with no task open, for ever)."""
    e = make_engine(database_url)
    deploy(e, "defense_message_only.bpmn")

    def decide(case_id):
        _work(e, case_id, "Activity_0inquire")
        (task,) = [t for t in e.case(case_id).tasks if t.spec_id == "Activity_0decide"]
        e.complete(task.id, "boss", {})

    first = e.start("defense_message_only", by="zhang", org="east")
    decide(first.id)
    assert e.case(first.id).status == "completed"
    heard = e.start("defense_message_only", by="zhang", org="east")
    e.correlate_message("申辩书", by="boss", case_id=heard.id)
    assert _open(e, heard.id) == ["Activity_0hear", "Activity_0inquire"]
    _work(e, heard.id, "Activity_0hear")
    decide(heard.id)
    assert e.case(heard.id).status == "completed"
    later = e.start("defense_message_only", by="zhang", org="east")
    decide(later.id)
    assert (e.case(later.id).status, _open(e, later.id)) == ("completed", [])
    e.dispose()
