"""A second batch of public models nobody here had tried (Flowable's engine test resources, the
Chinese Activiti/Flowable 请假流程 and 整改复查 tutorials; bench/interop.py --walk --dir runs such a
folder): what Duban ran down a path the engine they were drawn for would not take. Each is drawn
again as its tool saves it, with Chinese names (tests/bpmn/interop/), and run on SQLite and
PostgreSQL.
"""
from __future__ import annotations

import pytest

from engine.expressions import translate

from tests.interop_support import CORPUS, drive, models_engine

MODELS = ("activiti_enum_yes_no.bpmn", "flowable_receive_task_wait.bpmn", "camunda7_conditional_start_flows.bpmn")


@pytest.fixture(scope="module")
def engine(module_database_url):
    yield from models_engine(module_database_url, MODELS)


@pytest.mark.parametrize("section, leader, worked", [
    ("true", "true", ["usertask1", "usertask2", "usertask3", "usertask4"]),
    ("true", "false", ["usertask1", "usertask2", "usertask3", "usertask5"]),
    ("false", None, ["usertask1", "usertask2", "usertask5"]),
    ("同意", "责令改正", ["usertask1", "usertask2", "usertask3", "usertask5"]),
    ("不同意", None, ["usertask1", "usertask2", "usertask5"]),
    (True, False, ["usertask1", "usertask2", "usertask3", "usertask5"]),  # JSON's true/false from a REST client
    (False, None, ["usertask1", "usertask2", "usertask5"]),
])
def test_an_enum_yes_no_is_read_as_juel_reads_its_text(engine, section, leader, worked):
    """An Activiti enum form property 同意/不同意 with values ``true``/``false`` holds the text
    (Activiti's EnumFormType keeps the String); JUEL reads text as a Boolean where it wants one
    (EL 3.0 §1.23.2, Boolean.valueOf): ``${!sectionPass}`` of 'false' is true, ``${leaderPass ==
    true}`` of 'true' is true. In Python ``not 'false'`` is False and ``'false'`` is true, so 不同意
    went on to 分管领导审批, and ``'true' == True`` is False: 同意核销 stopped at the gateway.
    复查 not passed is 责令改正 (《安全生产事故隐患排查治理暂行规定》第二十三条)."""
    by_task = {"usertask1": {"finding": "隐患已整改"}, "usertask2": {"sectionPass": section}}
    if leader is not None:
        by_task["usertask3"] = {"leaderPass": leader}
    out = drive(engine, "activiti_enum_yes_no", data_by_task=by_task)
    assert out.status == "completed", out
    assert [t.spec_id for t in out.tasks] == worked, out


@pytest.mark.parametrize("expression, data, holds", [
    ("${!approved}", {"approved": "false"}, True),
    ("${!approved}", {"approved": "true"}, False),
    ("${!approved}", {"approved": False}, True),
    ("${!approved}", {"approved": ""}, True),
    ("${approved && amount > 100}", {"approved": "false", "amount": 500}, False),
    ("${approved || urgent}", {"approved": "false", "urgent": "false"}, False),
    ("${approved == true}", {"approved": "TRUE"}, True),
    ("${approved == false}", {"approved": "false"}, True),
    ("${approved != true}", {"approved": "true"}, False),
    ("${true == approved}", {"approved": "true"}, True),
    ("${approved == true}", {"approved": True}, True),
    # {"approved": 1}: EL coerces 1 to a Boolean and stops (§1.18.5), tests/test_juel_el_operators.py
])
def test_text_read_where_juel_wants_a_boolean(expression, data, holds):
    python = translate(expression)
    assert bool(eval(python, {}, dict(data))) is holds, python  # noqa: S307 - our own translation


@pytest.mark.parametrize("data, holds", [({"approved": "false"}, False), ({"approved": "true"}, True),
                                         ({"approved": True}, True), ({"approved": False}, False)])
def test_a_condition_that_only_reads_text_reads_it_as_a_yes_no(data, holds):
    """``${approved}`` as a condition: Python's truth of the text 'false' is yes."""
    python = translate("${approved}", condition=True)
    assert bool(eval(python, {}, dict(data))) is holds, python  # noqa: S307
    assert translate("${applicant}") == "applicant"  # an assignee or a collection is read as it is


def test_a_receive_task_without_a_message_waits_until_its_message_comes(engine):
    """A receive task drawn without a message (Flowable's and Activiti's test and tutorial models) is
    a wait state in Flowable, Activiti and Camunda 7 until another system triggers it. SpiffWorkflow
    ran it as an empty task: the case went straight on to 审核检测报告 before any report came. It
    waits for a message named after the task; sent to the case, the message continues it."""
    out = drive(engine, "flowable_receive_task_wait", data_by_task={"sid-6F1B0C2A-commission": {"sample": "储罐区土壤"}})
    assert out.status == "waiting", out
    assert [t.spec_id for t in out.tasks] == ["sid-6F1B0C2A-commission"]
    assert engine.case(out.case_id).tasks == []
    engine.correlate_message("等待检测报告", by="zhang", case_id=out.case_id, data={"report": "合格"})
    view = engine.case(out.case_id)
    assert [t.spec_id for t in view.tasks] == ["sid-2C84F0B5-review"]
    assert view.data["report"] == "合格"
    pf = engine.models.validate((CORPUS / "flowable_receive_task_wait.bpmn").read_bytes(), "flowable_receive_task_wait.bpmn")
    assert ("接收任务「等待检测报告」(sid-9A3E77D1-waitReport) 没有指定消息：按 Camunda 7、Flowable 的规则它是一个等待点，"
            "本系统让它等待名为「等待检测报告」的消息，收到后才继续") in [w.message for w in pf.warnings]


@pytest.mark.parametrize("data, opened", [
    ({"needsTest": True, "witnesses": 0}, ["commissionTest", "writeRecord"]),
    ({"needsTest": False, "witnesses": 2}, ["interview", "writeRecord"]),
    ({"needsTest": "false", "witnesses": "0"}, ["writeRecord"]),
    ({"needsTest": True, "witnesses": 1}, ["commissionTest", "interview", "writeRecord"]),
])
def test_conditional_flows_leaving_an_event_are_taken_only_when_they_hold(engine, data, opened):
    """条件连线 from a start event (as Camunda 7's own engine tests write them): the flows whose
    condition holds and the one without a condition are taken, as Camunda 7 and Flowable take them.
    SpiffWorkflow ignored the conditions after an event: every case opened 委托检测 and 询问证人."""
    case = engine.start("camunda7_conditional_start_flows", by="zhang", org="east", data=data)
    assert sorted(t.spec_id for t in engine.case(case.id).tasks) == opened
    pf = engine.models.validate((CORPUS / "camunda7_conditional_start_flows.bpmn").read_bytes(),
                                "camunda7_conditional_start_flows.bpmn")
    assert ("开始事件「检查完成」(theStart) 的 3 条出口连线带有条件，按 BPMN 的规定走条件成立的连线和没有条件的连线"
            "（本系统在其后加了一个包容网关）") in [w.message for w in pf.warnings]
